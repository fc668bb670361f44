// Reads a capture file back, streaming (memory bounded by the largest record, not by the file),
// and hands its events to an EventConsumer as the backend did.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <functional>
#include <string>

#include "capture/codec.h"
#include "capture/format.h"
#include "core/event.h"

namespace dtruss::capture {

// What the replay does with the records that are not events.
class ReplayHandler {
 public:
  virtual ~ReplayHandler() = default;
  virtual void begin(uint64_t base_ns, int64_t wall_offset_ns) = 0;
  virtual void interrupted(uint64_t ts_ns, int signal, bool detached) = 0;
  virtual void end(int status, uint64_t end_ns) = 0;
  virtual void dropped(uint64_t) {}
  // Process `pid`'s container label and cgroup path (a Label record), before its events.
  virtual void label(int32_t /*pid*/, ProcessLabel /*label*/) {}
};

class Reader {
 public:
  Reader() = default;
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Opens `path` and reads its header and its first record (the CaptureInfo). "" on success,
  // else one line saying why it is not a capture this dtruss reads.
  std::string open(const std::string& path);
  const CaptureInfo& info() const { return info_; }
  uint64_t file_size() const { return file_size_; }

  struct Outcome {
    bool complete = false;  // the End record was read
    std::string error;      // corrupt: why (the replay stops there)
    std::string truncated;  // incomplete: where it ends
    bool stopped = false;   // `progress` asked to stop
    uint64_t events = 0;
  };
  // Hands every record to `to` and `h`; `progress(bytes of the file read)` after each chunk
  // (at most 128 KiB of records), which returns false to stop there.
  Outcome replay(EventConsumer& to, ReplayHandler& h,
                 const std::function<bool(uint64_t)>& progress);

 private:
  // Reads and decompresses the next chunk into pending_; false at the end of the file.
  bool fill(std::string* error);
  // The next complete record of pending_, or false (need more, or bad: *bad).
  bool dispatch(Record type, std::string_view payload, EventConsumer& to, ReplayHandler& h);

  std::string path_;
  int fd_ = -1;
  uint64_t file_size_ = 0;
  uint64_t file_read_ = 0;
  ZSTD_DCtx* dctx_ = nullptr;
  std::string in_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  size_t frame_left_ = 0;  // ZSTD_decompressStream's last hint: 0 when a frame just ended
  std::string pending_;    // decompressed bytes not yet consumed
  size_t pending_pos_ = 0;
  uint64_t stream_pos_ = 0;  // bytes of records consumed (offset into the decompressed stream)
  CaptureInfo info_;
  SyscallEvent ev_;
  SyscallContext cx_;  // what the Syscall records refer back to
};

}  // namespace dtruss::capture
