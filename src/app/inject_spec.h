// --inject=SET:ACTION[:ACTION...][:when=EXPR] (and -e inject=...), as strace's -e inject= reads
// it: SET is a syscall list as -t takes it; ACTION is error=ERRNO, retval=N, signal=SIG,
// delay_enter=D or delay_exit=D (microseconds, or with a unit: 10ms, 1s, 500us, 2000ns),
// syscall=NAME (run that call instead: one of no arguments that only reads, getpid), and
// poke_enter=@argN=HEX[,@argM=HEX] / poke_exit=... (bytes written where argument N points).
// --fault=SET[:error=ERRNO][:when=EXPR] (strace's -e fault=): the same with error= and when= only,
// error defaulting to ENOSYS.
#pragma once

#include <string>
#include <string_view>

#include "core/inject.h"

namespace dtruss {

// Parses one spec into `out`; false with a one-line message (naming the option) when it is
// wrong.
enum class InjectForm { Inject, Fault };
bool parse_inject_spec(std::string_view spec, InjectRule* out, std::string* error,
                       InjectForm form = InjectForm::Inject);

}  // namespace dtruss
