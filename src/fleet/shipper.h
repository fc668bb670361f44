// The rows' way to ClickHouse, off the tracer's thread. The tracer appends rows to a queue and
// never waits. Two threads take them from there:
// - the batcher cuts the queue into batches (by size and by time) and hands each to the
//   inserter, or, when the inserter is behind (half the queue's bound waits) or the spool file
//   already holds rows, appends it to the spool (zstd frames of JSONEachRow rows, one frame a
//   batch): it never waits for the network, so the queue empties at the disk's pace;
// - the inserter sends the batches waiting in memory, then the spool's frames in order; when the
//   server is away or refuses, it waits (0.25 s, doubling to 30 s) and tries again. On a server
//   without table TTL, it also drops the partitions older than --clickhouse-ttl's days: once
//   the tables are ready, then every hour (a failure said once, tried again later).
// What is left at the end stays in the spool, whose path the exit message gives; what could not
// be kept (the queue full, the spool unwritable) is counted, never hidden.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fleet/clickhouse_client.h"

namespace dtruss::fleet {

struct ShipperConfig {
  ClickHouseUrl url;
  std::string table = "dtruss_events";  // where the rows go (dtruss_aggregates: --summary)
  size_t batch_rows = 10000;
  uint64_t flush_ns = 1000000000;
  std::string spool_path;
  std::string trace_id;  // the rows' (a batch whose insert may have happened is looked up)
  size_t queue_bytes = 64u << 20;  // the most rows held in memory; beyond, rows are dropped
  unsigned ttl_days = 0;
  bool schema_ready = false;  // the tables were checked at start (else: when the server answers)
  unsigned drop_days = 0;     // (schema_ready) the server has no TTL: ttl_days, kept by dropping
  bool drops = true;          // this shipper drops the old partitions (one of a sink's two)
  bool away_said = false;     // the server's absence was said at start (not again)
  // The row (as push() takes it) that records `count` rows dropped for want of room in the
  // queue: a "lost" row, so that the table itself says what it misses. Called by the batcher.
  std::function<std::string(uint64_t count)> lost_row;
};

struct ShipperTotals {
  uint64_t sent = 0;           // rows inserted
  uint64_t spooled = 0;        // rows left in the spool file at the end
  uint64_t dropped = 0;        // rows the queue or the spool could not hold
  uint64_t spool_dropped = 0;  // (of which the spool's)
  std::string spool_path;
  std::string last_error;   // why the server refused or could not be reached (last time)
  std::string spool_error;  // why the spool could not keep rows (a full disk), if it could not
};

class Shipper {
 public:
  explicit Shipper(ShipperConfig config);
  ~Shipper();
  Shipper(const Shipper&) = delete;
  Shipper& operator=(const Shipper&) = delete;

  // The tracer's side: one JSONEachRow row, without its opening brace (the shipper writes it,
  // with the row's batch number), with its closing brace and newline. Never blocks on the
  // network or the disk.
  void push(const std::string& row_tail);
  // Sends what is left (one last try when the server is away), stops the threads.
  ShipperTotals close();

 private:
  struct Batch {
    std::string rows;
    size_t count = 0;
    size_t bytes = 0;     // what it counts for in the queue's bound
    uint32_t number = 0;  // its rows' batch column
    bool tried = false;   // an insert failed without an answer: it may have been stored
  };
  struct Frame {
    uint64_t offset = 0;
    uint64_t size = 0;
    size_t rows = 0;
    uint32_t number = 0;
    bool tried = false;
  };
  void batcher();
  void inserter();
  void start_batch();
  void append(const std::string& row_tail, size_t size);
  void release(size_t bytes);  // rows inserted or spooled: room in the queue
  bool spool(const Batch& b);  // (spool_mutex_ held)
  void spool_waiting();        // (spool_mutex_ held)
  bool read_frame(const Frame& f, std::string* rows);
  bool stored(const Frame& f);  // a tried batch found in the table, whole
  bool try_schema();
  void drop_partitions();
  void failed(const Reply& r, const std::string& what);
  void end_spool();

  ShipperConfig config_;
  ClickHouseClient client_;  // (the inserter's)

  // The queue: the tracer and the batcher.
  std::mutex mutex_;
  std::condition_variable wake_;
  Batch current_;
  uint64_t current_since_ = 0;  // when current_'s first row came
  uint32_t next_batch_ = 1;
  std::deque<Batch> ready_;
  size_t queued_bytes_ = 0;
  bool stopping_ = false;
  uint64_t dropped_ = 0;
  uint64_t dropped_recorded_ = 0;  // (in a lost row already)

  // The batches on their way: the batcher and the inserter.
  std::mutex spool_mutex_;
  std::condition_variable work_;
  std::deque<Batch> waiting_;   // in memory, for the inserter
  bool final_ = false;          // the batcher is done: one last pass, then the end
  bool inserter_done_ = false;  // the inserter ended (close waits for it, while it gets answers)
  std::condition_variable done_;
  int spool_fd_ = -1;
  uint64_t spool_end_ = 0;
  std::vector<Frame> frames_;
  size_t frames_sent_ = 0;
  uint64_t spool_dropped_ = 0;
  std::string last_error_;
  std::string spool_error_;
  bool said_away_;
  // The inserter's own.
  bool schema_ready_;
  unsigned drop_days_ = 0;              // the partitions older than that are dropped (0: none)
  uint64_t next_drop_ns_ = UINT64_MAX;  // when
  bool drop_failure_said_ = false;
  uint64_t next_try_ns_ = 0;
  uint64_t backoff_ns_;
  uint64_t sent_ = 0;

  std::thread batcher_;
  std::thread inserter_;
};

}  // namespace dtruss::fleet
