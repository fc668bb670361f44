// dtruss's command line as a plain struct, and its parser.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/call_filter.h"
#include "core/summary_kinds.h"
#include "core/target.h"

namespace dtruss {

enum class BackendChoice { Auto, Ptrace, Bpf };
enum class ArgStyle { Decoded, Raw, Verbose };   // -X
enum class ColorChoice { Auto, Always, Never };  // --color

struct Options {
  std::vector<std::string> command;
  bool all_columns = false;                // -a: -c -d -e -f -l -o
  std::vector<pid_t> pids;                 // -p
  std::string name;                        // -n NAME or
  bool wait_for_name = false;              // -W NAME
  bool all_processes = false;              // --all
  std::string cgroup;                      // --cgroup PATH (part 12: containers)
  std::string container;                   // --container NAME|ID (part 12)
  bool follow = false;                     // -f
  bool count = false;                      // -c (lines and the table)
  bool summary_only = false;               // --summary (the table, no lines)
  SummarySort sort = SummarySort::Calls;   // --sort
  SummaryBy summary_by = SummaryBy::None;  // --summary-by
  bool histogram = false;                  // -H
  std::string timeline_file;               // --timeline
  ColorChoice color = ColorChoice::Auto;   // --color
  bool relative = false;                   // -d
  bool elapsed = false;                    // -e
  bool cpu = false;                        // -o
  std::optional<bool> show_task;           // -l (true) / -L (false); default: on with -f
  std::string trace_list;                  // -t
  uint64_t buffer_size = 0;                // -b (bytes; for the eBPF backend)
  std::string output_file;                 // --output
  bool json = false;                       // --json
  BackendChoice backend = BackendChoice::Auto;
  uint64_t strsize = 64;               // --strsize
  std::string user;                    // -u
  bool verbose = false;                // -v
  bool describe_fds = false;           // -y
  ArgStyle style = ArgStyle::Decoded;  // -X
  bool explain = false;                // --explain: explain a syscall, or annotate a trace
  bool annotate = false;               // -x: annotate the trace (what each call does)
  bool stack = false;                  // -s: the user stack of each call
  uint64_t stack_depth = 32;           // --stack-depth: frames shown at most
  uint64_t stack_size = 16384;         // --stack-size: bytes of stack the eBPF backend copies
  std::string folded_file;             // --folded: folded stacks of the summary (with -s)
  // strace's sets (cli/strace_forms.h), as given: checked once read, used by the app.
  std::string signal_set;  // --signal, -e signal=: the signals shown (default all)
  std::string dump_read;   // --read, -e read=: fds whose data read is dumped in hex
  std::string dump_write;  // --write, -e write=: fds whose data written is dumped in hex
  // Part 9's filters, time and identity.
  unsigned status = 0;             // --status, -Z, -z: CallStatus bits (0: every call)
  std::vector<std::string> paths;  // -P: only calls that name these paths or use fds on them
  Timestamps timestamps = Timestamps::None;  // --timestamps: the wall clock, to that precision
  bool relative_timestamps = false;          // -r: time since the previous line
  bool syscall_times = false;                // -T: <duration> at the end of the line
  bool comm = false;                         // -Y, --decode-pids=comm (also with --all, -n)
  std::vector<std::string> inject;           // --inject / -e inject=: each spec, checked by the app
  // Part 11's live view (--top) and periodic tables (--summary --interval).
  bool top = false;      // --top: the busiest calls and processes, refreshed (implies --summary)
  std::string interval;  // --interval SECONDS, as given (read by interval_ns)
  // Part 11: capture files and the flight recorder (src/capture, app/recording, app/replay).
  std::string capture_file;  // -w, --capture: record the events to FILE
  std::string replay_file;   // -R, --replay: show a capture's events
  bool read_file = false;    // replay_file came from --read FILE (a value that is no fd set)
  bool write_file = false;   // capture_file came from --write FILE (a value that is no fd set)
  bool replayed_containers = false;   // -R of a --cgroup/--container capture: lines name them
  uint64_t flight_recorder = 0;       // --flight-recorder SIZE: the last SIZE bytes (0: off)
  std::vector<std::string> triggers;  // --trigger errno=E, syscall=NAME, exit=nonzero
  // Part 9's remaining points.
  bool pidns_translation = false;  // --pidns-translation, --decode-pids=pidns
  std::vector<std::string> fault;  // --fault / -e fault=: each spec, checked by the app
  // Part 13: the events also sent to ClickHouse (src/fleet, app/clickhouse_setup).
  std::string clickhouse;                 // --clickhouse URL (its password hidden from argv)
  uint64_t clickhouse_batch = 10000;      // --clickhouse-batch: rows per insert, at most
  std::string clickhouse_flush;           // --clickhouse-flush SECONDS, as given (default 1)
  std::string clickhouse_spool;           // --clickhouse-spool FILE
  uint64_t clickhouse_ttl = 0;            // --clickhouse-ttl DAYS (0: none)
  uint64_t clickhouse_buffer = 64 << 20;  // --clickhouse-buffer: the queue's bound, bytes
  std::string host_name;                  // --host-name (default gethostname)
  bool clickhouse_events = false;         // --clickhouse-events: with --summary/--top, raw rows too
  // Issue 20: the ptrace tracer's CPU.
  TracerCpu tracer_cpu = TracerCpu::Follow;  // --tracer-cpu
  uint64_t tracer_spin = 20;                 // --tracer-spin: µs
};

// --interval's period in ns: 1 s for --top without it; 0 without either (or when it is not a
// number of seconds from 0.01 to 86400: a usage error the parser reports).
uint64_t interval_ns(const Options& opt);

// The most stack bytes the eBPF backend copies per call (its per-call buffer).
inline constexpr uint64_t kMaxStackCopy = 32768;

enum class ParseOutcome { Run, ExitOk, ExitUsage, ExitFailed };

// Parses argv into `opt`. Prints help/version (ExitOk; ExitFailed when standard output refused
// them) or a one-line error (ExitUsage) itself.
ParseOutcome parse_options(int argc, char** argv, Options* opt);

std::string usage_text();

// The sizes -b allows: the eBPF ring is a power of two of pages (the kernel's rule), its size a
// 32-bit number (at most 2 GiB), and locked in memory (at most half of this machine's).
uint64_t min_ring_bytes();
uint64_t max_ring_bytes();

// How an option is read into Options, and the rule its argument must follow (checked as it is
// read: a broken rule is a usage error, said in one line).
enum class OptionAction : uint8_t {
  SetFlag,     // `flag` = true
  SetTask,     // -l / -L: show_task = `value`
  SetText,     // `text` = the argument, which must not be empty (else `message`)
  AddToList,   // `text` += the argument, comma-separated (-t)
  AddPids,     // -p: process IDs, comma-separated (else `message`, naming the bad one)
  SetName,     // -n / -W: as SetText, and wait_for_name = `value`
  SetNumber,   // `number` = the argument, a size (4096, 512K, 8M) from min to max (else `message`)
  SetChoice,   // one of `choices`: `choose` is given its index (`bare`: the option alone)
  AddChoices,  // comma-separated words of `choices`: `choose` is given each one's index
  AddText,     // `texts` gets the argument, which must not be empty (else `message`)
  AddBits,     // `bits` |= `mask` (-Z, -z)
  FdsOrFile,   // --read/--write: an fd set as AddToList, else a file: `file` = it, `flag` = true
  Help,
  Version,
};

struct OptionRule {
  OptionAction action = OptionAction::SetFlag;
  bool Options::*flag = nullptr;
  std::string Options::*text = nullptr;
  std::string Options::*file = nullptr;  // FdsOrFile's file
  std::vector<std::string> Options::*texts = nullptr;
  unsigned Options::*bits = nullptr;
  unsigned mask = 0;
  uint64_t Options::*number = nullptr;
  // SetNumber's range; a bound that depends on the machine (-b) is a function.
  uint64_t min = 0;
  uint64_t max = 0;
  uint64_t (*min_of)() = nullptr;
  uint64_t (*max_of)() = nullptr;
  bool size_units = false;  // the bounds are said as sizes in messages (32K), else as numbers
  // The message of a bad argument, a fmt string of {opt} (-b, --strsize), {arg}, {min}, {max}.
  const char* message = nullptr;
  bool value = false;             // SetTask's show_task, SetName's wait_for_name
  const char* choices = nullptr;  // SetChoice: "auto|ptrace|bpf"
  size_t n_choices = 0;           // ... and as many values, the one of the word given set by:
  void (*choose)(Options&, size_t index) = nullptr;
  int bare = -1;  // SetChoice: the choice of the option given without =WORD (-1: it needs one)
};

// One row of the option table: the single source for getopt, the parsing and checking of each
// option, --help, the man page and the shell completions (src/cli/docgen.cpp).
struct OptionDoc {
  int key;           // short option character, or a value >= 256 for long-only options
  const char* name;  // long name
  const char* arg;   // argument name, or nullptr
  const char* help;
  OptionRule rule;
};
std::span<const OptionDoc> option_table();
// The words an option's argument must be one of ("auto|ptrace|bpf"), or nullptr when it is free.
const char* option_choices(int key);
inline constexpr const char* kVersion = "0.1.0";

}  // namespace dtruss
