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

#include "backends/bpf/bpf_internal.h"
#include "backends/bpf/events.h"
#include "backends/bpf/records.h"
#include "core/fdinfo.h"
#include "core/interrupt.h"
#include "core/pidns.h"
#include "core/proc.h"
#include "core/trace_error.h"
#include "syscalls/capture.h"
#include "syscalls/table.h"
#include "util/clock.h"
#include "util/text.h"

namespace dtruss {
namespace bpf_shared {

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

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

int ring_callback(void* ctx, void* data, size_t size) {
  return static_cast<BpfTracer*>(ctx)->on_record(data, size);
}

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

}  // namespace bpf_shared

using namespace bpf_shared;

namespace {

// Without CAP_SYS_PTRACE (events.h, dt_deny): what dtruss says about processes it may not trace.
static_assert(DT_DENY_USER == static_cast<int>(PtraceDenial::OtherUser) &&
              DT_DENY_GROUP == static_cast<int>(PtraceDenial::OtherGroup) &&
              DT_DENY_CAPS == static_cast<int>(PtraceDenial::MoreCaps) &&
              DT_DENY_DUMPABLE == static_cast<int>(PtraceDenial::NotDumpable));

}  // namespace

BpfTracer::BpfTracer(BpfConfig cfg, const CapturePlans& plans, EventConsumer& out)
    : cfg_(std::move(cfg)), plans_(plans), out_(out), st_(std::make_unique<State>()) {
  if (cfg_.stack_depth > 0) stacks_ = std::make_unique<StackUnwinder>(cfg_.stack_depth);
}

BpfTracer::~BpfTracer() {
  if (go_fd_ >= 0) close(go_fd_);
  if (exec_error_fd_ >= 0) close(exec_error_fd_);
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
  add_targets();
  startup::mark("targets");
  attach();
  startup::mark("attach");
  if (go_fd_ >= 0) await_exec();  // the filter holds the child's PID: let it exec
  startup::mark("exec");
  out_.ready();
  if (command_stopped_) {  // the header (ready) comes before anything the command writes
    command_stopped_ = false;
    st_->skel->bss->cmd_resuming = 1;
    kill(child_, SIGCONT);
  }
  announce();
  consume();
  // A detach (-p, -n): the programs go first, so that every call that returned is in the buffer,
  // and those still in progress are told from the threads' state (--status=detached).
  bool detaching = stop_requested() && child_ < 0 && !cfg_.all &&
                   cfg_.cgroup.empty();  // (--all, --cgroup: the closing line)
  if (detaching && !cfg_.summary_only) {
    dtruss_bpf__detach(st_->skel);
  }
  ring_buffer__consume(st_->rb);  // what is left in the buffer
  report_lost();
  report_skipped_later();
  if (detaching && !cfg_.summary_only) report_in_progress();
  if (detaching) report_detached();
  if (cfg_.summary_only) report_aggregates();
  int status = command_status();
  startup::mark("trace");
  startup::report();
  return status;
}

// The processes to trace, in the kernel side's filter: the started command, or those attached to.
void BpfTracer::add_targets() {
  if (stacks_) stacks_->join_warm_up();  // (it ran while the programs loaded; before a fork)
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
}

// The programs attached (their loading took place before the trace's clock started).
void BpfTracer::attach() {
  // The consumer must keep up with every traced thread on one core: it runs at a higher priority
  // than they do (set after the command was forked, which keeps its own). Where it cannot (no
  // CAP_SYS_NICE), it runs as it is.
  if (!cfg_.summary_only) setpriority(PRIO_PROCESS, 0, kConsumerNice);
  if (int err = dtruss_bpf__attach(st_->skel); err != 0)
    throw TraceError("cannot attach the eBPF program (" + std::string(strerror(-err)) +
                     "): " + log_tail(5));
}

// What the trace is of, said before its first line.
void BpfTracer::announce() {
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
  if (!cfg_.cgroup.empty())
    out_.on_notice({0, "tracing the processes of cgroup " + cfg_.cgroup + " and below (eBPF)"});
  if (cfg_.data_max > DT_MAX_CAPTURE)
    out_.on_notice({0, fmt::format("the eBPF backend copies at most {} bytes of each string and "
                                   "buffer: --strsize {} shows no more (--backend=ptrace does)",
                                   DT_MAX_CAPTURE, cfg_.data_max)});
  if (!cfg_.name.empty())
    out_.on_notice({0, cfg_.wait_for_name ? "waiting for a process named '" + cfg_.name + "'"
                                          : "tracing processes named '" + cfg_.name + "'"});
  if (!skipped_running_.empty())
    out_.on_notice({0, skipped_text(cfg_.name, skipped_running_, false, false)});
}

// Reads the records until nothing is traced any more (or a stop is asked for).
void BpfTracer::consume() {
  bool seen_any = false;  // -W: the trace ends when the awaited process (and its kin) are gone
  auto last_check = std::chrono::steady_clock::now();
  auto last_prune = last_check;
  auto last_paths = last_check;  // -P: the files at the paths, looked at again 10 times a second

  next_tick_ns_ = monotonic_ns() + cfg_.interval_ns;
  // Poll with a timeout: the kernel side wakes us only in batches, the timer flushes the rest.
  while (true) {
    int n = ring_buffer__poll(st_->rb, 50);
    if (cfg_.interval_ns != 0) tick_if_due();
    if (n == 0) {
      // The timer: records the kernel side wrote without a wake-up are taken now, and the output
      // is flushed, so that a trace read while it grows (--output and tail -f) is never stale.
      ring_buffer__consume(st_->rb);
      out_.idle();
    }
    report_lost();
    if (!pf_strings_.empty() &&
        std::chrono::steady_clock::now() - last_paths > std::chrono::milliseconds(100)) {
      last_paths = std::chrono::steady_clock::now();
      remember_path_files(st_->skel);
    }
    if (stop_requested() && !keep_tracing_after_signal()) break;
    if (n < 0 && n != -EINTR) throw TraceError("reading eBPF events: " + std::string(strerror(-n)));
    if (child_ > 0 && child_status_ < 0) {
      int status = 0;
      if (waitpid(child_, &status, WNOHANG) == child_) child_status_ = status;
    }
    if (cfg_.all || !cfg_.cgroup.empty() || (!cfg_.name.empty() && !cfg_.wait_for_name))
      continue;  // until Ctrl-C
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
}

// --top, --summary --interval: the interval's end (within the poll's 50 ms), with what the kernel
// counted in it. A late one does not make up for those it missed.
void BpfTracer::tick_if_due() {
  uint64_t now = monotonic_ns();
  if (now < next_tick_ns_) return;
  if (cfg_.summary_only) {
    std::set<pid_t> ended = ended_counted();
    report_aggregates();
    forget_counts(ended);
  }
  out_.tick(now);
  next_tick_ns_ += cfg_.interval_ns;
  if (next_tick_ns_ <= now) next_tick_ns_ = now + cfg_.interval_ns;
}

// Ctrl-C with -p or -n: the processes run on; eBPF never stopped them.
void BpfTracer::report_detached() {
  int processes = 0, threads = 0;
  for_each_key<uint32_t>(bpf_map__fd(st_->skel->maps.tgids), [&](uint32_t tgid) {
    ++processes;
    threads += thread_count(static_cast<pid_t>(tgid));
  });
  out_.on_notice({0, "detached from " + std::to_string(processes) +
                         (processes == 1 ? " process" : " processes") + " (" +
                         threads_text(threads) + ")"});
}

// At a detach: each traced thread's call in progress (its entry, read from the kernel side's task
// storage, looked up by a pidfd of the thread), as a call that did not return: End::Detached.
void BpfTracer::report_in_progress() {
  int map = bpf_map__fd(st_->skel->maps.inflight);
  std::vector<uint8_t> value(bpf_map__value_size(st_->skel->maps.inflight));
  if (value.size() < sizeof(dt_in_call)) return;
  std::vector<uint32_t> tgids;
  for_each_key<uint32_t>(bpf_map__fd(st_->skel->maps.tgids),
                         [&](uint32_t tgid) { tgids.push_back(tgid); });
  constexpr unsigned kPidfdThread = O_EXCL;  // PIDFD_THREAD (linux/pidfd.h, 6.9): a thread's
  for (uint32_t tgid : tgids) {
    for (pid_t tid : list_tasks(static_cast<pid_t>(tgid))) {
      int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tid, kPidfdThread));
      if (pidfd < 0) continue;
      int found = bpf_map_lookup_elem(map, &pidfd, value.data());
      close(pidfd);
      dt_in_call call;
      std::memcpy(&call, value.data(), sizeof(call));
      if (found != 0 || !call.active || call.nr < 0) continue;
      SyscallEvent& ev = ev_;
      ev.captures.clear();
      ev.before.clear();
      for (auto& note : ev.fd_notes) note.clear();
      ev.stack.clear();
      ev.injected.reset();
      ev.task = TaskId{};
      ev.task.pid = static_cast<int32_t>(tgid);
      ev.task.tid = tid;
      std::string comm = process_comm(tid);
      std::memcpy(ev.task.comm.data(), comm.data(), std::min(comm.size(), ev.task.comm.size() - 1));
      if (cfg_.pidns_ids && read_ns_ids(tid, &ev.task.pidns, &ev.task.ns_pid, &ev.task.ns_tid) &&
          ev.task.pidns == pid_namespace_of(0))
        ev.task.pidns = ev.task.ns_pid = ev.task.ns_tid = 0;
      ev.enter_ns = call.enter_ns;
      ev.exit_ns = 0;
      ev.cpu_ns = kUnknown;
      ev.nr = call.nr;
      for (size_t i = 0; i < 6; ++i) ev.args[i] = call.args[i];
      ev.ret = 0;
      ev.end = SyscallEvent::End::Detached;
      out_.on_syscall(ev);
    }
  }
}

// dtruss's exit status: the started command's (0 when it attached).
int BpfTracer::command_status() {
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

// Without CAP_SYS_PTRACE, the eBPF backend could read any process's calls and their data: it
// traces only what the caller could ptrace (core/proc.h, ptrace_denial). A bad -p or --all is a
// usage error, before anything is loaded.
void BpfTracer::check_privileges() {
  restricted_ = !has_capability(CAP_SYS_PTRACE);
  if (!restricted_) return;
  if (cfg_.all || !cfg_.cgroup.empty())
    throw TraceError(
        std::string(cfg_.all ? "--all" : "--cgroup") +
            " traces every user's processes, which needs " + kPtraceCap +
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

// -n, -W: once, at the end, the processes of that name the kernel side left alone since the start.
void BpfTracer::report_skipped_later() {
  if (skipped_later_.empty()) return;
  // ("more" than the running ones told at the start, if any)
  bool more = !skipped_running_.empty();
  out_.on_notice({0, skipped_text(cfg_.name, skipped_later_, more, !cfg_.wait_for_name)});
  skipped_later_.clear();
}

}  // namespace dtruss
