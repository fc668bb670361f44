// The command line: -t selections, usage errors, -c, -d -e -o columns, -l, -X raw, --strsize,
// and dtruss in a pipeline that closes early.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

std::string line_with(const std::string& text, const std::string& needle) {
  for (const auto& l : lines(text))
    if (contains(l, needle)) return l;
  return "";
}

// ---------------------------------------------------------------------------------------------
// -t

TEST(TraceList, NamedCallsOnly) {
  auto r = run_traced({"-t", "read,write", "--json", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fixture says hi\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto calls = syscalls(ev);
  ASSERT_FALSE(calls.empty());
  bool hi = false, pipe_read = false;
  for (const auto& e : calls) {
    std::string n = e["syscall"];
    EXPECT_TRUE(n == "read" || n == "write") << "not in -t read,write: " << e.dump();
    if (n == "write" && text_arg(e, "buf") == "fixture says hi\n") hi = true;
    if (n == "read" && text_arg(e, "buf") == "through the pipe") pipe_read = true;
  }
  EXPECT_TRUE(hi) << "no write of \"fixture says hi\\n\"";
  EXPECT_TRUE(pipe_read) << "no read of \"through the pipe\"";
  EXPECT_EQ(syscalls(ev, "write").size(), 2u) << "the fixture writes twice";
  // The end of the command is still shown.
  EXPECT_EQ(ev.back().value("type", ""), "exit");
  EXPECT_EQ(ev.back()["status"], 0);
}

// rt_sigreturn returns with the signal frame's registers (orig_ax -1): selected, it is still
// shown with its result; the signal it returns from, too.
TEST(TraceList, SigreturnIsShownWhenSelected) {
  auto r = run_traced({"-t", "rt_sigreturn,kill", "--json", fixture("signals")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  ASSERT_EQ(syscalls(ev, "kill").size(), 1u);
  auto back = syscalls(ev, "rt_sigreturn");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0]["ret"], 0);
  EXPECT_EQ(syscalls(ev).size(), 2u) << "only the selected calls";
  EXPECT_EQ(of_type(ev, "signal").size(), 1u);
}

TEST(TraceList, FileClass) {
  std::string dir = temp_dir();
  auto r = run_traced({"-t", "%file", "--json", fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  std::set<std::string> files;
  for (const auto& e : syscalls(ev)) {
    std::string n = e["syscall"];
    EXPECT_NE(n, "read") << "read takes no path: not in %file";
    EXPECT_NE(n, "write") << "write takes no path: not in %file";
    EXPECT_NE(n, "close") << "close takes no path: not in %file";
    EXPECT_NE(n, "mmap");
    if (n == "openat") files.insert(text_arg(e, "filename"));
  }
  EXPECT_EQ(files.count(dir + "/hello.txt"), 1u);
  EXPECT_EQ(files.count("/nonexistent/dtruss-missing"), 1u);
}

TEST(TraceList, Negation) {
  auto r = run_traced({"-t", "!read,!write", "--json", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto calls = syscalls(ev);
  for (const auto& e : calls) {
    EXPECT_NE(e["syscall"], "read") << e.dump();
    EXPECT_NE(e["syscall"], "write") << e.dump();
  }
  EXPECT_EQ(syscalls(ev, "pipe2").size(), 1u) << "everything else is shown";
  EXPECT_GE(syscalls(ev, "close").size(), 2u);
  EXPECT_EQ(syscalls(ev, "exit_group").size(), 1u);
}

// The -t seccomp filter is inherited by children; without -f they must still run normally (a
// filtered call with no tracer would fail with ENOSYS) and stay out of the trace.
TEST(TraceList, ChildrenWithoutFollowRunNormallyAndAreNotShown) {
  auto r = run_traced({"-t", "write,close", "--json", "sh", "-c", "echo hi | cat; echo done"});
  ASSERT_EQ(r.status, 0) << r.err << r.trace;
  EXPECT_EQ(r.out, "hi\ndone\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  std::set<int> pids;
  for (const auto& e : ev)
    if (e.contains("pid")) pids.insert(e["pid"].get<int>());
  EXPECT_EQ(pids.size(), 1u) << "only the started shell is shown";
  EXPECT_EQ(syscalls(ev, "write").size(), 1u)
      << "the shell's own echo; cat's and echo's are hidden";
}

TEST(TraceList, UnknownSyscallIsAUsageErrorWithASuggestion) {
  auto r = run_dtruss({"-t", "opne", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "unknown syscall 'opne'")) << r.err;
  std::string tail = r.err.substr(std::min(r.err.size(), r.err.find("'opne'") + 6));
  EXPECT_TRUE(std::regex_search(tail, std::regex("\\bopen\\b"))) << "suggests open: " << r.err;
  EXPECT_EQ(r.out, "") << "the command must not run";
}

// ---------------------------------------------------------------------------------------------
// usage errors: exit status 2 and a message

TEST(Usage, UnknownOption) {
  auto r = run_dtruss({"-j", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "unknown option")) << r.err;
  EXPECT_TRUE(contains(r.err, "-j")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Usage, NoCommand) {
  auto r = run_dtruss({});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "dtruss: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "command")) << "the message says what is missing: " << r.err;
}

TEST(Usage, MissingPid) {
  const pid_t pid = 999999;
  ASSERT_TRUE(kill(pid, 0) != 0 && errno == ESRCH) << "PID 999999 exists on this machine";
  auto r = run_dtruss({"-p", "999999"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "no process with PID 999999")) << r.err;
}

TEST(Usage, CommandNotFound) {
  auto r = run_dtruss({"dtruss-no-such-command-xyz"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "dtruss-no-such-command-xyz")) << r.err;
}

TEST(Usage, CommandPathNotFound) {
  std::string path = temp_dir() + "/absent";
  auto r = run_dtruss({path});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, path)) << r.err;
}

TEST(Usage, CommandNotExecutable) {
  std::string path = temp_dir() + "/not-executable";
  {
    std::ofstream f(path);
    f << "#!/bin/sh\necho should not run\n";
  }
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto r = run_dtruss({path});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, path)) << r.err;
  EXPECT_TRUE(contains(r.err, "Permission denied")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Usage, DashOIsNotAnOutputFile) {
  // dtruss's -o is the CPU column: `-o out.txt ./x` names a command out.txt, which is a mistake.
  std::string dir = temp_dir();
  auto r = run_dtruss({"-o", "out.txt", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--output")) << r.err;
  EXPECT_TRUE(contains(r.err, "out.txt")) << r.err;
  EXPECT_EQ(r.out, "") << "rw must not run";
}

TEST(Usage, UnknownBackendIsRefused) {
  auto r = run_dtruss({"--backend=dtrace", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--backend takes auto, ptrace or bpf, not 'dtrace'")) << r.err;
  EXPECT_EQ(r.out, "") << "nothing may run";
}

// Every option with a wrong value: exit status 2, one message naming the problem and what to do
// (the parser adds a second line pointing to -h), nothing run, and no --output file left behind.
// The README's "When something is wrong" table lists the same cases.
struct BadInput {
  std::vector<std::string> args;  // "@rw" is the rw fixture, "@dir" the test's directory
  const char* message;            // the part of the message that says what is wrong
};

const BadInput kBadInputs[] = {
    {{"-t", "opne", "@rw"}, "unknown syscall 'opne' (did you mean: open?)"},
    {{"-t", "%bogus", "@rw"}, "unknown syscall class '%bogus' (classes: %file"},
    {{"-p", "999999"}, "no process with PID 999999 (is it running? see ps -p 999999)"},
    {{"-p", "abc"}, "-p needs process IDs (e.g. -p 1234 or -p 1234,5678), not 'abc'"},
    {{"-b", "lots", "@rw"}, "-b needs a size from 4K to "},
    {{"--strsize", "-1", "@rw"}, "--strsize needs a byte count from 0 to 1048576, not '-1'"},
    {{"--backend=dtrace", "@rw"}, "--backend takes auto, ptrace or bpf, not 'dtrace'"},
    {{"-X", "fancy", "@rw"}, "-X takes raw, verbose or decoded, not 'fancy'"},
    {{"dtruss-no-such-command-xyz"}, "command not found: 'dtruss-no-such-command-xyz'"},
    {{"@dir/not-executable"}, "cannot run '@dir/not-executable': Permission denied"},
    {{"-u", "no-such-user-dtruss", "@rw"}, "no user named 'no-such-user-dtruss' (-u)"},
    {{"-p", "1", "@rw"}, "give either a command or -p PID, not both"},
    {{"-t"}, "option -t needs an argument"},
    {{"-o", "out.txt", "@rw"}, "use --output out.txt"},
};

std::string expand(std::string s, const std::string& dir) {
  for (auto [key, value] :
       {std::pair<std::string, std::string>{"@rw", fixture("rw")}, {"@dir", dir}})
    for (size_t at; (at = s.find(key)) != std::string::npos;) s.replace(at, key.size(), value);
  return s;
}

TEST(Usage, EveryWrongValueIsAUsageErrorAndLeavesNothing) {
  ASSERT_EQ(geteuid(), 0u) << "-u is checked as root (as nobody it says that it needs root)";
  std::string dir = temp_dir();
  {
    std::ofstream f(dir + "/not-executable");
    f << "#!/bin/sh\necho should not run\n";
  }
  ASSERT_EQ(chmod((dir + "/not-executable").c_str(), 0644), 0);
  for (const auto& bad : kBadInputs) {
    std::vector<std::string> args{"--output", dir + "/trace"};
    for (const auto& a : bad.args) args.push_back(expand(a, dir));
    std::string message = expand(bad.message, dir);
    SCOPED_TRACE(message);
    auto r = run_dtruss(args);
    EXPECT_EQ(r.status, 2);
    auto ls = lines(r.err);
    ASSERT_FALSE(ls.empty());
    EXPECT_EQ(ls[0].rfind("dtruss: ", 0), 0u) << r.err;
    EXPECT_TRUE(contains(ls[0], message)) << r.err;
    EXPECT_LE(ls.size(), 2u) << r.err;
    if (ls.size() == 2) {
      EXPECT_EQ(ls[1], "Try 'dtruss -h' for more information.");
    }
    EXPECT_EQ(r.out, "") << "nothing runs";
    struct stat st {};
    EXPECT_NE(lstat((dir + "/trace").c_str(), &st), 0) << "no trace file is left behind";
    unlink((dir + "/trace").c_str());
  }
}

TEST(Usage, HelpAndVersion) {
  auto h = run_dtruss({"-h"});
  EXPECT_EQ(h.status, 0);
  EXPECT_TRUE(contains(h.out, "Usage: dtruss")) << h.out;
  auto v = run_dtruss({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("dtruss ", 0), 0u) << v.out;
}

// ---------------------------------------------------------------------------------------------
// -c: the summary table

TEST(Count, SummaryTableSortedByCount) {
  auto r = run_traced({"-c", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  SCOPED_TRACE(r.trace);
  // -c shows every line as well.
  EXPECT_TRUE(contains(r.trace, "write(1, \"fixture says hi\\n\", 16)\t\t = 16\n"));
  auto ls = lines(r.trace);
  size_t head = ls.size();
  for (size_t i = 0; i < ls.size(); ++i)
    if (std::regex_search(ls[i],
                          std::regex("^CALL\\s+COUNT\\s+ERRORS\\s+TOTAL\\(us\\)\\s+AVG\\(us\\)"
                                     "\\s+P50\\(us\\)\\s+P99\\(us\\)\\s+MAX\\(us\\)\\s+ERRNOS$")))
      head = i;
  ASSERT_LT(head, ls.size()) << "no CALL COUNT ERRORS TOTAL(us) AVG(us) ... ERRNOS header";
  // name, count, errors, total, then avg, p50, p99, max (a number, or - for no duration), errnos.
  std::regex row("^(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)(\\s+(-|\\d+\\.\\d)){4}(\\s+\\S+)*$");
  std::regex total_row("^TOTAL\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
  std::regex totals_line("^(\\d+) calls, (\\d+) errors, 0 lost events, wall time \\d+\\.\\d{6} s$");
  std::vector<std::pair<std::string, long>> rows;
  long total = -1, sum = 0;
  for (size_t i = head + 1; i < ls.size(); ++i) {
    std::smatch m;
    if (std::regex_match(ls[i], m, total_row)) {
      total = std::stol(m[1]);
      ASSERT_EQ(i + 2, ls.size()) << "TOTAL, then the line of totals, end the trace";
      ASSERT_TRUE(std::regex_match(ls[i + 1], m, totals_line)) << ls[i + 1];
      EXPECT_EQ(std::stol(m[1]), total);
      break;
    }
    ASSERT_TRUE(std::regex_match(ls[i], m, row)) << "not a table row: '" << ls[i] << "'";
    rows.emplace_back(m[1], std::stol(m[2]));
    sum += std::stol(m[2]);
  }
  ASSERT_GE(rows.size(), 5u);
  EXPECT_EQ(total, sum);
  long highest = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    highest = std::max(highest, rows[i].second);
    if (i > 0) {
      EXPECT_LE(rows[i - 1].second, rows[i].second) << "rows sorted by count, ascending";
    }
  }
  EXPECT_EQ(rows.back().second, highest);
  bool write_row = false, pipe2_row = false;
  for (const auto& [name, count] : rows) {
    if (name == "write") {
      write_row = true;
      EXPECT_EQ(count, 2) << "the fixture writes twice";
    }
    pipe2_row |= name == "pipe2";
  }
  EXPECT_TRUE(write_row);
  EXPECT_TRUE(pipe2_row);
}

// ---------------------------------------------------------------------------------------------
// columns and prefixes

TEST(Columns, RelativeElapsedCpu) {
  auto r = run_traced({"-d", "-e", "-o", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  SCOPED_TRACE(r.trace);
  std::string header = lines(r.trace).at(0);
  size_t rel = header.find("RELATIVE"), el = header.find("ELAPSD"), cpu = header.find("CPU");
  ASSERT_NE(rel, std::string::npos) << header;
  ASSERT_NE(el, std::string::npos) << header;
  ASSERT_NE(cpu, std::string::npos) << header;
  EXPECT_LT(rel, el);
  EXPECT_LT(el, cpu);
  EXPECT_TRUE(contains(header, "SYSCALL(args)")) << header;
  std::string w = line_with(r.trace, "\"fixture says hi\\n\"");
  EXPECT_TRUE(std::regex_search(w, std::regex("^\\s*\\d+\\s+\\d+\\s+\\d+ write\\(1, ")))
      << "three numeric columns before the call: " << w;
}

// Each column alone still measures (the eBPF backend reads its clocks only when a column, a
// summary or JSON shows them): -e gives the 50 ms nanosleep of cpu_burn its duration, -d puts its
// return 50 ms after the call before it; JSON has durations but no CPU time without -o.
TEST(Columns, EachTimeColumnAloneMeasures) {
  auto number_before = [](const std::string& line) {
    std::smatch m;
    return std::regex_search(line, m, std::regex("^\\s*(\\d+) ")) ? std::stoull(m[1]) : 0ull;
  };
  auto e = run_traced({"-e", fixture("cpu_burn")});
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_GE(number_before(line_with(e.trace, "clock_nanosleep(")), 50'000u) << e.trace;
  auto d = run_traced({"-d", fixture("cpu_burn")});
  ASSERT_EQ(d.status, 0) << d.err;
  auto ls = lines(d.trace);
  size_t sleep = 0;
  while (sleep < ls.size() && !contains(ls[sleep], "clock_nanosleep(")) ++sleep;
  ASSERT_LT(sleep + 1, ls.size()) << d.trace;
  EXPECT_GE(number_before(ls[sleep + 1]), number_before(ls[sleep]) + 50'000u) << d.trace;
  auto j = run_traced({"--json", fixture("cpu_burn")});
  ASSERT_EQ(j.status, 0) << j.err;
  auto sleeps = syscalls(json_lines(j.trace), "clock_nanosleep");
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GE(sleeps[0]["dur_ns"].get<uint64_t>(), 50'000'000u);
  EXPECT_FALSE(sleeps[0].contains("cpu_ns")) << sleeps[0].dump();
}

// -o when a call sleeps on one CPU and wakes on another (each CPU's scheduler clock runs at its own
// offset from the system clock): the 200 ms sleep still shows almost no CPU time.
TEST(Columns, CpuTimeAcrossAMigration) {
  auto r = run_traced({"-o", "--json", fixture("migrate_sleep")});
  ASSERT_NE(r.status, 3) << "this test needs to run on CPUs 0 and 1";
  ASSERT_EQ(r.status, 0) << "the sleep did not end on CPU 1: " << r.err;
  auto events = json_lines(r.trace);
  auto sleeps = e2e::calls_where(syscalls(events), "clock_nanosleep", "rqtp",
                                 nlohmann::json{{"tv_sec", 0}, {"tv_nsec", 200'000'000}});
  ASSERT_EQ(sleeps.size(), 1u) << r.trace;
  EXPECT_GE(sleeps[0]["dur_ns"].get<uint64_t>(), 200'000'000u);
  EXPECT_LT(sleeps[0]["cpu_ns"].get<uint64_t>(), 2'000'000u) << sleeps[0].dump();
}

TEST(Columns, PidPrefix) {
  auto r = run_traced({"-l", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  SCOPED_TRACE(r.trace);
  auto ls = lines(r.trace);
  ASSERT_GE(ls.size(), 3u);
  EXPECT_TRUE(contains(ls[0], "PID/THRD")) << ls[0];
  std::regex prefix("^\\s*(\\d+)/(\\d+): ");
  for (size_t i = 1; i < ls.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(ls[i], m, prefix)) << "no PID/TID: prefix: " << ls[i];
    EXPECT_EQ(m[1], m[2]) << "single-threaded: " << ls[i];
  }
  EXPECT_TRUE(std::regex_search(r.trace, std::regex("\\d+/\\d+: write\\(1, \"fixture says hi")));
}

TEST(Columns, NoPidPrefixByDefault) {
  auto r = run_traced({fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.trace).at(0), "SYSCALL(args) \t\t = return") << r.trace;
  EXPECT_FALSE(std::regex_search(r.trace, std::regex("^\\s*\\d+/\\d+:"))) << r.trace;
}

TEST(Style, RawIsDtrussStyle) {
  std::string dir = temp_dir();
  auto r = run_traced({"-X", "raw", fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  SCOPED_TRACE(r.trace);
  std::string missing = line_with(r.trace, "/nonexistent/dtruss-missing");
  ASSERT_FALSE(missing.empty());
  EXPECT_TRUE(contains(missing, "\"/nonexistent/dtruss-missing\\0\"")) << missing;
  EXPECT_TRUE(std::regex_search(missing, std::regex("= -1 Err#2$"))) << missing;
  EXPECT_EQ(missing.rfind("openat(0xFFFFFF9C, ", 0), 0u) << "AT_FDCWD in raw hex: " << missing;
  std::string created = line_with(r.trace, dir + "/hello.txt\\0\", 0x241, 0x1A4)");
  ASSERT_FALSE(created.empty()) << "O_WRONLY|O_CREAT|O_TRUNC is 0x241, 0644 is 0x1A4";
  int fd = free_fds_in_command(1)[0];
  EXPECT_TRUE(contains(created, "\t\t = " + std::to_string(fd) + " 0")) << created;
  char hex[16];
  snprintf(hex, sizeof hex, "0x%X", fd);
  EXPECT_TRUE(std::regex_search(
      r.trace, std::regex("\nwrite\\(" + std::string(hex) + ", 0x[0-9A-F]+, 0xD\\)\t\t = 13 0\n")));
}

TEST(Strsize, TruncatesBuffers) {
  auto r = run_traced({"--strsize", "4", "--json", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fixture says hi\n") << "the command's data is not truncated";
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  bool seen = false;
  for (const auto& e : syscalls(ev, "write"))
    if (e["args"]["fd"] == 1) {
      seen = true;
      EXPECT_EQ(e["args"]["buf"], json({{"str", "fixt"}, {"truncated", true}}));
      EXPECT_EQ(e["args"]["count"], 16);
      EXPECT_EQ(e["ret"], 16);
    }
  EXPECT_TRUE(seen);
  auto t = run_traced({"--strsize", "4", fixture("rw")});
  EXPECT_TRUE(contains(t.trace, "write(1, \"fixt\"..., 16)\t\t = 16\n")) << t.trace;
}

// ---------------------------------------------------------------------------------------------
// a reader that leaves early

TEST(Pipe, HeadClosesThePipeQuietly) {
  std::string cmd = "'" + e2e::dtruss_bin() + "' ls / 2>&1 | head -1";
  auto r = e2e::run({"/bin/sh", "-c", cmd}, 20);
  EXPECT_EQ(r.status, 0) << r.err;
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 1u) << r.out;
  EXPECT_EQ(ls[0], "SYSCALL(args) \t\t = return");
  EXPECT_FALSE(contains(r.out, "dtruss:")) << r.out;
  EXPECT_FALSE(contains(r.err, "dtruss:")) << r.err;
}

}  // namespace
}  // namespace e2e

namespace e2e {
namespace {

// DTRUSS_BACKEND says what "auto" means; a wrong value is a usage error, like --backend's.
TEST(Usage, DtrussBackendEnvironment) {
  setenv("DTRUSS_BACKEND", "gpu", 1);
  auto bad = e2e::run_traced({"true"});
  unsetenv("DTRUSS_BACKEND");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("DTRUSS_BACKEND must be auto, ptrace or bpf, not 'gpu'"),
            std::string::npos)
      << bad.err;
  setenv("DTRUSS_BACKEND", "ptrace", 1);
  auto r = e2e::run_traced({"-v", "true"});
  unsetenv("DTRUSS_BACKEND");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("dtruss: ptrace backend (DTRUSS_BACKEND)"), std::string::npos) << r.err;
  auto a = e2e::run_traced({"-v", "--backend=auto", "true"});
  EXPECT_NE(a.err.find(geteuid() == 0 ? "dtruss: eBPF backend (auto: eBPF is allowed here)"
                                      : "dtruss: ptrace backend (auto: no eBPF"),
            std::string::npos)
      << a.err;
}

// -o measures the CPU a call used, not the time it took: a call that computes in the kernel
// shows tens of milliseconds, a call that sleeps almost none, and even a short call its few
// microseconds (not the zero of a clock that moves only at scheduler ticks), on either backend.
// (Absolute figures: on a busy machine the computing call may wait for a CPU too.)
TEST(Columns, CpuTimeIsOnCpuTime) {
  auto r = run_traced({"-o", "--json", fixture("cpu_burn")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto events = json_lines(r.trace);
  SCOPED_TRACE(r.trace);
  size_t returned = 0, with_cpu = 0;
  for (const auto& e : of_type(events, "syscall")) {
    if (!e.contains("cpu_ns") || e["dur_ns"].is_null()) continue;
    ++returned;
    uint64_t cpu = e["cpu_ns"].get<uint64_t>(), dur = e["dur_ns"].get<uint64_t>();
    EXPECT_LE(cpu, dur) << e.dump();
    if (cpu > 0) ++with_cpu;
  }
  ASSERT_GT(returned, 10u);
  EXPECT_GE(with_cpu * 10, returned * 8) << "calls with their CPU time";
  uint64_t burn_cpu = 0;
  for (const auto& e : syscalls(events, "getrandom")) burn_cpu += e["cpu_ns"].get<uint64_t>();
  EXPECT_GT(burn_cpu, 5'000'000u) << "getrandom of 16 MiB computes";
  auto sleeps = syscalls(events, "clock_nanosleep");  // glibc's nanosleep
  ASSERT_EQ(sleeps.size(), 1u);
  uint64_t dur = sleeps[0]["dur_ns"].get<uint64_t>(), cpu = sleeps[0]["cpu_ns"].get<uint64_t>();
  EXPECT_GE(dur, 50'000'000u);
  EXPECT_LT(cpu, 2'000'000u) << "clock_nanosleep sleeps: " << sleeps[0].dump();
}

}  // namespace
}  // namespace e2e
