#include "util/text.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace dtruss {
namespace {
constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = static_cast<uint8_t>(s[i]);
  size_t n;
  uint32_t cp;
  if (b < 0x80) return 1;
  if ((b & 0xe0) == 0xc0) {
    n = 2;
    cp = b & 0x1f;
  } else if ((b & 0xf0) == 0xe0) {
    n = 3;
    cp = b & 0x0f;
  } else if ((b & 0xf8) == 0xf0) {
    n = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<uint8_t>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  return n;
}

// The code point of a valid UTF-8 sequence.
uint32_t code_point(std::string_view seq) {
  auto b = static_cast<uint8_t>(seq[0]);
  uint32_t cp = seq.size() == 1 ? b : b & (0x7f >> seq.size());
  for (size_t k = 1; k < seq.size(); ++k) cp = (cp << 6) | (static_cast<uint8_t>(seq[k]) & 0x3f);
  return cp;
}

// C1 controls (U+0080-U+009F: U+009B is a CSI to some terminals), the bidirectional embeddings,
// overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder what is shown, and the line
// and paragraph separators (U+2028, U+2029).
bool invisible_control(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}
// The escape C and JSON strings share for a byte (\n, \t, \r and the backslash), or nullptr.
const char* short_escape(uint8_t c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    case '\\':
      return "\\\\";
    default:
      return nullptr;
  }
}
}  // namespace

void append_escaped(std::string& out, std::string_view bytes, std::string_view also) {
  // Bytes shown as they are (printable ASCII but the backslash and `also`) go in runs, at once:
  // most text is all one run (-s writes a few names per frame per call).
  auto plain = [also](char ch) {
    auto c = static_cast<uint8_t>(ch);
    return c >= 0x20 && c < 0x7f && c != '\\' && also.find(ch) == std::string_view::npos;
  };
  for (size_t i = 0; i < bytes.size(); ++i) {
    size_t run = i;
    while (run < bytes.size() && plain(bytes[run])) ++run;
    out.append(bytes.data() + i, run - i);
    if (run == bytes.size()) break;
    i = run;
    char ch = bytes[i];
    auto c = static_cast<uint8_t>(ch);
    if (also.find(ch) != std::string_view::npos) {
      if (ch == '"') {
        out += "\\\"";
      } else {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      continue;
    }
    if (const char* e = short_escape(c)) {
      out += e;
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

std::string escaped(std::string_view bytes, std::string_view also) {
  std::string out;
  append_escaped(out, bytes, also);
  return out;
}

void append_c_escaped(std::string& out, std::string_view bytes) {
  append_escaped(out, bytes, "\"");
}

void append_json_string(std::string& out, std::string_view bytes) {
  out += '"';
  for (size_t i = 0; i < bytes.size();) {
    auto c = static_cast<uint8_t>(bytes[i]);
    if (c >= 0x80) {
      size_t n = utf8_length(bytes, i);
      if (n > 0) {
        uint32_t cp = code_point(bytes.substr(i, n));
        if (invisible_control(cp)) {
          out += "\\u";
          for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
        } else {
          out.append(bytes.substr(i, n));
        }
        i += n;
        continue;
      }
    }
    if (c == '"') {
      out += "\\\"";
    } else if (const char* e = short_escape(c)) {
      out += e;
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  out += '"';
}

bool parse_decimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  *out = v;
  return true;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_hex(std::string& out, uint64_t v) {
  char buf[24] = {'0', 'x'};
  auto r = std::to_chars(buf + 2, buf + sizeof buf, v, 16);
  out.append(buf, r.ptr);
}

void append_right(std::string& out, std::string_view text, size_t width) {
  if (text.size() < width) out.append(width - text.size(), ' ');
  out += text;
}

}  // namespace dtruss
