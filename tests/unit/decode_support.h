// What the decoder unit tests share: synthetic events, captured bytes, rendered values.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/event.h"
#include "core/value.h"
#include "decode/choices.h"
#include "decode/decoder.h"
#include "decode/structs.h"
#include "output/render.h"
#include "syscalls/capture.h"

namespace dtruss::unit {

// Where the synthetic events' pointers point: a struct or buffer, and a length.
constexpr uint64_t kPtr = 0x7ffd1000;
constexpr uint64_t kLenPtr = 0x7ffd2000;

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

// Argument `i` of `ev` as JSON.
inline std::string arg_json(const SyscallEvent& ev, int i, bool verbose = false) {
  std::string js;
  arg(ev, i, verbose, &js);
  return js;
}

// The bytes of `v` as if captured at `addr`.
template <typename T>
void capture(SyscallEvent& ev, uint64_t addr, const T& v) {
  ev.captures.add(addr, &v, sizeof(v));
}

// The bytes of `v` as the backend copied them at entry, for an in/out argument (as passed).
template <typename T>
void capture_before(SyscallEvent& ev, uint64_t addr, const T& v) {
  ev.before.add(addr, &v, sizeof(v));
}

// The capture plans the unit tests expect: whole structs, choices that read memory, with the
// decoders' struct sizes and choice captures, as the application builds them.
inline const CapturePlans& test_plans() {
  static const CapturePlans plans = [] {
    CaptureLimits lim;
    lim.struct_size = struct_size;
    lim.choice_captures = choice_captures;
    return CapturePlans(lim);
  }();
  return plans;
}

// A suite whose tests read the capture plans.
class CapturePlansTest : public ::testing::Test {};

// The step of `plan` for argument `arg` (at entry or at exit), or nullptr.
inline const CaptureStep* step_of(const CapturePlan& plan, int arg, bool exit) {
  const CaptureStep* steps = exit ? plan.exit : plan.entry;
  const uint8_t n = exit ? plan.n_exit : plan.n_entry;
  for (uint8_t i = 0; i < n; ++i)
    if (steps[i].arg == arg) return &steps[i];
  return nullptr;
}

}  // namespace dtruss::unit
