// Pointer arguments whose type another argument selects (second round): fcntl's struct flock and
// f_owner_ex by cmd, prctl's strings and results by option, io_uring_register's arrays by
// opcode, io_uring_enter's argp by flags, reboot's RESTART2 string, modify_ldt's ptr by func,
// quotactl's addr by command;
// decoded from crafted bytes, and the capture plans that copy them.
#include <asm/ldt.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/io_uring.h>
#include <linux/prctl.h>
#include <linux/quota.h>
#include <linux/reboot.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "decode/choices.h"
#include "decode/structs.h"
#include "decode_support.h"
#include "syscalls/capture.h"

namespace dtruss {
namespace {

using unit::arg;
using unit::arg_json;
using unit::capture;
using unit::make;
using unit::step_of;

constexpr uint64_t kPtr = 0x7ffd1000;

struct flock sample_flock(short type, short whence, off_t start, off_t len, pid_t pid) {
  struct flock f {};
  f.l_type = type;
  f.l_whence = whence;
  f.l_start = start;
  f.l_len = len;
  f.l_pid = pid;
  return f;
}

// ---------------------------------------------------------------------------------------------
// fcntl

TEST(FcntlArg, SetlkFlockIn) {
  for (int cmd : {F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW}) {
    auto ev = make(SYS_fcntl, {3, static_cast<uint64_t>(cmd), kPtr}, 0);
    capture(ev, kPtr, sample_flock(F_WRLCK, SEEK_SET, 10, 20, 0));
    EXPECT_EQ(arg(ev, 2), "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=10, l_len=20, l_pid=0}")
        << cmd;
    EXPECT_EQ(arg_json(ev, 2),
              "{\"l_type\":\"F_WRLCK\",\"l_whence\":\"SEEK_SET\",\"l_start\":10,\"l_len\":20,"
              "\"l_pid\":0}");
  }
  // A failed F_SETLK (EAGAIN: the range is locked) still shows what was asked.
  auto ev = make(SYS_fcntl, {3, F_SETLK, kPtr}, -EAGAIN);
  capture(ev, kPtr, sample_flock(F_RDLCK, SEEK_CUR, -5, 0, 0));
  EXPECT_EQ(arg(ev, 2), "{l_type=F_RDLCK, l_whence=SEEK_CUR, l_start=-5, l_len=0, l_pid=0}");
}

TEST(FcntlArg, GetlkInOut) {
  // The conflicting lock the kernel wrote back, with its owner's pid.
  auto ev = make(SYS_fcntl, {3, F_GETLK, kPtr}, 0);
  capture(ev, kPtr, sample_flock(F_WRLCK, SEEK_SET, 0, 100, 4242));
  EXPECT_EQ(arg(ev, 2), "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=100, l_pid=4242}");
  auto ofd = make(SYS_fcntl, {3, F_OFD_GETLK, kPtr}, 0);
  capture(ofd, kPtr, sample_flock(F_UNLCK, SEEK_END, 0, 0, 0));
  EXPECT_EQ(arg(ofd, 2), "{l_type=F_UNLCK, l_whence=SEEK_END, l_start=0, l_len=0, l_pid=0}");
}

TEST(FcntlArg, UnknownLockValuesAndUnreadable) {
  auto ev = make(SYS_fcntl, {3, F_SETLK, kPtr}, -EINVAL);
  capture(ev, kPtr, sample_flock(7, 9, 0, 0, 0));
  EXPECT_EQ(arg(ev, 2), "{l_type=7, l_whence=9, l_start=0, l_len=0, l_pid=0}");
  // Fewer bytes than a struct flock, or none: the address.
  auto shrt = make(SYS_fcntl, {3, F_SETLK, kPtr}, 0);
  std::array<char, 8> few{};
  capture(shrt, kPtr, few);
  EXPECT_EQ(arg(shrt, 2), "0x7ffd1000");
  auto none = make(SYS_fcntl, {3, F_SETLKW, kPtr}, 0);
  EXPECT_EQ(arg(none, 2), "0x7ffd1000");
  auto null = make(SYS_fcntl, {3, F_SETLKW, 0}, -EFAULT);
  EXPECT_EQ(arg(null, 2), "NULL");
}

TEST(FcntlArg, OwnerEx) {
  struct f_owner_ex o {};
  o.type = F_OWNER_PGRP;
  o.pid = 77;
  auto set = make(SYS_fcntl, {3, F_SETOWN_EX, kPtr}, 0);
  capture(set, kPtr, o);
  EXPECT_EQ(arg(set, 2), "{type=F_OWNER_PGRP, pid=77}");
  EXPECT_EQ(arg_json(set, 2), "{\"type\":\"F_OWNER_PGRP\",\"pid\":77}");
  o.type = F_OWNER_TID;
  o.pid = 1234;
  auto get = make(SYS_fcntl, {3, F_GETOWN_EX, kPtr}, 0);
  capture(get, kPtr, o);
  EXPECT_EQ(arg(get, 2), "{type=F_OWNER_TID, pid=1234}");
  // An out-argument of a failed call was not written: the address.
  auto failed = make(SYS_fcntl, {3, F_GETOWN_EX, kPtr}, -EBADF);
  capture(failed, kPtr, o);
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
}

TEST(FcntlArg, RwHintAndPlainValuesUnchanged) {
  uint64_t hint = 3;  // RWH_WRITE_LIFE_MEDIUM
  auto ev = make(SYS_fcntl, {3, F_GET_RW_HINT, kPtr}, 0);
  capture(ev, kPtr, hint);
  EXPECT_EQ(arg(ev, 2), "[3]");
  auto setfl = make(SYS_fcntl, {3, F_SETFL, O_NONBLOCK}, 0);
  EXPECT_EQ(arg(setfl, 2), "O_RDONLY|O_NONBLOCK");
  auto getfl = make(SYS_fcntl, {3, F_GETFL, 0}, 2);
  EXPECT_EQ(arg(getfl, 2), "NULL");
}

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
// io_uring

TEST(IoUringRegister, FilesBuffersEventfd) {
  const std::array<int32_t, 3> fds{5, -1, 7};
  auto files = make(SYS_io_uring_register, {4, IORING_REGISTER_FILES, kPtr, 3}, 0);
  capture(files, kPtr, fds);
  EXPECT_EQ(arg(files, 2), "[5, -1, 7]");
  EXPECT_EQ(arg_json(files, 2), "[5,-1,7]");
  // Only as many fds as were captured: the rest is cut with "...".
  auto more = make(SYS_io_uring_register, {4, IORING_REGISTER_FILES, kPtr, 5}, 0);
  capture(more, kPtr, fds);
  EXPECT_EQ(arg(more, 2), "[5, -1, 7, ...]");
  std::array<iovec, 2> iov{};
  iov[0] = {reinterpret_cast<void*>(0x10000), 4096};
  iov[1] = {nullptr, 0};
  auto bufs = make(SYS_io_uring_register, {4, IORING_REGISTER_BUFFERS, kPtr, 2}, 0);
  capture(bufs, kPtr, iov);
  EXPECT_EQ(arg(bufs, 2), "[{iov_base=0x10000, iov_len=4096}, {iov_base=NULL, iov_len=0}]");
  const int32_t efd = 9;
  auto ev = make(SYS_io_uring_register, {4, IORING_REGISTER_EVENTFD, kPtr, 1}, 0);
  capture(ev, kPtr, efd);
  EXPECT_EQ(arg(ev, 2), "[9]");
  // An opcode without a decoded argument (26, IORING_REGISTER_PBUF_STATUS): the address.
  auto status = make(SYS_io_uring_register, {4, 26, kPtr, 1}, 0);
  EXPECT_EQ(arg(status, 2), "0x7ffd1000");
}

TEST(IoUringEnter, ArgpByExtArg) {
  io_uring_getevents_arg g{};
  g.sigmask = 0;
  g.sigmask_sz = 8;
  g.ts = 0x7ffd3000;
  const uint64_t flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
  auto ext = make(SYS_io_uring_enter, {4, 0, 1, flags, kPtr, sizeof g}, 1);
  capture(ext, kPtr, g);
  EXPECT_EQ(arg(ext, 4), "{sigmask=NULL, sigmask_sz=8, min_wait_usec=0, ts=0x7ffd3000}");
  EXPECT_EQ(arg_json(ext, 4),
            "{\"sigmask\":null,\"sigmask_sz\":8,\"min_wait_usec\":0,\"ts\":\"0x7ffd3000\"}");
  // Without IORING_ENTER_EXT_ARG: a signal mask of argsz bytes.
  const uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
  auto sig = make(SYS_io_uring_enter, {4, 0, 1, IORING_ENTER_GETEVENTS, kPtr, 8}, 1);
  capture(sig, kPtr, set);
  EXPECT_EQ(arg(sig, 4), "[INT TERM]");
  auto null = make(SYS_io_uring_enter, {4, 1, 0, 0, 0, 0}, 1);
  EXPECT_EQ(arg(null, 4), "NULL");
  // IORING_ENTER_EXT_ARG_REG (1 << 6): argp is an offset into a registered region.
  auto reg = make(SYS_io_uring_enter, {4, 0, 1, IORING_ENTER_EXT_ARG | (1u << 6), 0x40, 24}, 1);
  capture(reg, 0x40, g);
  EXPECT_EQ(arg(reg, 4), "0x40");
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
// quotactl

// QCMD(command, type) as the kernel receives it: an unsigned int.
constexpr uint64_t qcmd(uint32_t command, uint32_t type) {
  return (command << SUBCMDSHIFT) | (type & SUBCMDMASK);
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

class SelectedPlans : public unit::CapturePlansTest {};

TEST_F(SelectedPlans, FcntlLocksAndOwners) {
  EXPECT_EQ(plan_selector(SYS_fcntl), 1);
  uint64_t args[6] = {3, F_SETLKW, kPtr};
  const CaptureStep* s = step_of(capture_plan(SYS_fcntl, args), 2, false);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct flock));
  args[1] = F_GETLK;  // in/out: after the call
  s = step_of(capture_plan(SYS_fcntl, args), 2, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct flock));
  args[1] = F_GETOWN_EX;
  s = step_of(capture_plan(SYS_fcntl, args), 2, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct f_owner_ex));
  args[1] = F_SETFL;
  EXPECT_EQ(capture_plan(SYS_fcntl, args).n_entry + capture_plan(SYS_fcntl, args).n_exit, 0);
}

TEST_F(SelectedPlans, PrctlTwoArgumentsBySameOption) {
  uint64_t args[6] = {PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f0000000000, 4096, kPtr};
  const CapturePlan& vma = capture_plan(SYS_prctl, args);
  const CaptureStep* name = step_of(vma, 4, false);
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->shape, CaptureShape::CString);
  args[0] = PR_SET_NAME;
  const CaptureStep* set = step_of(capture_plan(SYS_prctl, args), 1, false);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->shape, CaptureShape::CString);
  EXPECT_EQ(step_of(capture_plan(SYS_prctl, args), 4, false), nullptr);
  args[0] = PR_GET_NAME;
  const CaptureStep* get = step_of(capture_plan(SYS_prctl, args), 1, true);
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->max, 16u);
}

TEST_F(SelectedPlans, IoUringArraysAndEnterFlagCombinations) {
  uint64_t args[6] = {4, IORING_REGISTER_FILES, kPtr, 8};
  const CaptureStep* f = step_of(capture_plan(SYS_io_uring_register, args), 2, false);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->len, 3);
  EXPECT_EQ(f->elem, 4);
  args[1] = IORING_REGISTER_BUFFERS;
  const CaptureStep* b = step_of(capture_plan(SYS_io_uring_register, args), 2, false);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->elem, sizeof(iovec));
  EXPECT_EQ(b->nested, CaptureStep::Nested::None);  // ranges, not data
  // io_uring_enter: the struct with IORING_ENTER_EXT_ARG whatever the other flags, else the
  // sigset of argsz bytes.
  for (uint64_t other :
       {0u, IORING_ENTER_GETEVENTS,
        IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_REGISTERED_RING}) {
    uint64_t e[6] = {4, 0, 1, other | IORING_ENTER_EXT_ARG, kPtr, 24};
    const CaptureStep* ext = step_of(capture_plan(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(ext, nullptr) << other;
    EXPECT_EQ(ext->max, sizeof(io_uring_getevents_arg));
    e[3] = other;
    const CaptureStep* sig = step_of(capture_plan(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(sig, nullptr) << other;
    EXPECT_EQ(sig->len, 5);
    EXPECT_EQ(sig->elem, 0);
  }
  // Two choices, each with the 2^6 combinations of the flags that leave argp as it is.
  EXPECT_EQ(selected_plans(SYS_io_uring_enter).size(), 128u);
}

TEST_F(SelectedPlans, QuotactlByCommandForEachType) {
  for (uint32_t type : {USRQUOTA, GRPQUOTA, PRJQUOTA}) {
    uint64_t args[6] = {qcmd(Q_GETQUOTA, type), kPtr, 0, kPtr};
    const CaptureStep* get = step_of(capture_plan(SYS_quotactl, args), 3, true);
    ASSERT_NE(get, nullptr) << type;
    EXPECT_EQ(get->max, sizeof(if_dqblk));
    EXPECT_NE(step_of(capture_plan(SYS_quotactl, args), 1, false), nullptr) << "special";
    uint64_t fd_args[6] = {3, qcmd(Q_SETINFO, type), 0, kPtr};
    const CaptureStep* set = step_of(capture_plan(SYS_quotactl_fd, fd_args), 3, false);
    ASSERT_NE(set, nullptr) << type;
    EXPECT_EQ(set->max, sizeof(if_dqinfo));
  }
}

TEST_F(SelectedPlans, FitTheEbpfMap) {
  // The eBPF backend's sel_plans map holds 512 plans (DT_SEL_PLANS).
  size_t total = 0;
  for (long nr = 0; nr < 512; ++nr) total += selected_plans(nr).size();
  EXPECT_LE(total, 512u);
}

}  // namespace
}  // namespace dtruss
