// JSON Lines: one object per event (docs/json.md).
#pragma once

#include <string>
#include <utility>

#include "output/container_labels.h"
#include "output/dump.h"
#include "output/explain.h"
#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

// `{"dfd":"AT_FDCWD",...}`: the arguments keyed by their kernel names (shared with --timeline).
void append_json_args(std::string& out, const DecodedCall& call);
// `"ret":3,"errno":null` (and errmsg / ret_path when they apply), without braces.
void append_json_result(std::string& out, const DecodedCall& call);
// The {"type":"interrupted"} line (docs/json.md), `since_start` ns into the trace.
std::string interrupted_json(const Interruption& i, uint64_t since_start);

class JsonSink final : public Sink {
 public:
  // `explain` (--explain / -x): "explain" objects around the events (docs/json.md).
  // `wall_clock` (--timestamps): each event's "wall_ns", ns since the Unix epoch.
  explicit JsonSink(Writer& out, bool explain = false, bool wall_clock = false)
      : out_(out), explain_(explain), wall_clock_(wall_clock) {}
  void begin(uint64_t base_ns) override;
  void set_dumps(DumpFds dumps) { dumps_ = std::move(dumps); }  // --read / --write
  // --all, --cgroup, --container: "container" in each object of a process in one.
  void set_containers(ContainerLabels* labels) { containers_ = labels; }
  void syscall(const DecodedCall& call) override;
  void signal(const DecodedSignal& sig) override;
  void stop(const StopEvent& ev) override;
  void exit(const ExitEvent& ev) override;
  void lost(const LostEvent& ev) override;
  void notice(const NoticeEvent& ev) override;
  bool interrupted(const Interruption& i) override;

 private:
  void head(const char* type, uint64_t ts_ns, const TaskId* task);
  void explain_line(const DecodedCall& call, const std::string& text, const char* err);
  std::string line_;
  Writer& out_;
  bool explain_;
  bool wall_clock_;
  Explainer explainer_;
  DumpFds dumps_;
  ContainerLabels* containers_ = nullptr;
};

}  // namespace dtruss
