// What the decoder unit tests share: synthetic events, captured bytes, rendered values.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/event.h"
#include "core/value.h"
#include "decode/decoder.h"
#include "output/render.h"

namespace dtruss::unit {

inline std::string text(const Value& v) {
  std::string s;
  append_text(s, v);
  return s;
}

inline std::string json(const Value& v) {
  std::string s;
  append_json(s, v);
  return s;
}

// A syscall event as a backend would deliver it, without captures.
inline SyscallEvent make(long nr, std::initializer_list<uint64_t> args, int64_t ret) {
  SyscallEvent ev;
  ev.nr = nr;
  size_t i = 0;
  for (uint64_t a : args) ev.args[i++] = a;
  ev.ret = ret;
  return ev;
}

// Argument `i` of `ev`, decoded and rendered as text (and, optionally, as JSON into *js).
inline std::string arg(const SyscallEvent& ev, int i, bool verbose = false,
                       std::string* js = nullptr) {
  DecodedCall call;
  Decoder({64, verbose}).decode(ev, call);
  EXPECT_LT(i, call.nargs);
  if (js != nullptr) *js = json(call.args[i]);
  return text(call.args[i]);
}

// The bytes of `v` as if captured at `addr`.
template <typename T>
void capture(SyscallEvent& ev, uint64_t addr, const T& v) {
  ev.captures.add(addr, &v, sizeof(v));
}

}  // namespace dtruss::unit
