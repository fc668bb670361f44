#include "capture/recorder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/codec.h"
#include "util/clock.h"
#include "util/writer.h"

namespace dtruss::capture {
namespace {

std::atomic<bool> g_dump_requested{false};

// -w: records are handed to zstd in batches of this size, and at each idle(); a Sync starts
// each (what the records refer back to is then bounded, and a reader may start there).
constexpr size_t kBatchBytes = 256 * 1024;
// --flight-recorder: the ring takes the records in units of this size at most (a sixteenth of
// the ring for a small one), each starting with a Sync: the oldest unit goes first.
constexpr size_t kUnitBytes = 64 * 1024;
// ... and what zstd holds is written out at most this often when the trace is idle, so that a
// killed recorder's file lacks at most the last second.
constexpr uint64_t kFlushEveryNs = 1'000'000'000;

}  // namespace

void Ring::drop_oldest() {
  Unit u = units_.front();
  units_.pop_front();
  head_ = (head_ + u.bytes) % size_;
  used_ -= u.bytes;
  records_ -= u.count;
  dropped_ += u.count;
}

void Ring::add(std::string_view record, uint64_t count) {
  if (record.size() > size_) {  // larger than the whole ring: it cannot be kept
    dropped_ += count;
    return;
  }
  while (used_ + record.size() > size_) drop_oldest();
  size_t at = (head_ + used_) % size_;
  size_t first = std::min(record.size(), size_ - at);
  std::memcpy(bytes_.get() + at, record.data(), first);
  std::memcpy(bytes_.get(), record.data() + first, record.size() - first);
  used_ += record.size();
  records_ += count;
  units_.push_back({record.size(), count});
}

std::pair<std::string_view, std::string_view> Ring::contents() const {
  size_t first = std::min(used_, size_ - head_);
  return {std::string_view(bytes_.get() + head_, first),
          std::string_view(bytes_.get(), used_ - first)};
}

void Ring::clear() {
  units_.clear();
  head_ = used_ = 0;
  records_ = dropped_ = 0;
}

void Recorder::request_dump() {
  g_dump_requested.store(true);
}

void Recorder::to_file(int fd, bool truncate_first) {
  file_ = std::make_unique<FileWriter>(fd, truncate_first);
  put_info(scratch_, info_);
}

void Recorder::to_ring(size_t bytes, std::string path, std::vector<Trigger> triggers) {
  info_.flight = true;
  ring_.emplace(bytes);
  unit_bytes_ = std::min(kUnitBytes, bytes / 16);
  sync();
  path_ = std::move(path);
  triggers_ = std::move(triggers);
}

void Recorder::begin(uint64_t base_ns, int64_t wall_offset_ns) {
  base_ns_ = base_ns;
  wall_offset_ns_ = wall_offset_ns;
  if (!file_) return;
  put_begin(scratch_, base_ns, wall_offset_ns);
  sync();
}

void Recorder::sync() {
  put_sync(scratch_);
  cx_.reset();
  since_sync_ = 0;
  for (const auto& [pid, label] : labels_) put_label(scratch_, pid, label);
}

void Recorder::label(int32_t pid) {
  if (!label_of_ || pid <= 0 || labels_.contains(pid)) return;
  auto it = labels_.emplace(pid, label_of_(pid)).first;
  put_label(scratch_, pid, it->second);
}

void Recorder::record() {
  released_ = true;
  if (ring_) {
    ++unit_records_;
    if (scratch_.size() < unit_bytes_) return;
    ring_->add(scratch_, unit_records_);
    scratch_.clear();
    unit_records_ = 0;
    sync();
    return;
  }
  if (scratch_.size() >= kBatchBytes) {
    since_sync_ += scratch_.size();
    file_->write(scratch_);
    scratch_.clear();
    if (since_sync_ >= kBatchBytes) sync();
  }
}

// SIGUSR1: written once the backend has handed over what it holds (idle: an eBPF ring read in
// batches still holds calls made before the signal), or a second after it at the latest.
void Recorder::check_dump_request(bool idle) {
  if (!ring_) return;
  if (dump_asked_ns_ == 0) {
    if (!g_dump_requested.load(std::memory_order_relaxed) || !g_dump_requested.exchange(false))
      return;
    dump_asked_ns_ = monotonic_ns();
  }
  if (!idle && monotonic_ns() - dump_asked_ns_ < kFlushEveryNs) return;
  dump_asked_ns_ = 0;
  dump("SIGUSR1", 0, monotonic_ns());
}

void Recorder::on_syscall(SyscallEvent& ev) {
  label(ev.task.pid);
  put_syscall(scratch_, ev, cx_);  // (before the pipeline, which may clear the fd notes)
  record();
  next_.on_syscall(ev);
  check_dump_request(false);
  if (!ring_) return;
  for (Trigger& t : triggers_) {
    if (t.fired) continue;
    bool hit = t.kind == Trigger::Kind::Syscall
                   ? ev.nr == t.value
                   : t.kind == Trigger::Kind::Errno && ev.returned() && ev.ret == -t.value;
    if (hit) {
      t.fired = true;
      dump("--trigger " + t.text, 0, monotonic_ns());
    }
  }
}

void Recorder::on_signal(const SignalEvent& ev) {
  label(ev.task.pid);
  put_signal(scratch_, ev);
  record();
  next_.on_signal(ev);
  check_dump_request(false);
}

void Recorder::on_stop(const StopEvent& ev) {
  label(ev.task.pid);
  put_stop(scratch_, ev);
  record();
  next_.on_stop(ev);
}

void Recorder::on_exit(const ExitEvent& ev) {
  label(ev.task.pid);
  put_exit(scratch_, ev);
  labels_.erase(ev.task.pid);  // (as the live view forgets it: its PID may be reused)
  record();
  next_.on_exit(ev);
  if (!ring_) return;
  for (Trigger& t : triggers_)
    if (!t.fired && t.kind == Trigger::Kind::ExitNonzero && (ev.signaled || ev.code != 0)) {
      t.fired = true;
      dump("--trigger " + t.text, 0, monotonic_ns());
    }
}

void Recorder::on_lost(const LostEvent& ev) {
  put_lost(scratch_, ev);
  record();
  next_.on_lost(ev);
}

void Recorder::on_notice(const NoticeEvent& ev) {
  put_notice(scratch_, ev);
  if (ring_) record();  // (a notice alone does not start the file: the command may not run)
  next_.on_notice(ev);
}

void Recorder::on_aggregate(const SyscallAggregate& agg) {
  put_aggregate(scratch_, agg);
  record();
  next_.on_aggregate(agg);
}

void Recorder::on_process(int32_t pid) {
  put_process(scratch_, pid);
  record();
  next_.on_process(pid);
}

void Recorder::ready() {
  put_ready(scratch_);
  record();
  next_.ready();
}

void Recorder::idle() {
  next_.idle();
  check_dump_request(true);
  if (!file_ || !released_) return;
  since_sync_ += scratch_.size();
  file_->write(scratch_);
  scratch_.clear();
  if (since_sync_ >= kBatchBytes) sync();
  uint64_t now = monotonic_ns();
  if (now - last_flush_ns_ >= kFlushEveryNs) {
    file_->flush();
    last_flush_ns_ = now;
  }
}

void Recorder::interrupted(uint64_t ts_ns, int signal, bool detached) {
  put_interrupted(scratch_, ts_ns, signal, detached);
  record();
}

std::string Recorder::dump_path() {
  int n = dumps_++;
  return n == 0 ? path_ : fmt::format("{}.{}", path_, n);
}

// The flight recorder's ring as a capture file, the ring then emptied: a later dump holds the
// events after this one.
void Recorder::dump(const std::string& why, int status, uint64_t end_ns) {
  if (ring_->records() + unit_records_ == 0) return;
  std::string path = dump_path();
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    error_ = fmt::format("cannot write the flight recorder's events to '{}': {}", path,
                         std::strerror(errno));
    say(error_);
    return;
  }
  FileWriter w(fd, false);
  std::string head;
  put_info(head, info_);
  put_begin(head, base_ns_, wall_offset_ns_);
  put_dropped(head, ring_->dropped());
  w.write(head);
  auto [a, b] = ring_->contents();
  w.write(a);
  w.write(b);
  w.write(scratch_);  // (the unit being filled: the most recent records)
  std::string tail;
  put_end(tail, status, end_ns);
  w.write(tail);
  uint64_t records = ring_->records() + unit_records_;
  if (!w.finish()) {
    error_ = fmt::format("cannot write the flight recorder's events to '{}': {}", path,
                         std::strerror(w.error()));
    say(error_);
    return;
  }
  say(fmt::format("flight recorder ({}): wrote the last {} events to '{}'", why, records, path));
  ring_->clear();
  scratch_.clear();
  unit_records_ = 0;
  sync();
}

std::string Recorder::finish(int status, uint64_t end_ns, bool command_failed) {
  if (ring_) {
    if (command_failed) dump("the command failed", status, end_ns);
    return error_;
  }
  if (!file_) return {};
  put_end(scratch_, status, end_ns);
  file_->write(scratch_);
  scratch_.clear();
  if (!file_->finish()) return std::strerror(file_->error());
  return {};
}

void Recorder::abandon() {
  if (file_) file_->abandon();
  scratch_.clear();
}

}  // namespace dtruss::capture
