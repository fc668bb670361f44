// --inject (strace's -e inject=): the ptrace backend makes the chosen calls fail, return a value,
// get a signal or wait, and the trace says which. Each test checks the trace and what the
// program itself saw (its output, its exit status). Every test runs with the default backend
// (as root eBPF, which gives way to ptrace with a notice) and again under "ptrace:".
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::contains;
using e2e::fixture;
using e2e::json_lines;
using e2e::lines;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

// The program's own report of its opens ("open K: ok" / "open K: EACCES").
std::vector<std::string> open_results(const std::string& out) {
  std::vector<std::string> r;
  for (const auto& line : lines(out))
    if (line.rfind("open ", 0) == 0) r.push_back(line.substr(line.find(": ") + 2));
  return r;
}

bool injected(const json& call) {
  return call.contains("injected") && call["injected"] == true;
}

// The third openat of the program fails with EACCES: in the trace (that one, and only that one,
// marked injected) and for the program, which sees EACCES on that open and on no other.
TEST(Inject, ThirdOpenatFailsWithEacces) {
  auto r = run_traced(
      {"--json", "--inject=openat:error=EACCES:when=3", fixture("inject_target"), "opens", "5"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto opens = syscalls(json_lines(r.trace), "openat");
  ASSERT_GE(opens.size(), 5u);
  for (size_t i = 0; i < opens.size(); ++i) {
    SCOPED_TRACE(opens[i].dump());
    EXPECT_EQ(injected(opens[i]), i == 2);
    EXPECT_EQ(opens[i]["errno"] == "EACCES", i == 2);
  }
  EXPECT_EQ(opens[2]["inject"], json({{"error", "EACCES"}}));
  // The loader's opens come first: the program's own are those of /dev/null.
  size_t loader = 0;
  while (loader < opens.size() && opens[loader]["args"]["filename"] != "/dev/null") ++loader;
  ASSERT_LT(loader, 3u) << "the loader made 3 opens: the third is not the program's";
  std::vector<std::string> expected(5, "ok");
  expected[2 - loader] = "EACCES";
  EXPECT_EQ(open_results(r.out), expected) << r.out;
}

// The text form: strace's (INJECTED) after the result, on that call alone.
TEST(Inject, TextMarksTheInjectedCall) {
  auto r =
      run_traced({"--inject=openat:error=EACCES:when=3", fixture("inject_target"), "opens", "4"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> marked;
  for (const auto& line : lines(r.trace))
    if (contains(line, "(INJECTED)")) marked.push_back(line);
  ASSERT_EQ(marked.size(), 1u) << r.trace;
  EXPECT_TRUE(contains(marked[0], "openat(")) << marked[0];
  EXPECT_TRUE(contains(marked[0], "= -1 EACCES (Permission denied) (INJECTED)")) << marked[0];
}

// The values getpid returned, as the program printed them.
std::vector<std::string> getpid_values(const std::string& out) {
  std::vector<std::string> r;
  for (const auto& line : lines(out))
    if (line.rfind("getpid ", 0) == 0) r.push_back(line.substr(line.find(": ") + 2));
  return r;
}

// retval= with when= ranges and steps: the calls it names return N without running, the others
// the real PID; the -e inject= spelling selects the same calls.
TEST(Inject, WhenRangesAndStepsWithRetval) {
  struct {
    std::vector<std::string> spec;
    std::vector<bool> hit;  // of 8 calls
  } cases[] = {
      {{"--inject=getpid:retval=42:when=3"}, {0, 0, 1, 0, 0, 0, 0, 0}},
      {{"--inject=getpid:retval=42:when=2..4"}, {0, 1, 1, 1, 0, 0, 0, 0}},
      {{"--inject=getpid:retval=42:when=3+2"}, {0, 0, 1, 0, 1, 0, 1, 0}},
      {{"--inject=getpid:retval=42:when=2..6+3"}, {0, 1, 0, 0, 1, 0, 0, 0}},
      {{"--inject=getpid:retval=42:when=6+"}, {0, 0, 0, 0, 0, 1, 1, 1}},
      {{"-e", "inject=getpid:retval=42:when=3+2"}, {0, 0, 1, 0, 1, 0, 1, 0}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec.back());
    std::vector<std::string> args{"--json"};
    args.insert(args.end(), c.spec.begin(), c.spec.end());
    args.insert(args.end(), {fixture("inject_target"), "getpid", "8"});
    auto r = run_traced(args);
    ASSERT_EQ(r.status, 0) << r.err;
    auto calls = syscalls(json_lines(r.trace), "getpid");
    auto seen = getpid_values(r.out);
    ASSERT_EQ(calls.size(), 8u);
    ASSERT_EQ(seen.size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
      EXPECT_EQ(injected(calls[i]), c.hit[i]) << i;
      EXPECT_EQ(seen[i] == "42", c.hit[i]) << i << ": " << seen[i];
      EXPECT_EQ(calls[i]["ret"] == 42, c.hit[i]) << i;
    }
  }
}

// delay_enter: the thread waits before the call, and the wait is in the call's duration (JSON
// dur_ns, and -e's ELAPSD column in microseconds).
TEST(Inject, DelayShowsInTheDuration) {
  constexpr uint64_t kDelayUs = 300000;
  auto r = run_traced({"--json", "-t", "getppid",
                       "--inject=getppid:delay_enter=" + std::to_string(kDelayUs),
                       fixture("inject_target"), "signal"});
  auto calls = syscalls(json_lines(r.trace), "getppid");
  ASSERT_EQ(calls.size(), 1u) << r.trace;
  EXPECT_GE(calls[0]["dur_ns"].get<uint64_t>(), kDelayUs * 1000);
  EXPECT_EQ(calls[0]["inject"], json({{"delay_enter_us", kDelayUs}}));

  auto t = run_traced({"-e", "-t", "getppid", "--inject=getppid:delay_enter=300ms",
                       fixture("inject_target"), "signal"});
  bool found = false;
  for (const auto& line : lines(t.trace)) {
    if (!contains(line, "getppid(")) continue;
    found = true;
    EXPECT_GE(std::stoull(line), kDelayUs) << line;  // ELAPSD leads the line
    EXPECT_TRUE(contains(line, "(DELAYED)")) << line;
  }
  EXPECT_TRUE(found) << t.trace;
}

// signal=: the signal reaches the thread at the call's exit; its handler runs (the program says
// so and exits 0), and the trace shows the injected call and the signal.
TEST(Inject, SignalIsDelivered) {
  auto r =
      run_traced({"--json", "--inject=getppid:signal=SIGUSR1", fixture("inject_target"), "signal"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "handler ran")) << r.out;
  auto events = json_lines(r.trace);
  auto calls = syscalls(events, "getppid");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]["inject"], json({{"signal", "SIGUSR1"}}));
  auto signals = e2e::of_type(events, "signal");
  ASSERT_EQ(signals.size(), 1u) << r.trace;
  EXPECT_EQ(signals[0]["signal"], "SIGUSR1") << signals[0].dump();

  auto unhurt = run_traced({"--json", fixture("inject_target"), "signal"});
  EXPECT_EQ(unhurt.status, 1) << "without --inject the fixture gets no signal";
}

// The signal is sent at the call's entry, as strace's: a call that blocks is interrupted by it
// (the EINTR paths of a program), here pause(), which would otherwise wait for ever.
TEST(Inject, SignalInterruptsABlockingCall) {
  auto r = run_traced(
      {"--json", "--inject=pause:signal=SIGUSR1", fixture("inject_target"), "pause"}, 30);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "pause: EINTR, handler ran\n");
  auto calls = syscalls(json_lines(r.trace), "pause");
  ASSERT_EQ(calls.size(), 1u) << r.trace;
  EXPECT_TRUE(injected(calls[0]));
  // What the tracer sees: the kernel's restart code, which the handler turns into EINTR.
  EXPECT_EQ(calls[0]["errno"], "ERESTARTNOHAND") << calls[0].dump();
}

// Under -t, the calls --inject names stop too (the -t seccomp filter lets them through to the
// tracer), shown or not.
TEST(Inject, WorksOnCallsDashTDoesNotShow) {
  auto r = run_traced({"--json", "-t", "write", "--inject=openat:error=EACCES:when=3",
                       fixture("inject_target"), "opens", "4"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(syscalls(json_lines(r.trace), "openat").empty());
  auto results = open_results(r.out);
  EXPECT_EQ(std::count(results.begin(), results.end(), "EACCES"), 1) << r.out;
}

// The default backend as root is eBPF: --inject makes it trace with ptrace, and says so once.
TEST(Inject, DefaultBackendGivesWayWithANotice) {
  REQUIRE_BPF();
  const char* env = std::getenv("DTRUSS_BACKEND");
  std::string saved = env != nullptr ? env : "";
  unsetenv("DTRUSS_BACKEND");
  auto r =
      run_traced({"--inject=openat:error=EACCES:when=3", fixture("inject_target"), "opens", "4"});
  if (env != nullptr) setenv("DTRUSS_BACKEND", saved.c_str(), 1);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "dtruss: --inject needs the ptrace backend: using it\n");
  EXPECT_TRUE(contains(r.trace, "(INJECTED)")) << r.trace;
  auto results = open_results(r.out);
  EXPECT_EQ(std::count(results.begin(), results.end(), "EACCES"), 1) << r.out;
}

// Refusals: one line, exit 2, and the command never ran.
TEST(Inject, RefusedBeforeAnythingStarts) {
  struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"--backend=bpf", "--inject=openat:error=EACCES"}, "--inject needs the ptrace backend"},
      {{"--inject=openat:error=ENOTANERRNO"}, "error= needs an errno name"},
      {{"--inject=openat:error=EACCES:when=0"}, "when= needs"},
      {{"--inject=openat:error=EACCES:retval=3"}, "error= and retval= exclude each other"},
      {{"-e", "inject=openat:when=2"}, "give what to inject"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {fixture("inject_target"), "opens", "1"});
    auto r = e2e::run_dtruss(args);
    SCOPED_TRACE(c.args.back());
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.err, c.says)) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.out, "") << "the command ran";
  }
}

}  // namespace

namespace {

// A delay keeps one thread waiting, not the trace: while a thread waits a second before its
// getppid, the main thread's getpids are traced, in that second.
TEST(Inject, DelayedThreadDoesNotHoldUpTheOthers) {
  auto r = run_traced(
      {"--json", "-f", "--inject=getppid:delay_enter=1s", fixture("inject_target"), "threads"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto events = json_lines(r.trace);
  auto delayed = syscalls(events, "getppid");
  ASSERT_EQ(delayed.size(), 1u) << r.trace;
  uint64_t start = delayed[0]["ts_ns"], end = start + delayed[0]["dur_ns"].get<uint64_t>();
  EXPECT_GE(end - start, 1'000'000'000u);
  auto others = syscalls(events, "getpid");
  ASSERT_EQ(others.size(), 3u) << r.trace;
  for (const auto& c : others) {
    EXPECT_NE(c["tid"], delayed[0]["tid"]);
    EXPECT_GT(c["ts_ns"].get<uint64_t>(), start) << c.dump();
    EXPECT_LT(c["ts_ns"].get<uint64_t>(), end) << c.dump();
  }
}

}  // namespace

namespace {

// --backend named: ptrace injects; bpf, which can watch calls but not change them, refuses
// with exit 2 before the command starts.
class InjectBackend : public e2e::BackendTest {};

TEST_P(InjectBackend, InjectedWithPtraceRefusedWithBpf) {
  auto r = e2e::run_traced(
      {backend(), "--inject=openat:error=EACCES:when=3", fixture("inject_target"), "opens", "3"});
  if (GetParam() == "bpf") {
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err,
              "dtruss: --inject needs the ptrace backend (eBPF can watch calls, not change "
              "them): drop --backend=bpf\n");
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.trace, "");
    return;
  }
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(contains(r.trace, "= -1 EACCES (Permission denied) (INJECTED)")) << r.trace;
  auto results = open_results(r.out);
  EXPECT_EQ(std::count(results.begin(), results.end(), "EACCES"), 1) << r.out;
}

INSTANTIATE_BACKENDS(InjectBackend);

}  // namespace

namespace {

// The execve that starts the command is not the program's: --inject=execve counts from the
// program's own execs (here none), and the command runs.
TEST(Inject, TheCommandsOwnStartIsNotInjected) {
  auto r = run_traced(
      {"--json", "--inject=execve:error=ENOENT", fixture("inject_target"), "opens", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "open 1: ok\n");
  auto execs = syscalls(json_lines(r.trace), "execve");
  ASSERT_EQ(execs.size(), 1u);
  EXPECT_FALSE(injected(execs[0]));
}

}  // namespace

namespace {

// With -p: the counts start at the attach; the process's second getpid after it returns 42.
TEST(Inject, AttachedProcess) {
  std::string dir = e2e::temp_dir();
  e2e::ChildGuard proc{e2e::spawn({fixture("inject_target"), "attach", "3"}, dir + "/out", "")};
  ASSERT_GT(proc.pid, 0);
  ASSERT_TRUE(e2e::wait_asleep_in(proc.pid, {SYS_rt_sigsuspend}));
  e2e::ChildGuard tracer{
      e2e::spawn({e2e::dtruss_bin(), "--json", "--output", dir + "/trace",
                  "--inject=getpid:retval=42:when=2", "-p", std::to_string(proc.pid)},
                 "", dir + "/err")};
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(e2e::wait_for_text(dir + "/trace", "attached to process"))
      << e2e::read_file(dir + "/err");
  std::string pid = std::to_string(proc.pid);
  kill(proc.pid, SIGUSR2);
  int st = e2e::wait_for(proc.pid, 20000);
  proc.pid = -1;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  int tst = e2e::wait_for(tracer.pid, 20000);
  tracer.pid = -1;
  EXPECT_TRUE(WIFEXITED(tst) && WEXITSTATUS(tst) == 0) << e2e::read_file(dir + "/err");
  std::string out = e2e::read_file(dir + "/out");
  EXPECT_EQ(getpid_values(out), (std::vector<std::string>{pid, "42", pid})) << out;
  auto calls = syscalls(json_lines(e2e::read_file(dir + "/trace")), "getpid");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_TRUE(injected(calls[1]));
}

}  // namespace

namespace {

// What the program printed, with its PIDs (which differ from run to run) as "pid".
std::string without_pids(const std::string& out) {
  std::string norm;
  for (const auto& line : lines(out)) {
    auto colon = line.find(": ");
    if (line.rfind("getpid ", 0) == 0 && colon != std::string::npos &&
        line.substr(colon + 2) != "42" && line.substr(colon + 2) != "7")
      norm += line.substr(0, colon) + ": pid\n";
    else
      norm += line + "\n";
  }
  return norm;
}

// The strace spelling gives the same injections as strace's on the same program: the program
// prints the same under both tracers.
TEST(Inject, SameAsStraceOnTheSameProgram) {
  ASSERT_TRUE(e2e::have_program("strace")) << "this test compares with strace: install it";
  struct {
    const char* spec;
    std::vector<std::string> args;
  } cases[] = {
      {"inject=openat:error=EACCES:when=3", {"opens", "5"}},
      {"inject=openat:error=ENOSPC:when=4..6+2", {"opens", "6"}},
      {"inject=getpid:retval=42:when=2..6+2", {"getpid", "8"}},
      {"inject=getpid:retval=7:when=3+", {"getpid", "6"}},
      {"inject=getpid:retval=42:when=2:when=5", {"getpid", "6"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    std::vector<std::string> theirs{"/usr/bin/env", "strace", "-f",   "-o",
                                    "/dev/null",    "-e",     c.spec, fixture("inject_target")};
    theirs.insert(theirs.end(), c.args.begin(), c.args.end());
    std::vector<std::string> ours{"-e", c.spec, fixture("inject_target")};
    ours.insert(ours.end(), c.args.begin(), c.args.end());
    auto s = e2e::run(theirs);
    auto d = run_traced(ours);
    ASSERT_EQ(s.status, 0) << s.err;
    ASSERT_EQ(d.status, 0) << d.err;
    EXPECT_EQ(without_pids(d.out), without_pids(s.out));
    // (and something was injected: an error, or the value)
    EXPECT_TRUE(contains(d.out, ": E") || contains(d.out, ": 42") || contains(d.out, ": 7"))
        << d.out;
  }
}

}  // namespace

namespace {

// delay_exit: the thread waits after the call returned, before it runs on: its next call starts
// that much later.
TEST(Inject, DelayExitHoldsTheThreadAfterTheCall) {
  constexpr uint64_t kDelayNs = 300'000'000;
  auto r = run_traced(
      {"--json", "--inject=getppid:delay_exit=300ms", fixture("inject_target"), "signal"});
  ASSERT_EQ(r.status, 1) << r.err;  // (no signal: the fixture says so)
  auto calls = syscalls(json_lines(r.trace));
  size_t i = 0;
  while (i < calls.size() && calls[i]["syscall"] != "getppid") ++i;
  ASSERT_LT(i + 1, calls.size()) << r.trace;
  EXPECT_EQ(calls[i]["inject"], json({{"delay_exit_us", 300000}}));
  uint64_t returned = calls[i]["ts_ns"].get<uint64_t>() + calls[i]["dur_ns"].get<uint64_t>();
  EXPECT_GE(calls[i + 1]["ts_ns"].get<uint64_t>(), returned + kDelayNs) << calls[i + 1].dump();
}

}  // namespace
