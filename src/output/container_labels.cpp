#include "output/container_labels.h"

#include "core/cgroup.h"

namespace dtruss {

const std::string& ContainerLabels::of(int32_t pid) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end())
    it = by_pid_
             .emplace(pid, replayed_ ? std::string()
                           : paths_  ? cgroup_path_of(pid, hierarchy_)
                                     : container_of(cgroup_of(pid)))
             .first;
  return it->second;
}

const std::string& ContainerLabels::of_cgroup(uint64_t id) {
  auto it = by_cgroup_.find(id);
  if (it != by_cgroup_.end()) return it->second;
  if (!walked_ &&
      !replayed_) {  // once: a cgroup made after the walk is named "" (counted apart all the same)
    walked_ = true;
    for (const auto& [path, ino] : cgroup_ids())
      by_cgroup_.emplace(ino, paths_ ? path : container_of(path));
  }
  return by_cgroup_[id];
}

std::string_view ContainerLabels::brief(std::string_view label) {
  size_t colon = label.find(':');
  if (colon == std::string_view::npos || label.starts_with("unit:")) return label;
  return label.substr(0, std::min(label.size(), colon + 1 + 12));
}

}  // namespace dtruss
