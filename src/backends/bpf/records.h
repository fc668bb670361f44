// The records of the eBPF ring buffer (events.h), read from their bytes: the parsing of what the
// kernel side wrote, apart from what the tracer does with it, so that it can be fuzzed
// (fuzz/ring_fuzz.cpp). Every length in a record is checked against the record's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "backends/bpf/events.h"
#include "core/event.h"

namespace dtruss {

// The type of the record (DT_SYSCALL...), or 0 when it is too short for its header or of no
// known type: such a record is ignored.
uint16_t record_type(const void* data, size_t size);

// A capture whose bytes are not in the call's record: `len` bytes at `addr` the kernel side could
// not read (DT_CAP_FILE; or a string of at most `len` bytes with its NUL), or sent before the
// record in DT_CHUNK records (DT_CAP_CHUNKED).
struct LateCapture {
  enum class Kind : uint8_t { File, FileString, Chunked };
  uint64_t addr;
  uint32_t len;
  Kind kind;
};

// A DT_SYSCALL record into `ev`: the task, times, arguments, result and the captures that follow
// the header (their pointers as the traced program had them). `cpu_time`: whether the record's
// CPU time is wanted (-o). `counted` keeps the stand-in of a DT_CAP_COUNTED array, which `ev`'s
// captures point into. The captures whose bytes are elsewhere go to `late` (cleared first). The
// stack and fd notes are not touched but for the notes' clearing.
void read_syscall_record(const void* data, size_t size, bool cpu_time, SyscallEvent& ev,
                         std::vector<uint64_t>& counted, std::vector<LateCapture>& late);

// A DT_CHUNK record's header; its bytes (rec.len of them, checked) follow.
const uint8_t* chunk_record_bytes(const void* data, size_t size, dt_chunk* rec);

// The kind of a DT_MAP record (enum dt_map_kind).
uint16_t map_kind(const void* data);

// The path of a DT_MAP record (not DT_UNMAP), which comes as its components, innermost first:
// "/usr/lib/libc.so.6", or "" when there is none.
std::string map_record_path(const void* data, size_t size);

// What a DT_STACK record holds after its header: the frame-pointer walk's entries, then the
// bytes of stack (each cut to what the record's size holds).
struct StackRecordParts {
  const uint8_t* fp = nullptr;  // nfp entries of 8 bytes (unaligned)
  size_t nfp = 0;
  const uint8_t* bytes = nullptr;
  size_t len = 0;
};
StackRecordParts stack_record_parts(const dt_stack& rec, const void* data, size_t size);

}  // namespace dtruss
