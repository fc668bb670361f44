// Scheduling: struct sched_param and sched_attr, CPU masks, policies, I/O priorities.

#include <fmt/format.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// <linux/sched/types.h> declares struct sched_param, as glibc's <sched.h> (pulled in by
// <string>) does: it lives in its own namespace.
namespace kabi {

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
}  // namespace kabi

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/sched.h>: the policy, with the SCHED_RESET_ON_FORK bit. SCHED_OTHER is the kernel's
// SCHED_NORMAL; SCHED_EXT is from include/uapi/linux/sched.h (Linux 6.12).
constexpr FlagName kSchedPolicies[] = {
    N(SCHED_NORMAL, "SCHED_OTHER"),
    F(SCHED_FIFO),
    F(SCHED_RR),
    F(SCHED_BATCH),
    F(SCHED_IDLE),
    F(SCHED_DEADLINE),
    N(7, "SCHED_EXT"),
};
constexpr FlagName kSchedPolicyBits[] = {F(SCHED_RESET_ON_FORK)};
constexpr FlagTable kSchedPolicy =
    mixed_table("sched_policy", ~value_of(SCHED_RESET_ON_FORK), kSchedPolicies, kSchedPolicyBits);

// <linux/sched.h>: sched_attr.sched_flags.
constexpr FlagName kSchedFlagBits[] = {
    F(SCHED_FLAG_RESET_ON_FORK),  F(SCHED_FLAG_RECLAIM),     F(SCHED_FLAG_DL_OVERRUN),
    F(SCHED_FLAG_KEEP_POLICY),    F(SCHED_FLAG_KEEP_PARAMS), F(SCHED_FLAG_UTIL_CLAMP_MIN),
    F(SCHED_FLAG_UTIL_CLAMP_MAX),
};
constexpr FlagTable kSchedFlags = bits_table("sched_flags", kSchedFlagBits);

// include/uapi/linux/ioprio.h: enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER }
constexpr FlagName kIoprioWho[] = {N(1, "IOPRIO_WHO_PROCESS"), N(2, "IOPRIO_WHO_PGRP"),
                                   N(3, "IOPRIO_WHO_USER")};
constexpr FlagTable kIoprioWhich = enum_table("ioprio_which", kIoprioWho);

static_assert(sizeof(kabi::sched_attr) == SCHED_ATTR_SIZE_VER1);

Value decode_sched_param(const ArgContext& c) {
  kabi::sched_param p{};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, p, sched_priority, Value::integer);
  return v;
}

// The size field says which version the struct is (sched_setattr: 0 is the first); the
// utilization hints follow from SCHED_ATTR_SIZE_VER1 on.
Value decode_sched_attr(const ArgContext& c) {
  kabi::sched_attr a{};
  if (c.mem.read(c.raw, &a, SCHED_ATTR_SIZE_VER0) != SCHED_ATTR_SIZE_VER0)
    return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, a, size, Value::uinteger);
  v.add("sched_policy", flags(kSchedPolicy, a.sched_policy));
  v.add("sched_flags", flags(kSchedFlags, a.sched_flags));
  FIELD(v, a, sched_nice, Value::integer);
  FIELD(v, a, sched_priority, Value::uinteger);
  FIELD(v, a, sched_runtime, Value::uinteger);
  FIELD(v, a, sched_deadline, Value::uinteger);
  FIELD(v, a, sched_period, Value::uinteger);
  if (a.size >= SCHED_ATTR_SIZE_VER1) {
    if (!read_struct(c.mem, c.raw, &a)) {
      v.truncated = true;
      return v;
    }
    FIELD(v, a, sched_util_min, Value::uinteger);
    FIELD(v, a, sched_util_max, Value::uinteger);
  }
  return v;
}

// sched_setaffinity/sched_getaffinity's mask as the list of its CPUs: its bytes are the length
// argument (set) or the return value (get), an array of unsigned long, bit N for CPU N.
// Masks longer than kMaxArrayElements bytes (8192 CPUs) are cut there, with `...`.
Value decode_cpu_mask(const ArgContext& c) {
  size_t n = element_count(c, 0);
  if (n == 0) return Value::hex(c.raw);
  uint64_t asked = c.arg.len >= 0 ? c.other(c.arg.len) : static_cast<uint64_t>(c.ev.ret);
  uint8_t bytes[kMaxArrayElements];
  if (c.mem.read(c.raw, bytes, n) != n) return Value::unreadable(c.raw);
  Value arr = Value::array();
  for (size_t i = 0; i < n * 8; ++i)
    if (((bytes[i / 8] >> (i % 8)) & 1) != 0) arr.add({}, Value::uinteger(i));
  arr.truncated = asked > n;
  return arr;
}

constexpr Entry kStructs[] = {
    {"sched_param", sizeof(kabi::sched_param), decode_sched_param},
    {"sched_attr", sizeof(kabi::sched_attr), decode_sched_attr},
    {"cpu_mask", 0, decode_cpu_mask},
};

constexpr const FlagTable* kTables[] = {&kSchedPolicy, &kSchedFlags, &kIoprioWhich};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef SCHED_OTHER
static_assert(value_named(kSchedPolicies, "SCHED_OTHER") == value_of(SCHED_OTHER));
#endif
#ifdef SCHED_EXT
static_assert(value_named(kSchedPolicies, "SCHED_EXT") == value_of(SCHED_EXT));
#endif
#ifdef IOPRIO_WHO_PROCESS
static_assert(value_named(kIoprioWho, "IOPRIO_WHO_PROCESS") == value_of(IOPRIO_WHO_PROCESS));
#endif
#ifdef IOPRIO_WHO_PGRP
static_assert(value_named(kIoprioWho, "IOPRIO_WHO_PGRP") == value_of(IOPRIO_WHO_PGRP));
#endif
#ifdef IOPRIO_WHO_USER
static_assert(value_named(kIoprioWho, "IOPRIO_WHO_USER") == value_of(IOPRIO_WHO_USER));
#endif

}  // namespace

Subject subject_sched() {
  return {"sched", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
