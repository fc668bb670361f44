// --clickhouse (part 13): a real ClickHouse server (clickhouse_server.h) gets every event of a
// traced fixture, as the same run's --summary and --json show them; a server stopped in the
// middle loses nothing; a server never there leaves the events in the spool, which the exit
// message names; two "hosts" write into one table at once; bad input and a table of another
// schema version are refused before anything starts; the URL's password is not in ps. (The runs
// with --summary, the reference counts, give --clickhouse-events: without it --summary sends the
// aggregates alone, clickhouse_aggregates_test.cpp.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <regex>

#include "clickhouse_server.h"
#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;
using Counts = std::map<std::string, std::pair<long, long>>;  // syscall -> calls, errors

// A query's TabSeparated rows of syscall, calls, errors.
Counts tsv_counts(const std::string& tsv) {
  Counts out;
  for (const auto& l : lines(tsv)) {
    std::stringstream ss(l);
    std::string name;
    long n = 0, e = 0;
    ss >> name >> n >> e;
    out[name] = {n, e};
  }
  return out;
}

// The calls of `host` in `db`.dtruss_events, counted per syscall.
Counts row_counts(const ClickHouseServer& ch, const std::string& db, const std::string& host) {
  std::string tsv = ch.query(
      "SELECT syscall, count(), countIf(errno != '') FROM " + db + ".dtruss_events WHERE host = '" +
      host + "' AND type IN ('syscall', 'uring') GROUP BY syscall FORMAT TabSeparated");
  Counts out = tsv_counts(tsv);
  EXPECT_FALSE(contains(tsv, "ERROR")) << tsv;
  return out;
}

// JSON lines' syscall events counted per syscall (a spool's rows, say).
Counts json_row_counts(const std::string& text) {
  Counts out;
  for (const json& r : json_lines(text)) {
    if (r["type"] != "syscall" && r["type"] != "uring") continue;
    auto& c = out[r["syscall"].get<std::string>()];
    ++c.first;
    if (!r["errno"].get<std::string>().empty()) ++c.second;
  }
  return out;
}

std::string show(const Counts& c) {
  std::string s;
  for (const auto& [k, v] : c)
    s += k + "=" + std::to_string(v.first) + "/" + std::to_string(v.second) + " ";
  return s;
}

bool exists(const std::string& path) {
  return access(path.c_str(), F_OK) == 0;
}

void touch(const std::string& path) {
  std::ofstream(path) << "";
}

// A suite with its own server: started once for the suite's tests (each ctest test is a process
// of its own: one server a test), stopped after them.
class ClickHouseTest : public WithClickHouse<BackendTest> {
 protected:
  // A host name of this test's own (the suite's tests may share a server).
  std::string host(const std::string& name) const { return name + "-" + GetParam(); }
};

// The counts per syscall in ClickHouse are those of the same run's --summary.
TEST_P(ClickHouseTest, CountsEqualTheSummary) {
  auto r = run_traced({backend(), "--summary", "--clickhouse-events", "--clickhouse", ch().url(),
                       "--host-name", host("counts"), fixture("files"), temp_dir()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "ClickHouse")) << "nothing to say when all was sent: " << r.err;
  Counts want = e2e::summary_rows(r.trace);
  ASSERT_FALSE(want.empty()) << r.trace;
  Counts got = row_counts(ch(), "dtruss_test", host("counts"));
  EXPECT_EQ(show(got), show(want)) << r.trace;
  EXPECT_EQ(got["openat"].second, 1) << "the ENOENT";
  // The per-minute aggregates (a materialized view of the rows) count the same.
  std::string tsv = ch().query(
      "SELECT syscall, countMerge(calls), countIfMerge(errors) FROM dtruss_test.dtruss_minutes "
      "WHERE host = '" +
      host("counts") + "' GROUP BY syscall FORMAT TabSeparated");
  Counts minutes = tsv_counts(tsv);
  EXPECT_EQ(show(minutes), show(want)) << tsv;
}

// Each row holds what the same run's JSON line says: the arguments, errno, result, duration.
TEST_P(ClickHouseTest, ArgumentsErrnoAndDurationsRoundTrip) {
  std::string dir = temp_dir();
  auto r = run_traced({backend(), "--json", "--clickhouse", ch().url(), "--host-name", host("json"),
                       fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<json> events = syscalls(json_lines(r.trace));
  std::vector<json> rows = json_lines(ch().query(
      "SELECT syscall, args, errno, ret, dur_ns, returned, path, fd, pid, tid, comm FROM "
      "dtruss_test.dtruss_events WHERE host = '" +
      host("json") +
      "' AND type = 'syscall' ORDER BY ts_ns "
      "FORMAT JSONEachRow"));
  ASSERT_EQ(rows.size(), events.size()) << dump(rows);
  bool saw_enoent = false, saw_write = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& e = events[i];
    const json& row = rows[i];
    SCOPED_TRACE(e.dump() + "\n" + row.dump());
    EXPECT_EQ(row["syscall"], e["syscall"]);
    EXPECT_EQ(json::parse(row["args"].get<std::string>()), e["args"]);
    EXPECT_EQ(row["errno"].get<std::string>(),
              e["errno"].is_null() ? std::string() : e["errno"].get<std::string>());
    EXPECT_EQ(std::stoull(row["dur_ns"].get<std::string>()),
              e["dur_ns"].is_null() ? 0 : e["dur_ns"].get<uint64_t>());
    EXPECT_EQ(row["returned"], e["dur_ns"].is_null() ? 0 : 1);
    if (!e["ret"].is_null()) {
      EXPECT_EQ(std::stoll(row["ret"].get<std::string>()), e["ret"].get<int64_t>());
    }
    EXPECT_EQ(row["pid"], e["pid"]);
    EXPECT_EQ(row["tid"], e["tid"]);
    EXPECT_EQ(row["comm"], e["comm"]);
    if (e["syscall"] == "openat" && e["errno"] == "ENOENT") {
      saw_enoent = true;
      EXPECT_EQ(row["path"], "/nonexistent/dtruss-missing");
      EXPECT_EQ(row["ret"], "-1");
    }
    if (e["syscall"] == "write" && e["args"]["fd"].get<int>() >= 3) {
      saw_write = true;
      EXPECT_EQ(row["fd"], e["args"]["fd"]);
      EXPECT_GT(std::stoull(row["dur_ns"].get<std::string>()), 0u);
    }
  }
  EXPECT_TRUE(saw_enoent && saw_write) << dump(events);
  EXPECT_EQ(ch().number("SELECT uniqExact(trace_id) FROM dtruss_test.dtruss_events WHERE host = '" +
                        host("json") + "'"),
            1);
  EXPECT_EQ(
      ch().number("SELECT count() FROM dtruss_test.dtruss_events WHERE host = '" + host("json") +
                  "' AND "
                  "type = 'exit' AND ret = 0 AND length(boot_id) = 36"),
      1);
}

// A signal, an exit and io_uring operations are rows too (the operations on eBPF, which sees
// them): as the JSON lines and the summary of the same runs show them.
TEST_P(ClickHouseTest, SignalsExitsAndUringOperationsAsRows) {
  auto r = run_traced({backend(), "--json", "--clickhouse", ch().url(), "--host-name", host("sig"),
                       fixture("signals")});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<json> signals = of_type(json_lines(r.trace), "signal");
  ASSERT_EQ(signals.size(), 1u) << r.trace;
  std::vector<json> rows = json_lines(
      ch().query("SELECT signal, text, pid FROM dtruss_test.dtruss_events WHERE host = '" +
                 host("sig") + "' AND type = 'signal' FORMAT JSONEachRow"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["signal"], "SIGUSR1");
  EXPECT_EQ(json::parse(rows[0]["text"].get<std::string>()), signals[0]["siginfo"]);
  EXPECT_EQ(rows[0]["pid"], signals[0]["pid"]);
  EXPECT_EQ(ch().number("SELECT count() FROM dtruss_test.dtruss_events WHERE host = '" +
                        host("sig") + "' AND type = 'exit' AND returned = 1 AND ret = 0"),
            1);

  auto u = run_traced({backend(), "--summary", "--clickhouse-events", "--clickhouse", ch().url(),
                       "--host-name", host("uring"), fixture("uring_ops"), "files", temp_dir()});
  ASSERT_EQ(u.status, 0) << u.err;
  Counts want = e2e::summary_rows(u.trace);
  EXPECT_EQ(show(row_counts(ch(), "dtruss_test", host("uring"))), show(want));
  long ops = ch().number("SELECT count() FROM dtruss_test.dtruss_events WHERE host = '" +
                         host("uring") + "' AND type = 'uring' AND syscall LIKE 'uring:%'");
  if (GetParam() == "bpf") {
    EXPECT_EQ(ops, 5) << u.trace;  // openat, write, read, close, nop
    EXPECT_EQ(want["uring:write"].first, 1) << u.trace;
  } else {
    EXPECT_EQ(ops, 0) << "ptrace sees no io_uring operation";
  }
}

// The server stopped while the command runs, then started again: every event arrives (held in
// the spool meanwhile), and the traced program's calls were not slowed by the wait.
TEST_P(ClickHouseTest, ServerStoppedInTheMiddleLosesNothing) {
  std::string dir = temp_dir();
  std::string spool = dir + "/spool.zst", trace = dir + "/trace";
  ChildGuard dtruss{
      spawn({dtruss_bin(), backend(), "--summary", "--clickhouse-events", "--output", trace,
             "--clickhouse", ch().url(), "--host-name", host("restart"), "--clickhouse-flush",
             "0.05", "--clickhouse-spool", spool, fixture("ch_phases"), dir, "2000", "3", "report"},
            dir + "/out", dir + "/err")};
  ASSERT_GT(dtruss.pid, 0);
  auto getppids = [&] {
    return ch().number("SELECT count() FROM dtruss_test.dtruss_events WHERE host = '" +
                       host("restart") +
                       "' AND "
                       "syscall = 'getppid'");
  };
  ASSERT_TRUE(wait_until([&] { return getppids() >= 2000; }, 60000))
      << "phase 0 never arrived: " << read_file(dir + "/err");
  ch().stop();
  touch(dir + "/go1");
  ASSERT_TRUE(wait_until([&] { return exists(dir + "/done1"); }, 60000));
  ASSERT_TRUE(wait_for_text(dir + "/err", "keeping them in '" + spool + "'", 30000))
      << read_file(dir + "/err");
  EXPECT_TRUE(exists(spool));
  ASSERT_EQ(ch().start(), "");
  touch(dir + "/go2");
  int status = wait_for(dtruss.pid, 90000);
  dtruss.pid = -1;
  ASSERT_EQ(exit_code(status), 0) << read_file(dir + "/err");
  std::string err = read_file(dir + "/err");
  EXPECT_FALSE(contains(err, "not sent")) << err;
  EXPECT_FALSE(contains(err, "lost")) << err;
  EXPECT_FALSE(exists(spool)) << "the spool, all sent, is removed";
  Counts want = e2e::summary_rows(read_file(trace));
  EXPECT_EQ(want["getppid"].first, 6000);
  EXPECT_EQ(show(row_counts(ch(), "dtruss_test", host("restart"))), show(want));
  // The phase with the server away took no longer than a bound far below any network timeout.
  std::smatch m;
  std::string out = read_file(dir + "/out");
  ASSERT_TRUE(std::regex_search(out, m, std::regex("phase 1: ([0-9.]+) ms"))) << out;
  EXPECT_LT(std::stod(m[1]), 3000.0) << out;
}

// No server at start (said once), one later: the tables are made then, and every event arrives.
TEST_P(ClickHouseTest, AServerThatComesLater) {
  ch().stop();
  std::string dir = temp_dir();
  std::string spool = dir + "/spool.zst", trace = dir + "/trace";
  std::string url = ch().url("later_" + GetParam());
  ChildGuard dtruss{
      spawn({dtruss_bin(), backend(), "--summary", "--clickhouse-events", "--output", trace,
             "--clickhouse", url, "--host-name", host("later"), "--clickhouse-flush", "0.05",
             "--clickhouse-spool", spool, fixture("ch_phases"), dir, "1000", "2"},
            dir + "/out", dir + "/err")};
  ASSERT_GT(dtruss.pid, 0);
  ASSERT_TRUE(wait_until([&] { return exists(dir + "/done0"); }, 60000)) << read_file(dir + "/err");
  ASSERT_TRUE(wait_for_text(dir + "/err", "does not answer", 30000)) << read_file(dir + "/err");
  ASSERT_TRUE(wait_until([&] { return exists(spool); }, 30000)) << read_file(dir + "/err");
  ASSERT_EQ(ch().start(), "");
  touch(dir + "/go1");
  int status = wait_for(dtruss.pid, 90000);
  dtruss.pid = -1;
  std::string err = read_file(dir + "/err");
  ASSERT_EQ(exit_code(status), 0) << err;
  EXPECT_EQ(lines(err).size(), 1u) << "the absence said once: " << err;
  EXPECT_FALSE(exists(spool)) << err;
  Counts want = e2e::summary_rows(read_file(trace));
  EXPECT_EQ(want["getppid"].first, 2000);
  EXPECT_EQ(show(row_counts(ch(), "later_" + GetParam(), host("later"))), show(want));
}

// Two dtruss ("hosts") writing into one table at once: both complete.
TEST_P(ClickHouseTest, TwoHostsIntoOneTable) {
  std::string dir = temp_dir();
  std::vector<ChildGuard> runs(2);
  for (int i = 0; i < 2; ++i) {
    std::string d = dir + "/" + std::to_string(i);
    mkdir(d.c_str(), 0755);
    runs[i].pid = spawn(
        {dtruss_bin(), backend(), "--summary", "--clickhouse-events", "--output", d + "/trace",
         "--clickhouse", ch().url(), "--host-name", host("node" + std::to_string(i)),
         "--clickhouse-batch", "500", fixture("ch_phases"), d, "5000", "1"},
        d + "/out", d + "/err");
    ASSERT_GT(runs[i].pid, 0);
  }
  for (int i = 0; i < 2; ++i) {
    std::string d = dir + "/" + std::to_string(i);
    int status = wait_for(runs[i].pid, 90000);
    runs[i].pid = -1;
    ASSERT_EQ(exit_code(status), 0) << read_file(d + "/err");
    Counts want = e2e::summary_rows(read_file(d + "/trace"));
    EXPECT_EQ(want["getppid"].first, 5000);
    EXPECT_EQ(show(row_counts(ch(), "dtruss_test", host("node" + std::to_string(i)))), show(want));
  }
}

// A burst faster than the server takes rows (the spool takes what waits, the inserter sends it
// after): every call arrives, none twice.
TEST_P(ClickHouseTest, ABurstArrivesComplete) {
  std::vector<std::string> args{backend(),      "--summary",          "--clickhouse-events",
                                "--clickhouse", ch().url(),           "--host-name",
                                host("burst"),  "--clickhouse-batch", "2000"};
  if (GetParam() == "bpf") args.insert(args.end(), {"-b", "64M"});  // (the ring loses none)
  args.insert(args.end(), {fixture("getppid_burst"), "200000"});
  auto r = run_traced(args, 120);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "ClickHouse")) << r.err;
  Counts want = e2e::summary_rows(r.trace);
  EXPECT_EQ(want["getppid"].first, 200000) << r.trace;
  EXPECT_EQ(show(row_counts(ch(), "dtruss_test", host("burst"))), show(want));
}

INSTANTIATE_BACKENDS(ClickHouseTest);

// The queue too small for a burst (--clickhouse-buffer 1M): the rows it had no room for are
// counted, said at exit and recorded in the table as a lost row; with the rows that arrived they
// make up every call. (eBPF: the burst outruns the sender.)
class ClickHouseBpf : public ClickHouseTest {};

TEST_P(ClickHouseBpf, RowsWithoutRoomAreCountedInTheTable) {
  auto r = run_traced({backend(), "--summary", "--clickhouse-events", "-b", "64M", "--clickhouse",
                       ch().url(), "--host-name", host("full"), "--clickhouse-buffer", "1M",
                       fixture("getppid_burst"), "300000"},
                      120);
  ASSERT_EQ(r.status, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("ClickHouse: (\\d+) events lost"))) << r.err;
  long dropped = std::stol(m[1]);
  EXPECT_GT(dropped, 0);
  std::string where = " FROM dtruss_test.dtruss_events WHERE host = '" + host("full") + "'";
  EXPECT_EQ(
      ch().number("SELECT sum(count)" + where + " AND type = 'lost' AND text LIKE 'dropped%'"),
      dropped);
  long rows = ch().number("SELECT count()" + where);
  long lost_rows = ch().number("SELECT count()" + where + " AND type = 'lost'");
  std::smatch total;
  ASSERT_TRUE(std::regex_search(r.trace, total, std::regex("TOTAL\\s+(\\d+)"))) << r.trace;
  // every call and the exit: a row, or counted in the lost rows
  EXPECT_EQ(rows - lost_rows + dropped, std::stol(total[1]) + 1) << r.trace;
}

INSTANTIATE_BACKENDS_OF(ClickHouseBpf, "bpf");

// No server at all: the trace runs, the events are in the spool, the exit message says where.
class ClickHouseAway : public BackendTest {};

TEST_P(ClickHouseAway, TheSpoolHoldsTheEvents) {
  std::string dir = temp_dir();
  std::string spool = dir + "/spool.jsonl.zst";
  std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/?database=away";
  auto r = run_traced({backend(), "--summary", "--clickhouse-events", "--clickhouse", url,
                       "--clickhouse-spool", spool, fixture("files"), temp_dir()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "does not answer")) << r.err;
  EXPECT_TRUE(contains(r.err, "not sent")) << r.err;
  EXPECT_TRUE(contains(r.err, "kept in '" + spool + "'")) << r.err;
  ASSERT_TRUE(exists(spool)) << r.err;
  Result z = run({"/usr/bin/zstd", "-dc", spool});
  ASSERT_EQ(z.status, 0) << z.err << " (zstd: scripts/install-test-deps.sh)";
  EXPECT_EQ(show(json_row_counts(z.out)), show(e2e::summary_rows(r.trace)));
}

// A server that takes connections and never answers (a socket that listens, nobody accepts):
// dtruss waits 5 s for it at start and 5 s without an answer at the end, not a request's 30 s
// timeout each time (40 s in all before); the events are in the spool.
TEST_P(ClickHouseAway, AServerThatNeverAnswersIsNotWaitedFor) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(listener, 64), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::string dir = temp_dir(), spool = dir + "/spool.jsonl.zst";
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/?database=mute";
  uint64_t start = now_ms();
  auto r = run_traced({backend(), "--summary", "--clickhouse-events", "--clickhouse", url,
                       "--clickhouse-spool", spool, fixture("files"), temp_dir()});
  uint64_t took = now_ms() - start;
  close(listener);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_LT(took, 25000u) << r.err;
  EXPECT_TRUE(contains(r.err, "no answer before dtruss ended")) << r.err;
  EXPECT_TRUE(contains(r.err, "kept in '" + spool + "'")) << r.err;
  Result z = run({"/usr/bin/zstd", "-dc", spool});
  ASSERT_EQ(z.status, 0) << z.err;
  EXPECT_EQ(show(json_row_counts(z.out)), show(e2e::summary_rows(r.trace)));
}

INSTANTIATE_BACKENDS(ClickHouseAway);

// Bad input: one line, exit 2, before anything starts (no output file made).
TEST(ClickHouseUsage, BadUrlsAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ftp://host/", "unknown scheme 'ftp'"},    {"localhost:8123", "is not a URL"},
      {"http://:8123/", "names no host"},         {"http://host:99999/", "port must be a number"},
      {"http://host/tables/x", "answers at '/'"}, {"http://host/?database=a-b", "database name"},
      {"http://u:pw@host:0/", "port must be"},
  };
  for (const auto& [url, says] : cases) {
    std::string out = temp_dir() + "/trace";
    Result r = run({dtruss_bin(), "--output", out, "--clickhouse", url, fixture("files"), "/tmp"});
    EXPECT_EQ(r.status, 2) << url;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, says)) << url << ": " << r.err;
    EXPECT_FALSE(contains(r.err, "pw@")) << "a password is never shown: " << r.err;
    EXPECT_FALSE(exists(out)) << url;
  }
  Result r = run({dtruss_bin(), "--host-name", "x", fixture("files"), "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "go with --clickhouse")) << r.err;
  r = run({dtruss_bin(), "--clickhouse", "http://h/", "--clickhouse-flush", "0", fixture("files"),
           "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "--clickhouse-flush needs")) << r.err;
}

// Tests of one backend (the default) against a server: --clickhouse-ttl, its own refusals, before
// anything starts (a table of another schema version, a wrong password), the password kept out of
// ps, the documented queries.
class ClickHouseServed : public WithClickHouse<::testing::Test> {
 protected:
};

// --clickhouse-ttl on any server: a newer one (19.6+) has the tables' TTL clause; an older one
// (18.16) tables without it, whose old partitions dtruss drops itself (clickhouse_ttl_test.cpp).
TEST_F(ClickHouseServed, TtlOnTheServer) {
  std::string version = server_->query("SELECT version()");
  bool has_ttl =
      std::stoi(version) > 19 || (std::stoi(version) == 19 && std::stoi(version.substr(3)) >= 6);
  std::string out = temp_dir() + "/trace";
  Result r = run({dtruss_bin(), "--output", out, "--clickhouse", server_->url("ttl"),
                  "--clickhouse-ttl", "7", fixture("files"), "/tmp"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "ClickHouse")) << r.err;
  EXPECT_TRUE(exists(out));
  EXPECT_GT(server_->number("SELECT count() FROM ttl.dtruss_events"), 0);
  EXPECT_EQ(contains(server_->query("SHOW CREATE TABLE ttl.dtruss_events"), "TTL"), has_ttl)
      << version;
}

TEST_F(ClickHouseServed, AnOlderTableIsRefused) {
  server_->query("CREATE DATABASE old");
  server_->query(
      "CREATE TABLE old.dtruss_events (time DateTime, host String) ENGINE = "
      "MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (host, time)");
  server_->query(
      "CREATE TABLE old.dtruss_schema (tbl String, version UInt32, created DateTime) "
      "ENGINE = TinyLog");
  server_->query("INSERT INTO old.dtruss_schema VALUES ('dtruss_events', 0, now())");
  std::string out = temp_dir() + "/trace";
  Result r = run({dtruss_bin(), "--output", out, "--clickhouse", server_->url("old"),
                  fixture("files"), "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "schema version 0, this dtruss writes version 2")) << r.err;
  EXPECT_FALSE(exists(out));
  EXPECT_EQ(server_->number("SELECT count() FROM old.dtruss_events"), 0);
  // A table without a version at all is refused too.
  server_->query("CREATE DATABASE bare");
  server_->query("CREATE TABLE bare.dtruss_events (time DateTime) ENGINE = TinyLog");
  r = run({dtruss_bin(), "--output", out, "--clickhouse", server_->url("bare"), fixture("files"),
           "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "schema version unknown")) << r.err;
}

TEST_F(ClickHouseServed, AWrongPasswordIsRefused) {
  std::string url =
      "http://tracer:wrong@127.0.0.1:" + std::to_string(server_->http_port()) + "/?database=pw";
  Result r = run({dtruss_bin(), "--clickhouse", url, fixture("files"), "/tmp"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "Wrong password")) << r.err;
  EXPECT_FALSE(contains(r.err, "wrong@")) << r.err;
}

// The password given in the URL is not in /proc/PID/cmdline (ps) while dtruss runs, and works;
// one from the environment works too.
TEST_F(ClickHouseServed, ThePasswordIsNotInPs) {
  std::string dir = temp_dir();
  std::string pw = ClickHouseServer::kPassword;
  std::string url = "http://tracer:" + pw + "@127.0.0.1:" + std::to_string(server_->http_port()) +
                    "/?database=pw";
  ChildGuard dtruss{
      spawn({dtruss_bin(), "--summary", "--clickhouse-events", "--output", dir + "/trace",
             "--clickhouse", url, "--host-name", "pw", fixture("ch_phases"), dir, "10", "2"},
            dir + "/out", dir + "/err")};
  ASSERT_GT(dtruss.pid, 0);
  ASSERT_TRUE(wait_until([&] { return exists(dir + "/done0"); }, 60000)) << read_file(dir + "/err");
  std::string cmdline = read_file("/proc/" + std::to_string(dtruss.pid) + "/cmdline");
  EXPECT_FALSE(contains(cmdline, pw)) << cmdline;
  EXPECT_TRUE(contains(cmdline, "tracer:" + std::string(pw.size(), 'x') + "@")) << cmdline;
  touch(dir + "/go1");
  int status = wait_for(dtruss.pid, 60000);
  dtruss.pid = -1;
  ASSERT_EQ(exit_code(status), 0) << read_file(dir + "/err");
  EXPECT_EQ(server_->number("SELECT count() FROM pw.dtruss_events WHERE host = 'pw' AND syscall "
                            "= 'getppid'"),
            20);
  // The environment's password, the URL naming the user alone.
  setenv("DTRUSS_CLICKHOUSE_PASSWORD", pw.c_str(), 1);
  Result r =
      run({dtruss_bin(), "--summary", "--clickhouse-events", "--clickhouse",
           "http://tracer@127.0.0.1:" + std::to_string(server_->http_port()) + "/?database=pw",
           "--host-name", "pwenv", fixture("getppid_burst"), "7"});
  unsetenv("DTRUSS_CLICKHOUSE_PASSWORD");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(server_->number("SELECT count() FROM pw.dtruss_events WHERE host = 'pwenv' AND "
                            "syscall = 'getppid'"),
            7);
}

// The spool of a run that never reached its server, sent by hand as the exit message says.
TEST_F(ClickHouseServed, TheSpoolIsSentByHand) {
  std::string dir = temp_dir();
  std::string spool = dir + "/spool.zst";
  std::string away = "http://127.0.0.1:" + std::to_string(free_port()) + "/?database=byhand";
  Result r = run({dtruss_bin(), "--summary", "--clickhouse-events", "--output", dir + "/trace",
                  "--clickhouse", away, "--clickhouse-spool", spool, "--host-name", "byhand",
                  fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string command = "zstd -dc '" + spool +
                        "' | clickhouse-client --host 127.0.0.1 --database byhand --query "
                        "'INSERT INTO dtruss_events FORMAT JSONEachRow'";
  ASSERT_TRUE(contains(r.err, command)) << r.err;
  // The tables made on the real server (by a run against it), then the command, on its port.
  ASSERT_EQ(run({dtruss_bin(), "--summary", "--clickhouse-events", "--clickhouse",
                 server_->url("byhand"), "--host-name", "other", fixture("getppid_burst"), "1"})
                .status,
            0);
  std::string port = " --port " + std::to_string(server_->tcp_port());
  command.insert(command.find(" --database"), port);
  Result sent = run({"/bin/sh", "-c", command});
  ASSERT_EQ(sent.status, 0) << sent.err << " (clickhouse-client: scripts/install-test-deps.sh)";
  Counts want = e2e::summary_rows(read_file(dir + "/trace"));
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(show(row_counts(*server_, "byhand", "byhand")), show(want));
}

// docs/clickhouse.md's five queries run on a server that a trace filled, and its table of columns
// names every column the table has.
TEST_F(ClickHouseServed, DocumentedQueriesRun) {
  Result r = run({dtruss_bin(), "--summary", "--clickhouse-events", "-s", "--clickhouse",
                  server_->url("docs"), "--host-name", "docs", fixture("files"), temp_dir()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string doc = read_file(std::string(FIXTURE_SRC_DIR) + "/../../docs/clickhouse.md");
  ASSERT_FALSE(doc.empty());
  size_t at = doc.find("\n## Five questions");  // (the dashboards': clickhouse_aggregates_test)
  ASSERT_NE(at, std::string::npos);
  std::string section = doc.substr(at, doc.find("\n## ", at + 1) - at);
  std::regex block(R"(```sql\n([\s\S]*?)```)");
  std::vector<std::string> queries;
  for (std::sregex_iterator it(section.begin(), section.end(), block), end; it != end; ++it)
    if ((*it)[1].str().rfind("SELECT", 0) == 0) queries.push_back((*it)[1]);
  ASSERT_EQ(queries.size(), 5u) << "the five questions";
  for (const std::string& q : queries) {
    std::string result = server_->query(q, "docs");
    EXPECT_FALSE(contains(result, "ERROR")) << q << "\n" << result;
    if (contains(q, "failures")) {
      EXPECT_TRUE(contains(result, "docs\topenat\tENOENT\t1")) << result;
    }
    if (contains(q, "countIfMerge(errors) AS errors")) {
      EXPECT_TRUE(contains(result, "\tdocs\t2\t")) << "files' two failures: " << result;
    }
  }
  std::string columns = server_->query(
      "SELECT name FROM system.columns WHERE database = 'docs' "
      "AND table = 'dtruss_events' FORMAT TabSeparated");
  ASSERT_FALSE(lines(columns).empty());
  for (const std::string& name : lines(columns))
    EXPECT_TRUE(contains(doc, "| `" + name + "` |")) << name << " is not in docs/clickhouse.md";
}

}  // namespace
}  // namespace e2e
