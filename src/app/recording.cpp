#include "app/recording.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "decode/names.h"
#include "syscalls/selection.h"
#include "syscalls/table.h"
#include "util/text.h"

namespace dtruss {

bool recording(const Options& opt) {
  return !opt.capture_file.empty() || opt.flight_recorder != 0;
}

bool live_view(const Options& opt) {
  return !opt.output_file.empty() || opt.json || opt.count || opt.summary_only ||
         !opt.timeline_file.empty() || !opt.folded_file.empty() || opt.describe_fds ||
         opt.relative || opt.elapsed || opt.cpu || opt.timestamps != Timestamps::None ||
         opt.relative_timestamps || opt.syscall_times || opt.annotate ||
         opt.style != ArgStyle::Decoded || opt.show_task.has_value() || opt.comm ||
         opt.status != 0 || !opt.paths.empty() || !opt.signal_set.empty() ||
         !opt.dump_read.empty() || !opt.dump_write.empty() || opt.color != ColorChoice::Auto;
}

uint64_t syscall_table_hash(uint32_t* size) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bits
  auto mix = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<uint8_t>(c);
      h *= 1099511628211ull;
    }
  };
  *size = 0;
  for (const SyscallInfo& s : all_syscalls()) {
    mix(fmt::format("{} {}\n", s.nr, s.name));
    ++*size;
  }
  return h;
}

capture::CaptureInfo capture_info(const Options& opt) {
  capture::CaptureInfo i;
  i.dtruss_version = kVersion;
  i.backend = opt.backend == BackendChoice::Bpf ? "bpf" : "ptrace";
  if (utsname u{}; uname(&u) == 0) {
    i.kernel_release = u.release;
    i.machine = u.machine;
  }
  i.table_hash = syscall_table_hash(&i.table_size);
  i.fd_notes = true;  // (recorded always: build_target)
  i.stacks = opt.stack;
  i.verbose = opt.verbose;
  i.cpu = opt.cpu;
  i.dumps = !opt.dump_read.empty() || !opt.dump_write.empty();
  i.strsize = opt.strsize;
  i.stack_depth = opt.stack ? opt.stack_depth : 0;
  i.follow = opt.follow;
  i.all = opt.all_processes;
  i.containers = !opt.cgroup.empty() || !opt.container.empty();
  i.wait_for_name = opt.wait_for_name;
  i.name = opt.name;
  i.pids.assign(opt.pids.begin(), opt.pids.end());
  i.command = opt.command;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  i.started_unix_ns = int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
  return i;
}

namespace {

// errno=EIO (or a number), syscall=NAME, exit=nonzero.
std::string parse_trigger(const std::string& spec, capture::Trigger* t) {
  t->text = spec;
  size_t eq = spec.find('=');
  std::string key = spec.substr(0, eq), value = eq == std::string::npos ? "" : spec.substr(eq + 1);
  if (key == "errno" && !value.empty()) {
    t->kind = capture::Trigger::Kind::Errno;
    uint64_t n = 0;
    if (parse_decimal(value, &n) && n > 0 && n < 4096) {
      t->value = static_cast<long>(n);
      return {};
    }
    for (int e = 1; e < 4096; ++e)
      if (const char* name = errno_name(e); name != nullptr && value == name) {
        t->value = e;
        return {};
      }
    return fmt::format("--trigger {}: no errno named '{}' (e.g. errno=EIO)", spec, value);
  }
  if (key == "syscall" && !value.empty()) {
    t->kind = capture::Trigger::Kind::Syscall;
    const SyscallInfo* s = syscall_by_name(value);
    if (s == nullptr) return "--trigger: " + unknown_syscall_message(value);
    t->value = s->nr;
    return {};
  }
  if (key == "exit" && value == "nonzero") {
    t->kind = capture::Trigger::Kind::ExitNonzero;
    return {};
  }
  return fmt::format("--trigger needs errno=ERRNO, syscall=NAME or exit=nonzero, not '{}'", spec);
}

}  // namespace

std::string flight_path(const Options& opt) {
  if (!opt.capture_file.empty()) return opt.capture_file;
  return fmt::format("dtruss-flight-{}.cap", getpid());
}

std::string check_recording(const Options& opt, std::vector<capture::Trigger>* triggers) {
  for (const std::string& spec : opt.triggers) {
    capture::Trigger t;
    if (std::string error = parse_trigger(spec, &t); !error.empty()) return error;
    triggers->push_back(t);
  }
  if (opt.flight_recorder == 0) return {};
  // The file is written later (when asked): its directory must take it now.
  std::string path = flight_path(opt);
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    return fmt::format("the flight recorder cannot write to '{}': {}", path, std::strerror(errno));
  return {};
}

namespace {
void on_dump_signal(int) {
  capture::Recorder::request_dump();
}
}  // namespace

void install_dump_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_dump_signal;  // no SA_RESTART: a blocking wait returns, and idle() writes
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, nullptr);
}

}  // namespace dtruss
