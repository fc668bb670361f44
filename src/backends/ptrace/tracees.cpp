// The ptrace backend's tracees: the started command, the attached processes, the threads and
// processes they make, and letting them all go (never left stopped).
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "backends/common/launch.h"
#include "backends/ptrace/tracer.h"
#include "backends/ptrace/wait_status.h"
#include "core/pidns.h"
#include "core/proc.h"
#include "core/trace_error.h"

namespace dtruss {
namespace {

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

}  // namespace

void PtraceTracer::unfollowed(Thread& n) {
  if (target_.follow_forks) return;
  // Without -f a new process is not traced; but under the -t filter, which it inherits, it
  // cannot run untraced: it stays traced, and nothing of it is shown.
  if (use_seccomp_)
    n.emit = false;
  else
    n.detach_at_first_stop = true;
}

void PtraceTracer::start_command() {
  std::string path, error;
  if (!resolve_command(target_.command[0], &path, &error)) throw TraceError(error, 2);
  LaunchSpec spec;
  spec.path = path;
  spec.argv = target_.command;
  if (use_seccomp_) {
    spec.seccomp_syscalls = target_.syscalls;
    // The tracer must see the command's execve to know where its own set-up ends.
    spec.seccomp_syscalls.push_back(SYS_execve);
    spec.seccomp_syscalls.push_back(SYS_execveat);
    // And a filter of the command's own, which would hide the calls it answers (own_filters_).
    spec.seccomp_syscalls.push_back(SYS_seccomp);
    spec.seccomp_syscalls.push_back(SYS_prctl);
    // --inject's calls must stop too, shown or not.
    for (const InjectRule& r : target_.inject)
      for (size_t nr = 0; nr < r.syscalls.size(); ++nr)
        if (r.syscalls[nr]) spec.seccomp_syscalls.push_back(static_cast<long>(nr));
  }
  spec.run_as = target_.run_as ? &*target_.run_as : nullptr;
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
  for (pid_t& pid : target_.attach) pid = traceable_process(pid);
  for (pid_t pid : target_.attach) attach_process(pid);
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
  refresh_ns_ids(t);
  return t;
}

// --pidns-translation: the thread's IDs in its PID namespace, when that is not dtruss's. (Fixed
// for the thread's life: unshare and setns change the namespace of its children only; an exec by
// a thread other than the leader gives it the leader's IDs.)
void PtraceTracer::refresh_ns_ids(Thread& t) {
  t.pidns = 0;
  t.ns_pid = t.ns_tid = 0;
  if (!target_.pidns_ids) return;
  if (own_pidns_ == 0) own_pidns_ = pid_namespace_of(0);
  uint32_t ns = 0;
  int32_t pid = 0, tid = 0;
  if (!read_ns_ids(t.tid, &ns, &pid, &tid) || ns == own_pidns_) return;
  t.pidns = ns;
  t.ns_pid = pid;
  t.ns_tid = tid;
  out_.on_pid_mapping(ns, tid, t.tid);  // (a new one: before its creator's fork returns it)
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

void PtraceTracer::drop_thread(pid_t tid) {
  auto it = threads_.find(tid);
  if (it == threads_.end()) return;
  if (it->second.schedstat_fd >= 0) close(it->second.schedstat_fd);
  threads_.erase(it);
}

// A new tracee whose first stop arrived before its creator's fork/clone event.
PtraceTracer::Thread& PtraceTracer::adopt(pid_t tid) {
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
  return n;
}

// Thread `t` made `child` (fork, vfork, clone): traced from now on, unless it was seen already.
void PtraceTracer::on_new_task(Thread& t, pid_t child) {
  if (auto it = threads_.find(child); it != threads_.end()) it->second.announced = true;
  if (gone_unannounced_.erase(child) > 0) return;  // it ran and ended before this event was seen
  if (child <= 0 || threads_.count(child) != 0) return;
  Thread& n = add_thread(child, false);
  if (n.tgid != t.tgid) {
    ++processes_seen_;
    unfollowed(n);
  } else {
    n.emit = t.emit;
  }
}

// Thread `t` has exec'd (it was thread `former` before: a non-leader thread that calls execve
// takes the leader's tid).
void PtraceTracer::on_exec(Thread& t, pid_t former) {
  if (former != t.tid) {
    // The old leader vanished (killed by the exec, with no death report of its own).
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
  refresh_ns_ids(t);
  if (stacks_) stacks_->forget(t.tgid);  // a new program: new mappings
  if (t.schedstat_fd >= 0) {
    close(t.schedstat_fd);
    t.schedstat_fd = -1;
  }
  if (t.tid == child_) child_execed_ = true;
}

void PtraceTracer::on_gone(pid_t tid, int status) {
  if (tid == child_) child_status_ = status;
  auto it = threads_.find(tid);
  if (it == threads_.end()) return;
  Thread& t = it->second;
  finish_unfinished(t);
  if (t.tid == t.tgid && t.emit) {
    ExitEvent ev;
    ev.task = task_of(t);
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

void PtraceTracer::detach_all() {
  resume_delayed();  // a thread --inject delays runs on first: stopped, it would not stop again
  // A tracee can be detached only while it is in a ptrace-stop: interrupt every thread, then
  // detach each at its next stop, passing on a signal that was about to be delivered. A thread
  // in a group-stop is detached in it and stays stopped, as it would be without us.
  for (auto& [tid, t] : threads_) ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  std::vector<pid_t> tids;
  for (auto& [tid, t] : threads_) tids.push_back(tid);
  size_t detached = 0;
  for (pid_t tid : tids)
    if (threads_.count(tid) != 0 && detach_at_next_stop(tid)) ++detached;
  detach_newborn();
  threads_.clear();
  out_.on_notice({now_ns(), "detached from " + std::to_string(processes_seen_) +
                                (processes_seen_ == 1 ? " process" : " processes") + " (" +
                                std::to_string(detached) +
                                (detached == 1 ? " thread" : " threads") + ")"});
}

// Detaches thread `tid` at its next stop (interrupted by detach_all). False when it ended first.
bool PtraceTracer::detach_at_next_stop(pid_t tid) {
  if (tid == held_) {
    // Handling its stop threw: it is still in that stop, and waitpid would wait for another
    // forever. Detached now (unless it was resumed before the throw: then it stops below).
    held_ = 0;
    WaitStatus ws(held_status_);
    int sig = ws.kind() == WaitStatus::Kind::SignalDelivery ? ws.stop_signal() : 0;
    if (ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(long{sig})) == 0) {
      auto found = threads_.find(tid);
      if (found != threads_.end()) finish_unfinished(found->second, SyscallEvent::End::Detached);
      drop_thread(tid);
      return true;
    }
  }
  while (true) {
    int status = 0;
    pid_t r = waitpid(tid, &status, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      drop_thread(tid);  // already gone
      return false;
    }
    WaitStatus ws(status);
    if (ws.kind() == WaitStatus::Kind::Exited || ws.kind() == WaitStatus::Kind::Killed) {
      on_gone(tid, status);
      return false;
    }
    int sig = ws.kind() == WaitStatus::Kind::SignalDelivery ? ws.stop_signal() : 0;
    if (ws.kind() == WaitStatus::Kind::EventStop && ws.event() != PTRACE_EVENT_STOP) {
      // A fork/clone event: the new tracee must be detached too (picked up below).
      unsigned long msg = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &msg);
    }
    auto found = threads_.find(tid);
    if (found != threads_.end()) finish_unfinished(found->second, SyscallEvent::End::Detached);
    ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(long{sig}));
    drop_thread(tid);
    return true;
  }
}

// Tracees that were born while we detached (auto-attached children): detached as well.
void PtraceTracer::detach_newborn() {
  while (true) {
    int status = 0;
    pid_t r = waitpid(-1, &status, __WALL | WNOHANG);
    if (r <= 0) break;
    if (r == waker_) {
      waker_died();
      continue;
    }
    if (r == child_ && (WIFEXITED(status) || WIFSIGNALED(status))) child_status_ = status;
    if (WIFSTOPPED(status)) {
      WaitStatus ws(status);
      int sig = ws.kind() == WaitStatus::Kind::SignalDelivery ? ws.stop_signal() : 0;
      ptrace(PTRACE_DETACH, r, nullptr, reinterpret_cast<void*>(long{sig}));
    }
  }
}

}  // namespace dtruss
