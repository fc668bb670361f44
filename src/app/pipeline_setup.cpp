#include "app/pipeline_setup.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "app/recording.h"
#include "app/target.h"
#include "cli/strace_forms.h"
#include "core/cgroup.h"
#include "decode/choices.h"
#include "decode/structs.h"
#include "output/json_sink.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "output/top_sink.h"
#include "syscalls/capture.h"
#include "util/clock.h"
#include "util/writer.h"

namespace dtruss {
// The capture plans: what bytes the backends copy, as the decoders will need them.
CaptureLimits capture_limits(const Options& opt) {
  CaptureLimits limits;
  limits.strsize = static_cast<uint32_t>(opt.strsize);
  if (!opt.dump_read.empty() || !opt.dump_write.empty()) limits.buffer_max = kDumpCaptureBytes;
  limits.verbose = opt.verbose;
  limits.struct_size = opt.verbose ? struct_size : struct_brief_size;
  limits.records_max = opt.verbose ? nullptr : records_brief_max;
  limits.choice_captures = choice_captures;
  return limits;
}

namespace {

// --read / --write (checked by the option parser).
DumpFds dump_fds(const Options& opt) {
  DumpFds d;
  std::string error;
  if (!opt.dump_read.empty()) parse_fd_set(opt.dump_read, &d.read, &error);
  if (!opt.dump_write.empty()) parse_fd_set(opt.dump_write, &d.write, &error);
  return d;
}

// --color: auto colours a terminal, unless NO_COLOR is set to anything (no-color.org).
bool use_color(const Options& opt, int out_fd) {
  if (opt.json || opt.color == ColorChoice::Never) return false;
  if (opt.color == ColorChoice::Always) return true;
  const char* no_color = getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return isatty(out_fd) == 1;
}

// Whether the lines may come from processes of several containers (or units), each then named:
// --all, --cgroup, --container (part 12).
bool many_containers(const Options& opt) {
  return opt.all_processes || !opt.cgroup.empty() || !opt.container.empty() ||
         opt.replayed_containers;
}

TextOptions text_options(const Options& opt, int out_fd) {
  TextOptions t;
  // The PID/TID prefix, unless -l/-L says: whenever the trace may show several processes (-f,
  // several -p, -n NAME, which may match several, now or later, --all).
  // The process name with it: -Y, or where lines of many programs mix (--all, -n).
  t.comm = opt.comm || opt.all_processes || !opt.name.empty() || !opt.cgroup.empty() ||
           !opt.container.empty() || opt.replayed_containers;
  t.show_task = opt.show_task.value_or(opt.follow || opt.pids.size() > 1 ||
                                       (!opt.name.empty() && !opt.wait_for_name) ||
                                       opt.all_processes || t.comm);
  t.timestamps = opt.timestamps;
  t.since_previous = opt.relative_timestamps;
  t.call_times = opt.syscall_times;
  t.relative = opt.relative;
  t.elapsed = opt.elapsed;
  t.cpu = opt.cpu;
  t.raw = opt.style == ArgStyle::Raw;
  t.verbose = opt.style == ArgStyle::Verbose;
  t.explain = opt.annotate;
  t.color = use_color(opt, out_fd);
  t.dumps = dump_fds(opt);
  return t;
}

SummaryOptions summary_options(const Options& opt, int out_fd) {
  SummaryOptions s;
  s.json = opt.json;
  s.histogram = opt.histogram;
  s.sort = opt.sort;
  s.by = opt.summary_by;
  s.color = use_color(opt, out_fd);
  s.explain = opt.annotate;
  s.stack_top = opt.stack ? 5 : 0;
  return s;
}

// --summary-by cgroup (and a capture's Label records): the paths of the cgroup v1 hierarchy of a
// v1 --cgroup (the eBPF backend counts by it then), of the v2 hierarchy (0) otherwise.
int cgroup_hierarchy(const Options& opt) {
  std::string dir, error;
  CgroupV1 v1;
  if (opt.cgroup.empty() || !resolve_cgroup(opt.cgroup, &dir, &error) || !cgroup_v1_of(dir, &v1))
    return 0;
  return v1.hierarchy;
}

// --top: the live screen on a terminal (keys from standard input), plain tables elsewhere; the
// view sorted as --sort says.
TopOptions top_options(const Options& opt, int out_fd) {
  TopOptions t;
  const char* term = getenv("TERM");
  t.screen = opt.top && isatty(out_fd) == 1 && isatty(STDIN_FILENO) == 1 && term != nullptr &&
             term[0] != '\0' && std::string_view(term) != "dumb";
  static constexpr TopSort kBySort[] = {TopSort::Calls, TopSort::Latency, TopSort::Errors,
                                        TopSort::Name};  // SummarySort's order
  t.sort = kBySort[static_cast<size_t>(opt.sort)];
  t.interval_ns = interval_ns(opt);
  return t;
}

// --status, -P: each path as given and, when it differs, as resolved (path_forms), which is what
// the fd notes name.
CallFilter call_filter(const Options& opt) {
  CallFilter f;
  f.status = opt.status;
  f.fd_notes = opt.describe_fds;
  f.paths = path_forms(opt.paths);
  return f;
}

}  // namespace

TracePipeline::TracePipeline(const Options& opt, std::vector<bool> selected, Outputs& outputs)
    : out_(outputs.fd(OutputKind::Trace) >= 0 ? outputs.fd(OutputKind::Trace) : STDERR_FILENO,
           opt.output_file.empty()),
      pipeline_(Decoder({opt.strsize, opt.verbose}), std::move(selected), out_),
      plans_(capture_limits(opt)) {
  if (outputs.truncate(OutputKind::Trace)) out_.truncate_first();
  pipeline_.set_filter(call_filter(opt));
  if (opt.pidns_translation) pipeline_.translate_pids();
  if (!recording(opt) || live_view(opt)) add_line_sink(opt);
  if (NumberSet signals; !opt.signal_set.empty()) {
    std::string error;  // (checked by the option parser)
    parse_signal_set(opt.signal_set, &signals, &error);
    pipeline_.show_signals(std::move(signals));
  }
  // --top, --summary --interval (part 11): each interval's table, before the final one.
  if (opt.top || (opt.summary_only && !opt.interval.empty()))
    pipeline_.add_sink(std::make_unique<TopSink>(out_, top_options(opt, out_.fd())));
  if (opt.count || opt.summary_only) {
    SummaryOptions s = summary_options(opt, out_.fd());
    if (opt.summary_by == SummaryBy::Container) s.containers = pipeline_.show_containers();
    if (opt.summary_by == SummaryBy::Cgroup)
      s.containers = pipeline_.show_cgroup_paths(cgroup_hierarchy(opt));
    pipeline_.add_sink(std::make_unique<SummarySink>(out_, s));
  }
  add_file_sinks(outputs);
  if (!opt.command.empty()) gate_.emplace(pipeline_, out_);
  if (recording(opt)) add_recorder(opt, outputs);
}

// -w: the capture file (opened by Outputs); --flight-recorder: the ring, written when asked.
void TracePipeline::add_recorder(const Options& opt, Outputs& outputs) {
  recorder_.emplace(capture_info(opt), next());
  if (many_containers(opt) || by_cgroup(opt.summary_by)) {  // (as the live view names them)
    ContainerLabels* labels = pipeline_.show_containers();
    ContainerLabels* paths = pipeline_.show_cgroup_paths(cgroup_hierarchy(opt));
    recorder_->label_containers([labels, paths](int32_t pid) {
      return capture::ProcessLabel{labels->of(pid), paths->of(pid)};
    });
  }
  if (opt.flight_recorder != 0) {
    std::vector<capture::Trigger> triggers;
    check_recording(opt, &triggers);  // (checked before)
    recorder_->to_ring(opt.flight_recorder, flight_path(opt), std::move(triggers));
    return;
  }
  recorder_->to_file(outputs.fd(OutputKind::Capture), outputs.truncate(OutputKind::Capture));
  outputs.hand_over(OutputKind::Capture);
}

void TracePipeline::begin(uint64_t base_ns) {
  int64_t wall = realtime_offset_ns();
  if (recorder_) recorder_->begin(base_ns, wall);
  pipeline_.begin(base_ns, wall);
}

void TracePipeline::record_interruption(const Interruption& i) {
  if (recorder_) recorder_->interrupted(i.ts_ns, i.signal, i.detached);
}

void TracePipeline::close_capture(int status) {
  if (recorder_) recorder_->finish(status, monotonic_ns(), false);
}

int TracePipeline::finish_capture(const Options& opt, int status, uint64_t end_ns) {
  if (!recorder_) return status;
  std::string error = recorder_->finish(status, end_ns, !opt.command.empty() && status != 0);
  if (error.empty()) return status;
  if (opt.flight_recorder == 0)
    say(fmt::format("cannot write the capture to '{}': {}", opt.capture_file, error));
  return status == 0 ? 1 : status;
}

// The lines: text or JSON (--summary: the table alone).
void TracePipeline::add_line_sink(const Options& opt) {
  if (opt.summary_only) return;
  if (opt.json) {
    auto sink = std::make_unique<JsonSink>(out_, opt.annotate, opt.timestamps != Timestamps::None);
    sink->set_dumps(dump_fds(opt));
    if (many_containers(opt)) sink->set_containers(pipeline_.show_containers());
    pipeline_.add_sink(std::move(sink));
  } else {
    TextOptions t = text_options(opt, out_.fd());
    if (many_containers(opt) && t.show_task) t.containers = pipeline_.show_containers();
    pipeline_.add_sink(std::make_unique<TextSink>(out_, t));
  }
}

void TracePipeline::add_file_sinks(Outputs& outputs) {
  if (int fd = outputs.fd(OutputKind::Timeline); fd >= 0) {
    auto sink = std::make_unique<TimelineSink>(fd);
    outputs.hand_over(OutputKind::Timeline);
    timeline_ = sink.get();
    if (outputs.truncate(OutputKind::Timeline)) timeline_->writer().truncate_first();
    pipeline_.add_sink(std::move(sink));
  }
  if (int fd = outputs.fd(OutputKind::Folded); fd >= 0) {
    auto sink = std::make_unique<FoldedSink>(fd);
    outputs.hand_over(OutputKind::Folded);
    folded_ = sink.get();
    if (outputs.truncate(OutputKind::Folded)) folded_->writer().truncate_first();
    pipeline_.add_sink(std::move(sink));
  }
}

void TracePipeline::abandon() {
  out_.abandon();
  if (recorder_) recorder_->abandon();
  if (timeline_ != nullptr) timeline_->writer().abandon();
  if (folded_ != nullptr) folded_->writer().abandon();
}

}  // namespace dtruss
