#include "output/container_labels.h"

#include "core/cgroup.h"

namespace dtruss {

const std::string& ContainerLabels::of(int32_t pid) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) it = by_pid_.emplace(pid, container_of(cgroup_of(pid))).first;
  return it->second;
}

std::string_view ContainerLabels::brief(std::string_view label) {
  size_t colon = label.find(':');
  if (colon == std::string_view::npos || label.starts_with("unit:")) return label;
  return label.substr(0, std::min(label.size(), colon + 1 + 12));
}

}  // namespace dtruss
