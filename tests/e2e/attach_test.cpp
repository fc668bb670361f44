// -p and -W at their edges: what cannot be traced is refused with one line that names the cause
// (exit 2), a thread's id traces its process, and a process that ends while dtruss attaches, or
// before dtruss's next look, never leaves dtruss waiting. Each test runs on both backends (the
// suite is registered twice, with DTRUSS_BACKEND), except where it names one.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// Waits until `pid`'s state is `state`; false after `timeout_ms`.
bool wait_for_state(pid_t pid, char state, int timeout_ms = 10000) {
  for (uint64_t end = now_ms() + static_cast<uint64_t>(timeout_ms); now_ms() < end; usleep(5000))
    if (proc_state(pid) == state) return true;
  return false;
}

TEST(AttachRefusal, ZombieIsRefusedWithItsCause) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  ChildGuard guard{child};  // reaped at the end: a zombie until then
  ASSERT_TRUE(wait_for_state(child, 'Z'));
  auto r = run_dtruss({"-p", std::to_string(child)}, 20);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.err, "dtruss: PID " + std::to_string(child) +
                       " has exited (a zombie, not yet reaped by its parent " +
                       std::to_string(getpid()) + "): it makes no more system calls\n");
}

TEST(AttachRefusal, KernelThreadIsRefused) {
  ASSERT_EQ(read_file("/proc/2/comm"), "kthreadd\n") << "PID 2 is not the kernel's thread here";
  auto r = run_dtruss({"-p", "2"}, 20);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.err,
            "dtruss: PID 2 is a kernel thread: it makes no system calls that can be traced\n");
}

TEST(AttachRefusal, DtrussItselfIsRefused) {
  // The shell's PID becomes dtruss's when it execs it.
  auto r = e2e::run({"/bin/sh", "-c", "exec '" + e2e::dtruss_bin() + "' -p $$"}, 20);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(" is dtruss itself: it cannot trace itself\n"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(AttachThread, ThreadIdTracesItsWholeProcess) {
  std::string dir = temp_dir();
  ChildGuard proc{spawn({fixture("threaded_sleeper"), "2"}, dir + "/out", "")};
  ASSERT_GT(proc.pid, 0);
  // Its second thread: the one whose id is not the process's.
  pid_t thread = -1;
  for (uint64_t end = now_ms() + 10000; thread < 0 && now_ms() < end; usleep(5000))
    for (const auto& e : std::filesystem::directory_iterator(
             "/proc/" + std::to_string(proc.pid) + "/task", std::filesystem::directory_options{}))
      if (auto tid = static_cast<pid_t>(std::stol(e.path().filename())); tid != proc.pid)
        thread = tid;
  ASSERT_GT(thread, 0) << "the fixture's second thread never started";
  auto r = run_traced({"--json", "-t", "getppid", "-p", std::to_string(thread)}, 30);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.trace.find("attached to process " + std::to_string(proc.pid) + " (threaded_sleepe"),
            std::string::npos)
      << r.trace;
  std::set<long> pids, tids;
  for (const auto& e : syscalls(json_lines(r.trace), "getppid")) {
    pids.insert(e.value("pid", -1L));
    tids.insert(e.value("tid", -1L));
  }
  EXPECT_EQ(pids, std::set<long>{proc.pid}) << r.trace;
  EXPECT_EQ(tids, (std::set<long>{proc.pid, thread})) << "both threads' calls\n" << r.trace;
  EXPECT_NE(wait_for(proc.pid, 10000), -1);
  proc.pid = -1;
}

TEST(AttachRace, ProcessesEndingWhileDtrussAttachesNeverLeaveItWaiting) {
  // Each process ends at a random moment of dtruss's start-up: before it looks (refused, a
  // zombie), while it attaches (said so), or after (traced to its end). Every run ends.
  std::mt19937 rng(12345);
  for (int i = 0; i < 25; ++i) {
    std::string delay = "0.0" + std::to_string(rng() % 60 / 10) + std::to_string(rng() % 10);
    ChildGuard proc{spawn({"/bin/sleep", delay}, "", "")};
    ASSERT_GT(proc.pid, 0);
    auto r = run_dtruss({"-p", std::to_string(proc.pid)}, 10);
    ASSERT_TRUE(r.status == 0 || r.status == 2)
        << "run " << i << " (sleep " << delay << "): status " << r.status << "\n"
        << r.err;
    EXPECT_NE(wait_for(proc.pid, 10000), -1);
    proc.pid = -1;
  }
}

// -W: a process of that name that comes and goes between two of dtruss's looks still ends the
// wait. (eBPF sees it from its exec; ptrace polls /proc and may miss a process this short.)
TEST(BpfAwaitName, ShortLivedProcessEndsTheWait) {
  std::string dir = temp_dir();
  std::string name = "zzw" + std::to_string(getpid() % 100000);
  std::string prog = dir + "/" + name;
  std::filesystem::copy_file(fixture("exit3"), prog);
  std::filesystem::permissions(prog, std::filesystem::perms::owner_all);
  ChildGuard tracer{
      spawn({e2e::dtruss_bin(), "--backend=bpf", "-W", name}, dir + "/trace", dir + "/dtruss.err")};
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_for_text(dir + "/dtruss.err", "waiting for a process named"))
      << read_file(dir + "/dtruss.err");
  auto r = e2e::run({prog}, 20);
  EXPECT_EQ(r.status, 3);
  int st = wait_for(tracer.pid, 10000);
  ASSERT_NE(st, -1) << "dtruss -W still waits after the process ended\n"
                    << read_file(dir + "/dtruss.err");
  tracer.pid = -1;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << read_file(dir + "/dtruss.err");
  EXPECT_NE(read_file(dir + "/dtruss.err").find("+++ exited with 3 +++"), std::string::npos)
      << read_file(dir + "/dtruss.err");
}

}  // namespace
}  // namespace e2e
