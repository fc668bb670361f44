// The -c table: per syscall, how often, how often it failed, and the time spent in it.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

class SummarySink final : public Sink {
 public:
  // `json`: one {"type":"summary"} object instead of the table (for --json -c).
  // `explain` (--explain): each syscall's description beside its row ("about" in JSON).
  SummarySink(Writer& out, bool json, bool explain = false)
      : out_(out), json_(json), explain_(explain) {}
  void syscall(const DecodedCall& call) override;
  void lost(const LostEvent& ev) override { lost_ += ev.count; }
  void finish() override;

 private:
  struct Row {
    uint64_t calls = 0;
    uint64_t errors = 0;
    uint64_t total_ns = 0;
  };
  void write_json(const std::vector<std::pair<const std::string*, const Row*>>& order);

  Writer& out_;
  bool json_;
  bool explain_;
  std::map<std::string, Row> rows_;
  uint64_t lost_ = 0;
};

}  // namespace dtruss
