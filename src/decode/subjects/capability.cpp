// Capabilities: capget/capset header and data, capability numbers.

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/capability.h>
#include <linux/rseq.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/capability.h>: a capability number (prctl's PR_CAPBSET_READ and PR_CAPBSET_DROP).
constexpr FlagName kCapabilities[] = {
    F(CAP_CHOWN),
    F(CAP_DAC_OVERRIDE),
    F(CAP_DAC_READ_SEARCH),
    F(CAP_FOWNER),
    F(CAP_FSETID),
    F(CAP_KILL),
    F(CAP_SETGID),
    F(CAP_SETUID),
    F(CAP_SETPCAP),
    F(CAP_LINUX_IMMUTABLE),
    F(CAP_NET_BIND_SERVICE),
    F(CAP_NET_BROADCAST),
    F(CAP_NET_ADMIN),
    F(CAP_NET_RAW),
    F(CAP_IPC_LOCK),
    F(CAP_IPC_OWNER),
    F(CAP_SYS_MODULE),
    F(CAP_SYS_RAWIO),
    F(CAP_SYS_CHROOT),
    F(CAP_SYS_PTRACE),
    F(CAP_SYS_PACCT),
    F(CAP_SYS_ADMIN),
    F(CAP_SYS_BOOT),
    F(CAP_SYS_NICE),
    F(CAP_SYS_RESOURCE),
    F(CAP_SYS_TIME),
    F(CAP_SYS_TTY_CONFIG),
    F(CAP_MKNOD),
    F(CAP_LEASE),
    F(CAP_AUDIT_WRITE),
    F(CAP_AUDIT_CONTROL),
    F(CAP_SETFCAP),
    F(CAP_MAC_OVERRIDE),
    F(CAP_MAC_ADMIN),
    F(CAP_SYSLOG),
    F(CAP_WAKE_ALARM),
    F(CAP_BLOCK_SUSPEND),
    F(CAP_AUDIT_READ),
    F(CAP_PERFMON),
    F(CAP_BPF),
    F(CAP_CHECKPOINT_RESTORE),
};
static_assert(CAP_LAST_CAP == CAP_CHECKPOINT_RESTORE, "a capability is missing from the table");
constexpr FlagTable kCapability = enum_table("capability", kCapabilities);

static_assert(sizeof(struct __user_cap_header_struct) == 8);

static_assert(sizeof(struct __user_cap_data_struct) == 12);

// <linux/capability.h>
constexpr FlagName kCapVersions[] = {F(_LINUX_CAPABILITY_VERSION_1), F(_LINUX_CAPABILITY_VERSION_2),
                                     F(_LINUX_CAPABILITY_VERSION_3)};
constexpr FlagTable kCapVersion = tables::enum_table("cap_version", kCapVersions);

Value decode_cap_header(const ArgContext& c) {
  struct __user_cap_header_struct h {};
  if (!read_struct(c.mem, c.raw, &h)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("version", enum_or_hex(kCapVersion, h.version));
  FIELD(v, h, pid, Value::integer);
  return v;
}

// 1 for _LINUX_CAPABILITY_VERSION_1, 2 for versions 2 and 3, 0 for others (the kernel refuses).
size_t cap_u32s(uint32_t version) {
  switch (version) {
    case _LINUX_CAPABILITY_VERSION_1:
      return _LINUX_CAPABILITY_U32S_1;
    case _LINUX_CAPABILITY_VERSION_2:
      return _LINUX_CAPABILITY_U32S_2;
    case _LINUX_CAPABILITY_VERSION_3:
      return _LINUX_CAPABILITY_U32S_3;
    default:
      return 0;
  }
}

Value one_cap_data(const ArgContext& c, uint64_t addr) {
  struct __user_cap_data_struct d {};
  if (!read_struct(c.mem, addr, &d)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, d, effective, Value::hex);
  FIELD(v, d, permitted, Value::hex);
  FIELD(v, d, inheritable, Value::hex);
  return v;
}

Value decode_cap_data(const ArgContext& c) {
  struct __user_cap_header_struct h {};
  if (!read_struct(c.mem, c.other(0), &h)) return Value::hex(c.raw);
  size_t n = cap_u32s(h.version);
  if (n == 0) return Value::hex(c.raw);
  return decode_array(c, n, sizeof(struct __user_cap_data_struct), n, one_cap_data);
}

constexpr Entry kStructs[] = {
    {"cap_header", sizeof(struct __user_cap_header_struct), decode_cap_header},
    {"cap_data", _LINUX_CAPABILITY_U32S_3 * sizeof(struct __user_cap_data_struct), decode_cap_data},
};

constexpr const FlagTable* kTables[] = {&kCapability, &kCapVersion};

}  // namespace

Subject subject_capability() {
  return {"capability", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
