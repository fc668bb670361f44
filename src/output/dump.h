// strace's -e read=FDS / -e write=FDS (dtruss's --read / --write): the data a call read from or
// wrote to one of those fds, in full, as hex and ASCII lines after the call's line, or as a
// field of its JSON object.
#pragma once

#include <cstddef>
#include <string>

#include "core/number_set.h"
#include "decode/decoder.h"

namespace dtruss {

struct DumpFds {
  NumberSet read;   // fds whose data read is dumped
  NumberSet write;  // fds whose data written is dumped
  bool any() const { return !read.empty() || !write.empty(); }
};

// The bytes a data buffer's capture holds at most when dumps are asked for (the eBPF backend
// copies less: what it could not is said after the dump).
inline constexpr uint32_t kDumpCaptureBytes = 65536;

// The data `call` moved on a chosen fd: `*moved` bytes (its result), of which the returned ones
// were captured. Empty with *moved 0 when the call is none to dump.
std::string dump_data(const DecodedCall& call, const DumpFds& fds, size_t* moved);

// strace's dump lines: " | 00000  68 65 6c 6c 6f 0a ...  hello. |", 16 bytes a line, then a line
// that says how many bytes were not captured, if any.
void append_dump_text(std::string& out, const DecodedCall& call, const DumpFds& fds);
// `,"dump":"68656c6c6f0a"` (the captured bytes in hex) and, when some were not captured,
// `,"dump_len":N` (the bytes the call moved).
void append_dump_json(std::string& out, const DecodedCall& call, const DumpFds& fds);

}  // namespace dtruss
