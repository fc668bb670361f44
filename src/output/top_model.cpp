#include "output/top_model.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <tuple>

#include "decode/names.h"
#include "util/text.h"

namespace dtruss {
namespace {

// A row's samples beyond this are dropped for its log2 buckets (an interval of a very busy trace
// would otherwise keep 4 bytes a call, three times over).
constexpr size_t kMaxRowSamples = size_t{1} << 20;

// The first column of each view.
constexpr const char* kFirstColumn[kTopViews] = {"SYSCALL", "PID COMM", "COMM"};
constexpr const char* kViewNames[kTopViews] = {"syscalls", "processes", "programs"};
constexpr const char* kSortNames[] = {"calls", "errors", "p99", "max", "name"};  // TopSort

constexpr const char* kLineFormat = "{:<28} {:>10} {:>9} {:>10} {:>10} {:>10}  {}";

TopRow row_of(const std::string& name, int pid, const LatencyStats& lat, uint64_t calls,
              uint64_t errors, const std::map<int, uint64_t>& errnos) {
  TopRow r;
  r.name = name;
  r.pid = pid;
  r.calls = calls;
  r.errors = errors;
  r.errnos = errnos;
  r.timed = lat.timed > 0;
  bool e50 = false, e99 = false;
  r.p50_ns = lat.percentile(0.50, &e50);
  r.p99_ns = lat.percentile(0.99, &e99);
  r.max_ns = lat.max_ns;
  r.estimated = e50 || e99;
  return r;
}

// Microseconds with one decimal; "≈" before a value estimated from log2 buckets.
std::string usec(uint64_t ns, bool estimated) {
  return fmt::format("{}{}.{}", estimated ? "\u2248" : "", ns / 1000, ns % 1000 / 100);
}

// The first column of a row, escaped (a comm is whatever the traced program set).
std::string first_column(const TopRow& r, TopView view) {
  if (view == TopView::Processes) return fmt::format("{:>7} {}", r.pid, escaped(r.name));
  return escaped(r.name);
}

}  // namespace

const char* top_view_name(TopView v) {
  return kViewNames[static_cast<size_t>(v)];
}
const char* top_sort_name(TopSort s) {
  return kSortNames[static_cast<size_t>(s)];
}

void TopCounter::count(Acc& a, int err, bool timed, uint64_t ns) {
  ++a.calls;
  if (err != 0) {
    ++a.errors;
    ++a.errnos[err];
  }
  if (!timed) return;
  a.lat.add(ns);
  if (a.lat.exact && a.lat.samples.size() > kMaxRowSamples) a.lat.drop_samples();
}

void TopCounter::add_call(int pid, std::string_view comm, const std::string& name, int err,
                          bool timed, uint64_t ns) {
  count(by_call_[name], err, timed, ns);
  Acc& p = by_pid_[pid];
  p.comm = std::string(comm);  // its latest name (an exec renames it)
  count(p, err, timed, ns);
  count(by_comm_[std::string(comm)], err, timed, ns);
}

void TopCounter::add_aggregate(const SyscallAggregate& agg, const std::string& name) {
  auto add = [&](Acc& a) {
    a.calls += agg.calls;
    for (const auto& [err, n] : agg.errnos) {
      a.errors += n;
      a.errnos[err] += n;
    }
    a.lat.add_buckets(agg.log2_ns, agg.total_ns, agg.max_ns);
  };
  add(by_call_[name]);
  if (agg.pid == 0) return;  // counted per syscall only (--summary --interval without -by)
  Acc& p = by_pid_[agg.pid];
  if (!agg.comm.empty()) p.comm = agg.comm;
  add(p);
  add(by_comm_[agg.comm]);
}

TopSnapshot TopCounter::take(uint64_t now_ns, double seconds) {
  TopSnapshot s;
  s.end_ns = now_ns;
  timespec real{};
  clock_gettime(CLOCK_REALTIME, &real);
  s.realtime_ns = int64_t{real.tv_sec} * 1000000000 + real.tv_nsec;
  s.seconds = seconds;
  for (const auto& [name, a] : by_call_) {
    s.calls += a.calls;
    s.errors += a.errors;
    s.views[0].push_back(row_of(name, 0, a.lat, a.calls, a.errors, a.errnos));
  }
  for (const auto& [pid, a] : by_pid_)
    s.views[1].push_back(row_of(a.comm, pid, a.lat, a.calls, a.errors, a.errnos));
  for (const auto& [comm, a] : by_comm_)
    s.views[2].push_back(row_of(comm, 0, a.lat, a.calls, a.errors, a.errnos));
  by_call_.clear();
  by_pid_.clear();
  by_comm_.clear();
  return s;
}

std::vector<const TopRow*> top_rows(const TopSnapshot& s, TopView view, TopSort sort,
                                    std::string_view filter) {
  std::vector<const TopRow*> rows;
  for (const TopRow& r : s.rows(view)) {
    bool match = filter.empty() || r.name.find(filter) != std::string::npos ||
                 (view == TopView::Processes && std::to_string(r.pid).find(filter) == 0);
    if (match) rows.push_back(&r);
  }
  auto key = [sort](const TopRow* r) -> uint64_t {
    switch (sort) {
      case TopSort::Calls:
        return r->calls;
      case TopSort::Errors:
        return r->errors;
      case TopSort::Latency:
        return r->timed ? r->p99_ns : 0;
      case TopSort::Max:
        return r->max_ns;
      case TopSort::Name:
        return 0;
    }
    return 0;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const TopRow* a, const TopRow* b) {
    uint64_t ka = key(a), kb = key(b);
    if (ka != kb) return ka > kb;
    return std::tie(a->name, a->pid) < std::tie(b->name, b->pid);
  });
  return rows;
}

std::string top_rate(double per_second) {
  if (per_second >= 100 || per_second == 0) return fmt::format("{:.0f}", per_second);
  return fmt::format("{:.1f}", per_second);
}

std::string top_errnos(const std::map<int, uint64_t>& errnos, double seconds, size_t max_shown) {
  std::vector<std::pair<uint64_t, int>> by_count;
  for (const auto& [err, n] : errnos) by_count.emplace_back(n, err);
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out;
  for (size_t i = 0; i < by_count.size() && i < max_shown; ++i) {
    const char* name = errno_name(by_count[i].second);
    if (!out.empty()) out += ' ';
    out += name != nullptr ? std::string(name) : fmt::format("E{}", by_count[i].second);
    out += ' ' + top_rate(seconds > 0 ? static_cast<double>(by_count[i].first) / seconds : 0);
    out += "/s";
  }
  if (by_count.size() > max_shown) out += fmt::format(" +{}", by_count.size() - max_shown);
  return out;
}

std::string top_header(TopView view) {
  std::string out = fmt::format(kLineFormat, kFirstColumn[static_cast<size_t>(view)], "CALLS/s",
                                "ERRORS/s", "P50(us)", "P99(us)", "MAX(us)", "ERRNOS");
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string top_line(const TopRow& r, TopView view, double seconds) {
  auto rate = [&](uint64_t n) {
    return top_rate(seconds > 0 ? static_cast<double>(n) / seconds : 0);
  };
  std::string out = fmt::format(
      kLineFormat, first_column(r, view), rate(r.calls), rate(r.errors),
      r.timed ? usec(r.p50_ns, r.estimated) : "-", r.timed ? usec(r.p99_ns, r.estimated) : "-",
      r.timed ? usec(r.max_ns, r.estimated) : "-", top_errnos(r.errnos, seconds));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string top_total(const TopSnapshot& s) {
  auto rate = [&](uint64_t n) {
    return top_rate(s.seconds > 0 ? static_cast<double>(n) / s.seconds : 0);
  };
  return fmt::format("{:<28} {:>10} {:>9}", "TOTAL", rate(s.calls), rate(s.errors));
}

std::string top_plain_table(const TopSnapshot& s, TopView view, TopSort sort) {
  time_t secs = static_cast<time_t>(s.realtime_ns / 1000000000);
  tm local{};
  localtime_r(&secs, &local);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &local);
  std::string out = fmt::format("\n--- {} ({:.2f} s) ---\n{}\n", when, s.seconds, top_header(view));
  for (const TopRow* r : top_rows(s, view, sort, "")) out += top_line(*r, view, s.seconds) + '\n';
  out += top_total(s) + '\n';
  return out;
}

}  // namespace dtruss
