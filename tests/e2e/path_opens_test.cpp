// -P on opens that the eBPF backend may decide at their exit, by the file they opened, rather
// than by reading their path argument at entry (path_filter.bpf.h: pf_late_ok): each case where
// the file alone would not tell, shown as on the ptrace backend. (path_opens.c)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using nlohmann::json;

class PathOpens : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    dir_ = e2e::temp_dir();
    ASSERT_EQ(mkdir((dir_ + "/real").c_str(), 0700), 0);
    for (const char* f : {"/file", "/real/inner"}) {
      int fd = open((dir_ + f).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
      ASSERT_GE(fd, 0);
      close(fd);
    }
  }
  // The syscalls of path_opens MODE in dir_, traced with these -P paths.
  std::vector<json> calls(const char* mode, const std::vector<std::string>& paths) const {
    std::vector<std::string> args = {backend(), "--json", "-f"};
    for (const auto& p : paths) args.insert(args.end(), {"-P", p});
    args.insert(args.end(), {fixture("path_opens"), dir_, mode});
    auto r = e2e::run_traced(args);
    EXPECT_EQ(r.status, 0) << "path_opens " << mode
                           << " (a step failed), or a tracer error: " << r.err;
    return e2e::syscalls(json_lines(r.trace));
  }
  std::string dir_;
};

INSTANTIATE_BACKENDS(PathOpens);

// Opens of the paths that fail (no file to decide by) show with their errno; a successful open of
// another file does not show.
TEST_P(PathOpens, FailedOpensOfThePathsShowWithTheirErrno) {
  auto c = calls("fail", {dir_ + "/absent", dir_ + "/file"});
  ASSERT_EQ(e2e::call_names(c), (std::vector<std::string>{"openat", "openat"})) << e2e::dump(c);
  EXPECT_EQ(c[0]["args"]["filename"], dir_ + "/absent");
  EXPECT_EQ(c[0]["errno"], "ENOENT");
  EXPECT_EQ(c[1]["args"]["filename"], dir_ + "/file");
  EXPECT_EQ(c[1]["errno"], "ENOTDIR");
}

// The path opened by a relative name, from its directory and by a dirfd of it: the file selects
// the open and its fd's close; the opens of another file in the directory do not show.
TEST_P(PathOpens, OpensByARelativeNameAndByADirfd) {
  auto c = calls("relative", {dir_ + "/file"});
  ASSERT_EQ(e2e::call_names(c), (std::vector<std::string>{"openat", "close", "openat", "close"}))
      << e2e::dump(c);
  EXPECT_EQ(c[0]["args"]["filename"], "file");
  EXPECT_EQ(c[2]["args"]["filename"], "file");
  EXPECT_NE(c[2]["args"]["dfd"], c[0]["args"]["dfd"]) << e2e::dump(c);
}

// Symlinks made at a path and on the way to one while the trace runs: the opens that name the
// paths show, though the files they open are at other paths (and their fds' closes do not). (The
// file at the end of "alias" has a name of another length: only the path argument selects it.)
TEST_P(PathOpens, OpensThroughSymlinksMadeWhileTracing) {
  auto c = calls("symlink", {dir_ + "/alias", dir_ + "/ldir/inner"});
  ASSERT_EQ(e2e::call_names(c), (std::vector<std::string>{"symlink", "openat", "openat"}))
      << e2e::dump(c);
  EXPECT_EQ(c[1]["args"]["filename"], dir_ + "/alias");
  EXPECT_GE(c[1]["ret"].get<long>(), 0) << e2e::dump(c);
  EXPECT_EQ(c[2]["args"]["filename"], dir_ + "/ldir/inner");
  EXPECT_GE(c[2]["ret"].get<long>(), 0) << e2e::dump(c);
}

// A symlink renamed onto the path by another process (not traced) while the program waits: its
// open of the path shows (the file it opens has a name of another length).
TEST_P(PathOpens, ASymlinkRenamedOntoThePathByAnotherProcess) {
  e2e::ChildGuard tracer{e2e::spawn({e2e::dtruss_bin(), backend(), "--json", "-P", dir_ + "/alias",
                                     fixture("path_opens"), dir_, "later"},
                                    dir_ + "/out", dir_ + "/trace")};
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(e2e::wait_for_text(dir_ + "/out", "ready\n", 20000))
      << e2e::read_file(dir_ + "/trace");
  ASSERT_EQ(symlink((dir_ + "/file").c_str(), (dir_ + "/t").c_str()), 0);
  ASSERT_EQ(rename((dir_ + "/t").c_str(), (dir_ + "/alias").c_str()), 0);
  int fd = open((dir_ + "/go").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  int st = e2e::wait_for(tracer.pid, 30000);
  ASSERT_NE(st, -1) << "dtruss did not end";
  tracer.pid = -1;
  EXPECT_EQ(e2e::exit_code(st), 0) << e2e::read_file(dir_ + "/trace");
  auto c = e2e::syscalls(json_lines(e2e::read_file(dir_ + "/trace")));
  ASSERT_EQ(e2e::call_names(c), std::vector<std::string>{"openat"}) << e2e::dump(c);
  EXPECT_EQ(c[0]["args"]["filename"], dir_ + "/alias");
  EXPECT_GE(c[0]["ret"].get<long>(), 0) << e2e::dump(c);
}

// An unnamed file made in the path, a directory (O_TMPFILE): the open names the path.
TEST_P(PathOpens, AnUnnamedFileMadeInTheDirectory) {
  auto c = calls("tmpfile", {dir_});
  ASSERT_EQ(e2e::call_names(c), std::vector<std::string>{"openat"}) << e2e::dump(c);
  EXPECT_EQ(c[0]["args"]["filename"], dir_);
  EXPECT_GE(c[0]["ret"].get<long>(), 0) << e2e::dump(c);
}

// A process chrooted to a directory opens "/" (that directory): -P / selects the open by its
// path argument, though the file is not dtruss's root.
TEST_P(PathOpens, AProcessInAChrootOpensItsRoot) {
  auto c = calls("chroot", {"/"});
  ASSERT_EQ(e2e::call_names(c), std::vector<std::string>{"openat"}) << e2e::dump(c);
  EXPECT_EQ(c[0]["args"]["filename"], "/");
  EXPECT_GE(c[0]["ret"].get<long>(), 0) << e2e::dump(c);
}

}  // namespace
