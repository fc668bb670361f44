#include "fleet/clickhouse_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace dtruss::fleet {
namespace {

// Indexed by Col. Every column is written in every row: ClickHouse 18 gives an omitted field
// its type's default, not the column's DEFAULT.
constexpr Column kColumns[] = {
    {"time", "DateTime", "wall clock, seconds (the partition and sort key)"},
    {"ts_ns", "UInt64", "wall clock, ns since the Unix epoch (a call's entry)"},
    {"host", "String", "--host-name, else the machine's name"},
    {"boot_id", "String", "/proc/sys/kernel/random/boot_id"},
    {"trace_id", "String", "random, one per dtruss run"},
    {"type", "String", "syscall, uring, signal, stop, exit, lost, notice"},
    {"pid", "Int32", "process (thread group) id"},
    {"tid", "Int32", "thread id"},
    {"comm", "String", "the thread's name"},
    {"container", "String", "the container or systemd unit, where known"},
    {"syscall", "String", "the call's name (uring:NAME for an io_uring operation)"},
    {"nr", "Int32", "the syscall number"},
    {"args", "String", "the decoded arguments, as JSON (docs/json.md's args)"},
    {"ret", "Int64", "the result (-1 on error; exit: the status)"},
    {"errno", "String", "ENOENT..., empty on success"},
    {"dur_ns", "UInt64", "the call's duration"},
    {"returned", "UInt8", "1 when the call returned"},
    {"path", "String", "the first path argument, or the first fd's path (-y)"},
    {"fd", "Int32", "the first fd argument, -1 when none"},
    {"signal", "String", "signal, stop, exit by signal: its name"},
    {"count", "UInt64", "lost: how many events the backend lost"},
    {"text", "String", "notice: its text; signal: siginfo as JSON"},
    {"stack", "String", "-s: the frames as JSON"},
    {"batch", "UInt32", "the insert the row came in (per trace_id): a resent batch is known"},
};
static_assert(std::size(kColumns) == static_cast<size_t>(Col::Batch) + 1);

// Indexed by AggCol.
constexpr Column kAggColumns[] = {
    {"interval_start", "DateTime", "the interval's start, wall clock (the partition and sort key)"},
    {"interval_ns", "UInt64", "the interval's length, ns"},
    {"host", "String", "--host-name, else the machine's name"},
    {"boot_id", "String", "/proc/sys/kernel/random/boot_id"},
    {"trace_id", "String", "random, one per dtruss run"},
    {"syscall", "String", "the call's name (uring:NAME); empty in a row of lost events"},
    {"comm", "String", "the program's name (the process's, as counted)"},
    {"container", "String", "the container or systemd unit, where known"},
    {"calls", "UInt64", "calls in the interval"},
    {"errors", "UInt64", "failed calls"},
    {"errno_names", "Array(String)", "the errnos of the failed calls"},
    {"errno_counts", "Array(UInt64)", "how many failed with each (errno_names' order)"},
    {"total_ns", "UInt64", "the returned calls' durations, summed"},
    {"max_ns", "UInt64", "the longest duration"},
    {"log2_ns", "Array(UInt64)", "64 log2 buckets of durations: [i] counts [2^(i-1), 2^i) ns"},
    {"lost", "UInt64", "events lost in the interval (syscall empty)"},
    {"batch", "UInt32", "the insert the row came in (per trace_id): a resent batch is known"},
};
static_assert(std::size(kAggColumns) == static_cast<size_t>(AggCol::Batch) + 1);

// CREATE TABLE IF NOT EXISTS DB.NAME (columns) ENGINE = MergeTree() ... [TTL]
template <size_t N>
std::string create_sql(const std::string& database, const char* table, const Column (&columns)[N],
                       const char* time, const char* order, unsigned ttl_days) {
  std::string sql = fmt::format("CREATE TABLE IF NOT EXISTS {}.{} (", database, table);
  for (size_t i = 0; i < N; ++i)
    fmt::format_to(std::back_inserter(sql), "{}{} {}", i == 0 ? "" : ", ", columns[i].name,
                   columns[i].type);
  fmt::format_to(std::back_inserter(sql),
                 ") ENGINE = MergeTree() PARTITION BY toYYYYMMDD({}) ORDER BY ({})", time, order);
  if (ttl_days != 0)
    fmt::format_to(std::back_inserter(sql), " TTL {} + INTERVAL {} DAY", time, ttl_days);
  return sql;
}

// `name` as a ClickHouse identifier: `name`, its backquotes and backslashes escaped.
std::string quoted_name(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out + '`';
}

// `text` as a ClickHouse string literal.
std::string quoted_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + '\'';
}

// The first line of the body: ClickHouse answers a scalar with it.
std::string scalar(const Reply& r) {
  return r.body.substr(0, r.body.find('\n'));
}

}  // namespace

const Column& column(Col c) {
  return kColumns[static_cast<size_t>(c)];
}

const Column& column(AggCol c) {
  return kAggColumns[static_cast<size_t>(c)];
}

void append_key(std::string& out, Col c) {
  out += '"';
  out += column(c).name;
  out += "\":";
}

void append_key(std::string& out, AggCol c) {
  out += '"';
  out += column(c).name;
  out += "\":";
}

std::string create_events_sql(const std::string& database, unsigned ttl_days) {
  return create_sql(database, kEventsTable, kColumns, "time", "host, syscall, time", ttl_days);
}

std::string create_aggregates_sql(const std::string& database, unsigned ttl_days) {
  return create_sql(database, kAggregatesTable, kAggColumns, "interval_start",
                    "host, syscall, comm, interval_start", ttl_days);
}

std::string create_minutes_sql(const std::string& database) {
  return fmt::format(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS {0}.{1} ENGINE = AggregatingMergeTree() "
      "PARTITION BY toYYYYMMDD(minute) ORDER BY (host, syscall, comm, minute) AS SELECT "
      "toStartOfMinute(time) AS minute, host, syscall, comm, countState() AS calls, "
      "countIfState(errno != '') AS errors, sumState(dur_ns) AS total_ns, maxState(dur_ns) AS "
      "max_ns, quantilesState(0.5, 0.9, 0.99)(dur_ns) AS latency FROM {0}.{2} WHERE type IN "
      "('syscall', 'uring') GROUP BY minute, host, syscall, comm",
      database, kMinutesView, kEventsTable);
}

std::string prepare_schema(ClickHouseClient& client, unsigned ttl_days, bool* answered,
                           unsigned* drop_days) {
  const std::string& db = client.url().database;
  Reply v = client.query("SELECT version()", false);
  *answered = v.answered;
  if (!v.ok) return v.error;
  // (no table TTL: the tables are made without one, dtruss drops their old partitions)
  *drop_days = version_number(scalar(v)) < kTtlSince ? ttl_days : 0;
  if (*drop_days != 0) ttl_days = 0;
  auto run = [&](const std::string& sql) -> std::string {
    Reply r = client.query(sql, sql.rfind("CREATE DATABASE", 0) != 0);
    *answered = r.answered;
    return r.ok ? std::string() : r.error;
  };
  if (db != "default") {
    if (std::string e = run(fmt::format("CREATE DATABASE IF NOT EXISTS {}", db)); !e.empty())
      return e;
  }
  if (std::string e = run(fmt::format("CREATE TABLE IF NOT EXISTS {}.{} (tbl String, version "
                                      "UInt32, created DateTime) ENGINE = MergeTree() ORDER BY tbl",
                                      db, kSchemaTable));
      !e.empty())
    return e;
  Reply exists = client.query(fmt::format("EXISTS TABLE {}.{}", db, kEventsTable));
  *answered = exists.answered;
  if (!exists.ok) return exists.error;
  Reply ver = client.query(fmt::format("SELECT max(version), count() FROM {}.{} WHERE tbl = '{}'",
                                       db, kSchemaTable, kEventsTable));
  *answered = ver.answered;
  if (!ver.ok) return ver.error;
  unsigned have = 0, rows = 0;
  sscanf(ver.body.c_str(), "%u\t%u", &have, &rows);
  if (scalar(exists) == "1") {
    if (rows == 0 || have != kSchemaVersion)
      return fmt::format(
          "ClickHouse table {}.{} is of schema version {}, this dtruss writes version {}: "
          "rename or drop it, or give another ?database= (docs/clickhouse.md)",
          db, kEventsTable, rows == 0 ? std::string("unknown") : std::to_string(have),
          kSchemaVersion);
    if (std::string e = run(create_aggregates_sql(db, ttl_days)); !e.empty()) return e;
    return run(create_minutes_sql(db));
  }
  // The version first, then the table: another dtruss starting at the same time that finds the
  // table finds its version too.
  if (rows == 0) {
    if (std::string e = run(fmt::format("INSERT INTO {}.{} VALUES ('{}', {}, now())", db,
                                        kSchemaTable, kEventsTable, kSchemaVersion));
        !e.empty())
      return e;
  } else if (have != kSchemaVersion) {
    return fmt::format(
        "ClickHouse table {}.{} is to be of schema version {} ({}.{} says), this "
        "dtruss writes version {}: give another ?database= (docs/clickhouse.md)",
        db, kEventsTable, have, db, kSchemaTable, kSchemaVersion);
  }
  if (std::string e = run(create_events_sql(db, ttl_days)); !e.empty()) return e;
  if (std::string e = run(create_aggregates_sql(db, ttl_days)); !e.empty()) return e;
  if (std::string e = run(create_minutes_sql(db)); !e.empty()) return e;
  return {};
}

std::string drop_old_partitions(ClickHouseClient& client, unsigned days, bool* answered,
                                unsigned* dropped) {
  *dropped = 0;
  const std::string& db = client.url().database;
  // (the view's rows are in its inner table, ".inner.dtruss_minutes")
  const std::string tables[] = {kEventsTable, kAggregatesTable,
                                fmt::format(".inner.{}", kMinutesView)};
  std::string in;
  for (const std::string& t : tables) in += (in.empty() ? "" : ", ") + quoted_string(t);
  // The partitions are toYYYYMMDD(...): eight digits, compared as text (the server's today).
  Reply parts = client.query(
      fmt::format("SELECT DISTINCT table, partition FROM system.parts WHERE database = {} AND "
                  "active AND table IN ({}) AND match(partition, '^[0-9]{{8}}$') AND partition < "
                  "toString(toYYYYMMDD(today() - {})) FORMAT TabSeparated",
                  quoted_string(db), in, days),
      false);
  *answered = parts.answered;
  if (!parts.ok) return parts.error;
  size_t at = 0;
  while (at < parts.body.size()) {
    size_t end = parts.body.find('\n', at);
    if (end == std::string::npos) end = parts.body.size();
    std::string line = parts.body.substr(at, end - at);
    at = end + 1;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string table = line.substr(0, tab), partition = line.substr(tab + 1);
    // (only the tables asked for, and digits: nothing else is put in the statement)
    if (std::find(std::begin(tables), std::end(tables), table) == std::end(tables) ||
        partition.find_first_not_of("0123456789") != std::string::npos)
      continue;
    Reply r = client.query(fmt::format("ALTER TABLE {}.{} DROP PARTITION {}", quoted_name(db),
                                       quoted_name(table), partition),
                           false);
    *answered = r.answered;
    if (!r.ok) return r.error;
    ++*dropped;
  }
  return {};
}

}  // namespace dtruss::fleet
