// io_uring operations (IORING_OP_*): each one's name, the system call whose work it does (and
// whose decoders show it), and where the kernel keeps that call's arguments in the request it
// prepared at submission: a member of the operation's struct (io_rw, io_open ...) in the
// request's per-opcode data. The eBPF backend finds the members' offsets in the kernel's BTF.
// Operations no syscall does (poll_add, timeout, provide_buffers ...) have argument lists of
// their own.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "syscalls/table.h"

namespace dtruss {

// Opcodes below this are known (IORING_OP_LAST is 63 on Linux 6.18).
inline constexpr int kUringOpMax = 64;

// Where one argument comes from.
struct UringArg {
  enum class From : uint8_t {
    None,       // not kept by the kernel: 0
    Fd,         // the fd the SQE named
    Field,      // member `field` of the operation's struct ("how.flags": a member's member)
    Path,       // member `field`, a struct filename *: the user's pointer it was copied from
    Bytes,      // member `field` whole (a struct the kernel copied from the user: an open_how),
                // read at submission, decoded as the syscall's pointer argument would be
    TimeoutTs,  // the timespec the kernel copied at submission (io_timeout_data), as Bytes
    BytesSize,  // the size of the Bytes argument
  } from = From::None;
  const char* field = nullptr;
};

struct UringOp {
  int opcode = -1;
  const char* name = nullptr;         // the opcode's name in lower case: "read", "poll_add"
  const SyscallInfo* info = nullptr;  // the equivalent syscall, or the operation's own list
  bool own = false;                   // info is the operation's own (no syscall does it)
  int nargs = 0;                      // arguments shown (the first of info's)
  const char* strct = nullptr;        // the kernel's struct of its per-opcode data
  bool multishot = false;  // may complete more than once (IORING_CQE_F_MORE: multishot accept...)
  UringArg args[kMaxArgs];
};

// The known operations, by opcode; nullptr for another.
const UringOp* uring_op(int opcode);
const UringOp* uring_op_by_name(std::string_view name);
std::span<const UringOp> uring_ops();
// -t's selection (SyscallSelection::selected) marks operation OP at kUringSlot0 + OP, past every
// syscall number.
inline constexpr long kUringSlot0 = 1024;
// "uring:NAME" as -t, the summary and the timeline name an operation.
inline constexpr std::string_view kUringPrefix = "uring:";

}  // namespace dtruss
