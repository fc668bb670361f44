// --explain / -x: which descriptions a trace shows, and when. The first call of each syscall
// brings its one-line description; each distinct errno of a syscall, the first time it fails
// with it, brings what that errno means for that call.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "decode/decoder.h"

namespace dtruss {

class Explainer {
 public:
  // "opens a file ..." the first time the call's syscall is seen (and it has a description).
  std::optional<std::string> first_about(const DecodedCall& call);
  // What the call's errno means for it, the first time this syscall fails with this errno:
  // the call-specific meaning from the descriptions, else the generic errno message.
  std::optional<std::string> first_errno(const DecodedCall& call);

 private:
  std::vector<bool> seen_;
  std::set<std::pair<long, int>> seen_errnos_;
};

// The name printed for an errno: "ENOENT", or "E1234" for a number without a name.
std::string errno_label(int err);

}  // namespace dtruss
