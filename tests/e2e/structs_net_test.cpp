// What dtruss decodes of the net family's structs in a real trace (fixture structs_net): sendmsg
// and recvmsg over a Unix socket pair with two iovecs and a passed fd, poll, epoll, select, and a
// TCP connection on 127.0.0.1 (getsockname, connect, accept4, writev, readv), field by field
// through --json.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

struct Trace {
  int port = -1;  // what the fixture printed
  std::vector<json> events;
};

Trace trace_fixture() {
  Trace t;
  auto r = run_traced({"--json", fixture("structs_net")});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const auto& l : lines(r.out))
    if (l.rfind("port ", 0) == 0) t.port = std::stoi(l.substr(5));
  t.events = json_lines(r.trace);
  return t;
}

TEST(StructsNet, UnixSendmsgRecvmsgWithTwoIovecsAndScmRights) {
  Trace t = trace_fixture();
  SCOPED_TRACE(dump(t.events));

  json pipe = only(t.events, "pipe2");
  ASSERT_TRUE(pipe["args"]["fildes"].is_array());
  int passed = pipe["args"]["fildes"][0].get<int>();
  json pair = only(t.events, "socketpair");
  ASSERT_TRUE(pair["args"]["usockvec"].is_array());
  int s0 = pair["args"]["usockvec"][0].get<int>();
  int s1 = pair["args"]["usockvec"][1].get<int>();

  json snd = only(t.events, "sendmsg");
  EXPECT_EQ(snd["args"]["fd"], s0);
  EXPECT_EQ(snd["ret"], 11);
  const json& sm = snd["args"]["msg"];
  ASSERT_TRUE(sm.is_object()) << sm;
  EXPECT_TRUE(sm["msg_name"].is_null());
  EXPECT_EQ(sm["msg_iovlen"], 2);
  EXPECT_EQ(sm["msg_iov"], json::parse(R"([{"iov_base":"hello","iov_len":5},
                                             {"iov_base":"world!","iov_len":6}])"));
  ASSERT_TRUE(sm["msg_control"].is_array());
  ASSERT_EQ(sm["msg_control"].size(), 1u);
  const json& cm = sm["msg_control"][0];
  EXPECT_EQ(cm["cmsg_level"], "SOL_SOCKET");
  EXPECT_EQ(cm["cmsg_type"], "SCM_RIGHTS");
  EXPECT_EQ(cm["cmsg_len"], 20);
  EXPECT_EQ(cm["cmsg_data"], json::array({passed}));
  EXPECT_EQ(sm["msg_controllen"], 24);

  json rcv = only(t.events, "recvmsg");
  EXPECT_EQ(rcv["args"]["fd"], s1);
  EXPECT_EQ(rcv["args"]["flags"], "MSG_CMSG_CLOEXEC");
  EXPECT_EQ(rcv["ret"], 11);
  const json& rm = rcv["args"]["msg"];
  ASSERT_TRUE(rm.is_object()) << rm;
  // The 11 bytes as they were spread over a 5- and a 16-byte buffer.
  EXPECT_EQ(rm["msg_iov"], json::parse(R"([{"iov_base":"hello","iov_len":5},
                                             {"iov_base":"world!","iov_len":16}])"));
  ASSERT_TRUE(rm["msg_control"].is_array());
  ASSERT_EQ(rm["msg_control"].size(), 1u);
  const json& rc = rm["msg_control"][0];
  EXPECT_EQ(rc["cmsg_type"], "SCM_RIGHTS");
  ASSERT_TRUE(rc["cmsg_data"].is_array());
  ASSERT_EQ(rc["cmsg_data"].size(), 1u);
  int received = rc["cmsg_data"][0].get<int>();
  EXPECT_GE(received, 3);
  EXPECT_NE(received, passed);
  // The received fd is the one the fixture closes.
  bool closed = false;
  for (const auto& e : syscalls(t.events, "close"))
    if (e["args"]["fd"] == received) closed = true;
  EXPECT_TRUE(closed) << "no close(" << received << ")";
}

TEST(StructsNet, PollEpollAndSelect) {
  Trace t = trace_fixture();
  SCOPED_TRACE(dump(t.events));
  json pair = only(t.events, "socketpair");
  ASSERT_TRUE(pair["args"]["usockvec"].is_array());
  int s0 = pair["args"]["usockvec"][0].get<int>();
  int s1 = pair["args"]["usockvec"][1].get<int>();

  json poll = only(t.events, "poll");
  EXPECT_EQ(poll["ret"], 2);
  EXPECT_EQ(poll["args"]["nfds"], 2);
  // As passed (the events asked for), then as written back (the events that happened).
  EXPECT_EQ(poll["args"]["ufds"],
            json::array({{{"fd", s0}, {"events", "POLLIN"}}, {{"fd", s1}, {"events", "POLLOUT"}}}));
  EXPECT_EQ(poll["after"]["ufds"], json::array({{{"fd", s0}, {"revents", "POLLIN"}},
                                                {{"fd", s1}, {"revents", "POLLOUT"}}}));

  json create = only(t.events, "epoll_create1");
  int ep = create["ret"].get<int>();
  json ctl = only(t.events, "epoll_ctl");
  EXPECT_EQ(ctl["args"]["epfd"], ep);
  EXPECT_EQ(ctl["args"]["op"], "EPOLL_CTL_ADD");
  EXPECT_EQ(ctl["args"]["fd"], s0);
  EXPECT_EQ(ctl["args"]["event"], json({{"events", "EPOLLIN"}, {"data", "0x1234abcd"}}));
  json wait = only(t.events, "epoll_wait");
  EXPECT_EQ(wait["ret"], 1);
  EXPECT_EQ(wait["args"]["events"], json::array({{{"events", "EPOLLIN"}, {"data", "0x1234abcd"}}}));

  json sel = only(t.events, "select");
  EXPECT_EQ(sel["args"]["n"], s0 + 1);
  EXPECT_EQ(sel["ret"], 1);
  EXPECT_EQ(sel["args"]["inp"], json::array({s0}));   // the set asked about
  EXPECT_EQ(sel["after"]["inp"], json::array({s0}));  // the ready set, written back
  EXPECT_TRUE(sel["args"]["outp"].is_null());
  EXPECT_TRUE(sel["args"]["exp"].is_null());
}

TEST(StructsNet, TcpAddressesAndVectoredIo) {
  Trace t = trace_fixture();
  SCOPED_TRACE(dump(t.events));
  ASSERT_GT(t.port, 0) << "the fixture printed no port";
  json inet_any = {{"sa_family", "AF_INET"}, {"sin_port", 0}, {"sin_addr", "127.0.0.1"}};
  json inet_port = {{"sa_family", "AF_INET"}, {"sin_port", t.port}, {"sin_addr", "127.0.0.1"}};

  json bind = only(t.events, "bind");
  EXPECT_EQ(bind["args"]["umyaddr"], inet_any);
  EXPECT_EQ(bind["args"]["addrlen"], 16);

  json gsn = only(t.events, "getsockname");
  EXPECT_EQ(gsn["args"]["usockaddr"], inet_port);
  EXPECT_EQ(gsn["args"]["usockaddr_len"], json::array({16}));   // the room passed
  EXPECT_EQ(gsn["after"]["usockaddr_len"], json::array({16}));  // the length written back

  json conn = only(t.events, "connect");
  EXPECT_EQ(conn["ret"], 0);
  const json& sa = conn["args"]["uservaddr"];
  EXPECT_EQ(sa["sa_family"], "AF_INET");
  EXPECT_EQ(sa["sin_addr"], "127.0.0.1");
  EXPECT_EQ(sa["sin_port"], t.port);
  EXPECT_EQ(conn["args"]["addrlen"], 16);

  json acc = only(t.events, "accept4");
  EXPECT_EQ(acc["args"]["flags"], "SOCK_CLOEXEC");
  const json& peer = acc["args"]["upeer_sockaddr"];
  EXPECT_EQ(peer["sa_family"], "AF_INET");
  EXPECT_EQ(peer["sin_addr"], "127.0.0.1");
  ASSERT_TRUE(peer["sin_port"].is_number_integer()) << peer;
  EXPECT_GT(peer["sin_port"].get<int>(), 0);
  EXPECT_NE(peer["sin_port"].get<int>(), t.port);
  EXPECT_EQ(acc["args"]["upeer_addrlen"], json::array({16}));
  EXPECT_EQ(acc["after"]["upeer_addrlen"], json::array({16})) << acc;
  int a = acc["ret"].get<int>();

  json wv = only(t.events, "writev");
  EXPECT_EQ(wv["ret"], 9);
  EXPECT_EQ(wv["args"]["fd"], conn["args"]["fd"]);
  EXPECT_EQ(wv["args"]["vlen"], 2);
  EXPECT_EQ(wv["args"]["vec"], json::parse(R"([{"iov_base":"ping ","iov_len":5},
                                                 {"iov_base":"pong","iov_len":4}])"));

  json rv = only(t.events, "readv");
  EXPECT_EQ(rv["ret"], 9);
  EXPECT_EQ(rv["args"]["fd"], a);
  EXPECT_EQ(rv["args"]["vec"], json::parse(R"([{"iov_base":"ping","iov_len":4},
                                                 {"iov_base":" pong","iov_len":16}])"));
}

}  // namespace
}  // namespace e2e
