#include "output/render.h"

#include <fmt/format.h>

#include "decode/decoder.h"
#include "util/text.h"

namespace dtruss {
namespace {

// What an fd refers to (-y), between < and >: a path, and the path of a UNIX socket, may hold any
// byte, '>' and '<' too (a name that would end the note early and forge what follows): escaped
// (append_escaped) with those two. The other notes (pipe:[N], TCP:a:p->b:q) are made of numbers
// and the kernel's names, their "->" as it is; escaped all the same.
void append_fd_note(std::string& out, std::string_view note) {
  constexpr std::string_view kUnix = "UNIX:";
  if (note.starts_with('/')) {
    append_escaped(out, note, "<>");
  } else if (note.starts_with(kUnix)) {
    out += kUnix;
    append_escaped(out, note.substr(kUnix.size()), "<>");
  } else {
    append_escaped(out, note);
  }
}

}  // namespace

void append_text(std::string& out, const Value& v, TextStyle style) {
  using T = Value::Type;
  switch (v.type) {
    case T::Int:
      append_int(out, v.as_int());
      break;
    case T::UInt:
      append_uint(out, v.num);
      break;
    case T::Hex:
    case T::Unreadable:
      append_hex(out, v.num);
      break;
    case T::Octal:
      if (v.num == 0)
        out += '0';
      else
        fmt::format_to(std::back_inserter(out), "0{:o}", v.num);
      break;
    case T::Symbol:
      if (style == TextStyle::Verbose) {
        fmt::format_to(std::back_inserter(out), "{:#x} /* {} */", v.num, v.text);
      } else {
        out += v.text;
      }
      break;
    case T::String:
      out += '"';
      append_c_escaped(out, v.text);
      out += '"';
      if (v.truncated) out += "...";
      break;
    case T::Null:
      out += "NULL";
      break;
    case T::Struct:
    case T::Array: {
      bool is_struct = v.type == T::Struct;
      out += is_struct ? '{' : '[';
      bool first = true;
      for (const Field& f : v.items) {
        if (!first) out += ", ";
        first = false;
        if (is_struct) {
          out += f.name;
          out += '=';
        }
        append_text(out, f.value, style);
      }
      if (v.truncated) out += first ? "..." : ", ...";
      out += is_struct ? '}' : ']';
      break;
    }
    case T::Count:
      fmt::format_to(std::back_inserter(out), "[/* {} {} */]", v.num, v.text);
      break;
    case T::Changed:
      append_text(out, v.items[0].value, style);
      out += " => ";
      append_text(out, v.items[1].value, style);
      break;
  }
  if (!v.note.empty()) {  // (a path is the traced program's to choose: escaped as strings are)
    out += '<';
    append_fd_note(out, v.note);
    out += '>';
  }
}

namespace {
// An fd with what it refers to (-y): {"fd":3,"path":"/etc/passwd"}.
void append_json_fd(std::string& out, const Value& v) {
  fmt::format_to(std::back_inserter(out), "{{\"fd\":{},\"path\":", v.as_int());
  append_json_string(out, v.note);
  out += '}';
}
}  // namespace

void append_json(std::string& out, const Value& v) {
  using T = Value::Type;
  if (!v.note.empty() && v.type == T::Int) return append_json_fd(out, v);
  switch (v.type) {
    case T::Int:
      append_int(out, v.as_int());
      break;
    case T::UInt:
    case T::Octal:
      append_uint(out, v.num);
      break;
    case T::Hex:
    case T::Unreadable:
      out += '"';
      append_hex(out, v.num);
      out += '"';
      break;
    case T::Symbol:
      append_json_string(out, v.text);
      break;
    case T::String:
      if (v.truncated) {
        out += "{\"str\":";
        append_json_string(out, v.text);
        out += ",\"truncated\":true}";
      } else {
        append_json_string(out, v.text);
      }
      break;
    case T::Null:
      out += "null";
      break;
    case T::Struct:
    case T::Changed: {  // (Changed: {"in":…,"out":…})
      out += '{';
      bool first = true;
      for (const Field& f : v.items) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, f.name);
        out += ':';
        append_json(out, f.value);
      }
      out += '}';
      break;
    }
    case T::Array: {
      out += '[';
      bool first = true;
      for (const Field& f : v.items) {
        if (!first) out += ',';
        first = false;
        append_json(out, f.value);
      }
      out += ']';
      break;
    }
    case T::Count:
      fmt::format_to(std::back_inserter(out), "{{\"count\":{}}}", v.num);
      break;
  }
}

void append_after_text(std::string& out, const DecodedCall& call, TextStyle style) {
  if (call.after_mask == 0 || call.info == nullptr) return;
  out += " (";
  bool first = true;
  for (int i = 0; i < call.nargs; ++i) {
    if ((call.after_mask & (1u << i)) == 0) continue;
    if (!first) out += ", ";
    first = false;
    out += call.info->args[i].after;
    out += ' ';
    append_text(out, call.after[static_cast<size_t>(i)], style);
  }
  out += ')';
}

void append_after_json(std::string& out, const DecodedCall& call) {
  if (call.after_mask == 0 || call.info == nullptr) return;
  out += ",\"after\":{";
  bool first = true;
  for (int i = 0; i < call.nargs; ++i) {
    if ((call.after_mask & (1u << i)) == 0) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, call.info->args[i].name);
    out += ':';
    append_json(out, call.after[static_cast<size_t>(i)]);
  }
  out += '}';
}

}  // namespace dtruss
