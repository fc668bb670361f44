// Names of errno values and signals.
#pragma once

#include <string>

namespace dtruss {

// "ENOENT"; nullptr when unknown. Includes the kernel-internal restart codes (ERESTARTSYS ...)
// that a tracer sees when a signal interrupts a call.
const char* errno_name(int err);
// "No such file or directory"; a generic text when unknown.
std::string errno_message(int err);
// For a restart code (ERESTARTSYS ...): what becomes of the interrupted call; else nullptr.
const char* restart_meaning(int err);
// "SIGINT", "SIGRT_3" (kernel numbering: SIGRT_0 is 32); "SIG123" when out of range.
std::string signal_name(int sig);
// The number of a signal given as "INT", "SIGINT", "sigint" or "2"; -1 when unknown.
int signal_by_name(const std::string& name);

}  // namespace dtruss

namespace dtruss {
struct SignalEvent;
class Value;
// The siginfo of a delivered signal as a struct Value: {si_signo=SIGCHLD, si_code=CLD_EXITED, ...}.
Value siginfo_value(const SignalEvent& ev);
// "CLD_EXITED", "SI_USER", "SEGV_MAPERR"; the number as text when unknown.
std::string si_code_name(int signo, int code);
}  // namespace dtruss
