// Decoders for pointer-to-struct arguments, chosen by the argument's StructId.
#pragma once

#include "core/value.h"
#include "decode/decoder.h"

namespace dtruss {

// Decodes the struct (or array of structs) that `c.raw` points to. A struct type with no decoder
// yet, or memory that cannot be read, is shown as its address.
Value decode_struct_arg(const ArgContext& c);

// Bytes of one element of a struct type (what a backend should capture); 0 when the decoder
// reads a variable amount or the type has no decoder yet.
uint32_t struct_size(StructId id);

}  // namespace dtruss
