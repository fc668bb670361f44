// The tables dtruss writes in ClickHouse (docs/clickhouse.md): their columns, written once here
// (the CREATE TABLE and every row's keys come from this table), and the schema version.
#pragma once

#include <cstdint>
#include <string>

#include "fleet/clickhouse_client.h"

namespace dtruss::fleet {

// Version of the tables' columns (dtruss_events, dtruss_aggregates); kept in the dtruss_schema
// table, in dtruss_events' row. A database of another version is refused, never written.
// 1: dtruss_events and dtruss_minutes; 2: dtruss_aggregates added (--summary/--top).
inline constexpr unsigned kSchemaVersion = 2;
inline constexpr const char* kEventsTable = "dtruss_events";
// --summary/--top --clickhouse: the counts per interval, host, syscall, program and container,
// sent by dtruss itself in place of the raw events (docs/clickhouse.md).
inline constexpr const char* kAggregatesTable = "dtruss_aggregates";
inline constexpr const char* kSchemaTable = "dtruss_schema";
// The --summary/--top counts per minute, host, syscall and program: a materialized view that
// ClickHouse fills from each insert into dtruss_events (AggregatingMergeTree: -Merge to read).
inline constexpr const char* kMinutesView = "dtruss_minutes";
// ClickHouse 19.6 is the first with a table's TTL. On an older server, --clickhouse-ttl's
// days are kept by dtruss itself: it drops the day partitions older than that (below).
inline constexpr unsigned kTtlSince = 19006;

// The columns of dtruss_events, in the order rows write them.
enum class Col : uint8_t {
  Time,
  TsNs,
  Host,
  BootId,
  TraceId,
  Type,
  Pid,
  Tid,
  Comm,
  Container,
  Syscall,
  Nr,
  Args,
  Ret,
  Errno,
  DurNs,
  Returned,
  Path,
  Fd,
  Signal,
  Count,
  Text,
  Stack,
  Batch,
};

// The columns of dtruss_aggregates, in the order rows write them.
enum class AggCol : uint8_t {
  IntervalStart,
  IntervalNs,
  Host,
  BootId,
  TraceId,
  Syscall,
  Comm,
  Container,
  Calls,
  Errors,
  ErrnoNames,
  ErrnoCounts,
  TotalNs,
  MaxNs,
  Log2Ns,
  Lost,
  Batch,
};

struct Column {
  const char* name;
  const char* type;
  const char* about;  // (docs/clickhouse.md says it in full)
};

// The column `c`.
const Column& column(Col c);
// `"name":` of column `c`, for a JSONEachRow row.
void append_key(std::string& out, Col c);
const Column& column(AggCol c);
void append_key(std::string& out, AggCol c);
// CREATE TABLE IF NOT EXISTS DB.dtruss_events (...) ENGINE = MergeTree ... [TTL]
std::string create_events_sql(const std::string& database, unsigned ttl_days);

// CREATE TABLE IF NOT EXISTS DB.dtruss_aggregates (...) ENGINE = MergeTree ... [TTL]
std::string create_aggregates_sql(const std::string& database, unsigned ttl_days);

// CREATE MATERIALIZED VIEW IF NOT EXISTS DB.dtruss_minutes ... AS SELECT ... FROM dtruss_events
std::string create_minutes_sql(const std::string& database);

// Makes the database and tables when missing and checks an existing table's version. "" when
// ready to insert; else why not, in one line. `*answered`: false when the server could not be
// reached at all (the caller may retry later). `*drop_days`: `ttl_days` when the server has no
// table TTL (the tables are made without one: drop_old_partitions keeps the days), else 0.
std::string prepare_schema(ClickHouseClient& client, unsigned ttl_days, bool* answered,
                           unsigned* drop_days);

// Drops the day partitions of dtruss_events, dtruss_aggregates and dtruss_minutes' table that
// are older than `days` days, by the server's clock: a day's rows go when the day `days` days
// after theirs is over. "" when done (`*dropped`: how many), else why not, in one line.
std::string drop_old_partitions(ClickHouseClient& client, unsigned days, bool* answered,
                                unsigned* dropped);

}  // namespace dtruss::fleet
