// Time: clocks, timers, struct timespec/timeval pairs, itimers, timex, tms, timerfd.

#include <dirent.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/statvfs.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/time_types.h>
#include <linux/times.h>
#include <linux/utime.h>

// <linux/time.h> (pulled in by <linux/timex.h>) declares the same struct tags as glibc's
// headers: it lives in its own namespace.
namespace kabi {
#include <linux/timex.h>
}  // namespace kabi

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/timerfd.h> (bits/timerfd.h)
constexpr FlagName kTimerfdBits[] = {F(TFD_CLOEXEC), F(TFD_NONBLOCK)};
constexpr FlagTable kTimerfdFlags = bits_table("timerfd_flags", kTimerfdBits);

// <sys/timerfd.h>
constexpr FlagName kTimerfdSettimeBits[] = {F(TFD_TIMER_ABSTIME), F(TFD_TIMER_CANCEL_ON_SET)};
constexpr FlagTable kTimerfdSettimeFlags = bits_table("timerfd_settime_flags", kTimerfdSettimeBits);

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

// <linux/timex.h>: modes. The ADJ_OFFSET_* are multi-bit (ADJ_OFFSET among them): first.
constexpr FlagName kAdjBits[] = {
    F(ADJ_OFFSET_SS_READ),
    F(ADJ_OFFSET_SINGLESHOT),
    F(ADJ_OFFSET),
    F(ADJ_FREQUENCY),
    F(ADJ_MAXERROR),
    F(ADJ_ESTERROR),
    F(ADJ_STATUS),
    F(ADJ_TIMECONST),
    F(ADJ_TAI),
    F(ADJ_SETOFFSET),
    F(ADJ_MICRO),
    F(ADJ_NANO),
    F(ADJ_TICK),
};
constexpr FlagTable kAdjModes = tables::bits_table("timex_modes", kAdjBits);

// <linux/timex.h>: status.
constexpr FlagName kStaBits[] = {
    F(STA_PLL),       F(STA_PPSFREQ),   F(STA_PPSTIME),   F(STA_FLL),
    F(STA_INS),       F(STA_DEL),       F(STA_UNSYNC),    F(STA_FREQHOLD),
    F(STA_PPSSIGNAL), F(STA_PPSJITTER), F(STA_PPSWANDER), F(STA_PPSERROR),
    F(STA_CLOCKERR),  F(STA_NANO),      F(STA_MODE),      F(STA_CLK),
};
constexpr FlagTable kStaStatus = tables::bits_table("timex_status", kStaBits);

Value decode_utimbuf(const ArgContext& c) {
  struct utimbuf u {};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, u, actime, Value::integer);
  FIELD(v, u, modtime, Value::integer);
  return v;
}

// utimensat's times[2]: tv_nsec may say "now" or "leave unchanged" instead.
Value utime_nsec(int64_t nsec) {
  if (nsec == UTIME_NOW) return Value::symbol("UTIME_NOW", static_cast<uint64_t>(nsec));
  if (nsec == UTIME_OMIT) return Value::symbol("UTIME_OMIT", static_cast<uint64_t>(nsec));
  return Value::integer(nsec);
}

Value decode_timespec_pair(const ArgContext& c) {
  __kernel_timespec ts[2]{};
  if (!read_struct(c.mem, c.raw, &ts)) return Value::unreadable(c.raw);
  Value arr = Value::array();
  for (const auto& t : ts) {
    Value v = Value::structure();
    FIELD(v, t, tv_sec, Value::integer);
    FIELD(v, t, tv_nsec, utime_nsec);
    arr.add({}, std::move(v));
  }
  return arr;
}

Value decode_timeval(const ArgContext& c) {
  __kernel_old_timeval tv{};
  if (!read_struct(c.mem, c.raw, &tv)) return Value::unreadable(c.raw);
  return timeval_value(tv);
}

Value decode_timeval_pair(const ArgContext& c) {
  __kernel_old_timeval tv[2]{};
  if (!read_struct(c.mem, c.raw, &tv)) return Value::unreadable(c.raw);
  Value arr = Value::array();
  arr.add({}, timeval_value(tv[0]));
  arr.add({}, timeval_value(tv[1]));
  return arr;
}

Value decode_itimerspec(const ArgContext& c) {
  __kernel_itimerspec its{};
  if (!read_struct(c.mem, c.raw, &its)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, its, it_interval, timespec_value);
  FIELD(v, its, it_value, timespec_value);
  return v;
}

Value decode_itimerval(const ArgContext& c) {
  __kernel_old_itimerval itv{};
  if (!read_struct(c.mem, c.raw, &itv)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, itv, it_interval, timeval_value);
  FIELD(v, itv, it_value, timeval_value);
  return v;
}

Value decode_timezone(const ArgContext& c) {
  kabi::timezone tz{};
  if (!read_struct(c.mem, c.raw, &tz)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, tz, tz_minuteswest, Value::integer);
  FIELD(v, tz, tz_dsttime, Value::integer);
  return v;
}

Value decode_tms(const ArgContext& c) {
  struct tms t {};
  if (!read_struct(c.mem, c.raw, &t)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, t, tms_utime, Value::integer);
  FIELD(v, t, tms_stime, Value::integer);
  FIELD(v, t, tms_cutime, Value::integer);
  FIELD(v, t, tms_cstime, Value::integer);
  return v;
}

Value decode_timex(const ArgContext& c) {
  kabi::__kernel_timex tx{};
  if (!read_struct(c.mem, c.raw, &tx)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("modes", flags(kAdjModes, tx.modes));
  FIELD(v, tx, offset, Value::integer);
  FIELD(v, tx, freq, Value::integer);
  if (!c.opt.verbose) {
    v.add("status", flags(kStaStatus, static_cast<uint32_t>(tx.status)));
    v.truncated = true;
    return v;
  }
  FIELD(v, tx, maxerror, Value::integer);
  FIELD(v, tx, esterror, Value::integer);
  v.add("status", flags(kStaStatus, static_cast<uint32_t>(tx.status)));
  FIELD(v, tx, constant, Value::integer);
  FIELD(v, tx, precision, Value::integer);
  FIELD(v, tx, tolerance, Value::integer);
  v.add("time", timeval_value(tx.time.tv_sec, tx.time.tv_usec));
  FIELD(v, tx, tick, Value::integer);
  FIELD(v, tx, ppsfreq, Value::integer);
  FIELD(v, tx, jitter, Value::integer);
  FIELD(v, tx, shift, Value::integer);
  FIELD(v, tx, stabil, Value::integer);
  FIELD(v, tx, jitcnt, Value::integer);
  FIELD(v, tx, calcnt, Value::integer);
  FIELD(v, tx, errcnt, Value::integer);
  FIELD(v, tx, stbcnt, Value::integer);
  FIELD(v, tx, tai, Value::integer);
  return v;
}

constexpr Entry kStructs[] = {
    {"utimbuf", sizeof(struct utimbuf), decode_utimbuf},
    {"timespec_pair", 2 * sizeof(__kernel_timespec), decode_timespec_pair},
    {"timeval", sizeof(__kernel_old_timeval), decode_timeval},
    {"timeval_pair", 2 * sizeof(__kernel_old_timeval), decode_timeval_pair},
    {"itimerspec", sizeof(__kernel_itimerspec), decode_itimerspec},
    {"itimerval", sizeof(__kernel_old_itimerval), decode_itimerval},
    {"timezone", sizeof(kabi::timezone), decode_timezone},
    {"timex", sizeof(kabi::__kernel_timex), decode_timex},
    {"tms", sizeof(struct tms), decode_tms},
};

constexpr const FlagTable* kTables[] = {&kTimerfdFlags, &kTimerfdSettimeFlags, &kClockId,
                                        &kItimerWhich,  &kTimerSettimeFlags,   &kAdjModes,
                                        &kStaStatus};

}  // namespace

Subject subject_time() {
  return {"time", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
