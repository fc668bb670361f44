// The capture file (-w, --flight-recorder; replayed by -R): what a trace's backend delivered, as a
// versioned stream of records, compressed with zstd. docs/capture-format.md describes it for
// another reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dtruss::capture {

// The file starts with these 16 bytes, uncompressed: the magic, the format version (u32, little
// endian) and a reserved u32 (0). The zstd stream of records follows.
inline constexpr char kMagic[8] = {'D', 'T', 'R', 'U', 'S', 'S', 'C', 'F'};
// Version 2: Syscall records refer back to the ones before them (since the last Sync): the task,
// the time and the arguments when they repeat, and the fd notes when they did not change.
// Version 3: Label records (each process's container, as the live lines named it).
// Version 4: a Label record holds the process's cgroup path too (--summary-by cgroup), and they
// are written with --summary-by container or cgroup as well (Info's `labels`).
// Version 5: a Syscall record's stores refer back too (the syscall's last one of their kind, when
// the same), and a region at an argument's address names the argument instead of the address.
inline constexpr uint32_t kFormatVersion = 5;
inline constexpr size_t kHeaderBytes = 16;

// A record: its type (one byte), the length of its payload (u32, little endian), the payload.
enum class Record : uint8_t {
  Info = 1,          // CaptureInfo: first, once
  Begin = 2,         // the trace's clock: base (CLOCK_MONOTONIC ns), wall-clock offset
  Syscall = 3,       // EventConsumer::on_syscall
  Signal = 4,        // on_signal
  Stop = 5,          // on_stop
  Exit = 6,          // on_exit
  Lost = 7,          // on_lost
  Notice = 8,        // on_notice
  Aggregate = 9,     // on_aggregate
  Process = 10,      // on_process
  Ready = 11,        // ready
  Interrupted = 12,  // a stop signal ended the trace: when, which, detached or stopped
  End = 13,          // the trace ended: dtruss's exit status; the last record
  Dropped = 14,      // flight recorder: how many events before these were let go
  Sync = 15,         // what Syscall records refer back to starts afresh (SyscallContext)
  Label = 16,        // a process's container and cgroup (ProcessLabel), before its events
};
inline constexpr Record kLastRecord = Record::Label;  // (a higher type: a corrupt file)

// A process's container label and cgroup path, as the live trace named it (ContainerLabels::of):
// written by the recorder, given to the replay's labels in place of the replaying machine's /proc.
struct ProcessLabel {
  std::string container;  // "docker:ID", "unit:NAME.service", "" (--all, --cgroup, --container)
  std::string cgroup;     // the cgroup's path, "/a/b" (--summary-by cgroup)
};

// What a capture was taken with, on what: checked by the replay against what it is asked to show.
struct CaptureInfo {
  std::string dtruss_version;
  std::string backend;         // "ptrace" or "bpf"
  std::string kernel_release;  // uname -r
  std::string machine;         // uname -m
  uint64_t table_hash = 0;     // the syscall table's numbers and names (FNV-1a)
  uint32_t table_size = 0;     // how many syscalls it names
  // What the events hold.
  bool fd_notes = false;  // -y's fd notes (always, with -w)
  bool stacks = false;    // -s's frames
  bool verbose = false;   // -v's captures
  bool cpu = false;       // -o's on-CPU times
  bool dumps = false;     // --read/--write's whole buffers
  bool flight = false;    // written by the flight recorder: the most recent events only
  uint64_t strsize = 0;   // --strsize the captures were taken with
  uint64_t stack_depth = 0;
  // What was traced: the text's default PID prefix depends on it.
  bool follow = false;
  bool all = false;
  bool wait_for_name = false;
  bool containers = false;  // --cgroup or --container: the lines name programs and containers
  // Every process has its Label record (--all, --cgroup, --container, --summary-by container or
  // cgroup): a replay may name processes by container or cgroup.
  bool labels = false;
  std::string name;
  std::vector<int32_t> pids;
  std::vector<std::string> command;
  int64_t started_unix_ns = 0;  // when the capture started (CLOCK_REALTIME), for people
};

}  // namespace dtruss::capture
