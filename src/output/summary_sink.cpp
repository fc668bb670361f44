#include "output/summary_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

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
}  // namespace

void SummarySink::syscall(const DecodedCall& call) {
  Row& r = rows_[call.name];
  ++r.calls;
  if (call.err != 0) ++r.errors;
  r.total_ns += call_duration(*call.ev);
}

void SummarySink::finish() {
  std::vector<std::pair<const std::string*, const Row*>> order;
  order.reserve(rows_.size());
  for (const auto& [name, row] : rows_) order.emplace_back(&name, &row);
  // dtruss's order: by count, the most frequent last (ties by name).
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->calls < b.second->calls; });
  if (json_) {
    write_json(order);
    return;
  }
  std::string out = fmt::format("\n{:<24} {:>10} {:>10} {:>12}\n", "CALL", "COUNT", "ERRORS",
                                "TIME(us)");
  uint64_t calls = 0, errors = 0, total = 0;
  for (const auto& [name, row] : order) {
    fmt::format_to(std::back_inserter(out), "{:<24} {:>10} {:>10} {:>12}", *name, row->calls,
                   row->errors, row->total_ns / 1000);
    if (std::string about = explain_ ? about_of(*name) : ""; !about.empty()) out += "  " + about;
    out += '\n';
    calls += row->calls;
    errors += row->errors;
    total += row->total_ns;
  }
  fmt::format_to(std::back_inserter(out), "{:<24} {:>10} {:>10} {:>12}\n", "TOTAL", calls, errors,
                 total / 1000);
  if (lost_ > 0) fmt::format_to(std::back_inserter(out), "dtruss: {} events lost\n", lost_);
  out_.write(out);
}

void SummarySink::write_json(const std::vector<std::pair<const std::string*, const Row*>>& order) {
  std::string out = "{\"type\":\"summary\",\"calls\":[";
  uint64_t calls = 0, errors = 0, total = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& [name, row] = order[i];
    if (i > 0) out += ',';
    out += "{\"syscall\":";
    append_json_string(out, *name);
    if (explain_) {
      out += ",\"about\":";
      append_json_string(out, about_of(*name));
    }
    fmt::format_to(std::back_inserter(out), ",\"count\":{},\"errors\":{},\"time_ns\":{}}}",
                   row->calls, row->errors, row->total_ns);
    calls += row->calls;
    errors += row->errors;
    total += row->total_ns;
  }
  fmt::format_to(std::back_inserter(out),
                 "],\"total\":{{\"count\":{},\"errors\":{},\"time_ns\":{}}},\"lost\":{}}}\n",
                 calls, errors, total, lost_);
  out_.write(out);
}

}  // namespace dtruss
