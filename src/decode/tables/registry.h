// How the table files (src/decode/tables/*.cpp) hand their tables to flags.cpp: each family
// exposes its tables as a span of pointers; flags.cpp merges them once into one registry sorted
// by name. Also the helpers the table files use to write entries from header macros.
// Include it after all other headers: it defines the short macros F and N.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

#include "decode/flags.h"

namespace dtruss::tables {

// A header constant as a table value. Signed types of at most 32 bits (int macros, C enums) are
// taken as their 32-bit pattern, so (1 << 31) is 0x80000000 and not sign-extended to 64 bits.
template <class T>
constexpr uint64_t value_of(T x) {
  if constexpr (std::is_enum_v<T>) {
    return value_of(static_cast<std::underlying_type_t<T>>(x));
  } else if constexpr (std::is_signed_v<T> && sizeof(T) <= 4) {
    return static_cast<uint32_t>(x);
  } else {
    return static_cast<uint64_t>(x);
  }
}

// A bit set: names for the bits, and the name of 0 (nullptr: "0").
constexpr FlagTable bits_table(const char* name, std::span<const FlagName> bits,
                               const char* zero = nullptr) {
  return FlagTable{name, bits, 0, {}, zero, false};
}

// One value: an unknown one prints in (signed) decimal.
constexpr FlagTable enum_table(const char* name, std::span<const FlagName> enums) {
  return FlagTable{name, {}, ~uint64_t{0}, enums, nullptr, false};
}

// An enumerated part (`enum_mask`, shown first) and bits. With `enum_last`, the enum part is
// shown after the bits, and not at all when zero.
constexpr FlagTable mixed_table(const char* name, uint64_t enum_mask,
                                std::span<const FlagName> enums, std::span<const FlagName> bits,
                                bool enum_last = false) {
  return FlagTable{name, bits, enum_mask, enums, nullptr, enum_last};
}

using TableList = std::span<const FlagTable* const>;

TableList file_tables();
TableList memory_tables();
TableList process_tables();
TableList signal_tables();
TableList net_tables();
TableList ipc_tables();
TableList event_tables();
TableList time_tables();
TableList mount_tables();
TableList misc_tables();
TableList ioctl_tables();
TableList recent_tables();  // calls newer than the build machine's headers

// Every table of every family, sorted by name (built on first use).
TableList all_flag_tables();

}  // namespace dtruss::tables

// F(MACRO): an entry named as the macro is spelled, valued by the compiler.
// N(value, "NAME"): an entry whose name is not a macro of the included headers (a newer kernel's
// constant written as a number, or a name the headers spell differently); say where it comes from.
#define F(x)                          \
  ::dtruss::FlagName {                \
    ::dtruss::tables::value_of(x), #x \
  }
#define N(v, name)                      \
  ::dtruss::FlagName {                  \
    ::dtruss::tables::value_of(v), name \
  }
