// Small text helpers shared by the sinks and the command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dtruss {

// Appends `bytes` as the inside of a C string literal: printable ASCII as is, \n \t \r \\ \" and
// the rest as \xNN (so binary data and non-ASCII bytes are always visible and unambiguous).
void append_c_escaped(std::string& out, std::string_view bytes);

// Appends `bytes` as a JSON string (with the quotes). Valid UTF-8 passes through; control
// characters are escaped; a byte that is not part of valid UTF-8 becomes \u00XX (its Latin-1
// reading), so the result is always valid JSON.
void append_json_string(std::string& out, std::string_view bytes);

// Numbers as the sinks write them, on every line: without a format string to parse at run time
// (which made up most of the eBPF consumer's time per event).
void append_int(std::string& out, int64_t v);    // decimal, as {}
void append_uint(std::string& out, uint64_t v);  // decimal, as {}
void append_hex(std::string& out, uint64_t v);   // 0x1f, as {:#x}
// `text` right-aligned in `width` columns, as {:>width}.
void append_right(std::string& out, std::string_view text, size_t width);

// Edit distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace dtruss
