// Part 9's filters, times and names on both backends: --status (-Z, -z), -P, --timestamps, -r,
// -T and the process name in the prefix (-Y, --summary-by comm), on the status_paths fixture.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using e2e::lines;
using nlohmann::json;

constexpr const char* kMissing = "/nonexistent/dtruss-status-paths";

class Filters : public e2e::BackendTest {
 protected:
  // The syscall objects of a --json trace of status_paths with `extra` options.
  std::vector<json> calls(std::vector<std::string> extra) const {
    return e2e::fixture_calls(GetParam(), "status_paths", extra);
  }
  // The text trace of status_paths with `extra` options.
  std::string text(std::vector<std::string> extra) const {
    extra.insert(extra.begin(), backend());
    extra.push_back(fixture("status_paths"));
    auto r = e2e::run_traced(extra);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.trace;
  }
};

INSTANTIATE_BACKENDS(Filters);

bool failed(const json& c) {
  return !c["errno"].is_null();
}

// ---------------------------------------------------------------------------------------------
// --status, -Z, -z

TEST_P(Filters, FailedOnlyShowsTheFailingOpenAndNoSuccess) {
  for (const char* opt : {"-Z", "--failed-only", "--status=failed"}) {
    SCOPED_TRACE(opt);
    auto c = calls({opt});
    ASSERT_FALSE(c.empty());
    for (const auto& call : c) EXPECT_TRUE(failed(call)) << call.dump();
    auto open = e2e::only_call(c, "openat", "filename", kMissing);
    EXPECT_EQ(open["errno"], "ENOENT");
    EXPECT_TRUE(e2e::calls_where(c, "openat", "filename", "/dev/null").empty());
  }
}

// -Z as text (no time shown: the eBPF backend then begins most calls at their exit, and only
// when they failed): the lines of the whole trace that show a failed call, a signal or an exit,
// in the same order, on programs whose failures need their entry or not (in/out arguments that
// a signal interrupts, calls a seccomp filter answers at entry, threads' and children's first
// calls, execve). PIDs are numbered by their first line, addresses and times left out.
std::vector<std::string> failing_view(const std::string& trace, bool whole) {
  static const std::regex prefix(R"(^ *(\d+)/(\d+): (.*)$)");
  static const std::regex failed(R"(\)\s*=\s*(-1|\?) E[A-Z_]+)");
  static const std::regex varying(R"(0x[0-9a-f]+|(tv_u?n?sec=|si_pid=|exited with )\d+)");
  std::vector<std::string> out;
  std::vector<std::string> ids;
  auto id = [&ids](const std::string& n) {
    for (size_t i = 0; i < ids.size(); i++)
      if (ids[i] == n) return "T" + std::to_string(i);
    ids.push_back(n);
    return "T" + std::to_string(ids.size() - 1);
  };
  for (const std::string& l : lines(trace)) {
    std::smatch m;
    if (!std::regex_match(l, m, prefix)) continue;  // (the header)
    std::string rest = m[3];
    bool event = rest.starts_with("---") || rest.starts_with("+++");
    if (whole && !event && !std::regex_search(rest, failed)) continue;
    if (rest.starts_with("futex(")) continue;  // (a lock taken or not: as threads ran)
    out.push_back(id(m[1]) + "/" + id(m[2]) + ": " + std::regex_replace(rest, varying, "$1_"));
  }
  return out;
}

TEST_P(Filters, FailedOnlyTextIsTheWholeTracesFailures) {
  std::string dir = e2e::temp_dir();
  const std::vector<std::vector<std::string>> programs = {
      {fixture("status_paths"), "more"},
      {fixture("inout")},
      {fixture("seccomp_errno"), dir + "/seccomp"},
      {fixture("flight"), "eisdir", "3"},
      {fixture("execer")},
      {"/bin/sh", "-c", "ls /nonexistent-dtruss-z; exec /nonexistent-dtruss-z 2>/dev/null"},
  };
  // (and with -t: the selection and what needs its entry are one map in the eBPF program)
  const std::vector<std::string> selections = {
      "", "openat,write,read,pselect6,ppoll,rt_sigreturn,mkdir,access,newfstatat,statx,ioctl"};
  for (const auto& prog : programs)
    for (const std::string& sel : selections) {
      SCOPED_TRACE(prog[0] + " -t " + sel);
      std::vector<std::string> args = {backend(), "-f"};
      if (!sel.empty()) args.insert(args.end(), {"-t", sel});
      args.insert(args.end(), prog.begin(), prog.end());
      e2e::Result whole = e2e::run_traced(args);
      args.insert(args.begin() + 2, "-Z");
      e2e::Result z = e2e::run_traced(args);
      ASSERT_EQ(z.status, whole.status) << z.err;
      std::vector<std::string> expected = failing_view(whole.trace, true);
      ASSERT_GT(expected.size(), sel.empty() ? 2u : 1u) << whole.trace;
      std::vector<std::string> got = failing_view(z.trace, false);
      size_t i = 0;
      while (i < got.size() && i < expected.size() && got[i] == expected[i]) i++;
      EXPECT_TRUE(i == got.size() && i == expected.size())
          << "line " << i << " of " << expected.size()
          << " failures, -Z: " << (i < got.size() ? got[i] : "(none)")
          << "\nthe whole trace's: " << (i < expected.size() ? expected[i] : "(none)")
          << "\nwhole:\n"
          << whole.trace << "\n-Z:\n"
          << z.trace;
    }
}

TEST_P(Filters, SuccessfulOnlyShowsNoFailure) {
  for (const char* opt : {"-z", "--successful-only", "--status=successful"}) {
    SCOPED_TRACE(opt);
    auto c = calls({opt});
    for (const auto& call : c) {
      EXPECT_FALSE(failed(call)) << call.dump();
      EXPECT_FALSE(call["ret"].is_null()) << call.dump();  // (exit_group did not return)
    }
    EXPECT_TRUE(e2e::calls_where(c, "openat", "filename", kMissing).empty());
    e2e::only_call(c, "openat", "filename", "/dev/null");
    e2e::only_call(c, "openat", "filename", "/dev/zero");
  }
}

TEST_P(Filters, UnfinishedIsTheCallThatNeverReturned) {
  auto c = calls({"--status=unfinished"});
  EXPECT_EQ(e2e::call_names(c), std::vector<std::string>{"exit_group"});
  auto both = calls({"--status=failed,successful"});
  ASSERT_FALSE(both.empty());
  for (const auto& call : both) EXPECT_NE(call["syscall"], "exit_group");
  e2e::only_call(both, "openat", "filename", kMissing);
  e2e::only_call(both, "openat", "filename", "/dev/null");
}

TEST_P(Filters, StatusAndTraceListTogether) {
  // -Z with -t: only the failing openat of the fixture among its openat calls (the loader's
  // are successful).
  auto c = calls({"-Z", "-t", "openat"});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]["args"]["filename"], kMissing);
}

TEST(FilterOptions, BadStatusWordIsAUsageError) {
  auto r = e2e::run_dtruss({"--status=failed,bogus", "true"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--status takes failed, successful, unfinished or detached, not 'bogus'"),
            std::string::npos)
      << r.err;
}

// ---------------------------------------------------------------------------------------------
// -P

TEST_P(Filters, PathShowsTheCallsOnItsFdAndNothingElse) {
  auto c = calls({"-P", "/dev/null"});
  ASSERT_EQ(e2e::call_names(c), (std::vector<std::string>{"openat", "read", "close"}));
  EXPECT_EQ(c[0]["args"]["filename"], "/dev/null");
  int fd = c[0]["ret"];
  EXPECT_EQ(c[1]["args"]["fd"], fd);
  EXPECT_EQ(c[1]["ret"], 0);
  EXPECT_EQ(c[2]["args"]["fd"], fd);
  // The fd notes that -P uses are not shown unless -y asks for them.
  std::string t = text({"-P", "/dev/null"});
  EXPECT_EQ(t.find("</dev/null>"), std::string::npos) << t;
  std::string y = text({"-P", "/dev/null", "-y"});
  EXPECT_NE(y.find("read(" + std::to_string(fd) + "</dev/null>"), std::string::npos) << y;
}

TEST_P(Filters, PathRepeatedAndPathsNeverUsed) {
  auto c = calls({"-P", "/dev/null", "-P", "/dev/zero"});
  EXPECT_EQ(e2e::call_names(c),
            (std::vector<std::string>{"openat", "read", "close", "openat", "read", "close"}));
  // A path argument as written: the failing open names it.
  auto missing = calls({"-P", kMissing});
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0]["errno"], "ENOENT");
  EXPECT_TRUE(calls({"-P", "/nowhere/else"}).empty());
}

TEST_P(Filters, PathThroughASymlinkMatchesWhatItNames) {
  // -P LINK: the link as written and the file it resolves to (which the fixture opens by name).
  std::string link = e2e::temp_dir() + "/null-link";
  ASSERT_EQ(symlink("/dev/null", link.c_str()), 0);
  auto c = calls({"-P", link});
  unlink(link.c_str());
  EXPECT_EQ(e2e::call_names(c), (std::vector<std::string>{"openat", "read", "close"}));
}

// ---------------------------------------------------------------------------------------------
// --timestamps, -r, -T

int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// The lines of a trace that are calls (after the header).
std::vector<std::string> call_lines(const std::string& trace) {
  std::vector<std::string> out;
  for (const auto& l : lines(trace))
    if (l.find(" = ") != std::string::npos && l.find("SYSCALL(args)") == std::string::npos)
      out.push_back(l);
  return out;
}

TEST_P(Filters, TimestampsParseAndIncrease) {
  struct Case {
    const char* opt;
    int digits;
  } cases[] = {{"--timestamps", 6},
               {"--timestamps=s", 0},
               {"--timestamps=ms", 3},
               {"--timestamps=us", 6},
               {"--timestamps=ns", 9}};
  for (const auto& k : cases) {
    SCOPED_TRACE(k.opt);
    std::string frac = k.digits > 0 ? "\\.(\\d{" + std::to_string(k.digits) + "})" : "()";
    std::regex re("^(\\d\\d):(\\d\\d):(\\d\\d)" + frac + " \\S.*");
    auto ls = call_lines(text({k.opt}));
    ASSERT_GT(ls.size(), 5u);
    std::string previous;
    for (const auto& l : ls) {
      std::smatch m;
      ASSERT_TRUE(std::regex_match(l, m, re)) << l;
      std::string stamp = m[1].str() + m[2].str() + m[3].str() + m[4].str();
      EXPECT_GE(stamp, previous) << l;  // (same width: compared as text; no midnight here)
      previous = stamp;
    }
  }
}

TEST_P(Filters, TimestampsInJsonAreTheWallClock) {
  int64_t before = realtime_ns();
  auto c = calls({"--timestamps"});
  int64_t after = realtime_ns();
  ASSERT_FALSE(c.empty());
  int64_t previous = 0;
  for (const auto& call : c) {
    ASSERT_TRUE(call.contains("wall_ns")) << call.dump();
    int64_t wall = call["wall_ns"];
    EXPECT_GE(wall, before);
    EXPECT_LE(wall, after);
    EXPECT_GE(wall, previous);
    previous = wall;
  }
  EXPECT_FALSE(calls({})[0].contains("wall_ns"));
}

TEST_P(Filters, RelativeTimestampsAddUpToTheSpan) {
  // -r: each line's seconds since the one before; with --timestamps=ns on the same lines, the
  // deltas are the differences of the stamps (to the microsecond).
  std::regex re("^\\d\\d:\\d\\d:(\\d\\d)\\.(\\d{9}) +(\\d+)\\.(\\d{6}) \\S.*");
  auto ls = call_lines(text({"-r", "--timestamps=ns"}));
  ASSERT_GT(ls.size(), 5u);
  int64_t previous = -1;
  for (const auto& l : ls) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, re)) << l;
    int64_t stamp = std::stoll(m[1]) * 1000000000 + std::stoll(m[2]);
    int64_t delta_us = std::stoll(m[3]) * 1000000 + std::stoll(m[4]);
    if (previous >= 0 && stamp >= previous) {
      EXPECT_EQ(delta_us, (stamp - previous) / 1000) << l;
    }
    previous = stamp;
  }
}

TEST_P(Filters, SyscallTimesAreTheCallsDurations) {
  // -T and -e (ELAPSD, µs) come from the same duration: equal on every line; the call that
  // never returned has none.
  std::regex re("^ *(\\d+) (\\w+)\\(.*<(\\d+)\\.(\\d{6})>$");
  size_t timed = 0;
  for (const auto& l : call_lines(text({"-T", "-e"}))) {
    std::smatch m;
    if (l.find("exit_group(") != std::string::npos) {
      EXPECT_EQ(l.find('<'), std::string::npos) << l;
      continue;
    }
    ASSERT_TRUE(std::regex_match(l, m, re)) << l;
    EXPECT_EQ(std::stoll(m[1]), std::stoll(m[3]) * 1000000 + std::stoll(m[4])) << l;
    ++timed;
  }
  EXPECT_GT(timed, 5u);
}

// ---------------------------------------------------------------------------------------------
// The process name: -Y, --decode-pids=comm, --summary-by comm

TEST_P(Filters, CommInThePrefix) {
  for (const char* opt : {"-Y", "--decode-pids=comm"}) {
    SCOPED_TRACE(opt);
    std::regex re("^ *(\\d+)/(\\d+) \\(status_paths\\): \\w+\\(.*");
    auto ls = call_lines(text({opt}));
    ASSERT_GT(ls.size(), 5u);
    for (const auto& l : ls) EXPECT_TRUE(std::regex_match(l, re)) << l;
  }
  std::string plain = text({"-l"});
  EXPECT_EQ(plain.find("(status_paths)"), std::string::npos) << plain;
}

TEST_P(Filters, SummaryByCommCountsEachProgram) {
  // sh runs the fixture twice (two processes): one group of its name, with both runs' calls.
  std::string cmd = fixture("status_paths") + "; " + fixture("status_paths");
  for (const char* mode : {"--summary", "-c"}) {
    SCOPED_TRACE(mode);
    auto r = e2e::run_traced({backend(), "--json", mode, "--summary-by", "comm", "-f", "-t",
                              "openat", "/bin/sh", "-c", cmd});
    ASSERT_EQ(r.status, 0) << r.err;
    auto ev = json_lines(r.trace);
    auto sums = e2e::of_type(ev, "summary");
    ASSERT_EQ(sums.size(), 1u) << r.trace;
    EXPECT_EQ(sums[0]["by"], "comm");
    json mine;
    for (const auto& g : sums[0]["groups"])
      if (g["comm"] == "status_paths") mine = g;
    ASSERT_FALSE(mine.is_null()) << sums[0].dump();
    EXPECT_FALSE(mine.contains("pid"));
    ASSERT_EQ(mine["calls"].size(), 1u) << mine.dump();
    // Per run: the loader's two, the missing file, /dev/null, /dev/zero; one fails.
    EXPECT_EQ(mine["calls"][0]["count"], 10) << mine.dump();
    EXPECT_EQ(mine["calls"][0]["errors"], 2) << mine.dump();
  }
  auto t = e2e::run_traced(
      {backend(), "--summary", "--summary-by", "comm", "-f", "-t", "openat", "/bin/sh", "-c", cmd});
  ASSERT_EQ(t.status, 0) << t.err;
  std::regex row("\nCOMM status_paths\nCALL [^\n]*\nopenat +10 +2 ");
  EXPECT_TRUE(std::regex_search(t.trace, row)) << t.trace;
}

}  // namespace

namespace {

// ---------------------------------------------------------------------------------------------
// eBPF: --status decides in the kernel

TEST(FiltersBpf, StatusDropsUnselectedCallsInTheKernel) {
  REQUIRE_BPF();
  // 20,000 successful getppid calls through the smallest ring: sent, most are lost; left out by
  // -Z in the kernel, none is, and the loader's failing call is still shown.
  auto count_lost = [](const std::vector<json>& events) {
    uint64_t n = 0;
    for (const auto& e : e2e::of_type(events, "lost")) n += e["count"].get<uint64_t>();
    return n;
  };
  std::vector<std::string> common = {"--backend=bpf", "--json", "-b", "4K"};
  auto all = common;
  all.insert(all.end(), {fixture("getppid_burst"), "20000"});
  auto r = e2e::run_traced(all);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_GT(count_lost(json_lines(r.trace)), 0u) << "the control run lost nothing";
  auto failed_only = common;
  failed_only.insert(failed_only.end(), {"-Z", fixture("getppid_burst"), "20000"});
  auto z = e2e::run_traced(failed_only);
  ASSERT_EQ(z.status, 0) << z.err;
  auto ev = json_lines(z.trace);
  EXPECT_EQ(count_lost(ev), 0u) << z.trace;
  auto c = e2e::syscalls(ev);
  ASSERT_FALSE(c.empty());
  for (const auto& call : c) EXPECT_TRUE(failed(call)) << call.dump();
}

}  // namespace
