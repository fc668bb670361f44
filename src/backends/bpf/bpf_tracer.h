// The eBPF backend: a generic BPF program pair on the raw syscall tracepoints copies the bytes the
// capture plan names and sends one record per syscall through a ring buffer; this side turns the
// records into the same SyscallEvents the ptrace backend makes.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/bpf/late_captures.h"
#include "backends/common/fdtable.h"
#include "backends/common/launch.h"
#include "core/backend.h"
#include "core/event.h"
#include "core/number_set.h"
#include "core/summary_kinds.h"
#include "core/target.h"
#include "stack/unwinder.h"
#include "syscalls/capture.h"

struct dtruss_bpf;  // the skeleton (dtruss.skel.h)
namespace dtruss::bpf_core_btf {
class CoreBtf;  // core_btf.h
}

namespace dtruss {

// The target (command, -p, -n/-W, --all, -f, -t, -u, -y, -o, -s) and the eBPF backend's own knobs.
struct BpfConfig : TraceTarget {
  uint64_t ring_bytes = 0;  // -b (0: a default for the mode and the CPUs)
  uint32_t data_max = 64;   // --strsize: bytes of each data buffer behind a pointer
  bool verbose = false;     // -v: execve's environment strings too
  // Each call's timestamps and duration (for -d, -e, -c, JSON, a timeline), and its CPU time
  // (-o, TraceTarget::cpu_time): without them, both stay 0 (and the CPU time unknown), and the
  // kernel reads no clock.
  bool call_times = true;
  // --summary: count in the kernel and hand over aggregates, no events (per syscall, or also per
  // process or thread).
  bool summary_only = false;
  SummaryBy summary_by = SummaryBy::None;
  bool summary_comm_live = false;  // --top: each count under its process's current name
  uint32_t stack_bytes = 16384;    // --stack-size: bytes of stack copied per call
  // --read / --write: the calls on these fds capture their data in full (up to DT_MAX_BIG); the
  // other calls' buffers stay at data_max.
  NumberSet dump_read, dump_write;
  bool show_fds = false;  // -y asked for (TraceTarget::describe_fds is also on for -P)
};

class BpfTracer final : public Backend {
 public:
  // `plans`: what to copy of each call (outlives the tracer).
  BpfTracer(BpfConfig cfg, const CapturePlans& plans, EventConsumer& out);
  ~BpfTracer() override;
  BpfTracer(const BpfTracer&) = delete;
  BpfTracer& operator=(const BpfTracer&) = delete;

  // Why the eBPF backend cannot run here ("" when it can): privileges, BTF.
  static std::string unavailable_reason();

  // Loads the programs (the verifier's work: most of dtruss's start-up), before the clock of the
  // trace starts. Throws TraceError. (run() loads them if this was not called.)
  void load();
  bool prepare() override {
    load();
    return true;
  }

  int run() override;

  // Called by the ring buffer for each record.
  int on_record(const void* data, size_t size);

 private:
  struct State;
  // load()'s steps (bpf_load.cpp).
  int open_and_load(const bpf_core_btf::CoreBtf* core);
  void configure(::dtruss_bpf* skel);
  void choose_programs(::dtruss_bpf* skel);
  void size_maps(::dtruss_bpf* skel);
  bool tracing_uring() const;  // -t selects io_uring operations
  // (uring_defs: the io_uring definitions the CO-RE cache kept, or "")
  void fill_maps(::dtruss_bpf* skel, const std::string& uring_defs);
  // run()'s steps.
  void add_targets();
  void attach();
  void announce();
  void consume();
  void report_detached();
  void report_in_progress();
  int command_status();
  void start_command();
  void handle_syscall(const void* data, size_t size);
  void handle_exit(const void* data);
  // -y: the fd notes of ev's call, as of the call (what the kernel side said of it first).
  void annotate_fds(SyscallEvent& ev);
  void handle_signal(const void* data);
  void handle_stack(const void* data, size_t size);
  void handle_map(const void* data, size_t size);
  void handle_fd(const void* data, size_t size);  // -y
  bool anything_traced();
  // Stops waiting for a process: removes it from the kernel side's filter.
  void forget_process(pid_t pid);
  // Forgets the traced processes that have ended (their exit record lost, or never written).
  void prune_ended();
  void report_lost();
  void report_aggregates();  // --summary: the kernel's counts, added up over the CPUs
  bool keep_tracing_after_signal();
  // Lets the started command exec and waits for the outcome: throws the TraceError that says
  // why when its execve failed (it never ran), else leaves it stopped (command_stopped_) before
  // the new program's first instruction.
  void await_exec();
  // Without CAP_SYS_PTRACE (see events.h, dt_deny): --all and -p of a process the caller could not
  // ptrace are refused before anything starts; -n's running processes of other users are found.
  void check_privileges();
  void skip_foreign_by_name();
  void handle_untraced(const void* data);
  void report_skipped_later();

  BpfConfig cfg_;
  const CapturePlans& plans_;
  EventConsumer& out_;
  std::unique_ptr<State> st_;
  pid_t child_ = -1;
  int child_status_ = -1;
  int go_fd_ = -1;                // write end: releases the started command into its execve
  int exec_error_fd_ = -1;        // read end: the errno of the command's execve, if it failed
  bool command_stopped_ = false;  // by its exec (see await_exec), until dtruss continues it
  bool child_started_ = false;
  bool signal_passed_on_ = false;
  bool exited_since_check_ = true;  // a process ended since anything_traced() was last asked
  bool exit_seen_ = false;          // a traced process has ended (-W: the awaited one came)
  uint64_t lost_reported_ = 0;
  SyscallEvent ev_;
  FdTable fds_;                            // -y
  std::vector<uint64_t> counted_;          // the stand-in for a DT_CAP_COUNTED pointer array
  std::vector<LateCapture> late_;          // a record's captures the kernel side could not read
  LateCaptures late_captures_;             // what the files hold of them
  std::unique_ptr<StackUnwinder> stacks_;  // -s
  // -s: each thread's stack from its DT_STACK record, until its DT_SYSCALL record takes it.
  struct PendingStack {
    std::vector<StackFrame> frames;
    bool dwarf = true;  // false: the kernel's frame-pointer walk (the DWARF unwind found nothing)
  };
  std::unordered_map<pid_t, PendingStack> pending_stacks_;
  // The frames of the last call shown, whose strings the next stack's names are copied into.
  std::vector<StackFrame> spare_frames_;
  // -y: what the kernel side said of the fds of each thread's call, until its DT_SYSCALL record.
  std::unordered_map<pid_t, std::vector<FdNote>> pending_fds_;
  // The same for the io_uring operation whose record follows (DT_FD_FOR_URING): kept apart, as
  // a call of the same thread may end on another CPU between the two records.
  std::unordered_map<pid_t, std::vector<FdNote>> pending_uring_fds_;
  bool restricted_ = false;  // dtruss lacks CAP_SYS_PTRACE
  // -P decided in the kernel (path_filter.bpf.h): the strings it compares (none: it cannot, and
  // user space decides alone).
  std::vector<std::pair<uint32_t, std::string>> pf_strings_;  // (enum dt_pf_form, bytes)
  void fill_path_filter(::dtruss_bpf* skel);
  void remember_path_files(::dtruss_bpf* skel);
  // --top, --summary --interval (part 11): each interval, what the kernel counted since the last
  // one (report_aggregates as deltas of the counts sent so far), then EventConsumer::tick.
  void tick_if_due();
  // Turns `a` (counted so far) into what was counted since the last time (false: nothing).
  bool since_last_sent(const std::tuple<uint32_t, uint32_t, uint32_t>& key, SyscallAggregate& a);
  std::set<pid_t> ended_counted();
  void forget_counts(const std::set<pid_t>& ended);
  uint64_t next_tick_ns_ = 0;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, SyscallAggregate> agg_sent_;
  // --top: each count's calls per CPU at the last read (whose name is current: report_aggregates)
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::vector<uint64_t>> cpu_calls_;
  std::set<pid_t> skipped_;  // -n: processes of that name it may not trace (told)
  // ... those running at the start, with the reason (told at the start), and those the kernel
  // side met since (told at the end)
  std::vector<std::pair<pid_t, std::string>> skipped_running_;
  std::vector<std::pair<pid_t, std::string>> skipped_later_;
};

}  // namespace dtruss
