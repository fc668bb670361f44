// The numbers behind the -c / --summary table: per syscall (and per process or thread with
// --summary-by) calls, errors by errno, latency totals, percentiles and a log2 histogram.
// Fed either call by call (from decoded events) or with aggregates counted elsewhere (the eBPF
// backend counting in the kernel), through the same model.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/summary_kinds.h"

namespace dtruss {

// Latency buckets in powers of two, as DTrace's quantize() and a BPF log2 histogram count them:
// bucket 0 holds 0 ns; bucket i (1..63) holds [2^(i-1), 2^i) ns; bucket 63 also holds anything
// longer (2^62 ns is 146 years).
int log2_bucket(uint64_t ns);
uint64_t log2_bucket_low(int bucket);   // smallest value of the bucket (0, 1, 2, 4, ...)
uint64_t log2_bucket_high(int bucket);  // largest value of the bucket

// Latencies of one row. Percentiles are exact while the durations themselves are kept; rows fed
// by aggregates (or whose samples were dropped to bound memory) estimate them from log2 buckets.
//
// Why a plain vector of uint32 ns: it costs 4 bytes a call, is exact, and a percentile is one
// nth_element at the end. A call longer than 4.29 s does not fit: those (rare) go to `long_ns`.
// The sink caps the samples of all rows together (kMaxSamples) and falls back to the buckets it
// keeps anyway for -H, so a long system-wide trace cannot eat the memory.
struct LatencyStats {
  uint64_t timed = 0;  // calls with a duration (returned ones)
  uint64_t total_ns = 0;
  uint64_t max_ns = 0;
  std::array<uint64_t, kLog2Buckets> log2_ns{};
  bool exact = true;  // samples hold every timed call
  // The durations, in no order: percentile() reorders them in place (a copy would double the
  // memory of a long trace at the end), hence mutable.
  mutable std::vector<uint32_t> samples;  // durations < 2^32 ns
  mutable std::vector<uint64_t> long_ns;  // durations >= 2^32 ns

  // Adds one duration; returns how many samples were stored (0 or 1).
  size_t add(uint64_t ns);
  void add_buckets(const std::array<uint64_t, kLog2Buckets>& buckets, uint64_t total, uint64_t max);
  void drop_samples();
  // `p` in (0, 1]: the nearest-rank percentile (exact), or the upper bound of the bucket holding
  // that rank (estimated: then `*estimated` is set).
  uint64_t percentile(double p, bool* estimated) const;
  uint64_t average() const { return timed == 0 ? 0 : total_ns / timed; }
};

struct SummaryRow {
  std::string name;
  uint64_t calls = 0;
  uint64_t errors = 0;
  std::map<int, uint64_t> errnos;
  LatencyStats lat;
};

// One table: the rows of everything, or of one process or thread (--summary-by).
struct SummaryGroup {
  int pid = 0;
  int tid = 0;
  std::string comm;
  std::map<std::string, SummaryRow> rows;  // by syscall name
};

// The rows of `g` in table order: ascending, so that the most frequent (longest, most failing)
// comes last, next to the totals, as in dtruss; by name alphabetically. Ties by name.
std::vector<const SummaryRow*> sorted_rows(const SummaryGroup& g, SummarySort sort);

// "ENOENT×12 EACCES×1": most frequent first; at most `max_shown`, then "+N".
std::string errno_column(const std::map<int, uint64_t>& errnos, size_t max_shown = 3);

// The histogram of `buckets` drawn as DTrace's quantize() draws it: value, a bar of @ in 40
// columns proportional to the count, the count; from one empty bucket below the first non-empty
// one to one above the last. Empty if every bucket is empty.
std::string draw_log2_histogram(const std::array<uint64_t, kLog2Buckets>& buckets);

}  // namespace dtruss
