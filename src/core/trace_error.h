#pragma once

#include <stdexcept>
#include <string>

namespace dtruss {

// A failure to set up or run a trace, with a message for the person and dtruss's exit status.
class TraceError : public std::runtime_error {
 public:
  explicit TraceError(const std::string& what, int exit_status = 1)
      : std::runtime_error(what), exit_status_(exit_status) {}
  int exit_status() const { return exit_status_; }

 private:
  int exit_status_;
};

}  // namespace dtruss
