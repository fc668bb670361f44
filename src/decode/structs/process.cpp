// Struct decoders: the process family (see registry.h): signal sets, sigaction, siginfo,
// stack_t, wait statuses, resource limits and usage, utsname, sysinfo, clone_args, scheduling
// parameters and attributes, CPU masks, robust futex list heads, rseq areas, capability headers
// and sets, user_desc, System V message queue and shared memory descriptors, kexec segments,
// _sysctl's arguments and the leading fields of perf_event_attr.
// Layouts are the kernel's, from the UAPI headers installed here: <linux/sched.h> (struct
// clone_args), <linux/sched/types.h> (sched_param, sched_attr), <linux/futex.h>
// (robust_list_head), <linux/rseq.h>, <linux/capability.h>, <linux/utsname.h> (new_utsname),
// <asm/ldt.h> (user_desc), <linux/kexec.h>, <linux/sysctl.h> (__sysctl_args),
// <linux/perf_event.h>; and from glibc, whose x86_64 layouts are the kernel's: <signal.h>
// (siginfo_t, stack_t), <sys/resource.h> (struct rusage, struct rlimit), <sys/sysinfo.h>,
// <sys/msg.h> and <sys/shm.h> (the kernel's msqid64_ds, shmid64_ds and their info structs).
// The kernel's struct sigaction of rt_sigaction differs from glibc's and no installed header
// has it for user space: it is mirrored with static_asserts, citing the kernel.
#include <signal.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include <asm/ldt.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/kexec.h>
#include <linux/perf_event.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sysctl.h>
#include <linux/types.h>
#include <linux/utsname.h>

// <linux/sched/types.h> declares struct sched_param, as glibc's <sched.h> (pulled in by
// <string>) does: it lives in its own namespace.
namespace kabi {
#include <linux/sched/types.h>
}  // namespace kabi

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/structs/registry.h"
#include "decode/tables/registry.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

// ---------------------------------------------------------------------------------------------
// Layouts no installed header has.

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
static_assert(sizeof(struct rusage) == 144);
static_assert(sizeof(struct rlimit) == 16);
static_assert(sizeof(struct sysinfo) == 112);
static_assert(sizeof(struct new_utsname) == 6 * 65);
static_assert(sizeof(struct clone_args) == CLONE_ARGS_SIZE_VER2);
static_assert(sizeof(kabi::sched_attr) == SCHED_ATTR_SIZE_VER1);
static_assert(sizeof(struct robust_list_head) == 24);
static_assert(sizeof(struct rseq) == 32);
static_assert(sizeof(struct __user_cap_header_struct) == 8);
static_assert(sizeof(struct __user_cap_data_struct) == 12);
static_assert(sizeof(struct user_desc) == 16);
static_assert(sizeof(struct ipc_perm) == 48);
static_assert(sizeof(struct msqid_ds) == 120);
static_assert(sizeof(struct shmid_ds) == 112);
static_assert(sizeof(struct kexec_segment) == 32);
static_assert(sizeof(struct __sysctl_args) == 80);

// The most pids clone3 takes in set_tid (MAX_PID_NS_LEVEL, include/linux/pid_namespace.h).
constexpr size_t kMaxSetTid = 32;

// ---------------------------------------------------------------------------------------------
// Local tables.

// <linux/capability.h>
constexpr FlagName kCapVersions[] = {F(_LINUX_CAPABILITY_VERSION_1), F(_LINUX_CAPABILITY_VERSION_2),
                                     F(_LINUX_CAPABILITY_VERSION_3)};
constexpr FlagTable kCapVersion = tables::enum_table("cap_version", kCapVersions);

// <linux/rseq.h>: the states a cpu_id field holds before it holds a CPU number.
constexpr FlagName kRseqCpuIds[] = {F(RSEQ_CPU_ID_UNINITIALIZED),
                                    F(RSEQ_CPU_ID_REGISTRATION_FAILED)};
constexpr FlagTable kRseqCpuId = tables::enum_table("rseq_cpu_id", kRseqCpuIds);

// <linux/rseq.h>: struct rseq's (deprecated) flags and struct rseq_cs's.
constexpr FlagName kRseqCsBits[] = {F(RSEQ_CS_FLAG_NO_RESTART_ON_PREEMPT),
                                    F(RSEQ_CS_FLAG_NO_RESTART_ON_SIGNAL),
                                    F(RSEQ_CS_FLAG_NO_RESTART_ON_MIGRATE)};
constexpr FlagTable kRseqCsFlags = tables::bits_table("rseq_cs_flags", kRseqCsBits);

// <linux/perf_event.h>: perf_event_attr's type, and the config of the two generic types.
constexpr FlagName kPerfTypes[] = {F(PERF_TYPE_HARDWARE), F(PERF_TYPE_SOFTWARE),
                                   F(PERF_TYPE_TRACEPOINT), F(PERF_TYPE_HW_CACHE),
                                   F(PERF_TYPE_RAW), F(PERF_TYPE_BREAKPOINT)};
constexpr FlagTable kPerfType = tables::enum_table("perf_type", kPerfTypes);
constexpr FlagName kPerfHwIds[] = {
    F(PERF_COUNT_HW_CPU_CYCLES),          F(PERF_COUNT_HW_INSTRUCTIONS),
    F(PERF_COUNT_HW_CACHE_REFERENCES),    F(PERF_COUNT_HW_CACHE_MISSES),
    F(PERF_COUNT_HW_BRANCH_INSTRUCTIONS), F(PERF_COUNT_HW_BRANCH_MISSES),
    F(PERF_COUNT_HW_BUS_CYCLES),          F(PERF_COUNT_HW_STALLED_CYCLES_FRONTEND),
    F(PERF_COUNT_HW_STALLED_CYCLES_BACKEND), F(PERF_COUNT_HW_REF_CPU_CYCLES),
};
constexpr FlagTable kPerfHwId = tables::enum_table("perf_hw_id", kPerfHwIds);
constexpr FlagName kPerfSwIds[] = {
    F(PERF_COUNT_SW_CPU_CLOCK),        F(PERF_COUNT_SW_TASK_CLOCK),
    F(PERF_COUNT_SW_PAGE_FAULTS),      F(PERF_COUNT_SW_CONTEXT_SWITCHES),
    F(PERF_COUNT_SW_CPU_MIGRATIONS),   F(PERF_COUNT_SW_PAGE_FAULTS_MIN),
    F(PERF_COUNT_SW_PAGE_FAULTS_MAJ),  F(PERF_COUNT_SW_ALIGNMENT_FAULTS),
    F(PERF_COUNT_SW_EMULATION_FAULTS), F(PERF_COUNT_SW_DUMMY),
    F(PERF_COUNT_SW_BPF_OUTPUT),       F(PERF_COUNT_SW_CGROUP_SWITCHES),
};
constexpr FlagTable kPerfSwId = tables::enum_table("perf_sw_id", kPerfSwIds);

// ---------------------------------------------------------------------------------------------
// Shared pieces.


// (beside the shared overloads of registry.h)
using structs::timespec_value;
using structs::timeval_value;
Value timeval_value(const struct timeval& tv) { return timeval_value(tv.tv_sec, tv.tv_usec); }

// A fixed-size char array of the kernel, up to its NUL.
Value char_array(const char* p, size_t n) {
  size_t len = 0;
  while (len < n && p[len] != '\0') ++len;
  return Value::string(std::string(p, len), false);
}

// ---------------------------------------------------------------------------------------------
// Signal sets: [INT TERM], or ~[KILL STOP] (the signals not in the set) when more than half of
// the set's signals are in it. Bit N-1 of the little-endian set is signal N.

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
  v.add("sa_flags", named_flags("sigaction_flags", sa.flags));
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
  v.add("ss_flags", named_flags("sigaltstack_flags", static_cast<uint32_t>(ss.ss_flags)));
  v.add("ss_size", Value::uinteger(ss.ss_size));
  return v;
}

// ---------------------------------------------------------------------------------------------
// wait4's status, as the <sys/wait.h> macros a program would test it with.

std::string wait_status_text(int s) {
  if (WIFEXITED(s)) return fmt::format("{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}", WEXITSTATUS(s));
  if (WIFSIGNALED(s))
    return fmt::format("{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}", signal_name(WTERMSIG(s)),
                       WCOREDUMP(s) ? " && WCOREDUMP(s)" : "");
  if (WIFSTOPPED(s)) {
    std::string t = fmt::format("{{WIFSTOPPED(s) && WSTOPSIG(s) == {}", signal_name(WSTOPSIG(s)));
    if ((s >> 16) != 0) t += fmt::format(" && s >> 16 == {}", s >> 16);  // a ptrace event
    return t + "}";
  }
  if (WIFCONTINUED(s)) return "{WIFCONTINUED(s)}";
  return fmt::format("{:#x}", static_cast<uint32_t>(s));
}

Value decode_wait_status(const ArgContext& c) {
  // wait4 with WNOHANG returns 0 when no child changed state, and writes no status.
  if (c.ev.nr == SYS_wait4 && c.ev.returned() && c.ev.ret == 0) return Value::hex(c.raw);
  int32_t s = 0;
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, Value::symbol(wait_status_text(s), static_cast<uint32_t>(s)));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Resources: rlimit (getrlimit, setrlimit, prlimit64's struct rlimit64, the same on x86_64),
// rusage, utsname, sysinfo.

Value rlim_value(uint64_t r) {
  if (r == RLIM64_INFINITY) return Value::symbol("RLIM_INFINITY", r);
  return Value::uinteger(r);
}

Value decode_rlimit(const ArgContext& c) {
  struct rlimit64 r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("rlim_cur", rlim_value(r.rlim_cur));
  v.add("rlim_max", rlim_value(r.rlim_max));
  return v;
}

Value decode_rusage(const ArgContext& c) {
  struct rusage ru {};
  if (!read_struct(c.mem, c.raw, &ru)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("ru_utime", timeval_value(ru.ru_utime));
  v.add("ru_stime", timeval_value(ru.ru_stime));
  v.add("ru_maxrss", Value::integer(ru.ru_maxrss));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  v.add("ru_ixrss", Value::integer(ru.ru_ixrss));
  v.add("ru_idrss", Value::integer(ru.ru_idrss));
  v.add("ru_isrss", Value::integer(ru.ru_isrss));
  v.add("ru_minflt", Value::integer(ru.ru_minflt));
  v.add("ru_majflt", Value::integer(ru.ru_majflt));
  v.add("ru_nswap", Value::integer(ru.ru_nswap));
  v.add("ru_inblock", Value::integer(ru.ru_inblock));
  v.add("ru_oublock", Value::integer(ru.ru_oublock));
  v.add("ru_msgsnd", Value::integer(ru.ru_msgsnd));
  v.add("ru_msgrcv", Value::integer(ru.ru_msgrcv));
  v.add("ru_nsignals", Value::integer(ru.ru_nsignals));
  v.add("ru_nvcsw", Value::integer(ru.ru_nvcsw));
  v.add("ru_nivcsw", Value::integer(ru.ru_nivcsw));
  return v;
}

Value decode_utsname(const ArgContext& c) {
  struct new_utsname u {};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sysname", char_array(u.sysname, sizeof u.sysname));
  v.add("nodename", char_array(u.nodename, sizeof u.nodename));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  v.add("release", char_array(u.release, sizeof u.release));
  v.add("version", char_array(u.version, sizeof u.version));
  v.add("machine", char_array(u.machine, sizeof u.machine));
  v.add("domainname", char_array(u.domainname, sizeof u.domainname));
  return v;
}

Value decode_sysinfo(const ArgContext& c) {
  struct sysinfo si {};
  if (!read_struct(c.mem, c.raw, &si)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("uptime", Value::integer(si.uptime));
  Value loads = Value::array();
  for (unsigned long l : si.loads) loads.add({}, Value::uinteger(l));
  v.add("loads", std::move(loads));
  v.add("totalram", Value::uinteger(si.totalram));
  v.add("freeram", Value::uinteger(si.freeram));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  v.add("sharedram", Value::uinteger(si.sharedram));
  v.add("bufferram", Value::uinteger(si.bufferram));
  v.add("totalswap", Value::uinteger(si.totalswap));
  v.add("freeswap", Value::uinteger(si.freeswap));
  v.add("procs", Value::uinteger(si.procs));
  v.add("totalhigh", Value::uinteger(si.totalhigh));
  v.add("freehigh", Value::uinteger(si.freehigh));
  v.add("mem_unit", Value::uinteger(si.mem_unit));
  return v;
}

// ---------------------------------------------------------------------------------------------
// clone3's struct clone_args: the size argument (1) says how much of it the caller has. The
// addresses that only mean something with a flag (pidfd, child_tid, parent_tid), tls, set_tid
// and cgroup are shown when set, every field with -v.

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
  v.add("flags", named_flags("clone3_flags", a.flags));
  if (all || a.pidfd != 0) v.add("pidfd", ptr_value(a.pidfd));
  if (all || a.child_tid != 0) v.add("child_tid", ptr_value(a.child_tid));
  if (all || a.parent_tid != 0) v.add("parent_tid", ptr_value(a.parent_tid));
  v.add("exit_signal", signal_value(static_cast<int64_t>(a.exit_signal)));
  v.add("stack", ptr_value(a.stack));
  v.add("stack_size", Value::hex(a.stack_size));
  if (all || a.tls != 0) v.add("tls", ptr_value(a.tls));
  if (want >= CLONE_ARGS_SIZE_VER1 && (all || a.set_tid != 0 || a.set_tid_size != 0)) {
    v.add("set_tid", set_tid_value(c, a.set_tid, a.set_tid_size));
    v.add("set_tid_size", Value::uinteger(a.set_tid_size));
  }
  if (want >= CLONE_ARGS_SIZE_VER2 && (all || (a.flags & CLONE_INTO_CGROUP) != 0))
    v.add("cgroup", fd_value(static_cast<int64_t>(a.cgroup)));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Scheduling: sched_param, sched_attr, CPU masks.

Value decode_sched_param(const ArgContext& c) {
  kabi::sched_param p{};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sched_priority", Value::integer(p.sched_priority));
  return v;
}

// The size field says which version the struct is (sched_setattr: 0 is the first); the
// utilization hints follow from SCHED_ATTR_SIZE_VER1 on.
Value decode_sched_attr(const ArgContext& c) {
  kabi::sched_attr a{};
  if (c.mem.read(c.raw, &a, SCHED_ATTR_SIZE_VER0) != SCHED_ATTR_SIZE_VER0)
    return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("size", Value::uinteger(a.size));
  v.add("sched_policy", named_flags("sched_policy", a.sched_policy));
  v.add("sched_flags", named_flags("sched_flags", a.sched_flags));
  v.add("sched_nice", Value::integer(a.sched_nice));
  v.add("sched_priority", Value::uinteger(a.sched_priority));
  v.add("sched_runtime", Value::uinteger(a.sched_runtime));
  v.add("sched_deadline", Value::uinteger(a.sched_deadline));
  v.add("sched_period", Value::uinteger(a.sched_period));
  if (a.size >= SCHED_ATTR_SIZE_VER1) {
    if (!read_struct(c.mem, c.raw, &a)) {
      v.truncated = true;
      return v;
    }
    v.add("sched_util_min", Value::uinteger(a.sched_util_min));
    v.add("sched_util_max", Value::uinteger(a.sched_util_max));
  }
  return v;
}

// sched_setaffinity/sched_getaffinity's mask as the list of its CPUs: its bytes are the length
// argument (set) or the return value (get), an array of unsigned long, bit N for CPU N.
// Masks longer than kMaxArrayElements bytes (8192 CPUs) are cut there, with `...`.
Value decode_cpu_mask(const ArgContext& c) {
  size_t n = element_count(c, 0);
  if (n == 0) return Value::hex(c.raw);
  uint64_t asked = c.arg.len >= 0 ? c.other(c.arg.len) : static_cast<uint64_t>(c.ev.ret);
  uint8_t bytes[kMaxArrayElements];
  if (c.mem.read(c.raw, bytes, n) != n) return Value::unreadable(c.raw);
  Value arr = Value::array();
  for (size_t i = 0; i < n * 8; ++i)
    if (((bytes[i / 8] >> (i % 8)) & 1) != 0) arr.add({}, Value::uinteger(i));
  arr.truncated = asked > n;
  return arr;
}

// pselect6's sig and io_pgetevents' usig: a pointer to a sigset and its size (the kernel's
// struct sigset_argpack and struct __aio_sigset, the same two words), shown with the set.
Value decode_sigset_pair(const ArgContext& c) {
  uint64_t pair[2];
  if (!read_struct(c.mem, c.raw, &pair)) return Value::unreadable(c.raw);
  bool aio = std::strcmp(c.arg.name, "usig") == 0;
  Value v = Value::structure();
  Value set = ptr_value(pair[0]);
  if (pair[0] != 0 && pair[1] != 0 && pair[1] <= kMaxSigsetBytes) {
    uint8_t bytes[kMaxSigsetBytes];
    auto n = static_cast<size_t>(pair[1]);
    set = c.mem.read(pair[0], bytes, n) == n ? sigset_value(bytes, n) : Value::unreadable(pair[0]);
  }
  v.add(aio ? "sigmask" : "ss", std::move(set));
  v.add(aio ? "sigsetsize" : "ss_len", Value::uinteger(pair[1]));
  return v;
}

// The NUMA node masks of mbind, set_mempolicy, get_mempolicy and migrate_pages, as the list of
// their nodes. The COUNT is the call's maxnode, a number of bits of which the kernel reads one
// less (mm/mempolicy.c: get_nodes); arrays of unsigned long, bit N for node N.
Value decode_node_mask(const ArgContext& c) {
  uint64_t maxnode = c.arg.len >= 0 ? c.other(c.arg.len) : 0;
  if (maxnode <= 1) return Value::hex(c.raw);
  uint64_t bits = std::min<uint64_t>(maxnode - 1, kMaxArrayElements * 8);
  size_t bytes_n = static_cast<size_t>((bits + 63) / 64 * 8);
  uint8_t bytes[kMaxArrayElements];
  if (c.mem.read(c.raw, bytes, bytes_n) != bytes_n) return Value::unreadable(c.raw);
  Value arr = Value::array();
  for (size_t i = 0; i < bits; ++i)
    if (((bytes[i / 8] >> (i % 8)) & 1) != 0) arr.add({}, Value::uinteger(i));
  arr.truncated = maxnode - 1 > bits;
  return arr;
}

// ---------------------------------------------------------------------------------------------
// Threads: robust futex lists, rseq areas, TLS descriptors.

Value decode_robust_list_head(const ArgContext& c) {
  struct robust_list_head h {};
  if (!read_struct(c.mem, c.raw, &h)) return Value::unreadable(c.raw);
  Value list = Value::structure();
  list.add("next", ptr_value(reinterpret_cast<uint64_t>(h.list.next)));
  Value v = Value::structure();
  v.add("list", std::move(list));
  v.add("futex_offset", Value::integer(h.futex_offset));
  v.add("list_op_pending", ptr_value(reinterpret_cast<uint64_t>(h.list_op_pending)));
  return v;
}

Value rseq_cpu_value(uint32_t id) {
  if (const char* name = enum_name(kRseqCpuId, id)) return Value::symbol(name, id);
  return Value::uinteger(id);
}

Value decode_rseq(const ArgContext& c) {
  struct rseq r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("cpu_id_start", Value::uinteger(r.cpu_id_start));
  v.add("cpu_id", rseq_cpu_value(r.cpu_id));
  v.add("rseq_cs", ptr_value(r.rseq_cs));
  v.add("flags", flags(kRseqCsFlags, r.flags));
  return v;
}

Value decode_user_desc(const ArgContext& c) {
  struct user_desc d {};
  if (!read_struct(c.mem, c.raw, &d)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("entry_number", Value::integer(static_cast<int32_t>(d.entry_number)));
  v.add("base_addr", Value::hex(d.base_addr));
  v.add("limit", Value::hex(d.limit));
  v.add("seg_32bit", Value::uinteger(d.seg_32bit));
  v.add("contents", Value::uinteger(d.contents));
  v.add("read_exec_only", Value::uinteger(d.read_exec_only));
  v.add("limit_in_pages", Value::uinteger(d.limit_in_pages));
  v.add("seg_not_present", Value::uinteger(d.seg_not_present));
  v.add("useable", Value::uinteger(d.useable));
  if (c.opt.verbose) v.add("lm", Value::uinteger(d.lm));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Capabilities: capget/capset's header, and the data whose element count its version gives.

Value decode_cap_header(const ArgContext& c) {
  struct __user_cap_header_struct h {};
  if (!read_struct(c.mem, c.raw, &h)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("version", enum_or_hex(kCapVersion, h.version));
  v.add("pid", Value::integer(h.pid));
  return v;
}

// 1 for _LINUX_CAPABILITY_VERSION_1, 2 for versions 2 and 3, 0 for others (the kernel refuses).
size_t cap_u32s(uint32_t version) {
  switch (version) {
    case _LINUX_CAPABILITY_VERSION_1: return _LINUX_CAPABILITY_U32S_1;
    case _LINUX_CAPABILITY_VERSION_2: return _LINUX_CAPABILITY_U32S_2;
    case _LINUX_CAPABILITY_VERSION_3: return _LINUX_CAPABILITY_U32S_3;
    default: return 0;
  }
}

Value one_cap_data(const ArgContext& c, uint64_t addr) {
  struct __user_cap_data_struct d {};
  if (!read_struct(c.mem, addr, &d)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("effective", Value::hex(d.effective));
  v.add("permitted", Value::hex(d.permitted));
  v.add("inheritable", Value::hex(d.inheritable));
  return v;
}

Value decode_cap_data(const ArgContext& c) {
  struct __user_cap_header_struct h {};
  if (!read_struct(c.mem, c.other(0), &h)) return Value::hex(c.raw);
  size_t n = cap_u32s(h.version);
  if (n == 0) return Value::hex(c.raw);
  return decode_array(c, n, sizeof(struct __user_cap_data_struct), n, one_cap_data);
}

// ---------------------------------------------------------------------------------------------
// System V IPC: msgctl's and shmctl's buf, whose meaning the command (argument 1) gives: a
// descriptor for the *_STAT and IPC_SET commands, the limits for the *_INFO ones, nothing for
// the others. On x86_64 the kernel always uses the 64-bit layouts (glibc's structs); the
// IPC_64 bit of the command changes nothing.

constexpr uint32_t kIpc64 = 0x100;  // include/uapi/linux/ipc.h (glibc keeps it internal)

Value ipc_perm_value(const struct ipc_perm& p) {
  Value v = Value::structure();
  v.add("key", p.__key == IPC_PRIVATE ? Value::symbol("IPC_PRIVATE", 0)
                                      : Value::hex(static_cast<uint32_t>(p.__key)));
  v.add("uid", Value::uinteger(p.uid));
  v.add("gid", Value::uinteger(p.gid));
  v.add("cuid", Value::uinteger(p.cuid));
  v.add("cgid", Value::uinteger(p.cgid));
  v.add("mode", Value::octal(p.mode));
  return v;
}

Value msqid_ds_value(const ArgContext& c, const struct msqid_ds& m) {
  Value v = Value::structure();
  v.add("msg_perm", ipc_perm_value(m.msg_perm));
  if (c.opt.verbose) {
    v.add("msg_stime", Value::integer(m.msg_stime));
    v.add("msg_rtime", Value::integer(m.msg_rtime));
    v.add("msg_ctime", Value::integer(m.msg_ctime));
    v.add("msg_cbytes", Value::uinteger(m.__msg_cbytes));
  }
  v.add("msg_qnum", Value::uinteger(m.msg_qnum));
  v.add("msg_qbytes", Value::uinteger(m.msg_qbytes));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  v.add("msg_lspid", Value::integer(m.msg_lspid));
  v.add("msg_lrpid", Value::integer(m.msg_lrpid));
  return v;
}

Value msginfo_value(const struct msginfo& m) {
  Value v = Value::structure();
  v.add("msgpool", Value::integer(m.msgpool));
  v.add("msgmap", Value::integer(m.msgmap));
  v.add("msgmax", Value::integer(m.msgmax));
  v.add("msgmnb", Value::integer(m.msgmnb));
  v.add("msgmni", Value::integer(m.msgmni));
  v.add("msgssz", Value::integer(m.msgssz));
  v.add("msgtql", Value::integer(m.msgtql));
  v.add("msgseg", Value::uinteger(m.msgseg));
  return v;
}

Value decode_msqid_ds(const ArgContext& c) {
  auto cmd = static_cast<int>(static_cast<uint32_t>(c.other(1)) & ~kIpc64);
  if (c.failed() && cmd != IPC_SET) return ptr_value(c.raw);  // nothing was written
  if (cmd == IPC_STAT || cmd == IPC_SET || cmd == MSG_STAT || cmd == MSG_STAT_ANY) {
    struct msqid_ds m {};
    if (!read_struct(c.mem, c.raw, &m)) return Value::unreadable(c.raw);
    return msqid_ds_value(c, m);
  }
  if (cmd == IPC_INFO || cmd == MSG_INFO) {
    struct msginfo m {};
    if (!read_struct(c.mem, c.raw, &m)) return Value::unreadable(c.raw);
    return msginfo_value(m);
  }
  return ptr_value(c.raw);
}

Value shmid_ds_value(const ArgContext& c, const struct shmid_ds& s) {
  Value v = Value::structure();
  v.add("shm_perm", ipc_perm_value(s.shm_perm));
  v.add("shm_segsz", Value::uinteger(s.shm_segsz));
  if (c.opt.verbose) {
    v.add("shm_atime", Value::integer(s.shm_atime));
    v.add("shm_dtime", Value::integer(s.shm_dtime));
    v.add("shm_ctime", Value::integer(s.shm_ctime));
    v.add("shm_cpid", Value::integer(s.shm_cpid));
    v.add("shm_lpid", Value::integer(s.shm_lpid));
  }
  v.add("shm_nattch", Value::uinteger(s.shm_nattch));
  if (!c.opt.verbose) v.truncated = true;
  return v;
}

Value decode_shmid_ds(const ArgContext& c) {
  auto cmd = static_cast<int>(static_cast<uint32_t>(c.other(1)) & ~kIpc64);
  if (c.failed() && cmd != IPC_SET) return ptr_value(c.raw);  // nothing was written
  if (cmd == IPC_STAT || cmd == IPC_SET || cmd == SHM_STAT || cmd == SHM_STAT_ANY) {
    struct shmid_ds s {};
    if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
    return shmid_ds_value(c, s);
  }
  if (cmd == IPC_INFO) {
    struct shminfo i {};
    if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
    Value v = Value::structure();
    v.add("shmmax", Value::uinteger(i.shmmax));
    v.add("shmmin", Value::uinteger(i.shmmin));
    v.add("shmmni", Value::uinteger(i.shmmni));
    v.add("shmseg", Value::uinteger(i.shmseg));
    v.add("shmall", Value::uinteger(i.shmall));
    return v;
  }
  if (cmd == SHM_INFO) {
    struct shm_info i {};
    if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
    Value v = Value::structure();
    v.add("used_ids", Value::integer(i.used_ids));
    v.add("shm_tot", Value::uinteger(i.shm_tot));
    v.add("shm_rss", Value::uinteger(i.shm_rss));
    v.add("shm_swp", Value::uinteger(i.shm_swp));
    v.add("swap_attempts", Value::uinteger(i.swap_attempts));
    v.add("swap_successes", Value::uinteger(i.swap_successes));
    return v;
  }
  return ptr_value(c.raw);
}

// ---------------------------------------------------------------------------------------------
// kexec_load's segments, _sysctl's arguments (a call removed in Linux 5.5), perf_event_open's
// attributes (the fields that say what is counted; the rest is left out).

Value one_kexec_segment(const ArgContext& c, uint64_t addr) {
  struct kexec_segment s {};
  if (!read_struct(c.mem, addr, &s)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("buf", ptr_value(reinterpret_cast<uint64_t>(s.buf)));
  v.add("bufsz", Value::uinteger(s.bufsz));
  v.add("mem", ptr_value(reinterpret_cast<uint64_t>(s.mem)));
  v.add("memsz", Value::uinteger(s.memsz));
  return v;
}

Value decode_kexec_segments(const ArgContext& c) {
  size_t n = element_count(c, 0);
  if (n == 0 || n > KEXEC_SEGMENT_MAX) return Value::hex(c.raw);  // the kernel refuses more
  return decode_array(c, n, sizeof(struct kexec_segment), KEXEC_SEGMENT_MAX, one_kexec_segment);
}

Value decode_sysctl_args(const ArgContext& c) {
  struct __sysctl_args a {};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("name", ptr_value(reinterpret_cast<uint64_t>(a.name)));
  v.add("nlen", Value::integer(a.nlen));
  v.add("oldval", ptr_value(reinterpret_cast<uint64_t>(a.oldval)));
  v.add("oldlenp", ptr_value(reinterpret_cast<uint64_t>(a.oldlenp)));
  v.add("newval", ptr_value(reinterpret_cast<uint64_t>(a.newval)));
  v.add("newlen", Value::uinteger(a.newlen));
  return v;
}

// The first fields of every version of the struct: type, size, config.
struct perf_event_attr_head {
  uint32_t type;
  uint32_t size;
  uint64_t config;
};
static_assert(offsetof(struct perf_event_attr, config) == offsetof(perf_event_attr_head, config));

Value perf_config_value(uint32_t type, uint64_t config) {
  const FlagTable* t = type == PERF_TYPE_HARDWARE   ? &kPerfHwId
                       : type == PERF_TYPE_SOFTWARE ? &kPerfSwId
                                                    : nullptr;
  if (t != nullptr) {
    if (const char* name = enum_name(*t, config)) return Value::symbol(name, config);
  }
  return Value::hex(config);
}

Value decode_perf_event_attr(const ArgContext& c) {
  perf_event_attr_head a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("type", enum_or_number(kPerfType, a.type));
  v.add("size", Value::uinteger(a.size));
  v.add("config", perf_config_value(a.type, a.config));
  v.truncated = true;
  return v;
}

constexpr Entry kProcess[] = {
    {"sigset", 0, decode_sigset},
    {"sigaction", sizeof(kernel_sigaction), decode_sigaction},
    {"siginfo", sizeof(siginfo_t), decode_siginfo},
    {"stack_t", sizeof(stack_t), decode_stack_t},
    {"wait_status", sizeof(int32_t), decode_wait_status},
    {"rlimit", sizeof(struct rlimit64), decode_rlimit},
    {"rusage", sizeof(struct rusage), decode_rusage},
    {"utsname", sizeof(struct new_utsname), decode_utsname},
    {"sysinfo", sizeof(struct sysinfo), decode_sysinfo},
    {"clone_args", sizeof(struct clone_args), decode_clone_args},
    {"sched_param", sizeof(kabi::sched_param), decode_sched_param},
    {"sched_attr", sizeof(kabi::sched_attr), decode_sched_attr},
    {"cpu_mask", 0, decode_cpu_mask},
    {"sigset_pair", 2 * sizeof(uint64_t), decode_sigset_pair},
    {"node_mask", 0, decode_node_mask},
    {"robust_list_head", sizeof(struct robust_list_head), decode_robust_list_head},
    {"rseq", sizeof(struct rseq), decode_rseq},
    {"user_desc", sizeof(struct user_desc), decode_user_desc},
    {"cap_header", sizeof(struct __user_cap_header_struct), decode_cap_header},
    {"cap_data", _LINUX_CAPABILITY_U32S_3 * sizeof(struct __user_cap_data_struct),
     decode_cap_data},
    // Large enough for each command's struct: msqid_ds (120 bytes) holds a msginfo (32),
    // shmid_ds (112) a shminfo (72) or a shm_info (48).
    {"msqid_ds", sizeof(struct msqid_ds), decode_msqid_ds},
    {"shmid_ds", sizeof(struct shmid_ds), decode_shmid_ds},
    {"kexec_segment", sizeof(struct kexec_segment), decode_kexec_segments},
    {"sysctl_args", sizeof(struct __sysctl_args), decode_sysctl_args},
    {"perf_event_attr", sizeof(perf_event_attr_head), decode_perf_event_attr},
};
static_assert(sizeof(struct msginfo) <= sizeof(struct msqid_ds));
static_assert(sizeof(struct shminfo) <= sizeof(struct shmid_ds));
static_assert(sizeof(struct shm_info) <= sizeof(struct shmid_ds));

}  // namespace

List process_structs() { return kProcess; }

}  // namespace dtruss::structs
