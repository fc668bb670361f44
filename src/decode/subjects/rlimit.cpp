// Resources: struct rlimit and rusage, rlimit resources, priorities.

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/rseq.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/resource.h>
constexpr FlagName kRlimits[] = {
    F(RLIMIT_CPU),      F(RLIMIT_FSIZE), F(RLIMIT_DATA),   F(RLIMIT_STACK),
    F(RLIMIT_CORE),     F(RLIMIT_RSS),   F(RLIMIT_NPROC),  F(RLIMIT_NOFILE),
    F(RLIMIT_MEMLOCK),  F(RLIMIT_AS),    F(RLIMIT_LOCKS),  F(RLIMIT_SIGPENDING),
    F(RLIMIT_MSGQUEUE), F(RLIMIT_NICE),  F(RLIMIT_RTPRIO), F(RLIMIT_RTTIME),
};
constexpr FlagTable kRlimitResource = enum_table("rlimit_resource", kRlimits);

// <sys/resource.h>
constexpr FlagName kRusageWho[] = {F(RUSAGE_SELF), F(RUSAGE_CHILDREN), F(RUSAGE_THREAD)};
constexpr FlagTable kRusageWhoTable = enum_table("rusage_who", kRusageWho);

// <sys/resource.h>
constexpr FlagName kWhichPrio[] = {F(PRIO_PROCESS), F(PRIO_PGRP), F(PRIO_USER)};
constexpr FlagTable kWhichPrioTable = enum_table("which_prio", kWhichPrio);

static_assert(sizeof(struct rusage) == 144);

static_assert(sizeof(struct rlimit) == 16);

Value rlim_value(uint64_t r) {
  if (r == RLIM64_INFINITY) return Value::symbol("RLIM_INFINITY", r);
  return Value::uinteger(r);
}

Value decode_rlimit(const ArgContext& c) {
  struct rlimit64 r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, rlim_cur, rlim_value);
  FIELD(v, r, rlim_max, rlim_value);
  return v;
}

Value decode_rusage(const ArgContext& c) {
  struct rusage ru {};
  if (!read_struct(c.mem, c.raw, &ru)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, ru, ru_utime, timeval_value);
  FIELD(v, ru, ru_stime, timeval_value);
  FIELD(v, ru, ru_maxrss, Value::integer);
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  FIELD(v, ru, ru_ixrss, Value::integer);
  FIELD(v, ru, ru_idrss, Value::integer);
  FIELD(v, ru, ru_isrss, Value::integer);
  FIELD(v, ru, ru_minflt, Value::integer);
  FIELD(v, ru, ru_majflt, Value::integer);
  FIELD(v, ru, ru_nswap, Value::integer);
  FIELD(v, ru, ru_inblock, Value::integer);
  FIELD(v, ru, ru_oublock, Value::integer);
  FIELD(v, ru, ru_msgsnd, Value::integer);
  FIELD(v, ru, ru_msgrcv, Value::integer);
  FIELD(v, ru, ru_nsignals, Value::integer);
  FIELD(v, ru, ru_nvcsw, Value::integer);
  FIELD(v, ru, ru_nivcsw, Value::integer);
  return v;
}

constexpr Entry kStructs[] = {
    {"rlimit", sizeof(struct rlimit64), decode_rlimit},
    {"rusage", sizeof(struct rusage), decode_rusage},
};

constexpr const FlagTable* kTables[] = {&kRlimitResource, &kRusageWhoTable, &kWhichPrioTable};

}  // namespace

Subject subject_rlimit() {
  return {"rlimit", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
