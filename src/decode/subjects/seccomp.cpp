// seccomp: operations, flags, filter programs and actions.

#include <algorithm>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <fcntl.h>
#include <linux/audit.h>
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

// <linux/audit.h>: the architectures a seccomp_data can tell (x86_64's, and its 32-bit ABI's).
constexpr FlagName kAuditArches[] = {F(AUDIT_ARCH_X86_64), F(AUDIT_ARCH_I386)};
constexpr FlagTable kAuditArch = enum_table("audit_arch", kAuditArches);

// <linux/seccomp.h>: a user notification's reply (SECCOMP_IOCTL_NOTIF_SEND) and an added fd
// (SECCOMP_IOCTL_NOTIF_ADDFD).
constexpr FlagName kNotifRespBits[] = {F(SECCOMP_USER_NOTIF_FLAG_CONTINUE)};
constexpr FlagTable kNotifRespFlags = bits_table("seccomp_resp_flags", kNotifRespBits);
constexpr FlagName kAddfdBits[] = {F(SECCOMP_ADDFD_FLAG_SETFD), F(SECCOMP_ADDFD_FLAG_SEND)};
constexpr FlagTable kAddfdFlags = bits_table("seccomp_addfd_flags", kAddfdBits);
constexpr FlagName kNewfdBits[] = {F(O_CLOEXEC)};  // (the only flag the kernel takes there)
constexpr FlagTable kNewfdFlags = bits_table("seccomp_newfd_flags", kNewfdBits);

static_assert(sizeof(struct seccomp_notif) == 80 && sizeof(struct seccomp_notif_resp) == 24 &&
              sizeof(struct seccomp_notif_addfd) == 24);

// SECCOMP_IOCTL_NOTIF_RECV: the call a supervised thread made, as its filter saw it (the
// syscall by name when the architecture is this one's).
Value decode_seccomp_notif(const ArgContext& c) {
  struct seccomp_notif n {};
  if (!read_struct(c.mem, c.raw, &n)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, n, id, Value::hex);
  FIELD(v, n, pid, Value::uinteger);
  FIELD(v, n, flags, Value::uinteger);
  Value d = Value::structure();
  d.add("nr", n.data.arch == AUDIT_ARCH_X86_64
                  ? Value::symbol(syscall_name(n.data.nr), static_cast<uint64_t>(n.data.nr))
                  : Value::integer(n.data.nr));
  d.add("arch", enum_or_hex(kAuditArch, n.data.arch));
  d.add("instruction_pointer", Value::hex(n.data.instruction_pointer));
  Value args = Value::array();
  for (uint64_t a : n.data.args) args.add({}, Value::hex(a));
  d.add("args", std::move(args));
  v.add("data", std::move(d));
  return v;
}

// SECCOMP_IOCTL_NOTIF_SEND: the reply (a return value, or an errno as a negative number).
Value decode_seccomp_notif_resp(const ArgContext& c) {
  struct seccomp_notif_resp r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, id, Value::hex);
  FIELD(v, r, val, Value::integer);
  FIELD(v, r, error, Value::integer);
  v.add("flags", flags(kNotifRespFlags, r.flags));
  return v;
}

// SECCOMP_IOCTL_NOTIF_ADDFD: the supervisor's fd to put in the supervised process (at newfd with
// SECCOMP_ADDFD_FLAG_SETFD).
Value decode_seccomp_notif_addfd(const ArgContext& c) {
  struct seccomp_notif_addfd a {};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, a, id, Value::hex);
  v.add("flags", flags(kAddfdFlags, a.flags));
  v.add("srcfd", fd_value(static_cast<int32_t>(a.srcfd)));
  v.add("newfd", fd_value(static_cast<int32_t>(a.newfd)));
  v.add("newfd_flags", flags(kNewfdFlags, a.newfd_flags));
  return v;
}

constexpr Entry kStructs[] = {
    {"sock_fprog", sizeof(struct sock_fprog), decode_sock_fprog},
    {"seccomp_notif", sizeof(struct seccomp_notif), decode_seccomp_notif},
    {"seccomp_notif_resp", sizeof(struct seccomp_notif_resp), decode_seccomp_notif_resp},
    {"seccomp_notif_addfd", sizeof(struct seccomp_notif_addfd), decode_seccomp_notif_addfd},
    {"seccomp_action", sizeof(uint32_t), decode_seccomp_action},
    {"seccomp_notif_sizes", sizeof(struct seccomp_notif_sizes), decode_seccomp_notif_sizes},
};

constexpr const FlagTable* kTables[] = {&kSeccompOp, &kSeccompFlags,   &kSeccompAction,
                                        &kAuditArch, &kNotifRespFlags, &kAddfdFlags,
                                        &kNewfdFlags};

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
