// The option table: each option's names, help and rule (cli/options.h, OptionDoc), the one
// source for parsing, --help, the man page and the completions.
#include <fmt/format.h>
#include <unistd.h>

#include <iterator>
#include <string>

#include "cli/options.h"

namespace dtruss {
namespace {

enum LongOnly : int {
  kOutput = 256,
  kJson,
  kBackend,
  kStrsize,
  kVersionOpt,
  kAll,
  kCgroup,
  kContainer,
  kExplain,
  kSummary,
  kSort,
  kSummaryBy,
  kTimeline,
  kColor,
  kStackDepth,
  kStackSize,
  kFolded,
  kSignal,
  kRead,
  kWrite,
  kStatus,
  kTimestamps,
  kDecodePids,
  kInject,
  kTop,
  kInterval,
  kFlightRecorder,  // part 11
  kTrigger,
  kPidnsTranslation,  // part 9's remaining points (strace habits)
  kFault,
  kClickhouse,  // part 13: the fleet's events in ClickHouse (src/fleet)
  kClickhouseBatch,
  kClickhouseFlush,
  kClickhouseSpool,
  kClickhouseTtl,
  kClickhouseBuffer,
  kHostName,
  kClickhouseEvents,
  kTracerCpu,   // issue 20: the ptrace tracer's CPU
  kTracerSpin,  // issue 20: how long it polls for a stop
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
// A list of words (--status=failed,unfinished): each ORs the bits in the same place of `Values`.
template <auto Field, const auto& Values>
void add_choice(Options& o, size_t i) {
  o.*Field |= Values[i];
}
template <auto Field, const auto& Values>
constexpr OptionRule choices(const char* words) {
  return {.action = OptionAction::AddChoices,
          .choices = words,
          .n_choices = std::size(Values),
          .choose = add_choice<Field, Values>};
}
// A choice that the option alone makes (the value of `bare`'s word).
constexpr OptionRule bare_choice(OptionRule r, int bare) {
  r.bare = bare;
  return r;
}
// --decode-pids=comm,pidns (strace's): -Y, --pidns-translation.
constexpr bool Options::*kDecodePids_[] = {&Options::comm, &Options::pidns_translation};
void decode_pids(Options& o, size_t i) {
  o.*kDecodePids_[i] = true;
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
constexpr SummaryBy kGroupings[] = {SummaryBy::Process, SummaryBy::Thread, SummaryBy::Comm,
                                    SummaryBy::Container, SummaryBy::Cgroup};
constexpr TracerCpu kTracerCpus[] = {TracerCpu::Pin, TracerCpu::Follow,
                                     TracerCpu::Off};  // issue 20
constexpr unsigned kStatuses[] = {kStatusFailed, kStatusSuccessful, kStatusUnfinished,
                                  kStatusDetached};
constexpr Timestamps kPrecisions[] = {Timestamps::Seconds, Timestamps::Millis, Timestamps::Micros,
                                      Timestamps::Nanos};
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
    {'e', "elapsed", nullptr,
     "ELAPSD column: microseconds in each call (-e KEY=VALUE: strace's, below)",
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
     "only these syscalls: names, open*, /regex, %class, ?name, !name, syscall::NAME:entry",
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
    // Part 12, containers: a cgroup (v2, or v1) as what to trace.
    {kCgroup, "cgroup", "PATH",
     "trace the processes of this cgroup and its children (a directory of a cgroup v2 or v1 "
     "mount, or a path relative to the cgroup2 mount); eBPF sees those that join later, ptrace "
     "those in it now",
     text(&Options::cgroup, "{opt} needs a cgroup directory")},
    {kContainer, "container", "NAME|ID",
     "trace a container's processes, as --cgroup does its cgroup: a docker or podman name, an "
     "id (4 hex digits or more; also containerd, CRI-O), or a systemd unit (nginx.service)",
     text(&Options::container, "{opt} needs a container's name or id")},
    {kExplain, "explain", nullptr,
     "explain a syscall (--explain openat), or trace a command like -x", flag(&Options::explain)},
    {kSummary, "summary", nullptr, "only the table of -c, no lines", flag(&Options::summary_only)},
    {kSort, "sort", "KEY", "table order: calls (default, most frequent last), time, errors, name",
     choice<&Options::sort, kSorts>("calls|time|errors|name")},
    {kSummaryBy, "summary-by", "WHAT",
     "one table per process, thread, program name, container or cgroup path "
     "(process|thread|comm|container|cgroup)",
     choice<&Options::summary_by, kGroupings>("process|thread|comm|container|cgroup")},
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
    // strace's sets, also as -e signal=SET, -e read=FDS, -e write=FDS (-e KEY=VALUE: --KEY).
    {kSignal,
     "signal",
     "SET",
     "signals shown: SIGCHLD,... all, none, !SET (strace's -e signal=)",
     {.action = OptionAction::AddToList, .text = &Options::signal_set}},
    // Part 11: a value that is no fd set is a capture FILE (tcpdump's and sysdig's -r/-w), as
    // -R/-w; one that is both (a file named 3) is the set: ./3 is the file.
    {kRead,
     "read",
     "FDS|FILE",
     "hex and ASCII dump of the data read from these fds (e.g. 0,3); or, not an fd set, a "
     "capture FILE to show, as -R (./3 for a file named 3)",
     {.action = OptionAction::FdsOrFile,
      .flag = &Options::read_file,
      .text = &Options::dump_read,
      .file = &Options::replay_file}},
    {kWrite,
     "write",
     "FDS|FILE",
     "hex and ASCII dump of the data written to these fds (e.g. 1,2); or, not an fd set, a "
     "capture FILE to record to, as -w (./3 for a file named 3)",
     {.action = OptionAction::FdsOrFile,
      .flag = &Options::write_file,
      .text = &Options::dump_write,
      .file = &Options::capture_file}},
    {kColor, "color", "auto|always|never",
     "colour the lines (auto: on a terminal, unless NO_COLOR)",
     choice<&Options::color, kColors>("auto|always|never")},
    // Part 9: filters by status and path, wall-clock time, durations, process names.
    {'Z',
     "failed-only",
     nullptr,
     "only calls that returned an error (as --status=failed)",
     {.action = OptionAction::AddBits, .bits = &Options::status, .mask = kStatusFailed}},
    {'z',
     "successful-only",
     nullptr,
     "only calls that returned without an error",
     {.action = OptionAction::AddBits, .bits = &Options::status, .mask = kStatusSuccessful}},
    {kStatus, "status", "LIST",
     "only calls that ended so: failed, successful, unfinished (never returned), detached (or "
     "all, and !LIST: all but those, as strace's -e status=)",
     choices<&Options::status, kStatuses>("failed|successful|unfinished|detached")},
    {'P',
     "path",
     "PATH",
     "only calls that name PATH or use an fd on it (repeatable)",
     {.action = OptionAction::AddText, .texts = &Options::paths, .message = "{opt} needs a path"}},
    {kTimestamps, "timestamps", "s|ms|us|ns",
     "the wall-clock time of each line, to that precision (default us)",
     bare_choice(choice<&Options::timestamps, kPrecisions>("s|ms|us|ns"), 2)},
    {'r', "relative-timestamps", nullptr, "seconds since the previous line, before each line",
     flag(&Options::relative_timestamps)},
    {'T', "syscall-times", nullptr, "the time spent in each call, <0.000123> at the line's end",
     flag(&Options::syscall_times)},
    {'Y', "comm", nullptr,
     "the process name after the PID/TID: 1234/1236 (nginx):", flag(&Options::comm)},
    {kDecodePids,
     "decode-pids",
     "comm,pidns",
     "comm: as -Y; pidns: as --pidns-translation",
     {.action = OptionAction::AddChoices,
      .choices = "comm|pidns",
      .n_choices = std::size(kDecodePids_),
      .choose = decode_pids}},
    // Fault injection (strace's -e inject=; the ptrace backend does it).
    {kInject,
     "inject",
     "SET:ACTION",
     "make calls fail, return N, get a signal or wait (strace's -e inject=), e.g. "
     "openat:error=EACCES:when=3",
     {.action = OptionAction::AddText,
      .texts = &Options::inject,
      .message = "{opt} needs SET:ACTION, e.g. openat:error=EACCES:when=3"}},
    // Part 11's live view: --top, and the period of its refresh or of --summary's tables.
    {kTop, "top", nullptr,
     "a live table of the busiest syscalls and processes (keys: sort, view, filter, pause, q)",
     flag(&Options::top)},
    {kInterval, "interval", "SECONDS",
     "--top's refresh (default 1); with --summary, a table every SECONDS (e.g. 0.5)",
     text(&Options::interval, "{opt} needs a number of seconds (e.g. 1 or 0.5)")},
    // Part 11: capture files and the flight recorder.
    {'w', "capture", "FILE",
     "record the events to FILE (zstd, docs/capture-format.md); shown too with view options",
     file(&Options::capture_file)},
    {'R', "replay", "FILE",
     "show a capture (-w) with any view options, as the live trace would have; no root needed",
     file(&Options::replay_file)},
    {kFlightRecorder, "flight-recorder", "SIZE",
     "keep the last SIZE of events in memory; write them (to -w FILE, else "
     "dtruss-flight-PID.cap) on SIGUSR1, a --trigger, or a failed command",
     size(&Options::flight_recorder, 64 * 1024, 1ull << 32,
          "{opt} needs a size from {min} to {max} (e.g. 64M), not '{arg}'")},
    {kTrigger,
     "trigger",
     "WHAT",
     "with --flight-recorder: write when errno=ERRNO, syscall=NAME or exit=nonzero happens",
     {.action = OptionAction::AddText,
      .texts = &Options::triggers,
      .message = "{opt} needs errno=ERRNO, syscall=NAME or exit=nonzero"}},
    // Part 9's remaining points: strace's -e fault=, PID namespaces.
    {kFault,
     "fault",
     "SET[:error=ERRNO]",
     "as --inject with error= (default ENOSYS) and when= (strace's -e fault=)",
     {.action = OptionAction::AddText,
      .texts = &Options::fault,
      .message = "{opt} needs SET[:error=ERRNO][:when=EXPR], e.g. openat:when=2"}},
    {kPidnsTranslation, "pidns-translation", nullptr,
     "PIDs as a program in another PID namespace sees them, with dtruss's beside",
     flag(&Options::pidns_translation)},
    // Part 13: the events also sent to ClickHouse (src/fleet, docs/clickhouse.md).
    {kClickhouse, "clickhouse", "URL",
     "also send every event to ClickHouse, e.g. http://host:8123/?database=traces (user and "
     "password from the URL or DTRUSS_CLICKHOUSE_USER/_PASSWORD)",
     text(&Options::clickhouse, "{opt} needs a URL, e.g. http://localhost:8123/?database=traces")},
    {kClickhouseBatch, "clickhouse-batch", "N",
     "with --clickhouse: send the events in batches of up to N rows (default 10000)",
     count(&Options::clickhouse_batch, 1, 1000000,
           "{opt} needs a number of rows from {min} to {max}, not '{arg}'")},
    {kClickhouseFlush, "clickhouse-flush", "SECONDS",
     "with --clickhouse: send what is waiting at least every SECONDS (default 1)",
     text(&Options::clickhouse_flush, "{opt} needs a number of seconds (e.g. 1 or 0.5)")},
    {kClickhouseSpool, "clickhouse-spool", "FILE",
     "with --clickhouse: where the events wait while the server is away (default "
     "/var/tmp/dtruss-clickhouse-TRACEID.jsonl.zst)",
     file(&Options::clickhouse_spool)},
    {kClickhouseTtl, "clickhouse-ttl", "DAYS",
     "with --clickhouse: keep rows DAYS days (a table made now has a TTL; before ClickHouse "
     "19.6, dtruss drops the older day partitions, at start and hourly: by whole days)",
     count(&Options::clickhouse_ttl, 1, 36500,
           "{opt} needs a number of days from {min} to {max}, not '{arg}'")},
    {kClickhouseBuffer, "clickhouse-buffer", "SIZE",
     "with --clickhouse: the most rows waiting in memory (default 64M); beyond, rows are lost "
     "(counted, in a lost row)",
     size(&Options::clickhouse_buffer, 1 << 20, 1ull << 34,
          "{opt} needs a size from {min} to {max} (e.g. 256M), not '{arg}'")},
    {kHostName, "host-name", "NAME",
     "with --clickhouse: the host name the rows carry (default: this machine's)",
     text(&Options::host_name, "{opt} needs a name")},
    {kClickhouseEvents, "clickhouse-events", nullptr,
     "with --clickhouse and --summary or --top: send every event too (by default only the "
     "counts per --interval, 10 s unless given, go, to the dtruss_aggregates table)",
     flag(&Options::clickhouse_events)},
    // Issue 20: the ptrace tracer's CPU (never the traced program's).
    {kTracerCpu, "tracer-cpu", "pin|follow|off",
     "ptrace: where dtruss runs: pin stays on one CPU, follow (default) moves to the traced "
     "thread's (both let go of a CPU another program keeps busy), off lets the scheduler "
     "choose; the traced program's CPUs are never changed",
     choice<&Options::tracer_cpu, kTracerCpus>("pin|follow|off")},
    {kTracerSpin, "tracer-spin", "USEC",
     "ptrace: how long dtruss polls for the next stop before it sleeps (default 20; 0: never), "
     "only when such stops came that soon before and with 2 CPUs or more: a stop costs less "
     "then, and dtruss more CPU",
     count(&Options::tracer_spin, 0, 1000,
           "{opt} needs microseconds from {min} to {max}, not '{arg}'")},
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
}  // namespace

std::span<const OptionDoc> option_table() {
  return kOptions;
}

const char* option_choices(int key) {
  for (const auto& o : kOptions)
    if (o.key == key) return o.rule.choices;
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
      "syscall: dtruss -x sync).\n"
      "\n-e alone is the ELAPSD column. -e KEY=VALUE (the next word, holding '=' after one of\n"
      "strace's keys) is strace's expression, as --KEY=VALUE: -e trace=LIST is -t LIST (also\n"
      "t=), -e signal=SET (s=), -e read=FDS (r=), -e write=FDS (w=); -etrace=LIST too.\n";
  return out;
}

}  // namespace dtruss
