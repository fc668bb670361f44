#include "util/writer.h"

#include <unistd.h>

#include <cerrno>

#include "util/text.h"

namespace dtruss {

bool Writer::flush() {
  if (held_ || abandoned_) return !failed_;
  if (truncate_ && !failed_) {
    truncate_ = false;
    if (ftruncate(fd_, 0) != 0) {
      failed_ = true;
      errno_ = errno;
    }
  }
  size_t done = 0;
  while (!failed_ && done < buf_.size()) {
    ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      failed_ = true;
      errno_ = errno;
      break;
    }
    done += static_cast<size_t>(n);
  }
  buf_.clear();
  return !failed_;
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void say(std::string_view text) {
  std::string line = "dtruss: ";
  append_escaped(line, text);
  line += '\n';
  int saved = errno;
  write_all(2, line);
  errno = saved;
}

}  // namespace dtruss
