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

}  // namespace dtruss
