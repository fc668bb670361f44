// The pipeline of a trace as the options ask for it: the capture plans, the decoder, the sinks
// (lines as text or JSON, the summary table, the timeline, the folded stacks) and their outputs.
#pragma once

#include <optional>
#include <vector>

#include "app/outputs.h"
#include "app/start_gate.h"
#include "capture/recorder.h"
#include "cli/options.h"
#include "output/pipeline.h"
#include "output/stack_counts.h"
#include "output/timeline_sink.h"
#include "syscalls/capture.h"
#include "util/writer.h"

namespace dtruss {

// The capture plans' limits for the options (--strsize, -v).
CaptureLimits capture_limits(const Options& opt);

class TracePipeline {
 public:
  // `selected`: the -t selection by syscall number (empty: all). Takes the timeline's and the
  // folded stacks' fds from `outputs` (their sinks close them).
  TracePipeline(const Options& opt, std::vector<bool> selected, Outputs& outputs);
  TracePipeline(const TracePipeline&) = delete;
  TracePipeline& operator=(const TracePipeline&) = delete;

  // Where the backend's events go: the pipeline, behind the start gate when a command is started
  // (nothing is written until it has run).
  EventConsumer& consumer() {
    if (recorder_) return *recorder_;  // (-w, --flight-recorder: recorded, then handed on)
    return next();
  }
  // The command ran, or the trace failed after it did: the held output may be written.
  void release() {
    if (gate_) gate_->release();
  }
  // Nothing was traced: nothing is written to any output.
  void abandon();
  // The trace's clock starts (the sinks' and the capture's).
  void begin(uint64_t base_ns);
  // Part 11: a stop signal's end, in the capture; the capture's end (a failed command's flight
  // recording written). Returns the status, 1 when the capture could not be written.
  void record_interruption(const Interruption& i);
  int finish_capture(const Options& opt, int status, uint64_t end_ns);
  // The trace failed once started: the capture ends there (a flight recorder writes nothing).
  void close_capture(int status);

  // What the backend copies of each call, for the decoders.
  const CapturePlans& plans() const { return plans_; }
  Writer& out() { return out_; }
  Pipeline& pipeline() { return pipeline_; }
  TimelineSink* timeline() { return timeline_; }
  FoldedSink* folded() { return folded_; }

 private:
  void add_line_sink(const Options& opt);
  void add_file_sinks(Outputs& outputs);
  void add_recorder(const Options& opt, Outputs& outputs);
  EventConsumer& next() { return gate_ ? static_cast<EventConsumer&>(*gate_) : pipeline_; }

  Writer out_;
  Pipeline pipeline_;
  CapturePlans plans_;
  TimelineSink* timeline_ = nullptr;
  FoldedSink* folded_ = nullptr;
  std::optional<StartGate> gate_;
  std::optional<capture::Recorder> recorder_;
};

}  // namespace dtruss
