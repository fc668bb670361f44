// -P on a path that does not exist when dtruss starts: another process (this test, not traced)
// makes it while the program runs, by creating it or by renaming a file the program holds open
// onto it. The calls that name it, or are on an fd that refers to it as of the call, are shown
// from then on, on both backends (the eBPF backend looks at the paths' files again while it
// traces: the kernel learns the renamed file's inode from that).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using nlohmann::json;

class PathLater : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    dir_ = e2e::temp_dir();
  }
  // Starts dtruss -P DIR/target (and `extra`) on path_later in `mode`, and waits until the
  // program runs.
  void start(const std::string& mode, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{e2e::dtruss_bin(), backend(), "--json", "-P", dir_ + "/target"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {fixture("path_later"), dir_, mode});
    tracer_.pid = e2e::spawn(argv, dir_ + "/out", dir_ + "/trace");
    ASSERT_GT(tracer_.pid, 0);
    ASSERT_TRUE(e2e::wait_for_text(dir_ + "/out", "ready\n", 20000))
        << e2e::read_file(dir_ + "/trace");
  }
  // Waits for dtruss and its program to end; the calls it showed.
  std::vector<json> finish() {
    int st = e2e::wait_for(tracer_.pid, 30000);
    EXPECT_NE(st, -1) << "dtruss did not end";
    if (st != -1) tracer_.pid = -1;
    EXPECT_EQ(e2e::exit_code(st), 0) << e2e::read_file(dir_ + "/trace");
    EXPECT_EQ(e2e::read_file(dir_ + "/out"), "ready\ndone\n");
    return e2e::syscalls(e2e::json_lines(e2e::read_file(dir_ + "/trace")));
  }
  void make(const std::string& name) {
    int fd = open((dir_ + "/" + name).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, "t", 1), 1);
    close(fd);
  }
  std::string dir_;
  e2e::ChildGuard tracer_;
};

INSTANTIATE_BACKENDS(PathLater);

// The path is created after the program started: its open (by a relative name), read and close
// are shown; its polls of the path (access, by the relative name too) and its naps are not.
TEST_P(PathLater, CreatedWhileTracing) {
  ASSERT_NO_FATAL_FAILURE(start("created"));
  ASSERT_NO_FATAL_FAILURE(make("target"));
  auto c = finish();
  std::vector<std::string> names;
  for (const auto& call : c) names.push_back(call["syscall"]);
  ASSERT_EQ(names, (std::vector<std::string>{"openat", "read", "close"})) << e2e::dump(c);
  EXPECT_EQ(c[0]["args"]["filename"], "target");
  EXPECT_EQ(c[1]["args"]["fd"], c[0]["ret"]);
  EXPECT_EQ(c[2]["args"]["fd"], c[0]["ret"]);
}

// A file the program holds open is renamed onto the path: its writes on that fd are shown from
// then on (the test waits until one is, then tells the program to stop), not the one before; with
// -y, each names the fd's file by the path (on eBPF, where user space knew the fd by its name at
// the open, the kernel describes it again).
TEST_P(PathLater, OpenFileRenamedOntoThePath) {
  for (const std::vector<std::string>& extra : {std::vector<std::string>{}, {"-y"}}) {
    SCOPED_TRACE(extra.empty() ? "-P" : "-P -y");
    SetUp();
    ASSERT_NO_FATAL_FAILURE(make("held"));
    ASSERT_NO_FATAL_FAILURE(start("renamed", extra));
    ASSERT_EQ(rename((dir_ + "/held").c_str(), (dir_ + "/target").c_str()), 0);
    ASSERT_TRUE(
        e2e::wait_until([&] { return e2e::calls_so_far(dir_ + "/trace", "pwrite64") > 0; }, 30000))
        << "no write on the renamed file's fd was shown\n"
        << e2e::read_file(dir_ + "/trace");
    ASSERT_NO_FATAL_FAILURE(make("stop"));
    auto c = finish();
    ASSERT_GE(c.size(), 3u) << e2e::dump(c);
    for (size_t i = 0; i + 2 < c.size(); ++i) EXPECT_EQ(c[i]["syscall"], "pwrite64") << c[i];
    EXPECT_EQ(c[c.size() - 2]["syscall"], "write");
    EXPECT_EQ(e2e::text_arg(c[c.size() - 2], "buf"), "after\n") << c[c.size() - 2];
    EXPECT_EQ(c.back()["syscall"], "close");
    json fd = c.back()["args"]["fd"];
    for (const auto& call : c) EXPECT_EQ(call["args"]["fd"], fd) << call;
    if (!extra.empty()) {
      EXPECT_EQ(fd, json({{"fd", fd["fd"]}, {"path", dir_ + "/target"}}));
    }
  }
}

}  // namespace
