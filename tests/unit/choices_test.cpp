// Arguments whose meaning another argument selects (`by:ARG:TABLE`): the choice tables are sane,
// and the decoder shows fcntl's arg, socket()'s protocol, socket option names and values, futex's
// val3 and prctl's arg2 as strace does.
#include "decode/choices.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/netlink.h>
#include <linux/prctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include "decode/decoder.h"
#include "decode/flags.h"
#include "decode/structs.h"
#include "output/render.h"

namespace dtruss {
namespace {

// The kinds a fallback may take: those that read no memory, since the capture plan copies memory
// only for the selector values that a choice names.
bool reads_no_memory(ArgKind k) {
  switch (k) {
    case ArgKind::Int:
    case ArgKind::UInt:
    case ArgKind::Hex:
    case ArgKind::Size:
    case ArgKind::Off:
    case ArgKind::Fd:
    case ArgKind::Dirfd:
    case ArgKind::Pid:
    case ArgKind::Uid:
    case ArgKind::Signal:
    case ArgKind::Mode:
    case ArgKind::Flags:
    case ArgKind::Enum:
      return true;
    default:
      return false;
  }
}

TEST(ChoiceTables, AreSane) {
  std::set<std::string_view> names;
  for (const ChoiceTable* t : all_choice_tables()) {
    SCOPED_TRACE(t->name);
    EXPECT_TRUE(names.insert(t->name).second) << "duplicate choice table";
    EXPECT_TRUE(reads_no_memory(t->fallback));
    EXPECT_EQ(flag_table_by_name(t->name), nullptr) << "a flag table has the same name";
    std::set<uint32_t> selectors;
    for (const ArgChoice& c : t->choices) {
      EXPECT_EQ(static_cast<uint32_t>(c.selector) & t->selector_mask,
                static_cast<uint32_t>(c.selector))
          << "selector " << c.selector << " has bits the mask ignores";
      EXPECT_TRUE(selectors.insert(static_cast<uint32_t>(c.selector)).second)
          << "selector " << c.selector << " twice";
      // A choice reads no memory, or is one the capture plan knows how to copy: a struct of a
      // type that has a decoder, a string, a path, or a buffer with its length.
      EXPECT_TRUE(reads_no_memory(c.kind) || reads_memory(c.kind)) << "selector " << c.selector;
      EXPECT_EQ(reads_memory(c.kind), !reads_no_memory(c.kind));
      if (c.kind == ArgKind::Struct) {
        ASSERT_NE(c.strct, nullptr) << "selector " << c.selector;
        EXPECT_TRUE(has_struct_type(c.strct)) << "no struct decoder " << c.strct;
        // A fixed size, or records of varying size counted in bytes by an argument (a sigset of
        // argsz bytes).
        EXPECT_TRUE(struct_type_size(c.strct) != 0u || c.len >= 0)
            << c.strct << ": the plan copies a fixed size or a counted one";
        // A plan is picked by the selector's exact value: a mask leaves bits that must be
        // expanded into one plan per combination, or the memory is copied whatever the value.
        EXPECT_TRUE(t->selector_mask == ~uint32_t{0} || (t->capture_bits & ~t->selector_mask) ||
                    t->capture_always)
            << "a plan is picked by the whole selector";
        if (t->capture_always) {
          // One copy serves every choice: the same bytes.
          const ArgChoice& first = t->choices.front();
          EXPECT_EQ(struct_type_size(c.strct), struct_type_size(first.strct)) << c.strct;
          EXPECT_EQ(c.dir, first.dir) << c.strct;
          EXPECT_EQ(c.len, first.len) << c.strct;
        }
      } else {
        EXPECT_EQ(c.strct, nullptr) << "selector " << c.selector;
      }
      if (c.kind == ArgKind::Buffer) {
        // Its length: an argument, or (written by the call) the return value.
        EXPECT_TRUE(c.len >= 0 || (c.len == kLenRet && c.dir == Dir::Out))
            << "selector " << c.selector << ": a buffer needs its length";
        EXPECT_LT(c.len, kMaxArgs);
      } else if (c.kind != ArgKind::Struct) {
        EXPECT_EQ(c.len, kNoLen) << "selector " << c.selector;
      }
      const bool needs_table = c.kind == ArgKind::Flags || c.kind == ArgKind::Enum;
      if (needs_table) {
        ASSERT_NE(c.table, TableId::none) << "selector " << c.selector;
        EXPECT_NE(flag_table(c.table), nullptr) << "no flag table " << table_name(c.table);
      } else {
        EXPECT_EQ(c.table, TableId::none)
            << "selector " << c.selector << ": a table that is not used";
      }
    }
  }
}

// Every Select argument of the syscall table has a choice table and a selector that is another
// argument of the same call.
TEST(ChoiceTables, EverySelectArgumentResolves) {
  int seen = 0;
  for (const SyscallInfo& s : all_syscalls()) {
    for (int i = 0; i < s.nargs; ++i) {
      const ArgInfo& a = s.args[i];
      if (a.kind != ArgKind::Select) continue;
      ++seen;
      SCOPED_TRACE(std::string(s.name) + "." + a.name);
      EXPECT_NE(choice_table(a.table), nullptr);
      EXPECT_GE(a.len, 0);
      EXPECT_LT(a.len, s.nargs);
      EXPECT_NE(a.len, i);
    }
  }
  EXPECT_GE(seen, 5);  // fcntl, socket, socketpair, getsockopt, setsockopt
}

std::string text(const Value& v) {
  std::string s;
  append_text(s, v);
  return s;
}
std::string json(const Value& v) {
  std::string s;
  append_json(s, v);
  return s;
}

// The decoded argument `index` of syscall `nr` called with `args`.
std::string arg(long nr, std::initializer_list<uint64_t> args, int index, bool as_json = false) {
  SyscallEvent ev;
  ev.nr = nr;
  size_t i = 0;
  for (uint64_t a : args) ev.args[i++] = a;
  ev.ret = 0;
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  return as_json ? json(call.args[index]) : text(call.args[index]);
}

TEST(Choices, FcntlArgByCommand) {
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETFL, O_RDWR | O_NONBLOCK}, 2), "O_RDWR|O_NONBLOCK");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETFL, O_NONBLOCK}, 2, true), "\"O_RDONLY|O_NONBLOCK\"");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETFD, FD_CLOEXEC}, 2), "FD_CLOEXEC");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETFD, 0}, 2), "0");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_DUPFD_CLOEXEC, 10}, 2, true), "10");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETSIG, SIGUSR1}, 2), "SIGUSR1");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETLEASE, F_WRLCK}, 2), "F_WRLCK");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_GROW}, 2),
            "F_SEAL_SEAL|F_SEAL_GROW");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_NOTIFY, DN_CREATE | DN_MULTISHOT}, 2), "DN_CREATE|DN_MULTISHOT");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETPIPE_SZ, 65536}, 2), "65536");
  // A pointer (struct flock) and an ignored argument stay addresses.
  EXPECT_EQ(arg(SYS_fcntl, {3, F_SETLK, 0x7ffd1000}, 2), "0x7ffd1000");
  EXPECT_EQ(arg(SYS_fcntl, {3, F_GETFL, 0}, 2), "NULL");
}

TEST(Choices, SocketProtocolByFamily) {
  EXPECT_EQ(arg(SYS_socket, {AF_INET, SOCK_STREAM, IPPROTO_TCP}, 2), "IPPROTO_TCP");
  EXPECT_EQ(arg(SYS_socket, {AF_INET6, SOCK_DGRAM, IPPROTO_IP}, 2), "IPPROTO_IP");
  EXPECT_EQ(arg(SYS_socket, {AF_NETLINK, SOCK_RAW, NETLINK_ROUTE}, 2), "NETLINK_ROUTE");
  EXPECT_EQ(arg(SYS_socket, {AF_NETLINK, SOCK_RAW, NETLINK_AUDIT}, 2, true), "\"NETLINK_AUDIT\"");
  EXPECT_EQ(arg(SYS_socket, {AF_UNIX, SOCK_STREAM, 0}, 2, true), "0");
  EXPECT_EQ(arg(SYS_socketpair, {AF_UNIX, SOCK_STREAM, 0, 0x1000}, 2), "0");
  EXPECT_EQ(arg(SYS_socket, {AF_INET, SOCK_RAW, 253}, 2), "253");  // no name: a number
}

TEST(Choices, SockoptNameByLevel) {
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_TCP, TCP_NODELAY, 0x1000, 4}, 2), "TCP_NODELAY");
  EXPECT_EQ(arg(SYS_getsockopt, {3, SOL_SOCKET, SO_ERROR, 0x1000, 0x2000}, 2), "SO_ERROR");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_SOCKET, SO_RCVTIMEO_OLD, 0x1000, 16}, 2), "SO_RCVTIMEO");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_IP, IP_TOS, 0x1000, 4}, 2), "IP_TOS");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_IPV6, IPV6_V6ONLY, 0x1000, 4}, 2), "IPV6_V6ONLY");
  // The same number means something else at another level, and nothing known at an unknown one.
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_SOCKET, 1, 0x1000, 4}, 2), "SO_DEBUG");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_TCP, 1, 0x1000, 4}, 2), "TCP_NODELAY");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_NETLINK, 1, 0x1000, 4}, 2), "NETLINK_ADD_MEMBERSHIP");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_NETLINK, NETLINK_EXT_ACK, 0x1000, 4}, 2),
            "NETLINK_EXT_ACK");
  EXPECT_EQ(arg(SYS_setsockopt, {3, SOL_TIPC, 1, 0x1000, 4}, 2, true), "1");
  // The level is a C int: upper register bits do not change the choice.
  EXPECT_EQ(arg(SYS_getsockopt, {3, 0xffffffff00000000ull | SOL_SOCKET, SO_TYPE, 0, 0}, 2),
            "SO_TYPE");
}

TEST(Choices, FutexVal3ByCommand) {
  constexpr uint64_t kAny = FUTEX_BITSET_MATCH_ANY;
  // The command is chosen without the flag bits: the private and realtime variants too.
  EXPECT_EQ(arg(SYS_futex, {0x1000, FUTEX_WAIT_BITSET, 0, 0, 0, kAny}, 5),
            "FUTEX_BITSET_MATCH_ANY");
  EXPECT_EQ(
      arg(SYS_futex, {0x1000, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, 0, 0, kAny}, 5),
      "FUTEX_BITSET_MATCH_ANY");
  EXPECT_EQ(arg(SYS_futex, {0x1000, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, 0, 0x4}, 5), "0x4");
  EXPECT_EQ(arg(SYS_futex, {0x1000, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x2000, 0x4000001}, 5),
            "0x4000001");
}

TEST(Choices, PrctlArg2ByOption) {
  EXPECT_EQ(arg(SYS_prctl, {PR_CAPBSET_READ, CAP_MAC_OVERRIDE, 0, 0, 0}, 1), "CAP_MAC_OVERRIDE");
  EXPECT_EQ(arg(SYS_prctl, {PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0}, 1), "SIGKILL");
  EXPECT_EQ(arg(SYS_prctl, {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0}, 1, true), "1");
  EXPECT_EQ(arg(SYS_prctl, {PR_GET_PDEATHSIG, 0x7ffd0000, 0, 0, 0}, 1), "0x7ffd0000");
}

// getsockopt's value (struct:sockopt:out): *optlen bytes after the call, an int as [value].
std::string getsockopt_value(int32_t optlen, const void* value, int64_t ret) {
  constexpr uint64_t kVal = 0x1000, kLen = 0x2000;
  SyscallEvent ev;
  ev.nr = SYS_getsockopt;
  uint64_t args[] = {3, SOL_SOCKET, SO_ERROR, kVal, kLen};
  std::copy(std::begin(args), std::end(args), ev.args.begin());
  ev.ret = ret;
  ev.captures.add(kLen, &optlen, sizeof(optlen));
  if (value != nullptr) ev.captures.add(kVal, value, static_cast<size_t>(optlen));
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  return json(call.args[3]);
}

// setsockopt's value (struct:sockopt_in:in:optlen): optlen bytes, an int as [value].
std::string setsockopt_value(const void* value, uint32_t optlen) {
  constexpr uint64_t kVal = 0x1000;
  SyscallEvent ev;
  ev.nr = SYS_setsockopt;
  uint64_t args[] = {3, SOL_TCP, TCP_NODELAY, kVal, optlen};
  std::copy(std::begin(args), std::end(args), ev.args.begin());
  ev.ret = 0;
  if (value != nullptr) ev.captures.add(kVal, value, optlen);
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  return json(call.args[3]);
}

TEST(Choices, SetsockoptValue) {
  const int32_t one = 1;
  EXPECT_EQ(setsockopt_value(&one, 4), "[1]");
  const int32_t linger[2] = {1, 7};
  EXPECT_EQ(setsockopt_value(linger, 8),
            "\"\\u0001\\u0000\\u0000\\u0000\\u0007\\u0000\\u0000\\u0000\"");
  EXPECT_EQ(setsockopt_value(nullptr, 4), "\"0x1000\"");  // unreadable: the address
}

TEST(Choices, GetsockoptValue) {
  const int32_t err = 111;
  EXPECT_EQ(getsockopt_value(4, &err, 0), "[111]");
  const char cc[] = "cubic";
  EXPECT_EQ(getsockopt_value(5, cc, 0), "\"cubic\"");
  EXPECT_EQ(getsockopt_value(4, nullptr, 0), "\"0x1000\"");    // unreadable: the address
  EXPECT_EQ(getsockopt_value(4, &err, -EBADF), "\"0x1000\"");  // failed: not written
}

}  // namespace
}  // namespace dtruss
