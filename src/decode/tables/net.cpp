// Network tables: socket families and types, socket flags, send/recv flags, shutdown, socket
// option levels.
// Facts from glibc's <sys/socket.h> (bits/socket.h, bits/socket_type.h,
// bits/socket-constants.h), <netinet/in.h> (bits/in.h), <netinet/tcp.h> and <netinet/udp.h>;
// levels and flags that only the kernel's include/linux/socket.h (not exported) defines are
// numbers citing it.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>

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

constexpr const FlagTable* kTables[] = {&kSocketFamily, &kSockType,    &kSockFlags,
                                        &kMsgFlags,     &kShutdownHow, &kSockoptLevel};

}  // namespace

TableList net_tables() {
  return kTables;
}

}  // namespace dtruss::tables
