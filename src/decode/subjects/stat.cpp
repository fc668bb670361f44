// stat, statx, statfs, ustat, file_getattr: the structs and their flags.

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <asm/statfs.h>
#include <linux/magic.h>
#include <linux/time_types.h>

// The kernel's struct stat (<asm/stat.h>) has the same tag as glibc's: it lives in its own
// namespace. glibc's st_atime, st_mtime and st_ctime are macros for its own struct's fields.
#undef st_atime
#undef st_mtime
#undef st_ctime
namespace kabi {
#include <asm/stat.h>
}  // namespace kabi

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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
      FIELD(v, st, st_rdev, dev_value);
    else
      FIELD(v, st, st_size, Value::integer);
    v.truncated = true;
    return v;
  }
  FIELD(v, st, st_dev, dev_value);
  FIELD(v, st, st_ino, Value::uinteger);
  v.add("st_mode", mode_value(mode));
  FIELD(v, st, st_nlink, Value::uinteger);
  FIELD(v, st, st_uid, id_value);
  FIELD(v, st, st_gid, id_value);
  FIELD(v, st, st_blksize, Value::integer);
  FIELD(v, st, st_blocks, Value::integer);
  if (device)
    FIELD(v, st, st_rdev, dev_value);
  else
    FIELD(v, st, st_size, Value::integer);
  v.add("st_atime", Value::integer(static_cast<int64_t>(st.st_atime)));
  FIELD(v, st, st_atime_nsec, Value::uinteger);
  v.add("st_mtime", Value::integer(static_cast<int64_t>(st.st_mtime)));
  FIELD(v, st, st_mtime_nsec, Value::uinteger);
  v.add("st_ctime", Value::integer(static_cast<int64_t>(st.st_ctime)));
  FIELD(v, st, st_ctime_nsec, Value::uinteger);
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
  v.add("stx_mask", flags(kStatxMask, sx.stx_mask));
  if (!c.opt.verbose) {
    v.add("stx_attributes", flags(kStatxAttr, sx.stx_attributes));
    FIELD(v, sx, stx_mode, mode_value);
    FIELD(v, sx, stx_size, Value::uinteger);
    v.truncated = true;
    return v;
  }
  FIELD(v, sx, stx_blksize, Value::uinteger);
  v.add("stx_attributes", flags(kStatxAttr, sx.stx_attributes));
  FIELD(v, sx, stx_nlink, Value::uinteger);
  FIELD(v, sx, stx_uid, id_value);
  FIELD(v, sx, stx_gid, id_value);
  FIELD(v, sx, stx_mode, mode_value);
  FIELD(v, sx, stx_ino, Value::uinteger);
  FIELD(v, sx, stx_size, Value::uinteger);
  FIELD(v, sx, stx_blocks, Value::uinteger);
  v.add("stx_attributes_mask", flags(kStatxAttr, sx.stx_attributes_mask));
  FIELD(v, sx, stx_atime, statx_time);
  FIELD(v, sx, stx_btime, statx_time);
  FIELD(v, sx, stx_ctime, statx_time);
  FIELD(v, sx, stx_mtime, statx_time);
  FIELD(v, sx, stx_rdev_major, Value::uinteger);
  FIELD(v, sx, stx_rdev_minor, Value::uinteger);
  FIELD(v, sx, stx_dev_major, Value::uinteger);
  FIELD(v, sx, stx_dev_minor, Value::uinteger);
  FIELD(v, sx, stx_mnt_id, Value::uinteger);
  FIELD(v, sx, stx_dio_mem_align, Value::uinteger);
  FIELD(v, sx, stx_dio_offset_align, Value::uinteger);
  return v;
}

Value decode_statfs(const ArgContext& c) {
  struct statfs sf {};
  if (!read_struct(c.mem, c.raw, &sf)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("f_type", enum_or_hex(kMagic, static_cast<uint64_t>(sf.f_type)));
  FIELD(v, sf, f_bsize, Value::integer);
  FIELD(v, sf, f_blocks, Value::integer);
  FIELD(v, sf, f_bfree, Value::integer);
  FIELD(v, sf, f_bavail, Value::integer);
  FIELD(v, sf, f_files, Value::integer);
  FIELD(v, sf, f_ffree, Value::integer);
  Value fsid = Value::structure();
  Value val = Value::array();
  val.add({}, Value::hex(static_cast<uint32_t>(sf.f_fsid.val[0])));
  val.add({}, Value::hex(static_cast<uint32_t>(sf.f_fsid.val[1])));
  fsid.add("val", std::move(val));
  v.add("f_fsid", std::move(fsid));
  FIELD(v, sf, f_namelen, Value::integer);
  FIELD(v, sf, f_frsize, Value::integer);
  v.add("f_flags", flags(kStatfsFlags, static_cast<uint64_t>(sf.f_flags)));
  return v;
}

// include/linux/types.h.
struct kernel_ustat {
  int f_tfree;  // __kernel_daddr_t
  unsigned long f_tinode;
  char f_fname[6];
  char f_fpack[6];
};
static_assert(sizeof(kernel_ustat) == 32);

Value decode_ustat(const ArgContext& c) {
  kernel_ustat u{};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, u, f_tfree, Value::integer);
  FIELD(v, u, f_tinode, Value::uinteger);
  v.add("f_fname", char_array(u.f_fname, sizeof u.f_fname));
  v.add("f_fpack", char_array(u.f_fpack, sizeof u.f_fpack));
  return v;
}

// include/uapi/linux/fs.h (Linux 6.17): file_getattr's and file_setattr's attributes.
struct file_attr {
  uint64_t fa_xflags;
  uint32_t fa_extsize;
  uint32_t fa_nextents;
  uint32_t fa_projid;
  uint32_t fa_cowextsize;
};
static_assert(sizeof(file_attr) == 24);

Value decode_file_attr(const ArgContext& c) {
  file_attr a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, a, fa_xflags, Value::hex);
  FIELD(v, a, fa_extsize, Value::uinteger);
  FIELD(v, a, fa_nextents, Value::uinteger);
  FIELD(v, a, fa_projid, Value::uinteger);
  FIELD(v, a, fa_cowextsize, Value::uinteger);
  return v;
}

constexpr Entry kStructs[] = {
    {"stat", sizeof(kabi::stat), decode_stat, kStatBrief},
    {"statx", sizeof(struct statx), decode_statx, kStatxBrief},
    {"statfs", sizeof(struct statfs), decode_statfs},
    {"ustat", sizeof(kernel_ustat), decode_ustat},
    {"file_attr", sizeof(file_attr), decode_file_attr},
};

constexpr const FlagTable* kTables[] = {&kStatxMask, &kStatxAttr, &kStatfsFlags, &kMagic};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef STATX_MNT_ID_UNIQUE
static_assert(value_named(kStatxBits, "STATX_MNT_ID_UNIQUE") == value_of(STATX_MNT_ID_UNIQUE));
#endif
#ifdef STATX_SUBVOL
static_assert(value_named(kStatxBits, "STATX_SUBVOL") == value_of(STATX_SUBVOL));
#endif
#ifdef STATX_WRITE_ATOMIC
static_assert(value_named(kStatxBits, "STATX_WRITE_ATOMIC") == value_of(STATX_WRITE_ATOMIC));
#endif
#ifdef STATX_DIO_READ_ALIGN
static_assert(value_named(kStatxBits, "STATX_DIO_READ_ALIGN") == value_of(STATX_DIO_READ_ALIGN));
#endif
#ifdef ST_VALID
static_assert(value_named(kStatfsFlagBits, "ST_VALID") == value_of(ST_VALID));
#endif
#ifdef ST_NOSYMFOLLOW
static_assert(value_named(kStatfsFlagBits, "ST_NOSYMFOLLOW") == value_of(ST_NOSYMFOLLOW));
#endif

}  // namespace

Subject subject_stat() {
  return {"stat", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
