// The decoded form of an argument or a return value: a small typed tree that the text, JSON and
// summary sinks render each in their own way. Decoders build Values; they never print.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dtruss {

struct Field;

class Value {
 public:
  enum class Type : uint8_t {
    Int,         // signed number (num holds the two's complement bits)
    UInt,        // unsigned number
    Hex,         // an address or opaque value, shown in hex
    Octal,       // permission bits, shown as 0644
    Symbol,      // a name or expression of names in `text` ("O_RDONLY|O_CLOEXEC"); raw in num
    String,      // bytes in `text`; `truncated` when cut short
    Null,        // a NULL pointer
    Unreadable,  // a pointer whose memory could not be read; the address in num
    Struct,      // named fields in `items`
    Array,       // elements in `items` (names empty); `truncated` when elements were left out
    Count,       // an abbreviated array: num elements of the kind named in `text` ("vars")
    Changed,     // a field the call read and wrote back: items "in" (as passed), "out" (as left)
  };

  Value() = default;
  // Defined below, once Field is complete: clang with libstdc++ instantiates the destructor of
  // std::vector<Field> (constexpr in C++20) where a Value is returned by value.
  static Value integer(int64_t v);
  static Value uinteger(uint64_t v);
  static Value hex(uint64_t v);
  static Value octal(uint64_t v);
  static Value null();
  static Value unreadable(uint64_t addr);
  static Value symbol(std::string text, uint64_t raw);
  static Value string(std::string bytes, bool truncated);
  static Value structure();
  static Value array();
  static Value count(uint64_t n, std::string unit);
  // A field of an in/out struct that the call changed: shown `in => out`, as strace does.
  static Value changed(Value in, Value out);

  Value& add(std::string name, Value v);  // appends a field (Struct) or element (Array)

  int64_t as_int() const { return static_cast<int64_t>(num); }

  Type type = Type::Int;
  bool truncated = false;
  uint64_t num = 0;
  std::string text;
  // For an fd: what it refers to (`-y`), e.g. "/etc/hosts"; empty when unknown.
  std::string note;
  std::vector<Field> items;

 private:
  Value(Type t, uint64_t n);
};

struct Field {
  std::string name;
  Value value;
};

inline Value::Value(Type t, uint64_t n) : type(t), num(n) {}
inline Value Value::integer(int64_t v) {
  return Value(Type::Int, static_cast<uint64_t>(v));
}
inline Value Value::uinteger(uint64_t v) {
  return Value(Type::UInt, v);
}
inline Value Value::hex(uint64_t v) {
  return Value(Type::Hex, v);
}
inline Value Value::octal(uint64_t v) {
  return Value(Type::Octal, v);
}
inline Value Value::null() {
  return Value(Type::Null, 0);
}
inline Value Value::unreadable(uint64_t addr) {
  return Value(Type::Unreadable, addr);
}
inline Value Value::symbol(std::string text, uint64_t raw) {
  Value v(Type::Symbol, raw);
  v.text = std::move(text);
  return v;
}
inline Value Value::string(std::string bytes, bool truncated) {
  Value v(Type::String, 0);
  v.text = std::move(bytes);
  v.truncated = truncated;
  return v;
}
inline Value Value::structure() {
  return Value(Type::Struct, 0);
}
inline Value Value::array() {
  return Value(Type::Array, 0);
}
inline Value Value::count(uint64_t n, std::string unit) {
  Value v(Type::Count, n);
  v.text = std::move(unit);
  return v;
}

inline Value Value::changed(Value in, Value out) {
  Value v(Type::Changed, 0);
  v.add("in", std::move(in));
  v.add("out", std::move(out));
  return v;
}

inline Value& Value::add(std::string name, Value v) {
  items.push_back(Field{std::move(name), std::move(v)});
  return items.back().value;
}

}  // namespace dtruss
