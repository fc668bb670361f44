// Struct decoders of quotactl's XFS commands (a choice table selects them by command): struct
// fs_disk_quota (Q_XGETQUOTA, Q_XSETQLIM, Q_XGETNEXTQUOTA), struct fs_quota_stat (Q_XGETQSTAT),
// struct fs_quota_statv (Q_XGETQSTATV), and the u32 flags of Q_XQUOTAON, Q_XQUOTAOFF (what to
// account and enforce) and Q_XQUOTARM (which quota types to free).
// Facts from <linux/dqblk_xfs.h>. A timer with FS_DQ_BIGTIME in d_fieldmask has 8 more high
// bits in its _hi field, as fs/quota/quota.c reads and writes them.
#include <linux/dqblk_xfs.h>

#include <cstddef>
#include <cstdint>

#include "decode/structs/registry.h"
#include "decode/tables/registry.h"

namespace dtruss::structs {
namespace {

static_assert(sizeof(struct fs_disk_quota) == 112);
static_assert(offsetof(struct fs_disk_quota, d_rtb_hardlimit) == 72);
static_assert(sizeof(struct fs_qfilestat) == 24);
static_assert(sizeof(struct fs_quota_stat) == 80);
static_assert(offsetof(struct fs_quota_stat, qs_uquota) == 8);
static_assert(sizeof(struct fs_qfilestatv) == 24);
static_assert(sizeof(struct fs_quota_statv) == 160);

constexpr FlagName kQuotaTypeBits[] = {F(FS_USER_QUOTA), F(FS_PROJ_QUOTA), F(FS_GROUP_QUOTA)};
constexpr FlagTable kQuotaTypes = tables::bits_table("xfs_quota_types", kQuotaTypeBits);

constexpr FlagName kFieldBits[] = {
    F(FS_DQ_ISOFT),    F(FS_DQ_IHARD),   F(FS_DQ_BSOFT),    F(FS_DQ_BHARD),
    F(FS_DQ_RTBSOFT),  F(FS_DQ_RTBHARD), F(FS_DQ_BTIMER),   F(FS_DQ_ITIMER),
    F(FS_DQ_RTBTIMER), F(FS_DQ_BWARNS),  F(FS_DQ_IWARNS),   F(FS_DQ_RTBWARNS),
    F(FS_DQ_BCOUNT),   F(FS_DQ_ICOUNT),  F(FS_DQ_RTBCOUNT), F(FS_DQ_BIGTIME),
};
constexpr FlagTable kFieldMask = tables::bits_table("xfs_dq_fieldmask", kFieldBits);

constexpr FlagName kStateBits[] = {
    F(FS_QUOTA_UDQ_ACCT), F(FS_QUOTA_UDQ_ENFD), F(FS_QUOTA_GDQ_ACCT),
    F(FS_QUOTA_GDQ_ENFD), F(FS_QUOTA_PDQ_ACCT), F(FS_QUOTA_PDQ_ENFD),
};
constexpr FlagTable kStateFlags = tables::bits_table("xfs_quota_flags", kStateBits);

// A quota timer: its low 32 bits, with the high ones when FS_DQ_BIGTIME says they are set.
Value timer_value(const struct fs_disk_quota& d, int32_t lo, int8_t hi) {
  if ((d.d_fieldmask & FS_DQ_BIGTIME) == 0) return Value::integer(lo);
  return Value::integer(static_cast<int64_t>(static_cast<uint32_t>(lo)) |
                        (static_cast<int64_t>(hi) * (int64_t{1} << 32)));
}

// One user's, group's or project's limits, usage, timers and warnings (in 512-byte blocks).
Value decode_fs_disk_quota(const ArgContext& c) {
  struct fs_disk_quota d {};
  if (!read_struct(c.mem, c.raw, &d)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("d_version", Value::integer(d.d_version));
  v.add("d_flags", flags(kQuotaTypes, static_cast<uint8_t>(d.d_flags)));
  v.add("d_fieldmask", flags(kFieldMask, d.d_fieldmask));
  v.add("d_id", Value::uinteger(d.d_id));
  v.add("d_blk_hardlimit", Value::uinteger(d.d_blk_hardlimit));
  v.add("d_blk_softlimit", Value::uinteger(d.d_blk_softlimit));
  v.add("d_ino_hardlimit", Value::uinteger(d.d_ino_hardlimit));
  v.add("d_ino_softlimit", Value::uinteger(d.d_ino_softlimit));
  v.add("d_bcount", Value::uinteger(d.d_bcount));
  v.add("d_icount", Value::uinteger(d.d_icount));
  v.add("d_itimer", timer_value(d, d.d_itimer, d.d_itimer_hi));
  v.add("d_btimer", timer_value(d, d.d_btimer, d.d_btimer_hi));
  v.add("d_iwarns", Value::uinteger(d.d_iwarns));
  v.add("d_bwarns", Value::uinteger(d.d_bwarns));
  v.add("d_rtb_hardlimit", Value::uinteger(d.d_rtb_hardlimit));
  v.add("d_rtb_softlimit", Value::uinteger(d.d_rtb_softlimit));
  v.add("d_rtbcount", Value::uinteger(d.d_rtbcount));
  v.add("d_rtbtimer", timer_value(d, d.d_rtbtimer, d.d_rtbtimer_hi));
  v.add("d_rtbwarns", Value::uinteger(d.d_rtbwarns));
  return v;
}

// A quota file's inode, size in blocks and extents (fs_qfilestat and fs_qfilestatv alike).
template <typename Qfile>
Value qfile_value(const Qfile& f) {
  Value v = Value::structure();
  v.add("qfs_ino", Value::uinteger(f.qfs_ino));
  v.add("qfs_nblks", Value::uinteger(f.qfs_nblks));
  v.add("qfs_nextents", Value::uinteger(f.qfs_nextents));
  return v;
}

// Q_XGETQSTAT: what is accounted and enforced, the user and group quota files, the defaults.
Value decode_fs_quota_stat(const ArgContext& c) {
  struct fs_quota_stat s {};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("qs_version", Value::integer(s.qs_version));
  v.add("qs_flags", flags(kStateFlags, s.qs_flags));
  v.add("qs_uquota", qfile_value(s.qs_uquota));
  v.add("qs_gquota", qfile_value(s.qs_gquota));
  v.add("qs_incoredqs", Value::uinteger(s.qs_incoredqs));
  v.add("qs_btimelimit", Value::integer(s.qs_btimelimit));
  v.add("qs_itimelimit", Value::integer(s.qs_itimelimit));
  v.add("qs_rtbtimelimit", Value::integer(s.qs_rtbtimelimit));
  v.add("qs_bwarnlimit", Value::uinteger(s.qs_bwarnlimit));
  v.add("qs_iwarnlimit", Value::uinteger(s.qs_iwarnlimit));
  return v;
}

// Q_XGETQSTATV: the same with the project quota file; the caller sets qs_version, the kernel
// fills in the rest.
Value decode_fs_quota_statv(const ArgContext& c) {
  struct fs_quota_statv s {};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("qs_version", Value::integer(s.qs_version));
  v.add("qs_flags", flags(kStateFlags, s.qs_flags));
  v.add("qs_incoredqs", Value::uinteger(s.qs_incoredqs));
  v.add("qs_uquota", qfile_value(s.qs_uquota));
  v.add("qs_gquota", qfile_value(s.qs_gquota));
  v.add("qs_pquota", qfile_value(s.qs_pquota));
  v.add("qs_btimelimit", Value::integer(s.qs_btimelimit));
  v.add("qs_itimelimit", Value::integer(s.qs_itimelimit));
  v.add("qs_rtbtimelimit", Value::integer(s.qs_rtbtimelimit));
  v.add("qs_bwarnlimit", Value::uinteger(s.qs_bwarnlimit));
  v.add("qs_iwarnlimit", Value::uinteger(s.qs_iwarnlimit));
  v.add("qs_rtbwarnlimit", Value::uinteger(s.qs_rtbwarnlimit));
  return v;
}

// A u32 of flags, shown as [FLAGS] like strace shows an int behind a pointer.
Value u32_flags(const ArgContext& c, const FlagTable& t) {
  uint32_t f = 0;
  if (!read_struct(c.mem, c.raw, &f)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, flags(t, f));
  return v;
}

// Q_XQUOTAON and Q_XQUOTAOFF: what to start or stop accounting and enforcing.
Value decode_xfs_quota_flags(const ArgContext& c) {
  return u32_flags(c, kStateFlags);
}
// Q_XQUOTARM: the quota types whose files to free.
Value decode_xfs_quota_types(const ArgContext& c) {
  return u32_flags(c, kQuotaTypes);
}

constexpr Entry kQuota[] = {
    {"fs_disk_quota", sizeof(struct fs_disk_quota), decode_fs_disk_quota},
    {"fs_quota_stat", sizeof(struct fs_quota_stat), decode_fs_quota_stat},
    {"fs_quota_statv", sizeof(struct fs_quota_statv), decode_fs_quota_statv},
    {"xfs_quota_flags", sizeof(uint32_t), decode_xfs_quota_flags},
    {"xfs_quota_types", sizeof(uint32_t), decode_xfs_quota_types},
};

}  // namespace

List quota_structs() {
  return kQuota;
}

}  // namespace dtruss::structs
