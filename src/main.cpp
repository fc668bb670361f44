// dtruss for Linux: parse options, build the pipeline (decoder and sinks), run a backend, and
// exit with the traced command's status.
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>

#include "backends/bpf/bpf_tracer.h"
#include "backends/ptrace/launch.h"
#include "backends/ptrace/tracer.h"
#include "cli/options.h"
#include "decode/choices.h"
#include "decode/names.h"
#include "decode/structs.h"
#include "core/interrupt.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "output/json_sink.h"
#include "output/pipeline.h"
#include "output/stack_counts.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "output/timeline_sink.h"
#include "syscalls/capture.h"
#include "syscalls/describe.h"
#include "syscalls/select.h"

namespace dtruss {
namespace {

constexpr int kUsageError = 2;

int usage_error(const std::string& msg) {
  fmt::print(stderr, "dtruss: {}\n", msg);
  return kUsageError;
}

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

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

// `dtruss --explain NAME`: NAME alone and a syscall -> explain it (0); a command -> trace it,
// annotated (-1: go on); neither -> the -t suggestion (2).
int explain_or_trace(Options* opt) {
  if (!opt->explain) return -1;
  opt->annotate = true;
  if (opt->command.size() != 1) return -1;
  const std::string& name = opt->command[0];
  if (const SyscallInfo* s = syscall_by_name(name)) {
    fmt::print("{}", explain_text(*s));
    return 0;
  }
  std::string path, error;
  if (resolve_command(name, &path, &error)) return -1;
  return usage_error(fmt::format("--explain: {}, and no command of that name to trace",
                                 unknown_syscall_message(name)));
}

// --color: auto colours a terminal, unless NO_COLOR is set to anything (no-color.org).
bool use_color(const Options& opt, int out_fd) {
  if (opt.json || opt.color == ColorChoice::Never) return false;
  if (opt.color == ColorChoice::Always) return true;
  const char* no_color = getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(out_fd) == 1;
}

// Whether the output shows when calls happened or how long they took: timestamps (-d, -e, JSON,
// a timeline) or durations (-c, --summary, -H). Plain lines show neither, and the eBPF backend
// then reads no clock at all (two clock reads are a fifth of its cost on the cheapest calls).
bool shows_call_times(const Options& opt) {
  return opt.relative || opt.elapsed || opt.cpu || opt.json || opt.count || opt.summary_only ||
         opt.histogram || !opt.timeline_file.empty();
}

SummaryOptions summary_options(const Options& opt) {
  SummaryOptions s;
  s.json = opt.json;
  s.histogram = opt.histogram;
  static constexpr SummarySort kSorts[] = {SummarySort::Calls, SummarySort::Time,
                                           SummarySort::Errors, SummarySort::Name};
  s.sort = kSorts[static_cast<int>(opt.sort)];
  static constexpr SummaryBy kBy[] = {SummaryBy::None, SummaryBy::Process, SummaryBy::Thread};
  s.by = kBy[static_cast<int>(opt.summary_by)];
  return s;
}

// The user behind sudo, when dtruss runs as root through it (-1 otherwise).
long sudo_user() {
  const char* uid = getenv("SUDO_UID");
  if (geteuid() != 0 || uid == nullptr || *uid == '\0') return -1;
  char* end = nullptr;
  long v = std::strtol(uid, &end, 10);
  return *end == '\0' && v >= 0 ? v : -1;
}

// Opens a file dtruss was asked to write (the `what`: the trace, the timeline, the folded stacks).
// O_NOFOLLOW: never write through a symlink planted where it should go. Root through sudo writes
// for the user who ran sudo: an existing file of another user is refused, a new one is given to
// that user, as if they had written it. On failure, -1 and *error says why; *created tells
// whether this call made the file.
int open_output(const std::string& path, const char* what, std::string* error,
                bool* created = nullptr) {
  long user = sudo_user();
  struct stat st {};
  bool existed = lstat(path.c_str(), &st) == 0;
  if (user >= 0 && existed && S_ISREG(st.st_mode) && st.st_uid != static_cast<uid_t>(user)) {
    *error = fmt::format("cannot write the {} to '{}': it belongs to another user (uid {}), and "
                         "dtruss runs through sudo for uid {}: remove it or choose another name",
                         what, path, st.st_uid, user);
    return -1;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    *error = fmt::format("cannot write the {} to '{}': {}", what, path, std::strerror(errno));
    return -1;
  }
  if (created != nullptr) *created = !existed;
  if (user >= 0 && !existed) {
    const char* gid = getenv("SUDO_GID");
    if (fchown(fd, static_cast<uid_t>(user), gid != nullptr ? static_cast<gid_t>(std::atol(gid))
                                                            : static_cast<gid_t>(-1)) != 0) {
      // Not fatal: the file is still written, owned by root.
    }
  }
  return fd;
}

// A set-user-ID or set-group-ID program traced with ptrace by a tracer without privileges: the
// kernel runs it without the privileges its mode bits give (it would otherwise let the tracer
// control a privileged process). Said once, so that a failure of the program is understood.
std::string setid_note(const std::string& path, bool bpf) {
  struct stat st {};
  if (bpf || geteuid() == 0 || stat(path.c_str(), &st) != 0) return {};
  bool suid = (st.st_mode & S_ISUID) != 0 && st.st_uid != geteuid();
  bool sgid = (st.st_mode & S_ISGID) != 0 && (st.st_mode & S_IXGRP) != 0 && st.st_gid != getegid();
  if (!suid && !sgid) return {};
  return fmt::format("'{}' is set-{}-ID; traced by an unprivileged dtruss it runs without those "
                     "privileges (the kernel's rule for traced programs): run dtruss as root to "
                     "trace it as it really runs",
                     path, suid ? "user" : "group");
}

bool resolve_user(const std::string& name, RunAs* out, std::string* error) {
  if (geteuid() != 0) {
    *error = "-u USER needs dtruss to run as root (e.g. with sudo)";
    return false;
  }
  passwd* pw = getpwnam(name.c_str());
  if (pw == nullptr) {
    *error = "no user named '" + name + "' (-u)";
    return false;
  }
  out->name = name;
  out->uid = pw->pw_uid;
  out->gid = pw->pw_gid;
  int n = 64;
  out->groups.resize(static_cast<size_t>(n));
  if (getgrouplist(name.c_str(), pw->pw_gid, out->groups.data(), &n) < 0) {
    out->groups.resize(static_cast<size_t>(n));
    getgrouplist(name.c_str(), pw->pw_gid, out->groups.data(), &n);
  }
  out->groups.resize(static_cast<size_t>(n));
  return true;
}

int run(int argc, char** argv) {
  Options opt;
  switch (parse_options(argc, argv, &opt)) {
    case ParseOutcome::ExitOk: return 0;
    case ParseOutcome::ExitUsage: return kUsageError;
    case ParseOutcome::Run: break;
  }
  if (int done = explain_or_trace(&opt); done >= 0) return done;
  // auto: eBPF when the kernel and our privileges allow it, ptrace otherwise. DTRUSS_BACKEND
  // (auto, ptrace or bpf) changes what "auto" means, for a user or a test suite that wants one.
  std::string bpf_missing = BpfTracer::unavailable_reason();
  std::string why = "--backend";
  if (const char* env = getenv("DTRUSS_BACKEND"); env != nullptr && opt.backend == BackendChoice::Auto) {
    std::string_view e(env);
    if (e == "ptrace") opt.backend = BackendChoice::Ptrace;
    else if (e == "bpf") opt.backend = BackendChoice::Bpf;
    else if (!e.empty() && e != "auto")
      return usage_error("DTRUSS_BACKEND must be auto, ptrace or bpf, not '" + std::string(e) + "'");
    why = "DTRUSS_BACKEND";
  }
  if (opt.backend == BackendChoice::Auto) {
    opt.backend = bpf_missing.empty() ? BackendChoice::Bpf : BackendChoice::Ptrace;
    why = bpf_missing.empty() ? "auto: eBPF is allowed here" : "auto: no eBPF, " + bpf_missing;
  }
  if (opt.verbose)  // -v says which backend traces, and why
    fmt::print(stderr, "dtruss: {} backend ({})\n",
               opt.backend == BackendChoice::Bpf ? "eBPF" : "ptrace", why);
  if (opt.backend == BackendChoice::Bpf && !bpf_missing.empty())
    return usage_error("--backend=bpf: " + bpf_missing);
  if (opt.all_processes && opt.backend != BackendChoice::Bpf)
    return usage_error("--all needs the eBPF backend" +
                       (bpf_missing.empty() ? std::string() : ": " + bpf_missing));

  std::string msg = check_dash_o_pitfall(opt);
  if (!msg.empty()) return usage_error(msg);

  SyscallSelection selection;
  if (!opt.trace_list.empty()) {
    std::string error;
    if (!parse_syscall_list(opt.trace_list, &selection, &error)) return usage_error(error);
    for (const auto& hint : selection.hints) fmt::print(stderr, "dtruss: note: {}\n", hint);
  }

  if (!opt.name.empty() && opt.backend != BackendChoice::Bpf) {
    // With ptrace, processes are found in /proc and attached to: one that starts (or calls)
    // before that is not seen.
    if (!opt.wait_for_name) {
      opt.pids = find_processes(opt.name);
      if (opt.pids.empty())
        return usage_error("no process named '" + opt.name + "' is running (-n)");
      fmt::print(stderr, "dtruss: note: with ptrace, -n attaches to the {} running process{} "
                         "named '{}'; later ones are not traced (the eBPF backend sees them)\n",
                 opt.pids.size(), opt.pids.size() == 1 ? "" : "es", opt.name);
    } else {
      install_stop_handlers();
      fmt::print(stderr, "dtruss: waiting for a process named '{}' (ptrace: its first "
                         "syscalls may be missed)\n", opt.name);
      std::set<pid_t> before = all_pids();
      while (opt.pids.empty()) {
        if (stop_requested()) return 128 + stop_signal();
        usleep(5000);
        for (pid_t pid : find_processes(opt.name))
          if (before.count(pid) == 0) opt.pids.push_back(pid);
      }
    }
  }

  std::optional<RunAs> run_as;
  if (!opt.user.empty()) {
    RunAs u;
    std::string error;
    if (!resolve_user(opt.user, &u, &error)) return usage_error(error);
    run_as = u;
  }
  if (!opt.command.empty()) {
    std::string path, error;
    if (!resolve_command(opt.command[0], &path, &error)) return usage_error(error);
    std::string note = setid_note(path, opt.backend == BackendChoice::Bpf);
    if (!note.empty()) fmt::print(stderr, "dtruss: note: {}\n", note);
  }

  // A PID that does not exist is a usage error, found before anything is created or started.
  for (pid_t pid : opt.pids)
    if (kill(pid, 0) != 0 && errno == ESRCH)
      return usage_error(fmt::format("no process with PID {0} (is it running? see ps -p {0})", pid));

  int out_fd = STDERR_FILENO;
  bool created_output = false;  // by this run: removed again if nothing could be traced
  int timeline_fd = -1, folded_fd = -1;
  std::string error;
  if (!opt.output_file.empty() &&
      (out_fd = open_output(opt.output_file, "trace", &error, &created_output)) < 0)
    return usage_error(error);
  if (!opt.timeline_file.empty() &&
      (timeline_fd = open_output(opt.timeline_file, "timeline", &error)) < 0)
    return usage_error(error);
  if (!opt.folded_file.empty() &&
      (folded_fd = open_output(opt.folded_file, "folded stacks", &error)) < 0)
    return usage_error(error);
  install_stop_handlers();

  int status = 0;
  {
    Writer out(out_fd, opt.output_file.empty());
    CaptureLimits limits;
    limits.strsize = static_cast<uint32_t>(opt.strsize);
    limits.verbose = opt.verbose;
    limits.struct_size = opt.verbose ? struct_size : struct_brief_size;
    limits.records_max = opt.verbose ? nullptr : records_brief_max;
    limits.choice_captures = choice_captures;
    build_capture_plans(limits);
    Pipeline pipeline(Decoder({opt.strsize, opt.verbose}), selection.selected, out);
    if (opt.summary_only) {
      // --summary: the table alone.
    } else if (opt.json) {
      pipeline.add_sink(std::make_unique<JsonSink>(out, opt.annotate));
    } else {
      TextOptions t;
      // The PID/TID prefix, unless -l/-L says: whenever the trace may show several processes
      // (-f, several -p, -n NAME, which may match several, now or later, --all).
      t.show_task = opt.show_task.value_or(opt.follow || opt.pids.size() > 1 ||
                                           (!opt.name.empty() && !opt.wait_for_name) ||
                                           opt.all_processes);
      t.relative = opt.relative;
      t.elapsed = opt.elapsed;
      t.cpu = opt.cpu;
      t.raw = opt.style == ArgStyle::Raw;
      t.verbose = opt.style == ArgStyle::Verbose;
      t.explain = opt.annotate;
      t.color = use_color(opt, out_fd);
      pipeline.add_sink(std::make_unique<TextSink>(out, t));
    }
    if (opt.count || opt.summary_only) {
      SummaryOptions so = summary_options(opt);
      so.color = use_color(opt, out_fd);
      so.explain = opt.annotate;
      so.stack_top = opt.stack ? 5 : 0;
      pipeline.add_sink(std::make_unique<SummarySink>(out, so));
    }
    TimelineSink* timeline = nullptr;
    if (timeline_fd >= 0) {
      auto sink = std::make_unique<TimelineSink>(timeline_fd);
      timeline = sink.get();
      pipeline.add_sink(std::move(sink));
    }

    FoldedSink* folded = nullptr;
    if (folded_fd >= 0) {
      auto sink = std::make_unique<FoldedSink>(folded_fd);
      folded = sink.get();
      pipeline.add_sink(std::move(sink));
    }

    PtraceConfig cfg;
    cfg.command = opt.command;
    cfg.attach = opt.pids;
    cfg.follow_forks = opt.follow;
    cfg.cpu_time = opt.cpu;
    cfg.run_as = run_as;
    cfg.selected = selection.selected;
    cfg.describe_fds = opt.describe_fds;
    cfg.stack_depth = opt.stack ? opt.stack_depth : 0;
    if (!opt.command.empty() && !opt.trace_list.empty()) cfg.seccomp_syscalls = selection.numbers;

    uint64_t base_ns = 0;
    try {
      if (opt.backend == BackendChoice::Bpf) {
        BpfConfig b;
        b.command = opt.command;
        b.attach = opt.pids;
        b.all = opt.all_processes;
        b.name = opt.name;
        b.wait_for_name = opt.wait_for_name;
        b.follow_forks = opt.follow;
        b.syscalls = selection.numbers;
        if (opt.buffer_size != 0) b.ring_bytes = opt.buffer_size;
        b.run_as = run_as;
        b.describe_fds = opt.describe_fds;
        b.data_max = static_cast<uint32_t>(opt.strsize);
        b.call_times = shows_call_times(opt);
        b.cpu_time = opt.cpu;
        // --summary alone is counted in the kernel: no event per call (unless -s groups by stack).
        b.summary_only = opt.summary_only && !opt.count && opt.timeline_file.empty() && !opt.stack;
        b.summary_by = static_cast<int>(opt.summary_by);
        b.stack_depth = opt.stack ? opt.stack_depth : 0;
        b.stack_bytes = static_cast<uint32_t>(opt.stack_size);
        BpfTracer tracer(std::move(b), pipeline);
        pipeline.begin(base_ns = monotonic_ns());
        status = tracer.run();
      } else {
        PtraceTracer tracer(std::move(cfg), pipeline);
        pipeline.begin(base_ns = monotonic_ns());
        status = tracer.run();
      }
    } catch (const TraceError& e) {
      out.flush();
      fmt::print(stderr, "dtruss: {}\n", e.what());
      // A usage error (a PID that cannot be attached to, a command that cannot run): nothing was
      // traced, and nothing is left behind.
      if (created_output && e.exit_status() == kUsageError) unlink(opt.output_file.c_str());
      return e.exit_status();
    }
    // Ctrl-C / SIGTERM: say what was seen, and what became of the traced processes.
    std::string closing;
    if (stop_reason() == StopReason::Signal) {
      size_t procs = pipeline.processes();
      closing = fmt::format("traced {} call{} in {} process{}; {}", pipeline.calls(),
                            pipeline.calls() == 1 ? "" : "s", procs, procs == 1 ? "" : "es",
                            opt.command.empty() ? "detached" : "stopped");
      // In JSON, an object (before the summary, which stays last): a line of text on standard
      // error would break a JSON Lines trace written there.
      if (opt.json) {
        uint64_t now = monotonic_ns();
        out.write(fmt::format("{{\"type\":\"interrupted\",\"ts_ns\":{},\"signal\":\"{}\","
                              "\"calls\":{},\"processes\":{},\"outcome\":\"{}\"}}\n",
                              now > base_ns ? now - base_ns : 0, signal_name(stop_signal()),
                              pipeline.calls(), procs, opt.command.empty() ? "detached" : "stopped"));
      }
    }
    if (stop_reason() != StopReason::OutputClosed && stop_reason() != StopReason::OutputFailed)
      pipeline.finish();
    if (stop_reason() == StopReason::OutputFailed || (out.failed() && out.error() != EPIPE)) {
      fmt::print(stderr, "dtruss: cannot write the trace{}: {}\n",
                 opt.output_file.empty() ? "" : " to '" + opt.output_file + "'",
                 std::strerror(out.error()));
      status = status == 0 ? 1 : status;
    }
    if (timeline != nullptr && timeline->failed()) {
      fmt::print(stderr, "dtruss: cannot write the timeline to '{}': {}\n", opt.timeline_file,
                 std::strerror(timeline->error()));
      status = status == 0 ? 1 : status;
    }
    if (folded != nullptr && folded->failed()) {
      fmt::print(stderr, "dtruss: cannot write the folded stacks to '{}': {}\n", opt.folded_file,
                 std::strerror(folded->error()));
      status = status == 0 ? 1 : status;
    }
    if (!closing.empty() && !(opt.json && opt.output_file.empty())) {
      out.flush();
      fmt::print(stderr, "dtruss: {}\n", closing);
    }
  }
  if (out_fd != STDERR_FILENO) close(out_fd);
  return status;
}

}  // namespace
}  // namespace dtruss

int main(int argc, char** argv) { return dtruss::run(argc, argv); }
