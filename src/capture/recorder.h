// Between a backend and the pipeline: every event the backend delivers is written as a record
// (codec.h) before it is handed on, unchanged, to the next consumer (the live view, or a pipeline
// with no sinks when only the file is asked for). Either to a capture file (-w), or into a ring in
// memory that keeps the most recent events (--flight-recorder), written out on SIGUSR1, when a
// trigger fires, or at the end of a command that failed.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/codec.h"
#include "capture/file_writer.h"
#include "capture/format.h"
#include "core/event.h"

namespace dtruss::capture {

// --trigger: what makes the flight recorder write its events.
struct Trigger {
  enum class Kind { Errno, Syscall, ExitNonzero } kind = Kind::Errno;
  long value = 0;    // the errno, or the syscall number
  std::string text;  // as given (errno=EIO), for the message
  bool fired = false;
};

// The most recent records, at most `capacity` bytes of them: the oldest go first, a unit at a
// time (a chunk of records that starts with a Sync, as the recorder adds them: its records refer
// back to nothing before it).
class Ring {
 public:
  // (allocated, not touched: memory is taken as records fill it, SIZE at most)
  explicit Ring(size_t capacity) : bytes_(new char[capacity]), size_(capacity) {}
  // A unit: whole records, `count` of them.
  void add(std::string_view records, uint64_t count = 1);
  // The records held, oldest first, in one or two pieces.
  std::pair<std::string_view, std::string_view> contents() const;
  void clear();
  uint64_t dropped() const { return dropped_; }
  uint64_t records() const { return records_; }
  size_t used() const { return used_; }

 private:
  void drop_oldest();
  struct Unit {
    size_t bytes;
    uint64_t count;
  };
  std::deque<Unit> units_;  // oldest first
  std::unique_ptr<char[]> bytes_;
  size_t size_;
  size_t head_ = 0;
  size_t used_ = 0;
  uint64_t records_ = 0;
  uint64_t dropped_ = 0;
};

class Recorder final : public EventConsumer {
 public:
  Recorder(CaptureInfo info, EventConsumer& next) : info_(std::move(info)), next_(next) {}

  // -w: records go to `fd` (owned), an existing file emptied first.
  void to_file(int fd, bool truncate_first);
  // --flight-recorder: into a ring of `bytes`; written to `path`, then `path`.1, .2 ...
  void to_ring(size_t bytes, std::string path, std::vector<Trigger> triggers);

  // The trace's clock: CLOCK_MONOTONIC at its start, and CLOCK_REALTIME - CLOCK_MONOTONIC.
  void begin(uint64_t base_ns, int64_t wall_offset_ns);
  void interrupted(uint64_t ts_ns, int signal, bool detached);
  // The trace ended with `status`. A flight recorder writes its ring when the command failed
  // (`command_failed`). Returns "" or why the capture could not be written.
  std::string finish(int status, uint64_t end_ns, bool command_failed);
  // Nothing was traced: nothing is written.
  void abandon();

  void on_syscall(SyscallEvent& ev) override;
  void on_signal(const SignalEvent& ev) override;
  void on_stop(const StopEvent& ev) override;
  void on_exit(const ExitEvent& ev) override;
  void on_lost(const LostEvent& ev) override;
  void on_notice(const NoticeEvent& ev) override;
  void on_aggregate(const SyscallAggregate& agg) override;
  void on_process(int32_t pid) override;
  void idle() override;
  void ready() override;

  // --all, --cgroup, --container, --summary-by container or cgroup: each process's container
  // label and cgroup path (`label_of`: the live view's, ContainerLabels::of) recorded before its
  // first event, again after each Sync (a reader may start there), and again after its exit (its
  // PID may be reused).
  void label_containers(std::function<ProcessLabel(int32_t pid)> label_of) {
    info_.labels = true;
    label_of_ = std::move(label_of);
  }

  // SIGUSR1's handler sets it (async-signal-safe): the ring is written at the next event or idle.
  static void request_dump();

 private:
  void record();            // the record just put into scratch_
  void sync();              // a Sync record starts scratch_'s next records: cx_ starts afresh
  void label(int32_t pid);  // process pid's Label record, unless it has one since the last Sync
  void check_dump_request(bool idle);
  void dump(const std::string& why, int status, uint64_t end_ns);
  std::string dump_path();

  CaptureInfo info_;
  EventConsumer& next_;
  std::string scratch_;        // the records not yet written (-w), or the ring's next unit
  SyscallContext cx_;          // what the next Syscall record may refer back to
  size_t since_sync_ = 0;      // -w: bytes of records written since the last Sync
  uint64_t unit_records_ = 0;  // --flight-recorder: records in scratch_
  size_t unit_bytes_ = 0;      // ... which goes into the ring at this size
  std::unique_ptr<FileWriter> file_;
  uint64_t last_flush_ns_ = 0;
  uint64_t base_ns_ = 0;
  int64_t wall_offset_ns_ = 0;
  bool released_ = false;  // an event was seen: the file may be written (as StartGate's)
  // --flight-recorder
  std::optional<Ring> ring_;
  std::string path_;
  std::vector<Trigger> triggers_;
  int dumps_ = 0;
  uint64_t dump_asked_ns_ = 0;  // SIGUSR1 seen, its dump not written yet
  std::string error_;           // a dump that could not be written
  // label_containers
  std::function<ProcessLabel(int32_t)> label_of_;
  std::unordered_map<int32_t, ProcessLabel> labels_;  // the processes' labels, as recorded
};

}  // namespace dtruss::capture
