#include "backends/ptrace/tracer.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "backends/common/launch.h"
#include "backends/ptrace/wait_status.h"
#include "core/fdinfo.h"
#include "core/interrupt.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "syscalls/capture.h"
#include "syscalls/table.h"

namespace dtruss {
namespace {

pid_t g_waker = -1;

// Runs in a signal handler: the waker's death makes the tracer's waitpid() return at once.
void wake_tracer() {
  pid_t w = g_waker;
  if (w > 0) kill(w, SIGKILL);
}

// A child that only waits to be killed. The tracer blocks in waitpid(-1); a stop request (from a
// signal handler) kills this child, and its death ends the wait without any race.
pid_t start_waker() {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);  // dtruss died before the line above: never outlive it
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
    for (;;) pause();
  }
  return pid;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// A numeric line ("Tgid:", "TracerPid:") of /proc/TID/status; 0 if absent or the thread is gone.
pid_t status_field(pid_t tid, const char* key) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  std::string line;
  size_t n = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0) return static_cast<pid_t>(std::atoi(line.c_str() + n));
  }
  return 0;
}

pid_t read_tgid(pid_t tid) {
  return status_field(tid, "Tgid:");
}

// The state letter of /proc/TID/stat (R, S, Z, X...), '?' when it cannot be read.
char task_state(pid_t tid) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');  // after the name, which may hold anything
  return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
}

// Why PTRACE_SEIZE of thread `tid` of process `pid` was refused with EPERM, in words that say
// what to do: the cause found, not a guess.
std::string eperm_reason(pid_t pid, pid_t tid) {
  if (char state = task_state(tid); state == 'Z' || state == 'X') {
    if (tid == pid && list_tasks(pid).size() > 1)
      return " (its main thread has exited; the process runs on in its other threads, but ptrace "
             "attaches to a process through its main thread)";
    return " (it has exited: a zombie until its parent, PID " +
           std::to_string(status_field(tid, "PPid:")) + ", collects its exit status)";
  }
  if (pid_t tracer = status_field(tid, "TracerPid:"); tracer != 0) {
    std::string comm;
    std::ifstream in("/proc/" + std::to_string(tracer) + "/comm");
    std::getline(in, comm);
    return " (it is already traced by PID " + std::to_string(tracer) +
           (comm.empty() ? "" : " (" + comm + ")") +
           ", and a process has only one ptrace tracer: stop that one, or use --backend=bpf)";
  }
  // Yama, where the kernel has it: scope 1 lets a user attach only to its own descendants, 2 only
  // root, 3 nobody.
  std::ifstream yama("/proc/sys/kernel/yama/ptrace_scope");
  int scope = -1;
  if (!(yama >> scope)) scope = -1;
  if (scope >= 3)
    return " (ptrace is disabled: /proc/sys/kernel/yama/ptrace_scope is " + std::to_string(scope) +
           "; use --backend=bpf)";
  if (geteuid() != 0) {
    struct stat st {};
    bool own = stat(("/proc/" + std::to_string(tid)).c_str(), &st) == 0 && st.st_uid == geteuid();
    if (own && scope >= 1)
      return " (ptrace is restricted: /proc/sys/kernel/yama/ptrace_scope is " +
             std::to_string(scope) + "; try sudo)";
    return own ? " (the kernel refused it: it may have changed its privileges; try sudo)"
               : " (it belongs to another user: try sudo)";
  }
  return " (the kernel refused it to root: a security module such as SELinux or AppArmor, or "
         "lockdown; --backend=bpf may still work)";
}

bool is_exec(uint64_t nr) {
  return nr == SYS_execve || nr == SYS_execveat;
}
bool never_returns(uint64_t nr) {
  return nr == SYS_exit || nr == SYS_exit_group;
}

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

}  // namespace

PtraceTracer::PtraceTracer(TraceTarget target, EventConsumer& out)
    : cfg_(std::move(target)), out_(out) {
  for (long nr : cfg_.syscalls) {
    if (nr < 0) continue;
    if (static_cast<size_t>(nr) >= selected_.size()) selected_.resize(static_cast<size_t>(nr) + 1);
    selected_[static_cast<size_t>(nr)] = true;
  }
  if (cfg_.stack_depth > 0) stacks_ = std::make_unique<StackUnwinder>(cfg_.stack_depth);
}

PtraceTracer::~PtraceTracer() {
  // Never leave a tracee stopped, whatever ended the trace (an exception included).
  if (!threads_.empty()) detach_all();
  for (auto& [tid, t] : threads_)
    if (t.schedstat_fd >= 0) close(t.schedstat_fd);
  if (waker_ > 0) {
    kill(waker_, SIGKILL);
    waitpid(waker_, nullptr, __WALL);
  }
  g_waker = -1;
  if (exec_error_fd_ >= 0) close(exec_error_fd_);
}

uint64_t PtraceTracer::now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

int PtraceTracer::run() {
  use_seccomp_ = !cfg_.command.empty() && !cfg_.syscalls.empty();
  ptrace_options_ = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE;
  // Under the -t seccomp filter (SECCOMP_RET_TRACE) a filtered call of a process without a
  // tracer fails with ENOSYS, and children inherit the filter: they are traced (silently unless
  // -f), and the command is killed with dtruss rather than left to run broken.
  if (cfg_.follow_forks || use_seccomp_)
    ptrace_options_ |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
  if (use_seccomp_) ptrace_options_ |= PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;

  if (!cfg_.command.empty()) {
    start_command();
  } else {
    attach_all();
  }
  set_wake_hook(wake_tracer);

  loop();

  if (stop_requested() && !threads_.empty()) detach_all();

  // An execve that failed in the child (after dtruss's own checks passed).
  if (exec_error_fd_ >= 0) {
    int err = 0;
    if (read(exec_error_fd_, &err, sizeof(err)) == sizeof(err) && !child_execed_) {
      std::string path, unused;
      if (!resolve_command(cfg_.command[0], &path, &unused)) path = cfg_.command[0];
      throw TraceError(
          exec_failure(cfg_.command[0], path, err, cfg_.run_as ? &*cfg_.run_as : nullptr), 2);
    }
  }
  if (child_ < 0) return 0;
  if (child_status_ >= 0) return exit_status_of(child_status_);
  // The command outlived the trace: dtruss detached from it and it runs on.
  switch (stop_reason()) {
    case StopReason::OutputClosed:
      return 128 + SIGPIPE;
    case StopReason::Signal:
      return 128 + stop_signal();
    default:
      return 1;
  }
}

bool PtraceTracer::keep_tracing_after_signal() {
  // With -p, the first signal detaches. A command dtruss started is dtruss's own: the first
  // SIGINT, SIGTERM or SIGHUP is passed on to it (unless the terminal already sent it to the
  // whole foreground group) and the trace goes on, so that its end is seen; a second one
  // detaches.
  // A command under the -t filter cannot run untraced (see run()): when the output fails or
  // its reader leaves, it is traced on, with nothing shown, to its end.
  if (child_ >= 0 && use_seccomp_ && stop_reason() != StopReason::Signal) return true;
  if (child_ < 0 || stop_reason() != StopReason::Signal) return false;
  if (stop_signal_count() > 1) {
    // A command under the -t filter cannot run untraced: the second signal ends it instead.
    if (!use_seccomp_) return false;
    if (!filtered_killed_) {
      filtered_killed_ = true;
      std::set<pid_t> processes;
      for (const auto& [tid, th] : threads_) processes.insert(th.tgid);
      for (pid_t p : processes) kill(p, SIGKILL);
      out_.on_notice({now_ns(),
                      "ended the command with SIGKILL: under the -t filter it cannot "
                      "run untraced (its filtered calls would fail with ENOSYS)"});
    }
    return true;
  }
  if (!signal_passed_on_) {
    signal_passed_on_ = true;
    if (stop_signal_from_process()) kill(child_, stop_signal());
  }
  return true;
}

void PtraceTracer::unfollowed(Thread& n) {
  if (cfg_.follow_forks) return;
  // Without -f a new process is not traced; but under the -t filter, which it inherits, it
  // cannot run untraced: it stays traced, and nothing of it is shown.
  if (use_seccomp_)
    n.emit = false;
  else
    n.detach_at_first_stop = true;
}

void PtraceTracer::start_command() {
  std::string path, error;
  if (!resolve_command(cfg_.command[0], &path, &error)) throw TraceError(error, 2);
  LaunchSpec spec;
  spec.path = path;
  spec.argv = cfg_.command;
  if (use_seccomp_) {
    spec.seccomp_syscalls = cfg_.syscalls;
    // The tracer must see the command's execve to know where its own set-up ends.
    spec.seccomp_syscalls.push_back(SYS_execve);
    spec.seccomp_syscalls.push_back(SYS_execveat);
  }
  spec.run_as = cfg_.run_as ? &*cfg_.run_as : nullptr;
  Launched l = launch_stopped(spec);
  child_ = l.pid;
  exec_error_fd_ = l.exec_error_fd;
  if (ptrace(PTRACE_SEIZE, child_, nullptr, ptrace_options_) != 0) {
    int err = errno;
    kill(child_, SIGKILL);
    waitpid(child_, nullptr, 0);
    throw TraceError(
        "cannot trace the command: PTRACE_SEIZE: " + errno_text(err) +
        (err == EPERM ? " (is ptrace restricted? see /proc/sys/kernel/yama/ptrace_scope)" : ""));
  }
  Thread& t = add_thread(child_, false);
  t.emit = false;  // dtruss's own set-up in the child is not shown; the trace starts at execve
  ++processes_seen_;
  // It is in a group-stop from its own SIGSTOP: the seize reports that as its first stop, and
  // SIGCONT ends the group-stop for good once we resume it.
  kill(child_, SIGCONT);
}

void PtraceTracer::attach_all() {
  // Check every PID first: nothing is attached when one of them is wrong.
  // A thread's id names its process: all of its threads are traced, as with eBPF.
  for (pid_t& pid : cfg_.attach) pid = traceable_process(pid);
  for (pid_t pid : cfg_.attach) attach_process(pid);
}

void PtraceTracer::attach_process(pid_t pid) {
  // Threads may be created while we attach: repeat until a pass finds no new thread. Threads
  // created by an already-seized thread are attached by the kernel (PTRACE_O_TRACECLONE).
  bool added = true;
  size_t count = 0;
  while (added) {
    added = false;
    for (pid_t tid : list_tasks(pid)) {
      if (threads_.count(tid) != 0) continue;
      if (ptrace(PTRACE_SEIZE, tid, nullptr, ptrace_options_) != 0) {
        int err = errno;
        if (err == ESRCH) continue;  // the thread exited meanwhile
        std::string why = "cannot attach to PID " + std::to_string(pid) + ": " + errno_text(err);
        if (err == EPERM) why += eperm_reason(pid, tid);
        throw TraceError(why, 2);
      }
      add_thread(tid, true);
      ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
      added = true;
      ++count;
    }
  }
  if (count == 0) throw TraceError("no process with PID " + std::to_string(pid), 2);
  ++processes_seen_;
  Thread& leader = threads_.count(pid) ? threads_[pid] : threads_.begin()->second;
  out_.on_notice({now_ns(), "attached to process " + std::to_string(pid) + " (" +
                                std::string(leader.comm.data()) + "), " + std::to_string(count) +
                                (count == 1 ? " thread" : " threads")});
}

PtraceTracer::Thread& PtraceTracer::add_thread(pid_t tid, bool attached) {
  Thread& t = threads_[tid];
  t.tid = tid;
  t.tgid = read_tgid(tid);
  if (t.tgid == 0) t.tgid = tid;
  t.attached = attached;
  t.fresh = true;
  refresh_comm(t);
  return t;
}

void PtraceTracer::refresh_comm(Thread& t) {
  t.comm.fill(0);
  std::string path = "/proc/" + std::to_string(t.tid) + "/comm";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, t.comm.data(), t.comm.size() - 1);
  close(fd);
  if (n > 0 && t.comm[static_cast<size_t>(n) - 1] == '\n') t.comm[static_cast<size_t>(n) - 1] = 0;
}

// The thread's on-CPU time in ns (se.sum_exec_runtime, the value behind its CPU clock); exact at
// a ptrace stop, since the kernel updates it when the thread is switched out.
uint64_t PtraceTracer::cpu_clock(Thread& t) {
  if (t.schedstat_fd < 0) {
    std::string path =
        "/proc/" + std::to_string(t.tgid) + "/task/" + std::to_string(t.tid) + "/schedstat";
    t.schedstat_fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (t.schedstat_fd < 0) return kUnknown;
  }
  char buf[96];
  ssize_t n = pread(t.schedstat_fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return kUnknown;
  buf[n] = 0;
  return std::strtoull(buf, nullptr, 10);
}

namespace {
void on_flush_timer(int) {}  // only interrupts the tracer's blocking waitpid (EINTR)
}  // namespace

// When no stop is pending the trace so far is written out, but at most every kFlushEvery: a
// write per stop would cost a cheap call's tracing half again. Output held back is written when
// a one-shot timer interrupts the wait, so a tracee that then blocks still has its trace shown.
void PtraceTracer::idle() {
  constexpr uint64_t kFlushEvery = 10'000'000;  // ns
  uint64_t now = now_ns();
  if (now - last_flush_ns_ >= kFlushEvery) {
    out_.idle();
    last_flush_ns_ = now;
    return;
  }
  if (now < flush_timer_ns_) return;  // the timer is set and runs
  itimerval t{};
  t.it_value.tv_usec = static_cast<suseconds_t>(kFlushEvery / 1000);
  setitimer(ITIMER_REAL, &t, nullptr);
  flush_timer_ns_ = now + kFlushEvery;
}

void PtraceTracer::loop() {
  struct sigaction sa {};
  sa.sa_handler = on_flush_timer;  // no SA_RESTART: waitpid returns EINTR
  sigaction(SIGALRM, &sa, nullptr);
  struct TimerOff {
    ~TimerOff() {
      itimerval off{};
      setitimer(ITIMER_REAL, &off, nullptr);
    }
  } timer_off;
  while (!threads_.empty()) {
    if (stop_requested() && !keep_tracing_after_signal()) return;
    if (waker_ < 0) {  // the first one died waking us
      waker_ = start_waker();
      g_waker = waker_;
    }
    int status = 0;
    pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
    if (tid == 0) {  // nothing pending: write out the trace so far, then block
      idle();
      tid = waitpid(-1, &status, __WALL);
    }
    if (tid < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) return;
      throw TraceError("waitpid: " + errno_text(errno));
    }
    handle(tid, status);
  }
}

void PtraceTracer::resume(Thread& t, int sig) {
  // With the -t seccomp filter, only filtered calls stop (at entry, as seccomp stops); their
  // exits are caught with PTRACE_SYSCALL. Without it, every entry and exit stops.
  int req = (use_seccomp_ && !t.in_syscall) ? PTRACE_CONT : PTRACE_SYSCALL;
  ptrace(static_cast<__ptrace_request>(req), t.tid, nullptr, reinterpret_cast<void*>(long{sig}));
}

void PtraceTracer::handle(pid_t tid, int status) {
  WaitStatus ws(status);
  if (tid == waker_) {
    if (ws.kind() == WaitStatus::Kind::Exited || ws.kind() == WaitStatus::Kind::Killed) {
      waker_ = -1;
      g_waker = -1;
    }
    return;
  }
  if (ws.kind() == WaitStatus::Kind::Exited || ws.kind() == WaitStatus::Kind::Killed) {
    on_gone(tid, status);
    return;
  }
  auto it = threads_.find(tid);
  if (it == threads_.end()) {
    // A new tracee whose first stop arrived before its creator's fork/clone event.
    pid_t tgid = read_tgid(tid);
    bool known_process = false;
    for (const auto& [other, th] : threads_) known_process |= th.tgid == tgid;
    gone_unannounced_.erase(tid);  // (a TID used again)
    Thread& n = add_thread(tid, false);
    n.announced = false;
    if (!known_process) {
      ++processes_seen_;
      unfollowed(n);
    } else {  // a thread of a hidden process is hidden too
      for (const auto& [other, th] : threads_)
        if (th.tgid == tgid && other != tid) n.emit = th.emit;
    }
    it = threads_.find(tid);
  }
  Thread& t = it->second;

  switch (ws.kind()) {
    case WaitStatus::Kind::SyscallStop:
      on_syscall_stop(t);
      resume(t);
      return;
    case WaitStatus::Kind::EventStop:
      if (ws.event() == PTRACE_EVENT_STOP) {
        // PTRACE_INTERRUPT, a new tracee's first stop, or the end of a group-stop: run on.
        if (t.fresh && t.detach_at_first_stop) {
          ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
          drop_thread(tid);
          return;
        }
        t.fresh = false;
        t.group_stopped = false;
        resume(t);
        return;
      }
      on_event(t, ws.event(), status);
      return;
    case WaitStatus::Kind::GroupStop:
      if (t.fresh) {
        t.fresh = false;
        if (t.detach_at_first_stop) {
          ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
          drop_thread(tid);
          return;
        }
        // A new tracee's first stop looks like a SIGSTOP group-stop: run on. A process attached
        // with -p while it was stopped stays stopped (it was like that before us).
        if (!t.attached) {
          resume(t);
          return;
        }
        t.group_stopped = true;
        ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
        return;
      }
      if (!t.group_stopped && t.emit)
        out_.on_stop({{t.tgid, t.tid, t.comm}, now_ns(), ws.stop_signal()});
      t.group_stopped = true;
      // Stay stopped, as without a tracer, yet report when SIGCONT (or a kill) arrives.
      ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
      return;
    case WaitStatus::Kind::SignalDelivery: {
      int sig = ws.stop_signal();
      t.fresh = false;
      if (t.emit) {
        SignalEvent ev;
        ev.task = {t.tgid, t.tid, t.comm};
        ev.ts_ns = now_ns();
        ev.signo = sig;
        siginfo_t si{};
        if (ptrace(PTRACE_GETSIGINFO, tid, nullptr, &si) == 0) ev.set_info(si);
        out_.on_signal(ev);
      }
      resume(t, sig);  // deliver it, as it would have been without us
      return;
    }
    default:
      resume(t);
      return;
  }
}

void PtraceTracer::on_syscall_stop(Thread& t) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, t.tid, reinterpret_cast<void*>(sizeof(info)), &info) <= 0)
    return;
  t.fresh = false;
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
    on_entry(t, info.entry.nr, reinterpret_cast<const uint64_t*>(info.entry.args));
  } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
    on_exit(t, info.exit.rval);
  }
}

void PtraceTracer::on_seccomp_stop(Thread& t) {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, t.tid, reinterpret_cast<void*>(sizeof(info)), &info) <= 0)
    return;
  if (info.op == PTRACE_SYSCALL_INFO_SECCOMP)
    on_entry(t, info.seccomp.nr, reinterpret_cast<const uint64_t*>(info.seccomp.args));
}

void PtraceTracer::on_entry(Thread& t, uint64_t nr, const uint64_t* args) {
  if (!t.emit && t.tid == child_ && is_exec(nr)) t.emit = true;  // the command starts here
  SyscallEvent& ev = t.pending;
  ev.captures.clear();
  ev.before.clear();
  ev.task = {t.tgid, t.tid, t.comm};
  ev.enter_ns = now_ns();
  ev.exit_ns = 0;
  ev.cpu_ns = kUnknown;
  ev.nr = static_cast<long>(nr);
  for (int i = 0; i < 6; ++i) ev.args[static_cast<size_t>(i)] = args[i];
  ev.ret = 0;
  ev.end = SyscallEvent::End::Returned;
  ev.live = nullptr;
  for (auto& note : ev.fd_notes) note.clear();
  ev.stack.clear();
  t.in_syscall = true;
  t.renames = nr == SYS_prctl && args[0] == PR_SET_NAME;  // shown or not
  bool wanted = selected_.empty() || (nr < selected_.size() && selected_[static_cast<size_t>(nr)]);
  if (!t.emit || !wanted) {
    t.pending.nr = -1;  // not shown: the exit is only bookkeeping
    return;
  }
  if (cfg_.cpu_time) t.cpu_at_entry = cpu_clock(t);
  capture_entry(t);
  if (cfg_.describe_fds) describe_fds(t, false);
  if (stacks_) capture_stack(t);
  if (never_returns(nr)) {
    ev.end = SyscallEvent::End::NoReturn;
    out_.on_syscall(ev);
    t.in_syscall = false;
  }
}

namespace {

// The bytes (or elements) a Bytes step copies at entry: by its length rule (table.h), or `max`.
uint64_t step_length(const CaptureStep& s, const uint64_t* args, const MemoryReader& mem) {
  if (s.len >= 0 && s.len < kMaxArgs) return args[s.len];
  for (int i = 0; i < kMaxArgs; ++i) {
    if (s.len == len_at(i)) {
      int32_t n = 0;
      return mem.read(args[i], &n, sizeof n) == sizeof n && n > 0 ? static_cast<uint64_t>(n) : 0;
    }
    if (s.len == len_pages(i)) return args[i] / kPageSize + (args[i] % kPageSize != 0 ? 1 : 0);
  }
  return s.max;
}

}  // namespace

namespace {

// Runs `n` steps of a plan on the stopped thread's memory, into `into`.
void run_steps(const CaptureStep* steps, uint8_t n, const uint64_t* args, const MemoryReader& mem,
               CaptureStore& into) {
  std::string buf;
  for (uint8_t i = 0; i < n; ++i) {
    const CaptureStep& s = steps[i];
    uint64_t addr = args[s.arg];
    if (addr == 0) continue;
    switch (s.shape) {
      case CaptureShape::CString: {
        bool terminated = false;
        if (mem.read_cstring(addr, buf, s.max, &terminated))
          into.add(addr, buf.data(), buf.size() + (terminated ? 1 : 0));
        // (the NUL, when present, is captured too, so the decoder sees where it ends)
        break;
      }
      case CaptureShape::Bytes: {
        uint64_t len = step_length(s, args, mem);
        if (s.elem != 0) len *= s.elem;
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, s.max));
        buf.resize(want);
        size_t got = mem.read(addr, buf.data(), want);
        into.add(addr, buf.data(), got);
        break;
      }
      case CaptureShape::StringArray:
      case CaptureShape::PointerArray: {
        std::vector<uint64_t> ptrs;
        for (uint32_t k = 0; k <= s.max_items; ++k) {
          uint64_t p = 0;
          if (!mem.read_u64(addr + 8ull * k, &p)) break;
          ptrs.push_back(p);
          if (p == 0) break;
        }
        into.add(addr, ptrs.data(), ptrs.size() * 8);
        if (s.shape == CaptureShape::PointerArray) break;
        for (uint64_t p : ptrs) {
          if (p == 0) break;
          bool terminated = false;
          if (mem.read_cstring(p, buf, s.max, &terminated))
            into.add(p, buf.data(), buf.size() + (terminated ? 1 : 0));
        }
        break;
      }
    }
  }
}

}  // namespace

// In-arguments now, and the in-values of in/out arguments (the call overwrites them).
void PtraceTracer::capture_entry(Thread& t) {
  SyscallEvent& ev = t.pending;
  const CapturePlan& plan = capture_plan(ev.nr, ev.args.data());
  if (plan.n_entry == 0 && plan.n_before == 0) return;
  LiveMemory mem(t.tid);
  run_steps(plan.entry, plan.n_entry, ev.args.data(), mem, ev.captures);
  run_steps(plan.before, plan.n_before, ev.args.data(), mem, ev.before);
}

// -s: the stack of the call, unwound now (at entry) from the stopped thread's registers.
void PtraceTracer::capture_stack(Thread& t) {
  user_regs_struct r{};
  if (ptrace(PTRACE_GETREGS, t.tid, nullptr, &r) != 0) return;
  UserRegs regs;
  regs.all = true;
  // DWARF register numbers 0-15 (x86-64 psABI): rax rdx rcx rbx rsi rdi rbp rsp r8-r15.
  regs.gp = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
             r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  regs.ip = r.rip;
  LiveMemory mem(t.tid);
  stacks_->unwind(t.tgid, t.tid, regs, mem, &t.pending.stack);
}

// -y: /proc tells what the fd arguments refer to at entry (before a close), and the new fd a
// call returned at exit. The thread's own /proc entry: a thread may have unshared its fd table.
void PtraceTracer::describe_fds(Thread& t, bool at_exit) {
  SyscallEvent& ev = t.pending;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (info == nullptr) return;
  if (at_exit) {
    if (info->ret == RetKind::Fd && ev.ret >= 0)
      ev.fd_notes[kMaxArgs] = describe_fd(t.tid, static_cast<int>(ev.ret));
    return;
  }
  for (int i = 0; i < info->nargs; ++i) {
    ArgKind k = info->args[i].kind;
    auto fd = static_cast<int32_t>(ev.args[static_cast<size_t>(i)]);
    if ((k == ArgKind::Fd || k == ArgKind::Dirfd) && fd >= 0)
      ev.fd_notes[static_cast<size_t>(i)] = describe_fd(t.tid, fd);
  }
}

void PtraceTracer::on_exit(Thread& t, int64_t rval) {
  if (!t.in_syscall) return;  // an exit whose entry came before we attached
  t.in_syscall = false;
  if (t.tid == child_ && !child_execed_ && t.emit && rval < 0) {
    // The command's execve failed: it never started, and what follows is dtruss's own launcher
    // reporting the error (run() says it). Nothing of it is shown.
    t.emit = false;
    return;
  }
  if (t.renames) {  // the name the kernel knows it by from now on (in this call's event too)
    t.renames = false;
    refresh_comm(t);
  }
  SyscallEvent& ev = t.pending;
  if (ev.nr < 0) return;
  ev.exit_ns = now_ns();
  ev.ret = rval;
  ev.end = SyscallEvent::End::Returned;
  if (cfg_.cpu_time) {
    uint64_t now = cpu_clock(t);
    ev.cpu_ns = (now != kUnknown && t.cpu_at_entry != kUnknown) ? now - t.cpu_at_entry : kUnknown;
  }
  ev.task.comm = t.comm;  // after a successful execve: the new program's name
  if (stacks_ && (ev.nr == SYS_mmap || ev.nr == SYS_munmap || ev.nr == SYS_mremap))
    stacks_->mappings_changed(t.tgid);
  if (cfg_.describe_fds) describe_fds(t, true);
  LiveMemory live(t.tid);
  ev.live = &live;
  out_.on_syscall(ev);
  ev.live = nullptr;
}

void PtraceTracer::finish_unfinished(Thread& t) {
  if (!t.in_syscall) return;
  t.in_syscall = false;
  if (t.pending.nr < 0 || !t.emit) return;
  t.pending.end = SyscallEvent::End::Unfinished;
  t.pending.exit_ns = 0;
  t.pending.live = nullptr;
  out_.on_syscall(t.pending);
}

void PtraceTracer::on_event(Thread& t, int event, int /*status*/) {
  unsigned long msg = 0;
  switch (event) {
    case PTRACE_EVENT_SECCOMP:
      on_seccomp_stop(t);
      resume(t);
      return;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE: {
      ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &msg);
      auto child = static_cast<pid_t>(msg);
      if (auto it = threads_.find(child); it != threads_.end()) it->second.announced = true;
      if (gone_unannounced_.erase(child) > 0) {
        // It ran and ended before this event was seen: nothing to add.
      } else if (child > 0 && threads_.count(child) == 0) {
        Thread& n = add_thread(child, false);
        if (n.tgid != t.tgid) {
          ++processes_seen_;
          unfollowed(n);
        } else {
          n.emit = t.emit;
        }
      }
      resume(t);
      return;
    }
    case PTRACE_EVENT_EXEC: {
      ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &msg);
      auto former = static_cast<pid_t>(msg);
      if (former != t.tid) {
        // A non-leader thread called execve: the kernel gave it the leader's tid, and the old
        // leader vanished (killed by the exec, with no death report of its own).
        auto it = threads_.find(former);
        if (it != threads_.end()) {
          finish_unfinished(t);  // the old leader's call in progress, if any
          Thread moved = std::move(it->second);
          threads_.erase(it);
          if (t.schedstat_fd >= 0) close(t.schedstat_fd);
          if (moved.schedstat_fd >= 0) close(moved.schedstat_fd);
          moved.schedstat_fd = -1;
          moved.tid = t.tid;
          moved.pending.task.tid = t.tid;
          t = std::move(moved);
        }
      }
      refresh_comm(t);
      if (stacks_) stacks_->forget(t.tgid);  // a new program: new mappings
      if (t.schedstat_fd >= 0) {
        close(t.schedstat_fd);
        t.schedstat_fd = -1;
      }
      if (t.tid == child_) child_execed_ = true;
      resume(t);
      return;
    }
    default:
      resume(t);
      return;
  }
}

void PtraceTracer::on_gone(pid_t tid, int status) {
  if (tid == child_) child_status_ = status;
  auto it = threads_.find(tid);
  if (it == threads_.end()) return;
  Thread& t = it->second;
  finish_unfinished(t);
  if (t.tid == t.tgid && t.emit) {
    ExitEvent ev;
    ev.task = {t.tgid, t.tid, t.comm};
    ev.ts_ns = now_ns();
    ev.signaled = WIFSIGNALED(status);
    ev.code = ev.signaled ? WTERMSIG(status) : WEXITSTATUS(status);
    ev.core_dumped = ev.signaled && WCOREDUMP(status);
    out_.on_exit(ev);
  }
  if (stacks_ && t.tid == t.tgid) stacks_->forget(t.tgid);
  if (!t.announced) gone_unannounced_.insert(tid);
  drop_thread(tid);
}

void PtraceTracer::drop_thread(pid_t tid) {
  auto it = threads_.find(tid);
  if (it == threads_.end()) return;
  if (it->second.schedstat_fd >= 0) close(it->second.schedstat_fd);
  threads_.erase(it);
}

void PtraceTracer::detach_all() {
  // A tracee can be detached only while it is in a ptrace-stop: interrupt every thread, then
  // detach each at its next stop, passing on a signal that was about to be delivered. A thread
  // in a group-stop is detached in it and stays stopped, as it would be without us.
  for (auto& [tid, t] : threads_) ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  std::vector<pid_t> tids;
  for (auto& [tid, t] : threads_) tids.push_back(tid);
  size_t detached = 0;
  for (pid_t tid : tids) {
    auto it = threads_.find(tid);
    if (it == threads_.end()) continue;
    while (true) {
      int status = 0;
      pid_t r = waitpid(tid, &status, __WALL);
      if (r < 0) {
        if (errno == EINTR) continue;
        drop_thread(tid);  // already gone
        break;
      }
      WaitStatus ws(status);
      if (ws.kind() == WaitStatus::Kind::Exited || ws.kind() == WaitStatus::Kind::Killed) {
        on_gone(tid, status);
        break;
      }
      int sig = ws.kind() == WaitStatus::Kind::SignalDelivery ? ws.stop_signal() : 0;
      if (ws.kind() == WaitStatus::Kind::EventStop && ws.event() != PTRACE_EVENT_STOP) {
        // A fork/clone event: the new tracee must be detached too (picked up below).
        unsigned long msg = 0;
        ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &msg);
      }
      auto found = threads_.find(tid);
      if (found != threads_.end()) finish_unfinished(found->second);
      ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(long{sig}));
      drop_thread(tid);
      ++detached;
      break;
    }
  }
  // Tracees that were born while we detached (auto-attached children): detach them as well.
  while (true) {
    int status = 0;
    pid_t r = waitpid(-1, &status, __WALL | WNOHANG);
    if (r <= 0) break;
    if (r == waker_) {
      waker_ = -1;
      g_waker = -1;
      continue;
    }
    if (r == child_ && (WIFEXITED(status) || WIFSIGNALED(status))) child_status_ = status;
    if (WIFSTOPPED(status)) {
      WaitStatus ws(status);
      int sig = ws.kind() == WaitStatus::Kind::SignalDelivery ? ws.stop_signal() : 0;
      ptrace(PTRACE_DETACH, r, nullptr, reinterpret_cast<void*>(long{sig}));
    }
  }
  threads_.clear();
  out_.on_notice({now_ns(), "detached from " + std::to_string(processes_seen_) +
                                (processes_seen_ == 1 ? " process" : " processes") + " (" +
                                std::to_string(detached) +
                                (detached == 1 ? " thread" : " threads") + ")"});
}

}  // namespace dtruss
