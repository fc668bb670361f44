// dtruss_docgen: writes the man page and the shell completions from a hand-written template and
// dtruss's own tables (the option table behind getopt and --help, the syscall table), so that
// the installed documentation never disagrees with the binary.
//
//   dtruss_docgen man|bash|zsh TEMPLATE OUTPUT
//
// The template's @NAME@ markers are replaced by generated text (see kMarkers); a marker that the
// format does not know is an error, so a typo cannot slip into an installed file.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.h"
#include "syscalls/selection.h"
#include "syscalls/table.h"

namespace dtruss {
namespace {

// What the argument of an option is, for the completions.
std::string arg_kind(const OptionDoc& o) {
  if (o.arg == nullptr) return "";
  if (const char* words = option_choices(o.key)) return std::string("words:") + words;
  static constexpr std::pair<std::string_view, const char*> kByArgName[] = {
      {"PID[,PID]", "pids"}, {"NAME", "processes"}, {"LIST", "syscalls"},
      {"FILE", "files"},     {"USER", "users"},     {"FDS|FILE", "files"},
  };
  for (const auto& [name, kind] : kByArgName)
    if (name == o.arg) return kind;
  return "free";  // a number or a size: nothing to offer
}

std::string short_flag(const OptionDoc& o) {
  return o.key < 256 ? fmt::format("-{}", static_cast<char>(o.key)) : "";
}

// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string man_options() {
  std::string out;
  for (const auto& o : option_table()) {
    std::string tag = o.key < 256 ? fmt::format("\\fB\\-{}\\fR, ", static_cast<char>(o.key)) : "";
    tag += fmt::format("\\fB\\-\\-{}\\fR", roff(o.name));
    if (o.arg != nullptr) tag += fmt::format("{}\\fI{}\\fR", o.key < 256 ? " " : "=", roff(o.arg));
    out += fmt::format(".TP\n{}\n{}\n", tag, roff(o.help));
  }
  return out;
}

std::string man_classes() {
  std::string out;
  for (auto c : class_names())
    out += fmt::format("{}\\fB%{}\\fR", out.empty() ? "" : ", ", roff(c));
  for (auto c : named_class_names()) out += fmt::format(", \\fB%{}\\fR", roff(c));
  return out;
}

std::string syscall_words() {
  std::string out;
  for (auto w : selection_words()) out += fmt::format("{}{}", out.empty() ? "" : " ", w);
  for (const auto& s : all_syscalls()) out += fmt::format(" {}", s.name);
  return out;
}

std::string class_words() {
  std::string out;
  for (auto c : class_names()) out += fmt::format("{}%{}", out.empty() ? "" : " ", c);
  for (auto c : named_class_names()) out += fmt::format(" %{}", c);
  return out;
}

// Every option as the completion offers it: --name= for one that takes an argument.
std::string bash_option_words() {
  std::string out;
  for (const auto& o : option_table()) {
    if (o.key < 256) out += short_flag(o) + " ";
    out += fmt::format("--{}{} ", o.name, o.arg != nullptr ? "=" : "");
  }
  out.pop_back();
  return out;
}

// The arms of a `case` that prints the kind of an option's argument (see arg_kind).
std::string bash_arg_cases() {
  std::string out;
  for (const auto& o : option_table()) {
    std::string kind = arg_kind(o);
    if (kind.empty()) continue;
    std::string pattern = o.key < 256 ? short_flag(o) + "|" : "";
    out += fmt::format("    {}--{}) echo '{}' ;;\n", pattern, o.name, kind);
  }
  return out;
}

// zsh _arguments text: no unbalanced brackets, colons or quotes.
std::string zsh_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out;
}

std::string zsh_action(const OptionDoc& o) {
  std::string kind = arg_kind(o);
  if (kind.empty()) return "";
  std::string label = zsh_help(o.arg);
  if (kind.starts_with("words:")) {
    std::string words = kind.substr(6);
    std::replace(words.begin(), words.end(), '|', ' ');
    return fmt::format(":{}:({})", label, words);
  }
  if (kind == "pids") return fmt::format(":{}:_dtruss_pids", label);
  if (kind == "processes") return fmt::format(":{}:_dtruss_process_names", label);
  if (kind == "syscalls") return fmt::format(":{}:_dtruss_syscall_list", label);
  if (kind == "files") return fmt::format(":{}:_files", label);
  if (kind == "users") return fmt::format(":{}:_users", label);
  return fmt::format(":{}: ", label);
}

// One _arguments spec per option: '(-f --follow)'{-f,--follow}'[follow children]'.
std::string zsh_arguments() {
  std::string out;
  for (const auto& o : option_table()) {
    std::string help = zsh_help(o.help);
    std::string action = zsh_action(o);
    bool takes = o.arg != nullptr;
    if (o.key < 256) {
      out += fmt::format("    '(-{0} --{1})'{{-{0}{2},--{1}{3}}}'[{4}]{5}' \\\n",
                         static_cast<char>(o.key), o.name, takes ? "+" : "", takes ? "=" : "", help,
                         action);
    } else {
      out += fmt::format("    '--{}{}[{}]{}' \\\n", o.name, takes ? "=" : "", help, action);
    }
  }
  return out;
}

struct Marker {
  std::string_view format;
  std::string_view name;
  std::function<std::string()> text;
};

const std::vector<Marker>& markers() {
  static const std::vector<Marker> kMarkers = {
      {"man", "VERSION", [] { return std::string(kVersion); }},
      {"man", "OPTIONS", man_options},
      {"man", "CLASSES", man_classes},
      {"bash", "OPTIONS", bash_option_words},
      {"bash", "ARG_CASES", bash_arg_cases},
      {"bash", "SYSCALLS", syscall_words},
      {"bash", "CLASSES", class_words},
      {"zsh", "ARGUMENTS", zsh_arguments},
      {"zsh", "SYSCALLS", syscall_words},
      {"zsh", "CLASSES", class_words},
  };
  return kMarkers;
}

bool expand(std::string_view format, const std::string& in, std::string* out, std::string* error) {
  static const std::regex kMarker("@([A-Z_]+)@");
  std::sregex_iterator it(in.begin(), in.end(), kMarker), end;
  size_t pos = 0;
  for (; it != end; ++it) {
    const std::smatch& m = *it;
    std::string name = m[1].str();
    const Marker* found = nullptr;
    for (const auto& mk : markers())
      if (mk.format == format && mk.name == name) found = &mk;
    if (found == nullptr) {
      *error = fmt::format("unknown marker @{}@ for {}", name, format);
      return false;
    }
    *out += in.substr(pos, static_cast<size_t>(m.position()) - pos);
    std::string text = found->text();
    *out += text;
    pos = static_cast<size_t>(m.position() + m.length());
    // Text made of whole lines replaces the marker's line, newline included.
    if (!text.empty() && text.back() == '\n' && pos < in.size() && in[pos] == '\n') ++pos;
  }
  *out += in.substr(pos);
  return true;
}

int run(int argc, char** argv) {
  if (argc != 4) {
    fmt::print(stderr, "usage: dtruss_docgen man|bash|zsh TEMPLATE OUTPUT\n");
    return 2;
  }
  std::string format = argv[1];
  if (std::none_of(markers().begin(), markers().end(),
                   [&](const Marker& m) { return m.format == format; })) {
    fmt::print(stderr, "dtruss_docgen: unknown format '{}' (man, bash or zsh)\n", format);
    return 2;
  }
  std::ifstream in(argv[2]);
  if (!in) {
    fmt::print(stderr, "dtruss_docgen: cannot read {}\n", argv[2]);
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string out, error;
  if (!expand(format, text.str(), &out, &error)) {
    fmt::print(stderr, "dtruss_docgen: {}: {}\n", argv[2], error);
    return 1;
  }
  std::ofstream file(argv[3], std::ios::trunc);
  file << out;
  file.close();
  if (!file) {
    fmt::print(stderr, "dtruss_docgen: cannot write {}\n", argv[3]);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace dtruss

int main(int argc, char** argv) {
  return dtruss::run(argc, argv);
}
