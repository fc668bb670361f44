#include "backends/common/fdtable.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>

#include "core/fdinfo.h"
#include "syscalls/table.h"

namespace dtruss {
namespace {

std::string readlink_str(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

int arg_fd(const SyscallEvent& ev, int i) {
  return static_cast<int32_t>(ev.args[static_cast<size_t>(i)]);
}

}  // namespace

FdTable::Owner FdTable::owner(pid_t pid, pid_t tid) const {
  if (own_.count(tid) != 0) return Owner{-tid, tid};
  if (auto s = shares_.find(pid); s != shares_.end()) return Owner{s->second, pid};
  return Owner{pid, pid};
}

void FdTable::stop_sharing(pid_t pid) {
  auto s = shares_.find(pid);
  if (s == shares_.end()) return;
  procs_[pid] = procs_[s->second];
  cloexec_[pid] = cloexec_[s->second];
  shares_.erase(s);
}

void FdTable::unshare(pid_t pid, pid_t tid, const Owner& was) {
  Fds copy = procs_[was.key];
  std::set<int> cloexec = cloexec_[was.key];
  own_[tid] = pid;
  procs_[-tid] = std::move(copy);
  cloexec_[-tid] = std::move(cloexec);
}

void FdTable::forget(pid_t pid) {
  shares_.erase(pid);
  // A table others still share goes to one of them (the others follow).
  pid_t heir = 0;
  for (auto& [sharer, key] : shares_) {
    if (key != pid) continue;
    if (heir == 0) heir = sharer;
    key = heir;
  }
  if (heir != 0) {
    shares_.erase(heir);
    procs_[heir] = std::move(procs_[pid]);
    cloexec_[heir] = std::move(cloexec_[pid]);
  }
  procs_.erase(pid);
  cloexec_.erase(pid);
  std::erase_if(own_, [&](const auto& e) {
    if (e.second == pid) {
      procs_.erase(-e.first);
      cloexec_.erase(-e.first);
    }
    return e.second == pid;
  });
}

void FdTable::copy_table(pid_t from, pid_t to) {
  const Fds& fds = procs_[from];
  Fds& child = procs_[to];
  for (const auto& [fd, d] : fds)
    if (child.emplace(fd, d).second && cloexec_[from].count(fd) != 0) cloexec_[to].insert(fd);
}

void FdTable::fork(pid_t pid, pid_t tid, pid_t child, bool shares) {
  if (shares)
    shares_[child] = owner(pid, tid).key;
  else
    copy_table(owner(pid, tid).key, child);
}

void FdTable::erase(pid_t key, int fd) {
  procs_[key].erase(fd);
  cloexec_[key].erase(fd);
}

void FdTable::exec(pid_t pid) {
  // The process leaves with one table, its own (the kernel unshares a shared one at the exec):
  // threads' own tables end with them.
  stop_sharing(pid);
  std::erase_if(own_, [&](const auto& e) {
    if (e.second == pid) {
      procs_.erase(-e.first);
      cloexec_.erase(-e.first);
    }
    return e.second == pid;
  });
  for (int fd : cloexec_[pid]) procs_[pid].erase(fd);
  cloexec_.erase(pid);
}

void FdTable::snapshot(pid_t pid) {
  Fds& fds = procs_[pid];
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;  // (gone: what it had is asked of /proc as before, in vain)
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = std::atoi(e->d_name);
    std::string what = describe_fd(pid, fd);
    if (what.empty()) continue;
    fds[fd] = what;
    // "flags:" of /proc/PID/fdinfo/FD, in octal: O_CLOEXEC says an exec closes it.
    std::ifstream info("/proc/" + std::to_string(pid) + "/fdinfo/" + e->d_name);
    for (std::string key; info >> key;) {
      if (key != "flags:") continue;
      unsigned long flags = 0;
      if (info >> std::oct >> flags && (flags & O_CLOEXEC) != 0) cloexec_[pid].insert(fd);
      break;
    }
  }
  closedir(d);
}

std::string FdTable::lookup(const Owner& o, int fd, bool ask_proc) {
  Fds& fds = procs_[o.key];
  auto it = fds.find(fd);
  if (it != fds.end()) return it->second;
  if (!ask_proc) return {};
  // Opened before the trace (or by a call not traced): /proc knows, if it is still open.
  std::string d = describe_fd(o.proc, fd);
  if (!d.empty()) fds.emplace(fd, d);
  return d;
}

std::string FdTable::describe_new(const SyscallEvent& ev, const Owner& o, int fd) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  // Still open: /proc has the resolved path, or the socket's addresses.
  std::string d = describe_fd(o.proc, fd);
  if (!d.empty() || info == nullptr) return d;
  // Closed already: the path it was opened with, made absolute as the kernel would.
  int path_arg = -1, dir_arg = -1;
  for (int i = 0; i < info->nargs; ++i) {
    if (info->args[i].kind == ArgKind::Path && path_arg < 0) path_arg = i;
    if (info->args[i].kind == ArgKind::Dirfd && dir_arg < 0) dir_arg = i;
  }
  if (path_arg < 0) return d;
  std::string path;
  bool terminated = false;
  if (!ev.captures.read_cstring(ev.args[static_cast<size_t>(path_arg)], path, PATH_MAX,
                                &terminated) ||
      path.empty())
    return d;
  if (path[0] == '/') return path;
  std::string base;
  if (dir_arg >= 0 && arg_fd(ev, dir_arg) != AT_FDCWD)
    base = lookup(o, arg_fd(ev, dir_arg));
  else
    base = readlink_str("/proc/" + std::to_string(o.proc) + "/cwd");
  if (base.empty()) return path;
  return base == "/" ? "/" + path : base + "/" + path;
}

void FdTable::apply(pid_t pid, pid_t tid, const FdNote& note) {
  apply(owner(pid, tid), note);
}

void FdTable::apply(const Owner& o, const FdNote& note) {
  Fds& fds = procs_[o.key];
  std::string d = !note.open           ? std::string()
                  : !note.what.empty() ? note.what
                                       : describe_fd(o.proc, note.fd);
  if (d.empty()) {
    erase(o.key, note.fd);
    return;
  }
  fds[note.fd] = d;
  if (note.cloexec)
    cloexec_[o.key].insert(note.fd);
  else
    cloexec_[o.key].erase(note.fd);
}

namespace {

// Whether the kernel said what `fd` is as the call returned (its word is taken over the trace's).
bool told(const std::vector<FdNote>& after, int fd) {
  return std::any_of(after.begin(), after.end(), [&](const FdNote& n) { return n.fd == fd; });
}

}  // namespace

void FdTable::annotate(SyscallEvent& ev, const std::vector<FdNote>& after) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (info == nullptr) return;
  Owner o = owner(ev.task.pid, ev.task.tid);
  // A call refused with EBADF was given an fd that was not open then: /proc, which tells what an
  // fd is when it is asked (later), is not asked of the fds not known from the trace.
  bool ebadf = ev.returned() && ev.ret == -EBADF;
  for (int i = 0; i < info->nargs; ++i) {
    ArgKind k = info->args[i].kind;
    int fd = arg_fd(ev, i);
    if ((k == ArgKind::Fd || k == ArgKind::Dirfd) && fd >= 0)
      ev.fd_notes[static_cast<size_t>(i)] = lookup(o, fd, !ebadf);
  }
  // The kernel's word on the fds the call gave a meaning (connect's whatever it returned).
  for (const FdNote& n : after) apply(o, n);
  if (!ev.returned() || ev.ret < 0) return;
  if (!take_effect(ev, *info, o, after) || info->ret != RetKind::Fd) return;
  Fds& fds = procs_[o.key];
  auto it = fds.find(static_cast<int>(ev.ret));
  ev.fd_notes[kMaxArgs] = it == fds.end() ? std::string() : it->second;
}

bool FdTable::take_effect(const SyscallEvent& ev, const SyscallInfo& info, const Owner& o,
                          const std::vector<FdNote>& after) {
  auto ret = static_cast<int>(ev.ret);
  switch (ev.nr) {
    case SYS_close:
      erase(o.key, arg_fd(ev, 0));
      return false;
    case SYS_close_range:
      close_range(ev, o);
      return false;
    case SYS_execve:
    case SYS_execveat:
      exec(ev.task.pid);
      return false;
    case SYS_dup:
    case SYS_dup2:
    case SYS_dup3:
      if (!told(after, ret))
        copy_fd(o, arg_fd(ev, 0), ret, ev.nr == SYS_dup3 && (ev.args[2] & O_CLOEXEC) != 0);
      return true;
    case SYS_fcntl:
      fcntl_effect(ev, o);
      return true;
    case SYS_pipe:
    case SYS_pipe2:
    case SYS_socketpair:
      add_pair(ev, o, after);
      return false;
    case SYS_clone:
    case SYS_clone3:
    case SYS_fork:
    case SYS_vfork:
      cloned(ev, o);
      return false;
    case SYS_unshare:
      if (ev.args[0] & CLONE_FILES) unshare(ev.task.pid, ev.task.tid, o);
      return false;
    default:
      if (info.ret == RetKind::Fd && !told(after, ret)) {
        std::string d = describe_new(ev, o, ret);
        erase(o.key, ret);
        if (!d.empty()) procs_[o.key][ret] = d;
      }
      return true;
  }
}

void FdTable::copy_fd(const Owner& o, int from, int to, bool cloexec) {
  std::string d = lookup(o, from);
  if (d.empty()) {
    erase(o.key, to);
    return;
  }
  procs_[o.key][to] = d;
  if (cloexec)
    cloexec_[o.key].insert(to);
  else
    cloexec_[o.key].erase(to);
}

void FdTable::close_range(const SyscallEvent& ev, const Owner& o) {
  Fds& fds = procs_[o.key];
  auto first = static_cast<unsigned>(ev.args[0]), last = static_cast<unsigned>(ev.args[1]);
  for (auto it = fds.begin(); it != fds.end();) {
    auto fd = static_cast<unsigned>(it->first);
    bool in = fd >= first && fd <= last;
    if (in && (ev.args[2] & CLOSE_RANGE_CLOEXEC) != 0) cloexec_[o.key].insert(it->first);
    if (in && (ev.args[2] & CLOSE_RANGE_CLOEXEC) == 0) {
      cloexec_[o.key].erase(it->first);
      it = fds.erase(it);
    } else {
      ++it;
    }
  }
}

void FdTable::fcntl_effect(const SyscallEvent& ev, const Owner& o) {
  int fd = arg_fd(ev, 0);
  if (ev.args[1] == F_DUPFD || ev.args[1] == F_DUPFD_CLOEXEC)
    copy_fd(o, fd, static_cast<int>(ev.ret), ev.args[1] == F_DUPFD_CLOEXEC);
  if (ev.args[1] == F_SETFD && (ev.args[2] & FD_CLOEXEC) != 0) cloexec_[o.key].insert(fd);
  if (ev.args[1] == F_SETFD && (ev.args[2] & FD_CLOEXEC) == 0) cloexec_[o.key].erase(fd);
}

void FdTable::add_pair(const SyscallEvent& ev, const Owner& o, const std::vector<FdNote>& after) {
  // The two new fds are in the array the call filled (captured at exit).
  uint64_t arr = ev.nr == SYS_socketpair ? ev.args[3] : ev.args[0];
  int32_t pair[2];
  if (ev.captures.read(arr, pair, sizeof pair) != sizeof pair) return;
  Fds& fds = procs_[o.key];
  for (int fd : pair) {
    if (told(after, fd)) continue;
    std::string d = describe_fd(o.proc, fd);  // the inode while it is still open
    if (d.empty()) d = ev.nr == SYS_socketpair ? "socket" : "pipe";
    fds[fd] = d;
  }
}

void FdTable::cloned(const SyscallEvent& ev, const Owner& o) {
  // The child starts with a copy of the table; a thread shares it, unless made without
  // CLONE_FILES (clone's flags; clone3's lead its struct clone_args, when captured).
  auto ret = static_cast<pid_t>(ev.ret);
  pid_t pid = ev.task.pid;
  if (ret <= 0 || ret == pid) return;
  uint64_t flags = 0;
  bool known =
      ev.nr == SYS_clone || (ev.nr == SYS_clone3 && ev.captures.read_u64(ev.args[0], &flags));
  if (ev.nr == SYS_clone) flags = ev.args[0];
  if (known && (flags & (CLONE_THREAD | CLONE_FILES)) == CLONE_FILES) {
    // A process that shares the table: what its own calls told first (it runs before its
    // parent's call returns) goes into the shared table, over what the fork copied.
    for (auto& [fd, d] : procs_[ret]) {
      procs_[o.key][fd] = d;
      if (cloexec_[ret].count(fd) != 0)
        cloexec_[o.key].insert(fd);
      else
        cloexec_[o.key].erase(fd);
    }
    procs_.erase(ret);
    cloexec_.erase(ret);
    shares_[ret] = o.key;
  } else if (!known || (flags & CLONE_THREAD) == 0) {
    // The child's own calls may come first (it runs before its parent's call returns): what
    // they told stays.
    copy_table(o.key, ret);
  } else if ((flags & CLONE_FILES) == 0) {
    unshare(pid, ret, o);
  }
}

}  // namespace dtruss
