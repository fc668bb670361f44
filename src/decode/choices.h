// Choice tables: how an argument whose meaning depends on another argument of the same call is
// shown (`by:ARG:TABLE` in overrides.txt): fcntl's arg by its cmd, a socket option's name by its
// level, socket()'s protocol by its family. Declarative, in src/decode/tables/choices.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "syscalls/table.h"

namespace dtruss {

struct ArgChoice {
  uint64_t selector;  // the selecting argument's value (compared on its low 32 bits: a C int)
  ArgKind kind;       // how the argument is then shown: a kind that reads no memory
  const char* table;  // the flag or enum table of Flags and Enum, else nullptr
};

struct ChoiceTable {
  const char* name;
  std::span<const ArgChoice> choices;
  ArgKind fallback;  // for a selector that no choice names (Hex: a pointer, or ignored)
  // The bits of the selector that choose (futex's op without its flag bits).
  uint32_t selector_mask = ~uint32_t{0};
};

// The choice table of an id (see table_name), or nullptr.
const ChoiceTable* choice_table(TableId id);
// Every choice table, for the tests.
std::span<const ChoiceTable* const> all_choice_tables();
// The choice for `selector` in `t`, or nullptr.
const ArgChoice* find_choice(const ChoiceTable& t, uint64_t selector);

}  // namespace dtruss
