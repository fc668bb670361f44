// How the struct decoder families (src/decode/structs/*.cpp) hand their decoders to structs.cpp:
// each family exposes a span of entries; structs.cpp resolves them by StructId once.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/value.h"
#include "decode/decoder.h"
#include "decode/flags.h"

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

List basic_structs();     // structs.cpp: int, int_pair, u64, ptr, timespec
List file_structs();      // structs/file.cpp: stat, statx, statfs, dirents, open_how, times ...
List net_structs();       // structs/net.cpp: sockaddr, msghdr, iovec, pollfd, fd_set, epoll ...
List process_structs();   // structs/process.cpp: signals, rlimit, rusage, utsname, clone_args ...
List misc_structs();      // structs/misc.cpp: termios, winsize, seccomp's, mincore's vec, ustat
List choice_structs();    // structs/choice.cpp: flock, f_owner_ex, task_comm, fd arrays ...
List io_uring_structs();  // structs/io_uring.cpp: io_uring_register's probe, updates, rings ...
List quota_structs();     // structs/quota.cpp: quotactl's next quota and XFS quota structs
List recent_structs();    // structs/recent.cpp: calls newer than the build machine's headers

// Shared helpers for decoders.

// A value through a flag table; through a table named `table` of src/decode/tables (hex when
// there is none).
Value flags(const FlagTable& t, uint64_t v);
Value named_flags(const char* table, uint64_t v);
// One value of an enum table; when it has no name, in hex (magic numbers) or in decimal.
Value enum_or_hex(const FlagTable& t, uint64_t v);
Value enum_or_number(const FlagTable& t, uint64_t v);
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
