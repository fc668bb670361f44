// The siginfo of a POSIX timer (SI_TIMER): its id, overrun and sigval, not a sender's pid and
// uid, whether a wait fills it or the signal is delivered.
#include <gtest/gtest.h>
#include <linux/time_types.h>
#include <signal.h>
#include <sys/syscall.h>

#include <string>

#include "decode/names.h"
#include "decode_support.h"

namespace dtruss::unit {
namespace {

siginfo_t timer_siginfo() {
  siginfo_t si{};
  si.si_signo = SIGALRM;
  si.si_code = SI_TIMER;
  si.si_timerid = 3;
  si.si_overrun = 2;
  si.si_value.sival_ptr = reinterpret_cast<void*>(uintptr_t{77});
  return si;
}

TEST(SiginfoTimer, FilledByTheKernelForAWait) {
  auto ev = make(SYS_rt_sigtimedwait, {0x3000, kPtr, 0, 8}, SIGALRM);
  capture(ev, kPtr, timer_siginfo());
  EXPECT_EQ(arg(ev, 1),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=3, si_overrun=2, si_int=77, "
            "si_ptr=0x4d}");
}

TEST(SiginfoTimer, DeliveredSignal) {
  SignalEvent sig;
  sig.signo = SIGALRM;
  sig.set_info(timer_siginfo());
  std::string out;
  append_json(out, siginfo_value(sig));
  EXPECT_EQ(out,
            "{\"si_signo\":\"SIGALRM\",\"si_code\":\"SI_TIMER\",\"si_timerid\":3,"
            "\"si_overrun\":2,\"si_int\":77,\"si_ptr\":\"0x4d\"}");
  // A sigval of 0: si_ptr NULL.
  siginfo_t zero = timer_siginfo();
  zero.si_value.sival_ptr = nullptr;
  sig.set_info(zero);
  EXPECT_EQ(unit::text(siginfo_value(sig)),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=3, si_overrun=2, si_int=0, "
            "si_ptr=NULL}");
}

}  // namespace
}  // namespace dtruss::unit
