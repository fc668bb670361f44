#include "syscalls/describe.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace dtruss {
namespace {

constexpr SyscallDoc kDocs[] = {
#include "syscalls/descriptions.inc"
};

constexpr bool sorted_by_number() {
  for (size_t i = 1; i < std::size(kDocs); ++i)
    if (kDocs[i - 1].nr >= kDocs[i].nr) return false;
  return true;
}
static_assert(sorted_by_number(), "the generator emits the descriptions in number order");

constexpr int kMaxNr = 1023;  // above every x86_64 syscall number

struct ByNumber {
  std::array<const SyscallDoc*, kMaxNr + 1> slot{};
  ByNumber() {
    for (const auto& d : kDocs)
      if (d.nr <= kMaxNr) slot[static_cast<size_t>(d.nr)] = &d;
  }
};

// "const char *" + "filename" -> "const char *filename"; "int" + "fd" -> "int fd".
std::string declaration(const ArgInfo& a) {
  std::string_view t = a.ctype;
  return fmt::format("{}{}{}", t, t.ends_with('*') ? "" : " ", a.name);
}

}  // namespace

std::span<const SyscallDoc> all_syscall_docs() {
  return kDocs;
}

const SyscallDoc* syscall_doc(long nr) {
  static const ByNumber index;
  if (nr < 0 || nr > kMaxNr) return nullptr;
  return index.slot[static_cast<size_t>(nr)];
}

std::string_view errno_meaning(long nr, int err) {
  const SyscallDoc* d = syscall_doc(nr);
  if (d == nullptr) return {};
  for (int i = 0; i < d->nerrnos; ++i)
    if (d->errnos[i].err == err) return d->errnos[i].meaning;
  return {};
}

std::string about_phrase(const SyscallDoc& doc) {
  std::string s = doc.about;
  // Lower-case a capitalised first word ("Opens"), not an acronym ("IPC").
  if (s.size() > 1 && std::isupper(static_cast<unsigned char>(s[0])) &&
      std::islower(static_cast<unsigned char>(s[1])))
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  if (s.ends_with('.') && !s.ends_with("...")) s.pop_back();
  return s;
}

std::string explain_text(const SyscallInfo& info) {
  std::string out = fmt::format("{}(", info.name);
  for (int i = 0; i < info.nargs; ++i) out += (i > 0 ? ", " : "") + declaration(info.args[i]);
  fmt::format_to(std::back_inserter(out), ")    syscall {} on x86_64\n", info.nr);
  const SyscallDoc* doc = syscall_doc(info.nr);
  if (doc == nullptr) {
    out += "\nNo description of this syscall yet.\n";
    return out;
  }
  fmt::format_to(std::back_inserter(out), "\n{}\n", doc->about);
  if (info.nargs > 0) {
    out += "\nArguments:\n";
    size_t width = 0;
    for (int i = 0; i < info.nargs; ++i) width = std::max(width, std::strlen(info.args[i].name));
    for (int i = 0; i < info.nargs; ++i)
      fmt::format_to(std::back_inserter(out), "  {:<{}}  {}\n", info.args[i].name, width,
                     doc->args[i]);
  }
  fmt::format_to(std::back_inserter(out), "\nReturns: {}\n", doc->returns);
  if (doc->nerrnos > 0) {
    out += "\nCommon errors (the call returns -1 and sets errno):\n";
    size_t width = 0;
    for (int i = 0; i < doc->nerrnos; ++i)
      width = std::max(width, std::strlen(doc->errnos[i].name));
    for (int i = 0; i < doc->nerrnos; ++i)
      fmt::format_to(std::back_inserter(out), "  {:<{}}  {}\n", doc->errnos[i].name, width,
                     doc->errnos[i].meaning);
  }
  return out;
}

}  // namespace dtruss
