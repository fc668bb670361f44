#include "cli/options.h"

#include <fmt/format.h>
#include <getopt.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "util/text.h"
#include "util/writer.h"

namespace dtruss {
namespace {

enum LongOnly : int {
  kOutput = 256,
  kJson,
  kBackend,
  kStrsize,
  kVersionOpt,
  kAll,
  kExplain,
  kSummary,
  kSort,
  kSummaryBy,
  kTimeline,
  kColor,
  kStackDepth,
  kStackSize,
  kFolded,
};

// The rules of the table's rows (OptionRule), by what they do.
constexpr OptionRule flag(bool Options::*field) {
  return {.action = OptionAction::SetFlag, .flag = field};
}
constexpr OptionRule show_task(bool on) {
  return {.action = OptionAction::SetTask, .value = on};
}
constexpr OptionRule text(std::string Options::*field, const char* message) {
  return {.action = OptionAction::SetText, .text = field, .message = message};
}
constexpr OptionRule file(std::string Options::*field) {
  return text(field, "{opt} needs a file name");
}
constexpr OptionRule name(bool wait) {
  return {.action = OptionAction::SetName,
          .text = &Options::name,
          .message = "{opt} needs a process name",
          .value = wait};
}
constexpr OptionRule count(uint64_t Options::*field, uint64_t min, uint64_t max,
                           const char* message) {
  return {.action = OptionAction::SetNumber,
          .number = field,
          .min = min,
          .max = max,
          .message = message};
}
constexpr OptionRule size(uint64_t Options::*field, uint64_t min, uint64_t max,
                          const char* message) {
  OptionRule r = count(field, min, max, message);
  r.size_units = true;
  return r;
}
// A choice among `words` ("a|b|c"), which set `Field` to the value in the same place of `Values`
// (the two are checked to pair up: choices_pair_up()).
template <auto Field, const auto& Values>
void set_choice(Options& o, size_t i) {
  o.*Field = Values[i];
}
template <auto Field, const auto& Values>
constexpr OptionRule choice(const char* words) {
  return {.action = OptionAction::SetChoice,
          .choices = words,
          .n_choices = std::size(Values),
          .choose = set_choice<Field, Values>};
}
constexpr OptionRule action(OptionAction a) {
  return {.action = a};
}

// -b: the eBPF ring is a power of two of pages (the kernel's rule), at most max_ring_bytes() (a
// power of two too: a size up to it rounds up to at most it).
constexpr OptionRule kRingSize{
    .action = OptionAction::SetNumber,
    .number = &Options::buffer_size,
    .min_of = min_ring_bytes,
    .max_of = max_ring_bytes,
    .size_units = true,
    .message =
        "{opt} needs a size from {min} to {max} (e.g. 512K or 8M; rounded up to a power of "
        "two), not '{arg}'"};

// The values of the choices' words, in their order.
constexpr ArgStyle kStyles[] = {ArgStyle::Raw, ArgStyle::Verbose, ArgStyle::Decoded};
constexpr BackendChoice kBackends[] = {BackendChoice::Auto, BackendChoice::Ptrace,
                                       BackendChoice::Bpf};
constexpr SummarySort kSorts[] = {SummarySort::Calls, SummarySort::Time, SummarySort::Errors,
                                  SummarySort::Name};
constexpr SummaryBy kGroupings[] = {SummaryBy::Process, SummaryBy::Thread};
constexpr ColorChoice kColors[] = {ColorChoice::Auto, ColorChoice::Always, ColorChoice::Never};

constexpr OptionDoc kOptions[] = {
    {'a', "all-columns", nullptr, "all of -c -d -e -f -l -o (dtruss's -a)",
     flag(&Options::all_columns)},
    {'b', "bufsize", "SIZE", "event buffer size for the eBPF backend, 4K to 2G (e.g. 8M)",
     kRingSize},
    {'c', "count", nullptr, "every line, then a table of calls, errors and time per syscall",
     flag(&Options::count)},
    {'d', "relative", nullptr, "RELATIVE column: microseconds since the trace started",
     flag(&Options::relative)},
    {'e', "elapsed", nullptr, "ELAPSD column: microseconds spent in each call",
     flag(&Options::elapsed)},
    {'f', "follow", nullptr, "follow children (fork, vfork, clone) and their execs",
     flag(&Options::follow)},
    {'h', "help", nullptr, "this help", action(OptionAction::Help)},
    {'H', "histogram", nullptr,
     "with -c or --summary: a latency histogram per syscall (powers of 2)",
     flag(&Options::histogram)},
    {'l', "pid-prefix", nullptr, "show the PID/TID prefix on every line", show_task(true)},
    {'L', "no-pid-prefix", nullptr, "never show the PID/TID prefix", show_task(false)},
    {'n', "name", "NAME", "trace processes of that name, running and future (prefix match)",
     name(false)},
    {'o', "cpu", nullptr, "CPU column: microseconds on-CPU during each call (not an output file)",
     flag(&Options::cpu)},
    {'p',
     "pid",
     "PID[,PID]",
     "attach to running processes (all their threads)",
     {.action = OptionAction::AddPids,
      .message = "{opt} needs process IDs (e.g. -p 1234 or -p 1234,5678), not '{arg}'"}},
    {'s', "stack", nullptr,
     "the user stack of each call, innermost frame first (file:line with -g)",
     flag(&Options::stack)},
    {'t',
     "trace",
     "LIST",
     "only these syscalls: names, %classes, !negation (e.g. open,%net)",
     {.action = OptionAction::AddToList, .text = &Options::trace_list}},
    {'u', "user", "USER", "run the command as USER (dtruss running as root)",
     text(&Options::user, "{opt} needs a user name")},
    {'v', "verbose", nullptr, "unabbreviated arguments (the whole environment of execve)",
     flag(&Options::verbose)},
    {'W', "wait-name", "NAME", "wait for a process of that name to start, then trace it",
     name(true)},
    {'X', "style", "raw|verbose", "raw: dtruss's hex arguments; verbose: numbers and names",
     choice<&Options::style, kStyles>("raw|verbose|decoded")},
    {'x', "annotate", nullptr, "annotate the trace: what each syscall does, what its errors mean",
     flag(&Options::annotate)},
    {'y', "decode-fds", nullptr, "show what each fd refers to: 3</etc/hosts>, 4<TCP:a:p->b:q>",
     flag(&Options::describe_fds)},
    {kOutput, "output", "FILE", "write the trace to FILE instead of standard error",
     file(&Options::output_file)},
    {kJson, "json", nullptr, "JSON Lines output, one object per event (docs/json.md)",
     flag(&Options::json)},
    {kBackend, "backend", "auto|ptrace|bpf",
     "how to trace: bpf (eBPF, root), ptrace; auto (default): eBPF when allowed",
     choice<&Options::backend, kBackends>("auto|ptrace|bpf")},
    {kStrsize, "strsize", "N", "bytes of strings and data buffers shown (default 64)",
     count(&Options::strsize, 0, 1u << 20,
           "{opt} needs a byte count from {min} to {max}, not '{arg}'")},
    {kAll, "all", nullptr, "trace every process on the system but dtruss (eBPF backend)",
     flag(&Options::all_processes)},
    {kExplain, "explain", nullptr,
     "explain a syscall (--explain openat), or trace a command like -x", flag(&Options::explain)},
    {kSummary, "summary", nullptr, "only the table of -c, no lines", flag(&Options::summary_only)},
    {kSort, "sort", "KEY", "table order: calls (default, most frequent last), time, errors, name",
     choice<&Options::sort, kSorts>("calls|time|errors|name")},
    {kSummaryBy, "summary-by", "WHAT", "one table per process or per thread (process|thread)",
     choice<&Options::summary_by, kGroupings>("process|thread")},
    {kTimeline, "timeline", "FILE", "also write the trace as Chrome trace-event JSON (Perfetto)",
     file(&Options::timeline_file)},
    {kStackDepth, "stack-depth", "N", "with -s: frames shown at most (default 32)",
     count(&Options::stack_depth, 1, 1024,
           "{opt} needs a frame count from {min} to {max}, not '{arg}'")},
    {kStackSize, "stack-size", "SIZE",
     "with -s, eBPF: bytes of stack copied per call (default 16K, at most 32K)",
     size(&Options::stack_size, 1, kMaxStackCopy,
          "{opt} needs a size from {min} to {max}, not '{arg}'")},
    {kFolded, "folded", "FILE", "with -s: write folded stacks (frame;frame count) for flame graphs",
     file(&Options::folded_file)},
    {kColor, "color", "auto|always|never",
     "colour the lines (auto: on a terminal, unless NO_COLOR)",
     choice<&Options::color, kColors>("auto|always|never")},
    {kVersionOpt, "version", nullptr, "print the version", action(OptionAction::Version)},
};

constexpr size_t word_count(const char* words) {
  size_t n = 1;
  for (; *words != '\0'; ++words) n += *words == '|';
  return n;
}
constexpr bool choices_pair_up() {
  for (const auto& o : kOptions)
    if (o.rule.action == OptionAction::SetChoice && word_count(o.rule.choices) != o.rule.n_choices)
      return false;
  return true;
}
static_assert(choices_pair_up(), "a choice has as many values as words");

// What to trace: a command, -p, -n or -W, --all (one of them).
int scopes(const Options& o) {
  return !o.pids.empty() + !o.command.empty() + !o.name.empty() + o.all_processes;
}

// The rules between options, checked in this order once all are read.
constexpr struct {
  bool (*broken)(const Options&);
  std::string (*message)(const Options&);
} kConflicts[] = {
    {[](const Options& o) { return !o.command.empty() && o.command[0].empty(); },
     [](const Options&) -> std::string {
       return "the command is empty: give the program to run (dtruss ls)";
     }},
    {[](const Options& o) { return !o.pids.empty() && !o.command.empty(); },
     [](const Options& o) {
       return fmt::format("give either a command or -p PID, not both (the command was '{}')",
                          o.command[0]);
     }},
    {[](const Options& o) { return scopes(o) > 1; },
     [](const Options&) -> std::string {
       return "give one of: a command, -p PID, -n NAME, -W NAME or --all";
     }},
    {[](const Options& o) { return scopes(o) == 0 && o.explain; },
     [](const Options&) -> std::string {
       return "--explain needs a syscall name (dtruss --explain openat) or a command to trace";
     }},
    {[](const Options& o) { return scopes(o) == 0; },
     [](const Options&) -> std::string {
       return "nothing to trace: give a command (dtruss ls), -p PID, -n NAME or --all";
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
bool read_choice(const OptionDoc& o, const char* arg, Options* opt) {
  auto names = split(o.rule.choices, '|');
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == arg) {
      o.rule.choose(*opt, i);
      return true;
    }
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  fail(fmt::format("{} takes {}, not '{}'", option_label(o), list, arg));
  return false;
}

// Reads option `o` (its argument `arg`) into `opt` by its rule: nullopt to go on, else how the
// parse ends (help, version, a usage error already said).
std::optional<ParseOutcome> apply(const OptionDoc& o, const char* arg, Options* opt) {
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
    case OptionAction::AddToList:
      if (!(opt->*r.text).empty()) opt->*r.text += ',';
      opt->*r.text += arg;
      break;
    case OptionAction::AddPids:
      ok = read_pids(o, arg, &opt->pids);
      break;
    case OptionAction::SetNumber:
      ok = read_number(o, arg, opt);
      break;
    case OptionAction::SetChoice:
      ok = read_choice(o, arg, opt);
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
ParseOutcome bad_option(char** argv, const std::string& shorts) {
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
  for (const auto& o : kOptions)
    if (o.key == key) return &o;
  return nullptr;
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
  return ParseOutcome::Run;
}

}  // namespace

std::span<const OptionDoc> option_table() {
  return kOptions;
}

const char* option_choices(int key) {
  const OptionDoc* o = find_option(key);
  return o != nullptr ? o->rule.choices : nullptr;
}

uint64_t min_ring_bytes() {
  long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<uint64_t>(page) : 4096;
}

uint64_t max_ring_bytes() {
  uint64_t max = 1ull << 31;  // the largest power of two a u32 max_entries holds
  long pages = sysconf(_SC_PHYS_PAGES);
  if (pages > 0) {
    uint64_t half = static_cast<uint64_t>(pages) * min_ring_bytes() / 2;
    while (max > min_ring_bytes() && max > half) max >>= 1;
  }
  return max;
}

std::string usage_text() {
  std::string out =
      "Usage: dtruss [options] command [arg ...]\n"
      "       dtruss [options] -p PID[,PID...]\n"
      "Shows every system call a program makes, decoded, with its result.\n\n"
      "Options:\n";
  for (const auto& o : kOptions) {
    std::string left = o.key < 256 ? fmt::format("-{}, --{}", static_cast<char>(o.key), o.name)
                                   : fmt::format("    --{}", o.name);
    if (o.arg != nullptr) left += (o.key < 256 ? " " : "=") + std::string(o.arg);
    fmt::format_to(std::back_inserter(out), "  {:<30} {}\n", left, o.help);
  }
  out +=
      "\nThe trace goes to standard error, as dtruss's does: save it with 2> FILE or --output "
      "FILE.\n"
      "Exit status: the command's (128+N if killed by signal N); 2 for bad usage.\n"
      "\n--explain NAME explains the syscall NAME when NAME is a syscall and nothing follows it;\n"
      "otherwise the words are a command to trace with -x (use -x for a command named like a\n"
      "syscall: dtruss -x sync).\n";
  return out;
}

ParseOutcome parse_options(int argc, char** argv, Options* opt) {
  std::string shorts = "+";  // stop at the command: its own options are not ours
  std::vector<option> longs;
  for (const auto& o : kOptions) {
    if (o.key < 256) {
      shorts += static_cast<char>(o.key);
      if (o.arg != nullptr) shorts += ':';
    }
    longs.push_back({o.name, o.arg != nullptr ? required_argument : no_argument, nullptr, o.key});
  }
  longs.push_back({nullptr, 0, nullptr, 0});

  opterr = 0;
  optind = 0;  // 0, not 1: GNU getopt then forgets the state of an earlier parse
  for (int c; (c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr)) != -1;) {
    const OptionDoc* o = find_option(c);
    if (o == nullptr) return bad_option(argv, shorts);
    if (std::optional<ParseOutcome> end = apply(*o, optarg, opt)) return *end;
  }
  return finish(argc, argv, opt);
}

}  // namespace dtruss
