#include "backends/bpf/bpf_tracer.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "backends/bpf/events.h"
#include "backends/bpf/records.h"
#include "core/fdinfo.h"
#include "core/interrupt.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "dtruss.skel.h"
#include "syscalls/capture.h"
#include "syscalls/table.h"
#include "util/text.h"

namespace dtruss {
namespace {

// The threads of a process now (0 when it is gone).
int thread_count(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

std::string threads_text(int n) {
  return std::to_string(n) + (n == 1 ? " thread" : " threads");
}

// libbpf's messages, kept to explain a failure (the verifier's log above all).
std::string g_libbpf_log;

int collect_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
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

uint64_t round_up_pow2(uint64_t v) {
  uint64_t p = 4096;
  while (p < v && p < (1ull << 31)) p <<= 1;
  return p;
}

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

static_assert(DT_LEN_AT(0) == len_at(0) && DT_LEN_AT(5) == len_at(5));
static_assert(DT_LEN_PAGES(0) == len_pages(0) && DT_LEN_PAGES(5) == len_pages(5));
static_assert(DT_LEN_RET == kLenRet && DT_LEN_NONE == kNoLen);

// A capture plan as the BPF program runs it: every step at exit (an in-argument is still there),
// copies of bytes and strings only (execve's arrays are the program's own business).
dt_plan to_dt_plan(const CapturePlan& cp) {
  dt_plan plan{};
  auto add = [&](const CaptureStep& step, bool out) {
    if (plan.n >= DT_MAX_STEPS) return;
    if (step.shape != CaptureShape::CString && step.shape != CaptureShape::Bytes) return;
    dt_step& d = plan.steps[plan.n++];
    d.arg = step.arg;
    d.shape = step.shape == CaptureShape::CString ? DT_CSTRING : DT_BYTES;
    if (step.nested == CaptureStep::Nested::IovecData) d.shape = out ? DT_IOVECS_OUT : DT_IOVECS_IN;
    if (step.nested == CaptureStep::Nested::Msghdr) d.shape = out ? DT_MSGHDR_OUT : DT_MSGHDR_IN;
    d.len = step.len;
    d.elem = step.elem;
    // (A directory's records: up to DT_MAX_BIG bytes, sent in pieces.)
    d.max = std::min<uint32_t>(step.max, step.records ? DT_MAX_BIG : DT_MAX_CAPTURE);
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
              DT_SOCK_DGRAM == static_cast<int>(SOCK_DGRAM) && DT_AT_PHDR == AT_PHDR &&
              DT_AT_BASE == AT_BASE);

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
      default:
        break;
    }
    if (plan == DT_FDS_NONE) continue;
    auto key = static_cast<uint32_t>(s.nr);
    bpf_map__update_elem(map, &key, sizeof(key), &plan, sizeof(plan), BPF_ANY);
  }
}

// -y: a DT_FD record (events.h) as describe_fd() would put it ("" when it cannot tell).
FdNote fd_note(const dt_fd& rec, const char* path, size_t len) {
  FdNote n;
  n.fd = rec.fd;
  n.open = rec.kind != DT_FD_CLOSED;
  n.cloexec = (rec.flags & DT_FD_CLOEXEC) != 0;
  if (rec.kind == DT_FD_SOCKET) {
    SocketFacts s;
    s.inode = rec.ino;
    s.family = rec.family;
    s.proto.assign(rec.proto, strnlen(rec.proto, sizeof rec.proto));
    std::memcpy(s.laddr.data(), rec.laddr, sizeof rec.laddr);
    std::memcpy(s.raddr.data(), rec.raddr, sizeof rec.raddr);
    s.lport = ntohs(rec.lport);
    s.rport = ntohs(rec.rport);
    // What /proc/net/{tcp,udp}[6] list: TCP sockets not closed (listening, connecting,
    // connected), UDP sockets with a local port.
    if (s.proto == "TCP" || s.proto == "TCPv6") s.listed = rec.state != TCP_CLOSE;
    if (s.proto == "UDP" || s.proto == "UDPv6") s.listed = rec.num != 0;
    s.has_path = (rec.flags & DT_FD_ADDR) != 0;
    if (s.has_path) s.path.assign(path, len);
    n.what = socket_label(s);
  } else if (rec.kind == DT_FD_FILE && (rec.flags & DT_FD_CUT) == 0) {
    FileFacts f;
    f.inode = rec.ino;
    f.fs_magic = rec.magic;
    f.deleted = (rec.flags & DT_FD_DELETED) != 0;
    f.pseudo = (rec.flags & DT_FD_PSEUDO) != 0;
    for (size_t at = 0; at < len;) {
      size_t k = strnlen(path + at, len - at);
      f.parts.emplace_back(path + at, k);
      at += k + 1;
    }
    n.what = file_label(f);
  }
  return n;
}

// The consumer's nice value (see run()).
constexpr int kConsumerNice = -10;

int ring_callback(void* ctx, void* data, size_t size) {
  return static_cast<BpfTracer*>(ctx)->on_record(data, size);
}

// Calls fn(key) for each key of the map fd (the keys present as the walk goes).
template <typename Key, typename Fn>
void for_each_key(int fd, Fn fn) {
  Key key{}, next{};
  bool first = true;
  while (bpf_map_get_next_key(fd, first ? nullptr : &key, &next) == 0) {
    first = false;
    key = next;
    fn(key);
  }
}

// Without CAP_SYS_PTRACE (events.h, dt_deny): what dtruss says about processes it may not trace.
static_assert(DT_DENY_USER == static_cast<int>(PtraceDenial::OtherUser) &&
              DT_DENY_GROUP == static_cast<int>(PtraceDenial::OtherGroup) &&
              DT_DENY_CAPS == static_cast<int>(PtraceDenial::MoreCaps) &&
              DT_DENY_DUMPABLE == static_cast<int>(PtraceDenial::NotDumpable));
constexpr const char* kPtraceCap = "CAP_SYS_PTRACE (root)";

// -n: one line for the processes of that name left alone, each with its reason.
std::string skipped_text(const std::string& name,
                         const std::vector<std::pair<pid_t, std::string>>& procs, bool more,
                         bool later) {
  std::string text = "skipped " + std::to_string(procs.size()) + (more ? " more" : "") +
                     (procs.size() == 1 ? " process" : " processes") + " named '" + escaped(name) +
                     "'" + (later ? " that started later" : "") + ": you could not ptrace " +
                     (procs.size() == 1 ? "it" : "them") + " (";
  for (size_t i = 0; i < procs.size(); ++i) {
    if (i == 5) {
      text += "; ...";
      break;
    }
    text += (i == 0 ? "PID " : "; PID ") + std::to_string(procs[i].first) + ": " + procs[i].second;
  }
  return text + "), and tracing " + (procs.size() == 1 ? "it" : "them") + " needs " + kPtraceCap;
}

}  // namespace

struct BpfTracer::State {
  dtruss_bpf* skel = nullptr;
  ring_buffer* rb = nullptr;
  bpf_link* fds = nullptr;  // -y: on_sys_exit_fds, attached before the skeleton's programs
  ~State() {
    if (rb != nullptr) ring_buffer__free(rb);
    if (fds != nullptr) bpf_link__destroy(fds);
    if (skel != nullptr) dtruss_bpf__destroy(skel);  // detaches and frees every program and map
  }
};

BpfTracer::BpfTracer(BpfConfig cfg, EventConsumer& out)
    : cfg_(std::move(cfg)), out_(out), st_(std::make_unique<State>()) {
  if (cfg_.stack_depth > 0) stacks_ = std::make_unique<StackUnwinder>(cfg_.stack_depth);
}

BpfTracer::~BpfTracer() {
  if (go_fd_ >= 0) close(go_fd_);
  if (exec_error_fd_ >= 0) close(exec_error_fd_);
}

std::string BpfTracer::unavailable_reason() {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    return "the kernel has no BTF (/sys/kernel/btf/vmlinux), which the eBPF backend needs";
  if (geteuid() != 0 && !(has_capability(CAP_BPF) && has_capability(CAP_PERFMON)))
    return "the eBPF backend needs root, or the CAP_BPF and CAP_PERFMON capabilities (try sudo)";
  return {};
}

void BpfTracer::load() {
  if (st_->skel != nullptr) return;
  check_privileges();  // (what the kernel side may trace is set before load)
  libbpf_set_print(collect_libbpf_log);
  dtruss_bpf* skel = dtruss_bpf__open();
  if (skel == nullptr) throw TraceError("cannot open the eBPF program: " + log_tail(5));
  st_->skel = skel;
  skel->rodata->follow_forks = cfg_.follow_forks ? 1 : 0;
  skel->rodata->describe_fds = cfg_.describe_fds ? 1 : 0;
  skel->rodata->all_processes = cfg_.all ? 1 : 0;
  skel->rodata->filter_syscalls = cfg_.syscalls.empty() ? 0 : 1;
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
  skel->rodata->summary_by = static_cast<int>(cfg_.summary_by);  // (its values: summary_kinds.h)
  skel->rodata->want_time = cfg_.call_times || cfg_.cpu_time ? 1 : 0;
  skel->rodata->want_cpu = cfg_.cpu_time ? 1 : 0;
  // -s: the stack record's size (a multiple of 8, as records are aligned).
  if (stacks_)
    skel->rodata->stack_bytes = std::min<uint32_t>((cfg_.stack_bytes + 7) & ~7u, DT_STACK_MAX);
  // The mapping trackers cost load time (the verifier): only with -s.
  bpf_program__set_autoload(skel->progs.on_sys_exit_maps, stacks_ != nullptr);
  bpf_program__set_autoload(skel->progs.on_exec_maps, stacks_ != nullptr);
  // -y: what each new fd refers to, read at the exit of the calls that make one. Attached by
  // hand, before on_sys_exit (see run()).
  bool fd_notes = cfg_.describe_fds && !cfg_.summary_only;
  bpf_program__set_autoload(skel->progs.on_sys_exit_fds, fd_notes);
  bpf_program__set_autoattach(skel->progs.on_sys_exit_fds, false);
  // --summary counts in its own small pair of programs; every other mode sends events.
  bpf_program__set_autoload(skel->progs.on_sys_enter, !cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_sys_exit, !cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_sys_enter_count, cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_sys_exit_count, cfg_.summary_only);
  // The table shows no signals: --summary neither loads nor attaches their programs.
  bpf_program__set_autoload(skel->progs.on_signal_deliver, !cfg_.summary_only);
  bpf_program__set_autoload(skel->progs.on_signal_generate, !cfg_.summary_only);
  // The maps of the other mode are made as small as they can be: a hash map's buckets are
  // allocated and zeroed at creation (1 MiB for 65,536 entries), which is start-up time.
  if (cfg_.summary_only) {
    bpf_map__set_max_entries(skel->maps.sel_plans, 1);
    if (cfg_.summary_by == SummaryBy::None) bpf_map__set_max_entries(skel->maps.aggs, 1);
  } else {
    for (bpf_map* m : {skel->maps.aggs, skel->maps.agg_errs, skel->maps.seen})
      bpf_map__set_max_entries(m, 1);
  }
  auto cpus = static_cast<uint64_t>(std::max(1, libbpf_num_possible_cpus()));
  uint64_t ring = round_up_pow2(cfg_.ring_bytes != 0 ? cfg_.ring_bytes
                                                     : default_ring_bytes(cfg_.summary_only, cpus));
  bpf_map__set_max_entries(skel->maps.events, static_cast<uint32_t>(ring));
  // A CPU wakes the consumer every wake_bytes it writes: all CPUs together fill a quarter of the
  // ring before the consumer is sure to be awake (between 16 KiB and 1 MiB each). A wake-up is
  // an interrupt on the traced program's CPU, and on a VM an exit to the hypervisor: at 1 MiB
  // rather than 256 KiB, tar's wake-ups took a third of the time (perf, 592 -> 201 samples).
  skel->rodata->wake_bytes = std::clamp<uint64_t>(ring / 4 / cpus, 16 << 10, 1 << 20);
  if (int err = dtruss_bpf__load(skel); err != 0) {
    // The verifier says EACCES for a program it rejects, which reads like a privilege problem:
    // show what it said.
    throw TraceError("the kernel refused the eBPF program (" + std::string(strerror(-err)) +
                     "):\n" + log_tail(20));
  }
  // The capture plan: what to copy for each syscall. execve's arguments are taken at entry by
  // the program itself (the exec replaces their memory). --summary copies nothing.
  for (const SyscallInfo& s : all_syscalls()) {
    if (s.nr >= DT_NR_MAX || cfg_.summary_only) continue;
    dt_plan plan{};
    auto key = static_cast<uint32_t>(s.nr);
    if (s.nr != SYS_execve && s.nr != SYS_execveat) {
      plan = to_dt_plan(capture_plan(s.nr));
      // The plans an argument's value picks (an ioctl's request): the syscall's own, and more.
      for (const SelectedPlan& sp : selected_plans(s.nr)) {
        dt_sel_key sk{key, sp.selector};
        dt_plan selected = to_dt_plan(sp.plan);
        if (bpf_map__update_elem(skel->maps.sel_plans, &sk, sizeof(sk), &selected, sizeof(selected),
                                 BPF_ANY) == 0)
          plan.sel = static_cast<uint32_t>(plan_selector(s.nr) + 1);
      }
    }
    bpf_map__update_elem(skel->maps.plans, &key, sizeof(key), &plan, sizeof(plan), BPF_ANY);
  }
  if (fd_notes) set_fd_plans(skel->maps.fd_plans);
  for (long nr : cfg_.syscalls) {
    if (nr < 0 || nr >= DT_NR_MAX) continue;
    auto key = static_cast<uint32_t>(nr);
    uint8_t on = 1;
    bpf_map__update_elem(skel->maps.wanted, &key, sizeof(key), &on, sizeof(on), BPF_ANY);
  }
  // The command's execve must be seen even when -t leaves it out (the trace starts there).
  for (long nr : {long{SYS_execve}, long{SYS_execveat}}) {
    auto key = static_cast<uint32_t>(nr);
    uint8_t on = 1;
    if (!cfg_.syscalls.empty())
      bpf_map__update_elem(skel->maps.wanted, &key, sizeof(key), &on, sizeof(on), BPF_ANY);
  }
  st_->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), ring_callback, this, nullptr);
  if (st_->rb == nullptr) throw TraceError("cannot set up the eBPF ring buffer: " + log_tail(3));
}

void BpfTracer::start_command() {
  std::string path, error;
  if (!resolve_command(cfg_.command[0], &path, &error)) throw TraceError(error, 2);
  LaunchSpec spec;
  spec.path = path;
  spec.argv = cfg_.command;
  spec.run_as = cfg_.run_as ? &*cfg_.run_as : nullptr;
  Launched l = launch_gated(spec);
  child_ = l.pid;
  go_fd_ = l.go_fd;
  st_->skel->bss->cmd_tgid = static_cast<uint32_t>(child_);
  exec_error_fd_ = l.exec_error_fd;
  if (cfg_.describe_fds) fds_.snapshot(child_);  // what the command starts with: dtruss's own
  auto key = static_cast<uint32_t>(child_);
  uint8_t one = 1;
  bpf_map__update_elem(st_->skel->maps.tgids, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
}

int BpfTracer::run() {
  load();
  if (restricted_ && !cfg_.name.empty() && !cfg_.wait_for_name) skip_foreign_by_name();
  if (!cfg_.command.empty()) {
    start_command();
  } else {
    // Every PID is checked before any is traced; a thread's id names its process, which is
    // what the kernel side's filter holds.
    for (pid_t& pid : cfg_.attach) pid = traceable_process(pid);
    for (pid_t pid : cfg_.attach) {
      if (cfg_.describe_fds) fds_.snapshot(pid);  // its fds as the trace begins
      auto key = static_cast<uint32_t>(pid);
      uint8_t one = 1;
      bpf_map__update_elem(st_->skel->maps.tgids, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
    }
  }
  // The consumer must keep up with every traced thread on one core: it runs at a higher priority
  // than they do (set after the command was forked, which keeps its own). Where it cannot (no
  // CAP_SYS_NICE), it runs as it is.
  if (!cfg_.summary_only) setpriority(PRIO_PROCESS, 0, kConsumerNice);
  // A tracepoint runs its programs in the order they were attached: the fd notes of a call are
  // sent before on_sys_exit sends the call.
  if (bpf_program__autoload(st_->skel->progs.on_sys_exit_fds)) {
    st_->fds = bpf_program__attach(st_->skel->progs.on_sys_exit_fds);
    if (st_->fds == nullptr)
      throw TraceError("cannot attach the eBPF program (" + std::string(strerror(errno)) +
                       "): " + log_tail(5));
  }
  if (int err = dtruss_bpf__attach(st_->skel); err != 0)
    throw TraceError("cannot attach the eBPF program (" + std::string(strerror(-err)) +
                     "): " + log_tail(5));
  if (go_fd_ >= 0) await_exec();  // the filter holds the child's PID: let it exec
  out_.ready();
  if (command_stopped_) {  // the header (ready) comes before anything the command writes
    command_stopped_ = false;
    st_->skel->bss->cmd_resuming = 1;
    kill(child_, SIGCONT);
  }
  for (pid_t pid : cfg_.attach) {
    // A process that ended before the programs were attached left no exit record to say so.
    if (!process_alive(pid)) {
      forget_process(pid);
      out_.on_notice({0, "process " + std::to_string(pid) + " exited before it could be traced"});
      continue;
    }
    out_.on_notice({0, "attached to process " + std::to_string(pid) + " (" + process_comm(pid) +
                           "), " + threads_text(thread_count(pid)) + " (eBPF)"});
  }
  if (cfg_.all) out_.on_notice({0, "tracing every process but dtruss (eBPF)"});
  if (cfg_.data_max > DT_MAX_CAPTURE)
    out_.on_notice({0, fmt::format("the eBPF backend copies at most {} bytes of each string and "
                                   "buffer: --strsize {} shows no more (--backend=ptrace does)",
                                   DT_MAX_CAPTURE, cfg_.data_max)});
  if (!cfg_.name.empty())
    out_.on_notice({0, cfg_.wait_for_name ? "waiting for a process named '" + cfg_.name + "'"
                                          : "tracing processes named '" + cfg_.name + "'"});
  if (!skipped_running_.empty())
    out_.on_notice({0, skipped_text(cfg_.name, skipped_running_, false, false)});
  bool seen_any = false;  // -W: the trace ends when the awaited process (and its kin) are gone
  auto last_check = std::chrono::steady_clock::now();
  auto last_prune = last_check;

  // Poll with a timeout: the kernel side wakes us only in batches, the timer flushes the rest.
  while (true) {
    int n = ring_buffer__poll(st_->rb, 50);
    if (n == 0) {
      // The timer: records the kernel side wrote without a wake-up are taken now, and the output
      // is flushed, so that a trace read while it grows (--output and tail -f) is never stale.
      ring_buffer__consume(st_->rb);
      out_.idle();
    }
    report_lost();
    if (stop_requested() && !keep_tracing_after_signal()) break;
    if (n < 0 && n != -EINTR) throw TraceError("reading eBPF events: " + std::string(strerror(-n)));
    if (child_ > 0 && child_status_ < 0) {
      int status = 0;
      if (waitpid(child_, &status, WNOHANG) == child_) child_status_ = status;
    }
    if (cfg_.all || (!cfg_.name.empty() && !cfg_.wait_for_name)) continue;  // until Ctrl-C
    // Whether anything is still traced: asked of the kernel after a process ended, when idle,
    // and every 20 ms (in case an exit record was lost). The question walks the tgids hash's
    // 65,536 buckets; asked after every batch of records it took half of the consumer's time.
    auto now = std::chrono::steady_clock::now();
    if (n > 0 && !exited_since_check_ && now - last_check < std::chrono::milliseconds(20)) continue;
    exited_since_check_ = false;
    last_check = now;
    // When idle, and now and then: processes that ended without an exit record (lost, or before
    // the programs were attached) are no longer waited for.
    if (n == 0 && now - last_prune > std::chrono::milliseconds(250)) {
      last_prune = now;
      prune_ended();
    }
    bool any = anything_traced();
    seen_any |= any || exit_seen_;  // (-W: a short-lived process may come and go between checks)
    if (!any && (!cfg_.wait_for_name || seen_any)) break;
  }
  ring_buffer__consume(st_->rb);  // what is left in the buffer
  report_lost();
  report_skipped_later();
  if (stop_requested() && child_ < 0 && !cfg_.all) {  // (--all: the closing line says it)
    // Ctrl-C with -p, -n or --all: the processes run on; eBPF never stopped them.
    int processes = 0, threads = 0;
    for_each_key<uint32_t>(bpf_map__fd(st_->skel->maps.tgids), [&](uint32_t tgid) {
      ++processes;
      threads += thread_count(static_cast<pid_t>(tgid));
    });
    out_.on_notice({0, "detached from " + std::to_string(processes) +
                           (processes == 1 ? " process" : " processes") + " (" +
                           threads_text(threads) + ")"});
  }
  if (cfg_.summary_only) report_aggregates();

  if (child_ < 0) return 0;
  if (child_status_ < 0) {
    int status = 0;
    // Its end was traced (nothing is left to trace): reap it, so that no zombie outlives dtruss
    // and the status is the command's own. Otherwise dtruss stops and the command runs on.
    bool ended = !anything_traced();
    if (!ended && stop_reason() == StopReason::Signal) return 128 + stop_signal();
    if (!ended && stop_reason() == StopReason::OutputClosed) return 128 + SIGPIPE;
    if (!ended && stop_reason() == StopReason::OutputFailed)
      return 1;  // it runs on, as with ptrace
    if (waitpid(child_, &status, 0) == child_) child_status_ = status;
  }
  return child_status_ >= 0 ? exit_status_of(child_status_) : 1;
}

void BpfTracer::await_exec() {
  st_->skel->bss->cmd_stop = 1;
  char go = 1;
  if (write(go_fd_, &go, 1) != 1) throw TraceError("cannot start the command");
  close(go_fd_);
  go_fd_ = -1;
  // The launcher's execve: its errno comes through the pipe, success closes it (O_CLOEXEC).
  int err = 0;
  ssize_t n;
  do n = read(exec_error_fd_, &err, sizeof(err));
  while (n < 0 && errno == EINTR);
  close(exec_error_fd_);
  exec_error_fd_ = -1;
  int status = 0;
  if (n == sizeof(err)) {  // the command never ran (the launcher exits at once)
    while (waitpid(child_, &status, 0) < 0 && errno == EINTR) {
    }
    child_status_ = status;
    std::string path, unused;
    if (!resolve_command(cfg_.command[0], &path, &unused)) path = cfg_.command[0];
    throw TraceError(
        exec_failure(cfg_.command[0], path, err, cfg_.run_as ? &*cfg_.run_as : nullptr), 2);
  }
  // It runs the new program, stopped before its first instruction (on_exec sent SIGSTOP).
  while (waitpid(child_, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
  if (WIFSTOPPED(status))
    command_stopped_ = true;
  else
    child_status_ = status;
}

bool BpfTracer::keep_tracing_after_signal() {
  // Same rules as the ptrace backend: the first signal reaches a command dtruss started and
  // the trace goes on until it ends; a second one (or any with -p) ends the trace.
  if (child_ < 0 || stop_reason() != StopReason::Signal || stop_signal_count() > 1) return false;
  if (!signal_passed_on_) {
    signal_passed_on_ = true;
    if (stop_signal_from_process()) kill(child_, stop_signal());
  }
  return true;
}

void BpfTracer::forget_process(pid_t pid) {
  auto key = static_cast<uint32_t>(pid);
  bpf_map__delete_elem(st_->skel->maps.tgids, &key, sizeof(key), 0);
}

void BpfTracer::prune_ended() {
  std::vector<pid_t> ended;
  for_each_key<uint32_t>(bpf_map__fd(st_->skel->maps.tgids), [&](uint32_t tgid) {
    // (the command dtruss started stays until it is reaped: its exit record may be on its way)
    auto pid = static_cast<pid_t>(tgid);
    if (pid != child_ && !process_alive(pid)) ended.push_back(pid);
    if (pid == child_ && child_status_ >= 0) ended.push_back(pid);
  });
  for (pid_t pid : ended) forget_process(pid);
}

bool BpfTracer::anything_traced() {
  uint32_t key = 0;
  return bpf_map__get_next_key(st_->skel->maps.tgids, nullptr, &key, sizeof(key)) == 0;
}

void BpfTracer::report_lost() {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
  uint32_t key = 0;
  if (bpf_map__lookup_elem(st_->skel->maps.lost, &key, sizeof(key), per_cpu.data(),
                           per_cpu.size() * sizeof(uint64_t), 0) != 0)
    return;
  uint64_t total = 0;
  for (uint64_t v : per_cpu) total += v;
  if (total > lost_reported_) {
    out_.on_lost({0, total - lost_reported_});
    lost_reported_ = total;
  }
}

int BpfTracer::on_record(const void* data, size_t size) {
  switch (record_type(data, size)) {
    case DT_SYSCALL:
      handle_syscall(data, size);
      break;
    case DT_EXIT:
      handle_exit(data);
      break;
    case DT_SIGNAL:
      handle_signal(data);
      break;
    case DT_STACK:
      if (stacks_) handle_stack(data, size);
      break;
    case DT_MAP:
      if (map_kind(data) == DT_MAP_DATA)
        late_captures_.on_map(data, size);
      else if (stacks_)
        handle_map(data, size);
      break;
    case DT_FD:
      if (cfg_.describe_fds) handle_fd(data, size);
      break;
    case DT_CHUNK:
      late_captures_.on_chunk(data, size);
      break;
    case DT_UNTRACED:
      handle_untraced(data);
      break;
    case DT_FORK: {
      dt_fork rec;
      std::memcpy(&rec, data, sizeof(rec));
      if (stacks_) stacks_->inherit(static_cast<pid_t>(rec.parent), static_cast<pid_t>(rec.child));
      if (cfg_.describe_fds)
        fds_.fork(static_cast<pid_t>(rec.parent), static_cast<pid_t>(rec.parent_tid),
                  static_cast<pid_t>(rec.child));
      break;
    }
    default:
      break;
  }
  return stop_requested() && stop_reason() != StopReason::Signal ? -1 : 0;
}

void BpfTracer::handle_syscall(const void* data, size_t size) {
  dt_syscall rec;
  std::memcpy(&rec, data, sizeof(rec));
  // The started command's own set-up (between fork and execve) is not shown.
  if (child_ > 0 && !child_started_ && static_cast<pid_t>(rec.pid) == child_) {
    // (-y: its fds still count: the pipes it makes and closes, what it leaves to the command)
    if (rec.nr != SYS_execve && rec.nr != SYS_execveat) {
      if (cfg_.describe_fds) {
        read_syscall_record(data, size, cfg_.cpu_time, ev_, counted_, late_);
        annotate_fds(ev_);
      }
      return;
    }
    // (A failed execve: the command never ran; what follows is the launcher reporting it.)
    if (rec.ret < 0 && rec.ret > -4096) return;
    child_started_ = true;
  }
  SyscallEvent& ev = ev_;
  read_syscall_record(data, size, cfg_.cpu_time, ev, counted_, late_);
  late_captures_.fill(ev, late_);
  if (cfg_.describe_fds) annotate_fds(ev);  // kept from the calls: the fd may be closed by now
  ev.stack.clear();
  ev.stack_dwarf = true;
  if (stacks_) {
    auto it = pending_stacks_.find(ev.task.tid);
    if (it != pending_stacks_.end()) {
      ev.stack.swap(it->second.frames);
      ev.stack_dwarf = it->second.dwarf;
      pending_stacks_.erase(it);
    }
  }
  out_.on_syscall(ev);
}

void BpfTracer::annotate_fds(SyscallEvent& ev) {
  auto it = pending_fds_.find(ev.task.tid);
  if (it == pending_fds_.end()) {
    fds_.annotate(ev);
  } else {
    fds_.annotate(ev, it->second);
    pending_fds_.erase(it);
  }
}

void BpfTracer::report_aggregates() {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, SyscallAggregate> out;
  auto row = [&](uint32_t nr, uint32_t id, uint32_t tgid) -> SyscallAggregate& {
    SyscallAggregate& a = out[{nr, id, tgid}];
    a.nr = static_cast<int>(nr);
    if (cfg_.summary_by == SummaryBy::Process) a.pid = static_cast<int>(id);
    if (cfg_.summary_by == SummaryBy::Thread) {
      a.pid = static_cast<int>(tgid);
      a.tid = static_cast<int>(id);
    }
    return a;
  };
  std::vector<dt_agg> vals(static_cast<size_t>(ncpu));
  auto add = [&](const dt_agg_key& key) {
    SyscallAggregate& a = row(key.nr, key.id, key.tgid);
    for (const dt_agg& v : vals) {
      a.calls += v.calls;
      a.total_ns += v.total_ns;
      a.max_ns = std::max<uint64_t>(a.max_ns, v.max_ns);
      for (size_t b = 0; b < DT_AGG_BUCKETS && b < a.log2_ns.size(); ++b)
        a.log2_ns[b] += v.buckets[b];
      if (a.comm.empty() && v.comm[0] != 0) a.comm.assign(v.comm, strnlen(v.comm, sizeof v.comm));
    }
  };
  if (cfg_.summary_by == SummaryBy::None) {  // per syscall: an array indexed by the number
    int fd = bpf_map__fd(st_->skel->maps.sums);
    for (uint32_t nr = 0; nr < DT_NR_MAX; ++nr) {
      if (bpf_map_lookup_elem(fd, &nr, vals.data()) != 0) continue;
      bool any = false;
      for (const dt_agg& v : vals) any |= v.calls != 0;
      if (any) add(dt_agg_key{nr, 0, 0, 0});
    }
  } else {
    int fd = bpf_map__fd(st_->skel->maps.aggs);
    for_each_key<dt_agg_key>(fd, [&](const dt_agg_key& key) {
      if (bpf_map_lookup_elem(fd, &key, vals.data()) == 0) add(key);
    });
  }
  std::vector<uint64_t> counts(static_cast<size_t>(ncpu));
  int fd = bpf_map__fd(st_->skel->maps.agg_errs);
  for_each_key<dt_err_key>(fd, [&](const dt_err_key& ek) {
    if (bpf_map_lookup_elem(fd, &ek, counts.data()) != 0) return;
    uint64_t n = 0;
    for (uint64_t c : counts) n += c;
    if (n != 0) row(ek.nr, ek.id, ek.tgid).errnos[ek.err] += n;
  });
  for_each_key<uint32_t>(bpf_map__fd(st_->skel->maps.seen),
                         [&](uint32_t tgid) { out_.on_process(static_cast<int32_t>(tgid)); });
  for (auto& [k, a] : out) {
    out_.on_aggregate(a);
  }
}

// -s: a mapping that names frames (events.h): the path comes as its components, innermost first.
void BpfTracer::handle_map(const void* data, size_t size) {
  dt_map rec;
  std::memcpy(&rec, data, sizeof(rec));
  auto pid = static_cast<pid_t>(rec.pid);
  if (rec.kind == DT_UNMAP) {
    stacks_->unmap(pid, rec.start, rec.end);
    return;
  }
  std::string path = map_record_path(data, size);
  if (path.empty()) return;
  stacks_->map_file(pid, rec.start, rec.end, rec.pgoff, path, rec.kind == DT_MAP_EXEC);
}

// -s: unwound as soon as it arrives (the process, whose mappings name the frames, may end soon),
// kept until the thread's syscall record.
void BpfTracer::handle_stack(const void* data, size_t size) {
  dt_stack rec;
  std::memcpy(&rec, data, sizeof(rec));
  auto pid = static_cast<pid_t>(rec.pid);
  size_t len = stack_record_bytes(rec, size);
  StackCopyReader mem(rec.sp, static_cast<const uint8_t*>(data) + sizeof(dt_stack), len);
  UserRegs regs;
  regs.ip = rec.ip;
  regs.gp[UserRegs::kRsp] = rec.sp;
  regs.gp[UserRegs::kRbp] = rec.bp;
  PendingStack& out = pending_stacks_[static_cast<pid_t>(rec.tid)];
  stacks_->unwind(pid, static_cast<pid_t>(rec.tid), regs, mem, &out.frames);
  out.dwarf = true;
  // Not unwound past where it is, and not because that is the outermost frame (the copy too
  // small, say): the kernel's frame-pointer walk, when it found more, named the same way and
  // marked as such. Past the first frame it ends at an address in no module, or one seen before:
  // a chain through code that uses rbp for something else leads nowhere, or loops.
  uint32_t nfp = std::min<uint32_t>(rec.nfp, DT_FP_MAX);
  if (out.frames.size() > 1 || stacks_->last_complete() || nfp <= 1) return;
  std::vector<uint64_t> pcs(rec.fp, rec.fp + nfp);
  std::vector<StackFrame> fp;
  stacks_->symbolize(pid, pcs, &fp);
  for (size_t i = 1; i < fp.size(); ++i) {
    bool seen = std::find(pcs.begin(), pcs.begin() + static_cast<long>(i), pcs[i]) !=
                pcs.begin() + static_cast<long>(i);
    if (seen || fp[i].module == "[anon]" || fp[i].module == "[unknown]") {
      fp.resize(i);
      break;
    }
  }
  if (fp.size() <= 1) return;
  out.frames.swap(fp);
  out.dwarf = false;
}

// -y: what an fd refers to after a call: kept for the call's own record when one follows (its
// fd arguments are named as they were before it), else taken now.
void BpfTracer::handle_fd(const void* data, size_t size) {
  dt_fd rec;
  std::memcpy(&rec, data, sizeof(rec));
  size_t len = std::min<size_t>({size_t{rec.path_len}, size - sizeof(dt_fd), size_t{DT_PATH_MAX}});
  FdNote note = fd_note(rec, static_cast<const char*>(data) + sizeof(dt_fd), len);
  if (rec.with_call)
    pending_fds_[static_cast<pid_t>(rec.tid)].push_back(std::move(note));
  else
    fds_.apply(static_cast<pid_t>(rec.pid), static_cast<pid_t>(rec.tid), note);
}

void BpfTracer::handle_exit(const void* data) {
  dt_exit rec;
  std::memcpy(&rec, data, sizeof(rec));
  if (child_ > 0 && !child_started_ && static_cast<pid_t>(rec.pid) == child_) {
    if (!st_->skel->bss->cmd_started) {  // its exec failed: the command never ran
      exited_since_check_ = true;
      return;
    }
    child_started_ = true;
  }
  ExitEvent ev;
  ev.task.pid = static_cast<int32_t>(rec.pid);
  ev.task.tid = static_cast<int32_t>(rec.pid);
  std::memcpy(ev.task.comm.data(), rec.comm, sizeof(rec.comm));
  ev.task.comm[15] = 0;
  ev.ts_ns = rec.ts_ns;
  int code = static_cast<int>(rec.exit_code);
  ev.signaled = (code & 0x7f) != 0;
  ev.code = ev.signaled ? (code & 0x7f) : ((code >> 8) & 0xff);
  ev.core_dumped = ev.signaled && (code & 0x80) != 0;
  fds_.forget(ev.task.pid);
  if (stacks_) stacks_->forget(ev.task.pid);
  exited_since_check_ = true;
  exit_seen_ = true;
  out_.on_exit(ev);
}

void BpfTracer::handle_signal(const void* data) {
  dt_signal rec;
  std::memcpy(&rec, data, sizeof(rec));
  // (--summary sends no execve events: the kernel side's flag tells the command has started.)
  if (child_ > 0 && !child_started_ && static_cast<pid_t>(rec.pid) == child_ &&
      !(cfg_.summary_only && st_->skel->bss->cmd_started))
    return;
  siginfo_t si{};
  std::memcpy(&si, rec.info, sizeof(rec.info));
  SignalEvent ev;
  ev.task.pid = static_cast<int32_t>(rec.pid);
  ev.task.tid = static_cast<int32_t>(rec.tid);
  std::memcpy(ev.task.comm.data(), rec.comm, sizeof(rec.comm));
  ev.task.comm[15] = 0;
  ev.ts_ns = rec.ts_ns;
  ev.signo = static_cast<int>(rec.signo);
  ev.set_info(si);
  ev.has_info = si.si_signo == ev.signo;  // the kernel's copy is of this signal's info
  out_.on_signal(ev);
  if (rec.stops) out_.on_stop({ev.task, ev.ts_ns, ev.signo});  // job control: it stops now
}

// Without CAP_SYS_PTRACE, the eBPF backend could read any process's calls and their data: it
// traces only what the caller could ptrace (core/proc.h, ptrace_denial). A bad -p or --all is a
// usage error, before anything is loaded.
void BpfTracer::check_privileges() {
  restricted_ = !has_capability(CAP_SYS_PTRACE);
  if (!restricted_) return;
  if (cfg_.all)
    throw TraceError(
        std::string("--all traces every user's processes, which needs ") + kPtraceCap +
            ": with CAP_BPF and CAP_PERFMON alone dtruss traces only the processes you could "
            "ptrace (a command, -p, -n)",
        2);
  for (pid_t pid : cfg_.attach) {
    pid_t tgid = traceable_process(pid);
    std::string detail;
    PtraceDenial why = ptrace_denial(tgid, &detail);
    if (why == PtraceDenial::None) continue;
    throw TraceError("cannot trace PID " + std::to_string(pid) + " (" +
                         escaped(process_comm(tgid)) + "): " + std::string(denial_text(why)) +
                         (detail.empty() ? "" : " (" + detail + ")") + "; without " + kPtraceCap +
                         ", dtruss traces only the processes you could ptrace",
                     2);
  }
}

// -n: the running processes of that name the caller may not trace. The kernel side leaves them
// alone (and would find the same, but only at their next call, and without the security modules'
// say: the `foreign` map holds them from the start).
void BpfTracer::skip_foreign_by_name() {
  for (pid_t pid : find_processes(cfg_.name)) {
    PtraceDenial why = ptrace_denial(pid);
    if (why == PtraceDenial::None) continue;
    skipped_.insert(pid);
    skipped_running_.emplace_back(pid, std::string(denial_text(why)));
    auto key = static_cast<uint32_t>(pid);
    uint8_t one = 1;
    bpf_map__update_elem(st_->skel->maps.foreign, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
  }
}

void BpfTracer::handle_untraced(const void* data) {
  dt_untraced rec;
  std::memcpy(&rec, data, sizeof(rec));
  auto pid = static_cast<pid_t>(rec.pid);
  std::string comm = escaped(std::string_view(rec.comm, strnlen(rec.comm, sizeof(rec.comm))));
  std::string why(denial_text(static_cast<PtraceDenial>(rec.why)));
  if (rec.why == DT_DENY_USER) why += " (euid " + std::to_string(rec.uid) + ")";
  if (rec.at == DT_UNTRACED_NAME) {
    if (skipped_.insert(pid).second) skipped_later_.emplace_back(pid, why);
    return;
  }
  // Its trace ends here: no exit record will come.
  fds_.forget(pid);
  if (stacks_) stacks_->forget(pid);
  exited_since_check_ = true;
  if (rec.at == DT_UNTRACED_EXEC) {
    std::string path = escaped(std::string_view(rec.path, strnlen(rec.path, sizeof(rec.path))));
    out_.on_notice({0, "process " + std::to_string(pid) + " (" + comm +
                           ") runs with other credentials from its exec of '" + path + "': " + why +
                           "; no longer traced (that needs " + kPtraceCap + ")"});
  } else {
    out_.on_notice({0, "process " + std::to_string(pid) + " (" + comm +
                           "), forked by traced process " + std::to_string(rec.parent) +
                           ", is not traced: " + why + ", and tracing it needs " + kPtraceCap});
  }
}

// -n, -W: once, at the end, the processes of that name the kernel side left alone since the start.
void BpfTracer::report_skipped_later() {
  if (skipped_later_.empty()) return;
  // ("more" than the running ones told at the start, if any)
  bool more = !skipped_running_.empty();
  out_.on_notice({0, skipped_text(cfg_.name, skipped_later_, more, !cfg_.wait_for_name)});
  skipped_later_.clear();
}

}  // namespace dtruss
