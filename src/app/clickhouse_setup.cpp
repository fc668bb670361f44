#include "app/clickhouse_setup.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "fleet/clickhouse_schema.h"
#include "util/text.h"
#include "util/writer.h"

namespace dtruss {
namespace {

// --clickhouse-flush: seconds from 0.01 to 3600, digits and a point; 0 when not that.
uint64_t flush_ns(const std::string& s) {
  if (s.empty()) return 1000000000;
  if (s.find_first_not_of("0123456789.") != std::string::npos) return 0;
  char* end = nullptr;
  errno = 0;
  double secs = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || errno != 0 || !(secs >= 0.01 && secs <= 3600)) return 0;
  return static_cast<uint64_t>(secs * 1e9 + 0.5);
}

std::string env(const char* name) {
  const char* v = getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

std::string prepare_clickhouse(const Options& opt, int argc, char** argv,
                               std::optional<ClickHouseSetup>* setup) {
  if (opt.clickhouse.empty()) {
    bool other = opt.clickhouse_batch != Options{}.clickhouse_batch ||
                 !opt.clickhouse_flush.empty() || !opt.clickhouse_spool.empty() ||
                 opt.clickhouse_ttl != 0 || !opt.host_name.empty() ||
                 opt.clickhouse_buffer != Options{}.clickhouse_buffer || opt.clickhouse_events;
    return other ? "--clickhouse-batch, --clickhouse-flush, --clickhouse-spool, --clickhouse-ttl, "
                   "--clickhouse-buffer, --clickhouse-events and --host-name go with --clickhouse "
                   "URL"
                 : "";
  }
  if (opt.clickhouse_events && !opt.summary_only && !opt.top)
    return "--clickhouse-events goes with --summary or --top (without them every event is sent)";
  fleet::ClickHouseUrl url;
  std::string error = fleet::parse_clickhouse_url(opt.clickhouse, &url);
  fleet::hide_password(argc, argv, opt.clickhouse, url);  // (first: even when refused)
  if (!error.empty()) return "--clickhouse: " + error;
  if (std::string missing = fleet::curl_missing(); !missing.empty()) return missing;
  if (url.user.empty()) url.user = env("DTRUSS_CLICKHOUSE_USER");
  if (url.password.empty()) url.password = env("DTRUSS_CLICKHOUSE_PASSWORD");
  ClickHouseSetup s;
  s.config.flush_ns = flush_ns(opt.clickhouse_flush);
  if (s.config.flush_ns == 0)
    return fmt::format("--clickhouse-flush needs a number of seconds from 0.01 to 3600, not '{}'",
                       escaped(opt.clickhouse_flush));
  s.config.batch_rows = opt.clickhouse_batch;
  s.config.queue_bytes = opt.clickhouse_buffer;
  s.config.ttl_days = static_cast<unsigned>(opt.clickhouse_ttl);
  s.id = fleet::this_run(opt.host_name);
  s.config.spool_path =
      opt.clickhouse_spool.empty() ? fleet::default_spool(s.id) : opt.clickhouse_spool;
  s.config.url = url;
  s.sending.aggregates = clickhouse_aggregates(opt);
  s.sending.events = clickhouse_raw_rows(opt);
  // (both: the aggregates' spool beside the events')
  s.sending.aggregates_spool = s.config.spool_path + ".aggregates";
  // The server now: a refusal (an old table, a wrong password) stops here; silence does not (it may
  // come back: the sender tries again, the events wait in the spool meanwhile).
  fleet::ClickHouseClient client(url, 5);  // (a server slower than that: rows spooled)
  bool answered = false;
  error = fleet::prepare_schema(client, s.config.ttl_days, &answered, &s.config.drop_days);
  // (once more: a fleet's dtruss starting at once may race in making the same tables)
  if (!error.empty() && answered)
    error = fleet::prepare_schema(client, s.config.ttl_days, &answered, &s.config.drop_days);
  if (!error.empty() && answered) return fmt::format("--clickhouse {}: {}", url.shown, error);
  s.config.schema_ready = error.empty();
  s.config.away_said = !answered;
  if (!answered)
    say(
        fmt::format("ClickHouse at {} does not answer ({}): tracing anyway, the events kept in "
                    "'{}' until it does",
                    url.shown, error, s.config.spool_path));
  *setup = std::move(s);
  return {};
}

void add_clickhouse_sink(TracePipeline& tp, ClickHouseSetup setup) {
  auto sink = std::make_unique<fleet::ClickHouseSink>(std::move(setup.config), std::move(setup.id),
                                                      std::move(setup.sending));
  sink->set_containers(tp.pipeline().show_containers());
  tp.pipeline().add_sink(std::move(sink));
}

}  // namespace dtruss
