// Network tables: socket families and types, socket flags, send/recv flags, shutdown, socket
// option levels, protocols, and the option names of the common levels.
// Facts from glibc's <sys/socket.h> (bits/socket.h, bits/socket_type.h,
// bits/socket-constants.h, asm/socket.h), <netinet/in.h> (bits/in.h), <netinet/tcp.h>,
// <netinet/udp.h> and <linux/netlink.h>;
// levels and flags that only the kernel's include/linux/socket.h (not exported) defines are
// numbers citing it.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
// After the glibc headers, whose definitions it must not precede.
#include <linux/netlink.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <sys/socket.h> (bits/socket.h); one name per value: AF_UNIX (not AF_LOCAL or AF_FILE),
// AF_NETLINK (not AF_ROUTE).
constexpr FlagName kFamilies[] = {
    F(AF_UNSPEC),     F(AF_UNIX),      F(AF_INET),     F(AF_AX25),  F(AF_IPX),     F(AF_APPLETALK),
    F(AF_NETROM),     F(AF_BRIDGE),    F(AF_ATMPVC),   F(AF_X25),   F(AF_INET6),   F(AF_ROSE),
    F(AF_DECnet),     F(AF_NETBEUI),   F(AF_SECURITY), F(AF_KEY),   F(AF_NETLINK), F(AF_PACKET),
    F(AF_ASH),        F(AF_ECONET),    F(AF_ATMSVC),   F(AF_RDS),   F(AF_SNA),     F(AF_IRDA),
    F(AF_PPPOX),      F(AF_WANPIPE),   F(AF_LLC),      F(AF_IB),    F(AF_MPLS),    F(AF_CAN),
    F(AF_TIPC),       F(AF_BLUETOOTH), F(AF_IUCV),     F(AF_RXRPC), F(AF_ISDN),    F(AF_PHONET),
    F(AF_IEEE802154), F(AF_CAIF),      F(AF_ALG),      F(AF_NFC),   F(AF_VSOCK),   F(AF_KCM),
    F(AF_QIPCRTR),    F(AF_SMC),       F(AF_XDP),      F(AF_MCTP),
};
constexpr FlagTable kSocketFamily = enum_table("socket_family", kFamilies);

// <sys/socket.h> (bits/socket_type.h): the type in the low 4 bits (the kernel's
// SOCK_TYPE_MASK, include/linux/net.h), and the flags above it.
constexpr FlagName kSockTypes[] = {F(SOCK_STREAM),    F(SOCK_DGRAM), F(SOCK_RAW),   F(SOCK_RDM),
                                   F(SOCK_SEQPACKET), F(SOCK_DCCP),  F(SOCK_PACKET)};
constexpr FlagName kSockBits[] = {F(SOCK_NONBLOCK), F(SOCK_CLOEXEC)};
constexpr FlagTable kSockType = mixed_table("sock_type", 0xf, kSockTypes, kSockBits);

// <sys/socket.h> (bits/socket_type.h): accept4's flags.
constexpr FlagTable kSockFlags = bits_table("sock_flags", kSockBits);

// <sys/socket.h> (bits/socket.h); MSG_SOCK_DEVMEM from include/linux/socket.h (Linux 6.12).
// MSG_TRYHARD is MSG_DONTROUTE.
constexpr FlagName kMsgBits[] = {
    F(MSG_OOB),
    F(MSG_PEEK),
    F(MSG_DONTROUTE),
    F(MSG_CTRUNC),
    F(MSG_PROXY),
    F(MSG_TRUNC),
    F(MSG_DONTWAIT),
    F(MSG_EOR),
    F(MSG_WAITALL),
    F(MSG_FIN),
    F(MSG_SYN),
    F(MSG_CONFIRM),
    F(MSG_RST),
    F(MSG_ERRQUEUE),
    F(MSG_NOSIGNAL),
    F(MSG_MORE),
    F(MSG_WAITFORONE),
    F(MSG_BATCH),
    N(0x2000000, "MSG_SOCK_DEVMEM"),
    F(MSG_ZEROCOPY),
    F(MSG_FASTOPEN),
    F(MSG_CMSG_CLOEXEC),
};
constexpr FlagTable kMsgFlags = bits_table("msg_flags", kMsgBits);

// <sys/socket.h>
constexpr FlagName kShutdown[] = {F(SHUT_RD), F(SHUT_WR), F(SHUT_RDWR)};
constexpr FlagTable kShutdownHow = enum_table("shutdown_how", kShutdown);

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

// <netinet/in.h>: socket()'s protocol for AF_INET and AF_INET6. IPPROTO_HOPOPTS is 0 too: 0 is
// named IPPROTO_IP, as socket() takes it.
constexpr FlagName kIpProtocols[] = {
    F(IPPROTO_IP),       F(IPPROTO_ICMP),   F(IPPROTO_IGMP),  F(IPPROTO_IPIP),    F(IPPROTO_TCP),
    F(IPPROTO_EGP),      F(IPPROTO_PUP),    F(IPPROTO_UDP),   F(IPPROTO_IDP),     F(IPPROTO_TP),
    F(IPPROTO_DCCP),     F(IPPROTO_IPV6),   F(IPPROTO_RSVP),  F(IPPROTO_GRE),     F(IPPROTO_ESP),
    F(IPPROTO_AH),       F(IPPROTO_ICMPV6), F(IPPROTO_MTP),   F(IPPROTO_BEETPH),  F(IPPROTO_ENCAP),
    F(IPPROTO_PIM),      F(IPPROTO_COMP),   F(IPPROTO_SCTP),  F(IPPROTO_UDPLITE), F(IPPROTO_MPLS),
    F(IPPROTO_ETHERNET), F(IPPROTO_RAW),    F(IPPROTO_MPTCP),
};
constexpr FlagTable kIpProtocol = enum_table("ip_protocol", kIpProtocols);

// <linux/netlink.h>: socket()'s protocol for AF_NETLINK.
constexpr FlagName kNetlinkProtocols[] = {
    F(NETLINK_ROUTE),      F(NETLINK_UNUSED),
    F(NETLINK_USERSOCK),   F(NETLINK_FIREWALL),
    F(NETLINK_SOCK_DIAG),  F(NETLINK_NFLOG),
    F(NETLINK_XFRM),       F(NETLINK_SELINUX),
    F(NETLINK_ISCSI),      F(NETLINK_AUDIT),
    F(NETLINK_FIB_LOOKUP), F(NETLINK_CONNECTOR),
    F(NETLINK_NETFILTER),  F(NETLINK_IP6_FW),
    F(NETLINK_DNRTMSG),    F(NETLINK_KOBJECT_UEVENT),
    F(NETLINK_GENERIC),    F(NETLINK_SCSITRANSPORT),
    F(NETLINK_ECRYPTFS),   F(NETLINK_RDMA),
    F(NETLINK_CRYPTO),     F(NETLINK_SMC),
};
constexpr FlagTable kNetlinkProtocol = enum_table("netlink_protocol", kNetlinkProtocols);

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

constexpr const FlagTable* kTables[] = {
    &kSocketFamily, &kSockType,        &kSockFlags, &kMsgFlags,  &kShutdownHow, &kSockoptLevel,
    &kIpProtocol,   &kNetlinkProtocol, &kSoOption,  &kTcpOption, &kIpOption,    &kIpv6Option};

}  // namespace

TableList net_tables() {
  return kTables;
}

}  // namespace dtruss::tables
