// Extended attributes: flags and struct xattr_args.

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/xattr.h>
constexpr FlagName kXattrBits[] = {F(XATTR_CREATE), F(XATTR_REPLACE)};
constexpr FlagTable kXattrFlags = bits_table("xattr_flags", kXattrBits);

// include/uapi/linux/xattr.h (Linux 6.13): setxattrat/getxattrat.
struct xattr_args {
  uint64_t value;  // __aligned_u64 pointer to the value buffer
  uint32_t size;
  uint32_t flags;
};
static_assert(sizeof(xattr_args) == 16);

Value decode_xattr_args(const ArgContext& c) {
  xattr_args a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("value", a.value == 0 ? Value::null() : Value::hex(a.value));
  FIELD(v, a, size, Value::uinteger);
  v.add("flags", flags(kXattrFlags, a.flags));
  return v;
}

constexpr Entry kStructs[] = {
    {"xattr_args", sizeof(xattr_args), decode_xattr_args},
};

constexpr const FlagTable* kTables[] = {&kXattrFlags};

}  // namespace

Subject subject_xattr() {
  return {"xattr", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
