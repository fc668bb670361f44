// Finding processes by name in /proc.
#pragma once

#include <sys/types.h>

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

}  // namespace dtruss
