// User and group ids: the id arrays of getgroups/setgroups.

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

Value one_id(const ArgContext& c, uint64_t addr) {
  uint32_t id = 0;
  if (!read_struct(c.mem, addr, &id)) return Value::unreadable(addr);
  return id_value(id);
}

Value decode_ids(const ArgContext& c) {
  // getgroups(0, list) returns the number of groups without writing the list.
  if (c.ev.nr == SYS_getgroups && static_cast<int32_t>(c.other(0)) <= 0) return Value::hex(c.raw);
  size_t n = 1;
  if (c.arg.len == kLenRet) {
    n = element_count(c, 0);
  } else if (c.arg.len >= 0) {
    // The count argument is a C int (the kernel reads its low half): a negative one counts none.
    int32_t count = static_cast<int32_t>(c.other(c.arg.len));
    n = count < 0 ? 0 : std::min(static_cast<size_t>(count), kMaxArrayElements);
  }
  if (n == 0) return Value::array();
  return decode_array(c, n, sizeof(uint32_t), kMaxArrayElements, one_id);
}

constexpr Entry kStructs[] = {
    {"uid_t", sizeof(uint32_t), decode_ids},
    {"gid_t", sizeof(uint32_t), decode_ids},
};

}  // namespace

Subject subject_creds() {
  return {"creds", {}, kStructs, {}};
}

}  // namespace dtruss::structs
