// The trace itself and its report: the backend prepared and run into the pipeline; then the
// interrupted record, the summary, the outputs that failed, the closing line.
#pragma once

#include <functional>
#include <memory>

#include "app/outputs.h"
#include "app/pipeline_setup.h"
#include "cli/options.h"
#include "core/backend.h"

namespace dtruss {

inline constexpr int kUsageError = 2;

// Builds the backend with `make` (a TraceError while it is built ends the trace as one while it
// runs), runs it (destroyed, its tracees let go, before the report) and reports. Returns
// dtruss's exit status.
int trace(const std::function<std::unique_ptr<Backend>()>& make, TracePipeline& tp,
          Outputs& outputs, const Options& opt);

// An output that could not be written (the trace, the timeline, the folded stacks) is said in
// a line, and makes dtruss fail: `status`, or 1 when it was 0.
int report_failed_writes(TracePipeline& tp, const Options& opt, int status);

}  // namespace dtruss
