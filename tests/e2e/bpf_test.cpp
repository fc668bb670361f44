// The eBPF backend: the same fixtures as the ptrace backend, the same decoded events per thread;
// strace's syscall names; loss accounting. These tests need root and eBPF: where that is missing
// they fail with the reason, unless DTRUSS_TEST_ALLOW_NO_BPF=1 says they may be skipped.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

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
    line +=
        e["errno"].is_null() ? (e["ret"].is_null() ? "?" : "ok") : e["errno"].get<std::string>();
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
                                          << show(cp) << "---\n"
                                          << show(cb);
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
TEST(BpfBackend, SelfKillAgreesWithPtrace) {  // kill(getpid(), SIGKILL) never returns
  REQUIRE_BPF();
  expect_same_on_both({fixture("selfkill")});
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
  expect_same_on_both({"cat", "/etc/passwd"});
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
    if (e["type"] == "syscall" && e["syscall"] == "getppid")
      ++getppid;
    else if (e["type"] == "syscall" || e["type"] == "exit")
      ++other;
    if (e["type"] == "lost") lost += e["count"].get<uint64_t>();
  }
  EXPECT_GT(lost, 0u) << "a 4 KiB buffer should overflow";
  EXPECT_LE(other, 2u);
  EXPECT_EQ(getppid + other + lost, 20002u)
      << "getppid " << getppid << " other " << other << " lost " << lost;
}

TEST(BpfBackend, DefaultBufferLosesNothing) {
  REQUIRE_BPF();
  auto r =
      run_traced({"--json", "--backend=bpf", "-t", "getppid", fixture("getppid_burst"), "20000"});
  ASSERT_EQ(r.status, 0) << r.err;
  uint64_t seen = 0;
  for (const auto& e : json_lines(r.trace)) {
    EXPECT_NE(e["type"], "lost");
    if (e["type"] == "syscall" && e["syscall"] == "getppid") ++seen;
  }
  EXPECT_EQ(seen, 20000u);
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// dtruss in the background, its trace in a file; stop() sends SIGINT and waits.
// A failed test leaves nothing behind (ChildGuard).
struct Background : e2e::ChildGuard {
  std::string trace_file;
  explicit Background(const std::vector<std::string>& args) {
    trace_file = e2e::temp_dir() + "/trace";
    std::vector<std::string> argv{e2e::dtruss_bin(), "--output", trace_file};
    argv.insert(argv.end(), args.begin(), args.end());
    pid = e2e::spawn(argv, "/dev/null", "");
  }
  // Waits until dtruss has written `text` to its trace (it is attached and filtering); up to 20 s.
  bool wait_for(const std::string& text) { return e2e::wait_for_text(trace_file, text, 20000); }
  // Waits for dtruss to end by itself (up to `seconds`); false if it did not.
  bool wait_end(double seconds, int* status) {
    const int st = e2e::wait_for(pid, static_cast<int>(seconds * 1000));
    if (st == -1) return false;
    *status = st;
    pid = -1;
    return true;
  }
  int stop() {
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return e2e::exit_code(status);
  }
  std::string trace() const { return e2e::read_file(trace_file); }
};

// A copy of the sleeper fixture (or another) under a name no other process has.
std::string uniquely_named_sleeper(const std::string& fixture_name = "sleeper") {
  std::string path = e2e::temp_dir() + "/dtw" + std::to_string(getpid() % 100000);
  std::filesystem::copy_file(fixture(fixture_name), path);
  chmod(path.c_str(), 0755);
  return path;
}

int run_to_end(const std::string& path, const char* seconds) {
  pid_t p = fork();
  if (p == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    execl(path.c_str(), path.c_str(), seconds, (char*)nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(p, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

size_t calls_by(const std::string& trace, const std::string& comm, const std::string& name) {
  size_t n = 0;
  for (const auto& e : syscalls(json_lines(trace), name))
    if (e["comm"] == comm) ++n;
  return n;
}

TEST(BpfBackend, WaitForNameTracesTheNextProcessAndEnds) {
  REQUIRE_BPF();
  std::string prog = uniquely_named_sleeper();
  std::string comm = prog.substr(prog.rfind('/') + 1);
  Background bg({"--backend=bpf", "--json", "-W", comm});
  ASSERT_TRUE(bg.wait_for("waiting for a process named")) << bg.trace();
  ASSERT_EQ(run_to_end(prog, "0.5"), 0);
  int status = 0;
  ASSERT_TRUE(bg.wait_end(10, &status)) << "-W must end when the awaited process ends:\n"
                                        << bg.trace();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::string t = bg.trace();
  EXPECT_GE(calls_by(t, comm, "getppid"), 3u) << t;
  EXPECT_EQ(calls_by(t, comm, "exit_group"), 1u) << t;
}

TEST(BpfBackend, ByNameSeesAProcessStartedLater) {
  REQUIRE_BPF();
  std::string prog = uniquely_named_sleeper();
  std::string comm = prog.substr(prog.rfind('/') + 1);
  Background bg({"--backend=bpf", "--json", "-n", comm.substr(0, comm.size() - 1)});  // a prefix
  ASSERT_TRUE(bg.wait_for("tracing processes named")) << bg.trace();
  ASSERT_EQ(run_to_end(prog, "0.4"), 0);
  EXPECT_EQ(bg.stop(), 0);
  std::string t = bg.trace();
  EXPECT_GE(calls_by(t, comm, "getppid"), 2u) << t;
}

TEST(BpfBackend, AllSeesAProcessItWasNotToldAbout) {
  REQUIRE_BPF();
  std::string prog = uniquely_named_sleeper();
  std::string comm = prog.substr(prog.rfind('/') + 1);
  Background bg({"--backend=bpf", "--json", "--all", "-t", "getppid"});
  const long self = bg.pid;
  ASSERT_TRUE(bg.wait_for("tracing every process")) << bg.trace();
  ASSERT_EQ(run_to_end(prog, "0.4"), 0);
  EXPECT_EQ(bg.stop(), 0);
  std::string t = bg.trace();
  EXPECT_GE(calls_by(t, comm, "getppid"), 2u);
  // dtruss never traces itself. (Other dtruss processes, of tests that run at the same time, are
  // traced like any other: under ASan their runtime calls getppid.)
  for (const auto& e : syscalls(json_lines(t))) EXPECT_NE(e["pid"], self) << e.dump();
}

// `copies` running copies of a uniquely named sleeper (3 s); their PIDs, once all run under that
// name.
std::vector<pid_t> start_sleepers(const std::string& prog, const std::string& comm, int copies) {
  std::vector<pid_t> pids;
  for (int i = 0; i < copies; ++i) {
    pid_t p = fork();
    if (p == 0) {
      int null = open("/dev/null", O_RDWR);
      dup2(null, 1);
      execl(prog.c_str(), prog.c_str(), "3", (char*)nullptr);
      _exit(127);
    }
    pids.push_back(p);
  }
  for (pid_t p : pids)
    for (int i = 0;
         i < 500 && e2e::read_file("/proc/" + std::to_string(p) + "/comm") != comm + "\n"; ++i)
      usleep(10000);
  return pids;
}

// The text lines of `trace` that show a call to `name`: each must carry the "PID/TID (comm):"
// prefix (the name by default with -n and --all); returns the PIDs seen.
std::set<long> prefixed_pids(const std::string& trace, const std::string& name) {
  std::set<long> pids;
  // (any program's name, parentheses in it too; with --all, a container's label after it, for
  // the processes in one that run meanwhile)
  std::regex prefixed("^ *(\\d+)/(\\d+) \\(.*\\)( \\[[^\\]]*\\])?: " + name + "\\(");
  for (const auto& line : e2e::lines(trace)) {
    if (line.find(name + "(") == std::string::npos) continue;
    std::smatch m;
    if (std::regex_search(line, m, prefixed))
      pids.insert(std::stol(m[1]));
    else
      ADD_FAILURE() << "a line without its PID/TID prefix: " << line;
  }
  return pids;
}

// -n NAME may match several processes (with eBPF, also ones that start later): as with -f, every
// line says whose it is, on both backends, however many match (it did not with eBPF, nor with
// ptrace for one).
void by_name_lines_carry_the_pid(const std::string& backend, int copies) {
  std::string prog = uniquely_named_sleeper();
  std::string comm = prog.substr(prog.rfind('/') + 1);
  std::vector<pid_t> sleepers = start_sleepers(prog, comm, copies);
  Background bg({"--backend=" + backend, "-n", comm});
  for (int i = 0; i < 1000; ++i) {  // until both have called getppid under the trace (10 s)
    std::string t = bg.trace();
    size_t n = 0;
    for (size_t at = t.find("getppid("); at != std::string::npos; at = t.find("getppid(", at + 1))
      ++n;
    if (n >= 6) break;
    usleep(10000);
  }
  EXPECT_EQ(bg.stop(), 0);
  for (pid_t p : sleepers) {
    kill(p, SIGKILL);
    waitpid(p, nullptr, 0);
  }
  std::string t = bg.trace();
  std::set<long> want(sleepers.begin(), sleepers.end());
  EXPECT_EQ(prefixed_pids(t, "getppid"), want) << t;
}

TEST(BpfBackend, ByNameLinesCarryThePid) {
  REQUIRE_BPF();
  by_name_lines_carry_the_pid("bpf", 2);
  by_name_lines_carry_the_pid("bpf", 1);
}

TEST(PtraceBackend, ByNameLinesCarryThePid) {
  by_name_lines_carry_the_pid("ptrace", 2);
  by_name_lines_carry_the_pid("ptrace", 1);
}

// --all traces every process: every line says whose it is (it did not).
TEST(BpfBackend, AllLinesCarryThePid) {
  REQUIRE_BPF();
  std::string prog = uniquely_named_sleeper();
  Background bg({"--backend=bpf", "--all", "-t", "getppid"});
  ASSERT_TRUE(bg.wait_for("tracing every process")) << bg.trace();
  ASSERT_EQ(run_to_end(prog, "0.3"), 0);
  EXPECT_EQ(bg.stop(), 0);
  std::string t = bg.trace();
  EXPECT_FALSE(prefixed_pids(t, "getppid").empty()) << t;
}

TEST(PtraceBackend, ByNameAttachesToRunningProcesses) {
  // napper runs until SIGUSR1: still running when dtruss attaches and detaches.
  std::string prog = uniquely_named_sleeper("napper");
  std::string comm = prog.substr(prog.rfind('/') + 1);
  pid_t p = fork();
  if (p == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    execl(prog.c_str(), prog.c_str(), (char*)nullptr);
    _exit(127);
  }
  e2e::ChildGuard guard{p};
  // Until it has its name (exec'd) and is in its loop.
  ASSERT_TRUE(e2e::wait_asleep_in(p, {SYS_nanosleep, SYS_clock_nanosleep}));
  Background bg({"--json", "--backend=ptrace", "-n", comm});
  ASSERT_TRUE(bg.wait_for("attached to process")) << bg.trace();
  ASSERT_TRUE(e2e::wait_until([&] {
    size_t n = 0;
    for (const auto& e : e2e::json_lines_so_far(bg.trace_file))
      n += e.value("syscall", "") == "getppid" && e.value("comm", "") == comm;
    return n >= 2;
  })) << bg.trace();
  EXPECT_EQ(bg.stop(), 0);
  ASSERT_EQ(kill(p, SIGUSR1), 0);
  int status = e2e::wait_for(p, 20000);
  ASSERT_NE(status, -1) << "the process did not end after SIGUSR1";
  guard.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the process runs on after";
  EXPECT_GE(calls_by(bg.trace(), comm, "getppid"), 2u) << bg.trace();
}

TEST(PtraceBackend, ByNameWithNoSuchProcessIsAnError) {
  auto r = e2e::run_dtruss({"--backend=ptrace", "-n", "no-such-proc-xyz"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no process named 'no-such-proc-xyz'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace e2e
