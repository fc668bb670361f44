#include "util/writer.h"

#include <unistd.h>

#include <cerrno>

namespace dtruss {

bool Writer::flush() {
  if (held_) return !failed_;
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

}  // namespace dtruss
