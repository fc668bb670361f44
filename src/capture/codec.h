// The records of a capture file as bytes, and back (capture/format.h). A Syscall record may refer
// back to the Syscall records before it, up to the last Sync (SyscallContext): the flight recorder
// lets the oldest go a Sync-started chunk at a time.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capture/format.h"
#include "core/event.h"

namespace dtruss::capture {

// What a Syscall record refers back to: the previous Syscall record's task, entry time and
// arguments, and the last fd note recorded for each fd of each process. The writer and the
// reader keep one each, in step; both start afresh at a Sync record (reset()).
// And (version 5), for each syscall number below kStoreNrs, the arguments of its last record, and
// its last non-empty store of each kind (captures, before) whose encoding is at most kStoreBytes
// long: an argument or a store the same is not written again (a loop's calls, a stat buffer
// filled alike, a path given again and again).
inline constexpr size_t kStoreNrs = 1024;
inline constexpr size_t kStoreBytes = 4096;
struct SyscallContext {
  bool have_task = false;
  TaskId task;
  uint64_t enter_ns = 0;
  std::array<uint64_t, 6> args{};
  std::unordered_map<uint64_t, std::string> notes;  // (pid << 32 | fd as u32): its note
  size_t note_bytes = 0;                            // the reader's: what `notes` took in
  // Index nr * 2 + (0 captures, 1 before): a store's encoding (docs/capture-format.md), "" none.
  // (Sized at the first store: a reader's memory for them stays below 8 MiB.)
  std::vector<std::string> stores;
  // Index nr (version 5): the arguments of the last record of each syscall (all 0 at first).
  std::vector<std::array<uint64_t, 6>> nr_args;
  void reset() {
    have_task = false;
    enter_ns = 0;
    args = {};
    notes.clear();
    note_bytes = 0;
    for (std::string& s : stores) s.clear();
    std::fill(nr_args.begin(), nr_args.end(), std::array<uint64_t, 6>{});
  }
};

// A reader holds at most this many bytes of notes between two Syncs: a writer starts afresh every
// 256 KiB of records (512 KiB at most), so that more is a corrupt or forged file, refused rather
// than let grow a replay's memory without bound.
inline constexpr size_t kMaxContextNoteBytes = size_t{16} << 20;

// Appends one whole record (type, length, payload) to `out`.
void put_info(std::string& out, const CaptureInfo& info);
void put_begin(std::string& out, uint64_t base_ns, int64_t wall_offset_ns);
// (with cx, which it updates: the record refers back to what cx holds)
void put_syscall(std::string& out, const SyscallEvent& ev, SyscallContext& cx);
// A Sync record (the caller resets its SyscallContext).
void put_sync(std::string& out);
void put_signal(std::string& out, const SignalEvent& ev);
void put_stop(std::string& out, const StopEvent& ev);
void put_exit(std::string& out, const ExitEvent& ev);
void put_lost(std::string& out, const LostEvent& ev);
void put_notice(std::string& out, const NoticeEvent& ev);
void put_aggregate(std::string& out, const SyscallAggregate& agg);
void put_process(std::string& out, int32_t pid);
// Process `pid`'s container label and cgroup path, as the live trace named them.
void put_label(std::string& out, int32_t pid, const ProcessLabel& label);
void put_ready(std::string& out);
void put_interrupted(std::string& out, uint64_t ts_ns, int signal, bool detached);
void put_end(std::string& out, int status, uint64_t end_ns);
void put_dropped(std::string& out, uint64_t events);

// One record's place in a buffer: Complete (type and payload set, `size` bytes long), Partial
// (the buffer ends inside it), or Bad (its length cannot be read).
enum class Framing { Complete, Partial, Bad };
struct Frame {
  Framing state = Framing::Partial;
  Record type{};
  std::string_view payload;
  size_t size = 0;
};
Frame next_frame(std::string_view buf);

// A record's payload read back; false when it is malformed (a corrupt file).
bool get_info(std::string_view p, CaptureInfo* info);
bool get_begin(std::string_view p, uint64_t* base_ns, int64_t* wall_offset_ns);
bool get_syscall(std::string_view p, SyscallEvent* ev, SyscallContext& cx);
bool get_signal(std::string_view p, SignalEvent* ev);
bool get_stop(std::string_view p, StopEvent* ev);
bool get_exit(std::string_view p, ExitEvent* ev);
bool get_lost(std::string_view p, LostEvent* ev);
bool get_notice(std::string_view p, NoticeEvent* ev);
bool get_aggregate(std::string_view p, SyscallAggregate* agg);
bool get_process(std::string_view p, int32_t* pid);
bool get_label(std::string_view p, int32_t* pid, ProcessLabel* label);
bool get_interrupted(std::string_view p, uint64_t* ts_ns, int* signal, bool* detached);
bool get_end(std::string_view p, int* status, uint64_t* end_ns);
bool get_dropped(std::string_view p, uint64_t* events);

}  // namespace dtruss::capture
