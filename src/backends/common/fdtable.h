// -y for a backend that sees each call only after it happened (eBPF): by then a file may be closed
// again, so /proc cannot tell what an fd was. FdTable keeps, per process, what each fd refers to,
// from the calls that create, copy and close fds, and what the kernel said of each fd as such a
// call returned (FdNote); it falls back to /proc for fds that were open before the trace began.
#pragma once

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "syscalls/table.h"

namespace dtruss {

// What an fd referred to as a call returned, read from the kernel then.
struct FdNote {
  int fd = -1;
  bool open = false;     // false: no such fd
  bool cloexec = false;  // an exec closes it (FD_CLOEXEC)
  std::string what;      // as describe_fd() puts it; "" when the kernel could not tell (ask /proc)
};

class FdTable {
 public:
  // Sets ev.fd_notes: what each fd argument referred to when the call was made, and the fd it
  // returned. Then applies the call's effect (open, dup, close, fork, and what `after` says of
  // the fds as the call returned), so that later calls see it.
  void annotate(SyscallEvent& ev, const std::vector<FdNote>& after = {});
  // What the kernel said of an fd of thread `tid` as a call that is not shown returned.
  void apply(pid_t pid, pid_t tid, const FdNote& note);
  // Takes what process `pid` has open now, from /proc (each fd's name, and whether an exec closes
  // it): called before the process is traced (the command before its exec, a -p process at the
  // attach), so that a process gone before its events are read still has the names of the fds
  // it started with.
  void snapshot(pid_t pid);
  // Thread `tid` of process `pid` forked process `child`, which starts with a copy of its table
  // as it is now, or uses that table (`shares`: clone with CLONE_FILES); told as the fork
  // happens, before any call of the child's.
  void fork(pid_t pid, pid_t tid, pid_t child, bool shares = false);
  // A process ended: its fds are gone.
  void forget(pid_t pid);

 private:
  using Fds = std::unordered_map<int, std::string>;
  // Whose fd table a thread uses: its process's (key: the pid), or, once it unshared it or was
  // made without CLONE_FILES, its own (key: -tid), or the one its process shares with the
  // process that made it with CLONE_FILES (that one's key). `proc` is where /proc shows it.
  struct Owner {
    pid_t key;
    pid_t proc;
  };
  Owner owner(pid_t pid, pid_t tid) const;
  // What fd refers to, from the trace; else (ask_proc) from /proc, as it is now.
  std::string lookup(const Owner& o, int fd, bool ask_proc = true);
  void apply(const Owner& o, const FdNote& note);
  // What a new fd `fd` returned by `ev` refers to.
  std::string describe_new(const SyscallEvent& ev, const Owner& o, int fd);
  // Table `from` is copied into `to` (fds `to` holds already stay).
  void copy_table(pid_t from, pid_t to);
  // The thread (tid) gets a table of its own, a copy of the one it used.
  void unshare(pid_t pid, pid_t tid, const Owner& was);
  // An fd is gone: from the table and from the close-on-exec set.
  void erase(pid_t key, int fd);
  // A successful exec of process `pid`: its fds marked close-on-exec are closed.
  void exec(pid_t pid);
  // What a successful call changed in the table. False when it returned no fd to name (or named
  // it already).
  bool take_effect(const SyscallEvent& ev, const SyscallInfo& info, const Owner& o,
                   const std::vector<FdNote>& after);
  // fd `to` is a copy of `from` (dup, F_DUPFD), closed on exec or not.
  void copy_fd(const Owner& o, int from, int to, bool cloexec);
  void close_range(const SyscallEvent& ev, const Owner& o);
  void fcntl_effect(const SyscallEvent& ev, const Owner& o);  // F_DUPFD*, F_SETFD
  void add_pair(const SyscallEvent& ev, const Owner& o, const std::vector<FdNote>& after);
  void cloned(const SyscallEvent& ev, const Owner& o);  // fork, vfork, clone, clone3
  std::map<pid_t, Fds> procs_;
  std::map<pid_t, std::set<int>> cloexec_;  // per table (as procs_): the fds an exec closes
  std::unordered_map<pid_t, pid_t> own_;    // threads with a table of their own: tid -> pid
  // Processes made with CLONE_FILES (not threads), which share their parent's table until they
  // exec or unshare it: pid -> the table's key.
  std::unordered_map<pid_t, pid_t> shares_;
  // Process `pid` uses a table of its own from now on (an exec), a copy of the one it shared.
  void stop_sharing(pid_t pid);
};

}  // namespace dtruss
