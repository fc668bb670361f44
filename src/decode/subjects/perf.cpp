// perf_event_open: struct perf_event_attr, its types and flags.

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/perf_event.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/perf_event.h>
constexpr FlagName kPerfBits[] = {F(PERF_FLAG_FD_NO_GROUP), F(PERF_FLAG_FD_OUTPUT),
                                  F(PERF_FLAG_PID_CGROUP), F(PERF_FLAG_FD_CLOEXEC)};
constexpr FlagTable kPerfEventOpenFlags = bits_table("perf_event_open_flags", kPerfBits);

// <linux/perf_event.h>: perf_event_attr's type, and the config of the two generic types.
constexpr FlagName kPerfTypes[] = {F(PERF_TYPE_HARDWARE),   F(PERF_TYPE_SOFTWARE),
                                   F(PERF_TYPE_TRACEPOINT), F(PERF_TYPE_HW_CACHE),
                                   F(PERF_TYPE_RAW),        F(PERF_TYPE_BREAKPOINT)};
constexpr FlagTable kPerfType = tables::enum_table("perf_type", kPerfTypes);
constexpr FlagName kPerfHwIds[] = {
    F(PERF_COUNT_HW_CPU_CYCLES),
    F(PERF_COUNT_HW_INSTRUCTIONS),
    F(PERF_COUNT_HW_CACHE_REFERENCES),
    F(PERF_COUNT_HW_CACHE_MISSES),
    F(PERF_COUNT_HW_BRANCH_INSTRUCTIONS),
    F(PERF_COUNT_HW_BRANCH_MISSES),
    F(PERF_COUNT_HW_BUS_CYCLES),
    F(PERF_COUNT_HW_STALLED_CYCLES_FRONTEND),
    F(PERF_COUNT_HW_STALLED_CYCLES_BACKEND),
    F(PERF_COUNT_HW_REF_CPU_CYCLES),
};
constexpr FlagTable kPerfHwId = tables::enum_table("perf_hw_id", kPerfHwIds);
constexpr FlagName kPerfSwIds[] = {
    F(PERF_COUNT_SW_CPU_CLOCK),        F(PERF_COUNT_SW_TASK_CLOCK),
    F(PERF_COUNT_SW_PAGE_FAULTS),      F(PERF_COUNT_SW_CONTEXT_SWITCHES),
    F(PERF_COUNT_SW_CPU_MIGRATIONS),   F(PERF_COUNT_SW_PAGE_FAULTS_MIN),
    F(PERF_COUNT_SW_PAGE_FAULTS_MAJ),  F(PERF_COUNT_SW_ALIGNMENT_FAULTS),
    F(PERF_COUNT_SW_EMULATION_FAULTS), F(PERF_COUNT_SW_DUMMY),
    F(PERF_COUNT_SW_BPF_OUTPUT),       F(PERF_COUNT_SW_CGROUP_SWITCHES),
};
constexpr FlagTable kPerfSwId = tables::enum_table("perf_sw_id", kPerfSwIds);

// The first fields of every version of the struct: type, size, config.
struct perf_event_attr_head {
  uint32_t type;
  uint32_t size;
  uint64_t config;
};
static_assert(offsetof(struct perf_event_attr, config) == offsetof(perf_event_attr_head, config));

Value perf_config_value(uint32_t type, uint64_t config) {
  const FlagTable* t = type == PERF_TYPE_HARDWARE   ? &kPerfHwId
                       : type == PERF_TYPE_SOFTWARE ? &kPerfSwId
                                                    : nullptr;
  if (t != nullptr) {
    if (const char* name = enum_name(*t, config)) return Value::symbol(name, config);
  }
  return Value::hex(config);
}

Value decode_perf_event_attr(const ArgContext& c) {
  perf_event_attr_head a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("type", enum_or_number(kPerfType, a.type));
  FIELD(v, a, size, Value::uinteger);
  v.add("config", perf_config_value(a.type, a.config));
  v.truncated = true;
  return v;
}

constexpr Entry kStructs[] = {
    {"perf_event_attr", sizeof(perf_event_attr_head), decode_perf_event_attr},
};

constexpr const FlagTable* kTables[] = {&kPerfEventOpenFlags, &kPerfType, &kPerfHwId, &kPerfSwId};

}  // namespace

Subject subject_perf() {
  return {"perf", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
