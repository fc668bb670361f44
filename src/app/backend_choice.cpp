#include "app/backend_choice.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

#include "app/clickhouse_setup.h"
#include "app/inject_spec.h"
#include "app/recording.h"
#include "backends/bpf/bpf_tracer.h"
#include "backends/ptrace/tracer.h"
#include "cli/strace_forms.h"
#include "util/writer.h"

namespace dtruss {
namespace {

// Whether the output shows when calls happened or how long they took: timestamps (-d, -e, JSON,
// a timeline) or durations (-c, --summary, -H). Plain lines show neither, and the eBPF backend
// then reads no clock at all (two clock reads are a fifth of its cost on the cheapest calls).
bool shows_call_times(const Options& opt) {
  return opt.relative || opt.elapsed || opt.cpu || opt.json || opt.count || opt.summary_only ||
         opt.histogram || !opt.timeline_file.empty() || opt.timestamps != Timestamps::None ||
         opt.relative_timestamps || opt.syscall_times || !opt.clickhouse.empty();
}

BpfConfig bpf_config(const Options& opt, TraceTarget target) {
  BpfConfig b;
  static_cast<TraceTarget&>(b) = std::move(target);
  if (opt.buffer_size != 0) b.ring_bytes = opt.buffer_size;
  b.data_max = static_cast<uint32_t>(opt.strsize);
  b.verbose = opt.verbose;
  b.call_times = shows_call_times(opt) || recording(opt);  // (a capture may be shown any way)
  // --summary alone is counted in the kernel: no event per call (unless -s groups by stack).
  // (--status and -P choose calls by their end and their fds: one event a call too.)
  b.summary_only = opt.summary_only && !opt.count && opt.timeline_file.empty() && !opt.stack &&
                   opt.status == 0 && opt.paths.empty() && !recording(opt) &&
                   !clickhouse_raw_rows(opt);  // (a row a call)
  // (--summary-by comm: counted per process, grouped by name in user space)
  b.summary_by = opt.summary_by == SummaryBy::Comm ? SummaryBy::Process : opt.summary_by;
  if (opt.top && b.summary_by == SummaryBy::None) b.summary_by = SummaryBy::Process;  // its views
  // (the aggregates sent to ClickHouse are per program)
  if (clickhouse_aggregates(opt) && b.summary_by == SummaryBy::None)
    b.summary_by = SummaryBy::Process;
  b.summary_comm_live = opt.top;
  b.stack_bytes = static_cast<uint32_t>(opt.stack_size);
  b.show_fds = opt.describe_fds;
  std::string error;  // (the sets were checked by the option parser)
  if (!opt.dump_read.empty()) parse_fd_set(opt.dump_read, &b.dump_read, &error);
  if (!opt.dump_write.empty()) parse_fd_set(opt.dump_write, &b.dump_write, &error);
  return b;
}

// --inject needs ptrace (only a tracer that stops the call can change it): a backend chosen by
// auto or DTRUSS_BACKEND gives way, with a notice; --backend=bpf given with it is refused. ""
// when the choice stands; `why` says why ptrace when it changed it (-v).
std::string inject_rule(Options* opt, bool bpf_by_option, std::string* why) {
  if (opt->inject.empty() && opt->fault.empty()) return {};
  for (const std::string& spec : opt->fault) {  // a bad spec is said alone, before the notice
    InjectRule unused;
    std::string error;
    if (!parse_inject_spec(spec, &unused, &error, InjectForm::Fault)) return error;
  }
  for (const std::string& spec : opt->inject) {
    InjectRule unused;
    std::string error;
    if (!parse_inject_spec(spec, &unused, &error)) return error;
  }
  std::string name = opt->inject.empty() ? "--fault" : "--inject";
  if (opt->all_processes)
    return name + " needs the ptrace backend, which cannot trace --all: name the processes";
  if (opt->backend != BackendChoice::Bpf) return {};
  if (bpf_by_option)
    return name +
           " needs the ptrace backend (eBPF can watch calls, not change them): drop "
           "--backend=bpf";
  opt->backend = BackendChoice::Ptrace;
  *why = name + " needs it";
  say(name + " needs the ptrace backend: using it");
  return {};
}

}  // namespace

// auto: eBPF when the kernel and our privileges allow it, ptrace otherwise. DTRUSS_BACKEND
// (auto, ptrace or bpf) changes what "auto" means, for a user or a test suite that wants one.
std::string choose_backend(Options* opt) {
  std::string bpf_missing = BpfTracer::unavailable_reason();
  std::string why = "--backend";
  bool bpf_by_option = opt->backend == BackendChoice::Bpf;
  if (const char* env = getenv("DTRUSS_BACKEND");
      env != nullptr && opt->backend == BackendChoice::Auto) {
    std::string_view e(env);
    if (e == "ptrace")
      opt->backend = BackendChoice::Ptrace;
    else if (e == "bpf")
      opt->backend = BackendChoice::Bpf;
    else if (!e.empty() && e != "auto")
      return "DTRUSS_BACKEND must be auto, ptrace or bpf, not '" + std::string(e) + "'";
    why = "DTRUSS_BACKEND";
  }
  if (opt->backend == BackendChoice::Auto) {
    opt->backend = bpf_missing.empty() ? BackendChoice::Bpf : BackendChoice::Ptrace;
    why = bpf_missing.empty() ? "auto: eBPF is allowed here" : "auto: no eBPF, " + bpf_missing;
  }
  if (std::string error = inject_rule(opt, bpf_by_option, &why); !error.empty()) return error;
  bool bpf = opt->backend == BackendChoice::Bpf;
  if (opt->verbose)  // -v says which backend traces, and why
    say(fmt::format("{} backend ({})", bpf ? "eBPF" : "ptrace", why));
  if (bpf && !bpf_missing.empty()) return "--backend=bpf: " + bpf_missing;
  if (opt->all_processes && !bpf)
    return "--all needs the eBPF backend" +
           (bpf_missing.empty() ? std::string() : ": " + bpf_missing);
  return {};
}

std::unique_ptr<Backend> make_backend(const Options& opt, TraceTarget target,
                                      const CapturePlans& plans, EventConsumer& out) {
  if (opt.backend == BackendChoice::Bpf)
    return std::make_unique<BpfTracer>(bpf_config(opt, std::move(target)), plans, out);
  return std::make_unique<PtraceTracer>(std::move(target), plans, out);
}

}  // namespace dtruss
