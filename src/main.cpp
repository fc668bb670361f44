// dtruss for Linux: parse options, build the pipeline (decoder and sinks), run a backend, and
// exit with the traced command's status.
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "backends/bpf/bpf_tracer.h"
#include "backends/ptrace/launch.h"
#include "backends/ptrace/tracer.h"
#include "cli/options.h"
#include "core/interrupt.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "decode/choices.h"
#include "decode/names.h"
#include "decode/structs.h"
#include "output/json_sink.h"
#include "output/pipeline.h"
#include "output/stack_counts.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "output/timeline_sink.h"
#include "syscalls/capture.h"
#include "syscalls/describe.h"
#include "syscalls/selection.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss {
namespace {

constexpr int kUsageError = 2;

int usage_error(const std::string& msg) {
  say(msg);
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
    if (write_all(STDOUT_FILENO, explain_text(*s))) return 0;
    say(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
    return 1;
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
  uint64_t v = 0;
  if (geteuid() != 0 || uid == nullptr || !parse_decimal(uid, &v) || v >= uint64_t{UINT32_MAX})
    return -1;
  return static_cast<long>(v);
}

// An output dtruss was asked to write: the trace, the timeline, the folded stacks.
struct OutputFile {
  const char* what;
  std::string path;
  int fd = -1;
  bool created = false;   // by this run: removed again if nothing could be traced
  bool truncate = false;  // a file that existed: emptied by the first write into it
  struct stat st {};
};

// The standard stream (1 or 2) that `st` is, or -1: --output /dev/stdout writes where dtruss's
// own output goes (a pipe, a file the shell opened), as it is.
int own_stream(const struct stat& st) {
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    struct stat s {};
    if (fstat(fd, &s) == 0 && s.st_dev == st.st_dev && s.st_ino == st.st_ino) return fd;
  }
  return -1;
}

// A character device written to without a second thought: /dev/null, /dev/zero and /dev/full
// (which take writes, or refuse them with ENOSPC, and do nothing else), a terminal (the virtual
// consoles and serial lines, /dev/tty, /dev/console, the pseudo-terminals). Told by the device
// number (the kernel's Documentation/admin-guide/devices.txt), not by opening it: opening some
// devices acts (a watchdog starts).
bool harmless_device(const struct stat& st) {
  if (!S_ISCHR(st.st_mode)) return false;
  unsigned ma = major(st.st_rdev), mi = minor(st.st_rdev);
  return (ma == 1 && (mi == 3 || mi == 5 || mi == 7)) || ma == 4 || (ma == 5 && mi <= 1) ||
         (ma >= 136 && ma <= 143);
}

const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISCHR(mode)) return "a device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// Why dtruss does not write into the existing `st`, or "" when it may.
std::string refusal(const struct stat& st) {
  if (S_ISREG(st.st_mode)) {
    // As root, a file of another user (in a shared directory such as /tmp) is theirs: the trace
    // would leak to them. Root through sudo writes for the user who ran sudo.
    long user = sudo_user();
    if (geteuid() != 0 || st.st_uid == static_cast<uid_t>(user >= 0 ? user : 0)) return {};
    if (user >= 0)
      return fmt::format(
          "it belongs to another user (uid {}), and dtruss runs through sudo for "
          "uid {}: remove it or choose another name",
          st.st_uid, user);
    return fmt::format(
        "it belongs to another user (uid {}), and dtruss runs as root: remove it "
        "or choose another name",
        st.st_uid);
  }
  if (harmless_device(st)) return {};
  return fmt::format(
      "it is {}: dtruss writes to a regular file, a terminal, /dev/null or its "
      "own standard output or error (/dev/stdout, /dev/stderr)",
      file_kind(st.st_mode));
}

// Opens an output, without emptying it yet (OutputFile::truncate). O_NOFOLLOW: never write
// through a symlink planted where it should go; O_NONBLOCK: a FIFO put there does not block
// dtruss (it is refused). An existing file is checked (refusal()) before it is opened and again,
// as opened, after. A new file made by root through sudo is given to the user who ran sudo, as if
// they had written it. On failure, false and *error says why.
bool open_output(OutputFile* f, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = fmt::format("cannot write the {} to '{}': {}", f->what, f->path, why);
    return false;
  };
  struct stat st {};
  if (stat(f->path.c_str(), &st) == 0) {
    if (int own = own_stream(st); own >= 0) {
      f->fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
      if (f->fd < 0) return fail(std::strerror(errno));
      f->st = st;
      return true;
    }
  }
  bool existed = lstat(f->path.c_str(), &st) == 0;
  if (existed && S_ISLNK(st.st_mode))
    return fail("it is a symbolic link, and dtruss does not write through one");
  if (existed) {
    if (std::string why = refusal(st); !why.empty()) return fail(why);
  }
  f->fd = open(f->path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
               0644);
  if (f->fd < 0) return fail(std::strerror(errno));
  f->created = !existed;
  if (fstat(f->fd, &f->st) != 0) return fail(std::strerror(errno));
  if (std::string why = f->created ? std::string() : refusal(f->st); !why.empty()) return fail(why);
  if (!S_ISREG(f->st.st_mode) && !harmless_device(f->st)) return fail(refusal(f->st));
  fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
  f->truncate = existed && S_ISREG(f->st.st_mode);
  long user = sudo_user();
  if (user >= 0 && f->created) {
    uint64_t gid = 0;
    const char* g = getenv("SUDO_GID");
    bool have_gid = g != nullptr && parse_decimal(g, &gid) && gid < uint64_t{UINT32_MAX};
    if (fchown(f->fd, static_cast<uid_t>(user),
               have_gid ? static_cast<gid_t>(gid) : static_cast<gid_t>(-1)) != 0) {
      // Not fatal: the file is still written, owned by root.
    }
  }
  return true;
}

// Closes the outputs opened so far; those this run created are removed (nothing was written).
void discard_outputs(std::vector<OutputFile>& outputs) {
  for (OutputFile& f : outputs) {
    if (f.fd < 0) continue;
    close(f.fd);
    f.fd = -1;
    if (f.created) unlink(f.path.c_str());
  }
}

// Opens every output, or none: all of them are checked (each allowed, none named twice). An
// existing file is emptied later, by its first write (Writer::truncate_first). "" on success,
// else the message.
std::string open_outputs(std::vector<OutputFile>& outputs, bool trace_on_stderr) {
  std::string error;
  for (OutputFile& f : outputs) {
    if (!open_output(&f, &error)) {
      if (f.fd >= 0) {
        close(f.fd);
        if (f.created) unlink(f.path.c_str());
        f.fd = -1;
      }
      discard_outputs(outputs);
      return error;
    }
  }
  // One regular file for two outputs would interleave them into garbage: refused, whatever
  // names (links, other spellings) it was given by. Also the trace's standard error.
  struct stat err_st {};
  bool err_regular =
      trace_on_stderr && fstat(STDERR_FILENO, &err_st) == 0 && S_ISREG(err_st.st_mode);
  for (size_t i = 0; i < outputs.size() && error.empty(); ++i) {
    const struct stat& a = outputs[i].st;
    if (!S_ISREG(a.st_mode)) continue;
    for (size_t j = i + 1; j < outputs.size() && error.empty(); ++j) {
      const struct stat& b = outputs[j].st;
      if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        error = fmt::format(
            "the {} ('{}') and the {} ('{}') would go to the same file: give them "
            "different files",
            outputs[i].what, outputs[i].path, outputs[j].what, outputs[j].path);
    }
    if (error.empty() && err_regular && a.st_dev == err_st.st_dev && a.st_ino == err_st.st_ino)
      error = fmt::format(
          "the {} ('{}') would go to the file the trace goes to (standard error): "
          "give it another file",
          outputs[i].what, outputs[i].path);
  }
  if (!error.empty()) {
    discard_outputs(outputs);
    return error;
  }
  return {};
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
  return fmt::format(
      "'{}' is set-{}-ID; traced by an unprivileged dtruss it runs without those "
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

// Between the backend and the pipeline while a command is started: the output is held until the
// command has run (its first event), so that a command that cannot run leaves the --output file
// as it was (an existing one is truncated only now; one this run made is removed).
class StartGate : public EventConsumer {
 public:
  StartGate(EventConsumer& next, Writer& out) : next_(next), out_(out) { out_.hold(true); }
  void release() {
    if (released_) return;
    released_ = true;
    out_.hold(false);  // (an existing file is emptied by the writer's first flush)
  }
  void on_syscall(SyscallEvent& ev) override {
    release();
    next_.on_syscall(ev);
  }
  void on_signal(const SignalEvent& ev) override {
    release();
    next_.on_signal(ev);
  }
  void on_stop(const StopEvent& ev) override {
    release();
    next_.on_stop(ev);
  }
  void on_exit(const ExitEvent& ev) override {
    release();
    next_.on_exit(ev);
  }
  void on_lost(const LostEvent& ev) override {
    release();
    next_.on_lost(ev);
  }
  void on_notice(const NoticeEvent& ev) override { next_.on_notice(ev); }
  void on_aggregate(const SyscallAggregate& agg) override {
    release();
    next_.on_aggregate(agg);
  }
  void on_process(int32_t pid) override { next_.on_process(pid); }
  void idle() override { next_.idle(); }
  void ready() override {  // (a backend calls it once the command has run, see EventConsumer)
    release();
    next_.ready();
  }

 private:
  EventConsumer& next_;
  Writer& out_;
  bool released_ = false;
};

int run(int argc, char** argv) {
  Options opt;
  switch (parse_options(argc, argv, &opt)) {
    case ParseOutcome::ExitOk:
      return 0;
    case ParseOutcome::ExitUsage:
      return kUsageError;
    case ParseOutcome::ExitFailed:
      return 1;
    case ParseOutcome::Run:
      break;
  }
  if (int done = explain_or_trace(&opt); done >= 0) return done;
  // auto: eBPF when the kernel and our privileges allow it, ptrace otherwise. DTRUSS_BACKEND
  // (auto, ptrace or bpf) changes what "auto" means, for a user or a test suite that wants one.
  std::string bpf_missing = BpfTracer::unavailable_reason();
  std::string why = "--backend";
  if (const char* env = getenv("DTRUSS_BACKEND");
      env != nullptr && opt.backend == BackendChoice::Auto) {
    std::string_view e(env);
    if (e == "ptrace")
      opt.backend = BackendChoice::Ptrace;
    else if (e == "bpf")
      opt.backend = BackendChoice::Bpf;
    else if (!e.empty() && e != "auto")
      return usage_error("DTRUSS_BACKEND must be auto, ptrace or bpf, not '" + std::string(e) +
                         "'");
    why = "DTRUSS_BACKEND";
  }
  if (opt.backend == BackendChoice::Auto) {
    opt.backend = bpf_missing.empty() ? BackendChoice::Bpf : BackendChoice::Ptrace;
    why = bpf_missing.empty() ? "auto: eBPF is allowed here" : "auto: no eBPF, " + bpf_missing;
  }
  if (opt.verbose)  // -v says which backend traces, and why
    say(fmt::format("{} backend ({})", opt.backend == BackendChoice::Bpf ? "eBPF" : "ptrace", why));
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
    for (const auto& hint : selection.hints) say("note: " + hint);
  }

  if (!opt.name.empty() && opt.backend != BackendChoice::Bpf) {
    // With ptrace, processes are found in /proc and attached to: one that starts (or calls)
    // before that is not seen.
    if (!opt.wait_for_name) {
      opt.pids = find_processes(opt.name);
      if (opt.pids.empty())
        return usage_error("no process named '" + opt.name + "' is running (-n)");
      say(
          fmt::format("note: with ptrace, -n attaches to the {} running process{} named '{}'; "
                      "later ones are not traced (the eBPF backend sees them)",
                      opt.pids.size(), opt.pids.size() == 1 ? "" : "es", opt.name));
    } else {
      install_stop_handlers();
      say(
          fmt::format("waiting for a process named '{}' (ptrace: its first syscalls may be "
                      "missed)",
                      opt.name));
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
    if (!note.empty()) say("note: " + note);
  }

  // A PID that does not exist is a usage error, found before anything is created or started.
  for (pid_t pid : opt.pids)
    if (kill(pid, 0) != 0 && errno == ESRCH)
      return usage_error(
          fmt::format("no process with PID {0} (is it running? see ps -p {0})", pid));

  // Every output is opened, and checked, before any is emptied.
  std::vector<OutputFile> outputs;
  int out_fd = STDERR_FILENO, timeline_fd = -1, folded_fd = -1;
  bool truncate_out = false, truncate_timeline = false, truncate_folded = false;
  const std::tuple<const std::string*, int*, bool*> kOutputs[] = {
      {&opt.output_file, &out_fd, &truncate_out},
      {&opt.timeline_file, &timeline_fd, &truncate_timeline},
      {&opt.folded_file, &folded_fd, &truncate_folded}};
  const char* const kWhat[] = {"trace", "timeline", "folded stacks"};
  for (size_t i = 0; i < std::size(kOutputs); ++i)
    if (!std::get<0>(kOutputs[i])->empty())
      outputs.push_back({kWhat[i], *std::get<0>(kOutputs[i])});
  if (std::string error = open_outputs(outputs, opt.output_file.empty()); !error.empty())
    return usage_error(error);
  for (const OutputFile& f : outputs)
    for (size_t i = 0; i < std::size(kOutputs); ++i)
      if (f.what == kWhat[i]) {
        *std::get<1>(kOutputs[i]) = f.fd;
        *std::get<2>(kOutputs[i]) = f.truncate;
      }
  install_stop_handlers();

  int status = 0;
  {
    Writer out(out_fd, opt.output_file.empty());
    if (truncate_out) out.truncate_first();
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
      t.show_task =
          opt.show_task.value_or(opt.follow || opt.pids.size() > 1 ||
                                 (!opt.name.empty() && !opt.wait_for_name) || opt.all_processes);
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
      if (truncate_timeline) timeline->writer().truncate_first();
      pipeline.add_sink(std::move(sink));
    }

    FoldedSink* folded = nullptr;
    if (folded_fd >= 0) {
      auto sink = std::make_unique<FoldedSink>(folded_fd);
      folded = sink.get();
      if (truncate_folded) folded->writer().truncate_first();
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

    // A command to start: nothing is written until it has run.
    std::optional<StartGate> gate;
    if (!opt.command.empty()) gate.emplace(pipeline, out);
    EventConsumer& consumer = gate ? static_cast<EventConsumer&>(*gate) : pipeline;
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
        b.verbose = opt.verbose;
        b.call_times = shows_call_times(opt);
        b.cpu_time = opt.cpu;
        // --summary alone is counted in the kernel: no event per call (unless -s groups by stack).
        b.summary_only = opt.summary_only && !opt.count && opt.timeline_file.empty() && !opt.stack;
        b.summary_by = static_cast<int>(opt.summary_by);
        b.stack_depth = opt.stack ? opt.stack_depth : 0;
        b.stack_bytes = static_cast<uint32_t>(opt.stack_size);
        BpfTracer tracer(std::move(b), consumer);
        tracer.load();  // times count from the command's start (or the attach), not from this
        pipeline.begin(base_ns = monotonic_ns());
        status = tracer.run();
      } else {
        PtraceTracer tracer(std::move(cfg), consumer);
        pipeline.begin(base_ns = monotonic_ns());
        status = tracer.run();
      }
    } catch (const TraceError& e) {
      // A command that cannot run leaves the output untouched; another error shows what was seen.
      if (gate && e.exit_status() != kUsageError) gate->release();
      // A usage error (a PID that cannot be attached to, a command that cannot run): nothing was
      // traced, and nothing is left behind: a file made by this run is removed, one that existed
      // is left as it was.
      if (e.exit_status() == kUsageError) {
        out.abandon();
        if (timeline != nullptr) timeline->writer().abandon();
        if (folded != nullptr) folded->writer().abandon();
        for (const OutputFile& f : outputs)
          if (f.created) unlink(f.path.c_str());
      } else {
        out.flush();
      }
      say(e.what());
      return e.exit_status();
    }
    if (gate) gate->release();
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
        out.write(
            fmt::format("{{\"type\":\"interrupted\",\"ts_ns\":{},\"signal\":\"{}\","
                        "\"calls\":{},\"processes\":{},\"outcome\":\"{}\"}}\n",
                        now > base_ns ? now - base_ns : 0, signal_name(stop_signal()),
                        pipeline.calls(), procs, opt.command.empty() ? "detached" : "stopped"));
      }
    }
    if (stop_reason() != StopReason::OutputClosed && stop_reason() != StopReason::OutputFailed)
      pipeline.finish();
    if (stop_reason() == StopReason::OutputFailed || (out.failed() && out.error() != EPIPE)) {
      say(fmt::format("cannot write the trace{}: {}",
                      opt.output_file.empty() ? "" : " to '" + opt.output_file + "'",
                      std::strerror(out.error())));
      status = status == 0 ? 1 : status;
    }
    if (timeline != nullptr && timeline->failed()) {
      say(fmt::format("cannot write the timeline to '{}': {}", opt.timeline_file,
                      std::strerror(timeline->error())));
      status = status == 0 ? 1 : status;
    }
    if (folded != nullptr && folded->failed()) {
      say(fmt::format("cannot write the folded stacks to '{}': {}", opt.folded_file,
                      std::strerror(folded->error())));
      status = status == 0 ? 1 : status;
    }
    if (!closing.empty() && !(opt.json && opt.output_file.empty())) {
      out.flush();
      say(closing);
    }
  }
  if (out_fd != STDERR_FILENO) close(out_fd);
  return status;
}

}  // namespace
}  // namespace dtruss

// Nothing aborts dtruss: an exception that escapes (a failed allocation, say) ends it with a
// message and status 1, after the tracer's destructors have let the traced processes go.
int main(int argc, char** argv) {
  try {
    return dtruss::run(argc, argv);
  } catch (const std::exception& e) {
    dtruss::say(std::string("internal error: ") + e.what());
  }
  return 1;
}
