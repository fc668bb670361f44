// The events every backend produces and every sink consumes. Backends fill in numbers, the bytes
// the capture plans copied, and two things that must be read while the process lives and are
// made by code both share: -y's fd descriptions (core/fdtable, core/fdinfo) and -s's frames
// (src/stack). Decoding happens later, in one place, for both backends: the decoder reads
// nothing of the tracee but these.
#pragma once

#include <signal.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/inject.h"
#include "core/memory.h"

namespace dtruss {

inline constexpr uint64_t kUnknown = UINT64_MAX;

// Identity of the thread an event belongs to.
struct TaskId {
  int32_t pid = 0;              // thread-group id (the process)
  int32_t tid = 0;              // the thread
  std::array<char, 16> comm{};  // the thread's name, NUL-terminated (TASK_COMM_LEN)
  // --pidns-translation: the thread's PID namespace (its inode number) and its IDs there, as the
  // program sees them; 0 when not asked, or not known (a signal's thread: see core/pidns.h).
  uint32_t pidns = 0;
  int32_t ns_pid = 0;
  int32_t ns_tid = 0;
};

// One frame of a user stack (-s), symbolized by the stack unwinder (src/stack), innermost first.
struct StackFrame {
  uint64_t pc = 0;      // the return address (the interrupted instruction for the first frame)
  std::string module;   // the executable's or library's file name; "[anon]" outside any file
  std::string symbol;   // the function, or empty when the module has no symbol for pc
  uint64_t offset = 0;  // pc - the symbol's start (or - the module's start when no symbol)
  std::string file;     // source file, with debug information; else empty
  int line = 0;         // its line (0: unknown)
};

// One system call, emitted once it completed (or once it is known never to complete).
struct SyscallEvent {
  TaskId task;
  uint64_t enter_ns = 0;       // CLOCK_MONOTONIC at entry
  uint64_t exit_ns = 0;        // CLOCK_MONOTONIC at exit; 0 if it never returned
  uint64_t cpu_ns = kUnknown;  // on-CPU time of the thread during the call
  long nr = -1;
  std::array<uint64_t, 6> args{};
  int64_t ret = 0;  // the raw return value (-errno on failure)
  enum class End : uint8_t {
    Returned,    // the call returned `ret`
    NoReturn,    // it never returns by design (exit, exit_group)
    Unfinished,  // its thread died before it returned (or its process exec'd)
    Detached,    // it was in progress when dtruss detached from the process (-p)
  } end = End::Returned;
  // Bytes behind pointer arguments: in-arguments copied at entry, out-arguments at exit.
  CaptureStore captures;
  // The in-values of in/out arguments (ArgInfo::after), copied at entry: `captures` holds what
  // the call wrote back. The decoders read nothing else of the tracee: both backends capture what
  // the plans (syscalls/capture.h) say, so that they show the same.
  CaptureStore before;
  // With -y: what each fd argument (and, at index 6, a returned fd) refers to, resolved by the
  // backend at entry (so close(3) still knows) and at exit; empty when not asked or unknown.
  std::array<std::string, 7> fd_notes;
  // With -s: the user stack at entry, innermost frame first; empty when not asked or unknown.
  std::vector<StackFrame> stack;
  // How `stack` was found: by DWARF CFI (true), or the kernel's frame-pointer walk (false).
  bool stack_dwarf = true;
  // With --inject: what the backend did to this call (the ptrace backend); empty when nothing.
  std::optional<InjectAction> injected;
  // An io_uring operation (the eBPF backend), not a system call: its opcode (IORING_OP_*); -1
  // for a system call. `nr` and `args` are then those of the syscall it stands for (nr -1 for an
  // operation no syscall does: syscalls/uring_ops.h), enter_ns its submission and exit_ns its
  // completion.
  int16_t uring_op = -1;
  // Its fd is an index into the ring's registered files (IOSQE_FIXED_FILE), not an fd.
  bool uring_fixed_file = false;
  // It made a direct descriptor (an index into the ring's files: openat, accept, socket with a
  // file slot), not an fd.
  bool uring_direct = false;
  // The kernel refused it before preparing it (a bad flag or field): its arguments are unknown.
  bool uring_refused = false;
  // A multishot operation's completion with more to come (IORING_CQE_F_MORE): one line each.
  bool uring_more = false;

  bool returned() const { return end == End::Returned; }
};

// A signal delivered to a thread (shown as `--- SIGCHLD {...} ---`).
struct SignalEvent {
  TaskId task;
  uint64_t ts_ns = 0;
  int signo = 0;
  // siginfo fields (valid when has_info).
  bool has_info = false;
  int code = 0;
  int errno_ = 0;
  int32_t sender_pid = 0;
  uint32_t sender_uid = 0;
  int32_t status = 0;  // SIGCHLD: exit status or signal
  uint64_t addr = 0;   // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: the faulting address
  // SI_TIMER (a POSIX timer's expiry): the kernel's timer id and the expiries missed since.
  int32_t timer_id = 0;
  int32_t overrun = 0;
  // SI_TIMER, SI_QUEUE, SI_MESGQ: the sigval the timer, sigqueue or message queue carries.
  uint64_t value = 0;

  // Takes the siginfo fields from `si` (has_info is set; signo is left as it is).
  void set_info(const siginfo_t& si) {
    has_info = true;
    code = si.si_code;
    errno_ = si.si_errno;
    sender_pid = si.si_pid;
    sender_uid = si.si_uid;
    status = si.si_status;
    addr = reinterpret_cast<uint64_t>(si.si_addr);
    timer_id = si.si_timerid;  // (the union's timer member: where si_pid and si_uid are)
    overrun = si.si_overrun;
    value = reinterpret_cast<uint64_t>(si.si_value.sival_ptr);
  }
};

// A thread stopped by job control (SIGSTOP, SIGTSTP, ...), shown as `--- stopped by SIGSTOP ---`.
struct StopEvent {
  TaskId task;
  uint64_t ts_ns = 0;
  int signo = 0;
};

// A process (thread group) ended.
struct ExitEvent {
  TaskId task;
  uint64_t ts_ns = 0;
  bool signaled = false;
  int code = 0;  // exit status, or the signal number when signaled
  bool core_dumped = false;
};

// Events the backend could not deliver (eBPF ring buffer full).
struct LostEvent {
  uint64_t ts_ns = 0;
  uint64_t count = 0;
};

// A note from the backend for the person reading the trace (attached, detached, ...).
struct NoticeEvent {
  uint64_t ts_ns = 0;
  std::string text;
};

// Latency buckets of an aggregate: bucket 0 holds 0 ns, bucket b >= 1 holds [2^(b-1), 2^b) ns.
inline constexpr int kLog2Buckets = 64;

// What a backend that counts in the kernel hands over: one syscall (nr), for one process/thread
// when the summary is split (pid/tid 0 and comm empty otherwise).
struct SyscallAggregate {
  int nr = -1;
  int pid = 0;
  int tid = 0;
  std::string comm;
  uint64_t cgroup =
      0;  // --summary-by container: the cgroup (v2 id) counted, when the kernel counted
  uint64_t calls = 0;
  uint64_t total_ns = 0;
  uint64_t max_ns = 0;
  std::map<int, uint64_t> errnos;                // errno -> failed calls
  std::array<uint64_t, kLog2Buckets> log2_ns{};  // see log2_bucket() (output/summary_model.h)
};

// What a backend delivers events to.
class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  virtual void on_syscall(SyscallEvent& ev) = 0;
  virtual void on_signal(const SignalEvent& ev) = 0;
  virtual void on_stop(const StopEvent& ev) = 0;
  virtual void on_exit(const ExitEvent& ev) = 0;
  virtual void on_lost(const LostEvent& ev) = 0;
  virtual void on_notice(const NoticeEvent& ev) = 0;
  // Counts a backend aggregated itself (the eBPF backend's --summary, counted in the kernel), in
  // place of one on_syscall() a call.
  virtual void on_aggregate(const SyscallAggregate&) {}
  // --pidns-translation: PID `ns_pid` of PID namespace `pidns` is `host_pid` in dtruss's (a new
  // process, told before its parent's fork returns it).
  virtual void on_pid_mapping(uint32_t /*pidns*/, int32_t /*ns_pid*/, int32_t /*host_pid*/) {}
  // A process seen calling (counted in the kernel: --summary sends no events to tell it).
  virtual void on_process(int32_t /*pid*/) {}
  // The backend has handed over everything it has and is about to wait: a consumer that buffers
  // output writes it out now, so a trace read while it grows (tail -f, a pipe) is never stale.
  virtual void idle() {}
  // The trace is set up and the first events follow (a backend whose events arrive late calls it
  // before it lets the command run, so the text header comes before the command's own output).
  virtual void ready() {}
  // --top, --summary --interval: an interval (TraceTarget::interval_ns) ended at `now_ns`
  // (CLOCK_MONOTONIC). A backend that counts in the kernel hands over what it counted since the
  // last tick (on_aggregate) first, so each interval's counts are complete.
  virtual void tick(uint64_t /*now_ns*/) {}
};

}  // namespace dtruss
