#include "backends/ptrace/tracer.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
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
#include "syscalls/capture_run.h"
#include "syscalls/table.h"
#include "util/clock.h"

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

bool is_exec(uint64_t nr) {
  return nr == SYS_execve || nr == SYS_execveat;
}
bool never_returns(uint64_t nr) {
  return nr == SYS_exit || nr == SYS_exit_group;
}

// Whether a call that succeeded put a seccomp filter on its thread: seccomp(SET_MODE_FILTER)
// or prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER).
bool puts_seccomp_filter(uint64_t nr, const uint64_t* args) {
  if (nr == SYS_seccomp) return args[0] == uint64_t{SECCOMP_SET_MODE_FILTER};
  return nr == SYS_prctl && args[0] == uint64_t{PR_SET_SECCOMP} &&
         args[1] == uint64_t{SECCOMP_MODE_FILTER};
}

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

}  // namespace

PtraceTracer::PtraceTracer(TraceTarget target, const CapturePlans& plans, EventConsumer& out)
    : target_(std::move(target)),
      plans_(plans),
      out_(out),
      affinity_(target_.tracer_cpu),
      stop_wait_(target_.tracer_spin_ns, usable_cpus()) {
  for (long nr : target_.syscalls) {
    if (nr < 0) continue;
    if (static_cast<size_t>(nr) >= selected_.size()) selected_.resize(static_cast<size_t>(nr) + 1);
    selected_[static_cast<size_t>(nr)] = true;
  }
  if (target_.stack_depth > 0) {
    stacks_ = std::make_unique<StackUnwinder>(target_.stack_depth);
    stacks_->join_warm_up();  // (before the command is forked)
  }
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
  return monotonic_ns();
}

int PtraceTracer::run() {
  // (Not when dtruss itself runs under a seccomp filter, a container's: the command inherits it.)
  use_seccomp_ = !target_.command.empty() && !target_.syscalls.empty() && !under_seccomp_filter();
  ptrace_options_ = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE;
  // Under the -t seccomp filter (SECCOMP_RET_TRACE) a filtered call of a process without a
  // tracer fails with ENOSYS, and children inherit the filter: they are traced (silently unless
  // -f), and the command is killed with dtruss rather than left to run broken.
  if (target_.follow_forks || use_seccomp_)
    ptrace_options_ |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
  if (use_seccomp_) ptrace_options_ |= PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;

  if (!target_.command.empty()) {
    start_command();
  } else {
    attach_all();
  }
  // Only now: the command forked above has the affinity dtruss had, untouched.
  affinity_.start();
  set_wake_hook(wake_tracer);

  loop();

  if (stop_requested() && !threads_.empty()) detach_all();

  // An execve that failed in the child (after dtruss's own checks passed).
  if (exec_error_fd_ >= 0) {
    int err = 0;
    if (read(exec_error_fd_, &err, sizeof(err)) == sizeof(err) && !child_execed_) {
      std::string path, unused;
      if (!resolve_command(target_.command[0], &path, &unused)) path = target_.command[0];
      throw TraceError(
          exec_failure(target_.command[0], path, err, target_.run_as ? &*target_.run_as : nullptr),
          2);
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

namespace {
volatile sig_atomic_t g_alarm = 0;
// Interrupts the tracer's blocking waitpid (EINTR), or tells its polling one (StopWait).
void on_flush_timer(int) {
  g_alarm = 1;
}

// SIGCHLD blocked while it lives (when `on`): a tracee's stop leaves it pending, for sigtimedwait.
struct SigchldBlocked {
  explicit SigchldBlocked(bool on) : on_(on) {
    if (!on_) return;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, &old_);
  }
  ~SigchldBlocked() {
    if (on_) sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  SigchldBlocked(const SigchldBlocked&) = delete;
  SigchldBlocked& operator=(const SigchldBlocked&) = delete;
  bool on_;
  sigset_t old_{};
};

// --top, --summary --interval: a periodic SIGALRM (the flush timer's handler) that interrupts the
// blocking waitpid every `period_ns`, so that an idle trace still ends its intervals.
struct IntervalTimer {
  explicit IntervalTimer(uint64_t period_ns) {
    if (period_ns == 0) return;
    sigevent sev{};
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGALRM;
    if (timer_create(CLOCK_MONOTONIC, &sev, &timer_) != 0) return;
    armed_ = true;
    itimerspec its{};
    its.it_value.tv_sec = static_cast<time_t>(period_ns / 1000000000);
    its.it_value.tv_nsec = static_cast<long>(period_ns % 1000000000);
    its.it_interval = its.it_value;
    timer_settime(timer_, 0, &its, nullptr);
  }
  ~IntervalTimer() {
    if (armed_) timer_delete(timer_);
  }
  IntervalTimer(const IntervalTimer&) = delete;
  IntervalTimer& operator=(const IntervalTimer&) = delete;
  timer_t timer_{};
  bool armed_ = false;
};
}  // namespace

// After each stop: the trace so far is written out at most every kFlushEvery (a write per stop
// would cost a cheap call's tracing half again). Output held back is written when a one-shot
// timer interrupts the wait, so a tracee that then blocks has its trace shown within
// kFlushEvery. (The loop blocks in one waitpid a stop: asking first whether a stop is pending,
// to write out then, cost a second waitpid a stop.)
void PtraceTracer::idle() {
  constexpr uint64_t kFlushEvery = 10'000'000;  // ns
  uint64_t now = now_ns();
  if (now - last_flush_ns_ >= kFlushEvery) {
    out_.idle();
    last_flush_ns_ = now;
    affinity_.check(last_stopped_, now);
    return;
  }
  if (now < flush_timer_ns_) return;  // the timer is set and runs
  itimerval t{};
  t.it_value.tv_usec = static_cast<suseconds_t>(kFlushEvery / 1000);
  setitimer(ITIMER_REAL, &t, nullptr);
  flush_timer_ns_ = now + kFlushEvery;
}

// --top, --summary --interval: the interval's end, handed to the consumer. A late one (a busy
// consumer) does not make up for those it missed: the next is an interval away.
void PtraceTracer::tick_if_due() {
  uint64_t now = now_ns();
  if (now < next_tick_ns_) return;
  out_.tick(now);
  next_tick_ns_ += target_.interval_ns;
  if (next_tick_ns_ <= now) next_tick_ns_ = now + target_.interval_ns;
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
  SigchldBlocked chld(!target_.inject.empty());  // (see wait_for_stop_or_deadline)
  IntervalTimer ticks(target_.interval_ns);
  next_tick_ns_ = now_ns() + target_.interval_ns;
  while (!threads_.empty()) {
    if (stop_requested() && !keep_tracing_after_signal()) return;
    if (target_.interval_ns != 0) tick_if_due();
    if (!delayed_.empty()) resume_due();
    if (waker_ < 0) {  // the first one died waking us
      waker_ = start_waker();
      g_waker = waker_;
    }
    int status = 0;
    pid_t tid = 0;
    if (delayed_.empty()) {
      tid = stop_wait_.wait(&status, g_alarm);
    } else {  // a thread delayed by --inject: wait for a stop or its deadline
      tid = waitpid(-1, &status, __WALL | WNOHANG);
      if (tid == 0) {
        idle();
        wait_for_stop_or_deadline();
        continue;
      }
    }
    if (tid < 0) {
      if (errno == EINTR) {  // the flush timer (or a stop request)
        idle();
        continue;
      }
      if (errno == ECHILD) return;
      throw TraceError(std::string("waitpid: ") + std::strerror(errno));
    }
    held_ = tid;
    held_status_ = status;
    handle(tid, status);
    held_ = 0;
    idle();
  }
}

void PtraceTracer::waker_died() {
  waker_ = -1;
  g_waker = -1;
}

void PtraceTracer::resume(Thread& t, int sig) {
  // With the -t seccomp filter, only filtered calls stop (at entry, as seccomp stops); their
  // exits are caught with PTRACE_SYSCALL. Without it, every entry and exit stops.
  int req = (use_seccomp_ && !own_filters_ && !t.in_syscall) ? PTRACE_CONT : PTRACE_SYSCALL;
  stop_wait_.resumed(t.tid, t.in_syscall ? t.pending.nr : -1, threads_.size());
  ptrace(static_cast<__ptrace_request>(req), t.tid, nullptr, reinterpret_cast<void*>(long{sig}));
}

void PtraceTracer::handle(pid_t tid, int status) {
  WaitStatus ws(status);
  if (tid == waker_) {
    if (ws.kind() == WaitStatus::Kind::Exited || ws.kind() == WaitStatus::Kind::Killed)
      waker_died();
    return;
  }
  if (ws.kind() == WaitStatus::Kind::Exited || ws.kind() == WaitStatus::Kind::Killed) {
    on_gone(tid, status);
    return;
  }
  auto it = threads_.find(tid);
  Thread& t = it != threads_.end() ? it->second : adopt(tid);
  last_stopped_ = tid;
  switch (ws.kind()) {
    case WaitStatus::Kind::SyscallStop:
      on_syscall_stop(t);
      if (t.resume_at == 0) resume(t);  // else delayed by --inject
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
      on_group_stop(t, ws.stop_signal());
      return;
    case WaitStatus::Kind::SignalDelivery:
      on_signal_delivery(t, ws.stop_signal());
      return;
    default:
      resume(t);
      return;
  }
}

// A group-stop (SIGSTOP, SIGTSTP...), or a new tracee's first stop, which looks like one.
void PtraceTracer::on_group_stop(Thread& t, int sig) {
  if (t.fresh) {
    t.fresh = false;
    if (t.detach_at_first_stop) {
      ptrace(PTRACE_DETACH, t.tid, nullptr, nullptr);
      drop_thread(t.tid);
      return;
    }
    // A new tracee's first stop looks like a SIGSTOP group-stop: run on. A process attached
    // with -p while it was stopped stays stopped (it was like that before us).
    if (!t.attached) {
      resume(t);
      return;
    }
    t.group_stopped = true;
    ptrace(PTRACE_LISTEN, t.tid, nullptr, nullptr);
    return;
  }
  if (!t.group_stopped && t.emit) out_.on_stop({task_of(t), now_ns(), sig});
  t.group_stopped = true;
  // Stay stopped, as without a tracer, yet report when SIGCONT (or a kill) arrives.
  ptrace(PTRACE_LISTEN, t.tid, nullptr, nullptr);
}

// A signal about to be delivered: shown, then delivered, as it would have been without us.
void PtraceTracer::on_signal_delivery(Thread& t, int sig) {
  t.fresh = false;
  if (t.emit) {
    SignalEvent ev;
    ev.task = task_of(t);
    ev.ts_ns = now_ns();
    ev.signo = sig;
    siginfo_t si{};
    if (ptrace(PTRACE_GETSIGINFO, t.tid, nullptr, &si) == 0) ev.set_info(si);
    out_.on_signal(ev);
  }
  resume(t, sig);
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
  // (Since own_filters_, the call's entry stop came first: this stop adds nothing.)
  if (info.op == PTRACE_SYSCALL_INFO_SECCOMP && !t.in_syscall)
    on_entry(t, info.seccomp.nr, reinterpret_cast<const uint64_t*>(info.seccomp.args));
}

void PtraceTracer::on_entry(Thread& t, uint64_t nr, const uint64_t* args) {
  if (!t.emit && t.tid == child_ && is_exec(nr)) t.emit = true;  // the command starts here
  SyscallEvent& ev = t.pending;
  ev.captures.clear();
  ev.before.clear();
  ev.task = task_of(t);
  ev.enter_ns = now_ns();
  ev.exit_ns = 0;
  ev.cpu_ns = kUnknown;
  ev.nr = static_cast<long>(nr);
  for (int i = 0; i < 6; ++i) ev.args[static_cast<size_t>(i)] = args[i];
  ev.ret = 0;
  ev.end = SyscallEvent::End::Returned;
  for (auto& note : ev.fd_notes) note.clear();
  ev.stack.clear();
  ev.injected.reset();
  t.in_syscall = true;
  if (t.emit && !target_.inject.empty()) inject_at_entry(t);
  t.renames = nr == SYS_prctl && args[0] == PR_SET_NAME;  // shown or not
  t.puts_filter = puts_seccomp_filter(nr, args);          // shown or not
  bool wanted = selected_.empty() || (nr < selected_.size() && selected_[static_cast<size_t>(nr)]);
  if (!t.emit || !wanted) {
    if (target_.describe_fds) fds_may_change(t, ev.nr, args, 0, false);
    t.pending.nr = -1;  // not shown: the exit is only bookkeeping
    return;
  }
  if (target_.cpu_time) t.cpu_at_entry = cpu_clock(t);
  capture_entry(t);
  if (target_.describe_fds) {
    describe_fds(t, false);  // (its own notes still hold: it has changed nothing yet)
    fds_may_change(t, ev.nr, args, 0, false);
  }
  if (stacks_) capture_stack(t);
  if (never_returns(nr) && !(ev.injected && ev.injected->skips_call())) {
    ev.end = SyscallEvent::End::NoReturn;
    out_.on_syscall(ev);
    t.in_syscall = false;
  }
}

void PtraceTracer::on_exit(Thread& t, int64_t rval) {
  if (target_.describe_fds)
    fds_may_change(t, t.in_syscall ? t.pending.nr : -1, t.pending.args.data(), rval, true);
  if (!t.in_syscall) return;  // an exit whose entry came before we attached
  t.in_syscall = false;
  if (t.puts_filter && rval >= 0 && use_seccomp_ && !own_filters_) {
    own_filters_ = true;
    // The threads running between their calls (PTRACE_CONT) stop once, to be resumed so too
    // (with TSYNC the filter is theirs already; a call one is blocked in is restarted).
    for (auto& [tid, other] : threads_)
      if (tid != t.tid && !other.in_syscall) ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  }
  if (t.pending.injected) inject_at_exit(t, &rval);
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
  if (target_.cpu_time) {
    uint64_t now = cpu_clock(t);
    ev.cpu_ns = (now != kUnknown && t.cpu_at_entry != kUnknown) ? now - t.cpu_at_entry : kUnknown;
  }
  ev.task.comm = t.comm;  // after a successful execve: the new program's name
  if (stacks_ && (ev.nr == SYS_mmap || ev.nr == SYS_munmap || ev.nr == SYS_mremap))
    stacks_->mappings_changed(t.tgid);
  if (target_.describe_fds) describe_fds(t, true);
  capture_exit(t);
  if (!uring_told_ && (ev.nr == SYS_io_uring_setup || ev.nr == SYS_io_uring_enter)) {
    uring_told_ = true;  // (once a trace)
    out_.on_notice({ev.exit_ns,
                    "the operations of io_uring rings (their reads, writes, opens...) are "
                    "shown as [uring] lines by the eBPF backend only (--backend=bpf); ptrace "
                    "sees the io_uring_enter calls that submit them"});
  }
  out_.on_syscall(ev);
}

void PtraceTracer::finish_unfinished(Thread& t, SyscallEvent::End end) {
  if (!t.in_syscall) return;
  t.in_syscall = false;
  if (t.pending.nr < 0 || !t.emit) return;
  t.pending.end = end;
  t.pending.exit_ns = 0;
  out_.on_syscall(t.pending);
}

void PtraceTracer::on_event(Thread& t, int event, int /*status*/) {
  unsigned long msg = 0;
  switch (event) {
    case PTRACE_EVENT_SECCOMP:
      on_seccomp_stop(t);
      if (t.resume_at == 0) resume(t);  // else delayed by --inject
      return;
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK:
    case PTRACE_EVENT_CLONE:
      ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &msg);
      on_new_task(t, static_cast<pid_t>(msg));
      resume(t);
      return;
    case PTRACE_EVENT_EXEC:
      ptrace(PTRACE_GETEVENTMSG, t.tid, nullptr, &msg);
      on_exec(t, static_cast<pid_t>(msg));
      resume(t);
      return;
    default:
      resume(t);
      return;
  }
}

}  // namespace dtruss
