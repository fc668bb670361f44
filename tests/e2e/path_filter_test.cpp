// -P's hard cases on both backends (the eBPF backend decides -P in the kernel first: it must never
// leave out a call that user space would show), and the proof that it does leave out the others.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using nlohmann::json;

class PathFilter : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    dir_ = e2e::temp_dir();
    // "renamed" is there as the trace starts (the program renames another file over it), and a
    // subdirectory for a path spelled with "..".
    int fd = open((dir_ + "/renamed").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    close(fd);
    ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  }
  // The syscalls of path_cases in `dir` (dir_ by default), traced with -f and `extra`.
  std::vector<json> calls(std::vector<std::string> extra, std::string dir = "") const {
    std::vector<std::string> args = {backend(), "--json", "-f"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {fixture("path_cases"), dir.empty() ? dir_ : dir});
    auto r = e2e::run_traced(args);
    EXPECT_EQ(r.status, 0) << "path_cases (its failed step), or a tracer error: " << r.err;
    return e2e::syscalls(json_lines(r.trace));
  }
  std::string dir_;
};

INSTANTIATE_BACKENDS(PathFilter);

// Several paths: a file the program creates (absent at the start), one a new file is renamed over
// (its fd shown once it names the path), one whose fd is copied by dup, dup2 and F_DUPFD, one
// written by a forked child through the fd it inherits, one written by a second thread. Each is
// opened by a relative name: only the fds' files select these calls.
TEST_P(PathFilter, FilesCreatedRenamedCopiedInheritedAndShared) {
  std::vector<std::string> opts;
  for (const char* f : {"created", "renamed", "dupped", "forked", "threaded"})
    opts.insert(opts.end(), {"-P", dir_ + "/" + f});
  auto c = calls(opts);
  const std::vector<std::vector<std::string>> steps = {
      {"openat", "write", "read", "close"},  // created
      {"write", "close"},                    // renamed
      {"openat", "dup", "dup2", "fcntl", "write", "write", "write", "close", "close", "close",
       "close"},                     // dupped
      {"openat", "write", "close"},  // forked
      {"openat", "write", "close"},  // threaded
  };
  std::vector<std::string> want;
  for (const auto& s : steps) want.insert(want.end(), s.begin(), s.end());
  EXPECT_EQ(e2e::call_names(c), want) << e2e::dump(c);
  // The child's write and the thread's are theirs.
  ASSERT_EQ(c.size(), 23u);
  EXPECT_NE(c[18]["pid"], c[17]["pid"]);
  EXPECT_NE(c[21]["tid"], c[20]["tid"]);
  EXPECT_EQ(c[21]["pid"], c[20]["pid"]);
}

// A directory: the calls that name it (chdir), open it, and use its fd as a dirfd or an fd; not
// those on the files in it.
TEST_P(PathFilter, DirectoryAndItsDirfd) {
  auto c = calls({"-P", dir_});
  EXPECT_EQ(e2e::call_names(c),
            (std::vector<std::string>{"chdir", "openat", "openat", "newfstatat", "close"}))
      << e2e::dump(c);
}

// The path through a symlink, and spelled with "..": the file it resolves to.
TEST_P(PathFilter, SymlinkAndDotDotNameTheFileTheyResolveTo) {
  std::string link = dir_ + "/link";
  ASSERT_EQ(symlink((dir_ + "/renamed").c_str(), link.c_str()), 0);
  for (const std::string& p : {link, dir_ + "/sub/../renamed"}) {
    SCOPED_TRACE(p);
    auto c = calls({"-P", p});
    EXPECT_EQ(e2e::call_names(c), (std::vector<std::string>{"write", "close"})) << e2e::dump(c);
  }
}

// A path longer than the kernel compares (255 bytes): user space decides alone, as before.
TEST_P(PathFilter, APathTooLongForTheKernel) {
  std::string dir = dir_ + "/" + std::string(200, 'd') + "/" + std::string(60, 'e');
  ASSERT_EQ(mkdir(dir.substr(0, dir.rfind('/')).c_str(), 0700), 0);
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  auto c = calls({"-P", dir + "/created"}, dir);
  EXPECT_EQ(e2e::call_names(c), (std::vector<std::string>{"openat", "write", "read", "close"}))
      << e2e::dump(c);
}

// -P and -Z together: the failing calls on the path only.
TEST_P(PathFilter, WithFailedOnly) {
  auto c = calls({"-Z", "-P", dir_ + "/created", "-P", dir_ + "/renamed"});
  ASSERT_EQ(e2e::call_names(c), std::vector<std::string>{"read"}) << e2e::dump(c);
  EXPECT_EQ(c[0]["errno"], "EBADF");
}

// Attached with -p to a process that opened the path before dtruss started (a FIFO, its standard
// input): its reads of it are shown, and nothing else (the kernel knows the file from the start).
TEST_P(PathFilter, AttachedToAProcessThatOpenedThePathBefore) {
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  int rfd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(rfd, 0);
  int wfd = open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(wfd, 0);
  ASSERT_EQ(fcntl(rfd, F_SETFL, 0), 0);  // (the reader's reads block)
  e2e::ChildGuard reader{e2e::spawn({fixture("stdin_reader")}, dir_ + "/out", "", rfd)};
  close(rfd);
  ASSERT_GT(reader.pid, 0);
  ASSERT_TRUE(e2e::wait_for_text(dir_ + "/out", "ready\n"));
  e2e::ChildGuard tracer{e2e::spawn(
      {e2e::dtruss_bin(), backend(), "--json", "-p", std::to_string(reader.pid), "-P", fifo},
      dir_ + "/trace.out", dir_ + "/trace")};
  ASSERT_TRUE(e2e::wait_for_text(dir_ + "/trace", "attached to process"))
      << e2e::read_file(dir_ + "/trace");
  ASSERT_EQ(write(wfd, "a\n", 2), 2);
  ASSERT_TRUE(e2e::wait_for_text(dir_ + "/out", "got 1\n"));
  close(wfd);  // (its next read returns 0: it writes "done" and ends, and so does dtruss)
  int st = e2e::wait_for(tracer.pid, 20000);
  ASSERT_NE(st, -1) << "dtruss -p did not end with its process";
  tracer.pid = -1;
  int rst = e2e::wait_for(reader.pid, 20000);
  if (rst != -1) reader.pid = -1;
  auto c = e2e::syscalls(json_lines(e2e::read_file(dir_ + "/trace")));
  ASSERT_FALSE(c.empty()) << e2e::read_file(dir_ + "/trace");
  for (const auto& call : c) {
    EXPECT_EQ(call["syscall"], "read") << call.dump();
    EXPECT_EQ(call["args"]["fd"], 0) << call.dump();
  }
  EXPECT_EQ(c.back()["ret"], 0) << e2e::dump(c);  // the end of file, read under the trace
}

// ---------------------------------------------------------------------------------------------
// eBPF: the calls -P (and -Z with it) leaves out are left out in the kernel: 20,000 reads of
// /dev/zero through the smallest ring, sent, lose records; left out by -P /dev/null (a file that
// exists: the kernel looks each read's fd up), or by -Z with -P /dev/zero (they all succeed),
// none is lost.

uint64_t lost(const std::string& trace) {
  uint64_t n = 0;
  for (const auto& e : e2e::of_type(json_lines(trace), "lost")) n += e["count"].get<uint64_t>();
  return n;
}

e2e::Result burst(std::vector<std::string> opts, const char* mode = "read") {
  std::vector<std::string> args = {"--backend=bpf", "--json", "-b", "4K"};
  args.insert(args.end(), opts.begin(), opts.end());
  args.insert(args.end(), {fixture("fd_burst"), "20000", mode});
  return e2e::run_traced(args);
}

TEST(BpfPathFilter, UnselectedCallsAreLeftOutInTheKernel) {
  REQUIRE_BPF();
  auto all = burst({"-t", "read"});
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_GT(lost(all.trace), 0u) << "the control run lost nothing";
  auto p = burst({"-P", "/dev/null"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(lost(p.trace), 0u) << p.trace;
  EXPECT_TRUE(e2e::syscalls(json_lines(p.trace)).empty()) << p.trace;
  // ... and those it selects still come: the fixture's open of /dev/zero and every read.
  auto z = burst({"-P", "/dev/zero", "-t", "openat"});
  ASSERT_EQ(z.status, 0) << z.err;
  auto calls = e2e::syscalls(json_lines(z.trace));
  ASSERT_EQ(calls.size(), 1u) << z.trace;
  EXPECT_EQ(calls[0]["args"]["filename"], "/dev/zero");
}

// Opens of a file on no path: neither the calls nor (without -y) the records of the fds they make
// are sent.
TEST(BpfPathFilter, OpensOfOtherFilesAreLeftOutInTheKernel) {
  REQUIRE_BPF();
  auto all = burst({"-t", "openat,close"}, "open");
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_GT(lost(all.trace), 0u) << "the control run lost nothing";
  auto p = burst({"-P", "/dev/null"}, "open");
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(lost(p.trace), 0u) << p.trace;
  EXPECT_TRUE(e2e::syscalls(json_lines(p.trace)).empty()) << p.trace;
}

TEST(BpfPathFilter, FailedOnlyWithAPathIsDecidedInTheKernel) {
  REQUIRE_BPF();
  auto z = burst({"-Z", "-P", "/dev/zero"});
  ASSERT_EQ(z.status, 0) << z.err;
  EXPECT_EQ(lost(z.trace), 0u) << z.trace;
  EXPECT_TRUE(e2e::syscalls(json_lines(z.trace)).empty()) << z.trace;
}

}  // namespace
