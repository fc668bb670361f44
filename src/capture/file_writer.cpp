#include "capture/file_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "capture/format.h"

namespace dtruss::capture {

// zstd's level 1: the fastest of its levels, which still makes a trace's records 5 to 10 times
// smaller (the repeated names, paths and frames); recording must cost no more than text.
constexpr int kLevel = 1;

FileWriter::FileWriter(int fd, bool truncate_first) : fd_(fd), truncate_first_(truncate_first) {}

FileWriter::~FileWriter() {
  if (cctx_ != nullptr) ZSTD_freeCCtx(cctx_);
  delete[] out_;
  if (fd_ >= 0) close(fd_);
}

void FileWriter::start() {
  started_ = true;
  cctx_ = ZSTD_createCCtx();
  if (cctx_ == nullptr) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, kLevel);
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  out_size_ = ZSTD_CStreamOutSize();
  out_ = new char[out_size_];
  if (truncate_first_ && ftruncate(fd_, 0) != 0) error_ = errno;
  unsigned char header[kHeaderBytes] = {};
  std::memcpy(header, kMagic, sizeof kMagic);
  for (int i = 0; i < 4; ++i) header[8 + i] = static_cast<unsigned char>(kFormatVersion >> (8 * i));
  emit(header, sizeof header);
}

void FileWriter::emit(const void* p, size_t n) {
  const char* c = static_cast<const char*>(p);
  while (n > 0 && error_ == 0) {
    ssize_t w = ::write(fd_, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return;
    }
    c += w;
    n -= static_cast<size_t>(w);
    written_ += static_cast<uint64_t>(w);
  }
}

void FileWriter::drain(std::string_view in, ZSTD_EndDirective mode) {
  if (fd_ < 0) return;
  if (!started_) start();
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  while (true) {
    ZSTD_outBuffer ob{out_, out_size_, 0};
    size_t left = ZSTD_compressStream2(cctx_, &ob, &ib, mode);
    if (ZSTD_isError(left)) {
      if (error_ == 0) error_ = EIO;
      return;
    }
    if (ob.pos > 0) emit(out_, ob.pos);
    bool done = mode == ZSTD_e_continue ? ib.pos == ib.size : left == 0;
    if (done) return;
  }
}

void FileWriter::write(std::string_view records) {
  if (!records.empty()) drain(records, ZSTD_e_continue);
}

void FileWriter::flush() {
  if (started_) drain({}, ZSTD_e_flush);
}

bool FileWriter::finish() {
  if (fd_ < 0) return error_ == 0;
  drain({}, ZSTD_e_end);
  if (close(fd_) != 0 && error_ == 0) error_ = errno;
  fd_ = -1;
  return error_ == 0;
}

void FileWriter::abandon() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

}  // namespace dtruss::capture
