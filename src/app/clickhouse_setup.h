// --clickhouse (part 13): the URL and options checked, the password hidden from argv, the server
// asked (its version, the tables made or checked) before anything starts; then the sink.
#pragma once

#include <optional>
#include <string>

#include "app/pipeline_setup.h"
#include "cli/options.h"
#include "fleet/clickhouse_sink.h"

namespace dtruss {

struct ClickHouseSetup {
  fleet::ShipperConfig config;
  fleet::RowIdentity id;
  fleet::Sending sending;
};

// --summary/--top --clickhouse: the counts per interval go to dtruss_aggregates.
inline bool clickhouse_aggregates(const Options& opt) {
  return !opt.clickhouse.empty() && (opt.summary_only || opt.top);
}
// A row a call in dtruss_events: --clickhouse alone, or with --clickhouse-events.
inline bool clickhouse_raw_rows(const Options& opt) {
  return !opt.clickhouse.empty() && (!clickhouse_aggregates(opt) || opt.clickhouse_events);
}

// "" and `*setup` set (when --clickhouse is given), or a usage error in one line. A server that
// does not answer is no error: the trace starts, its events spooled until it does (said once).
// The URL's password is overwritten in argv (ps, /proc/PID/cmdline) first.
std::string prepare_clickhouse(const Options& opt, int argc, char** argv,
                               std::optional<ClickHouseSetup>* setup);

// The sink, fed like the others (the containers named where known).
void add_clickhouse_sink(TracePipeline& tp, ClickHouseSetup setup);

}  // namespace dtruss
