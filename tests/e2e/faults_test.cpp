// The fault matrix: every way a traced program can end, stop, multiply or misbehave, and every
// way dtruss itself can be interrupted or fail, on both backends (ptrace and eBPF). Each test
// checks what dtruss printed and how it ended, and that no process is left stopped or traced.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

// What dtruss may say on standard error when a signal ends a trace written to a file: only its
// closing line ("traced N calls in M processes; detached"), no error.
bool only_closing_line(const std::string& err) {
  static const std::regex line(
      "dtruss: traced \\d+ calls? in \\d+ process(es)?; (detached|stopped)\n");
  return std::regex_match(err, line);
}

using nlohmann::json;

// A process we started (fork + exec) and that is killed and reaped if a test leaves it behind.
// Standard input is /dev/null, or the read end of a pipe (`with_stdin_pipe`) whose write end is
// `stdin_w`; standard output and error go to files.
struct Child : e2e::ChildGuard {
  int stdin_w = -1;
  Child() = default;
  Child(const std::vector<std::string>& argv, const std::string& out_file,
        const std::string& err_file, bool with_stdin_pipe = false) {
    int in[2] = {-1, -1};
    if (with_stdin_pipe && pipe2(in, O_CLOEXEC) != 0) return;
    pid = e2e::spawn(argv, out_file, err_file, in[0]);
    if (with_stdin_pipe) {
      close(in[0]);
      stdin_w = in[1];
    }
  }
  ~Child() {  // then ChildGuard kills and reaps it
    if (stdin_w >= 0) close(stdin_w);
  }
  // Waits for the end; the wait status, or -1 after `timeout_ms`.
  int wait(int timeout_ms) {
    int st = wait_for(pid, timeout_ms);
    if (st != -1) pid = -1;
    return st;
  }
};

// ---------------------------------------------------------------------------------------------
// The backends

class Faults : public e2e::BackendTest {
 protected:
  // A string argument: with ptrace, the string. The eBPF programs cannot fault pages in: a string
  // in a page the process never touched (a literal used only by execve, in a vfork child or
  // another thread) is shown as its address, as any unreadable pointer is.
  void expect_string_or_unpaged(const json& v, const std::string& s) const {
    if (bpf() && v.is_string() && v.get<std::string>().rfind("0x", 0) == 0) return;
    EXPECT_EQ(v, s);
  }
  bool bpf() const { return GetParam() == "bpf"; }
  // dtruss's argv: the binary, the backend, then `args`.
  std::vector<std::string> dtruss(std::vector<std::string> args) const {
    args.insert(args.begin(), backend());
    args.insert(args.begin(), e2e::dtruss_bin());
    return args;
  }
  e2e::Result traced(std::vector<std::string> args, int timeout_s = 60) const {
    args.insert(args.begin(), backend());
    return run_traced(args, timeout_s);
  }
};

INSTANTIATE_BACKENDS(Faults);

// ---------------------------------------------------------------------------------------------
// How the tracee ends

struct Ending {
  const char* fixture;
  int status;          // dtruss's exit status: the command's
  const char* signal;  // the signal that killed it, or nullptr for an exit with `status`
  const char* text;    // the text trace's last line
};

constexpr Ending kEndings[] = {
    {"rw", 0, nullptr, "+++ exited with 0 +++"},
    {"exit3", 3, nullptr, "+++ exited with 3 +++"},
    {"selfkill", 128 + SIGKILL, "SIGKILL", "+++ killed by SIGKILL +++"},
    {"selfsegv", 128 + SIGSEGV, "SIGSEGV", "+++ killed by SIGSEGV"},
};

TEST_P(Faults, EveryWayToEnd) {
  for (const auto& e : kEndings) {
    SCOPED_TRACE(e.fixture);
    auto j = traced({"--json", fixture(e.fixture)});
    EXPECT_EQ(j.status, e.status) << j.err;
    auto ev = json_lines(j.trace);
    auto exits = of_type(ev, "exit");
    ASSERT_EQ(exits.size(), 1u) << j.trace;
    if (e.signal != nullptr) {
      EXPECT_EQ(exits[0].value("signal", ""), e.signal) << exits[0].dump();
    } else {
      EXPECT_EQ(exits[0]["status"], e.status) << exits[0].dump();
    }
    if (std::string(e.fixture) == "selfsegv") {
      // The fault is shown as a signal, with its address, before the end.
      auto sigs = of_type(ev, "signal");
      ASSERT_EQ(sigs.size(), 1u) << j.trace;
      EXPECT_EQ(sigs[0]["signal"], "SIGSEGV") << sigs[0].dump();
    }
    auto t = traced({fixture(e.fixture)});
    EXPECT_EQ(t.status, e.status);
    auto ls = e2e::lines(t.trace);
    ASSERT_FALSE(ls.empty());
    EXPECT_EQ(ls.back().rfind(e.text, 0), 0u) << t.trace;
    if (std::string(e.fixture) == "selfsegv") {
      EXPECT_TRUE(contains(t.trace, "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR"))
          << t.trace;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Many processes, many threads

TEST_P(Faults, TwoHundredChildrenAllFollowed) {
  constexpr int kChildren = 200;
  auto r = traced({"--json", "-f", fixture("forkmany"), std::to_string(kChildren)}, 120);
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  long parent = -1;
  for (const auto& e : syscalls(ev, "execve")) parent = e["pid"].get<long>();
  ASSERT_GT(parent, 0) << r.trace.substr(0, 2000);
  std::map<long, int> getppid_by_pid;
  for (const auto& e : syscalls(ev, "getppid")) {
    ++getppid_by_pid[e["pid"].get<long>()];
    EXPECT_EQ(e["ret"], parent) << e.dump();
  }
  EXPECT_EQ(getppid_by_pid.size(), static_cast<size_t>(kChildren));
  for (const auto& [pid, n] : getppid_by_pid) EXPECT_EQ(n, 1) << "child " << pid;
  // Every child's end, with its status i % 100: each status 0..99 twice; and the parent's 0.
  std::map<int, int> statuses;
  int parent_exits = 0;
  for (const auto& e : of_type(ev, "exit")) {
    if (e["pid"] == parent) {
      ++parent_exits;
      EXPECT_EQ(e["status"], 0);
      continue;
    }
    EXPECT_EQ(getppid_by_pid.count(e["pid"].get<long>()), 1u) << e.dump();
    ++statuses[e["status"].get<int>()];
  }
  EXPECT_EQ(parent_exits, 1);
  ASSERT_EQ(statuses.size(), 100u);
  for (const auto& [status, n] : statuses) EXPECT_EQ(n, 2) << "exit status " << status;
  // The parent's forks: one per child, each returning a child's pid. (A fork interrupted by a
  // SIGCHLD fails with ERESTARTNOINTR and is restarted by the kernel: that is shown as it is.)
  size_t forks = 0;
  for (const auto& e : syscalls(ev))
    if (e["pid"] == parent &&
        (e["syscall"] == "clone" || e["syscall"] == "fork" || e["syscall"] == "clone3")) {
      if (e["errno"] == "ERESTARTNOINTR") continue;
      ++forks;
      EXPECT_EQ(getppid_by_pid.count(e["ret"].get<long>()), 1u) << e.dump();
    }
  EXPECT_EQ(forks, static_cast<size_t>(kChildren));
}

TEST_P(Faults, SixteenThreadSyscallStormEveryCallSeen) {
  constexpr int kThreads = 16, kCalls = 2000;
  auto r = traced({"--json", "-t", "getppid", fixture("storm"), std::to_string(kThreads),
                   std::to_string(kCalls)},
                  120);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(kThreads * kCalls) + "\n");
  auto ev = json_lines(r.trace);
  EXPECT_TRUE(of_type(ev, "lost").empty()) << "the default buffer must hold this storm";
  std::map<long, int> per_tid;
  long pid = -1;
  for (const auto& e : syscalls(ev, "getppid")) {
    ++per_tid[e["tid"].get<long>()];
    pid = e["pid"].get<long>();
  }
  EXPECT_EQ(per_tid.size(), static_cast<size_t>(kThreads));
  EXPECT_EQ(per_tid.count(pid), 0u) << "the calls are the workers', not main's";
  for (const auto& [tid, n] : per_tid) EXPECT_EQ(n, kCalls) << "thread " << tid;
}

TEST_P(Faults, ExecveFromANonLeaderThread) {
  auto r = traced({"--json", "-f", fixture("thread_exec")});
  ASSERT_EQ(r.status, 5) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto execs = syscalls(ev, "execve");
  ASSERT_EQ(execs.size(), 2u) << "the command's own execve, then the thread's";
  long pid = execs[0]["pid"].get<long>();
  const json& x = execs[1];
  // The exec'ing thread takes over the leader's id when the exec succeeds: like strace, dtruss
  // reports the finished call under the pid (the thread id the caller has from then on).
  EXPECT_EQ(x["pid"], pid);
  EXPECT_EQ(x["tid"], pid);
  EXPECT_EQ(x["ret"], 0);
  expect_string_or_unpaged(x["args"]["argv"][1], "after");
  expect_string_or_unpaged(x["args"]["filename"], "/proc/self/exe");
  // The second thread's own calls (before the exec) are its own.
  std::set<long> tids;
  for (const auto& e : syscalls(ev)) tids.insert(e["tid"].get<long>());
  EXPECT_EQ(tids.size(), 2u);
  if (!bpf()) {
    // The leader was in pause() when the exec replaced it: the call never returned.
    bool paused = false;
    for (const auto& e : syscalls(ev, "pause"))
      if (e["tid"] == pid && e["ret"].is_null()) paused = true;
    EXPECT_TRUE(paused) << "pause() of the leader, unfinished";
  }
  EXPECT_EQ(r.out, "after " + std::to_string(pid) + "\n");
  // The new image runs as the process's leader: its calls have tid == pid.
  bool wrote = false;
  for (const auto& e : syscalls(ev, "write"))
    if (e["pid"] == pid && e["tid"] == pid && e["ret"] == static_cast<long>(r.out.size()))
      wrote = true;
  EXPECT_TRUE(wrote);
  auto exits = of_type(ev, "exit");
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0]["pid"], pid);
  EXPECT_EQ(exits[0]["status"], 5);
}

TEST_P(Faults, VforkChildrenFollowed) {
  auto r = traced({"--json", "-f", fixture("vforker")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto execs = syscalls(ev, "execve");
  ASSERT_EQ(execs.size(), 2u);
  long parent = execs[0]["pid"].get<long>();
  expect_string_or_unpaged(execs[1]["args"]["filename"], "/bin/true");
  EXPECT_EQ(execs[1]["ret"], 0);
  std::set<long> children;
  for (const auto& e : syscalls(ev, "vfork")) {
    EXPECT_EQ(e["pid"], parent);
    children.insert(e["ret"].get<long>());
  }
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children.count(execs[1]["pid"].get<long>()), 1u);
  std::map<long, int> status;
  for (const auto& e : of_type(ev, "exit")) status[e["pid"].get<long>()] = e["status"].get<int>();
  EXPECT_EQ(status.size(), 3u);
  EXPECT_EQ(status[parent], 0);
  std::multiset<int> child_status;
  for (long c : children) child_status.insert(status.count(c) ? status[c] : -1);
  EXPECT_EQ(child_status, (std::multiset<int>{0, 9}));
}

// ---------------------------------------------------------------------------------------------
// Stopped and continued

TEST_P(Faults, StoppedAndContinued) {
  auto r = traced({"--json", "-f", fixture("stopcont")}, 20);
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long parent = syscalls(ev, "execve").at(0)["pid"].get<long>();
  bool stopped = false, continued = false, sigstop = false;
  for (const auto& e : ev) {
    if (e["type"] == "stop" && e["pid"] == parent && e["signal"] == "SIGSTOP") stopped = true;
    if (e["type"] == "signal" && e["pid"] == parent && e["signal"] == "SIGCONT") continued = true;
    if (e["type"] == "signal" && e["pid"] == parent && e["signal"] == "SIGSTOP") sigstop = true;
  }
  EXPECT_TRUE(sigstop) << "SIGSTOP delivered to the parent";
  EXPECT_TRUE(stopped) << "a stop event of the parent";
  EXPECT_TRUE(continued) << "SIGCONT delivered to the parent";
  EXPECT_EQ(of_type(ev, "exit").size(), 2u);
}

TEST_P(Faults, JobControlInAShell) {
  std::string dir = temp_dir();
  // napper runs until SIGUSR1; the shell waits (a bounded number of times) for it to be ready,
  // then to be stopped, instead of sleeping for a time.
  std::string script = "'" + fixture("napper") + "' > '" + dir +
                       "/out' & p=$!; "
                       "i=0; until grep -qs ready '" +
                       dir +
                       "/out' || [ $i -ge 1000 ]; do sleep 0.01; i=$((i+1)); done; "
                       "kill -STOP $p; "
                       "i=0; until grep -q '^State:.[Tt]' /proc/$p/status || [ $i -ge 1000 ]; "
                       "do sleep 0.01; i=$((i+1)); done; "
                       "grep -q '^State:.[Tt]' /proc/$p/status && echo was-stopped; "
                       "kill -CONT $p; kill -USR1 $p; wait $p; echo status=$?";
  auto r = e2e::run(dtruss({"--output", dir + "/trace", "-f", "/bin/sh", "-c", script}), 60);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "was-stopped\nstatus=0\n");
  EXPECT_EQ(read_file(dir + "/out"), "ready\ndone\n");
  std::string trace = read_file(dir + "/trace");
  EXPECT_TRUE(contains(trace, "--- SIGSTOP {si_signo=SIGSTOP, si_code=SI_USER")) << trace;
  EXPECT_TRUE(contains(trace, "--- stopped by SIGSTOP ---")) << trace;
  EXPECT_TRUE(contains(trace, "--- SIGCONT {si_signo=SIGCONT, si_code=SI_USER")) << trace;
}

// ---------------------------------------------------------------------------------------------
// Attached, then detached (-p)

// The tracee's state before attaching; compared after the detach.
struct Snapshot {
  char state;
  std::string sigpnd, shdpnd, blocked;
  explicit Snapshot(pid_t pid)
      : state(proc_state(pid)),
        sigpnd(proc_status(pid, "SigPnd")),
        shdpnd(proc_status(pid, "ShdPnd")),
        blocked(proc_status(pid, "SigBlk")) {}
};

// The process after a detach. ptrace's attach interrupted its read, which the kernel restarts
// once the process runs again, so for a moment after the detach it may be running ('R'); it is
// sampled once it is back asleep in the read, or after 20 s (and then the test sees the state).
Snapshot after_detach(pid_t pid) {
  e2e::wait_asleep_in(pid, {SYS_read});
  return Snapshot(pid);
}

// The longread `reader` (its output in DIR/reader.out), left blocked in its read by a tracer that
// went away, reads the bytes written now and ends normally.
void expect_read_completes(Child& reader, const std::string& dir) {
  ASSERT_EQ(write(reader.stdin_w, "hello", 5), 5);
  int rs = reader.wait(5000);
  ASSERT_NE(rs, -1) << "the read did not complete (state " << proc_state(reader.pid) << ")";
  EXPECT_EQ(exit_code(rs), 0);
  EXPECT_EQ(read_file(dir + "/reader.out"), "ready\ngot 5: hello\n")
      << "the read completed normally, with the bytes written after the detach";
}

// Waits until dtruss -p PID --json (trace in dir/trace) says it traces PID ("attached to
// process PID" with ptrace, "tracing process PID" with eBPF).
void attach(Child& tracer, pid_t pid, const std::string& dir) {
  std::string trace = dir + "/trace";
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_for_text(trace, "process " + std::to_string(pid)))
      << read_file(trace) << read_file(dir + "/dtruss.err");
}

TEST_P(Faults, DetachLeavesALongReadToComplete) {
  std::string dir = temp_dir();
  Child reader({fixture("longread")}, dir + "/reader.out", dir + "/reader.err", true);
  ASSERT_GT(reader.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/reader.out", "ready\n"));
  ASSERT_TRUE(e2e::wait_asleep_in(reader.pid, {SYS_read})) << "into its read";
  Snapshot before(reader.pid);
  EXPECT_EQ(before.state, 'S');
  Child tracer(dtruss({"--json", "--output", dir + "/trace", "-p", std::to_string(reader.pid)}),
               dir + "/dtruss.out", dir + "/dtruss.err");
  attach(tracer, reader.pid, dir);
  // Traced, and back asleep in its read (ptrace's attach interrupted it; dtruss resumed it).
  ASSERT_TRUE(e2e::wait_until([&] {
    return (bpf() || proc_status(reader.pid, "TracerPid") == std::to_string(tracer.pid)) &&
           proc_state(reader.pid) == 'S' && e2e::proc_syscall(reader.pid) == SYS_read;
  })) << "state "
      << proc_state(reader.pid) << ", TracerPid " << proc_status(reader.pid, "TracerPid");
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = tracer.wait(10000);
  ASSERT_NE(st, -1) << "dtruss did not end after SIGINT";
  EXPECT_EQ(exit_code(st), 0) << read_file(dir + "/dtruss.err");
  EXPECT_TRUE(only_closing_line(read_file(dir + "/dtruss.err"))) << read_file(dir + "/dtruss.err");
  Snapshot after = after_detach(reader.pid);
  EXPECT_EQ(after.state, 'S') << "still blocked in its read";
  EXPECT_EQ(after.sigpnd, before.sigpnd);
  EXPECT_EQ(after.shdpnd, before.shdpnd);
  EXPECT_EQ(after.blocked, before.blocked);
  EXPECT_EQ(proc_status(reader.pid, "TracerPid"), "0");
  ASSERT_NO_FATAL_FAILURE(expect_read_completes(reader, dir));
}

// SIGINT, SIGTERM or SIGHUP to dtruss -p: it detaches; the process (blocked in a read, which
// ends only when the test writes) runs on, unchanged, and its read completes normally.
TEST_P(Faults, StopSignalsDetachFromAttachedProcess) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    SCOPED_TRACE(strsignal(sig));
    std::string dir = temp_dir();
    Child reader({fixture("longread")}, dir + "/reader.out", dir + "/reader.err", true);
    ASSERT_GT(reader.pid, 0);
    ASSERT_TRUE(wait_for_text(dir + "/reader.out", "ready\n"));
    ASSERT_TRUE(e2e::wait_asleep_in(reader.pid, {SYS_read})) << "into its read";
    Snapshot before(reader.pid);
    Child tracer(dtruss({"--json", "--output", dir + "/trace", "-p", std::to_string(reader.pid)}),
                 dir + "/dtruss.out", dir + "/dtruss.err");
    attach(tracer, reader.pid, dir);
    ASSERT_EQ(kill(tracer.pid, sig), 0);
    int st = tracer.wait(10000);
    ASSERT_NE(st, -1) << "dtruss did not end";
    EXPECT_EQ(exit_code(st), 0) << read_file(dir + "/dtruss.err");
    EXPECT_TRUE(only_closing_line(read_file(dir + "/dtruss.err")))
        << read_file(dir + "/dtruss.err");
    Snapshot after = after_detach(reader.pid);
    EXPECT_EQ(after.state, 'S');
    EXPECT_EQ(after.sigpnd, before.sigpnd);
    EXPECT_EQ(after.shdpnd, before.shdpnd);
    EXPECT_EQ(after.blocked, before.blocked);
    EXPECT_EQ(proc_status(reader.pid, "TracerPid"), "0");
    std::string trace = read_file(dir + "/trace");
    if (!bpf()) {
      EXPECT_TRUE(contains(trace, "detached from 1 process")) << trace;
    }
    ASSERT_NO_FATAL_FAILURE(expect_read_completes(reader, dir));
  }
}

// ptrace with -t: the command runs under a seccomp filter (SECCOMP_RET_TRACE) that its children
// inherit; a filtered call of a process that no tracer holds fails with ENOSYS. So children are
// traced even without -f (silently), and the command never outlives dtruss broken.
TEST(PtraceFaults, FilteredCommandsChildrenWorkWithoutDashF) {
  std::string dir = temp_dir();
  std::string script = "cat /etc/hostname > '" + dir + "/copy'; echo status=$?";
  auto r =
      run_traced({"--backend=ptrace", "--json", "-t", "openat,getppid", "/bin/sh", "-c", script});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "status=0\n");
  EXPECT_EQ(read_file(dir + "/copy"), read_file("/etc/hostname"));
  auto ev = json_lines(r.trace);
  std::set<long> pids;
  for (const auto& e : ev)
    if (e.contains("pid")) pids.insert(e["pid"].get<long>());
  EXPECT_EQ(pids.size(), 1u) << "only the shell is shown without -f\n" << dump(ev);
}

TEST(PtraceFaults, FilteredCommandEndsWithAKilledDtruss) {
  std::string dir = temp_dir();
  // The shell reads a line (from the test) before it copies: it is blocked in that read when
  // dtruss is killed, however slow the machine.
  std::string script =
      "echo $$ > '" + dir + "/pid'; read x; cat /etc/hostname > '" + dir + "/copy' 2>&1";
  Child tracer({e2e::dtruss_bin(), "--backend=ptrace", "--json", "--output", dir + "/trace", "-f",
                "-t", "openat,getppid", "/bin/sh", "-c", script},
               dir + "/cmd.out", dir + "/dtruss.err", true);
  pid_t pid = 0;
  ASSERT_TRUE(e2e::wait_until([&] {
    pid = static_cast<pid_t>(std::atol(read_file(dir + "/pid").c_str()));
    return pid > 0 && proc_state(pid) == 'S' && e2e::proc_syscall(pid) == SYS_read;
  })) << "the shell did not get to its read: "
      << read_file(dir + "/trace");
  ASSERT_EQ(kill(tracer.pid, SIGKILL), 0);
  ASSERT_NE(tracer.wait(5000), -1);
  EXPECT_TRUE(e2e::wait_until([&] { return kill(pid, 0) != 0 || proc_state(pid) == 'Z'; }))
      << "the command was not ended";
  // The line it waited for: had it run on without its tracer, it would now copy. It was ended
  // (above): no process of the command is left to write the copy.
  signal(SIGPIPE, SIG_IGN);  // (the write fails with EPIPE: no process reads the pipe)
  (void)!write(tracer.stdin_w, "go\n", 3);
  EXPECT_FALSE(std::filesystem::exists(dir + "/copy"))
      << "the command ran on without its tracer: " << read_file(dir + "/copy");
}

TEST(PtraceFaults, FilteredCommandIsEndedBySecondSignalNotDetached) {
  std::string dir = temp_dir();
  Child tracer({e2e::dtruss_bin(), "--backend=ptrace", "--json", "--output", dir + "/trace", "-t",
                "getppid", fixture("ignint"), "60"},
               dir + "/cmd.out", dir + "/dtruss.err");
  ASSERT_TRUE(wait_for_text(dir + "/trace", "getppid"));
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);  // passed on, and ignored
  // Until dtruss has passed it on (two signals sent at once could be taken as one).
  ASSERT_TRUE(wait_for_text(dir + "/trace", "\"signal\":\"SIGINT\"", 20000))
      << read_file(dir + "/trace");
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = tracer.wait(5000);
  ASSERT_NE(st, -1);
  EXPECT_EQ(exit_code(st), 128 + SIGKILL);
  EXPECT_EQ(read_file(dir + "/cmd.out"), "");
  std::string trace = read_file(dir + "/trace");
  EXPECT_TRUE(contains(trace,
                       "ended the command with SIGKILL: under the -t filter it cannot run "
                       "untraced (its filtered calls would fail with ENOSYS)"))
      << trace;
}

TEST(PtraceFaults, FilteredCommandRunsToItsEndWhenTheOutputFails) {
  std::string dir = temp_dir();
  // 2,000 opens, more than the 64 KiB of trace dtruss buffers: its output fails before the copy.
  std::string script =
      "i=0; while [ $i -lt 2000 ]; do : < /etc/hostname; i=$((i+1)); done; cat /etc/hostname > '" +
      dir + "/copy'; echo status=$?";
  auto r = e2e::run({e2e::dtruss_bin(), "--backend=ptrace", "--output", "/dev/full", "-t", "openat",
                     "/bin/sh", "-c", script});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dtruss: cannot write the trace to '/dev/full': No space left on device\n");
  EXPECT_EQ(r.out, "status=0\n");
  EXPECT_EQ(read_file(dir + "/copy"), read_file("/etc/hostname"));
}

// A process stopped by SIGSTOP before dtruss attaches is still stopped after the detach (not
// resumed, not left in a tracing stop) and runs to its end once continued.
TEST_P(Faults, AttachedWhileStoppedStaysStopped) {
  std::string dir = temp_dir();
  Child sleeper({fixture("napper")}, dir + "/sleeper.out", dir + "/sleeper.err");
  ASSERT_GT(sleeper.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/sleeper.out", "ready\n"));
  ASSERT_EQ(kill(sleeper.pid, SIGSTOP), 0);
  e2e::wait_until([&] { return proc_state(sleeper.pid) == 'T'; });
  Snapshot before(sleeper.pid);
  ASSERT_EQ(before.state, 'T');
  Child tracer(dtruss({"--json", "--output", dir + "/trace", "-p", std::to_string(sleeper.pid)}),
               dir + "/dtruss.out", dir + "/dtruss.err");
  attach(tracer, sleeper.pid, dir);
  // An absence, for which there is no event to wait for: dtruss, attached, does not resume the
  // stopped process. It is watched for 200 ms (a correct dtruss passes however long this takes;
  // a wrong one that resumes it is caught here or by the state after the detach).
  for (uint64_t end = now_ms() + 200; now_ms() < end; usleep(5 * 1000)) {
    char s = proc_state(sleeper.pid);
    ASSERT_TRUE(s == 'T' || s == 't') << "resumed while traced: state " << s;
  }
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = tracer.wait(10000);
  ASSERT_NE(st, -1) << "dtruss did not end";
  EXPECT_EQ(exit_code(st), 0) << read_file(dir + "/dtruss.err");
  Snapshot after(sleeper.pid);
  EXPECT_EQ(after.state, 'T');
  EXPECT_EQ(after.sigpnd, before.sigpnd);
  EXPECT_EQ(after.shdpnd, before.shdpnd);
  EXPECT_EQ(proc_status(sleeper.pid, "TracerPid"), "0");
  ASSERT_EQ(kill(sleeper.pid, SIGCONT), 0);
  // It runs on: it sleeps in its loop again, and ends normally when told to.
  EXPECT_TRUE(e2e::wait_asleep_in(sleeper.pid, {SYS_nanosleep, SYS_clock_nanosleep}))
      << "it did not run on after SIGCONT: state " << proc_state(sleeper.pid);
  ASSERT_EQ(kill(sleeper.pid, SIGUSR1), 0);
  int ss = sleeper.wait(20000);
  ASSERT_NE(ss, -1) << "it did not run on after SIGCONT";
  EXPECT_EQ(exit_code(ss), 0);
  EXPECT_EQ(read_file(dir + "/sleeper.out"), "ready\ndone\n");
}

// ptrace: a process already traced by another tracer cannot be attached to; dtruss says who
// traces it and what to do.
TEST(PtraceFaults, AlreadyTracedProcessSaysByWhom) {
  std::string dir = temp_dir();
  Child sleeper({fixture("napper")}, dir + "/sleeper.out", dir + "/sleeper.err");
  ASSERT_GT(sleeper.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/sleeper.out", "ready\n"));
  std::string pid = std::to_string(sleeper.pid);
  Child first(
      {e2e::dtruss_bin(), "--backend=ptrace", "--json", "--output", dir + "/trace", "-p", pid},
      dir + "/first.out", dir + "/first.err");
  attach(first, sleeper.pid, dir);
  auto r =
      e2e::run({e2e::dtruss_bin(), "--backend=ptrace", "--output", dir + "/second", "-p", pid});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "dtruss: cannot attach to PID " + pid +
                       ": Operation not permitted (it is already traced by PID " +
                       std::to_string(first.pid) +
                       " (dtruss), and a process has only one ptrace tracer: stop that one, or use "
                       "--backend=bpf)\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/second"));
  ASSERT_EQ(kill(first.pid, SIGINT), 0);
  EXPECT_NE(first.wait(10000), -1);
}

TEST_P(Faults, KilledDtrussLeavesAttachedProcessRunning) {
  std::string dir = temp_dir();
  Child reader({fixture("longread")}, dir + "/reader.out", dir + "/reader.err", true);
  ASSERT_GT(reader.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/reader.out", "ready\n"));
  ASSERT_TRUE(e2e::wait_asleep_in(reader.pid, {SYS_read})) << "into its read";
  Child tracer(dtruss({"--json", "--output", dir + "/trace", "-p", std::to_string(reader.pid)}),
               dir + "/dtruss.out", dir + "/dtruss.err");
  attach(tracer, reader.pid, dir);
  ASSERT_EQ(kill(tracer.pid, SIGKILL), 0);
  int st = tracer.wait(5000);
  ASSERT_NE(st, -1);
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  // For ptrace the kernel detaches the tracees of a dead tracer; for eBPF nothing is attached.
  e2e::wait_until([&] { return proc_status(reader.pid, "TracerPid") == "0"; });
  EXPECT_EQ(after_detach(reader.pid).state, 'S');
  EXPECT_EQ(proc_status(reader.pid, "TracerPid"), "0");
  ASSERT_NO_FATAL_FAILURE(expect_read_completes(reader, dir));
}

// ---------------------------------------------------------------------------------------------
// Signals to dtruss with a command it started

TEST_P(Faults, StopSignalsEndTheStartedCommand) {
  for (int sig : {SIGTERM, SIGHUP, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    std::string dir = temp_dir();
    // napper runs until SIGUSR1 (never sent here): it cannot end before the signal.
    Child tracer(dtruss({"--json", "--output", dir + "/trace", fixture("napper")}),
                 dir + "/cmd.out", dir + "/dtruss.err");
    ASSERT_GT(tracer.pid, 0);
    ASSERT_TRUE(wait_for_text(dir + "/trace", "getppid"));
    ASSERT_EQ(kill(tracer.pid, sig), 0);
    int st = tracer.wait(20000);
    ASSERT_NE(st, -1) << "dtruss did not end";
    EXPECT_EQ(exit_code(st), 128 + sig) << "the command's status: killed by the signal";
    std::string out = read_file(dir + "/cmd.out");
    EXPECT_TRUE(out == "" || out == "ready\n") << "the command did not run to its end: " << out;
    EXPECT_TRUE(only_closing_line(read_file(dir + "/dtruss.err")))
        << read_file(dir + "/dtruss.err");
    auto ev = json_lines(read_file(dir + "/trace"));
    auto exits = of_type(ev, "exit");
    ASSERT_EQ(exits.size(), 1u) << dump(ev);
    EXPECT_EQ(exits[0].value("signal", ""), std::string("SIG") + sigabbrev_np(sig));
    long pid = exits[0]["pid"].get<long>();
    EXPECT_NE(kill(static_cast<pid_t>(pid), 0), 0) << "the command " << pid << " is still alive";
  }
}

// Ctrl-C on a terminal: the terminal sends SIGINT to the whole foreground process group, dtruss
// and its command alike. The command ends by it; dtruss reports that and exits 128+SIGINT.
TEST_P(Faults, CtrlCOnATerminalEndsTheCommand) {
  std::string dir = temp_dir();
  // napper runs until SIGUSR1 (never sent here): it cannot end before the Ctrl-C.
  std::vector<std::string> argv = dtruss({"--json", "--output", dir + "/trace", fixture("napper")});
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(pid, 0) << strerror(errno);
  if (pid == 0) {
    std::vector<char*> a;
    for (const auto& x : argv) a.push_back(const_cast<char*>(x.c_str()));
    a.push_back(nullptr);
    for (int s = 1; s < NSIG; ++s) signal(s, SIG_DFL);
    execv(a[0], a.data());
    _exit(127);
  }
  Child tracer;  // only to kill and reap dtruss if the test fails half-way
  tracer.pid = pid;
  struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
  } close_master{master};
  ASSERT_TRUE(wait_for_text(dir + "/trace", "getppid"));
  ASSERT_EQ(write(master, "\x03", 1), 1);
  int st = -1;
  for (int i = 0; i < 500 && st == -1; ++i) {
    char buf[256];
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 10) > 0 && read(master, buf, sizeof(buf)) <= 0) usleep(10 * 1000);
    st = wait_for(pid, 0);
  }
  ASSERT_NE(st, -1) << "dtruss did not end after Ctrl-C";
  tracer.pid = -1;
  EXPECT_EQ(exit_code(st), 128 + SIGINT);
  auto ev = json_lines(read_file(dir + "/trace"));
  auto exits = of_type(ev, "exit");
  ASSERT_EQ(exits.size(), 1u) << dump(ev);
  EXPECT_EQ(exits[0].value("signal", ""), "SIGINT");
  // The signal is shown once: from the terminal, not passed on a second time by dtruss.
  size_t sigints = 0;
  for (const auto& e : of_type(ev, "signal"))
    if (e["signal"] == "SIGINT") ++sigints;
  EXPECT_LE(sigints, 1u) << dump(ev);
}

TEST_P(Faults, CommandThatIgnoresSigintRunsToItsEnd) {
  std::string dir = temp_dir();
  Child tracer(dtruss({"--json", "--output", dir + "/trace", fixture("ignint"), "1"}),
               dir + "/cmd.out", dir + "/dtruss.err");
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/trace", "getppid"));
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = tracer.wait(10000);
  ASSERT_NE(st, -1) << "dtruss did not end";
  EXPECT_EQ(exit_code(st), 0) << read_file(dir + "/dtruss.err");
  EXPECT_EQ(read_file(dir + "/cmd.out"), "done\n");
  auto ev = json_lines(read_file(dir + "/trace"));
  auto exits = of_type(ev, "exit");
  ASSERT_EQ(exits.size(), 1u) << dump(ev);
  EXPECT_EQ(exits[0]["status"], 0);
}

// ---------------------------------------------------------------------------------------------
// Output that cannot be written

TEST_P(Faults, ReaderThatLeavesEndsDtrussQuietly) {
  std::string cmd = "'" + e2e::dtruss_bin() + "' " + backend() + " ls / 2>&1 | head -1";
  auto r = e2e::run({"/bin/sh", "-c", cmd}, 20);
  EXPECT_EQ(r.status, 0) << r.err;
  // With eBPF, ls's own first line may come before the trace's first line.
  if (bpf()) {
    EXPECT_EQ(e2e::lines(r.out).size(), 1u) << r.out;
  } else {
    EXPECT_EQ(r.out, "SYSCALL(args) \t\t = return\n");
  }
  EXPECT_FALSE(contains(r.err, "dtruss:")) << r.err;
  // dtruss's own status: the command's (128+SIGPIPE: it was still running), and nothing said.
  // (napper runs until it is told to end: still running however slow the machine. A burst of
  // calls could end before head left, and its status 0 be dtruss's.)
  auto s = e2e::run({"/bin/bash", "-c",
                     "set -o pipefail; '" + e2e::dtruss_bin() + "' " + backend() + " '" +
                         fixture("napper") + "' 1 20 2>&1 | head -1 >/dev/null; echo $?"},
                    30);
  EXPECT_EQ(s.out, std::to_string(128 + SIGPIPE) + "\n") << s.err;
  EXPECT_EQ(s.err, "");
}

TEST_P(Faults, FullDeviceIsAClearErrorAndTheCommandRunsOn) {
  // The first write of the trace fails: dtruss says so in one line, ends with status 1 and
  // leaves the command it started to run on, untraced (not stopped, not killed).
  std::string dir = temp_dir();
  Child tracer(dtruss({"--output", "/dev/full", "/bin/sh", "-c",
                       "echo $$ > '" + dir + "/pid'; exec '" + fixture("napper") + "'"}),
               dir + "/cmd.out", dir + "/dtruss.err");
  ASSERT_GT(tracer.pid, 0);
  int st = tracer.wait(10000);
  ASSERT_NE(st, -1) << "dtruss did not end";
  EXPECT_EQ(exit_code(st), 1);
  std::string err = read_file(dir + "/dtruss.err");
  EXPECT_EQ(err, "dtruss: cannot write the trace to '/dev/full': No space left on device\n");
  // dtruss may give up at the shell's first line, before the shell has written its PID.
  ASSERT_TRUE(wait_for_text(dir + "/pid", "\n")) << "the command never wrote its PID";
  pid_t pid = static_cast<pid_t>(std::atol(read_file(dir + "/pid").c_str()));
  ASSERT_GT(pid, 0);
  char state = proc_state(pid);
  EXPECT_TRUE(state == 'S' || state == 'R') << "the command runs on; state " << state;
  EXPECT_EQ(proc_status(pid, "TracerPid"), "0");
  // It runs to its end (napper's, on SIGUSR1; a stopped process would not get there).
  ASSERT_TRUE(wait_for_text(dir + "/cmd.out", "ready\n", 20000)) << "it runs on";
  ASSERT_EQ(kill(pid, SIGUSR1), 0);
  EXPECT_TRUE(wait_for_text(dir + "/cmd.out", "ready\ndone\n", 20000)) << "it ran to its end";
}

TEST_P(Faults, FullFilesystemIsAClearErrorAndTheCommandIsNotLeftStopped) {
  ASSERT_EQ(geteuid(), 0u) << "mounting a tmpfs needs root";
  std::string dir = temp_dir();
  std::string mnt = dir + "/small";
  ASSERT_EQ(mkdir(mnt.c_str(), 0755), 0);
  ASSERT_EQ(mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=64k"), 0) << strerror(errno);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};
  std::string out = mnt + "/trace";
  // 20000 getppid lines are far more than 64 KiB. The command runs on (it is not stopped or
  // killed by the failure); dtruss says what went wrong and ends with an error status.
  std::string pidfile = dir + "/pid";
  auto r = e2e::run(
      dtruss({"--output", out, "/bin/sh", "-c",
              "echo $$ > '" + pidfile + "'; exec '" + fixture("getppid_burst") + "' 20000"}),
      30);
  EXPECT_NE(r.status, 0);
  EXPECT_TRUE(
      contains(r.err, "dtruss: cannot write the trace to '" + out + "': No space left on device"))
      << r.err;
  EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "no error spam: " << r.err;
  struct stat sb {};
  ASSERT_EQ(stat(out.c_str(), &sb), 0);
  EXPECT_GT(sb.st_size, 32 * 1024) << "the trace was written until the disk was full";
  // The command is not left stopped: it ended (or runs on, untraced).
  pid_t pid = static_cast<pid_t>(std::atol(read_file(pidfile).c_str()));
  ASSERT_GT(pid, 0);
  for (int i = 0; i < 200 && kill(pid, 0) == 0; ++i) {
    char s = proc_state(pid);
    ASSERT_NE(s, 't') << "left in a tracing stop";
    ASSERT_NE(s, 'T') << "left stopped";
    if (s == 'Z' || s == '?') break;
    usleep(10 * 1000);
  }
}

// ---------------------------------------------------------------------------------------------
// A setuid program run as an ordinary user

TEST_P(Faults, SetuidProgramRunAsNobody) {
  ASSERT_EQ(geteuid(), 0u) << "installing a setuid-root copy needs root";
  std::string dir = temp_dir();
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  std::string ids = dir + "/ids";
  std::filesystem::copy_file(fixture("ids"), ids);
  ASSERT_EQ(chown(ids.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(ids.c_str(), 04755), 0);
  auto r = e2e::run(dtruss({"--json", "-u", "nobody", ids}), 20);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string nobody = std::to_string(65534);
  // The kernel honours the setuid bit because the tracer (root) may trace root's programs.
  EXPECT_EQ(r.out, nobody + " 0\n");
  auto ev = json_lines(r.err);
  auto calls = syscalls(ev, "geteuid");
  ASSERT_EQ(calls.size(), 1u) << r.err;
  EXPECT_EQ(calls[0]["ret"], 0);
  EXPECT_EQ(syscalls(ev, "getuid").at(0)["ret"], 65534);
}

// ---------------------------------------------------------------------------------------------
// eBPF only: overload and clean-up

class BpfFaults : public Faults {};
INSTANTIATE_BACKENDS_OF(BpfFaults, "bpf");

TEST_P(BpfFaults, StormOnATinyBufferCountsEveryLostEvent) {
  constexpr int kThreads = 16, kCalls = 5000;
  auto r = traced({"--json", "-b", "4K", "-t", "getppid", fixture("storm"),
                   std::to_string(kThreads), std::to_string(kCalls)});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(kThreads * kCalls) + "\n");
  uint64_t seen = 0, lost = 0, exits = 0;
  for (const auto& e : json_lines(r.trace)) {
    if (e["type"] == "syscall") {
      EXPECT_EQ(e["syscall"], "getppid");
      ++seen;
    }
    if (e["type"] == "lost") lost += e["count"].get<uint64_t>();
    if (e["type"] == "exit") ++exits;
  }
  EXPECT_GT(lost, 0u) << "a 4 KiB buffer should overflow";
  // Each lost record is a getppid or the process's end.
  EXPECT_EQ(seen + lost + exits, static_cast<uint64_t>(kThreads * kCalls) + 1)
      << "seen " << seen << " lost " << lost << " exits " << exits;
}

// The ids of eBPF programs and maps that exist now, with their names.
std::map<long, std::string> bpf_objects(const char* kind) {
  auto r = e2e::run({"/usr/sbin/bpftool", "-j", kind, "show"}, 20);
  std::map<long, std::string> out;
  if (r.status != 0) return out;
  for (const auto& o : json::parse(r.out)) out[o["id"].get<long>()] = o.value("name", "");
  return out;
}

// The eBPF programs and maps some process holds a descriptor of (prog_id:/map_id: lines in
// /proc/*/fdinfo; links show their program's id), and the maps those programs use.
struct Held {
  std::set<long> progs, maps;
};
Held held_objects() {
  Held h;
  std::error_code ec;
  for (const auto& proc : std::filesystem::directory_iterator("/proc", ec)) {
    std::error_code ec2;
    for (const auto& fd : std::filesystem::directory_iterator(proc.path() / "fdinfo", ec2)) {
      std::stringstream ss(read_file(fd.path()));
      std::string line;
      while (std::getline(ss, line)) {
        if (line.rfind("prog_id:", 0) == 0) h.progs.insert(std::atol(line.c_str() + 8));
        if (line.rfind("map_id:", 0) == 0) h.maps.insert(std::atol(line.c_str() + 7));
      }
    }
  }
  auto r = e2e::run({"/usr/sbin/bpftool", "-j", "prog", "show"}, 20);
  for (const auto& o : json::parse(r.out))
    if (h.progs.count(o["id"].get<long>()) && o.contains("map_ids"))
      for (const auto& m : o["map_ids"]) h.maps.insert(m.get<long>());
  return h;
}

// Objects that appeared since `before`, still exist, and no process holds: what dtruss left
// behind. (Other dtruss processes may be running meanwhile: they hold theirs.)
std::vector<std::string> leftovers(const char* kind, const std::map<long, std::string>& before) {
  auto now = bpf_objects(kind);
  Held held = held_objects();
  const std::set<long>& h = std::string(kind) == "prog" ? held.progs : held.maps;
  std::vector<std::string> out;
  for (const auto& [id, name] : now)
    if (!before.count(id) && !h.count(id)) out.push_back(std::to_string(id) + ":" + name);
  return out;
}

// No leftovers, allowing the kernel a moment: it frees programs and maps after an RCU grace
// period.
void expect_no_leftovers(const std::map<long, std::string>& progs,
                         const std::map<long, std::string>& maps) {
  std::vector<std::string> p, m;
  e2e::wait_until([&] {
    p = leftovers("prog", progs);
    m = leftovers("map", maps);
    return p.empty() && m.empty();
  });
  EXPECT_EQ(p, std::vector<std::string>{});
  EXPECT_EQ(m, std::vector<std::string>{});
}

TEST_P(BpfFaults, ObjectsReleasedAfterExitAndAfterSigkill) {
  auto progs = bpf_objects("prog"), maps = bpf_objects("map");
  ASSERT_FALSE(progs.empty() && maps.empty() && e2e::run({"/usr/sbin/bpftool", "prog"}).status)
      << "bpftool does not work here";
  auto r = traced({"--json", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  expect_no_leftovers(progs, maps);

  std::string dir = temp_dir();
  Child tracer(dtruss({"--json", "--output", dir + "/trace", fixture("sleeper"), "3"}),
               dir + "/cmd.out", dir + "/dtruss.err");
  ASSERT_TRUE(wait_for_text(dir + "/trace", "getppid"));
  ASSERT_EQ(kill(tracer.pid, SIGKILL), 0);
  ASSERT_NE(tracer.wait(5000), -1);
  auto calls = syscalls(json_lines(read_file(dir + "/trace")));
  ASSERT_FALSE(calls.empty());
  kill(static_cast<pid_t>(calls[0]["pid"].get<long>()), SIGKILL);  // the orphaned sleeper
  expect_no_leftovers(progs, maps);
}

}  // namespace
}  // namespace e2e
