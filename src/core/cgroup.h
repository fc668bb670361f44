// Control groups (v2, or v1 on hosts still on it) as what to trace (--cgroup): finding the
// directory a user names, and the processes in it and below.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dtruss {

// The cgroup directory `given` names: an absolute path under a cgroup2 mount or a cgroup v1 one,
// or a path relative to the first cgroup2 mount. False with a one-line reason (no cgroup2
// mounted, not a cgroup) otherwise.
bool resolve_cgroup(const std::string& given, std::string* dir, std::string* error);

// Where a cgroup v1 directory is in the kernel: its hierarchy's id (as /proc/PID/cgroup numbers
// them), its id (its directory's inode number: kernfs's id, the kernel's cgroup->kn->id) and its
// level (0: the hierarchy's root).
struct CgroupV1 {
  int hierarchy = 0;
  uint64_t id = 0;
  int level = 0;
  std::string path;  // in its hierarchy, as /proc/PID/cgroup shows it ("/a/b"; "" at the root)
};

// Whether `dir` (canonical) is a cgroup v1 directory, and where it is (false for v2).
bool cgroup_v1_of(const std::string& dir, CgroupV1* where);

// The processes in cgroup directory `dir` and in its descendants (their cgroup.procs), as now.
std::vector<pid_t> cgroup_processes(const std::string& dir);

// The cgroup path of process `pid` (from /proc/PID/cgroup): its cgroup v2 one ("0::"), unless
// that names no container (container_of) and a v1 hierarchy's does (a container on a v1 host);
// "" when it is gone.
std::string cgroup_of(pid_t pid);

// The cgroup path of process `pid` in cgroup v1 hierarchy `hierarchy` (as /proc/PID/cgroup numbers
// them), or in the v2 hierarchy (0): "/a/b" ("/": the root); "" when it is gone.
std::string cgroup_path_of(pid_t pid, int hierarchy);

// Every cgroup of the cgroup v2 hierarchy: its path (from the hierarchy's root, "/a/b") and its
// id (the inode number of its directory, what bpf_get_current_cgroup_id returns); the root's "/"
// first.
std::vector<std::pair<std::string, uint64_t>> cgroup_ids();

// Where the first cgroup v1 hierarchy is mounted (pids, memory, cpu, name=systemd, then the
// others), or "" (a host on cgroup v2 alone).
std::string first_cgroup1_mount();

// The cgroups of directory `dir` and below (any hierarchy): each one's path and id (its
// directory's inode number).
std::vector<std::pair<std::string, uint64_t>> cgroup_tree(const std::string& dir);

// The container (or systemd unit) a cgroup path belongs to, by the names runtimes give their
// cgroups: "docker:ID", "podman:ID", "containerd:ID", "crio:ID" (ID: the full 64 hex digits) or
// "unit:NAME.service" (or .scope); "" when none.
std::string container_of(const std::string& cgroup_path);

// --container WHAT: the cgroup directory of the running container whose id starts with WHAT
// (at least 4 hex digits), of the docker or podman container named WHAT, or of the systemd unit
// WHAT (foo.service, foo.scope): in the cgroup v2 hierarchy, or when it is not there, in the first
// v1 hierarchy that has it (pids, memory, cpu, name=systemd, then the others). False with a
// one-line reason otherwise (none, several).
bool find_container(const std::string& what, std::string* dir, std::string* error);

}  // namespace dtruss
