#include "output/pipeline.h"

#include <cerrno>

#include "core/interrupt.h"
#include "decode/names.h"
#include "syscalls/uring_ops.h"

namespace dtruss {

void Pipeline::begin(uint64_t base_ns, int64_t wall_offset_ns) {
  for (auto& s : sinks_) {
    s->set_wall_offset(wall_offset_ns);
    s->begin(base_ns);
  }
  check_output();
}

Interruption Pipeline::interrupted(uint64_t now_ns, int signal, bool detached) {
  Interruption i{now_ns, signal, calls_, pids_.size(), detached};
  for (auto& s : sinks_)
    if (s->interrupted(i)) break;
  return i;
}

void Pipeline::finish(uint64_t end_ns) {
  for (auto& s : sinks_) {
    s->end_at(end_ns);
    s->finish();
  }
  out_.flush();
}

void Pipeline::idle() {
  out_.flush();
  check_output();
}

void Pipeline::ready() {
  for (auto& s : sinks_) s->ready();
  idle();
}

void Pipeline::check_output() {
  if (!out_.failed()) return;
  request_stop(out_.error() == EPIPE ? StopReason::OutputClosed : StopReason::OutputFailed);
}

void Pipeline::on_syscall(SyscallEvent& ev) {
  if (ev.task.pid != last_pid_) {  // (most events come from the process of the one before)
    pids_.insert(ev.task.pid);
    last_pid_ = ev.task.pid;
  }
  if (pidns_) pidns_->learn(ev.task);  // (from every call the backend hands over)
  if (!selected(ev.uring_op >= 0 ? kUringSlot0 + ev.uring_op : ev.nr)) return;
  if (filter_.status != 0 && (call_status(ev) & filter_.status) == 0) return;
  if (sinks_.empty() && filter_.paths.empty()) {  // (-w alone: counted for the closing line)
    ++calls_;
    return;
  }
  bool on_path = filter_.paths.empty() || fd_on_path(ev);
  if (!filter_.fd_notes)
    for (auto& note : ev.fd_notes) note.clear();
  decoder_.decode(ev, call_);
  if (pidns_) translate(ev, call_);
  if (!on_path && !path_argument(call_)) return;
  ++calls_;
  for (auto& s : sinks_) s->syscall(call_);
  check_output();
}

bool Pipeline::selected(long nr) const {
  if (selected_.empty()) return true;
  return nr >= 0 && static_cast<size_t>(nr) < selected_.size() &&
         selected_[static_cast<size_t>(nr)];
}

bool Pipeline::names_path(const std::string& s) const {
  for (const auto& p : filter_.paths)
    if (s == p) return true;
  return false;
}

// -P: an fd argument (or the returned fd) refers to one of the paths, as of the call.
bool Pipeline::fd_on_path(const SyscallEvent& ev) const {
  for (const auto& note : ev.fd_notes)
    if (!note.empty() && names_path(note)) return true;
  return false;
}

// -P: a path argument is one of the paths, as written.
bool Pipeline::path_argument(const DecodedCall& call) const {
  if (call.info == nullptr) return false;
  for (int i = 0; i < call.nargs; ++i)
    if (call.info->args[i].kind == ArgKind::Path && call.args[i].type == Value::Type::String &&
        !call.args[i].truncated && names_path(call.args[i].text))
      return true;
  return false;
}

// --pidns-translation: the PID arguments and a PID result, as the syscall table marks them.
void Pipeline::translate(const SyscallEvent& ev, DecodedCall& call) {
  if (call.info == nullptr || pidns_->namespace_of(ev.task) == 0) return;
  auto mark = [&](Value& v) {
    if (v.type != Value::Type::Int) return;
    if (auto host = pidns_->host_of(ev.task, v.as_int()); host && *host != v.as_int())
      v.host_pid = *host;
  };
  for (int i = 0; i < call.nargs; ++i)
    if (call.info->args[i].kind == ArgKind::Pid) mark(call.args[static_cast<size_t>(i)]);
  if (call.info->ret == RetKind::Pid && ev.returned() && call.err == 0) mark(call.ret);
}

void Pipeline::on_aggregate(const SyscallAggregate& agg) {
  if (agg.pid != 0) pids_.insert(agg.pid);
  if (!selected(agg.nr)) return;
  calls_ += agg.calls;
  for (auto& s : sinks_) s->aggregate(agg);
  check_output();
}

void Pipeline::tick(uint64_t now_ns) {
  for (auto& s : sinks_) s->tick(now_ns);
  check_output();
}

void Pipeline::on_signal(const SignalEvent& ev) {
  if (sinks_.empty() || (signals_ && !signals_->contains(ev.signo))) return;
  DecodedSignal sig{ev, signal_name(ev.signo), siginfo_value(ev)};
  if (pidns_ && ev.has_info && ev.sender_pid > 0 && pidns_->namespace_of(ev.task) != 0) {
    for (Field& f : sig.info.items)  // the sender as the receiver sees it
      if (f.name == "si_pid")
        if (auto host = pidns_->host_of(ev.task, ev.sender_pid); host && *host != ev.sender_pid)
          f.value.host_pid = *host;
  }
  for (auto& s : sinks_) s->signal(sig);
  check_output();
}

void Pipeline::on_stop(const StopEvent& ev) {
  for (auto& s : sinks_) s->stop(ev);
  check_output();
}

void Pipeline::on_exit(const ExitEvent& ev) {
  pids_.insert(ev.task.pid);
  for (auto& s : sinks_) s->exit(ev);
  if (containers_) containers_->forget(ev.task.pid);  // (its PID may be reused)
  if (cgroup_paths_) cgroup_paths_->forget(ev.task.pid);
  check_output();
}

void Pipeline::on_lost(const LostEvent& ev) {
  for (auto& s : sinks_) s->lost(ev);
  check_output();
}

void Pipeline::on_notice(const NoticeEvent& ev) {
  for (auto& s : sinks_) s->notice(ev);
  check_output();
}

}  // namespace dtruss
