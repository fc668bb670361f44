// What a subject file (src/decode/subjects/*.cpp: one per subject, as sockaddr, stat, io_uring)
// hands to the decoder: its flag and enum tables and its struct decoders, as one Subject. The
// tables registry (flags.cpp) and the struct registry (structs.cpp) merge every subject's once.
// Also the helpers the files use to write table entries from header macros, and to decode
// structs. Include it after all other headers: it defines the short macros F and N.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "core/value.h"
#include "decode/choices.h"
#include "decode/decoder.h"
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

// The value of the entry named `name` among `entries` (~0 when there is none), to check a value
// written by hand against the header that defines it: static_assert(value_named(kBits, "X") ==
// value_of(X)).
constexpr uint64_t value_named(std::span<const FlagName> entries, std::string_view name) {
  for (const FlagName& e : entries)
    if (name == e.name) return e.value;
  return ~uint64_t{0};
}

using TableList = std::span<const FlagTable* const>;

// Every table of every subject, sorted by name (built on first use).
TableList all_flag_tables();

}  // namespace dtruss::tables

namespace dtruss::structs {

using StructDecoder = Value (*)(const ArgContext&);

struct Entry {
  std::string_view type;  // the TYPE name used in overrides.txt (struct:TYPE:DIR)
  // Bytes of one element, for the capture plan (what a backend copies). 0: the decoder reads a
  // variable amount (its size depends on another argument or on the memory itself).
  uint32_t size;
  StructDecoder fn;
  // Bytes the abbreviated decoding (without -v) reads: a prefix of the struct that holds every
  // field it shows, so that a backend copies no more. 0: all `size` bytes. For records of
  // varying size (size 0): the bytes of records it reads at most (0: no limit of its own).
  uint32_t brief = 0;
};
using List = std::span<const Entry>;

// Adds the field `member` of struct `s` to the struct Value `v`, shown by `fn`, naming it as the
// member is spelled: FIELD(v, st, st_dev, dev_value) is v.add("st_dev", dev_value(st.st_dev)).
#define FIELD(v, s, member, fn) (v).add(#member, fn((s).member))

// The struct decoders of src/decode/structs.cpp: int, int_pair, u64, ptr, timespec.
List basic_structs();

// One subject: its tables (registered by name: overrides.txt and choice tables name them) and
// its struct decoders (resolved by StructId).
struct Subject {
  std::string_view name;
  tables::TableList tables;
  List structs;
  std::span<const ChoiceTable* const> choices;
};

// Every subject file, once. A new subject file is added here and to no other list.
#define DTRUSS_SUBJECTS(X) \
  X(aio)                   \
  X(bpf)                   \
  X(capability)            \
  X(clone)                 \
  X(creds)                 \
  X(dirent)                \
  X(fcntl)                 \
  X(fd)                    \
  X(futex)                 \
  X(io_uring)              \
  X(io_uring_register)     \
  X(ioctl)                 \
  X(keys)                  \
  X(landlock)              \
  X(lsm)                   \
  X(memory)                \
  X(mount)                 \
  X(mqueue)                \
  X(msghdr)                \
  X(notify)                \
  X(open)                  \
  X(perf)                  \
  X(poll)                  \
  X(prctl)                 \
  X(ptrace)                \
  X(quota)                 \
  X(random)                \
  X(rlimit)                \
  X(rw)                    \
  X(sched)                 \
  X(seccomp)               \
  X(signal)                \
  X(sockaddr)              \
  X(socket)                \
  X(sockopt)               \
  X(stat)                  \
  X(system)                \
  X(sysv_ipc)              \
  X(thread)                \
  X(time)                  \
  X(wait)                  \
  X(xattr)

#define X(name) Subject subject_##name();
DTRUSS_SUBJECTS(X)
#undef X

// Every subject, in the order of DTRUSS_SUBJECTS.
std::span<const Subject> all_subjects();

// Shared helpers for decoders.

// A value through a flag table: one of the same file, or one of another subject by its TableId
// (a misspelt name does not compile; hex when the id names no flag table).
Value flags(const FlagTable& t, uint64_t v);
Value flags(TableId id, uint64_t v);
// One value of an enum table; when it has no name, in hex (magic numbers) or in decimal.
Value enum_or_hex(const FlagTable& t, uint64_t v);
Value enum_or_hex(TableId id, uint64_t v);
Value enum_or_number(const FlagTable& t, uint64_t v);
Value enum_or_number(TableId id, uint64_t v);
// A pointer field: NULL, or the address in hex.
Value ptr_value(uint64_t p);
// {tv_sec, tv_nsec} and {tv_sec, tv_usec}.
Value timespec_value(int64_t sec, int64_t nsec);
Value timeval_value(int64_t sec, int64_t usec);

// Reads exactly sizeof(T) bytes at addr; false on a short read.
template <typename T>
bool read_struct(const MemoryReader& mem, uint64_t addr, T* out) {
  return mem.read(addr, out, sizeof(T)) == sizeof(T);
}

// Reads the first n bytes of *out (n <= sizeof(T)) at addr, the rest left as it was; false on a
// short read.
template <typename T>
bool read_prefix(const MemoryReader& mem, uint64_t addr, T* out, size_t n) {
  return n <= sizeof(T) && mem.read(addr, out, n) == n;
}

// The element count of an array argument (ArgInfo::len: another argument or the return value);
// `fallback` when the overrides give none. Capped at kMaxArrayElements.
size_t element_count(const ArgContext& c, size_t fallback);

// Decodes `count` elements of `size` bytes at c.raw with `one(ctx, addr)`; the result is an
// Array, truncated (with `...`) past `max` elements or at the first unreadable one.
Value decode_array(const ArgContext& c, size_t count, size_t size, size_t max,
                   Value (*one)(const ArgContext& c, uint64_t addr));

}  // namespace dtruss::structs

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
