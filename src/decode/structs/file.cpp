// Struct decoders: the file family (see registry.h): stat, statx, statfs, directory records,
// open_how, file times and timers, timex, tms, file_handle, mount_attr, id arrays, and the newer
// cachestat, xattr_args, mnt_id_req/statmount and landlock_ruleset_attr and rule attributes.
// Layouts are the kernel's, from the UAPI headers installed here: <asm/stat.h> (struct stat of
// x86_64), <linux/stat.h> (struct statx), <asm/statfs.h> (struct statfs), <linux/time_types.h>
// (__kernel_timespec, __kernel_itimerspec, __kernel_old_timeval, __kernel_old_itimerval),
// <linux/time.h> (struct timezone), <linux/timex.h> (struct __kernel_timex), <linux/times.h>,
// <linux/utime.h>, <linux/openat2.h>, <linux/mount.h> (struct mount_attr, MS_* propagation),
// <linux/magic.h> and <linux/landlock.h>. From glibc: <dirent.h> (struct dirent64, whose head is
// the kernel's struct linux_dirent64, and DT_*), <fcntl.h> (struct file_handle, MAX_HANDLE_SZ,
// S_IF*, UTIME_NOW/UTIME_OMIT), <sys/statvfs.h> (ST_* mount flags) and <sys/sysmacros.h>.
// Structs newer than the installed headers (cachestat, xattr_args, mnt_id_req, statmount, the
// later landlock_ruleset_attr fields) and struct linux_dirent, which no header exports, are
// mirrored with static_asserts, citing the kernel file they come from.
#include <asm/posix_types.h>
#include <asm/statfs.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/landlock.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include <linux/times.h>
#include <linux/utime.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

// The kernel's struct stat (<asm/stat.h>) and <linux/time.h> (pulled in by <linux/timex.h>)
// declare the same struct tags as glibc's headers: they live in their own namespace. glibc's
// st_atime, st_mtime and st_ctime are macros for its own struct's fields.
#undef st_atime
#undef st_mtime
#undef st_ctime
namespace kabi {
#include <asm/stat.h>
#include <linux/timex.h>
}  // namespace kabi

#include "decode/flags.h"
#include "decode/structs/registry.h"
#include "decode/tables/registry.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

// ---------------------------------------------------------------------------------------------
// Layouts no installed header has.

// struct linux_dirent of getdents(2): fs/readdir.c (the kernel's own definition; d_type is the
// last byte of each record, after the name's NUL and padding).
struct linux_dirent_head {
  unsigned long d_ino;
  unsigned long d_off;
  unsigned short d_reclen;
};
constexpr size_t kLinuxDirentName = 18;  // offsetof(struct linux_dirent, d_name) in fs/readdir.c
static_assert(offsetof(linux_dirent_head, d_reclen) + sizeof(unsigned short) == kLinuxDirentName);

// struct linux_dirent64 (include/linux/dirent.h) is glibc's struct dirent64 on x86_64 up to
// d_name.
constexpr size_t kDirent64Name = offsetof(struct dirent64, d_name);
static_assert(kDirent64Name == 19);

// include/uapi/linux/mman.h (Linux 6.5).
struct cachestat_range {
  uint64_t off;
  uint64_t len;
};
static_assert(sizeof(cachestat_range) == 16);
struct cachestat {
  uint64_t nr_cache;
  uint64_t nr_dirty;
  uint64_t nr_writeback;
  uint64_t nr_evicted;
  uint64_t nr_recently_evicted;
};
static_assert(sizeof(cachestat) == 40);

// include/uapi/linux/xattr.h (Linux 6.13): setxattrat/getxattrat.
struct xattr_args {
  uint64_t value;  // __aligned_u64 pointer to the value buffer
  uint32_t size;
  uint32_t flags;
};
static_assert(sizeof(xattr_args) == 16);

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

// ---------------------------------------------------------------------------------------------
// Local tables.

// <fcntl.h> (glibc's copies of the S_IF* of <linux/stat.h>).
constexpr FlagName kFileTypes[] = {F(S_IFREG), F(S_IFDIR), F(S_IFLNK), F(S_IFCHR),
                                   F(S_IFBLK), F(S_IFIFO), F(S_IFSOCK)};
constexpr FlagName kModeSpecial[] = {F(S_ISUID), F(S_ISGID), F(S_ISVTX)};

// <dirent.h>
constexpr FlagName kDirentTypes[] = {F(DT_UNKNOWN), F(DT_FIFO), F(DT_CHR),  F(DT_DIR), F(DT_BLK),
                                     F(DT_REG),     F(DT_LNK),  F(DT_SOCK), F(DT_WHT)};
constexpr FlagTable kDirentType = tables::enum_table("d_type", kDirentTypes);

// <linux/openat2.h>
constexpr FlagName kResolveBits[] = {F(RESOLVE_NO_XDEV),     F(RESOLVE_NO_MAGICLINKS),
                                     F(RESOLVE_NO_SYMLINKS), F(RESOLVE_BENEATH),
                                     F(RESOLVE_IN_ROOT),     F(RESOLVE_CACHED)};
constexpr FlagTable kResolve = tables::bits_table("resolve", kResolveBits);

// <linux/stat.h>: stx_attributes.
constexpr FlagName kStatxAttrBits[] = {
    F(STATX_ATTR_COMPRESSED), F(STATX_ATTR_IMMUTABLE), F(STATX_ATTR_APPEND),
    F(STATX_ATTR_NODUMP),     F(STATX_ATTR_ENCRYPTED), F(STATX_ATTR_AUTOMOUNT),
    F(STATX_ATTR_MOUNT_ROOT), F(STATX_ATTR_VERITY),    F(STATX_ATTR_DAX),
};
constexpr FlagTable kStatxAttr = tables::bits_table("stx_attributes", kStatxAttrBits);

// <sys/statvfs.h>: f_flags of statfs. ST_VALID (f_flags is meaningful) is kernel-internal,
// include/linux/statfs.h; ST_NOSYMFOLLOW is from the same file (Linux 5.10).
constexpr FlagName kStatfsFlagBits[] = {
    F(ST_RDONLY),      F(ST_NOSUID),
    F(ST_NODEV),       F(ST_NOEXEC),
    F(ST_SYNCHRONOUS), N(0x20, "ST_VALID"),
    F(ST_MANDLOCK),    F(ST_WRITE),
    F(ST_APPEND),      F(ST_IMMUTABLE),
    F(ST_NOATIME),     F(ST_NODIRATIME),
    F(ST_RELATIME),    N(0x2000, "ST_NOSYMFOLLOW"),
};
constexpr FlagTable kStatfsFlags = tables::bits_table("f_flags", kStatfsFlagBits);

// <linux/magic.h>: filesystem types of f_type (and statmount's sb_magic). EXT2 and EXT3 share
// EXT4's value.
constexpr FlagName kMagics[] = {
    F(EXT4_SUPER_MAGIC),      F(TMPFS_MAGIC),          F(PROC_SUPER_MAGIC),
    F(SYSFS_MAGIC),           F(BTRFS_SUPER_MAGIC),    F(XFS_SUPER_MAGIC),
    F(OVERLAYFS_SUPER_MAGIC), F(FUSE_SUPER_MAGIC),     F(NFS_SUPER_MAGIC),
    F(CGROUP2_SUPER_MAGIC),   F(CGROUP_SUPER_MAGIC),   F(DEVPTS_SUPER_MAGIC),
    F(DEBUGFS_MAGIC),         F(TRACEFS_MAGIC),        F(SECURITYFS_MAGIC),
    F(SELINUX_MAGIC),         F(SMACK_MAGIC),          F(RAMFS_MAGIC),
    F(HUGETLBFS_MAGIC),       F(SQUASHFS_MAGIC),       F(EROFS_SUPER_MAGIC_V1),
    F(F2FS_SUPER_MAGIC),      F(ISOFS_SUPER_MAGIC),    F(MSDOS_SUPER_MAGIC),
    F(EXFAT_SUPER_MAGIC),     F(V9FS_MAGIC),           F(CIFS_SUPER_MAGIC),
    F(SMB2_SUPER_MAGIC),      F(CEPH_SUPER_MAGIC),     F(AUTOFS_SUPER_MAGIC),
    F(PSTOREFS_MAGIC),        F(EFIVARFS_MAGIC),       F(BPF_FS_MAGIC),
    F(BINFMTFS_MAGIC),        F(PIPEFS_MAGIC),         F(SOCKFS_MAGIC),
    F(ANON_INODE_FS_MAGIC),   F(NSFS_MAGIC),           F(BDEVFS_MAGIC),
    F(SECRETMEM_MAGIC),       F(HOSTFS_SUPER_MAGIC),   F(ZONEFS_MAGIC),
    F(UDF_SUPER_MAGIC),       F(OCFS2_SUPER_MAGIC),    F(NILFS_SUPER_MAGIC),
    F(ECRYPTFS_SUPER_MAGIC),  F(CODA_SUPER_MAGIC),     F(AFS_FS_MAGIC),
    F(RDTGROUP_SUPER_MAGIC),  F(OPENPROM_SUPER_MAGIC), F(USBDEVICE_SUPER_MAGIC),
    F(DMA_BUF_MAGIC),         F(DEVMEM_MAGIC),         F(AAFS_MAGIC),
    F(BINDERFS_SUPER_MAGIC),  F(XENFS_SUPER_MAGIC),    F(MTD_INODE_FS_MAGIC),
};
constexpr FlagTable kMagic = tables::enum_table("f_type", kMagics);

// <linux/mount.h>: struct mount_attr's propagation, one of these or 0.
constexpr FlagName kPropagations[] = {F(MS_UNBINDABLE), F(MS_PRIVATE), F(MS_SLAVE), F(MS_SHARED)};
constexpr FlagTable kPropagation = tables::enum_table("propagation", kPropagations);

// <linux/timex.h>: modes. The ADJ_OFFSET_* are multi-bit (ADJ_OFFSET among them): first.
constexpr FlagName kAdjBits[] = {
    F(ADJ_OFFSET_SS_READ),
    F(ADJ_OFFSET_SINGLESHOT),
    F(ADJ_OFFSET),
    F(ADJ_FREQUENCY),
    F(ADJ_MAXERROR),
    F(ADJ_ESTERROR),
    F(ADJ_STATUS),
    F(ADJ_TIMECONST),
    F(ADJ_TAI),
    F(ADJ_SETOFFSET),
    F(ADJ_MICRO),
    F(ADJ_NANO),
    F(ADJ_TICK),
};
constexpr FlagTable kAdjModes = tables::bits_table("timex_modes", kAdjBits);

// <linux/timex.h>: status.
constexpr FlagName kStaBits[] = {
    F(STA_PLL),       F(STA_PPSFREQ),   F(STA_PPSTIME),   F(STA_FLL),
    F(STA_INS),       F(STA_DEL),       F(STA_UNSYNC),    F(STA_FREQHOLD),
    F(STA_PPSSIGNAL), F(STA_PPSJITTER), F(STA_PPSWANDER), F(STA_PPSERROR),
    F(STA_CLOCKERR),  F(STA_NANO),      F(STA_MODE),      F(STA_CLK),
};
constexpr FlagTable kStaStatus = tables::bits_table("timex_status", kStaBits);

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

// ---------------------------------------------------------------------------------------------
// Shared pieces.

// S_IFREG|S_ISUID|0755: the file type by name, the set-id and sticky bits, the permissions.
Value mode_value(uint32_t mode) {
  std::string s;
  uint32_t type = mode & S_IFMT;
  if (type != 0) {
    const char* name = nullptr;
    for (const FlagName& f : kFileTypes)
      if (f.value == type) name = f.name;
    s = name != nullptr ? std::string(name) : fmt::format("{:#o}", type);
  }
  for (const FlagName& f : kModeSpecial) {
    if ((mode & f.value) == 0) continue;
    if (!s.empty()) s += '|';
    s += f.name;
  }
  uint32_t perm = mode & 0777;
  uint32_t rest = mode & ~static_cast<uint32_t>(S_IFMT | 07777);
  if (!s.empty()) s += '|';
  s += fmt::format("{:#o}", perm);
  if (rest != 0) s += fmt::format("|{:#x}", rest);
  return Value::symbol(std::move(s), mode);
}

// makedev(0x8, 0x1); a zero part is plain 0, as C's %#x prints it.
std::string hex_or_zero(uint32_t n) {
  return n == 0 ? "0" : fmt::format("{:#x}", n);
}
Value dev_value(uint32_t maj, uint32_t min, uint64_t raw) {
  return Value::symbol(fmt::format("makedev({}, {})", hex_or_zero(maj), hex_or_zero(min)), raw);
}
Value dev_value(uint64_t dev) {
  return dev_value(major(dev), minor(dev), dev);
}

// A uid or gid; (uid_t)-1 as -1.
Value id_value(uint32_t id) {
  return id == UINT32_MAX ? Value::integer(-1) : Value::uinteger(id);
}

// (beside the shared overloads of registry.h)
using structs::timespec_value;
using structs::timeval_value;
Value timespec_value(const __kernel_timespec& ts) {
  return timespec_value(ts.tv_sec, ts.tv_nsec);
}
Value timeval_value(const __kernel_old_timeval& tv) {
  return timeval_value(tv.tv_sec, tv.tv_usec);
}

// Bytes as one hex number, most significant first in memory order: 0x0102abcd.
std::string hex_bytes(const unsigned char* p, size_t n) {
  std::string s = "0x";
  for (size_t i = 0; i < n; ++i) s += fmt::format("{:02x}", p[i]);
  return s;
}

// ---------------------------------------------------------------------------------------------
// stat, statx, statfs

// The abbreviated forms read only the struct's head, up to the last field they show: a backend
// copies that much, not the whole struct, from each of the many stat calls of a find or a tar.
constexpr uint32_t kStatBrief = offsetof(kabi::stat, st_blksize);
static_assert(offsetof(kabi::stat, st_mode) < kStatBrief &&
              offsetof(kabi::stat, st_rdev) < kStatBrief &&
              offsetof(kabi::stat, st_size) + sizeof(kabi::stat::st_size) == kStatBrief);
constexpr uint32_t kStatxBrief = offsetof(struct statx, stx_blocks);
static_assert(offsetof(struct statx, stx_attributes) < kStatxBrief &&
              offsetof(struct statx, stx_mode) < kStatxBrief &&
              offsetof(struct statx, stx_size) + sizeof(statx::stx_size) == kStatxBrief);

Value decode_stat(const ArgContext& c) {
  kabi::stat st{};
  if (!read_prefix(c.mem, c.raw, &st, c.opt.verbose ? sizeof(st) : kStatBrief))
    return Value::unreadable(c.raw);
  auto mode = static_cast<uint32_t>(st.st_mode);
  bool device = (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK;
  Value v = Value::structure();
  if (!c.opt.verbose) {
    v.add("st_mode", mode_value(mode));
    if (device)
      v.add("st_rdev", dev_value(st.st_rdev));
    else
      v.add("st_size", Value::integer(st.st_size));
    v.truncated = true;
    return v;
  }
  v.add("st_dev", dev_value(st.st_dev));
  v.add("st_ino", Value::uinteger(st.st_ino));
  v.add("st_mode", mode_value(mode));
  v.add("st_nlink", Value::uinteger(st.st_nlink));
  v.add("st_uid", id_value(st.st_uid));
  v.add("st_gid", id_value(st.st_gid));
  v.add("st_blksize", Value::integer(st.st_blksize));
  v.add("st_blocks", Value::integer(st.st_blocks));
  if (device)
    v.add("st_rdev", dev_value(st.st_rdev));
  else
    v.add("st_size", Value::integer(st.st_size));
  v.add("st_atime", Value::integer(static_cast<int64_t>(st.st_atime)));
  v.add("st_atime_nsec", Value::uinteger(st.st_atime_nsec));
  v.add("st_mtime", Value::integer(static_cast<int64_t>(st.st_mtime)));
  v.add("st_mtime_nsec", Value::uinteger(st.st_mtime_nsec));
  v.add("st_ctime", Value::integer(static_cast<int64_t>(st.st_ctime)));
  v.add("st_ctime_nsec", Value::uinteger(st.st_ctime_nsec));
  return v;
}

Value statx_time(const struct statx_timestamp& t) {
  return timespec_value(t.tv_sec, t.tv_nsec);
}

Value decode_statx(const ArgContext& c) {
  struct statx sx {};
  if (!read_prefix(c.mem, c.raw, &sx, c.opt.verbose ? sizeof(sx) : kStatxBrief))
    return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("stx_mask", named_flags("statx_mask", sx.stx_mask));
  if (!c.opt.verbose) {
    v.add("stx_attributes", flags(kStatxAttr, sx.stx_attributes));
    v.add("stx_mode", mode_value(sx.stx_mode));
    v.add("stx_size", Value::uinteger(sx.stx_size));
    v.truncated = true;
    return v;
  }
  v.add("stx_blksize", Value::uinteger(sx.stx_blksize));
  v.add("stx_attributes", flags(kStatxAttr, sx.stx_attributes));
  v.add("stx_nlink", Value::uinteger(sx.stx_nlink));
  v.add("stx_uid", id_value(sx.stx_uid));
  v.add("stx_gid", id_value(sx.stx_gid));
  v.add("stx_mode", mode_value(sx.stx_mode));
  v.add("stx_ino", Value::uinteger(sx.stx_ino));
  v.add("stx_size", Value::uinteger(sx.stx_size));
  v.add("stx_blocks", Value::uinteger(sx.stx_blocks));
  v.add("stx_attributes_mask", flags(kStatxAttr, sx.stx_attributes_mask));
  v.add("stx_atime", statx_time(sx.stx_atime));
  v.add("stx_btime", statx_time(sx.stx_btime));
  v.add("stx_ctime", statx_time(sx.stx_ctime));
  v.add("stx_mtime", statx_time(sx.stx_mtime));
  v.add("stx_rdev_major", Value::uinteger(sx.stx_rdev_major));
  v.add("stx_rdev_minor", Value::uinteger(sx.stx_rdev_minor));
  v.add("stx_dev_major", Value::uinteger(sx.stx_dev_major));
  v.add("stx_dev_minor", Value::uinteger(sx.stx_dev_minor));
  v.add("stx_mnt_id", Value::uinteger(sx.stx_mnt_id));
  v.add("stx_dio_mem_align", Value::uinteger(sx.stx_dio_mem_align));
  v.add("stx_dio_offset_align", Value::uinteger(sx.stx_dio_offset_align));
  return v;
}

Value decode_statfs(const ArgContext& c) {
  struct statfs sf {};
  if (!read_struct(c.mem, c.raw, &sf)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("f_type", enum_or_hex(kMagic, static_cast<uint64_t>(sf.f_type)));
  v.add("f_bsize", Value::integer(sf.f_bsize));
  v.add("f_blocks", Value::integer(sf.f_blocks));
  v.add("f_bfree", Value::integer(sf.f_bfree));
  v.add("f_bavail", Value::integer(sf.f_bavail));
  v.add("f_files", Value::integer(sf.f_files));
  v.add("f_ffree", Value::integer(sf.f_ffree));
  Value fsid = Value::structure();
  Value val = Value::array();
  val.add({}, Value::hex(static_cast<uint32_t>(sf.f_fsid.val[0])));
  val.add({}, Value::hex(static_cast<uint32_t>(sf.f_fsid.val[1])));
  fsid.add("val", std::move(val));
  v.add("f_fsid", std::move(fsid));
  v.add("f_namelen", Value::integer(sf.f_namelen));
  v.add("f_frsize", Value::integer(sf.f_frsize));
  v.add("f_flags", flags(kStatfsFlags, static_cast<uint64_t>(sf.f_flags)));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Directory records: getdents64 (struct linux_dirent64) and getdents (struct linux_dirent).
// The records fill the first `ret` bytes of the buffer; each record's d_reclen is checked
// against what is left, so a hostile or torn buffer ends the walk instead of derailing it.

// The bytes of records: the return value, never more than the buffer's size (argument 2).
size_t dirent_bytes(const ArgContext& c) {
  if (!c.ev.returned() || c.ev.ret <= 0) return 0;
  auto n = static_cast<uint64_t>(c.ev.ret);
  return static_cast<size_t>(std::min<uint64_t>(n, static_cast<uint32_t>(c.other(2))));
}

struct DirentRecord {
  uint64_t ino;
  int64_t off;
  uint16_t reclen;
  uint8_t type;
  std::string name;
};

// Reads the NUL-terminated name in [addr, addr + len); false on a fault.
bool read_name(const MemoryReader& mem, uint64_t addr, size_t len, std::string* out) {
  len = std::min<size_t>(len, 256);  // NAME_MAX + 1
  char buf[256];
  if (len > 0 && mem.read(addr, buf, len) != len) return false;
  size_t n = 0;
  while (n < len && buf[n] != '\0') ++n;
  out->assign(buf, n);
  return true;
}

// One record at `addr` with `left` bytes of the buffer remaining from it; false if it cannot be
// read or its length does not fit.
bool read_dirent64(const MemoryReader& mem, uint64_t addr, size_t left, DirentRecord* r) {
  struct dirent64 d {};
  if (left < kDirent64Name + 1) return false;
  if (mem.read(addr, &d, kDirent64Name) != kDirent64Name) return false;
  if (d.d_reclen < kDirent64Name + 1 || d.d_reclen > left) return false;
  r->ino = d.d_ino;
  r->off = d.d_off;
  r->reclen = d.d_reclen;
  r->type = d.d_type;
  return read_name(mem, addr + kDirent64Name, d.d_reclen - kDirent64Name, &r->name);
}

bool read_linux_dirent(const MemoryReader& mem, uint64_t addr, size_t left, DirentRecord* r) {
  linux_dirent_head d{};
  // A name's NUL and the d_type byte at least.
  if (left < kLinuxDirentName + 2) return false;
  if (!read_struct(mem, addr, &d)) return false;
  if (d.d_reclen < kLinuxDirentName + 2 || d.d_reclen > left) return false;
  r->ino = d.d_ino;
  r->off = static_cast<int64_t>(d.d_off);
  r->reclen = d.d_reclen;
  if (mem.read(addr + d.d_reclen - 1, &r->type, 1) != 1) return false;
  return read_name(mem, addr + kLinuxDirentName, d.d_reclen - kLinuxDirentName - 1, &r->name);
}

constexpr size_t kDirentsShown = 4;  // records shown without -v
// The most bytes those records take: a 255-byte name, its NUL and the head, aligned to 8 (the
// kernel's d_reclen). A backend copies no more than that of the (up to 32 KiB) it returned.
constexpr uint32_t kDirentMax = (offsetof(struct dirent64, d_name) + 256 + 7) / 8 * 8;
static_assert(kDirentMax >= (kLinuxDirentName + 257 + 7) / 8 * 8);
constexpr uint32_t kDirentsBrief = kDirentsShown * kDirentMax;

Value decode_dirents(const ArgContext& c,
                     bool (*one)(const MemoryReader&, uint64_t, size_t, DirentRecord*)) {
  size_t bytes = dirent_bytes(c);
  size_t max = c.opt.verbose ? kMaxArrayElements : kDirentsShown;
  Value arr = Value::array();
  size_t off = 0;
  while (off < bytes) {
    if (arr.items.size() == max) {
      arr.truncated = true;
      break;
    }
    DirentRecord r;
    if (!one(c.mem, c.raw + off, bytes - off, &r)) {
      if (off == 0) return Value::unreadable(c.raw);
      arr.truncated = true;
      break;
    }
    Value e = Value::structure();
    e.add("d_ino", Value::uinteger(r.ino));
    e.add("d_off", Value::integer(r.off));
    e.add("d_reclen", Value::uinteger(r.reclen));
    e.add("d_type", enum_or_number(kDirentType, r.type));
    e.add("d_name", Value::string(std::move(r.name), false));
    arr.add({}, std::move(e));
    off += r.reclen;
  }
  return arr;
}

Value decode_dirent64(const ArgContext& c) {
  return decode_dirents(c, read_dirent64);
}
Value decode_linux_dirent(const ArgContext& c) {
  return decode_dirents(c, read_linux_dirent);
}

// ---------------------------------------------------------------------------------------------
// open_how, file_handle, mount_attr

Value decode_open_how(const ArgContext& c) {
  struct open_how how {};
  if (!read_struct(c.mem, c.raw, &how)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("flags", named_flags("open_flags", how.flags));
  v.add("mode", Value::octal(how.mode));
  v.add("resolve", flags(kResolve, how.resolve));
  return v;
}

Value decode_file_handle(const ArgContext& c) {
  constexpr size_t kHead = offsetof(struct file_handle, f_handle);
  struct file_handle fh {};
  if (c.mem.read(c.raw, &fh, kHead) != kHead) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("handle_bytes", Value::uinteger(fh.handle_bytes));
  // As passed to name_to_handle_at: the kernel reads the room there is, nothing else.
  if (c.phase == Phase::In && c.ev.nr == SYS_name_to_handle_at) return v;
  // A failed name_to_handle_at wrote the size it needs (EOVERFLOW), if anything: no handle.
  if (c.arg.dir != Dir::In && c.failed()) {
    v.truncated = true;
    return v;
  }
  v.add("handle_type", Value::integer(fh.handle_type));
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
  if (n > 0) v.add("f_handle", Value::symbol(hex_bytes(bytes, n), 0));
  return v;
}

Value decode_mount_attr(const ArgContext& c) {
  struct mount_attr ma {};
  if (!read_struct(c.mem, c.raw, &ma)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("attr_set", named_flags("mount_setattr_flags", ma.attr_set));
  v.add("attr_clr", named_flags("mount_setattr_flags", ma.attr_clr));
  v.add("propagation", enum_or_number(kPropagation, ma.propagation));
  v.add("userns_fd", fd_value(static_cast<int32_t>(ma.userns_fd)));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Times

Value decode_utimbuf(const ArgContext& c) {
  struct utimbuf u {};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("actime", Value::integer(u.actime));
  v.add("modtime", Value::integer(u.modtime));
  return v;
}

// utimensat's times[2]: tv_nsec may say "now" or "leave unchanged" instead.
Value utime_nsec(int64_t nsec) {
  if (nsec == UTIME_NOW) return Value::symbol("UTIME_NOW", static_cast<uint64_t>(nsec));
  if (nsec == UTIME_OMIT) return Value::symbol("UTIME_OMIT", static_cast<uint64_t>(nsec));
  return Value::integer(nsec);
}

Value decode_timespec_pair(const ArgContext& c) {
  __kernel_timespec ts[2]{};
  if (!read_struct(c.mem, c.raw, &ts)) return Value::unreadable(c.raw);
  Value arr = Value::array();
  for (const auto& t : ts) {
    Value v = Value::structure();
    v.add("tv_sec", Value::integer(t.tv_sec));
    v.add("tv_nsec", utime_nsec(t.tv_nsec));
    arr.add({}, std::move(v));
  }
  return arr;
}

Value decode_timeval(const ArgContext& c) {
  __kernel_old_timeval tv{};
  if (!read_struct(c.mem, c.raw, &tv)) return Value::unreadable(c.raw);
  return timeval_value(tv);
}

Value decode_timeval_pair(const ArgContext& c) {
  __kernel_old_timeval tv[2]{};
  if (!read_struct(c.mem, c.raw, &tv)) return Value::unreadable(c.raw);
  Value arr = Value::array();
  arr.add({}, timeval_value(tv[0]));
  arr.add({}, timeval_value(tv[1]));
  return arr;
}

Value decode_itimerspec(const ArgContext& c) {
  __kernel_itimerspec its{};
  if (!read_struct(c.mem, c.raw, &its)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("it_interval", timespec_value(its.it_interval));
  v.add("it_value", timespec_value(its.it_value));
  return v;
}

Value decode_itimerval(const ArgContext& c) {
  __kernel_old_itimerval itv{};
  if (!read_struct(c.mem, c.raw, &itv)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("it_interval", timeval_value(itv.it_interval));
  v.add("it_value", timeval_value(itv.it_value));
  return v;
}

Value decode_timezone(const ArgContext& c) {
  kabi::timezone tz{};
  if (!read_struct(c.mem, c.raw, &tz)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("tz_minuteswest", Value::integer(tz.tz_minuteswest));
  v.add("tz_dsttime", Value::integer(tz.tz_dsttime));
  return v;
}

Value decode_tms(const ArgContext& c) {
  struct tms t {};
  if (!read_struct(c.mem, c.raw, &t)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("tms_utime", Value::integer(t.tms_utime));
  v.add("tms_stime", Value::integer(t.tms_stime));
  v.add("tms_cutime", Value::integer(t.tms_cutime));
  v.add("tms_cstime", Value::integer(t.tms_cstime));
  return v;
}

Value decode_timex(const ArgContext& c) {
  kabi::__kernel_timex tx{};
  if (!read_struct(c.mem, c.raw, &tx)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("modes", flags(kAdjModes, tx.modes));
  v.add("offset", Value::integer(tx.offset));
  v.add("freq", Value::integer(tx.freq));
  if (!c.opt.verbose) {
    v.add("status", flags(kStaStatus, static_cast<uint32_t>(tx.status)));
    v.truncated = true;
    return v;
  }
  v.add("maxerror", Value::integer(tx.maxerror));
  v.add("esterror", Value::integer(tx.esterror));
  v.add("status", flags(kStaStatus, static_cast<uint32_t>(tx.status)));
  v.add("constant", Value::integer(tx.constant));
  v.add("precision", Value::integer(tx.precision));
  v.add("tolerance", Value::integer(tx.tolerance));
  v.add("time", timeval_value(tx.time.tv_sec, tx.time.tv_usec));
  v.add("tick", Value::integer(tx.tick));
  v.add("ppsfreq", Value::integer(tx.ppsfreq));
  v.add("jitter", Value::integer(tx.jitter));
  v.add("shift", Value::integer(tx.shift));
  v.add("stabil", Value::integer(tx.stabil));
  v.add("jitcnt", Value::integer(tx.jitcnt));
  v.add("calcnt", Value::integer(tx.calcnt));
  v.add("errcnt", Value::integer(tx.errcnt));
  v.add("stbcnt", Value::integer(tx.stbcnt));
  v.add("tai", Value::integer(tx.tai));
  return v;
}

// ---------------------------------------------------------------------------------------------
// uid_t and gid_t: getgroups/setgroups arrays (their count from the overrides), and the single
// out-parameters of getresuid/getresgid, shown as [id] like strace.

Value one_id(const ArgContext& c, uint64_t addr) {
  uint32_t id = 0;
  if (!read_struct(c.mem, addr, &id)) return Value::unreadable(addr);
  return id_value(id);
}

Value decode_ids(const ArgContext& c) {
  // getgroups(0, list) returns the number of groups without writing the list.
  if (c.ev.nr == SYS_getgroups && static_cast<int32_t>(c.other(0)) <= 0) return Value::hex(c.raw);
  size_t n = 1;
  if (c.arg.len == kLenRet) {
    n = element_count(c, 0);
  } else if (c.arg.len >= 0) {
    // The count argument is a C int (the kernel reads its low half): a negative one counts none.
    int32_t count = static_cast<int32_t>(c.other(c.arg.len));
    n = count < 0 ? 0 : std::min(static_cast<size_t>(count), kMaxArrayElements);
  }
  if (n == 0) return Value::array();
  return decode_array(c, n, sizeof(uint32_t), kMaxArrayElements, one_id);
}

// ---------------------------------------------------------------------------------------------
// Newer calls: cachestat, setxattrat/getxattrat, statmount/listmount, landlock_create_ruleset.

Value decode_cachestat_range(const ArgContext& c) {
  cachestat_range r{};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("off", Value::uinteger(r.off));
  v.add("len", Value::uinteger(r.len));
  return v;
}

Value decode_cachestat(const ArgContext& c) {
  cachestat s{};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("nr_cache", Value::uinteger(s.nr_cache));
  v.add("nr_dirty", Value::uinteger(s.nr_dirty));
  v.add("nr_writeback", Value::uinteger(s.nr_writeback));
  v.add("nr_evicted", Value::uinteger(s.nr_evicted));
  v.add("nr_recently_evicted", Value::uinteger(s.nr_recently_evicted));
  return v;
}

Value decode_xattr_args(const ArgContext& c) {
  xattr_args a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("value", a.value == 0 ? Value::null() : Value::hex(a.value));
  v.add("size", Value::uinteger(a.size));
  v.add("flags", named_flags("xattr_flags", a.flags));
  return v;
}

// statmount's request (param: what to report, STATMOUNT_*) or listmount's (param: the last id of
// a previous answer); LSMT_ROOT (include/uapi/linux/mount.h) names the root mount.
Value decode_mnt_id_req(const ArgContext& c, bool statmount) {
  mnt_id_req r{};
  if (c.mem.read(c.raw, &r, kMntIdReqSizeVer0) != kMntIdReqSizeVer0)
    return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("size", Value::uinteger(r.size));
  v.add("mnt_id", r.mnt_id == ~uint64_t{0} ? Value::symbol("LSMT_ROOT", r.mnt_id)
                                           : Value::uinteger(r.mnt_id));
  v.add("param", statmount ? named_flags("statmount_mask", r.param) : Value::uinteger(r.param));
  if (r.size >= sizeof(mnt_id_req)) {
    if (!read_struct(c.mem, c.raw, &r)) {
      v.truncated = true;
      return v;
    }
    v.add("mnt_ns_id", Value::uinteger(r.mnt_ns_id));
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
  v.add("size", Value::uinteger(s.size));
  v.add("mask", named_flags("statmount_mask", s.mask));  // tables/recent.cpp
  v.add("sb_dev_major", Value::uinteger(s.sb_dev_major));
  v.add("sb_dev_minor", Value::uinteger(s.sb_dev_minor));
  v.add("sb_magic", enum_or_hex(kMagic, s.sb_magic));
  v.add("mnt_id", Value::uinteger(s.mnt_id));
  v.add("mnt_parent_id", Value::uinteger(s.mnt_parent_id));
  if (c.opt.verbose) {
    v.add("sb_flags", Value::hex(s.sb_flags));
    v.add("mnt_attr", named_flags("mount_setattr_flags", s.mnt_attr));
    v.add("mnt_propagation", enum_or_number(kPropagation, s.mnt_propagation));
    v.add("mnt_peer_group", Value::uinteger(s.mnt_peer_group));
    v.add("mnt_master", Value::uinteger(s.mnt_master));
    v.add("propagate_from", Value::uinteger(s.propagate_from));
  }
  v.truncated = true;  // the strings and later fields are not shown
  return v;
}

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
  v.add("parent_fd", fd_value(a.parent_fd));
  return v;
}

Value decode_landlock_net_port_attr(const ArgContext& c) {
  landlock_net_port_attr_v4 a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("allowed_access", flags(kLandlockNet, a.allowed_access));
  v.add("port", Value::uinteger(a.port));
  return v;
}

constexpr Entry kFile[] = {
    {"stat", sizeof(kabi::stat), decode_stat, kStatBrief},
    {"statx", sizeof(struct statx), decode_statx, kStatxBrief},
    {"statfs", sizeof(struct statfs), decode_statfs},
    {"dirent64", 0, decode_dirent64, kDirentsBrief},
    {"linux_dirent", 0, decode_linux_dirent, kDirentsBrief},
    {"open_how", sizeof(struct open_how), decode_open_how},
    // (Its head and the most handle_bytes may be: the kernel's limit, MAX_HANDLE_SZ.)
    {"file_handle", offsetof(struct file_handle, f_handle) + MAX_HANDLE_SZ, decode_file_handle},
    {"mount_attr", sizeof(struct mount_attr), decode_mount_attr},
    {"utimbuf", sizeof(struct utimbuf), decode_utimbuf},
    {"timespec_pair", 2 * sizeof(__kernel_timespec), decode_timespec_pair},
    {"timeval", sizeof(__kernel_old_timeval), decode_timeval},
    {"timeval_pair", 2 * sizeof(__kernel_old_timeval), decode_timeval_pair},
    {"itimerspec", sizeof(__kernel_itimerspec), decode_itimerspec},
    {"itimerval", sizeof(__kernel_old_itimerval), decode_itimerval},
    {"timezone", sizeof(kabi::timezone), decode_timezone},
    {"timex", sizeof(kabi::__kernel_timex), decode_timex},
    {"tms", sizeof(struct tms), decode_tms},
    {"uid_t", sizeof(uint32_t), decode_ids},
    {"gid_t", sizeof(uint32_t), decode_ids},
    {"cachestat_range", sizeof(cachestat_range), decode_cachestat_range},
    {"cachestat", sizeof(cachestat), decode_cachestat},
    {"xattr_args", sizeof(xattr_args), decode_xattr_args},
    // (a VER0 request is 24 bytes: the 32 copied of one may take 8 bytes beyond it)
    {"statmount_req", sizeof(mnt_id_req), decode_statmount_req},
    {"listmount_req", sizeof(mnt_id_req), decode_listmount_req},
    {"statmount", sizeof(statmount_head), decode_statmount},
    {"landlock_ruleset_attr", sizeof(landlock_ruleset_attr_v3), decode_landlock_ruleset_attr},
    {"landlock_path_beneath_attr", sizeof(struct landlock_path_beneath_attr),
     decode_landlock_path_beneath_attr},
    {"landlock_net_port_attr", sizeof(landlock_net_port_attr_v4), decode_landlock_net_port_attr},
};

}  // namespace

List file_structs() {
  return kFile;
}

}  // namespace dtruss::structs
