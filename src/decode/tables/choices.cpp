// Choice tables (decode/choices.h): which kind and table an argument takes for each value of the
// argument that selects it. Selector values come from the system headers' own macros.
// <fcntl.h> for fcntl commands; <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h> for socket
// families and option levels; <linux/futex.h> for futex commands; <linux/prctl.h> for prctl
// options; <sys/ioctl.h> (asm-generic/ioctls.h) for ioctl requests; <linux/seccomp.h> for
// seccomp operations; <linux/landlock.h> for rule types; <sys/mount.h> for fsconfig commands.
#include "decode/choices.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/landlock.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <vector>

#include "decode/structs.h"
#include "decode/tables/registry.h"

namespace dtruss {
namespace {

using K = ArgKind;

// fcntl's third argument: an fd, flags, a pid, a signal or a size for the commands that set
// something; a pointer (struct flock, f_owner_ex, a u64 hint) or nothing for the others.
// F_DUPFD_QUERY is F_LINUX_SPECIFIC_BASE + 3 (include/uapi/linux/fcntl.h, Linux 6.10).
constexpr ArgChoice kFcntlArg[] = {
    {tables::value_of(F_DUPFD), K::Fd, nullptr},
    {tables::value_of(F_DUPFD_CLOEXEC), K::Fd, nullptr},
    {1027, K::Fd, nullptr},
    {tables::value_of(F_SETFD), K::Flags, "fd_flags"},
    {tables::value_of(F_SETFL), K::Flags, "open_flags"},
    {tables::value_of(F_SETOWN), K::Pid, nullptr},
    {tables::value_of(F_SETSIG), K::Signal, nullptr},
    {tables::value_of(F_SETLEASE), K::Enum, "lock_type"},
    {tables::value_of(F_NOTIFY), K::Flags, "dnotify_flags"},
    {tables::value_of(F_SETPIPE_SZ), K::Int, nullptr},
    {tables::value_of(F_ADD_SEALS), K::Flags, "seal_flags"},
};
constexpr ChoiceTable kFcntl{"fcntl_arg", kFcntlArg, K::Hex};

// socket() and socketpair()'s protocol, by family: the IP protocols for AF_INET and AF_INET6,
// the netlink families for AF_NETLINK; a number for the others (AF_UNIX takes 0, AF_PACKET an
// Ethernet type in network byte order).
constexpr ArgChoice kSocketProtocolByFamily[] = {
    {tables::value_of(AF_INET), K::Enum, "ip_protocol"},
    {tables::value_of(AF_INET6), K::Enum, "ip_protocol"},
    {tables::value_of(AF_NETLINK), K::Enum, "netlink_protocol"},
};
constexpr ChoiceTable kSocketProtocol{"socket_protocol", kSocketProtocolByFamily, K::Int};

// getsockopt and setsockopt's option name, by level.
constexpr ArgChoice kSockoptNameByLevel[] = {
    {tables::value_of(SOL_SOCKET), K::Enum, "so_option"},
    {tables::value_of(SOL_TCP), K::Enum, "tcp_option"},
    {tables::value_of(SOL_IP), K::Enum, "ip_option"},
    {tables::value_of(SOL_IPV6), K::Enum, "ipv6_option"},
};
constexpr ChoiceTable kSockoptName{"sockopt_name", kSockoptNameByLevel, K::Int};

// futex's val3, by command (the op without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME): the
// bitset of the BITSET commands; a value or an encoded operation (FUTEX_WAKE_OP) otherwise.
constexpr ArgChoice kFutexVal3ByCmd[] = {
    {tables::value_of(FUTEX_WAIT_BITSET), K::Flags, "futex_bitset"},
    {tables::value_of(FUTEX_WAKE_BITSET), K::Flags, "futex_bitset"},
};
constexpr ChoiceTable kFutexVal3{"futex_val3", kFutexVal3ByCmd, K::Hex,
                                 tables::value_of(FUTEX_CMD_MASK)};

// prctl's arg2, by option: a capability, a signal, or a number for the options that set one; a
// pointer or an unused value (hex) for the others.
constexpr ArgChoice kPrctlArg2ByOption[] = {
    {tables::value_of(PR_CAPBSET_READ), K::Enum, "capability"},
    {tables::value_of(PR_CAPBSET_DROP), K::Enum, "capability"},
    {tables::value_of(PR_SET_PDEATHSIG), K::Signal, nullptr},
    {tables::value_of(PR_SET_DUMPABLE), K::UInt, nullptr},
    {tables::value_of(PR_SET_KEEPCAPS), K::UInt, nullptr},
    {tables::value_of(PR_SET_NO_NEW_PRIVS), K::UInt, nullptr},
    {tables::value_of(PR_SET_CHILD_SUBREAPER), K::UInt, nullptr},
    {tables::value_of(PR_SET_TIMERSLACK), K::UInt, nullptr},
    {tables::value_of(PR_SET_THP_DISABLE), K::UInt, nullptr},
};
constexpr ChoiceTable kPrctlArg2{"prctl_arg2", kPrctlArg2ByOption, K::Hex};

// ioctl's arg, by request: the terminal requests' structs and ints (in, or out: shown once
// the call succeeded), and the requests that take an int value. Any other request's arg is an
// address (or a value) that only the driver knows how to read: hex.
constexpr ArgChoice kIoctlArgByCmd[] = {
    struct_choice(TCGETS, "termios", Dir::Out),
    struct_choice(TCSETS, "termios", Dir::In),
    struct_choice(TCSETSW, "termios", Dir::In),
    struct_choice(TCSETSF, "termios", Dir::In),
    struct_choice(TIOCGWINSZ, "winsize", Dir::Out),
    struct_choice(TIOCSWINSZ, "winsize", Dir::In),
    struct_choice(FIONREAD, "int", Dir::Out),
    struct_choice(TIOCOUTQ, "int", Dir::Out),
    struct_choice(FIONBIO, "int", Dir::In),
    struct_choice(FIOASYNC, "int", Dir::In),
    struct_choice(TIOCGPGRP, "int", Dir::Out),
    struct_choice(TIOCSPGRP, "int", Dir::In),
    struct_choice(TIOCGSID, "int", Dir::Out),
    struct_choice(TIOCGETD, "int", Dir::Out),
    struct_choice(TIOCSETD, "int", Dir::In),
    struct_choice(TIOCMGET, "int", Dir::Out),
    struct_choice(TIOCMSET, "int", Dir::In),
    struct_choice(TIOCMBIS, "int", Dir::In),
    struct_choice(TIOCMBIC, "int", Dir::In),
    struct_choice(TIOCGPTN, "int", Dir::Out),
    struct_choice(TIOCSPTLCK, "int", Dir::In),
    struct_choice(TIOCGPTLCK, "int", Dir::Out),
    struct_choice(TIOCPKT, "int", Dir::In),
    struct_choice(TIOCGPKT, "int", Dir::Out),
    struct_choice(TIOCGEXCL, "int", Dir::Out),
    {tables::value_of(TIOCSCTTY), K::Int, nullptr},
    {tables::value_of(TCSBRK), K::Int, nullptr},
    {tables::value_of(TCSBRKP), K::Int, nullptr},
    {tables::value_of(TCXONC), K::Enum, "tcxonc_action"},
    {tables::value_of(TCFLSH), K::Enum, "tcflsh_queue"},
    {tables::value_of(TIOCSIG), K::Signal, nullptr},
};
constexpr ChoiceTable kIoctlArg{"ioctl_arg", kIoctlArgByCmd, K::Hex};

// seccomp's uargs, by op: the filter program, the action asked about, the sizes written back.
constexpr ArgChoice kSeccompUargsByOp[] = {
    struct_choice(SECCOMP_SET_MODE_FILTER, "sock_fprog", Dir::In),
    struct_choice(SECCOMP_GET_ACTION_AVAIL, "seccomp_action", Dir::In),
    struct_choice(SECCOMP_GET_NOTIF_SIZES, "seccomp_notif_sizes", Dir::Out),
};
constexpr ChoiceTable kSeccompUargs{"seccomp_uargs", kSeccompUargsByOp, K::Hex};

// landlock_add_rule's rule_attr, by rule type. LANDLOCK_RULE_NET_PORT (Linux 6.7) is 2 in the
// kernel's include/uapi/linux/landlock.h; the installed header may not have it.
constexpr ArgChoice kLandlockRuleAttrByType[] = {
    struct_choice(LANDLOCK_RULE_PATH_BENEATH, "landlock_path_beneath_attr", Dir::In),
    struct_choice(2, "landlock_net_port_attr", Dir::In),
};
constexpr ChoiceTable kLandlockRuleAttr{"landlock_rule_attr", kLandlockRuleAttrByType, K::Hex};

// fsconfig's _value and aux, by cmd (fsconfig(fd, cmd, key, value, aux): aux is argument 4):
// a string, a path relative to the dirfd aux, a blob of aux bytes, or nothing (NULL) with an fd
// in aux.
constexpr int kFsconfigAux = 4;
constexpr ArgChoice kFsconfigValueByCmd[] = {
    {tables::value_of(FSCONFIG_SET_STRING), K::String, nullptr},
    {tables::value_of(FSCONFIG_SET_PATH), K::Path, nullptr},
    {tables::value_of(FSCONFIG_SET_PATH_EMPTY), K::Path, nullptr},
    {tables::value_of(FSCONFIG_SET_BINARY), K::Buffer, nullptr, nullptr, Dir::In, kFsconfigAux},
};
constexpr ChoiceTable kFsconfigValue{"fsconfig_value", kFsconfigValueByCmd, K::Hex};
constexpr ArgChoice kFsconfigAuxByCmd[] = {
    {tables::value_of(FSCONFIG_SET_PATH), K::Dirfd, nullptr},
    {tables::value_of(FSCONFIG_SET_PATH_EMPTY), K::Dirfd, nullptr},
    {tables::value_of(FSCONFIG_SET_FD), K::Fd, nullptr},
    {tables::value_of(FSCONFIG_SET_BINARY), K::Size, nullptr},
};
constexpr ChoiceTable kFsconfigAuxTable{"fsconfig_aux", kFsconfigAuxByCmd, K::Int};

constexpr const ChoiceTable* kChoiceTables[] = {
    &kFcntl,    &kSocketProtocol, &kSockoptName,      &kFutexVal3,     &kPrctlArg2,
    &kIoctlArg, &kSeccompUargs,   &kLandlockRuleAttr, &kFsconfigValue, &kFsconfigAuxTable,
};

}  // namespace

std::span<const ChoiceTable* const> all_choice_tables() {
  return kChoiceTables;
}

const ChoiceTable* choice_table(TableId id) {
  // Resolved once per id: a name compare per table, paid once.
  static const auto by_id = [] {
    std::array<const ChoiceTable*, kTableIdCount> a{};
    for (size_t i = 1; i < kTableIdCount; ++i) {
      const std::string_view name = table_name(static_cast<TableId>(i));
      for (const ChoiceTable* t : kChoiceTables)
        if (name == t->name) a[i] = t;
    }
    return a;
  }();
  const auto i = static_cast<size_t>(id);
  return i < by_id.size() ? by_id[i] : nullptr;
}

bool reads_memory(ArgKind kind) {
  return kind == ArgKind::Struct || kind == ArgKind::String || kind == ArgKind::Path ||
         kind == ArgKind::Buffer;
}

std::span<const ChoiceCapture> choice_captures(TableId id) {
  // Built once: per choice table, its choices that read memory, with their structs' sizes.
  static const auto by_id = [] {
    std::array<std::vector<ChoiceCapture>, kTableIdCount> a;
    for (size_t i = 1; i < kTableIdCount; ++i) {
      const ChoiceTable* t = choice_table(static_cast<TableId>(i));
      if (t == nullptr) continue;
      for (const ArgChoice& c : t->choices) {
        if (!reads_memory(c.kind)) continue;
        uint32_t size =
            c.kind == ArgKind::Struct && c.strct != nullptr ? struct_type_size(c.strct) : 0;
        a[i].push_back({static_cast<uint32_t>(c.selector), c.kind, c.dir, c.len, size});
      }
    }
    return a;
  }();
  const auto i = static_cast<size_t>(id);
  return i < by_id.size() ? std::span<const ChoiceCapture>(by_id[i])
                          : std::span<const ChoiceCapture>();
}

const ArgChoice* find_choice(const ChoiceTable& t, uint64_t selector) {
  auto it = std::find_if(t.choices.begin(), t.choices.end(), [&](const ArgChoice& c) {
    return static_cast<uint32_t>(c.selector) == (static_cast<uint32_t>(selector) & t.selector_mask);
  });
  return it == t.choices.end() ? nullptr : &*it;
}

}  // namespace dtruss
