// Mounts: mount, umount, the new mount API, mount_setattr, statmount and listmount.

#include <dirent.h>
#include <fmt/format.h>
#include <sys/mount.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/mount.h>. MS_MGC_VAL, the magic that old callers put in the top 16 bits, is a multi-bit
// name listed first. MS_KERNMOUNT, MS_ACTIVE and MS_NOUSER are kernel-internal but named.
constexpr FlagName kMsBits[] = {
    F(MS_MGC_VAL),     F(MS_RDONLY),     F(MS_NOSUID),     F(MS_NODEV),     F(MS_NOEXEC),
    F(MS_SYNCHRONOUS), F(MS_REMOUNT),    F(MS_MANDLOCK),   F(MS_DIRSYNC),   F(MS_NOSYMFOLLOW),
    F(MS_NOATIME),     F(MS_NODIRATIME), F(MS_BIND),       F(MS_MOVE),      F(MS_REC),
    F(MS_SILENT),      F(MS_POSIXACL),   F(MS_UNBINDABLE), F(MS_PRIVATE),   F(MS_SLAVE),
    F(MS_SHARED),      F(MS_RELATIME),   F(MS_KERNMOUNT),  F(MS_I_VERSION), F(MS_STRICTATIME),
    F(MS_LAZYTIME),    F(MS_ACTIVE),     F(MS_NOUSER),
};
constexpr FlagTable kMountFlags = bits_table("mount_flags", kMsBits);

// <sys/mount.h>
constexpr FlagName kUmountBits[] = {F(MNT_FORCE), F(MNT_DETACH), F(MNT_EXPIRE), F(UMOUNT_NOFOLLOW)};
constexpr FlagTable kUmountFlags = bits_table("umount_flags", kUmountBits);

// <sys/mount.h>: the MOUNT_ATTR_* of fsmount's attr_flags and struct mount_attr. The atime
// setting (MOUNT_ATTR__ATIME) is a 3-bit field whose 0 is MOUNT_ATTR_RELATIME (not shown);
// MOUNT_ATTR_NOATIME and MOUNT_ATTR_STRICTATIME are its other values, one bit each.
constexpr FlagName kMountAttrBits[] = {
    F(MOUNT_ATTR_RDONLY),     F(MOUNT_ATTR_NOSUID),  F(MOUNT_ATTR_NODEV),
    F(MOUNT_ATTR_NOEXEC),     F(MOUNT_ATTR_NOATIME), F(MOUNT_ATTR_STRICTATIME),
    F(MOUNT_ATTR_NODIRATIME), F(MOUNT_ATTR_IDMAP),   F(MOUNT_ATTR_NOSYMFOLLOW),
};
constexpr FlagTable kMountSetattrFlags = bits_table("mount_setattr_flags", kMountAttrBits);

// <sys/mount.h>, <fcntl.h>
constexpr FlagName kOpenTreeBits[] = {
    F(OPEN_TREE_CLONE), F(OPEN_TREE_CLOEXEC), F(AT_SYMLINK_NOFOLLOW),
    F(AT_NO_AUTOMOUNT), F(AT_EMPTY_PATH),     F(AT_RECURSIVE),
};
constexpr FlagTable kOpenTreeFlags = bits_table("open_tree_flags", kOpenTreeBits);

// <sys/mount.h>; MOVE_MOUNT_BENEATH from include/uapi/linux/mount.h (Linux 6.5).
constexpr FlagName kMoveMountBits[] = {
    F(MOVE_MOUNT_F_SYMLINKS), F(MOVE_MOUNT_F_AUTOMOUNTS),          F(MOVE_MOUNT_F_EMPTY_PATH),
    F(MOVE_MOUNT_T_SYMLINKS), F(MOVE_MOUNT_T_AUTOMOUNTS),          F(MOVE_MOUNT_T_EMPTY_PATH),
    F(MOVE_MOUNT_SET_GROUP),  N(0x00000200, "MOVE_MOUNT_BENEATH"),
};
constexpr FlagTable kMoveMountFlags = bits_table("move_mount_flags", kMoveMountBits);

// <sys/mount.h>
constexpr FlagName kFsopenBits[] = {F(FSOPEN_CLOEXEC)};
constexpr FlagTable kFsopenFlags = bits_table("fsopen_flags", kFsopenBits);

// <sys/mount.h>
constexpr FlagName kFsmountBits[] = {F(FSMOUNT_CLOEXEC)};
constexpr FlagTable kFsmountFlags = bits_table("fsmount_flags", kFsmountBits);

// <sys/mount.h>
constexpr FlagName kFspickBits[] = {F(FSPICK_CLOEXEC), F(FSPICK_SYMLINK_NOFOLLOW),
                                    F(FSPICK_NO_AUTOMOUNT), F(FSPICK_EMPTY_PATH)};
constexpr FlagTable kFspickFlags = bits_table("fspick_flags", kFspickBits);

// <sys/mount.h>; FSCONFIG_CMD_CREATE_EXCL from include/uapi/linux/mount.h (Linux 6.6).
constexpr FlagName kFsconfigCmds[] = {
    F(FSCONFIG_SET_FLAG),   F(FSCONFIG_SET_STRING),      F(FSCONFIG_SET_BINARY),
    F(FSCONFIG_SET_PATH),   F(FSCONFIG_SET_PATH_EMPTY),  F(FSCONFIG_SET_FD),
    F(FSCONFIG_CMD_CREATE), F(FSCONFIG_CMD_RECONFIGURE), N(8, "FSCONFIG_CMD_CREATE_EXCL"),
};
constexpr FlagTable kFsconfigCmd = enum_table("fsconfig_cmd", kFsconfigCmds);

// include/uapi/linux/mount.h: statmount's request mask (struct mnt_id_req's param, and the
// struct statmount's mask), and the flags of statmount (none in Linux 6.18) and listmount.
constexpr FlagName kStatmountMaskBits[] = {
    N(0x0001, "STATMOUNT_SB_BASIC"),       N(0x0002, "STATMOUNT_MNT_BASIC"),
    N(0x0004, "STATMOUNT_PROPAGATE_FROM"), N(0x0008, "STATMOUNT_MNT_ROOT"),
    N(0x0010, "STATMOUNT_MNT_POINT"),      N(0x0020, "STATMOUNT_FS_TYPE"),
    N(0x0040, "STATMOUNT_MNT_NS_ID"),      N(0x0080, "STATMOUNT_MNT_OPTS"),
    N(0x0100, "STATMOUNT_FS_SUBTYPE"),     N(0x0200, "STATMOUNT_SB_SOURCE"),
    N(0x0400, "STATMOUNT_OPT_ARRAY"),      N(0x0800, "STATMOUNT_OPT_SEC_ARRAY"),
    N(0x1000, "STATMOUNT_SUPPORTED_MASK"), N(0x2000, "STATMOUNT_MNT_UIDMAP"),
    N(0x4000, "STATMOUNT_MNT_GIDMAP"),
};
constexpr FlagTable kStatmountMask = bits_table("statmount_mask", kStatmountMaskBits);
constexpr FlagTable kStatmountFlags = bits_table("statmount_flags", {});
constexpr FlagName kListmountBits[] = {N(1u << 0, "LISTMOUNT_REVERSE")};
constexpr FlagTable kListmountFlags = bits_table("listmount_flags", kListmountBits);

// include/uapi/linux/mount.h (Linux 6.8; mnt_ns_id since 6.11, MNT_ID_REQ_SIZE_VER1).
struct mnt_id_req {
  uint32_t size;
  uint32_t spare;
  uint64_t mnt_id;
  uint64_t param;
  uint64_t mnt_ns_id;
};
static_assert(sizeof(mnt_id_req) == 32);
constexpr uint32_t kMntIdReqSizeVer0 = 24;

// The fixed head of struct statmount, include/uapi/linux/mount.h (Linux 6.8); the string offsets
// and later fields follow it.
struct statmount_head {
  uint32_t size;
  uint32_t spare1;
  uint64_t mask;
  uint32_t sb_dev_major;
  uint32_t sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags;
  uint32_t fs_type;
  uint64_t mnt_id;
  uint64_t mnt_parent_id;
  uint32_t mnt_id_old;
  uint32_t mnt_parent_id_old;
  uint64_t mnt_attr;
  uint64_t mnt_propagation;
  uint64_t mnt_peer_group;
  uint64_t mnt_master;
  uint64_t propagate_from;
};
static_assert(sizeof(statmount_head) == 104);

// <linux/mount.h>: struct mount_attr's propagation, one of these or 0.
constexpr FlagName kPropagations[] = {F(MS_UNBINDABLE), F(MS_PRIVATE), F(MS_SLAVE), F(MS_SHARED)};
constexpr FlagTable kPropagation = tables::enum_table("propagation", kPropagations);

Value decode_mount_attr(const ArgContext& c) {
  struct mount_attr ma {};
  if (!read_struct(c.mem, c.raw, &ma)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("attr_set", flags(kMountSetattrFlags, ma.attr_set));
  v.add("attr_clr", flags(kMountSetattrFlags, ma.attr_clr));
  v.add("propagation", enum_or_number(kPropagation, ma.propagation));
  v.add("userns_fd", fd_value(static_cast<int32_t>(ma.userns_fd)));
  return v;
}

// statmount's request (param: what to report, STATMOUNT_*) or listmount's (param: the last id of
// a previous answer); LSMT_ROOT (include/uapi/linux/mount.h) names the root mount.
Value decode_mnt_id_req(const ArgContext& c, bool statmount) {
  mnt_id_req r{};
  if (c.mem.read(c.raw, &r, kMntIdReqSizeVer0) != kMntIdReqSizeVer0)
    return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, size, Value::uinteger);
  v.add("mnt_id", r.mnt_id == ~uint64_t{0} ? Value::symbol("LSMT_ROOT", r.mnt_id)
                                           : Value::uinteger(r.mnt_id));
  v.add("param", statmount ? flags(kStatmountMask, r.param) : Value::uinteger(r.param));
  if (r.size >= sizeof(mnt_id_req)) {
    if (!read_struct(c.mem, c.raw, &r)) {
      v.truncated = true;
      return v;
    }
    FIELD(v, r, mnt_ns_id, Value::uinteger);
  }
  return v;
}

Value decode_statmount_req(const ArgContext& c) {
  return decode_mnt_id_req(c, true);
}
Value decode_listmount_req(const ArgContext& c) {
  return decode_mnt_id_req(c, false);
}

Value decode_statmount(const ArgContext& c) {
  statmount_head s{};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, s, size, Value::uinteger);
  v.add("mask", flags(kStatmountMask, s.mask));
  FIELD(v, s, sb_dev_major, Value::uinteger);
  FIELD(v, s, sb_dev_minor, Value::uinteger);
  v.add("sb_magic", enum_or_hex(TableId::f_type, s.sb_magic));
  FIELD(v, s, mnt_id, Value::uinteger);
  FIELD(v, s, mnt_parent_id, Value::uinteger);
  if (c.opt.verbose) {
    FIELD(v, s, sb_flags, Value::hex);
    v.add("mnt_attr", flags(kMountSetattrFlags, s.mnt_attr));
    v.add("mnt_propagation", enum_or_number(kPropagation, s.mnt_propagation));
    FIELD(v, s, mnt_peer_group, Value::uinteger);
    FIELD(v, s, mnt_master, Value::uinteger);
    FIELD(v, s, propagate_from, Value::uinteger);
  }
  v.truncated = true;  // the strings and later fields are not shown
  return v;
}

Value one_u64(const ArgContext&, uint64_t addr, const MemoryReader& mem) {
  uint64_t v = 0;
  if (!read_struct(mem, addr, &v)) return Value::unreadable(addr);
  return Value::uinteger(v);
}

// An array of 64-bit ids counted by the return value (listmount's mount ids).
Value decode_u64_array(const ArgContext& c) {
  return decode_array(
      c, element_count(c, 1), sizeof(uint64_t), kMaxArrayElements,
      [](const ArgContext& ctx, uint64_t addr) { return one_u64(ctx, addr, ctx.mem); });
}

constexpr Entry kStructs[] = {
    {"mount_attr", sizeof(struct mount_attr), decode_mount_attr},
    // (a VER0 request is 24 bytes: the 32 copied of one may take 8 bytes beyond it)
    {"statmount_req", sizeof(mnt_id_req), decode_statmount_req},
    {"listmount_req", sizeof(mnt_id_req), decode_listmount_req},
    {"statmount", sizeof(statmount_head), decode_statmount},
    {"u64_array", sizeof(uint64_t), decode_u64_array},
};

constexpr const FlagTable* kTables[] = {
    &kMountFlags,     &kUmountFlags,    &kMountSetattrFlags, &kOpenTreeFlags, &kMoveMountFlags,
    &kFsopenFlags,    &kFsmountFlags,   &kFspickFlags,       &kFsconfigCmd,   &kStatmountMask,
    &kStatmountFlags, &kListmountFlags, &kPropagation};

using K = ArgKind;

// fsconfig's _value and aux, by cmd (fsconfig(fd, cmd, key, value, aux): aux is argument 4):
// a string, a path relative to the dirfd aux, a blob of aux bytes, or nothing (NULL) with an fd
// in aux.
constexpr int kFsconfigAux = 4;
constexpr ArgChoice kFsconfigValueByCmd[] = {
    {tables::value_of(FSCONFIG_SET_STRING), K::String, TableId::none},
    {tables::value_of(FSCONFIG_SET_PATH), K::Path, TableId::none},
    {tables::value_of(FSCONFIG_SET_PATH_EMPTY), K::Path, TableId::none},
    {tables::value_of(FSCONFIG_SET_BINARY), K::Buffer, TableId::none, nullptr, Dir::In,
     kFsconfigAux},
};
constexpr ChoiceTable kFsconfigValue{"fsconfig_value", kFsconfigValueByCmd, K::Hex};
constexpr ArgChoice kFsconfigAuxByCmd[] = {
    {tables::value_of(FSCONFIG_SET_PATH), K::Dirfd, TableId::none},
    {tables::value_of(FSCONFIG_SET_PATH_EMPTY), K::Dirfd, TableId::none},
    {tables::value_of(FSCONFIG_SET_FD), K::Fd, TableId::none},
    {tables::value_of(FSCONFIG_SET_BINARY), K::Size, TableId::none},
};
constexpr ChoiceTable kFsconfigAuxTable{"fsconfig_aux", kFsconfigAuxByCmd, K::Int};

constexpr const ChoiceTable* kChoices[] = {&kFsconfigValue, &kFsconfigAuxTable};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef MOVE_MOUNT_BENEATH
static_assert(value_named(kMoveMountBits, "MOVE_MOUNT_BENEATH") == value_of(MOVE_MOUNT_BENEATH));
#endif
#ifdef STATMOUNT_SB_BASIC
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_SB_BASIC") ==
              value_of(STATMOUNT_SB_BASIC));
#endif
#ifdef STATMOUNT_MNT_BASIC
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_BASIC") ==
              value_of(STATMOUNT_MNT_BASIC));
#endif
#ifdef STATMOUNT_PROPAGATE_FROM
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_PROPAGATE_FROM") ==
              value_of(STATMOUNT_PROPAGATE_FROM));
#endif
#ifdef STATMOUNT_MNT_ROOT
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_ROOT") ==
              value_of(STATMOUNT_MNT_ROOT));
#endif
#ifdef STATMOUNT_MNT_POINT
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_POINT") ==
              value_of(STATMOUNT_MNT_POINT));
#endif
#ifdef STATMOUNT_FS_TYPE
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_FS_TYPE") == value_of(STATMOUNT_FS_TYPE));
#endif
#ifdef STATMOUNT_MNT_NS_ID
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_NS_ID") ==
              value_of(STATMOUNT_MNT_NS_ID));
#endif
#ifdef STATMOUNT_MNT_OPTS
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_OPTS") ==
              value_of(STATMOUNT_MNT_OPTS));
#endif
#ifdef STATMOUNT_FS_SUBTYPE
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_FS_SUBTYPE") ==
              value_of(STATMOUNT_FS_SUBTYPE));
#endif
#ifdef STATMOUNT_SB_SOURCE
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_SB_SOURCE") ==
              value_of(STATMOUNT_SB_SOURCE));
#endif
#ifdef STATMOUNT_OPT_ARRAY
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_OPT_ARRAY") ==
              value_of(STATMOUNT_OPT_ARRAY));
#endif
#ifdef STATMOUNT_OPT_SEC_ARRAY
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_OPT_SEC_ARRAY") ==
              value_of(STATMOUNT_OPT_SEC_ARRAY));
#endif
#ifdef STATMOUNT_SUPPORTED_MASK
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_SUPPORTED_MASK") ==
              value_of(STATMOUNT_SUPPORTED_MASK));
#endif
#ifdef STATMOUNT_MNT_UIDMAP
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_UIDMAP") ==
              value_of(STATMOUNT_MNT_UIDMAP));
#endif
#ifdef STATMOUNT_MNT_GIDMAP
static_assert(value_named(kStatmountMaskBits, "STATMOUNT_MNT_GIDMAP") ==
              value_of(STATMOUNT_MNT_GIDMAP));
#endif
#ifdef LISTMOUNT_REVERSE
static_assert(value_named(kListmountBits, "LISTMOUNT_REVERSE") == value_of(LISTMOUNT_REVERSE));
#endif

}  // namespace

Subject subject_mount() {
  return {"mount", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
