// socket, socketpair, accept4 and shutdown: families, types, protocols.

#include <netinet/in.h>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/netlink.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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

// <sys/socket.h>
constexpr FlagName kShutdown[] = {F(SHUT_RD), F(SHUT_WR), F(SHUT_RDWR)};
constexpr FlagTable kShutdownHow = enum_table("shutdown_how", kShutdown);

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

constexpr const FlagTable* kTables[] = {&kSocketFamily, &kSockType,   &kSockFlags,
                                        &kShutdownHow,  &kIpProtocol, &kNetlinkProtocol};

using K = ArgKind;

// socket() and socketpair()'s protocol, by family: the IP protocols for AF_INET and AF_INET6,
// the netlink families for AF_NETLINK; a number for the others (AF_UNIX takes 0, AF_PACKET an
// Ethernet type in network byte order).
constexpr ArgChoice kSocketProtocolByFamily[] = {
    {tables::value_of(AF_INET), K::Enum, TableId::ip_protocol},
    {tables::value_of(AF_INET6), K::Enum, TableId::ip_protocol},
    {tables::value_of(AF_NETLINK), K::Enum, TableId::netlink_protocol},
};
constexpr ChoiceTable kSocketProtocol{"socket_protocol", kSocketProtocolByFamily, K::Int};

constexpr const ChoiceTable* kChoices[] = {&kSocketProtocol};

}  // namespace

Subject subject_socket() {
  return {"socket", kTables, {}, kChoices};
}

}  // namespace dtruss::structs
