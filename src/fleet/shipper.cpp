#include "fleet/shipper.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "fleet/clickhouse_schema.h"
#include "util/clock.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss::fleet {
namespace {

constexpr uint64_t kFirstBackoffNs = 250000000;  // 0.25 s, doubled to at most 30 s
constexpr uint64_t kMaxBackoffNs = 30000000000;
constexpr long kRequestTimeoutS = 30;
constexpr std::chrono::seconds kExitPatience{5};
constexpr size_t kRowOverhead = 32;  // a row's batch key and number, counted in the bound
// No table TTL on the server: the old partitions are dropped this often, and tried again this
// much later when the server did not let them be.
constexpr uint64_t kDropEveryNs = 3600000000000;  // an hour
constexpr uint64_t kDropRetryNs = 60000000000;

bool write_all_at(int fd, const char* data, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t w = pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
    offset += static_cast<uint64_t>(w);
  }
  return true;
}

}  // namespace

Shipper::Shipper(ShipperConfig config)
    : config_(std::move(config)),
      client_(config_.url, kRequestTimeoutS),
      said_away_(config_.away_said),
      schema_ready_(config_.schema_ready),
      backoff_ns_(kFirstBackoffNs) {
  if (schema_ready_ && config_.drops && config_.drop_days != 0) {
    drop_days_ = config_.drop_days;
    next_drop_ns_ = 0;  // (at once)
  }
  start_batch();
  // The threads take no signal: they are the tracer's (a stop, the ptrace loop's timer).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  batcher_ = std::thread([this] { batcher(); });
  inserter_ = std::thread([this] { inserter(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Shipper::~Shipper() {
  if (batcher_.joinable()) close();
}

void Shipper::start_batch() {
  current_ = Batch{};
  current_.number = next_batch_++;
}

void Shipper::push(const std::string& row_tail) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t size = row_tail.size() + kRowOverhead;
  if (queued_bytes_ + size > config_.queue_bytes) {
    ++dropped_;
    return;
  }
  append(row_tail, size);
}

// (mutex_ held)
void Shipper::append(const std::string& row_tail, size_t size) {
  if (current_.count == 0) current_since_ = monotonic_ns();
  current_.rows += '{';
  append_key(current_.rows, Col::Batch);
  append_uint(current_.rows, current_.number);
  current_.rows += ',';
  current_.rows += row_tail;
  ++current_.count;
  current_.bytes += size;
  queued_bytes_ += size;
  if (current_.count >= config_.batch_rows) {
    ready_.push_back(std::move(current_));
    start_batch();
    wake_.notify_one();
  }
}

void Shipper::release(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  queued_bytes_ -= bytes;
}

// Batches by size (push) and by time (here); each to the inserter, or to the spool when the
// inserter is behind.
void Shipper::batcher() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    uint64_t now = monotonic_ns();
    uint64_t due = current_.count > 0 ? current_since_ + config_.flush_ns : now + config_.flush_ns;
    if (ready_.empty() && !stopping_ && due > now) {
      wake_.wait_for(lock, std::chrono::nanoseconds(due - now));
      continue;
    }
    if (dropped_ > dropped_recorded_ && config_.lost_row) {  // (a lost row, beyond the bound)
      std::string row = config_.lost_row(dropped_ - dropped_recorded_);
      dropped_recorded_ = dropped_;
      if (current_.count == 0) current_since_ = monotonic_ns();
      append(row, row.size() + kRowOverhead);
    }
    if (current_.count > 0 && (stopping_ || monotonic_ns() >= due)) {
      ready_.push_back(std::move(current_));
      start_batch();
    }
    std::deque<Batch> batches;
    batches.swap(ready_);
    bool last = stopping_;
    bool behind = queued_bytes_ > config_.queue_bytes / 2;
    lock.unlock();
    for (Batch& b : batches) {
      size_t bytes = b.bytes;
      bool spooled = false;
      {
        std::lock_guard<std::mutex> s(spool_mutex_);
        if (behind || frames_sent_ < frames_.size()) {
          if (!spool(b)) spool_dropped_ += b.count;
          spooled = true;
        } else {
          waiting_.push_back(std::move(b));
        }
      }
      work_.notify_one();
      if (spooled) release(bytes);
    }
    lock.lock();
    if (last && ready_.empty() && current_.count == 0) break;
  }
}

// (spool_mutex_ held: the compression of one batch, a few ms; the tracer is never held by it)
bool Shipper::spool(const Batch& b) {
  if (spool_fd_ < 0) {
    spool_fd_ = open(config_.spool_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (spool_fd_ < 0) {
      spool_error_ =
          fmt::format("the spool '{}' could not be made ({})", config_.spool_path, strerror(errno));
      return false;
    }
    spool_end_ = 0;
    frames_.clear();
    frames_sent_ = 0;
  }
  std::string z(ZSTD_compressBound(b.rows.size()), '\0');
  size_t n = ZSTD_compress(z.data(), z.size(), b.rows.data(), b.rows.size(), 1);
  if (ZSTD_isError(n) || !write_all_at(spool_fd_, z.data(), n, spool_end_)) {
    // (a full disk: the part written is cut off, so that the spool stays whole frames)
    spool_error_ = fmt::format("the spool '{}' could not keep them ({})", config_.spool_path,
                               ZSTD_isError(n) ? "zstd" : strerror(errno));
    if (ftruncate(spool_fd_, static_cast<off_t>(spool_end_)) != 0) {
      // (nothing more to do: the frames before spool_end_ are whole either way)
    }
    return false;
  }
  frames_.push_back({spool_end_, n, b.count, b.number, b.tried});
  spool_end_ += n;
  return true;
}

bool Shipper::read_frame(const Frame& f, std::string* rows) {
  std::string z(f.size, '\0');
  if (pread(spool_fd_, z.data(), f.size, static_cast<off_t>(f.offset)) !=
      static_cast<ssize_t>(f.size))
    return false;
  unsigned long long size = ZSTD_getFrameContentSize(z.data(), z.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return false;
  rows->assign(size, '\0');
  return !ZSTD_isError(ZSTD_decompress(rows->data(), rows->size(), z.data(), z.size()));
}

bool Shipper::stored(const Frame& f) {
  Reply r =
      client_.query(fmt::format("SELECT count() FROM {}.{} WHERE trace_id = '{}' AND batch = {}",
                                config_.url.database, config_.table, config_.trace_id, f.number));
  return r.ok && strtoull(r.body.c_str(), nullptr, 10) == f.rows;
}

// A failed try: said once, and the next one later (twice as late each time, to 30 s).
void Shipper::failed(const Reply& r, const std::string& what) {
  std::lock_guard<std::mutex> s(spool_mutex_);
  last_error_ = what.empty() ? r.error : what;
  next_try_ns_ = monotonic_ns() + backoff_ns_;
  backoff_ns_ = std::min(backoff_ns_ * 2, kMaxBackoffNs);
  if (!said_away_) {
    said_away_ = true;
    say(
        fmt::format("ClickHouse at {} does not take the events ({}): keeping them in '{}' until "
                    "it does",
                    config_.url.shown, last_error_, config_.spool_path));
  }
}

// The tables, when the server did not answer at start. False until they are ready; a refusal
// for good (an old table) stops the tries: the rows stay in the spool, the message says why.
bool Shipper::try_schema() {
  if (schema_ready_) return true;
  bool answered = false;
  unsigned drop_days = 0;
  std::string e = prepare_schema(client_, config_.ttl_days, &answered, &drop_days);
  if (e.empty()) {
    if (config_.drops && drop_days != 0) {
      drop_days_ = drop_days;
      next_drop_ns_ = 0;  // (at once)
    }
    return schema_ready_ = true;
  }
  Reply r;
  failed(r, e);
  if (answered) {
    std::lock_guard<std::mutex> s(spool_mutex_);
    next_try_ns_ = UINT64_MAX;
  }
  return false;
}

// The partitions older than drop_days_, when due (the inserter's, spool_mutex_ not held). A
// failure is said once and tried again later; the trace goes on either way.
void Shipper::drop_partitions() {
  bool answered = false;
  unsigned dropped = 0;
  std::string e = drop_old_partitions(client_, drop_days_, &answered, &dropped);
  next_drop_ns_ = monotonic_ns() + (e.empty() ? kDropEveryNs : kDropRetryNs);
  if (e.empty() || drop_failure_said_) return;
  drop_failure_said_ = true;
  say(
      fmt::format("ClickHouse at {}: the partitions older than {} days (--clickhouse-ttl) could "
                  "not be dropped ({}): trying again every minute",
                  config_.url.shown, drop_days_, e));
}

// Sends the batches waiting in memory, then the spool's frames, in order. At the end (the
// batcher done), one last pass without waiting; what is left goes to the spool. The old
// partitions are dropped when due (first: as soon as the tables are ready).
void Shipper::inserter() {
  std::unique_lock<std::mutex> s(spool_mutex_);
  for (;;) {
    uint64_t now = monotonic_ns();
    if (drop_days_ != 0 && next_drop_ns_ <= now) {
      s.unlock();
      drop_partitions();
      s.lock();
      continue;
    }
    bool work = !waiting_.empty() || frames_sent_ < frames_.size();
    if (final_ && (!work || next_try_ns_ > now)) break;  // (done, or the last pass failed)
    if (!work || next_try_ns_ > now) {
      uint64_t until = work ? next_try_ns_ : UINT64_MAX;
      if (drop_days_ != 0) until = std::min(until, next_drop_ns_);
      if (until == UINT64_MAX)
        work_.wait(s);
      else
        work_.wait_for(s, std::chrono::nanoseconds(std::min<uint64_t>(until - now, kMaxBackoffNs)));
      continue;
    }
    s.unlock();
    bool ready = try_schema();
    s.lock();
    if (!ready) {  // (no tables yet: what waits goes to the spool, as said)
      spool_waiting();
      continue;
    }
    if (frames_sent_ < frames_.size()) {
      Frame f = frames_[frames_sent_];
      std::string rows;
      bool read = read_frame(f, &rows);
      s.unlock();
      Reply r;
      bool done = read && f.tried && stored(f);
      if (read && !done) {
        r = client_.insert(config_.table, rows);
        done = r.ok;
      }
      if (!done) failed(r, read ? "" : "cannot read the spool");
      s.lock();
      if (!done) continue;
      sent_ += f.rows;
      backoff_ns_ = kFirstBackoffNs;
      if (++frames_sent_ == frames_.size()) {  // all sent: the spool is done with
        ::close(spool_fd_);
        spool_fd_ = -1;
        unlink(config_.spool_path.c_str());
        frames_.clear();
        frames_sent_ = 0;
        spool_end_ = 0;
      }
      continue;
    }
    Batch b = std::move(waiting_.front());
    waiting_.pop_front();
    s.unlock();
    Reply r = client_.insert(config_.table, b.rows);
    if (r.ok) {
      sent_ += b.count;
      release(b.bytes);
      s.lock();
      backoff_ns_ = kFirstBackoffNs;
    } else {
      // The server away: this batch and those waiting go to the spool (the spool was empty:
      // the order is kept), and so will the next ones until it is sent.
      b.tried = !r.answered;  // (the server may have stored it before the connection broke)
      failed(r, "");
      s.lock();
      waiting_.push_front(std::move(b));
      spool_waiting();
    }
  }
  spool_waiting();  // (the end: what waits in memory goes to the spool, after what it holds)
  s.unlock();
  end_spool();
  s.lock();
  inserter_done_ = true;
  done_.notify_all();
}

// (spool_mutex_ held)
void Shipper::spool_waiting() {
  for (Batch& b : waiting_) {
    if (!spool(b)) spool_dropped_ += b.count;
    release(b.bytes);
  }
  waiting_.clear();
}

// What the spool still holds is left in it alone (the frames already sent cut out).
void Shipper::end_spool() {
  if (spool_fd_ < 0) return;
  if (frames_sent_ > 0) {
    std::string tmp = config_.spool_path + ".tmp";
    int out = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    uint64_t at = 0;
    bool ok = out >= 0;
    for (size_t i = frames_sent_; ok && i < frames_.size(); ++i) {
      std::string z(frames_[i].size, '\0');
      ok = pread(spool_fd_, z.data(), z.size(), static_cast<off_t>(frames_[i].offset)) ==
               static_cast<ssize_t>(z.size()) &&
           write_all_at(out, z.data(), z.size(), at);
      at += z.size();
    }
    if (out >= 0) ::close(out);
    if (ok) rename(tmp.c_str(), config_.spool_path.c_str());
  }
  fsync(spool_fd_);
  ::close(spool_fd_);
  spool_fd_ = -1;
}

ShipperTotals Shipper::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (batcher_.joinable()) batcher_.join();
  {
    std::unique_lock<std::mutex> s(spool_mutex_);
    next_try_ns_ = 0;  // (one last try, now)
    final_ = true;
    work_.notify_one();
    // The last pass goes on while the server answers; a server that stops answering for
    // kExitPatience is not waited for (a request's own timeout is 30 s): the rest is spooled.
    uint64_t answers = client_.answers();
    while (!done_.wait_for(s, kExitPatience, [this] { return inserter_done_; })) {
      if (client_.answers() == answers) {
        client_.abort();
        break;
      }
      answers = client_.answers();
    }
  }
  if (inserter_.joinable()) inserter_.join();
  ShipperTotals t;
  t.sent = sent_;
  for (size_t i = frames_sent_; i < frames_.size(); ++i) t.spooled += frames_[i].rows;
  t.dropped = dropped_ + spool_dropped_;
  t.spool_dropped = spool_dropped_;
  t.spool_path = config_.spool_path;
  t.last_error = last_error_;
  t.spool_error = spool_error_;
  return t;
}

}  // namespace dtruss::fleet
