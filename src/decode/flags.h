// Declarative flag and enum tables, and the one function that renders a value through them.
// Every table names the header its facts come from; values are taken from the system headers'
// own macros, so the compiler checks them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "syscalls/table.h"

namespace dtruss {

struct FlagName {
  uint64_t value;
  const char* name;
};

// A value is rendered as `ENUMPART|BIT|BIT|0xREST`:
//  - `enum_mask` selects the part of the value that is one enumerated value (O_ACCMODE of open
//    flags, MAP_TYPE of mmap flags, the socket type); it is named from `enums` (or printed in
//    decimal when unknown: signed when enum_mask covers the top bit, as in enum tables) and
//    always shown first, even when zero;
//  - the rest is matched against `bits`, in order: an entry is shown when all of its bits are set
//    and not already shown (so list multi-bit names before their parts); leftover bits are shown
//    as one hex number;
//  - a value that is entirely zero (and has no enum part) prints as `zero`, or "0".
// Entries of `bits` whose value is 0 are never shown. With `enum_last`, the enum part is shown
// after the named bits instead (before a hex rest), and not at all when zero (the exit signal in
// the low byte of clone flags: CLONE_VM|CLONE_FS|SIGCHLD, but CLONE_VM|CLONE_THREAD); a value
// that is then entirely zero prints as `zero`, or "0".
// An enum table is one with enum_mask = ~0 and no bits. Its values are usually C ints that may
// reach us zero- or sign-extended, so a value and an entry that both fit in 32 bits (upper half
// all zeros or all ones) are compared on their low 32 bits (-1 matches 0xffffffff); an unknown
// value prints as signed decimal. Enum parts of other tables are matched the same way.
struct FlagTable {
  const char* name;
  std::span<const FlagName> bits;
  uint64_t enum_mask = 0;
  std::span<const FlagName> enums;
  const char* zero = nullptr;
  bool enum_last = false;
  // How a value that no entry of an enum table names is printed (nullptr: signed decimal).
  std::string (*unknown)(uint64_t value) = nullptr;
};

// The table for an id (looked up by table_name(id)); nullptr for TableId::none and for a name
// that has no table.
const FlagTable* flag_table(TableId id);
// The table of that name, or nullptr.
const FlagTable* flag_table_by_name(std::string_view name);

// Renders `value` through `table` (see FlagTable).
std::string format_flags(const FlagTable& table, uint64_t value);
// The name of `value` in an enum table, or nullptr.
const char* enum_name(const FlagTable& table, uint64_t value);

}  // namespace dtruss
