// The rows' way to ClickHouse, off the tracer's thread: the tracer appends rows to a bounded
// queue and never waits; a sender thread inserts them in batches (by size and by time), and
// while the server is away keeps them in a spool file (zstd frames of JSONEachRow rows, one
// frame a batch), sent once it answers again. What is left at the end stays in the spool, whose
// path the exit message gives; what the queue could not hold is counted, never hidden.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fleet/clickhouse_client.h"

namespace dtruss::fleet {

struct ShipperConfig {
  ClickHouseUrl url;
  size_t batch_rows = 10000;
  uint64_t flush_ns = 1000000000;
  std::string spool_path;
  std::string trace_id;  // the rows' (a batch whose insert may have happened is looked up)
  size_t queue_bytes = 64u << 20;  // the most the queue holds; beyond, rows are dropped (counted)
  unsigned ttl_days = 0;
  bool schema_ready = false;  // the tables were checked at start (else: when the server answers)
  bool away_said = false;     // the server's absence was said at start (not again)
};

struct ShipperTotals {
  uint64_t sent = 0;     // rows inserted
  uint64_t spooled = 0;  // rows left in the spool file at the end
  uint64_t dropped = 0;  // rows the queue or the spool could not hold
  std::string spool_path;
  std::string trace_id;    // the rows' (a batch whose insert may have happened is looked up)
  std::string last_error;  // why the server refused or could not be reached (last time)
};

class Shipper {
 public:
  explicit Shipper(ShipperConfig config);
  ~Shipper();
  Shipper(const Shipper&) = delete;
  Shipper& operator=(const Shipper&) = delete;

  // The tracer's side: one JSONEachRow row, without its opening brace (the shipper writes it,
  // with the row's batch number), with its closing brace and newline. Never blocks on the
  // network.
  void push(const std::string& row_tail);
  // Sends what is left (one last try when the server is away), stops the thread.
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
  bool stored(const Frame& f);  // a tried batch found in the table, whole
  void run();
  void deliver(Batch& b);
  bool recover(bool last);  // the spool sent (true) or the server still away
  bool spool(const Batch& b);
  void start_batch();
  void end_spool();

  ShipperConfig config_;
  ClickHouseClient client_;
  std::mutex mutex_;
  std::condition_variable wake_;
  Batch current_;
  uint64_t current_since_ = 0;  // when current_'s first row came
  uint32_t next_batch_ = 1;
  std::deque<Batch> ready_;
  size_t queued_bytes_ = 0;
  bool stopping_ = false;
  uint64_t dropped_ = 0;  // (under mutex_)
  // The sender thread's own.
  bool schema_ready_;
  int spool_fd_ = -1;
  uint64_t spool_end_ = 0;
  std::vector<Frame> frames_;
  size_t frames_sent_ = 0;
  uint64_t next_try_ns_ = 0;
  uint64_t backoff_ns_ = 0;
  uint64_t sent_ = 0;
  uint64_t spool_dropped_ = 0;
  bool said_away_;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace dtruss::fleet
