// open, openat2 (struct open_how), the *at() flags, access, rename, seek, fadvise, fallocate, file
// handles.

#include <fmt/format.h>
#include <sys/file.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/openat2.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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

// <fcntl.h> (<linux/falloc.h>). FALLOC_FL_ALLOCATE_RANGE is 0.
constexpr FlagName kFallocBits[] = {
    F(FALLOC_FL_KEEP_SIZE),      F(FALLOC_FL_PUNCH_HOLE), F(FALLOC_FL_NO_HIDE_STALE),
    F(FALLOC_FL_COLLAPSE_RANGE), F(FALLOC_FL_ZERO_RANGE), F(FALLOC_FL_INSERT_RANGE),
    F(FALLOC_FL_UNSHARE_RANGE),
};
constexpr FlagTable kFallocateMode = bits_table("fallocate_mode", kFallocBits);

// <unistd.h>
constexpr FlagName kWhence[] = {F(SEEK_SET), F(SEEK_CUR), F(SEEK_END), F(SEEK_DATA), F(SEEK_HOLE)};
constexpr FlagTable kLseekWhence = enum_table("lseek_whence", kWhence);

// <fcntl.h> (x86_64 values: POSIX_FADV_DONTNEED is 4, POSIX_FADV_NOREUSE 5)
constexpr FlagName kFadvise[] = {F(POSIX_FADV_NORMAL),     F(POSIX_FADV_RANDOM),
                                 F(POSIX_FADV_SEQUENTIAL), F(POSIX_FADV_WILLNEED),
                                 F(POSIX_FADV_DONTNEED),   F(POSIX_FADV_NOREUSE)};
constexpr FlagTable kFadviseAdvice = enum_table("fadvise_advice", kFadvise);

// <linux/openat2.h>
constexpr FlagName kResolveBits[] = {F(RESOLVE_NO_XDEV),     F(RESOLVE_NO_MAGICLINKS),
                                     F(RESOLVE_NO_SYMLINKS), F(RESOLVE_BENEATH),
                                     F(RESOLVE_IN_ROOT),     F(RESOLVE_CACHED)};
constexpr FlagTable kResolve = tables::bits_table("resolve", kResolveBits);

Value decode_open_how(const ArgContext& c) {
  struct open_how how {};
  if (!read_struct(c.mem, c.raw, &how)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("flags", flags(kOpenFlags, how.flags));
  FIELD(v, how, mode, Value::octal);
  v.add("resolve", flags(kResolve, how.resolve));
  return v;
}

Value decode_file_handle(const ArgContext& c) {
  constexpr size_t kHead = offsetof(struct file_handle, f_handle);
  struct file_handle fh {};
  if (c.mem.read(c.raw, &fh, kHead) != kHead) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, fh, handle_bytes, Value::uinteger);
  // As passed to name_to_handle_at: the kernel reads the room there is, nothing else.
  if (c.phase == Phase::In && c.ev.nr == SYS_name_to_handle_at) return v;
  // A failed name_to_handle_at wrote the size it needs (EOVERFLOW), if anything: no handle.
  if (c.arg.dir != Dir::In && c.failed()) {
    v.truncated = true;
    return v;
  }
  FIELD(v, fh, handle_type, Value::integer);
  if (fh.handle_bytes > MAX_HANDLE_SZ) {  // the kernel refuses it; the bytes are not shown
    v.truncated = true;
    return v;
  }
  unsigned char bytes[MAX_HANDLE_SZ];
  size_t n = fh.handle_bytes;
  if (n > 0 && c.mem.read(c.raw + kHead, bytes, n) != n) {
    v.add("f_handle", Value::unreadable(c.raw + kHead));
    return v;
  }
  if (n > 0) v.add("f_handle", Value::symbol(hex_number(bytes, n), 0));
  return v;
}

constexpr Entry kStructs[] = {
    {"open_how", sizeof(struct open_how), decode_open_how},
    // (Its head and the most handle_bytes may be: the kernel's limit, MAX_HANDLE_SZ.)
    {"file_handle", offsetof(struct file_handle, f_handle) + MAX_HANDLE_SZ, decode_file_handle},
};

constexpr const FlagTable* kTables[] = {
    &kOpenFlags,         &kAtFlags,       &kFaccessatFlags, &kUnlinkatFlags,
    &kNameToHandleFlags, &kAccessMode,    &kRenameat2Flags, &kFallocateMode,
    &kLseekWhence,       &kFadviseAdvice, &kResolve};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it (not O_LARGEFILE: glibc's is 0
// on x86_64, where the kernel's bit is 0100000).
#ifdef AT_HANDLE_FID
static_assert(value_named(kNameToHandleBits, "AT_HANDLE_FID") == value_of(AT_HANDLE_FID));
#endif

}  // namespace

Subject subject_open() {
  return {"open", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
