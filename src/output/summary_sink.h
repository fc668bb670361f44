// The -c table: per syscall, how often, how often it failed, and the time spent in it.
#pragma once

#include <map>
#include <string>

#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

class SummarySink final : public Sink {
 public:
  explicit SummarySink(Writer& out) : out_(out) {}
  void syscall(const DecodedCall& call) override;
  void lost(const LostEvent& ev) override { lost_ += ev.count; }
  void finish() override;

 private:
  struct Row {
    uint64_t calls = 0;
    uint64_t errors = 0;
    uint64_t total_ns = 0;
  };
  Writer& out_;
  std::map<std::string, Row> rows_;
  uint64_t lost_ = 0;
};

}  // namespace dtruss
