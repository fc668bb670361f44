// fcntl's arg by cmd: struct flock (in, and in/out for F_GETLK), struct f_owner_ex, and the
// plain values; decoded from crafted bytes, and the capture plans that copy them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>

#include <cerrno>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

struct flock sample_flock(short type, short whence, off_t start, off_t len, pid_t pid) {
  struct flock f {};
  f.l_type = type;
  f.l_whence = whence;
  f.l_start = start;
  f.l_len = len;
  f.l_pid = pid;
  return f;
}

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
// capture plans

class FcntlPlans : public CapturePlansTest {};

TEST_F(FcntlPlans, FcntlLocksAndOwners) {
  EXPECT_EQ(test_plans().selector(SYS_fcntl), 1);
  uint64_t args[6] = {3, F_SETLKW, kPtr};
  const CaptureStep* s = step_of(test_plans().of(SYS_fcntl, args), 2, false);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct flock));
  args[1] = F_GETLK;  // in/out: after the call
  s = step_of(test_plans().of(SYS_fcntl, args), 2, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct flock));
  args[1] = F_GETOWN_EX;
  s = step_of(test_plans().of(SYS_fcntl, args), 2, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct f_owner_ex));
  args[1] = F_SETFL;
  EXPECT_EQ(test_plans().of(SYS_fcntl, args).n_entry + test_plans().of(SYS_fcntl, args).n_exit, 0);
}

}  // namespace
}  // namespace dtruss::unit
