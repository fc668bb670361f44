// Sockets on a real traced program and on both backends: socket's protocol by family and the
// socket options' names and values by level (tests/fixtures/selected_args.c), the option structs
// set and got, getsockopt's value *optlen bytes long (pointer_args.c). The eBPF backend decodes
// only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void check_protocols(const std::vector<json>& socks) {
  ASSERT_EQ(socks.size(), 3u);
  EXPECT_EQ(socks[0]["args"]["protocol"], "IPPROTO_TCP");
  EXPECT_EQ(socks[1]["args"]["family"], "AF_NETLINK");
  EXPECT_EQ(socks[1]["args"]["protocol"], "NETLINK_ROUTE");
  EXPECT_EQ(socks[2]["args"]["protocol"], 0) << "AF_UNIX's protocol is a number";
}

void check_options(const std::vector<json>& all) {
  auto sets = syscalls(all, "setsockopt");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0]["args"]["level"], "SOL_TCP");
  EXPECT_EQ(sets[0]["args"]["optname"], "TCP_NODELAY");
  EXPECT_EQ(sets[0]["args"]["optval"], json::parse("[1]"));
  EXPECT_EQ(sets[1]["args"]["optname"], "SO_LINGER");
  EXPECT_EQ(sets[1]["args"]["optval"], json::parse(R"({"l_onoff":1,"l_linger":7})"));
  auto gets = syscalls(all, "getsockopt");
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0]["args"]["optname"], "SO_TYPE");
  EXPECT_EQ(gets[0]["args"]["optval"], json::parse("[1]"));  // SOCK_STREAM
  EXPECT_EQ(gets[0]["args"]["optlen"], json::parse("[4]"));
}

void check_sockopts(const std::vector<json>& all) {
  auto lingers = calls_where(all, "setsockopt", "optname", "SO_LINGER");
  ASSERT_EQ(lingers.size(), 1u);
  EXPECT_EQ(lingers[0]["args"]["optval"], json::parse(R"({"l_onoff":1,"l_linger":9})"));
  // getsockopt's value is *optlen (8) bytes after the call: a struct, captured whole.
  auto got = calls_where(all, "getsockopt", "optname", "SO_LINGER");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["args"]["optval"], json::parse(R"({"l_onoff":1,"l_linger":9})"));
  EXPECT_EQ(got[0]["args"]["optlen"], json::parse("[8]"));
  auto timeo = calls_where(all, "setsockopt", "optname", "SO_RCVTIMEO");
  ASSERT_EQ(timeo.size(), 1u);
  EXPECT_EQ(timeo[0]["args"]["optval"], json::parse(R"({"tv_sec":3,"tv_usec":500000})"));
  auto cc = calls_where(all, "setsockopt", "optname", "TCP_CONGESTION");
  ASSERT_EQ(cc.size(), 1u);
  EXPECT_EQ(cc[0]["args"]["optval"], "reno");
  auto cc_get = calls_where(all, "getsockopt", "optname", "TCP_CONGESTION");
  ASSERT_EQ(cc_get.size(), 1u);
  EXPECT_EQ(cc_get[0]["args"]["optval"], "reno");
  EXPECT_EQ(cc_get[0]["args"]["optlen"], json::parse("[16]"));
  auto mreq = calls_where(all, "setsockopt", "optname", "IP_ADD_MEMBERSHIP");
  ASSERT_EQ(mreq.size(), 1u);
  EXPECT_EQ(mreq[0]["args"]["optval"],
            json::parse(R"({"imr_multiaddr":"224.0.0.251","imr_interface":"127.0.0.1"})"));
}

class Sockets : public BackendTest {};

TEST_P(Sockets, ProtocolByFamily) {
  check_protocols(syscalls(fixture_calls(GetParam(), "selected_args"), "socket"));
}

TEST_P(Sockets, SockoptNamesAndValues) {
  const auto all = fixture_calls(GetParam(), "selected_args");
  check_options(all);
}

TEST_P(Sockets, SockoptStructsAndLengths) {
  const auto all = fixture_calls(GetParam(), "pointer_args");
  check_sockopts(all);
}

INSTANTIATE_BACKENDS(Sockets);

}  // namespace
}  // namespace e2e
