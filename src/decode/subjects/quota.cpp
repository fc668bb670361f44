// quotactl: commands and the quota structs (if_dqblk, if_dqinfo, XFS's fs_disk_quota ...).

#include <sys/xattr.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/dqblk_xfs.h>
#include <linux/quota.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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
constexpr FlagName kQuotactlTypes[] = {F(GRPQUOTA), F(PRJQUOTA)};
constexpr FlagTable kQuotactlCmd =
    mixed_table("quotactl_cmd", ~uint64_t{SUBCMDMASK}, kQuotaCmds, kQuotactlTypes);

static_assert(sizeof(struct if_dqblk) == 72);
static_assert(sizeof(struct if_nextdqblk) == 72);
static_assert(sizeof(struct if_dqinfo) == 24);

// <linux/quota.h>: which fields of an if_dqblk / if_dqinfo are valid, the quota-file flags and
// the quota formats. The groups come before their bits.
constexpr FlagName kQifBits[] = {
    F(QIF_ALL),   F(QIF_LIMITS),  F(QIF_USAGE),  F(QIF_TIMES), F(QIF_BLIMITS),
    F(QIF_SPACE), F(QIF_ILIMITS), F(QIF_INODES), F(QIF_BTIME), F(QIF_ITIME),
};
constexpr FlagTable kQifValid = tables::bits_table("qif_valid", kQifBits);
constexpr FlagName kIifBits[] = {F(IIF_ALL), F(IIF_BGRACE), F(IIF_IGRACE), F(IIF_FLAGS)};
constexpr FlagTable kIifValid = tables::bits_table("iif_valid", kIifBits);
constexpr FlagName kDqfBits[] = {F(DQF_ROOT_SQUASH), F(DQF_SYS_FILE)};
constexpr FlagTable kDqfFlags = tables::bits_table("dqf_flags", kDqfBits);
constexpr FlagName kQuotaFormats[] = {F(QFMT_VFS_OLD), F(QFMT_VFS_V0), F(QFMT_OCFS2),
                                      F(QFMT_VFS_V1)};
constexpr FlagTable kQuotaFormat = tables::enum_table("quota_format", kQuotaFormats);

// The limits and usage of an if_dqblk, and of an if_nextdqblk (the same fields, and the id).
template <typename Dqblk>
Value dqblk_value(const Dqblk& q) {
  Value v = Value::structure();
  FIELD(v, q, dqb_bhardlimit, Value::uinteger);
  FIELD(v, q, dqb_bsoftlimit, Value::uinteger);
  FIELD(v, q, dqb_curspace, Value::uinteger);
  FIELD(v, q, dqb_ihardlimit, Value::uinteger);
  FIELD(v, q, dqb_isoftlimit, Value::uinteger);
  FIELD(v, q, dqb_curinodes, Value::uinteger);
  FIELD(v, q, dqb_btime, Value::uinteger);
  FIELD(v, q, dqb_itime, Value::uinteger);
  v.add("dqb_valid", flags(kQifValid, q.dqb_valid));
  return v;
}

// Q_GETQUOTA and Q_SETQUOTA's limits and usage.
Value decode_if_dqblk(const ArgContext& c) {
  struct if_dqblk q {};
  if (!read_struct(c.mem, c.raw, &q)) return Value::unreadable(c.raw);
  return dqblk_value(q);
}

// Q_GETNEXTQUOTA: the quota of the first id at or above the one asked for, and that id.
Value decode_if_nextdqblk(const ArgContext& c) {
  struct if_nextdqblk q {};
  if (!read_struct(c.mem, c.raw, &q)) return Value::unreadable(c.raw);
  Value v = dqblk_value(q);
  FIELD(v, q, dqb_id, Value::uinteger);
  return v;
}

// Q_GETINFO and Q_SETINFO's grace times and flags.
Value decode_if_dqinfo(const ArgContext& c) {
  struct if_dqinfo q {};
  if (!read_struct(c.mem, c.raw, &q)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, q, dqi_bgrace, Value::uinteger);
  FIELD(v, q, dqi_igrace, Value::uinteger);
  v.add("dqi_flags", flags(kDqfFlags, q.dqi_flags));
  v.add("dqi_valid", flags(kIifValid, q.dqi_valid));
  return v;
}

// Q_GETFMT's u32: [QFMT_VFS_V1].
Value decode_quota_format(const ArgContext& c) {
  uint32_t f = 0;
  if (!read_struct(c.mem, c.raw, &f)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, enum_or_number(kQuotaFormat, f));
  return v;
}

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
  FIELD(v, d, d_version, Value::integer);
  v.add("d_flags", flags(kQuotaTypes, static_cast<uint8_t>(d.d_flags)));
  v.add("d_fieldmask", flags(kFieldMask, d.d_fieldmask));
  FIELD(v, d, d_id, Value::uinteger);
  FIELD(v, d, d_blk_hardlimit, Value::uinteger);
  FIELD(v, d, d_blk_softlimit, Value::uinteger);
  FIELD(v, d, d_ino_hardlimit, Value::uinteger);
  FIELD(v, d, d_ino_softlimit, Value::uinteger);
  FIELD(v, d, d_bcount, Value::uinteger);
  FIELD(v, d, d_icount, Value::uinteger);
  v.add("d_itimer", timer_value(d, d.d_itimer, d.d_itimer_hi));
  v.add("d_btimer", timer_value(d, d.d_btimer, d.d_btimer_hi));
  FIELD(v, d, d_iwarns, Value::uinteger);
  FIELD(v, d, d_bwarns, Value::uinteger);
  FIELD(v, d, d_rtb_hardlimit, Value::uinteger);
  FIELD(v, d, d_rtb_softlimit, Value::uinteger);
  FIELD(v, d, d_rtbcount, Value::uinteger);
  v.add("d_rtbtimer", timer_value(d, d.d_rtbtimer, d.d_rtbtimer_hi));
  FIELD(v, d, d_rtbwarns, Value::uinteger);
  return v;
}

// A quota file's inode, size in blocks and extents (fs_qfilestat and fs_qfilestatv alike).
template <typename Qfile>
Value qfile_value(const Qfile& f) {
  Value v = Value::structure();
  FIELD(v, f, qfs_ino, Value::uinteger);
  FIELD(v, f, qfs_nblks, Value::uinteger);
  FIELD(v, f, qfs_nextents, Value::uinteger);
  return v;
}

// Q_XGETQSTAT: what is accounted and enforced, the user and group quota files, the defaults.
Value decode_fs_quota_stat(const ArgContext& c) {
  struct fs_quota_stat s {};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, s, qs_version, Value::integer);
  v.add("qs_flags", flags(kStateFlags, s.qs_flags));
  FIELD(v, s, qs_uquota, qfile_value);
  FIELD(v, s, qs_gquota, qfile_value);
  FIELD(v, s, qs_incoredqs, Value::uinteger);
  FIELD(v, s, qs_btimelimit, Value::integer);
  FIELD(v, s, qs_itimelimit, Value::integer);
  FIELD(v, s, qs_rtbtimelimit, Value::integer);
  FIELD(v, s, qs_bwarnlimit, Value::uinteger);
  FIELD(v, s, qs_iwarnlimit, Value::uinteger);
  return v;
}

// Q_XGETQSTATV: the same with the project quota file; the caller sets qs_version, the kernel
// fills in the rest.
Value decode_fs_quota_statv(const ArgContext& c) {
  struct fs_quota_statv s {};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, s, qs_version, Value::integer);
  v.add("qs_flags", flags(kStateFlags, s.qs_flags));
  FIELD(v, s, qs_incoredqs, Value::uinteger);
  FIELD(v, s, qs_uquota, qfile_value);
  FIELD(v, s, qs_gquota, qfile_value);
  FIELD(v, s, qs_pquota, qfile_value);
  FIELD(v, s, qs_btimelimit, Value::integer);
  FIELD(v, s, qs_itimelimit, Value::integer);
  FIELD(v, s, qs_rtbtimelimit, Value::integer);
  FIELD(v, s, qs_bwarnlimit, Value::uinteger);
  FIELD(v, s, qs_iwarnlimit, Value::uinteger);
  FIELD(v, s, qs_rtbwarnlimit, Value::uinteger);
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

constexpr Entry kStructs[] = {
    {"if_dqblk", sizeof(struct if_dqblk), decode_if_dqblk},
    {"if_nextdqblk", sizeof(struct if_nextdqblk), decode_if_nextdqblk},
    {"if_dqinfo", sizeof(struct if_dqinfo), decode_if_dqinfo},
    {"quota_format", sizeof(uint32_t), decode_quota_format},
    {"fs_disk_quota", sizeof(struct fs_disk_quota), decode_fs_disk_quota},
    {"fs_quota_stat", sizeof(struct fs_quota_stat), decode_fs_quota_stat},
    {"fs_quota_statv", sizeof(struct fs_quota_statv), decode_fs_quota_statv},
    {"xfs_quota_flags", sizeof(uint32_t), decode_xfs_quota_flags},
    {"xfs_quota_types", sizeof(uint32_t), decode_xfs_quota_types},
};

constexpr const FlagTable* kTables[] = {&kQuotactlCmd, &kQifValid,   &kIifValid,  &kDqfFlags,
                                        &kQuotaFormat, &kQuotaTypes, &kFieldMask, &kStateFlags};

using K = ArgKind;

// quotactl and quotactl_fd's addr, by cmd (QCMD(command, type): the command chooses, for any
// quota type): the quota file's path, its format, its information, a quota, the next quota; the
// XFS commands' quota (struct fs_disk_quota), state (fs_quota_stat, and fs_quota_statv whose
// version the caller sets: in/out) and flags (<linux/dqblk_xfs.h>). Q_SYNC and Q_XQUOTASYNC take
// no addr.
constexpr uint32_t kQuotaCommand = ~uint32_t{SUBCMDMASK};
constexpr uint32_t kQuotaTypeMask = SUBCMDMASK & (USRQUOTA | GRPQUOTA | PRJQUOTA);
constexpr ArgChoice kQuotactlAddrByCmd[] = {
    {qcmd(Q_QUOTAON), K::Path, TableId::none},
    struct_choice(qcmd(Q_GETFMT), "quota_format", Dir::Out),
    struct_choice(qcmd(Q_GETINFO), "if_dqinfo", Dir::Out),
    struct_choice(qcmd(Q_SETINFO), "if_dqinfo", Dir::In),
    struct_choice(qcmd(Q_GETQUOTA), "if_dqblk", Dir::Out),
    struct_choice(qcmd(Q_SETQUOTA), "if_dqblk", Dir::In),
    struct_choice(qcmd(Q_GETNEXTQUOTA), "if_nextdqblk", Dir::Out),
    struct_choice(qcmd(Q_XQUOTAON), "xfs_quota_flags", Dir::In),
    struct_choice(qcmd(Q_XQUOTAOFF), "xfs_quota_flags", Dir::In),
    struct_choice(qcmd(Q_XGETQUOTA), "fs_disk_quota", Dir::Out),
    struct_choice(qcmd(Q_XSETQLIM), "fs_disk_quota", Dir::In),
    struct_choice(qcmd(Q_XGETQSTAT), "fs_quota_stat", Dir::Out),
    struct_choice(qcmd(Q_XQUOTARM), "xfs_quota_types", Dir::In),
    struct_choice(qcmd(Q_XGETQSTATV), "fs_quota_statv", Dir::InOut),
    struct_choice(qcmd(Q_XGETNEXTQUOTA), "fs_disk_quota", Dir::Out),
};
constexpr ChoiceTable kQuotactlAddr{"quotactl_addr", kQuotactlAddrByCmd, K::Hex, kQuotaCommand,
                                    kQuotaTypeMask};

constexpr const ChoiceTable* kChoices[] = {&kQuotactlAddr};

}  // namespace

Subject subject_quota() {
  return {"quota", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
