// A process's control calls: prctl's strings and results by option, reboot's RESTART2 string,
// modify_ldt's ptr by func, clone's parent_tidptr by its flags; decoded from crafted bytes, and
// the capture plans that copy them.
#include <asm/ldt.h>
#include <gtest/gtest.h>
#include <linux/prctl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <sys/syscall.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

// ---------------------------------------------------------------------------------------------
// prctl

TEST(PrctlArg, NameInAndOut) {
  auto set = make(SYS_prctl, {PR_SET_NAME, kPtr, 0, 0, 0}, 0);
  const char name[] = "worker-7";
  capture(set, kPtr, name);
  EXPECT_EQ(arg(set, 1), "\"worker-7\"");
  EXPECT_EQ(arg_json(set, 1), "\"worker-7\"");
  // PR_GET_NAME writes 16 bytes, NUL-terminated; garbage after the NUL is not shown.
  char comm[16];
  std::memset(comm, 'x', sizeof comm);
  std::memcpy(comm, "python3", 8);
  auto get = make(SYS_prctl, {PR_GET_NAME, kPtr, 0, 0, 0}, 0);
  capture(get, kPtr, comm);
  EXPECT_EQ(arg(get, 1), "\"python3\"");
  // A full 16-byte name without a NUL (the kernel always writes one; crafted bytes may not).
  std::memset(comm, 'a', sizeof comm);
  auto full = make(SYS_prctl, {PR_GET_NAME, kPtr, 0, 0, 0}, 0);
  capture(full, kPtr, comm);
  EXPECT_EQ(arg(full, 1), "\"aaaaaaaaaaaaaaaa\"");
  auto failed = make(SYS_prctl, {PR_GET_NAME, kPtr, 0, 0, 0}, -EFAULT);
  EXPECT_EQ(arg(failed, 1), "0x7ffd1000");
}

TEST(PrctlArg, IntResults) {
  int32_t sig = SIGTERM;
  auto pd = make(SYS_prctl, {PR_GET_PDEATHSIG, kPtr, 0, 0, 0}, 0);
  capture(pd, kPtr, sig);
  EXPECT_EQ(arg(pd, 1), "[SIGTERM]");
  EXPECT_EQ(arg_json(pd, 1), "[\"SIGTERM\"]");
  int32_t none = 0;
  auto pd0 = make(SYS_prctl, {PR_GET_PDEATHSIG, kPtr, 0, 0, 0}, 0);
  capture(pd0, kPtr, none);
  EXPECT_EQ(arg(pd0, 1), "[0]");
  int32_t one = 1;
  auto sr = make(SYS_prctl, {PR_GET_CHILD_SUBREAPER, kPtr, 0, 0, 0}, 0);
  capture(sr, kPtr, one);
  EXPECT_EQ(arg(sr, 1), "[1]");
  uint64_t tid_addr = 0x7f0012345990;
  auto ta = make(SYS_prctl, {PR_GET_TID_ADDRESS, kPtr, 0, 0, 0}, 0);
  capture(ta, kPtr, tid_addr);
  EXPECT_EQ(arg(ta, 1), "[0x7f0012345990]");
  // Options that set a value are unchanged.
  auto spd = make(SYS_prctl, {PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0}, 0);
  EXPECT_EQ(arg(spd, 1), "SIGKILL");
}

TEST(PrctlArg, VmaAnonNameAndSetMm) {
  auto ev = make(SYS_prctl, {PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f0000000000, 8192, kPtr}, 0);
  const char name[] = "jit-code";
  capture(ev, kPtr, name);
  EXPECT_EQ(arg(ev, 1), "PR_SET_VMA_ANON_NAME");
  EXPECT_EQ(arg(ev, 2), "0x7f0000000000");
  EXPECT_EQ(arg(ev, 3), "8192");
  EXPECT_EQ(arg(ev, 4), "\"jit-code\"");
  // A NULL name clears it.
  auto clear = make(SYS_prctl, {PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f0000000000, 8192, 0}, 0);
  EXPECT_EQ(arg(clear, 4), "NULL");
  auto mm = make(SYS_prctl, {PR_SET_MM, PR_SET_MM_ARG_START, 0x7ffc0000, 0, 0}, -EPERM);
  EXPECT_EQ(arg(mm, 1), "PR_SET_MM_ARG_START");
  EXPECT_EQ(arg(mm, 2), "0x7ffc0000");
  // Other options leave arg4 and arg5 in hex.
  auto other = make(SYS_prctl, {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0x10}, 0);
  EXPECT_EQ(arg(other, 4), "0x10");
}

// ---------------------------------------------------------------------------------------------
// reboot, modify_ldt

TEST(RebootArg, Restart2String) {
  auto ev =
      make(SYS_reboot, {LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART2, kPtr},
           -EPERM);
  const char cmd[] = "recovery";
  capture(ev, kPtr, cmd);
  EXPECT_EQ(arg(ev, 3), "\"recovery\"");
  auto other = make(
      SYS_reboot, {LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, 0}, -EPERM);
  EXPECT_EQ(arg(other, 3), "NULL");
}

TEST(ModifyLdtPtr, ByFunc) {
  struct user_desc d {};
  d.entry_number = 1;
  d.base_addr = 0x1000;
  d.limit = 0xfff;
  d.seg_32bit = 1;
  auto wr = make(SYS_modify_ldt, {1, kPtr, sizeof d}, 0);
  capture(wr, kPtr, d);
  EXPECT_EQ(arg(wr, 1),
            "{entry_number=1, base_addr=0x1000, limit=0xfff, seg_32bit=1, contents=0, "
            "read_exec_only=0, limit_in_pages=0, seg_not_present=0, useable=0}");
  // func 0 reads ret bytes of the LDT.
  const std::array<uint8_t, 4> ldt{0xff, 0x0f, 0, 0};
  auto rd = make(SYS_modify_ldt, {0, kPtr, 64}, 4);
  capture(rd, kPtr, ldt);
  EXPECT_EQ(arg(rd, 1), "\"\\xff\\x0f\\x00\\x00\"");
  auto empty = make(SYS_modify_ldt, {0, kPtr, 64}, 0);
  EXPECT_EQ(arg(empty, 1), "\"\"");
}

// ---------------------------------------------------------------------------------------------
// clone

TEST(CloneParentTid, ByFlags) {
  const int32_t tid = 4321;
  const uint64_t settid = CLONE_PARENT_SETTID | SIGCHLD;
  auto ev = make(SYS_clone, {settid, 0, kPtr, 0, 0}, 4321);
  capture(ev, kPtr, tid);
  EXPECT_EQ(arg(ev, 0), "CLONE_PARENT_SETTID|SIGCHLD");
  EXPECT_EQ(arg(ev, 2), "[4321]");
  EXPECT_EQ(arg_json(ev, 2), "[4321]");
  const int32_t pidfd = 5;
  auto pfd = make(SYS_clone, {CLONE_PIDFD | SIGCHLD, 0, kPtr, 0, 0}, 4322);
  capture(pfd, kPtr, pidfd);
  EXPECT_EQ(arg(pfd, 2), "[5]");
  // Whatever the other flags (a thread's).
  auto thread = make(SYS_clone,
                     {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                          CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                      0x7f0000100000, kPtr, kPtr + 8, 0x7f0000200000},
                     4323);
  capture(thread, kPtr, tid);
  EXPECT_EQ(arg(thread, 2), "[4321]");
  // Without either flag the pointer is unused: hex, even when something was copied there.
  auto plain = make(SYS_clone, {SIGCHLD, 0, kPtr, 0, 0}, 4324);
  capture(plain, kPtr, tid);
  EXPECT_EQ(arg(plain, 2), "0x7ffd1000");
  // Failed, or not readable: the address.
  auto failed = make(SYS_clone, {settid, 0, kPtr, 0, 0}, -EAGAIN);
  capture(failed, kPtr, tid);
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
  auto none = make(SYS_clone, {settid, 0, kPtr, 0, 0}, 4325);
  EXPECT_EQ(arg(none, 2), "0x7ffd1000");
  // Both together (the kernel says EINVAL): no choice, hex.
  auto both = make(SYS_clone, {CLONE_PIDFD | CLONE_PARENT_SETTID, 0, kPtr, 0, 0}, -EINVAL);
  EXPECT_EQ(arg(both, 2), "0x7ffd1000");
}

// ---------------------------------------------------------------------------------------------
// capture plans

class ProcessControlPlans : public CapturePlansTest {};

TEST_F(ProcessControlPlans, PrctlTwoArgumentsBySameOption) {
  uint64_t args[6] = {PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f0000000000, 4096, kPtr};
  const CapturePlan& vma = test_plans().of(SYS_prctl, args);
  const CaptureStep* name = step_of(vma, 4, false);
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->shape, CaptureShape::CString);
  args[0] = PR_SET_NAME;
  const CaptureStep* set = step_of(test_plans().of(SYS_prctl, args), 1, false);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->shape, CaptureShape::CString);
  EXPECT_EQ(step_of(test_plans().of(SYS_prctl, args), 4, false), nullptr);
  args[0] = PR_GET_NAME;
  const CaptureStep* get = step_of(test_plans().of(SYS_prctl, args), 1, true);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->max, 16u);
}

TEST_F(ProcessControlPlans, CloneParentTidCopiedWhateverTheFlags) {
  // One step in clone's own plan (after the call, 4 bytes), no plan per value of the flags.
  EXPECT_EQ(test_plans().selector(SYS_clone), -1);
  EXPECT_TRUE(test_plans().selected(SYS_clone).empty());
  for (uint64_t flags : {uint64_t{SIGCHLD}, uint64_t{CLONE_PARENT_SETTID | SIGCHLD},
                         uint64_t{CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_PARENT_SETTID},
                         uint64_t{CLONE_PIDFD | SIGCHLD}}) {
    uint64_t args[6] = {flags, 0, kPtr, 0, 0};
    const CaptureStep* s = step_of(test_plans().of(SYS_clone, args), 2, true);
    ASSERT_NE(s, nullptr) << flags;
    EXPECT_EQ(s->max, sizeof(int32_t));
    EXPECT_EQ(s->len, kNoLen);
  }
}

}  // namespace
}  // namespace dtruss::unit
