// ioctl's arg by request: termios (abbreviated, and whole with -v), winsize, ints in and out,
// plain values, unknown requests; decoded from crafted bytes, and the capture plans that copy
// them.
#include <asm/termbits.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

struct termios sample_termios() {
  struct termios t {};
  t.c_iflag = ICRNL | IXON;
  t.c_oflag = OPOST | ONLCR;
  t.c_cflag = B38400 | CS8 | CREAD;
  t.c_lflag = ISIG | ICANON | ECHO;
  t.c_line = 0;
  t.c_cc[VMIN] = 1;
  t.c_cc[VINTR] = 3;
  return t;
}

TEST(IoctlArg, TermiosOutOnSuccessAbbreviatedAndVerbose) {
  auto ev = make(SYS_ioctl, {0, TCGETS, kPtr}, 0);
  capture(ev, kPtr, sample_termios());
  EXPECT_EQ(arg(ev, 2),
            "{c_iflag=ICRNL|IXON, c_oflag=OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, "
            "c_lflag=ISIG|ICANON|ECHO, ...}");
  EXPECT_EQ(
      arg_json(ev, 2),
      "{\"c_iflag\":\"ICRNL|IXON\",\"c_oflag\":\"OPOST|ONLCR\",\"c_cflag\":\"B38400|CS8|CREAD\","
      "\"c_lflag\":\"ISIG|ICANON|ECHO\"}");
  const std::string v = arg(ev, 2, true);
  EXPECT_NE(v.find("c_line=0, c_cc=[3, 0, 0, 0, 0, 0, 1, 0,"), std::string::npos) << v;
  // A failed TCGETS wrote nothing: the address.
  auto failed = make(SYS_ioctl, {0, TCGETS, kPtr}, -ENOTTY);
  capture(failed, kPtr, sample_termios());
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
}

TEST(IoctlArg, TermiosInShownEvenWhenTheCallFails) {
  for (unsigned long req : {TCSETS, TCSETSW, TCSETSF}) {
    auto ev = make(SYS_ioctl, {0, req, kPtr}, -EINTR);
    capture(ev, kPtr, sample_termios());
    EXPECT_EQ(arg(ev, 2).substr(0, 20), "{c_iflag=ICRNL|IXON,") << req;
  }
}

TEST(IoctlArg, TermiosUnusualValues) {
  struct termios t {};
  t.c_cflag = B115200 | CS7 | PARENB | CRTSCTS | (B9600 << IBSHIFT);
  t.c_oflag = NL1 | CR3 | TAB3 | 0x800000;
  auto ev = make(SYS_ioctl, {0, TCSETS, kPtr}, 0);
  capture(ev, kPtr, t);
  std::string out;
  unit::arg(ev, 2, false, &out);
  EXPECT_NE(out.find("\"c_cflag\":\"B115200|CS7|PARENB|CRTSCTS|0xd0000\""), std::string::npos)
      << out;
  EXPECT_NE(out.find("\"c_oflag\":\"NL1|CR3|TAB3|0x800000\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"c_iflag\":\"0\""), std::string::npos) << out;
}

TEST(IoctlArg, ShortOrMissingMemoryShowsTheAddress) {
  auto ev = make(SYS_ioctl, {0, TCGETS, kPtr}, 0);
  const auto t = sample_termios();
  ev.captures.add(kPtr, &t, sizeof t - 1);
  EXPECT_EQ(arg(ev, 2), "0x7ffd1000");
  auto null_arg = make(SYS_ioctl, {0, TCGETS, 0}, -EFAULT);
  EXPECT_EQ(arg(null_arg, 2), "NULL");
}

TEST(IoctlArg, Winsize) {
  const struct winsize w = {24, 80, 640, 480};
  auto get = make(SYS_ioctl, {1, TIOCGWINSZ, kPtr}, 0);
  capture(get, kPtr, w);
  EXPECT_EQ(arg_json(get, 2), "{\"ws_row\":24,\"ws_col\":80,\"ws_xpixel\":640,\"ws_ypixel\":480}");
  auto set = make(SYS_ioctl, {1, TIOCSWINSZ, kPtr}, 0);
  capture(set, kPtr, w);
  EXPECT_EQ(arg(set, 2), "{ws_row=24, ws_col=80, ws_xpixel=640, ws_ypixel=480}");
  auto failed = make(SYS_ioctl, {1, TIOCGWINSZ, kPtr}, -ENOTTY);
  capture(failed, kPtr, w);
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
}

TEST(IoctlArg, IntsInAndOut) {
  const int32_t n = 42;
  for (unsigned long req : {FIONREAD, TIOCOUTQ, TIOCGPGRP}) {
    auto ev = make(SYS_ioctl, {3, req, kPtr}, 0);
    capture(ev, kPtr, n);
    EXPECT_EQ(arg_json(ev, 2), "[42]") << req;
    auto failed = make(SYS_ioctl, {3, req, kPtr}, -ENOTTY);
    capture(failed, kPtr, n);
    EXPECT_EQ(arg_json(failed, 2), "\"0x7ffd1000\"") << req;
  }
  const int32_t one = 1;
  for (unsigned long req : {FIONBIO, FIOASYNC, TIOCSPGRP}) {
    auto ev = make(SYS_ioctl, {3, req, kPtr}, -EBADF);
    capture(ev, kPtr, one);
    EXPECT_EQ(arg_json(ev, 2), "[1]") << req;
  }
}

TEST(IoctlArg, ValuesAndUnknownRequests) {
  EXPECT_EQ(arg(make(SYS_ioctl, {0, TIOCSCTTY, 1}, 0), 2), "1");
  EXPECT_EQ(arg(make(SYS_ioctl, {0, TCFLSH, TCIOFLUSH}, 0), 2), "TCIOFLUSH");
  EXPECT_EQ(arg(make(SYS_ioctl, {0, TCXONC, TCOON}, 0), 2), "TCOON");
  EXPECT_EQ(arg(make(SYS_ioctl, {0, TIOCSIG, SIGINT}, 0), 2), "SIGINT");
  // A driver's request (_IOC-encoded) keeps its argument as an address, readable or not.
  auto ev = make(SYS_ioctl, {3, _IOR('X', 1, int), kPtr}, 0);
  capture(ev, kPtr, int32_t{5});
  EXPECT_EQ(arg(ev, 2), "0x7ffd1000");
  // Only the request's 32 bits select (the kernel's cmd is an unsigned int).
  auto wide = make(SYS_ioctl, {0, 0xffffffff00000000ull | TIOCGWINSZ, kPtr}, 0);
  capture(wide, kPtr, winsize{1, 2, 3, 4});
  EXPECT_EQ(arg(wide, 2), "{ws_row=1, ws_col=2, ws_xpixel=3, ws_ypixel=4}");
}

// ---------------------------------------------------------------------------------------------
// capture plans

class IoctlPlans : public CapturePlansTest {};

TEST_F(IoctlPlans, IoctlCopiesWhatItsRequestNames) {
  EXPECT_EQ(test_plans().selector(SYS_ioctl), 1);
  uint64_t args[6] = {0, TCGETS, kPtr};
  const CaptureStep* s = step_of(test_plans().of(SYS_ioctl, args), 2, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->shape, CaptureShape::Bytes);
  EXPECT_EQ(s->max, sizeof(struct termios));
  EXPECT_EQ(s->len, kNoLen);
  args[1] = TCSETSW;
  s = step_of(test_plans().of(SYS_ioctl, args), 2, false);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct termios));
  args[1] = FIONBIO;
  s = step_of(test_plans().of(SYS_ioctl, args), 2, false);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, 4u);
  // Nothing for a request that names no struct, nor in the syscall's own plan.
  args[1] = TIOCSCTTY;
  EXPECT_EQ(test_plans().of(SYS_ioctl, args).n_entry + test_plans().of(SYS_ioctl, args).n_exit, 0);
  EXPECT_EQ(test_plans().of(SYS_ioctl).n_exit, 0);
  EXPECT_GE(test_plans().selected(SYS_ioctl).size(), 20u);
}

}  // namespace
}  // namespace dtruss::unit
