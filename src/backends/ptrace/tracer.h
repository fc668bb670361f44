// The ptrace backend: starts or attaches to tracees with PTRACE_SEIZE, follows their threads (and
// with -f their children), and turns syscall stops into SyscallEvents. Works without root.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "backends/ptrace/affinity.h"
#include "backends/ptrace/live_memory.h"
#include "backends/ptrace/stop_wait.h"
#include "core/backend.h"
#include "core/event.h"
#include "core/target.h"
#include "stack/unwinder.h"
#include "syscalls/capture.h"

namespace dtruss {

class PtraceTracer final : public Backend {
 public:
  // -t on a started command: only target.syscalls stop the tracee (seccomp); with -p, -n or -W,
  // every call stops it and the others are not captured.
  // `plans`: what to copy of each call (outlives the tracer).
  PtraceTracer(TraceTarget target, const CapturePlans& plans, EventConsumer& out);
  ~PtraceTracer() override;
  PtraceTracer(const PtraceTracer&) = delete;
  PtraceTracer& operator=(const PtraceTracer&) = delete;

  // -n/-W: finds the processes of that name in /proc (by_name.cpp).
  bool prepare() override;
  int run() override;

 private:
  struct Thread {
    pid_t tid = 0;
    pid_t tgid = 0;
    std::array<char, 16> comm{};
    // --pidns-translation: its PID namespace and IDs there, when not dtruss's (else 0).
    uint32_t pidns = 0;
    int32_t ns_pid = 0;
    int32_t ns_tid = 0;
    bool in_syscall = false;   // an entry was seen and its exit is awaited
    bool puts_filter = false;  // the call puts a seccomp filter (see own_filters_)
    bool emit = true;          // false until the started command's execve (setup is not shown)
    bool fresh = true;         // its first stop (attach or auto-attach) not yet seen
    bool attached = false;     // attached by -p (not born under the trace)
    bool group_stopped = false;
    bool detach_at_first_stop = false;  // a new process while not following forks
    bool announced = true;  // false for a tracee seen before its creator's fork/clone event
    bool renames = false;   // in prctl(PR_SET_NAME): its comm is read again at the exit
    pid_t parent_tgid = 0;  // for auto-attached tracees: the process that created it
    int schedstat_fd = -1;
    uint64_t cpu_at_entry = 0;
    std::unordered_map<long, uint64_t> inject_counts;  // --inject: calls so far, per syscall
    uint64_t resume_at = 0;  // --inject's delay: stopped until then (0: not delayed)
    // -y (captures.cpp): its fds' notes as /proc told them, and when (fd_epoch_): good until a
    // call drops that fd's notes or every note.
    struct KeptNote {
      std::string note;
      uint64_t read = 0;
    };
    std::unordered_map<int32_t, KeptNote> fd_notes;
    SyscallEvent pending;
  };

  void start_command();
  void unfollowed(Thread& n);  // a new process while not following forks
  void attach_all();
  void attach_process(pid_t pid);
  Thread& add_thread(pid_t tid, bool attached);
  Thread& adopt(pid_t tid);  // a tracee seen before its creator's fork/clone event
  void refresh_comm(Thread& t);
  void refresh_ns_ids(Thread& t);
  static TaskId task_of(const Thread& t) {
    return {t.tgid, t.tid, t.comm, t.pidns, t.ns_pid, t.ns_tid};
  }
  uint64_t cpu_clock(Thread& t);

  void loop();
  bool keep_tracing_after_signal();
  void handle(pid_t tid, int status);
  void on_syscall_stop(Thread& t);
  void on_seccomp_stop(Thread& t);
  void on_entry(Thread& t, uint64_t nr, const uint64_t* args);
  void on_exit(Thread& t, int64_t rval);
  void on_event(Thread& t, int event, int status);
  void on_group_stop(Thread& t, int sig);
  void on_signal_delivery(Thread& t, int sig);
  void on_new_task(Thread& t, pid_t child);
  void on_exec(Thread& t, pid_t former);
  void on_gone(pid_t tid, int status);
  void resume(Thread& t, int sig = 0);
  void capture_entry(Thread& t);
  void capture_exit(Thread& t);
  void describe_fds(Thread& t, bool at_exit);
  // -y's notes kept between calls (captures.cpp): a call drops those of the fds it may change
  // (by its row in a table; every note for a call that may change a name or many fds), at its
  // entry and at its exit.
  void fds_may_change(Thread& t, long nr, const uint64_t* args, int64_t ret, bool at_exit);
  void drop_fd_note(int fd);
  void drop_fd_notes();
  std::string fd_note(Thread& t, int fd);
  const std::string* kept_note(Thread& t, int fd);
  void note_dup(Thread& t, const SyscallEvent& ev);
  void capture_stack(Thread& t);
  // A call in progress that will not be seen returning: its thread died (or dtruss detached).
  void finish_unfinished(Thread& t, SyscallEvent::End end = SyscallEvent::End::Unfinished);
  // --inject (inject.cpp)
  const InjectRule* inject_rule_for(Thread& t, long nr);
  void inject_at_entry(Thread& t);
  void inject_at_exit(Thread& t, int64_t* rval);
  void delay(Thread& t, uint64_t us);
  void resume_due();
  void resume_delayed();
  void wait_for_stop_or_deadline();
  void detach_all();
  bool detach_at_next_stop(pid_t tid);
  void detach_newborn();
  void waker_died();
  void drop_thread(pid_t tid);

  static uint64_t now_ns();

  TraceTarget target_;
  const CapturePlans& plans_;
  std::vector<bool> selected_;  // -t: indexed by syscall number (empty: all)
  EventConsumer& out_;
  std::unordered_map<pid_t, Thread> threads_;
  // Tracees that ended before their creator's fork/clone event was seen: that late event must
  // not bring them back (the trace would wait for them for ever).
  std::unordered_set<pid_t> gone_unannounced_;
  long ptrace_options_ = 0;
  bool use_seccomp_ = false;
  // A tracee put a seccomp filter of its own: its answers (an errno, a user notification's
  // reply, a signal) take precedence over the -t filter's SECCOMP_RET_TRACE, whose stop would
  // never come, so from then on every call stops (PTRACE_SYSCALL: its entry stop comes before any
  // filter) and the -t filter's stops are only resumed.
  bool own_filters_ = false;
  pid_t child_ = -1;       // the started command
  int child_status_ = -1;  // its wait status, once known
  int exec_error_fd_ = -1;
  bool child_execed_ = false;
  bool signal_passed_on_ = false;
  bool filtered_killed_ = false;  // a -t filtered command was ended instead of detached
  bool uring_told_ = false;       // the notice that io_uring operations need the eBPF backend
  // -y (fd_note): notes read before a drop of theirs (by fd number) or of every note are stale.
  uint64_t fd_epoch_ = 1;             // the stamp of the next read or drop
  uint64_t fds_dropped_ = 0;          // every note
  std::vector<uint64_t> fd_dropped_;  // by fd number
  bool fd_notes_uncached_ = false;    // io_uring seen, or an untraced process shares an fd table
  void idle();
  uint64_t last_flush_ns_ = 0;   // when the trace was last written out (idle)
  uint64_t flush_timer_ns_ = 0;  // when the flush timer set by idle() expires
  pid_t waker_ = -1;             // a helper child whose death wakes waitpid (see interrupt.h)
  size_t processes_seen_ = 0;
  uint32_t own_pidns_ = 0;                  // --pidns-translation: dtruss's PID namespace
  std::unique_ptr<StackUnwinder> stacks_;   // -s
  std::multimap<uint64_t, pid_t> delayed_;  // --inject: threads kept stopped, by deadline
  // --top, --summary --interval: when the next interval ends (a periodic timer wakes the wait).
  void tick_if_due();
  uint64_t next_tick_ns_ = 0;
  TracerAffinity affinity_;  // --tracer-cpu
  StopWait stop_wait_;       // --tracer-spin
  pid_t last_stopped_ = 0;   // the tracee of the last stop (--tracer-cpu=follow)
  // The tracee whose stop is being handled, and its wait status: if handling it throws, it sits
  // in a stop already collected, which no waitpid reports again (detach_at_next_stop).
  pid_t held_ = 0;
  int held_status_ = 0;
};

}  // namespace dtruss
