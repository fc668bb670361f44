// The numbers behind --top and --summary --interval: what one interval counted, per syscall, per
// process and per program name (comm), as rates (calls/s, errors/s by errno) and latencies (p50,
// p99, max); the rows sorted and filtered as the view asks; and the plain table of an interval
// (what --top prints when its output is not a terminal).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "output/summary_model.h"

namespace dtruss {

enum class TopView { Syscalls, Processes, Programs };
inline constexpr size_t kTopViews = 3;
enum class TopSort { Calls, Errors, Latency, Max, Name };  // Latency: by p99

const char* top_view_name(TopView v);  // "syscalls", "processes", "programs"
const char* top_sort_name(TopSort s);  // "calls", "errors", "p99", "max", "name"

// One row of an interval: a syscall, a process or a program name, as it was in that interval.
struct TopRow {
  std::string name;  // the syscall, or the comm (as the traced program set it: unescaped)
  int pid = 0;       // Processes: the process
  uint64_t calls = 0;
  uint64_t errors = 0;
  std::map<int, uint64_t> errnos;  // errno -> failed calls in the interval
  bool timed = false;              // any call with a duration
  uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
  bool estimated = false;  // the percentiles come from log2 buckets (eBPF counted them)
};

// One interval, each view's rows (unsorted).
struct TopSnapshot {
  uint64_t end_ns = 0;      // CLOCK_MONOTONIC at its end
  int64_t realtime_ns = 0;  // the wall clock then
  double seconds = 0;       // its length
  uint64_t calls = 0, errors = 0;
  std::array<std::vector<TopRow>, kTopViews> views;
  const std::vector<TopRow>& rows(TopView v) const { return views[static_cast<size_t>(v)]; }
};

// What an interval counted so far: fed call by call (ptrace, or eBPF with events) or with the
// aggregates counted in the kernel since the last interval.
class TopCounter {
 public:
  void add_call(int pid, std::string_view comm, const std::string& name, int err, bool timed,
                uint64_t ns);
  void add_aggregate(const SyscallAggregate& agg, const std::string& name);
  bool empty() const { return by_call_.empty(); }
  // The interval that ended at `now_ns` (`seconds` long); the next one starts empty.
  TopSnapshot take(uint64_t now_ns, double seconds);

 private:
  struct Acc {
    std::string comm;
    uint64_t calls = 0, errors = 0;
    std::map<int, uint64_t> errnos;
    LatencyStats lat;
  };
  void count(Acc& a, int err, bool timed, uint64_t ns);
  std::map<std::string, Acc> by_call_;
  std::map<int, Acc> by_pid_;
  std::map<std::string, Acc> by_comm_;
};

// The rows of a view whose name holds `filter` (the PID too, in the process view), in the
// order `sort` asks for: the largest first (by name: alphabetically); ties by name.
std::vector<const TopRow*> top_rows(const TopSnapshot& s, TopView view, TopSort sort,
                                    std::string_view filter);

// Rates as a person reads them: "12345", "12.5", "0.3".
std::string top_rate(double per_second);
// "ENOENT 12/s EACCES 1/s": most frequent first, at most `max_shown`.
std::string top_errnos(const std::map<int, uint64_t>& errnos, double seconds, size_t max_shown = 3);
// The column heads of a view, and one row (its name escaped), both without a line end.
std::string top_header(TopView view);
std::string top_line(const TopRow& r, TopView view, double seconds);
// The totals line of an interval: "TOTAL  calls/s  errors/s".
std::string top_total(const TopSnapshot& s);
// The plain form of an interval: a header with its wall-clock time and length, then the table.
std::string top_plain_table(const TopSnapshot& s, TopView view, TopSort sort);

}  // namespace dtruss
