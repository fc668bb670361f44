#include "output/stack_render.h"

#include <fmt/format.h>

#include "util/text.h"

namespace dtruss {

std::string frame_label(const StackFrame& f) {
  if (!f.symbol.empty()) return fmt::format("{}`{}", f.module, f.symbol);
  if (f.offset != 0) return fmt::format("{}`+{:#x}", f.module, f.offset);
  return fmt::format("{}`{:#x}", f.module, f.pc);  // anonymous code: only the address says where
}

void append_stack_text(std::string& out, const SyscallEvent& ev) {
  if (ev.stack.empty()) return;
  if (!ev.stack_dwarf)
    out += "    (frame-pointer stack: frames without a frame pointer are missing)\n";
  // Module paths, symbols and source file names come from the traced program's files: escaped.
  for (const StackFrame& f : ev.stack) {
    out += "    ";
    append_escaped(out, f.module);
    if (!f.symbol.empty()) {
      out += '`';
      append_escaped(out, f.symbol);
      out += '+';
      append_hex(out, f.offset);
    } else if (f.offset != 0) {
      out += "`+";
      append_hex(out, f.offset);
    }
    out += " [";
    append_hex(out, f.pc);
    out += ']';
    if (!f.file.empty()) {
      out += ' ';
      append_escaped(out, f.file);
      out += ':';
      append_int(out, f.line);
    }
    out += '\n';
  }
}

void append_stack_json(std::string& out, const SyscallEvent& ev) {
  if (ev.stack.empty()) return;
  out += ",\"stack\":[";
  bool first = true;
  for (const StackFrame& f : ev.stack) {
    if (!first) out += ',';
    first = false;
    fmt::format_to(std::back_inserter(out), "{{\"addr\":{},\"module\":", f.pc);
    append_json_string(out, f.module);
    out += ",\"symbol\":";
    if (f.symbol.empty())
      out += "null";
    else
      append_json_string(out, f.symbol);
    fmt::format_to(std::back_inserter(out), ",\"offset\":{},\"file\":", f.offset);
    if (f.file.empty())
      out += "null";
    else
      append_json_string(out, f.file);
    out += ",\"line\":";
    if (f.line > 0)
      fmt::format_to(std::back_inserter(out), "{}", f.line);
    else
      out += "null";
    out += '}';
  }
  out += ']';
  if (!ev.stack_dwarf) out += ",\"stack_kind\":\"frame-pointer\"";
}

}  // namespace dtruss
