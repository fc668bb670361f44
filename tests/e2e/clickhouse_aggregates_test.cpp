// --summary/--top --clickhouse (part 13): the counts per interval, host, syscall and program go
// to dtruss_aggregates, not the raw events; they equal the same run's --summary JSON on both
// backends (eBPF: counted in the kernel); two intervals are two sets of rows that add up to the
// total; --clickhouse-events sends both; a database of schema version 1 is refused; the
// documented dashboard queries run against the table.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>

#include "clickhouse_server.h"
#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

bool exists(const std::string& path) {
  return access(path.c_str(), F_OK) == 0;
}

void touch(const std::string& path) {
  std::ofstream(path) << "";
}

// One line per syscall: "name calls errors total_ns max_ns errnos" (errnos "ENOENT:1,...").
using Table = std::map<std::string, std::string>;

std::string errnos_of(const json& errnos) {
  std::string s;
  for (const auto& [name, n] : errnos.items())
    s += name + ":" + std::to_string(n.get<long>()) + ",";
  return s;
}

// The --summary JSON's rows (of every group).
Table summary_table(const std::string& trace_path) {
  Table t;
  json summary = summary_object(trace_path);
  std::vector<json> calls;
  if (summary.contains("calls"))
    for (const json& c : summary["calls"]) calls.push_back(c);
  if (summary.contains("groups"))
    for (const json& g : summary["groups"])
      for (const json& c : g["calls"]) calls.push_back(c);
  for (const json& c : calls)
    t[c["syscall"].get<std::string>()] =
        std::to_string(c["count"].get<long>()) + " " + std::to_string(c["errors"].get<long>()) +
        " " + std::to_string(c["time_ns"].get<uint64_t>()) + " " +
        std::to_string(c["max_ns"].get<uint64_t>()) + " " + errnos_of(c["errnos"]);
  return t;
}

// The same from dtruss_aggregates' rows of `host` (all intervals and programs added up).
Table aggregates_table(const ClickHouseServer& ch, const std::string& db, const std::string& host) {
  std::string from = " FROM " + db + ".dtruss_aggregates";
  std::string where = " WHERE host = '" + host + "' AND syscall != ''";
  std::string tsv = ch.query("SELECT syscall, sum(calls), sum(errors), sum(total_ns), max(max_ns)" +
                             from + where + " GROUP BY syscall FORMAT TabSeparated");
  // (18.16's sumMap takes no String keys: the errnos by ARRAY JOIN)
  std::string errnos = ch.query(
      "SELECT syscall, name, sum(n)" + from + " ARRAY JOIN errno_names AS name, errno_counts AS n" +
      where + " GROUP BY syscall, name ORDER BY syscall, name FORMAT TabSeparated");
  EXPECT_FALSE(contains(tsv + errnos, "ERROR")) << tsv << errnos;
  std::map<std::string, std::string> by_call;
  for (const std::string& l : lines(errnos)) {
    std::stringstream ss(l);
    std::string name, err, n;
    ss >> name >> err >> n;
    by_call[name] += err + ":" + n + ",";
  }
  Table t;
  for (const std::string& l : lines(tsv)) {
    std::stringstream ss(l);
    std::string name, calls, errors, total, max;
    ss >> name >> calls >> errors >> total >> max;
    t[name] = calls + " " + errors + " " + total + " " + max + " " + by_call[name];
  }
  return t;
}

std::string show(const Table& t) {
  std::string s;
  for (const auto& [k, v] : t) s += k + "=" + v + "\n";
  return s;
}

class ClickHouseAggregates : public WithClickHouse<BackendTest> {
 protected:
  std::string host(const std::string& name) const { return name + "-" + GetParam(); }
  long events_rows(const std::string& h) {
    return ch().number("SELECT count() FROM dtruss_test.dtruss_events WHERE host = '" + h + "'");
  }
};

// --summary --clickhouse: the aggregates' calls, errors, errnos, total and longest durations per
// syscall are those of the same run's --summary JSON; no raw row is written; the rows name the
// program.
TEST_P(ClickHouseAggregates, EqualTheSummaryAndNoRawRows) {
  std::string dir = temp_dir(), trace = dir + "/trace";
  auto r = run_dtruss({backend(), "--summary", "--json", "--output", trace, "--clickhouse",
                       ch().url(), "--host-name", host("agg"), fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "ClickHouse")) << r.err;
  Table want = summary_table(trace);
  ASSERT_FALSE(want.empty()) << read_file(trace);
  EXPECT_TRUE(contains(want["openat"], "ENOENT:1,")) << show(want);
  EXPECT_EQ(show(aggregates_table(ch(), "dtruss_test", host("agg"))), show(want));
  EXPECT_EQ(events_rows(host("agg")), 0) << "aggregates only: no raw rows";
  EXPECT_EQ(ch().number("SELECT count() FROM dtruss_test.dtruss_aggregates WHERE host = '" +
                        host("agg") + "' AND syscall = 'openat' AND comm = 'files'"),
            1);
  // The histogram's buckets add up to the calls that returned (all of them here).
  EXPECT_EQ(ch().number("SELECT sum(arraySum(log2_ns)) - sum(calls) FROM "
                        "dtruss_test.dtruss_aggregates WHERE host = '" +
                        host("agg") + "' AND syscall != 'exit_group'"),
            0);
}

// Two intervals: the first phase's calls arrive while the program still runs (an interval's
// rows, before the end), the second's after; the interval sets add up to the --summary total.
TEST_P(ClickHouseAggregates, TwoIntervalsAddUpToTheTotal) {
  std::string dir = temp_dir(), trace = dir + "/trace";
  ChildGuard dtruss{spawn({dtruss_bin(), backend(), "--summary", "--output", trace, "--interval",
                           "0.2", "--clickhouse", ch().url(), "--host-name", host("two"),
                           "--clickhouse-flush", "0.05", fixture("ch_phases"), dir, "3000", "2"},
                          dir + "/out", dir + "/err")};
  ASSERT_GT(dtruss.pid, 0);
  std::string getppids = "SELECT sum(calls) FROM dtruss_test.dtruss_aggregates WHERE host = '" +
                         host("two") + "' AND syscall = 'getppid'";
  ASSERT_TRUE(wait_until([&] { return ch().number(getppids) == 3000; }, 60000))
      << "the first phase's interval never arrived: " << read_file(dir + "/err");
  long first_intervals = ch().number(
      "SELECT uniqExact(interval_start, interval_ns) FROM dtruss_test.dtruss_aggregates WHERE "
      "host = '" +
      host("two") + "' AND syscall = 'getppid'");
  touch(dir + "/go1");
  int status = wait_for(dtruss.pid, 60000);
  dtruss.pid = -1;
  ASSERT_EQ(exit_code(status), 0) << read_file(dir + "/err");
  EXPECT_EQ(ch().number(getppids), 6000);
  EXPECT_GT(ch().number("SELECT uniqExact(interval_start, interval_ns) FROM "
                        "dtruss_test.dtruss_aggregates WHERE host = '" +
                        host("two") + "' AND syscall = 'getppid'"),
            first_intervals);
  // (--interval prints a table an interval: the last is the whole run's)
  std::string text = read_file(trace);
  Table want;
  for (const auto& [name, n] : summary_rows(text.substr(text.rfind("CALL"))))
    want[name] = std::to_string(n.first) + " " + std::to_string(n.second);
  Table got = aggregates_table(ch(), "dtruss_test", host("two"));
  for (auto& [name, row] : got) row = row.substr(0, row.find(' ', row.find(' ') + 1));
  EXPECT_EQ(show(got), show(want)) << text;
  EXPECT_EQ(want["getppid"], "6000 0");
  EXPECT_EQ(events_rows(host("two")), 0);
}

// --clickhouse-events: the raw rows too, counting the same.
TEST_P(ClickHouseAggregates, EventsTooWhenAsked) {
  std::string dir = temp_dir(), trace = dir + "/trace";
  auto r =
      run_dtruss({backend(), "--summary", "--json", "--output", trace, "--clickhouse", ch().url(),
                  "--clickhouse-events", "--host-name", host("both"), fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  Table want = summary_table(trace);
  EXPECT_EQ(show(aggregates_table(ch(), "dtruss_test", host("both"))), show(want));
  long calls = 0;
  for (const auto& [name, row] : want) calls += std::stol(row);
  EXPECT_EQ(ch().number("SELECT count() FROM dtruss_test.dtruss_events WHERE host = '" +
                        host("both") + "' AND type = 'syscall'"),
            calls);
}

// --top --clickhouse: its intervals' counts, every call once.
TEST_P(ClickHouseAggregates, TopSendsItsIntervals) {
  std::string dir = temp_dir();
  auto r =
      run_dtruss({backend(), "--top", "--interval", "0.2", "--output", dir + "/top", "--clickhouse",
                  ch().url(), "--host-name", host("top"), fixture("ch_phases"), dir, "2500", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(ch().number("SELECT sum(calls) FROM dtruss_test.dtruss_aggregates WHERE host = '" +
                        host("top") + "' AND syscall = 'getppid' AND comm = 'ch_phases'"),
            2500);
  EXPECT_EQ(ch().number("SELECT sum(errors) FROM dtruss_test.dtruss_aggregates WHERE host = '" +
                        host("top") + "' AND syscall = 'openat' AND comm = 'ch_phases'"),
            1);
  EXPECT_EQ(events_rows(host("top")), 0);
}

// -s with --clickhouse: each row's stack column is the frames the same run's JSON line shows.
TEST_P(ClickHouseAggregates, StacksRoundTrip) {
  std::string dir = temp_dir(), trace = dir + "/trace";
  auto r = run_dtruss({backend(), "-s", "--json", "--output", trace, "--clickhouse", ch().url(),
                       "--host-name", host("stack"), fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<json> events = syscalls(json_lines(read_file(trace)));
  std::vector<json> rows = json_lines(
      ch().query("SELECT syscall, stack FROM dtruss_test.dtruss_events WHERE host = '" +
                 host("stack") + "' AND type = 'syscall' ORDER BY ts_ns FORMAT JSONEachRow"));
  ASSERT_EQ(rows.size(), events.size());
  size_t with_stack = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(events[i].dump());
    EXPECT_EQ(rows[i]["syscall"], events[i]["syscall"]);
    if (!events[i].contains("stack")) {
      EXPECT_EQ(rows[i]["stack"], "");
      continue;
    }
    ++with_stack;
    EXPECT_EQ(json::parse(rows[i]["stack"].get<std::string>()), events[i]["stack"]);
  }
  EXPECT_GT(with_stack, rows.size() / 2) << "the calls' stacks";
}

INSTANTIATE_BACKENDS(ClickHouseAggregates);

// --top on eBPF sends an event a call: with a ring too small for a burst, the events the ring lost
// are in the aggregates too (rows of their own, syscall empty), so that calls and lost add up.
class ClickHouseAggregatesBpf : public ClickHouseAggregates {};

TEST_P(ClickHouseAggregatesBpf, LostEventsAreCounted) {
  std::string dir = temp_dir();
  auto r = run_dtruss(
      {backend(), "--summary", "-z", "-b", "4K", "--output", dir + "/summary", "--clickhouse",
       ch().url(), "--host-name", host("lost"), fixture("getppid_burst"), "300000"},
      120);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string where = " FROM dtruss_test.dtruss_aggregates WHERE host = '" + host("lost") + "'";
  long lost = ch().number("SELECT sum(lost)" + where + " AND syscall = ''");
  long calls = ch().number("SELECT sum(calls)" + where + " AND syscall = 'getppid'");
  EXPECT_GT(lost, 0) << "a 4 KiB ring loses some of a burst of 300000 calls";
  EXPECT_LT(calls, 300000);
  EXPECT_GE(calls + lost, 300000);
  EXPECT_EQ(ch().number("SELECT sum(lost)" + where + " AND syscall != ''"), 0);
  std::smatch said;  // (the summary's own count of them)
  std::string text = read_file(dir + "/summary");
  ASSERT_TRUE(std::regex_search(text, said, std::regex("(\\d+) lost events"))) << text;
  EXPECT_EQ(std::stol(said[1]), lost) << text;
}

INSTANTIATE_BACKENDS_OF(ClickHouseAggregatesBpf, "bpf");

// A database dtruss made at schema version 1 (no dtruss_aggregates) is refused in one line,
// before anything starts, and nothing is written to it.
class ClickHouseSchemaV1 : public WithClickHouse<::testing::Test> {
 protected:
};

TEST_F(ClickHouseSchemaV1, AVersionOneDatabaseIsRefused) {
  server_->query("CREATE DATABASE v1");
  server_->query(
      "CREATE TABLE v1.dtruss_events (time DateTime, host String, syscall String) ENGINE = "
      "MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (host, syscall, time)");
  server_->query(
      "CREATE TABLE v1.dtruss_schema (tbl String, version UInt32, created DateTime) ENGINE = "
      "MergeTree() ORDER BY tbl");
  server_->query("INSERT INTO v1.dtruss_schema VALUES ('dtruss_events', 1, now())");
  for (const char* mode : {"--summary", "--json"}) {
    std::string out = temp_dir() + "/trace";
    Result r = run({dtruss_bin(), mode, "--output", out, "--clickhouse", server_->url("v1"),
                    fixture("files"), "/tmp"});
    EXPECT_EQ(r.status, 2) << mode;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "schema version 1, this dtruss writes version 2")) << r.err;
    EXPECT_FALSE(exists(out)) << mode;
  }
  EXPECT_EQ(server_->number("SELECT count() FROM v1.dtruss_events"), 0);
  EXPECT_EQ(server_->number("EXISTS TABLE v1.dtruss_aggregates"), 0);
}

// docs/clickhouse.md's dashboard queries (its "Dashboards" section) run on the aggregates of a
// --summary run, and its table of dtruss_aggregates' columns names every column.
TEST_F(ClickHouseSchemaV1, DashboardQueriesRun) {
  std::string dir = temp_dir();
  Result r = run({dtruss_bin(), "--summary", "--output", dir + "/trace", "--clickhouse",
                  server_->url("dash"), "--host-name", "dash", fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string doc = read_file(std::string(FIXTURE_SRC_DIR) + "/../../docs/clickhouse.md");
  size_t at = doc.find("\n## Dashboards");
  ASSERT_NE(at, std::string::npos);
  std::string section = doc.substr(at, doc.find("\n## ", at + 1) - at);
  std::regex block(R"(```sql\n([\s\S]*?)```)");
  std::vector<std::string> queries;
  for (std::sregex_iterator it(section.begin(), section.end(), block), end; it != end; ++it)
    queries.push_back((*it)[1]);
  ASSERT_GE(queries.size(), 3u);
  for (const std::string& q : queries) {
    std::string result = server_->query(q, "dash");
    EXPECT_FALSE(contains(result, "ERROR")) << q << "\n" << result;
    EXPECT_FALSE(result.empty()) << q;
    if (contains(q, "SELECT comm")) {
      EXPECT_TRUE(std::regex_search(result, std::regex("(^|\n)files\t[0-9]+\t[0-9.]+"))) << result;
    }
    if (contains(q, "errno_names")) {
      EXPECT_TRUE(contains(result, "dash\topenat\tENOENT\t1")) << result;
    }
  }
  std::string columns = server_->query(
      "SELECT name FROM system.columns WHERE database = 'dash' AND table = 'dtruss_aggregates' "
      "FORMAT TabSeparated");
  ASSERT_FALSE(lines(columns).empty());
  for (const std::string& name : lines(columns))
    EXPECT_TRUE(contains(doc, "| `" + name + "` |")) << name << " is not in docs/clickhouse.md";
}

// --clickhouse-events without --summary or --top: refused in one line.
TEST(ClickHouseAggregatesUsage, EventsOptionNeedsSummaryOrTop) {
  Result r = run({dtruss_bin(), "--clickhouse", "http://127.0.0.1:1/", "--clickhouse-events",
                  fixture("files"), "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "--clickhouse-events goes with --summary or --top")) << r.err;
}

}  // namespace
}  // namespace e2e
