// JSON Lines: one object per event (docs/json.md).
#pragma once

#include <string>

#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

class JsonSink final : public Sink {
 public:
  explicit JsonSink(Writer& out) : out_(out) {}
  void syscall(const DecodedCall& call) override;
  void signal(const SignalEvent& ev) override;
  void stop(const StopEvent& ev) override;
  void exit(const ExitEvent& ev) override;
  void lost(const LostEvent& ev) override;
  void notice(const NoticeEvent& ev) override;

 private:
  void head(const char* type, uint64_t ts_ns, const TaskId* task);
  std::string line_;
  Writer& out_;
};

}  // namespace dtruss
