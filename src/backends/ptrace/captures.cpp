// The ptrace backend's captures of a syscall: the bytes its capture plan names, read from the
// stopped thread's memory at entry and exit; -s's stack; -y's fds as /proc tells them.
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backends/ptrace/tracer.h"
#include "core/fdinfo.h"
#include "syscalls/capture.h"
#include "syscalls/capture_run.h"
#include "syscalls/table.h"

namespace dtruss {
namespace {

// The calls that change no fd table and no file's name, nor a socket's state (after them what
// /proc said of an fd still holds): they read, write, wait, map memory and look at files. Any
// other call (open, close, dup, fcntl, execve, clone, rename, unlink, mount, socket calls, ioctl,
// io_uring_enter ...) makes the notes read before it stale.
constexpr long kKeepFds[] = {
    SYS_read,          SYS_write,        SYS_pread64,        SYS_pwrite64,
    SYS_readv,         SYS_writev,       SYS_preadv,         SYS_pwritev,
    SYS_preadv2,       SYS_pwritev2,     SYS_lseek,          SYS_fstat,
    SYS_newfstatat,    SYS_stat,         SYS_lstat,          SYS_statx,
    SYS_getdents64,    SYS_getdents,     SYS_fsync,          SYS_fdatasync,
    SYS_fadvise64,     SYS_getppid,      SYS_getpid,         SYS_gettid,
    SYS_getuid,        SYS_geteuid,      SYS_getgid,         SYS_getegid,
    SYS_brk,           SYS_mmap,         SYS_munmap,         SYS_mprotect,
    SYS_madvise,       SYS_futex,        SYS_nanosleep,      SYS_clock_nanosleep,
    SYS_clock_gettime, SYS_gettimeofday, SYS_rt_sigprocmask, SYS_sched_yield,
    SYS_getrandom,     SYS_access,       SYS_faccessat,      SYS_faccessat2,
    SYS_readlink,      SYS_readlinkat,   SYS_getcwd,         SYS_uname,
    SYS_poll,          SYS_ppoll,        SYS_select,         SYS_pselect6,
    SYS_epoll_wait,    SYS_epoll_pwait,
};

bool keeps_fds(long nr) {
  static const std::vector<bool> table = [] {
    std::vector<bool> t;
    for (long n : kKeepFds) {
      if (static_cast<size_t>(n) >= t.size()) t.resize(static_cast<size_t>(n) + 1);
      t[static_cast<size_t>(n)] = true;
    }
    return t;
  }();
  return nr >= 0 && static_cast<size_t>(nr) < table.size() && table[static_cast<size_t>(nr)];
}

// A note that only a call on the fd's table or a rename can change: a path, a pipe, an anonymous
// inode ("" too: a closed fd stays closed). Not a socket's: its addresses change as it is used.
bool lasting(const std::string& note) {
  return note.empty() || note[0] == '/' || note.starts_with("pipe:") ||
         note.starts_with("anon_inode:");
}

}  // namespace

// In-arguments now, and the in-values of in/out arguments (the call overwrites them).
void PtraceTracer::capture_entry(Thread& t) {
  SyscallEvent& ev = t.pending;
  const CapturePlan& plan = plans_.of(ev.nr, ev.args.data());
  if (plan.n_entry == 0 && plan.n_before == 0) return;
  LiveMemory mem(t.tid);
  StepInputs in{ev.args.data()};
  run_capture_steps(plan.entry, plan.n_entry, in, mem, ev.captures);
  run_capture_steps(plan.before, plan.n_before, in, mem, ev.before);
}

// What the call wrote (out- and in/out arguments), now, with its result: the decoders read only
// what was captured, as with the eBPF backend.
void PtraceTracer::capture_exit(Thread& t) {
  SyscallEvent& ev = t.pending;
  const CapturePlan& plan = plans_.of(ev.nr, ev.args.data());
  if (plan.n_exit == 0) return;
  LiveMemory mem(t.tid);
  StepInputs in{ev.args.data(), ev.ret, true};
  run_capture_steps(plan.exit, plan.n_exit, in, mem, ev.captures);
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

void PtraceTracer::fds_may_change(Thread& t, long nr, bool at_entry) {
  if (nr == SYS_io_uring_setup) fd_notes_uncached_ = true;  // (its operations are not seen)
  if (keeps_fds(nr)) return;
  // At its entry the call has changed nothing yet: its thread's notes still hold for it (a close
  // notes the fd it closes); the other threads' may not once it runs.
  bool kept = at_entry && t.fd_epoch == fd_epoch_;
  ++fd_epoch_;
  if (kept) t.fd_epoch = fd_epoch_;
}

// What fd `fd` of thread `t` refers to, from /proc, or as /proc said since the last call that may
// have changed it (when every call stops, so that none is missed: a -t seccomp filter lets some
// run unseen). A rename or an unlink by a process that is not traced shows at the next call of the
// traced ones that may change fds (docs/capture-format.md).
std::string PtraceTracer::fd_note(Thread& t, int fd) {
  if (fd_notes_uncached_ || !selected_.empty()) return describe_fd(t.tid, fd);
  if (t.fd_epoch != fd_epoch_) {
    t.fd_notes.clear();
    t.fd_epoch = fd_epoch_;
  }
  if (auto it = t.fd_notes.find(fd); it != t.fd_notes.end()) return it->second;
  std::string note = describe_fd(t.tid, fd);
  if (lasting(note)) t.fd_notes.emplace(fd, note);
  return note;
}

// -y: /proc tells what the fd arguments refer to at entry (before a close), and the new fd a
// call returned at exit. The thread's own /proc entry: a thread may have unshared its fd table.
void PtraceTracer::describe_fds(Thread& t, bool at_exit) {
  SyscallEvent& ev = t.pending;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (info == nullptr) return;
  if (at_exit) {  // (after fds_may_change: kept for the calls that follow on the new fd)
    if (info->ret == RetKind::Fd && ev.ret >= 0)
      ev.fd_notes[kMaxArgs] = fd_note(t, static_cast<int>(ev.ret));
    return;
  }
  for (int i = 0; i < info->nargs; ++i) {
    ArgKind k = info->args[i].kind;
    auto fd = static_cast<int32_t>(ev.args[static_cast<size_t>(i)]);
    if ((k == ArgKind::Fd || k == ArgKind::Dirfd) && fd >= 0)
      ev.fd_notes[static_cast<size_t>(i)] = fd_note(t, fd);
  }
}

}  // namespace dtruss
