// --clickhouse-ttl DAYS on a server without table TTL (Debian's 18.16: ClickHouse 19.6 is the
// first with one): dtruss drops the day partitions older than DAYS days itself, in
// dtruss_events, dtruss_aggregates and dtruss_minutes' inner table, once the tables are ready
// (at start, or when a server away at start comes), and keeps the younger days and today's.
// On a server with table TTL, the tables have it (and nothing is dropped by dtruss).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "clickhouse_server.h"
#include "harness.h"

namespace e2e {
namespace {

constexpr int kDays = 7;
// The tables whose rows --clickhouse-ttl keeps, with their time column.
const std::pair<const char*, const char*> kTables[] = {
    {"dtruss_events", "time"},
    {"dtruss_aggregates", "interval_start"},
    {"dtruss_minutes", "minute"},
};

class ClickHouseTtl : public WithClickHouse<::testing::Test> {
 protected:
  bool table_ttl() const {
    std::string v = server_->query("SELECT version()");
    int major = std::stoi(v), minor = std::stoi(v.substr(v.find('.') + 1));
    return major > 19 || (major == 19 && minor >= 6);
  }
  // `db` made by a dtruss run (the current schema), then rows of `days_ago` days ago (by the
  // server's clock) of host `host` in dtruss_events (which feeds dtruss_minutes) and
  // dtruss_aggregates.
  void made(const std::string& db) {
    Result r = run({dtruss_bin(), "--clickhouse", server_->url(db), "--host-name", "first",
                    fixture("files"), temp_dir()});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  void rows_of(const std::string& db, int days_ago, const std::string& host) {
    std::string at = "toDateTime(today() - " + std::to_string(days_ago) + ") + 3600";
    EXPECT_EQ(
        server_->query("INSERT INTO " + db + ".dtruss_events (time, host, type, syscall) SELECT " +
                       at + ", '" + host + "', 'syscall', 'getpid'"),
        "");
    EXPECT_EQ(server_->query("INSERT INTO " + db +
                             ".dtruss_aggregates (interval_start, host, syscall, calls) SELECT " +
                             at + ", '" + host + "', 'getpid', 1"),
              "");
  }
  // The rows of `host` in each table ("dtruss_events=1 ...").
  std::string rows(const std::string& db, const std::string& host) const {
    std::string out;
    for (const auto& [table, time] : kTables) {
      (void)time;
      out += std::string(table) + "=" +
             std::to_string(server_->number("SELECT count() FROM " + db + "." + table +
                                            " WHERE host = '" + host + "'")) +
             " ";
    }
    return out;
  }
  // The day partitions older than DAYS days, in the tables (the view's inner one included).
  long old_partitions(const std::string& db) const {
    return server_->number(
        "SELECT count() FROM system.parts WHERE database = '" + db +
        "' AND active AND partition < toString(toYYYYMMDD(today() - " + std::to_string(kDays) +
        ")) AND table IN ('dtruss_events', 'dtruss_aggregates', '.inner.dtruss_minutes')");
  }
  static std::string expect(long n) {
    return "dtruss_events=" + std::to_string(n) + " dtruss_aggregates=" + std::to_string(n) +
           " dtruss_minutes=" + std::to_string(n) + " ";
  }
};

// Rows DAYS+2 days old go (their partitions, in the three tables); rows DAYS-1 days old and
// today's stay; the run is as any other (status 0, nothing said). With the events alone, the
// aggregates alone (--summary: their sender drops) and both (--clickhouse-events: one drops).
TEST_F(ClickHouseTtl, OldPartitionsAreDropped) {
  if (table_ttl()) GTEST_SKIP() << "table TTL: ClickHouseServed.TtlOnTheServer";
  struct Case {
    const char* db;
    std::vector<std::string> args;
    const char* today_in;  // the table of this run's rows
  };
  const Case cases[] = {
      {"ttl_drop", {}, "dtruss_events"},
      {"ttl_summary", {"--summary"}, "dtruss_aggregates"},
      {"ttl_both", {"--summary", "--clickhouse-events"}, "dtruss_aggregates"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.db);
    const std::string db = c.db;
    ASSERT_NO_FATAL_FAILURE(made(db));
    rows_of(db, kDays + 2, "old");
    rows_of(db, kDays - 1, "young");
    ASSERT_EQ(rows(db, "old"), expect(1));
    ASSERT_EQ(old_partitions(db), 3) << server_->query("SELECT table, partition FROM system.parts");
    std::vector<std::string> argv = {
        dtruss_bin(),          "--clickhouse", server_->url(db), "--clickhouse-ttl",
        std::to_string(kDays), "--host-name",  "today"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    argv.insert(argv.end(), {fixture("files"), temp_dir()});
    Result r = run(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(contains(r.err, "ClickHouse")) << "nothing to say: " << r.err;
    EXPECT_TRUE(wait_until([&] { return old_partitions(db) == 0; }, 30000)) << server_->query(
        "SELECT table, partition FROM system.parts WHERE database = '" + db + "'");
    EXPECT_EQ(rows(db, "old"), expect(0));
    EXPECT_EQ(rows(db, "young"), expect(1));
    EXPECT_GT(
        server_->number("SELECT count() FROM " + db + "." + c.today_in + " WHERE host = 'today'"),
        0);
    EXPECT_GT(server_->number("SELECT count() FROM " + db + ".dtruss_events WHERE host = 'first'"),
              0);
  }
}

// A server that refuses to list the old partitions (a setting passed on in the URL: at most 2
// rows a result, where the three tables' old days are 3): said once, and the trace and its rows
// are as without the option (status 0).
TEST_F(ClickHouseTtl, ARefusalIsSaidOnceAndNotFatal) {
  if (table_ttl()) GTEST_SKIP() << "table TTL: ClickHouseServed.TtlOnTheServer";
  const std::string db = "ttl_refused";
  ASSERT_NO_FATAL_FAILURE(made(db));
  rows_of(db, kDays + 2, "old");
  ASSERT_EQ(old_partitions(db), 3);
  std::string dir = temp_dir();
  Result r =
      run({dtruss_bin(), "--output", dir + "/trace", "--clickhouse",
           server_->url(db) + "&max_result_rows=2&result_overflow_mode=throw", "--clickhouse-ttl",
           std::to_string(kDays), "--host-name", "today", fixture("files"), dir});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err,
                       "the partitions older than 7 days (--clickhouse-ttl) could not be "
                       "dropped"))
      << r.err;
  EXPECT_EQ(old_partitions(db), 3);
  EXPECT_GT(server_->number("SELECT count() FROM " + db + ".dtruss_events WHERE host = 'today'"),
            0);
}

// A server away at start: the old partitions are dropped when it comes (with the tables made or
// checked then, by the sender), and the events of the run arrive.
TEST_F(ClickHouseTtl, DroppedWhenTheServerComes) {
  if (table_ttl()) GTEST_SKIP() << "table TTL: ClickHouseServed.TtlOnTheServer";
  const std::string db = "ttl_later";
  ASSERT_NO_FATAL_FAILURE(made(db));
  rows_of(db, kDays + 2, "old");
  rows_of(db, kDays - 1, "young");
  ASSERT_EQ(old_partitions(db), 3);
  server_->stop();
  std::string dir = temp_dir();
  ChildGuard dtruss{spawn(
      {dtruss_bin(), "--output", dir + "/trace", "--clickhouse", server_->url(db),
       "--clickhouse-ttl", std::to_string(kDays), "--host-name", "later", "--clickhouse-flush",
       "0.05", "--clickhouse-spool", dir + "/spool.zst", fixture("ch_phases"), dir, "100", "2"},
      dir + "/out", dir + "/err")};
  ASSERT_GT(dtruss.pid, 0);
  ASSERT_TRUE(wait_until([&] { return access((dir + "/done0").c_str(), F_OK) == 0; }, 60000))
      << read_file(dir + "/err");
  ASSERT_TRUE(wait_for_text(dir + "/err", "does not answer", 30000)) << read_file(dir + "/err");
  ASSERT_EQ(server_->start(), "");
  EXPECT_TRUE(wait_until([&] { return old_partitions(db) == 0; }, 30000))
      << read_file(dir + "/err");
  std::ofstream(dir + "/go1") << "";
  int status = wait_for(dtruss.pid, 90000);
  dtruss.pid = -1;
  std::string err = read_file(dir + "/err");
  EXPECT_EQ(exit_code(status), 0) << err;
  EXPECT_EQ(lines(err).size(), 1u) << "the absence said once: " << err;
  EXPECT_EQ(rows(db, "old"), expect(0));
  EXPECT_EQ(rows(db, "young"), expect(1));
  EXPECT_EQ(server_->number("SELECT count() FROM " + db +
                            ".dtruss_events WHERE host = 'later' AND syscall = 'getppid'"),
            200);
}

}  // namespace
}  // namespace e2e
