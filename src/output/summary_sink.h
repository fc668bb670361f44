// The -c / --summary table: per syscall, how often, how often it failed (and with which errnos),
// and the time spent in it (total, average, p50, p99, max), optionally per process or thread and
// with a log2 latency histogram per syscall (-H).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "output/container_labels.h"
#include "output/sink.h"
#include "output/stack_counts.h"
#include "output/summary_model.h"
#include "util/writer.h"

namespace dtruss {

struct SummaryOptions {
  bool json = false;  // one {"type":"summary"} object instead of the table (--json)
  SummarySort sort = SummarySort::Calls;
  SummaryBy by = SummaryBy::None;
  bool histogram = false;  // -H
  bool color = false;      // ANSI colours in the table (--color; never with json)
  bool explain = false;    // --explain: each syscall's description after its row ("about")
  size_t stack_top = 0;    // -s: the calls of each syscall by stack, its most frequent N (0: no)
  // --summary-by container: who is in which; --summary-by cgroup: the cgroup paths (the sink's
  // own, of cgroup_hierarchy, when not given)
  ContainerLabels* containers = nullptr;
  int cgroup_hierarchy = 0;  // --summary-by cgroup: the paths of v2 (0) or of this v1 hierarchy
  // At most this many durations are kept, all rows together (4 bytes each: 16 MiB, so that a
  // long -c or --summary stays well under 64 MiB with the 8 MiB ring); past it, every row's
  // percentiles are estimated from its log2 buckets (and marked so).
  size_t max_samples = size_t{1} << 22;
};

class SummarySink final : public Sink {
 public:
  SummarySink(Writer& out, SummaryOptions opt)
      : out_(out), opt_(opt), cgroup_paths_(ContainerLabels::cgroup_paths(opt.cgroup_hierarchy)) {
    if (opt_.by == SummaryBy::Cgroup && opt_.containers == nullptr)
      opt_.containers = &cgroup_paths_;
  }
  SummarySink(Writer& out, bool json) : out_(out) { opt_.json = json; }

  void syscall(const DecodedCall& call) override;
  void lost(const LostEvent& ev) override { lost_ += ev.count; }
  void exit(const ExitEvent& ev) override { cgroup_paths_.forget(ev.task.pid); }
  // With --json and no lines (--summary): the interrupted object, before the summary's.
  bool interrupted(const Interruption& i) override;
  void finish() override;

  // Counts counted elsewhere (the eBPF backend aggregating in the kernel): merged into the same
  // rows as calls seen one by one. Their percentiles are estimated from the log2 buckets.
  void add_aggregate(const SyscallAggregate& agg);
  void aggregate(const SyscallAggregate& agg) override { add_aggregate(agg); }
  // When the trace ended (CLOCK_MONOTONIC); finish() reads the clock if this was not called.
  void set_end_ns(uint64_t ns) { end_ns_ = ns; }
  void end_at(uint64_t ns) override { end_ns_ = ns; }

 private:
  SummaryGroup& group_for(int pid, int tid, std::string_view comm);
  void make_room(SummaryRow& r);  // before a duration is kept: within max_samples?
  void write_text();
  void write_json();
  void table(std::string& out, const SummaryGroup& g) const;
  void json_rows(std::string& out, const SummaryGroup& g) const;
  void stacks_text(std::string& out) const;
  void stacks_json(std::string& out) const;

  Writer& out_;
  SummaryOptions opt_;
  std::map<std::pair<int, int>, SummaryGroup> groups_;  // by (pid, tid), zeros when not split
  std::map<std::string, int> comm_ids_;  // --summary-by comm: a group's key is ({id}, -1)
  size_t samples_ = 0;                   // durations kept, all rows together
  bool over_budget_ = false;
  uint64_t lost_ = 0;
  uint64_t end_ns_ = 0;
  StackCounts stacks_;            // -s: across all groups
  ContainerLabels cgroup_paths_;  // --summary-by cgroup's labels (opt_.containers then)
};

}  // namespace dtruss
