#include "output/summary_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <tuple>

#include "decode/names.h"

namespace dtruss {

int log2_bucket(uint64_t ns) {
  if (ns == 0) return 0;
  int b = 64 - std::countl_zero(ns);  // floor(log2(ns)) + 1
  return std::min(b, kLog2Buckets - 1);
}

uint64_t log2_bucket_low(int bucket) {
  return bucket <= 0 ? 0 : uint64_t{1} << (bucket - 1);
}

uint64_t log2_bucket_high(int bucket) {
  if (bucket <= 0) return 0;
  if (bucket >= kLog2Buckets - 1) return UINT64_MAX;
  return (uint64_t{1} << bucket) - 1;
}

size_t LatencyStats::add(uint64_t ns) {
  ++timed;
  total_ns += ns;
  max_ns = std::max(max_ns, ns);
  ++log2_ns[static_cast<size_t>(log2_bucket(ns))];
  if (!exact) return 0;
  if (ns <= UINT32_MAX)
    samples.push_back(static_cast<uint32_t>(ns));
  else
    long_ns.push_back(ns);
  return 1;
}

void LatencyStats::add_buckets(const std::array<uint64_t, kLog2Buckets>& buckets, uint64_t total,
                               uint64_t max) {
  uint64_t n = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    log2_ns[i] += buckets[i];
    n += buckets[i];
  }
  if (n > 0) drop_samples();  // durations we do not have: exact percentiles are over
  timed += n;
  total_ns += total;
  max_ns = std::max(max_ns, max);
}

void LatencyStats::drop_samples() {
  exact = false;
  std::vector<uint32_t>().swap(samples);
  std::vector<uint64_t>().swap(long_ns);
}

uint64_t LatencyStats::percentile(double p, bool* estimated) const {
  *estimated = false;
  if (timed == 0) return 0;
  // Nearest rank: the smallest value with at least p of the calls at or below it.
  auto rank = static_cast<uint64_t>(std::ceil(p * static_cast<double>(timed)));
  rank = std::clamp<uint64_t>(rank, 1, timed);
  if (exact) {
    if (rank > samples.size()) {  // among the long ones (all above every sample)
      auto k = static_cast<ptrdiff_t>(rank - samples.size() - 1);
      std::nth_element(long_ns.begin(), long_ns.begin() + k, long_ns.end());
      return long_ns[static_cast<size_t>(k)];
    }
    auto k = static_cast<ptrdiff_t>(rank - 1);
    std::nth_element(samples.begin(), samples.begin() + k, samples.end());
    return samples[static_cast<size_t>(k)];
  }
  *estimated = true;
  uint64_t seen = 0;
  for (int b = 0; b < kLog2Buckets; ++b) {
    seen += log2_ns[static_cast<size_t>(b)];
    if (seen >= rank) return std::min(log2_bucket_high(b), max_ns);
  }
  return max_ns;
}

std::vector<const SummaryRow*> sorted_rows(const SummaryGroup& g, SummarySort sort) {
  std::vector<const SummaryRow*> out;
  out.reserve(g.rows.size());
  for (const auto& [name, row] : g.rows) out.push_back(&row);  // already by name
  auto key = [sort](const SummaryRow* r) -> uint64_t {
    switch (sort) {
      case SummarySort::Calls:
        return r->calls;
      case SummarySort::Time:
        return r->lat.total_ns;
      case SummarySort::Errors:
        return r->errors;
      case SummarySort::Name:
        return 0;
    }
    return 0;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const SummaryRow* a, const SummaryRow* b) { return key(a) < key(b); });
  return out;
}

std::string errno_column(const std::map<int, uint64_t>& errnos, size_t max_shown) {
  std::vector<std::pair<int, uint64_t>> v(errnos.begin(), errnos.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;  // most frequent first; ties by errno number
  });
  std::string out;
  for (size_t i = 0; i < v.size() && i < max_shown; ++i) {
    if (i > 0) out += ' ';
    const char* name = errno_name(v[i].first);
    if (name != nullptr)
      out += name;
    else
      fmt::format_to(std::back_inserter(out), "E{}", v[i].first);
    fmt::format_to(std::back_inserter(out), "\u00d7{}", v[i].second);
  }
  if (v.size() > max_shown) fmt::format_to(std::back_inserter(out), " +{}", v.size() - max_shown);
  return out;
}

std::string draw_log2_histogram(const std::array<uint64_t, kLog2Buckets>& buckets) {
  constexpr int kBarWidth = 40;
  int first = -1, last = -1;
  uint64_t total = 0;
  for (int b = 0; b < kLog2Buckets; ++b) {
    if (buckets[static_cast<size_t>(b)] == 0) continue;
    if (first < 0) first = b;
    last = b;
    total += buckets[static_cast<size_t>(b)];
  }
  if (first < 0) return {};
  first = std::max(first - 1, 0);
  last = std::min(last + 1, kLog2Buckets - 1);
  std::string out =
      fmt::format("{:>16}  {:-^{}} count\n", "value (ns)", " Distribution ", kBarWidth);
  for (int b = first; b <= last; ++b) {
    uint64_t n = buckets[static_cast<size_t>(b)];
    // Rounded to the nearest column, as quantize() does: a tiny share may draw no @ at all.
    auto ats = static_cast<int>((n * kBarWidth + total / 2) / total);
    fmt::format_to(std::back_inserter(out), "{:>16} |{:@<{}}{:<{}} {}\n", log2_bucket_low(b), "",
                   ats, "", kBarWidth - ats, n);
  }
  return out;
}

}  // namespace dtruss
