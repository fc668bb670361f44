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

}  // namespace dtruss
