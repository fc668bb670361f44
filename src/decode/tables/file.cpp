// File and descriptor tables: open, *at, access, rename, statx, xattr, flock, fallocate,
// close_range, seals, fd flags, fcntl commands, lock types and owners, dnotify, lseek, fadvise,
// name_to_handle_at, quotactl commands.
// Facts from glibc's <fcntl.h> (bits/fcntl-linux.h, which includes <linux/falloc.h>),
// <linux/quota.h>, <unistd.h>, <stdio.h>, <sys/file.h>, <sys/xattr.h> and <sys/stat.h>
// (bits/statx-generic.h, <linux/stat.h>); constants newer than the installed headers are numbers
// citing the kernel's include/uapi header.
#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/quota.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <fcntl.h>; O_LARGEFILE is 0 in glibc on x86_64, the kernel's bit is 0100000
// (include/uapi/asm-generic/fcntl.h). O_TMPFILE includes O_DIRECTORY and O_SYNC includes
// O_DSYNC, so they come first.
constexpr FlagName kOpenAccess[] = {F(O_RDONLY), F(O_WRONLY), F(O_RDWR)};
constexpr FlagName kOpenBits[] = {
    F(O_TMPFILE),   F(O_SYNC),     F(O_CREAT),   F(O_EXCL),
    F(O_NOCTTY),    F(O_TRUNC),    F(O_APPEND),  F(O_NONBLOCK),
    F(O_DSYNC),     F(O_ASYNC),    F(O_DIRECT),  N(0100000, "O_LARGEFILE"),
    F(O_DIRECTORY), F(O_NOFOLLOW), F(O_NOATIME), F(O_CLOEXEC),
    F(O_PATH),
};
constexpr FlagTable kOpenFlags = mixed_table("open_flags", O_ACCMODE, kOpenAccess, kOpenBits);

// <fcntl.h>. AT_EACCESS (faccessat) has AT_REMOVEDIR's value (unlinkat): listed after it, it
// only shows in faccessat_flags.
constexpr FlagName kAtBits[] = {
    F(AT_SYMLINK_NOFOLLOW), F(AT_REMOVEDIR),        F(AT_SYMLINK_FOLLOW),
    F(AT_NO_AUTOMOUNT),     F(AT_EMPTY_PATH),       F(AT_EACCESS),
    F(AT_RECURSIVE),        F(AT_STATX_FORCE_SYNC), F(AT_STATX_DONT_SYNC),
};
constexpr FlagTable kAtFlags = bits_table("at_flags", kAtBits);

// <fcntl.h>: the flags of faccessat2.
constexpr FlagName kFaccessatBits[] = {F(AT_EACCESS), F(AT_SYMLINK_NOFOLLOW), F(AT_EMPTY_PATH)};
constexpr FlagTable kFaccessatFlags = bits_table("faccessat_flags", kFaccessatBits);

// <fcntl.h>: the flags of unlinkat.
constexpr FlagName kUnlinkatBits[] = {F(AT_REMOVEDIR)};
constexpr FlagTable kUnlinkatFlags = bits_table("unlinkat_flags", kUnlinkatBits);

// <fcntl.h>; AT_HANDLE_FID (= AT_REMOVEDIR) is from include/uapi/linux/fcntl.h (Linux 6.5).
constexpr FlagName kNameToHandleBits[] = {F(AT_EMPTY_PATH), F(AT_SYMLINK_FOLLOW),
                                          N(0x200, "AT_HANDLE_FID")};
constexpr FlagTable kNameToHandleFlags = bits_table("name_to_handle_flags", kNameToHandleBits);

// <unistd.h>
constexpr FlagName kAccessBits[] = {F(R_OK), F(W_OK), F(X_OK)};
constexpr FlagTable kAccessMode = bits_table("access_mode", kAccessBits, "F_OK");

// <stdio.h> (glibc's copy of include/uapi/linux/fs.h)
constexpr FlagName kRenameBits[] = {F(RENAME_NOREPLACE), F(RENAME_EXCHANGE), F(RENAME_WHITEOUT)};
constexpr FlagTable kRenameat2Flags = bits_table("renameat2_flags", kRenameBits);

// <sys/stat.h> (<linux/stat.h>); STATX_MNT_ID_UNIQUE, STATX_SUBVOL, STATX_WRITE_ATOMIC and
// STATX_DIO_READ_ALIGN from include/uapi/linux/stat.h (Linux 6.8 to 6.14). The multi-bit
// names come first.
constexpr FlagName kStatxBits[] = {
    F(STATX_ALL),
    F(STATX_BASIC_STATS),
    F(STATX_TYPE),
    F(STATX_MODE),
    F(STATX_NLINK),
    F(STATX_UID),
    F(STATX_GID),
    F(STATX_ATIME),
    F(STATX_MTIME),
    F(STATX_CTIME),
    F(STATX_INO),
    F(STATX_SIZE),
    F(STATX_BLOCKS),
    F(STATX_BTIME),
    F(STATX_MNT_ID),
    F(STATX_DIOALIGN),
    N(0x4000, "STATX_MNT_ID_UNIQUE"),
    N(0x8000, "STATX_SUBVOL"),
    N(0x10000, "STATX_WRITE_ATOMIC"),
    N(0x20000, "STATX_DIO_READ_ALIGN"),
};
constexpr FlagTable kStatxMask = bits_table("statx_mask", kStatxBits);

// <sys/xattr.h>
constexpr FlagName kXattrBits[] = {F(XATTR_CREATE), F(XATTR_REPLACE)};
constexpr FlagTable kXattrFlags = bits_table("xattr_flags", kXattrBits);

// <sys/file.h> (LOCK_MAND, LOCK_READ and LOCK_WRITE are obsolete since Linux 5.15)
constexpr FlagName kFlockBits[] = {F(LOCK_SH),   F(LOCK_EX),   F(LOCK_NB),   F(LOCK_UN),
                                   F(LOCK_MAND), F(LOCK_READ), F(LOCK_WRITE)};
constexpr FlagTable kFlockOp = bits_table("flock_op", kFlockBits);

// <fcntl.h> (<linux/falloc.h>). FALLOC_FL_ALLOCATE_RANGE is 0.
constexpr FlagName kFallocBits[] = {
    F(FALLOC_FL_KEEP_SIZE),      F(FALLOC_FL_PUNCH_HOLE), F(FALLOC_FL_NO_HIDE_STALE),
    F(FALLOC_FL_COLLAPSE_RANGE), F(FALLOC_FL_ZERO_RANGE), F(FALLOC_FL_INSERT_RANGE),
    F(FALLOC_FL_UNSHARE_RANGE),
};
constexpr FlagTable kFallocateMode = bits_table("fallocate_mode", kFallocBits);

// <unistd.h> (glibc's copy of include/uapi/linux/close_range.h)
constexpr FlagName kCloseRangeBits[] = {F(CLOSE_RANGE_UNSHARE), F(CLOSE_RANGE_CLOEXEC)};
constexpr FlagTable kCloseRangeFlags = bits_table("close_range_flags", kCloseRangeBits);

// <fcntl.h>; F_SEAL_EXEC from include/uapi/linux/fcntl.h (Linux 6.3).
constexpr FlagName kSealBits[] = {F(F_SEAL_SEAL),  F(F_SEAL_SHRINK),       F(F_SEAL_GROW),
                                  F(F_SEAL_WRITE), F(F_SEAL_FUTURE_WRITE), N(0x20, "F_SEAL_EXEC")};
constexpr FlagTable kSealFlags = bits_table("seal_flags", kSealBits);

// <fcntl.h>
constexpr FlagName kFdBits[] = {F(FD_CLOEXEC)};
constexpr FlagTable kFdFlags = bits_table("fd_flags", kFdBits);

// <fcntl.h>; F_DUPFD_QUERY and F_CREATED_QUERY from include/uapi/linux/fcntl.h
// (F_LINUX_SPECIFIC_BASE + 3 and + 4, Linux 6.10 and 6.12).
constexpr FlagName kFcntlCmds[] = {
    F(F_DUPFD),
    F(F_GETFD),
    F(F_SETFD),
    F(F_GETFL),
    F(F_SETFL),
    F(F_GETLK),
    F(F_SETLK),
    F(F_SETLKW),
    F(F_SETOWN),
    F(F_GETOWN),
    F(F_SETSIG),
    F(F_GETSIG),
    F(F_SETOWN_EX),
    F(F_GETOWN_EX),
    F(F_OFD_GETLK),
    F(F_OFD_SETLK),
    F(F_OFD_SETLKW),
    F(F_SETLEASE),
    F(F_GETLEASE),
    F(F_NOTIFY),
    N(1027, "F_DUPFD_QUERY"),
    N(1028, "F_CREATED_QUERY"),
    F(F_DUPFD_CLOEXEC),
    F(F_SETPIPE_SZ),
    F(F_GETPIPE_SZ),
    F(F_ADD_SEALS),
    F(F_GET_SEALS),
    F(F_GET_RW_HINT),
    F(F_SET_RW_HINT),
    F(F_GET_FILE_RW_HINT),
    F(F_SET_FILE_RW_HINT),
};
constexpr FlagTable kFcntlCmd = enum_table("fcntl_cmd", kFcntlCmds);

// <fcntl.h>: the lease of F_SETLEASE (and a lock's type).
constexpr FlagName kLockTypes[] = {F(F_RDLCK), F(F_WRLCK), F(F_UNLCK)};
constexpr FlagTable kLockType = enum_table("lock_type", kLockTypes);

// <fcntl.h>: who a struct f_owner_ex names (F_GETOWN_EX, F_SETOWN_EX).
constexpr FlagName kFOwnerTypes[] = {F(F_OWNER_TID), F(F_OWNER_PID), F(F_OWNER_PGRP)};
constexpr FlagTable kFOwnerType = enum_table("f_owner_type", kFOwnerTypes);

// <linux/quota.h> and <linux/dqblk_xfs.h> (the XFS commands): quotactl's cmd, QCMD(command,
// type): the command above SUBCMDSHIFT, the quota type in the low byte (USRQUOTA, 0, is left
// implied: Q_GETQUOTA, Q_GETQUOTA|GRPQUOTA).
constexpr uint64_t qcmd(uint64_t cmd) {
  return cmd << SUBCMDSHIFT;
}
constexpr FlagName kQuotaCmds[] = {
    N(qcmd(Q_SYNC), "Q_SYNC"),
    N(qcmd(Q_QUOTAON), "Q_QUOTAON"),
    N(qcmd(Q_QUOTAOFF), "Q_QUOTAOFF"),
    N(qcmd(Q_GETFMT), "Q_GETFMT"),
    N(qcmd(Q_GETINFO), "Q_GETINFO"),
    N(qcmd(Q_SETINFO), "Q_SETINFO"),
    N(qcmd(Q_GETQUOTA), "Q_GETQUOTA"),
    N(qcmd(Q_SETQUOTA), "Q_SETQUOTA"),
    N(qcmd(Q_GETNEXTQUOTA), "Q_GETNEXTQUOTA"),
    N(qcmd(Q_XQUOTAON), "Q_XQUOTAON"),
    N(qcmd(Q_XQUOTAOFF), "Q_XQUOTAOFF"),
    N(qcmd(Q_XGETQUOTA), "Q_XGETQUOTA"),
    N(qcmd(Q_XSETQLIM), "Q_XSETQLIM"),
    N(qcmd(Q_XGETQSTAT), "Q_XGETQSTAT"),
    N(qcmd(Q_XQUOTARM), "Q_XQUOTARM"),
    N(qcmd(Q_XQUOTASYNC), "Q_XQUOTASYNC"),
    N(qcmd(Q_XGETQSTATV), "Q_XGETQSTATV"),
    N(qcmd(Q_XGETNEXTQUOTA), "Q_XGETNEXTQUOTA"),
};
constexpr FlagName kQuotaTypes[] = {F(GRPQUOTA), F(PRJQUOTA)};
constexpr FlagTable kQuotactlCmd =
    mixed_table("quotactl_cmd", ~uint64_t{SUBCMDMASK}, kQuotaCmds, kQuotaTypes);

// <fcntl.h>: the events of F_NOTIFY.
constexpr FlagName kDnotifyBits[] = {F(DN_ACCESS), F(DN_MODIFY), F(DN_CREATE),   F(DN_DELETE),
                                     F(DN_RENAME), F(DN_ATTRIB), F(DN_MULTISHOT)};
constexpr FlagTable kDnotifyFlags = bits_table("dnotify_flags", kDnotifyBits);

// <unistd.h>
constexpr FlagName kWhence[] = {F(SEEK_SET), F(SEEK_CUR), F(SEEK_END), F(SEEK_DATA), F(SEEK_HOLE)};
constexpr FlagTable kLseekWhence = enum_table("lseek_whence", kWhence);

// <fcntl.h> (x86_64 values: POSIX_FADV_DONTNEED is 4, POSIX_FADV_NOREUSE 5)
constexpr FlagName kFadvise[] = {F(POSIX_FADV_NORMAL),     F(POSIX_FADV_RANDOM),
                                 F(POSIX_FADV_SEQUENTIAL), F(POSIX_FADV_WILLNEED),
                                 F(POSIX_FADV_DONTNEED),   F(POSIX_FADV_NOREUSE)};
constexpr FlagTable kFadviseAdvice = enum_table("fadvise_advice", kFadvise);

constexpr const FlagTable* kTables[] = {
    &kOpenFlags,     &kAtFlags,         &kFaccessatFlags, &kUnlinkatFlags, &kNameToHandleFlags,
    &kAccessMode,    &kRenameat2Flags,  &kStatxMask,      &kXattrFlags,    &kFlockOp,
    &kFallocateMode, &kCloseRangeFlags, &kSealFlags,      &kFdFlags,       &kFcntlCmd,
    &kLseekWhence,   &kFadviseAdvice,   &kLockType,       &kDnotifyFlags,  &kFOwnerType,
    &kQuotactlCmd,
};

}  // namespace

TableList file_tables() {
  return kTables;
}

}  // namespace dtruss::tables
