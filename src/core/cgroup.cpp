#include "core/cgroup.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace dtruss {
namespace {

// A cgroup hierarchy's mount (/proc/self/mountinfo): where, the part of the hierarchy it shows
// (its root, "/" mostly), its type ("cgroup" or "cgroup2") and, for v1, its controllers (the
// super options: "cpu", "name=systemd", ...).
struct CgroupMount {
  std::string point, root, fstype;
  std::vector<std::string> options;
};

std::vector<CgroupMount> cgroup_mounts() {
  std::vector<CgroupMount> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    CgroupMount m;
    std::string source, super;
    tail >> m.fstype >> source >> super;
    if (m.fstype != "cgroup2" && m.fstype != "cgroup") continue;
    std::istringstream head(line.substr(0, dash));
    std::string id, parent, dev;
    head >> id >> parent >> dev >> m.root >> m.point;
    // (mountinfo escapes spaces as \040: a cgroup mount point has none here)
    std::istringstream opts(super);
    for (std::string o; std::getline(opts, o, ',');) m.options.push_back(o);
    out.push_back(std::move(m));
  }
  return out;
}

// Where the first cgroup2 hierarchy is mounted, or "".
std::string cgroup2_mount() {
  for (const CgroupMount& m : cgroup_mounts())
    if (m.fstype == "cgroup2") return m.point;
  return {};
}

// The cgroup v1 mounts, the hierarchies runtimes always use first (pids, memory, cpu, systemd's
// name=systemd), then the others.
std::vector<CgroupMount> cgroup1_mounts() {
  static constexpr const char* kFirst[] = {"pids", "memory", "cpu", "name=systemd"};
  auto rank = [](const CgroupMount& m) {
    for (size_t i = 0; i < std::size(kFirst); ++i)
      if (std::find(m.options.begin(), m.options.end(), kFirst[i]) != m.options.end()) return i;
    return std::size(kFirst);
  };
  std::vector<CgroupMount> out;
  for (CgroupMount& m : cgroup_mounts())
    if (m.fstype == "cgroup") out.push_back(std::move(m));
  std::stable_sort(out.begin(), out.end(),
                   [&](const CgroupMount& a, const CgroupMount& b) { return rank(a) < rank(b); });
  return out;
}

// The id of the v1 hierarchy with one of these controllers, as /proc/self/cgroup numbers them
// ("4:memory:/..", "9:name=systemd:/.."); 0 when none.
int hierarchy_id(const std::vector<std::string>& options) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':'), second = line.find(':', colon + 1);
    if (colon == std::string::npos || second == std::string::npos) continue;
    std::istringstream controllers(line.substr(colon + 1, second - colon - 1));
    for (std::string c; std::getline(controllers, c, ',');)
      if (std::find(options.begin(), options.end(), c) != options.end())
        return std::atoi(line.c_str());
  }
  return 0;
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
  if (fs.f_type != CGROUP2_SUPER_MAGIC && fs.f_type != CGROUP_SUPER_MAGIC) {
    *error = "--cgroup " + given + ": " + path + " is not a cgroup directory (v2 or v1)";
    return false;
  }
  std::error_code ec;
  *dir = std::filesystem::canonical(path, ec).string();
  if (ec) *dir = path;
  CgroupV1 v1;
  if (fs.f_type == CGROUP_SUPER_MAGIC && !cgroup_v1_of(*dir, &v1)) {
    *error = "--cgroup " + given + ": the cgroup v1 hierarchy of " + *dir +
             " is not one of this process's (/proc/self/cgroup)";
    return false;
  }
  return true;
}

bool cgroup_v1_of(const std::string& dir, CgroupV1* where) {
  struct statfs fs {};
  struct stat st {};
  if (statfs(dir.c_str(), &fs) != 0 || fs.f_type != CGROUP_SUPER_MAGIC ||
      stat(dir.c_str(), &st) != 0)
    return false;
  // The mount it is under: the longest mount point that is a prefix of it.
  const CgroupMount* under = nullptr;
  std::vector<CgroupMount> mounts = cgroup1_mounts();
  for (const CgroupMount& m : mounts)
    if ((dir == m.point || dir.starts_with(m.point + "/")) &&
        (!under || m.point.size() > under->point.size()))
      under = &m;
  if (!under) return false;
  where->hierarchy = hierarchy_id(under->options);
  if (where->hierarchy <= 0) return false;
  where->id = st.st_ino;  // (kernfs's id of the directory: the kernel's cgroup->kn->id)
  std::string in_hierarchy =
      (under->root == "/" ? "" : under->root) + dir.substr(under->point.size());
  where->path = in_hierarchy;
  where->level = 0;
  std::istringstream parts(in_hierarchy);
  for (std::string part; std::getline(parts, part, '/');)
    if (!part.empty()) ++where->level;
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

std::string first_cgroup1_mount() {
  std::vector<CgroupMount> v1 = cgroup1_mounts();
  return v1.empty() ? std::string() : v1.front().point;
}

std::vector<std::pair<std::string, uint64_t>> cgroup_tree(const std::string& dir) {
  std::vector<std::pair<std::string, uint64_t>> out;
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) out.emplace_back(dir, st.st_ino);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_directory(ec) && stat(it->path().c_str(), &st) == 0)
      out.emplace_back(it->path().string(), st.st_ino);
  return out;
}

std::vector<std::pair<std::string, uint64_t>> cgroup_ids() {
  std::vector<std::pair<std::string, uint64_t>> out;
  std::string root = cgroup2_mount();
  if (root.empty()) return out;
  if (struct stat st{}; stat(root.c_str(), &st) == 0) out.emplace_back("/", st.st_ino);
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
  std::string line, v2;
  std::vector<std::string> v1;  // (in the kernel's order: the highest hierarchy id first)
  while (std::getline(in, line)) {
    if (line.starts_with("0::")) {
      v2 = line.substr(3);
      continue;
    }
    size_t colon = line.find(':'), second = line.find(':', colon + 1);
    if (colon != std::string::npos && second != std::string::npos)
      v1.push_back(line.substr(second + 1));
  }
  if (!container_of(v2).empty()) return v2;
  for (const std::string& path : v1)
    if (!container_of(path).empty()) return path;
  return v2;
}

std::string cgroup_path_of(pid_t pid, int hierarchy) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':'), second = line.find(':', colon + 1);
    if (colon != std::string::npos && second != std::string::npos &&
        std::atoi(line.c_str()) == hierarchy)
      return line.substr(second + 1);
  }
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
  std::string id = id_by_name(what);
  bool hex = what.size() >= 4 && what.find_first_not_of("0123456789abcdef") == std::string::npos;
  // The containers of that name or id under `root`, a hierarchy's mount.
  auto search = [&](const std::string& root) {
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
    return found;
  };
  // cgroup v2 first; then (a host on v1, where runtimes put containers in the v1 hierarchies
  // only) each v1 hierarchy until one has it.
  std::vector<std::string> roots;
  if (std::string v2 = cgroup2_mount(); !v2.empty()) roots.push_back(v2);
  for (const CgroupMount& m : cgroup1_mounts()) roots.push_back(m.point);
  if (roots.empty()) {
    *error = "--container " + what + ": no cgroup hierarchy is mounted, where containers are";
    return false;
  }
  std::vector<std::string> found;
  for (const std::string& root : roots)
    if (!(found = search(root)).empty()) break;
  if (found.size() == 1) {
    *dir = found.front();
    return true;
  }
  *error = found.empty()
               ? "--container " + what +
                     ": no running container or systemd unit of that name or id "
                     "(looked for docker, podman, containerd, CRI-O and units in " +
                     roots.front() + (roots.size() > 1 ? " and the v1 hierarchies" : "") + ")"
               : "--container " + what + ": " + std::to_string(found.size()) +
                     " containers match (" + found[0] + ", " + found[1] +
                     "...): give more of the id";
  return false;
}

}  // namespace dtruss
