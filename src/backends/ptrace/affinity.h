// The ptrace tracer's CPU (issue 20): every syscall stop is a switch from the tracee to dtruss
// and back; on one CPU that is a direct switch, across two it is a wake-up of the other CPU each
// time. dtruss moves itself (never a tracee) to the CPU a tracee runs on; while another program
// keeps that CPU busy (dtruss waits for it), it lets the scheduler place it for a while.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <cstdint>

#include "core/target.h"

namespace dtruss {

class TracerAffinity {
 public:
  explicit TracerAffinity(TracerCpu mode) : mode_(mode) {}
  // Called once the tracees are started or attached (a child forked by dtruss inherits its
  // affinity: never before). Pin and Follow: dtruss stays on the CPU it runs on now.
  void start();
  // At each flush (about every 10 ms; `now_ns` monotonic), `tid` the tracee of the last stop.
  // Follow: moves dtruss to the CPU `tid` last ran on, when that changed. Pin and Follow: when
  // dtruss waited for its CPU more than a quarter of the time over kBusyChecks checks in a row
  // (another program uses it), it may run anywhere for kReleaseNs, then is pinned again.
  void check(pid_t tid, uint64_t now_ns);
  TracerCpu mode() const { return mode_; }
  ~TracerAffinity();
  TracerAffinity(const TracerAffinity&) = delete;
  TracerAffinity& operator=(const TracerAffinity&) = delete;

  static constexpr int kBusyChecks = 3;
  static constexpr uint64_t kReleaseNs = 200'000'000;

 private:
  void move_to(int cpu);
  uint64_t run_delay_ns();  // dtruss's time waiting for a CPU so far (schedstat)
  TracerCpu mode_;
  bool started_ = false;
  cpu_set_t allowed_{};  // dtruss's own affinity before it moved: where it may go
  int cpu_ = -1;         // where it is pinned now (-1: not pinned)
  int schedstat_fd_ = -1;
  uint64_t last_check_ns_ = 0;
  uint64_t last_delay_ns_ = 0;
  int busy_checks_ = 0;          // checks in a row that found dtruss waiting for its CPU
  uint64_t released_until_ = 0;  // not pinned until then
};

// The CPU a thread last ran on (/proc/TID/stat's "processor"); -1 if it cannot be read.
int last_cpu_of(pid_t tid);

}  // namespace dtruss
