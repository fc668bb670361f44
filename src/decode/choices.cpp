// Choice tables (decode/choices.h): which kind and table an argument takes for each value of the
// argument that selects it. Selector values come from the system headers' own macros.
// <fcntl.h> for fcntl commands; <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h> for socket
// families and option levels; <linux/futex.h> for futex commands; <linux/prctl.h> for prctl
// options; <sys/ioctl.h> (asm-generic/ioctls.h) for ioctl requests; <linux/seccomp.h> for
// seccomp operations; <linux/landlock.h> for rule types; <sys/mount.h> for fsconfig commands;
// <linux/io_uring.h> for io_uring_register opcodes; <linux/reboot.h> for reboot commands;
// <linux/quota.h> and <linux/dqblk_xfs.h> for quotactl commands; <sched.h> for clone flags.
#include "decode/choices.h"

#include <fcntl.h>
#include <linux/dqblk_xfs.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/landlock.h>
#include <linux/prctl.h>
#include <linux/quota.h>
#include <linux/reboot.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <vector>

#include "decode/structs.h"
#include "decode/subjects/subject.h"

namespace dtruss {
namespace {

using K = ArgKind;

// fcntl's third argument: an fd, flags, a pid, a signal or a size for the commands that set
// something; the struct it points to for the lock, owner and hint commands (F_GETLK's flock is
// read and written back: in/out); nothing (hex) for the others.
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
    struct_choice(F_GETLK, "flock", Dir::InOut),
    struct_choice(F_SETLK, "flock", Dir::In),
    struct_choice(F_SETLKW, "flock", Dir::In),
    struct_choice(F_OFD_GETLK, "flock", Dir::InOut),
    struct_choice(F_OFD_SETLK, "flock", Dir::In),
    struct_choice(F_OFD_SETLKW, "flock", Dir::In),
    struct_choice(F_GETOWN_EX, "f_owner_ex", Dir::Out),
    struct_choice(F_SETOWN_EX, "f_owner_ex", Dir::In),
    struct_choice(F_GET_RW_HINT, "u64", Dir::Out),
    struct_choice(F_SET_RW_HINT, "u64", Dir::In),
    struct_choice(F_GET_FILE_RW_HINT, "u64", Dir::Out),
    struct_choice(F_SET_FILE_RW_HINT, "u64", Dir::In),
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

// prctl's arg2, by option: a capability, a signal, or a number for the options that set one; the
// name given (PR_SET_NAME) or the memory written (PR_GET_NAME's 16 bytes, PR_GET_PDEATHSIG's
// signal, PR_GET_CHILD_SUBREAPER's int, PR_GET_TID_ADDRESS's pointer); a sub-command
// (PR_SET_MM's field, PR_SET_VMA's attribute); a pointer or an unused value (hex) for the others.
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
    {tables::value_of(PR_SET_NAME), K::String, nullptr},
    struct_choice(PR_GET_NAME, "task_comm", Dir::Out),
    struct_choice(PR_GET_PDEATHSIG, "int_signal", Dir::Out),
    struct_choice(PR_GET_CHILD_SUBREAPER, "int", Dir::Out),
    struct_choice(PR_GET_TID_ADDRESS, "ptr", Dir::Out),
    {tables::value_of(PR_SET_MM), K::Enum, "prctl_set_mm"},
    {tables::value_of(PR_SET_VMA), K::Enum, "prctl_vma_attr"},
};
constexpr ChoiceTable kPrctlArg2{"prctl_arg2", kPrctlArg2ByOption, K::Hex};

// prctl's arg4 and arg5, by option: PR_SET_VMA_ANON_NAME's range length and name (arg3 is the
// range's start: hex).
constexpr ArgChoice kPrctlArg4ByOption[] = {
    {tables::value_of(PR_SET_VMA), K::Size, nullptr},
};
constexpr ChoiceTable kPrctlArg4{"prctl_arg4", kPrctlArg4ByOption, K::Hex};
constexpr ArgChoice kPrctlArg5ByOption[] = {
    {tables::value_of(PR_SET_VMA), K::String, nullptr},
};
constexpr ChoiceTable kPrctlArg5{"prctl_arg5", kPrctlArg5ByOption, K::Hex};

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

// io_uring_register's arg, by opcode (io_uring_register(fd, opcode, arg, nr_args): nr_args is
// argument 3), whatever IORING_REGISTER_USE_REGISTERED_RING (1 << 31, Linux 6.3's
// include/uapi/linux/io_uring.h) says of fd: the fds or buffers registered, the eventfd, the
// probe the kernel fills in, the resources registered or updated, the registered rings' slots,
// the io-wq limits (in/out: the previous ones come back) and CPU mask of nr_args bytes, the
// buffer ring, the cancelation, the allocation range, the restrictions. The opcodes that take no
// argument (UNREGISTER_*, PERSONALITY, ENABLE_RINGS: NULL, or a number the kernel rejects) and
// those not decoded yet: hex. Opcodes 26 to 34 (Linux 6.8 to 6.13) are numbers of the kernel's
// include/uapi/linux/io_uring.h: a buffer ring's status and the NAPI settings (in/out: the
// previous ones come back; UNREGISTER_NAPI writes them only), the clock, cloned buffers, the
// resized rings' io_uring_params (in/out), a memory region. SEND_MSG_RING (31: an SQE),
// ZCRX_IFQ (32) and QUERY (35) are left as addresses.
constexpr int kUringNrArgs = 3;
constexpr uint32_t kUringUseRegisteredRing = 1u << 31;
constexpr ArgChoice kUringRegisterArgByOp[] = {
    struct_array_choice(IORING_REGISTER_FILES, "fd_array", Dir::In, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_BUFFERS, "iovec_ranges", Dir::In, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_EVENTFD, "fd_array", Dir::In, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_EVENTFD_ASYNC, "fd_array", Dir::In, kUringNrArgs),
    struct_choice(IORING_REGISTER_FILES_UPDATE, "io_uring_rsrc_update", Dir::In),
    struct_array_choice(IORING_REGISTER_PROBE, "io_uring_probe", Dir::Out, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_RESTRICTIONS, "io_uring_restrictions", Dir::In,
                        kUringNrArgs),
    struct_choice(IORING_REGISTER_FILES2, "io_uring_rsrc_register", Dir::In),
    struct_choice(IORING_REGISTER_FILES_UPDATE2, "io_uring_rsrc_update2", Dir::In),
    struct_choice(IORING_REGISTER_BUFFERS2, "io_uring_rsrc_register", Dir::In),
    struct_choice(IORING_REGISTER_BUFFERS_UPDATE, "io_uring_rsrc_update2", Dir::In),
    struct_array_choice(IORING_REGISTER_IOWQ_AFF, "cpu_mask", Dir::In, kUringNrArgs),
    struct_choice(IORING_REGISTER_IOWQ_MAX_WORKERS, "iowq_max_workers", Dir::InOut),
    struct_array_choice(IORING_REGISTER_RING_FDS, "io_uring_ring_fds", Dir::InOut, kUringNrArgs),
    struct_array_choice(IORING_UNREGISTER_RING_FDS, "io_uring_ring_offsets", Dir::In, kUringNrArgs),
    struct_choice(IORING_REGISTER_PBUF_RING, "io_uring_buf_reg", Dir::In),
    struct_choice(IORING_UNREGISTER_PBUF_RING, "io_uring_buf_reg", Dir::In),
    struct_choice(IORING_REGISTER_SYNC_CANCEL, "io_uring_sync_cancel_reg", Dir::In),
    struct_choice(IORING_REGISTER_FILE_ALLOC_RANGE, "io_uring_file_index_range", Dir::In),
    struct_choice(26, "io_uring_buf_status", Dir::InOut),   // IORING_REGISTER_PBUF_STATUS
    struct_choice(27, "io_uring_napi", Dir::InOut),         // IORING_REGISTER_NAPI
    struct_choice(28, "io_uring_napi", Dir::Out),           // IORING_UNREGISTER_NAPI
    struct_choice(29, "io_uring_clock_register", Dir::In),  // IORING_REGISTER_CLOCK
    struct_choice(30, "io_uring_clone_buffers", Dir::In),   // IORING_REGISTER_CLONE_BUFFERS
    struct_choice(33, "io_uring_params", Dir::InOut),       // IORING_REGISTER_RESIZE_RINGS
    struct_choice(34, "io_uring_mem_region_reg", Dir::In),  // IORING_REGISTER_MEM_REGION
};
constexpr ChoiceTable kUringRegisterArg{"io_uring_register_arg", kUringRegisterArgByOp, K::Hex,
                                        ~kUringUseRegisteredRing, kUringUseRegisteredRing};

// io_uring_enter's argp, by flags (io_uring_enter(fd, to_submit, min_complete, flags, argp,
// argsz)): with IORING_ENTER_EXT_ARG a struct io_uring_getevents_arg, else a signal mask of
// argsz bytes (or NULL). With IORING_ENTER_EXT_ARG_REG (1 << 6, Linux 6.13's
// include/uapi/linux/io_uring.h; the installed header may lack it) argp is an offset into a
// registered region, not an address: hex. The flags that do not change what argp is are
// expanded into capture plans: the four of the installed header, IORING_ENTER_ABS_TIMER
// (1 << 5, Linux 6.12: the timeout is absolute) and IORING_ENTER_NO_IOWAIT (1 << 7, Linux 6.15),
// which liburing passes on every call of a ring that asked for it.
constexpr int kUringArgsz = 5;
constexpr uint32_t kUringEnterAbsTimer = 1u << 5;
constexpr uint32_t kUringEnterExtArgReg = 1u << 6;
constexpr uint32_t kUringEnterNoIowait = 1u << 7;
constexpr ArgChoice kUringEnterArgpByFlags[] = {
    struct_array_choice(0, "sigset", Dir::In, kUringArgsz),
    struct_choice(IORING_ENTER_EXT_ARG, "io_uring_getevents_arg", Dir::In),
};
constexpr ChoiceTable kUringEnterArgp{"io_uring_enter_argp", kUringEnterArgpByFlags, K::Hex,
                                      IORING_ENTER_EXT_ARG | kUringEnterExtArgReg,
                                      IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP |
                                          IORING_ENTER_SQ_WAIT | IORING_ENTER_REGISTERED_RING |
                                          kUringEnterAbsTimer | kUringEnterNoIowait};

// clone's parent_tidptr, by clone_flags (<sched.h>): the child's TID the kernel wrote there
// (CLONE_PARENT_SETTID), or the pidfd (CLONE_PIDFD; clone rejects the two together, which share
// the pointer). The other flags are too many to expand into plans: the int is copied after every
// clone (capture_always) and shown for these two only.
constexpr ArgChoice kCloneParentTidByFlags[] = {
    struct_choice(CLONE_PARENT_SETTID, "int", Dir::Out),
    struct_choice(CLONE_PIDFD, "int_fd", Dir::Out),
};
constexpr ChoiceTable kCloneParentTid{
    "clone_parent_tid", kCloneParentTidByFlags, K::Hex, CLONE_PARENT_SETTID | CLONE_PIDFD, 0, true};

// reboot's arg, by cmd: LINUX_REBOOT_CMD_RESTART2's command string; ignored otherwise.
constexpr ArgChoice kRebootArgByCmd[] = {
    {tables::value_of(LINUX_REBOOT_CMD_RESTART2), K::String, nullptr},
};
constexpr ChoiceTable kRebootArg{"reboot_arg", kRebootArgByCmd, K::Hex};

// modify_ldt's ptr, by func (arch/x86/kernel/ldt.c, no header names them): 1 and 0x11 write an
// entry (a struct user_desc); 0 reads the LDT and 2 the default one into ret bytes.
constexpr ArgChoice kModifyLdtPtrByFunc[] = {
    {0, K::Buffer, nullptr, nullptr, Dir::Out, kLenRet},
    struct_choice(1, "user_desc", Dir::In),
    {2, K::Buffer, nullptr, nullptr, Dir::Out, kLenRet},
    struct_choice(0x11, "user_desc", Dir::In),
};
constexpr ChoiceTable kModifyLdtPtr{"modify_ldt_ptr", kModifyLdtPtrByFunc, K::Hex};

// quotactl and quotactl_fd's addr, by cmd (QCMD(command, type): the command chooses, for any
// quota type): the quota file's path, its format, its information, a quota, the next quota; the
// XFS commands' quota (struct fs_disk_quota), state (fs_quota_stat, and fs_quota_statv whose
// version the caller sets: in/out) and flags (<linux/dqblk_xfs.h>). Q_SYNC and Q_XQUOTASYNC take
// no addr.
constexpr uint32_t kQuotaCommand = ~uint32_t{SUBCMDMASK};
constexpr uint32_t kQuotaTypes = SUBCMDMASK & (USRQUOTA | GRPQUOTA | PRJQUOTA);
constexpr uint64_t qcmd(uint64_t command) {
  return command << SUBCMDSHIFT;
}
constexpr ArgChoice kQuotactlAddrByCmd[] = {
    {qcmd(Q_QUOTAON), K::Path, nullptr},
    struct_choice(qcmd(Q_GETFMT), "quota_format", Dir::Out),
    struct_choice(qcmd(Q_GETINFO), "if_dqinfo", Dir::Out),
    struct_choice(qcmd(Q_SETINFO), "if_dqinfo", Dir::In),
    struct_choice(qcmd(Q_GETQUOTA), "if_dqblk", Dir::Out),
    struct_choice(qcmd(Q_SETQUOTA), "if_dqblk", Dir::In),
    struct_choice(qcmd(Q_GETNEXTQUOTA), "if_nextdqblk", Dir::Out),
    struct_choice(qcmd(Q_XQUOTAON), "xfs_quota_flags", Dir::In),
    struct_choice(qcmd(Q_XQUOTAOFF), "xfs_quota_flags", Dir::In),
    struct_choice(qcmd(Q_XGETQUOTA), "fs_disk_quota", Dir::Out),
    struct_choice(qcmd(Q_XSETQLIM), "fs_disk_quota", Dir::In),
    struct_choice(qcmd(Q_XGETQSTAT), "fs_quota_stat", Dir::Out),
    struct_choice(qcmd(Q_XQUOTARM), "xfs_quota_types", Dir::In),
    struct_choice(qcmd(Q_XGETQSTATV), "fs_quota_statv", Dir::InOut),
    struct_choice(qcmd(Q_XGETNEXTQUOTA), "fs_disk_quota", Dir::Out),
};
constexpr ChoiceTable kQuotactlAddr{"quotactl_addr", kQuotactlAddrByCmd, K::Hex, kQuotaCommand,
                                    kQuotaTypes};

constexpr const ChoiceTable* kChoiceTables[] = {
    &kFcntl,        &kSocketProtocol, &kSockoptName,      &kFutexVal3,      &kPrctlArg2,
    &kIoctlArg,     &kSeccompUargs,   &kLandlockRuleAttr, &kFsconfigValue,  &kFsconfigAuxTable,
    &kPrctlArg4,    &kPrctlArg5,      &kUringRegisterArg, &kUringEnterArgp, &kRebootArg,
    &kModifyLdtPtr, &kQuotactlAddr,   &kCloneParentTid,
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
        if (t->capture_always) {
          a[i].push_back({static_cast<uint32_t>(c.selector), c.kind, c.dir, c.len, size, true});
          break;  // one copy serves every choice
        }
        // The selector's value, with each combination of the free bits (submasks of `free`).
        const uint32_t free = t->capture_bits & ~t->selector_mask;
        for (uint32_t extra = free;; extra = (extra - 1) & free) {
          a[i].push_back({static_cast<uint32_t>(c.selector) | extra, c.kind, c.dir, c.len, size});
          if (extra == 0) break;
        }
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
