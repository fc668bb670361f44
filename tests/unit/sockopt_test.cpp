// Socket option values by level and name (set and get, getsockopt's length from *optlen after
// the call); decoded from crafted bytes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/time_types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

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

}  // namespace
}  // namespace dtruss::unit
