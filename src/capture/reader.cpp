#include "capture/reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/codec.h"

namespace dtruss::capture {

Reader::~Reader() {
  if (dctx_ != nullptr) ZSTD_freeDCtx(dctx_);
  if (fd_ >= 0) close(fd_);
}

std::string Reader::open(const std::string& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return fmt::format("cannot read the capture '{}': {}", path, std::strerror(errno));
  struct stat st {};
  if (fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode))
    return fmt::format("cannot read the capture '{}': it is a directory", path);
  file_size_ = static_cast<uint64_t>(st.st_size);
  unsigned char header[kHeaderBytes];
  size_t got = 0;
  while (got < sizeof header) {
    ssize_t n = read(fd_, header + got, sizeof header - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fmt::format("cannot read the capture '{}': {}", path, std::strerror(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  file_read_ = got;
  if (got < sizeof header || std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return fmt::format("'{}' is not a dtruss capture file (made with -w)", path);
  uint32_t version = 0;
  for (int i = 0; i < 4; ++i) version |= static_cast<uint32_t>(header[8 + i]) << (8 * i);
  if (version != kFormatVersion)
    return fmt::format(
        "'{}' is a dtruss capture of format version {}, written by {} dtruss; this dtruss reads "
        "version {} only",
        path, version, version < kFormatVersion ? "an older" : "a newer", kFormatVersion);
  dctx_ = ZSTD_createDCtx();
  in_.resize(ZSTD_DStreamInSize());
  std::string error;
  while (pending_.size() < 2 || next_frame(pending_).state == Framing::Partial) {
    if (!fill(&error)) break;
  }
  Frame f = next_frame(pending_);
  if (!error.empty() || f.state != Framing::Complete || f.type != Record::Info ||
      !get_info(f.payload, &info_))
    return fmt::format("'{}' is not a dtruss capture file, or is corrupt: {}", path,
                       error.empty() ? "it has no description of the trace" : error);
  pending_pos_ = f.size;
  stream_pos_ = f.size;
  return {};
}

bool Reader::fill(std::string* error) {
  if (pending_pos_ > 0) {  // (what was consumed goes: memory stays bounded)
    pending_.erase(0, pending_pos_);
    pending_pos_ = 0;
  }
  std::string out(ZSTD_DStreamOutSize(), '\0');
  while (true) {
    if (in_pos_ == in_len_) {
      ssize_t n = read(fd_, in_.data(), in_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = std::strerror(errno);
        return false;
      }
      if (n == 0) return false;
      in_pos_ = 0;
      in_len_ = static_cast<size_t>(n);
      file_read_ += static_cast<uint64_t>(n);
    }
    ZSTD_inBuffer ib{in_.data(), in_len_, in_pos_};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    size_t r = ZSTD_decompressStream(dctx_, &ob, &ib);
    in_pos_ = ib.pos;
    if (ZSTD_isError(r)) {
      *error = fmt::format("its compressed data is damaged near byte {} ({})",
                           file_read_ - (in_len_ - in_pos_), ZSTD_getErrorName(r));
      return false;
    }
    frame_left_ = r;
    if (ob.pos > 0) {
      pending_.append(out.data(), ob.pos);
      return true;
    }
  }
}

bool Reader::dispatch(Record type, std::string_view p, EventConsumer& to, ReplayHandler& h) {
  switch (type) {
    case Record::Syscall:
      if (!get_syscall(p, &ev_, cx_)) return false;
      to.on_syscall(ev_);
      return true;
    case Record::Signal: {
      SignalEvent e;
      if (!get_signal(p, &e)) return false;
      to.on_signal(e);
      return true;
    }
    case Record::Stop: {
      StopEvent e;
      if (!get_stop(p, &e)) return false;
      to.on_stop(e);
      return true;
    }
    case Record::Exit: {
      ExitEvent e;
      if (!get_exit(p, &e)) return false;
      to.on_exit(e);
      return true;
    }
    case Record::Lost: {
      LostEvent e;
      if (!get_lost(p, &e)) return false;
      to.on_lost(e);
      return true;
    }
    case Record::Notice: {
      NoticeEvent e;
      if (!get_notice(p, &e)) return false;
      to.on_notice(e);
      return true;
    }
    case Record::Aggregate: {
      SyscallAggregate a;
      if (!get_aggregate(p, &a)) return false;
      to.on_aggregate(a);
      return true;
    }
    case Record::Process: {
      int32_t pid = 0;
      if (!get_process(p, &pid)) return false;
      to.on_process(pid);
      return true;
    }
    case Record::Label: {
      int32_t pid = 0;
      ProcessLabel label;
      if (!get_label(p, &pid, &label)) return false;
      h.label(pid, std::move(label));
      return true;
    }
    case Record::Sync:
      cx_.reset();
      return p.empty();
    case Record::Ready:
      to.ready();
      return true;
    case Record::Begin: {
      uint64_t base = 0;
      int64_t wall = 0;
      if (!get_begin(p, &base, &wall)) return false;
      h.begin(base, wall);
      return true;
    }
    case Record::Interrupted: {
      uint64_t ts = 0;
      int sig = 0;
      bool detached = false;
      if (!get_interrupted(p, &ts, &sig, &detached)) return false;
      h.interrupted(ts, sig, detached);
      return true;
    }
    case Record::End: {
      int status = 0;
      uint64_t end_ns = 0;
      if (!get_end(p, &status, &end_ns)) return false;
      h.end(status, end_ns);
      return true;
    }
    case Record::Dropped: {
      uint64_t n = 0;
      if (!get_dropped(p, &n)) return false;
      h.dropped(n);
      return true;
    }
    case Record::Info:
      return false;  // (once, first)
  }
  return false;
}

Reader::Outcome Reader::replay(EventConsumer& to, ReplayHandler& h,
                               const std::function<bool(uint64_t)>& progress) {
  Outcome o;
  std::string error;
  while (true) {
    Frame f = next_frame(std::string_view(pending_).substr(pending_pos_));
    if (f.state == Framing::Complete) {
      if (!dispatch(f.type, f.payload, to, h)) {
        o.error = fmt::format("'{}' is corrupt: its record at byte {} of the trace cannot be read",
                              path_, stream_pos_);
        return o;
      }
      pending_pos_ += f.size;
      stream_pos_ += f.size;
      ++o.events;
      if (f.type == Record::End) {
        o.complete = true;
        progress(file_read_);
        return o;
      }
      continue;
    }
    if (f.state == Framing::Bad) {
      o.error = fmt::format("'{}' is corrupt: its record at byte {} of the trace cannot be read",
                            path_, stream_pos_);
      return o;
    }
    if (!fill(&error)) break;
    if (!progress(file_read_)) {
      o.stopped = true;
      return o;
    }
  }
  progress(file_read_);
  if (!error.empty()) {
    o.error = fmt::format("'{}' is corrupt: {}", path_, error);
    return o;
  }
  o.truncated = fmt::format(
      "'{}' ends early ({} bytes, no end record): replayed up to its last complete event, at byte "
      "{} of the trace (was the recorder killed, or its disk full?)",
      path_, file_size_, stream_pos_);
  return o;
}

}  // namespace dtruss::capture
