#include "decode/names.h"

#include <fmt/format.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include <cstdlib>

#include "decode/decoder.h"

namespace dtruss {
namespace {

// Error codes the kernel uses internally and never returns to a process, but which a tracer
// sees at syscall exit when a signal interrupts the call (include/linux/errno.h).
struct KernelErrno {
  int value;
  const char* name;
  const char* message;
  // A restart code: what becomes of the interrupted call (dtruss --explain).
  const char* restart = nullptr;
};
constexpr KernelErrno kKernelErrnos[] = {
    {512, "ERESTARTSYS", "To be restarted if SA_RESTART is set",
     "a signal interrupted the call: it runs again once the handler returns if the handler was "
     "installed with SA_RESTART (or no handler ran), else it fails with EINTR"},
    {513, "ERESTARTNOINTR", "To be restarted",
     "a signal interrupted the call: it runs again once the signal is handled, whatever the "
     "handler's flags"},
    {514, "ERESTARTNOHAND", "To be restarted if no handler",
     "a signal interrupted the call: it runs again if no handler runs for the signal, else it "
     "fails with EINTR"},
    {515, "ENOIOCTLCMD", "No ioctl command"},
    {516, "ERESTART_RESTARTBLOCK", "Interrupted by signal",
     "a signal interrupted the call: without a handler it resumes (as restart_syscall, with the "
     "time it had left), with one it fails with EINTR"},
    {517, "EPROBE_DEFER", "Driver requests probe retry"},
    {518, "EOPENSTALE", "Open found a stale dentry"},
    {519, "ENOPARAM", "Parameter not supported"},
    {521, "EBADHANDLE", "Illegal NFS file handle"},
    {524, "ENOTSUPP", "Operation is not supported"},
};

}  // namespace

const char* errno_name(int err) {
  for (const auto& k : kKernelErrnos)
    if (k.value == err) return k.name;
  return strerrorname_np(err);  // glibc 2.32+; nullptr when unknown
}

const char* restart_meaning(int err) {
  for (const auto& k : kKernelErrnos)
    if (k.value == err) return k.restart;
  return nullptr;
}

std::string errno_message(int err) {
  for (const auto& k : kKernelErrnos)
    if (k.value == err) return k.message;
  const char* d = strerrordesc_np(err);
  return d != nullptr ? std::string(d) : fmt::format("Unknown error {}", err);
}

std::string signal_name(int sig) {
  // glibc names 29 POLL; <signal.h> defines SIGIO as the name and SIGPOLL as its alias, and
  // that is what people (and strace) call it.
  if (sig == SIGIO) return "SIGIO";
  if (sig > 0 && sig < 32) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr) return fmt::format("SIG{}", abbrev);
  }
  if (sig >= 32 && sig <= 64) return fmt::format("SIGRT_{}", sig - 32);
  return fmt::format("SIG{}", sig);
}

int signal_by_name(const std::string& name) {
  if (name.empty()) return -1;
  char* end = nullptr;
  long n = std::strtol(name.c_str(), &end, 10);
  if (*end == '\0') return (n > 0 && n <= 64) ? static_cast<int>(n) : -1;
  std::string s = name;
  if (strncasecmp(s.c_str(), "SIG", 3) == 0) s = s.substr(3);
  if (strcasecmp(s.c_str(), "IO") == 0) return SIGIO;
  for (int sig = 1; sig < 32; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && strcasecmp(abbrev, s.c_str()) == 0) return sig;
  }
  return -1;
}

}  // namespace dtruss

#include "core/event.h"
#include "core/value.h"

namespace dtruss {
namespace {
struct CodeName {
  int code;
  const char* name;
};
#define C(x) \
  CodeName { \
    x, #x    \
  }
// <bits/siginfo-consts.h>: codes any signal may carry.
constexpr CodeName kGenericCodes[] = {C(SI_USER),  C(SI_KERNEL),  C(SI_QUEUE), C(SI_TIMER),
                                      C(SI_MESGQ), C(SI_ASYNCIO), C(SI_SIGIO), C(SI_TKILL)};
constexpr CodeName kChldCodes[] = {C(CLD_EXITED),  C(CLD_KILLED),  C(CLD_DUMPED),
                                   C(CLD_TRAPPED), C(CLD_STOPPED), C(CLD_CONTINUED)};
constexpr CodeName kSegvCodes[] = {C(SEGV_MAPERR), C(SEGV_ACCERR), C(SEGV_BNDERR), C(SEGV_PKUERR)};
constexpr CodeName kBusCodes[] = {C(BUS_ADRALN), C(BUS_ADRERR), C(BUS_OBJERR), C(BUS_MCEERR_AR),
                                  C(BUS_MCEERR_AO)};
constexpr CodeName kIllCodes[] = {C(ILL_ILLOPC), C(ILL_ILLOPN), C(ILL_ILLADR), C(ILL_ILLTRP),
                                  C(ILL_PRVOPC), C(ILL_PRVREG), C(ILL_COPROC), C(ILL_BADSTK)};
constexpr CodeName kFpeCodes[] = {C(FPE_INTDIV), C(FPE_INTOVF), C(FPE_FLTDIV), C(FPE_FLTOVF),
                                  C(FPE_FLTUND), C(FPE_FLTRES), C(FPE_FLTINV), C(FPE_FLTSUB)};
constexpr CodeName kTrapCodes[] = {C(TRAP_BRKPT), C(TRAP_TRACE), C(TRAP_BRANCH), C(TRAP_HWBKPT)};
constexpr CodeName kPollCodes[] = {C(POLL_IN),  C(POLL_OUT), C(POLL_MSG),
                                   C(POLL_ERR), C(POLL_PRI), C(POLL_HUP)};
#undef C

template <size_t N>
const char* find_code(const CodeName (&table)[N], int code) {
  for (const auto& c : table)
    if (c.code == code) return c.name;
  return nullptr;
}

bool has_fault_address(int signo) {
  return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE ||
         signo == SIGTRAP;
}
}  // namespace

std::string si_code_name(int signo, int code) {
  const char* name = nullptr;
  if (code > 0) {  // positive codes are per signal; others are generic
    switch (signo) {
      case SIGCHLD:
        name = find_code(kChldCodes, code);
        break;
      case SIGSEGV:
        name = find_code(kSegvCodes, code);
        break;
      case SIGBUS:
        name = find_code(kBusCodes, code);
        break;
      case SIGILL:
        name = find_code(kIllCodes, code);
        break;
      case SIGFPE:
        name = find_code(kFpeCodes, code);
        break;
      case SIGTRAP:
        name = find_code(kTrapCodes, code);
        break;
      case SIGPOLL:
        name = find_code(kPollCodes, code);
        break;
      default:
        break;
    }
  }
  if (name == nullptr) name = find_code(kGenericCodes, code);
  return name != nullptr ? std::string(name) : std::to_string(code);
}

namespace {

// A union sigval, as strace shows it: its int and its pointer.
void add_sigval(Value& v, uint64_t value) {
  v.add("si_int", Value::integer(static_cast<int32_t>(value)));
  v.add("si_ptr", value == 0 ? Value::null() : Value::hex(value));
}

}  // namespace

Value siginfo_value(const SignalEvent& ev) {
  Value v = Value::structure();
  v.add("si_signo", Value::symbol(signal_name(ev.signo), static_cast<uint64_t>(ev.signo)));
  if (!ev.has_info) return v;
  v.add("si_code", Value::symbol(si_code_name(ev.signo, ev.code), static_cast<uint64_t>(ev.code)));
  if (ev.errno_ != 0) v.add("si_errno", Value::integer(ev.errno_));
  bool from_process = ev.code <= 0 || ev.signo == SIGCHLD;  // SI_USER, SI_QUEUE, SI_TKILL, CLD_*
  if (ev.code == SI_TIMER) {  // a POSIX timer (timer_create): its id, overrun and sigval
    v.add("si_timerid", Value::integer(ev.timer_id));
    v.add("si_overrun", Value::integer(ev.overrun));
    add_sigval(v, ev.value);
  } else if (has_fault_address(ev.signo) && ev.code > 0) {
    v.add("si_addr", ev.addr == 0 ? Value::null() : Value::hex(ev.addr));
  } else if (from_process && ev.code != SI_KERNEL) {
    v.add("si_pid", Value::integer(ev.sender_pid));
    v.add("si_uid", Value::uinteger(ev.sender_uid));
    if (ev.signo == SIGCHLD) {
      bool by_signal = ev.code == CLD_KILLED || ev.code == CLD_DUMPED || ev.code == CLD_STOPPED ||
                       ev.code == CLD_TRAPPED || ev.code == CLD_CONTINUED;
      v.add("si_status", by_signal ? signal_value(ev.status) : Value::integer(ev.status));
    }
    if (ev.code == SI_QUEUE || ev.code == SI_MESGQ) add_sigval(v, ev.value);  // sigqueue's value
  }
  return v;
}

}  // namespace dtruss
