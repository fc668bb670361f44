#include "core/fdtable.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

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
  return own_.count(tid) != 0 ? Owner{-tid, tid} : Owner{pid, pid};
}

void FdTable::unshare(pid_t pid, pid_t tid, const Owner& was) {
  Fds copy = procs_[was.key];
  own_[tid] = pid;
  procs_[-tid] = std::move(copy);
}

void FdTable::forget(pid_t pid) {
  procs_.erase(pid);
  std::erase_if(own_, [&](const auto& e) {
    if (e.second == pid) procs_.erase(-e.first);
    return e.second == pid;
  });
}

std::string FdTable::lookup(const Owner& o, int fd) {
  Fds& fds = procs_[o.key];
  auto it = fds.find(fd);
  if (it != fds.end()) return it->second;
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
  if (d.empty())
    fds.erase(note.fd);
  else
    fds[note.fd] = d;
}

void FdTable::annotate(SyscallEvent& ev, const std::vector<FdNote>& after) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (info == nullptr) return;
  pid_t pid = ev.task.pid;
  Owner o = owner(pid, ev.task.tid);
  for (int i = 0; i < info->nargs; ++i) {
    ArgKind k = info->args[i].kind;
    int fd = arg_fd(ev, i);
    if ((k == ArgKind::Fd || k == ArgKind::Dirfd) && fd >= 0)
      ev.fd_notes[static_cast<size_t>(i)] = lookup(o, fd);
  }
  // The kernel's word on the fds the call gave a meaning (connect's whatever it returned).
  for (const FdNote& n : after) apply(o, n);
  if (!ev.returned() || ev.ret < 0) return;
  Fds& fds = procs_[o.key];
  auto ret = static_cast<int>(ev.ret);
  auto told = [&](int fd) {
    return std::any_of(after.begin(), after.end(), [&](const FdNote& n) { return n.fd == fd; });
  };
  auto copy = [&](int from) {
    std::string d = lookup(o, from);
    if (d.empty())
      fds.erase(ret);
    else
      fds[ret] = d;
  };
  switch (ev.nr) {
    case SYS_close:
      fds.erase(arg_fd(ev, 0));
      return;
    case SYS_close_range:
      if ((ev.args[2] & CLOSE_RANGE_CLOEXEC) == 0) {
        auto first = static_cast<unsigned>(ev.args[0]), last = static_cast<unsigned>(ev.args[1]);
        std::erase_if(fds, [&](const auto& e) {
          return static_cast<unsigned>(e.first) >= first && static_cast<unsigned>(e.first) <= last;
        });
      }
      return;
    case SYS_dup:
    case SYS_dup2:
    case SYS_dup3:
      if (!told(ret)) copy(arg_fd(ev, 0));
      break;
    case SYS_fcntl:
      if (ev.args[1] == F_DUPFD || ev.args[1] == F_DUPFD_CLOEXEC) copy(arg_fd(ev, 0));
      break;
    case SYS_pipe:
    case SYS_pipe2:
    case SYS_socketpair: {
      // The two new fds are in the array the call filled (captured at exit).
      uint64_t arr = ev.nr == SYS_socketpair ? ev.args[3] : ev.args[0];
      int32_t pair[2];
      if (ev.captures.read(arr, pair, sizeof pair) != sizeof pair) return;
      for (int fd : pair) {
        if (told(fd)) continue;
        std::string d = describe_fd(o.proc, fd);  // the inode while it is still open
        if (d.empty()) d = ev.nr == SYS_socketpair ? "socket" : "pipe";
        fds[fd] = d;
      }
      return;
    }
    case SYS_clone:
    case SYS_clone3:
    case SYS_fork:
    case SYS_vfork: {
      // The child starts with a copy of the table; a thread shares it, unless made without
      // CLONE_FILES (clone's flags; clone3's lead its struct clone_args, when captured).
      if (ret <= 0 || ret == pid) return;
      uint64_t flags = 0;
      bool known =
          ev.nr == SYS_clone || (ev.nr == SYS_clone3 && ev.captures.read_u64(ev.args[0], &flags));
      if (ev.nr == SYS_clone) flags = ev.args[0];
      if (!known || (flags & CLONE_THREAD) == 0) {
        // The child's own calls may come first (it runs before its parent's call returns): what
        // they told stays.
        Fds& child = procs_[ret];
        for (const auto& [fd, d] : fds) child.emplace(fd, d);
      } else if ((flags & CLONE_FILES) == 0) {
        unshare(pid, ret, o);
      }
      return;
    }
    case SYS_unshare:
      if (ev.args[0] & CLONE_FILES) unshare(pid, ev.task.tid, o);
      return;
    default:
      if (info->ret == RetKind::Fd && !told(ret)) {
        std::string d = describe_new(ev, o, ret);
        if (d.empty())
          fds.erase(ret);
        else
          fds[ret] = d;
      }
      break;
  }
  if (info->ret == RetKind::Fd) {
    auto it = fds.find(ret);
    ev.fd_notes[kMaxArgs] = it == fds.end() ? std::string() : it->second;
  }
}

}  // namespace dtruss
