// The eBPF backend's loading: the program configured for the options, its maps filled (the
// capture plans, -t's selection, -y's fd plans), then loaded and verified by the kernel.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// (after glibc's headers, which some of the kernel's clash with)
#include <linux/io_uring.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "backends/bpf/bpf_internal.h"
#include "backends/bpf/core_btf.h"
#include "backends/bpf/events.h"
#include "core/call_filter.h"
#include "core/cgroup.h"
#include "core/pidns.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "syscalls/capture.h"
#include "syscalls/capture_run.h"
#include "syscalls/table.h"
#include "syscalls/uring_ops.h"
#include "util/text.h"

namespace dtruss {
namespace bpf_shared {

// libbpf's messages, kept to explain a failure (the verifier's log above all).
std::string g_libbpf_log;

namespace startup {
namespace {

using Clock = std::chrono::steady_clock;
const Clock::time_point g_process_start = Clock::now();  // (a static's: before main)

// The process's CPU time (user and system: the verifier's work is the latter), in ms: on a
// loaded machine, where the wall clock also counts the waits for a CPU.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Step {
  std::string what;
  Clock::time_point at;
  double cpu = 0;
  bool libbpf = false;  // one of libbpf's messages
};

std::vector<Step>& steps() {
  static std::vector<Step> s;
  return s;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

bool enabled() {
  static const bool on = [] {
    const char* env = getenv("DTRUSS_VERIFIER_STATS");
    return env != nullptr && *env != '\0' && *env != '0';
  }();
  return on;
}

void mark(const char* what) {
  if (enabled()) steps().push_back({what, Clock::now(), cpu_ms()});
}

// Each step's wall and CPU time (the first step's CPU time counts the dynamic linker's too);
// libbpf's messages only where the work before one took 0.2 ms of CPU or more.
void report() {
  if (!enabled()) return;
  Clock::time_point prev_own = g_process_start;
  double cpu_prev = 0, cpu_prev_own = 0, small = 0;
  int n_small = 0;
  for (const Step& s : steps()) {
    if (!s.libbpf && n_small > 0)
      fprintf(stderr, "dtruss: start-up:   libbpf: CPU %6.2f ms in %d smaller steps of %s\n",
              small + s.cpu - cpu_prev, n_small, s.what.c_str());
    if (!s.libbpf) {
      small = 0;
      n_small = 0;
    }
    if (s.libbpf && s.cpu - cpu_prev < 0.2) {
      small += s.cpu - cpu_prev;
      ++n_small;
    }
    if (!s.libbpf)
      fprintf(stderr, "dtruss: start-up: %-12s %7.2f ms, CPU %6.2f ms (at %7.2f ms)\n",
              s.what.c_str(), ms_between(prev_own, s.at), s.cpu - cpu_prev_own,
              ms_between(g_process_start, s.at));
    else if (s.cpu - cpu_prev >= 0.2)
      fprintf(stderr, "dtruss: start-up:   libbpf: CPU %6.2f ms up to: %s\n", s.cpu - cpu_prev,
              s.what.c_str());
    cpu_prev = s.cpu;
    if (!s.libbpf) {
      prev_own = s.at;
      cpu_prev_own = s.cpu;
    }
  }
  steps().clear();
}

}  // namespace startup

int collect_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) {
    if (!startup::enabled()) return 0;
    char line[160];
    vsnprintf(line, sizeof line, fmt, args);
    line[strcspn(line, "\n")] = '\0';
    startup::steps().push_back({line, startup::Clock::now(), startup::cpu_ms(), true});
    return 0;
  }
  // The whole message: the verifier's log comes as one, and its end says what it refused.
  va_list count;
  va_copy(count, args);
  int n = vsnprintf(nullptr, 0, fmt, count);
  va_end(count);
  if (n <= 0) return n;
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(buf.data(), buf.size(), fmt, args);
  buf.resize(static_cast<size_t>(n));
  if (g_libbpf_log.size() < (1u << 20)) g_libbpf_log += buf;
  return n;
}

std::string log_tail(size_t lines) {
  size_t pos = g_libbpf_log.size();
  for (size_t i = 0; i <= lines && pos > 0; ++i) {
    pos = g_libbpf_log.rfind('\n', pos - 1);
    if (pos == std::string::npos) {
      pos = 0;
      break;
    }
  }
  return g_libbpf_log.substr(pos);
}

bool has_capability(int cap) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &hdr, data) != 0) return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

}  // namespace bpf_shared

using namespace bpf_shared;

namespace {

// DTRUSS_VERIFIER_STATS=1: what the verifier did for each program loaded (the instructions it
// processed, its time), on standard error: most of dtruss's start-up (bench/, docs/performance).
class VerifierStats {
 public:
  static bool enabled() {
    const char* env = getenv("DTRUSS_VERIFIER_STATS");
    return env != nullptr && *env != '\0' && *env != '0';
  }
  explicit VerifierStats(bpf_object* obj) {
    if (!enabled()) return;
    bpf_program* prog = nullptr;
    logs_.reserve(32);
    start_ = std::chrono::steady_clock::now();
    bpf_object__for_each_program(prog, obj) {
      if (!bpf_program__autoload(prog) || logs_.size() == logs_.capacity()) continue;
      logs_.push_back({prog, std::string(4096, '\0')});
      bpf_program__set_log_buf(prog, logs_.back().text.data(), logs_.back().text.size());
      bpf_program__set_log_level(prog, 4);  // BPF_LOG_STATS
    }
  }
  // Each program's figures, then the load's time: the verifier's and the rest (libbpf's CO-RE
  // relocations against the kernel's BTF, map creation).
  void report() const {
    if (logs_.empty()) return;
    double load_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count();
    double verifier_ms = 0;
    for (const auto& l : logs_) {
      std::string text(l.text.c_str());
      for (const char* key : {"verification time", "processed"}) {
        size_t at = text.find(key);
        if (at == std::string::npos) continue;
        fprintf(stderr, "dtruss: verifier: %s: %s\n", bpf_program__name(l.prog),
                text.substr(at, text.find('\n', at) - at).c_str());
        if (key[0] == 'v') verifier_ms += std::atof(text.c_str() + at + 18) / 1000;
      }
    }
    fprintf(stderr, "dtruss: verifier: load %.1f ms: verifier %.1f ms, the rest %.1f ms\n", load_ms,
            verifier_ms, load_ms - verifier_ms);
  }

 private:
  struct Log {
    bpf_program* prog;
    std::string text;
  };
  std::vector<Log> logs_;  // (reserved up front: the buffers must not move once handed over)
  std::chrono::steady_clock::time_point start_;
};

uint64_t round_up_pow2(uint64_t v) {
  uint64_t p = 4096;
  while (p < v && p < (1ull << 31)) p <<= 1;
  return p;
}

static_assert(DT_LEN_AT(0) == len_at(0) && DT_LEN_AT(5) == len_at(5));

static_assert(DT_LEN_PAGES(0) == len_pages(0) && DT_LEN_PAGES(5) == len_pages(5));

static_assert(DT_LEN_RET == kLenRet && DT_LEN_NONE == kNoLen);

// The nested captures take as much on both backends (syscalls/capture_run.h).
static_assert(DT_MAX_IOV == kMaxIovecs && DT_MAX_CONTROL == kMaxControl &&
              DT_MAX_MMSG == kMaxMmsghdrs);

// A capture plan as the BPF program runs it: every step at exit (an in-argument is still there),
// copies of bytes and strings only (execve's arrays are the program's own business).
// --read/--write (`dumps`): syscall `nr`'s data argument (a buffer or an iovec array, after an fd:
// what output/dump.cpp dumps) is marked, for the kernel side to take in full when the fd is one of
// the dump sets'; every buffer argument else keeps `data_max` bytes (the plans hold more for
// the ptrace backend, which copies what a dumped call moved).
int dump_arg(long nr, uint8_t* dir) {
  const SyscallInfo* info = syscall_by_nr(nr);
  if (info == nullptr || info->nargs < 2 || info->args[0].kind != ArgKind::Fd) return -1;
  for (int i = 1; i < info->nargs; ++i) {
    const ArgInfo& a = info->args[i];
    if (a.kind == ArgKind::Buffer || (a.kind == ArgKind::Struct && a.strct == StructId::s_iovec)) {
      *dir = a.dir == Dir::In ? 2 : 1;
      return i;
    }
  }
  return -1;
}

dt_plan to_dt_plan(const CapturePlan& cp, long nr = -1, bool dumps = false,
                   uint32_t data_max = DT_MAX_CAPTURE) {
  dt_plan plan{};
  uint8_t dump_dir = 0;
  int data = dumps ? dump_arg(nr, &dump_dir) : -1;
  const SyscallInfo* info = syscall_by_nr(nr);
  auto add = [&](const CaptureStep& step, bool out) {
    if (plan.n >= DT_MAX_STEPS) return;
    if (step.shape != CaptureShape::CString && step.shape != CaptureShape::Bytes) return;
    dt_step& d = plan.steps[plan.n++];
    d.arg = step.arg;
    d.shape = step.shape == CaptureShape::CString ? DT_CSTRING : DT_BYTES;
    if (step.nested == CaptureStep::Nested::IovecData) d.shape = out ? DT_IOVECS_OUT : DT_IOVECS_IN;
    if (step.nested == CaptureStep::Nested::Msghdr) d.shape = out ? DT_MSGHDR_OUT : DT_MSGHDR_IN;
    if (step.nested == CaptureStep::Nested::Mmsghdr) d.shape = out ? DT_MMSGHDR_OUT : DT_MMSGHDR_IN;
    d.len = step.len;
    d.elem = step.elem;
    // (A directory's records: up to DT_MAX_BIG bytes, sent in pieces.)
    d.max = std::min<uint32_t>(step.max, step.records ? DT_MAX_BIG : DT_MAX_CAPTURE);
    if (dumps && info != nullptr && step.arg < info->nargs &&
        info->args[step.arg].kind == ArgKind::Buffer)
      d.max = std::min(d.max, std::max<uint32_t>(data_max, 1));
    if (step.arg == data) d.dump = dump_dir;
  };
  for (uint8_t i = 0; i < cp.n_entry; ++i) add(cp.entry[i], false);
  for (uint8_t i = 0; i < cp.n_exit; ++i) add(cp.exit[i], true);
  // In/out arguments as passed: copied at entry (their exit step has what the call wrote).
  for (uint8_t i = 0; i < cp.n_before && plan.n_entry < DT_MAX_STEPS; ++i) {
    const CaptureStep& step = cp.before[i];
    if (step.shape != CaptureShape::Bytes || step.len == kLenRet) continue;
    dt_step& d = plan.entry[plan.n_entry++];
    d.arg = step.arg;
    d.shape = DT_BYTES;
    d.len = step.len;
    d.elem = step.elem;
    d.max = std::min<uint32_t>(step.max, DT_MAX_CAPTURE);
  }
  return plan;
}

// -Z's calls begun at their entry (failed_at_exit): an exec (its strings go with the memory), those
// that never return (their event is made there), rt_sigreturn (it returns with other registers),
// those that fail with a SIGPIPE to the caller (EPIPE: the signal, which kills, is told after the
// call only when the call is in progress: on_signal_generate), and those whose plan, or one their
// selecting argument picks, copies something as passed (`copies_at_entry`).
bool needs_entry(long nr, bool copies_at_entry) {
  static constexpr long kAtEntry[] = {
      SYS_execve, SYS_execveat, SYS_exit,           SYS_exit_group, SYS_rt_sigreturn,
      SYS_write,  SYS_writev,   SYS_pwrite64,       SYS_pwritev,    SYS_pwritev2,
      SYS_sendto, SYS_sendmsg,  SYS_sendmmsg,       SYS_splice,     SYS_vmsplice,
      SYS_tee,    SYS_sendfile, SYS_copy_file_range};
  return copies_at_entry ||
         std::find(std::begin(kAtEntry), std::end(kAtEntry), nr) != std::end(kAtEntry);
}

// The ring buffer's size when -b does not set it. --summary counts in the kernel and sends only
// process events (forks, execs, exits): a small ring is plenty, and is set up in a fraction of the
// time. Otherwise 4 MiB per CPU (events come from every CPU at once, the one consumer drains
// them), from 8 to 64 MiB: on 2 CPUs, 8 MiB loses nothing on the benchmarks with 8 threads (2 MiB
// does), and setting the ring up and down takes 1.6 ms per 4 MiB.
uint64_t default_ring_bytes(bool summary_only, uint64_t cpus) {
  if (summary_only) return 256u << 10;
  return std::clamp<uint64_t>(cpus * (4u << 20), 8u << 20, 64u << 20);
}

// -y: which fds each call's exit describes in the kernel (events.h, enum dt_fd_plan): the fd a
// call returns, a socket whose addresses connect, bind or listen set (or a send, binding a
// datagram socket to a port of its own), the two fds of a pair, a clone's pidfd, the fds an
// SCM_RIGHTS message brought, and after a rename or an unlink the files the process has open
// (their names may have changed, or be gone).
static_assert(DT_CLONE_PIDFD == CLONE_PIDFD);
static_assert(DT_BY_CALL == static_cast<int>(SummaryBy::None) &&
              DT_BY_PROCESS == static_cast<int>(SummaryBy::Process) &&
              DT_BY_THREAD == static_cast<int>(SummaryBy::Thread) &&
              DT_BY_CGROUP == static_cast<int>(SummaryBy::Container));

// The kernel's numbers the BPF programs test (events.h), as the C library's headers have them.
static_assert(DT_NR_MMAP == SYS_mmap && DT_NR_MUNMAP == SYS_munmap && DT_NR_MREMAP == SYS_mremap &&
              DT_NR_EXECVE == SYS_execve && DT_NR_EXIT == SYS_exit &&
              DT_NR_EXIT_GROUP == SYS_exit_group && DT_NR_EXECVEAT == SYS_execveat &&
              DT_NR_CLONE3 == SYS_clone3);

static_assert(DT_SIGQUIT == SIGQUIT && DT_SIGILL == SIGILL && DT_SIGTRAP == SIGTRAP &&
              DT_SIGABRT == SIGABRT && DT_SIGBUS == SIGBUS && DT_SIGFPE == SIGFPE &&
              DT_SIGKILL == SIGKILL && DT_SIGSEGV == SIGSEGV && DT_SIGCHLD == SIGCHLD &&
              DT_SIGCONT == SIGCONT && DT_SIGSTOP == SIGSTOP && DT_SIGTSTP == SIGTSTP &&
              DT_SIGTTIN == SIGTTIN && DT_SIGTTOU == SIGTTOU && DT_SIGURG == SIGURG &&
              DT_SIGXCPU == SIGXCPU && DT_SIGXFSZ == SIGXFSZ && DT_SIGWINCH == SIGWINCH &&
              DT_SIGSYS == SIGSYS);

static_assert(DT_PROT_EXEC == PROT_EXEC && DT_MAP_ANONYMOUS == MAP_ANONYMOUS &&
              DT_EFAULT == EFAULT && DT_S_IFMT == S_IFMT && DT_S_IFSOCK == S_IFSOCK &&
              DT_AF_UNIX == AF_UNIX && DT_AF_INET == AF_INET && DT_AF_INET6 == AF_INET6 &&
              DT_SOCK_DGRAM == static_cast<int>(SOCK_DGRAM) && DT_SOL_SOCKET == SOL_SOCKET &&
              DT_SCM_RIGHTS == static_cast<int>(SCM_RIGHTS) && DT_AT_PHDR == AT_PHDR &&
              DT_AT_BASE == AT_BASE);

static_assert(DT_SECCOMP_IOCTL_NOTIF_ADDFD == SECCOMP_IOCTL_NOTIF_ADDFD &&
              DT_SECCOMP_SET_MODE_FILTER == SECCOMP_SET_MODE_FILTER &&
              DT_SECCOMP_FILTER_FLAG_NEW_LISTENER == SECCOMP_FILTER_FLAG_NEW_LISTENER);

void set_fd_plans(bpf_map* map) {
  for (const SyscallInfo& s : all_syscalls()) {
    if (s.nr < 0 || s.nr >= DT_NR_MAX) continue;
    uint8_t plan = s.ret == RetKind::Fd ? DT_FDS_RET : DT_FDS_NONE;
    switch (s.nr) {
      case SYS_connect:
      case SYS_bind:
      case SYS_listen:
        plan = DT_FDS_ARG0;
        break;
      case SYS_sendto:
      case SYS_sendmsg:
      case SYS_sendmmsg:
        plan = DT_FDS_DGRAM_ARG0;
        break;
      case SYS_rename:
      case SYS_renameat:
      case SYS_renameat2:
      case SYS_unlink:
      case SYS_unlinkat:
      case SYS_rmdir:
        plan = DT_FDS_FILES;
        break;
      case SYS_pipe:
      case SYS_pipe2:
        plan = DT_FDS_PAIR_ARG0;
        break;
      case SYS_socketpair:
        plan = DT_FDS_PAIR_ARG3;
        break;
      case SYS_clone:
      case SYS_clone3:
        plan = DT_FDS_PIDFD;
        break;
      case SYS_recvmsg:
        plan = DT_FDS_RIGHTS;
        break;
      case SYS_ioctl:
        plan = DT_FDS_ADDFD;
        break;
      case SYS_seccomp:
        plan = DT_FDS_LISTENER;
        break;
      default:
        break;
    }
    if (plan == DT_FDS_NONE) continue;
    auto key = static_cast<uint32_t>(s.nr);
    bpf_map__update_elem(map, &key, sizeof(key), &plan, sizeof(plan), BPF_ANY);
  }
}

// -P decided in the kernel (path_filter.bpf.h): the strings it compares, each path (as given and
// as resolved) as written and, when a file's record can name it so, as that record would (its
// components innermost first, each NUL-terminated). False when the kernel cannot decide for
// these paths: one too long, or one that an fd's name other than a path's could equal
// ("pipe:[...]", "/memfd:x (deleted)"...); then user space decides alone.
bool path_filter_strings(const std::vector<std::string>& paths,
                         std::vector<std::pair<uint32_t, std::string>>* out) {
  static constexpr std::string_view kDeleted = " (deleted)";
  for (const std::string& p : paths) {
    if (p.empty() || p.size() >= DT_PF_LEN || p.find('\0') != std::string::npos) return false;
    if ((p[0] != '/' && p.find(':') != std::string::npos) || p.ends_with(kDeleted)) return false;
    out->emplace_back(DT_PF_WRITTEN, p);
    if (p[0] != '/') continue;
    std::vector<std::string_view> parts;
    if (p != "/") parts = split(std::string_view(p).substr(1), '/');
    bool canonical = std::none_of(parts.begin(), parts.end(), [](std::string_view c) {
      return c.empty() || c == "." || c == "..";
    });
    if (!canonical) continue;  // (never an fd's name)
    std::string walked;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      walked += *it;
      walked += '\0';
    }
    out->emplace_back(DT_PF_WALKED, walked);
  }
  return out->size() <= DT_PF_MAX;
}

// io_uring: where a member is in a kernel struct, found in the kernel's BTF ("how.flags": a
// member of a member; anonymous unions and structs are looked into).
struct Member {
  uint32_t off = 0;  // bytes
  uint32_t size = 0;
  bool sign = false;
  bool found = false;
};

Member find_member(const btf* b, uint32_t type_id, std::string_view path, uint32_t base) {
  std::string_view name = path.substr(0, path.find('.'));
  std::string_view rest = name.size() < path.size() ? path.substr(name.size() + 1) : "";
  int id = btf__resolve_type(b, type_id);
  const btf_type* t = id > 0 ? btf__type_by_id(b, static_cast<uint32_t>(id)) : nullptr;
  if (t == nullptr || !btf_is_composite(t)) return {};
  const btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
    uint32_t off = base + btf_member_bit_offset(t, i) / 8;
    const char* mname = btf__name_by_offset(b, m->name_off);
    if (mname == nullptr || *mname == 0) {  // anonymous: its members are the struct's
      Member inner = find_member(b, m->type, path, off);
      if (inner.found) return inner;
      continue;
    }
    if (name != mname) continue;
    if (!rest.empty()) return find_member(b, m->type, rest, off);
    Member r;
    r.off = off;
    long size = btf__resolve_size(b, m->type);
    r.size = size > 0 ? static_cast<uint32_t>(size) : 0;
    int tid = btf__resolve_type(b, m->type);
    const btf_type* mt = tid > 0 ? btf__type_by_id(b, static_cast<uint32_t>(tid)) : nullptr;
    r.sign = mt != nullptr && ((btf_is_int(mt) && (btf_int_encoding(mt) & BTF_INT_SIGNED) != 0) ||
                               (btf_is_enum(mt) && btf_kflag(mt)));
    r.found = true;
    return r;
  }
  return {};
}

// The type ids of the structs named `names`, in one pass over the kernel's types (a search by
// name is a pass each: 80 of them cost 30 ms of start-up).
std::map<std::string, uint32_t, std::less<>> struct_ids(const btf* b,
                                                        const std::vector<std::string>& names) {
  std::map<std::string, uint32_t, std::less<>> out;
  uint32_t n = btf__type_cnt(b);
  for (uint32_t id = 1; id < n && out.size() < names.size(); ++id) {
    const btf_type* t = btf__type_by_id(b, id);
    if (!btf_is_struct(t)) continue;
    const char* name = btf__name_by_offset(b, t->name_off);
    if (name == nullptr || *name == 0 || out.count(name) != 0) continue;
    if (std::find(names.begin(), names.end(), name) != names.end()) out[name] = id;
  }
  return out;
}

// The operations' definitions (events.h, dt_uring_def) but `wanted`: each known operation's
// syscall and where its arguments are in the request's per-opcode data (an argument whose member
// is not found, or lies past that data, is 0); every other opcode is sent with its result alone.
// From the kernel's BTF `b` alone (and the operations' table): kept in the CO-RE cache.
std::vector<dt_uring_def> uring_defs_of(const btf* b) {
  std::vector<std::string> names = {"filename"};
  for (const UringOp& op : uring_ops())
    if (op.strct != nullptr) names.emplace_back(op.strct);
  auto ids = b != nullptr ? struct_ids(b, names) : decltype(struct_ids(b, names)){};
  auto member = [&](const char* strct, std::string_view path) {
    auto it = ids.find(strct);
    return it != ids.end() ? find_member(b, it->second, path, 0) : Member{};
  };
  Member uptr = member("filename", "uptr");
  std::vector<dt_uring_def> defs(DT_URING_OPS);
  for (uint32_t opcode = 0; opcode < DT_URING_OPS; ++opcode) {
    dt_uring_def& def = defs[opcode];
    def.nr = -1;
    const UringOp* op = uring_op(static_cast<int>(opcode));
    if (op != nullptr && !op->own) def.nr = op->info->nr;
    for (int i = 0; op != nullptr && b != nullptr && i < op->nargs; ++i) {
      const UringArg& a = op->args[i];
      dt_uring_src& src = def.src[i];
      if (a.from == UringArg::From::Fd) src.from = DT_UR_FD;
      if (a.from == UringArg::From::TimeoutTs) src.from = DT_UR_TIMEOUT;
      if (a.from == UringArg::From::BytesSize) src.from = DT_UR_KSIZE;
      if (a.from == UringArg::From::Bytes) {  // (a struct of the per-opcode data, whole)
        Member m = member(op->strct, a.field);
        if (!m.found || m.size > DT_URING_KBYTES || m.off + m.size > DT_URING_CMD) continue;
        src.from = DT_UR_BYTES;
        src.off = static_cast<uint8_t>(m.off);
        src.size = static_cast<uint8_t>(m.size);
      }
      if (a.from != UringArg::From::Field && a.from != UringArg::From::Path) continue;
      Member m = member(op->strct, a.field);
      bool path = a.from == UringArg::From::Path;
      if (!m.found || m.off + (path ? 8 : m.size) > DT_URING_CMD || (path && !uptr.found)) continue;
      if (!path && m.size != 1 && m.size != 2 && m.size != 4 && m.size != 8) continue;
      src.from = path ? DT_UR_PATH : DT_UR_FIELD;
      src.off = static_cast<uint8_t>(m.off);
      src.size = static_cast<uint8_t>(path ? 8 : m.size);
      src.sign = m.sign ? 1 : 0;
      src.off2 = static_cast<uint16_t>(uptr.off);
    }
    if (op != nullptr && op->strct != nullptr && b != nullptr) {  // (a direct descriptor's)
      Member slot = member(op->strct, "file_slot");
      if (slot.found && slot.size == 4 && slot.off + 4 <= DT_URING_CMD) def.slot = slot.off + 1;
    }
  }
  return defs;
}

// What uring_defs_of reads of the operations' table: part of the CO-RE cache's key.
std::string uring_table_text() {
  std::string text;
  for (const UringOp& op : uring_ops()) {
    text += std::to_string(op.opcode) + (op.own ? " own " : " ") +
            std::to_string(op.info != nullptr ? op.info->nr : -1) + " " +
            (op.strct != nullptr ? op.strct : "-") + ":";
    for (int i = 0; i < op.nargs; ++i)
      text += std::to_string(static_cast<int>(op.args[i].from)) + "=" +
              (op.args[i].field != nullptr ? op.args[i].field : "") + ",";
    text += ";";
  }
  return text;
}

// The operations' definitions into the map, `wanted` (-t) set: from the CO-RE cache's bytes
// (`cached`) when it has them, else from the kernel's BTF.
void set_uring_defs(bpf_map* map, const std::vector<bool>& wanted, const std::string& cached) {
  std::vector<dt_uring_def> defs;
  if (cached.size() == DT_URING_OPS * sizeof(dt_uring_def)) {
    defs.resize(DT_URING_OPS);
    std::memcpy(defs.data(), cached.data(), cached.size());
  } else {
    btf* b = btf__load_vmlinux_btf();
    defs = uring_defs_of(b);
    btf__free(b);
  }
  for (uint32_t opcode = 0; opcode < DT_URING_OPS; ++opcode) {
    dt_uring_def def = defs[opcode];
    def.wanted = wanted.empty() || (opcode < wanted.size() && wanted[opcode]) ? 1 : 0;
    const UringOp* op = uring_op(static_cast<int>(opcode));
    def.multishot = op != nullptr && op->multishot ? 1 : 0;  // (not in the cache: the table's)
    bpf_map__update_elem(map, &opcode, sizeof(opcode), &def, sizeof(def), BPF_ANY);
  }
}

static_assert(DT_URING_OPS == kUringOpMax && DT_URING_OPS <= DT_URING_OP_MASK &&
              DT_IOSQE_FIXED_FILE == IOSQE_FIXED_FILE);

// The kernel's own BTF ids of the types the programs cast to besides struct task_struct (whose id
// core_btf keeps): kept at the end of the CO-RE cache's extra bytes, after io_uring's.
struct KernelIds {
  uint32_t files_struct = 0;
};

std::string kernel_ids_text(const btf* vmlinux) {
  KernelIds ids;
  int id = btf__find_by_name_kind(vmlinux, "files_struct", BTF_KIND_STRUCT);
  ids.files_struct = id > 0 ? static_cast<uint32_t>(id) : 0;
  return {reinterpret_cast<const char*>(&ids), sizeof(ids)};
}

KernelIds kernel_ids_of(const std::string& extra) {
  KernelIds ids;
  if (extra.size() >= sizeof(ids))
    std::memcpy(&ids, extra.data() + extra.size() - sizeof(ids), sizeof(ids));
  return ids;
}

}  // namespace

std::string BpfTracer::unavailable_reason() {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    return "the kernel has no BTF (/sys/kernel/btf/vmlinux), which the eBPF backend needs";
  if (geteuid() != 0 && !(has_capability(CAP_BPF) && has_capability(CAP_PERFMON)))
    return "the eBPF backend needs root, or the CAP_BPF and CAP_PERFMON capabilities (try sudo)";
  return {};
}

void BpfTracer::load() {
  if (st_->skel != nullptr) return;
  startup::mark("main");
  check_privileges();  // (what the kernel side may trace is set before load)
  libbpf_set_print(collect_libbpf_log);
  // CO-RE against the small BTF of the cache (core_btf.h), else against the kernel's.
  size_t object_size = 0;
  const void* object = dtruss_bpf__elf_bytes(&object_size);
  auto started = std::chrono::steady_clock::now();
  bpf_core_btf::CoreBtf core =
      bpf_core_btf::core_btf(object, object_size, uring_table_text(), [](const btf* b) {
        std::vector<dt_uring_def> defs = uring_defs_of(b);
        return std::string(reinterpret_cast<const char*>(defs.data()),
                           defs.size() * sizeof(dt_uring_def)) +
               kernel_ids_text(b);
      });
  startup::mark("core-btf");
  if (VerifierStats::enabled())
    fprintf(stderr, "dtruss: core BTF: %s (%.1f ms)\n", core.note().c_str(),
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                .count());
  int err = open_and_load(core.usable() ? &core : nullptr);
  if (err != 0 && core.usable()) {
    core.discard();  // (the kernel's BTF decides: the cache is made again next time)
    err = open_and_load(nullptr);
  }
  if (err != 0) {
    // The verifier says EACCES for a program it rejects, which reads like a privilege problem:
    // show what it said.
    throw TraceError("the kernel refused the eBPF program (" + std::string(strerror(-err)) +
                     "):\n" + log_tail(20));
  }
  dtruss_bpf* skel = st_->skel;
  fill_maps(skel, core.extra().substr(
                      0, core.extra().size() - std::min(core.extra().size(), sizeof(KernelIds))));
  startup::mark("fill-maps");
  st_->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), ring_callback, this, nullptr);
  if (st_->rb == nullptr) throw TraceError("cannot set up the eBPF ring buffer: " + log_tail(3));
  startup::mark("ring-buffer");
}

// Opens the program (its CO-RE relocations against `core`'s BTF, else the kernel's), sets it up
// for the options and loads it: libbpf's error, 0 when loaded.
int BpfTracer::open_and_load(const bpf_core_btf::CoreBtf* core) {
  if (st_->skel != nullptr) dtruss_bpf__destroy(std::exchange(st_->skel, nullptr));
  std::string btf_path = core != nullptr ? core->path() : std::string();
  bpf_object_open_opts opts{};
  opts.sz = sizeof(opts);
  opts.btf_custom_path = core != nullptr ? btf_path.c_str() : nullptr;
  dtruss_bpf* skel = dtruss_bpf__open_opts(&opts);
  if (skel == nullptr) throw TraceError("cannot open the eBPF program: " + log_tail(5));
  st_->skel = skel;
  startup::mark("open");
  configure(skel);
  skel->rodata->task_struct_kernel_id = core != nullptr ? core->task_struct_id() : 0;
  skel->rodata->files_struct_kernel_id =
      core != nullptr ? kernel_ids_of(core->extra()).files_struct : 0;
  choose_programs(skel);
  size_maps(skel);
  VerifierStats stats(skel->obj);
  startup::mark("configure");
  int err = dtruss_bpf__load(skel);
  startup::mark("load");
  if (err == 0) stats.report();
  return err;
}

// The program's settings (its read-only data) from the options.
void BpfTracer::configure(dtruss_bpf* skel) {
  skel->rodata->follow_forks = cfg_.follow_forks ? 1 : 0;
  skel->rodata->describe_fds = cfg_.describe_fds ? 1 : 0;
  skel->rodata->all_processes = cfg_.all ? 1 : 0;
  skel->rodata->cgroup_only = cfg_.cgroup.empty() ? 0 : 1;
  // A cgroup v1 --cgroup (v2's is in cgroup_dir), or without --cgroup, on a host with v1
  // hierarchies, the one --summary-by container counts by (its first: pids, memory...): there
  // runtimes put containers, in v2 not always.
  bool by_container = cfg_.summary_by == SummaryBy::Container;
  std::string v1_dir = cfg_.cgroup.empty() && by_container ? first_cgroup1_mount() : cfg_.cgroup;
  if (CgroupV1 v1; !v1_dir.empty() && cgroup_v1_of(v1_dir, &v1)) {
    // (the kfunc of filter.bpf.h: Linux 6.8 on)
    btf* b = btf__load_vmlinux_btf();
    bool kfunc =
        b != nullptr && btf__find_by_name_kind(b, "bpf_task_get_cgroup1", BTF_KIND_FUNC) > 0;
    btf__free(b);
    if (!kfunc && !cfg_.cgroup.empty())
      throw TraceError("--cgroup " + cfg_.cgroup +
                           ": a cgroup v1 directory, which the eBPF backend follows with "
                           "bpf_task_get_cgroup1 (Linux 6.8 and later), not in this kernel; use "
                           "--backend=ptrace",
                       2);
    if (kfunc) {
      skel->rodata->cgroup_v1_hierarchy = v1.hierarchy;
      skel->rodata->cgroup_v1_level = v1.level;
      skel->rodata->cgroup_v1_id = v1.id;
    }
  }
  skel->rodata->filter_syscalls = cfg_.syscalls.empty() && !cfg_.uring_only ? 0 : 1;
  skel->rodata->trace_uring = tracing_uring() ? 1 : 0;
  skel->rodata->uring_plans = cfg_.summary_only ? 0 : 1;  // (fill_maps fills none then)
  skel->rodata->self_tgid = getpid();
  if (!cfg_.name.empty()) {
    skel->rodata->name_mode = cfg_.wait_for_name ? 2 : 1;
    std::strncpy(const_cast<char*>(skel->rodata->name_filter), cfg_.name.c_str(), 15);
  }
  if (restricted_) {  // only what the caller could ptrace (check_privileges)
    skel->rodata->restrict_creds = 1;
    skel->rodata->caller_uid = getuid();
    skel->rodata->caller_gid = getgid();
    skel->rodata->caller_caps = own_capabilities();
  }
  skel->rodata->data_max = std::min<uint32_t>(cfg_.data_max, DT_MAX_CAPTURE);
  // execve's strings: what is shown, one byte more to tell a longer one, and the NUL.
  skel->rodata->exec_str_max = std::min<uint32_t>(cfg_.data_max, DT_MAX_CAPTURE) + 2;
  skel->rodata->exec_env_strings = cfg_.verbose ? 1 : 0;
  skel->rodata->summary_by =  // (checked: dt_summary_by; a cgroup's path: counted as a container)
      static_cast<int>(by_cgroup(cfg_.summary_by) ? SummaryBy::Container : cfg_.summary_by);
  skel->rodata->summary_comm_live = cfg_.summary_comm_live ? 1 : 0;  // --top
  skel->rodata->want_time = cfg_.call_times || cfg_.cpu_time ? 1 : 0;
  skel->rodata->want_cpu = cfg_.cpu_time ? 1 : 0;
  // -P: decided in the kernel too, where it can (with -y's records: they name the fds' files).
  pf_strings_.clear();
  bool fd_notes = cfg_.describe_fds && !cfg_.summary_only;
  if (!cfg_.paths.empty() && fd_notes && !path_filter_strings(cfg_.paths, &pf_strings_))
    pf_strings_.clear();
  if (!pf_strings_.empty()) {
    skel->rodata->path_filter = 1;
    skel->rodata->pf_count = static_cast<uint32_t>(pf_strings_.size());
    size_t longest = 0;
    for (const auto& [form, bytes] : pf_strings_)
      if (form == DT_PF_WRITTEN) longest = std::max(longest, bytes.size());
    skel->rodata->pf_read_max = static_cast<uint32_t>(longest + 2);
    skel->rodata->pf_quiet = cfg_.show_fds ? 0 : 1;
    for (const auto& [form, bytes] : pf_strings_) {
      if (form == DT_PF_WRITTEN && bytes.size() < 32)
        skel->rodata->pf_written_lens |= uint32_t{1} << bytes.size();
      if (form != DT_PF_WALKED) continue;
      size_t len = strnlen(bytes.data(), bytes.size());  // (its last component comes first)
      const_cast<uint64_t&>(skel->rodata->pf_name_lens[len / 64]) |= uint64_t{1} << (len % 64);
    }
  }
  // --status: decided in the kernel, unless unfinished calls are asked for, or -y's fd table
  // wants every call (with -P, whose records follow only the calls it keeps, it does not).
  if (cfg_.status != 0 && (cfg_.status & kStatusUnfinished) == 0 &&
      (!cfg_.describe_fds || !pf_strings_.empty()))
    skel->rodata->drop_status = ~cfg_.status & (kStatusSuccessful | kStatusFailed);
  // -Z: the calls that need nothing of their entry are begun at their exit, when they failed
  // (fill_maps marks the others), unless an entry gives what is shown: a time, -y's and -P's fd
  // records, a stack, -n's first look at a process.
  if (skel->rodata->drop_status == kStatusSuccessful && !skel->rodata->want_time &&
      !cfg_.describe_fds && !skel->rodata->path_filter && !stacks_ && cfg_.name.empty())
    skel->rodata->failed_at_exit = 1;
  // --read / --write: the fds (below DT_DUMP_FDS) whose calls' data is taken in full.
  for (int i = 0; i < DT_DUMP_FDS; ++i) {
    auto bit = 1ull << (i % 64);
    if (!cfg_.dump_read.empty() && cfg_.dump_read.contains(i))
      skel->rodata->dump_fds[0][i / 64] |= bit;
    if (!cfg_.dump_write.empty() && cfg_.dump_write.contains(i))
      skel->rodata->dump_fds[1][i / 64] |= bit;
  }
  if (cfg_.pidns_ids) {  // --pidns-translation
    skel->rodata->pidns_ids = 1;
    skel->rodata->self_pidns = pid_namespace_of(0);
  }
  // -s: the stack record's size (a multiple of 8, as records are aligned).
  if (stacks_)
    skel->rodata->stack_bytes = std::min<uint32_t>((cfg_.stack_bytes + 7) & ~7u, DT_STACK_MAX);
}

// The programs the options need: only those are loaded (each costs the verifier's time).
void BpfTracer::choose_programs(dtruss_bpf* skel) {
  // The mapping trackers cost load time (the verifier): only with -s.
  bpf_program__set_autoload(skel->progs.on_sys_exit_maps, stacks_ != nullptr);
  bpf_program__set_autoload(skel->progs.on_exec_maps, stacks_ != nullptr);
  bpf_program__set_autoload(skel->progs.on_fork_stack, stacks_ != nullptr);
  // (-y, -P, -w: what each new fd refers to is read at the exit of the calls that make one, by
  // on_sys_exit itself: sys_exit_fds in dtruss.bpf.c, with describe_fds)
  // --summary counts in its own small pair of programs; every other mode sends events.
  bpf_program__set_autoload(skel->progs.on_sys_enter, !cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_sys_exit, !cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_sys_enter_count, cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_sys_exit_count, cfg_.summary_only);
  // The table shows no signals: --summary neither loads nor attaches their programs.
  bpf_program__set_autoload(skel->progs.on_signal_deliver, !cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_signal_generate, !cfg_.summary_only);
  // io_uring's operations: when -t selects any (uring.bpf.h).
  bpf_program__set_autoload(skel->progs.on_uring_submit, tracing_uring());
  bpf_program__set_autoload(skel->progs.on_uring_complete, tracing_uring());
  bpf_program__set_autoload(skel->progs.on_uring_refused, tracing_uring());
}

// Whether -t selects io_uring operations (all of them without -t).
bool BpfTracer::tracing_uring() const {
  return cfg_.uring_ops.empty() ||
         std::find(cfg_.uring_ops.begin(), cfg_.uring_ops.end(), true) != cfg_.uring_ops.end();
}

void BpfTracer::size_maps(dtruss_bpf* skel) {
  // The maps of the other mode are made as small as they can be: a hash map's buckets are
  // allocated and zeroed at creation (1 MiB for 65,536 entries), which is start-up time.
  if (cfg_.summary_only) {
    bpf_map__set_max_entries(skel->maps.sel_plans, 1);
    if (cfg_.summary_by == SummaryBy::None) bpf_map__set_max_entries(skel->maps.aggs, 1);
  } else {
    for (bpf_map* m : {skel->maps.aggs, skel->maps.agg_errs, skel->maps.seen})
      bpf_map__set_max_entries(m, 1);
  }
  if (!tracing_uring()) bpf_map__set_max_entries(skel->maps.uring_reqs, 1);
  if (!tracing_uring()) bpf_map__set_max_entries(skel->maps.uring_multi, 1);
  auto cpus = static_cast<uint64_t>(std::max(1, libbpf_num_possible_cpus()));
  uint64_t ring = round_up_pow2(cfg_.ring_bytes != 0 ? cfg_.ring_bytes
                                                     : default_ring_bytes(cfg_.summary_only, cpus));
  bpf_map__set_max_entries(skel->maps.events, static_cast<uint32_t>(ring));
  // A CPU wakes the consumer every wake_bytes it writes: all CPUs together fill a quarter of the
  // ring before the consumer is sure to be awake (between 16 KiB and 1 MiB each). A wake-up is
  // an interrupt on the traced program's CPU, and on a VM an exit to the hypervisor: at 1 MiB
  // rather than 256 KiB, tar's wake-ups took a third of the time (perf, 592 -> 201 samples).
  skel->rodata->wake_bytes = std::clamp<uint64_t>(ring / 4 / cpus, 16 << 10, 1 << 20);
  // -s: past a quarter of the ring unread, each stack wakes the consumer (stacks.bpf.h).
  skel->rodata->stack_brake_bytes = ring / 4;
}

// The maps user space fills once loaded: the capture plans, -y's fd plans, -t's selection.
void BpfTracer::fill_maps(dtruss_bpf* skel, const std::string& uring_defs) {
  // The capture plan: what to copy for each syscall. execve's arguments are taken at entry by
  // the program itself (the exec replaces their memory). --summary copies nothing.
  bool dumps = !cfg_.dump_read.empty() || !cfg_.dump_write.empty();
  std::vector<bool> copies_at_entry(DT_NR_MAX);  // a plan of the syscall copies at entry
  for (const SyscallInfo& s : all_syscalls()) {
    if (s.nr >= DT_NR_MAX || cfg_.summary_only) continue;
    dt_plan plan{};
    auto key = static_cast<uint32_t>(s.nr);
    if (s.nr != SYS_execve && s.nr != SYS_execveat) {
      plan = to_dt_plan(plans_.of(s.nr), s.nr, dumps, cfg_.data_max);
      // The plans an argument's value picks (an ioctl's request): the syscall's own, and more.
      for (const SelectedPlan& sp : plans_.selected(s.nr)) {
        dt_sel_key sk{key, sp.selector};
        dt_plan selected = to_dt_plan(sp.plan);
        if (selected.n_entry > 0) copies_at_entry[key] = true;
        if (bpf_map__update_elem(skel->maps.sel_plans, &sk, sizeof(sk), &selected, sizeof(selected),
                                 BPF_ANY) == 0)
          plan.sel = static_cast<uint32_t>(plans_.selector(s.nr) + 1);
      }
    }
    bpf_map__update_elem(skel->maps.plans, &key, sizeof(key), &plan, sizeof(plan), BPF_ANY);
    if (plan.n_entry > 0) copies_at_entry[key] = true;
  }
  if (cfg_.describe_fds && !cfg_.summary_only)  // (-y's program, or -P's in on_sys_exit)
    set_fd_plans(skel->maps.fd_plans);
  if (skel->rodata->path_filter) fill_path_filter(skel);
  if (tracing_uring()) set_uring_defs(skel->maps.uring_defs, cfg_.uring_ops, uring_defs);
  // --cgroup on v2: the kernel holds the directory (the fd may close). (v1: configure's ids)
  if (!cfg_.cgroup.empty() && !skel->rodata->cgroup_v1_hierarchy) {
    int fd = open(cfg_.cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    uint32_t key = 0;
    if (fd < 0 || bpf_map__update_elem(skel->maps.cgroup_dir, &key, sizeof(key), &fd, sizeof(fd),
                                       BPF_ANY) != 0)
      throw TraceError("--cgroup " + cfg_.cgroup + ": " + strerror(errno), 2);
    close(fd);
  }
  // `wanted`: -t's selection (DT_WANT_CALL); the command's execve must be seen even when -t
  // leaves it out (the trace starts there). -Z begun at exit (failed_at_exit): every selected
  // number, those no syscall has too (they fail with ENOSYS, and are shown), and DT_WANT_ENTRY for
  // those that need their entry.
  std::vector<uint8_t> wanted(DT_NR_MAX);
  if (cfg_.syscalls.empty()) {
    if (skel->rodata->failed_at_exit) std::fill(wanted.begin(), wanted.end(), DT_WANT_CALL);
  } else {
    for (long nr : cfg_.syscalls)
      if (nr >= 0 && nr < DT_NR_MAX) wanted[static_cast<size_t>(nr)] = DT_WANT_CALL;
    for (long nr : {long{SYS_execve}, long{SYS_execveat}}) wanted[nr] = DT_WANT_CALL;
  }
  for (uint32_t key = 0; key < DT_NR_MAX; key++) {
    if (skel->rodata->failed_at_exit && wanted[key] && needs_entry(key, copies_at_entry[key]))
      wanted[key] |= DT_WANT_ENTRY;
    if (wanted[key])
      bpf_map__update_elem(skel->maps.wanted, &key, sizeof(key), &wanted[key], 1, BPF_ANY);
  }
}

// -P in the kernel: the strings, each syscall's fd and path arguments, and the inodes of the files
// at the paths now.
void BpfTracer::fill_path_filter(dtruss_bpf* skel) {
  uint32_t key = 0;
  for (const auto& [form, bytes] : pf_strings_) {
    dt_pf_string e{};
    e.len = static_cast<uint32_t>(bytes.size());
    e.form = form;
    std::memcpy(e.s, bytes.data(), bytes.size());
    bpf_map__update_elem(skel->maps.pf_strings, &key, sizeof(key), &e, sizeof(e), BPF_ANY);
    ++key;
  }
  for (const SyscallInfo& s : all_syscalls()) {
    if (s.nr < 0 || s.nr >= DT_NR_MAX) continue;
    uint16_t kinds = s.ret == RetKind::Fd ? DT_PF_RET_FD : 0;
    // close_range names its first fd only: sent always, so that user space's fd table (-P's,
    // whose records of fds not on a path are not sent: pf_quiet) forgets those it closes.
    if (s.nr == SYS_close_range) kinds |= DT_PF_ALWAYS;
    for (int i = 0; i < s.nargs && i < 6; ++i) {
      if (s.args[i].kind == ArgKind::Fd || s.args[i].kind == ArgKind::Dirfd) kinds |= 1u << i;
      if (s.args[i].kind == ArgKind::Path) kinds |= 1u << (DT_PF_PATH_SHIFT + i);
    }
    auto nr = static_cast<uint32_t>(s.nr);
    bpf_map__update_elem(skel->maps.pf_args, &nr, sizeof(nr), &kinds, sizeof(kinds), BPF_ANY);
  }
  remember_path_files(skel);
}

// The inodes of the files at the paths now (as given, as resolved, and a symlink's own: an
// O_PATH|O_NOFOLLOW open names that): at the start, and again while the trace runs (consume),
// for a process that joins the trace (-n, --all, --cgroup) with an fd on a file that something
// not traced made at a path since.
void BpfTracer::remember_path_files(dtruss_bpf* skel) {
  for (const auto& [form, path] : pf_strings_) {
    if (form != DT_PF_WRITTEN) continue;
    struct stat st {};
    for (bool follow : {true, false}) {
      if ((follow ? stat(path.c_str(), &st) : lstat(path.c_str(), &st)) != 0) continue;
      uint64_t ino = st.st_ino;
      // (2: DT_PF_SEEN in path_filter.bpf.h: the kernel describes the fds of calls on it once
      // more; an inode it named already keeps its 1)
      uint8_t seen = 2;
      int err = bpf_map__update_elem(skel->maps.pf_inodes, &ino, sizeof(ino), &seen, sizeof(seen),
                                     BPF_NOEXIST);
      if (err == 0 || err == -EEXIST) skel->bss->pf_known = 1;
    }
  }
}

}  // namespace dtruss
