#include "output/explain.h"

#include <fmt/format.h>

#include <cctype>

#include "decode/names.h"
#include "syscalls/describe.h"

namespace dtruss {

std::optional<std::string> Explainer::first_about(const DecodedCall& call) {
  long nr = call.ev->nr;
  if (nr < 0) return std::nullopt;
  auto i = static_cast<size_t>(nr);
  if (i < seen_.size() && seen_[i]) return std::nullopt;
  if (i >= seen_.size()) seen_.resize(i + 1, false);
  seen_[i] = true;
  const SyscallDoc* doc = syscall_doc(nr);
  if (doc == nullptr) return std::nullopt;
  return about_phrase(*doc);
}

std::optional<std::string> Explainer::first_errno(const DecodedCall& call) {
  if (call.err == 0 || !call.ev->returned()) return std::nullopt;
  if (!seen_errnos_.emplace(call.ev->nr, call.err).second) return std::nullopt;
  if (const char* restart = restart_meaning(call.err)) return std::string(restart);
  std::string_view specific = errno_meaning(call.ev->nr, call.err);
  if (!specific.empty()) return std::string(specific);
  std::string generic = errno_message(call.err);
  if (generic.size() > 1 && std::isupper(static_cast<unsigned char>(generic[0])) &&
      std::islower(static_cast<unsigned char>(generic[1])))
    generic[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(generic[0])));
  return generic;
}

std::string errno_label(int err) {
  const char* name = errno_name(err);
  return name != nullptr ? name : fmt::format("E{}", err);
}

}  // namespace dtruss
