// Rendering of Values as text (dtruss/strace style) and as JSON.
#pragma once

#include <string>

#include "core/value.h"

namespace dtruss {

enum class TextStyle : uint8_t {
  Decoded,  // O_RDONLY|O_CLOEXEC
  Verbose,  // 0x80000 /* O_RDONLY|O_CLOEXEC */  (-X verbose)
};

void append_text(std::string& out, const Value& v, TextStyle style = TextStyle::Decoded);
void append_json(std::string& out, const Value& v);
// A PID translated by --pidns-translation: {"ns":1,"host":2345}.
void append_json_pid(std::string& out, const Value& v);

struct DecodedCall;
// What a successful call wrote back into its in/out arguments (DecodedCall::after), to follow its
// result: ` (in [3], left {tv_sec=4, tv_usec=999})` as text, `,"after":{"inp":[3],...}` as JSON
// (by argument name); nothing when it wrote none back.
void append_after_text(std::string& out, const DecodedCall& call, TextStyle style);
void append_after_json(std::string& out, const DecodedCall& call);

}  // namespace dtruss
