// Connects a backend to the sinks: filters (-t), decodes each event once, hands the decoded call
// to every sink, and turns a failing output into a stop request.
#pragma once

#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "core/call_filter.h"
#include "core/event.h"
#include "core/number_set.h"
#include "core/pidns.h"
#include "decode/decoder.h"
#include "output/container_labels.h"
#include "output/sink.h"
#include "util/clock.h"
#include "util/writer.h"

namespace dtruss {

// Which calls go to the sinks beyond -t's: by how they ended (--status), by the paths they name
// or use through an fd (-P, which has the backend describe fds as -y does).
struct CallFilter {
  unsigned status = 0;             // CallStatus bits (0: any)
  std::vector<std::string> paths;  // -P: each as given and as resolved (realpath)
  bool fd_notes = true;            // the fd notes are shown (-y); else dropped once used
};

class Pipeline final : public EventConsumer {
 public:
  Pipeline(Decoder decoder, std::vector<bool> selected, Writer& out)
      : decoder_(decoder), selected_(std::move(selected)), out_(out) {}

  void add_sink(std::unique_ptr<Sink> sink) { sinks_.push_back(std::move(sink)); }
  // --signal (strace's -e signal=): only these signals' lines (all when not set).
  void show_signals(NumberSet signals) { signals_ = std::move(signals); }
  void set_filter(CallFilter filter) { filter_ = std::move(filter); }
  // --all, --cgroup, --container: the containers of the processes, for the sinks that show them
  // (made here, so that a process's label is forgotten once its exit was shown).
  ContainerLabels* show_containers() {
    if (!containers_) containers_.emplace();
    return &*containers_;
  }
  // --summary-by cgroup: the cgroup paths of the processes, of the v2 hierarchy (0) or of the v1
  // hierarchy `hierarchy` (made at the first call; forgotten as the containers' are).
  ContainerLabels* show_cgroup_paths(int hierarchy) {
    if (!cgroup_paths_) cgroup_paths_.emplace(ContainerLabels::cgroup_paths(hierarchy));
    return &*cgroup_paths_;
  }
  void begin(uint64_t base_ns) { begin(base_ns, realtime_offset_ns()); }
  // ... with the wall clock's offset given (a capture's, replayed).
  void begin(uint64_t base_ns, int64_t wall_offset_ns);
  // --pidns-translation: PIDs that a program in another PID namespace passes, gets and is sent
  // get dtruss's value beside them (Value::host_pid).
  void translate_pids() { pidns_.emplace(); }
  // A stop signal ended the trace at `now_ns`: recorded in the trace by a sink that records it
  // (the JSON object, before the summary). Before finish(). Returns what was recorded.
  Interruption interrupted(uint64_t now_ns, int signal, bool detached);
  void finish() { finish(monotonic_ns()); }
  // ... at `end_ns` (a replayed capture's end).
  void finish(uint64_t end_ns);

  void on_syscall(SyscallEvent& ev) override;
  void on_signal(const SignalEvent& ev) override;
  void on_stop(const StopEvent& ev) override;
  void on_exit(const ExitEvent& ev) override;
  void on_lost(const LostEvent& ev) override;
  void on_notice(const NoticeEvent& ev) override;
  void idle() override;
  void ready() override;
  // For a backend that counts in the kernel (--summary): the aggregates of the selected (-t)
  // syscalls go to the sinks (the summary), in place of on_syscall() for each call.
  void on_aggregate(const SyscallAggregate& agg) override;
  void on_process(int32_t pid) override { pids_.insert(pid); }
  void tick(uint64_t now_ns) override;
  void on_pid_mapping(uint32_t pidns, int32_t ns_pid, int32_t host_pid) override {
    if (pidns_) pidns_->learn(pidns, ns_pid, host_pid);
  }

  uint64_t calls() const { return calls_; }
  // How many processes (thread groups) were seen doing anything.
  size_t processes() const { return pids_.size(); }

 private:
  void check_output();
  bool selected(long nr) const;
  bool names_path(const std::string& s) const;
  bool fd_on_path(const SyscallEvent& ev) const;
  bool path_argument(const DecodedCall& call) const;
  void translate(const SyscallEvent& ev, DecodedCall& call);

  Decoder decoder_;
  std::vector<bool> selected_;
  CallFilter filter_;
  Writer& out_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  DecodedCall call_;
  uint64_t calls_ = 0;
  std::unordered_set<int32_t> pids_;
  int32_t last_pid_ = 0;  // the process of the last syscall event (in pids_)
  std::optional<NumberSet> signals_;
  std::optional<ContainerLabels> containers_;
  std::optional<ContainerLabels> cgroup_paths_;
  std::optional<PidTranslator> pidns_;
};

}  // namespace dtruss
