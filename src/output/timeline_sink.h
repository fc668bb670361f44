// --timeline FILE: the trace in Chrome's trace-event JSON format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open. One track per thread, grouped by process; each
// syscall a complete slice ("ph":"X") with its decoded arguments and result; signals, exits,
// forks and execs, and calls that never returned, as instant events ("ph":"i").
// Streamed: events are written as they come; finish() (or the destructor, if the trace ended
// another way) closes the array, so the file is valid JSON even after Ctrl-C.
#pragma once

#include <map>
#include <string>

#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

class TimelineSink final : public Sink {
 public:
  // Takes ownership of `fd` (closed at destruction).
  explicit TimelineSink(int fd);
  ~TimelineSink() override;
  TimelineSink(const TimelineSink&) = delete;
  TimelineSink& operator=(const TimelineSink&) = delete;

  void syscall(const DecodedCall& call) override;
  void signal(const DecodedSignal& sig) override;
  void stop(const StopEvent& ev) override;
  void exit(const ExitEvent& ev) override;
  void finish() override;

  Writer& writer() { return out_; }
  bool failed() const { return out_.failed(); }
  int error() const { return out_.error(); }

 private:
  // Writes the metadata naming the thread's process and track, once (again if it was renamed).
  void name_task(const TaskId& task);
  // Starts an event object: {"ph":..,"name":..,"cat":..,"pid":..,"tid":..,"ts":..
  void head(const char* ph, std::string_view name, const char* cat, const TaskId& task,
            uint64_t ts_ns);
  void instant(std::string_view name, const char* cat, const TaskId& task, uint64_t ts_ns,
               const std::string& args_json, bool process_scope = false);
  void emit();                  // writes ev_ as the next element of the array
  void append_us(uint64_t ns);  // µs with the ns as fraction: 12.345

  int fd_;
  Writer out_;
  std::string ev_;
  bool first_ = true;
  bool closed_ = false;
  std::map<int, std::string> process_names_;  // pid -> name written
  std::map<int, std::string> thread_names_;   // tid -> name written
};

}  // namespace dtruss
