// The capture plan: for each syscall, which bytes behind its pointer arguments a backend must copy
// and when. In-arguments are copied at entry (the call may overwrite them, and a successful execve
// replaces the memory they live in); out-arguments at exit, once the kernel wrote them.
// The ptrace backend executes the plan with process_vm_readv; the eBPF backend uploads it into a
// map and executes it in the kernel. Both feed the same decoders through a CaptureStore.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "syscalls/table.h"

namespace dtruss {

enum class CaptureShape : uint8_t {
  CString,       // a NUL-terminated string of at most `max` bytes
  Bytes,         // min(length, max) bytes; the length from argument `len` (or the return value)
  StringArray,   // a NULL-terminated pointer array (at most `max_items`), and each string
  PointerArray,  // a NULL-terminated pointer array only (to count it)
};

struct CaptureStep {
  uint8_t arg;  // which argument holds the address
  CaptureShape shape;
  int8_t len;          // Bytes: kLenRet, or the index of the length argument, or kNoLen (fixed)
  uint8_t elem;        // Bytes: 0 when `len` counts bytes, else the size of one element it counts
  uint32_t max;        // byte limit (per string for StringArray)
  uint32_t max_items;  // StringArray / PointerArray
  // What the copied bytes point to that a backend reading memory after the fact (eBPF) must
  // copy too: the buffers of an iovec array, or the name, iovecs, buffers and control data of
  // a msghdr, or of each msghdr of an mmsghdr array.
  enum class Nested : uint8_t { None, IovecData, Msghdr, Mmsghdr } nested = Nested::None;
  uint32_t data_max = 0;  // Nested: bytes of each buffer an iovec points to (--strsize)
  // Records of varying size (dirents): up to CaptureLimits::records_bytes, more than a buffer's
  // data (the eBPF backend sends them in pieces).
  bool records = false;
};

struct CapturePlan {
  CaptureStep entry[kMaxArgs];
  uint8_t n_entry = 0;
  CaptureStep exit[kMaxArgs];
  uint8_t n_exit = 0;
  // In/out arguments shown as passed and as written back (ArgInfo::after): their memory at
  // entry, into SyscallEvent::before (their exit step reads what the call wrote back).
  CaptureStep before[kMaxArgs];
  uint8_t n_before = 0;
};

// What an argument shown by a choice table (`by:ARG:TABLE`) reads when its selector has a
// given value: the choice's kind, direction and length rule, as an ArgInfo would give them.
struct ChoiceCapture {
  uint32_t selector;
  ArgKind kind;  // Path, String, Buffer or Struct
  Dir dir;
  int8_t len;     // as ArgInfo::len
  uint32_t size;  // Struct: bytes of one element (0: the length rule counts bytes)
  // Copied whatever the selector's value (in the syscall's own plan), when the bits that may
  // accompany the selecting ones are too many to give each combination a plan (clone's flags).
  bool always = false;
};

struct CaptureLimits {
  uint32_t strsize = 64;    // data shown of strings and buffers
  uint32_t buffer_max = 0;  // data captured of buffers (0: strsize; more for --read/--write)
  uint32_t path_max = 4096;
  uint32_t max_items = 1024;
  bool verbose = false;  // -v: whole environment
  // Bytes of one element of a struct type, from the decoders (0: not captured, read live).
  uint32_t (*struct_size)(StructId) = nullptr;
  uint32_t struct_max = 4096;  // bytes of a struct array captured at most
  // Records of varying size (dirents): the bytes captured at most, and those the decoding reads
  // at most (0 or no function: records_bytes). Without -v, what the abbreviated form shows.
  uint32_t records_bytes = 65536;
  uint32_t (*records_max)(StructId) = nullptr;
  // The choices of a choice table that read memory, from the decoders (none when null).
  std::span<const ChoiceCapture> (*choice_captures)(TableId) = nullptr;
};

// The plan of a syscall for one value of its selecting argument (an ioctl's request): the
// syscall's own plan and what the choice for that value reads.
struct SelectedPlan {
  uint32_t selector;
  CapturePlan plan;
};

// The plans of all syscalls for some limits: built once by the application from the options and
// handed to the backend, which copies what they say (the ptrace backend runs them, the eBPF
// backend uploads them into its maps).
class CapturePlans {
 public:
  explicit CapturePlans(const CaptureLimits& limits);
  // The plan of syscall `nr` (an empty plan for unknown numbers).
  const CapturePlan& of(long nr) const;
  // The plan of syscall `nr` called with `args`: the selected plan of its selector's value, if
  // any.
  const CapturePlan& of(long nr, const uint64_t* args) const;
  // The argument whose value selects among the selected plans of `nr`, or -1 when it has none.
  int selector(long nr) const;
  std::span<const SelectedPlan> selected(long nr) const;

  // Per syscall number: its plan, and the plans its selecting argument picks.
  struct Plans {
    CapturePlan plan;
    int selector = -1;
    std::vector<SelectedPlan> selected;
  };

 private:
  std::vector<Plans> plans_;
};

}  // namespace dtruss
