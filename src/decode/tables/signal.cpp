// Signal tables: sigprocmask's how, sigaction flags, signalfd flags, sigaltstack flags.
// Facts from the kernel's UAPI headers <asm-generic/signal-defs.h> and <linux/signalfd.h>.
// glibc's <signal.h> lacks SA_RESTORER, SA_UNSUPPORTED and SA_EXPOSE_TAGBITS and spells the
// SA_* macros differently; <linux/signal.h> and <asm/signal.h> declare sigset_t and struct
// timeval against glibc's (pulled in by <string>). So the few constants only those two headers
// hold are numbers citing them.
#include <asm-generic/signal-defs.h>
#include <linux/signalfd.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <asm-generic/signal-defs.h>
constexpr FlagName kHow[] = {F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK)};
constexpr FlagTable kSigprocmaskHow = enum_table("sigprocmask_how", kHow);

// <asm-generic/signal-defs.h>; SA_RESTORER from arch/x86/include/uapi/asm/signal.h. SA_NOMASK and
// SA_ONESHOT are old names of SA_NODEFER and SA_RESETHAND.
constexpr FlagName kSigactionBits[] = {
    F(SA_NOCLDSTOP),   F(SA_NOCLDWAIT),      F(SA_SIGINFO),
    F(SA_UNSUPPORTED), F(SA_EXPOSE_TAGBITS), N(0x04000000, "SA_RESTORER"),
    F(SA_ONSTACK),     F(SA_RESTART),        F(SA_NODEFER),
    F(SA_RESETHAND),
};
constexpr FlagTable kSigactionFlags = bits_table("sigaction_flags", kSigactionBits);

// <linux/signalfd.h> (the O_* values of <linux/fcntl.h>)
constexpr FlagName kSignalfdBits[] = {F(SFD_CLOEXEC), F(SFD_NONBLOCK)};
constexpr FlagTable kSignalfdFlags = bits_table("signalfd_flags", kSignalfdBits);

// include/uapi/linux/signal.h: stack_t.ss_flags of sigaltstack. SS_ONSTACK and SS_DISABLE are
// states reported back, SS_AUTODISARM a flag.
constexpr FlagName kSsBits[] = {N(1, "SS_ONSTACK"), N(2, "SS_DISABLE"),
                                N(1U << 31, "SS_AUTODISARM")};
constexpr FlagTable kSsFlags = bits_table("sigaltstack_flags", kSsBits);

constexpr const FlagTable* kTables[] = {&kSigprocmaskHow, &kSigactionFlags, &kSignalfdFlags,
                                        &kSsFlags};

}  // namespace

TableList signal_tables() {
  return kTables;
}

}  // namespace dtruss::tables
