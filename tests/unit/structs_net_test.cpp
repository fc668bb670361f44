// Struct decoders of the net subjects (src/decode/subjects: sockaddr, msghdr, poll, aio ...) on
// synthetic events: socket addresses of every decoded family (and the argument their length comes
// from), msghdr with iovecs and control messages, mmsghdr, iovec arrays, pollfd, fd_set,
// epoll_event, the AIO structs, sembuf, msgbuf, mq_attr, sigevent, io_uring_params and futex_waitv;
// and hostile memory: huge counts, bogus control message lengths, address lengths of 0 or beyond
// sockaddr_storage, short captures. The bytes are built with glibc's own structs and macros
// (<sys/socket.h> CMSG_*, <netinet/in.h>, <sys/un.h>, ...): an independent check of the decoder's
// layouts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <linux/if_packet.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "decode_support.h"
#include "output/render.h"

namespace dtruss {
namespace {

using unit::capture_before;
using unit::json;
using unit::make;
using unit::text;

constexpr uint64_t kAddr = 0x1000;   // the struct argument
constexpr uint64_t kLen = 0x2000;    // an int length argument
constexpr uint64_t kIov = 0x3000;    // an iovec array
constexpr uint64_t kData1 = 0x4000;  // buffers
constexpr uint64_t kData2 = 0x5000;
constexpr uint64_t kCtl = 0x6000;   // msg_control
constexpr uint64_t kName = 0x7000;  // msg_name

template <typename T>
void put(SyscallEvent& ev, uint64_t addr, const T& v) {
  ev.captures.add(addr, &v, sizeof v);
}

// An in/out argument that the call left as it was: the same bytes at entry and after.
template <typename T>
void put_both(SyscallEvent& ev, uint64_t addr, const T& v) {
  ev.before.add(addr, &v, sizeof v);
  ev.captures.add(addr, &v, sizeof v);
}

void* ptr(uint64_t a) {
  return reinterpret_cast<void*>(a);
}

DecodedCall decode(const SyscallEvent& ev, size_t strsize = 64, bool verbose = false) {
  DecodedCall call;
  Decoder({strsize, verbose}).decode(ev, call);
  return call;
}

sockaddr_in inet4(const char* ip, uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  inet_pton(AF_INET, ip, &in.sin_addr);
  return in;
}

// ---------------------------------------------------------------------------------------------
// Socket addresses.

TEST(StructsNet, ConnectInet) {
  auto ev = make(SYS_connect, {3, kAddr, sizeof(sockaddr_in)}, 0);
  put(ev, kAddr, inet4("127.0.0.1", 80));
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "{sa_family=AF_INET, sin_port=80, sin_addr=\"127.0.0.1\"}");
  EXPECT_EQ(json(call.args[1]),
            "{\"sa_family\":\"AF_INET\",\"sin_port\":80,\"sin_addr\":\"127.0.0.1\"}");
  EXPECT_EQ(text(call.args[2]), "16");
}

TEST(StructsNet, ConnectInet6) {
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  in6.sin6_flowinfo = htonl(7);
  inet_pton(AF_INET6, "::1", &in6.sin6_addr);
  in6.sin6_scope_id = 2;
  auto ev = make(SYS_connect, {3, kAddr, sizeof in6}, 0);
  put(ev, kAddr, in6);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sa_family=AF_INET6, sin6_port=443, sin6_flowinfo=7, sin6_addr=\"::1\", "
            "sin6_scope_id=2}");
  // The old 24-byte form has no scope id.
  ev.args[2] = 24;
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sa_family=AF_INET6, sin6_port=443, sin6_flowinfo=7, sin6_addr=\"::1\"}");
  // A mapped IPv4 address.
  inet_pton(AF_INET6, "::ffff:10.1.2.3", &in6.sin6_addr);
  ev = make(SYS_connect, {3, kAddr, sizeof in6}, 0);
  put(ev, kAddr, in6);
  EXPECT_EQ(json(decode(ev).args[1]),
            "{\"sa_family\":\"AF_INET6\",\"sin6_port\":443,\"sin6_flowinfo\":7,"
            "\"sin6_addr\":\"::ffff:10.1.2.3\",\"sin6_scope_id\":2}");
}

TEST(StructsNet, ConnectUnixPathAbstractAndUnnamed) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/run/x.sock");
  auto ev = make(SYS_connect, {3, kAddr, offsetof(sockaddr_un, sun_path) + 12}, 0);
  put(ev, kAddr, un);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}");
  // Given the whole struct's size: the path still ends at its NUL.
  ev.args[2] = sizeof un;
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}");

  // Abstract: a leading NUL, the name is exactly the given length (no terminator).
  sockaddr_un ab{};
  ab.sun_family = AF_UNIX;
  std::memcpy(ab.sun_path, "\0name", 5);
  ev = make(SYS_bind, {3, kAddr, offsetof(sockaddr_un, sun_path) + 5}, 0);
  put(ev, kAddr, ab);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_UNIX, sun_path=\"@name\"}");

  // Unnamed (only the family).
  ev.args[2] = sizeof(sa_family_t);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_UNIX}");
}

TEST(StructsNet, NetlinkPacketAndOtherFamilies) {
  sockaddr_nl nl{};
  nl.nl_family = AF_NETLINK;
  nl.nl_pid = 1234;
  nl.nl_groups = 0x11;
  auto ev = make(SYS_bind, {3, kAddr, sizeof nl}, 0);
  put(ev, kAddr, nl);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_NETLINK, nl_pid=1234, nl_groups=0x11}");

  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(0x0800);
  ll.sll_ifindex = 2;
  ll.sll_halen = 6;
  const uint8_t mac[] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
  std::memcpy(ll.sll_addr, mac, 6);
  ev = make(SYS_bind, {3, kAddr, sizeof ll}, 0);
  put(ev, kAddr, ll);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sa_family=AF_PACKET, sll_protocol=0x800, sll_ifindex=2, sll_hatype=0, "
            "sll_pkttype=0, sll_addr=\"0242ac110002\"}");

  // A family without a decoder: its bytes in hex.
  uint8_t raw[8] = {};
  sa_family_t fam = AF_BLUETOOTH;
  std::memcpy(raw, &fam, sizeof fam);
  raw[2] = 0xab;
  raw[7] = 0x01;
  ev = make(SYS_connect, {3, kAddr, sizeof raw}, 0);
  ev.captures.add(kAddr, raw, sizeof raw);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_BLUETOOTH, sa_data=\"ab0000000001\"}");

  // An unnamed family number.
  fam = 250;
  std::memcpy(raw, &fam, sizeof fam);
  ev = make(SYS_connect, {3, kAddr, 4}, 0);
  ev.captures.add(kAddr, raw, sizeof raw);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=250, sa_data=\"ab00\"}");
}

TEST(StructsNet, Accept4LengthFromTheIntPointer) {
  auto ev = make(SYS_accept4, {3, kAddr, kLen, SOCK_CLOEXEC}, 4);
  put(ev, kAddr, inet4("192.168.1.20", 51234));
  capture_before(ev, kLen, int32_t{128});
  put(ev, kLen, int32_t{16});
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "{sa_family=AF_INET, sin_port=51234, sin_addr=\"192.168.1.20\"}");
  EXPECT_EQ(text(call.args[2]), "[128]") << "as passed";
  std::string after;
  append_after_text(after, call, TextStyle::Decoded);
  EXPECT_EQ(after, " (addrlen [16])") << "as written back";
  EXPECT_EQ(text(call.args[3]), "SOCK_CLOEXEC");

  // The length written back is too short for even the family: the address.
  ev = make(SYS_accept4, {3, kAddr, kLen, 0}, 4);
  put(ev, kAddr, inet4("192.168.1.20", 51234));
  put(ev, kLen, int32_t{0});
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
  // The length pointer cannot be read: the address.
  ev = make(SYS_accept4, {3, kAddr, kLen, 0}, 4);
  put(ev, kAddr, inet4("192.168.1.20", 51234));
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
  // A failed accept: no address decoded.
  ev = make(SYS_accept4, {3, kAddr, kLen, 0}, -EAGAIN);
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
}

TEST(StructsNet, GetsocknameRecvfromAndSendto) {
  auto ev = make(SYS_getsockname, {3, kAddr, kLen}, 0);
  put(ev, kAddr, inet4("0.0.0.0", 8080));
  put(ev, kLen, int32_t{16});
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_INET, sin_port=8080, sin_addr=\"0.0.0.0\"}");

  ev = make(SYS_recvfrom, {3, kData1, 100, 0, kAddr, kLen}, 3);
  ev.captures.add(kData1, "abc", 3);
  put(ev, kAddr, inet4("10.0.0.1", 53));
  put(ev, kLen, int32_t{16});
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "\"abc\"");
  EXPECT_EQ(text(call.args[4]), "{sa_family=AF_INET, sin_port=53, sin_addr=\"10.0.0.1\"}");

  ev = make(SYS_sendto, {3, kData1, 3, MSG_DONTWAIT, kAddr, 16}, 3);
  ev.captures.add(kData1, "xyz", 3);
  put(ev, kAddr, inet4("10.0.0.2", 5353));
  call = decode(ev);
  EXPECT_EQ(text(call.args[3]), "MSG_DONTWAIT");
  EXPECT_EQ(text(call.args[4]), "{sa_family=AF_INET, sin_port=5353, sin_addr=\"10.0.0.2\"}");
}

TEST(StructsNet, HostileSockaddrLengths) {
  auto ev = make(SYS_connect, {3, kAddr, 0}, -EINVAL);
  put(ev, kAddr, inet4("127.0.0.1", 80));
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
  ev.args[2] = static_cast<uint64_t>(-1);  // negative
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
  ev.args[2] = 1;
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
  // Shorter than sockaddr_in's address: the bytes.
  ev.args[2] = 4;
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_INET, sa_data=\"0050\"}");

  // Longer than sockaddr_storage: cut to it (the capture holds 128 bytes).
  sockaddr_storage ss{};
  sockaddr_in in = inet4("1.2.3.4", 9);
  std::memcpy(&ss, &in, sizeof in);
  ev = make(SYS_connect, {3, kAddr, 100000}, -EINVAL);
  put(ev, kAddr, ss);
  EXPECT_EQ(text(decode(ev).args[1]), "{sa_family=AF_INET, sin_port=9, sin_addr=\"1.2.3.4\"}");
  // A Unix path that fills sun_path with no NUL: cut at the end of sun_path.
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memset(un.sun_path, 'a', sizeof un.sun_path);
  std::memset(&ss, 'b', sizeof ss);
  std::memcpy(&ss, &un, sizeof un);
  ev = make(SYS_connect, {3, kAddr, 500}, -EINVAL);
  put(ev, kAddr, ss);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sa_family=AF_UNIX, sun_path=\"" + std::string(sizeof un.sun_path, 'a') + "\"}");

  // The length says 16 but only 8 bytes were captured: unreadable, shown as the address.
  ev = make(SYS_connect, {3, kAddr, 16}, 0);
  in = inet4("1.2.3.4", 9);
  ev.captures.add(kAddr, &in, 8);
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
}

// ---------------------------------------------------------------------------------------------
// msghdr.

// Two iovecs ("hello", "world!") at kIov, one SCM_RIGHTS control message carrying fd 5 at kCtl.
struct Msg {
  msghdr m{};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
};

Msg two_iov_msg(SyscallEvent& ev) {
  iovec iov[2] = {{ptr(kData1), 5}, {ptr(kData2), 6}};
  ev.captures.add(kIov, iov, sizeof iov);
  ev.captures.add(kData1, "hello", 5);
  ev.captures.add(kData2, "world!", 6);
  Msg msg;
  msg.m.msg_iov = static_cast<iovec*>(ptr(kIov));
  msg.m.msg_iovlen = 2;
  msg.m.msg_control = msg.ctl;
  msg.m.msg_controllen = sizeof msg.ctl;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg.m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  int fd = 5;
  std::memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  ev.captures.add(kCtl, msg.ctl, sizeof msg.ctl);
  msg.m.msg_control = ptr(kCtl);
  return msg;
}

TEST(StructsNet, SendmsgTwoIovecsAndScmRights) {
  auto ev = make(SYS_sendmsg, {3, kAddr, MSG_NOSIGNAL}, 11);
  Msg msg = two_iov_msg(ev);
  put(ev, kAddr, msg.m);
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
            "{iov_base=\"world!\", iov_len=6}], msg_iovlen=2, msg_control=[{cmsg_len=20, "
            "cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[5]}], msg_controllen=24, "
            "msg_flags=0}");
  EXPECT_EQ(text(call.args[2]), "MSG_NOSIGNAL");
  EXPECT_EQ(json(call.args[1]),
            "{\"msg_name\":null,\"msg_namelen\":0,\"msg_iov\":[{\"iov_base\":\"hello\","
            "\"iov_len\":5},{\"iov_base\":\"world!\",\"iov_len\":6}],\"msg_iovlen\":2,"
            "\"msg_control\":[{\"cmsg_len\":20,\"cmsg_level\":\"SOL_SOCKET\",\"cmsg_type\":"
            "\"SCM_RIGHTS\",\"cmsg_data\":[5]}],\"msg_controllen\":24,\"msg_flags\":\"0\"}");
  // Each buffer is cut at strsize.
  EXPECT_EQ(text(decode(ev, 3).args[1]).substr(0, 103),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hel\"..., iov_len=5}, "
            "{iov_base=\"wor\"..., iov_len=6}]");
}

TEST(StructsNet, RecvmsgDataUpToTheReturnValueAndName) {
  auto ev = make(SYS_recvmsg, {3, kAddr, MSG_CMSG_CLOEXEC}, 7);
  Msg msg = two_iov_msg(ev);
  msg.m.msg_flags = MSG_CTRUNC;
  msg.m.msg_name = ptr(kName);
  msg.m.msg_namelen = sizeof(sockaddr_in);
  put(ev, kName, inet4("127.0.0.1", 7));
  put(ev, kAddr, msg.m);
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]),
            "{msg_name={sa_family=AF_INET, sin_port=7, sin_addr=\"127.0.0.1\"}, msg_namelen=16, "
            "msg_iov=[{iov_base=\"hello\", iov_len=5}, {iov_base=\"wo\", iov_len=6}], "
            "msg_iovlen=2, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, "
            "cmsg_type=SCM_RIGHTS, cmsg_data=[5]}], msg_controllen=24, msg_flags=MSG_CTRUNC}");
  EXPECT_EQ(text(call.args[2]), "MSG_CMSG_CLOEXEC");
  // Nothing received: empty buffers.
  ev.ret = 0;
  EXPECT_NE(text(decode(ev).args[1])
                .find("msg_iov=[{iov_base=\"\", iov_len=5}, "
                      "{iov_base=\"\", iov_len=6}]"),
            std::string::npos);
  // Failed: the address only.
  ev.ret = -EAGAIN;
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
}

TEST(StructsNet, ScmCredentialsAndOtherControlMessages) {
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int))] = {};
  msghdr m{};
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  cmsghdr* cm = CMSG_FIRSTHDR(&m);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_CREDENTIALS;
  cm->cmsg_len = CMSG_LEN(sizeof(ucred));
  ucred cr{42, 1000, 100};
  std::memcpy(CMSG_DATA(cm), &cr, sizeof cr);
  cm = CMSG_NXTHDR(&m, cm);
  ASSERT_NE(cm, nullptr);
  cm->cmsg_level = IPPROTO_IP;
  cm->cmsg_type = IP_TTL;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  auto ev = make(SYS_recvmsg, {3, kAddr, 0}, 0);
  ev.captures.add(kCtl, ctl, sizeof ctl);
  m.msg_control = ptr(kCtl);
  put(ev, kAddr, m);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, msg_control=[{cmsg_len=28, "
            "cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=42, uid=1000, "
            "gid=100}}, {cmsg_len=20, cmsg_level=SOL_IP, cmsg_type=2}], msg_controllen=56, "
            "msg_flags=0}");
}

TEST(StructsNet, HostileMsghdr) {
  // msg_iovlen far beyond the array: the iovecs that can be read, then "...".
  auto ev = make(SYS_sendmsg, {3, kAddr, 0}, 11);
  Msg msg = two_iov_msg(ev);
  msg.m.msg_iovlen = size_t{1} << 60;
  msg.m.msg_control = nullptr;
  msg.m.msg_controllen = 0;
  put(ev, kAddr, msg.m);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
            "{iov_base=\"world!\", iov_len=6}, ...], msg_iovlen=1152921504606846976, "
            "msg_control=NULL, msg_controllen=0, msg_flags=0}");

  // cmsg_len beyond msg_controllen: the header, no data, and no further messages.
  ev = make(SYS_sendmsg, {3, kAddr, 0}, 11);
  msg = two_iov_msg(ev);
  msg.m.msg_iov = nullptr;
  msg.m.msg_iovlen = 0;
  cmsghdr bogus{};
  bogus.cmsg_len = 1000;
  bogus.cmsg_level = SOL_SOCKET;
  bogus.cmsg_type = SCM_RIGHTS;
  ev.captures.add(kCtl + 100, &bogus, sizeof bogus);  // (elsewhere: kCtl keeps a good one)
  msg.m.msg_control = ptr(kCtl + 100);
  msg.m.msg_controllen = sizeof bogus;
  put(ev, kAddr, msg.m);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, msg_control=[{"
            "cmsg_len=1000, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS}], msg_controllen=16, "
            "msg_flags=0}");

  // cmsg_len smaller than its own header: shown, and the walk stops there.
  bogus.cmsg_len = 3;
  ev = make(SYS_sendmsg, {3, kAddr, 0}, 11);
  ev.captures.add(kCtl, &bogus, sizeof bogus);
  msghdr m{};
  m.msg_control = ptr(kCtl);
  m.msg_controllen = 64;  // longer than what can be read
  put(ev, kAddr, m);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, msg_control=[{"
            "cmsg_len=3, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS}, ...], "
            "msg_controllen=64, msg_flags=0}");

  // A huge msg_controllen and cmsg_len: at most a page of control data is read, and at most
  // SCM_MAX_FD (253) descriptors shown.
  ev = make(SYS_sendmsg, {3, kAddr, 0}, 11);
  std::vector<char> big(8192, 0);
  cmsghdr h{};
  h.cmsg_len = SIZE_MAX;
  h.cmsg_level = SOL_SOCKET;
  h.cmsg_type = SCM_RIGHTS;
  std::memcpy(big.data(), &h, sizeof h);
  ev.captures.add(kCtl, big.data(), big.size());
  m.msg_controllen = SIZE_MAX;
  put(ev, kAddr, m);
  std::string t = text(decode(ev).args[1]);
  EXPECT_NE(t.find("msg_control=[{cmsg_len=18446744073709551615, cmsg_level=SOL_SOCKET, "
                   "cmsg_type=SCM_RIGHTS, cmsg_data=[0, 0, "),
            std::string::npos)
      << t;
  std::string fds = "cmsg_data=[";
  for (int i = 0; i < 253; ++i) fds += "0, ";
  EXPECT_NE(t.find(fds + "...]}, ...], msg_controllen=18446744073709551615"), std::string::npos)
      << t;

  // msg_name with a namelen past sockaddr_storage, and an unreadable msg_control.
  ev = make(SYS_sendmsg, {3, kAddr, 0}, 0);
  m = msghdr{};
  m.msg_name = ptr(kName);
  m.msg_namelen = 4000;
  sockaddr_storage ss{};
  sockaddr_in in = inet4("8.8.8.8", 53);
  std::memcpy(&ss, &in, sizeof in);
  put(ev, kName, ss);
  m.msg_control = ptr(0xbad000);
  m.msg_controllen = 24;
  put(ev, kAddr, m);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{msg_name={sa_family=AF_INET, sin_port=53, sin_addr=\"8.8.8.8\"}, "
            "msg_namelen=4000, msg_iov=NULL, msg_iovlen=0, msg_control=0xbad000, "
            "msg_controllen=24, msg_flags=0}");

  // The msghdr itself cut short.
  ev = make(SYS_sendmsg, {3, kAddr, 0}, 0);
  ev.captures.add(kAddr, &m, 20);
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
}

TEST(StructsNet, SendmmsgAndRecvmmsg) {
  auto ev = make(SYS_recvmmsg, {3, kAddr, 8, 0, 0}, 1);
  Msg msg = two_iov_msg(ev);
  msg.m.msg_control = nullptr;
  msg.m.msg_controllen = 0;
  mmsghdr mm[2] = {};
  mm[0].msg_hdr = msg.m;
  mm[0].msg_len = 6;
  put(ev, kAddr, mm);
  EXPECT_EQ(text(decode(ev).args[1]),
            "[{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
            "{iov_base=\"w\", iov_len=6}], msg_iovlen=2, msg_control=NULL, msg_controllen=0, "
            "msg_flags=0}, msg_len=6}]");

  ev = make(SYS_sendmmsg, {3, kAddr, 2, 0}, 2);
  msg = two_iov_msg(ev);
  msg.m.msg_control = nullptr;
  msg.m.msg_controllen = 0;
  mm[0].msg_hdr = msg.m;
  mm[0].msg_len = 0;
  mm[1].msg_hdr = msg.m;
  mm[1].msg_hdr.msg_iovlen = 1;
  put(ev, kAddr, mm);
  EXPECT_EQ(text(decode(ev).args[1]),
            "[{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
            "{iov_base=\"world!\", iov_len=6}], msg_iovlen=2, msg_control=NULL, "
            "msg_controllen=0, msg_flags=0}, msg_len=0}, {msg_hdr={msg_name=NULL, "
            "msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}], msg_iovlen=1, "
            "msg_control=NULL, msg_controllen=0, msg_flags=0}, msg_len=0}]");
}

// ---------------------------------------------------------------------------------------------
// iovec arrays.

TEST(StructsNet, WritevAndReadv) {
  auto ev = make(SYS_writev, {3, kIov, 2}, 11);
  iovec iov[2] = {{ptr(kData1), 5}, {ptr(kData2), 6}};
  put(ev, kIov, iov);
  ev.captures.add(kData1, "hello", 5);
  ev.captures.add(kData2, "world!", 6);
  EXPECT_EQ(text(decode(ev).args[1]),
            "[{iov_base=\"hello\", iov_len=5}, {iov_base=\"world!\", iov_len=6}]");
  EXPECT_EQ(json(decode(ev).args[1]),
            "[{\"iov_base\":\"hello\",\"iov_len\":5},{\"iov_base\":\"world!\",\"iov_len\":6}]");
  EXPECT_EQ(text(decode(ev, 4).args[1]),
            "[{iov_base=\"hell\"..., iov_len=5}, {iov_base=\"worl\"..., iov_len=6}]");

  // readv: the data only as far as the return value.
  ev.nr = SYS_readv;
  ev.ret = 8;
  EXPECT_EQ(text(decode(ev).args[1]),
            "[{iov_base=\"hello\", iov_len=5}, {iov_base=\"wor\", iov_len=6}]");
  ev.ret = -EINTR;
  EXPECT_EQ(text(decode(ev).args[1]), "0x3000");

  // preadv2 and pwritev2 share the layout.
  ev = make(SYS_pwritev2, {3, kIov, 1, 0, 0, 0}, 5);
  put(ev, kIov, iov);
  ev.captures.add(kData1, "hello", 5);
  EXPECT_EQ(text(decode(ev).args[1]), "[{iov_base=\"hello\", iov_len=5}]");
}

TEST(StructsNet, ProcessVmReadvRemoteVectorIsAddressesOnly) {
  iovec local{ptr(kData1), 4}, remote{ptr(0x7f0000000000), 4};
  auto ev = make(SYS_process_vm_readv, {1234, kIov, 1, kIov + 0x100, 1, 0}, 4);
  put(ev, kIov, local);
  put(ev, kIov + 0x100, remote);
  ev.captures.add(kData1, "data", 4);
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "[{iov_base=\"data\", iov_len=4}]");
  EXPECT_EQ(text(call.args[3]), "[{iov_base=0x7f0000000000, iov_len=4}]");
}

TEST(StructsNet, HostileIovecs) {
  // A count far beyond what exists; buffers that cannot be read; a NULL base.
  iovec iov[3] = {{ptr(kData1), 5}, {ptr(0xdead0000), 3}, {nullptr, 0}};
  auto ev = make(SYS_writev, {3, kIov, 1000000}, -EFAULT);
  put(ev, kIov, iov);
  ev.captures.add(kData1, "hello", 5);
  EXPECT_EQ(text(decode(ev).args[1]),
            "[{iov_base=\"hello\", iov_len=5}, {iov_base=0xdead0000, iov_len=3}, "
            "{iov_base=NULL, iov_len=0}, ...]");
  // Nothing readable at all.
  ev = make(SYS_writev, {3, 0xbad000, 2}, 0);
  EXPECT_EQ(text(decode(ev).args[1]), "0xbad000");
  // A huge iov_len with a readv return value of a few bytes.
  iovec huge{ptr(kData1), SIZE_MAX};
  ev = make(SYS_readv, {3, kIov, 1}, 3);
  put(ev, kIov, huge);
  ev.captures.add(kData1, "hello", 5);
  EXPECT_EQ(text(decode(ev).args[1]), "[{iov_base=\"hel\", iov_len=18446744073709551615}]");
}

// ---------------------------------------------------------------------------------------------
// poll, select, epoll.

TEST(StructsNet, PollWithRevents) {
  pollfd fds[3] = {{3, POLLIN, POLLIN}, {4, POLLIN | POLLOUT, 0}, {-1, POLLIN, 0}};
  pollfd asked[3] = {{3, POLLIN, 0}, {4, POLLIN | POLLOUT, 0}, {-1, POLLIN, 0}};
  auto ev = make(SYS_poll, {kAddr, 3, 1000}, 1);
  capture_before(ev, kAddr, asked);
  put(ev, kAddr, fds);
  auto call = decode(ev);
  // As passed: the events asked for; after the result, the descriptors with revents.
  EXPECT_EQ(text(call.args[0]),
            "[{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}, {fd=-1, events=POLLIN}]");
  EXPECT_EQ(text(call.after[0]), "[{fd=3, revents=POLLIN}]");
  EXPECT_EQ(json(call.after[0]), "[{\"fd\":3,\"revents\":\"POLLIN\"}]");
  EXPECT_EQ(json(call.args[0]),
            "[{\"fd\":3,\"events\":\"POLLIN\"},{\"fd\":4,"
            "\"events\":\"POLLIN|POLLOUT\"},{\"fd\":-1,\"events\":\"POLLIN\"}]");
  // ppoll; a count beyond the capture.
  ev = make(SYS_ppoll, {kAddr, 5, 0, 0, 8}, 0);
  capture_before(ev, kAddr, asked);
  put(ev, kAddr, fds);
  call = decode(ev);
  EXPECT_EQ(text(call.args[0]),
            "[{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}, {fd=-1, events=POLLIN}, ...]");
  EXPECT_EQ(text(call.after[0]), "[{fd=3, revents=POLLIN}, ...]") << "the rest unread";
  // Failed: the caller's input, without revents (an in/out argument, as strace shows it).
  ev.ret = -EINTR;
  EXPECT_EQ(text(decode(ev).args[0]),
            "[{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}, {fd=-1, events=POLLIN}, ...]");
}

TEST(StructsNet, SelectFdSets) {
  fd_set in, out;
  FD_ZERO(&in);
  FD_ZERO(&out);
  FD_SET(3, &in);
  FD_SET(5, &in);
  FD_SET(4, &out);
  FD_SET(7, &in);  // beyond nfds: not shown
  auto ev = make(SYS_select, {6, kAddr, kAddr + 0x200, 0, 0}, 2);
  capture_before(ev, kAddr, in);
  capture_before(ev, kAddr + 0x200, out);
  fd_set ready = in;
  FD_CLR(5, &ready);
  put(ev, kAddr, ready);
  put(ev, kAddr + 0x200, out);
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "[3, 5]");
  EXPECT_EQ(text(call.args[2]), "[4]");
  EXPECT_EQ(text(call.args[3]), "NULL");
  EXPECT_EQ(json(call.args[1]), "[3,5]");
  std::string after;
  append_after_text(after, call, TextStyle::Decoded);
  EXPECT_EQ(after, " (in [3], out [4])");
  after.clear();
  append_after_json(after, call);
  EXPECT_EQ(after, ",\"after\":{\"inp\":[3],\"outp\":[4]}");

  // pselect6; nfds beyond FD_SETSIZE is cut at it; an empty set.
  fd_set all;
  std::memset(&all, 0, sizeof all);
  FD_SET(1023, &all);
  ev = make(SYS_pselect6, {100000, kAddr, kAddr + 0x200, 0, 0, 0}, 1);
  put_both(ev, kAddr, all);
  FD_ZERO(&out);
  put_both(ev, kAddr + 0x200, out);
  call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "[1023, ...]");
  EXPECT_EQ(text(call.args[2]), "[...]");
  // nfds of 0 or negative: an empty set; a set that cannot be read: the address.
  ev = make(SYS_select, {0, kAddr, 0, 0, 0}, 0);
  put_both(ev, kAddr, in);
  EXPECT_EQ(text(decode(ev).args[1]), "[]");
  ev = make(SYS_select, {static_cast<uint64_t>(-5), kAddr, 0, 0, 0}, 0);
  EXPECT_EQ(text(decode(ev).args[1]), "[]");
  ev = make(SYS_select, {200, kAddr, 0, 0, 0}, 0);
  ev.before.add(kAddr, &in, 8);  // 200 bits need 32 bytes
  EXPECT_EQ(text(decode(ev).args[1]), "0x1000");
}

TEST(StructsNet, EpollCtlAndWait) {
  epoll_event e{};
  e.events = EPOLLIN | EPOLLET;
  e.data.u64 = 0x1234;
  auto ev = make(SYS_epoll_ctl, {5, EPOLL_CTL_ADD, 3, kAddr}, 0);
  put(ev, kAddr, e);
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]), "EPOLL_CTL_ADD");
  EXPECT_EQ(text(call.args[3]), "{events=EPOLLIN|EPOLLET, data=0x1234}");
  EXPECT_EQ(json(call.args[3]), "{\"events\":\"EPOLLIN|EPOLLET\",\"data\":\"0x1234\"}");

  epoll_event out[3] = {};
  out[0].events = EPOLLIN;
  out[0].data.fd = 3;
  out[1].events = EPOLLOUT | EPOLLHUP;
  out[1].data.u64 = 0xffffffff00000004;
  auto w = make(SYS_epoll_wait, {5, kAddr, 3, 100}, 2);
  w.captures.add(kAddr, out, sizeof out);
  EXPECT_EQ(text(decode(w).args[1]),
            "[{events=EPOLLIN, data=0x3}, {events=EPOLLOUT|EPOLLHUP, data=0xffffffff00000004}]");
  // A return value beyond the capture; no events.
  w.ret = 10;
  EXPECT_EQ(text(decode(w).args[1]),
            "[{events=EPOLLIN, data=0x3}, {events=EPOLLOUT|EPOLLHUP, data=0xffffffff00000004}, "
            "{events=0, data=0x0}, ...]");
  w.ret = 0;
  EXPECT_EQ(text(decode(w).args[1]), "[]");
}

// ---------------------------------------------------------------------------------------------
// AIO, SysV IPC, message queues, sigevent, io_uring, futex_waitv.

TEST(StructsNet, IoSubmitGeteventsAndCancel) {
  iocb cb{};
  cb.aio_data = 0x42;
  cb.aio_lio_opcode = IOCB_CMD_PWRITE;
  cb.aio_fildes = 7;
  cb.aio_buf = kData1;
  cb.aio_nbytes = 5;
  cb.aio_offset = 4096;
  iocb cb2{};
  cb2.aio_lio_opcode = IOCB_CMD_PREAD;
  cb2.aio_fildes = 8;
  cb2.aio_buf = kData2;
  cb2.aio_nbytes = 100;
  cb2.aio_flags = IOCB_FLAG_RESFD;
  cb2.aio_resfd = 9;
  uint64_t ptrs[3] = {kAddr + 0x100, kAddr + 0x200, 0};
  auto ev = make(SYS_io_submit, {0x7f00, 3, kAddr}, 2);
  put(ev, kAddr, ptrs);
  put(ev, kAddr + 0x100, cb);
  put(ev, kAddr + 0x200, cb2);
  ev.captures.add(kData1, "hello", 5);
  EXPECT_EQ(text(decode(ev).args[2]),
            "[{aio_data=0x42, aio_lio_opcode=IOCB_CMD_PWRITE, aio_fildes=7, aio_buf=\"hello\", "
            "aio_nbytes=5, aio_offset=4096}, {aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=8, "
            "aio_buf=0x5000, aio_nbytes=100, aio_offset=0, aio_flags=IOCB_FLAG_RESFD, "
            "aio_resfd=9}, NULL]");
  // A pointer to an iocb that cannot be read, then an unreadable rest of the array.
  ev = make(SYS_io_submit, {0x7f00, 50, kAddr}, -EFAULT);
  uint64_t bad[1] = {0xbad000};
  put(ev, kAddr, bad);
  EXPECT_EQ(text(decode(ev).args[2]), "[0xbad000, ...]");

  io_event evs[2] = {{0x42, kAddr + 0x100, 5, 0}, {0, kAddr + 0x200, -EIO, 0}};
  ev = make(SYS_io_getevents, {0x7f00, 1, 2, kAddr, 0}, 2);
  put(ev, kAddr, evs);
  EXPECT_EQ(text(decode(ev).args[3]),
            "[{data=0x42, obj=0x1100, res=5, res2=0}, {data=0x0, obj=0x1200, res=-5, res2=0}]");

  ev = make(SYS_io_cancel, {0x7f00, kAddr + 0x100, kAddr}, 0);
  put(ev, kAddr + 0x100, cb2);
  put(ev, kAddr, evs[0]);
  auto call = decode(ev);
  EXPECT_EQ(text(call.args[1]),
            "{aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=8, aio_buf=0x5000, aio_nbytes=100, "
            "aio_offset=0, aio_flags=IOCB_FLAG_RESFD, aio_resfd=9}");
  EXPECT_EQ(text(call.args[2]), "{data=0x42, obj=0x1100, res=5, res2=0}");
}

TEST(StructsNet, SemopMsgsndMsgrcv) {
  sembuf ops[2] = {{0, -1, SEM_UNDO}, {1, 1, IPC_NOWAIT | SEM_UNDO}};
  auto ev = make(SYS_semop, {7, kAddr, 2}, 0);
  put(ev, kAddr, ops);
  EXPECT_EQ(text(decode(ev).args[1]),
            "[{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}, {sem_num=1, sem_op=1, "
            "sem_flg=IPC_NOWAIT|SEM_UNDO}]");

  struct {
    long mtype;
    char mtext[16];
  } mb = {3, "hello world"};
  ev = make(SYS_msgsnd, {7, kAddr, 11, 0}, 0);
  put(ev, kAddr, mb);
  EXPECT_EQ(text(decode(ev).args[1]), "{mtype=3, mtext=\"hello world\"}");
  EXPECT_EQ(text(decode(ev, 5).args[1]), "{mtype=3, mtext=\"hello\"...}");
  ev = make(SYS_msgrcv, {7, kAddr, 16, 0, 0}, 5);
  put(ev, kAddr, mb);
  EXPECT_EQ(text(decode(ev).args[1]), "{mtype=3, mtext=\"hello\"}");
  // A size beyond the capture: what could be read, marked as cut.
  ev = make(SYS_msgsnd, {7, kAddr, 1 << 20, 0}, -EINVAL);
  put(ev, kAddr, mb);
  EXPECT_EQ(text(decode(ev).args[1]),
            std::string("{mtype=3, mtext=\"hello world") + "\\x00\\x00\\x00\\x00\\x00\"...}");
}

TEST(StructsNet, MqAttrAndSigevent) {
  mq_attr a{};
  a.mq_flags = O_NONBLOCK;
  a.mq_maxmsg = 10;
  a.mq_msgsize = 8192;
  auto ev = make(SYS_mq_open, {kData1, O_CREAT | O_RDWR, 0600, kAddr}, 3);
  ev.captures.add(kData1, "/q", 3);
  put(ev, kAddr, a);
  EXPECT_EQ(text(decode(ev).args[3]),
            "{mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}");
  a.mq_flags = 0;
  ev = make(SYS_mq_getsetattr, {3, 0, kAddr}, 0);
  put(ev, kAddr, a);
  EXPECT_EQ(text(decode(ev).args[2]), "{mq_flags=0, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}");

  sigevent se{};
  se.sigev_notify = SIGEV_SIGNAL;
  se.sigev_signo = SIGUSR1;
  se.sigev_value.sival_ptr = ptr(0x99);
  ev = make(SYS_timer_create, {CLOCK_MONOTONIC, kAddr, kLen}, 0);
  put(ev, kAddr, se);
  put(ev, kLen, int32_t{0});
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sigev_value=0x99, sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}");
  se.sigev_notify = SIGEV_THREAD_ID;
  se._sigev_un._tid = 4321;
  ev = make(SYS_timer_create, {CLOCK_MONOTONIC, kAddr, kLen}, 0);
  put(ev, kAddr, se);
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sigev_value=0x99, sigev_signo=SIGUSR1, sigev_notify=SIGEV_THREAD_ID, "
            "sigev_notify_thread_id=4321}");
  se = sigevent{};
  se.sigev_notify = SIGEV_NONE;
  ev = make(SYS_mq_notify, {3, kAddr}, 0);
  put(ev, kAddr, se);
  EXPECT_EQ(text(decode(ev).args[1]), "{sigev_value=0x0, sigev_signo=0, sigev_notify=SIGEV_NONE}");
}

TEST(StructsNet, IoUringParamsAndFutexWaitv) {
  io_uring_params p{};
  p.sq_entries = 8;
  p.cq_entries = 16;
  p.flags = IORING_SETUP_SQPOLL;
  p.sq_thread_idle = 100;
  p.features = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP;
  auto ev = make(SYS_io_uring_setup, {8, kAddr}, 4);
  put(ev, kAddr, p);
  ev.before.add(kAddr, &p, sizeof(p));  // (in/out: shown as passed, and after the result)
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sq_entries=8, cq_entries=16, flags=IORING_SETUP_SQPOLL, sq_thread_cpu=0, "
            "sq_thread_idle=100, features=IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NODROP}");
  p.flags = 0;
  ev = make(SYS_io_uring_setup, {8, kAddr}, 4);
  put(ev, kAddr, p);
  ev.before.add(kAddr, &p, sizeof(p));
  EXPECT_EQ(text(decode(ev).args[1]),
            "{sq_entries=8, cq_entries=16, flags=0, "
            "features=IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NODROP}");

  futex_waitv w[2] = {{1, 0x7000, FUTEX_32 | FUTEX_PRIVATE_FLAG, 0}, {2, 0x7004, FUTEX_32, 0}};
  ev = make(SYS_futex_waitv, {kAddr, 2, 0, 0, CLOCK_MONOTONIC}, 0);
  put(ev, kAddr, w);
  EXPECT_EQ(text(decode(ev).args[0]),
            "[{val=1, uaddr=0x7000, flags=FUTEX2_SIZE_U32|FUTEX2_PRIVATE}, {val=2, "
            "uaddr=0x7004, flags=FUTEX2_SIZE_U32}]");
}

}  // namespace
}  // namespace dtruss
