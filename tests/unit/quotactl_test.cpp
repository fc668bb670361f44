// quotactl and quotactl_fd: addr by command for every quota type (the VFS quota structs, the
// XFS ones, format and flags), in and out; decoded from crafted bytes, and the capture plans that
// copy them.
#include <gtest/gtest.h>
#include <linux/dqblk_xfs.h>
#include <linux/quota.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

// QCMD(command, type) as the kernel receives it: an unsigned int.
constexpr uint64_t qcmd(uint32_t command, uint32_t type) {
  return (command << SUBCMDSHIFT) | (type & SUBCMDMASK);
}

fs_disk_quota sample_disk_quota() {
  fs_disk_quota d{};
  d.d_version = FS_DQUOT_VERSION;
  d.d_flags = FS_GROUP_QUOTA;
  d.d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD;
  d.d_id = 1000;
  d.d_blk_hardlimit = 2048;
  d.d_blk_softlimit = 1024;
  d.d_bcount = 16;
  d.d_icount = 3;
  d.d_btimer = 5;
  return d;
}

TEST(QuotactlXfs, DiskQuotaInAndOut) {
  const fs_disk_quota d = sample_disk_quota();
  auto set = make(SYS_quotactl, {qcmd(Q_XSETQLIM, GRPQUOTA), kPtr + 64, 1000, kPtr}, -ENOENT);
  capture(set, kPtr, d);
  EXPECT_EQ(arg(set, 0), "Q_XSETQLIM|GRPQUOTA");
  EXPECT_EQ(arg(set, 3),
            "{d_version=1, d_flags=FS_GROUP_QUOTA, d_fieldmask=FS_DQ_BSOFT|FS_DQ_BHARD, "
            "d_id=1000, d_blk_hardlimit=2048, d_blk_softlimit=1024, d_ino_hardlimit=0, "
            "d_ino_softlimit=0, d_bcount=16, d_icount=3, d_itimer=0, d_btimer=5, d_iwarns=0, "
            "d_bwarns=0, d_rtb_hardlimit=0, d_rtb_softlimit=0, d_rtbcount=0, d_rtbtimer=0, "
            "d_rtbwarns=0}");
  for (uint32_t cmd : {Q_XGETQUOTA, Q_XGETNEXTQUOTA}) {
    auto get = make(SYS_quotactl_fd, {3, qcmd(cmd, USRQUOTA), 1000, kPtr}, 0);
    capture(get, kPtr, d);
    EXPECT_NE(arg_json(get, 3).find("\"d_id\":1000"), std::string::npos) << arg_json(get, 3);
    // Failed: nothing written, the address.
    auto failed = make(SYS_quotactl_fd, {3, qcmd(cmd, USRQUOTA), 1000, kPtr}, -ESRCH);
    capture(failed, kPtr, d);
    EXPECT_EQ(arg(failed, 3), "0x7ffd1000");
  }
  // Timers past 2038: FS_DQ_BIGTIME adds the _hi bits.
  fs_disk_quota big = d;
  big.d_fieldmask = FS_DQ_BIGTIME;
  big.d_btimer = static_cast<int32_t>(0x80000000u);
  big.d_btimer_hi = 1;
  auto bigget = make(SYS_quotactl, {qcmd(Q_XGETQUOTA, PRJQUOTA), kPtr + 64, 7, kPtr}, 0);
  capture(bigget, kPtr, big);
  EXPECT_NE(arg(bigget, 3).find("d_btimer=6442450944,"), std::string::npos) << arg(bigget, 3);
  EXPECT_NE(arg(bigget, 3).find("d_fieldmask=FS_DQ_BIGTIME,"), std::string::npos);
  // Short: the address.
  auto shrt = make(SYS_quotactl, {qcmd(Q_XSETQLIM, USRQUOTA), kPtr + 64, 7, kPtr}, -ENOENT);
  std::array<uint8_t, 64> few{};
  capture(shrt, kPtr, few);
  EXPECT_EQ(arg(shrt, 3), "0x7ffd1000");
}

TEST(QuotactlXfs, QuotaStatAndStatv) {
  fs_quota_stat s{};
  s.qs_version = FS_QSTAT_VERSION;
  s.qs_flags = FS_QUOTA_UDQ_ACCT | FS_QUOTA_UDQ_ENFD;
  s.qs_uquota = {131, 8, 1};
  s.qs_gquota = {0, 0, 0};
  s.qs_incoredqs = 2;
  s.qs_btimelimit = 604800;
  s.qs_itimelimit = 604800;
  s.qs_bwarnlimit = 5;
  auto st = make(SYS_quotactl, {qcmd(Q_XGETQSTAT, USRQUOTA), kPtr + 64, 0, kPtr}, 0);
  capture(st, kPtr, s);
  EXPECT_EQ(arg(st, 3),
            "{qs_version=1, qs_flags=FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD, "
            "qs_uquota={qfs_ino=131, qfs_nblks=8, qfs_nextents=1}, "
            "qs_gquota={qfs_ino=0, qfs_nblks=0, qfs_nextents=0}, qs_incoredqs=2, "
            "qs_btimelimit=604800, qs_itimelimit=604800, qs_rtbtimelimit=0, qs_bwarnlimit=5, "
            "qs_iwarnlimit=0}");
  fs_quota_statv sv{};
  sv.qs_version = FS_QSTATV_VERSION1;
  sv.qs_flags = FS_QUOTA_PDQ_ACCT;
  sv.qs_pquota = {133, 1, 1, 0};
  sv.qs_rtbwarnlimit = 9;
  auto stv = make(SYS_quotactl_fd, {3, qcmd(Q_XGETQSTATV, PRJQUOTA), 0, kPtr}, 0);
  capture(stv, kPtr, sv);
  EXPECT_EQ(arg(stv, 1), "Q_XGETQSTATV|PRJQUOTA");
  const std::string j = arg_json(stv, 3);
  EXPECT_NE(j.find("\"qs_flags\":\"FS_QUOTA_PDQ_ACCT\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"qs_pquota\":{\"qfs_ino\":133,\"qfs_nblks\":1,\"qfs_nextents\":1}"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"qs_rtbwarnlimit\":9"), std::string::npos) << j;
  // In/out: a failed call shows the version asked for.
  fs_quota_statv asked{};
  asked.qs_version = FS_QSTATV_VERSION1;
  auto failed = make(SYS_quotactl_fd, {3, qcmd(Q_XGETQSTATV, USRQUOTA), 0, kPtr}, -ENOSYS);
  capture(failed, kPtr, asked);
  EXPECT_EQ(arg(failed, 3).rfind("{qs_version=1, qs_flags=0, qs_incoredqs=0,", 0), 0u)
      << arg(failed, 3);
  auto shrt = make(SYS_quotactl, {qcmd(Q_XGETQSTAT, USRQUOTA), kPtr + 64, 0, kPtr}, 0);
  capture(shrt, kPtr, sv.qs_uquota);
  EXPECT_EQ(arg(shrt, 3), "0x7ffd1000");
}

TEST(QuotactlXfs, FlagsNextQuotaAndSync) {
  const uint32_t on = FS_QUOTA_UDQ_ACCT | FS_QUOTA_UDQ_ENFD;
  for (uint32_t cmd : {Q_XQUOTAON, Q_XQUOTAOFF}) {
    auto ev = make(SYS_quotactl, {qcmd(cmd, USRQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
    capture(ev, kPtr, on);
    EXPECT_EQ(arg(ev, 3), "[FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD]") << cmd;
  }
  const uint32_t types = FS_USER_QUOTA | FS_GROUP_QUOTA;
  auto rm = make(SYS_quotactl, {qcmd(Q_XQUOTARM, USRQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
  capture(rm, kPtr, types);
  EXPECT_EQ(arg(rm, 0), "Q_XQUOTARM");
  EXPECT_EQ(arg(rm, 3), "[FS_USER_QUOTA|FS_GROUP_QUOTA]");
  EXPECT_EQ(arg_json(rm, 3), "[\"FS_USER_QUOTA|FS_GROUP_QUOTA\"]");
  auto none = make(SYS_quotactl, {qcmd(Q_XQUOTARM, USRQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
  EXPECT_EQ(arg(none, 3), "0x7ffd1000");

  if_nextdqblk n{};
  n.dqb_bhardlimit = 100;
  n.dqb_curspace = 4096;
  n.dqb_valid = QIF_ALL;
  n.dqb_id = 1001;
  auto next = make(SYS_quotactl, {qcmd(Q_GETNEXTQUOTA, GRPQUOTA), kPtr + 64, 1000, kPtr}, 0);
  capture(next, kPtr, n);
  EXPECT_EQ(arg(next, 0), "Q_GETNEXTQUOTA|GRPQUOTA");
  EXPECT_EQ(arg(next, 3),
            "{dqb_bhardlimit=100, dqb_bsoftlimit=0, dqb_curspace=4096, dqb_ihardlimit=0, "
            "dqb_isoftlimit=0, dqb_curinodes=0, dqb_btime=0, dqb_itime=0, dqb_valid=QIF_ALL, "
            "dqb_id=1001}");
  auto sync = make(SYS_quotactl, {qcmd(Q_XQUOTASYNC, USRQUOTA), kPtr + 64, 0, 0}, 0);
  EXPECT_EQ(arg(sync, 0), "Q_XQUOTASYNC");
  EXPECT_EQ(arg(sync, 3), "NULL");
}

TEST(QuotactlAddr, ByCommandForAnyType) {
  if_dqblk q{};
  q.dqb_bhardlimit = 1000;
  q.dqb_bsoftlimit = 800;
  q.dqb_curspace = 4096;
  q.dqb_ihardlimit = 50;
  q.dqb_isoftlimit = 40;
  q.dqb_curinodes = 3;
  q.dqb_valid = QIF_LIMITS;
  auto set = make(SYS_quotactl, {qcmd(Q_SETQUOTA, GRPQUOTA), kPtr + 64, 1000, kPtr}, -ENOENT);
  capture(set, kPtr, q);
  EXPECT_EQ(arg(set, 0), "Q_SETQUOTA|GRPQUOTA");
  EXPECT_EQ(arg(set, 3),
            "{dqb_bhardlimit=1000, dqb_bsoftlimit=800, dqb_curspace=4096, dqb_ihardlimit=50, "
            "dqb_isoftlimit=40, dqb_curinodes=3, dqb_btime=0, dqb_itime=0, "
            "dqb_valid=QIF_LIMITS}");
  q.dqb_valid = QIF_ALL;
  auto get = make(SYS_quotactl_fd, {3, qcmd(Q_GETQUOTA, USRQUOTA), 0, kPtr}, 0);
  capture(get, kPtr, q);
  EXPECT_EQ(arg(get, 1), "Q_GETQUOTA");
  EXPECT_NE(arg_json(get, 3).find("\"dqb_valid\":\"QIF_ALL\""), std::string::npos)
      << arg_json(get, 3);
  if_dqinfo info{};
  info.dqi_bgrace = 604800;
  info.dqi_igrace = 86400;
  info.dqi_flags = DQF_SYS_FILE;
  info.dqi_valid = IIF_BGRACE | IIF_IGRACE;
  auto setinfo = make(SYS_quotactl, {qcmd(Q_SETINFO, PRJQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
  capture(setinfo, kPtr, info);
  EXPECT_EQ(arg(setinfo, 3),
            "{dqi_bgrace=604800, dqi_igrace=86400, dqi_flags=DQF_SYS_FILE, "
            "dqi_valid=IIF_BGRACE|IIF_IGRACE}");
  const uint32_t fmt = QFMT_VFS_V1;
  auto getfmt = make(SYS_quotactl, {qcmd(Q_GETFMT, USRQUOTA), kPtr + 64, 0, kPtr}, 0);
  capture(getfmt, kPtr, fmt);
  EXPECT_EQ(arg(getfmt, 3), "[QFMT_VFS_V1]");
  auto on = make(SYS_quotactl, {qcmd(Q_QUOTAON, USRQUOTA), kPtr + 64, QFMT_VFS_V0, kPtr}, -1);
  const char file[] = "/aquota.user";
  capture(on, kPtr, file);
  EXPECT_EQ(arg(on, 3), "\"/aquota.user\"");
  // Q_SYNC's addr is unused.
  auto sync = make(SYS_quotactl, {qcmd(Q_SYNC, USRQUOTA), 0, 0, 0x1234}, 0);
  EXPECT_EQ(arg(sync, 3), "0x1234");
}

// ---------------------------------------------------------------------------------------------
// capture plans

class QuotactlPlans : public CapturePlansTest {};

TEST_F(QuotactlPlans, QuotactlByCommandForEachType) {
  for (uint32_t type : {USRQUOTA, GRPQUOTA, PRJQUOTA}) {
    uint64_t args[6] = {qcmd(Q_GETQUOTA, type), kPtr, 0, kPtr};
    const CaptureStep* get = step_of(test_plans().of(SYS_quotactl, args), 3, true);
    ASSERT_NE(get, nullptr) << type;
    EXPECT_EQ(get->max, sizeof(if_dqblk));
    EXPECT_NE(step_of(test_plans().of(SYS_quotactl, args), 1, false), nullptr) << "special";
    uint64_t fd_args[6] = {3, qcmd(Q_SETINFO, type), 0, kPtr};
    const CaptureStep* set = step_of(test_plans().of(SYS_quotactl_fd, fd_args), 3, false);
    ASSERT_NE(set, nullptr) << type;
    EXPECT_EQ(set->max, sizeof(if_dqinfo));
  }
}

TEST_F(QuotactlPlans, QuotactlXfsForEachType) {
  for (uint32_t type : {USRQUOTA, GRPQUOTA, PRJQUOTA}) {
    uint64_t args[6] = {qcmd(Q_XSETQLIM, type), kPtr + 64, 0, kPtr};
    const CaptureStep* set = step_of(test_plans().of(SYS_quotactl, args), 3, false);
    ASSERT_NE(set, nullptr) << type;
    EXPECT_EQ(set->max, sizeof(fs_disk_quota));
    uint64_t fd_args[6] = {3, qcmd(Q_XGETQSTATV, type), 0, kPtr};
    const CaptureStep* statv = step_of(test_plans().of(SYS_quotactl_fd, fd_args), 3, true);
    ASSERT_NE(statv, nullptr) << type;
    EXPECT_EQ(statv->max, sizeof(fs_quota_statv));
    fd_args[1] = qcmd(Q_GETNEXTQUOTA, type);
    const CaptureStep* next = step_of(test_plans().of(SYS_quotactl_fd, fd_args), 3, true);
    ASSERT_NE(next, nullptr) << type;
    EXPECT_EQ(next->max, sizeof(if_nextdqblk));
    fd_args[1] = qcmd(Q_XQUOTARM, type);
    const CaptureStep* rm = step_of(test_plans().of(SYS_quotactl_fd, fd_args), 3, false);
    ASSERT_NE(rm, nullptr) << type;
    EXPECT_EQ(rm->max, sizeof(uint32_t));
  }
}

}  // namespace
}  // namespace dtruss::unit
