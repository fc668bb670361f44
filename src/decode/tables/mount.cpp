// Mount tables: mount(2) and umount2 flags, and the new mount API (open_tree, move_mount,
// fsopen, fsmount, fspick, fsconfig, mount_setattr).
// Facts from glibc's <sys/mount.h> (2.36 copies the new mount API from <linux/mount.h>, which
// conflicts with it) and <fcntl.h> (the AT_* flags open_tree takes); constants newer than the
// installed headers are numbers citing the kernel's include/uapi/linux/mount.h.
#include <fcntl.h>
#include <sys/mount.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

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

constexpr const FlagTable* kTables[] = {
    &kMountFlags,  &kUmountFlags,  &kMountSetattrFlags, &kOpenTreeFlags, &kMoveMountFlags,
    &kFsopenFlags, &kFsmountFlags, &kFspickFlags,       &kFsconfigCmd,
};

}  // namespace

TableList mount_tables() {
  return kTables;
}

}  // namespace dtruss::tables
