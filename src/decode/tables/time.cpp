// Time tables: clock ids, interval timers, absolute-time flags.
// Facts from glibc's <time.h> (bits/time.h) and <sys/time.h>.
#include <sys/time.h>
#include <time.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <time.h> (bits/time.h). CLOCK_SGI_CYCLE (10) was never implemented. The negative ids of
// process, thread and fd clocks are not named: they print in decimal.
constexpr FlagName kClocks[] = {
    F(CLOCK_REALTIME),          F(CLOCK_MONOTONIC),     F(CLOCK_PROCESS_CPUTIME_ID),
    F(CLOCK_THREAD_CPUTIME_ID), F(CLOCK_MONOTONIC_RAW), F(CLOCK_REALTIME_COARSE),
    F(CLOCK_MONOTONIC_COARSE),  F(CLOCK_BOOTTIME),      F(CLOCK_REALTIME_ALARM),
    F(CLOCK_BOOTTIME_ALARM),    F(CLOCK_TAI),
};
constexpr FlagTable kClockId = enum_table("clock_id", kClocks);

// <sys/time.h>
constexpr FlagName kItimers[] = {F(ITIMER_REAL), F(ITIMER_VIRTUAL), F(ITIMER_PROF)};
constexpr FlagTable kItimerWhich = enum_table("itimer_which", kItimers);

// <time.h>: timer_settime's and clock_nanosleep's flags.
constexpr FlagName kTimerBits[] = {F(TIMER_ABSTIME)};
constexpr FlagTable kTimerSettimeFlags = bits_table("timer_settime_flags", kTimerBits);

constexpr const FlagTable* kTables[] = {&kClockId, &kItimerWhich, &kTimerSettimeFlags};

}  // namespace

TableList time_tables() {
  return kTables;
}

}  // namespace dtruss::tables
