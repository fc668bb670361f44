// The helpers of common.h.
#include "decode/subjects/common.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/sysmacros.h>

#include <cstring>
#include <string_view>

#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros
#include "syscalls/table.h"

namespace dtruss::structs {
namespace {

// <fcntl.h> (glibc's copies of the S_IF* of <linux/stat.h>).
constexpr FlagName kFileTypes[] = {F(S_IFREG), F(S_IFDIR), F(S_IFLNK), F(S_IFCHR),
                                   F(S_IFBLK), F(S_IFIFO), F(S_IFSOCK)};
constexpr FlagName kModeSpecial[] = {F(S_ISUID), F(S_ISGID), F(S_ISVTX)};

// makedev(0x8, 0x1); a zero part is plain 0, as C's %#x prints it.
std::string hex_or_zero(uint32_t n) {
  return n == 0 ? "0" : fmt::format("{:#x}", n);
}

}  // namespace

// S_IFREG|S_ISUID|0755: the file type by name, the set-id and sticky bits, the permissions.
Value mode_value(uint32_t mode) {
  std::string s;
  uint32_t type = mode & S_IFMT;
  if (type != 0) {
    const char* name = nullptr;
    for (const FlagName& f : kFileTypes)
      if (f.value == type) name = f.name;
    s = name != nullptr ? std::string(name) : fmt::format("{:#o}", type);
  }
  for (const FlagName& f : kModeSpecial) {
    if ((mode & f.value) == 0) continue;
    if (!s.empty()) s += '|';
    s += f.name;
  }
  uint32_t perm = mode & 0777;
  uint32_t rest = mode & ~static_cast<uint32_t>(S_IFMT | 07777);
  if (!s.empty()) s += '|';
  s += fmt::format("{:#o}", perm);
  if (rest != 0) s += fmt::format("|{:#x}", rest);
  return Value::symbol(std::move(s), mode);
}

Value dev_value(uint32_t maj, uint32_t min, uint64_t raw) {
  return Value::symbol(fmt::format("makedev({}, {})", hex_or_zero(maj), hex_or_zero(min)), raw);
}
Value dev_value(uint64_t dev) {
  return dev_value(major(dev), minor(dev), dev);
}

// A uid or gid; (uid_t)-1 as -1.
Value id_value(uint32_t id) {
  return id == UINT32_MAX ? Value::integer(-1) : Value::uinteger(id);
}

Value timespec_value(const __kernel_timespec& ts) {
  return timespec_value(ts.tv_sec, ts.tv_nsec);
}
Value timeval_value(const __kernel_old_timeval& tv) {
  return timeval_value(tv.tv_sec, tv.tv_usec);
}

// Bytes as one hex number, most significant first in memory order: 0x0102abcd.
std::string hex_number(const unsigned char* p, size_t n) {
  std::string s = "0x";
  for (size_t i = 0; i < n; ++i) s += fmt::format("{:02x}", p[i]);
  return s;
}

// A bit set through a table (hex without one).
Value flags_value(const FlagTable* t, uint64_t v) {
  if (t == nullptr) return Value::hex(v);
  return Value::symbol(format_flags(*t, v), v);
}

// One value of an enum table: its name, or the number when it has none.
Value enum_value(const FlagTable* t, int64_t v) {
  if (t != nullptr)
    if (const char* name = enum_name(*t, static_cast<uint64_t>(v)))
      return Value::symbol(name, static_cast<uint64_t>(v));
  return Value::integer(v);
}

std::string hex_digits(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 0xf];
  }
  return s;
}

// The index of c.arg among its syscall's arguments, or -1.
int arg_index(const ArgContext& c) {
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  if (info == nullptr) return -1;
  for (int i = 0; i < info->nargs; ++i)
    if (&info->args[i] == &c.arg) return i;
  for (int i = 0; i < info->nargs; ++i)
    if (std::strcmp(info->args[i].name, c.arg.name) == 0) return i;
  return -1;
}

// The index of the argument named `name` of the current syscall, or -1.
int arg_named(const ArgContext& c, const char* name) {
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  if (info == nullptr) return -1;
  for (int i = 0; i < info->nargs; ++i)
    if (std::strcmp(info->args[i].name, name) == 0) return i;
  return -1;
}

// A single struct (epoll_ctl, io_cancel) or an array counted by an argument or the return value
// (epoll_wait, io_getevents).
Value one_or_array(const ArgContext& c, size_t size, Value (*one)(const ArgContext&, uint64_t)) {
  if (c.arg.len == kNoLen) return one(c, c.raw);
  return decode_array(c, element_count(c, 1), size, kMaxArrayElements, one);
}

Value timeval_value(const struct timeval& tv) {
  return timeval_value(tv.tv_sec, tv.tv_usec);
}

// A fixed char array that may lack its NUL.
Value char_array(const char* p, size_t n) {
  return Value::string(std::string(p, strnlen(p, n)), false);
}

}  // namespace dtruss::structs
