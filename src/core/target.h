// What to trace: the part of the command line that every backend takes (a backend's own config
// adds its knobs to it). Filled by the application from the options, read by the backends.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/inject.h"

namespace dtruss {

// -u USER: the started command runs as this user, with these groups.
struct RunAs {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};

// --tracer-cpu (ptrace, issue 20): where the tracer runs. Pin: on the CPU it started on; Follow
// (the default): moved to the CPU the traced thread last ran on, checked every flush (10 ms); both
// let it run anywhere for a while when another program keeps its CPU busy. Off: wherever the
// scheduler puts it. Never the tracees' affinity.
enum class TracerCpu { Pin, Follow, Off };

struct TraceTarget {
  std::vector<std::string> command;  // start this command (argv), or
  std::vector<pid_t> attach;         // attach to these processes (all their threads), or
  std::string name;                  // -n NAME (processes of that name, prefix match) or
  bool wait_for_name = false;        // -W NAME (the next one to start), or
  bool all = false;                  // --all: every process but dtruss (eBPF only), or
  std::string cgroup;                // --cgroup: the processes of this cgroup v2 directory
  bool follow_forks = false;         // -f
  std::optional<RunAs> run_as;       // -u (with a command)
  std::vector<long> syscalls;        // -t: only these, ascending (empty: all)
  bool describe_fds = false;         // -y: what each fd refers to
  bool cpu_time = false;             // -o: each call's time on the CPU
  size_t stack_depth = 0;            // -s: frames of the user stack of each call (0: none)
  unsigned status = 0;               // --status, -Z, -z: CallStatus bits (0: every call)
  // -P: its paths as given and as resolved; a backend may leave out calls that name none of them
  // (the pipeline decides which are shown). Empty: every call -t selects is handed over.
  std::vector<std::string> paths;
  std::vector<InjectRule> inject;  // --inject, in their order (ptrace only; a later one wins)
  // -t's io_uring operations (uring:NAME, %uring), by opcode (empty: all, without -t); with
  // uring_only, -t selected operations and no syscall (`syscalls` is empty then).
  std::vector<bool> uring_ops;
  bool uring_only = false;
  // --top, --summary --interval: the backend's loop calls EventConsumer::tick() every this many
  // ns (0: never).
  uint64_t interval_ns = 0;
  bool pidns_ids = false;  // --pidns-translation: TaskId's IDs in the thread's namespace
  TracerCpu tracer_cpu = TracerCpu::Follow;  // --tracer-cpu (ptrace)
  uint64_t tracer_spin_ns = 20'000;          // --tracer-spin (ptrace; 0: never poll)
};

}  // namespace dtruss
