// Arguments whose meaning another argument selects (`by:ARG:TABLE` in overrides.txt), and socket
// option values, on a real traced program and on both backends: what strace names, dtruss names.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

// The calls of the fixture that `name` selects, in order.
std::vector<json> trace_fixture(const std::string& backend, const std::string& name) {
  auto r = run_traced({"--backend=" + backend, "--json", fixture("selected_args")});
  EXPECT_EQ(r.status, 0) << r.err;
  return syscalls(json_lines(r.trace), name);
}

void check_sockets(const std::string& backend) {
  auto socks = trace_fixture(backend, "socket");
  ASSERT_EQ(socks.size(), 3u);
  EXPECT_EQ(socks[0]["args"]["protocol"], "IPPROTO_TCP");
  EXPECT_EQ(socks[1]["args"]["family"], "AF_NETLINK");
  EXPECT_EQ(socks[1]["args"]["protocol"], "NETLINK_ROUTE");
  EXPECT_EQ(socks[2]["args"]["protocol"], 0) << "AF_UNIX's protocol is a number";
}

void check_sockopts(const std::string& backend) {
  auto sets = trace_fixture(backend, "setsockopt");
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0]["args"]["level"], "SOL_TCP");
  EXPECT_EQ(sets[0]["args"]["optname"], "TCP_NODELAY");
  EXPECT_EQ(sets[0]["args"]["optval"], json::parse("[1]"));
  EXPECT_EQ(sets[1]["args"]["optname"], "SO_LINGER");
  EXPECT_EQ(sets[1]["args"]["optval"], json::parse(R"({"l_onoff":1,"l_linger":7})"));
  auto gets = trace_fixture(backend, "getsockopt");
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0]["args"]["optname"], "SO_TYPE");
  EXPECT_EQ(gets[0]["args"]["optval"], json::parse("[1]"));  // SOCK_STREAM
  EXPECT_EQ(gets[0]["args"]["optlen"], json::parse("[4]"));
}

void check_fcntl(const std::string& backend) {
  auto calls = trace_fixture(backend, "fcntl");
  std::vector<json> ours;  // the C library may make fcntl calls of its own first
  for (const auto& c : calls)
    if (c["args"]["fd"] == calls.back()["args"]["fd"]) ours.push_back(c);
  ASSERT_GE(ours.size(), 4u);
  ours.erase(ours.begin(), ours.end() - 4);
  EXPECT_EQ(ours[0]["args"]["cmd"], "F_SETFL");
  EXPECT_EQ(ours[0]["args"]["arg"], "O_RDWR|O_NONBLOCK");
  EXPECT_EQ(ours[1]["args"]["cmd"], "F_SETFD");
  EXPECT_EQ(ours[1]["args"]["arg"], "FD_CLOEXEC");
  EXPECT_EQ(ours[2]["args"]["cmd"], "F_DUPFD_CLOEXEC");
  EXPECT_EQ(ours[2]["args"]["arg"], 50) << "an fd, as a number";
  EXPECT_GE(ours[2]["ret"].get<int>(), 50);
  EXPECT_EQ(ours[3]["args"]["cmd"], "F_SETSIG");
  EXPECT_EQ(ours[3]["args"]["arg"], "SIGUSR1");
}

TEST(SelectedArgs, SocketProtocolByFamily) {
  check_sockets("ptrace");
}
TEST(SelectedArgs, SockoptNamesAndValues) {
  check_sockopts("ptrace");
}
TEST(SelectedArgs, FcntlArgByCommand) {
  check_fcntl("ptrace");
}

TEST(SelectedArgs, SocketProtocolByFamilyBpf) {
  REQUIRE_BPF();
  check_sockets("bpf");
}
TEST(SelectedArgs, SockoptNamesAndValuesBpf) {
  REQUIRE_BPF();
  check_sockopts("bpf");
}
TEST(SelectedArgs, FcntlArgByCommandBpf) {
  REQUIRE_BPF();
  check_fcntl("bpf");
}

}  // namespace
