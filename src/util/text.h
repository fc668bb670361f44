// Small text helpers shared by the sinks and the command line.
#pragma once

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

// Edit distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace dtruss
