#include "fleet/shipper.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>

#include "fleet/clickhouse_schema.h"
#include "util/clock.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss::fleet {
namespace {

constexpr uint64_t kFirstBackoffNs = 250000000;  // 0.25 s, doubled to at most 30 s
constexpr uint64_t kMaxBackoffNs = 30000000000;
constexpr long kRequestTimeoutS = 30;

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
      schema_ready_(config_.schema_ready),
      said_away_(config_.away_said) {
  if (!schema_ready_) next_try_ns_ = monotonic_ns() + kFirstBackoffNs;
  backoff_ns_ = kFirstBackoffNs;
  start_batch();
  thread_ = std::thread([this] { run(); });
}

Shipper::~Shipper() {
  if (thread_.joinable()) close();
}

void Shipper::start_batch() {
  current_ = Batch{};
  current_.number = next_batch_++;
}

void Shipper::push(const std::string& row_tail) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t size = row_tail.size() + 32;  // (with the batch number's key and value)
  if (queued_bytes_ + size > config_.queue_bytes) {
    ++dropped_;
    return;
  }
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

void Shipper::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    uint64_t now = monotonic_ns();
    uint64_t due = current_.count > 0 ? current_since_ + config_.flush_ns : now + config_.flush_ns;
    if (spool_fd_ >= 0 || !schema_ready_) due = std::min(due, next_try_ns_);
    if (ready_.empty() && !stopping_ && due > now) {
      wake_.wait_for(lock, std::chrono::nanoseconds(due - now));
      continue;  // (checked again: woken, or its time)
    }
    now = monotonic_ns();
    if (current_.count > 0 && (stopping_ || now >= current_since_ + config_.flush_ns)) {
      ready_.push_back(std::move(current_));
      start_batch();
    }
    std::deque<Batch> batches;
    batches.swap(ready_);
    bool last = stopping_;
    lock.unlock();
    if ((spool_fd_ >= 0 || !schema_ready_) && (last || monotonic_ns() >= next_try_ns_))
      recover(last);
    for (Batch& b : batches) deliver(b);
    lock.lock();
    for (const Batch& b : batches) queued_bytes_ -= b.bytes;
    if (last && ready_.empty() && current_.count == 0) break;
  }
  lock.unlock();
  end_spool();
}

// A batch goes to the server, or, while it is away (or the spool still holds older rows), to the
// spool.
void Shipper::deliver(Batch& b) {
  if (spool_fd_ < 0 && schema_ready_) {
    Reply r = client_.insert(kEventsTable, b.rows);
    if (r.ok) {
      sent_ += b.count;
      return;
    }
    last_error_ = r.error;
    next_try_ns_ = monotonic_ns() + backoff_ns_;
    b.tried = !r.answered;  // (the server may have stored it before the connection broke)
  }
  if (!spool(b)) spool_dropped_ += b.count;
}

bool Shipper::spool(const Batch& b) {
  if (spool_fd_ < 0) {
    spool_fd_ = open(config_.spool_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (spool_fd_ < 0) {
      last_error_ =
          fmt::format("cannot open the spool '{}': {}", config_.spool_path, strerror(errno));
      return false;
    }
    spool_end_ = 0;
    frames_.clear();
    frames_sent_ = 0;
    if (!said_away_) {
      said_away_ = true;
      say(fmt::format(
          "ClickHouse at {} does not take the events ({}): keeping them in '{}' until "
          "it does",
          config_.url.shown, last_error_.empty() ? "not ready" : last_error_, config_.spool_path));
    }
  }
  std::string z(ZSTD_compressBound(b.rows.size()), '\0');
  size_t n = ZSTD_compress(z.data(), z.size(), b.rows.data(), b.rows.size(), 1);
  if (ZSTD_isError(n) || !write_all_at(spool_fd_, z.data(), n, spool_end_)) {
    last_error_ = fmt::format("cannot write the spool '{}'", config_.spool_path);
    return false;
  }
  frames_.push_back({spool_end_, n, b.count, b.number, b.tried});
  spool_end_ += n;
  return true;
}

// The server is tried again: the tables checked (when they were not), then the spool's frames
// sent in order. On failure the next try waits twice as long (to 30 s).
bool Shipper::recover(bool /*last*/) {
  auto failed = [&](const std::string& why) {
    last_error_ = why;
    next_try_ns_ = monotonic_ns() + backoff_ns_;
    backoff_ns_ = std::min(backoff_ns_ * 2, kMaxBackoffNs);
    return false;
  };
  if (!schema_ready_) {
    bool answered = false;
    std::string e = prepare_schema(client_, config_.ttl_days, &answered);
    if (!e.empty()) {
      if (answered) {  // (refused for good: the rows stay in the spool, the message says why)
        last_error_ = e;
        next_try_ns_ = UINT64_MAX;
        return false;
      }
      return failed(e);
    }
    schema_ready_ = true;
  }
  for (; frames_sent_ < frames_.size(); ++frames_sent_) {
    const Frame& f = frames_[frames_sent_];
    if (f.tried && stored(f)) {  // (inserted before the connection broke: not twice)
      sent_ += f.rows;
      continue;
    }
    std::string z(f.size, '\0');
    if (pread(spool_fd_, z.data(), f.size, static_cast<off_t>(f.offset)) !=
        static_cast<ssize_t>(f.size))
      return failed("cannot read the spool");
    unsigned long long size = ZSTD_getFrameContentSize(z.data(), z.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
      return failed("a spool frame is damaged");
    std::string rows(size, '\0');
    size_t n = ZSTD_decompress(rows.data(), rows.size(), z.data(), z.size());
    if (ZSTD_isError(n)) return failed("a spool frame is damaged");
    Reply r = client_.insert(kEventsTable, rows);
    if (!r.ok) return failed(r.error);
    sent_ += f.rows;
  }
  // All sent: the spool is done with.
  if (spool_fd_ >= 0) {
    ::close(spool_fd_);
    spool_fd_ = -1;
    unlink(config_.spool_path.c_str());
    frames_.clear();
    frames_sent_ = 0;
    spool_end_ = 0;
  }
  backoff_ns_ = kFirstBackoffNs;
  return true;
}

bool Shipper::stored(const Frame& f) {
  Reply r =
      client_.query(fmt::format("SELECT count() FROM {}.{} WHERE trace_id = '{}' AND batch = {}",
                                config_.url.database, kEventsTable, config_.trace_id, f.number));
  return r.ok && strtoull(r.body.c_str(), nullptr, 10) == f.rows;
}

// The end: what the spool still holds is left in it alone (the frames already sent cut out).
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
  if (thread_.joinable()) thread_.join();
  ShipperTotals t;
  t.sent = sent_;
  for (size_t i = frames_sent_; i < frames_.size(); ++i) t.spooled += frames_[i].rows;
  t.dropped = dropped_ + spool_dropped_;
  t.spool_path = config_.spool_path;
  t.last_error = last_error_;
  return t;
}

}  // namespace dtruss::fleet
