// Process tables: clone/unshare, wait, prctl/arch_prctl, capabilities, personality, resource
// limits and usage, priorities, scheduling, ptrace, seccomp, kcmp, reboot, syslog, ioprio.
// Facts from the kernel's UAPI headers <linux/sched.h> (CLONE_*, SCHED_*; glibc's <sched.h>
// lacks the newer ones), <linux/capability.h>, <linux/wait.h>, <linux/prctl.h>, <asm/prctl.h>,
// <linux/seccomp.h>, <linux/kcmp.h>, <linux/reboot.h>, include/uapi/linux/ioprio.h (as numbers: the
// installed header's inline ioprio_value() names a parameter `class`, which C++ cannot compile),
// and from glibc's <signal.h>, <sys/personality.h>, <sys/resource.h> and <sys/ptrace.h>; constants
// in no installed header are numbers citing the kernel header they come from.
#include <asm/prctl.h>
#include <linux/capability.h>
#include <linux/kcmp.h>
#include <linux/prctl.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/wait.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <signal.h>: the exit signal in the low byte (CSIGNAL) of clone flags. A signal without a
// name here (a real-time one) prints in decimal.
constexpr FlagName kSignals[] = {
    F(SIGHUP),  F(SIGINT),    F(SIGQUIT), F(SIGILL),  F(SIGTRAP),   F(SIGABRT), F(SIGBUS),
    F(SIGFPE),  F(SIGKILL),   F(SIGUSR1), F(SIGSEGV), F(SIGUSR2),   F(SIGPIPE), F(SIGALRM),
    F(SIGTERM), F(SIGSTKFLT), F(SIGCHLD), F(SIGCONT), F(SIGSTOP),   F(SIGTSTP), F(SIGTTIN),
    F(SIGTTOU), F(SIGURG),    F(SIGXCPU), F(SIGXFSZ), F(SIGVTALRM), F(SIGPROF), F(SIGWINCH),
    F(SIGIO),   F(SIGPWR),    F(SIGSYS),
};

// <linux/sched.h>. The low byte is the exit signal, so CLONE_NEWTIME (0x80, clone3 and unshare
// only) is not among the bits; the signal shows last, and not at all when zero.
constexpr FlagName kCloneBits[] = {
    F(CLONE_VM),
    F(CLONE_FS),
    F(CLONE_FILES),
    F(CLONE_SIGHAND),
    F(CLONE_PIDFD),
    F(CLONE_PTRACE),
    F(CLONE_VFORK),
    F(CLONE_PARENT),
    F(CLONE_THREAD),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_SETTLS),
    F(CLONE_PARENT_SETTID),
    F(CLONE_CHILD_CLEARTID),
    F(CLONE_DETACHED),
    F(CLONE_UNTRACED),
    F(CLONE_CHILD_SETTID),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    F(CLONE_IO),
    F(CLONE_CLEAR_SIGHAND),
    F(CLONE_INTO_CGROUP),
};
constexpr FlagTable kCloneFlags =
    mixed_table("clone_flags", 0xff /* CSIGNAL */, kSignals, kCloneBits, /*enum_last=*/true);

// <linux/sched.h>: the flags of struct clone_args (clone3), whose exit signal is a field of its
// own, so the low byte holds CLONE_NEWTIME.
constexpr FlagName kClone3Bits[] = {
    F(CLONE_NEWTIME),
    F(CLONE_VM),
    F(CLONE_FS),
    F(CLONE_FILES),
    F(CLONE_SIGHAND),
    F(CLONE_PIDFD),
    F(CLONE_PTRACE),
    F(CLONE_VFORK),
    F(CLONE_PARENT),
    F(CLONE_THREAD),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_SETTLS),
    F(CLONE_PARENT_SETTID),
    F(CLONE_CHILD_CLEARTID),
    F(CLONE_DETACHED),
    F(CLONE_UNTRACED),
    F(CLONE_CHILD_SETTID),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    F(CLONE_IO),
    F(CLONE_CLEAR_SIGHAND),
    F(CLONE_INTO_CGROUP),
};
constexpr FlagTable kClone3Flags = bits_table("clone3_flags", kClone3Bits);

// <linux/sched.h>
constexpr FlagName kUnshareBits[] = {
    F(CLONE_FILES),   F(CLONE_FS),     F(CLONE_NEWCGROUP), F(CLONE_NEWIPC),  F(CLONE_NEWNET),
    F(CLONE_NEWNS),   F(CLONE_NEWPID), F(CLONE_NEWTIME),   F(CLONE_NEWUSER), F(CLONE_NEWUTS),
    F(CLONE_SYSVSEM), F(CLONE_THREAD), F(CLONE_SIGHAND),   F(CLONE_VM),
};
constexpr FlagTable kUnshareFlags = bits_table("unshare_flags", kUnshareBits);

// <linux/wait.h> (WSTOPPED, for waitid, is WUNTRACED's bit)
constexpr FlagName kWaitBits[] = {F(WNOHANG), F(WUNTRACED),   F(WEXITED), F(WCONTINUED),
                                  F(WNOWAIT), F(__WNOTHREAD), F(__WALL),  F(__WCLONE)};
constexpr FlagTable kWaitOptions = bits_table("wait_options", kWaitBits);

// <linux/wait.h>
constexpr FlagName kIdtypes[] = {F(P_ALL), F(P_PID), F(P_PGID), F(P_PIDFD)};
constexpr FlagTable kIdtype = enum_table("idtype", kIdtypes);

// <linux/prctl.h>; options newer than it are from include/uapi/linux/prctl.h: PR_GET_AUXV
// (6.1), PR_SET/GET_MDWE (6.3), PR_SET/GET_MEMORY_MERGE (6.4), PR_RISCV_V_SET/GET_CONTROL (6.5),
// PR_RISCV_SET_ICACHE_FLUSH_CTX (6.10), PR_PPC_GET/SET_DEXCR (6.10).
constexpr FlagName kPrctlOptions[] = {
    F(PR_SET_PDEATHSIG),
    F(PR_GET_PDEATHSIG),
    F(PR_GET_DUMPABLE),
    F(PR_SET_DUMPABLE),
    F(PR_GET_UNALIGN),
    F(PR_SET_UNALIGN),
    F(PR_GET_KEEPCAPS),
    F(PR_SET_KEEPCAPS),
    F(PR_GET_FPEMU),
    F(PR_SET_FPEMU),
    F(PR_GET_FPEXC),
    F(PR_SET_FPEXC),
    F(PR_GET_TIMING),
    F(PR_SET_TIMING),
    F(PR_SET_NAME),
    F(PR_GET_NAME),
    F(PR_GET_ENDIAN),
    F(PR_SET_ENDIAN),
    F(PR_GET_SECCOMP),
    F(PR_SET_SECCOMP),
    F(PR_CAPBSET_READ),
    F(PR_CAPBSET_DROP),
    F(PR_GET_TSC),
    F(PR_SET_TSC),
    F(PR_GET_SECUREBITS),
    F(PR_SET_SECUREBITS),
    F(PR_SET_TIMERSLACK),
    F(PR_GET_TIMERSLACK),
    F(PR_TASK_PERF_EVENTS_DISABLE),
    F(PR_TASK_PERF_EVENTS_ENABLE),
    F(PR_MCE_KILL),
    F(PR_MCE_KILL_GET),
    F(PR_SET_MM),
    F(PR_SET_PTRACER),
    F(PR_SET_CHILD_SUBREAPER),
    F(PR_GET_CHILD_SUBREAPER),
    F(PR_SET_NO_NEW_PRIVS),
    F(PR_GET_NO_NEW_PRIVS),
    F(PR_GET_TID_ADDRESS),
    F(PR_SET_THP_DISABLE),
    F(PR_GET_THP_DISABLE),
    F(PR_MPX_ENABLE_MANAGEMENT),
    F(PR_MPX_DISABLE_MANAGEMENT),
    F(PR_SET_FP_MODE),
    F(PR_GET_FP_MODE),
    F(PR_CAP_AMBIENT),
    F(PR_SVE_SET_VL),
    F(PR_SVE_GET_VL),
    F(PR_GET_SPECULATION_CTRL),
    F(PR_SET_SPECULATION_CTRL),
    F(PR_PAC_RESET_KEYS),
    F(PR_SET_TAGGED_ADDR_CTRL),
    F(PR_GET_TAGGED_ADDR_CTRL),
    F(PR_SET_IO_FLUSHER),
    F(PR_GET_IO_FLUSHER),
    F(PR_SET_SYSCALL_USER_DISPATCH),
    F(PR_PAC_SET_ENABLED_KEYS),
    F(PR_PAC_GET_ENABLED_KEYS),
    F(PR_SCHED_CORE),
    F(PR_SME_SET_VL),
    F(PR_SME_GET_VL),
    N(65, "PR_SET_MDWE"),
    N(66, "PR_GET_MDWE"),
    N(67, "PR_SET_MEMORY_MERGE"),
    N(68, "PR_GET_MEMORY_MERGE"),
    N(69, "PR_RISCV_V_SET_CONTROL"),
    N(70, "PR_RISCV_V_GET_CONTROL"),
    N(71, "PR_RISCV_SET_ICACHE_FLUSH_CTX"),
    N(72, "PR_PPC_GET_DEXCR"),
    N(73, "PR_PPC_SET_DEXCR"),
    F(PR_SET_VMA),
    N(0x41555856, "PR_GET_AUXV"),
};
constexpr FlagTable kPrctlOption = enum_table("prctl_option", kPrctlOptions);

// <linux/prctl.h>: PR_SET_MM's field (arg2) and PR_SET_VMA's attribute (arg2).
constexpr FlagName kPrctlSetMmFields[] = {
    F(PR_SET_MM_START_CODE), F(PR_SET_MM_END_CODE),    F(PR_SET_MM_START_DATA),
    F(PR_SET_MM_END_DATA),   F(PR_SET_MM_START_STACK), F(PR_SET_MM_START_BRK),
    F(PR_SET_MM_BRK),        F(PR_SET_MM_ARG_START),   F(PR_SET_MM_ARG_END),
    F(PR_SET_MM_ENV_START),  F(PR_SET_MM_ENV_END),     F(PR_SET_MM_AUXV),
    F(PR_SET_MM_EXE_FILE),   F(PR_SET_MM_MAP),         F(PR_SET_MM_MAP_SIZE),
};
constexpr FlagTable kPrctlSetMm = enum_table("prctl_set_mm", kPrctlSetMmFields);
constexpr FlagName kPrctlVmaAttrs[] = {F(PR_SET_VMA_ANON_NAME)};
constexpr FlagTable kPrctlVmaAttr = enum_table("prctl_vma_attr", kPrctlVmaAttrs);

// <asm/prctl.h>; the tagged-address (LAM, Linux 6.4) and shadow stack (Linux 6.6) codes are
// from arch/x86/include/uapi/asm/prctl.h.
constexpr FlagName kArchPrctlCodes[] = {
    F(ARCH_SET_GS),
    F(ARCH_SET_FS),
    F(ARCH_GET_FS),
    F(ARCH_GET_GS),
    F(ARCH_GET_CPUID),
    F(ARCH_SET_CPUID),
    F(ARCH_GET_XCOMP_SUPP),
    F(ARCH_GET_XCOMP_PERM),
    F(ARCH_REQ_XCOMP_PERM),
    F(ARCH_GET_XCOMP_GUEST_PERM),
    F(ARCH_REQ_XCOMP_GUEST_PERM),
    F(ARCH_MAP_VDSO_X32),
    F(ARCH_MAP_VDSO_32),
    F(ARCH_MAP_VDSO_64),
    N(0x4001, "ARCH_GET_UNTAG_MASK"),
    N(0x4002, "ARCH_ENABLE_TAGGED_ADDR"),
    N(0x4003, "ARCH_GET_MAX_TAG_BITS"),
    N(0x4004, "ARCH_FORCE_TAGGED_SVA"),
    N(0x5001, "ARCH_SHSTK_ENABLE"),
    N(0x5002, "ARCH_SHSTK_DISABLE"),
    N(0x5003, "ARCH_SHSTK_LOCK"),
    N(0x5004, "ARCH_SHSTK_UNLOCK"),
    N(0x5005, "ARCH_SHSTK_STATUS"),
};
constexpr FlagTable kArchPrctlCode = enum_table("arch_prctl_code", kArchPrctlCodes);

// <sys/personality.h>: the personality type in the low byte (PER_MASK), named by the PER_*
// constant whose type it is (several constants also carry flag bits, shown as bits), and the
// bug-emulation flags above it.
constexpr FlagName kPersonalityTypes[] = {
    F(PER_LINUX),
    N(PER_SVR4& PER_MASK, "PER_SVR4"),
    N(PER_SVR3& PER_MASK, "PER_SVR3"),
    N(PER_SCOSVR3& PER_MASK, "PER_SCOSVR3"),
    N(PER_WYSEV386& PER_MASK, "PER_WYSEV386"),
    N(PER_ISCR4& PER_MASK, "PER_ISCR4"),
    F(PER_BSD),
    N(PER_XENIX& PER_MASK, "PER_XENIX"),
    F(PER_LINUX32),
    N(PER_IRIX32& PER_MASK, "PER_IRIX32"),
    N(PER_IRIXN32& PER_MASK, "PER_IRIXN32"),
    N(PER_IRIX64& PER_MASK, "PER_IRIX64"),
    F(PER_RISCOS),
    N(PER_SOLARIS& PER_MASK, "PER_SOLARIS"),
    N(PER_UW7& PER_MASK, "PER_UW7"),
    F(PER_OSF4),
    F(PER_HPUX),
};
constexpr FlagName kPersonalityBits[] = {
    F(UNAME26),          F(ADDR_NO_RANDOMIZE),  F(FDPIC_FUNCPTRS),
    F(MMAP_PAGE_ZERO),   F(ADDR_COMPAT_LAYOUT), F(READ_IMPLIES_EXEC),
    F(ADDR_LIMIT_32BIT), F(SHORT_INODE),        F(WHOLE_SECONDS),
    F(STICKY_TIMEOUTS),  F(ADDR_LIMIT_3GB),
};
constexpr FlagTable kPersonality =
    mixed_table("personality", PER_MASK, kPersonalityTypes, kPersonalityBits);

// <sys/resource.h>
constexpr FlagName kRlimits[] = {
    F(RLIMIT_CPU),      F(RLIMIT_FSIZE), F(RLIMIT_DATA),   F(RLIMIT_STACK),
    F(RLIMIT_CORE),     F(RLIMIT_RSS),   F(RLIMIT_NPROC),  F(RLIMIT_NOFILE),
    F(RLIMIT_MEMLOCK),  F(RLIMIT_AS),    F(RLIMIT_LOCKS),  F(RLIMIT_SIGPENDING),
    F(RLIMIT_MSGQUEUE), F(RLIMIT_NICE),  F(RLIMIT_RTPRIO), F(RLIMIT_RTTIME),
};
constexpr FlagTable kRlimitResource = enum_table("rlimit_resource", kRlimits);

// <sys/resource.h>
constexpr FlagName kRusageWho[] = {F(RUSAGE_SELF), F(RUSAGE_CHILDREN), F(RUSAGE_THREAD)};
constexpr FlagTable kRusageWhoTable = enum_table("rusage_who", kRusageWho);

// <sys/resource.h>
constexpr FlagName kWhichPrio[] = {F(PRIO_PROCESS), F(PRIO_PGRP), F(PRIO_USER)};
constexpr FlagTable kWhichPrioTable = enum_table("which_prio", kWhichPrio);

// <linux/sched.h>: the policy, with the SCHED_RESET_ON_FORK bit. SCHED_OTHER is the kernel's
// SCHED_NORMAL; SCHED_EXT is from include/uapi/linux/sched.h (Linux 6.12).
constexpr FlagName kSchedPolicies[] = {
    N(SCHED_NORMAL, "SCHED_OTHER"),
    F(SCHED_FIFO),
    F(SCHED_RR),
    F(SCHED_BATCH),
    F(SCHED_IDLE),
    F(SCHED_DEADLINE),
    N(7, "SCHED_EXT"),
};
constexpr FlagName kSchedPolicyBits[] = {F(SCHED_RESET_ON_FORK)};
constexpr FlagTable kSchedPolicy =
    mixed_table("sched_policy", ~value_of(SCHED_RESET_ON_FORK), kSchedPolicies, kSchedPolicyBits);

// <linux/sched.h>: sched_attr.sched_flags.
constexpr FlagName kSchedFlagBits[] = {
    F(SCHED_FLAG_RESET_ON_FORK),  F(SCHED_FLAG_RECLAIM),     F(SCHED_FLAG_DL_OVERRUN),
    F(SCHED_FLAG_KEEP_POLICY),    F(SCHED_FLAG_KEEP_PARAMS), F(SCHED_FLAG_UTIL_CLAMP_MIN),
    F(SCHED_FLAG_UTIL_CLAMP_MAX),
};
constexpr FlagTable kSchedFlags = bits_table("sched_flags", kSchedFlagBits);

// <sys/ptrace.h> (x86_64); PTRACE_SET/GET_SYSCALL_USER_DISPATCH_CONFIG are from
// include/uapi/linux/ptrace.h (Linux 6.4).
constexpr FlagName kPtraceRequests[] = {
    F(PTRACE_TRACEME),
    F(PTRACE_PEEKTEXT),
    F(PTRACE_PEEKDATA),
    F(PTRACE_PEEKUSER),
    F(PTRACE_POKETEXT),
    F(PTRACE_POKEDATA),
    F(PTRACE_POKEUSER),
    F(PTRACE_CONT),
    F(PTRACE_KILL),
    F(PTRACE_SINGLESTEP),
    F(PTRACE_GETREGS),
    F(PTRACE_SETREGS),
    F(PTRACE_GETFPREGS),
    F(PTRACE_SETFPREGS),
    F(PTRACE_ATTACH),
    F(PTRACE_DETACH),
    F(PTRACE_GETFPXREGS),
    F(PTRACE_SETFPXREGS),
    F(PTRACE_SYSCALL),
    F(PTRACE_GET_THREAD_AREA),
    F(PTRACE_SET_THREAD_AREA),
    F(PTRACE_ARCH_PRCTL),
    F(PTRACE_SYSEMU),
    F(PTRACE_SYSEMU_SINGLESTEP),
    F(PTRACE_SINGLEBLOCK),
    F(PTRACE_SETOPTIONS),
    F(PTRACE_GETEVENTMSG),
    F(PTRACE_GETSIGINFO),
    F(PTRACE_SETSIGINFO),
    F(PTRACE_GETREGSET),
    F(PTRACE_SETREGSET),
    F(PTRACE_SEIZE),
    F(PTRACE_INTERRUPT),
    F(PTRACE_LISTEN),
    F(PTRACE_PEEKSIGINFO),
    F(PTRACE_GETSIGMASK),
    F(PTRACE_SETSIGMASK),
    F(PTRACE_SECCOMP_GET_FILTER),
    F(PTRACE_SECCOMP_GET_METADATA),
    F(PTRACE_GET_SYSCALL_INFO),
    F(PTRACE_GET_RSEQ_CONFIGURATION),
    N(0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"),
    N(0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"),
};
constexpr FlagTable kPtraceRequest = enum_table("ptrace_request", kPtraceRequests);

// <linux/seccomp.h>
constexpr FlagName kSeccompOps[] = {F(SECCOMP_SET_MODE_STRICT), F(SECCOMP_SET_MODE_FILTER),
                                    F(SECCOMP_GET_ACTION_AVAIL), F(SECCOMP_GET_NOTIF_SIZES)};
constexpr FlagTable kSeccompOp = enum_table("seccomp_op", kSeccompOps);

// <linux/seccomp.h>
constexpr FlagName kSeccompBits[] = {
    F(SECCOMP_FILTER_FLAG_TSYNC),       F(SECCOMP_FILTER_FLAG_LOG),
    F(SECCOMP_FILTER_FLAG_SPEC_ALLOW),  F(SECCOMP_FILTER_FLAG_NEW_LISTENER),
    F(SECCOMP_FILTER_FLAG_TSYNC_ESRCH), F(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV),
};
constexpr FlagTable kSeccompFlags = bits_table("seccomp_flags", kSeccompBits);

// <linux/kcmp.h>
constexpr FlagName kKcmpTypes[] = {F(KCMP_FILE),    F(KCMP_VM), F(KCMP_FILES),   F(KCMP_FS),
                                   F(KCMP_SIGHAND), F(KCMP_IO), F(KCMP_SYSVSEM), F(KCMP_EPOLL_TFD)};
constexpr FlagTable kKcmpType = enum_table("kcmp_type", kKcmpTypes);

// <linux/reboot.h>
constexpr FlagName kRebootCmds[] = {
    F(LINUX_REBOOT_CMD_RESTART),    F(LINUX_REBOOT_CMD_HALT),      F(LINUX_REBOOT_CMD_CAD_ON),
    F(LINUX_REBOOT_CMD_CAD_OFF),    F(LINUX_REBOOT_CMD_POWER_OFF), F(LINUX_REBOOT_CMD_RESTART2),
    F(LINUX_REBOOT_CMD_SW_SUSPEND), F(LINUX_REBOOT_CMD_KEXEC),
};
constexpr FlagTable kRebootCmd = enum_table("reboot_cmd", kRebootCmds);

// <linux/reboot.h>: the magic numbers of reboot's first two arguments.
constexpr FlagName kRebootMagics[] = {F(LINUX_REBOOT_MAGIC1), F(LINUX_REBOOT_MAGIC2),
                                      F(LINUX_REBOOT_MAGIC2A), F(LINUX_REBOOT_MAGIC2B),
                                      F(LINUX_REBOOT_MAGIC2C)};
constexpr FlagTable kRebootMagic = enum_table("reboot_magic", kRebootMagics);

// include/linux/syslog.h (kernel-internal: no UAPI or glibc header names them).
constexpr FlagName kSyslogTypes[] = {
    N(0, "SYSLOG_ACTION_CLOSE"),         N(1, "SYSLOG_ACTION_OPEN"),
    N(2, "SYSLOG_ACTION_READ"),          N(3, "SYSLOG_ACTION_READ_ALL"),
    N(4, "SYSLOG_ACTION_READ_CLEAR"),    N(5, "SYSLOG_ACTION_CLEAR"),
    N(6, "SYSLOG_ACTION_CONSOLE_OFF"),   N(7, "SYSLOG_ACTION_CONSOLE_ON"),
    N(8, "SYSLOG_ACTION_CONSOLE_LEVEL"), N(9, "SYSLOG_ACTION_SIZE_UNREAD"),
    N(10, "SYSLOG_ACTION_SIZE_BUFFER"),
};
constexpr FlagTable kSyslogType = enum_table("syslog_type", kSyslogTypes);

// include/uapi/linux/ioprio.h: enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER }
constexpr FlagName kIoprioWho[] = {N(1, "IOPRIO_WHO_PROCESS"), N(2, "IOPRIO_WHO_PGRP"),
                                   N(3, "IOPRIO_WHO_USER")};
constexpr FlagTable kIoprioWhich = enum_table("ioprio_which", kIoprioWho);

// <linux/capability.h>: a capability number (prctl's PR_CAPBSET_READ and PR_CAPBSET_DROP).
constexpr FlagName kCapabilities[] = {
    F(CAP_CHOWN),
    F(CAP_DAC_OVERRIDE),
    F(CAP_DAC_READ_SEARCH),
    F(CAP_FOWNER),
    F(CAP_FSETID),
    F(CAP_KILL),
    F(CAP_SETGID),
    F(CAP_SETUID),
    F(CAP_SETPCAP),
    F(CAP_LINUX_IMMUTABLE),
    F(CAP_NET_BIND_SERVICE),
    F(CAP_NET_BROADCAST),
    F(CAP_NET_ADMIN),
    F(CAP_NET_RAW),
    F(CAP_IPC_LOCK),
    F(CAP_IPC_OWNER),
    F(CAP_SYS_MODULE),
    F(CAP_SYS_RAWIO),
    F(CAP_SYS_CHROOT),
    F(CAP_SYS_PTRACE),
    F(CAP_SYS_PACCT),
    F(CAP_SYS_ADMIN),
    F(CAP_SYS_BOOT),
    F(CAP_SYS_NICE),
    F(CAP_SYS_RESOURCE),
    F(CAP_SYS_TIME),
    F(CAP_SYS_TTY_CONFIG),
    F(CAP_MKNOD),
    F(CAP_LEASE),
    F(CAP_AUDIT_WRITE),
    F(CAP_AUDIT_CONTROL),
    F(CAP_SETFCAP),
    F(CAP_MAC_OVERRIDE),
    F(CAP_MAC_ADMIN),
    F(CAP_SYSLOG),
    F(CAP_WAKE_ALARM),
    F(CAP_BLOCK_SUSPEND),
    F(CAP_AUDIT_READ),
    F(CAP_PERFMON),
    F(CAP_BPF),
    F(CAP_CHECKPOINT_RESTORE),
};
static_assert(CAP_LAST_CAP == CAP_CHECKPOINT_RESTORE, "a capability is missing from the table");
constexpr FlagTable kCapability = enum_table("capability", kCapabilities);

constexpr const FlagTable* kTables[] = {
    &kCloneFlags,     &kClone3Flags,   &kUnshareFlags, &kWaitOptions,    &kIdtype,
    &kPrctlOption,    &kArchPrctlCode, &kPersonality,  &kRlimitResource, &kRusageWhoTable,
    &kWhichPrioTable, &kSchedPolicy,   &kSchedFlags,   &kPtraceRequest,  &kSeccompOp,
    &kSeccompFlags,   &kKcmpType,      &kRebootCmd,    &kRebootMagic,    &kSyslogType,
    &kIoprioWhich,    &kCapability,    &kPrctlSetMm,   &kPrctlVmaAttr,
};

}  // namespace

TableList process_tables() {
  return kTables;
}

}  // namespace dtruss::tables
