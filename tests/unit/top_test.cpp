// --top's model: one interval's counts per syscall, process and program name, their rates,
// orders and filter; --interval's parsing.
#include <errno.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/options.h"
#include "output/top_model.h"
#include "parse_support.h"

namespace dtruss {
namespace {

using unit::parse;

std::vector<std::string> names(const std::vector<const TopRow*>& rows) {
  std::vector<std::string> out;
  for (const TopRow* r : rows) out.push_back(r->name);
  return out;
}

TEST(TopInterval, TakesDecimalSeconds) {
  Options o;
  ASSERT_EQ(parse({"--top", "--interval", "0.25", "true"}, &o), ParseOutcome::Run);
  EXPECT_EQ(interval_ns(o), 250000000u);
  EXPECT_TRUE(o.summary_only);  // a live --summary: its table at the end
  Options d;
  ASSERT_EQ(parse({"--top", "true"}, &d), ParseOutcome::Run);
  EXPECT_EQ(interval_ns(d), 1000000000u);
  Options s;
  ASSERT_EQ(parse({"--summary", "--interval", "2", "true"}, &s), ParseOutcome::Run);
  EXPECT_EQ(interval_ns(s), 2000000000u);
  Options none;
  ASSERT_EQ(parse({"--summary", "true"}, &none), ParseOutcome::Run);
  EXPECT_EQ(interval_ns(none), 0u);
  for (const char* bad : {"0", "0.001", "-1", "abc", "1e3", "inf", "nan", "1.5s", "90000", ""}) {
    Options b;
    EXPECT_EQ(parse({"--top", "--interval", bad, "true"}, &b), ParseOutcome::ExitUsage) << bad;
  }
}

// Two processes of two names: getppid often, openat failing, a slow nanosleep.
TopSnapshot sample() {
  TopCounter c;
  for (int i = 0; i < 20; ++i) c.add_call(10, "busy", "getppid", 0, true, 1000);
  for (int i = 0; i < 4; ++i) c.add_call(10, "busy", "openat", ENOENT, true, 5000);
  c.add_call(11, "other", "openat", EACCES, true, 5000);
  c.add_call(11, "other", "nanosleep", 0, true, 9000000);
  c.add_call(11, "other", "exit_group", 0, false, 0);  // never returned: counted, not timed
  return c.take(2000000000, 2.0);
}

TEST(TopModel, CountsEachView) {
  TopSnapshot s = sample();
  EXPECT_EQ(s.calls, 27u);
  EXPECT_EQ(s.errors, 5u);
  EXPECT_EQ(names(top_rows(s, TopView::Syscalls, TopSort::Calls, "")),
            (std::vector<std::string>{"getppid", "openat", "exit_group", "nanosleep"}));
  auto procs = top_rows(s, TopView::Processes, TopSort::Calls, "");
  ASSERT_EQ(procs.size(), 2u);
  EXPECT_EQ(procs[0]->pid, 10);
  EXPECT_EQ(procs[0]->name, "busy");
  EXPECT_EQ(procs[0]->calls, 24u);
  EXPECT_EQ(procs[1]->pid, 11);
  EXPECT_EQ(names(top_rows(s, TopView::Programs, TopSort::Name, "")),
            (std::vector<std::string>{"busy", "other"}));
  const TopRow* exit_group = top_rows(s, TopView::Syscalls, TopSort::Calls, "exit")[0];
  EXPECT_FALSE(exit_group->timed);
  EXPECT_NE(top_line(*exit_group, TopView::Syscalls, 2.0).find(" - "), std::string::npos);
}

TEST(TopModel, SortsAndFilters) {
  TopSnapshot s = sample();
  EXPECT_EQ(top_rows(s, TopView::Syscalls, TopSort::Errors, "")[0]->name, "openat");
  EXPECT_EQ(top_rows(s, TopView::Syscalls, TopSort::Latency, "")[0]->name, "nanosleep");
  EXPECT_EQ(top_rows(s, TopView::Syscalls, TopSort::Max, "")[0]->name, "nanosleep");
  EXPECT_EQ(names(top_rows(s, TopView::Syscalls, TopSort::Name, "")),
            (std::vector<std::string>{"exit_group", "getppid", "nanosleep", "openat"}));
  EXPECT_EQ(names(top_rows(s, TopView::Syscalls, TopSort::Calls, "open")),
            (std::vector<std::string>{"openat"}));
  // The process view: by name or PID.
  EXPECT_EQ(top_rows(s, TopView::Processes, TopSort::Calls, "oth")[0]->pid, 11);
  EXPECT_EQ(top_rows(s, TopView::Processes, TopSort::Calls, "11")[0]->pid, 11);
  EXPECT_TRUE(top_rows(s, TopView::Syscalls, TopSort::Calls, "nothing").empty());
}

TEST(TopModel, RatesPerSecondAndErrnos) {
  TopSnapshot s = sample();
  const TopRow* openat = top_rows(s, TopView::Syscalls, TopSort::Calls, "openat")[0];
  // 5 calls, 4 ENOENT and 1 EACCES in 2 s.
  std::string line = top_line(*openat, TopView::Syscalls, s.seconds);
  EXPECT_NE(line.find("2.5"), std::string::npos) << line;
  EXPECT_NE(line.find("ENOENT 2.0/s EACCES 0.5/s"), std::string::npos) << line;
  EXPECT_EQ(top_rate(12345.4), "12345");
  EXPECT_EQ(top_rate(0), "0");
  EXPECT_EQ(top_rate(0.25), "0.2");
}

TEST(TopModel, ProgramNamesAreEscaped) {
  TopCounter c;
  c.add_call(7, "a\x1b[2Jb", "getppid", 0, true, 10);
  TopSnapshot s = c.take(1000000000, 1.0);
  std::string line =
      top_line(*top_rows(s, TopView::Processes, TopSort::Calls, "")[0], TopView::Processes, 1.0);
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_NE(line.find("a\\x1b[2Jb"), std::string::npos) << line;
}

// Aggregates (eBPF): percentiles from buckets, marked estimated; per process when split.
TEST(TopModel, AggregatesCountToo) {
  TopCounter c;
  SyscallAggregate a;
  a.nr = 0;
  a.pid = 42;
  a.comm = "agg";
  a.calls = 3;
  a.total_ns = 3000;
  a.max_ns = 1500;
  a.log2_ns[11] = 3;  // [1024, 2048) ns
  a.errnos[ENOENT] = 1;
  c.add_aggregate(a, "read");
  TopSnapshot s = c.take(1000000000, 1.0);
  const TopRow* r = top_rows(s, TopView::Syscalls, TopSort::Calls, "")[0];
  EXPECT_EQ(r->calls, 3u);
  EXPECT_EQ(r->errors, 1u);
  EXPECT_TRUE(r->estimated);
  EXPECT_EQ(top_rows(s, TopView::Processes, TopSort::Calls, "")[0]->pid, 42);
  EXPECT_EQ(top_rows(s, TopView::Programs, TopSort::Calls, "")[0]->name, "agg");
  // The next interval starts empty.
  EXPECT_TRUE(c.empty());
}

TEST(TopModel, PlainTableHasTheTimeAndTotals) {
  TopSnapshot s = sample();
  std::string t = top_plain_table(s, TopView::Syscalls, TopSort::Calls);
  EXPECT_NE(t.find("(2.00 s) ---\nSYSCALL"), std::string::npos) << t;
  EXPECT_NE(t.find("\nTOTAL"), std::string::npos) << t;
}

}  // namespace
}  // namespace dtruss
