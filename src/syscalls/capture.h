// The capture plan: for each syscall, which bytes behind its pointer arguments a backend must copy
// and when. In-arguments are copied at entry (the call may overwrite them, and a successful execve
// replaces the memory they live in); out-arguments at exit, once the kernel wrote them.
// The ptrace backend executes the plan with process_vm_readv; the eBPF backend uploads it into a
// map and executes it in the kernel. Both feed the same decoders through a CaptureStore.
#pragma once

#include <cstddef>
#include <cstdint>

#include "syscalls/table.h"

namespace dtruss {

enum class CaptureShape : uint8_t {
  CString,       // a NUL-terminated string of at most `max` bytes
  Bytes,         // min(length, max) bytes; the length from argument `len` (or the return value)
  StringArray,   // a NULL-terminated pointer array (at most `max_items`), and each string
  PointerArray,  // a NULL-terminated pointer array only (to count it)
};

struct CaptureStep {
  uint8_t arg;        // which argument holds the address
  CaptureShape shape;
  int8_t len;         // Bytes: kLenRet, or the index of the length argument, or kNoLen (fixed)
  uint8_t elem;       // Bytes: 0 when `len` counts bytes, else the size of one element it counts
  uint32_t max;       // byte limit (per string for StringArray)
  uint32_t max_items; // StringArray / PointerArray
  // What the copied bytes point to that a backend reading memory after the fact (eBPF) must
  // copy too: the buffers of an iovec array, or the name, iovecs, buffers and control data of
  // a msghdr. A backend that can read the tracee's memory live (ptrace) ignores it.
  enum class Nested : uint8_t { None, IovecData, Msghdr } nested = Nested::None;
};

struct CapturePlan {
  CaptureStep entry[kMaxArgs];
  uint8_t n_entry = 0;
  CaptureStep exit[kMaxArgs];
  uint8_t n_exit = 0;
};

struct CaptureLimits {
  uint32_t strsize = 64;   // data shown of strings and buffers
  uint32_t path_max = 4096;
  uint32_t max_items = 1024;
  bool verbose = false;    // -v: whole environment
  // Bytes of one element of a struct type, from the decoders (0: not captured, read live).
  uint32_t (*struct_size)(StructId) = nullptr;
  uint32_t struct_max = 4096;  // bytes of a struct array captured at most
};

// Builds the plans of all syscalls for these limits.
void build_capture_plans(const CaptureLimits& limits);
// The plan of syscall `nr` (an empty plan for unknown numbers). build_capture_plans first.
const CapturePlan& capture_plan(long nr);

}  // namespace dtruss
