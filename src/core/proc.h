// Finding processes by name in /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dtruss {

// dtruss's name match, a prefix either way: "ssh" matches "sshd"; a 15-byte comm (the kernel's
// truncation of a longer name) matches the longer NAME it starts.
bool comm_matches(std::string_view comm, std::string_view name);

// The processes (thread-group ids) whose name matches, except dtruss itself.
std::vector<pid_t> find_processes(std::string_view name);

// The name (comm) of a process, "" when it is gone.
std::string process_comm(pid_t pid);

// Every process id now in /proc.
std::set<pid_t> all_pids();

// The thread ids of a process now (empty when it is gone).
std::vector<pid_t> list_tasks(pid_t pid);

// Whether PID is a kernel thread (PF_KTHREAD in /proc/PID/stat): it makes no system calls.
bool is_kernel_thread(pid_t pid);

// Whether any thread of the process is still running code: false when it is gone, or when only
// its zombie is left, waiting to be reaped (its last system call has been made).
bool process_alive(pid_t pid);

// What `-p PID` names: the process (thread group) that PID belongs to, PID itself for a main
// thread, the process of a thread otherwise. Throws TraceError (exit status 2) with one line that
// names the cause when there is nothing to trace: no such process, dtruss itself, a kernel thread,
// a process that has exited (a zombie). Both backends ask it before they attach to anything.
pid_t traceable_process(pid_t pid);

// Why a caller without CAP_SYS_PTRACE may not trace a process: the kernel's ptrace rules
// (kernel/ptrace.c, __ptrace_may_access, and the capability check of security/commoncap.c).
// The eBPF backend's kernel side applies the same checks (events.h, DT_DENY_*: same values).
enum class PtraceDenial {
  None = 0,
  OtherUser = 1,    // its real, effective or saved uid is not the caller's
  OtherGroup = 2,   // its real, effective or saved gid is not the caller's
  MoreCaps = 3,     // it holds (permitted) capabilities that the caller lacks
  NotDumpable = 4,  // not dumpable: it changed credentials (set-ID) or asked not to be inspected
  Policy = 5,       // the kernel refuses all the same (a security module: Yama, SELinux...)
};

// What the reason means, for a message: "it belongs to another user", ...
std::string_view denial_text(PtraceDenial why);

// Whether the caller (dtruss, as it runs: its real uid and gid, its effective capabilities) may
// trace PID without CAP_SYS_PTRACE. The kernel itself decides: opening /proc/PID/mem is allowed
// exactly when ptrace_may_access(PTRACE_MODE_ATTACH_FSCREDS) says so (uids, gids, dumpable,
// capabilities, and every security module's ptrace hook); when it refuses, the reason is found
// from /proc/PID/status and who owns /proc/PID/stat (root, for a process that is not dumpable).
// None for a process that is gone (the caller's other checks say so). `detail`, when given, gets
// the ids or capabilities that differ ("real/effective/saved uid 0/0/0").
PtraceDenial ptrace_denial(pid_t pid, std::string* detail = nullptr);

// dtruss's own capability set from /proc/self/status ("CapEff", "CapPrm"), as a bit mask.
uint64_t own_capabilities(const char* key = "CapEff");

// Whether dtruss runs under a seccomp filter (/proc/self/status "Seccomp:" in filter mode), which
// a command it starts inherits.
bool under_seccomp_filter();

}  // namespace dtruss
