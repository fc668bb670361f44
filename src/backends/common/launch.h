// Starting the command to trace: PATH lookup, then a child that stops itself until the tracer has
// seized it, installs the -t seccomp filter, drops privileges for -u, and execs.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/target.h"

namespace dtruss {

// Finds `name` like execvp does. On failure returns false with a message for the person.
bool resolve_command(const std::string& name, std::string* path, std::string* error);

// Why the command `name` (found at `path`) could not be executed (the errno its execve failed
// with in the child): "cannot run 'NAME': REASON", with the missing interpreter of a script, or
// the user of -u, when they are the cause.
std::string exec_failure(const std::string& name, const std::string& path, int err,
                         const RunAs* run_as);

struct LaunchSpec {
  std::string path;
  std::vector<std::string> argv;
  // Syscall numbers that must stop the tracee (seccomp RET_TRACE); empty: no filter.
  std::vector<long> seccomp_syscalls;
  const RunAs* run_as = nullptr;
};

struct Launched {
  pid_t pid = -1;
  int exec_error_fd = -1;  // read end: receives the child's errno if its execve fails (an int)
  int go_fd = -1;          // launch_gated: write a byte (or close) to let the child exec
};

// Forks the child and waits until it has stopped itself (SIGSTOP), for a ptrace tracer to seize.
// Throws TraceError.
Launched launch_stopped(const LaunchSpec& spec);

// Forks the child, which waits (blocked on a pipe) until go_fd is written, then execs: the eBPF
// backend puts its PID in the kernel filter first, so not one of its syscalls is missed.
Launched launch_gated(const LaunchSpec& spec);

}  // namespace dtruss
