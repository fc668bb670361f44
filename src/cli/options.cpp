#include "cli/options.h"

#include <fmt/format.h>
#include <getopt.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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
  kHelp,
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

constexpr OptionDoc kOptions[] = {
    {'a', "all-columns", nullptr, "all of -c -d -e -f -l -o (dtruss's -a)"},
    {'b', "bufsize", "SIZE", "event buffer size for the eBPF backend, 4K to 2G (e.g. 8M)"},
    {'c', "count", nullptr, "every line, then a table of calls, errors and time per syscall"},
    {'d', "relative", nullptr, "RELATIVE column: microseconds since the trace started"},
    {'e', "elapsed", nullptr, "ELAPSD column: microseconds spent in each call"},
    {'f', "follow", nullptr, "follow children (fork, vfork, clone) and their execs"},
    {'h', "help", nullptr, "this help"},
    {'H', "histogram", nullptr,
     "with -c or --summary: a latency histogram per syscall (powers of 2)"},
    {'l', "pid-prefix", nullptr, "show the PID/TID prefix on every line"},
    {'L', "no-pid-prefix", nullptr, "never show the PID/TID prefix"},
    {'n', "name", "NAME", "trace processes of that name, running and future (prefix match)"},
    {'o', "cpu", nullptr, "CPU column: microseconds on-CPU during each call (not an output file)"},
    {'p', "pid", "PID[,PID]", "attach to running processes (all their threads)"},
    {'s', "stack", nullptr,
     "the user stack of each call, innermost frame first (file:line with -g)"},
    {'t', "trace", "LIST", "only these syscalls: names, %classes, !negation (e.g. open,%net)"},
    {'u', "user", "USER", "run the command as USER (dtruss running as root)"},
    {'v', "verbose", nullptr, "unabbreviated arguments (the whole environment of execve)"},
    {'W', "wait-name", "NAME", "wait for a process of that name to start, then trace it"},
    {'X', "style", "raw|verbose", "raw: dtruss's hex arguments; verbose: numbers and names"},
    {'x', "annotate", nullptr, "annotate the trace: what each syscall does, what its errors mean"},
    {'y', "decode-fds", nullptr, "show what each fd refers to: 3</etc/hosts>, 4<TCP:a:p->b:q>"},
    {kOutput, "output", "FILE", "write the trace to FILE instead of standard error"},
    {kJson, "json", nullptr, "JSON Lines output, one object per event (docs/json.md)"},
    {kBackend, "backend", "auto|ptrace|bpf",
     "how to trace: bpf (eBPF, root), ptrace; auto (default): eBPF when allowed"},
    {kStrsize, "strsize", "N", "bytes of strings and data buffers shown (default 64)"},
    {kAll, "all", nullptr, "trace every process on the system but dtruss (eBPF backend)"},
    {kExplain, "explain", nullptr,
     "explain a syscall (--explain openat), or trace a command like -x"},
    {kSummary, "summary", nullptr, "only the table of -c, no lines"},
    {kSort, "sort", "KEY", "table order: calls (default, most frequent last), time, errors, name"},
    {kSummaryBy, "summary-by", "WHAT", "one table per process or per thread (process|thread)"},
    {kTimeline, "timeline", "FILE", "also write the trace as Chrome trace-event JSON (Perfetto)"},
    {kStackDepth, "stack-depth", "N", "with -s: frames shown at most (default 32)"},
    {kStackSize, "stack-size", "SIZE",
     "with -s, eBPF: bytes of stack copied per call (default 16K, at most 32K)"},
    {kFolded, "folded", "FILE",
     "with -s: write folded stacks (frame;frame count) for flame graphs"},
    {kColor, "color", "auto|always|never",
     "colour the lines (auto: on a terminal, unless NO_COLOR)"},
    {kVersionOpt, "version", nullptr, "print the version"},
};

// Options whose argument is one of a few words, in the order of their enum (-X: see kStyles).
struct OptionChoices {
  int key;
  const char* words;
};
constexpr OptionChoices kChoices[] = {
    {'X', "raw|verbose|decoded"},      {kBackend, "auto|ptrace|bpf"},
    {kSort, "calls|time|errors|name"}, {kSummaryBy, "process|thread"},
    {kColor, "auto|always|never"},
};
constexpr ArgStyle kStyles[] = {ArgStyle::Raw, ArgStyle::Verbose, ArgStyle::Decoded};

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

bool parse_pids(const char* s, std::vector<pid_t>* out, std::string* error) {
  for (auto part : split(s, ',')) {
    uint64_t v = 0;
    if (!parse_decimal(part, &v) || v == 0 || v > 0x3fffffff) {
      *error =
          "-p needs process IDs (e.g. -p 1234 or -p 1234,5678), not '" + std::string(part) + "'";
      return false;
    }
    out->push_back(static_cast<pid_t>(v));
  }
  return true;
}

// How an option is written in messages: -X, or --backend for a long-only one.
std::string option_label(int key) {
  for (const auto& o : kOptions)
    if (o.key == key)
      return key < 256 ? fmt::format("-{}", static_cast<char>(key)) : fmt::format("--{}", o.name);
  return "?";
}

// `arg` as one of the choices of option `key` (their index), or a one-line error naming the
// option and the choices.
bool parse_choice(int key, const char* arg, int* out) {
  auto names = split(option_choices(key), '|');
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == arg) {
      *out = static_cast<int>(i);
      return true;
    }
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  fail(fmt::format("{} takes {}, not '{}'", option_label(key), list, arg));
  return false;
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

uint64_t round_up_pow2(uint64_t n) {
  uint64_t p = 1;
  while (p < n && p < (1ull << 63)) p <<= 1;
  return p;
}

}  // namespace

std::span<const OptionDoc> option_table() {
  return kOptions;
}

const char* option_choices(int key) {
  for (const auto& c : kChoices)
    if (c.key == key) return c.words;
  return nullptr;
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

namespace {
bool ring_size_allowed(uint64_t n) {
  return n >= min_ring_bytes() && round_up_pow2(n) <= max_ring_bytes();
}
}  // namespace

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
  std::string error;
  bool show_all = false;
  while (true) {
    int c = getopt_long(argc, argv, shorts.c_str(), longs.data(), nullptr);
    if (c == -1) break;
    switch (c) {
      case 'a':
        show_all = true;
        break;
      case 'b':
        if (!parse_size(optarg, &opt->buffer_size) || !ring_size_allowed(opt->buffer_size)) {
          fail(
              fmt::format("-b needs a size from {} to {} (e.g. 512K or 8M; rounded up to a power "
                          "of two), not '{}'",
                          size_label(min_ring_bytes()), size_label(max_ring_bytes()), optarg));
          return ParseOutcome::ExitUsage;
        }
        break;
      case 'c':
        opt->count = true;
        break;
      case 'd':
        opt->relative = true;
        break;
      case 'e':
        opt->elapsed = true;
        break;
      case 'f':
        opt->follow = true;
        break;
      case 'h':
        return print_out(usage_text());
      case 'l':
        opt->show_task = true;
        break;
      case 'L':
        opt->show_task = false;
        break;
      case 'n':
      case 'W':
        if (optarg[0] == '\0') {
          fail(fmt::format("-{} needs a process name", static_cast<char>(c)));
          return ParseOutcome::ExitUsage;
        }
        opt->name = optarg;
        opt->wait_for_name = c == 'W';
        break;
      case kAll:
        opt->all_processes = true;
        break;
      case 's':
        opt->stack = true;
        break;
      case kStackDepth:
      case kStackSize: {
        uint64_t n = 0;
        bool depth = c == kStackDepth;
        if (!parse_size(optarg, &n) || n == 0 || n > (depth ? 1024 : kMaxStackCopy)) {
          fail(depth ? fmt::format("--stack-depth needs a frame count from 1 to 1024, not '{}'",
                                   optarg)
                     : fmt::format("--stack-size needs a size from 1 to 32K, not '{}'", optarg));
          return ParseOutcome::ExitUsage;
        }
        if (depth)
          opt->stack_depth = n;
        else
          opt->stack_size = n;
        break;
      }
      case kFolded:
        if (optarg[0] == '\0') {
          fail("--folded needs a file name");
          return ParseOutcome::ExitUsage;
        }
        opt->folded_file = optarg;
        break;
      case 'o':
        opt->cpu = true;
        break;
      case 'p':
        if (!parse_pids(optarg, &opt->pids, &error)) {
          fail(error);
          return ParseOutcome::ExitUsage;
        }
        break;
      case 't':
        if (!opt->trace_list.empty()) opt->trace_list += ',';
        opt->trace_list += optarg;
        break;
      case 'u':
        if (optarg[0] == '\0') {
          fail("-u needs a user name");
          return ParseOutcome::ExitUsage;
        }
        opt->user = optarg;
        break;
      case 'v':
        opt->verbose = true;
        break;
      case 'x':
        opt->annotate = true;
        break;
      case 'y':
        opt->describe_fds = true;
        break;
      case kOutput:
        if (optarg[0] == '\0') {
          fail("--output needs a file name");
          return ParseOutcome::ExitUsage;
        }
        opt->output_file = optarg;
        break;
      case kJson:
        opt->json = true;
        break;
      case kExplain:
        opt->explain = true;
        break;
      case 'H':
        opt->histogram = true;
        break;
      case kSummary:
        opt->summary_only = true;
        break;
      case kTimeline:
        if (optarg[0] == '\0') {
          fail("--timeline needs a file name");
          return ParseOutcome::ExitUsage;
        }
        opt->timeline_file = optarg;
        break;
      case 'X':
      case kBackend:
      case kSort:
      case kSummaryBy:
      case kColor: {
        int v = 0;
        if (!parse_choice(c, optarg, &v)) return ParseOutcome::ExitUsage;
        if (c == 'X')
          opt->style = kStyles[v];
        else if (c == kBackend)
          opt->backend = static_cast<BackendChoice>(v);
        else if (c == kSort)
          opt->sort = static_cast<SummarySort>(v);
        else if (c == kSummaryBy)
          opt->summary_by = static_cast<SummaryBy>(v + 1);
        else
          opt->color = static_cast<ColorChoice>(v);
        break;
      }
      case kStrsize: {
        uint64_t n = 0;
        if (!parse_size(optarg, &n) || n > (1u << 20)) {
          fail(fmt::format("--strsize needs a byte count from 0 to 1048576, not '{}'", optarg));
          return ParseOutcome::ExitUsage;
        }
        opt->strsize = n;
        break;
      }
      case kVersionOpt:
        return print_out(fmt::format("dtruss {}\n", kVersion));
      case kHelp:
        return print_out(usage_text());
      case ':':
        fail(fmt::format("option {} needs an argument", argv[optind - 1]));
        return ParseOutcome::ExitUsage;
      default: {
        std::string bad = optopt != 0 && optopt < 256
                              ? fmt::format("-{}", static_cast<char>(optopt))
                              : std::string(argv[optind - 1]);
        if (auto eq = bad.find('='); eq != std::string::npos) bad.resize(eq);  // --name=value
        // getopt sets optopt to a known option that lacks its argument, 0 for an unknown long one.
        if (optopt >= 256 || (optopt > 0 && std::strchr(shorts.c_str(), optopt) != nullptr))
          fail(fmt::format("option {} needs an argument", bad));
        else
          fail(fmt::format("unknown option '{}'", bad));
        return ParseOutcome::ExitUsage;
      }
    }
  }
  if (show_all) {
    opt->count = opt->relative = opt->elapsed = opt->follow = opt->cpu = true;
    if (!opt->show_task) opt->show_task = true;
  }
  for (int i = optind; i < argc; ++i) opt->command.emplace_back(argv[i]);
  if (!opt->command.empty() && opt->command[0].empty()) {
    fail("the command is empty: give the program to run (dtruss ls)");
    return ParseOutcome::ExitUsage;
  }

  if (!opt->pids.empty() && !opt->command.empty()) {
    fail(fmt::format("give either a command or -p PID, not both (the command was '{}')",
                     opt->command[0]));
    return ParseOutcome::ExitUsage;
  }
  int scopes = !opt->pids.empty() + !opt->command.empty() + !opt->name.empty() + opt->all_processes;
  if (scopes > 1) {
    fail("give one of: a command, -p PID, -n NAME, -W NAME or --all");
    return ParseOutcome::ExitUsage;
  }

  if (scopes == 0 && opt->explain) {
    fail("--explain needs a syscall name (dtruss --explain openat) or a command to trace");
    return ParseOutcome::ExitUsage;
  }
  if (scopes == 0) {
    fail("nothing to trace: give a command (dtruss ls), -p PID, -n NAME or --all");
    return ParseOutcome::ExitUsage;
  }
  if ((opt->histogram || opt->summary_by != SummaryBy::None) && !opt->count && !opt->summary_only) {
    fail(fmt::format("{} adds to the summary table: give it with -c or --summary",
                     opt->histogram ? "-H" : "--summary-by"));
    return ParseOutcome::ExitUsage;
  }
  if (!opt->folded_file.empty() && !opt->stack) {
    fail("--folded writes the stacks of -s: give it with -s");
    return ParseOutcome::ExitUsage;
  }
  if (!opt->user.empty() && opt->command.empty()) {
    fail("-u USER applies to a command that dtruss starts, not to -p");
    return ParseOutcome::ExitUsage;
  }
  return ParseOutcome::Run;
}

}  // namespace dtruss
