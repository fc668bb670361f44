#include "core/proc.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace dtruss {

std::string process_comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

bool comm_matches(std::string_view comm, std::string_view name) {
  if (name.empty()) return false;
  if (comm.starts_with(name)) return true;
  return comm.size() == 15 && name.starts_with(comm);
}

std::set<pid_t> all_pids() {
  std::set<pid_t> out;
  DIR* d = opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    out.insert(static_cast<pid_t>(std::atoi(e->d_name)));
  }
  closedir(d);
  return out;
}

std::vector<pid_t> find_processes(std::string_view name) {
  std::vector<pid_t> out;
  for (pid_t pid : all_pids()) {
    if (pid == getpid()) continue;
    std::string comm = process_comm(pid);
    if (!comm.empty() && comm_matches(comm, name)) out.push_back(pid);
  }
  return out;
}

}  // namespace dtruss
