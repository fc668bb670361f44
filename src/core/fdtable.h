// -y for a backend that sees each call only after it happened (eBPF): by then a file may be closed
// again, so /proc cannot tell what an fd was. FdTable keeps, per process, what each fd refers to,
// from the calls that create, copy and close fds, and falls back to /proc for fds that were open
// before the trace began.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <unordered_map>

#include "core/event.h"

namespace dtruss {

class FdTable {
 public:
  // Sets ev.fd_notes: what each fd argument referred to when the call was made, and the fd it
  // returned. Then applies the call's effect (open, dup, close, fork), so that later calls see it.
  void annotate(SyscallEvent& ev);
  // A process ended: its fds are gone.
  void forget(pid_t pid) { procs_.erase(pid); }

 private:
  using Fds = std::unordered_map<int, std::string>;
  std::string lookup(pid_t pid, int fd);
  // What a new fd `fd` returned by `ev` refers to.
  std::string describe_new(const SyscallEvent& ev, int fd);
  std::map<pid_t, Fds> procs_;
};

}  // namespace dtruss
