// Pointer arguments whose type another argument selects or whose length is computed: ioctl's
// arg by request, socket option values by level and name, seccomp's uargs by op, landlock's
// rule_attr by rule type, fsconfig's value by cmd, mincore's page vector, ustat's struct ustat;
// decoded from crafted bytes, and the capture plans that copy them.
#include <arpa/inet.h>
#include <asm/termbits.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <linux/time_types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "decode/choices.h"
#include "decode/names.h"
#include "decode/structs.h"
#include "decode_support.h"
#include "syscalls/capture.h"

namespace dtruss {
namespace {

using unit::arg;
using unit::arg_json;
using unit::capture;
using unit::capture_before;
using unit::make;
using unit::step_of;

constexpr uint64_t kPtr = 0x7ffd1000;
constexpr uint64_t kLenPtr = 0x7ffd2000;
constexpr uint64_t kAtFdcwd = static_cast<uint32_t>(AT_FDCWD);

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

// ---------------------------------------------------------------------------------------------
// ioctl

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
// socket options

// setsockopt(3, level, name, kPtr, len) with `bytes` at kPtr.
template <typename T>
std::string setsockopt_json(int level, int name, const T& value, uint32_t len = sizeof(T)) {
  auto ev = make(SYS_setsockopt,
                 {3, static_cast<uint64_t>(level), static_cast<uint64_t>(name), kPtr, len}, 0);
  ev.captures.add(kPtr, &value, len);
  return arg_json(ev, 3);
}

// getsockopt(3, level, name, kPtr, kLenPtr) that wrote `len` bytes of `value`.
template <typename T>
std::string getsockopt_json(int level, int name, const T& value, int32_t len, int64_t ret = 0) {
  auto ev =
      make(SYS_getsockopt,
           {3, static_cast<uint64_t>(level), static_cast<uint64_t>(name), kPtr, kLenPtr}, ret);
  ev.captures.add(kLenPtr, &len, sizeof len);
  ev.captures.add(kPtr, &value, sizeof value);
  return arg_json(ev, 3);
}

TEST(SockoptValue, Linger) {
  const linger l{1, 7};
  EXPECT_EQ(setsockopt_json(SOL_SOCKET, SO_LINGER, l), "{\"l_onoff\":1,\"l_linger\":7}");
  EXPECT_EQ(getsockopt_json(SOL_SOCKET, SO_LINGER, l, 8), "{\"l_onoff\":1,\"l_linger\":7}");
  // Shorter than a struct linger: an int, or the bytes the caller gave.
  EXPECT_EQ(setsockopt_json(SOL_SOCKET, SO_LINGER, l, 4), "[1]");
  EXPECT_EQ(setsockopt_json(SOL_SOCKET, SO_LINGER, l, 6),
            "\"\\u0001\\u0000\\u0000\\u0000\\u0007\\u0000\"");
  EXPECT_EQ(getsockopt_json(SOL_SOCKET, SO_LINGER, l, 8, -EBADF), "\"0x7ffd1000\"");
}

TEST(SockoptValue, Timeouts) {
  const __kernel_sock_timeval tv{5, 250000};
  for (int name : {SO_RCVTIMEO_OLD, SO_SNDTIMEO_OLD, SO_RCVTIMEO_NEW, SO_SNDTIMEO_NEW}) {
    EXPECT_EQ(setsockopt_json(SOL_SOCKET, name, tv), "{\"tv_sec\":5,\"tv_usec\":250000}") << name;
    EXPECT_EQ(getsockopt_json(SOL_SOCKET, name, tv, 16), "{\"tv_sec\":5,\"tv_usec\":250000}");
  }
}

TEST(SockoptValue, MulticastMemberships) {
  ip_mreq m{};
  inet_pton(AF_INET, "224.0.0.251", &m.imr_multiaddr);
  inet_pton(AF_INET, "127.0.0.1", &m.imr_interface);
  EXPECT_EQ(setsockopt_json(SOL_IP, IP_ADD_MEMBERSHIP, m),
            "{\"imr_multiaddr\":\"224.0.0.251\",\"imr_interface\":\"127.0.0.1\"}");
  ip_mreqn mn{};
  inet_pton(AF_INET, "239.1.2.3", &mn.imr_multiaddr);
  mn.imr_ifindex = 1;
  EXPECT_EQ(setsockopt_json(SOL_IP, IP_DROP_MEMBERSHIP, mn),
            "{\"imr_multiaddr\":\"239.1.2.3\",\"imr_address\":\"0.0.0.0\",\"imr_ifindex\":1}");
  ipv6_mreq m6{};
  inet_pton(AF_INET6, "ff02::fb", &m6.ipv6mr_multiaddr);
  m6.ipv6mr_interface = 2;
  EXPECT_EQ(setsockopt_json(SOL_IPV6, IPV6_JOIN_GROUP, m6),
            "{\"ipv6mr_multiaddr\":\"ff02::fb\",\"ipv6mr_interface\":2}");
  EXPECT_EQ(setsockopt_json(SOL_IPV6, IPV6_LEAVE_GROUP, m6),
            "{\"ipv6mr_multiaddr\":\"ff02::fb\",\"ipv6mr_interface\":2}");
}

TEST(SockoptValue, Names) {
  const char cubic[16] = "cubic";
  EXPECT_EQ(setsockopt_json(SOL_TCP, TCP_CONGESTION, cubic, 5), "\"cubic\"");
  EXPECT_EQ(getsockopt_json(SOL_TCP, TCP_CONGESTION, cubic, 16), "\"cubic\"");
  const char lo[16] = "lo";
  EXPECT_EQ(setsockopt_json(SOL_SOCKET, SO_BINDTODEVICE, lo, 3), "\"lo\"");
}

TEST(SockoptValue, GetsockoptLengthFromOptlenAfterTheCall) {
  // TCP_INFO-like: more than an int, shown as its bytes (as many as *optlen says).
  const char bytes[12] = "abcdefghijk";
  EXPECT_EQ(getsockopt_json(SOL_TCP, TCP_INFO, bytes, 6), "\"abcdef\"");
  // A negative *optlen: the address.
  EXPECT_EQ(getsockopt_json(SOL_TCP, TCP_INFO, bytes, -1), "\"0x7ffd1000\"");
  // *optlen unreadable: the address.
  auto ev = make(SYS_getsockopt, {3, SOL_SOCKET, SO_TYPE, kPtr, kLenPtr}, 0);
  capture(ev, kPtr, int32_t{1});
  EXPECT_EQ(arg_json(ev, 3), "\"0x7ffd1000\"");
}

// ---------------------------------------------------------------------------------------------
// seccomp, landlock, fsconfig, mincore, ustat

TEST(SeccompUargs, ByOp) {
  sock_filter insn[1] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  const sock_fprog prog{1, insn};
  auto filter = make(SYS_seccomp, {SECCOMP_SET_MODE_FILTER, 0, kPtr}, 0);
  capture(filter, kPtr, prog);
  char want[80];
  snprintf(want, sizeof want, "{len=1, filter=%p}", static_cast<void*>(insn));
  EXPECT_EQ(arg(filter, 2), want);

  auto avail = make(SYS_seccomp, {SECCOMP_GET_ACTION_AVAIL, 0, kPtr}, 0);
  capture(avail, kPtr, uint32_t{SECCOMP_RET_LOG});
  EXPECT_EQ(arg(avail, 2), "[SECCOMP_RET_LOG]");
  auto odd = make(SYS_seccomp, {SECCOMP_GET_ACTION_AVAIL, 0, kPtr}, -EOPNOTSUPP);
  capture(odd, kPtr, uint32_t{0x12340000});
  EXPECT_EQ(arg(odd, 2), "[0x12340000]") << "an input: shown even when the call fails";

  const seccomp_notif_sizes sizes{80, 24, 64};
  auto notif = make(SYS_seccomp, {SECCOMP_GET_NOTIF_SIZES, 0, kPtr}, 0);
  capture(notif, kPtr, sizes);
  EXPECT_EQ(arg_json(notif, 2),
            "{\"seccomp_notif\":80,\"seccomp_notif_resp\":24,\"seccomp_data\":64}");
  auto notif_failed = make(SYS_seccomp, {SECCOMP_GET_NOTIF_SIZES, 0, kPtr}, -EINVAL);
  capture(notif_failed, kPtr, sizes);
  EXPECT_EQ(arg(notif_failed, 2), "0x7ffd1000");
  EXPECT_EQ(arg(make(SYS_seccomp, {SECCOMP_SET_MODE_STRICT, 0, 0}, 0), 2), "NULL");
}

TEST(LandlockRuleAttr, ByRuleType) {
  landlock_path_beneath_attr pb{};
  pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  pb.parent_fd = 5;
  auto path = make(SYS_landlock_add_rule, {3, LANDLOCK_RULE_PATH_BENEATH, kPtr, 0}, 0);
  path.captures.add(kPtr, &pb, sizeof pb);
  EXPECT_EQ(arg(path, 2),
            "{allowed_access=LANDLOCK_ACCESS_FS_READ_FILE|LANDLOCK_ACCESS_FS_READ_DIR, "
            "parent_fd=5}");
  const uint64_t port[2] = {1u << 0, 8080};  // LANDLOCK_ACCESS_NET_BIND_TCP, port
  auto net = make(SYS_landlock_add_rule, {3, 2, kPtr, 0}, -EINVAL);
  capture(net, kPtr, port);
  EXPECT_EQ(arg_json(net, 2),
            "{\"allowed_access\":\"LANDLOCK_ACCESS_NET_BIND_TCP\",\"port\":8080}");
  EXPECT_EQ(arg(make(SYS_landlock_add_rule, {3, 7, kPtr, 0}, -EINVAL), 2), "0x7ffd1000");
}

TEST(FsconfigValue, ByCmd) {
  constexpr uint64_t kKey = 0x5000;
  auto str = make(SYS_fsconfig, {3, FSCONFIG_SET_STRING, kKey, kPtr, 0}, 0);
  str.captures.add(kKey, "size", 5);
  str.captures.add(kPtr, "1m", 3);
  EXPECT_EQ(arg(str, 3), "\"1m\"");
  EXPECT_EQ(arg(str, 4), "0");
  auto path =
      make(SYS_fsconfig, {3, FSCONFIG_SET_PATH, kKey, kPtr, static_cast<uint32_t>(AT_FDCWD)}, 0);
  path.captures.add(kPtr, "/dev/sda1", 10);
  EXPECT_EQ(arg(path, 3), "\"/dev/sda1\"");
  EXPECT_EQ(arg(path, 4), "AT_FDCWD");
  auto bin = make(SYS_fsconfig, {3, FSCONFIG_SET_BINARY, kKey, kPtr, 4}, -EINVAL);
  bin.captures.add(kPtr, "\1\2\3\4\5", 5);
  EXPECT_EQ(arg(bin, 3), "\"\\x01\\x02\\x03\\x04\"");
  EXPECT_EQ(arg(bin, 4), "4");
  auto fd = make(SYS_fsconfig, {3, FSCONFIG_SET_FD, kKey, 0, 7}, 0);
  EXPECT_EQ(arg(fd, 3), "NULL");
  EXPECT_EQ(arg(fd, 4), "7");
  EXPECT_EQ(arg(make(SYS_fsconfig, {3, FSCONFIG_CMD_CREATE, 0, 0, 0}, 0), 3), "NULL");
}

TEST(MincoreVec, OneEntryPerPageAbbreviated) {
  const uint8_t vec[3] = {1, 0, 0x81};  // only the low bit means something
  auto ev = make(SYS_mincore, {0x10000, 2 * 4096 + 1, kPtr}, 0);
  capture(ev, kPtr, vec);
  EXPECT_EQ(arg(ev, 2), "[1, 0, 1]");
  auto exact = make(SYS_mincore, {0x10000, 2 * 4096, kPtr}, 0);
  capture(exact, kPtr, vec);
  EXPECT_EQ(arg(exact, 2), "[1, 0]");
  // 100 pages: the first --strsize (64) unless -v.
  uint8_t many[100] = {};
  many[99] = 1;
  auto big = make(SYS_mincore, {0x10000, 100 * 4096, kPtr}, 0);
  capture(big, kPtr, many);
  const std::string abbreviated = arg(big, 2);
  EXPECT_EQ(abbreviated.substr(abbreviated.size() - 10), "0, 0, ...]") << abbreviated;
  const std::string all = arg(big, 2, true);
  EXPECT_EQ(all.substr(all.size() - 5), "0, 1]") << all;
  auto failed = make(SYS_mincore, {0x10000, 4096, kPtr}, -ENOMEM);
  capture(failed, kPtr, vec);
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
  auto unreadable = make(SYS_mincore, {0x10000, 4096, kPtr}, 0);
  EXPECT_EQ(arg(unreadable, 2), "0x7ffd1000");
}

TEST(Ustat, Out) {
  struct {
    int32_t f_tfree;
    uint64_t f_tinode;
    char f_fname[6];
    char f_fpack[6];
  } u{1000, 2000, {'r', 'o', 'o', 't', 'f', 's'}, {'p', 'k', 0}};
  static_assert(sizeof u == 32);
  auto ev = make(SYS_ustat, {0x801, kPtr}, 0);
  capture(ev, kPtr, u);
  EXPECT_EQ(arg_json(ev, 1),
            "{\"f_tfree\":1000,\"f_tinode\":2000,\"f_fname\":\"rootfs\",\"f_fpack\":\"pk\"}");
  auto failed = make(SYS_ustat, {0x801, kPtr}, -EINVAL);
  capture(failed, kPtr, u);
  EXPECT_EQ(arg(failed, 1), "0x7ffd1000");
}

// ---------------------------------------------------------------------------------------------
// in/out arguments of failed calls: the caller's input, as strace shows it

TEST(FailedInOut, ShowsTheInput) {
  // accept: the address is out (not written), its length in/out ([16] as passed).
  auto acc = make(SYS_accept, {3, kPtr, kLenPtr}, -EAGAIN);
  capture_before(acc, kLenPtr, int32_t{16});
  EXPECT_EQ(arg(acc, 1), "0x7ffd1000");
  EXPECT_EQ(arg(acc, 2), "[16]");
  // getsockopt: no value, but the length the caller offered.
  auto gs = make(SYS_getsockopt, {3, SOL_SOCKET, SO_LINGER, kPtr, kLenPtr}, -ENOPROTOOPT);
  capture_before(gs, kLenPtr, int32_t{8});
  capture(gs, kPtr, linger{1, 2});
  EXPECT_EQ(arg(gs, 3), "0x7ffd1000");
  EXPECT_EQ(arg(gs, 4), "[8]");
  // select: the sets asked about.
  fd_set in;
  FD_ZERO(&in);
  FD_SET(3, &in);
  auto sel = make(SYS_select, {4, kPtr, 0, 0, 0}, -EBADF);
  capture_before(sel, kPtr, in);
  EXPECT_EQ(arg(sel, 1), "[3]");
  // sendfile's offset: where it would have started.
  auto sf = make(SYS_sendfile, {4, 3, kPtr, 100}, -EINVAL);
  capture_before(sf, kPtr, uint64_t{4096});
  EXPECT_EQ(arg(sf, 2), "[4096]");
  // An array counted by the return value has no count after a failure: the address.
  auto mm = make(SYS_recvmmsg, {3, kPtr, 2, 0, 0}, -EAGAIN);
  EXPECT_EQ(arg(mm, 1), "0x7ffd1000");
}

TEST(FailedInOut, ArgumentsWrittenOnlyOnSuccessStayAddresses) {
  // recvmsg's msghdr: name and control data were not written.
  auto rm = make(SYS_recvmsg, {3, kPtr, 0}, -EAGAIN);
  capture(rm, kPtr, msghdr{});
  EXPECT_EQ(arg(rm, 1), "0x7ffd1000");
  // shmctl/msgctl: IPC_STAT wrote nothing; IPC_SET's struct is the input.
  auto stat = make(SYS_shmctl, {1, IPC_STAT, kPtr}, -EACCES);
  capture(stat, kPtr, shmid_ds{});
  EXPECT_EQ(arg(stat, 2), "0x7ffd1000");
  auto set = make(SYS_msgctl, {1, IPC_SET, kPtr}, -EPERM);
  msqid_ds m{};
  m.msg_qbytes = 512;
  capture(set, kPtr, m);
  EXPECT_NE(arg(set, 2).find("msg_qbytes=512"), std::string::npos) << arg(set, 2);
  // name_to_handle_at's EOVERFLOW: the size it needs, no handle.
  struct {
    uint32_t handle_bytes;
    int32_t handle_type;
    unsigned char f_handle[8];
  } fh{8, 77, {}};
  auto nh = make(SYS_name_to_handle_at, {kAtFdcwd, 0x5000, kPtr, kLenPtr, 0}, -EOVERFLOW);
  fh.handle_bytes = 0;  // as passed: no room
  nh.before.add(kPtr, &fh, sizeof(fh));
  fh.handle_bytes = 8;
  capture(nh, kPtr, fh);
  EXPECT_EQ(arg(nh, 2), "{handle_bytes=0}");
  DecodedCall dc;
  Decoder({64, false}).decode(nh, dc);
  ASSERT_TRUE(dc.after_mask & (1u << 2)) << "written back despite the error";
  EXPECT_EQ(dtruss::unit::text(dc.after[2]), "{handle_bytes=8, ...}");
}

// ---------------------------------------------------------------------------------------------
// siginfo of a POSIX timer (SI_TIMER): its id, overrun and sigval, not a sender's pid and uid

siginfo_t timer_siginfo() {
  siginfo_t si{};
  si.si_signo = SIGALRM;
  si.si_code = SI_TIMER;
  si.si_timerid = 3;
  si.si_overrun = 2;
  si.si_value.sival_ptr = reinterpret_cast<void*>(uintptr_t{77});
  return si;
}

TEST(SiginfoTimer, FilledByTheKernelForAWait) {
  auto ev = make(SYS_rt_sigtimedwait, {0x3000, kPtr, 0, 8}, SIGALRM);
  capture(ev, kPtr, timer_siginfo());
  EXPECT_EQ(arg(ev, 1),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=3, si_overrun=2, si_int=77, "
            "si_ptr=0x4d}");
}

TEST(SiginfoTimer, DeliveredSignal) {
  SignalEvent sig;
  sig.signo = SIGALRM;
  sig.set_info(timer_siginfo());
  std::string out;
  append_json(out, siginfo_value(sig));
  EXPECT_EQ(out,
            "{\"si_signo\":\"SIGALRM\",\"si_code\":\"SI_TIMER\",\"si_timerid\":3,"
            "\"si_overrun\":2,\"si_int\":77,\"si_ptr\":\"0x4d\"}");
  // A sigval of 0: si_ptr NULL.
  siginfo_t zero = timer_siginfo();
  zero.si_value.sival_ptr = nullptr;
  sig.set_info(zero);
  EXPECT_EQ(unit::text(siginfo_value(sig)),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=3, si_overrun=2, si_int=0, "
            "si_ptr=NULL}");
}

// ---------------------------------------------------------------------------------------------
// capture plans

class Plans : public unit::CapturePlansTest {};

TEST_F(Plans, IoctlCopiesWhatItsRequestNames) {
  EXPECT_EQ(plan_selector(SYS_ioctl), 1);
  uint64_t args[6] = {0, TCGETS, kPtr};
  const CaptureStep* s = step_of(capture_plan(SYS_ioctl, args), 2, true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->shape, CaptureShape::Bytes);
  EXPECT_EQ(s->max, sizeof(struct termios));
  EXPECT_EQ(s->len, kNoLen);
  args[1] = TCSETSW;
  s = step_of(capture_plan(SYS_ioctl, args), 2, false);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, sizeof(struct termios));
  args[1] = FIONBIO;
  s = step_of(capture_plan(SYS_ioctl, args), 2, false);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->max, 4u);
  // Nothing for a request that names no struct, nor in the syscall's own plan.
  args[1] = TIOCSCTTY;
  EXPECT_EQ(capture_plan(SYS_ioctl, args).n_entry + capture_plan(SYS_ioctl, args).n_exit, 0);
  EXPECT_EQ(capture_plan(SYS_ioctl).n_exit, 0);
  EXPECT_GE(selected_plans(SYS_ioctl).size(), 20u);
}

TEST_F(Plans, SelectedPlansKeepTheSyscallsOwnSteps) {
  // fsconfig's key (a string) is copied whatever the cmd; its value as the cmd says.
  uint64_t args[6] = {3, FSCONFIG_SET_BINARY, 0x5000, kPtr, 16};
  const CapturePlan& bin = capture_plan(SYS_fsconfig, args);
  ASSERT_NE(step_of(bin, 2, false), nullptr);
  const CaptureStep* v = step_of(bin, 3, false);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->shape, CaptureShape::Bytes);
  EXPECT_EQ(v->len, 4);  // aux
  args[1] = FSCONFIG_SET_PATH;
  v = step_of(capture_plan(SYS_fsconfig, args), 3, false);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->shape, CaptureShape::CString);
  args[1] = FSCONFIG_SET_FD;
  EXPECT_EQ(step_of(capture_plan(SYS_fsconfig, args), 3, false), nullptr);
  EXPECT_NE(step_of(capture_plan(SYS_fsconfig, args), 2, false), nullptr);
  // seccomp and landlock: the struct of the op or rule type.
  uint64_t sargs[6] = {SECCOMP_GET_NOTIF_SIZES, 0, kPtr};
  const CaptureStep* n = step_of(capture_plan(SYS_seccomp, sargs), 2, true);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->max, sizeof(seccomp_notif_sizes));
  uint64_t largs[6] = {3, LANDLOCK_RULE_PATH_BENEATH, kPtr, 0};
  const CaptureStep* l = step_of(capture_plan(SYS_landlock_add_rule, largs), 2, false);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->max, sizeof(landlock_path_beneath_attr));
}

TEST_F(Plans, ComputedLengths) {
  // getsockopt: *optlen bytes after the call, capped; mincore: a byte per page of len.
  const CaptureStep* g = step_of(capture_plan(SYS_getsockopt), 3, true);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->len, len_at(4));
  EXPECT_EQ(g->elem, 0);
  EXPECT_EQ(g->max, 4096u);
  const CaptureStep* m = step_of(capture_plan(SYS_mincore), 2, true);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->len, len_pages(1));
  EXPECT_EQ(m->elem, 1);
  const CaptureStep* u = step_of(capture_plan(SYS_ustat), 1, true);
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->max, 32u);
}

}  // namespace
}  // namespace dtruss
