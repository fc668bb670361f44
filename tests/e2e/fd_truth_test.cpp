// -y names each fd as it was at that call, the same way on both backends: a reused fd number, a
// socket before and after connect, a process gone before its events are read, a path through a
// symlinked directory (the kernel's canonical path), files with no path of their own.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

class FdTruth : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    dir_ = e2e::temp_dir();
    ASSERT_EQ(mkdir((dir_ + "/real").c_str(), 0755), 0);
    std::ofstream(dir_ + "/real/file.txt") << "x\n";
    ASSERT_EQ(symlink("real", (dir_ + "/link").c_str()), 0);
    auto r = run_traced({backend(), "--json", "-f", "-y", e2e::fixture("fd_truth"), dir_});
    ASSERT_EQ(r.status, 0) << "fd_truth (100 + its failed step) or a tracer error: " << r.err;
    for (const json& c : syscalls(json_lines(r.trace))) {
      if (pid_ == 0 && c["syscall"] == "execve") pid_ = c["pid"].get<int>();
      calls_.push_back(c);
    }
    ASSERT_NE(pid_, 0);
  }
  // The calls named `name`, of the fixture's main thread (mine) or of its child (!mine).
  std::vector<json> of(const std::string& name, bool mine = true) const {
    std::vector<json> out;
    for (const json& c : calls_)
      if (c["syscall"] == name && (mine ? c["tid"] == pid_ : c["pid"] != pid_)) out.push_back(c);
    return out;
  }
  static std::string fd_path(const json& call, const char* arg = "fd") {
    const json& a = call["args"][arg];
    return a.is_object() ? a["path"].get<std::string>() : "(no note: " + a.dump() + ")";
  }
  static std::string ret_path(const json& call) {
    return call.contains("ret_path") ? call["ret_path"].get<std::string>() : "(no ret_path)";
  }
  std::vector<json> opens_of(const std::string& filename) const {
    std::vector<json> out;
    for (const json& c : of("openat"))
      if (c["args"]["filename"] == filename) out.push_back(c);
    return out;
  }
  std::string dir_;
  int pid_ = 0;
  std::vector<json> calls_;
};

TEST_P(FdTruth, AReusedFdNamesTheFileOfEachCall) {
  auto first = opens_of("/etc/hostname"), second = opens_of("/etc/passwd");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_EQ(first[0]["ret"], second[0]["ret"]) << "the fixture reuses the fd";
  EXPECT_EQ(ret_path(first[0]), "/etc/hostname");
  EXPECT_EQ(ret_path(second[0]), "/etc/passwd");
  bool closed = false;
  for (const json& c : of("close"))
    if (c["ts_ns"] > first[0]["ts_ns"] && c["args"]["fd"].is_object() &&
        c["args"]["fd"]["fd"] == first[0]["ret"]) {
      EXPECT_EQ(fd_path(c), "/etc/hostname") << c.dump();
      closed = true;
      break;
    }
  EXPECT_TRUE(closed);
}

TEST_P(FdTruth, SocketsShowTheirPeerOnlyOnceConnected) {
  auto sockets = of("socket"), names = of("getsockname");
  ASSERT_GE(sockets.size(), 3u);  // the listener, the client, the unix socket
  ASSERT_EQ(names.size(), 3u);    // the listener's, the client's before and after connect
  const std::regex unbound(R"(TCP:\[\d+\])");
  std::string listener = ret_path(sockets[0]), client = ret_path(sockets[1]);
  EXPECT_TRUE(std::regex_match(listener, unbound)) << listener;
  EXPECT_TRUE(std::regex_match(client, unbound)) << client;
  EXPECT_NE(listener, client);
  // Bound but not listening yet: still no address to show (not in /proc/net/tcp).
  ASSERT_EQ(of("bind").size(), 2u);
  EXPECT_EQ(fd_path(of("bind")[0]), listener);
  EXPECT_EQ(fd_path(of("listen")[0]), listener);
  std::smatch m;
  std::string listening = fd_path(names[0]);
  ASSERT_TRUE(std::regex_match(listening, m, std::regex(R"(TCP:127\.0\.0\.1:(\d+))"))) << listening;
  std::string port = m[1];
  EXPECT_EQ(fd_path(names[1]), client) << "before connect: no peer";
  ASSERT_EQ(of("connect").size(), 1u);
  EXPECT_EQ(fd_path(of("connect")[0]), client) << "as at the call's entry";
  std::string connected = fd_path(names[2]);
  ASSERT_TRUE(
      std::regex_match(connected, m, std::regex(R"(TCP:127\.0\.0\.1:(\d+)->127\.0\.0\.1:)" + port)))
      << connected;
  std::string client_port = m[1];
  auto accepts = of("accept");
  ASSERT_EQ(accepts.size(), 2u);
  EXPECT_EQ(fd_path(accepts[0]), listening);
  EXPECT_EQ(ret_path(accepts[0]), "TCP:127.0.0.1:" + port + "->127.0.0.1:" + client_port);
  auto writes = of("write");
  ASSERT_FALSE(writes.empty());
  EXPECT_EQ(fd_path(writes[0]), connected);
}

TEST_P(FdTruth, AProcessGoneBeforeItsEventsAreReadKeepsItsLabels) {
  auto sockets = of("socket", false), names = of("getsockname", false), writes = of("write", false);
  ASSERT_EQ(sockets.size(), 1u);
  ASSERT_EQ(names.size(), 2u);
  ASSERT_EQ(writes.size(), 1u);
  std::string made = ret_path(sockets[0]);
  EXPECT_TRUE(std::regex_match(made, std::regex(R"(TCP:\[\d+\])"))) << made;
  EXPECT_EQ(fd_path(names[0]), made);
  std::string after = fd_path(names[1]);
  EXPECT_TRUE(std::regex_match(after, std::regex(R"(TCP:127\.0\.0\.1:\d+->127\.0\.0\.1:\d+)")))
      << after;
  EXPECT_EQ(fd_path(writes[0]), after);
}

TEST_P(FdTruth, APathThroughASymlinkIsTheCanonicalOne) {
  auto opens = opens_of(dir_ + "/link/file.txt");
  ASSERT_EQ(opens.size(), 1u);
  char real[PATH_MAX];
  ASSERT_NE(realpath((dir_ + "/link/file.txt").c_str(), real), nullptr);
  ASSERT_NE(std::string(real), dir_ + "/link/file.txt");
  EXPECT_EQ(ret_path(opens[0]), real);
}

TEST_P(FdTruth, FilesWithoutAPathAreNamedAsTheKernelNamesThem) {
  auto stats = of("fstat");
  ASSERT_GE(stats.size(), 5u);
  stats.erase(stats.begin(), stats.end() - 5);  // the last five: pipe, eventfd, memfd, sockets
  EXPECT_TRUE(std::regex_match(fd_path(stats[0]), std::regex(R"(pipe:\[\d+\])"))) << stats[0];
  EXPECT_EQ(fd_path(stats[1]), "anon_inode:[eventfd]");
  EXPECT_EQ(fd_path(stats[2]), "/memfd:dtruss-memfd (deleted)");
  EXPECT_EQ(fd_path(stats[3]), "UNIX:" + dir_ + "/sock");
  EXPECT_EQ(ret_path(of("memfd_create").at(0)), "/memfd:dtruss-memfd (deleted)");
  auto binds = of("bind");
  ASSERT_EQ(binds.size(), 2u);
  EXPECT_TRUE(std::regex_match(fd_path(binds[1]), std::regex(R"(UNIX:\[\d+\])"))) << binds[1];
}

TEST_P(FdTruth, ADatagramSocketIsBoundByItsFirstSend) {
  auto sends = of("sendto"), stats = of("fstat");
  ASSERT_EQ(sends.size(), 1u);
  ASSERT_FALSE(stats.empty());
  std::string before = fd_path(sends[0]), after = fd_path(stats.back());
  EXPECT_TRUE(std::regex_match(before, std::regex(R"(UDP:\[\d+\])"))) << before;
  EXPECT_TRUE(std::regex_match(after, std::regex(R"(UDP:0\.0\.0\.0:[1-9]\d*)"))) << after;
}

TEST_P(FdTruth, AThreadWithItsOwnFdTableNamesItsOwnFds) {
  std::vector<json> thread_reads, main_reads;
  for (const json& c : calls_)
    if (c["syscall"] == "read" && c["pid"].get<int>() == pid_)
      (c["tid"] == c["pid"] ? main_reads : thread_reads).push_back(c);
  ASSERT_EQ(thread_reads.size(), 1u);
  ASSERT_FALSE(main_reads.empty());
  EXPECT_EQ(fd_path(thread_reads[0]), "/etc/hostname");
  EXPECT_EQ(fd_path(main_reads.back()), "/etc/passwd") << "the main thread's fd is another";
  EXPECT_EQ(main_reads.back()["args"]["fd"]["fd"], thread_reads[0]["args"]["fd"]["fd"]);
}

// A rename or an unlink changes what /proc/PID/fd shows for an open fd: each call shows it as it
// is then.
TEST_P(FdTruth, ANameChangedUnderAnOpenFdIsShownAsItIsNow) {
  char real[PATH_MAX];
  ASSERT_NE(realpath(dir_.c_str(), real), nullptr);
  std::string dir = real;
  std::map<std::string, std::string> written;  // what was written -> where
  for (const json& c : of("write"))
    if (c["args"]["buf"].is_string()) written[c["args"]["buf"]] = fd_path(c);
  EXPECT_EQ(written["r"], dir + "/final.txt");
  EXPECT_EQ(written["g"], dir + "/gone.txt (deleted)");
}

// A name is the traced program's to choose: in text, it is escaped as any string is.
TEST_P(FdTruth, NamesAreEscapedInText) {
  auto r = run_traced({backend(), "-y", "-t", "write", e2e::fixture("fd_truth"), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.trace.find('\033'), std::string::npos) << r.trace;
  bool seen = false;
  for (const auto& l : e2e::lines(r.trace))
    if (l.find("/new\\nline\\x1b[7m>, \"w\", 1)") != std::string::npos) seen = true;
  EXPECT_TRUE(seen) << r.trace;
}

// With -t, the calls that made the fds are not shown, but still name them.
TEST_P(FdTruth, CallsNotSelectedStillNameTheirFds) {
  auto r = run_traced(
      {backend(), "--json", "-y", "-t", "close,getsockname,fstat", e2e::fixture("fd_truth"), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  auto calls = syscalls(json_lines(r.trace));
  bool hostname_closed = false;
  std::vector<std::string> names, stats;
  for (const json& c : calls) {
    if (c["syscall"] == "close" && fd_path(c) == "/etc/hostname") hostname_closed = true;
    if (c["syscall"] == "getsockname") names.push_back(fd_path(c));
    if (c["syscall"] == "fstat") stats.push_back(fd_path(c));
  }
  EXPECT_TRUE(hostname_closed) << r.trace;
  ASSERT_EQ(names.size(), 3u) << r.trace;
  EXPECT_TRUE(std::regex_match(names[1], std::regex(R"(TCP:\[\d+\])"))) << names[1];
  EXPECT_TRUE(std::regex_match(names[2], std::regex(R"(TCP:127\.0\.0\.1:\d+->127\.0\.0\.1:\d+)")))
      << names[2];
  ASSERT_GE(stats.size(), 4u) << r.trace;
  EXPECT_EQ(stats[stats.size() - 3], "/memfd:dtruss-memfd (deleted)");
}

INSTANTIATE_BACKENDS(FdTruth);

// An fd that is not open at a call has no name there, whatever it names later: inout closes fds
// 3 to 9 (none open: EBADF), then makes pipes on 3 to 6. The eBPF backend read the names of the
// fds it had not seen made from /proc, when it printed the line: the pipes made after.
class FdNotOpen : public e2e::BackendTest {};

TEST_P(FdNotOpen, AClosedFdHasNoNameOfItsLaterMeaning) {
  auto r = run_traced({backend(), "--json", "-y", "-t", "close,pipe2", e2e::fixture("inout")});
  ASSERT_EQ(r.status, 0) << r.err;
  int refused = 0;
  for (const json& c : syscalls(json_lines(r.trace), "close")) {
    if (c["errno"] != "EBADF") continue;
    ++refused;
    EXPECT_TRUE(c["args"]["fd"].is_number()) << "a name for an fd not open: " << c.dump();
  }
  EXPECT_GE(refused, 4) << r.trace;
}

INSTANTIATE_BACKENDS(FdNotOpen);

// dtruss in a chroot (here: / bound, with its mounts, onto a directory, in a mount namespace of the
// test's own): a path is the one dtruss sees from its root, as /proc/PID/fd shows it and -s needs
// to open the mapped files. The eBPF side walked up to the root of everything, past dtruss's root.
class FdInAChroot : public e2e::BackendTest {};

TEST_P(FdInAChroot, PathsAreSeenFromDtrussRoot) {
  ASSERT_EQ(geteuid(), 0u) << "a chroot needs root";
  std::string root = e2e::temp_dir() + "/root";
  ASSERT_EQ(mkdir(root.c_str(), 0755), 0);
  std::string script = "mount --rbind / '" + root + "' && exec chroot '" + root + "' '" +
                       e2e::dtruss_bin() + "' --backend=" + GetParam() +
                       " --json -y -t openat /bin/cat /etc/hostname";
  auto r = e2e::run(
      {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script}, 60);
  ASSERT_EQ(r.status, 0) << r.err;
  int seen = 0;
  for (const json& c : syscalls(json_lines(r.err), "openat")) {
    if (c["args"]["filename"] != "/etc/hostname") continue;
    ++seen;
    EXPECT_EQ(c.value("ret_path", std::string("(none)")), "/etc/hostname") << c.dump();
  }
  EXPECT_EQ(seen, 1) << r.err;
}

INSTANTIATE_BACKENDS(FdInAChroot);

}  // namespace
}  // namespace e2e
