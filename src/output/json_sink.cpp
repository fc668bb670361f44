#include "output/json_sink.h"

#include <fmt/format.h>

#include <cstring>

#include "decode/names.h"
#include "output/render.h"
#include "output/stack_render.h"
#include "util/text.h"

namespace dtruss {

void append_json_args(std::string& out, const DecodedCall& call) {
  out += '{';
  for (int i = 0; i < call.nargs; ++i) {
    if (i > 0) out += ',';
    if (call.info != nullptr)
      append_json_string(out, call.info->args[i].name);
    else
      fmt::format_to(std::back_inserter(out), "\"arg{}\"", i);
    out += ':';
    append_json(out, call.args[i]);
  }
  out += '}';
}

std::string interrupted_json(const Interruption& i, uint64_t since_start) {
  return fmt::format(
      "{{\"type\":\"interrupted\",\"ts_ns\":{},\"signal\":\"{}\",\"calls\":{},"
      "\"processes\":{},\"outcome\":\"{}\"}}\n",
      since_start, signal_name(i.signal), i.calls, i.processes, i.outcome());
}

bool JsonSink::interrupted(const Interruption& i) {
  out_.write(interrupted_json(i, since_start(i.ts_ns)));
  return true;
}

namespace {

// --inject: ,"injected":true,"inject":{"error":"EACCES","retval":…,"signal":"SIGUSR1",
// "delay_enter_us":…,"delay_exit_us":…,"syscall":"getpid","poke_enter":[{"arg":1,"hex":"2f00"}],
// "poke_exit":[…]} with what was done (nothing when nothing was).
void append_json_pokes(std::string& out, const char* key, const std::vector<InjectPoke>& pokes) {
  if (pokes.empty()) return;
  fmt::format_to(std::back_inserter(out), "\"{}\":[", key);
  for (const InjectPoke& p : pokes) {
    fmt::format_to(std::back_inserter(out), "{{\"arg\":{},\"hex\":\"", p.arg);
    for (char c : p.bytes)
      fmt::format_to(std::back_inserter(out), "{:02x}", static_cast<uint8_t>(c));
    out += "\"},";
  }
  out.back() = ']';
  out += ',';
}

void append_json_injected(std::string& out, const SyscallEvent& ev) {
  if (!ev.injected) return;
  const InjectAction& a = *ev.injected;
  if (!a.changes_result() && !a.pokes() && !a.delays()) return;
  std::string body;  // "key":value, each followed by a comma
  if (a.error) {
    const char* name = errno_name(*a.error);
    body += fmt::format("\"error\":\"{}\",", name != nullptr ? name : fmt::format("E{}", *a.error));
  }
  if (a.retval) body += fmt::format("\"retval\":{},", *a.retval);
  if (a.signal != 0) body += fmt::format("\"signal\":\"{}\",", signal_name(a.signal));
  if (a.delay_enter_us != 0) body += fmt::format("\"delay_enter_us\":{},", a.delay_enter_us);
  if (a.delay_exit_us != 0) body += fmt::format("\"delay_exit_us\":{},", a.delay_exit_us);
  if (a.syscall >= 0) body += fmt::format("\"syscall\":\"{}\",", syscall_name(a.syscall));
  append_json_pokes(body, "poke_enter", a.poke_enter);
  append_json_pokes(body, "poke_exit", a.poke_exit);
  if (!body.empty()) body.pop_back();
  out += ",\"injected\":true,\"inject\":{";
  out += body;
  out += '}';
}

}  // namespace

void append_json_result(std::string& out, const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  out += "\"ret\":";
  if (!ev.returned()) {
    out += "null,\"errno\":null";
  } else if (call.err != 0) {
    // A restart code is no result the program sees: ret is null (as for a call that did not
    // return), errno says what becomes of the call.
    const char* name = errno_name(call.err);
    out += is_restart_errno(call.err) ? "null,\"errno\":" : "-1,\"errno\":";
    append_json_string(out, name != nullptr ? name : fmt::format("E{}", call.err));
    out += ",\"errmsg\":";
    append_json_string(out, errno_message(call.err));
  } else {
    // Always a number, whatever its kind (an address too): one type for one field.
    if (call.ret.type == Value::Type::Int)
      append_int(out, ev.ret);
    else
      append_uint(out, static_cast<uint64_t>(ev.ret));
    out += ",\"errno\":null";
    if (call.ret.host_pid != 0) {  // --pidns-translation
      out += ",\"ret_pid\":";
      append_json_pid(out, call.ret);
    }
    if (!call.ret.note.empty()) {
      out += ",\"ret_path\":";
      append_json_string(out, call.ret.note);
    }
    append_after_json(out, call);
  }
  if (ev.uring_more) out += ",\"more\":true";  // a multishot operation: more completions come
}

void JsonSink::begin(uint64_t base_ns) {
  Sink::begin(base_ns);
}

void JsonSink::head(const char* type, uint64_t ts_ns, const TaskId* task) {
  line_.clear();
  line_ += "{\"type\":\"";
  line_ += type;
  line_ += "\",\"ts_ns\":";
  append_uint(line_, since_start(ts_ns));
  if (wall_clock_) {
    line_ += ",\"wall_ns\":";
    append_int(line_, static_cast<int64_t>(ts_ns) + wall_offset_ns_);
  }
  if (task != nullptr) {
    line_ += ",\"pid\":";
    append_int(line_, task->pid);
    line_ += ",\"tid\":";
    append_int(line_, task->tid);
    if (task->pidns != 0) {  // --pidns-translation: in another PID namespace, its IDs there
      line_ += ",\"ns_pid\":";
      append_int(line_, task->ns_pid);
      line_ += ",\"ns_tid\":";
      append_int(line_, task->ns_tid);
    }
    line_ += ",\"comm\":";
    append_json_string(
        line_, std::string_view(task->comm.data(), strnlen(task->comm.data(), task->comm.size())));
    if (containers_ != nullptr) {
      if (const std::string& c = containers_->of(task->pid); !c.empty()) {
        line_ += ",\"container\":";
        append_json_string(line_, c);
      }
    }
  }
}

// {"type":"explain","ts_ns":…,"syscall":"openat",["errno":"ENOENT",]"text":"…"}
void JsonSink::explain_line(const DecodedCall& call, const std::string& text, const char* err) {
  head("explain", call.ev->enter_ns, nullptr);
  line_ += ",\"syscall\":";
  append_json_string(line_, call.name);
  if (err != nullptr) {
    line_ += ",\"errno\":";
    append_json_string(line_, err);
  }
  line_ += ",\"text\":";
  append_json_string(line_, text);
  line_ += "}\n";
  out_.write(line_);
}

void JsonSink::syscall(const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  if (explain_) {
    if (auto about = explainer_.first_about(call)) explain_line(call, *about, nullptr);
  }
  head(ev.uring_op >= 0 ? "uring" : "syscall", ev.enter_ns, &ev.task);  // (an io_uring operation)
  line_ += ",\"dur_ns\":";
  if (ev.returned())
    append_uint(line_, call_duration(ev));
  else
    line_ += "null";
  if (ev.cpu_ns != kUnknown) {
    line_ += ",\"cpu_ns\":";
    append_uint(line_, ev.cpu_ns);
  }
  line_ += ",\"nr\":";
  append_int(line_, ev.nr);
  line_ += ",\"syscall\":";
  append_json_string(line_, call.name);
  line_ += ",\"args\":";
  append_json_args(line_, call);
  line_ += ',';
  append_json_result(line_, call);
  if (ev.end == SyscallEvent::End::Unfinished) line_ += ",\"unfinished\":true";
  if (ev.end == SyscallEvent::End::Detached) line_ += ",\"unfinished\":true,\"detached\":true";
  append_json_injected(line_, ev);
  append_stack_json(line_, ev);  // -s
  if (dumps_.any()) append_dump_json(line_, call, dumps_);
  line_ += "}\n";
  out_.write(line_);
  if (explain_) {
    if (auto meaning = explainer_.first_errno(call))
      explain_line(call, *meaning, errno_label(call.err).c_str());
  }
}

void JsonSink::signal(const DecodedSignal& sig) {
  head("signal", sig.ev.ts_ns, &sig.ev.task);
  line_ += ",\"signal\":";
  append_json_string(line_, sig.name);
  line_ += ",\"siginfo\":";
  append_json(line_, sig.info);
  line_ += "}\n";
  out_.write(line_);
}

void JsonSink::stop(const StopEvent& ev) {
  head("stop", ev.ts_ns, &ev.task);
  line_ += ",\"signal\":";
  append_json_string(line_, signal_name(ev.signo));
  line_ += "}\n";
  out_.write(line_);
}

void JsonSink::exit(const ExitEvent& ev) {
  head("exit", ev.ts_ns, &ev.task);
  if (ev.signaled) {
    line_ += ",\"signal\":";
    append_json_string(line_, signal_name(ev.code));
    fmt::format_to(std::back_inserter(line_), ",\"core_dumped\":{}", ev.core_dumped);
  } else {
    fmt::format_to(std::back_inserter(line_), ",\"status\":{}", ev.code);
  }
  line_ += "}\n";
  out_.write(line_);
}

void JsonSink::lost(const LostEvent& ev) {
  head("lost", ev.ts_ns, nullptr);
  fmt::format_to(std::back_inserter(line_), ",\"count\":{}}}\n", ev.count);
  out_.write(line_);
}

void JsonSink::notice(const NoticeEvent& ev) {
  head("notice", ev.ts_ns, nullptr);
  line_ += ",\"text\":";
  append_json_string(line_, ev.text);
  line_ += "}\n";
  out_.write(line_);
}

}  // namespace dtruss
