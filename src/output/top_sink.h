// --top and --summary --interval: each interval's counts (top_model), drawn on the terminal
// (top_screen) or, when the output is not one, written as a plain table with the interval's time.
// The trace's final table is the summary's (SummarySink), after this sink's last.
#pragma once

#include <memory>

#include "output/sink.h"
#include "output/top_model.h"
#include "output/top_screen.h"
#include "util/writer.h"

namespace dtruss {

struct TopOptions {
  bool screen = false;  // the live screen (a terminal); else plain tables
  TopView view = TopView::Syscalls;
  TopSort sort = TopSort::Calls;
  uint64_t interval_ns = 1000000000;
};

class TopSink final : public Sink {
 public:
  TopSink(Writer& out, TopOptions opt) : out_(out), opt_(opt) {}
  ~TopSink() override;

  void begin(uint64_t base_ns) override;
  void syscall(const DecodedCall& call) override;
  void aggregate(const SyscallAggregate& agg) override;
  void tick(uint64_t now_ns) override;
  void finish() override;

 private:
  // The screen is taken once the trace has begun to count (the first call or interval): a trace
  // that fails to start says why on a terminal left as it was.
  void start_screen();

  Writer& out_;
  TopOptions opt_;
  TopCounter counter_;
  uint64_t last_tick_ns_ = 0;
  std::unique_ptr<TopScreen> screen_;
};

}  // namespace dtruss
