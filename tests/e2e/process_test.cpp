// Processes and threads: -f and children, threads (always traced), a shell pipeline, and
// attaching to a running process with -p then detaching on SIGINT.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

extern char** environ;

namespace e2e {
namespace {

using nlohmann::json;

bool is_fork_call(const json& e) {
  std::string n = e.value("syscall", "");
  return n == "clone" || n == "clone3" || n == "fork" || n == "vfork";
}

// The pid of the traced command: that of its first event (its execve).
long command_pid(const std::vector<json>& events) {
  auto calls = syscalls(events);
  if (calls.empty()) return -1;
  return calls.front().value("pid", -1L);
}

// ---------------------------------------------------------------------------------------------
// fork

TEST(Fork, FollowShowsTheChildsCalls) {
  auto r = run_traced({"-f", "--json", fixture("forker")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "child\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long parent = command_pid(ev);
  ASSERT_GT(parent, 0);

  // The parent's fork returns the child's pid.
  long child = -1;
  for (const auto& e : syscalls(ev))
    if (e["pid"] == parent && is_fork_call(e) && e["ret"].is_number_integer() &&
        e["ret"].get<long>() > 0)
      child = e["ret"].get<long>();
  ASSERT_GT(child, 0) << "no clone/fork in the parent returning a pid";
  ASSERT_NE(child, parent);

  // The child's calls, under its own pid.
  std::vector<json> in_child;
  for (const auto& e : syscalls(ev))
    if (e["pid"] == child) in_child.push_back(e);
  ASSERT_FALSE(in_child.empty()) << "with -f the child's calls must appear";
  bool wrote = false;
  for (const auto& e : in_child) {
    EXPECT_EQ(e["tid"], child) << e.dump();
    if (e["syscall"] == "write" && text_arg(e, "buf") == "child\n") {
      wrote = true;
      EXPECT_EQ(e["args"]["fd"], 1);
      EXPECT_EQ(e["ret"], 6);
    }
  }
  EXPECT_TRUE(wrote) << "no write(1, \"child\\n\", 6) in the child";
  const json& last_child_call = in_child.back();
  EXPECT_EQ(last_child_call["syscall"], "exit_group");
  EXPECT_EQ(last_child_call["args"]["error_code"], 7);

  // Each process's end.
  bool child_exit = false, parent_exit = false;
  for (const auto& e : ev) {
    if (e.value("type", "") != "exit") continue;
    if (e["pid"] == child) {
      child_exit = true;
      EXPECT_EQ(e["status"], 7) << e.dump();
    }
    if (e["pid"] == parent) {
      parent_exit = true;
      EXPECT_EQ(e["status"], 0) << e.dump();
    }
  }
  EXPECT_TRUE(child_exit) << "no exit event of the child";
  EXPECT_TRUE(parent_exit) << "no exit event of the parent";

  // The parent's wait4 for it.
  auto waits = syscalls(ev, "wait4");
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0]["pid"], parent);
  EXPECT_EQ(waits[0]["args"]["upid"], child);
  EXPECT_EQ(waits[0]["ret"], child);
}

TEST(Fork, WithoutFollowOnlyTheParentIsShown) {
  auto r = run_traced({"--json", fixture("forker")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "child\n") << "the child runs, untraced";
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long parent = command_pid(ev);
  ASSERT_GT(parent, 0);
  for (const auto& e : ev) {
    if (!e.contains("pid")) continue;
    EXPECT_EQ(e["pid"], parent) << "without -f only the command itself is traced: " << e.dump();
  }
  for (const auto& e : syscalls(ev, "write")) EXPECT_NE(text_arg(e, "buf"), "child\n") << e.dump();
  auto waits = syscalls(ev, "wait4");
  ASSERT_EQ(waits.size(), 1u);
  ASSERT_TRUE(waits[0]["ret"].is_number_integer());
  long child = waits[0]["ret"].get<long>();
  EXPECT_GT(child, 0);
  EXPECT_NE(child, parent);
  EXPECT_EQ(waits[0]["args"]["upid"], child);
  EXPECT_EQ(r.trace.find("\"pid\":" + std::to_string(child) + ","), std::string::npos);
}

// prctl(PR_SET_NAME) renames the thread: its events say so from that call on, on both backends
// (ptrace kept the name read at the exec).
TEST(Comm, FollowsPrSetName) {
  auto r = run_traced({"--json", fixture("selected_ptrs")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto calls = syscalls(json_lines(r.trace));
  bool renamed = false;
  for (const auto& e : calls) {
    if (e["syscall"] == "prctl" && e["args"]["option"] == "PR_SET_NAME") renamed = true;
    EXPECT_EQ(e["comm"], renamed ? "dt-selected" : "selected_ptrs") << e.dump();
  }
  EXPECT_TRUE(renamed) << "no prctl(PR_SET_NAME) in the trace";
}

TEST(Fork, FollowPosixSpawnChild) {
  // posix_spawn makes a vfork-like child (CLONE_VM|CLONE_VFORK): the parent waits for its exec.
  auto r = run_traced({"-f", "--json", fixture("spawner")}, 20);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "spawned\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long parent = command_pid(ev);
  ASSERT_GT(parent, 0);
  long child = -1;
  for (const auto& e : syscalls(ev, "execve"))
    if (text_arg(e, "filename") == "/bin/echo") {
      child = e["pid"].get<long>();
      EXPECT_EQ(e["args"]["argv"], json::array({"echo", "spawned"}));
      EXPECT_EQ(e["ret"], 0);
      EXPECT_EQ(e["comm"], "echo");
    }
  ASSERT_GT(child, 0) << "no execve(\"/bin/echo\", ...) with -f";
  EXPECT_NE(child, parent);
  bool made = false;
  for (const auto& e : syscalls(ev))
    if (e["pid"] == parent && is_fork_call(e) && e["ret"] == child) made = true;
  EXPECT_TRUE(made) << "no clone/clone3/vfork in the parent returning " << child;
  bool wrote = false;
  for (const auto& e : syscalls(ev, "write"))
    if (text_arg(e, "buf") == "spawned\n") {
      wrote = true;
      EXPECT_EQ(e["pid"], child) << e.dump();
      EXPECT_EQ(e["ret"], 8);
    }
  EXPECT_TRUE(wrote) << "no write of echo's \"spawned\\n\"";
  bool waited = false;
  for (const auto& e : syscalls(ev))
    if ((e["syscall"] == "wait4" || e["syscall"] == "waitid") && e["pid"] == parent) {
      waited = true;
      if (e["syscall"] == "wait4") {
        EXPECT_EQ(e["ret"], child) << e.dump();
      }
    }
  EXPECT_TRUE(waited) << "no wait of the parent";
}

TEST(Fork, PosixSpawnChildNotFollowed) {
  auto r = run_traced({"--json", fixture("spawner")}, 20);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "spawned\n") << "the untraced child runs normally";
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long parent = command_pid(ev);
  ASSERT_GT(parent, 0);
  for (const auto& e : ev) {
    if (e.contains("pid")) {
      EXPECT_EQ(e["pid"], parent) << e.dump();
    }
  }
  for (const auto& e : syscalls(ev, "execve"))
    EXPECT_NE(text_arg(e, "filename"), "/bin/echo") << "the child's exec is not traced without -f";
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().value("type", ""), "exit");
  EXPECT_EQ(ev.back()["status"], 0);
}

// ---------------------------------------------------------------------------------------------
// threads: traced with or without -f

void check_thread_calls(const std::vector<std::string>& args) {
  auto r = run_traced(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "thread\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long pid = command_pid(ev);
  ASSERT_GT(pid, 0);
  auto gets = syscalls(ev, "getppid");
  ASSERT_EQ(gets.size(), 1u) << "the thread's getppid must appear once";
  const json& g = gets[0];
  EXPECT_EQ(g["pid"], pid);
  EXPECT_NE(g["tid"], pid) << "getppid runs in the second thread";
  ASSERT_TRUE(g["ret"].is_number_integer());
  EXPECT_GT(g["ret"].get<long>(), 1);
  EXPECT_EQ(g["args"], json::object());

  bool wrote = false;
  for (const auto& e : syscalls(ev, "write"))
    if (text_arg(e, "buf") == "thread\n") {
      wrote = true;
      EXPECT_EQ(e["tid"], g["tid"]) << e.dump();
      EXPECT_EQ(e["pid"], pid) << e.dump();
    }
  EXPECT_TRUE(wrote) << "no write of \"thread\\n\"";

  // The thread was made by the main thread, whose clone returned its tid.
  bool made = false;
  for (const auto& e : syscalls(ev))
    if (is_fork_call(e) && e["tid"] == pid && e["ret"] == g["tid"]) made = true;
  EXPECT_TRUE(made) << "no clone/clone3 in the main thread returning the thread's tid";
  // The main thread's end.
  auto eg = syscalls(ev, "exit_group");
  ASSERT_EQ(eg.size(), 1u);
  EXPECT_EQ(eg[0]["tid"], pid);
}

TEST(Threads, ThreadsAreTracedWithoutFollow) {
  check_thread_calls({"--json", fixture("threads")});
}

TEST(Threads, ThreadsAreTracedWithFollow) {
  check_thread_calls({"-f", "--json", fixture("threads")});
}

// ---------------------------------------------------------------------------------------------
// a shell pipeline under -f

TEST(Follow, ShellPipelineShowsEveryProcess) {
  auto r = run_traced({"-f", "--json", "/bin/sh", "-c", "ls / | wc -l"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(std::atoi(r.out.c_str()), 3) << "wc -l counted ls's lines: " << r.out;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  std::set<long> pids;
  for (const auto& e : syscalls(ev)) pids.insert(e["pid"].get<long>());
  EXPECT_GE(pids.size(), 3u) << "sh, ls and wc";

  auto ends_with = [](const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  };
  long ls_pid = -1, wc_pid = -1;
  for (const auto& e : syscalls(ev, "execve")) {
    if (e["ret"] != 0) continue;
    std::string file = text_arg(e, "filename");
    if (ends_with(file, "/ls")) {
      ls_pid = e["pid"].get<long>();
      EXPECT_EQ(e["args"]["argv"], json::array({"ls", "/"}));
      EXPECT_EQ(e["comm"], "ls");
    }
    if (ends_with(file, "/wc")) {
      wc_pid = e["pid"].get<long>();
      EXPECT_EQ(e["args"]["argv"], json::array({"wc", "-l"}));
      EXPECT_EQ(e["comm"], "wc");
    }
  }
  EXPECT_GT(ls_pid, 0) << "no successful execve of ls";
  EXPECT_GT(wc_pid, 0) << "no successful execve of wc";
  EXPECT_NE(ls_pid, wc_pid);
  long sh_pid = command_pid(ev);
  EXPECT_NE(ls_pid, sh_pid);
  EXPECT_NE(wc_pid, sh_pid);
  // Each of the three ends, with status 0.
  std::set<long> ended;
  for (const auto& e : ev)
    if (e.value("type", "") == "exit") {
      ended.insert(e["pid"].get<long>());
      EXPECT_EQ(e["status"], 0) << e.dump();
    }
  for (long p : {sh_pid, ls_pid, wc_pid}) EXPECT_EQ(ended.count(p), 1u) << "no exit event of " << p;
}

// ---------------------------------------------------------------------------------------------
// -p: attach to a running process, detach on SIGINT

// The napper `child` (its output in `out`), detached, ends normally once told to (SIGUSR1).
void expect_napper_runs_on(ChildGuard& child, const std::string& out) {
  ASSERT_EQ(kill(child.pid, SIGUSR1), 0);
  int st = wait_for(child.pid, 20000);
  ASSERT_NE(st, -1) << "the process did not end after the detach (State: "
                    << proc_status(child.pid, "State") << ")";
  child.pid = -1;
  ASSERT_TRUE(WIFEXITED(st)) << "the process was killed by signal " << WTERMSIG(st);
  EXPECT_EQ(WEXITSTATUS(st), 0);
  EXPECT_EQ(read_file(out), "ready\ndone\n");
}

TEST(Attach, AttachThenDetachOnSigint) {
  std::string dir = temp_dir();
  ChildGuard sleeper, tracer;
  // napper runs until SIGUSR1: still running at the detach, however slow the machine.
  sleeper.pid = spawn({fixture("napper")}, dir + "/sleeper.out", "");
  ASSERT_GT(sleeper.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/sleeper.out", "ready\n")) << "past its start-up";
  std::string pid_text = std::to_string(sleeper.pid);
  tracer.pid = spawn({e2e::dtruss_bin(), "-p", pid_text, "--json"}, dir + "/dtruss.out",
                     dir + "/dtruss.err");
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/dtruss.err", "attached to process"))
      << read_file(dir + "/dtruss.err");
  // Until dtruss has traced a few of its calls.
  std::string err = dir + "/dtruss.err";
  ASSERT_TRUE(wait_until([&] {
    return calls_so_far(err, "getppid") >= 2 &&
           calls_so_far(err, "nanosleep") + calls_so_far(err, "clock_nanosleep") >= 2;
  })) << read_file(err);
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = wait_for(tracer.pid, 5000);
  ASSERT_NE(st, -1) << "dtruss -p did not end within 5 s of SIGINT";
  tracer.pid = -1;
  std::string trace = read_file(dir + "/dtruss.err");
  ASSERT_TRUE(WIFEXITED(st)) << "dtruss was killed by signal " << WTERMSIG(st) << "\n" << trace;
  EXPECT_EQ(WEXITSTATUS(st), 0) << trace;

  // Right after the detach the sleeper is neither traced nor stopped.
  std::string state = proc_status(sleeper.pid, "State");
  EXPECT_EQ(state.find("t (tracing stop)"), std::string::npos) << state;
  EXPECT_EQ(state.find("T (stopped)"), std::string::npos) << state;
  EXPECT_EQ(proc_status(sleeper.pid, "TracerPid"), "0");

  auto ev = json_lines(trace);
  SCOPED_TRACE(trace);
  int getppids = 0, sleeps = 0;
  for (const auto& e : syscalls(ev)) {
    EXPECT_EQ(e["pid"], sleeper.pid) << e.dump();
    std::string n = e["syscall"];
    // (A call in progress when dtruss detached has no result: shown as unfinished.)
    if (e.value("unfinished", false)) {
      EXPECT_TRUE(e["ret"].is_null()) << e.dump();
      continue;
    }
    if (n == "getppid") {
      ++getppids;
      EXPECT_EQ(e["ret"], static_cast<long>(getpid())) << "the sleeper is our child: " << e.dump();
    }
    if (n == "nanosleep" || n == "clock_nanosleep") ++sleeps;
  }
  EXPECT_GE(getppids, 2) << "a getppid call every 100 ms";
  EXPECT_GE(sleeps, 2) << "a sleep every 100 ms";
  bool attached = false, detached = false;
  for (const auto& e : ev) {
    if (e.value("type", "") != "notice") continue;
    std::string text = e.value("text", "");
    if (text.find("attached to process " + pid_text) != std::string::npos) attached = true;
    if (text.find("detached") != std::string::npos) detached = true;
  }
  EXPECT_TRUE(attached) << "no notice \"attached to process " << pid_text << "\"";
  EXPECT_TRUE(detached) << "no notice with \"detached\"";
  ASSERT_GE(ev.size(), 2u);
  // The detach notice, then the closing object of an interrupted trace, end it.
  EXPECT_EQ(ev[ev.size() - 2].value("type", ""), "notice") << "the detach notice ends the trace";
  EXPECT_EQ(ev.back().value("type", ""), "interrupted");
  EXPECT_EQ(ev.back().value("outcome", ""), "detached");
  for (const auto& e : ev) EXPECT_NE(e.value("type", ""), "exit") << "the sleeper did not end";

  // The sleeper runs on, and to its normal end when told to.
  ASSERT_NO_FATAL_FAILURE(expect_napper_runs_on(sleeper, dir + "/sleeper.out"));
}

TEST(Attach, TextTraceOfAttachedProcess) {
  std::string dir = temp_dir();
  ChildGuard sleeper, tracer;
  sleeper.pid = spawn({fixture("napper")}, dir + "/sleeper.out", "");
  ASSERT_GT(sleeper.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/sleeper.out", "ready\n"));
  tracer.pid = spawn({e2e::dtruss_bin(), "-p", std::to_string(sleeper.pid)}, dir + "/dtruss.out",
                     dir + "/dtruss.err");
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/dtruss.err", "attached to process"))
      << read_file(dir + "/dtruss.err");
  const std::string getppid_line = "\ngetppid()\t\t = " + std::to_string(getpid()) + "\n";
  ASSERT_TRUE(wait_for_text(dir + "/dtruss.err", getppid_line, 20000))
      << read_file(dir + "/dtruss.err");
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = wait_for(tracer.pid, 5000);
  ASSERT_NE(st, -1) << "dtruss -p did not end within 5 s of SIGINT";
  tracer.pid = -1;
  std::string trace = read_file(dir + "/dtruss.err");
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "wait status " << st << "\n" << trace;
  EXPECT_NE(trace.find(getppid_line), std::string::npos) << trace;
  EXPECT_NE(trace.find("dtruss: attached to process " + std::to_string(sleeper.pid)),
            std::string::npos)
      << trace;
  EXPECT_NE(trace.find("dtruss: detached from 1 process"), std::string::npos) << trace;
  ASSERT_NO_FATAL_FAILURE(expect_napper_runs_on(sleeper, dir + "/sleeper.out"));
}

TEST(Attach, AllThreadsOfAProcess) {
  std::string dir = temp_dir();
  ChildGuard target, tracer;
  target.pid = spawn({fixture("napper"), "2"}, dir + "/target.out", "");
  ASSERT_GT(target.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/target.out", "ready\n")) << "both threads are running";
  std::string pid_text = std::to_string(target.pid);
  tracer.pid = spawn({e2e::dtruss_bin(), "-p", pid_text, "--json"}, dir + "/dtruss.out",
                     dir + "/dtruss.err");
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/dtruss.err", "attached to process"))
      << read_file(dir + "/dtruss.err");
  // Until two getppid calls of each of two threads are traced.
  ASSERT_TRUE(wait_until([&] {
    std::map<long, int> n;
    for (const auto& e : json_lines_so_far(dir + "/dtruss.err"))
      if (e.value("syscall", "") == "getppid") ++n[e.value("tid", 0L)];
    int busy = 0;
    for (const auto& [tid, calls] : n) busy += calls >= 2;
    return busy >= 2;
  })) << read_file(dir + "/dtruss.err");
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = wait_for(tracer.pid, 5000);
  ASSERT_NE(st, -1) << "dtruss -p did not end within 5 s of SIGINT";
  tracer.pid = -1;
  std::string trace = read_file(dir + "/dtruss.err");
  SCOPED_TRACE(trace);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "wait status " << st;
  EXPECT_EQ(proc_status(target.pid, "TracerPid"), "0");
  EXPECT_EQ(proc_status(target.pid, "State").find("t (tracing stop)"), std::string::npos);

  auto ev = json_lines(trace);
  std::map<long, int> per_tid;
  for (const auto& e : syscalls(ev, "getppid")) {
    EXPECT_EQ(e["pid"], target.pid) << e.dump();
    ++per_tid[e["tid"].get<long>()];
  }
  EXPECT_EQ(per_tid.size(), 2u) << "getppid calls of both threads";
  EXPECT_EQ(per_tid.count(target.pid), 1u) << "the main thread's tid is the pid";
  for (const auto& [tid, n] : per_tid) EXPECT_GE(n, 2) << "thread " << tid;
  bool attached = false, detached = false;
  for (const auto& e : ev) {
    std::string text = e.value("text", "");
    if (e.value("type", "") != "notice") continue;
    if (text.find("attached to process " + pid_text) != std::string::npos) {
      attached = true;
      EXPECT_NE(text.find("2 threads"), std::string::npos) << text;
    }
    if (text.find("detached") != std::string::npos) {
      detached = true;
      EXPECT_NE(text.find("2 threads"), std::string::npos) << text;
    }
  }
  EXPECT_TRUE(attached);
  EXPECT_TRUE(detached);

  ASSERT_NO_FATAL_FAILURE(expect_napper_runs_on(target, dir + "/target.out"));
}

// ---------------------------------------------------------------------------------------------
// a termination signal sent to dtruss (not from a terminal) is meant for its command too

TEST(Interrupt, SigtermToDtrussEndsTheCommand) {
  std::string dir = temp_dir();
  ChildGuard tracer;
  // napper runs until SIGUSR1 (never sent here): it cannot end by itself before the SIGTERM.
  tracer.pid = spawn({e2e::dtruss_bin(), "--json", fixture("napper")}, dir + "/cmd.out",
                     dir + "/dtruss.err");
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_until([&] { return calls_so_far(dir + "/dtruss.err", "getppid") >= 2; }))
      << read_file(dir + "/dtruss.err");
  ASSERT_EQ(kill(tracer.pid, SIGTERM), 0);
  int st = wait_for(tracer.pid, 5000);
  ASSERT_NE(st, -1) << "dtruss did not end within 5 s of SIGTERM";
  tracer.pid = -1;
  std::string trace = read_file(dir + "/dtruss.err");
  SCOPED_TRACE(trace);
  ASSERT_TRUE(WIFEXITED(st)) << "dtruss was killed by signal " << WTERMSIG(st);
  EXPECT_EQ(WEXITSTATUS(st), 128 + SIGTERM) << "the command's status: killed by SIGTERM";
  EXPECT_EQ(read_file(dir + "/cmd.out"), "ready\n") << "the command did not run to its end";
  auto ev = json_lines(trace);
  long pid = command_pid(ev);
  ASSERT_GT(pid, 0);
  EXPECT_GE(syscalls(ev, "getppid").size(), 2u);
  EXPECT_NE(kill(static_cast<pid_t>(pid), 0), 0) << "the command " << pid << " is still alive";
  // The signal is shown, then the end it brings (the eBPF backend showed only the end: the
  // kernel kills at once, with no delivery, for a signal that kills by default).
  std::vector<std::string> kinds;
  for (const auto& e : ev)
    if (e.value("type", "") == "signal" || e.value("type", "") == "exit")
      kinds.push_back(e["type"].get<std::string>() + " " + e.value("signal", ""));
  EXPECT_EQ(kinds, (std::vector<std::string>{"signal SIGTERM", "exit SIGTERM"}));
}

// A command that sends itself a signal that kills by default: the call that sent it returns,
// then the signal, then the end, on both backends (eBPF showed neither the signal nor the result).
TEST(Interrupt, SelfSentSigintIsShownBeforeTheEnd) {
  auto r = run_traced({"/bin/sh", "-c", "kill -INT $$"});
  EXPECT_EQ(r.status, 128 + SIGINT) << r.err;
  auto l = e2e::lines(r.trace);
  ASSERT_GE(l.size(), 3u) << r.trace;
  std::string sent = l[l.size() - 3], signal = l[l.size() - 2], end = l[l.size() - 1];
  EXPECT_TRUE(sent.find("kill(") != std::string::npos &&
              sent.find("SIGINT)") != std::string::npos && sent.size() >= 4 &&
              sent.compare(sent.size() - 4, 4, " = 0") == 0)
      << r.trace;
  EXPECT_EQ(signal.rfind("--- SIGINT {si_signo=SIGINT, ", 0), 0u) << r.trace;
  EXPECT_EQ(end, "+++ killed by SIGINT +++") << r.trace;
}

}  // namespace
}  // namespace e2e
