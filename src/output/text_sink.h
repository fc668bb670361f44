// dtruss's text layout: an optional header, then `openat(AT_FDCWD, "/etc/hosts", O_RDONLY)\t\t =
// 3`.
#pragma once

#include <cstdint>
#include <string>

#include "core/summary_kinds.h"
#include "output/container_labels.h"
#include "output/dump.h"
#include "output/explain.h"
#include "output/render.h"
#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

struct TextOptions {
  bool show_task = false;  // -l (forced by -f): the PID/TID prefix
  bool relative = false;   // -d: RELATIVE column, µs since the trace started
  bool elapsed = false;    // -e: ELAPSD column, µs spent in the call
  bool cpu = false;        // -o: CPU column, µs on-CPU during the call
  bool raw = false;        // -X raw: dtruss's own hex style
  bool verbose = false;    // -X verbose: raw value and its meaning
  bool header = true;      // print the column header first
  bool explain = false;    // --explain / -x: "# name: what it does" lines (output/explain.h)
  bool color = false;      // ANSI colours (--color; decided by the caller, never for files)
  DumpFds dumps;           // --read / --write: hex dumps of the data on these fds
  bool comm = false;       // -Y: the process name in the prefix, 1234/1236 (nginx):
  // --all, --cgroup, --container: the container in the prefix, 1234/1236 (nginx) [docker:ID]:
  ContainerLabels* containers = nullptr;
  Timestamps timestamps = Timestamps::None;  // --timestamps: wall-clock time of day
  bool since_previous = false;               // -r: seconds since the previous line
  bool call_times = false;                   // -T: <seconds in the call> at the end
};

class TextSink final : public Sink {
 public:
  TextSink(Writer& out, TextOptions opt) : out_(out), opt_(opt) {}
  void begin(uint64_t base_ns) override;
  void syscall(const DecodedCall& call) override;
  void signal(const DecodedSignal& sig) override;
  void stop(const StopEvent& ev) override;
  void exit(const ExitEvent& ev) override;
  void lost(const LostEvent& ev) override;
  void notice(const NoticeEvent& ev) override;
  void ready() override;

 private:
  void write_line();  // writes line_, after the header the first time
  // Appends `text` to line_ in colour `sgr` (an ANSI SGR sequence) when colours are on.
  void paint(const char* sgr, std::string_view text);
  void prefix(const TaskId& task);
  void columns(uint64_t ts_ns, uint64_t dur_ns, uint64_t cpu_ns);
  void blank_columns(uint64_t ts_ns);
  void times(uint64_t ts_ns);  // --timestamps, -r
  void args_raw(const DecodedCall& call);
  void ret_raw(const DecodedCall& call);

  Writer& out_;
  TextOptions opt_;
  std::string line_;
  std::string header_;  // printed just before the first line (none if nothing is traced)
  Explainer explainer_;
  uint64_t previous_ns_ = 0;  // -r: the time of the previous line
};

}  // namespace dtruss
