#include "core/proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/trace_error.h"

namespace dtruss {

std::string process_comm(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  // Whole, less the newline the kernel ends it with: a name may hold newlines of its own.
  std::string comm((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!comm.empty() && comm.back() == '\n') comm.pop_back();
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

std::vector<pid_t> list_tasks(pid_t pid) {
  std::vector<pid_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
  }
  closedir(d);
  return out;
}

namespace {

// The fields of /proc/.../stat after the name: field 3 (the state) first. The name may hold
// spaces and parentheses, so it ends at the last ')'. Empty when the task is gone.
std::vector<std::string> stat_fields(const std::string& path) {
  std::ifstream in(path);  // (whole: the name may hold a newline too)
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return out;
  std::istringstream rest(stat.substr(close + 2));
  for (std::string field; rest >> field;) out.push_back(field);
  return out;
}

// A "Key:" value of /proc/PID/status, as a number (-1 when absent).
long status_number(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0)
      return std::strtol(line.c_str() + key.size() + 1, nullptr, 10);
  return -1;
}

// The value of a "Key:" line of /proc/PID/status (self: "self"), without the key ("" if absent).
std::string status_value(const std::string& pid, const std::string& key) {
  std::ifstream in("/proc/" + pid + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return line.substr(key.size() + 1);
  return {};
}

// The real, effective and saved ids of a "Uid:" or "Gid:" line (then the filesystem one).
std::vector<unsigned long> id_list(const std::string& value) {
  std::vector<unsigned long> out;
  std::istringstream in(value);
  for (unsigned long v; out.size() < 3 && in >> v;) out.push_back(v);
  return out;
}

std::string ids_text(const std::vector<unsigned long>& ids) {
  std::string out;
  for (unsigned long v : ids) out += (out.empty() ? "" : "/") + std::to_string(v);
  return out;
}

}  // namespace

uint64_t own_capabilities(const char* key) {
  return std::strtoull(status_value("self", key).c_str(), nullptr, 16);
}

bool under_seccomp_filter() {
  return std::strtol(status_value("self", "Seccomp").c_str(), nullptr, 10) == SECCOMP_MODE_FILTER;
}

std::string_view denial_text(PtraceDenial why) {
  switch (why) {
    case PtraceDenial::None:
      return "it may be traced";
    case PtraceDenial::OtherUser:
      return "it runs as another user";
    case PtraceDenial::OtherGroup:
      return "it runs with another group";
    case PtraceDenial::MoreCaps:
      return "it holds capabilities that dtruss lacks";
    case PtraceDenial::NotDumpable:
      return "it is not dumpable (it changed its credentials, or asked not to be inspected)";
    case PtraceDenial::Policy:
      return "the kernel's ptrace policy refuses it (a security module, such as Yama)";
  }
  return {};
}

PtraceDenial ptrace_denial(pid_t pid, std::string* detail) {
  std::string dir = "/proc/" + std::to_string(pid);
  // The kernel's own answer first: mem_open() asks ptrace_may_access(PTRACE_MODE_ATTACH_FSCREDS).
  int fd = open((dir + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    close(fd);
    return PtraceDenial::None;
  }
  if (errno != EACCES && errno != EPERM) return PtraceDenial::None;  // gone (or no such file)
  // Why, in __ptrace_may_access's order: the ids, then dumpable, then (commoncap) capabilities.
  std::string p = std::to_string(pid);
  auto uids = id_list(status_value(p, "Uid"));
  auto gids = id_list(status_value(p, "Gid"));
  for (unsigned long u : uids)
    if (u != getuid()) {
      if (detail) *detail = "real/effective/saved uid " + ids_text(uids);
      return PtraceDenial::OtherUser;
    }
  for (unsigned long g : gids)
    if (g != getgid()) {
      if (detail) *detail = "real/effective/saved gid " + ids_text(gids);
      return PtraceDenial::OtherGroup;
    }
  // Its /proc files (not the directory) belong to its user when it is dumpable, to root when not
  // (task_dump_owner in fs/proc/base.c).
  struct stat st {};
  if (getuid() != 0 && stat((dir + "/stat").c_str(), &st) == 0 && st.st_uid == 0)
    return PtraceDenial::NotDumpable;
  uint64_t theirs = std::strtoull(status_value(p, "CapPrm").c_str(), nullptr, 16);
  if ((theirs & ~own_capabilities()) != 0) {
    if (detail) {
      std::ostringstream text;
      text << std::hex << "capabilities 0x" << theirs << ", dtruss has 0x" << own_capabilities();
      *detail = text.str();
    }
    return PtraceDenial::MoreCaps;
  }
  return PtraceDenial::Policy;
}

// PF_KTHREAD (include/linux/sched.h) in the flags, field 9 of /proc/PID/stat.
bool is_kernel_thread(pid_t pid) {
  auto f = stat_fields("/proc/" + std::to_string(pid) + "/stat");
  return f.size() > 6 && (std::strtoul(f[6].c_str(), nullptr, 10) & 0x00200000u) != 0;
}

bool process_alive(pid_t pid) {
  for (pid_t tid : list_tasks(pid)) {
    auto f = stat_fields("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat");
    if (!f.empty() && f[0] != "Z" && f[0] != "X" && f[0] != "x") return true;
  }
  return false;
}

pid_t traceable_process(pid_t pid) {
  std::string who = "PID " + std::to_string(pid);
  if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
    throw TraceError("no process with PID " + std::to_string(pid), 2);
  long tgid = status_number(pid, "Tgid");
  if (tgid <= 0) throw TraceError("no process with PID " + std::to_string(pid), 2);
  if (tgid == getpid()) throw TraceError(who + " is dtruss itself: it cannot trace itself", 2);
  if (is_kernel_thread(pid))
    throw TraceError(who + " is a kernel thread: it makes no system calls that can be traced", 2);
  if (!process_alive(static_cast<pid_t>(tgid)))
    throw TraceError(who + " has exited (a zombie, not yet reaped by its parent " +
                         std::to_string(status_number(static_cast<pid_t>(tgid), "PPid")) +
                         "): it makes no more system calls",
                     2);
  return static_cast<pid_t>(tgid);
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
