// Capture plans as a whole: the plans selected by an argument keep the syscall's own steps, the
// lengths computed at the call (getsockopt's *optlen, mincore's pages, ustat's struct), and all
// selected plans fit the eBPF backend's map.
#include <gtest/gtest.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

class CapturePlans : public CapturePlansTest {};

TEST_F(CapturePlans, SelectedPlansKeepTheSyscallsOwnSteps) {
  // fsconfig's key (a string) is copied whatever the cmd; its value as the cmd says.
  uint64_t args[6] = {3, FSCONFIG_SET_BINARY, 0x5000, kPtr, 16};
  const CapturePlan& bin = test_plans().of(SYS_fsconfig, args);
  ASSERT_NE(step_of(bin, 2, false), nullptr);
  const CaptureStep* v = step_of(bin, 3, false);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->shape, CaptureShape::Bytes);
  EXPECT_EQ(v->len, 4);  // aux
  args[1] = FSCONFIG_SET_PATH;
  v = step_of(test_plans().of(SYS_fsconfig, args), 3, false);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->shape, CaptureShape::CString);
  args[1] = FSCONFIG_SET_FD;
  EXPECT_EQ(step_of(test_plans().of(SYS_fsconfig, args), 3, false), nullptr);
  EXPECT_NE(step_of(test_plans().of(SYS_fsconfig, args), 2, false), nullptr);
  // seccomp and landlock: the struct of the op or rule type.
  uint64_t sargs[6] = {SECCOMP_GET_NOTIF_SIZES, 0, kPtr};
  const CaptureStep* n = step_of(test_plans().of(SYS_seccomp, sargs), 2, true);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->max, sizeof(seccomp_notif_sizes));
  uint64_t largs[6] = {3, LANDLOCK_RULE_PATH_BENEATH, kPtr, 0};
  const CaptureStep* l = step_of(test_plans().of(SYS_landlock_add_rule, largs), 2, false);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->max, sizeof(landlock_path_beneath_attr));
}

TEST_F(CapturePlans, ComputedLengths) {
  // getsockopt: *optlen bytes after the call, capped; mincore: a byte per page of len.
  const CaptureStep* g = step_of(test_plans().of(SYS_getsockopt), 3, true);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->len, len_at(4));
  EXPECT_EQ(g->elem, 0);
  EXPECT_EQ(g->max, 4096u);
  const CaptureStep* m = step_of(test_plans().of(SYS_mincore), 2, true);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->len, len_pages(1));
  EXPECT_EQ(m->elem, 1);
  const CaptureStep* u = step_of(test_plans().of(SYS_ustat), 1, true);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->max, 32u);
}

TEST_F(CapturePlans, FitTheEbpfMap) {
  // The eBPF backend's sel_plans map holds 512 plans (DT_SEL_PLANS).
  size_t total = 0;
  for (long nr = 0; nr < 512; ++nr) total += test_plans().selected(nr).size();
  EXPECT_LE(total, 512u);
}

}  // namespace
}  // namespace dtruss::unit
