#include "output/top_sink.h"

#include <cstring>

#include "decode/decoder.h"
#include "util/clock.h"

namespace dtruss {
TopSink::~TopSink() {
  if (screen_) screen_->stop();  // (a trace that failed: finish() was not called)
}

void TopSink::begin(uint64_t base_ns) {
  Sink::begin(base_ns);
  last_tick_ns_ = base_ns;
}

void TopSink::start_screen() {
  if (!opt_.screen || screen_) return;
  screen_ = std::make_unique<TopScreen>(
      out_.fd(),
      TopScreen::Settings{opt_.view, opt_.sort, static_cast<double>(opt_.interval_ns) / 1e9});
  if (!screen_->start()) {  // no usable terminal after all: plain tables
    screen_.reset();
    opt_.screen = false;
  }
}

void TopSink::syscall(const DecodedCall& call) {
  start_screen();
  const SyscallEvent& ev = *call.ev;
  std::string_view comm(ev.task.comm.data(), strnlen(ev.task.comm.data(), ev.task.comm.size()));
  // (an io_uring operation counts apart: uring:read)
  const std::string& name = ev.uring_op >= 0 ? uring_name(call.name) : call.name;
  counter_.add_call(ev.task.pid, comm, name, call.err, ev.returned(), call_duration(ev));
}

void TopSink::aggregate(const SyscallAggregate& agg) {
  start_screen();
  counter_.add_aggregate(agg, syscall_name(agg.nr));
}

void TopSink::tick(uint64_t now_ns) {
  start_screen();
  double seconds = static_cast<double>(now_ns - last_tick_ns_) / 1e9;
  last_tick_ns_ = now_ns;
  TopSnapshot snap = counter_.take(now_ns, seconds);
  if (screen_)
    screen_->show(std::move(snap));
  else
    out_.write(top_plain_table(snap, opt_.view, opt_.sort));
}

void TopSink::finish() {
  if (screen_) {
    screen_->stop();
    screen_.reset();
    return;
  }
  // The last interval, cut short by the end of the trace, when it counted anything.
  if (!counter_.empty()) tick(monotonic_ns());
}

}  // namespace dtruss
