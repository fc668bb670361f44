// getsockopt/setsockopt: levels, option names and their values.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/if_packet.h>
#include <linux/netlink.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/socket.h> (bits/socket.h, bits/socket-constants.h), <netinet/in.h> (SOL_IP, SOL_IPV6,
// SOL_ICMPV6), <netinet/tcp.h> (SOL_TCP), <netinet/udp.h> (SOL_UDP). Levels named by a protocol
// number use the SOL_ spelling (SOL_TCP for IPPROTO_TCP). SOL_SCTP, SOL_UDPLITE, SOL_IPX,
// SOL_AX25, SOL_ATALK, SOL_NETROM, SOL_ROSE and SOL_VSOCK (Linux 6.9) are from
// include/linux/socket.h.
constexpr FlagName kLevels[] = {
    F(SOL_IP),
    F(SOL_SOCKET),
    F(SOL_TCP),
    F(SOL_UDP),
    F(SOL_IPV6),
    F(SOL_ICMPV6),
    N(132, "SOL_SCTP"),
    N(136, "SOL_UDPLITE"),
    F(SOL_RAW),
    N(256, "SOL_IPX"),
    N(257, "SOL_AX25"),
    N(258, "SOL_ATALK"),
    N(259, "SOL_NETROM"),
    N(260, "SOL_ROSE"),
    F(SOL_DECNET),
    F(SOL_X25),
    F(SOL_PACKET),
    F(SOL_ATM),
    F(SOL_AAL),
    F(SOL_IRDA),
    F(SOL_NETBEUI),
    F(SOL_LLC),
    F(SOL_DCCP),
    F(SOL_NETLINK),
    F(SOL_TIPC),
    F(SOL_RXRPC),
    F(SOL_PPPOL2TP),
    F(SOL_BLUETOOTH),
    F(SOL_PNPIPE),
    F(SOL_RDS),
    F(SOL_IUCV),
    F(SOL_CAIF),
    F(SOL_ALG),
    F(SOL_NFC),
    F(SOL_KCM),
    F(SOL_TLS),
    F(SOL_XDP),
    F(SOL_MPTCP),
    F(SOL_MCTP),
    F(SOL_SMC),
    N(287, "SOL_VSOCK"),
};
constexpr FlagTable kSockoptLevel = enum_table("sockopt_level", kLevels);

// <sys/socket.h> (asm/socket.h): SOL_SOCKET options. x86_64 is a 64-bit time_t ABI where the
// unsuffixed SO_TIMESTAMP* and SO_*TIMEO are the _OLD values: those are named without suffix.
constexpr FlagName kSoOptions[] = {
    F(SO_DEBUG),
    F(SO_REUSEADDR),
    F(SO_TYPE),
    F(SO_ERROR),
    F(SO_DONTROUTE),
    F(SO_BROADCAST),
    F(SO_SNDBUF),
    F(SO_RCVBUF),
    F(SO_KEEPALIVE),
    F(SO_OOBINLINE),
    F(SO_NO_CHECK),
    F(SO_PRIORITY),
    F(SO_LINGER),
    F(SO_BSDCOMPAT),
    F(SO_REUSEPORT),
    F(SO_PASSCRED),
    F(SO_PEERCRED),
    F(SO_RCVLOWAT),
    F(SO_SNDLOWAT),
    N(SO_RCVTIMEO_OLD, "SO_RCVTIMEO"),
    N(SO_SNDTIMEO_OLD, "SO_SNDTIMEO"),
    F(SO_SECURITY_AUTHENTICATION),
    F(SO_SECURITY_ENCRYPTION_TRANSPORT),
    F(SO_SECURITY_ENCRYPTION_NETWORK),
    F(SO_BINDTODEVICE),
    F(SO_ATTACH_FILTER),
    F(SO_DETACH_FILTER),
    F(SO_PEERNAME),
    N(SO_TIMESTAMP_OLD, "SO_TIMESTAMP"),
    F(SO_ACCEPTCONN),
    F(SO_PEERSEC),
    F(SO_SNDBUFFORCE),
    F(SO_RCVBUFFORCE),
    F(SO_PASSSEC),
    N(SO_TIMESTAMPNS_OLD, "SO_TIMESTAMPNS"),
    F(SO_MARK),
    N(SO_TIMESTAMPING_OLD, "SO_TIMESTAMPING"),
    F(SO_PROTOCOL),
    F(SO_DOMAIN),
    F(SO_RXQ_OVFL),
    F(SO_WIFI_STATUS),
    F(SO_PEEK_OFF),
    F(SO_NOFCS),
    F(SO_LOCK_FILTER),
    F(SO_SELECT_ERR_QUEUE),
    F(SO_BUSY_POLL),
    F(SO_MAX_PACING_RATE),
    F(SO_BPF_EXTENSIONS),
    F(SO_INCOMING_CPU),
    F(SO_ATTACH_BPF),
    F(SO_ATTACH_REUSEPORT_CBPF),
    F(SO_ATTACH_REUSEPORT_EBPF),
    F(SO_CNX_ADVICE),
    F(SO_MEMINFO),
    F(SO_INCOMING_NAPI_ID),
    F(SO_COOKIE),
    F(SO_PEERGROUPS),
    F(SO_ZEROCOPY),
    F(SO_TXTIME),
    F(SO_BINDTOIFINDEX),
    F(SO_TIMESTAMP_NEW),
    F(SO_TIMESTAMPNS_NEW),
    F(SO_TIMESTAMPING_NEW),
    F(SO_RCVTIMEO_NEW),
    F(SO_SNDTIMEO_NEW),
    F(SO_DETACH_REUSEPORT_BPF),
    F(SO_PREFER_BUSY_POLL),
    F(SO_BUSY_POLL_BUDGET),
    F(SO_NETNS_COOKIE),
    F(SO_BUF_LOCK),
    F(SO_RESERVE_MEM),
    F(SO_TXREHASH),
    F(SO_RCVMARK),
};
constexpr FlagTable kSoOption = enum_table("so_option", kSoOptions);

// <netinet/tcp.h>: SOL_TCP options.
constexpr FlagName kTcpOptions[] = {
    F(TCP_NODELAY),
    F(TCP_MAXSEG),
    F(TCP_CORK),
    F(TCP_KEEPIDLE),
    F(TCP_KEEPINTVL),
    F(TCP_KEEPCNT),
    F(TCP_SYNCNT),
    F(TCP_LINGER2),
    F(TCP_DEFER_ACCEPT),
    F(TCP_WINDOW_CLAMP),
    F(TCP_INFO),
    F(TCP_QUICKACK),
    F(TCP_CONGESTION),
    F(TCP_MD5SIG),
    F(TCP_COOKIE_TRANSACTIONS),
    F(TCP_THIN_LINEAR_TIMEOUTS),
    F(TCP_THIN_DUPACK),
    F(TCP_USER_TIMEOUT),
    F(TCP_REPAIR),
    F(TCP_REPAIR_QUEUE),
    F(TCP_QUEUE_SEQ),
    F(TCP_REPAIR_OPTIONS),
    F(TCP_FASTOPEN),
    F(TCP_TIMESTAMP),
    F(TCP_NOTSENT_LOWAT),
    F(TCP_CC_INFO),
    F(TCP_SAVE_SYN),
    F(TCP_SAVED_SYN),
    F(TCP_REPAIR_WINDOW),
    F(TCP_FASTOPEN_CONNECT),
    F(TCP_ULP),
    F(TCP_MD5SIG_EXT),
    F(TCP_FASTOPEN_KEY),
    F(TCP_FASTOPEN_NO_COOKIE),
    F(TCP_ZEROCOPY_RECEIVE),
    F(TCP_INQ),
    F(TCP_TX_DELAY),
};
constexpr FlagTable kTcpOption = enum_table("tcp_option", kTcpOptions);

// <netinet/in.h> (bits/in.h): SOL_IP options. IP_PMTUDISC is IP_MTU_DISCOVER.
constexpr FlagName kIpOptions[] = {
    F(IP_TOS),
    F(IP_TTL),
    F(IP_HDRINCL),
    F(IP_OPTIONS),
    F(IP_ROUTER_ALERT),
    F(IP_RECVOPTS),
    F(IP_RETOPTS),
    F(IP_PKTINFO),
    F(IP_PKTOPTIONS),
    F(IP_MTU_DISCOVER),
    F(IP_RECVERR),
    F(IP_RECVTTL),
    F(IP_RECVTOS),
    F(IP_MTU),
    F(IP_FREEBIND),
    F(IP_IPSEC_POLICY),
    F(IP_XFRM_POLICY),
    F(IP_PASSSEC),
    F(IP_TRANSPARENT),
    F(IP_ORIGDSTADDR),
    F(IP_MINTTL),
    F(IP_NODEFRAG),
    F(IP_CHECKSUM),
    F(IP_BIND_ADDRESS_NO_PORT),
    F(IP_RECVFRAGSIZE),
    F(IP_MULTICAST_IF),
    F(IP_MULTICAST_TTL),
    F(IP_MULTICAST_LOOP),
    F(IP_ADD_MEMBERSHIP),
    F(IP_DROP_MEMBERSHIP),
    F(IP_UNBLOCK_SOURCE),
    F(IP_BLOCK_SOURCE),
    F(IP_ADD_SOURCE_MEMBERSHIP),
    F(IP_DROP_SOURCE_MEMBERSHIP),
    F(IP_MSFILTER),
    F(IP_MULTICAST_ALL),
    F(IP_UNICAST_IF),
};
constexpr FlagTable kIpOption = enum_table("ip_option", kIpOptions);

// <netinet/in.h> (bits/in.h): SOL_IPV6 options. IPV6_ADD_MEMBERSHIP, IPV6_DROP_MEMBERSHIP,
// IPV6_RXHOPOPTS, IPV6_RXDSTOPTS and IPV6_RECVORIGDSTADDR are other names of listed values.
constexpr FlagName kIpv6Options[] = {
    F(IPV6_ADDRFORM),
    F(IPV6_2292PKTINFO),
    F(IPV6_2292HOPOPTS),
    F(IPV6_2292DSTOPTS),
    F(IPV6_2292RTHDR),
    F(IPV6_2292PKTOPTIONS),
    F(IPV6_CHECKSUM),
    F(IPV6_2292HOPLIMIT),
    F(IPV6_NEXTHOP),
    F(IPV6_AUTHHDR),
    F(IPV6_UNICAST_HOPS),
    F(IPV6_MULTICAST_IF),
    F(IPV6_MULTICAST_HOPS),
    F(IPV6_MULTICAST_LOOP),
    F(IPV6_JOIN_GROUP),
    F(IPV6_LEAVE_GROUP),
    F(IPV6_ROUTER_ALERT),
    F(IPV6_MTU_DISCOVER),
    F(IPV6_MTU),
    F(IPV6_RECVERR),
    F(IPV6_V6ONLY),
    F(IPV6_JOIN_ANYCAST),
    F(IPV6_LEAVE_ANYCAST),
    F(IPV6_MULTICAST_ALL),
    F(IPV6_ROUTER_ALERT_ISOLATE),
    F(IPV6_RECVERR_RFC4884),
    F(IPV6_IPSEC_POLICY),
    F(IPV6_XFRM_POLICY),
    F(IPV6_HDRINCL),
    F(IPV6_RECVPKTINFO),
    F(IPV6_PKTINFO),
    F(IPV6_RECVHOPLIMIT),
    F(IPV6_HOPLIMIT),
    F(IPV6_RECVHOPOPTS),
    F(IPV6_HOPOPTS),
    F(IPV6_RTHDRDSTOPTS),
    F(IPV6_RECVRTHDR),
    F(IPV6_RTHDR),
    F(IPV6_RECVDSTOPTS),
    F(IPV6_DSTOPTS),
    F(IPV6_RECVPATHMTU),
    F(IPV6_PATHMTU),
    F(IPV6_DONTFRAG),
    F(IPV6_RECVTCLASS),
    F(IPV6_TCLASS),
    F(IPV6_AUTOFLOWLABEL),
    F(IPV6_ADDR_PREFERENCES),
    F(IPV6_MINHOPCOUNT),
    F(IPV6_ORIGDSTADDR),
    F(IPV6_TRANSPARENT),
    F(IPV6_UNICAST_IF),
    F(IPV6_RECVFRAGSIZE),
    F(IPV6_FREEBIND),
};
constexpr FlagTable kIpv6Option = enum_table("ipv6_option", kIpv6Options);

// <linux/netlink.h>: SOL_NETLINK's options (ip, ss and systemd set some on each socket).
constexpr FlagName kNetlinkOptions[] = {
    F(NETLINK_ADD_MEMBERSHIP),  F(NETLINK_DROP_MEMBERSHIP), F(NETLINK_PKTINFO),
    F(NETLINK_BROADCAST_ERROR), F(NETLINK_NO_ENOBUFS),      F(NETLINK_RX_RING),
    F(NETLINK_TX_RING),         F(NETLINK_LISTEN_ALL_NSID), F(NETLINK_LIST_MEMBERSHIPS),
    F(NETLINK_CAP_ACK),         F(NETLINK_EXT_ACK),         F(NETLINK_GET_STRICT_CHK),
};
constexpr FlagTable kNetlinkOption = enum_table("netlink_option", kNetlinkOptions);

// Socket option values that are not ints, by level and name (<sys/socket.h>, <netinet/in.h>,
// <netinet/tcp.h>, <asm-generic/socket.h>). Each gets the value's bytes (at most kSockoptMax)
// and their count, at least `min_len`.
constexpr size_t kSockoptMax = 128;
using SockoptDecoder = Value (*)(const uint8_t* p, size_t len);

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

Value linger_value(const uint8_t* p, size_t) {
  const auto l = load<linger>(p);
  Value v = Value::structure();
  FIELD(v, l, l_onoff, Value::integer);
  FIELD(v, l, l_linger, Value::integer);
  return v;
}

// SO_RCVTIMEO/SO_SNDTIMEO: the old struct timeval and the new __kernel_sock_timeval are both
// two 64-bit fields on x86_64.
Value sock_timeval_value(const uint8_t* p, size_t) {
  const auto t = load<__kernel_sock_timeval>(p);
  return timeval_value(t.tv_sec, t.tv_usec);
}

// IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP take an ip_mreq or, as long, an ip_mreqn.
Value ip_mreq_value(const uint8_t* p, size_t len) {
  Value v = Value::structure();
  if (len >= sizeof(ip_mreqn)) {
    const auto m = load<ip_mreqn>(p);
    v.add("imr_multiaddr", inet_string(AF_INET, &m.imr_multiaddr));
    v.add("imr_address", inet_string(AF_INET, &m.imr_address));
    FIELD(v, m, imr_ifindex, Value::integer);
    return v;
  }
  const auto m = load<ip_mreq>(p);
  v.add("imr_multiaddr", inet_string(AF_INET, &m.imr_multiaddr));
  v.add("imr_interface", inet_string(AF_INET, &m.imr_interface));
  return v;
}

Value ipv6_mreq_value(const uint8_t* p, size_t) {
  const auto m = load<ipv6_mreq>(p);
  Value v = Value::structure();
  v.add("ipv6mr_multiaddr", inet_string(AF_INET6, &m.ipv6mr_multiaddr));
  FIELD(v, m, ipv6mr_interface, Value::uinteger);
  return v;
}

// TCP_CONGESTION, SO_BINDTODEVICE: a name, NUL-terminated or not.
Value name_value(const uint8_t* p, size_t len) {
  const auto* s = reinterpret_cast<const char*>(p);
  return Value::string(std::string(s, strnlen(s, len)), false);
}

struct SockoptType {
  int level;
  int name;
  size_t min_len;
  SockoptDecoder fn;
};
constexpr SockoptType kSockoptTypes[] = {
    {SOL_SOCKET, SO_LINGER, sizeof(linger), linger_value},
    {SOL_SOCKET, SO_RCVTIMEO_OLD, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_SNDTIMEO_OLD, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_RCVTIMEO_NEW, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_SNDTIMEO_NEW, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_BINDTODEVICE, 0, name_value},
    {SOL_IP, IP_ADD_MEMBERSHIP, sizeof(ip_mreq), ip_mreq_value},
    {SOL_IP, IP_DROP_MEMBERSHIP, sizeof(ip_mreq), ip_mreq_value},
    {SOL_IPV6, IPV6_JOIN_GROUP, sizeof(ipv6_mreq), ipv6_mreq_value},
    {SOL_IPV6, IPV6_LEAVE_GROUP, sizeof(ipv6_mreq), ipv6_mreq_value},
    {SOL_TCP, TCP_CONGESTION, 0, name_value},
};
static_assert(sizeof(__kernel_sock_timeval) == 16 && sizeof(__kernel_old_timeval) == 16);
static_assert(sizeof(ip_mreq) == 8 && sizeof(ip_mreqn) == 12 && sizeof(ipv6_mreq) == 20);

// The arguments of getsockopt and setsockopt (fd, level, optname, optval, optlen).
constexpr int kSockoptLevelArg = 1;
constexpr int kSockoptNameArg = 2;

const SockoptType* sockopt_type(const ArgContext& c) {
  const auto level = static_cast<int32_t>(c.other(kSockoptLevelArg));
  const auto name = static_cast<int32_t>(c.other(kSockoptNameArg));
  for (const SockoptType& t : kSockoptTypes)
    if (t.level == level && t.name == name) return &t;
  return nullptr;
}

// A socket option's value of `len` bytes: a struct or a name for the options above; an int
// (most options: SO_ERROR, SO_TYPE, TCP_NODELAY ...) as [value], as strace shows it; a value of
// another size as its bytes.
Value sockopt_value(const ArgContext& c, int32_t len) {
  if (len < 0) return Value::hex(c.raw);
  const SockoptType* t = sockopt_type(c);
  if (t != nullptr && static_cast<size_t>(len) >= t->min_len) {
    uint8_t bytes[kSockoptMax] = {};
    const size_t want = std::min(static_cast<size_t>(len), kSockoptMax);
    if (c.mem.read(c.raw, bytes, want) != want) return Value::unreadable(c.raw);
    return t->fn(bytes, want);
  }
  if (len == sizeof(int32_t)) {
    int32_t v = 0;
    if (!read_struct(c.mem, c.raw, &v)) return Value::unreadable(c.raw);
    Value arr = Value::array();
    arr.add({}, Value::integer(v));
    return arr;
  }
  return buffer_value(c.mem, c.raw, static_cast<size_t>(len), c.opt.strsize);
}

// getsockopt's value (struct:sockopt:out:*optlen): *optlen bytes once the call returned, which
// the backends capture (at most CaptureLimits::struct_max).
Value decode_sockopt(const ArgContext& c) {
  size_t len = 0;
  if (!length_of(c, &len)) return Value::hex(c.raw);
  return sockopt_value(c, static_cast<int32_t>(std::min<size_t>(len, INT32_MAX)));
}

// setsockopt's value (struct:sockopt_in:in:optlen): optlen bytes, captured whole (size 0: the
// length rule counts bytes).
Value decode_sockopt_in(const ArgContext& c) {
  return sockopt_value(c, static_cast<int32_t>(c.other(c.arg.len)));
}

constexpr Entry kStructs[] = {
    {"sockopt", 0, decode_sockopt},
    {"sockopt_in", 0, decode_sockopt_in},
};

constexpr const FlagTable* kTables[] = {&kSockoptLevel, &kSoOption,   &kTcpOption,
                                        &kIpOption,     &kIpv6Option, &kNetlinkOption};

using K = ArgKind;

// getsockopt and setsockopt's option name, by level.
constexpr ArgChoice kSockoptNameByLevel[] = {
    {tables::value_of(SOL_SOCKET), K::Enum, TableId::so_option},
    {tables::value_of(SOL_TCP), K::Enum, TableId::tcp_option},
    {tables::value_of(SOL_IP), K::Enum, TableId::ip_option},
    {tables::value_of(SOL_IPV6), K::Enum, TableId::ipv6_option},
    {tables::value_of(SOL_NETLINK), K::Enum, TableId::netlink_option},
};
constexpr ChoiceTable kSockoptName{"sockopt_name", kSockoptNameByLevel, K::Int};

constexpr const ChoiceTable* kChoices[] = {&kSockoptName};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef SOL_SCTP
static_assert(value_named(kLevels, "SOL_SCTP") == value_of(SOL_SCTP));
#endif
#ifdef SOL_UDPLITE
static_assert(value_named(kLevels, "SOL_UDPLITE") == value_of(SOL_UDPLITE));
#endif
#ifdef SOL_IPX
static_assert(value_named(kLevels, "SOL_IPX") == value_of(SOL_IPX));
#endif
#ifdef SOL_AX25
static_assert(value_named(kLevels, "SOL_AX25") == value_of(SOL_AX25));
#endif
#ifdef SOL_ATALK
static_assert(value_named(kLevels, "SOL_ATALK") == value_of(SOL_ATALK));
#endif
#ifdef SOL_NETROM
static_assert(value_named(kLevels, "SOL_NETROM") == value_of(SOL_NETROM));
#endif
#ifdef SOL_ROSE
static_assert(value_named(kLevels, "SOL_ROSE") == value_of(SOL_ROSE));
#endif
#ifdef SOL_VSOCK
static_assert(value_named(kLevels, "SOL_VSOCK") == value_of(SOL_VSOCK));
#endif
#ifdef SO_RCVTIMEO
static_assert(value_named(kSoOptions, "SO_RCVTIMEO") == value_of(SO_RCVTIMEO));
#endif
#ifdef SO_SNDTIMEO
static_assert(value_named(kSoOptions, "SO_SNDTIMEO") == value_of(SO_SNDTIMEO));
#endif
#ifdef SO_TIMESTAMP
static_assert(value_named(kSoOptions, "SO_TIMESTAMP") == value_of(SO_TIMESTAMP));
#endif
#ifdef SO_TIMESTAMPNS
static_assert(value_named(kSoOptions, "SO_TIMESTAMPNS") == value_of(SO_TIMESTAMPNS));
#endif
#ifdef SO_TIMESTAMPING
static_assert(value_named(kSoOptions, "SO_TIMESTAMPING") == value_of(SO_TIMESTAMPING));
#endif

}  // namespace

Subject subject_sockopt() {
  return {"sockopt", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
