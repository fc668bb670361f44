#include "decode/structs.h"

#include <linux/time_types.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/subjects/subject.h"

namespace dtruss {
namespace structs {

Value flags(const FlagTable& t, uint64_t v) {
  return Value::symbol(format_flags(t, v), v);
}

Value flags(TableId id, uint64_t v) {
  const FlagTable* t = flag_table(id);
  return t != nullptr ? flags(*t, v) : Value::hex(v);
}

Value enum_or_hex(const FlagTable& t, uint64_t v) {
  if (const char* name = enum_name(t, v)) return Value::symbol(name, v);
  return Value::hex(v);
}

Value enum_or_hex(TableId id, uint64_t v) {
  const FlagTable* t = flag_table(id);
  return t != nullptr ? enum_or_hex(*t, v) : Value::hex(v);
}

Value enum_or_number(const FlagTable& t, uint64_t v) {
  if (const char* name = enum_name(t, v)) return Value::symbol(name, v);
  return Value::uinteger(v);
}

Value enum_or_number(TableId id, uint64_t v) {
  const FlagTable* t = flag_table(id);
  return t != nullptr ? enum_or_number(*t, v) : Value::uinteger(v);
}

Value ptr_value(uint64_t p) {
  return p == 0 ? Value::null() : Value::hex(p);
}

Value timespec_value(int64_t sec, int64_t nsec) {
  Value v = Value::structure();
  v.add("tv_sec", Value::integer(sec));
  v.add("tv_nsec", Value::integer(nsec));
  return v;
}

Value timeval_value(int64_t sec, int64_t usec) {
  Value v = Value::structure();
  v.add("tv_sec", Value::integer(sec));
  v.add("tv_usec", Value::integer(usec));
  return v;
}

namespace {

Value decode_timespec(const ArgContext& c) {
  __kernel_timespec ts{};
  if (!read_struct(c.mem, c.raw, &ts)) return Value::unreadable(c.raw);
  return timespec_value(ts.tv_sec, ts.tv_nsec);
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

// An int out-parameter (wait4's status, accept's addrlen), shown as [value] like strace.
Value decode_int(const ArgContext& c) {
  int32_t i = 0;
  if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, Value::integer(i));
  return v;
}

Value decode_u64(const ArgContext& c) {
  uint64_t i = 0;
  if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, Value::uinteger(i));
  return v;
}

Value decode_ptr(const ArgContext& c) {
  uint64_t p = 0;
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, p == 0 ? Value::null() : Value::hex(p));
  return v;
}

constexpr Entry kBasic[] = {
    {"timespec", sizeof(__kernel_timespec), decode_timespec},
    {"int_pair", 2 * sizeof(int32_t), decode_int_pair},
    {"int", sizeof(int32_t), decode_int},
    {"u64", sizeof(uint64_t), decode_u64},
    {"ptr", sizeof(uint64_t), decode_ptr},
};

// The basic structs, then every subject's.
std::vector<List> every_list() {
  std::vector<List> lists{basic_structs()};
  for (const Subject& s : all_subjects()) lists.push_back(s.structs);
  return lists;
}

// The decoder of each StructId, resolved by name once.
struct ById {
  std::array<const Entry*, kStructIdCount> entry{};
  ById() {
    for (List list : every_list()) {
      for (const Entry& e : list) {
        for (size_t id = 1; id < kStructIdCount; ++id)
          if (entry[id] == nullptr && e.type == struct_name(static_cast<StructId>(id)))
            entry[id] = &e;
      }
    }
  }
};

const ById& by_id() {
  static const ById b;
  return b;
}

// The decoder of a type name, for the struct types that choice tables select.
const Entry* by_name(std::string_view type) {
  static const auto map = [] {
    std::unordered_map<std::string_view, const Entry*> m;
    for (List list : every_list())
      for (const Entry& e : list) m.emplace(e.type, &e);
    return m;
  }();
  auto it = map.find(type);
  return it == map.end() ? nullptr : it->second;
}

}  // namespace

List basic_structs() {
  return kBasic;
}

size_t element_count(const ArgContext& c, size_t fallback) {
  size_t n = fallback;
  if (!length_of(c, &n)) n = fallback;
  return std::min(n, kMaxArrayElements);
}

Value decode_array(const ArgContext& c, size_t count, size_t size, size_t max,
                   Value (*one)(const ArgContext& c, uint64_t addr)) {
  Value arr = Value::array();
  for (size_t i = 0; i < count; ++i) {
    if (i == max) {
      arr.truncated = true;
      break;
    }
    Value v = one(c, c.raw + i * size);
    if (v.type == Value::Type::Unreadable) {
      if (i == 0) return Value::unreadable(c.raw);
      arr.truncated = true;
      break;
    }
    arr.add({}, std::move(v));
  }
  return arr;
}

}  // namespace structs

namespace {

// The decoder entry of a struct type, or nullptr when it has none.
const structs::Entry* entry_of(StructId id) {
  auto i = static_cast<size_t>(id);
  const auto& entries = structs::by_id().entry;
  return i < entries.size() ? entries[i] : nullptr;
}

}  // namespace

Value decode_struct_arg(const ArgContext& c) {
  const structs::Entry* e = entry_of(c.arg.strct);
  return e != nullptr ? e->fn(c) : Value::hex(c.raw);
}

uint32_t struct_size(StructId id) {
  const structs::Entry* e = entry_of(id);
  return e != nullptr ? e->size : 0;
}

uint32_t struct_brief_size(StructId id) {
  const structs::Entry* e = entry_of(id);
  if (e == nullptr) return 0;
  return e->brief != 0 ? e->brief : e->size;
}

uint32_t records_brief_max(StructId id) {
  const structs::Entry* e = entry_of(id);
  return e != nullptr && e->size == 0 ? e->brief : 0;
}

Value decode_struct_type(std::string_view type, const ArgContext& c) {
  const structs::Entry* e = structs::by_name(type);
  return e != nullptr ? e->fn(c) : Value::hex(c.raw);
}

uint32_t struct_type_size(std::string_view type) {
  const structs::Entry* e = structs::by_name(type);
  return e != nullptr ? e->size : 0;
}

bool has_struct_type(std::string_view type) {
  return structs::by_name(type) != nullptr;
}

}  // namespace dtruss
