// The generic decoder on synthetic events: no tracee, captured bytes only.
#include "decode/decoder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include <cstring>

#include "decode/names.h"
#include "decode_support.h"
#include "output/render.h"

namespace dtruss {
namespace {

using unit::json;
using unit::make;
using unit::text;

constexpr uint64_t kPathAddr = 0x1000;
constexpr uint64_t kBufAddr = 0x2000;

TEST(Decoder, OpenatWithCapturedPath) {
  auto ev =
      make(SYS_openat, {static_cast<uint64_t>(AT_FDCWD), kPathAddr, O_RDONLY | O_CLOEXEC, 0}, 3);
  ev.captures.add(kPathAddr, "/etc/hosts", 11);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  ASSERT_EQ(call.name, "openat");
  ASSERT_EQ(call.nargs, 4);
  EXPECT_EQ(text(call.args[0]), "AT_FDCWD");
  EXPECT_EQ(text(call.args[1]), "\"/etc/hosts\"");
  EXPECT_EQ(text(call.args[2]), "O_RDONLY|O_CLOEXEC");
  EXPECT_EQ(text(call.args[3]), "0");
  EXPECT_EQ(call.err, 0);
  EXPECT_EQ(text(call.ret), "3");
}

TEST(Decoder, FailureGivesErrno) {
  auto ev = make(SYS_openat, {static_cast<uint64_t>(AT_FDCWD), kPathAddr, O_RDONLY, 0}, -ENOENT);
  ev.captures.add(kPathAddr, "/nonexistent", 13);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(call.err, ENOENT);
}

TEST(Decoder, ReadBufferUsesReturnValueAndStrsize) {
  auto ev = make(SYS_read, {3, kBufAddr, 4096}, 10);
  ev.captures.add(kBufAddr, "hello\nworld", 11);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[0]), "3");
  EXPECT_EQ(text(call.args[1]), "\"hello\\nworl\"");  // ret = 10 bytes
  EXPECT_EQ(text(call.args[2]), "4096");
  Decoder({4, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "\"hell\"...");
  EXPECT_EQ(json(call.args[1]), "{\"str\":\"hell\",\"truncated\":true}");
}

TEST(Decoder, FailedReadShowsOnlyTheAddress) {
  auto ev = make(SYS_read, {3, kBufAddr, 4096}, -EBADF);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "0x2000");
}

TEST(Decoder, UnreadablePathShowsAddress) {
  auto ev = make(SYS_openat, {static_cast<uint64_t>(AT_FDCWD), 0xdead000, O_RDONLY, 0}, -EFAULT);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "0xdead000");
  EXPECT_EQ(call.err, EFAULT);
}

TEST(Decoder, MmapReturnsHexAndDecodesProtAndFlags) {
  auto ev = make(
      SYS_mmap,
      {0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, static_cast<uint64_t>(-1), 0},
      0x7f0000001000);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[0]), "NULL");
  EXPECT_EQ(text(call.args[1]), "8192");
  EXPECT_EQ(text(call.args[2]), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(text(call.args[3]), "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(text(call.args[4]), "-1");
  EXPECT_EQ(text(call.ret), "0x7f0000001000");
}

TEST(Decoder, ExecveArgvAndEnvironmentCount) {
  constexpr uint64_t kArgv = 0x3000, kEnv = 0x4000, kS1 = 0x5000, kS2 = 0x5100;
  auto ev = make(SYS_execve, {kPathAddr, kArgv, kEnv}, 0);
  ev.captures.add(kPathAddr, "/bin/ls", 8);
  uint64_t argv[] = {kS1, kS2, 0};
  ev.captures.add(kArgv, argv, sizeof(argv));
  ev.captures.add(kS1, "ls", 3);
  ev.captures.add(kS2, "-l", 3);
  uint64_t env[] = {kS1, kS1, kS1, 0};
  ev.captures.add(kEnv, env, sizeof(env));
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[0]), "\"/bin/ls\"");
  EXPECT_EQ(text(call.args[1]), "[\"ls\", \"-l\"]");
  EXPECT_EQ(text(call.args[2]), "[/* 3 vars */]");
  EXPECT_EQ(json(call.args[1]), "[\"ls\",\"-l\"]");
  Decoder({64, true}).decode(ev, call);
  EXPECT_EQ(text(call.args[2]), "[\"ls\", \"ls\", \"ls\"]");
}

TEST(Decoder, ExitNeverReturns) {
  auto ev = make(SYS_exit_group, {3}, 0);
  ev.end = SyscallEvent::End::NoReturn;
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(call.name, "exit_group");
  EXPECT_EQ(text(call.args[0]), "3");
  EXPECT_EQ(call.ret.type, Value::Type::Null);
}

TEST(Decoder, UnknownNumberShowsRawArguments) {
  auto ev = make(1000, {1, 2, 3, 4, 5, 6}, -ENOSYS);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(call.name, "syscall_1000");
  EXPECT_EQ(call.nargs, 6);
  EXPECT_EQ(text(call.args[5]), "0x6");
  EXPECT_EQ(call.err, ENOSYS);
}

TEST(Decoder, ThirtyTwoBitArgumentsIgnoreUpperBits) {
  // The kernel reads an int from the low half of the register; garbage above must not show.
  auto ev = make(SYS_close, {0xffffffff00000005ull}, 0);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[0]), "5");
}

TEST(Decoder, KillDecodesSignal) {
  auto ev = make(SYS_kill, {1234, 9}, 0);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[0]), "1234");
  EXPECT_EQ(text(call.args[1]), "SIGKILL");
}

TEST(Render, StringsAreEscaped) {
  EXPECT_EQ(text(Value::string(std::string("a\"b\\c\n\x01\xff", 8), false)),
            "\"a\\\"b\\\\c\\n\\x01\\xff\"");
  EXPECT_EQ(json(Value::string(std::string("a\"\n\x01\xff", 5), false)),
            "\"a\\\"\\n\\u0001\\u00ff\"");
  EXPECT_EQ(json(Value::string("caf\xc3\xa9", false)), "\"caf\xc3\xa9\"");
}

TEST(Render, OctalAndStructs) {
  EXPECT_EQ(text(Value::octal(0644)), "0644");
  EXPECT_EQ(json(Value::octal(0644)), "420");
  Value s = Value::structure();
  s.add("tv_sec", Value::integer(1));
  s.add("tv_nsec", Value::integer(500));
  EXPECT_EQ(text(s), "{tv_sec=1, tv_nsec=500}");
  EXPECT_EQ(json(s), "{\"tv_sec\":1,\"tv_nsec\":500}");
}

TEST(Memory, CStringAcrossRegionsAndLimits) {
  CaptureStore st;
  st.add(0x1000, "abcdef", 7);
  std::string out;
  bool term = false;
  ASSERT_TRUE(st.read_cstring(0x1000, out, 100, &term));
  EXPECT_EQ(out, "abcdef");
  EXPECT_TRUE(term);
  ASSERT_TRUE(st.read_cstring(0x1000, out, 3, &term));
  EXPECT_EQ(out, "abc");
  EXPECT_FALSE(term);
  EXPECT_FALSE(st.read_cstring(0x9000, out, 3, &term));
}

}  // namespace
}  // namespace dtruss

namespace dtruss {
namespace {
TEST(Memory, OverlappingCapturesPreferTheLongest) {
  // An array captured a little past its end covers the start of a string stored after it.
  CaptureStore st;
  st.add(0x1000, "/usr/bin/ls", 12);
  st.add(0x0ff8, "\0\0\0\0\0\0\0\0/usr/bin", 16);
  std::string out;
  bool term = false;
  ASSERT_TRUE(st.read_cstring(0x1000, out, 4096, &term));
  EXPECT_EQ(out, "/usr/bin/ls");
  EXPECT_TRUE(term);
}
}  // namespace
}  // namespace dtruss

namespace dtruss {
namespace {

TEST(Decoder, IoctlRequestsByNameOrByTheirEncoding) {
  DecodedCall call;
  auto ev = make(SYS_ioctl, {1, TCGETS, 0x7ffd0000}, -ENOTTY);
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "TCGETS");
  ev = make(SYS_ioctl, {3, FIONREAD, 0x7ffd0000}, 0);
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "FIONREAD");
  // A driver's request that the table does not list: _IOR('f', 1, long) is FS_IOC_GETFLAGS,
  // _IOWR(0xAB, 0x42, 24 bytes) is unknown.
  ev = make(SYS_ioctl, {3, _IOWR(0xAB, 0x42, char[24]), 0}, 0);
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "_IOC(_IOC_READ|_IOC_WRITE, 0xab, 0x42, 0x18)");
  ev = make(SYS_ioctl, {3, _IO('T', 0x7f), 0}, 0);
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.args[1]), "_IOC(_IOC_NONE, 0x54, 0x7f, 0x0)");
  EXPECT_EQ(json(call.args[1]), "\"_IOC(_IOC_NONE, 0x54, 0x7f, 0x0)\"");
}

}  // namespace
}  // namespace dtruss

namespace dtruss {
namespace {

TEST(Names, SignalsByTheirUsualNames) {
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGIO), "SIGIO");  // not glibc's POLL
  EXPECT_EQ(signal_name(SIGRTMIN + 1 - (SIGRTMIN - 32)), "SIGRT_1");
  EXPECT_EQ(signal_by_name("SIGIO"), SIGIO);
  EXPECT_EQ(signal_by_name("poll"), SIGIO);
  EXPECT_EQ(signal_by_name("term"), SIGTERM);
  EXPECT_EQ(signal_by_name("SIGNOPE"), -1);
}

// nanosleep's rem: the kernel writes it only when a signal cuts the sleep short (EINTR, or the
// restart code a tracer sees at the call's exit).
TEST(Decoder, SleepRemainderOnlyWhenInterrupted) {
  const int64_t rem[2] = {29, 500};
  for (long nr : {long{SYS_nanosleep}, long{SYS_clock_nanosleep}}) {
    const int rem_arg = nr == SYS_nanosleep ? 1 : 3;
    auto ev = nr == SYS_nanosleep ? make(nr, {0x1000, 0x2000}, 0)
                                  : make(nr, {CLOCK_MONOTONIC, 0, 0x1000, 0x2000}, 0);
    ev.captures.add(0x2000, rem, sizeof rem);
    DecodedCall call;
    Decoder({64, false}).decode(ev, call);
    EXPECT_EQ(text(call.args[rem_arg]), "0x2000") << "slept it all: rem is not written";
    for (int64_t err : {EINTR, 516 /* ERESTART_RESTARTBLOCK */}) {
      ev.ret = -err;
      Decoder({64, false}).decode(ev, call);
      EXPECT_EQ(text(call.args[rem_arg]), "{tv_sec=29, tv_nsec=500}") << err;
    }
    ev.ret = -EINVAL;
    Decoder({64, false}).decode(ev, call);
    EXPECT_EQ(text(call.args[rem_arg]), "0x2000");
  }
  // An absolute sleep has no time left to write back, even when interrupted.
  auto abs = make(SYS_clock_nanosleep, {CLOCK_MONOTONIC, TIMER_ABSTIME, 0x1000, 0x2000}, -514);
  abs.captures.add(0x2000, rem, sizeof rem);
  DecodedCall call;
  Decoder({64, false}).decode(abs, call);
  EXPECT_EQ(text(call.args[3]), "0x2000");
}

}  // namespace
}  // namespace dtruss
