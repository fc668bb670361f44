#include "output/summary_sink.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "decode/decoder.h"
#include "decode/names.h"
#include "output/json_sink.h"
#include "syscalls/describe.h"
#include "util/text.h"

namespace dtruss {
namespace {

// --explain: the description of a syscall named in the table, or "" (syscall_N, undescribed).
std::string about_of(const std::string& name) {
  const SyscallInfo* info = syscall_by_name(name);
  const SyscallDoc* doc = info != nullptr ? syscall_doc(info->nr) : nullptr;
  return doc != nullptr ? about_phrase(*doc) : std::string();
}

// A process's name, as a traced program set it (prctl(PR_SET_NAME), its file name): escaped.
std::string comm_label(const std::string& comm) {
  return escaped(comm);
}

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Microseconds with one decimal; "≈" in front of a value estimated from log2 buckets.
std::string usec(uint64_t ns, bool estimated = false) {
  return fmt::format("{}{}.{}", estimated ? "\u2248" : "", ns / 1000, ns % 1000 / 100);
}

struct Totals {
  uint64_t calls = 0, errors = 0, total_ns = 0;
};

Totals totals_of(const SummaryGroup& g) {
  Totals t;
  for (const auto& [name, row] : g.rows) {
    t.calls += row.calls;
    t.errors += row.errors;
    t.total_ns += row.lat.total_ns;
  }
  return t;
}

constexpr const char* kRowFormat = "{:<22} {:>9} {:>7} {:>12} {:>10} {:>10} {:>10} {:>10}  {}\n";

// Appends one table row, without trailing blanks (the ERRNOS column is often empty).
template <typename... Args>
void append_row(std::string& out, const Args&... cols) {
  fmt::format_to(std::back_inserter(out), kRowFormat, cols...);
  out.pop_back();
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

// With --color: the header bold, the errnos red (as errors are in the lines).
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kReset = "\x1b[0m";

}  // namespace

SummaryGroup& SummarySink::group_for(int pid, int tid, std::string_view comm) {
  std::pair<int, int> key{0, 0};
  if (opt_.by == SummaryBy::Process) key = {pid, 0};
  if (opt_.by == SummaryBy::Thread) key = {pid, tid};
  if (opt_.by == SummaryBy::Comm || by_cgroup(opt_.by)) {
    // by name (a program's, a container's, a cgroup's path): an id per name, in the order they came
    auto [id, added] = comm_ids_.try_emplace(std::string(comm), static_cast<int>(comm_ids_.size()));
    key = {id->second, -1};
  }
  auto [it, fresh] = groups_.try_emplace(key);
  SummaryGroup& g = it->second;
  if (fresh) {
    g.pid = key.first;
    g.tid = key.second;
  }
  // A process is named after its main thread; a thread after its latest name (exec renames).
  if (by_cgroup(opt_.by)) g.comm = std::string(comm);
  if (opt_.by != SummaryBy::None && !by_cgroup(opt_.by) && !comm.empty() &&
      (g.comm.empty() || opt_.by == SummaryBy::Thread || tid == pid))
    g.comm = std::string(comm);
  return g;
}

void SummarySink::make_room(SummaryRow& r) {
  if (!r.lat.exact || samples_ < opt_.max_samples) return;
  // The budget is spent: no row keeps durations from now on (all freed at once, before a vector
  // would grow past the budget; rows made later start without).
  if (!over_budget_) {
    over_budget_ = true;
    for (auto& [key, g] : groups_)
      for (auto& [name, row] : g.rows) row.lat.drop_samples();
  }
  r.lat.drop_samples();
}

void SummarySink::syscall(const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  std::string_view comm(ev.task.comm.data(), strnlen(ev.task.comm.data(), ev.task.comm.size()));
  if (by_cgroup(opt_.by))  // (the process is alive: its call was just made)
    comm = opt_.containers != nullptr ? opt_.containers->of(ev.task.pid) : std::string_view();
  // An io_uring operation has a row of its own: uring:read beside read.
  const std::string& name = ev.uring_op >= 0 ? uring_name(call.name) : call.name;
  SummaryRow& r = group_for(ev.task.pid, ev.task.tid, comm).rows[name];
  if (r.name.empty()) r.name = name;
  ++r.calls;
  if (call.err != 0) {
    ++r.errors;
    ++r.errnos[call.err];
  }
  // A call that never returned has no duration: it counts, but not in the latencies.
  if (ev.returned()) {
    make_room(r);
    samples_ += r.lat.add(call_duration(ev));
  }
  if (opt_.stack_top != 0 && !ev.stack.empty()) stacks_.add(name, ev.stack);
}

// -s: `openat  3 calls` and the frames under it (innermost first), the most frequent stacks of
// each syscall.
void SummarySink::stacks_text(std::string& out) const {
  if (stacks_.empty()) return;
  fmt::format_to(std::back_inserter(out), "\nTOP STACKS (at most {} per syscall)\n",
                 opt_.stack_top);
  for (const auto& e : stacks_.top(opt_.stack_top)) {
    fmt::format_to(std::back_inserter(out), "{} {} call{}\n", *e.syscall, e.count,
                   e.count == 1 ? "" : "s");
    for (const std::string& f : *e.frames)
      fmt::format_to(std::back_inserter(out), "    {}\n", escaped(f));  // module`symbol
  }
}

// ,"stacks":[{"syscall":"openat","count":3,"frames":["libc.so.6`open64",...]},...]
void SummarySink::stacks_json(std::string& out) const {
  if (opt_.stack_top == 0) return;
  out += ",\"stacks\":[";
  bool first = true;
  for (const auto& e : stacks_.top(opt_.stack_top)) {
    if (!first) out += ',';
    first = false;
    out += "{\"syscall\":";
    append_json_string(out, *e.syscall);
    fmt::format_to(std::back_inserter(out), ",\"count\":{},\"frames\":[", e.count);
    for (size_t i = 0; i < e.frames->size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, (*e.frames)[i]);
    }
    out += "]}";
  }
  out += ']';
}

void SummarySink::add_aggregate(const SyscallAggregate& agg) {
  std::string name = syscall_name(agg.nr);
  std::string_view comm = agg.comm;
  // counted per cgroup v2 (named here), per process, or per v1 cgroup (named by the backend)
  if (by_cgroup(opt_.by) && opt_.containers != nullptr && agg.pid != 0)
    comm = opt_.containers->of(agg.pid);
  else if (by_cgroup(opt_.by) && opt_.containers != nullptr && agg.cgroup != 0)
    comm = opt_.containers->of_cgroup(agg.cgroup);
  SummaryRow& r = group_for(agg.pid, agg.tid, comm).rows[name];
  if (r.name.empty()) r.name = name;
  r.calls += agg.calls;
  for (const auto& [err, n] : agg.errnos) {
    r.errors += n;
    r.errnos[err] += n;
  }
  r.lat.add_buckets(agg.log2_ns, agg.total_ns, agg.max_ns);
}

bool SummarySink::interrupted(const Interruption& i) {
  if (!opt_.json) return false;
  out_.write(interrupted_json(i, since_start(i.ts_ns)));
  return true;
}

void SummarySink::finish() {
  if (end_ns_ == 0) end_ns_ = now_ns();
  if (opt_.json)
    write_json();
  else
    write_text();
}

void SummarySink::table(std::string& out, const SummaryGroup& g) const {
  if (opt_.color) out += kBold;
  append_row(out, "CALL", "COUNT", "ERRORS", "TOTAL(us)", "AVG(us)", "P50(us)", "P99(us)",
             "MAX(us)", "ERRNOS");
  if (opt_.color) out.insert(out.size() - 1, kReset);
  auto rows = sorted_rows(g, opt_.sort);
  for (const SummaryRow* r : rows) {
    bool est50 = false, est99 = false;
    uint64_t p50 = r->lat.percentile(0.50, &est50);
    uint64_t p99 = r->lat.percentile(0.99, &est99);
    // Calls that never returned (exit_group) have no times at all.
    bool timed = r->lat.timed > 0;
    std::string errnos = errno_column(r->errnos);
    if (opt_.color && !errnos.empty()) errnos = kRed + errnos + kReset;
    append_row(out, r->name, r->calls, r->errors, r->lat.total_ns / 1000,
               timed ? usec(r->lat.average()) : "-", timed ? usec(p50, est50) : "-",
               timed ? usec(p99, est99) : "-", timed ? usec(r->lat.max_ns) : "-", errnos);
    if (std::string about = opt_.explain ? about_of(r->name) : ""; !about.empty())
      out.insert(out.size() - 1, "  " + escaped(about));
  }
  Totals t = totals_of(g);
  fmt::format_to(std::back_inserter(out), "{:<22} {:>9} {:>7} {:>12}\n", "TOTAL", t.calls, t.errors,
                 t.total_ns / 1000);
  if (!opt_.histogram) return;
  for (const SummaryRow* r : rows) {
    std::string h = draw_log2_histogram(r->lat.log2_ns);
    if (h.empty()) continue;
    fmt::format_to(std::back_inserter(out), "\n  {} latency\n{}", r->name, h);
  }
}

void SummarySink::write_text() {
  std::string out;
  Totals all;
  bool estimated = false;
  for (const auto& [key, g] : groups_) {
    out += '\n';
    if (opt_.by == SummaryBy::Process)
      fmt::format_to(std::back_inserter(out), "PID {} ({})\n", g.pid, comm_label(g.comm));
    else if (opt_.by == SummaryBy::Comm)
      fmt::format_to(std::back_inserter(out), "COMM {}\n", comm_label(g.comm));
    else if (opt_.by == SummaryBy::Container)
      fmt::format_to(std::back_inserter(out), "CONTAINER {}\n",
                     g.comm.empty() ? std::string("- (none)") : comm_label(g.comm));
    else if (opt_.by == SummaryBy::Cgroup)  // ("": the process was gone when first counted)
      fmt::format_to(std::back_inserter(out), "CGROUP {}\n",
                     g.comm.empty() ? std::string("- (unknown)") : comm_label(g.comm));
    else if (opt_.by == SummaryBy::Thread)
      fmt::format_to(std::back_inserter(out), "PID {} TID {} ({})\n", g.pid, g.tid,
                     comm_label(g.comm));
    table(out, g);
    Totals t = totals_of(g);
    all.calls += t.calls;
    all.errors += t.errors;
    all.total_ns += t.total_ns;
    for (const auto& [name, row] : g.rows) estimated |= !row.lat.exact;
  }
  if (groups_.empty()) {
    out += '\n';
    table(out, SummaryGroup{});
  }
  stacks_text(out);
  if (estimated) out += "(\u2248: estimated from power-of-two latency buckets)\n";
  fmt::format_to(std::back_inserter(out), "{} calls, {} errors, {} lost events", all.calls,
                 all.errors, lost_);
  if (base_ns_ != 0 && end_ns_ > base_ns_) {
    uint64_t wall = end_ns_ - base_ns_;
    fmt::format_to(std::back_inserter(out), ", wall time {}.{:06} s", wall / 1000000000,
                   wall % 1000000000 / 1000);
  }
  out += '\n';
  out_.write(out);
}

void SummarySink::json_rows(std::string& out, const SummaryGroup& g) const {
  out += "\"calls\":[";
  bool first = true;
  for (const SummaryRow* r : sorted_rows(g, opt_.sort)) {
    if (!first) out += ',';
    first = false;
    out += "{\"syscall\":";
    append_json_string(out, r->name);
    if (opt_.explain) {
      out += ",\"about\":";
      append_json_string(out, about_of(r->name));
    }
    fmt::format_to(std::back_inserter(out), ",\"count\":{},\"errors\":{},\"errnos\":{{", r->calls,
                   r->errors);
    bool first_err = true;
    for (const auto& [err, n] : r->errnos) {
      if (!first_err) out += ',';
      first_err = false;
      const char* name = errno_name(err);
      append_json_string(out, name != nullptr ? std::string(name) : fmt::format("E{}", err));
      fmt::format_to(std::back_inserter(out), ":{}", n);
    }
    bool est50 = false, est99 = false;
    uint64_t p50 = r->lat.percentile(0.50, &est50);
    uint64_t p99 = r->lat.percentile(0.99, &est99);
    fmt::format_to(std::back_inserter(out),
                   "}},\"time_ns\":{},\"avg_ns\":{},\"p50_ns\":{},\"p99_ns\":{},\"max_ns\":{},"
                   "\"percentiles\":\"{}\",\"histogram\":[",
                   r->lat.total_ns, r->lat.average(), p50, p99, r->lat.max_ns,
                   r->lat.exact ? "exact" : "log2");
    bool first_b = true;
    for (int b = 0; b < kLog2Buckets; ++b) {
      uint64_t n = r->lat.log2_ns[static_cast<size_t>(b)];
      if (n == 0) continue;
      if (!first_b) out += ',';
      first_b = false;
      fmt::format_to(std::back_inserter(out), "{{\"ns\":{},\"count\":{}}}", log2_bucket_low(b), n);
    }
    out += "]}";
  }
  Totals t = totals_of(g);
  fmt::format_to(std::back_inserter(out),
                 "],\"total\":{{\"count\":{},\"errors\":{},\"time_ns\":{}}}", t.calls, t.errors,
                 t.total_ns);
}

void SummarySink::write_json() {
  static constexpr const char* kSortNames[] = {"calls", "time", "errors", "name"};
  static constexpr const char* kByNames[] = {"",     "process",   "thread",
                                             "comm", "container", "cgroup"};  // SummaryBy
  std::string out = "{\"type\":\"summary\"";
  fmt::format_to(std::back_inserter(out), ",\"sort\":\"{}\"",
                 kSortNames[static_cast<int>(opt_.sort)]);
  Totals all;
  for (const auto& [key, g] : groups_) {
    Totals t = totals_of(g);
    all.calls += t.calls;
    all.errors += t.errors;
    all.total_ns += t.total_ns;
  }
  if (opt_.by == SummaryBy::None) {
    out += ',';
    auto it = groups_.find({0, 0});
    json_rows(out, it != groups_.end() ? it->second : SummaryGroup{});
  } else {
    fmt::format_to(std::back_inserter(out), ",\"by\":\"{}\",\"groups\":[",
                   kByNames[static_cast<int>(opt_.by)]);
    bool first = true;
    for (const auto& [key, g] : groups_) {
      if (!first) out += ',';
      first = false;
      out += '{';
      if (opt_.by != SummaryBy::Comm && !by_cgroup(opt_.by))
        fmt::format_to(std::back_inserter(out), "\"pid\":{},", g.pid);
      if (opt_.by == SummaryBy::Thread)
        fmt::format_to(std::back_inserter(out), "\"tid\":{},", g.tid);
      out += opt_.by == SummaryBy::Container ? "\"container\":"
             : opt_.by == SummaryBy::Cgroup  ? "\"cgroup\":"
                                             : "\"comm\":";
      append_json_string(out, g.comm);
      out += ',';
      json_rows(out, g);
      out += '}';
    }
    fmt::format_to(std::back_inserter(out),
                   "],\"total\":{{\"count\":{},\"errors\":{},\"time_ns\":{}}}", all.calls,
                   all.errors, all.total_ns);
  }
  stacks_json(out);
  fmt::format_to(std::back_inserter(out), ",\"lost\":{}", lost_);
  if (base_ns_ != 0 && end_ns_ > base_ns_)
    fmt::format_to(std::back_inserter(out), ",\"wall_ns\":{}", end_ns_ - base_ns_);
  out += "}\n";
  out_.write(out);
}

}  // namespace dtruss
