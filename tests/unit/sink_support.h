// What the sink unit tests share: a temporary file that collects what a sink writes.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <string>

namespace dtruss::unit {

// Collects what a sink writes through a Writer on a temporary file.
class Capture {
 public:
  Capture() {
    char tmpl[] = "/tmp/dtruss-sink-XXXXXX";
    fd_ = mkstemp(tmpl);
    unlink(tmpl);
  }
  ~Capture() { close(fd_); }
  int fd() const { return fd_; }
  std::string text() {
    std::string out;
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    while ((n = pread(fd_, buf, sizeof(buf), off)) > 0) {
      out.append(buf, static_cast<size_t>(n));
      off += n;
    }
    return out;
  }

 private:
  int fd_;
};

}  // namespace dtruss::unit
