// The summary table's choices (--sort, --summary-by), shared by the options, the sinks and the
// eBPF backend (which counts per process or thread in the kernel): passed as these types.
#pragma once

namespace dtruss {

enum class SummarySort { Calls, Time, Errors, Name };  // --sort
// --summary-by. The values are those of dtruss.bpf.c's `summary_by` (0, 1, 2).
enum class SummaryBy : int { None = 0, Process = 1, Thread = 2 };

}  // namespace dtruss
