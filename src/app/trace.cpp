#include "app/trace.h"

#include <fmt/format.h>

#include <cstring>
#include <string>

#include "core/interrupt.h"
#include "core/trace_error.h"
#include "util/clock.h"
#include "util/writer.h"

namespace dtruss {
namespace {

// A stop was requested while the backend prepared (-W waiting): nothing was traced, nothing is
// left behind.
int stopped_before_start(TracePipeline& tp, Outputs& outputs) {
  tp.abandon();
  outputs.remove_created();
  return 128 + stop_signal();
}

// The trace could not start, or failed. A usage error (a PID that cannot be attached to, a
// command that cannot run): nothing was traced, and nothing is left behind: a file made by this
// run is removed, one that existed is left as it was. Another error shows what was seen.
int trace_failed(const TraceError& e, TracePipeline& tp, Outputs& outputs) {
  if (e.exit_status() == kUsageError) {
    tp.abandon();
    outputs.remove_created();
  } else {
    tp.release();
    tp.out().flush();
    tp.close_capture(e.exit_status());  // (-w: what was seen, ended as a capture ends)
  }
  say(e.what());
  return e.exit_status();
}

// Ctrl-C / SIGTERM: say what was seen, and what became of the traced processes (in the trace
// as the sinks record it, and as a closing line unless that would go into a JSON trace).
int report(TracePipeline& tp, const Options& opt, int status) {
  Pipeline& pipeline = tp.pipeline();
  std::string closing;
  if (stop_reason() == StopReason::Signal) {
    Interruption i = pipeline.interrupted(monotonic_ns(), stop_signal(), opt.command.empty());
    tp.record_interruption(i);
    closing = fmt::format("traced {} call{} in {} process{}; {}", i.calls, i.calls == 1 ? "" : "s",
                          i.processes, i.processes == 1 ? "" : "es", i.outcome());
  }
  uint64_t end_ns = monotonic_ns();
  if (stop_reason() != StopReason::OutputClosed && stop_reason() != StopReason::OutputFailed)
    pipeline.finish(end_ns);
  status = tp.finish_capture(opt, status, end_ns);
  status = report_failed_writes(tp, opt, status);
  if (!closing.empty() && !(opt.json && opt.output_file.empty())) {
    tp.out().flush();
    say(closing);
  }
  return status;
}

}  // namespace

// An output that could not be written makes dtruss fail (status 1, unless the command's is
// already an error).
int report_failed_writes(TracePipeline& tp, const Options& opt, int status) {
  Writer& out = tp.out();
  if (stop_reason() == StopReason::OutputFailed || (out.failed() && out.error() != EPIPE)) {
    say(fmt::format("cannot write the trace{}: {}",
                    opt.output_file.empty() ? "" : " to '" + opt.output_file + "'",
                    std::strerror(out.error())));
    status = status == 0 ? 1 : status;
  }
  if (tp.timeline() != nullptr && tp.timeline()->failed()) {
    say(fmt::format("cannot write the timeline to '{}': {}", opt.timeline_file,
                    std::strerror(tp.timeline()->error())));
    status = status == 0 ? 1 : status;
  }
  if (tp.folded() != nullptr && tp.folded()->failed()) {
    say(fmt::format("cannot write the folded stacks to '{}': {}", opt.folded_file,
                    std::strerror(tp.folded()->error())));
    status = status == 0 ? 1 : status;
  }
  return status;
}

int trace(const std::function<std::unique_ptr<Backend>()>& make, TracePipeline& tp,
          Outputs& outputs, const Options& opt) {
  int status = 0;
  try {
    // (destroyed, its tracees let go, as the try block is left: before the report or the error)
    std::unique_ptr<Backend> b = make();
    if (!b->prepare()) return stopped_before_start(tp, outputs);
    // The clock of the trace starts after the preparation: times count from the command's start,
    // or the attach.
    tp.begin(monotonic_ns());
    status = b->run();
  } catch (const TraceError& e) {
    return trace_failed(e, tp, outputs);
  }
  tp.release();
  return report(tp, opt, status);
}

}  // namespace dtruss
