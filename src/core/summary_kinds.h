// The output's choices (--sort, --summary-by, --timestamps), shared by the options, the sinks and
// the eBPF backend (which counts per process or thread in the kernel): passed as these types.
#pragma once

namespace dtruss {

// --timestamps: the wall clock of each line, to this precision (None: not shown).
enum class Timestamps { None, Seconds, Millis, Micros, Nanos };
enum class SummarySort { Calls, Time, Errors, Name };  // --sort
// --summary-by. The values are those of dtruss.bpf.c's `summary_by` (0, 1, 2, 4); Comm (per
// program name) is counted per process there, then grouped by name in user space; Container
// is counted per cgroup there, then named (core/cgroup.h, container_of) in user space; Cgroup
// too, named by the cgroup's path.
enum class SummaryBy : int {
  None = 0,
  Process = 1,
  Thread = 2,
  Comm = 3,
  Container = 4,
  Cgroup = 5
};

// Whether a grouping is by cgroup (named by its container, or by its path).
constexpr bool by_cgroup(SummaryBy by) {
  return by == SummaryBy::Container || by == SummaryBy::Cgroup;
}

}  // namespace dtruss
