#include "app/target.h"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "app/inject_spec.h"
#include "app/recording.h"
#include "app/run_as.h"
#include "backends/common/launch.h"
#include "capture/format.h"
#include "core/cgroup.h"
#include "syscalls/table.h"
#include "util/writer.h"

namespace dtruss {
namespace {

// dtruss's pitfall: `dtruss -o out.txt ./hello` means -o (CPU column) and a command "out.txt".
std::string check_dash_o_pitfall(const Options& opt) {
  if (!opt.cpu || opt.command.empty()) return {};
  std::string path, error;
  if (resolve_command(opt.command[0], &path, &error)) return {};
  return fmt::format(
      "'{0}' is not a command you can run. Note that -o adds the CPU column and takes no file "
      "name: to save the trace, use --output {0} (or 2> {0})",
      opt.command[0]);
}

// strace's habit: `dtruss -e open ./x` (strace's -e open is -e trace=open) means -e (ELAPSD
// column) and a command "open".
std::string check_dash_e_pitfall(const Options& opt) {
  if (!opt.elapsed || opt.command.empty()) return {};
  std::string path, error;
  SyscallSelection named;
  if (resolve_command(opt.command[0], &path, &error) ||
      !parse_syscall_list(opt.command[0], &named, &error))
    return {};
  return fmt::format(
      "'{0}' is not a command you can run. Note that -e alone adds the ELAPSD column: to trace "
      "only {0}, use -e trace={0} (or -t {0})",
      opt.command[0]);
}

// tcpdump's and sysdig's habit: `dtruss -r trace.cap` means -r (strace's relative timestamps)
// and a command "trace.cap": a capture file, which -R shows.
std::string check_dash_r_pitfall(const Options& opt) {
  if (!opt.relative_timestamps || opt.command.empty()) return {};
  char head[sizeof capture::kMagic] = {};
  std::ifstream in(opt.command[0], std::ios::binary);
  if (!in.read(head, sizeof head) || std::memcmp(head, capture::kMagic, sizeof head) != 0)
    return {};
  return fmt::format(
      "'{0}' is a capture file, not a command. Note that -r shows the time since the previous "
      "line (strace's -r) and takes no file: to show a capture, use -R {0}",
      opt.command[0]);
}

// The -u user and the command: both must exist. "" when they do.
std::string check_command(const Options& opt, TraceTarget* target) {
  std::string error;
  if (!opt.user.empty()) {
    RunAs u;
    if (!resolve_user(opt.user, &u, &error)) return error;
    target->run_as = u;
  }
  if (!opt.command.empty()) {
    std::string path;
    if (!resolve_command(opt.command[0], &path, &error)) return error;
    std::string note = setid_note(path, opt.backend == BackendChoice::Bpf);
    if (!note.empty()) say("note: " + note);
  }
  return {};
}

// -P: of the selected syscalls (all when empty), those that can name a path or use an fd (a
// path argument, an fd or dirfd argument, an fd returned): no other can be shown, so the backend
// need not stop (ptrace's seccomp filter) or send (eBPF, in the kernel) any other.
std::vector<long> naming_paths(const std::vector<long>& selected) {
  std::vector<long> out;
  auto names = [](const SyscallInfo& s) {
    if (s.ret == RetKind::Fd) return true;
    for (int i = 0; i < s.nargs; ++i)
      if (s.args[i].kind == ArgKind::Path || s.args[i].kind == ArgKind::Fd ||
          s.args[i].kind == ArgKind::Dirfd)
        return true;
    return false;
  };
  for (const SyscallInfo& s : all_syscalls())
    if (names(s) && (selected.empty() ||
                     std::binary_search(selected.begin(), selected.end(), static_cast<long>(s.nr))))
      out.push_back(s.nr);
  return out;
}

}  // namespace

std::vector<std::string> path_forms(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    out.push_back(p);
    if (char* real = realpath(p.c_str(), nullptr)) {
      if (p != real) out.emplace_back(real);
      free(real);
    }
  }
  return out;
}

std::string build_target(const Options& opt, TraceTarget* target, SyscallSelection* selection) {
  if (std::string msg = check_dash_o_pitfall(opt); !msg.empty()) return msg;
  if (std::string msg = check_dash_e_pitfall(opt); !msg.empty()) return msg;
  if (std::string msg = check_dash_r_pitfall(opt); !msg.empty()) return msg;
  if (!opt.trace_list.empty()) {
    std::string error;
    if (!parse_syscall_list(opt.trace_list, selection, &error)) return error;
    for (const auto& hint : selection->hints) say("note: " + hint);
    bool any_uring =
        std::find(selection->uring.begin(), selection->uring.end(), true) != selection->uring.end();
    if (opt.backend == BackendChoice::Ptrace && selection->numbers.empty() && any_uring)
      return "-t '" + opt.trace_list +
             "' selects io_uring operations only, which the ptrace backend cannot see: they "
             "need the eBPF backend (--backend=bpf)";
  }
  for (const std::string& spec : opt.fault) {  // (--fault's rules first: a later one wins)
    std::string error;
    if (!parse_inject_spec(spec, &target->inject.emplace_back(), &error, InjectForm::Fault))
      return error;
  }
  for (const std::string& spec : opt.inject) {
    std::string error;
    if (!parse_inject_spec(spec, &target->inject.emplace_back(), &error)) return error;
  }
  if (std::string error = check_command(opt, target); !error.empty()) return error;
  // A PID that does not exist is a usage error, found before anything is created or started.
  for (pid_t pid : opt.pids)
    if (kill(pid, 0) != 0 && errno == ESRCH)
      return fmt::format("no process with PID {0} (is it running? see ps -p {0})", pid);
  target->command = opt.command;
  target->attach = opt.pids;
  target->name = opt.name;
  target->wait_for_name = opt.wait_for_name;
  target->all = opt.all_processes;
  if (!opt.cgroup.empty()) {
    std::string error;
    if (!resolve_cgroup(opt.cgroup, &target->cgroup, &error)) return error;
  }
  if (!opt.container.empty()) {  // a container is traced as its cgroup
    std::string error;
    if (!find_container(opt.container, &target->cgroup, &error)) return error;
  }
  target->follow_forks = opt.follow;
  target->syscalls = selection->numbers;
  target->uring_ops = selection->uring;
  target->uring_only = !opt.trace_list.empty() && selection->numbers.empty();
  if (!opt.paths.empty() && !target->uring_only) target->syscalls = naming_paths(target->syscalls);
  // (-P knows fds by -y's table; a capture holds the fd notes always, for -y at its replay)
  target->describe_fds = opt.describe_fds || !opt.paths.empty() || recording(opt);
  // -P in the kernel too (eBPF), where it can decide (user space keeps the final say). Not when
  // recording: a capture is shown again in other ways.
  if (!recording(opt)) target->paths = path_forms(opt.paths);
  target->status = opt.status;
  target->cpu_time = opt.cpu;
  target->stack_depth = opt.stack ? opt.stack_depth : 0;
  target->interval_ns = interval_ns(opt);  // --top, --summary --interval
  target->pidns_ids = opt.pidns_translation;
  target->tracer_cpu = opt.tracer_cpu;  // issue 20
  target->tracer_spin_ns = opt.tracer_spin * 1000;
  return {};
}

}  // namespace dtruss
