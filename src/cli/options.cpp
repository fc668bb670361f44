#include "cli/options.h"

#include <fmt/format.h>
#include <getopt.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "cli/strace_forms.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss {
namespace {

// What to trace: a command, -p, -n or -W, --all (one of them).
int scopes(const Options& o) {
  return !o.pids.empty() + !o.command.empty() + !o.name.empty() + o.all_processes +
         !o.cgroup.empty() + !o.container.empty() +
         !o.replay_file.empty();  // (-R: the capture's events)
}

// strace's sets (--signal, --read, --write): the message of the first that is wrong, or "".
std::string set_error(const Options& o) {
  NumberSet set;
  std::string error;
  if (!o.signal_set.empty() && !parse_signal_set(o.signal_set, &set, &error)) return error;
  // -e read=FDS, -e write=FDS (--read/--write take a file too: what is no set is one); given a
  // file instead, the message names the options that take one.
  const struct {
    const std::string& fds;
    const char* key;
    const char* verb;
  } dumps[] = {{o.dump_read, "read", "show"}, {o.dump_write, "write", "record"}};
  for (const auto& d : dumps) {
    if (d.fds.empty() || parse_fd_set(d.fds, &set, &error)) continue;
    std::string msg = fmt::format("-e {}=: {}", d.key, error);
    if (d.fds.find_first_of("/.") != std::string::npos)
      msg += fmt::format(". -e {0}= takes fds, as strace's: to {1} a capture file, use --{0} {2}",
                         d.key, d.verb, escaped(d.fds));
    return msg;
  }
  return {};
}

// The rules between options, checked in this order once all are read.
constexpr struct {
  bool (*broken)(const Options&);
  std::string (*message)(const Options&);
} kConflicts[] = {
    {[](const Options& o) { return !habit_hint(o).empty(); }, habit_hint},
    // (a set's error first: --read FILE, a capture habit, leaves nothing else to trace)
    {[](const Options& o) { return !set_error(o).empty(); }, set_error},
    {[](const Options& o) { return !o.command.empty() && o.command[0].empty(); },
     [](const Options&) -> std::string {
       return "the command is empty: give the program to run (dtruss ls)";
     }},
    {[](const Options& o) { return !o.pids.empty() && !o.command.empty(); },
     [](const Options& o) {
       return fmt::format("give either a command or -p PID, not both (the command was '{}')",
                          o.command[0]);
     }},
    // Part 11: -R shows a capture, which was traced already; --trigger is the flight recorder's.
    {[](const Options& o) { return !o.replay_file.empty() && scopes(o) > 1; },
     [](const Options& o) {
       return fmt::format(
           "{} shows a capture that was traced already: give no command, -p, -n, -W or --all "
           "with it",
           o.read_file ? "--read FILE" : "-R");
     }},
    {[](const Options& o) { return !o.triggers.empty() && o.flight_recorder == 0; },
     [](const Options&) -> std::string {
       return "--trigger tells the flight recorder when to write: give it with --flight-recorder "
              "SIZE";
     }},
    {[](const Options& o) { return scopes(o) > 1; },
     [](const Options&) -> std::string {
       return "give one of: a command, -p PID, -n NAME, -W NAME, --all, --cgroup or --container";
     }},
    {[](const Options& o) { return scopes(o) == 0 && o.explain; },
     [](const Options&) -> std::string {
       return "--explain needs a syscall name (dtruss --explain openat) or a command to trace";
     }},
    {[](const Options& o) { return scopes(o) == 0; },
     [](const Options&) -> std::string {
       return "nothing to trace: give a command (dtruss ls), -p PID, -n NAME, --all or -R FILE";
     }},
    {[](const Options& o) {
       return (o.histogram || o.summary_by != SummaryBy::None) && !o.count && !o.summary_only;
     },
     [](const Options& o) {
       return fmt::format("{} adds to the summary table: give it with -c or --summary",
                          o.histogram ? "-H" : "--summary-by");
     }},
    {[](const Options& o) { return !o.folded_file.empty() && !o.stack; },
     [](const Options&) -> std::string {
       return "--folded writes the stacks of -s: give it with -s";
     }},
    {[](const Options& o) { return !o.user.empty() && o.command.empty(); },
     [](const Options&) -> std::string {
       return "-u USER applies to a command that dtruss starts, not to -p";
     }},
    // Part 11: --top and --interval.
    {[](const Options& o) { return !o.interval.empty() && interval_ns(o) == 0; },
     [](const Options& o) {
       return fmt::format("--interval needs a number of seconds from 0.01 to 86400, not '{}'",
                          escaped(o.interval));
     }},
    {[](const Options& o) { return o.top && o.json; },
     [](const Options&) -> std::string {
       return "--top draws a live table: it has no --json form (--summary --json has)";
     }},
    {[](const Options& o) { return o.top && (o.count || o.summary_only); },
     [](const Options&) -> std::string {
       return "--top is a live --summary: give --top, or -c/--summary (with --interval N for a "
              "table every N seconds)";
     }},
    {[](const Options& o) { return !o.interval.empty() && !o.top && !o.summary_only; },
     [](const Options&) -> std::string {
       return "--interval sets how often --top refreshes or --summary prints its table: give it "
              "with one of them";
     }},
    {[](const Options& o) { return !o.interval.empty() && o.json; },
     [](const Options&) -> std::string {
       return "--summary --interval prints tables: it has no --json form";
     }},
};

void fail(const std::string& msg) {
  say(msg);
  write_all(STDERR_FILENO, "Try 'dtruss -h' for more information.\n");
}

// Help and version on standard output: ExitFailed (and a message) when it refused them.
ParseOutcome print_out(const std::string& text) {
  if (write_all(STDOUT_FILENO, text)) return ParseOutcome::ExitOk;
  say(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
  return ParseOutcome::ExitFailed;
}

// Sizes in bytes as the options take them: 4096, 512K, 8M, 1G (digits alone, then the unit).
bool parse_size(const char* s, uint64_t* out) {
  if (s == nullptr) return false;
  std::string_view text(s);
  size_t digits = text.find_first_not_of("0123456789");
  if (digits == std::string_view::npos) digits = text.size();
  uint64_t v = 0;
  if (!parse_decimal(text.substr(0, digits), &v)) return false;
  uint64_t mult = 1;
  std::string_view unit = text.substr(digits);
  if (unit == "" || unit == "B" || unit == "b")
    mult = 1;
  else if (unit == "K" || unit == "k" || unit == "KiB")
    mult = 1ull << 10;
  else if (unit == "M" || unit == "m" || unit == "MiB")
    mult = 1ull << 20;
  else if (unit == "G" || unit == "g" || unit == "GiB")
    mult = 1ull << 30;
  else
    return false;
  if (v > UINT64_MAX / mult) return false;
  *out = v * mult;
  return true;
}

// A size for messages: 4K, 2G.
std::string size_label(uint64_t n) {
  static constexpr struct {
    uint64_t bytes;
    char unit;
  } kUnits[] = {{1ull << 30, 'G'}, {1ull << 20, 'M'}, {1ull << 10, 'K'}};
  for (const auto& u : kUnits)
    if (n >= u.bytes && n % u.bytes == 0) return fmt::format("{}{}", n / u.bytes, u.unit);
  return std::to_string(n);
}

// How an option is written in messages: -X, or --backend for a long-only one.
std::string option_label(const OptionDoc& o) {
  return o.key < 256 ? fmt::format("-{}", static_cast<char>(o.key)) : fmt::format("--{}", o.name);
}

// A rule's message for the bad argument `arg` of option `o`.
void fail_rule(const OptionDoc& o, std::string_view arg, uint64_t min = 0, uint64_t max = 0) {
  auto bound = [&](uint64_t n) { return o.rule.size_units ? size_label(n) : std::to_string(n); };
  fail(fmt::format(fmt::runtime(o.rule.message), fmt::arg("opt", option_label(o)),
                   fmt::arg("arg", arg), fmt::arg("min", bound(min)), fmt::arg("max", bound(max))));
}

bool read_pids(const OptionDoc& o, const char* s, std::vector<pid_t>* out) {
  for (auto part : split(s, ',')) {
    uint64_t v = 0;
    if (!parse_decimal(part, &v) || v == 0 || v > 0x3fffffff) {
      fail_rule(o, part);
      return false;
    }
    out->push_back(static_cast<pid_t>(v));
  }
  return true;
}

bool read_number(const OptionDoc& o, const char* arg, Options* opt) {
  const OptionRule& r = o.rule;
  uint64_t min = r.min_of != nullptr ? r.min_of() : r.min;
  uint64_t max = r.max_of != nullptr ? r.max_of() : r.max;
  uint64_t n = 0;
  if (!parse_size(arg, &n) || n < min || n > max) {
    fail_rule(o, arg, min, max);
    return false;
  }
  opt->*r.number = n;
  return true;
}

// `arg` as one of the choices of option `o`, or a one-line error naming the option and the
// choices.
// The index of `word` among o's choices; says so and returns nullopt when it is none of them.
std::optional<size_t> choice_index(const OptionDoc& o, std::string_view word) {
  auto names = split(o.rule.choices, '|');
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == word) return i;
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  fail(fmt::format("{} takes {}, not '{}'", option_label(o), list, escaped(word)));
  return std::nullopt;
}

bool read_choice(const OptionDoc& o, const char* arg, Options* opt) {
  auto i = choice_index(o, arg);
  if (i) o.rule.choose(*opt, *i);
  return i.has_value();
}

// A list of choices (--status=failed,unfinished), in strace's set syntax too (-e status=): "all"
// for every one, and a leading "!" for every one but those listed.
bool read_choices(const OptionDoc& o, std::string_view arg, Options* opt) {
  std::string_view whole = arg;
  bool invert = arg.starts_with('!');
  if (invert) arg.remove_prefix(1);
  std::vector<bool> chosen(split(o.rule.choices, '|').size(), false);
  for (auto word : split(arg, ',')) {
    if (word == "all") {
      chosen.assign(chosen.size(), true);
      continue;
    }
    auto i = choice_index(o, word);
    if (!i) return false;
    chosen[*i] = true;
  }
  if (std::find(chosen.begin(), chosen.end(), !invert) == chosen.end()) {
    fail(fmt::format("{} selects nothing: '{}'", option_label(o), escaped(whole)));
    return false;
  }
  for (size_t i = 0; i < chosen.size(); ++i)
    if (chosen[i] != invert) o.rule.choose(*opt, i);
  return true;
}

// `text` is strace's fd set (3,5, all, none, !...), as --read/--write FDS take it.
bool is_fd_set(const char* text) {
  NumberSet set;
  std::string error;
  return parse_fd_set(text, &set, &error);
}

// Reads option `o` (its argument `arg`) into `opt` by its rule: nullopt to go on, else how the
// parse ends (help, version, a usage error already said). `fds_only`: strace's -e read=/write=,
// which take fds and no file.
std::optional<ParseOutcome> apply(const OptionDoc& o, const char* arg, Options* opt,
                                  bool fds_only = false) {
  const OptionRule& r = o.rule;
  bool ok = true;
  switch (r.action) {
    case OptionAction::SetFlag:
      opt->*r.flag = true;
      break;
    case OptionAction::SetTask:
      opt->show_task = r.value;
      break;
    case OptionAction::SetName:
      opt->wait_for_name = r.value;
      [[fallthrough]];
    case OptionAction::SetText:
      ok = arg[0] != '\0';
      if (ok)
        opt->*r.text = arg;
      else
        fail_rule(o, arg);
      break;
    case OptionAction::FdsOrFile:
      if (!fds_only && !is_fd_set(arg)) {  // (a set, even if a file has its name: ./3 is the file)
        ok = arg[0] != '\0';
        if (ok) {
          opt->*r.file = arg;
          opt->*r.flag = true;
        } else {
          fail(fmt::format("{} needs fds (e.g. 1,2) or a capture file", option_label(o)));
        }
        break;
      }
      [[fallthrough]];
    case OptionAction::AddToList:
      if (!(opt->*r.text).empty()) opt->*r.text += ',';
      opt->*r.text += arg;
      break;
    case OptionAction::AddText:
      ok = arg[0] != '\0';
      if (ok)
        (opt->*r.texts).emplace_back(arg);
      else
        fail_rule(o, arg);
      break;
    case OptionAction::AddPids:
      ok = read_pids(o, arg, &opt->pids);
      break;
    case OptionAction::SetNumber:
      ok = read_number(o, arg, opt);
      break;
    case OptionAction::SetChoice:
    case OptionAction::AddChoices:
      if (arg == nullptr)  // (--timestamps alone: its `bare` choice)
        o.rule.choose(*opt, static_cast<size_t>(o.rule.bare));
      else if (r.action == OptionAction::SetChoice)
        ok = read_choice(o, arg, opt);
      else
        ok = read_choices(o, arg, opt);
      break;
    case OptionAction::AddBits:
      opt->*r.bits |= r.mask;
      break;
    case OptionAction::Help:
      return print_out(usage_text());
    case OptionAction::Version:
      return print_out(fmt::format("dtruss {}\n", kVersion));
  }
  if (!ok) return ParseOutcome::ExitUsage;
  return std::nullopt;
}

// getopt's '?' or ':': an unknown option, or one without its argument.
ParseOutcome bad_option(int argc, char** argv, const std::string& shorts) {
  for (int i : {optind - 1, optind}) {  // (the word getopt is in, or has just left)
    std::string hint = i > 0 && i < argc ? habit_hint(std::string_view(argv[i])) : "";
    if (hint.empty()) continue;
    fail(hint);
    return ParseOutcome::ExitUsage;
  }
  std::string bad = optopt != 0 && optopt < 256 ? fmt::format("-{}", static_cast<char>(optopt))
                                                : std::string(argv[optind - 1]);
  if (auto eq = bad.find('='); eq != std::string::npos) bad.resize(eq);  // --name=value
  // getopt sets optopt to a known option that lacks its argument, 0 for an unknown long one.
  if (optopt >= 256 || (optopt > 0 && std::strchr(shorts.c_str(), optopt) != nullptr))
    fail(fmt::format("option {} needs an argument", bad));
  else
    fail(fmt::format("unknown option '{}'", bad));
  return ParseOutcome::ExitUsage;
}

const OptionDoc* find_option(int key) {
  for (const auto& o : option_table())
    if (o.key == key) return &o;
  return nullptr;
}

// strace's -e KEY=VALUE in `word`: read as dtruss's --KEY=VALUE (Run), or a usage error said;
// nullopt when `word` is no such expression (then -e is the ELAPSD column).
std::optional<ParseOutcome> strace_expression(const char* word, Options* opt) {
  const char* eq = std::strchr(word, '=');
  if (eq == nullptr) return std::nullopt;
  std::string_view key(word, static_cast<size_t>(eq - word));
  bool unsupported = false;
  const char* name = expression_option(key, &unsupported);
  const OptionDoc* o = nullptr;
  for (const auto& row : option_table())
    if (name != nullptr && std::strcmp(row.name, name) == 0) o = &row;
  if (o == nullptr && !unsupported && name == nullptr) return std::nullopt;
  if (o == nullptr) {
    fail(fmt::format("-e {}= is strace's; dtruss has no such setting (see dtruss -h)",
                     escaped(key)));
    return ParseOutcome::ExitUsage;
  }
  std::string value = o->key == 't' ? trace_set_as_list(eq + 1) : std::string(eq + 1);
  return apply(*o, value.c_str(), opt, true).value_or(ParseOutcome::Run);
}

// Once every option is read: -a's columns, the command, and the rules between options.
ParseOutcome finish(int argc, char** argv, Options* opt) {
  if (opt->all_columns) {
    opt->count = opt->relative = opt->elapsed = opt->follow = opt->cpu = true;
    if (!opt->show_task) opt->show_task = true;
  }
  for (int i = optind; i < argc; ++i) opt->command.emplace_back(argv[i]);
  for (const auto& c : kConflicts) {
    if (!c.broken(*opt)) continue;
    fail(c.message(*opt));
    return ParseOutcome::ExitUsage;
  }
  if (opt->top) opt->summary_only = true;  // a live --summary: its table at the end too
  return ParseOutcome::Run;
}

}  // namespace

uint64_t interval_ns(const Options& opt) {
  if (opt.interval.empty()) {
    if (opt.top) return 1000000000ull;
    // --summary --clickhouse: the aggregates sent every 10 s (src/fleet)
    return opt.summary_only && !opt.clickhouse.empty() ? 10000000000ull : 0;
  }
  const char* s = opt.interval.c_str();
  char* end = nullptr;
  errno = 0;
  double secs = std::strtod(s, &end);
  // (digits and a point only: no "inf", "0x1p3" or blanks)
  bool plain = opt.interval.find_first_not_of("0123456789.") == std::string::npos;
  if (!plain || end == s || *end != '\0' || errno != 0 || !(secs >= 0.01 && secs <= 86400))
    return 0;
  return static_cast<uint64_t>(secs * 1e9 + 0.5);
}

ParseOutcome parse_options(int argc, char** argv, Options* opt) {
  std::string shorts = "+";  // stop at the command: its own options are not ours
  std::vector<option> longs;
  for (const auto& o : option_table()) {
    if (o.key < 256) {
      shorts += static_cast<char>(o.key);
      if (o.arg != nullptr) shorts += ':';
    }
    int has_arg = o.arg == nullptr   ? no_argument
                  : o.rule.bare >= 0 ? optional_argument
                                     : required_argument;
    longs.push_back({o.name, has_arg, nullptr, o.key});
  }
  longs.push_back({nullptr, 0, nullptr, 0});

  opterr = 0;
  // optind 0, not 1: GNU getopt then forgets the state of an earlier parse (here, with no
  // word to read: optind becomes 1, and the loop can look at argv[1] first).
  optind = 0;
  getopt_long(1, argv, shorts.c_str(), longs.data(), nullptr);
  bool word_start = true;  // getopt is at the start of argv[optind] (not inside -abc)
  for (;;) {
    // -eKEY=VALUE in one word: strace's expression, before getopt reads it as -e -K...
    if (word_start && optind < argc && std::strncmp(argv[optind], "-e", 2) == 0) {
      if (auto end = strace_expression(argv[optind] + 2, opt)) {
        if (*end != ParseOutcome::Run) return *end;
        ++optind;
        continue;
      }
    }
    int before = optind;
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    word_start = optind != before;
    const OptionDoc* o = find_option(c);
    if (o == nullptr) return bad_option(argc, argv, shorts);
    // -e KEY=VALUE: -e ended its word (not --elapsed), and the next word is strace's expression.
    if (c == 'e' && word_start && argv[optind - 1][1] != '-' && optind < argc) {
      if (auto end = strace_expression(argv[optind], opt)) {
        if (*end != ParseOutcome::Run) return *end;
        ++optind;
        continue;
      }
    }
    if (std::optional<ParseOutcome> end = apply(*o, optarg, opt)) return *end;
  }
  return finish(argc, argv, opt);
}

}  // namespace dtruss