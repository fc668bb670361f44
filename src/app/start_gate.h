// Between the backend and the pipeline while a command is started: the output is held until the
// command has run (its first event), so that a command that cannot run leaves the --output file
// as it was (an existing one is truncated only now; one this run made is removed).
#pragma once

#include "core/event.h"
#include "util/writer.h"

namespace dtruss {

class StartGate final : public EventConsumer {
 public:
  StartGate(EventConsumer& next, Writer& out) : next_(next), out_(out) { out_.hold(true); }
  void release() {
    if (released_) return;
    released_ = true;
    out_.hold(false);  // (an existing file is emptied by the writer's first flush)
  }
  void on_syscall(SyscallEvent& ev) override {
    release();
    next_.on_syscall(ev);
  }
  void on_signal(const SignalEvent& ev) override {
    release();
    next_.on_signal(ev);
  }
  void on_stop(const StopEvent& ev) override {
    release();
    next_.on_stop(ev);
  }
  void on_exit(const ExitEvent& ev) override {
    release();
    next_.on_exit(ev);
  }
  void on_lost(const LostEvent& ev) override {
    release();
    next_.on_lost(ev);
  }
  void on_notice(const NoticeEvent& ev) override { next_.on_notice(ev); }
  void on_aggregate(const SyscallAggregate& agg) override {
    release();
    next_.on_aggregate(agg);
  }
  void on_process(int32_t pid) override { next_.on_process(pid); }
  void idle() override { next_.idle(); }
  void tick(uint64_t now_ns) override { next_.tick(now_ns); }
  void ready() override {  // (a backend calls it once the command has run, see EventConsumer)
    release();
    next_.ready();
  }

 private:
  EventConsumer& next_;
  Writer& out_;
  bool released_ = false;
};

}  // namespace dtruss
