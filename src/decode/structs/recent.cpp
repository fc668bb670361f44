// Struct decoders of calls newer than the build machine's headers (Debian 12: Linux 6.1 uapi)
// that the other families do not have: file_getattr/file_setattr's file_attr (its layout that
// of Linux 6.18's include/uapi/linux/fs.h) and arrays of 64-bit ids (listmount,
// lsm_list_modules). cachestat's, the *xattrat calls' and statmount's structs are in file.cpp.
#include <cstdint>

#include "decode/structs/registry.h"
#include "decode/tables/registry.h"

namespace dtruss::structs {
namespace {

// include/uapi/linux/fs.h (Linux 6.17): file_getattr's and file_setattr's attributes.
struct file_attr {
  uint64_t fa_xflags;
  uint32_t fa_extsize;
  uint32_t fa_nextents;
  uint32_t fa_projid;
  uint32_t fa_cowextsize;
};
static_assert(sizeof(file_attr) == 24);

Value decode_file_attr(const ArgContext& c) {
  file_attr a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("fa_xflags", Value::hex(a.fa_xflags));
  v.add("fa_extsize", Value::uinteger(a.fa_extsize));
  v.add("fa_nextents", Value::uinteger(a.fa_nextents));
  v.add("fa_projid", Value::uinteger(a.fa_projid));
  v.add("fa_cowextsize", Value::uinteger(a.fa_cowextsize));
  return v;
}

Value one_u64(const ArgContext&, uint64_t addr, const MemoryReader& mem) {
  uint64_t v = 0;
  if (!read_struct(mem, addr, &v)) return Value::unreadable(addr);
  return Value::uinteger(v);
}

// An array of 64-bit ids counted by the return value (listmount's mount ids, lsm_list_modules'
// module ids).
Value decode_u64_array(const ArgContext& c) {
  return decode_array(
      c, element_count(c, 1), sizeof(uint64_t), kMaxArrayElements,
      [](const ArgContext& ctx, uint64_t addr) { return one_u64(ctx, addr, ctx.mem); });
}

constexpr Entry kRecent[] = {
    {"file_attr", sizeof(file_attr), decode_file_attr},
    {"u64_array", sizeof(uint64_t), decode_u64_array},
};

}  // namespace

List recent_structs() {
  return kRecent;
}

}  // namespace dtruss::structs
