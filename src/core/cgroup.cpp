#include "core/cgroup.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
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

namespace {

// The cgroup names of the container runtimes, each with the runtime's name: docker's
// docker-ID.scope (systemd driver) or docker/ID (cgroupfs driver), podman's libpod-ID.scope,
// containerd's cri-containerd-ID.scope (Kubernetes), CRI-O's crio-ID.scope.
struct Runtime {
  const char* name;
  const char* pattern;
};
constexpr Runtime kRuntimes[] = {
    {"docker", R"((?:^|/)docker[-/]([0-9a-f]{64})(?:\.scope)?(?:/|$))"},
    {"podman", R"((?:^|/)libpod-([0-9a-f]{64})(?:\.scope)?(?:/|$))"},
    {"containerd", R"((?:^|/)cri-containerd-([0-9a-f]{64})(?:\.scope)?(?:/|$))"},
    {"crio", R"((?:^|/)crio-([0-9a-f]{64})(?:\.scope)?(?:/|$))"},
};

// The id of the docker or podman container named `name`, from their stores; "" when none.
std::string id_by_name(const std::string& name) {
  std::error_code ec;
  // docker: /var/lib/docker/containers/ID/config.v2.json holds "Name":"/NAME".
  for (const auto& e : std::filesystem::directory_iterator("/var/lib/docker/containers", ec)) {
    std::ifstream in(e.path() / "config.v2.json");
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("\"Name\":\"/" + name + "\"") != std::string::npos)
      return e.path().filename().string();
  }
  // podman: containers.json of its storage holds {"id":"ID",...,"names":["NAME"],...}.
  for (const char* store : {"/var/lib/containers/storage/overlay-containers/containers.json",
                            "/var/lib/containers/storage/vfs-containers/containers.json"}) {
    std::ifstream in(store);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    size_t at = s.find("\"names\":[\"" + name + "\"");
    if (at == std::string::npos) continue;
    size_t id = s.rfind("\"id\":\"", at);
    if (id != std::string::npos) return s.substr(id + 6, 64);
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, uint64_t>> cgroup_ids() {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::string root = cgroup2_mount();
  if (root.empty()) return out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (it->is_directory(ec) && stat(it->path().c_str(), &st) == 0)
      out.emplace_back(it->path().string().substr(root.size()), st.st_ino);
  }
  return out;
}

std::string cgroup_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("0::")) return line.substr(3);
  return {};
}

std::string container_of(const std::string& cgroup_path) {
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> v;
    for (const Runtime& r : kRuntimes) v.emplace_back(r.pattern);
    return v;
  }();
  for (size_t i = 0; i < patterns.size(); ++i) {
    std::smatch m;
    if (std::regex_search(cgroup_path, m, patterns[i]))
      return std::string(kRuntimes[i].name) + ":" + m[1].str();
  }
  std::string last = cgroup_path.substr(cgroup_path.rfind('/') + 1);
  for (const char* suffix : {".service", ".scope"})
    if (last.size() > std::strlen(suffix) && last.ends_with(suffix)) return "unit:" + last;
  return {};
}

bool find_container(const std::string& what, std::string* dir, std::string* error) {
  std::string root = cgroup2_mount();
  if (root.empty()) {
    *error = "--container " + what +
             ": no cgroup v2 hierarchy is mounted (this host uses cgroup v1), where containers "
             "are looked for; mount one (mount -t cgroup2 none /sys/fs/cgroup/unified)";
    return false;
  }
  std::string id = id_by_name(what);
  bool hex = what.size() >= 4 && what.find_first_not_of("0123456789abcdef") == std::string::npos;
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    std::string path = it->path().string();
    std::string c = container_of(path.substr(root.size()));
    if (c.empty()) continue;
    std::string key = c.substr(c.find(':') + 1);
    bool match = c.starts_with("unit:")
                     ? key == what
                     : (!id.empty() && key == id) || (hex && key.starts_with(what));
    if (!match) continue;
    found.push_back(path);
    it.disable_recursion_pending();  // (its sub-cgroups are the container's own)
  }
  if (found.size() == 1) {
    *dir = found.front();
    return true;
  }
  *error = found.empty() ? "--container " + what +
                               ": no running container or systemd unit of that name or id "
                               "(looked for docker, podman, containerd, CRI-O and units in " +
                               root + ")"
                         : "--container " + what + ": " + std::to_string(found.size()) +
                               " containers match (" + found[0] + ", " + found[1] +
                               "...): give more of the id";
  return false;
}

}  // namespace dtruss
