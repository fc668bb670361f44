// The summary model and table: from synthetic decoded calls and from kernel-style aggregates;
// percentiles, histogram drawing, sort orders and the JSON object.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "output/pipeline.h"
#include "output/summary_sink.h"
#include "sink_support.h"

namespace dtruss {
namespace {

std::string run_sink(SummaryOptions opt, const std::function<void(SummarySink&)>& feed) {
  unit::Capture out;
  {
    Writer w(out.fd(), false);
    SummarySink sink(w, opt);
    feed(sink);
    sink.finish();
  }
  return out.text();
}

// Feeds one call of `nr` by thread pid/tid lasting `dur_ns`, failing with `err` if non-zero.
void feed_call(SummarySink& sink, long nr, uint64_t dur_ns, int err = 0, int pid = 10, int tid = 10,
               const char* comm = "prog") {
  SyscallEvent ev;
  ev.task.pid = pid;
  ev.task.tid = tid;
  std::strncpy(ev.task.comm.data(), comm, ev.task.comm.size() - 1);
  ev.nr = nr;
  ev.enter_ns = 1000;
  ev.exit_ns = 1000 + dur_ns;
  ev.ret = err != 0 ? -err : 0;
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  sink.syscall(call);
}

// The data row of `name` split in columns (empty if absent).
std::vector<std::string> row_of(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream cols(line);
    std::vector<std::string> v;
    std::string c;
    while (cols >> c) v.push_back(c);
    if (!v.empty() && v[0] == name) return v;
  }
  return {};
}

TEST(Log2Buckets, PowersOfTwo) {
  EXPECT_EQ(log2_bucket(0), 0);
  EXPECT_EQ(log2_bucket(1), 1);
  EXPECT_EQ(log2_bucket(2), 2);
  EXPECT_EQ(log2_bucket(3), 2);
  EXPECT_EQ(log2_bucket(4), 3);
  EXPECT_EQ(log2_bucket(1023), 10);
  EXPECT_EQ(log2_bucket(1024), 11);
  EXPECT_EQ(log2_bucket(UINT64_MAX), 63);
  for (int b = 1; b < 63; ++b) {
    EXPECT_EQ(log2_bucket(log2_bucket_low(b)), b);
    EXPECT_EQ(log2_bucket(log2_bucket_high(b)), b);
  }
}

TEST(LatencyStats, ExactNearestRankPercentiles) {
  LatencyStats s;
  for (uint64_t i = 1; i <= 100; ++i) s.add(i * 1000);
  bool est = true;
  EXPECT_EQ(s.percentile(0.50, &est), 50000u);
  EXPECT_FALSE(est);
  EXPECT_EQ(s.percentile(0.99, &est), 99000u);
  EXPECT_EQ(s.percentile(1.0, &est), 100000u);
  EXPECT_EQ(s.average(), 50500u);
  EXPECT_EQ(s.max_ns, 100000u);
}

TEST(LatencyStats, CallsLongerThanUint32StayExact) {
  LatencyStats s;
  s.add(10);
  s.add(5'000'000'000ull);  // 5 s: does not fit 32 bits
  s.add(6'000'000'000ull);
  bool est = true;
  EXPECT_EQ(s.percentile(0.34, &est), 5'000'000'000ull);
  EXPECT_EQ(s.percentile(1.0, &est), 6'000'000'000ull);
  EXPECT_EQ(s.percentile(0.2, &est), 10u);
  EXPECT_FALSE(est);
}

TEST(LatencyStats, BucketsGiveEstimatedBounds) {
  LatencyStats s;
  std::array<uint64_t, kLog2Buckets> b{};
  b[11] = 90;  // [1024, 2048)
  b[20] = 10;  // [524288, 1048576)
  s.add_buckets(b, 90 * 1500 + 10 * 600000, 700000);
  bool est = false;
  EXPECT_EQ(s.percentile(0.50, &est), 2047u);
  EXPECT_TRUE(est);
  EXPECT_EQ(s.percentile(0.99, &est), 700000u);  // bucket bound capped by the real max
  EXPECT_EQ(s.timed, 100u);
}

TEST(SummaryTable, FromDecodedCalls) {
  auto t = run_sink({}, [](SummarySink& s) {
    for (int i = 0; i < 3; ++i)
      feed_call(s, SYS_openat, 200'000 + i * 100'000, i == 0 ? ENOENT : 0);
    feed_call(s, SYS_openat, 100'000, EACCES);
    feed_call(s, SYS_openat, 100'000, ENOENT);
    feed_call(s, SYS_close, 1'000);
  });
  SCOPED_TRACE(t);
  EXPECT_EQ(row_of(t, "CALL"),
            (std::vector<std::string>{"CALL", "COUNT", "ERRORS", "TOTAL(us)", "AVG(us)", "P50(us)",
                                      "P99(us)", "MAX(us)", "ERRNOS"}));
  // 100, 100, 200, 300, 400 µs; ENOENT twice, EACCES once (the most frequent first).
  EXPECT_EQ(row_of(t, "openat"),
            (std::vector<std::string>{"openat", "5", "3", "1100", "220.0", "200.0", "400.0",
                                      "400.0", "ENOENT\u00d72", "EACCES\u00d71"}));
  EXPECT_EQ(row_of(t, "close"),
            (std::vector<std::string>{"close", "1", "0", "1", "1.0", "1.0", "1.0", "1.0"}));
  EXPECT_EQ(row_of(t, "TOTAL"), (std::vector<std::string>{"TOTAL", "6", "3", "1101"}));
  // dtruss's order: the most frequent last.
  EXPECT_LT(t.find("close"), t.find("openat"));
  EXPECT_LT(t.find("openat"), t.find("\nTOTAL "));
  EXPECT_NE(t.find("6 calls, 3 errors, 0 lost events"), std::string::npos);
  EXPECT_EQ(t.find("\u2248"), std::string::npos) << "exact percentiles carry no estimate mark";
}

TEST(SummaryTable, ColumnsStayAlignedWithEstimates) {
  SyscallAggregate a;
  a.nr = SYS_read;
  a.calls = 4;
  a.total_ns = 4000;
  a.max_ns = 1500;
  a.log2_ns[10] = 4;
  auto t = run_sink({}, [&](SummarySink& s) {
    s.add_aggregate(a);
    feed_call(s, SYS_close, 1'000);
  });
  SCOPED_TRACE(t);
  // The header and both rows put the ERRNOS column at the same place (in characters).
  std::istringstream in(t);
  std::string line;
  std::vector<size_t> widths;
  while (std::getline(in, line)) {
    if (line.rfind("CALL", 0) != 0 && line.rfind("read", 0) != 0 && line.rfind("close", 0) != 0)
      continue;
    size_t chars = 0;
    std::string trimmed = line.substr(0, line.find_last_not_of(' ') + 1);
    if (line.rfind("CALL", 0) == 0) trimmed.resize(trimmed.size() - std::strlen("ERRNOS"));
    for (unsigned char c : trimmed) chars += (c & 0xC0) != 0x80;
    widths.push_back(chars);
  }
  ASSERT_EQ(widths.size(), 3u);
  EXPECT_EQ(widths[0], widths[1] + 2);
  EXPECT_EQ(widths[1], widths[2]);
}

TEST(SummaryTable, FromKernelAggregates) {
  SyscallAggregate a;
  a.nr = SYS_openat;
  a.calls = 100;
  a.total_ns = 90 * 1500 + 10 * 600'000;
  a.max_ns = 700'000;
  a.errnos = {{ENOENT, 12}, {EACCES, 30}};
  a.log2_ns[11] = 90;
  a.log2_ns[20] = 10;
  SyscallAggregate b;
  b.nr = SYS_close;
  b.calls = 7;
  b.total_ns = 7000;
  b.max_ns = 1000;
  b.log2_ns[10] = 7;
  auto t = run_sink({}, [&](SummarySink& s) {
    s.add_aggregate(a);
    s.add_aggregate(b);
  });
  SCOPED_TRACE(t);
  EXPECT_EQ(row_of(t, "openat"),
            (std::vector<std::string>{"openat", "100", "42", "6135", "61.3", "\u22482.0",
                                      "\u2248700.0", "700.0", "EACCES\u00d730", "ENOENT\u00d712"}));
  EXPECT_EQ(row_of(t, "close"), (std::vector<std::string>{"close", "7", "0", "7", "1.0",
                                                          "\u22481.0", "\u22481.0", "1.0"}));
  EXPECT_EQ(row_of(t, "TOTAL"), (std::vector<std::string>{"TOTAL", "107", "42", "6142"}));
  EXPECT_NE(t.find("estimated from power-of-two latency buckets"), std::string::npos);
}

TEST(SummaryTable, AggregatesSplitByProcess) {
  auto agg = [](int pid, int tid, const char* comm, uint64_t calls) {
    SyscallAggregate a;
    a.nr = SYS_write;
    a.pid = pid;
    a.tid = tid;
    a.comm = comm;
    a.calls = calls;
    a.total_ns = calls * 2000;
    a.max_ns = 2000;
    a.log2_ns[11] = calls;
    return a;
  };
  SummaryOptions opt;
  opt.by = SummaryBy::Process;
  auto t = run_sink(opt, [&](SummarySink& s) {
    s.add_aggregate(agg(20, 20, "sh", 3));
    s.add_aggregate(agg(30, 31, "worker", 5));
    s.add_aggregate(agg(30, 30, "server", 2));
  });
  SCOPED_TRACE(t);
  auto sh = t.find("PID 20 (sh)\n");
  auto server = t.find("PID 30 (server)\n");  // named after its main thread
  ASSERT_NE(sh, std::string::npos);
  ASSERT_NE(server, std::string::npos);
  EXPECT_LT(sh, server);
  EXPECT_NE(t.find("TOTAL                          3"), std::string::npos);
  EXPECT_NE(t.find("TOTAL                          7"), std::string::npos);
  EXPECT_NE(t.find("10 calls, 0 errors, 0 lost events"), std::string::npos);
}

TEST(SummaryTable, SplitByThreadNamesEachThread) {
  SummaryOptions opt;
  opt.by = SummaryBy::Thread;
  auto t = run_sink(opt, [&](SummarySink& s) {
    feed_call(s, SYS_getppid, 500, 0, 40, 40, "main");
    feed_call(s, SYS_getppid, 500, 0, 40, 41, "helper");
    feed_call(s, SYS_getppid, 500, 0, 40, 41, "helper");
  });
  SCOPED_TRACE(t);
  EXPECT_NE(t.find("PID 40 TID 40 (main)\n"), std::string::npos);
  EXPECT_NE(t.find("PID 40 TID 41 (helper)\n"), std::string::npos);
  EXPECT_NE(t.find("3 calls, 0 errors"), std::string::npos);
}

std::vector<std::string> names_in_order(const std::string& t) {
  std::vector<std::string> out;
  std::istringstream in(t);
  std::string line;
  while (std::getline(in, line)) {
    std::string first = line.substr(0, line.find(' '));
    if (first == "close" || first == "openat" || first == "read" || first == "write")
      out.push_back(first);
  }
  return out;
}

TEST(SummaryTable, SortOrders) {
  auto feed = [](SummarySink& s) {
    // calls: write 4, read 3, openat 2, close 1; time: close longest, then openat, write, read;
    // errors: openat 2, read 1.
    for (int i = 0; i < 4; ++i) feed_call(s, SYS_write, 100);
    for (int i = 0; i < 3; ++i) feed_call(s, SYS_read, 10, i == 0 ? EAGAIN : 0);
    for (int i = 0; i < 2; ++i) feed_call(s, SYS_openat, 1000, ENOENT);
    feed_call(s, SYS_close, 100'000);
  };
  using V = std::vector<std::string>;
  SummaryOptions opt;
  EXPECT_EQ(names_in_order(run_sink(opt, feed)), (V{"close", "openat", "read", "write"}));
  opt.sort = SummarySort::Time;
  EXPECT_EQ(names_in_order(run_sink(opt, feed)), (V{"read", "write", "openat", "close"}));
  opt.sort = SummarySort::Errors;
  EXPECT_EQ(names_in_order(run_sink(opt, feed)), (V{"close", "write", "read", "openat"}));
  opt.sort = SummarySort::Name;
  EXPECT_EQ(names_in_order(run_sink(opt, feed)), (V{"close", "openat", "read", "write"}));
}

TEST(Histogram, DrawnLikeQuantize) {
  std::array<uint64_t, kLog2Buckets> b{};
  b[11] = 3;  // 1024
  b[12] = 1;  // 2048
  b[14] = 4;  // 8192
  std::string h = draw_log2_histogram(b);
  std::string at40(40, '@');
  EXPECT_EQ(h,
            "      value (ns)  ------------- Distribution ------------- count\n"
            "             512 |                                         0\n"
            "            1024 |" +
                std::string(15, '@') + std::string(25, ' ') +
                " 3\n"
                "            2048 |" +
                std::string(5, '@') + std::string(35, ' ') +
                " 1\n"
                "            4096 |                                         0\n"
                "            8192 |" +
                std::string(20, '@') + std::string(20, ' ') +
                " 4\n"
                "           16384 |                                         0\n");
  EXPECT_EQ(draw_log2_histogram({}), "");
  std::array<uint64_t, kLog2Buckets> zero{};
  zero[0] = 2;  // only 0 ns: nothing below it
  EXPECT_EQ(draw_log2_histogram(zero),
            "      value (ns)  ------------- Distribution ------------- count\n"
            "               0 |" +
                at40 +
                " 2\n"
                "               1 |                                         0\n");
}

TEST(Histogram, PrintedPerSyscallWithH) {
  SummaryOptions opt;
  opt.histogram = true;
  auto t = run_sink(opt, [](SummarySink& s) {
    feed_call(s, SYS_read, 1500);
    feed_call(s, SYS_read, 1600);
  });
  SCOPED_TRACE(t);
  EXPECT_NE(t.find("  read latency\n"), std::string::npos);
  EXPECT_NE(t.find("            1024 |" + std::string(40, '@') + " 2\n"), std::string::npos);
  EXPECT_EQ(run_sink({}, [](SummarySink& s) { feed_call(s, SYS_read, 1500); }).find("Distribution"),
            std::string::npos);
}

TEST(SummaryTable, SampleBudgetFallsBackToBuckets) {
  SummaryOptions opt;
  opt.max_samples = 10;
  auto t = run_sink(opt, [](SummarySink& s) {
    for (int i = 0; i < 20; ++i) feed_call(s, SYS_read, 1000);
  });
  SCOPED_TRACE(t);
  EXPECT_EQ(row_of(t, "read").at(5), "\u22481.0");  // bucket [512, 1023], capped by the max (1000)
}

TEST(SummaryTable, SampleBudgetIsExactUpToItsLimit) {
  SummaryOptions opt;
  opt.max_samples = 10;
  auto feed = [&](int n) {
    return run_sink(opt, [n](SummarySink& s) {
      for (int i = 0; i < n; ++i) feed_call(s, SYS_read, 1000);
      feed_call(s, SYS_write, 1000);  // a row begun past the budget has none either
    });
  };
  EXPECT_EQ(row_of(feed(9), "read").at(5), "1.0");
  EXPECT_EQ(row_of(feed(9), "write").at(5), "1.0");
  EXPECT_EQ(row_of(feed(10), "read").at(5), "\u22481.0");
  EXPECT_EQ(row_of(feed(10), "write").at(5), "\u22481.0");
}

TEST(SummaryJson, OneObjectWithEverything) {
  SummaryOptions opt;
  opt.json = true;
  SyscallAggregate a;
  a.nr = SYS_close;
  a.calls = 2;
  a.total_ns = 3000;
  a.max_ns = 2000;
  a.errnos = {{EBADF, 1}};
  a.log2_ns[10] = 1;
  a.log2_ns[11] = 1;
  auto t = run_sink(opt, [&](SummarySink& s) {
    feed_call(s, SYS_openat, 250'000, ENOENT);
    s.add_aggregate(a);
    s.lost({0, 5});
  });
  ASSERT_EQ(std::count(t.begin(), t.end(), '\n'), 1) << t;
  auto j = nlohmann::json::parse(t);
  EXPECT_EQ(j["type"], "summary");
  EXPECT_EQ(j["sort"], "calls");
  ASSERT_EQ(j["calls"].size(), 2u);
  auto open = j["calls"][0];
  EXPECT_EQ(open["syscall"], "openat");
  EXPECT_EQ(open["count"], 1);
  EXPECT_EQ(open["errors"], 1);
  EXPECT_EQ(open["errnos"], nlohmann::json({{"ENOENT", 1}}));
  EXPECT_EQ(open["time_ns"], 250000);
  EXPECT_EQ(open["p50_ns"], 250000);
  EXPECT_EQ(open["p99_ns"], 250000);
  EXPECT_EQ(open["max_ns"], 250000);
  EXPECT_EQ(open["percentiles"], "exact");
  EXPECT_EQ(open["histogram"], nlohmann::json::parse(R"([{"ns":131072,"count":1}])"));
  auto close = j["calls"][1];
  EXPECT_EQ(close["syscall"], "close");
  EXPECT_EQ(close["percentiles"], "log2");
  EXPECT_EQ(close["avg_ns"], 1500);
  EXPECT_EQ(close["errnos"], nlohmann::json({{"EBADF", 1}}));
  EXPECT_EQ(close["histogram"],
            nlohmann::json::parse(R"([{"ns":512,"count":1},{"ns":1024,"count":1}])"));
  EXPECT_EQ(j["total"], nlohmann::json::parse(R"({"count":3,"errors":2,"time_ns":253000})"));
  EXPECT_EQ(j["lost"], 5);
}

TEST(SummaryJson, GroupsWhenSplit) {
  SummaryOptions opt;
  opt.json = true;
  opt.by = SummaryBy::Thread;
  auto t = run_sink(opt, [](SummarySink& s) {
    feed_call(s, SYS_getppid, 500, 0, 40, 40, "main");
    feed_call(s, SYS_getppid, 500, 0, 40, 41, "helper");
  });
  auto j = nlohmann::json::parse(t);
  EXPECT_EQ(j["by"], "thread");
  ASSERT_EQ(j["groups"].size(), 2u);
  EXPECT_EQ(j["groups"][1]["tid"], 41);
  EXPECT_EQ(j["groups"][1]["comm"], "helper");
  EXPECT_EQ(j["groups"][1]["calls"][0]["count"], 1);
  EXPECT_EQ(j["total"]["count"], 2);
}

TEST(SummaryPipeline, AggregatesReachTheSummaryThroughThePipeline) {
  char tmpl[] = "/tmp/dtruss-summary-XXXXXX";
  int fd = mkstemp(tmpl);
  unlink(tmpl);
  {
    Writer w(fd, false);
    std::vector<bool> selected(512, false);
    selected[SYS_read] = true;  // -t read
    Pipeline p(Decoder({64, false}), selected, w);
    p.add_sink(std::make_unique<SummarySink>(w, SummaryOptions{}));
    SyscallAggregate read;
    read.nr = SYS_read;
    read.pid = 7;
    read.calls = 9;
    read.log2_ns[5] = 9;
    SyscallAggregate write = read;
    write.nr = SYS_write;
    p.on_aggregate(read);
    p.on_aggregate(write);
    p.finish();
    EXPECT_EQ(p.calls(), 9u);
    EXPECT_EQ(p.processes(), 1u);
  }
  std::string out(4096, '\0');
  out.resize(static_cast<size_t>(pread(fd, out.data(), out.size(), 0)));
  close(fd);
  EXPECT_EQ(row_of(out, "read").at(1), "9") << out;
  EXPECT_TRUE(row_of(out, "write").empty()) << "not selected: " << out;
}

}  // namespace
}  // namespace dtruss
