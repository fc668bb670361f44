#include "app/replay.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "app/outputs.h"
#include "app/pipeline_setup.h"
#include "app/recording.h"
#include "app/trace.h"
#include "capture/reader.h"
#include "core/interrupt.h"
#include "decode/names.h"
#include "syscalls/selection.h"
#include "util/clock.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss {
namespace {

// Options that act on a live trace, which a replay does not make.
std::string live_only(const Options& opt) {
  if (!opt.capture_file.empty()) return opt.write_file ? "--write FILE" : "-w";
  if (opt.flight_recorder != 0) return "--flight-recorder";
  if (!opt.inject.empty()) return "--inject";
  if (opt.buffer_size != 0) return "-b";
  if (opt.backend != BackendChoice::Auto) return "--backend";
  return {};
}

// A view that needs what the capture did not record: "" or the message.
std::string missing_data(const Options& opt, const capture::CaptureInfo& info) {
  auto refuse = [](const char* option, const char* what) {
    return fmt::format("{} needs {}, which this capture does not hold: record it with -w and {}",
                       option, what, option);
  };
  if (opt.stack && !info.stacks) return refuse("-s", "the user stacks");
  if (opt.stack && opt.stack_depth > info.stack_depth)
    return fmt::format("--stack-depth {} shows more frames than this capture holds ({})",
                       opt.stack_depth, info.stack_depth);
  if (opt.verbose && !info.verbose) return refuse("-v", "the whole structs and arrays");
  if (opt.cpu && !info.cpu) return refuse("-o", "each call's on-CPU time");
  if ((!opt.dump_read.empty() || !opt.dump_write.empty()) && !info.dumps)
    return refuse(opt.dump_read.empty() ? "--write" : "--read", "the whole buffers");
  if (opt.strsize > info.strsize)
    return fmt::format(
        "--strsize {} shows more than this capture holds: it was recorded with --strsize {}",
        opt.strsize, info.strsize);
  if (opt.describe_fds && !info.fd_notes) return refuse("-y", "the fd notes");
  if (by_cgroup(opt.summary_by) && !info.labels)
    return refuse(
        opt.summary_by == SummaryBy::Cgroup ? "--summary-by cgroup" : "--summary-by container",
        "each process's cgroup");
  return {};
}

// The capture was taken with this dtruss's syscall table (the numbers of its events mean the
// same): "" or the message.
std::string other_table(const std::string& path, const capture::CaptureInfo& info) {
  uint32_t size = 0;
  uint64_t hash = syscall_table_hash(&size);
  if (info.table_hash == hash && info.table_size == size) return {};
  return fmt::format(
      "'{}' was recorded with another syscall table ({} calls, on {} {}, dtruss {}): replay it "
      "with that dtruss",
      path, info.table_size, info.machine, info.kernel_release, info.dtruss_version);
}

// Between the reader and the pipeline: the stack frames as -s and --stack-depth show them.
class StackView final : public EventConsumer {
 public:
  StackView(EventConsumer& next, const Options& opt)
      : next_(next), depth_(opt.stack ? opt.stack_depth : 0) {}
  void on_syscall(SyscallEvent& ev) override {
    if (ev.stack.size() > depth_) ev.stack.resize(depth_);
    last_ns_ = std::max({last_ns_, ev.enter_ns, ev.exit_ns});
    next_.on_syscall(ev);
  }
  void on_signal(const SignalEvent& ev) override {
    last_ns_ = std::max(last_ns_, ev.ts_ns);
    next_.on_signal(ev);
  }
  void on_stop(const StopEvent& ev) override { next_.on_stop(ev); }
  void on_exit(const ExitEvent& ev) override {
    last_ns_ = std::max(last_ns_, ev.ts_ns);
    next_.on_exit(ev);
  }
  // The time of the last event seen.
  uint64_t last_ns() const { return last_ns_; }
  void on_lost(const LostEvent& ev) override { next_.on_lost(ev); }
  void on_notice(const NoticeEvent& ev) override { next_.on_notice(ev); }
  void on_aggregate(const SyscallAggregate& agg) override { next_.on_aggregate(agg); }
  void on_process(int32_t pid) override { next_.on_process(pid); }
  void idle() override { next_.idle(); }
  void ready() override { next_.ready(); }

 private:
  EventConsumer& next_;
  size_t depth_;
  uint64_t last_ns_ = 0;
};

// The records that are not events: the clock, the interruption, the end.
class Handler final : public capture::ReplayHandler {
 public:
  explicit Handler(Pipeline& p) : pipeline_(p) {}
  void begin(uint64_t base_ns, int64_t wall_offset_ns) override {
    pipeline_.begin(base_ns, wall_offset_ns);
    begun_ = true;
  }
  void interrupted(uint64_t ts_ns, int signal, bool detached) override {
    interruption_ = pipeline_.interrupted(ts_ns, signal, detached);
    was_interrupted_ = true;
  }
  void dropped(uint64_t n) override { dropped_ = n; }
  void label(int32_t pid, capture::ProcessLabel label) override {
    labels_->given(pid, std::move(label.container));
    cgroup_paths_->given(pid, std::move(label.cgroup));
  }
  void end(int status, uint64_t end_ns) override {
    status_ = status;
    end_ns_ = end_ns;
  }

  Pipeline& pipeline_;
  ContainerLabels* labels_ = nullptr;        // (the capture's: Label records)
  ContainerLabels* cgroup_paths_ = nullptr;  // (--summary-by cgroup's, also)
  bool begun_ = false;
  bool was_interrupted_ = false;
  Interruption interruption_;
  int status_ = 0;
  uint64_t dropped_ = 0;
  uint64_t end_ns_ = 0;  // (0: the capture ends early; its last event's time is used)
};

// Progress on standard error when it is a terminal (never in the trace), four times a second.
class Progress {
 public:
  Progress(std::string path, uint64_t total)
      : path_(std::move(path)), total_(total), on_(isatty(STDERR_FILENO) == 1) {}
  void operator()(uint64_t done) {
    if (!on_ || total_ == 0) return;
    uint64_t now = monotonic_ns();
    if (now - last_ns_ < 250'000'000) return;
    last_ns_ = now;
    shown_ = true;
    std::string line =
        fmt::format("\rreplaying '{}': {}% ({:.1f} of {:.1f} MiB)", path_, done * 100 / total_,
                    static_cast<double>(done) / (1 << 20), static_cast<double>(total_) / (1 << 20));
    write_all(STDERR_FILENO, line);
  }
  void clear() {
    if (shown_) write_all(STDERR_FILENO, "\r\x1b[K");
    shown_ = false;
  }

 private:
  std::string path_;
  uint64_t total_;
  bool on_;
  bool shown_ = false;
  uint64_t last_ns_ = 0;
};

// An output that is the capture being read would empty it: refused. "" when none is.
std::string output_is_capture(const Options& opt) {
  struct stat cap {};
  if (stat(opt.replay_file.c_str(), &cap) != 0) return {};
  for (const std::string* out : {&opt.output_file, &opt.timeline_file, &opt.folded_file}) {
    struct stat st {};
    if (!out->empty() && stat(out->c_str(), &st) == 0 && st.st_dev == cap.st_dev &&
        st.st_ino == cap.st_ino)
      return fmt::format("'{}' is the capture being replayed: write to another file", *out);
  }
  return {};
}

int usage_error(const std::string& msg) {
  say(msg);
  return kUsageError;
}

// --read VALUE that is neither strace's fd set nor a capture (the reader's `error` about it).
std::string read_file_error(const std::string& value, const std::string& error) {
  return fmt::format(
      "--read '{}' is no fd set (e.g. 0,3, all, none; ! for all but) and no capture: {}",
      escaped(value), error);
}

}  // namespace

int replay(Options& opt) {
  if (std::string o = live_only(opt); !o.empty())
    return usage_error(fmt::format("{} applies to a live trace, not to {}'s replay of a capture", o,
                                   opt.read_file ? "--read FILE" : "-R"));
  capture::Reader reader;
  if (std::string error = reader.open(opt.replay_file); !error.empty())
    return usage_error(opt.read_file ? read_file_error(opt.replay_file, error) : error);
  const capture::CaptureInfo& info = reader.info();
  if (std::string error = other_table(opt.replay_file, info); !error.empty())
    return usage_error(error);
  if (std::string error = missing_data(opt, info); !error.empty()) return usage_error(error);
  SyscallSelection selection;
  if (!opt.trace_list.empty()) {
    std::string error;
    if (!parse_syscall_list(opt.trace_list, &selection, &error)) return usage_error(error);
  }
  // The lines look as the live trace's did: its prefix depends on what was traced.
  opt.follow = info.follow;
  opt.all_processes = info.all;
  opt.name = info.name;
  opt.wait_for_name = info.wait_for_name;
  opt.pids.assign(info.pids.begin(), info.pids.end());
  opt.replayed_containers = info.containers;
  if (std::string error = output_is_capture(opt); !error.empty()) return usage_error(error);
  Outputs outputs;
  if (std::string error = outputs.open(opt); !error.empty()) return usage_error(error);
  install_stop_handlers();
  TracePipeline tp(opt, selection.selected, outputs);
  Pipeline& pipeline = tp.pipeline();
  StackView view(pipeline, opt);
  Handler handler(pipeline);
  handler.labels_ = pipeline.show_containers();
  handler.labels_->replayed();
  handler.cgroup_paths_ = pipeline.show_cgroup_paths(0);  // (made by now with --summary-by cgroup)
  handler.cgroup_paths_->replayed();
  Progress progress(opt.replay_file, reader.file_size());
  capture::Reader::Outcome o = reader.replay(view, handler, [&progress](uint64_t done) {
    progress(done);
    return !stop_requested();  // (Ctrl-C, or the reader of the trace went away)
  });
  progress.clear();
  if (!handler.begun_) pipeline.begin(0, 0);
  int status = 0;
  if (o.stopped && stop_reason() == StopReason::Signal) status = 128 + stop_signal();
  if (o.stopped && stop_reason() == StopReason::OutputClosed) return 0;
  if (o.error.empty()) pipeline.finish(handler.end_ns_ != 0 ? handler.end_ns_ : view.last_ns());
  tp.out().flush();
  status = report_failed_writes(tp, opt, status);
  if (o.stopped && stop_reason() == StopReason::Signal)
    say(fmt::format("replay of '{}' stopped by {} after {} records", opt.replay_file,
                    signal_name(stop_signal()), o.events));
  if (!o.error.empty()) {
    say(o.error);
    return kUsageError;
  }
  if (handler.was_interrupted_ && !(opt.json && opt.output_file.empty())) {
    const Interruption& i = handler.interruption_;
    say(fmt::format("traced {} call{} in {} process{}; {}", i.calls, i.calls == 1 ? "" : "s",
                    i.processes, i.processes == 1 ? "" : "es", i.outcome()));
  }
  if (handler.dropped_ != 0)
    say(fmt::format("note: '{}' is a flight recording: its {} earlier events were let go",
                    opt.replay_file, handler.dropped_));
  if (!o.truncated.empty()) {
    say(o.truncated);
    return status == 0 ? 1 : status;
  }
  return status;
}

}  // namespace dtruss
