#include "core/cgroup.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dtruss {
namespace {

// Where the first cgroup2 hierarchy is mounted (/proc/self/mountinfo), or "".
std::string cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype;
    tail >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, dev, root, point;
    head >> id >> parent >> dev >> root >> point;
    return point;  // (mountinfo escapes spaces as \040: a cgroup2 mount point has none here)
  }
  return {};
}

}  // namespace

bool resolve_cgroup(const std::string& given, std::string* dir, std::string* error) {
  std::string path = given;
  if (path.front() != '/') {
    std::string mount = cgroup2_mount();
    if (mount.empty()) {
      *error = "--cgroup " + given +
               ": no cgroup v2 hierarchy is mounted (this host uses cgroup v1); mount one "
               "(mount -t cgroup2 none /sys/fs/cgroup/unified) or give its full path";
      return false;
    }
    path = mount + "/" + given;
  }
  struct statfs fs {};
  struct stat st {};
  if (statfs(path.c_str(), &fs) != 0 || stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = "--cgroup " + given + ": no such cgroup directory (" + path + ")";
    return false;
  }
  if (fs.f_type == CGROUP_SUPER_MAGIC) {
    *error = "--cgroup " + given +
             ": a cgroup v1 directory; --cgroup needs cgroup v2 (mount one: mount -t cgroup2 "
             "none /sys/fs/cgroup/unified)";
    return false;
  }
  if (fs.f_type != CGROUP2_SUPER_MAGIC) {
    *error = "--cgroup " + given + ": " + path + " is not a cgroup v2 directory";
    return false;
  }
  std::error_code ec;
  *dir = std::filesystem::canonical(path, ec).string();
  if (ec) *dir = path;
  return true;
}

std::vector<pid_t> cgroup_processes(const std::string& dir) {
  std::vector<pid_t> pids;
  auto read_procs = [&pids](const std::filesystem::path& d) {
    std::ifstream in(d / "cgroup.procs");
    pid_t pid = 0;
    while (in >> pid) pids.push_back(pid);
  };
  read_procs(dir);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) read_procs(it->path());
  return pids;
}

}  // namespace dtruss
