// Writes a capture file: the header, then the records through a zstd stream.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <string_view>

namespace dtruss::capture {

class FileWriter {
 public:
  // Writes to `fd` (owned: closed by the destructor). `truncate_first`: an existing file, emptied
  // by the first write (nothing is written before the first records).
  FileWriter(int fd, bool truncate_first);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Compresses whole records (codec.h); written as zstd fills its blocks.
  void write(std::string_view records);
  // Writes out what zstd holds, so that a reader (or a killed recorder's file) has every record
  // written so far.
  void flush();
  // Ends the zstd frame and closes the file. False when any write failed (error()).
  bool finish();
  // Nothing is written; the file is left as it is (or was made empty).
  void abandon();

  bool failed() const { return error_ != 0; }
  int error() const { return error_; }
  uint64_t bytes_written() const { return written_; }

 private:
  void start();
  void drain(std::string_view in, ZSTD_EndDirective mode);
  void emit(const void* p, size_t n);

  int fd_;
  bool truncate_first_;
  bool started_ = false;
  int error_ = 0;
  uint64_t written_ = 0;
  ZSTD_CCtx* cctx_ = nullptr;
  char* out_ = nullptr;
  size_t out_size_ = 0;
};

}  // namespace dtruss::capture
