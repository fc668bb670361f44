// strace's habits on dtruss's command line: the -e KEY=VALUE expressions, their sets (signals,
// fds), and the hints for strace flags that mean something else to dtruss.
#pragma once

#include <string>
#include <string_view>

#include "cli/options.h"
#include "core/number_set.h"

namespace dtruss {

// What strace's -e KEY (trace, t, signal, s, read, r, ...) stands for: the long option of
// dtruss's that takes the same VALUE ("trace", "signal", ...). nullptr when KEY is none of
// strace's; `*unsupported` is set when it is one of strace's that dtruss has no option for.
const char* expression_option(std::string_view key, bool* unsupported);

// strace's trace set as dtruss's -t list: strace's leading ! negates the whole set (!a,b: all
// but a and b), dtruss's ! the item it starts (!a,!b).
std::string trace_set_as_list(std::string_view set);

// strace's signal set: SIGCHLD, CHLD, chld or 17, comma-separated, all, none; a leading ! takes
// the complement. False with a one-line message when a word is none of these.
bool parse_signal_set(std::string_view text, NumberSet* out, std::string* error);
// strace's fd set (-e read=3,5): numbers, all, none, a leading !.
bool parse_fd_set(std::string_view text, NumberSet* out, std::string* error);

// A strace habit that dtruss reads otherwise (-s 128: the stack flag and a command "128"; -tt:
// -t with the syscall list "t"): the one-line hint, or "" when none applies.
std::string habit_hint(const Options& opt);
// The same for one word that getopt refused (-s128: -s, then an unknown option -1), or "".
std::string habit_hint(std::string_view word);

}  // namespace dtruss
