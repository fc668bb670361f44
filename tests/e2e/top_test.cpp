// --top as a person uses it: in a terminal (tmux: send-keys presses the keys, capture-pane reads
// the screen), and its plain form when the output is no terminal, as --summary --interval's.
// Both backends; every wait is for a condition on the screen or a file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

constexpr const char* kTmux = "/usr/bin/tmux";

// Quotes a word for sh.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A tmux server of the test's own (-L), no configuration, one 120x40 window running `command`.
class Tmux {
 public:
  explicit Tmux(const std::string& command) {
    static std::atomic<int> n{0};
    socket_ = "dtruss-top-" + std::to_string(getpid()) + "-" + std::to_string(n++);
    Result r = run({kTmux, "-L", socket_, "-f", "/dev/null", "new-session", "-d", "-s", "t", "-x",
                    "120", "-y", "40", command});
    EXPECT_EQ(r.status, 0) << r.err;
  }
  ~Tmux() { run({kTmux, "-L", socket_, "kill-server"}); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  std::string screen() { return run({kTmux, "-L", socket_, "capture-pane", "-p", "-t", "t"}).out; }
  void keys(const std::vector<std::string>& keys) {
    std::vector<std::string> argv = {kTmux, "-L", socket_, "send-keys", "-t", "t"};
    argv.insert(argv.end(), keys.begin(), keys.end());
    EXPECT_EQ(run(argv).status, 0);
  }
  void resize(int width, int height) {
    EXPECT_EQ(run({kTmux, "-L", socket_, "resize-window", "-t", "t", "-x", std::to_string(width),
                   "-y", std::to_string(height)})
                  .status,
              0);
  }
  // Waits until the screen satisfies `ok`; the last screen read is in last().
  bool wait_screen(const std::function<bool(const std::string&)>& ok, int timeout_ms = 30000) {
    return wait_until(
        [&] {
          last_ = screen();
          return ok(last_);
        },
        timeout_ms);
  }
  const std::string& last() const { return last_; }

 private:
  std::string socket_;
  std::string last_;
};

// A table row on the screen: its first words (the name; in the process view the PID, then the
// name) and its calls per second.
struct Row {
  std::string name;
  long pid = 0;
  double calls = 0;
  std::string line;
};

// The rows under the column heads that start with `head` ("SYSCALL", "PID COMM", "COMM"), up to
// the first empty line or TOTAL.
std::vector<Row> rows_under(const std::string& screen, const std::string& head) {
  std::vector<Row> rows;
  bool in = false;
  for (const std::string& l : lines(screen)) {
    if (!in) {
      in = l.rfind(head + " ", 0) == 0;
      continue;
    }
    if (l.empty() || l.rfind("TOTAL", 0) == 0) break;
    std::istringstream words(l);
    Row r;
    r.line = l;
    if (head == "PID COMM") words >> r.pid;
    words >> r.name >> r.calls;
    rows.push_back(r);
  }
  return rows;
}

std::string first_row(const std::string& screen, const std::string& head) {
  auto rows = rows_under(screen, head);
  return rows.empty() ? "" : rows[0].name;
}

bool has_row(const std::string& screen, const std::string& head, const std::string& name) {
  auto rows = rows_under(screen, head);
  return std::any_of(rows.begin(), rows.end(),
                     [&](const Row& r) { return r.name == name && r.calls > 0; });
}

// What the fixture's "ready PID" line says (0 until it is written).
pid_t ready_pid(const std::string& out_file) {
  std::string text = read_file(out_file);
  long pid = 0;
  if (sscanf(text.c_str(), "ready %ld", &pid) != 1) return 0;
  return static_cast<pid_t>(pid);
}

class TopScreen : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    ASSERT_TRUE(have_program("tmux")) << "the --top tests need tmux";
    dir_ = temp_dir();
  }
  // The shell command tmux runs: dtruss with `args`, its exit status written to status_file().
  std::string dtruss_command(const std::vector<std::string>& args) {
    std::string cmd = sh_quote(dtruss_bin()) + " " + backend();
    for (const auto& a : args) cmd += " " + a;
    return cmd + "; echo $? > " + sh_quote(status_file());
  }
  std::string status_file() const { return dir_ + "/status"; }
  // dtruss's exit status once it has ended (-1 if it did not within the timeout).
  int wait_status() {
    if (!wait_for_text(status_file(), "\n", 30000)) return -1;
    return std::atoi(read_file(status_file()).c_str());
  }
  std::string dir_;
};

// A started command: its calls counted, sorted by each key, seen per process and per program,
// filtered, redrawn at a new size; q ends the trace as Ctrl-C does (the command gets SIGINT).
TEST_P(TopScreen, CountsSortsSwitchesFiltersResizesAndQuits) {
  std::string out = dir_ + "/out";
  Tmux tmux(dtruss_command(
      {"--top", "--interval", "0.3", sh_quote(fixture("top_busy")), "60", ">", sh_quote(out)}));
  // By calls (the default): getppid, ten for each other call, comes first.
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return first_row(s, "SYSCALL") == "getppid" && has_row(s, "SYSCALL", "openat");
  })) << tmux.last();
  EXPECT_TRUE(contains(tmux.last(), "sort: calls")) << tmux.last();
  // By p99 latency: the 5 ms sleep (nanosleep or clock_nanosleep, as the C library calls it).
  tmux.keys({"l"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return contains(s, "sort: p99") &&
           first_row(s, "SYSCALL").find("nanosleep") != std::string::npos;
  })) << tmux.last();
  // By errors: openat, the only call that fails, with its errno.
  tmux.keys({"e"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    auto rows = rows_under(s, "SYSCALL");
    return contains(s, "sort: errors") && !rows.empty() && rows[0].name == "openat" &&
           contains(rows[0].line, "ENOENT");
  })) << tmux.last();
  // Processes: the fixture, by its PID and name.
  pid_t pid = ready_pid(out);
  ASSERT_GT(pid, 0) << read_file(out);
  tmux.keys({"2"});
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) {
    auto rows = rows_under(s, "PID COMM");
    return rows.size() == 1 && rows[0].pid == pid && rows[0].name == "top_busy" &&
           rows[0].calls > 0;
  })) << tmux.last();
  // Programs (comm).
  tmux.keys({"3"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return contains(s, "view: programs") && has_row(s, "COMM", "top_busy");
  })) << tmux.last();
  // Back to syscalls, filtered to those holding "getp".
  tmux.keys({"1", "/", "g", "e", "t", "p", "Enter"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    auto rows = rows_under(s, "SYSCALL");
    return contains(s, "filter: getp") && rows.size() == 1 && rows[0].name == "getppid" &&
           rows[0].calls > 0;
  })) << tmux.last();
  // A smaller terminal: everything drawn within it, the keys' line at its foot.
  tmux.resize(80, 20);
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    auto ls = lines(s);
    bool fits =
        std::all_of(ls.begin(), ls.end(), [](const std::string& l) { return l.size() <= 80; });
    return fits && ls.size() == 20 && ls[19].rfind("sort: c calls", 0) == 0 &&
           has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  // Paused, then running again.
  tmux.keys({"Space"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) { return contains(s, "[PAUSED"); }))
      << tmux.last();
  tmux.keys({"Space"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) { return !contains(s, "[PAUSED"); }))
      << tmux.last();
  // q: as Ctrl-C, the command dtruss started gets SIGINT and its end is dtruss's status.
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 128 + SIGINT) << tmux.last();
  EXPECT_EQ(kill(pid, 0), -1) << "the command outlived the trace";
}

// Space freezes the screen: the same interval shown while newer ones come (more than a second's
// worth, the title says how many); space again shows the latest.
TEST_P(TopScreen, SpacePausesTheScreen) {
  Tmux tmux(dtruss_command({"--top", "--interval", "0.3", sh_quote(fixture("top_busy")), "60", ">",
                            sh_quote(dir_ + "/out")}));
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"Space"});
  std::regex paused("\\[PAUSED: (\\d+) newer\\]");
  auto newer = [&](const std::string& s) {
    std::smatch m;
    return std::regex_search(s, m, paused) ? std::atol(m[1].str().c_str()) : -1L;
  };
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) { return newer(s) >= 0; })) << tmux.last();
  // "dtruss --top  HH:MM:SS  ...": the paused interval's time.
  std::string when = lines(tmux.last())[0].substr(0, 22);
  long at_pause = newer(tmux.last());
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) { return newer(s) >= at_pause + 4; }))
      << tmux.last();
  EXPECT_EQ(lines(tmux.last())[0].substr(0, 22), when) << tmux.last();
  tmux.keys({"Space"});
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) {
    return !contains(s, "[PAUSED") && lines(s)[0].substr(0, 22) != when &&
           has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 128 + SIGINT) << tmux.last();
}

// -p: q detaches, and the process runs on, neither stopped nor traced.
TEST_P(TopScreen, QuitLeavesAnAttachedProcessRunning) {
  std::string out = dir_ + "/out";
  ChildGuard proc{spawn({fixture("top_busy"), "60"}, out, "")};
  ASSERT_TRUE(wait_for_text(out, "ready"));
  Tmux tmux(dtruss_command({"--top", "--interval", "0.3", "-p", std::to_string(proc.pid)}));
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid") && has_row(s, "SYSCALL", "openat");
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 0) << tmux.last();
  EXPECT_EQ(kill(proc.pid, 0), 0) << "the attached process was ended";
  EXPECT_EQ(proc_status(proc.pid, "TracerPid"), "0");
  // It runs on: it is not left stopped.
  char state = proc_state(proc.pid);
  EXPECT_TRUE(state == 'R' || state == 'S') << state;
}

// A program's name is whatever it set: shown escaped, never sent to the terminal as it is.
TEST_P(TopScreen, ProgramNamesAreEscaped) {
  std::string out = dir_ + "/out";
  Tmux tmux(dtruss_command({"--top", "--interval", "0.3", sh_quote(fixture("top_busy")), "60",
                            "\"$(printf 'x\\033[7my')\"", ">", sh_quote(out)}));
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"3"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return contains(s, "view: programs") && has_row(s, "COMM", "x\\x1b[7my");
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 128 + SIGINT) << tmux.last();
}

// -n: the processes of that name, shown by PID; q lets them go.
TEST_P(TopScreen, ByNameShowsTheNamedProcesses) {
  std::string out = dir_ + "/out";
  ChildGuard proc{spawn({fixture("top_busy"), "60", "topbyname"}, out, "")};
  ASSERT_TRUE(wait_for_text(out, "ready"));
  ASSERT_TRUE(wait_until(
      [&] { return read_file("/proc/" + std::to_string(proc.pid) + "/comm") == "topbyname\n"; }));
  Tmux tmux(dtruss_command({"--top", "--interval", "0.3", "-n", "topbyname"}));
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"2"});
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) {
    auto rows = rows_under(s, "PID COMM");
    return std::any_of(rows.begin(), rows.end(), [&](const Row& r) {
      return r.pid == proc.pid && r.name == "topbyname" && r.calls > 0;
    });
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 0) << tmux.last();
  EXPECT_EQ(kill(proc.pid, 0), 0) << "the process was ended";
  EXPECT_EQ(proc_status(proc.pid, "TracerPid"), "0");
}

// A command that ends by itself ends the screen: the terminal is given back, the summary table
// written on it, and dtruss exits with the command's status.
TEST_P(TopScreen, TheCommandsEndGivesTheTerminalBack) {
  std::string out = dir_ + "/out";
  // (the shell then waits, so that the pane stays to be read)
  Tmux tmux(dtruss_command({"--top", "--interval", "0.2", sh_quote(fixture("top_busy")), "1", ">",
                            sh_quote(out)}) +
            "; read wait");
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  EXPECT_EQ(wait_status(), 0);
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return contains(s, "lost events") && !contains(s, "sort: c calls");
  })) << tmux.last();
  EXPECT_TRUE(contains(tmux.last(), "CALL ")) << tmux.last();
}

// A command that ignores SIGINT outlives the first q (the screen says the trace is ending and
// goes on); the second q detaches, as a second Ctrl-C does, and leaves it running.
TEST_P(TopScreen, SecondQuitDetachesFromACommandThatIgnoresIt) {
  // (the shell then waits: a closed pane would hang the command up)
  // (its run time, unique to this test process: the ptrace and bpf runs of this test may run
  // at the same time, and pgrep below must find this one's command)
  const std::string seconds = std::to_string(600 + getpid() % 10000);
  Tmux tmux(dtruss_command({"--top", "--interval", "0.3", sh_quote(fixture("ignint")), seconds}) +
            "; read wait");
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"q"});
  // Still traced after the SIGINT: a later interval still counts its calls.
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) { return contains(s, "quitting"); }))
      << tmux.last();
  std::string first = tmux.last();
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) {
    return s.substr(0, s.find('\n')) != first.substr(0, first.find('\n')) &&
           has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 128 + SIGINT) << tmux.last();
  // The command runs on, untraced; the test ends it.
  Result ps = run({"/usr/bin/pgrep", "-f", "^" + fixture("ignint") + " " + seconds});
  ASSERT_EQ(ps.status, 0) << "the command did not outlive the trace";
  pid_t pid = static_cast<pid_t>(std::atol(ps.out.c_str()));
  EXPECT_EQ(proc_status(pid, "TracerPid"), "0");
  char state = proc_state(pid);
  EXPECT_TRUE(state == 'R' || state == 'S') << state;
  kill(pid, SIGKILL);
}

// Ctrl-C on the screen's terminal ends the trace as it always does: -p lets the process go.
TEST_P(TopScreen, CtrlCDetachesAsWithoutTop) {
  std::string out = dir_ + "/out";
  ChildGuard proc{spawn({fixture("top_busy"), "60"}, out, "")};
  ASSERT_TRUE(wait_for_text(out, "ready"));
  Tmux tmux(dtruss_command({"--top", "--interval", "0.3", "-p", std::to_string(proc.pid)}));
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    return has_row(s, "SYSCALL", "getppid");
  })) << tmux.last();
  tmux.keys({"C-c"});
  EXPECT_EQ(wait_status(), 0) << tmux.last();
  EXPECT_EQ(kill(proc.pid, 0), 0) << "the attached process was ended";
  EXPECT_EQ(proc_status(proc.pid, "TracerPid"), "0");
}

// A process is counted under the name it has when it calls: once the shell has exec'd the
// fixture, every interval's calls are the fixture's, those it makes as the shell made them
// (getppid, openat) too.
TEST_P(TopScreen, CallsAfterAnExecCountUnderTheNewName) {
  std::string out = dir_ + "/out";
  std::string script = "exec " + sh_quote(fixture("top_busy")) + " 60";
  Tmux tmux(dtruss_command(
      {"--top", "--interval", "0.3", "/bin/sh", "-c", sh_quote(script), ">", sh_quote(out)}));
  ASSERT_TRUE(wait_for_text(out, "ready"));
  tmux.keys({"3"});
  ASSERT_TRUE(tmux.wait_screen([](const std::string& s) {
    auto rows = rows_under(s, "COMM");
    return contains(s, "view: programs") && rows.size() == 1 && rows[0].name == "top_busy" &&
           contains(rows[0].line, "ENOENT");
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 128 + SIGINT) << tmux.last();
}

INSTANTIATE_BACKENDS(TopScreen);

// --all (eBPF): every process, the fixture among them.
class TopAll : public TopScreen {};

TEST_P(TopAll, AllShowsEveryProcess) {
  std::string out = dir_ + "/out";
  ChildGuard proc{spawn({fixture("top_busy"), "60", "topall"}, out, "")};
  ASSERT_TRUE(wait_for_text(out, "ready"));
  Tmux tmux(dtruss_command({"--top", "--all", "--interval", "0.3"}));
  tmux.keys({"2"});
  ASSERT_TRUE(tmux.wait_screen([&](const std::string& s) {
    auto rows = rows_under(s, "PID COMM");
    return std::any_of(rows.begin(), rows.end(), [&](const Row& r) {
      return r.pid == proc.pid && r.name == "topall" && r.calls > 0;
    });
  })) << tmux.last();
  tmux.keys({"q"});
  EXPECT_EQ(wait_status(), 0) << tmux.last();
  EXPECT_EQ(kill(proc.pid, 0), 0) << "the process was ended";
}

INSTANTIATE_BACKENDS_OF(TopAll, "bpf");

class TopPlain : public BackendTest {};

// The interval tables of a trace written to a file: "--- TIME (SECONDS s) ---", the column
// heads, the rows; then the summary's final table. Returns the interval tables' row lines.
std::vector<std::vector<Row>> interval_tables(const std::string& trace) {
  std::vector<std::vector<Row>> tables;
  std::regex stamp("^--- \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(\\d+\\.\\d\\d s\\) ---$");
  std::vector<std::string> ls = lines(trace);
  for (size_t i = 0; i < ls.size(); ++i) {
    if (!std::regex_match(ls[i], stamp)) continue;
    std::string rest;
    for (size_t j = i + 1; j < ls.size(); ++j) rest += ls[j] + "\n";
    tables.push_back(rows_under(rest, "SYSCALL"));
  }
  return tables;
}

void expect_periodic_tables(const Result& r) {
  ASSERT_EQ(r.status, 0) << r.err;
  auto tables = interval_tables(r.trace);
  // 1.2 s at 0.2 s: at least 4 whole intervals on a loaded machine.
  ASSERT_GE(tables.size(), 4u) << r.trace;
  size_t with_calls = 0;
  for (const auto& rows : tables) {
    auto getppid =
        std::find_if(rows.begin(), rows.end(), [](const Row& x) { return x.name == "getppid"; });
    auto openat =
        std::find_if(rows.begin(), rows.end(), [](const Row& x) { return x.name == "openat"; });
    if (getppid == rows.end() || openat == rows.end()) continue;
    ++with_calls;
    EXPECT_GT(getppid->calls, openat->calls) << r.trace;
    EXPECT_TRUE(contains(openat->line, "ENOENT")) << openat->line;
  }
  EXPECT_GE(with_calls, 3u) << r.trace;
  // Then the final table, after the last interval's.
  size_t last_interval = r.trace.rfind("\n--- ");
  size_t final_table = r.trace.rfind("\nCALL ");
  ASSERT_NE(final_table, std::string::npos) << r.trace;
  EXPECT_GT(final_table, last_interval) << r.trace;
  EXPECT_TRUE(contains(r.trace.substr(final_table), "getppid")) << r.trace;
}

// --top when the output is not a terminal: the plain tables.
TEST_P(TopPlain, TopToAFileWritesPeriodicTables) {
  Result r = run_traced({backend(), "--top", "--interval", "0.2", fixture("top_busy"), "1.2"});
  expect_periodic_tables(r);
}

// --summary --interval: the same tables, then the summary.
TEST_P(TopPlain, SummaryIntervalWritesATableEachInterval) {
  Result r = run_traced({backend(), "--summary", "--interval", "0.2", fixture("top_busy"), "1.2"});
  expect_periodic_tables(r);
}

INSTANTIATE_BACKENDS(TopPlain);

// With eBPF, --top counts in the kernel as --summary does: a burst that would overflow the
// smallest ring many times over as lines is counted exactly, and nothing is lost.
TEST(BpfTopPlain, CountedInTheKernelNothingLost) {
  REQUIRE_BPF();
  Result r = run_traced({"--backend=bpf", "--top", "--interval", "0.2", "-b", "4K",
                         fixture("getppid_burst"), "1000000"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto rows = e2e::summary_rows(r.trace);
  EXPECT_EQ(rows["getppid"].first, 1000000) << r.trace;
  EXPECT_FALSE(contains(r.err, "lost")) << r.err;
  EXPECT_TRUE(std::regex_search(r.trace, std::regex("\\d+ calls, \\d+ errors, 0 lost events")))
      << r.trace;
}

// Bad input: one line, status 2, nothing run.
TEST(TopOptions, BadInputIsRefusedBeforeAnythingStarts) {
  std::string dir = temp_dir();
  std::string made = dir + "/made";
  const std::vector<std::vector<std::string>> cases = {
      {"--top", "--json"},
      {"--summary", "--interval", "0"},
      {"--top", "--interval", "-1"},
      {"--top", "--interval", "abc"},
      {"--top", "--interval", "1e3"},
      {"--interval", "1"},
      {"--top", "--summary"},
      {"--top", "-c"},
      {"--summary", "--json", "--interval", "1"},
  };
  for (const auto& args : cases) {
    std::vector<std::string> argv = args;
    argv.insert(argv.end(), {"/usr/bin/touch", made});
    Result r = run_dtruss(argv);
    std::string what = ::testing::PrintToString(args);
    EXPECT_EQ(r.status, 2) << what << r.err;
    auto ls = lines(r.err);
    ASSERT_FALSE(ls.empty()) << what;
    EXPECT_EQ(ls[0].rfind("dtruss: ", 0), 0u) << what << r.err;
    EXPECT_TRUE(contains(ls[0], "--interval") || contains(ls[0], "--top")) << what << r.err;
    struct stat st {};
    EXPECT_NE(stat(made.c_str(), &st), 0) << what << ": the command ran";
  }
}

}  // namespace
}  // namespace e2e
