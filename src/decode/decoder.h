// The generic decoding loop: the syscall table says what each argument is, one small function per
// argument kind turns its raw value (and the memory behind it) into a Value. Shared by both
// backends; knows nothing of them.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "core/event.h"
#include "core/value.h"
#include "syscalls/table.h"

namespace dtruss {

struct DecodeOptions {
  size_t strsize = 64;   // bytes of strings and data buffers shown (paths are always whole)
  bool verbose = false;  // -v: unabbreviated (environment, structs)
};

// Paths are read whole up to the kernel's limit.
inline constexpr size_t kPathMax = 4096;
// At most this many elements of argv-like arrays are shown.
inline constexpr size_t kMaxArrayElements = 1024;

struct DecodedCall {
  const SyscallEvent* ev = nullptr;
  const SyscallInfo* info = nullptr;  // null for a number the table does not know
  std::string name;                   // "openat", or "syscall_453"
  int nargs = 0;
  std::array<Value, kMaxArgs> args;
  Value ret;    // the decoded return value (meaningful when returned and err == 0)
  int err = 0;  // errno when the call failed
  // What the call wrote back into in/out arguments (ArgInfo::after names it), shown after the
  // result; args[] hold them as passed. Bit i of after_mask: after[i] is set.
  std::array<Value, kMaxArgs> after;
  uint8_t after_mask = 0;
};

// Which value of an in/out argument a decoder is asked for: the whole of it (one value), or as
// passed (In) or as the call wrote it back (Out). A pollfd array shows events, then revents.
enum class Phase : uint8_t { Whole, In, Out };

// Everything an argument-kind decoder may look at.
struct ArgContext {
  const SyscallEvent& ev;
  const ArgInfo& arg;
  uint64_t raw;
  const MemoryReader& mem;
  const DecodeOptions& opt;
  // The value of another argument of the same call (for lengths).
  uint64_t other(int index) const { return ev.args[static_cast<size_t>(index)]; }
  // The call returned an error (an in/out argument then holds the caller's input).
  bool failed() const { return ev.returned() && ev.ret < 0; }
  Phase phase = Phase::Whole;
};

// The call was interrupted by a signal: EINTR, or one of the kernel's restart codes a tracer
// sees (ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK).
bool interrupted(const SyscallEvent& ev);
// A restart code (512-514, 516: include/linux/errno.h): the call did not end, the kernel restarts
// it or turns it into EINTR once the signal is handled.
bool is_restart_errno(int err);

Value decode_arg(const ArgContext& ctx);
// The length of a buffer or the count of an array argument by its rule (ArgInfo::len: another
// argument, the return value, the int another argument points to, or the pages of a byte count).
// False when it is not known (the call failed or never returned, the int cannot be read).
bool length_of(const ArgContext& c, size_t* len);
// Values every decoder shares: an fd, a signal, a C string, a data buffer.
Value fd_value(int64_t fd);
Value signal_value(int64_t sig);
Value cstring_value(const MemoryReader& mem, uint64_t addr, size_t max);
Value buffer_value(const MemoryReader& mem, uint64_t addr, size_t len, size_t max);

class Decoder {
 public:
  explicit Decoder(DecodeOptions opt) : opt_(opt) {}
  void decode(const SyscallEvent& ev, DecodedCall& out) const;
  const DecodeOptions& options() const { return opt_; }

 private:
  void decode_in_out(const SyscallEvent& ev, const ArgInfo& a, int i, const MemoryReader& mem,
                     DecodedCall& out) const;
  DecodeOptions opt_;
};

// "syscall_453" for numbers without a name.
std::string syscall_name(long nr);

}  // namespace dtruss
