// Signals: sets, struct sigaction, siginfo, stack_t, struct sigevent, signalfd.

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <asm-generic/signal-defs.h>
#include <linux/signalfd.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <asm-generic/signal-defs.h>
constexpr FlagName kHow[] = {F(SIG_BLOCK), F(SIG_UNBLOCK), F(SIG_SETMASK)};
constexpr FlagTable kSigprocmaskHow = enum_table("sigprocmask_how", kHow);

// <asm-generic/signal-defs.h>; SA_RESTORER from arch/x86/include/uapi/asm/signal.h. SA_NOMASK and
// SA_ONESHOT are old names of SA_NODEFER and SA_RESETHAND.
constexpr FlagName kSigactionBits[] = {
    F(SA_NOCLDSTOP),   F(SA_NOCLDWAIT),      F(SA_SIGINFO),
    F(SA_UNSUPPORTED), F(SA_EXPOSE_TAGBITS), N(0x04000000, "SA_RESTORER"),
    F(SA_ONSTACK),     F(SA_RESTART),        F(SA_NODEFER),
    F(SA_RESETHAND),
};
constexpr FlagTable kSigactionFlags = bits_table("sigaction_flags", kSigactionBits);

// <linux/signalfd.h> (the O_* values of <linux/fcntl.h>)
constexpr FlagName kSignalfdBits[] = {F(SFD_CLOEXEC), F(SFD_NONBLOCK)};
constexpr FlagTable kSignalfdFlags = bits_table("signalfd_flags", kSignalfdBits);

// include/uapi/linux/signal.h: stack_t.ss_flags of sigaltstack. SS_ONSTACK and SS_DISABLE are
// states reported back, SS_AUTODISARM a flag.
constexpr FlagName kSsBits[] = {N(1, "SS_ONSTACK"), N(2, "SS_DISABLE"),
                                N(1U << 31, "SS_AUTODISARM")};
constexpr FlagTable kSsFlags = bits_table("sigaltstack_flags", kSsBits);

// <signal.h> (bits/sigevent-consts.h)
constexpr FlagName kSigevNotify[] = {F(SIGEV_SIGNAL), F(SIGEV_NONE), F(SIGEV_THREAD),
                                     F(SIGEV_THREAD_ID)};
constexpr FlagTable kSigevNotifyTable = tables::enum_table("sigev_notify", kSigevNotify);

// timer_create and mq_notify.
Value decode_sigevent(const ArgContext& c) {
  sigevent se{};
  if (!read_struct(c.mem, c.raw, &se)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sigev_value", Value::hex(reinterpret_cast<uint64_t>(se.sigev_value.sival_ptr)));
  // With SIGEV_THREAD, mq_notify's sigev_signo is a netlink socket, not a signal.
  if (se.sigev_notify == SIGEV_SIGNAL || se.sigev_notify == SIGEV_THREAD_ID)
    FIELD(v, se, sigev_signo, signal_value);
  else
    FIELD(v, se, sigev_signo, Value::integer);
  v.add("sigev_notify", enum_value(&kSigevNotifyTable, se.sigev_notify));
  if (se.sigev_notify == SIGEV_THREAD_ID) {
    v.add("sigev_notify_thread_id", Value::integer(se._sigev_un._tid));
  } else if (se.sigev_notify == SIGEV_THREAD) {
    v.add("sigev_notify_function",
          ptr_value(reinterpret_cast<uint64_t>(se._sigev_un._sigev_thread._function)));
    v.add("sigev_notify_attributes",
          ptr_value(reinterpret_cast<uint64_t>(se._sigev_un._sigev_thread._attribute)));
  }
  return v;
}

static_assert(sizeof(sigevent) == 64);

// The kernel's struct sigaction (include/linux/signal_types.h, with __ARCH_HAS_SA_RESTORER as
// arch/x86/include/asm/signal.h defines it), which rt_sigaction reads and writes: the handler,
// the flags, the restorer, then the 64-bit mask. glibc's struct sigaction puts a 128-byte mask
// second.
struct kernel_sigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};
static_assert(sizeof(kernel_sigaction) == 32);
// The kernel's sigset_t on x86_64: _NSIG (64) bits.
constexpr size_t kKernelSigsetBytes = 8;
// The largest signal set a call can name (the kernel refuses sizes other than 8).
constexpr size_t kMaxSigsetBytes = 128;
// arch/x86/include/uapi/asm/signal.h (its header conflicts with glibc's <signal.h>).
constexpr uint64_t kSaRestorer = 0x04000000;

static_assert(sizeof(siginfo_t) == 128);

static_assert(sizeof(stack_t) == 24);

std::string sigset_text(const uint8_t* bytes, size_t n) {
  size_t nsig = n * 8;
  size_t set = 0;
  for (size_t i = 0; i < n; ++i) set += static_cast<size_t>(std::popcount(bytes[i]));
  bool invert = set * 2 > nsig;
  std::string s = invert ? "~[" : "[";
  bool first = true;
  for (size_t i = 0; i < nsig; ++i) {
    bool bit = ((bytes[i / 8] >> (i % 8)) & 1) != 0;
    if (bit == invert) continue;
    if (!first) s += ' ';
    first = false;
    std::string name = signal_name(static_cast<int>(i + 1));
    s += name.rfind("SIG", 0) == 0 ? name.substr(3) : name;
  }
  return s + "]";
}

Value sigset_value(const uint8_t* bytes, size_t n) {
  uint64_t raw = 0;
  for (size_t i = 0; i < std::min<size_t>(n, 8); ++i) raw |= uint64_t{bytes[i]} << (8 * i);
  return Value::symbol(sigset_text(bytes, n), raw);
}

// A sigset_t argument: its size is the call's sigsetsize argument (the COUNT of overrides.txt,
// in bytes); a size the kernel would refuse shows the address.
Value decode_sigset(const ArgContext& c) {
  size_t n = element_count(c, kKernelSigsetBytes);
  if (n == 0 || n > kMaxSigsetBytes) return Value::hex(c.raw);
  uint8_t bytes[kMaxSigsetBytes];
  if (c.mem.read(c.raw, bytes, n) != n) return Value::unreadable(c.raw);
  return sigset_value(bytes, n);
}

Value handler_value(uint64_t h) {
  if (h == reinterpret_cast<uint64_t>(SIG_DFL)) return Value::symbol("SIG_DFL", h);
  if (h == reinterpret_cast<uint64_t>(SIG_IGN)) return Value::symbol("SIG_IGN", h);
  if (h == reinterpret_cast<uint64_t>(SIG_ERR)) return Value::symbol("SIG_ERR", h);
  return Value::hex(h);
}

Value decode_sigaction(const ArgContext& c) {
  kernel_sigaction sa{};
  if (!read_struct(c.mem, c.raw, &sa)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sa_handler", handler_value(sa.handler));
  uint8_t mask[kKernelSigsetBytes];
  for (size_t i = 0; i < sizeof mask; ++i) mask[i] = static_cast<uint8_t>(sa.mask >> (8 * i));
  v.add("sa_mask", sigset_value(mask, sizeof mask));
  v.add("sa_flags", flags(kSigactionFlags, sa.flags));
  if ((sa.flags & kSaRestorer) != 0 || c.opt.verbose) v.add("sa_restorer", ptr_value(sa.restorer));
  return v;
}

// siginfo_t (waitid, rt_sigtimedwait, rt_sigqueueinfo, pidfd_send_signal), through the same
// helper as the siginfo of a delivered signal. si_signo 0 (waitid with WNOHANG and no child
// ready) is an empty struct.
Value decode_siginfo(const ArgContext& c) {
  siginfo_t si{};
  if (!read_struct(c.mem, c.raw, &si)) return Value::unreadable(c.raw);
  if (si.si_signo == 0) return Value::structure();
  SignalEvent ev;
  ev.signo = si.si_signo;
  ev.set_info(si);
  return siginfo_value(ev);
}

Value decode_stack_t(const ArgContext& c) {
  stack_t ss{};
  if (!read_struct(c.mem, c.raw, &ss)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("ss_sp", ptr_value(reinterpret_cast<uint64_t>(ss.ss_sp)));
  v.add("ss_flags", flags(kSsFlags, static_cast<uint32_t>(ss.ss_flags)));
  FIELD(v, ss, ss_size, Value::uinteger);
  return v;
}

// A pointer to a sigset and its size, the same two words in pselect6's sig (the kernel's struct
// sigset_argpack) and io_pgetevents' usig (struct __aio_sigset), shown with the set under the
// struct's own field names.
Value sigset_pair(const ArgContext& c, const char* set_field, const char* size_field) {
  uint64_t pair[2];
  if (!read_struct(c.mem, c.raw, &pair)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  Value set = ptr_value(pair[0]);
  if (pair[0] != 0 && pair[1] != 0 && pair[1] <= kMaxSigsetBytes) {
    uint8_t bytes[kMaxSigsetBytes];
    auto n = static_cast<size_t>(pair[1]);
    set = c.mem.read(pair[0], bytes, n) == n ? sigset_value(bytes, n) : Value::unreadable(pair[0]);
  }
  v.add(set_field, std::move(set));
  v.add(size_field, Value::uinteger(pair[1]));
  return v;
}
Value decode_sigset_argpack(const ArgContext& c) {
  return sigset_pair(c, "ss", "ss_len");
}
Value decode_aio_sigset(const ArgContext& c) {
  return sigset_pair(c, "sigmask", "sigsetsize");
}

// An int that holds a signal number (PR_GET_PDEATHSIG): [SIGTERM].
Value decode_int_signal(const ArgContext& c) {
  int32_t sig = 0;
  if (!read_struct(c.mem, c.raw, &sig)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, signal_value(sig));
  return v;
}

constexpr Entry kStructs[] = {
    {"sigevent", sizeof(sigevent), decode_sigevent},
    {"sigset", 0, decode_sigset},
    {"sigaction", sizeof(kernel_sigaction), decode_sigaction},
    {"siginfo", sizeof(siginfo_t), decode_siginfo},
    {"stack_t", sizeof(stack_t), decode_stack_t},
    {"sigset_argpack", 2 * sizeof(uint64_t), decode_sigset_argpack},
    {"aio_sigset", 2 * sizeof(uint64_t), decode_aio_sigset},
    {"int_signal", sizeof(int32_t), decode_int_signal},
};

constexpr const FlagTable* kTables[] = {&kSigprocmaskHow, &kSigactionFlags, &kSignalfdFlags,
                                        &kSsFlags, &kSigevNotifyTable};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef SA_RESTORER
static_assert(value_named(kSigactionBits, "SA_RESTORER") == value_of(SA_RESTORER));
#endif
#ifdef SS_ONSTACK
static_assert(value_named(kSsBits, "SS_ONSTACK") == value_of(SS_ONSTACK));
#endif
#ifdef SS_DISABLE
static_assert(value_named(kSsBits, "SS_DISABLE") == value_of(SS_DISABLE));
#endif
#ifdef SS_AUTODISARM
static_assert(value_named(kSsBits, "SS_AUTODISARM") == value_of(SS_AUTODISARM));
#endif

}  // namespace

Subject subject_signal() {
  return {"signal", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
