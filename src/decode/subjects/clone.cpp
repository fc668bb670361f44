// clone, clone3 and unshare: clone flags, struct clone_args.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/rseq.h>
#include <linux/sched.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <signal.h>: the exit signal in the low byte (CSIGNAL) of clone flags. A signal without a
// name here (a real-time one) prints in decimal.
constexpr FlagName kSignals[] = {
    F(SIGHUP),  F(SIGINT),    F(SIGQUIT), F(SIGILL),  F(SIGTRAP),   F(SIGABRT), F(SIGBUS),
    F(SIGFPE),  F(SIGKILL),   F(SIGUSR1), F(SIGSEGV), F(SIGUSR2),   F(SIGPIPE), F(SIGALRM),
    F(SIGTERM), F(SIGSTKFLT), F(SIGCHLD), F(SIGCONT), F(SIGSTOP),   F(SIGTSTP), F(SIGTTIN),
    F(SIGTTOU), F(SIGURG),    F(SIGXCPU), F(SIGXFSZ), F(SIGVTALRM), F(SIGPROF), F(SIGWINCH),
    F(SIGIO),   F(SIGPWR),    F(SIGSYS),
};

// <linux/sched.h>. The low byte is the exit signal, so CLONE_NEWTIME (0x80, clone3 and unshare
// only) is not among the bits; the signal shows last, and not at all when zero.
constexpr FlagName kCloneBits[] = {
    F(CLONE_VM),
    F(CLONE_FS),
    F(CLONE_FILES),
    F(CLONE_SIGHAND),
    F(CLONE_PIDFD),
    F(CLONE_PTRACE),
    F(CLONE_VFORK),
    F(CLONE_PARENT),
    F(CLONE_THREAD),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_SETTLS),
    F(CLONE_PARENT_SETTID),
    F(CLONE_CHILD_CLEARTID),
    F(CLONE_DETACHED),
    F(CLONE_UNTRACED),
    F(CLONE_CHILD_SETTID),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    F(CLONE_IO),
    F(CLONE_CLEAR_SIGHAND),
    F(CLONE_INTO_CGROUP),
};
constexpr FlagTable kCloneFlags =
    mixed_table("clone_flags", 0xff /* CSIGNAL */, kSignals, kCloneBits, /*enum_last=*/true);

// <linux/sched.h>: the flags of struct clone_args (clone3), whose exit signal is a field of its
// own, so the low byte holds CLONE_NEWTIME: the same bits as clone's, after CLONE_NEWTIME.
constexpr auto kClone3Bits = [] {
  std::array<FlagName, std::size(kCloneBits) + 1> bits{};
  bits[0] = F(CLONE_NEWTIME);
  std::copy(std::begin(kCloneBits), std::end(kCloneBits), bits.begin() + 1);
  return bits;
}();
constexpr FlagTable kClone3Flags = bits_table("clone3_flags", kClone3Bits);

// <linux/sched.h>
constexpr FlagName kUnshareBits[] = {
    F(CLONE_FILES),   F(CLONE_FS),     F(CLONE_NEWCGROUP), F(CLONE_NEWIPC),  F(CLONE_NEWNET),
    F(CLONE_NEWNS),   F(CLONE_NEWPID), F(CLONE_NEWTIME),   F(CLONE_NEWUSER), F(CLONE_NEWUTS),
    F(CLONE_SYSVSEM), F(CLONE_THREAD), F(CLONE_SIGHAND),   F(CLONE_VM),
};
constexpr FlagTable kUnshareFlags = bits_table("unshare_flags", kUnshareBits);

static_assert(sizeof(struct clone_args) == CLONE_ARGS_SIZE_VER2);

// The most pids clone3 takes in set_tid (MAX_PID_NS_LEVEL, include/linux/pid_namespace.h).
constexpr size_t kMaxSetTid = 32;

Value set_tid_value(const ArgContext& c, uint64_t addr, uint64_t n) {
  if (n == 0 || n > kMaxSetTid) return ptr_value(addr);
  int32_t tids[kMaxSetTid];
  size_t bytes = n * sizeof(int32_t);
  if (c.mem.read(addr, tids, bytes) != bytes) return Value::unreadable(addr);
  Value arr = Value::array();
  for (size_t i = 0; i < n; ++i) arr.add({}, Value::integer(tids[i]));
  return arr;
}

Value decode_clone_args(const ArgContext& c) {
  uint64_t size = c.other(1);
  if (size < CLONE_ARGS_SIZE_VER0) return Value::hex(c.raw);
  size_t want = static_cast<size_t>(std::min<uint64_t>(size, sizeof(struct clone_args)));
  struct clone_args a {};
  if (c.mem.read(c.raw, &a, want) != want) return Value::unreadable(c.raw);
  bool all = c.opt.verbose;
  Value v = Value::structure();
  v.add("flags", flags(kClone3Flags, a.flags));
  if (all || a.pidfd != 0) FIELD(v, a, pidfd, ptr_value);
  if (all || a.child_tid != 0) FIELD(v, a, child_tid, ptr_value);
  if (all || a.parent_tid != 0) FIELD(v, a, parent_tid, ptr_value);
  v.add("exit_signal", signal_value(static_cast<int64_t>(a.exit_signal)));
  FIELD(v, a, stack, ptr_value);
  FIELD(v, a, stack_size, Value::hex);
  if (all || a.tls != 0) FIELD(v, a, tls, ptr_value);
  if (want >= CLONE_ARGS_SIZE_VER1 && (all || a.set_tid != 0 || a.set_tid_size != 0)) {
    v.add("set_tid", set_tid_value(c, a.set_tid, a.set_tid_size));
    FIELD(v, a, set_tid_size, Value::uinteger);
  }
  if (want >= CLONE_ARGS_SIZE_VER2 && (all || (a.flags & CLONE_INTO_CGROUP) != 0))
    v.add("cgroup", fd_value(static_cast<int64_t>(a.cgroup)));
  return v;
}

constexpr Entry kStructs[] = {
    {"clone_args", sizeof(struct clone_args), decode_clone_args},
};

constexpr const FlagTable* kTables[] = {&kCloneFlags, &kClone3Flags, &kUnshareFlags};

using K = ArgKind;

// clone's parent_tidptr, by clone_flags (<sched.h>): the child's TID the kernel wrote there
// (CLONE_PARENT_SETTID), or the pidfd (CLONE_PIDFD; clone rejects the two together, which share
// the pointer). The other flags are too many to expand into plans: the int is copied after every
// clone (capture_always) and shown for these two only.
constexpr ArgChoice kCloneParentTidByFlags[] = {
    struct_choice(CLONE_PARENT_SETTID, "int", Dir::Out),
    struct_choice(CLONE_PIDFD, "int_fd", Dir::Out),
};
constexpr ChoiceTable kCloneParentTid{
    "clone_parent_tid", kCloneParentTidByFlags, K::Hex, CLONE_PARENT_SETTID | CLONE_PIDFD, 0, true};

constexpr const ChoiceTable* kChoices[] = {&kCloneParentTid};

}  // namespace

Subject subject_clone() {
  return {"clone", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
