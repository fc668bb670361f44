#include "backends/ptrace/stop_wait.h"

#include <errno.h>
#include <sched.h>
#include <sys/wait.h>

#include "util/clock.h"

namespace dtruss {

pid_t StopWait::wait(int* status, volatile sig_atomic_t& interrupted) {
  uint64_t start = monotonic_ns();
  pid_t tid = 0;
  interrupted = 0;  // (one before: the loop has been through idle() since)
  bool polled = polls();
  if (polled) {
    uint64_t until = start + spin_ns_;
    for (unsigned polls = 1;; polls++) {
      tid = waitpid(-1, status, __WALL | WNOHANG);
      if (tid != 0) break;
      if (interrupted) {  // the timer's signal came between two polls: as EINTR would
        interrupted = 0;
        errno = EINTR;
        return -1;
      }
      if (polls % 4 == 0 && monotonic_ns() >= until) break;  // (a poll costs more than a clock)
    }
  }
  // (A signal between the last poll and this wait is not seen until the next stop: the output
  // held back waits for it. The window is a few instructions, once in a flush period at most.)
  if (tid == 0) tid = waitpid(-1, status, __WALL);
  if (tid > 0) came(tid, monotonic_ns() - start, polled);
  return tid;
}

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return CPU_COUNT(&set);
}

}  // namespace dtruss
