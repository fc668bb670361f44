// --inject (strace's -e inject=): what to do to which calls, and when. Parsed and checked by the
// application (app/inject_spec), carried by TraceTarget to the ptrace backend, which does it, and
// recorded in each SyscallEvent it did it to (the sinks show it).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace dtruss {

// What is done to a call. `error` and `retval` exclude each other: with either, the call does
// not run (its number is replaced by an invalid one at entry) and returns -error or retval.
struct InjectAction {
  std::optional<int> error;       // error=ERRNO
  std::optional<int64_t> retval;  // retval=N
  int signal = 0;                 // signal=SIG: sent to the thread at the call's entry
  uint64_t delay_enter_us = 0;    // delay_enter=D: the thread waits that long before the call
  uint64_t delay_exit_us = 0;     // delay_exit=D: ... and that long after it

  bool skips_call() const { return error.has_value() || retval.has_value(); }
};

// Which occurrences (when=FIRST[..LAST][+[STEP]]): FIRST, then every STEP-th up to LAST
// (inclusive). when=3 is the 3rd alone (last = first), 3..5 the 3rd to the 5th, 3+ every one from
// the 3rd, 3+2 the 3rd, 5th, 7th... Occurrences count from 1, per thread and per syscall, as
// strace's.
struct InjectWhen {
  uint64_t first = 1;
  uint64_t last = UINT64_MAX;
  uint64_t step = 1;

  bool matches(uint64_t n) const { return n >= first && n <= last && (n - first) % step == 0; }
};

// One --inject: the calls it selects (indexed by syscall number), what and when.
struct InjectRule {
  std::vector<bool> syscalls;
  InjectAction action;
  InjectWhen when;

  bool selects(long nr) const {
    return nr >= 0 && static_cast<size_t>(nr) < syscalls.size() &&
           syscalls[static_cast<size_t>(nr)];
  }
};

}  // namespace dtruss
