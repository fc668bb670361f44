// seccomp: operations, flags, filter programs and actions.

#include <algorithm>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/seccomp.h>
constexpr FlagName kSeccompOps[] = {F(SECCOMP_SET_MODE_STRICT), F(SECCOMP_SET_MODE_FILTER),
                                    F(SECCOMP_GET_ACTION_AVAIL), F(SECCOMP_GET_NOTIF_SIZES)};
constexpr FlagTable kSeccompOp = enum_table("seccomp_op", kSeccompOps);

// <linux/seccomp.h>
constexpr FlagName kSeccompBits[] = {
    F(SECCOMP_FILTER_FLAG_TSYNC),       F(SECCOMP_FILTER_FLAG_LOG),
    F(SECCOMP_FILTER_FLAG_SPEC_ALLOW),  F(SECCOMP_FILTER_FLAG_NEW_LISTENER),
    F(SECCOMP_FILTER_FLAG_TSYNC_ESRCH), F(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
};
constexpr FlagTable kSeccompFlags = bits_table("seccomp_flags", kSeccompBits);

static_assert(sizeof(struct sock_fprog) == 16);

static_assert(sizeof(struct seccomp_notif_sizes) == 6);

// <linux/seccomp.h>: the action of a filter's return value (SECCOMP_GET_ACTION_AVAIL).
constexpr FlagName kSeccompActions[] = {
    F(SECCOMP_RET_KILL_PROCESS), F(SECCOMP_RET_KILL_THREAD), F(SECCOMP_RET_TRAP),
    F(SECCOMP_RET_ERRNO),        F(SECCOMP_RET_USER_NOTIF),  F(SECCOMP_RET_TRACE),
    F(SECCOMP_RET_LOG),          F(SECCOMP_RET_ALLOW),
};
constexpr FlagTable kSeccompAction = tables::enum_table("seccomp_action", kSeccompActions);

// SECCOMP_SET_MODE_FILTER's program: its length and where its instructions are.
Value decode_sock_fprog(const ArgContext& c) {
  struct sock_fprog p {};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, p, len, Value::uinteger);
  v.add("filter", ptr_value(reinterpret_cast<uint64_t>(p.filter)));
  return v;
}

// SECCOMP_GET_ACTION_AVAIL's u32: [SECCOMP_RET_LOG].
Value decode_seccomp_action(const ArgContext& c) {
  uint32_t a = 0;
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, enum_or_hex(kSeccompAction, a));
  return v;
}

Value decode_seccomp_notif_sizes(const ArgContext& c) {
  struct seccomp_notif_sizes s {};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, s, seccomp_notif, Value::uinteger);
  FIELD(v, s, seccomp_notif_resp, Value::uinteger);
  FIELD(v, s, seccomp_data, Value::uinteger);
  return v;
}

constexpr Entry kStructs[] = {
    {"sock_fprog", sizeof(struct sock_fprog), decode_sock_fprog},
    {"seccomp_action", sizeof(uint32_t), decode_seccomp_action},
    {"seccomp_notif_sizes", sizeof(struct seccomp_notif_sizes), decode_seccomp_notif_sizes},
};

constexpr const FlagTable* kTables[] = {&kSeccompOp, &kSeccompFlags, &kSeccompAction};

using K = ArgKind;

// seccomp's uargs, by op: the filter program, the action asked about, the sizes written back.
constexpr ArgChoice kSeccompUargsByOp[] = {
    struct_choice(SECCOMP_SET_MODE_FILTER, "sock_fprog", Dir::In),
    struct_choice(SECCOMP_GET_ACTION_AVAIL, "seccomp_action", Dir::In),
    struct_choice(SECCOMP_GET_NOTIF_SIZES, "seccomp_notif_sizes", Dir::Out),
};
constexpr ChoiceTable kSeccompUargs{"seccomp_uargs", kSeccompUargsByOp, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kSeccompUargs};

}  // namespace

Subject subject_seccomp() {
  return {"seccomp", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
