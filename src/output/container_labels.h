// Which container (or systemd unit) each process is in, for the lines of --all, --cgroup and
// --container, where many mix: read from /proc/PID/cgroup when a process is first seen (one gone
// by then has none), named as core/cgroup.h's container_of names it ("docker:ID",
// "unit:nginx.service"), or as their cgroup paths (--summary-by cgroup).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dtruss {

class ContainerLabels {
 public:
  ContainerLabels() = default;
  // --summary-by cgroup: labels that are the cgroup paths themselves ("/a/b"), of the v2
  // hierarchy (0) or of cgroup v1 hierarchy `hierarchy` (a v1 --cgroup's).
  static ContainerLabels cgroup_paths(int hierarchy) {
    ContainerLabels l;
    l.paths_ = true;
    l.hierarchy_ = hierarchy;
    return l;
  }

  // A replay (-R): the labels are the capture's, given(), never read from this machine (a
  // process or cgroup not given has none).
  void replayed() { replayed_ = true; }
  void given(int32_t pid, std::string label) { by_pid_[pid] = std::move(label); }

  // The label of process `pid` ("" when none).
  const std::string& of(int32_t pid);
  // The label of the cgroup whose id (its directory's inode number) is `id` ("" when none, or
  // when it is gone).
  const std::string& of_cgroup(uint64_t id);
  // The process ended: its PID may be reused.
  void forget(int32_t pid) { by_pid_.erase(pid); }
  // For a line's prefix: a container id cut to 12 digits, as `docker ps` shows it.
  static std::string_view brief(std::string_view label);

 private:
  std::unordered_map<int32_t, std::string> by_pid_;
  std::unordered_map<uint64_t, std::string> by_cgroup_;  // (filled by one walk of the hierarchy)
  bool walked_ = false;
  bool paths_ = false;  // the cgroup's path rather than its container's name
  bool replayed_ = false;
  int hierarchy_ = 0;  // (paths_: 0 for v2, a v1 hierarchy's id)
};

}  // namespace dtruss
