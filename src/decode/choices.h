// Choice tables: how an argument whose meaning depends on another argument of the same call is
// shown (`by:ARG:TABLE` in overrides.txt): fcntl's arg by its cmd, a socket option's name by its
// level, socket()'s protocol by its family, an ioctl's argument by its request. Declarative, each
// in the subject file of its call (src/decode/subjects).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "syscalls/capture.h"
#include "syscalls/table.h"

namespace dtruss {

struct ArgChoice {
  uint64_t selector;  // the selecting argument's value (compared on its low 32 bits: a C int)
  ArgKind kind;       // how the argument is then shown
  TableId table;      // the flag or enum table of Flags and Enum, else TableId::none
  // Struct: the type (as struct:TYPE names it in overrides.txt); String, Path and Buffer need
  // none. The capture plan copies the memory these kinds read for this selector only.
  const char* strct = nullptr;
  Dir dir = Dir::In;    // Struct and Buffer: whether the call reads or writes the memory
  int8_t len = kNoLen;  // Buffer: its length; Struct: an array's count (as ArgInfo::len)
};

// A choice that shows the memory the argument points to.
constexpr ArgChoice struct_choice(uint64_t selector, const char* type, Dir dir) {
  return {selector, ArgKind::Struct, TableId::none, type, dir, kNoLen};
}

// A choice that shows an array of `count_arg` structs (the argument that counts them).
constexpr ArgChoice struct_array_choice(uint64_t selector, const char* type, Dir dir,
                                        int8_t count_arg) {
  return {selector, ArgKind::Struct, TableId::none, type, dir, count_arg};
}

struct ChoiceTable {
  const char* name;
  std::span<const ArgChoice> choices;
  ArgKind fallback;  // for a selector that no choice names (Hex: a pointer, or ignored)
  // The bits of the selector that choose (futex's op without its flag bits).
  uint32_t selector_mask = ~uint32_t{0};
  // The bits outside selector_mask that a caller may set when a choice reads memory: a backend
  // picks a capture plan by the selector's exact value, so each combination of these bits gets
  // the choice's plan (io_uring_enter's argp by IORING_ENTER_EXT_ARG, whatever the other flags).
  uint32_t capture_bits = 0;
  // The memory a choice reads is copied whatever the selector's value (one step in the syscall's
  // own plan, the first choice's), for a selector whose other bits are too many to expand
  // (clone's flags beside CLONE_PARENT_SETTID): the choices must then read the same bytes. A
  // copy the selector does not ask for is not shown (and may fail: an unused pointer).
  bool capture_always = false;
};

// The choice table of an id (see table_name), or nullptr.
const ChoiceTable* choice_table(TableId id);
// Every choice table, for the tests.
std::span<const ChoiceTable* const> all_choice_tables();
// The choice for `selector` in `t`, or nullptr.
const ArgChoice* find_choice(const ChoiceTable& t, uint64_t selector);
// Whether a choice of this kind reads the memory the argument points to.
bool reads_memory(ArgKind kind);
// What the capture plan copies for the choices of a table that read memory (CaptureLimits).
std::span<const ChoiceCapture> choice_captures(TableId id);

}  // namespace dtruss
