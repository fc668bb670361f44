// Buffers in pages that neither the program nor the call ever touched (tests/fixtures/untouched.c):
// a string literal written to /dev/null is the commonest. ptrace reads them through the kernel,
// which brings the page in; an eBPF program may not fault, so the eBPF backend reads them from
// the file the read-only mapping shows (events.h, DT_CAP_FILE). Both show the bytes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using e2e::only_call;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

class Untouched : public e2e::BackendTest {};

TEST_P(Untouched, BuffersInPagesNeverTouchedAreShown) {
  auto r = run_traced({backend(), "-t", "write,writev,openat", fixture("untouched")});
  ASSERT_EQ(r.status, 0) << "the fixture's failed step, or a tracer error: " << r.err;
  EXPECT_NE(r.trace.find(R"(, "written from a page never touched\n", 34))"), std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find(R"(, [{iov_base="gathered from one", iov_len=17}], 1))"),
            std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find(R"(openat(AT_FDCWD, "/nonexistent/path/never/touched", )"),
            std::string::npos)
      << r.trace;
}

TEST_P(Untouched, AsJsonTooAWholePage) {
  auto r =
      run_traced({backend(), "--json", "--strsize", "4096", "-t", "write", fixture("untouched")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto calls = syscalls(json_lines(r.trace), "write");
  ASSERT_EQ(calls.size(), 2u) << r.trace;
  EXPECT_EQ(calls[0]["args"]["buf"], "written from a page never touched\n") << calls[0];
  // A whole page: its string, then zeros.
  std::string last = calls[1]["args"]["buf"].get<std::string>();
  EXPECT_EQ(last.size(), 4096u) << calls[1];
  EXPECT_EQ(last.substr(0, 14), std::string("the last page\0", 14)) << calls[1];
  EXPECT_EQ(last.find_first_not_of('\0', 13), std::string::npos) << calls[1];
}

// dtruss in a chroot (as in a container): the file is found by the path dtruss sees, which the
// kernel side's walk gives from dtruss's own root, with or without -y and -s.
TEST_P(Untouched, BuffersAreReadFromTheFileInAChroot) {
  ASSERT_EQ(geteuid(), 0u) << "a chroot needs root";
  std::string root = e2e::temp_dir() + "/root";
  ASSERT_EQ(mkdir(root.c_str(), 0755), 0);
  std::string script = "mount --rbind / '" + root + "' && exec chroot '" + root + "' '" +
                       e2e::dtruss_bin() + "' " + backend() + " -t write '" + fixture("untouched") +
                       "'";
  auto r = e2e::run(
      {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script}, 60);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(R"(, "written from a page never touched\n", 34))"), std::string::npos)
      << r.err;
}

INSTANTIATE_BACKENDS(Untouched);

}  // namespace
