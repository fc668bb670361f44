#include "decode/decoder.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "decode/choices.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/structs.h"
#include "syscalls/uring_ops.h"

namespace dtruss {
namespace {

// The argument as the kernel sees it: truncated to its C type, sign-extended if signed.
int64_t signed_value(const ArgContext& c) {
  if (c.arg.narrow) return static_cast<int32_t>(c.raw);
  return static_cast<int64_t>(c.raw);
}
uint64_t unsigned_value(const ArgContext& c) {
  if (c.arg.narrow) return static_cast<uint32_t>(c.raw);
  return c.raw;
}

}  // namespace

bool length_of(const ArgContext& c, size_t* len) {
  const int8_t rule = c.arg.len;
  if (rule == kLenRet) {
    if (!c.ev.returned() || c.ev.ret < 0) return false;
    *len = static_cast<size_t>(c.ev.ret);
    return true;
  }
  if (rule >= 0 && rule < kMaxArgs) {
    *len = static_cast<size_t>(c.other(rule));
    return true;
  }
  for (int i = 0; i < kMaxArgs; ++i) {
    if (rule == len_at(i)) {
      int32_t n = 0;
      if (c.mem.read(c.other(i), &n, sizeof n) != sizeof n || n < 0) return false;
      *len = static_cast<size_t>(n);
      return true;
    }
    if (rule == len_pages(i)) {
      const uint64_t bytes = c.other(i);
      *len = static_cast<size_t>(bytes / kPageSize + (bytes % kPageSize != 0 ? 1 : 0));
      return true;
    }
  }
  return false;
}

namespace {

// Out-arguments mean something only once the call returned successfully. An in/out argument of
// a failed call is shown as the caller's input, as strace shows it: the kernel writes it back on
// success only (as a rule: the memory after the call is what is read), unless its count is the
// return value, which a failure does not give.
// clock_nanosleep with TIMER_ABSTIME: the kernel has no time left to write back, whatever
// interrupts it (kernel/time/hrtimer.c: an absolute sleep returns -ERESTARTNOHAND, rem untouched).
bool absolute_sleep(const SyscallEvent& ev) {
  return ev.nr == SYS_clock_nanosleep && (static_cast<int>(ev.args[1]) & TIMER_ABSTIME) != 0;
}

// Errors on which a call still writes its in/out argument back: name_to_handle_at's EOVERFLOW
// (the handle's size it needs).
bool wrote_back_on_error(const SyscallEvent& ev) {
  return ev.nr == SYS_name_to_handle_at && ev.ret == -EOVERFLOW;
}

bool out_valid(const ArgContext& c) {
  if (c.arg.dir == Dir::In) return true;
  if (!c.ev.returned()) return false;
  if (c.arg.dir == Dir::OutIntr) return interrupted(c.ev) && !absolute_sleep(c.ev);
  if (c.ev.ret >= 0 || wrote_back_on_error(c.ev)) return true;
  return c.arg.dir == Dir::InOut && c.arg.len != kLenRet;
}

Value decode_int(const ArgContext& c) {
  return Value::integer(signed_value(c));
}
Value decode_uint(const ArgContext& c) {
  return Value::uinteger(unsigned_value(c));
}
Value decode_hex(const ArgContext& c) {
  return c.raw == 0 ? Value::null() : Value::hex(c.raw);
}
Value decode_size(const ArgContext& c) {
  return Value::uinteger(unsigned_value(c));
}
Value decode_off(const ArgContext& c) {
  return Value::integer(signed_value(c));
}
Value decode_fd(const ArgContext& c) {
  return fd_value(static_cast<int32_t>(c.raw));
}

Value decode_dirfd(const ArgContext& c) {
  auto fd = static_cast<int32_t>(c.raw);
  if (fd == AT_FDCWD) return Value::symbol("AT_FDCWD", static_cast<uint32_t>(fd));
  return fd_value(fd);
}

Value decode_pid(const ArgContext& c) {
  return Value::integer(static_cast<int32_t>(c.raw));
}

Value decode_uid(const ArgContext& c) {
  auto id = static_cast<uint32_t>(c.raw);
  if (id == UINT32_MAX) return Value::integer(-1);  // "leave unchanged"
  return Value::uinteger(id);
}

Value decode_signal(const ArgContext& c) {
  return signal_value(static_cast<int32_t>(c.raw));
}
Value decode_mode(const ArgContext& c) {
  return Value::octal(static_cast<uint32_t>(c.raw));
}

Value decode_path(const ArgContext& c) {
  return cstring_value(c.mem, c.raw, kPathMax);
}
Value decode_string(const ArgContext& c) {
  return cstring_value(c.mem, c.raw, c.opt.strsize);
}

Value decode_buffer(const ArgContext& c) {
  size_t len = 0;
  if (c.raw == 0) return Value::null();
  if (!out_valid(c) || !length_of(c, &len)) return Value::hex(c.raw);
  return buffer_value(c.mem, c.raw, len, c.opt.strsize);
}

Value flags_value(const ArgContext& c, const FlagTable* t) {
  uint64_t v = unsigned_value(c);
  if (t == nullptr) return Value::hex(v);
  return Value::symbol(format_flags(*t, v), v);
}

Value enum_value(const ArgContext& c, const FlagTable* t) {
  uint64_t v = unsigned_value(c);
  if (t != nullptr) {
    if (const char* name = enum_name(*t, v)) return Value::symbol(name, v);
    // Some commands carry a flag bit beside the value (IPC_64,
    // IORING_REGISTER_USE_REGISTERED_RING).
    if (!t->bits.empty()) return Value::symbol(format_flags(*t, v), v);
    if (t->unknown != nullptr) return Value::symbol(t->unknown(v), v);
  }
  return Value::integer(signed_value(c));
}

Value decode_flags(const ArgContext& c) {
  return flags_value(c, flag_table(c.arg.table));
}
Value decode_enum(const ArgContext& c) {
  return enum_value(c, flag_table(c.arg.table));
}

// An argument shown as another argument's value selects (ArgInfo::len names that argument):
// the choice's kind and table, or the choice table's fallback kind. A choice that reads memory
// (an ioctl's struct termios) has its direction and length rule.
Value decode_select(const ArgContext& c) {
  const ChoiceTable* t = choice_table(c.arg.table);
  const ArgChoice* choice = t != nullptr ? find_choice(*t, c.other(c.arg.len)) : nullptr;
  ArgInfo info = c.arg;
  info.kind = choice != nullptr ? choice->kind : t != nullptr ? t->fallback : ArgKind::Hex;
  info.table = TableId::none;
  info.len = kNoLen;
  if (choice != nullptr && reads_memory(choice->kind)) {
    info.dir = choice->dir;
    info.len = choice->len;
  }
  const ArgContext sub{c.ev, info, c.raw, c.mem, c.opt};
  const FlagTable* ft = choice != nullptr ? flag_table(choice->table) : nullptr;
  switch (info.kind) {
    case ArgKind::Flags:
      return flags_value(sub, ft);
    case ArgKind::Enum:
      return enum_value(sub, ft);
    case ArgKind::Select:
      return Value::hex(c.raw);  // a choice never selects again
    case ArgKind::Struct:
      if (c.raw == 0) return Value::null();
      if (!out_valid(sub) || choice == nullptr || choice->strct == nullptr)
        return Value::hex(c.raw);
      return decode_struct_type(choice->strct, sub);
    default:
      return decode_arg(sub);
  }
}

// Walks a NULL-terminated array of pointers; calls fn(pointer) for each element, up to `max`.
// Returns false if the array itself could not be read; sets *more when elements were left out
// (past `max`, or where the memory, or a backend's copy of it, ends before the NULL).
template <typename Fn>
bool walk_pointer_array(const MemoryReader& mem, uint64_t addr, size_t max, bool* more, Fn fn) {
  *more = false;
  for (size_t i = 0;; ++i) {
    uint64_t p = 0;
    if (!mem.read_u64(addr + i * 8, &p)) {
      *more = i > 0;
      return i > 0;
    }
    if (p == 0) return true;
    if (i == max) {
      *more = true;
      return true;
    }
    fn(p);
  }
}

Value decode_argv(const ArgContext& c) {
  if (c.raw == 0) return Value::null();
  Value arr = Value::array();
  bool more = false;
  bool ok = walk_pointer_array(c.mem, c.raw, kMaxArrayElements, &more, [&](uint64_t p) {
    arr.add({}, cstring_value(c.mem, p, c.opt.strsize));
  });
  if (!ok) return Value::unreadable(c.raw);
  arr.truncated = more;
  return arr;
}

Value decode_envp(const ArgContext& c) {
  if (!c.opt.verbose) {
    if (c.raw == 0) return Value::null();
    size_t n = 0;
    bool more = false;
    bool ok = walk_pointer_array(c.mem, c.raw, SIZE_MAX - 1, &more, [&](uint64_t) { ++n; });
    if (!ok) return Value::unreadable(c.raw);
    return Value::count(n, "vars");
  }
  return decode_argv(c);
}

Value decode_struct(const ArgContext& c) {
  if (c.raw == 0) return Value::null();
  if (!out_valid(c)) return Value::hex(c.raw);
  return decode_struct_arg(c);
}

}  // namespace

bool is_restart_errno(int err) {
  return (err >= 512 && err <= 514) || err == 516;
}

bool interrupted(const SyscallEvent& ev) {
  if (!ev.returned() || ev.ret >= 0 || ev.ret < -4095) return false;
  const int err = static_cast<int>(-ev.ret);
  return err == EINTR || is_restart_errno(err);
}

Value fd_value(int64_t fd) {
  return Value::integer(fd);
}

Value signal_value(int64_t sig) {
  if (sig <= 0 || sig > 64) return Value::integer(sig);
  return Value::symbol(signal_name(static_cast<int>(sig)), static_cast<uint64_t>(sig));
}

Value cstring_value(const MemoryReader& mem, uint64_t addr, size_t max) {
  if (addr == 0) return Value::null();
  std::string s;
  bool terminated = false;
  if (!mem.read_cstring(addr, s, max, &terminated)) return Value::unreadable(addr);
  return Value::string(std::move(s), !terminated);
}

Value buffer_value(const MemoryReader& mem, uint64_t addr, size_t len, size_t max) {
  if (addr == 0) return Value::null();
  size_t want = std::min(len, max);
  std::string s(want, '\0');
  size_t got = want == 0 ? 0 : mem.read(addr, s.data(), want);
  if (got == 0 && want > 0) return Value::unreadable(addr);
  s.resize(got);
  return Value::string(std::move(s), got < len);
}

Value decode_arg(const ArgContext& c) {
  switch (c.arg.kind) {
    case ArgKind::Int:
      return decode_int(c);
    case ArgKind::UInt:
      return decode_uint(c);
    case ArgKind::Hex:
      return decode_hex(c);
    case ArgKind::Size:
      return decode_size(c);
    case ArgKind::Off:
      return decode_off(c);
    case ArgKind::Fd:
      return decode_fd(c);
    case ArgKind::Dirfd:
      return decode_dirfd(c);
    case ArgKind::Pid:
      return decode_pid(c);
    case ArgKind::Uid:
      return decode_uid(c);
    case ArgKind::Signal:
      return decode_signal(c);
    case ArgKind::Mode:
      return decode_mode(c);
    case ArgKind::Path:
      return decode_path(c);
    case ArgKind::String:
      return decode_string(c);
    case ArgKind::Buffer:
      return decode_buffer(c);
    case ArgKind::Flags:
      return decode_flags(c);
    case ArgKind::Enum:
      return decode_enum(c);
    case ArgKind::Argv:
      return decode_argv(c);
    case ArgKind::Envp:
      return decode_envp(c);
    case ArgKind::Struct:
      return decode_struct(c);
    case ArgKind::Select:
      return decode_select(c);
  }
  return Value::hex(c.raw);
}

std::string syscall_name(long nr) {
  const SyscallInfo* info = syscall_by_nr(nr);
  return info != nullptr ? std::string(info->name) : "syscall_" + std::to_string(nr);
}

// An in/out argument: as passed (the copy taken at entry), and, once the call succeeded, what it
// wrote back (read after the call).
void Decoder::decode_in_out(const SyscallEvent& ev, const ArgInfo& a, int i,
                            const MemoryReader& mem, DecodedCall& out) const {
  ArgInfo in = a;
  in.dir = Dir::In;
  ArgContext before{ev, in, ev.args[i], ev.before, opt_};
  before.phase = Phase::In;
  out.args[i] = decode_arg(before);
  if (ev.args[i] == 0 || !ev.returned() || (ev.ret < 0 && !wrote_back_on_error(ev))) return;
  ArgInfo wrote = a;
  wrote.dir = Dir::Out;
  ArgContext after{ev, wrote, ev.args[i], mem, opt_};
  after.phase = Phase::Out;
  out.after[i] = decode_arg(after);
  out.after_mask |= static_cast<uint8_t>(1u << i);
}

void Decoder::decode(const SyscallEvent& ev, DecodedCall& out) const {
  out.ev = &ev;
  out.info = syscall_by_nr(ev.nr);
  out.err = 0;
  out.after_mask = 0;
  const UringOp* op = ev.uring_op >= 0 ? uring_op(ev.uring_op) : nullptr;
  if (op != nullptr) out.info = op->info;  // (the syscall it stands for, or its own list)
  if (ev.uring_op >= 0 && op == nullptr) {
    // An operation the table does not know: its opcode and its result.
    out.info = nullptr;
    out.name = "op_" + std::to_string(ev.uring_op);
    out.nargs = 0;
  } else if (out.info == nullptr) {
    // Unknown to the table: the number and all six raw registers, never nothing.
    out.name = "syscall_" + std::to_string(ev.nr);
    out.nargs = kMaxArgs;
    for (int i = 0; i < kMaxArgs; ++i) out.args[i] = Value::hex(ev.args[i]);
  } else {
    out.name = op != nullptr ? op->name : out.info->name;
    out.nargs = op != nullptr ? op->nargs : out.info->nargs;
    if (ev.uring_refused) out.nargs = 0;  // (never prepared: its arguments are unknown)
    const MemoryReader& mem = ev.captures;
    out.after_mask = 0;
    for (int i = 0; i < out.nargs; ++i) {
      const ArgInfo& a = out.info->args[i];
      if (a.after != nullptr) {
        decode_in_out(ev, a, i, mem, out);
        continue;
      }
      ArgContext ctx{ev, a, ev.args[i], mem, opt_};
      out.args[i] = decode_arg(ctx);
      if (op != nullptr && ev.uring_fixed_file && op->args[i].from == UringArg::From::Fd) {
        // An index into the ring's registered files: fixed:N.
        out.args[i] =
            Value::symbol("fixed:" + std::to_string(static_cast<uint32_t>(ev.args[i])), ev.args[i]);
        continue;
      }
      if (!ev.fd_notes[i].empty() && out.args[i].type == Value::Type::Int)
        out.args[i].note = ev.fd_notes[i];
    }
  }
  if (!ev.returned()) {
    out.ret = Value::null();
    return;
  }
  // The kernel reports failure as a value in [-4095, -1] for every return type.
  if (ev.ret < 0 && ev.ret >= -4095) {
    out.err = static_cast<int>(-ev.ret);
    out.ret = Value::integer(-1);
    return;
  }
  RetKind kind = out.info != nullptr ? out.info->ret : RetKind::Hex;
  switch (kind) {
    case RetKind::Hex:
      out.ret = Value::hex(static_cast<uint64_t>(ev.ret));
      break;
    case RetKind::Size:
      out.ret = Value::uinteger(static_cast<uint64_t>(ev.ret));
      break;
    case RetKind::Uid:
      out.ret = Value::uinteger(static_cast<uint32_t>(ev.ret));
      break;
    default:
      out.ret = Value::integer(ev.ret);
      break;
  }
  if (kind == RetKind::Fd) out.ret.note = ev.fd_notes[kMaxArgs];
}

}  // namespace dtruss
