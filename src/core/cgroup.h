// Control groups (v2) as what to trace (--cgroup): finding the directory a user names, and the
// processes in it and below.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dtruss {

// The cgroup v2 directory `given` names: an absolute path under a cgroup2 mount, or a path
// relative to the first one mounted. False with a one-line reason (a v1 directory, no cgroup2
// mounted, not a cgroup) otherwise.
bool resolve_cgroup(const std::string& given, std::string* dir, std::string* error);

// The processes in cgroup directory `dir` and in its descendants (their cgroup.procs), as now.
std::vector<pid_t> cgroup_processes(const std::string& dir);

// The cgroup v2 path of process `pid` (its "0::" line of /proc/PID/cgroup), "" when it is gone
// or the host has no cgroup v2.
std::string cgroup_of(pid_t pid);

// Every cgroup of the cgroup v2 hierarchy: its path (from the hierarchy's root, "/a/b") and its
// id (the inode number of its directory, what bpf_get_current_cgroup_id returns).
std::vector<std::pair<std::string, uint64_t>> cgroup_ids();

// The container (or systemd unit) a cgroup path belongs to, by the names runtimes give their
// cgroups: "docker:ID", "podman:ID", "containerd:ID", "crio:ID" (ID: the full 64 hex digits) or
// "unit:NAME.service" (or .scope); "" when none.
std::string container_of(const std::string& cgroup_path);

// --container WHAT: the cgroup v2 directory of the running container whose id starts with WHAT
// (at least 4 hex digits), of the docker or podman container named WHAT, or of the systemd unit
// WHAT (foo.service, foo.scope). False with a one-line reason otherwise (none, several).
bool find_container(const std::string& what, std::string* dir, std::string* error);

}  // namespace dtruss
