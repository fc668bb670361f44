#include "core/pidns.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"

namespace dtruss {
namespace {

// The numbers of a /proc/PID/status line ("NSpid:\t2345\t1"), outermost namespace first.
std::vector<int32_t> status_ids(std::string_view status, std::string_view key) {
  std::vector<int32_t> ids;
  size_t at = 0;
  while ((at = status.find(key, at)) != std::string_view::npos) {
    if (at == 0 || status[at - 1] == '\n') break;
    at += key.size();
  }
  if (at == std::string_view::npos) return ids;
  const char* p = status.data() + at + key.size();
  const char* end = status.data() + status.size();
  while (p < end && *p != '\n') {
    char* next = nullptr;
    long v = std::strtol(p, &next, 10);
    if (next == p) break;
    ids.push_back(static_cast<int32_t>(v));
    p = next;
  }
  return ids;
}

std::string read_small(const std::string& path) {
  std::string s;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

uint32_t namespace_at(const std::string& dir) {
  struct stat st {};
  if (stat((dir + "/ns/pid").c_str(), &st) != 0) return 0;
  return static_cast<uint32_t>(st.st_ino);
}

std::vector<int32_t> numeric_entries(const std::string& dir) {
  std::vector<int32_t> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long v = std::strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && v > 0) out.push_back(static_cast<int32_t>(v));
  }
  closedir(d);
  return out;
}

}  // namespace

uint32_t pid_namespace_of(pid_t pid) {
  return namespace_at(pid == 0 ? std::string("/proc/self") : "/proc/" + std::to_string(pid));
}

bool read_ns_ids(pid_t tid, uint32_t* pidns, int32_t* ns_pid, int32_t* ns_tid) {
  std::string dir = "/proc/" + std::to_string(tid);
  std::string status = read_small(dir + "/status");
  std::vector<int32_t> tgids = status_ids(status, "NStgid:");
  std::vector<int32_t> pids = status_ids(status, "NSpid:");
  uint32_t ns = namespace_at(dir);
  if (tgids.empty() || pids.empty() || ns == 0) return false;
  *pidns = ns;
  *ns_pid = tgids.back();
  *ns_tid = pids.back();
  return true;
}

PidTranslator::PidTranslator(uint32_t own_pidns)
    : own_(own_pidns != 0 ? own_pidns : pid_namespace_of(0)) {}

uint32_t PidTranslator::namespace_of(const TaskId& task) const {
  if (task.pidns != 0) return task.pidns == own_ ? 0 : task.pidns;
  auto it = ns_of_tid_.find(task.tid);
  return it == ns_of_tid_.end() ? 0 : it->second;
}

void PidTranslator::learn(const TaskId& task) {
  if (task.pidns == 0 || task.pidns == own_) return;
  ns_of_tid_[task.tid] = task.pidns;
  learn(task.pidns, task.ns_tid, task.tid);
  learn(task.pidns, task.ns_pid, task.pid);
}

void PidTranslator::learn(uint32_t ns, int32_t ns_id, int32_t host) {
  if (ns == 0 || ns == own_ || ns_id <= 0) return;
  host_[{ns, ns_id}] = host;
  missed_.erase({ns, ns_id});  // (an ID used again)
}

std::optional<int32_t> PidTranslator::find(uint32_t ns, int32_t id) const {
  auto it = host_.find({ns, id});
  if (it == host_.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> PidTranslator::host_of(const TaskId& task, int64_t value) {
  uint32_t ns = namespace_of(task);
  if (ns == 0 || value == 0 || value == -1 || value < -INT32_MAX || value > INT32_MAX)
    return std::nullopt;
  int32_t id = static_cast<int32_t>(value < 0 ? -value : value);
  std::optional<int32_t> host = find(ns, id);
  if (!host && missed_.count({ns, id}) == 0) {  // not told by any event: /proc, once per ID
    scan_proc();
    host = find(ns, id);
    if (!host) missed_.insert({ns, id});
  }
  if (!host) return std::nullopt;
  return value < 0 ? -int64_t{*host} : int64_t{*host};
}

// Every thread now in /proc: its IDs in its own namespace (the last of NSpid, NStgid and NSpgid,
// a process group being its leader's PID), when that namespace is not dtruss's.
void PidTranslator::scan_proc() {
  for (int32_t pid : numeric_entries("/proc")) {
    std::string dir = "/proc/" + std::to_string(pid);
    uint32_t ns = namespace_at(dir);
    if (ns == 0 || ns == own_) continue;
    for (int32_t tid : numeric_entries(dir + "/task")) {
      std::string status = read_small(dir + "/task/" + std::to_string(tid) + "/status");
      std::vector<int32_t> pids = status_ids(status, "NSpid:");
      std::vector<int32_t> tgids = status_ids(status, "NStgid:");
      std::vector<int32_t> pgids = status_ids(status, "NSpgid:");
      if (pids.size() < 2) continue;
      host_[{ns, pids.back()}] = pids.front();
      if (tgids.size() == pids.size()) host_[{ns, tgids.back()}] = tgids.front();
      if (pgids.size() == pids.size() && pgids.back() > 0)
        host_[{ns, pgids.back()}] = pgids.front();
    }
  }
}

}  // namespace dtruss
