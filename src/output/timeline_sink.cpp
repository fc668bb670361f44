#include "output/timeline_sink.h"

#include <fmt/format.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "decode/names.h"
#include "output/json_sink.h"
#include "output/render.h"
#include "util/text.h"

namespace dtruss {
namespace {

std::string_view comm_of(const TaskId& task) {
  return {task.comm.data(), strnlen(task.comm.data(), task.comm.size())};
}

bool creates_task(long nr) {
  return nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3;
}

// The argument holding the program of an exec call, or -1.
int exec_path_arg(long nr) {
  if (nr == SYS_execve) return 0;
  if (nr == SYS_execveat) return 1;
  return -1;
}

}  // namespace

TimelineSink::TimelineSink(int fd) : fd_(fd), out_(fd, false) {
  // Timestamps are in µs (the format's unit), with ns as the fraction; show them as ns.
  out_.write("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
}

TimelineSink::~TimelineSink() {
  finish();
  out_.flush();
  close(fd_);
}

void TimelineSink::finish() {
  if (closed_) return;
  closed_ = true;
  out_.write("\n]}\n");
  out_.flush();
}

void TimelineSink::append_us(uint64_t ns) {
  fmt::format_to(std::back_inserter(ev_), "{}.{:03}", ns / 1000, ns % 1000);
}

void TimelineSink::emit() {
  if (closed_) return;
  if (!first_) out_.write(",\n");
  first_ = false;
  out_.write(ev_);
}

void TimelineSink::name_task(const TaskId& task) {
  std::string_view comm = comm_of(task);
  auto meta = [&](const char* what, int tid, const std::string& name) {
    ev_ = fmt::format("{{\"ph\":\"M\",\"name\":\"{}\",\"pid\":{},\"tid\":{},\"args\":{{\"name\":",
                      what, task.pid, tid);
    append_json_string(ev_, name);
    ev_ += "}}";
    emit();
  };
  // A process is named after its main thread (the first thread seen until that one shows up).
  // By its comm alone: the viewers show the pid beside the name themselves.
  auto& pname = process_names_[task.pid];
  if (pname.empty() || (task.tid == task.pid && pname != comm)) {
    pname = comm;
    meta("process_name", task.pid, pname);
  }
  auto& tname = thread_names_[task.tid];
  std::string want = fmt::format("{}/{}", comm, task.tid);
  if (tname != want) {
    tname = want;
    meta("thread_name", task.tid, tname);
  }
}

void TimelineSink::head(const char* ph, std::string_view name, const char* cat, const TaskId& task,
                        uint64_t ts_ns) {
  ev_ = fmt::format("{{\"ph\":\"{}\",\"name\":", ph);
  append_json_string(ev_, name);
  fmt::format_to(std::back_inserter(ev_), ",\"cat\":\"{}\",\"pid\":{},\"tid\":{},\"ts\":", cat,
                 task.pid, task.tid);
  append_us(since_start(ts_ns));
}

void TimelineSink::instant(std::string_view name, const char* cat, const TaskId& task,
                           uint64_t ts_ns, const std::string& args_json, bool process_scope) {
  head("i", name, cat, task, ts_ns);
  fmt::format_to(std::back_inserter(ev_), ",\"s\":\"{}\",\"args\":{}}}", process_scope ? 'p' : 't',
                 args_json);
  emit();
}

void TimelineSink::syscall(const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  name_task(ev.task);
  std::string args = "{\"args\":";
  append_json_args(args, call);
  args += ',';
  append_json_result(args, call);
  if (ev.end == SyscallEvent::End::Unfinished || ev.end == SyscallEvent::End::Detached)
    args += ",\"unfinished\":true";
  args += '}';
  // An io_uring operation: uring:read, from its submission to its completion.
  const std::string& name = ev.uring_op >= 0 ? uring_name(call.name) : call.name;
  const char* category = ev.uring_op >= 0 ? "uring" : "syscall";
  if (!ev.returned()) {
    // exit_group and calls cut short by the end of their thread have no end: a point in time.
    instant(name, category, ev.task, ev.enter_ns, args);
    return;
  }
  head("X", name, category, ev.task, ev.enter_ns);
  ev_ += ",\"dur\":";
  append_us(call_duration(ev));
  ev_ += ",\"args\":";
  ev_ += args;
  ev_ += '}';
  emit();
  if (call.err != 0) return;
  if (creates_task(ev.nr) && ev.ret > 0) {
    instant(fmt::format("fork {}", ev.ret), "process", ev.task, ev.exit_ns,
            fmt::format("{{\"child\":{}}}", ev.ret));
  } else if (int a = exec_path_arg(ev.nr); a >= 0) {
    const Value& path = call.args[static_cast<size_t>(a)];
    std::string prog = path.type == Value::Type::String ? path.text : std::string("?");
    std::string json = "{\"filename\":";
    append_json_string(json, prog);
    json += '}';
    instant("exec " + prog, "process", ev.task, ev.exit_ns, json);
  }
}

void TimelineSink::signal(const DecodedSignal& sig) {
  name_task(sig.ev.task);
  std::string args = "{\"siginfo\":";
  append_json(args, sig.info);
  args += '}';
  instant(sig.name, "signal", sig.ev.task, sig.ev.ts_ns, args);
}

void TimelineSink::stop(const StopEvent& ev) {
  name_task(ev.task);
  instant("stopped by " + signal_name(ev.signo), "signal", ev.task, ev.ts_ns, "{}");
}

void TimelineSink::exit(const ExitEvent& ev) {
  name_task(ev.task);
  std::string name =
      ev.signaled ? "killed by " + signal_name(ev.code) : fmt::format("exited with {}", ev.code);
  std::string args = ev.signaled ? fmt::format("{{\"signal\":\"{}\",\"core_dumped\":{}}}",
                                               signal_name(ev.code), ev.core_dumped)
                                 : fmt::format("{{\"status\":{}}}", ev.code);
  instant(name, "exit", ev.task, ev.ts_ns, args, true);
}

}  // namespace dtruss
