// The ptrace tracer's CPU (issue 20): every syscall stop is a switch from the tracee to dtruss
// and back; on one CPU that is a direct switch, across two it is a wake-up of the other CPU each
// time. dtruss moves itself (never a tracee) to the CPU a tracee runs on.
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
  // Follow: moves dtruss to the CPU thread `tid` (a tracee) last ran on, when that changed.
  void follow(pid_t tid);
  TracerCpu mode() const { return mode_; }

 private:
  void move_to(int cpu);
  TracerCpu mode_;
  bool started_ = false;
  cpu_set_t allowed_{};  // dtruss's own affinity before it moved: where it may go
  int cpu_ = -1;         // where it is pinned now
};

// The CPU a thread last ran on (/proc/TID/stat's "processor"); -1 if it cannot be read.
int last_cpu_of(pid_t tid);

}  // namespace dtruss
