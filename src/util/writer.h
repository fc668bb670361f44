// Buffered output to a file descriptor, with honest error reporting: a write error (a closed
// pipe, a full disk) is remembered, not thrown, and the caller decides what to do.
#pragma once

#include <string>
#include <string_view>

namespace dtruss {

class Writer {
 public:
  // `line_buffered`: flush after every write() call that ends a line (for terminals).
  Writer(int fd, bool line_buffered) : fd_(fd), line_buffered_(line_buffered) {}
  ~Writer() { flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void write(std::string_view s) {
    if (failed_ || abandoned_) return;
    buf_.append(s);
    if ((line_buffered_ && !s.empty() && s.back() == '\n') || buf_.size() >= kFlushAt) flush();
  }
  // Writes out what is buffered; false (and error() set) if the descriptor refused it. While
  // held, keeps it (and returns true).
  bool flush();
  // Holds everything written until hold(false): nothing reaches the descriptor meanwhile.
  void hold(bool on) { held_ = on; }
  // An existing file, to be emptied by the first flush: a run that fails before it writes
  // anything (an attach refused) leaves the file as it was.
  void truncate_first() { truncate_ = true; }
  // Drops what is buffered and writes nothing more (nor empties the file).
  void abandon() {
    buf_.clear();
    abandoned_ = true;
  }
  bool failed() const { return failed_; }
  int error() const { return errno_; }  // the errno of the failed write
  int fd() const { return fd_; }

 private:
  static constexpr size_t kFlushAt = 64 * 1024;
  int fd_;
  bool line_buffered_;
  bool failed_ = false;
  bool held_ = false;
  bool truncate_ = false;
  bool abandoned_ = false;
  int errno_ = 0;
  std::string buf_;
};

// Writes all of `s` to `fd` (again after EINTR); false, errno set, if the descriptor refused it.
bool write_all(int fd, std::string_view s);

// A message of dtruss on standard error: "dtruss: " and `text`, escaped (it may quote names from
// traced programs or from the system), and a newline. Never throws, whatever standard error is
// (closed, a full disk): a message that cannot be written is lost, nothing else.
void say(std::string_view text);

}  // namespace dtruss
