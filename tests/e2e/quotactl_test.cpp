// quotactl and quotactl_fd on a real traced program and on both backends: addr by command, the
// VFS quota structs (tests/fixtures/selected_ptrs.c) and the XFS ones (selected_structs.c), in and
// out. The eBPF backend decodes only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void check_vfs_quotas(const std::vector<json>& all) {
  auto setq = only_call(all, "quotactl", "cmd", "Q_SETQUOTA|GRPQUOTA");
  EXPECT_EQ(setq["errno"], "ENOENT");
  EXPECT_EQ(setq["args"]["special"], "/nonexistent-dtruss");
  EXPECT_EQ(setq["args"]["addr"],
            json::parse(R"({"dqb_bhardlimit":1000,"dqb_bsoftlimit":800,"dqb_curspace":0,
                            "dqb_ihardlimit":50,"dqb_isoftlimit":40,"dqb_curinodes":0,
                            "dqb_btime":0,"dqb_itime":0,"dqb_valid":"QIF_LIMITS"})"));
  auto getinfo = only_call(all, "quotactl", "cmd", "Q_GETINFO");
  EXPECT_EQ(getinfo["errno"], "ENOENT");
  EXPECT_TRUE(is_address(getinfo["args"]["addr"])) << "a failed call wrote nothing";
}

void check_quotas(const std::vector<json>& all) {
  const json setq = only_call(all, "quotactl", "cmd", "Q_XSETQLIM|GRPQUOTA");
  EXPECT_EQ(setq["errno"], "ENOENT");
  const json d = setq["args"]["addr"];
  ASSERT_TRUE(d.is_object()) << setq;
  EXPECT_EQ(d["d_version"], 1);
  EXPECT_EQ(d["d_flags"], "FS_GROUP_QUOTA");
  EXPECT_EQ(d["d_fieldmask"], "FS_DQ_BSOFT|FS_DQ_BHARD");
  EXPECT_EQ(d["d_id"], 1000);
  EXPECT_EQ(d["d_blk_hardlimit"], 2048);
  EXPECT_EQ(d["d_blk_softlimit"], 1024);
  EXPECT_EQ(only_call(all, "quotactl", "cmd", "Q_XQUOTAON")["args"]["addr"],
            json::parse(R"(["FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD"])"));
  EXPECT_EQ(only_call(all, "quotactl", "cmd", "Q_XQUOTARM|PRJQUOTA")["args"]["addr"],
            json::parse(R"(["FS_USER_QUOTA|FS_GROUP_QUOTA"])"));
  const json next = only_call(all, "quotactl", "cmd", "Q_GETNEXTQUOTA");
  EXPECT_EQ(next["errno"], "ENOENT");
  EXPECT_TRUE(is_address(next["args"]["addr"])) << "a failed call wrote nothing";
  const json statv = only_call(all, "quotactl", "cmd", "Q_XGETQSTATV");
  EXPECT_EQ(statv["errno"], "ENOENT");
  EXPECT_EQ(statv["args"]["addr"]["qs_version"], 1) << "in/out: the version asked for";
  // The root file system's quota state: decoded when the call succeeded, else the address.
  const json stat = only_call(all, "quotactl_fd", "cmd", "Q_XGETQSTAT");
  if (stat["errno"].is_null()) {
    EXPECT_EQ(stat["args"]["addr"]["qs_version"], 1) << stat;
    EXPECT_TRUE(stat["args"]["addr"]["qs_uquota"].is_object()) << stat;
  } else {
    EXPECT_TRUE(is_address(stat["args"]["addr"])) << stat;
  }
}

class Quotactl : public BackendTest {};

TEST_P(Quotactl, VfsQuotas) {
  const auto all = fixture_calls(GetParam(), "selected_ptrs");
  check_vfs_quotas(all);
}

TEST_P(Quotactl, XfsQuotas) {
  const auto all = fixture_calls(GetParam(), "selected_structs");
  check_quotas(all);
}

INSTANTIATE_BACKENDS(Quotactl);

}  // namespace
}  // namespace e2e
