#include "output/text_sink.h"

#include <fmt/format.h>
#include <time.h>

#include <cstring>

#include "decode/names.h"
#include "output/stack_render.h"
#include "util/text.h"

namespace dtruss {
namespace {

TextStyle style_of(const TextOptions& opt) {
  return opt.verbose ? TextStyle::Verbose : TextStyle::Decoded;
}

// --inject: strace's mark after the result, (INJECTED) when the result, the call or a signal was
// injected, (INJECTED: args) when bytes were written behind its arguments alone, (DELAYED) when
// the call was only delayed.
void append_injected(std::string& line, const SyscallEvent& ev) {
  if (!ev.injected) return;
  const InjectAction& a = *ev.injected;
  if (a.changes_result())
    line += " (INJECTED)";
  else if (a.pokes())
    line += " (INJECTED: args)";
  else if (a.delays())
    line += " (DELAYED)";
}

}  // namespace

namespace {
constexpr const char* kTaskTitle = "   PID/THRD   ";
constexpr int kTaskWidth = 14;

// ANSI SGR sequences, one per kind of text.
constexpr const char* kSyscallColor = "\x1b[1m";  // bold
constexpr const char* kErrorColor = "\x1b[31m";   // red
constexpr const char* kSignalColor = "\x1b[35m";  // magenta
constexpr const char* kExitColor = "\x1b[2m";     // dim
constexpr const char* kNoticeColor = "\x1b[33m";  // yellow
constexpr const char* kReset = "\x1b[0m";
}  // namespace

void TextSink::paint(const char* sgr, std::string_view text) {
  if (opt_.color) line_ += sgr;
  line_ += text;
  if (opt_.color) line_ += kReset;
}

// --timestamps: the digits after the second, per precision (Timestamps' order).
constexpr int kFractionDigits[] = {0, 0, 3, 6, 9};

void TextSink::begin(uint64_t base_ns) {
  Sink::begin(base_ns);
  previous_ns_ = base_ns;
  if (!opt_.header) return;
  header_.clear();
  if (opt_.show_task) header_ += kTaskTitle;
  if (opt_.timestamps != Timestamps::None) {
    int digits = kFractionDigits[static_cast<int>(opt_.timestamps)];
    header_ += fmt::format("{:<{}} ", "TIME", 8 + (digits > 0 ? digits + 1 : 0));
  }
  if (opt_.since_previous) header_ += "DELTA      ";
  if (opt_.relative) header_ += "RELATIVE ";
  if (opt_.elapsed) header_ += " ELAPSD ";
  if (opt_.cpu) header_ += "   CPU ";
  header_ += "SYSCALL(args) \t\t = return\n";
}

void TextSink::ready() {
  out_.write(header_);
  header_.clear();
}

void TextSink::write_line() {
  if (!header_.empty()) {
    out_.write(header_);
    header_.clear();
  }
  out_.write(line_);
}

void TextSink::prefix(const TaskId& task) {
  if (!opt_.show_task) return;
  std::string id;
  append_int(id, task.pid);
  id += '/';
  append_int(id, task.tid);
  if (opt_.comm) {
    id += " (";
    append_escaped(id,
                   std::string_view(task.comm.data(), strnlen(task.comm.data(), task.comm.size())));
    id += ')';
  }
  if (opt_.containers != nullptr) {
    if (const std::string& c = opt_.containers->of(task.pid); !c.empty()) {
      id += " [";
      append_escaped(id, ContainerLabels::brief(c));  // (a unit's name is the host's to choose)
      id += ']';
    }
  }
  id += ':';
  append_right(line_, id, kTaskWidth - 1);
  line_ += ' ';
}

void TextSink::times(uint64_t ts_ns) {
  if (opt_.timestamps != Timestamps::None) {
    int64_t wall = static_cast<int64_t>(ts_ns) + wall_offset_ns_;
    time_t secs = static_cast<time_t>(wall / 1000000000);
    tm local{};
    localtime_r(&secs, &local);
    fmt::format_to(std::back_inserter(line_), "{:02}:{:02}:{:02}", local.tm_hour, local.tm_min,
                   local.tm_sec);
    if (int digits = kFractionDigits[static_cast<int>(opt_.timestamps)]; digits > 0) {
      uint64_t frac = static_cast<uint64_t>(wall % 1000000000);
      for (int i = digits; i < 9; ++i) frac /= 10;
      fmt::format_to(std::back_inserter(line_), ".{:0{}}", frac, digits);
    }
    line_ += ' ';
  }
  if (opt_.since_previous) {
    uint64_t delta = ts_ns > previous_ns_ ? ts_ns - previous_ns_ : 0;
    fmt::format_to(std::back_inserter(line_), "{:>3}.{:06} ", delta / 1000000000,
                   delta % 1000000000 / 1000);
    if (ts_ns > previous_ns_) previous_ns_ = ts_ns;
  }
}

void TextSink::columns(uint64_t ts_ns, uint64_t dur_ns, uint64_t cpu_ns) {
  times(ts_ns);
  auto column = [this](uint64_t v, size_t width) {
    std::string n;
    append_uint(n, v);
    append_right(line_, n, width);
    line_ += ' ';
  };
  if (opt_.relative) column(since_start(ts_ns) / 1000, 8);
  if (opt_.elapsed) column(dur_ns / 1000, 7);
  if (opt_.cpu) {
    if (cpu_ns == kUnknown)
      line_ += "     ? ";
    else
      column(cpu_ns / 1000, 6);
  }
}

void TextSink::blank_columns(uint64_t ts_ns) {
  times(ts_ns);
  if (opt_.relative) line_ += "         ";
  if (opt_.elapsed) line_ += "        ";
  if (opt_.cpu) line_ += "       ";
}

void TextSink::args_raw(const DecodedCall& call) {
  // dtruss's style: every argument in upper-case hex, strings quoted with their NUL shown.
  for (int i = 0; i < call.nargs; ++i) {
    if (i > 0) line_ += ", ";
    const Value& v = call.args[i];
    bool is_text = call.info != nullptr && (call.info->args[i].kind == ArgKind::Path ||
                                            call.info->args[i].kind == ArgKind::String);
    if (is_text && v.type == Value::Type::String) {
      line_ += '"';
      append_c_escaped(line_, v.text);
      line_ += v.truncated ? "\"..." : "\\0\"";
    } else {
      fmt::format_to(std::back_inserter(line_), "0x{:X}", call.ev->args[i]);
    }
  }
}

void TextSink::ret_raw(const DecodedCall& call) {
  if (!call.ev->returned())
    line_ += "?";
  else if (call.err != 0)
    paint(kErrorColor, fmt::format("-1 Err#{}", call.err));
  else
    fmt::format_to(std::back_inserter(line_), "{} 0", call.ev->ret);
}

void TextSink::syscall(const DecodedCall& call) {
  const SyscallEvent& ev = *call.ev;
  line_.clear();
  if (opt_.explain) {
    if (auto about = explainer_.first_about(call))
      fmt::format_to(std::back_inserter(line_), "# {}: {}\n", call.name, escaped(*about));
  }
  prefix(ev.task);
  columns(ev.enter_ns, call_duration(ev), ev.cpu_ns);
  if (ev.uring_op >= 0) line_ += "[uring] ";  // an io_uring operation (syscalls/uring_ops.h)
  paint(kSyscallColor, call.name);
  line_ += '(';
  if (opt_.raw) {
    args_raw(call);
  } else {
    TextStyle style = style_of(opt_);
    for (int i = 0; i < call.nargs; ++i) {
      if (i > 0) line_ += ", ";
      append_text(line_, call.args[i], style);
    }
  }
  line_ += ")\t\t = ";
  if (opt_.raw) {
    ret_raw(call);
  } else if (ev.end == SyscallEvent::End::NoReturn) {
    line_ += '?';
  } else if (ev.end == SyscallEvent::End::Unfinished) {
    line_ += "? <unfinished>";
  } else if (ev.end == SyscallEvent::End::Detached) {
    line_ += "? <detached>";
  } else if (call.err != 0) {
    // A restart code is no result: the program never sees it (the call runs again or fails
    // with EINTR once the signal is handled), hence `?`.
    const char* name = errno_name(call.err);
    paint(kErrorColor, fmt::format("{} {} ({})", is_restart_errno(call.err) ? "?" : "-1",
                                   name != nullptr ? name : fmt::format("E{}", call.err).c_str(),
                                   errno_message(call.err)));
  } else {
    append_text(line_, call.ret);
    append_after_text(line_, call, style_of(opt_));
  }
  if (ev.uring_more) line_ += " (more)";  // a multishot operation: more completions to come
  append_injected(line_, ev);
  if (opt_.call_times && ev.returned()) {
    uint64_t d = call_duration(ev);
    fmt::format_to(std::back_inserter(line_), " <{}.{:06}>", d / 1000000000, d % 1000000000 / 1000);
  }
  line_ += '\n';
  append_stack_text(line_, ev);  // -s
  if (opt_.dumps.any()) append_dump_text(line_, call, opt_.dumps);
  if (opt_.explain) {
    if (auto meaning = explainer_.first_errno(call))
      fmt::format_to(std::back_inserter(line_), "# {}: {} means {}\n", call.name,
                     errno_label(call.err), escaped(*meaning));
  }
  write_line();
}

void TextSink::signal(const DecodedSignal& sig) {
  line_.clear();
  prefix(sig.ev.task);
  blank_columns(sig.ev.ts_ns);
  std::string text = "--- " + sig.name + ' ';
  append_text(text, sig.info);
  text += " ---";
  paint(kSignalColor, text);
  line_ += '\n';
  write_line();
}

void TextSink::stop(const StopEvent& ev) {
  line_.clear();
  prefix(ev.task);
  blank_columns(ev.ts_ns);
  paint(kSignalColor, fmt::format("--- stopped by {} ---", signal_name(ev.signo)));
  line_ += '\n';
  write_line();
}

void TextSink::exit(const ExitEvent& ev) {
  line_.clear();
  prefix(ev.task);
  blank_columns(ev.ts_ns);
  if (ev.signaled) {
    paint(kSignalColor, fmt::format("+++ killed by {}{} +++", signal_name(ev.code),
                                    ev.core_dumped ? " (core dumped)" : ""));
  } else {
    paint(kExitColor, fmt::format("+++ exited with {} +++", ev.code));
  }
  line_ += '\n';
  write_line();
}

void TextSink::lost(const LostEvent& ev) {
  line_.clear();
  paint(kErrorColor, fmt::format("dtruss: {} events lost", ev.count));
  line_ += '\n';
  out_.write(line_);
}

void TextSink::notice(const NoticeEvent& ev) {
  line_.clear();
  // (A notice may name a traced process: "attached to process 42 (its name)".)
  paint(kNoticeColor, "dtruss: " + escaped(ev.text));
  line_ += '\n';
  out_.write(line_);
}

}  // namespace dtruss
