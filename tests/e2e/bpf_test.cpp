// The eBPF backend: the same fixtures as the ptrace backend, the same decoded events per thread;
// strace's syscall names; loss accounting. These tests need root and eBPF: where that is missing
// they fail with the reason, unless DTRUSS_TEST_ALLOW_NO_BPF=1 says they may be skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

#define REQUIRE_BPF()                                                                          \
  do {                                                                                         \
    std::string why;                                                                           \
    if (geteuid() != 0) why = "not root";                                                      \
    else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) why = "no kernel BTF";              \
    if (!why.empty()) {                                                                        \
      const char* allow = std::getenv("DTRUSS_TEST_ALLOW_NO_BPF");                             \
      if (allow != nullptr && std::string(allow) == "1") GTEST_SKIP() << "eBPF: " << why;      \
      FAIL() << "the eBPF tests need root and kernel BTF (" << why                              \
             << "); set DTRUSS_TEST_ALLOW_NO_BPF=1 to skip them";                              \
    }                                                                                          \
  } while (0)

// Per thread (in order of first appearance; thread ids renumbered 0, 1, ...), the decoded calls
// with everything that must not depend on the backend or the run: name, the arguments that are
// strings, flags or symbols, and the success or errno of the result.
using Calls = std::vector<std::vector<std::string>>;

std::string stable(const json& v) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s.rfind("0x", 0) == 0) return "<addr>";  // addresses differ from run to run (ASLR)
    return s;
  }
  if (v.is_object() && v.contains("count")) return "<env>";
  if (v.is_array() || v.is_object()) {
    std::string out = v.is_array() ? "[" : "{";
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (v.is_object()) out += it.key() + "=";
      out += stable(*it) + ",";
    }
    return out + (v.is_array() ? "]" : "}");
  }
  if (v.is_null()) return "null";
  return "#";  // numbers: pids, fds, sizes and addresses vary between runs
}

Calls calls_of(const std::string& trace) {
  Calls out;
  std::map<long, size_t> index;
  for (const auto& e : syscalls(json_lines(trace))) {
    long tid = e["tid"].get<long>();
    auto it = index.find(tid);
    if (it == index.end()) {
      it = index.emplace(tid, out.size()).first;
      out.emplace_back();
    }
    std::string name = e["syscall"].get<std::string>();
    // Whether a thread waits on a futex (pthread_join, a lock) depends on timing, and ptrace
    // slows the program much more than eBPF: futex calls are not compared.
    if (name == "futex") continue;
    std::string line = name + "(";
    // getrandom's bytes are random by design: only their presence is compared.
    for (auto a = e["args"].begin(); a != e["args"].end(); ++a)
      line += (name == "getrandom" && a->is_string() ? "<random>" : stable(*a)) + ",";
    line += ") = ";
    line += e["errno"].is_null() ? (e["ret"].is_null() ? "?" : "ok") : e["errno"].get<std::string>();
    out[it->second].push_back(line);
  }
  return out;
}

std::string show(const Calls& c) {
  std::string s;
  for (size_t t = 0; t < c.size(); ++t)
    for (const auto& l : c[t]) s += "thread " + std::to_string(t) + ": " + l + "\n";
  return s;
}

void expect_same_on_both(std::vector<std::string> args) {
  std::vector<std::string> p = {"--json", "--backend=ptrace"};
  std::vector<std::string> b = {"--json", "--backend=bpf"};
  p.insert(p.end(), args.begin(), args.end());
  b.insert(b.end(), args.begin(), args.end());
  auto rp = run_traced(p);
  auto rb = run_traced(b);
  EXPECT_EQ(rp.status, rb.status) << rb.err;
  Calls cp = calls_of(rp.trace), cb = calls_of(rb.trace);
  ASSERT_FALSE(cb.empty()) << rb.err;
  ASSERT_EQ(cp.size(), cb.size()) << "threads: ptrace " << cp.size() << ", eBPF " << cb.size();
  for (size_t t = 0; t < cp.size(); ++t) {
    size_t n = std::min(cp[t].size(), cb[t].size());
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(cp[t][i], cb[t][i]) << "thread " << t << ", call " << i << " of " << args.back();
    EXPECT_EQ(cp[t].size(), cb[t].size()) << "thread " << t << " of " << args.back() << ":\n"
                                          << show(cp) << "---\n" << show(cb);
  }
}

TEST(BpfBackend, FilesFixtureAgreesWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({fixture("files"), e2e::temp_dir()});
}
TEST(BpfBackend, ReadWriteAgreesWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({fixture("rw")});
}
TEST(BpfBackend, MmapAgreesWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({fixture("mmap")});
}
TEST(BpfBackend, ExecAgreesWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({fixture("execer")});
}
TEST(BpfBackend, Exit3AgreesWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({fixture("exit3")});
}
TEST(BpfBackend, ForkFollowedAgreesWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({"-f", fixture("forker")});
}
TEST(BpfBackend, ThreadsAgreeWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({fixture("threads")});
}
TEST(BpfBackend, SystemProgramsAgreeWithPtrace) {
  REQUIRE_BPF();
  expect_same_on_both({"cat", "/etc/hosts"});
  expect_same_on_both({"ls", "/"});
}

TEST(BpfBackend, ExitStatusesAndSignals) {
  REQUIRE_BPF();
  auto k = run_traced({"--json", "--backend=bpf", fixture("selfkill")});
  EXPECT_EQ(k.status, 137);
  bool killed = false;
  for (const auto& e : json_lines(k.trace))
    if (e["type"] == "exit" && e.value("signal", "") == "SIGKILL") killed = true;
  EXPECT_TRUE(killed) << k.trace;
  auto s = run_traced({"--json", "--backend=bpf", fixture("signals")});
  EXPECT_EQ(s.status, 0);
  bool usr1 = false;
  for (const auto& e : json_lines(s.trace))
    if (e["type"] == "signal" && e["signal"] == "SIGUSR1") usr1 = true;
  EXPECT_TRUE(usr1) << s.trace;
  auto x = run_traced({"--backend=bpf", fixture("exit3")});
  EXPECT_EQ(x.status, 3);
  EXPECT_NE(x.trace.find("+++ exited with 3 +++"), std::string::npos) << x.trace;
}

TEST(BpfBackend, FollowsAShellPipeline) {
  REQUIRE_BPF();
  auto r = run_traced({"--json", "--backend=bpf", "-f", "/bin/sh", "-c", "ls / | wc -l"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::set<std::string> execs;
  std::set<long> pids;
  for (const auto& e : syscalls(json_lines(r.trace))) {
    pids.insert(e["pid"].get<long>());
    if (e["syscall"] == "execve") {
      ASSERT_TRUE(e["args"]["filename"].is_string()) << e.dump();
      execs.insert(e["args"]["filename"].get<std::string>());
    }
  }
  EXPECT_GE(pids.size(), 3u);
  EXPECT_TRUE(execs.count("/usr/bin/ls") || execs.count("/bin/ls")) << r.trace;
  EXPECT_TRUE(execs.count("/usr/bin/wc") || execs.count("/bin/wc")) << r.trace;
}

TEST(BpfBackend, TinyBufferLosesEventsAndSaysHowMany) {
  REQUIRE_BPF();
  // 4 KiB of ring buffer cannot hold a burst of 20000 calls: loss must be counted, and the
  // records seen plus those lost must add up to what happened: 20000 getppid, the execve and the
  // end of the process.
  auto r = run_traced({"--json", "--backend=bpf", "-t", "getppid,execve", "-b", "4K",
                       fixture("getppid_burst"), "20000"});
  ASSERT_EQ(r.status, 0) << r.err;
  uint64_t getppid = 0, other = 0, lost = 0;
  for (const auto& e : json_lines(r.trace)) {
    if (e["type"] == "syscall" && e["syscall"] == "getppid") ++getppid;
    else if (e["type"] == "syscall" || e["type"] == "exit") ++other;
    if (e["type"] == "lost") lost += e["count"].get<uint64_t>();
  }
  EXPECT_GT(lost, 0u) << "a 4 KiB buffer should overflow";
  EXPECT_LE(other, 2u);
  EXPECT_EQ(getppid + other + lost, 20002u) << "getppid " << getppid << " other " << other
                                            << " lost " << lost;
}

TEST(BpfBackend, DefaultBufferLosesNothing) {
  REQUIRE_BPF();
  auto r = run_traced({"--json", "--backend=bpf", "-t", "getppid", fixture("getppid_burst"),
                       "20000"});
  ASSERT_EQ(r.status, 0) << r.err;
  uint64_t seen = 0;
  for (const auto& e : json_lines(r.trace)) {
    EXPECT_NE(e["type"], "lost");
    if (e["type"] == "syscall" && e["syscall"] == "getppid") ++seen;
  }
  EXPECT_EQ(seen, 20000u);
}

}  // namespace
