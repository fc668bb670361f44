// POSIX message queues: struct mq_attr.

#include <mqueue.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/if_packet.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

// <fcntl.h>: the one flag of mq_attr.mq_flags.
constexpr FlagName kMqFlagBits[] = {F(O_NONBLOCK)};
constexpr FlagTable kMqFlags = tables::bits_table("mq_flags", kMqFlagBits);

Value decode_mq_attr(const ArgContext& c) {
  mq_attr a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("mq_flags", flags_value(&kMqFlags, static_cast<uint64_t>(a.mq_flags)));
  FIELD(v, a, mq_maxmsg, Value::integer);
  FIELD(v, a, mq_msgsize, Value::integer);
  FIELD(v, a, mq_curmsgs, Value::integer);
  return v;
}

constexpr Entry kStructs[] = {
    {"mq_attr", sizeof(mq_attr), decode_mq_attr},
};

constexpr const FlagTable* kTables[] = {&kMqFlags};

}  // namespace

Subject subject_mqueue() {
  return {"mqueue", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
