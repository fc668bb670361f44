// Sinks render decoded events; they never decode. One trace may feed several sinks (the lines
// and the -c table).
#pragma once

#include <time.h>

#include <cstdint>
#include <string>

#include "core/event.h"
#include "decode/decoder.h"
#include "output/summary_model.h"
#include "syscalls/uring_ops.h"

namespace dtruss {

// A signal with its name and siginfo decoded, once (by the pipeline) for every sink.
struct DecodedSignal {
  const SignalEvent& ev;
  std::string name;  // "SIGCHLD"
  Value info;        // {si_signo=SIGCHLD, si_code=CLD_EXITED, ...}
};

// A stop signal (Ctrl-C, SIGTERM) ended the trace: what had been seen, and what became of the
// traced processes.
struct Interruption {
  uint64_t ts_ns = 0;  // CLOCK_MONOTONIC, when it was said
  int signal = 0;
  uint64_t calls = 0;
  size_t processes = 0;
  bool detached = false;  // attached processes were let go; false: the started command stopped
  const char* outcome() const { return detached ? "detached" : "stopped"; }
};

// CLOCK_REALTIME - CLOCK_MONOTONIC now: what turns an event's time into the wall clock's.
inline int64_t realtime_offset_ns() {
  timespec mono{};
  timespec real{};
  clock_gettime(CLOCK_MONOTONIC, &mono);
  clock_gettime(CLOCK_REALTIME, &real);
  auto ns = [](const timespec& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; };
  return ns(real) - ns(mono);
}

class Sink {
 public:
  virtual ~Sink() = default;
  // `base_ns`: CLOCK_MONOTONIC when the trace started (RELATIVE and ts_ns count from it).
  virtual void begin(uint64_t base_ns) { base_ns_ = base_ns; }
  // CLOCK_REALTIME - CLOCK_MONOTONIC for the wall-clock times (--timestamps, JSON's wall_ns):
  // measured as the trace began, or a replayed capture's (set before begin()).
  void set_wall_offset(int64_t ns) { wall_offset_ns_ = ns; }
  virtual void syscall(const DecodedCall& call) = 0;
  virtual void signal(const DecodedSignal&) {}
  virtual void stop(const StopEvent&) {}
  virtual void exit(const ExitEvent&) {}
  virtual void lost(const LostEvent&) {}
  virtual void notice(const NoticeEvent&) {}
  virtual void ready() {}                    // see EventConsumer::ready
  virtual void tick(uint64_t /*now_ns*/) {}  // see EventConsumer::tick (--top, --interval)
  // Counts aggregated by the backend (in the kernel) instead of single calls: only the summary
  // uses them.
  virtual void aggregate(const SyscallAggregate&) {}
  // The trace was interrupted (before finish()). A sink that records it in the trace (JSON)
  // returns true: the pipeline gives it to the sinks in order until one has.
  virtual bool interrupted(const Interruption&) { return false; }
  // The trace is over: write whatever is pending (tables, totals).
  virtual void finish() {}
  // When it ended (CLOCK_MONOTONIC), told before finish(): the summary's wall time.
  virtual void end_at(uint64_t /*ts_ns*/) {}

 protected:
  uint64_t since_start(uint64_t ts_ns) const { return ts_ns > base_ns_ ? ts_ns - base_ns_ : 0; }
  uint64_t base_ns_ = 0;
  int64_t wall_offset_ns_ = realtime_offset_ns();  // (a sink used alone: the clock's now)
};

// Duration of a call in ns (0 if it never returned).
inline uint64_t call_duration(const SyscallEvent& ev) {
  return ev.exit_ns > ev.enter_ns ? ev.exit_ns - ev.enter_ns : 0;
}

// An io_uring operation's name where syscalls' names are mixed with it (the summary's rows, the
// timeline's slices): uring:read.
inline std::string uring_name(const std::string& name) {
  return std::string(kUringPrefix) + name;
}

}  // namespace dtruss
