// The ptrace tracer's wait for the next stop (issue 20). A stop that comes within microseconds
// (a cheap call's exit, the few instructions between two calls) is caught sooner by polling
// (waitpid WNOHANG) than by sleeping: a sleeping tracer is woken through the scheduler, on a
// virtual machine by waking a halted CPU, twice a call. dtruss polls up to --tracer-spin, and
// only when the stop is expected that soon: after the same kind of wait (the same syscall's exit,
// or the tracee's own code up to its next call) last came within it. A call that blocks (read of
// a terminal, a sleep) or a program that computes between calls makes dtruss sleep at once the
// next time; polling costs CPU only at such a change. With one CPU, never: the poll would only
// take the tracee's time.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <array>
#include <cstdint>

namespace dtruss {

class StopWait {
 public:
  // `spin_ns`: the longest poll (0: never poll); `cpus`: the CPUs dtruss may use.
  StopWait(uint64_t spin_ns, int cpus) : spin_ns_(cpus >= 2 ? spin_ns : 0), cpus_(cpus) {}

  // `tid` is resumed: into the call `nr` (at its entry stop), or its own code (nr < 0);
  // `threads` are traced. More threads than CPUs: never polls (the poll would take a CPU from a
  // traced thread: 8 threads on 2 CPUs ran 9 % slower polling).
  void resumed(pid_t tid, long nr, size_t threads = 1) {
    tid_ = tid;
    kind_ = nr < 0 ? kUser : (static_cast<size_t>(nr) < kCalls ? static_cast<size_t>(nr) : kNone);
    if (threads > static_cast<size_t>(cpus_)) kind_ = kNone;
  }
  // Whether the next wait polls first.
  bool polls() const { return spin_ns_ != 0 && kind_ != kNone && !slow_[kind_] && skip_ == 0; }
  // The stop of `tid` came `waited_ns` after the wait began (`polled`: the wait polled first):
  // what the next waits expect.
  void came(pid_t tid, uint64_t waited_ns, bool polled) {
    bool slow = waited_ns > spin_ns_;
    if (tid == tid_ && kind_ != kNone) slow_[kind_] = slow;
    if (skip_ > 0) skip_--;
    if (!polled) return;
    if (slow) {  // a stop expected soon came late: the machine is busy, or the program changed
      skip_ = penalty_;
      penalty_ = penalty_ * 2 + 1 > kMaxPenalty ? kMaxPenalty : penalty_ * 2 + 1;
    } else {
      penalty_ /= 2;
    }
  }
  // waitpid(-1, status, __WALL), polled first when polls(). -1 with errno EINTR when
  // `interrupted` was set (the flush timer) during the poll, as the blocking wait would have.
  pid_t wait(int* status, volatile sig_atomic_t& interrupted);
  uint64_t spin_ns() const { return spin_ns_; }

 private:
  static constexpr size_t kCalls = 1024;  // syscall numbers kept; others never poll
  static constexpr size_t kUser = kCalls, kNone = kCalls + 1;
  uint64_t spin_ns_;
  int cpus_;
  pid_t tid_ = 0;
  size_t kind_ = kUser;
  std::array<bool, kCalls + 1> slow_{};  // by kind: the last such wait outlasted spin_ns_
  // A poll that ran out (the stop came late although that kind came soon before) makes the next
  // `penalty_` waits sleep at once; each one in a row doubles it, each caught stop halves it. On a
  // busy machine the traced program often waits for a CPU: a poll would take one from it.
  static constexpr uint32_t kMaxPenalty = 1023;
  uint32_t skip_ = 0;
  uint32_t penalty_ = 1;
};

// The CPUs this process may run on (sched_getaffinity; 1 when it cannot tell).
int usable_cpus();

}  // namespace dtruss
