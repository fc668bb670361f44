// Renders values through the flag and enum tables, and finds a table by its name.
#include "decode/flags.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "decode/subjects/subject.h"

namespace dtruss {
namespace {

constexpr uint64_t kTopBit = uint64_t{1} << 63;

// Whether v's upper 32 bits are all zeros or all ones (a C int, zero- or sign-extended).
constexpr bool fits_32(uint64_t v) {
  const uint64_t hi = v >> 32;
  return hi == 0 || hi == 0xffffffffu;
}

constexpr bool same_value(uint64_t a, uint64_t b) {
  if (a == b) return true;
  return fits_32(a) && fits_32(b) && static_cast<uint32_t>(a) == static_cast<uint32_t>(b);
}

const char* find_enum(std::span<const FlagName> enums, uint64_t v) {
  for (const auto& e : enums)
    if (same_value(e.value, v)) return e.name;
  return nullptr;
}

void append_sep(std::string& out, std::string_view part) {
  if (!out.empty()) out += '|';
  out += part;
}

struct Registry {
  std::vector<const FlagTable*> sorted;
  Registry() {
    for (const structs::Subject& s : structs::all_subjects())
      sorted.insert(sorted.end(), s.tables.begin(), s.tables.end());
    std::sort(sorted.begin(), sorted.end(), [](const FlagTable* a, const FlagTable* b) {
      return std::string_view(a->name) < std::string_view(b->name);
    });
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

namespace tables {
TableList all_flag_tables() {
  return registry().sorted;
}
}  // namespace tables

const FlagTable* flag_table_by_name(std::string_view name) {
  const auto& sorted = registry().sorted;
  auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                             [](const FlagTable* t, std::string_view n) { return t->name < n; });
  if (it == sorted.end() || (*it)->name != name) return nullptr;
  return *it;
}

const FlagTable* flag_table(TableId id) {
  // Resolved once per id, so the lookup by name is paid once.
  static const auto by_id = [] {
    std::array<const FlagTable*, kTableIdCount> a{};
    for (size_t i = 1; i < kTableIdCount; ++i)
      a[i] = flag_table_by_name(table_name(static_cast<TableId>(i)));
    return a;
  }();
  const auto i = static_cast<size_t>(id);
  return i < by_id.size() ? by_id[i] : nullptr;
}

const char* enum_name(const FlagTable& table, uint64_t value) {
  return find_enum(table.enums, value);
}

std::string format_flags(const FlagTable& table, uint64_t value) {
  uint64_t rest = value;
  std::string enum_part;  // empty: not shown
  if (table.enum_mask != 0) {
    const uint64_t part = value & table.enum_mask;
    rest &= ~table.enum_mask;
    if (part != 0 || !table.enum_last) {
      if (const char* name = find_enum(table.enums, part)) {
        enum_part = name;
      } else if (table.enum_mask & kTopBit) {
        enum_part = fmt::format("{}", static_cast<int64_t>(part));
      } else {
        enum_part = fmt::format("{}", part);
      }
    }
  }
  std::string out;
  if (!table.enum_last) out = enum_part;
  for (const auto& b : table.bits) {
    if (rest == 0) break;
    if (b.value == 0 || (rest & b.value) != b.value) continue;
    append_sep(out, b.name);
    rest &= ~b.value;
  }
  if (table.enum_last && !enum_part.empty()) append_sep(out, enum_part);
  if (rest != 0) append_sep(out, fmt::format("{:#x}", rest));
  if (out.empty()) return table.zero ? table.zero : "0";
  return out;
}

}  // namespace dtruss
