// -n NAME, -W NAME and --cgroup with ptrace: the processes are found in /proc (or the cgroup's
// cgroup.procs) and attached to (a process that starts, or calls, before that is not seen; the
// eBPF backend sees them in the kernel).
#include <fmt/format.h>
#include <unistd.h>

#include <set>

#include "backends/ptrace/tracer.h"
#include "core/cgroup.h"
#include "core/interrupt.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "util/writer.h"

namespace dtruss {
namespace {

constexpr useconds_t kPollUs = 5000;  // -W: how often /proc is looked at

// -n: the processes of that name running now. Throws TraceError (a usage error) when there is
// none.
void find_running(TraceTarget& target) {
  target.attach = find_processes(target.name);
  if (target.attach.empty())
    throw TraceError("no process named '" + target.name + "' is running (-n)", 2);
  say(
      fmt::format("note: with ptrace, -n attaches to the {} running process{} named '{}'; "
                  "later ones are not traced (the eBPF backend sees them)",
                  target.attach.size(), target.attach.size() == 1 ? "" : "es", target.name));
}

// -W: the first processes of that name that were not running when the wait began. False when a
// stop was requested first.
bool await_new(TraceTarget& target) {
  install_stop_handlers();
  say(fmt::format("waiting for a process named '{}' (ptrace: its first syscalls may be missed)",
                  target.name));
  std::set<pid_t> before = all_pids();
  while (target.attach.empty()) {
    if (stop_requested()) return false;
    usleep(kPollUs);
    for (pid_t pid : find_processes(target.name))
      if (before.count(pid) == 0) target.attach.push_back(pid);
  }
  return true;
}

// --cgroup with ptrace: the processes in the cgroup now, and their children.
void find_in_cgroup(TraceTarget& target) {
  target.attach = cgroup_processes(target.cgroup);
  target.follow_forks = true;
  if (target.attach.empty())
    throw TraceError("no process is in cgroup " + target.cgroup + " (--cgroup)", 2);
  say(
      fmt::format("note: with ptrace, --cgroup attaches to the {} process{} in {} now and "
                  "follows their children; processes that join it later are not traced (the "
                  "eBPF backend sees them)",
                  target.attach.size(), target.attach.size() == 1 ? "" : "es", target.cgroup));
}

}  // namespace

bool PtraceTracer::prepare() {
  if (!target_.cgroup.empty()) {
    find_in_cgroup(target_);
    return true;
  }
  if (target_.name.empty()) return true;
  if (!target_.wait_for_name) {
    find_running(target_);
    return true;
  }
  return await_new(target_);
}

}  // namespace dtruss
