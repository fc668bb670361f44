// Landlock: ruleset attributes, rule types and access rights.

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/landlock.h>
#include <linux/perf_event.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/landlock.h>
constexpr FlagName kLandlockCreateBits[] = {F(LANDLOCK_CREATE_RULESET_VERSION),
                                            F(LANDLOCK_CREATE_RULESET_ERRATA)};
constexpr FlagTable kLandlockCreateFlags = bits_table("landlock_create_flags", kLandlockCreateBits);

// <linux/landlock.h>; LANDLOCK_RULE_NET_PORT from include/uapi/linux/landlock.h (Linux 6.7).
constexpr FlagName kLandlockRules[] = {F(LANDLOCK_RULE_PATH_BENEATH),
                                       N(2, "LANDLOCK_RULE_NET_PORT")};
constexpr FlagTable kLandlockRuleType = enum_table("landlock_rule_type", kLandlockRules);

// struct landlock_ruleset_attr, include/uapi/linux/landlock.h: handled_access_net since Linux
// 6.7, scoped since 6.12 (the installed header has handled_access_fs only). The kernel reads
// `size` bytes of it.
struct landlock_ruleset_attr_v3 {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
static_assert(sizeof(landlock_ruleset_attr_v3) == 24);
static_assert(sizeof(struct landlock_ruleset_attr) == 8);
// landlock_add_rule's rule_attr: struct landlock_path_beneath_attr (packed: 12 bytes) from the
// installed header; struct landlock_net_port_attr (Linux 6.7) from the kernel's
// include/uapi/linux/landlock.h, which the installed header may lack.
static_assert(sizeof(struct landlock_path_beneath_attr) == 12);
struct landlock_net_port_attr_v4 {
  uint64_t allowed_access;
  uint64_t port;
};

// <linux/landlock.h>; LANDLOCK_ACCESS_FS_TRUNCATE (Linux 6.2) and LANDLOCK_ACCESS_FS_IOCTL_DEV
// (6.10), the network rights (6.7) and the scopes (6.12) from include/uapi/linux/landlock.h.
constexpr FlagName kLandlockFsBits[] = {
    F(LANDLOCK_ACCESS_FS_EXECUTE),
    F(LANDLOCK_ACCESS_FS_WRITE_FILE),
    F(LANDLOCK_ACCESS_FS_READ_FILE),
    F(LANDLOCK_ACCESS_FS_READ_DIR),
    F(LANDLOCK_ACCESS_FS_REMOVE_DIR),
    F(LANDLOCK_ACCESS_FS_REMOVE_FILE),
    F(LANDLOCK_ACCESS_FS_MAKE_CHAR),
    F(LANDLOCK_ACCESS_FS_MAKE_DIR),
    F(LANDLOCK_ACCESS_FS_MAKE_REG),
    F(LANDLOCK_ACCESS_FS_MAKE_SOCK),
    F(LANDLOCK_ACCESS_FS_MAKE_FIFO),
    F(LANDLOCK_ACCESS_FS_MAKE_BLOCK),
    F(LANDLOCK_ACCESS_FS_MAKE_SYM),
    F(LANDLOCK_ACCESS_FS_REFER),
    N(1ULL << 14, "LANDLOCK_ACCESS_FS_TRUNCATE"),
    N(1ULL << 15, "LANDLOCK_ACCESS_FS_IOCTL_DEV"),
};
constexpr FlagTable kLandlockFs = tables::bits_table("landlock_access_fs", kLandlockFsBits);
constexpr FlagName kLandlockNetBits[] = {N(1ULL << 0, "LANDLOCK_ACCESS_NET_BIND_TCP"),
                                         N(1ULL << 1, "LANDLOCK_ACCESS_NET_CONNECT_TCP")};
constexpr FlagTable kLandlockNet = tables::bits_table("landlock_access_net", kLandlockNetBits);
constexpr FlagName kLandlockScopeBits[] = {N(1ULL << 0, "LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET"),
                                           N(1ULL << 1, "LANDLOCK_SCOPE_SIGNAL")};
constexpr FlagTable kLandlockScope = tables::bits_table("landlock_scope", kLandlockScopeBits);

Value decode_landlock_ruleset_attr(const ArgContext& c) {
  // The size argument (1) says how much of the struct the caller has.
  size_t size = static_cast<size_t>(c.other(1));
  size_t want = std::min(size, sizeof(landlock_ruleset_attr_v3));
  if (want < sizeof(uint64_t)) return Value::hex(c.raw);
  landlock_ruleset_attr_v3 a{};
  if (c.mem.read(c.raw, &a, want) != want) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("handled_access_fs", flags(kLandlockFs, a.handled_access_fs));
  if (want >= offsetof(landlock_ruleset_attr_v3, handled_access_net) + sizeof(uint64_t))
    v.add("handled_access_net", flags(kLandlockNet, a.handled_access_net));
  if (want >= offsetof(landlock_ruleset_attr_v3, scoped) + sizeof(uint64_t))
    v.add("scoped", flags(kLandlockScope, a.scoped));
  return v;
}

Value decode_landlock_path_beneath_attr(const ArgContext& c) {
  struct landlock_path_beneath_attr a {};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("allowed_access", flags(kLandlockFs, a.allowed_access));
  FIELD(v, a, parent_fd, fd_value);
  return v;
}

Value decode_landlock_net_port_attr(const ArgContext& c) {
  landlock_net_port_attr_v4 a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("allowed_access", flags(kLandlockNet, a.allowed_access));
  FIELD(v, a, port, Value::uinteger);
  return v;
}

constexpr Entry kStructs[] = {
    {"landlock_ruleset_attr", sizeof(landlock_ruleset_attr_v3), decode_landlock_ruleset_attr},
    {"landlock_path_beneath_attr", sizeof(struct landlock_path_beneath_attr),
     decode_landlock_path_beneath_attr},
    {"landlock_net_port_attr", sizeof(landlock_net_port_attr_v4), decode_landlock_net_port_attr},
};

constexpr const FlagTable* kTables[] = {&kLandlockCreateFlags, &kLandlockRuleType, &kLandlockFs,
                                        &kLandlockNet, &kLandlockScope};

using K = ArgKind;

// landlock_add_rule's rule_attr, by rule type. LANDLOCK_RULE_NET_PORT (Linux 6.7) is 2 in the
// kernel's include/uapi/linux/landlock.h; the installed header may not have it.
constexpr ArgChoice kLandlockRuleAttrByType[] = {
    struct_choice(LANDLOCK_RULE_PATH_BENEATH, "landlock_path_beneath_attr", Dir::In),
    struct_choice(2, "landlock_net_port_attr", Dir::In),
};
constexpr ChoiceTable kLandlockRuleAttr{"landlock_rule_attr", kLandlockRuleAttrByType, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kLandlockRuleAttr};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
static_assert(value_named(kLandlockFsBits, "LANDLOCK_ACCESS_FS_TRUNCATE") ==
              value_of(LANDLOCK_ACCESS_FS_TRUNCATE));
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
static_assert(value_named(kLandlockFsBits, "LANDLOCK_ACCESS_FS_IOCTL_DEV") ==
              value_of(LANDLOCK_ACCESS_FS_IOCTL_DEV));
#endif
#ifdef LANDLOCK_ACCESS_NET_BIND_TCP
static_assert(value_named(kLandlockNetBits, "LANDLOCK_ACCESS_NET_BIND_TCP") ==
              value_of(LANDLOCK_ACCESS_NET_BIND_TCP));
#endif
#ifdef LANDLOCK_ACCESS_NET_CONNECT_TCP
static_assert(value_named(kLandlockNetBits, "LANDLOCK_ACCESS_NET_CONNECT_TCP") ==
              value_of(LANDLOCK_ACCESS_NET_CONNECT_TCP));
#endif
#ifdef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
static_assert(value_named(kLandlockScopeBits, "LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET") ==
              value_of(LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET));
#endif
#ifdef LANDLOCK_SCOPE_SIGNAL
static_assert(value_named(kLandlockScopeBits, "LANDLOCK_SCOPE_SIGNAL") ==
              value_of(LANDLOCK_SCOPE_SIGNAL));
#endif

}  // namespace

Subject subject_landlock() {
  return {"landlock", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
