#include "syscalls/table.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace dtruss {
namespace {

constexpr SyscallInfo kSyscalls[] = {
#include "syscalls/syscall_table.inc"
};

constexpr bool sorted_by_number() {
  for (size_t i = 1; i < std::size(kSyscalls); ++i)
    if (kSyscalls[i - 1].nr >= kSyscalls[i].nr) return false;
  return true;
}
static_assert(sorted_by_number(), "the generator emits the table in number order");

constexpr int kMaxNr = kSyscalls[std::size(kSyscalls) - 1].nr;

// Dense index by number, built once.
struct ByNumber {
  std::array<const SyscallInfo*, kMaxNr + 1> slot{};
  ByNumber() {
    for (const auto& s : kSyscalls) slot[s.nr] = &s;
  }
};

constexpr std::string_view kClassNames[] = {"file", "desc",   "network", "process", "signal",
                                            "ipc",  "memory", "creds",   "clock"};

}  // namespace

std::span<const SyscallInfo> all_syscalls() {
  return kSyscalls;
}

const SyscallInfo* syscall_by_nr(long nr) {
  static const ByNumber index;
  if (nr < 0 || nr > kMaxNr) return nullptr;
  return index.slot[nr];
}

const SyscallInfo* syscall_by_name(std::string_view name) {
  for (const auto& s : kSyscalls)
    if (name == s.name) return &s;
  return nullptr;
}

std::optional<uint16_t> class_by_name(std::string_view name) {
  if (name.starts_with('%')) name.remove_prefix(1);
  for (size_t i = 0; i < std::size(kClassNames); ++i)
    if (kClassNames[i] == name) return static_cast<uint16_t>(1u << i);
  return std::nullopt;
}

std::span<const std::string_view> class_names() {
  return kClassNames;
}

const char* table_name(TableId id) {
  switch (id) {
    case TableId::none:
      return "none";
#define X(name)       \
  case TableId::name: \
    return #name;
#include "syscalls/table_ids.inc"
#undef X
  }
  return "?";
}

const char* struct_name(StructId id) {
  switch (id) {
    case StructId::none:
      return "none";
#define X(name)            \
  case StructId::s_##name: \
    return #name;
#include "syscalls/struct_ids.inc"
#undef X
  }
  return "?";
}

}  // namespace dtruss
