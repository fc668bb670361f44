// Struct decoders of the calls newer than the build machine's headers (Debian 12: Linux 6.1
// uapi): cachestat's range and result, statmount's and listmount's request and statmount's
// result, the *xattrat calls' xattr_args and file_getattr/file_setattr's file_attr. The
// installed headers define none of them: the layouts are those of Linux 6.18's
// include/uapi/linux/mman.h (cachestat), include/uapi/linux/mount.h (mnt_id_req, statmount),
// include/uapi/linux/xattr.h (xattr_args) and include/uapi/linux/fs.h (file_attr).
#include <cstdint>

#include "decode/structs/registry.h"
#include "decode/tables/registry.h"

namespace dtruss::structs {
namespace {

struct cachestat_range {
  uint64_t off;
  uint64_t len;
};
struct cachestat {
  uint64_t nr_cache;
  uint64_t nr_dirty;
  uint64_t nr_writeback;
  uint64_t nr_evicted;
  uint64_t nr_recently_evicted;
};
// MNT_ID_REQ_SIZE_VER0 is 24 bytes (no mnt_ns_id), VER1 32.
struct mnt_id_req {
  uint32_t size;
  uint32_t spare;
  uint64_t mnt_id;
  uint64_t param;
  uint64_t mnt_ns_id;
};
// The fixed fields statmount's result starts with (the whole struct is 512 bytes and strings).
struct statmount_head {
  uint32_t size;
  uint32_t mnt_opts;
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
};
struct xattr_args {
  uint64_t value;
  uint32_t size;
  uint32_t flags;
};
struct file_attr {
  uint64_t fa_xflags;
  uint32_t fa_extsize;
  uint32_t fa_nextents;
  uint32_t fa_projid;
  uint32_t fa_cowextsize;
};
static_assert(sizeof(cachestat) == 40 && sizeof(mnt_id_req) == 32 && sizeof(xattr_args) == 16 &&
              sizeof(file_attr) == 24 && sizeof(statmount_head) == 64);

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

constexpr size_t kMntIdReqVer0 = 24;

// The request of statmount (param: the STATMOUNT_* mask) and listmount (param: the mount id to
// list after, 0 for the first).
Value decode_mnt_id_req(const ArgContext& c, bool is_statmount) {
  mnt_id_req r{};
  if (!read_prefix(c.mem, c.raw, &r, kMntIdReqVer0)) return Value::unreadable(c.raw);
  const bool v1 = r.size >= sizeof r && read_struct(c.mem, c.raw, &r);
  Value v = Value::structure();
  v.add("size", Value::uinteger(r.size));
  if (r.spare != 0) v.add("spare", Value::uinteger(r.spare));
  v.add("mnt_id", Value::uinteger(r.mnt_id));
  v.add("param", is_statmount ? named_flags("statmount_mask", r.param) : Value::uinteger(r.param));
  if (v1) v.add("mnt_ns_id", Value::uinteger(r.mnt_ns_id));
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
  v.add("mask", named_flags("statmount_mask", s.mask));
  if (s.mask & 0x1) {  // STATMOUNT_SB_BASIC
    v.add("sb_dev_major", Value::uinteger(s.sb_dev_major));
    v.add("sb_dev_minor", Value::uinteger(s.sb_dev_minor));
    v.add("sb_magic", Value::hex(s.sb_magic));
  }
  if (s.mask & 0x2) {  // STATMOUNT_MNT_BASIC
    v.add("mnt_id", Value::uinteger(s.mnt_id));
    v.add("mnt_parent_id", Value::uinteger(s.mnt_parent_id));
    v.add("mnt_id_old", Value::uinteger(s.mnt_id_old));
    v.add("mnt_parent_id_old", Value::uinteger(s.mnt_parent_id_old));
  }
  v.truncated = true;  // the other fields and the strings are not shown
  return v;
}

Value decode_xattr_args(const ArgContext& c) {
  xattr_args a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("value", ptr_value(a.value));
  v.add("size", Value::uinteger(a.size));
  v.add("flags", named_flags("xattr_flags", a.flags));
  return v;
}

Value decode_file_attr(const ArgContext& c) {
  file_attr a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("fa_xflags", Value::hex(a.fa_xflags));
  v.add("fa_extsize", Value::uinteger(a.fa_extsize));
  v.add("fa_nextents", Value::uinteger(a.fa_nextents));
  v.add("fa_projid", Value::uinteger(a.fa_projid));
  v.add("fa_cowextsize", Value::uinteger(a.fa_cowextsize));
  return v;
}

constexpr Entry kRecent[] = {
    {"cachestat_range", sizeof(cachestat_range), decode_cachestat_range},
    {"cachestat", sizeof(cachestat), decode_cachestat},
    {"statmount_req", sizeof(mnt_id_req), decode_statmount_req},
    {"listmount_req", sizeof(mnt_id_req), decode_listmount_req},
    {"statmount", sizeof(statmount_head), decode_statmount},
    {"xattr_args", sizeof(xattr_args), decode_xattr_args},
    {"file_attr", sizeof(file_attr), decode_file_attr},
};

}  // namespace

List recent_structs() {
  return kRecent;
}

}  // namespace dtruss::structs
