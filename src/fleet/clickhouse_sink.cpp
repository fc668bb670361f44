#include "fleet/clickhouse_sink.h"

#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "decode/names.h"
#include "fleet/clickhouse_schema.h"
#include "output/json_sink.h"
#include "output/render.h"
#include "output/stack_render.h"
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
ShipperConfig with_trace(ShipperConfig c, const RowIdentity& id) {
  c.trace_id = id.trace_id;
  return c;
}
}  // namespace

ClickHouseSink::ClickHouseSink(ShipperConfig config, RowIdentity id)
    : id_(std::move(id)),
      url_(config.url),
      shipper_(std::make_unique<Shipper>(with_trace(std::move(config), id_))) {
  auto put = [&](Col c, const std::string& v) {
    append_key(identity_, c);
    append_json_string(identity_, v);
    identity_ += ',';
  };
  put(Col::Host, id_.host);
  put(Col::BootId, id_.boot_id);
  put(Col::TraceId, id_.trace_id);
}

void ClickHouseSink::head(const char* type, uint64_t ts_ns, const TaskId* task) {
  uint64_t wall = static_cast<uint64_t>(static_cast<int64_t>(ts_ns) + wall_offset_ns_);
  row_.clear();  // (the shipper writes the opening brace and the batch number)
  append_key(row_, Col::Time);
  append_uint(row_, wall / 1000000000);
  row_ += ',';
  append_key(row_, Col::TsNs);
  append_uint(row_, wall);
  row_ += ',';
  row_ += identity_;
  append_key(row_, Col::Type);
  append_json_string(row_, type);
  row_ += ',';
  append_key(row_, Col::Pid);
  append_int(row_, task != nullptr ? task->pid : 0);
  row_ += ',';
  append_key(row_, Col::Tid);
  append_int(row_, task != nullptr ? task->tid : 0);
  row_ += ',';
  append_key(row_, Col::Comm);
  append_json_string(
      row_, task != nullptr
                ? std::string_view(task->comm.data(), strnlen(task->comm.data(), task->comm.size()))
                : std::string_view());
  row_ += ',';
  append_key(row_, Col::Container);
  append_json_string(row_, task != nullptr && containers_ != nullptr
                               ? std::string_view(containers_->of(task->pid))
                               : std::string_view());
  row_ += ',';
}

void ClickHouseSink::tail(std::string_view syscall, int nr, std::string_view args, int64_t ret,
                          std::string_view err, uint64_t dur_ns, bool returned,
                          std::string_view path, int fd, std::string_view signal, uint64_t count,
                          std::string_view text, std::string_view stack) {
  auto str = [&](Col c, std::string_view v) {
    append_key(row_, c);
    append_json_string(row_, v);
    row_ += ',';
  };
  auto num = [&](Col c, int64_t v) {
    append_key(row_, c);
    append_int(row_, v);
    row_ += ',';
  };
  str(Col::Syscall, syscall);
  num(Col::Nr, nr);
  str(Col::Args, args);
  num(Col::Ret, ret);
  str(Col::Errno, err);
  append_key(row_, Col::DurNs);
  append_uint(row_, dur_ns);
  row_ += ',';
  num(Col::Returned, returned ? 1 : 0);
  str(Col::Path, path);
  num(Col::Fd, fd);
  str(Col::Signal, signal);
  append_key(row_, Col::Count);
  append_uint(row_, count);
  row_ += ',';
  str(Col::Text, text);
  str(Col::Stack, stack);
  row_.back() = '}';
  row_ += '\n';
  shipper_->push(row_);
}

void ClickHouseSink::syscall(const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  head(ev.uring_op >= 0 ? "uring" : "syscall", ev.enter_ns, &ev.task);
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
  tail(name, static_cast<int>(ev.nr), args_,
       !ev.returned()  ? 0
       : call.err != 0 ? -1
                       : ev.ret,
       err, call_duration(ev), ev.returned(), path, fd, {}, 0, {}, stack);
}

void ClickHouseSink::signal(const DecodedSignal& sig) {
  head("signal", sig.ev.ts_ns, &sig.ev.task);
  args_.clear();
  append_json(args_, sig.info);
  tail({}, 0, {}, 0, {}, 0, false, {}, -1, sig.name, 0, args_, {});
}

void ClickHouseSink::stop(const StopEvent& ev) {
  head("stop", ev.ts_ns, &ev.task);
  tail({}, 0, {}, 0, {}, 0, false, {}, -1, signal_name(ev.signo), 0, {}, {});
}

void ClickHouseSink::exit(const ExitEvent& ev) {
  head("exit", ev.ts_ns, &ev.task);
  if (ev.signaled)
    tail({}, 0, {}, 0, {}, 0, false, {}, -1, signal_name(ev.code), 0,
         ev.core_dumped ? "core dumped" : "", {});
  else
    tail({}, 0, {}, ev.code, {}, 0, true, {}, -1, {}, 0, {}, {});
}

void ClickHouseSink::lost(const LostEvent& ev) {
  head("lost", ev.ts_ns, nullptr);
  tail({}, 0, {}, 0, {}, 0, false, {}, -1, {}, ev.count, {}, {});
}

void ClickHouseSink::notice(const NoticeEvent& ev) {
  head("notice", ev.ts_ns, nullptr);
  tail({}, 0, {}, 0, {}, 0, false, {}, -1, {}, 0, ev.text, {});
}

// The rows still queued are sent (or spooled); what was not sent is said, with where it is.
void ClickHouseSink::finish() {
  if (finished_) return;
  finished_ = true;
  ShipperTotals t = shipper_->close();
  if (t.spooled > 0)
    say(
        fmt::format("ClickHouse: {} event{} not sent ({}): kept in '{}' (zstd JSONEachRow; send "
                    "them with: zstd -dc '{}' | clickhouse-client --host {} --database {} "
                    "--query 'INSERT INTO {} FORMAT JSONEachRow')",
                    t.spooled, t.spooled == 1 ? "" : "s", t.last_error, t.spool_path, t.spool_path,
                    url_.host, url_.database, kEventsTable));
  if (t.dropped > 0)
    say(fmt::format("ClickHouse: {} event{} lost: {}", t.dropped, t.dropped == 1 ? "" : "s",
                    t.last_error.empty() ? "the queue to the sender was full" : t.last_error));
}

}  // namespace dtruss::fleet
