// Small text helpers shared by the sinks and the command line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dtruss {

// The one escaping of untrusted text (a traced program's strings and names, paths, process names,
// symbols) for text output and messages: printable ASCII as is; \n \t \r and \\ as C escapes;
// each character of `also` escaped too (\" for a quote, \xNN for others); every other byte
// (control characters, DEL, non-ASCII) as \xNN. The result holds no byte a terminal acts on and
// cannot be read as another line or as more than the one field.
void append_escaped(std::string& out, std::string_view bytes, std::string_view also = {});
std::string escaped(std::string_view bytes, std::string_view also = {});

// Appends `bytes` as the inside of a C string literal: append_escaped with the quote escaped.
void append_c_escaped(std::string& out, std::string_view bytes);

// Appends `bytes` as a JSON string (with the quotes). Valid UTF-8 passes through; control
// characters are escaped; a byte that is not part of valid UTF-8 becomes \u00XX (its Latin-1
// reading), so the result is always valid JSON. The characters a terminal would act on when the
// JSON is shown raw (C0 and C1 controls, DEL) and the invisible ones that reorder text (Unicode
// bidirectional controls, line and paragraph separators) are escaped as \uXXXX.
void append_json_string(std::string& out, std::string_view bytes);

// Numbers as the sinks write them, on every line: without a format string to parse at run time
// (which made up most of the eBPF consumer's time per event).
void append_int(std::string& out, int64_t v);    // decimal, as {}
void append_uint(std::string& out, uint64_t v);  // decimal, as {}
void append_hex(std::string& out, uint64_t v);   // 0x1f, as {:#x}
// `text` right-aligned in `width` columns, as {:>width}.
void append_right(std::string& out, std::string_view text, size_t width);

// A decimal number of digits alone (no sign, no blank, no base prefix) that fits in 64 bits: the
// one parser of numbers given on the command line or in the environment.
bool parse_decimal(std::string_view s, uint64_t* out);

// Edit distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace dtruss
