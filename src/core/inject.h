// --inject (strace's -e inject=): what to do to which calls, and when. Parsed and checked by the
// application (app/inject_spec), carried by TraceTarget to the ptrace backend, which does it, and
// recorded in each SyscallEvent it did it to (the sinks show it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dtruss {

// poke_enter=@argN=HEX / poke_exit=: bytes written where argument N (1-6) points, at the call's
// entry (the call reads them) or at its exit (the program reads them).
struct InjectPoke {
  int arg = 1;
  std::string bytes;
};
inline constexpr size_t kMaxPokeBytes = 1024;

// What is done to a call. `error` and `retval` exclude each other: with either, the call does
// not run (its number is replaced by an invalid one at entry) and returns -error or retval.
// `syscall` (with error or retval, as strace's): the kernel runs that call instead of the invalid
// number (one of no arguments that only reads: getpid), and the program gets error or retval.
struct InjectAction {
  std::optional<int> error;       // error=ERRNO
  std::optional<int64_t> retval;  // retval=N
  int signal = 0;                 // signal=SIG: sent to the thread at the call's entry
  uint64_t delay_enter_us = 0;    // delay_enter=D: the thread waits that long before the call
  uint64_t delay_exit_us = 0;     // delay_exit=D: ... and that long after it
  long syscall = -1;              // syscall=NAME: its number (-1: none)
  std::vector<InjectPoke> poke_enter, poke_exit;

  bool skips_call() const { return error.has_value() || retval.has_value(); }
  // What a trace marks (INJECTED): the result, the call or a signal; pokes alone are marked
  // (INJECTED: args); a delay alone (DELAYED).
  bool changes_result() const { return skips_call() || signal != 0; }
  bool pokes() const { return !poke_enter.empty() || !poke_exit.empty(); }
  bool delays() const { return delay_enter_us != 0 || delay_exit_us != 0; }
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
