// The ptrace backend's captures of a syscall: the bytes its capture plan names, read from the
// stopped thread's memory at entry and exit; -s's stack; -y's fds as /proc tells them.
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "backends/ptrace/tracer.h"
#include "core/fdinfo.h"
#include "syscalls/capture.h"
#include "syscalls/capture_run.h"
#include "syscalls/table.h"

namespace dtruss {
namespace {

// What a call can change of what the fds of the traced processes refer to, for -y's kept notes
// (fd_note). One row per call that leaves some notes good; any other call, an unknown one too,
// makes every note stale: execve (close-on-exec), close_range, unshare, rename, unlink, link,
// symlink, mount, chroot, io_uring_enter ... ioctl as its command says (kIoctlFdRules).
// A new fd takes a free number, whose note ("" : closed) is never kept: so a call that only adds
// fds keeps every note, those that return it (RetKind::Fd in the syscall table: open*, socket,
// accept*, dup, eventfd, memfd_create, pidfd_open ...) without a row here, and those that write
// them to memory (below: pipe*, socketpair, recvmsg's SCM_RIGHTS). The fd a call returns has its
// note read again all the same (returns_fd), in case the close of its number was not seen.
// Socket notes are never kept either: the calls that change a socket keep the notes.
enum class FdTurn : uint8_t {
  All,    // (no row)
  None,   // no fd changes what it refers to, no name changes
  Arg0,   // the fd in argument 0 is closed (and no other fd changes)
  Arg1,   // the fd in argument 1 becomes another (dup2, dup3)
  Ioctl,  // as its command (argument 1) says: kIoctlFdRules
};
struct FdRule {
  long nr;
  FdTurn turn;
};
constexpr FdRule kFdRules[] = {
    {SYS_close, FdTurn::Arg0},
    {SYS_dup2, FdTurn::Arg1},
    {SYS_dup3, FdTurn::Arg1},
    // Reads, writes, stats and directory reads; chdir and fchdir (the notes are absolute paths).
    {SYS_read, FdTurn::None},
    {SYS_write, FdTurn::None},
    {SYS_pread64, FdTurn::None},
    {SYS_pwrite64, FdTurn::None},
    {SYS_readv, FdTurn::None},
    {SYS_writev, FdTurn::None},
    {SYS_preadv, FdTurn::None},
    {SYS_pwritev, FdTurn::None},
    {SYS_preadv2, FdTurn::None},
    {SYS_pwritev2, FdTurn::None},
    {SYS_sendfile, FdTurn::None},
    {SYS_copy_file_range, FdTurn::None},
    {SYS_splice, FdTurn::None},
    {SYS_lseek, FdTurn::None},
    {SYS_fstat, FdTurn::None},
    {SYS_newfstatat, FdTurn::None},
    {SYS_stat, FdTurn::None},
    {SYS_lstat, FdTurn::None},
    {SYS_statx, FdTurn::None},
    {SYS_statfs, FdTurn::None},
    {SYS_fstatfs, FdTurn::None},
    {SYS_getdents64, FdTurn::None},
    {SYS_getdents, FdTurn::None},
    {SYS_fsync, FdTurn::None},
    {SYS_fdatasync, FdTurn::None},
    {SYS_fadvise64, FdTurn::None},
    {SYS_ftruncate, FdTurn::None},
    {SYS_fallocate, FdTurn::None},
    {SYS_flock, FdTurn::None},
    {SYS_fchmod, FdTurn::None},
    {SYS_fchmodat, FdTurn::None},
    {SYS_fchown, FdTurn::None},
    {SYS_fchownat, FdTurn::None},
    {SYS_utimensat, FdTurn::None},
    {SYS_access, FdTurn::None},
    {SYS_faccessat, FdTurn::None},
    {SYS_faccessat2, FdTurn::None},
    {SYS_readlink, FdTurn::None},
    {SYS_readlinkat, FdTurn::None},
    {SYS_getxattr, FdTurn::None},
    {SYS_lgetxattr, FdTurn::None},
    {SYS_fgetxattr, FdTurn::None},
    {SYS_listxattr, FdTurn::None},
    {SYS_llistxattr, FdTurn::None},
    {SYS_flistxattr, FdTurn::None},
    {SYS_getcwd, FdTurn::None},
    {SYS_chdir, FdTurn::None},
    {SYS_fchdir, FdTurn::None},
    {SYS_umask, FdTurn::None},
    // fcntl: F_DUPFD* adds an fd (returns_fd), the others set flags, locks, owners, leases.
    {SYS_fcntl, FdTurn::None},
    {SYS_ioctl, FdTurn::Ioctl},
    // Fds written to memory: new numbers.
    {SYS_pipe, FdTurn::None},
    {SYS_pipe2, FdTurn::None},
    {SYS_socketpair, FdTurn::None},
    {SYS_recvmsg, FdTurn::None},
    {SYS_recvmmsg, FdTurn::None},
    {SYS_recvfrom, FdTurn::None},
    {SYS_sendto, FdTurn::None},
    {SYS_sendmsg, FdTurn::None},
    {SYS_sendmmsg, FdTurn::None},
    {SYS_connect, FdTurn::None},
    {SYS_bind, FdTurn::None},
    {SYS_listen, FdTurn::None},
    {SYS_shutdown, FdTurn::None},
    {SYS_getsockname, FdTurn::None},
    {SYS_getpeername, FdTurn::None},
    {SYS_setsockopt, FdTurn::None},
    {SYS_getsockopt, FdTurn::None},
    // A new process or thread: a child without CLONE_FILES has a copy (and notes of its own),
    // one with it shares the table (fds_may_change).
    {SYS_clone, FdTurn::None},
    {SYS_clone3, FdTurn::None},
    {SYS_fork, FdTurn::None},
    {SYS_vfork, FdTurn::None},
    {SYS_exit, FdTurn::None},
    {SYS_exit_group, FdTurn::None},
    {SYS_wait4, FdTurn::None},
    {SYS_waitid, FdTurn::None},
    // Process state, memory, time, waits, signals.
    {SYS_getppid, FdTurn::None},
    {SYS_getpid, FdTurn::None},
    {SYS_gettid, FdTurn::None},
    {SYS_getuid, FdTurn::None},
    {SYS_geteuid, FdTurn::None},
    {SYS_getgid, FdTurn::None},
    {SYS_getegid, FdTurn::None},
    {SYS_getrlimit, FdTurn::None},
    {SYS_prlimit64, FdTurn::None},
    {SYS_getrusage, FdTurn::None},
    {SYS_sysinfo, FdTurn::None},
    {SYS_uname, FdTurn::None},
    {SYS_arch_prctl, FdTurn::None},
    {SYS_set_tid_address, FdTurn::None},
    {SYS_set_robust_list, FdTurn::None},
    {SYS_rseq, FdTurn::None},
    {SYS_brk, FdTurn::None},
    {SYS_mmap, FdTurn::None},
    {SYS_munmap, FdTurn::None},
    {SYS_mremap, FdTurn::None},
    {SYS_mprotect, FdTurn::None},
    {SYS_madvise, FdTurn::None},
    {SYS_futex, FdTurn::None},
    {SYS_nanosleep, FdTurn::None},
    {SYS_clock_nanosleep, FdTurn::None},
    {SYS_clock_gettime, FdTurn::None},
    {SYS_gettimeofday, FdTurn::None},
    {SYS_sched_yield, FdTurn::None},
    {SYS_sched_getaffinity, FdTurn::None},
    {SYS_getrandom, FdTurn::None},
    {SYS_poll, FdTurn::None},
    {SYS_ppoll, FdTurn::None},
    {SYS_select, FdTurn::None},
    {SYS_pselect6, FdTurn::None},
    {SYS_epoll_wait, FdTurn::None},
    {SYS_epoll_pwait, FdTurn::None},
    {SYS_epoll_pwait2, FdTurn::None},
    {SYS_epoll_ctl, FdTurn::None},
    {SYS_rt_sigprocmask, FdTurn::None},
    {SYS_rt_sigaction, FdTurn::None},
    {SYS_rt_sigreturn, FdTurn::None},
    {SYS_sigaltstack, FdTurn::None},
    {SYS_kill, FdTurn::None},
    {SYS_tgkill, FdTurn::None},
};

// The ioctl commands that may change what an fd refers to, from the kernel's headers: any other
// leaves every note good (one that returns a new fd gives it a free number, as open does).
struct IoctlFdRule {
  uint32_t cmd;
  FdTurn turn;
};
constexpr IoctlFdRule kIoctlFdRules[] = {
    // seccomp's user notification (linux/seccomp.h): the supervisor installs an fd in the process
    // the notification came from, at a number of its choosing with SECCOMP_ADDFD_FLAG_SETFD,
    // replacing the fd there.
    {SECCOMP_IOCTL_NOTIF_ADDFD, FdTurn::All},
    // btrfs (linux/btrfs.h): a subvolume deleted, as rmdir: the files open in it are deleted.
    {BTRFS_IOC_SNAP_DESTROY, FdTurn::All},
    {BTRFS_IOC_SNAP_DESTROY_V2, FdTurn::All},
};

FdTurn ioctl_fd_turn(uint64_t cmd) {
  for (const IoctlFdRule& r : kIoctlFdRules)
    if (r.cmd == static_cast<uint32_t>(cmd)) return r.turn;
  return FdTurn::None;
}

FdTurn fd_turn(long nr) {
  static const std::vector<FdTurn> table = [] {
    std::vector<FdTurn> t;
    for (const FdRule& r : kFdRules) {
      if (static_cast<size_t>(r.nr) >= t.size()) t.resize(static_cast<size_t>(r.nr) + 1);
      t[static_cast<size_t>(r.nr)] = r.turn;
    }
    // The calls that only add an fd, which they return (dup2 and dup3 have their row).
    for (const SyscallInfo& s : all_syscalls())
      if (s.ret == RetKind::Fd && s.nr != SYS_io_uring_setup &&
          (static_cast<size_t>(s.nr) >= t.size() || t[static_cast<size_t>(s.nr)] == FdTurn::All)) {
        if (static_cast<size_t>(s.nr) >= t.size()) t.resize(static_cast<size_t>(s.nr) + 1);
        t[static_cast<size_t>(s.nr)] = FdTurn::None;
      }
    return t;
  }();
  return nr >= 0 && static_cast<size_t>(nr) < table.size() ? table[static_cast<size_t>(nr)]
                                                           : FdTurn::All;
}

// The fd number a call returned, or -1.
// Whether the call makes a copy of fd args[0] (dup, dup2, dup3, fcntl F_DUPFD*).
bool dups_fd(long nr, const uint64_t* args) {
  return nr == SYS_dup || nr == SYS_dup2 || nr == SYS_dup3 ||
         (nr == SYS_fcntl && (args[1] == F_DUPFD || args[1] == F_DUPFD_CLOEXEC));
}

int returned_fd(long nr, const uint64_t* args, int64_t ret) {
  if (ret < 0 || ret > INT32_MAX) return -1;
  const SyscallInfo* info = syscall_by_nr(nr);
  bool fd = (info != nullptr && info->ret == RetKind::Fd) || dups_fd(nr, args);
  return fd ? static_cast<int>(ret) : -1;
}

// A note that only a call on the fd's table or a rename can change: a path, a pipe, an anonymous
// inode. Not a socket's (its addresses change as it is used), nor a closed fd's "" (new fds take
// free numbers: fd_turn).
bool lasting(const std::string& note) {
  return note.starts_with("/") || note.starts_with("pipe:") || note.starts_with("anon_inode:");
}

// Fd numbers up to this have their own drop epoch; a drop of a larger one drops every note.
constexpr int kFdSlots = 1 << 16;

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

void PtraceTracer::drop_fd_note(int fd) {
  if (fd < 0) return;
  if (fd >= kFdSlots) {
    drop_fd_notes();
    return;
  }
  if (static_cast<size_t>(fd) >= fd_dropped_.size())
    fd_dropped_.resize(static_cast<size_t>(fd) + 1);
  fd_dropped_[static_cast<size_t>(fd)] = fd_epoch_++;
}

void PtraceTracer::drop_fd_notes() {
  fds_dropped_ = fd_epoch_++;
}

// At its entry (after its own notes were taken: its thread's still held for it) and at its exit,
// what a call may have changed is dropped, for every thread of every traced process: threads and
// processes made with CLONE_FILES share a table (a process made with it and not traced could
// change it unseen: the notes are no longer kept then).
void PtraceTracer::fds_may_change(Thread& t, long nr, const uint64_t* args, int64_t ret,
                                  bool at_exit) {
  if (nr == SYS_io_uring_setup) fd_notes_uncached_ = true;  // (its operations are not seen)
  if (!at_exit && !target_.follow_forks && (nr == SYS_clone || nr == SYS_clone3)) {
    uint64_t flags = args[0];
    if (nr == SYS_clone3 && LiveMemory(t.tid).read(args[0], &flags, sizeof flags) != sizeof flags)
      flags = CLONE_FILES;
    if ((flags & CLONE_FILES) != 0 && (flags & CLONE_THREAD) == 0) fd_notes_uncached_ = true;
  }
  FdTurn turn = fd_turn(nr);
  if (turn == FdTurn::Ioctl) turn = ioctl_fd_turn(args[1]);
  switch (turn) {
    case FdTurn::Ioctl:  // (as FdTurn::All: not met)
    case FdTurn::All:
      drop_fd_notes();
      return;
    case FdTurn::None:
      break;
    case FdTurn::Arg0:
      drop_fd_note(static_cast<int32_t>(args[0]));
      break;
    case FdTurn::Arg1:
      drop_fd_note(static_cast<int32_t>(args[1]));
      break;
  }
  if (at_exit) drop_fd_note(returned_fd(nr, args, ret));
}

// What fd `fd` of thread `t` refers to, from /proc, or as /proc said since the last call that may
// have changed it (when every call stops, so that none is missed: a -t seccomp filter lets some
// run unseen). A rename or an unlink by a process that is not traced shows at the next call of the
// traced ones that drops every note (docs/capture-format.md).
std::string PtraceTracer::fd_note(Thread& t, int fd) {
  if (fd_notes_uncached_ || !selected_.empty()) return describe_fd(t.tid, fd);
  if (const std::string* kept = kept_note(t, fd)) return *kept;
  std::string note = describe_fd(t.tid, fd);
  if (lasting(note))
    t.fd_notes[fd] = {note, fd_epoch_};
  else
    t.fd_notes.erase(fd);
  return note;
}

// The note of `fd` that thread `t` keeps and that still holds (nullptr: none).
const std::string* PtraceTracer::kept_note(Thread& t, int fd) {
  if (fd_notes_uncached_ || !selected_.empty()) return nullptr;
  auto it = t.fd_notes.find(fd);
  if (it != t.fd_notes.end() && it->second.read > fds_dropped_ &&
      (static_cast<size_t>(fd) >= fd_dropped_.size() ||
       it->second.read > fd_dropped_[static_cast<size_t>(fd)]))
    return &it->second.note;
  return nullptr;
}

// A dup (dup, dup2, dup3, fcntl F_DUPFD*) gives its new fd the open file of the old one: the new
// fd's note is the old one's when that is kept, without a read of /proc (find dups an fd for each
// directory it enters).
void PtraceTracer::note_dup(Thread& t, const SyscallEvent& ev) {
  if (!dups_fd(ev.nr, ev.args.data())) return;
  int to = returned_fd(ev.nr, ev.args.data(), ev.ret);
  auto from = static_cast<int32_t>(ev.args[0]);
  if (to < 0 || from == to) return;
  if (const std::string* kept = kept_note(t, from)) {
    std::string note = *kept;  // (a reference into the map the next line may rehash)
    t.fd_notes[to] = {std::move(note), fd_epoch_};
  }
}

// -y: /proc tells what the fd arguments refer to at entry (before a close), and the new fd a
// call returned at exit. The thread's own /proc entry: a thread may have unshared its fd table.
void PtraceTracer::describe_fds(Thread& t, bool at_exit) {
  SyscallEvent& ev = t.pending;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (info == nullptr) return;
  if (at_exit) {  // (after fds_may_change: kept for the calls that follow on the new fd)
    note_dup(t, ev);
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
