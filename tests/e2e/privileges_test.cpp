// Privileges: -u USER runs the command as that user; an ordinary user traces its own programs.
// These tests need root (to become another user); they fail, with a message, when not root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "harness.h"

namespace e2e {
namespace {

// A copy of dtruss that `nobody` can run wherever the build tree lives (a clone under /root is
// closed to other users).
std::string dtruss_for_nobody() {
  std::string dir = e2e::temp_dir();
  chmod(dir.c_str(), 0755);
  std::string copy = dir + "/dtruss";
  std::filesystem::copy_file(e2e::dtruss_bin(), copy);
  chmod(copy.c_str(), 0755);
  return copy;
}

#define REQUIRE_ROOT()                                                    \
  if (geteuid() != 0)                                                     \
  FAIL() << "this test needs root (it switches users): run the suite as " \
            "root, as `make test` on the CI machine does"

TEST(RunAs, CommandRunsAsTheUser) {
  REQUIRE_ROOT();
  auto r = run_traced({"--json", "-u", "nobody", "/usr/bin/id", "-u"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "65534\n");
  auto ev = json_lines(r.trace);
  auto execs = syscalls(ev, "execve");
  ASSERT_FALSE(execs.empty());
  EXPECT_EQ(execs.front()["args"]["filename"], "/usr/bin/id");
  // dtruss's own privilege drop happens before the command starts: it is not in the trace.
  EXPECT_TRUE(syscalls(ev, "setuid").empty());
  EXPECT_TRUE(syscalls(ev, "setgroups").empty());
}

TEST(RunAs, GroupsAreDropped) {
  REQUIRE_ROOT();
  auto r = run_traced({"-u", "nobody", "/usr/bin/id", "-G"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find(" 0"), std::string::npos) << "root's group kept: " << r.out;
  EXPECT_NE(r.out, "0\n");
}

TEST(RunAs, UnknownUserIsAUsageError) {
  auto r = e2e::run_dtruss({"-u", "no-such-user-dtruss", "/bin/true"});
  EXPECT_EQ(r.status, 2);
  if (geteuid() == 0)
    EXPECT_NE(r.err.find("no user named 'no-such-user-dtruss'"), std::string::npos) << r.err;
  else
    EXPECT_NE(r.err.find("needs dtruss to run as root"), std::string::npos) << r.err;
}

TEST(Unprivileged, OrdinaryUserTracesItsOwnCommand) {
  REQUIRE_ROOT();
  // setpriv (util-linux) makes dtruss itself run as nobody: ptrace needs no privilege for one's
  // own processes, and -t's seccomp filter is installed with no_new_privs.
  auto r = run({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                dtruss_for_nobody(), "--json", "-t", "openat,write", "/bin/echo", "hi"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hi\n");
  auto writes = syscalls(json_lines(r.err), "write");
  ASSERT_EQ(writes.size(), 1u) << r.err;
  EXPECT_EQ(writes[0]["args"]["buf"], "hi\n");
  EXPECT_EQ(writes[0]["ret"], 3);
}

TEST(Unprivileged, AttachingToAnotherUsersProcessSaysWhy) {
  REQUIRE_ROOT();
  // PID 1 belongs to root; as nobody, attaching must fail with a reason and exit 2.
  std::string dir = e2e::temp_dir();
  chmod(dir.c_str(), 0777);
  std::string trace = dir + "/trace";
  auto r = run({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                dtruss_for_nobody(), "--output", trace, "-p", "1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot attach to PID 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sudo"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(trace)) << "nothing traced, no trace file left behind";
}

TEST(Unprivileged, SetuidProgramRunsWithoutItsPrivilegesAndDtrussSaysSo) {
  REQUIRE_ROOT();
  std::string dir = e2e::temp_dir();
  chmod(dir.c_str(), 0755);
  std::string ids = dir + "/ids";
  std::filesystem::copy_file(e2e::fixture("ids"), ids);
  ASSERT_EQ(chown(ids.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(ids.c_str(), 04755), 0);
  // Untraced, nobody runs it with euid 0; traced by nobody's dtruss the kernel drops the setuid.
  auto plain =
      run({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", ids});
  EXPECT_EQ(plain.out, "65534 0\n");
  auto r = run({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                dtruss_for_nobody(), "--json", "-t", "geteuid", ids});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "65534 65534\n");
  auto ls = e2e::lines(r.err);
  ASSERT_FALSE(ls.empty());
  EXPECT_EQ(ls[0], "dtruss: note: '" + ids +
                       "' is set-user-ID; traced by an unprivileged dtruss it runs without those "
                       "privileges (the kernel's rule for traced programs): run dtruss as root "
                       "to trace it as it really runs");
  auto calls = syscalls(json_lines(r.err.substr(r.err.find('\n') + 1)), "geteuid");
  ASSERT_EQ(calls.size(), 1u) << r.err;
  EXPECT_EQ(calls[0]["ret"], 65534);
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// Root through sudo writes --output for the user who ran sudo: another user's file is refused
// (untouched), a new file is that user's.
TEST(Sudo, OutputOfAnotherUserIsRefusedANewOneIsTheUsers) {
  REQUIRE_ROOT();
  std::string dir = e2e::temp_dir();
  std::string theirs = dir + "/theirs";
  { std::ofstream(theirs) << "keep me\n"; }
  ASSERT_EQ(chown(theirs.c_str(), 65534, 65534), 0);
  setenv("SUDO_UID", "4242", 1);
  setenv("SUDO_GID", "4243", 1);
  auto bad = e2e::run_dtruss({"--output", theirs, "/bin/true"});
  auto good = e2e::run_dtruss({"--output", dir + "/mine", "/bin/true"});
  unsetenv("SUDO_UID");
  unsetenv("SUDO_GID");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("cannot write the trace to '" + theirs +
                         "': it belongs to another user (uid 65534)"),
            std::string::npos)
      << bad.err;
  std::ifstream in(theirs);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "keep me\n");
  EXPECT_EQ(good.status, 0) << good.err;
  struct stat st {};
  ASSERT_EQ(stat((dir + "/mine").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 4242u);
  EXPECT_EQ(st.st_gid, 4243u);
}

// As an ordinary user, the eBPF backend asked for is refused with the reason, and sudo named.
TEST(Unprivileged, EbpfBackendSaysWhyAndSuggestsSudo) {
  REQUIRE_ROOT();
  auto r = run({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                dtruss_for_nobody(), "--backend=bpf", "/bin/true"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--backend=bpf: the eBPF backend needs root, or the CAP_BPF and CAP_PERFMON "
                       "capabilities (try sudo)"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace e2e
