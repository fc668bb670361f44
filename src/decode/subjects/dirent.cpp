// Directory records of getdents and getdents64.

#include <dirent.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

// struct linux_dirent of getdents(2): fs/readdir.c (the kernel's own definition; d_type is the
// last byte of each record, after the name's NUL and padding).
struct linux_dirent_head {
  unsigned long d_ino;
  unsigned long d_off;
  unsigned short d_reclen;
};
constexpr size_t kLinuxDirentName = 18;  // offsetof(struct linux_dirent, d_name) in fs/readdir.c
static_assert(offsetof(linux_dirent_head, d_reclen) + sizeof(unsigned short) == kLinuxDirentName);

// struct linux_dirent64 (include/linux/dirent.h) is glibc's struct dirent64 on x86_64 up to
// d_name.
constexpr size_t kDirent64Name = offsetof(struct dirent64, d_name);
static_assert(kDirent64Name == 19);

// <dirent.h>
constexpr FlagName kDirentTypes[] = {F(DT_UNKNOWN), F(DT_FIFO), F(DT_CHR),  F(DT_DIR), F(DT_BLK),
                                     F(DT_REG),     F(DT_LNK),  F(DT_SOCK), F(DT_WHT)};
constexpr FlagTable kDirentType = tables::enum_table("d_type", kDirentTypes);

// The bytes of records: the return value, never more than the buffer's size (argument 2).
size_t dirent_bytes(const ArgContext& c) {
  if (!c.ev.returned() || c.ev.ret <= 0) return 0;
  auto n = static_cast<uint64_t>(c.ev.ret);
  return static_cast<size_t>(std::min<uint64_t>(n, static_cast<uint32_t>(c.other(2))));
}

struct DirentRecord {
  uint64_t ino;
  int64_t off;
  uint16_t reclen;
  uint8_t type;
  std::string name;
};

// Reads the NUL-terminated name in [addr, addr + len); false on a fault.
bool read_name(const MemoryReader& mem, uint64_t addr, size_t len, std::string* out) {
  len = std::min<size_t>(len, 256);  // NAME_MAX + 1
  char buf[256];
  if (len > 0 && mem.read(addr, buf, len) != len) return false;
  size_t n = 0;
  while (n < len && buf[n] != '\0') ++n;
  out->assign(buf, n);
  return true;
}

// One record at `addr` with `left` bytes of the buffer remaining from it; false if it cannot be
// read or its length does not fit.
bool read_dirent64(const MemoryReader& mem, uint64_t addr, size_t left, DirentRecord* r) {
  struct dirent64 d {};
  if (left < kDirent64Name + 1) return false;
  if (mem.read(addr, &d, kDirent64Name) != kDirent64Name) return false;
  if (d.d_reclen < kDirent64Name + 1 || d.d_reclen > left) return false;
  r->ino = d.d_ino;
  r->off = d.d_off;
  r->reclen = d.d_reclen;
  r->type = d.d_type;
  return read_name(mem, addr + kDirent64Name, d.d_reclen - kDirent64Name, &r->name);
}

bool read_linux_dirent(const MemoryReader& mem, uint64_t addr, size_t left, DirentRecord* r) {
  linux_dirent_head d{};
  // A name's NUL and the d_type byte at least.
  if (left < kLinuxDirentName + 2) return false;
  if (!read_struct(mem, addr, &d)) return false;
  if (d.d_reclen < kLinuxDirentName + 2 || d.d_reclen > left) return false;
  r->ino = d.d_ino;
  r->off = static_cast<int64_t>(d.d_off);
  r->reclen = d.d_reclen;
  if (mem.read(addr + d.d_reclen - 1, &r->type, 1) != 1) return false;
  return read_name(mem, addr + kLinuxDirentName, d.d_reclen - kLinuxDirentName - 1, &r->name);
}

constexpr size_t kDirentsShown = 4;  // records shown without -v
// The most bytes those records take: a 255-byte name, its NUL and the head, aligned to 8 (the
// kernel's d_reclen). A backend copies no more than that of the (up to 32 KiB) it returned.
constexpr uint32_t kDirentMax = (offsetof(struct dirent64, d_name) + 256 + 7) / 8 * 8;
static_assert(kDirentMax >= (kLinuxDirentName + 257 + 7) / 8 * 8);
constexpr uint32_t kDirentsBrief = kDirentsShown * kDirentMax;

Value decode_dirents(const ArgContext& c,
                     bool (*one)(const MemoryReader&, uint64_t, size_t, DirentRecord*)) {
  size_t bytes = dirent_bytes(c);
  size_t max = c.opt.verbose ? kMaxArrayElements : kDirentsShown;
  Value arr = Value::array();
  size_t off = 0;
  while (off < bytes) {
    if (arr.items.size() == max) {
      arr.truncated = true;
      break;
    }
    DirentRecord r;
    if (!one(c.mem, c.raw + off, bytes - off, &r)) {
      if (off == 0) return Value::unreadable(c.raw);
      arr.truncated = true;
      break;
    }
    Value e = Value::structure();
    e.add("d_ino", Value::uinteger(r.ino));
    e.add("d_off", Value::integer(r.off));
    e.add("d_reclen", Value::uinteger(r.reclen));
    e.add("d_type", enum_or_number(kDirentType, r.type));
    e.add("d_name", Value::string(std::move(r.name), false));
    arr.add({}, std::move(e));
    off += r.reclen;
  }
  return arr;
}

Value decode_dirent64(const ArgContext& c) {
  return decode_dirents(c, read_dirent64);
}
Value decode_linux_dirent(const ArgContext& c) {
  return decode_dirents(c, read_linux_dirent);
}

constexpr Entry kStructs[] = {
    {"dirent64", 0, decode_dirent64, kDirentsBrief},
    {"linux_dirent", 0, decode_linux_dirent, kDirentsBrief},
};

constexpr const FlagTable* kTables[] = {&kDirentType};

}  // namespace

Subject subject_dirent() {
  return {"dirent", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
