// Decoders for pointer-to-struct arguments, chosen by the argument's StructId.
#pragma once

#include <string_view>

#include "core/value.h"
#include "decode/decoder.h"

namespace dtruss {

// Decodes the struct (or array of structs) that `c.raw` points to. A struct type with no decoder
// yet, or memory that cannot be read, is shown as its address.
Value decode_struct_arg(const ArgContext& c);

// Bytes of one element of a struct type (what a backend should capture); 0 when the decoder
// reads a variable amount or the type has no decoder yet.
uint32_t struct_size(StructId id);
// The bytes the abbreviated decoding of a struct reads (without -v): a prefix of it for a struct
// whose short form shows only its first fields (stat, statx), else struct_size.
uint32_t struct_brief_size(StructId id);
// For records of varying size (dirents): the bytes of them the abbreviated decoding reads at most,
// 0 when it has no such limit.
uint32_t records_brief_max(StructId id);

// The same for a struct type named as overrides.txt's struct:TYPE names it, which a choice
// table selects (an ioctl's termios): the address when there is no decoder of that name.
Value decode_struct_type(std::string_view type, const ArgContext& c);
uint32_t struct_type_size(std::string_view type);
// Whether a decoder of that name exists.
bool has_struct_type(std::string_view type);

}  // namespace dtruss
