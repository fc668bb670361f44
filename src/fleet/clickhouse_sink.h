// --clickhouse: every event the trace shows, as a row of dtruss_events (docs/clickhouse.md),
// handed to the Shipper (sent off the tracer's thread). The arguments are the JSON sink's.
#pragma once

#include <memory>
#include <string>

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

class ClickHouseSink final : public Sink {
 public:
  ClickHouseSink(ShipperConfig config, RowIdentity id);
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
  void finish() override;

 private:
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
  std::unique_ptr<Shipper> shipper_;
  bool finished_ = false;
};

}  // namespace dtruss::fleet
