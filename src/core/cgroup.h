// Control groups (v2) as what to trace (--cgroup): finding the directory a user names, and the
// processes in it and below.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace dtruss {

// The cgroup v2 directory `given` names: an absolute path under a cgroup2 mount, or a path
// relative to the first one mounted. False with a one-line reason (a v1 directory, no cgroup2
// mounted, not a cgroup) otherwise.
bool resolve_cgroup(const std::string& given, std::string* dir, std::string* error);

// The processes in cgroup directory `dir` and in its descendants (their cgroup.procs), as now.
std::vector<pid_t> cgroup_processes(const std::string& dir);

}  // namespace dtruss
