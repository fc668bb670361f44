// --clickhouse: every event the trace shows, as a row of dtruss_events (docs/clickhouse.md),
// handed to the Shipper (sent off the tracer's thread). The arguments are the JSON sink's.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "fleet/shipper.h"
#include "output/container_labels.h"
#include "output/sink.h"

namespace dtruss::fleet {

// Who wrote the rows: the same in every row of a run.
struct RowIdentity {
  std::string host;
  std::string boot_id;
  std::string trace_id;
};

// This machine's name, boot id (/proc/sys/kernel/random/boot_id) and a new random trace id.
RowIdentity this_run(const std::string& host_name);
// The default spool: /var/tmp/dtruss-clickhouse-TRACEID.jsonl.zst.
std::string default_spool(const RowIdentity& id);

// What is sent: the raw events (dtruss_events), the aggregates (dtruss_aggregates: --summary,
// --top), or both (--clickhouse-events with --summary or --top).
struct Sending {
  bool events = true;
  bool aggregates = false;
  std::string aggregates_spool;  // (the events' spool is ShipperConfig's)
};

class ClickHouseSink final : public Sink {
 public:
  ClickHouseSink(ShipperConfig config, RowIdentity id, Sending sending = {});
  ~ClickHouseSink() override { finish(); }  // (a trace that failed: what is left still said)
  ClickHouseSink(const ClickHouseSink&) = delete;
  ClickHouseSink& operator=(const ClickHouseSink&) = delete;
  void set_containers(ContainerLabels* labels) { containers_ = labels; }
  void syscall(const DecodedCall& call) override;
  void signal(const DecodedSignal& sig) override;
  void stop(const StopEvent& ev) override;
  void exit(const ExitEvent& ev) override;
  void lost(const LostEvent& ev) override;
  void notice(const NoticeEvent& ev) override;
  void aggregate(const SyscallAggregate& agg) override;
  void begin(uint64_t base_ns) override;
  void tick(uint64_t now_ns) override;
  void end_at(uint64_t ts_ns) override { end_ns_ = ts_ns; }
  void finish() override;

 private:
  // One row of dtruss_aggregates: a syscall of a program (in a container) in the interval.
  struct AggKey {
    std::string syscall;
    std::string comm;
    std::string container;
    bool operator<(const AggKey& o) const {
      return std::tie(syscall, comm, container) < std::tie(o.syscall, o.comm, o.container);
    }
  };
  struct AggCounts {
    uint64_t calls = 0;
    uint64_t errors = 0;
    uint64_t total_ns = 0;
    uint64_t max_ns = 0;
    std::map<int, uint64_t> errnos;
    std::array<uint64_t, kLog2Buckets> log2_ns{};
  };
  // The interval that ends at `end_ns` (CLOCK_MONOTONIC): its rows to the aggregates' shipper.
  void send_interval(uint64_t end_ns);
  // The row of `key` (or, `key` null, of `lost` events), without its opening brace.
  std::string aggregate_row(uint64_t start_wall_ns, uint64_t length_ns, const AggKey* key,
                            const AggCounts* counts, uint64_t lost) const;
  const std::string& container_of(int pid);
  // A time of the trace's clock as the wall clock's, ns.
  uint64_t wall(uint64_t ts_ns) const {
    return static_cast<uint64_t>(static_cast<int64_t>(ts_ns) + wall_offset_ns_);
  }
  // The row's head: time, identity, type, task; then the fields, in column order.
  void head(std::string& out, const char* type, uint64_t wall_ns, const TaskId* task) const;
  void tail(std::string& out, std::string_view syscall, int nr, std::string_view args, int64_t ret,
            std::string_view err, uint64_t dur_ns, bool returned, std::string_view path, int fd,
            std::string_view signal, uint64_t count, std::string_view text,
            std::string_view stack) const;
  // The "lost" row of rows the shipper's queue had no room for (its thread calls it).
  std::string dropped_row(uint64_t count) const;
  RowIdentity id_;
  ClickHouseUrl url_;     // (for the exit message)
  std::string identity_;  // "host":...,"boot_id":...,"trace_id":..., (JSON, made once)
  std::string row_;
  std::string args_;
  ContainerLabels* containers_ = nullptr;
  std::unique_ptr<Shipper> shipper_;     // the raw events' (null: aggregates only)
  std::unique_ptr<Shipper> aggregates_;  // the aggregates' (null: raw events only)
  std::map<AggKey, AggCounts> counts_;   // this interval's
  uint64_t interval_lost_ = 0;           // events lost in this interval
  uint64_t interval_start_ns_ = 0;       // CLOCK_MONOTONIC
  uint64_t end_ns_ = 0;
  bool finished_ = false;
};

}  // namespace dtruss::fleet
