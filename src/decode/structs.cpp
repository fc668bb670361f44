#include "decode/structs.h"

#include <linux/time_types.h>

#include <array>
#include <cstring>
#include <string_view>

namespace dtruss {
namespace {

// Reads exactly sizeof(T) bytes at addr; false on a short read.
template <typename T>
bool read_struct(const MemoryReader& mem, uint64_t addr, T* out) {
  return mem.read(addr, out, sizeof(T)) == sizeof(T);
}

Value timespec_value(const __kernel_timespec& ts) {
  Value v = Value::structure();
  v.add("tv_sec", Value::integer(ts.tv_sec));
  v.add("tv_nsec", Value::integer(ts.tv_nsec));
  return v;
}

Value decode_timespec(const ArgContext& c) {
  __kernel_timespec ts{};
  if (!read_struct(c.mem, c.raw, &ts)) return Value::unreadable(c.raw);
  return timespec_value(ts);
}

// int[2] filled by pipe, pipe2 and socketpair.
Value decode_int_pair(const ArgContext& c) {
  int32_t fds[2];
  if (!read_struct(c.mem, c.raw, &fds)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, fd_value(fds[0]));
  v.add({}, fd_value(fds[1]));
  return v;
}

Value decode_int(const ArgContext& c) {
  int32_t i = 0;
  if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, Value::integer(i));
  return v;
}


using StructDecoder = Value (*)(const ArgContext&);

struct NamedDecoder {
  std::string_view type;
  StructDecoder fn;
};
constexpr NamedDecoder kDecoders[] = {
    {"timespec", decode_timespec},
    {"int_pair", decode_int_pair},
    {"int", decode_int},
};

// The decoder of each StructId, resolved by name once.
struct ById {
  std::array<StructDecoder, kStructIdCount> fn{};
  ById() {
    for (size_t id = 1; id < kStructIdCount; ++id) {
      std::string_view name = struct_name(static_cast<StructId>(id));
      for (const auto& d : kDecoders)
        if (d.type == name) fn[id] = d.fn;
    }
  }
};

}  // namespace

Value decode_struct_arg(const ArgContext& c) {
  static const ById by_id;
  auto id = static_cast<size_t>(c.arg.strct);
  if (id < by_id.fn.size() && by_id.fn[id] != nullptr) return by_id.fn[id](c);
  return Value::hex(c.raw);
}

}  // namespace dtruss
