// The x86_64 syscall table: numbers, names, argument names and C types from the kernel, and the
// hand-written meaning of each argument (its kind). The data is generated (syscall_table.inc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace dtruss {

// How an argument's raw value (and the memory it points to) is shown.
enum class ArgKind : uint8_t {
  Int,     // signed decimal
  UInt,    // unsigned decimal
  Hex,     // an address or opaque value
  Size,    // a byte count
  Off,     // a file offset
  Fd,      // a file descriptor
  Dirfd,   // a directory fd for *at() calls (AT_FDCWD)
  Pid,     // a process or thread id
  Uid,     // a user or group id (-1 = unchanged)
  Signal,  // a signal number
  Mode,    // permission bits, octal
  Path,    // a NUL-terminated path, always shown whole
  String,  // a NUL-terminated string, cut at --strsize
  Buffer,  // a data buffer; its length comes from another argument or the return value
  Flags,   // a bit set named by a flag table
  Enum,    // one value named by an enum table
  Argv,    // a NULL-terminated array of strings
  Envp,    // a NULL-terminated array of strings, shown as a count unless verbose
  Struct,  // a struct (or array of structs) of a named type
  Select,  // shown as another argument's value selects, by a choice table (fcntl's arg by cmd)
};

// Whether the kernel reads the memory behind an argument (In), writes it (Out) or both (InOut);
// OutIntr: it writes it only when a signal interrupts the call (nanosleep's rem).
enum class Dir : uint8_t { In, Out, InOut, OutIntr };

enum class RetKind : uint8_t { Int, Fd, Hex, Pid, Size, Uid, NoReturn };

// Named flag, enum and choice tables (src/decode/tables) and struct types (src/decode) that the
// overrides refer to; the lists are generated from overrides.txt.
enum class TableId : uint16_t {
  none,
#define X(name) name,
#include "syscalls/table_ids.inc"
#undef X
};
enum class StructId : uint16_t {  // enumerators are s_TYPE (TYPE may be a C keyword: int)
  none,
#define X(name) s_##name,
#include "syscalls/struct_ids.inc"
#undef X
};

#define X(name) +1
inline constexpr size_t kTableIdCount = 1
#include "syscalls/table_ids.inc"
    ;
inline constexpr size_t kStructIdCount = 1
#include "syscalls/struct_ids.inc"
    ;
#undef X

// Syscall classes, as strace names them (-t %file).
enum : uint16_t {
  kClassFile = 1 << 0,
  kClassDesc = 1 << 1,
  kClassNetwork = 1 << 2,
  kClassProcess = 1 << 3,
  kClassSignal = 1 << 4,
  kClassIpc = 1 << 5,
  kClassMemory = 1 << 6,
  kClassCreds = 1 << 7,
  kClassClock = 1 << 8,
};

// ArgInfo::len: which argument holds a buffer's length or an array's count; for
// ArgKind::Select, which argument selects the choice.
inline constexpr int8_t kNoLen = -1;
inline constexpr int8_t kLenRet = -2;  // the return value (bytes actually transferred)
// The int that argument `i` points to, read with the data (getsockopt's *optlen after the call).
constexpr int8_t len_at(int i) {
  return static_cast<int8_t>(-3 - i);
}
// The pages that the byte count in argument `i` spans (mincore's vec: a byte per page of len).
constexpr int8_t len_pages(int i) {
  return static_cast<int8_t>(-9 - i);
}
// Pages are 4 KiB on x86_64.
inline constexpr uint64_t kPageSize = 4096;

struct ArgInfo {
  const char* name;   // the kernel's name for the argument
  const char* ctype;  // the kernel's C type
  ArgKind kind;
  Dir dir;
  TableId table;
  StructId strct;
  int8_t len;
  // An in/out argument shown as passed, and after the result as `after VALUE`: what the call
  // wrote back (select's `left {...}`). nullptr: shown once (as the call left it, for InOut).
  const char* after = nullptr;
  // The kernel reads the argument from the register's low 32 bits only (its C type is an int, a
  // pid_t, a u32 ...): the decoder truncates it (and sign-extends a signed one) as the kernel does.
  bool narrow = false;
};

inline constexpr int kMaxArgs = 6;

struct SyscallInfo {
  int nr;
  const char* name;
  int nargs;
  RetKind ret;
  uint16_t classes;
  ArgInfo args[kMaxArgs];
};

// Every syscall of the table, in number order.
std::span<const SyscallInfo> all_syscalls();
// nullptr for a number the table does not know.
const SyscallInfo* syscall_by_nr(long nr);
const SyscallInfo* syscall_by_name(std::string_view name);
// The class bit for "%file" style names (with or without the %), or nullopt.
std::optional<uint16_t> class_by_name(std::string_view name);
std::span<const std::string_view> class_names();
const char* table_name(TableId id);
const char* struct_name(StructId id);

}  // namespace dtruss
