#include "fleet/clickhouse_sink.h"

#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "decode/names.h"
#include "fleet/clickhouse_schema.h"
#include "output/json_sink.h"
#include "output/render.h"
#include "output/stack_render.h"
#include "output/summary_model.h"
#include "util/clock.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss::fleet {

RowIdentity this_run(const std::string& host_name) {
  RowIdentity id;
  id.host = host_name;
  if (id.host.empty()) {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) == 0) id.host = name;
  }
  std::ifstream boot("/proc/sys/kernel/random/boot_id");
  std::getline(boot, id.boot_id);
  unsigned char bytes[16] = {};
  if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) {
    uint64_t t = static_cast<uint64_t>(realtime_offset_ns()) ^ static_cast<uint64_t>(getpid());
    memcpy(bytes, &t, sizeof t);
  }
  for (unsigned char b : bytes) id.trace_id += fmt::format("{:02x}", b);
  return id;
}

std::string default_spool(const RowIdentity& id) {
  return fmt::format("/var/tmp/dtruss-clickhouse-{}.jsonl.zst", id.trace_id);
}

namespace {
// "host":...,"boot_id":...,"trace_id":..., once for every row.
std::string identity_json(const RowIdentity& id) {
  std::string out;
  auto put = [&](Col c, const std::string& v) {
    append_key(out, c);
    append_json_string(out, v);
    out += ',';
  };
  put(Col::Host, id.host);
  put(Col::BootId, id.boot_id);
  put(Col::TraceId, id.trace_id);
  return out;
}
}  // namespace

ClickHouseSink::ClickHouseSink(ShipperConfig config, RowIdentity id, Sending sending)
    : id_(std::move(id)), url_(config.url), identity_(identity_json(id_)) {
  config.trace_id = id_.trace_id;
  if (sending.aggregates) {
    ShipperConfig a = config;
    a.table = kAggregatesTable;
    if (sending.events) {
      a.spool_path = sending.aggregates_spool;
      a.drops = false;  // (the events' shipper drops the old partitions)
    }
    a.lost_row = [this](uint64_t count) {
      return aggregate_row(
          static_cast<uint64_t>(realtime_offset_ns() + static_cast<int64_t>(monotonic_ns())), 0,
          nullptr, nullptr, count);
    };
    aggregates_ = std::make_unique<Shipper>(std::move(a));
  }
  if (sending.events) {
    config.lost_row = [this](uint64_t count) { return dropped_row(count); };
    shipper_ = std::make_unique<Shipper>(std::move(config));
  }
  interval_start_ns_ = monotonic_ns();
}

void ClickHouseSink::begin(uint64_t base_ns) {
  Sink::begin(base_ns);
  interval_start_ns_ = base_ns;
}

const std::string& ClickHouseSink::container_of(int pid) {
  static const std::string none;
  return containers_ != nullptr && pid > 0 ? containers_->of(pid) : none;
}

std::string ClickHouseSink::aggregate_row(uint64_t start_wall_ns, uint64_t length_ns,
                                          const AggKey* key, const AggCounts* c,
                                          uint64_t lost) const {
  static const AggKey kNoKey;
  static const AggCounts kNone;
  if (key == nullptr) key = &kNoKey;
  if (c == nullptr) c = &kNone;
  std::string out;
  auto unum = [&](AggCol col, uint64_t v) {
    append_key(out, col);
    append_uint(out, v);
    out += ',';
  };
  auto str = [&](AggCol col, std::string_view v) {
    append_key(out, col);
    append_json_string(out, v);
    out += ',';
  };
  unum(AggCol::IntervalStart, start_wall_ns / 1000000000);
  unum(AggCol::IntervalNs, length_ns);
  out += identity_;
  str(AggCol::Syscall, key->syscall);
  str(AggCol::Comm, key->comm);
  str(AggCol::Container, key->container);
  unum(AggCol::Calls, c->calls);
  unum(AggCol::Errors, c->errors);
  append_key(out, AggCol::ErrnoNames);
  out += '[';
  for (const auto& [err, n] : c->errnos) {
    if (out.back() != '[') out += ',';
    const char* name = errno_name(err);
    append_json_string(out, name != nullptr ? std::string(name) : fmt::format("E{}", err));
  }
  out += "],";
  append_key(out, AggCol::ErrnoCounts);
  out += '[';
  for (const auto& [err, n] : c->errnos) {
    if (out.back() != '[') out += ',';
    append_uint(out, n);
  }
  out += "],";
  unum(AggCol::TotalNs, c->total_ns);
  unum(AggCol::MaxNs, c->max_ns);
  append_key(out, AggCol::Log2Ns);
  out += '[';
  for (size_t i = 0; i < c->log2_ns.size(); ++i) {
    if (i > 0) out += ',';
    append_uint(out, c->log2_ns[i]);
  }
  out += "],";
  unum(AggCol::Lost, lost);
  out.back() = '}';
  out += '\n';
  return out;
}

void ClickHouseSink::send_interval(uint64_t end_ns) {
  uint64_t start_wall = wall(interval_start_ns_);
  uint64_t length = end_ns > interval_start_ns_ ? end_ns - interval_start_ns_ : 0;
  for (const auto& [key, c] : counts_)
    aggregates_->push(aggregate_row(start_wall, length, &key, &c, 0));
  if (interval_lost_ > 0)
    aggregates_->push(aggregate_row(start_wall, length, nullptr, nullptr, interval_lost_));
  counts_.clear();
  interval_lost_ = 0;
  interval_start_ns_ = end_ns;
}

void ClickHouseSink::tick(uint64_t now_ns) {
  if (aggregates_) send_interval(now_ns);
}

// The kernel's counts (eBPF --summary): what it counted since the last tick.
void ClickHouseSink::aggregate(const SyscallAggregate& agg) {
  if (!aggregates_) return;
  AggKey key{syscall_name(agg.nr), agg.comm, {}};
  if (agg.pid != 0)
    key.container = container_of(agg.pid);
  else if (agg.cgroup != 0 && containers_ != nullptr)
    key.container = containers_->of_cgroup(agg.cgroup);
  AggCounts& c = counts_[key];
  c.calls += agg.calls;
  for (const auto& [err, n] : agg.errnos) {
    c.errors += n;
    c.errnos[err] += n;
  }
  c.total_ns += agg.total_ns;
  c.max_ns = std::max(c.max_ns, agg.max_ns);
  for (size_t i = 0; i < c.log2_ns.size(); ++i) c.log2_ns[i] += agg.log2_ns[i];
}

void ClickHouseSink::head(std::string& out, const char* type, uint64_t wall,
                          const TaskId* task) const {
  out.clear();  // (the shipper writes the opening brace and the batch number)
  append_key(out, Col::Time);
  append_uint(out, wall / 1000000000);
  out += ',';
  append_key(out, Col::TsNs);
  append_uint(out, wall);
  out += ',';
  out += identity_;
  append_key(out, Col::Type);
  append_json_string(out, type);
  out += ',';
  append_key(out, Col::Pid);
  append_int(out, task != nullptr ? task->pid : 0);
  out += ',';
  append_key(out, Col::Tid);
  append_int(out, task != nullptr ? task->tid : 0);
  out += ',';
  append_key(out, Col::Comm);
  append_json_string(
      out, task != nullptr
               ? std::string_view(task->comm.data(), strnlen(task->comm.data(), task->comm.size()))
               : std::string_view());
  out += ',';
  append_key(out, Col::Container);
  append_json_string(out, task != nullptr && containers_ != nullptr
                              ? std::string_view(containers_->of(task->pid))
                              : std::string_view());
  out += ',';
}

void ClickHouseSink::tail(std::string& out, std::string_view syscall, int nr, std::string_view args,
                          int64_t ret, std::string_view err, uint64_t dur_ns, bool returned,
                          std::string_view path, int fd, std::string_view signal, uint64_t count,
                          std::string_view text, std::string_view stack) const {
  auto str = [&](Col c, std::string_view v) {
    append_key(out, c);
    append_json_string(out, v);
    out += ',';
  };
  auto num = [&](Col c, int64_t v) {
    append_key(out, c);
    append_int(out, v);
    out += ',';
  };
  auto unum = [&](Col c, uint64_t v) {
    append_key(out, c);
    append_uint(out, v);
    out += ',';
  };
  str(Col::Syscall, syscall);
  num(Col::Nr, nr);
  str(Col::Args, args);
  num(Col::Ret, ret);
  str(Col::Errno, err);
  unum(Col::DurNs, dur_ns);
  num(Col::Returned, returned ? 1 : 0);
  str(Col::Path, path);
  num(Col::Fd, fd);
  str(Col::Signal, signal);
  unum(Col::Count, count);
  str(Col::Text, text);
  str(Col::Stack, stack);
  out.back() = '}';
  out += '\n';
}

void ClickHouseSink::syscall(const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  if (aggregates_) {  // (counted here: the backend sends a call at a time)
    AggKey key{ev.uring_op >= 0 ? uring_name(call.name) : call.name,
               std::string(ev.task.comm.data(), strnlen(ev.task.comm.data(), ev.task.comm.size())),
               container_of(ev.task.pid)};
    AggCounts& c = counts_[key];
    ++c.calls;
    if (call.err != 0) {
      ++c.errors;
      ++c.errnos[call.err];
    }
    if (ev.returned()) {  // (a call that never returned has no duration, as in --summary)
      uint64_t d = call_duration(ev);
      c.total_ns += d;
      c.max_ns = std::max(c.max_ns, d);
      ++c.log2_ns[static_cast<size_t>(log2_bucket(d))];
    }
  }
  if (!shipper_) return;
  head(row_, ev.uring_op >= 0 ? "uring" : "syscall", wall(ev.enter_ns), &ev.task);
  args_.clear();
  append_json_args(args_, call);  // (the JSON sink's arguments, docs/json.md)
  // The typed columns: the first path argument (or fd's path, -y) and the first fd argument.
  std::string_view path;
  int fd = -1;
  for (int i = 0; call.info != nullptr && i < call.nargs; ++i) {
    const Value& v = call.args[i];
    ArgKind kind = call.info->args[i].kind;
    if (kind == ArgKind::Path && path.empty() && v.type == Value::Type::String) path = v.text;
    if (kind == ArgKind::Fd && fd < 0) {
      fd = static_cast<int>(v.as_int());
      if (path.empty() && !v.note.empty()) path = v.note;
    }
  }
  std::string err;
  if (ev.returned() && call.err != 0) {
    const char* name = errno_name(call.err);
    err = name != nullptr ? name : fmt::format("E{}", call.err);
  }
  std::string stack;
  if (!ev.stack.empty()) {
    append_stack_json(stack, ev);
    stack.erase(0, std::strlen(",\"stack\":"));
  }
  std::string name = ev.uring_op >= 0 ? uring_name(call.name) : call.name;
  tail(row_, name, static_cast<int>(ev.nr), args_,
       !ev.returned()  ? 0
       : call.err != 0 ? -1
                       : ev.ret,
       err, call_duration(ev), ev.returned(), path, fd, {}, 0, {}, stack);
  shipper_->push(row_);
}

void ClickHouseSink::signal(const DecodedSignal& sig) {
  if (!shipper_) return;
  head(row_, "signal", wall(sig.ev.ts_ns), &sig.ev.task);
  args_.clear();
  append_json(args_, sig.info);
  tail(row_, {}, 0, {}, 0, {}, 0, false, {}, -1, sig.name, 0, args_, {});
  shipper_->push(row_);
}

void ClickHouseSink::stop(const StopEvent& ev) {
  if (!shipper_) return;
  head(row_, "stop", wall(ev.ts_ns), &ev.task);
  tail(row_, {}, 0, {}, 0, {}, 0, false, {}, -1, signal_name(ev.signo), 0, {}, {});
  shipper_->push(row_);
}

void ClickHouseSink::exit(const ExitEvent& ev) {
  if (!shipper_) return;
  head(row_, "exit", wall(ev.ts_ns), &ev.task);
  if (ev.signaled)
    tail(row_, {}, 0, {}, 0, {}, 0, false, {}, -1, signal_name(ev.code), 0,
         ev.core_dumped ? "core dumped" : "", {});
  else
    tail(row_, {}, 0, {}, ev.code, {}, 0, true, {}, -1, {}, 0, {}, {});
  shipper_->push(row_);
}

void ClickHouseSink::lost(const LostEvent& ev) {
  interval_lost_ += ev.count;
  if (!shipper_) return;
  head(row_, "lost", wall(ev.ts_ns), nullptr);
  tail(row_, {}, 0, {}, 0, {}, 0, false, {}, -1, {}, ev.count, {}, {});
  shipper_->push(row_);
}

// (the batcher's thread: its own string, nothing of the sink's but what never changes)
std::string ClickHouseSink::dropped_row(uint64_t count) const {
  std::string out;
  head(out, "lost",
       static_cast<uint64_t>(realtime_offset_ns() + static_cast<int64_t>(monotonic_ns())), nullptr);
  tail(out, {}, 0, {}, 0, {}, 0, false, {}, -1, {}, count,
       "dropped by dtruss: its queue to ClickHouse was full", {});
  return out;
}

void ClickHouseSink::notice(const NoticeEvent& ev) {
  if (!shipper_) return;
  head(row_, "notice", wall(ev.ts_ns), nullptr);
  tail(row_, {}, 0, {}, 0, {}, 0, false, {}, -1, {}, 0, ev.text, {});
  shipper_->push(row_);
}

// The rows still queued are sent (or spooled); what was not sent is said, with where it is.
void ClickHouseSink::finish() {
  if (finished_) return;
  finished_ = true;
  if (aggregates_) send_interval(end_ns_ != 0 ? end_ns_ : monotonic_ns());  // (the last one)
  auto tell = [&](Shipper& shipper, const char* table, const char* what) {
    ShipperTotals t = shipper.close();
    if (t.spooled > 0)
      say(
          fmt::format("ClickHouse: {} {}{} not sent ({}): kept in '{}' (zstd JSONEachRow; send "
                      "them with: zstd -dc '{}' | clickhouse-client --host {} --database {} "
                      "--query 'INSERT INTO {} FORMAT JSONEachRow')",
                      t.spooled, what, t.spooled == 1 ? "" : "s", t.last_error, t.spool_path,
                      t.spool_path, url_.host, url_.database, table));
    if (t.dropped > 0)
      say(fmt::format(
          "ClickHouse: {} {}{} lost: {}", t.dropped, what, t.dropped == 1 ? "" : "s",
          t.spool_dropped == 0 ? std::string("the queue to the sender was full")
          : t.spool_dropped == t.dropped
              ? t.spool_error
              : fmt::format("{} as the queue to the sender was full, {} as {}",
                            t.dropped - t.spool_dropped, t.spool_dropped, t.spool_error)));
  };
  if (shipper_) tell(*shipper_, kEventsTable, "event");
  if (aggregates_) tell(*aggregates_, kAggregatesTable, "aggregate row");
}

}  // namespace dtruss::fleet
