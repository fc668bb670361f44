// fcntl's commands and their arguments (struct flock, struct f_owner_ex), flock(2).

#include <sys/file.h>
#include <sys/xattr.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/file.h> (LOCK_MAND, LOCK_READ and LOCK_WRITE are obsolete since Linux 5.15)
constexpr FlagName kFlockBits[] = {F(LOCK_SH),   F(LOCK_EX),   F(LOCK_NB),   F(LOCK_UN),
                                   F(LOCK_MAND), F(LOCK_READ), F(LOCK_WRITE)};
constexpr FlagTable kFlockOp = bits_table("flock_op", kFlockBits);

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

// <fcntl.h>: the events of F_NOTIFY.
constexpr FlagName kDnotifyBits[] = {F(DN_ACCESS), F(DN_MODIFY), F(DN_CREATE),   F(DN_DELETE),
                                     F(DN_RENAME), F(DN_ATTRIB), F(DN_MULTISHOT)};
constexpr FlagTable kDnotifyFlags = bits_table("dnotify_flags", kDnotifyBits);

// The kernel's struct flock on x86_64 (include/uapi/asm-generic/fcntl.h: short, short, off_t,

// off_t, pid_t) is glibc's.

static_assert(sizeof(struct flock) == 32);

static_assert(offsetof(struct flock, l_type) == 0 && offsetof(struct flock, l_whence) == 2);

static_assert(offsetof(struct flock, l_start) == 8 && offsetof(struct flock, l_len) == 16);

static_assert(offsetof(struct flock, l_pid) == 24);

static_assert(sizeof(struct f_owner_ex) == 8);

// fcntl's F_GETLK, F_SETLK(W) and their F_OFD_ forms.
Value decode_flock(const ArgContext& c) {
  struct flock f {};
  if (!read_struct(c.mem, c.raw, &f)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("l_type", flags(kLockType, static_cast<uint16_t>(f.l_type)));
  v.add("l_whence", flags(TableId::lseek_whence, static_cast<uint16_t>(f.l_whence)));
  FIELD(v, f, l_start, Value::integer);
  FIELD(v, f, l_len, Value::integer);
  FIELD(v, f, l_pid, Value::integer);
  return v;
}

// F_GETOWN_EX and F_SETOWN_EX.
Value decode_f_owner_ex(const ArgContext& c) {
  struct f_owner_ex o {};
  if (!read_struct(c.mem, c.raw, &o)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("type", flags(kFOwnerType, static_cast<uint32_t>(o.type)));
  FIELD(v, o, pid, Value::integer);
  return v;
}

constexpr Entry kStructs[] = {
    {"flock", sizeof(struct flock), decode_flock},
    {"f_owner_ex", sizeof(struct f_owner_ex), decode_f_owner_ex},
};

constexpr const FlagTable* kTables[] = {&kFlockOp,  &kSealFlags,  &kFdFlags,     &kFcntlCmd,
                                        &kLockType, &kFOwnerType, &kDnotifyFlags};

using K = ArgKind;

// fcntl's third argument: an fd, flags, a pid, a signal or a size for the commands that set
// something; the struct it points to for the lock, owner and hint commands (F_GETLK's flock is
// read and written back: in/out); nothing (hex) for the others.
// F_DUPFD_QUERY is F_LINUX_SPECIFIC_BASE + 3 (include/uapi/linux/fcntl.h, Linux 6.10).
constexpr ArgChoice kFcntlArg[] = {
    {tables::value_of(F_DUPFD), K::Fd, TableId::none},
    {tables::value_of(F_DUPFD_CLOEXEC), K::Fd, TableId::none},
    {1027, K::Fd, TableId::none},
    {tables::value_of(F_SETFD), K::Flags, TableId::fd_flags},
    {tables::value_of(F_SETFL), K::Flags, TableId::open_flags},
    {tables::value_of(F_SETOWN), K::Pid, TableId::none},
    {tables::value_of(F_SETSIG), K::Signal, TableId::none},
    {tables::value_of(F_SETLEASE), K::Enum, TableId::lock_type},
    {tables::value_of(F_NOTIFY), K::Flags, TableId::dnotify_flags},
    {tables::value_of(F_SETPIPE_SZ), K::Int, TableId::none},
    {tables::value_of(F_ADD_SEALS), K::Flags, TableId::seal_flags},
    struct_choice(F_GETLK, "flock", Dir::InOut),
    struct_choice(F_SETLK, "flock", Dir::In),
    struct_choice(F_SETLKW, "flock", Dir::In),
    struct_choice(F_OFD_GETLK, "flock", Dir::InOut),
    struct_choice(F_OFD_SETLK, "flock", Dir::In),
    struct_choice(F_OFD_SETLKW, "flock", Dir::In),
    struct_choice(F_GETOWN_EX, "f_owner_ex", Dir::Out),
    struct_choice(F_SETOWN_EX, "f_owner_ex", Dir::In),
    struct_choice(F_GET_RW_HINT, "u64", Dir::Out),
    struct_choice(F_SET_RW_HINT, "u64", Dir::In),
    struct_choice(F_GET_FILE_RW_HINT, "u64", Dir::Out),
    struct_choice(F_SET_FILE_RW_HINT, "u64", Dir::In),
};
constexpr ChoiceTable kFcntl{"fcntl_arg", kFcntlArg, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kFcntl};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef F_SEAL_EXEC
static_assert(value_named(kSealBits, "F_SEAL_EXEC") == value_of(F_SEAL_EXEC));
#endif
#ifdef F_DUPFD_QUERY
static_assert(value_named(kFcntlCmds, "F_DUPFD_QUERY") == value_of(F_DUPFD_QUERY));
#endif
#ifdef F_CREATED_QUERY
static_assert(value_named(kFcntlCmds, "F_CREATED_QUERY") == value_of(F_CREATED_QUERY));
#endif

}  // namespace

Subject subject_fcntl() {
  return {"fcntl", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
