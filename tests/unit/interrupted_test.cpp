// The {"type":"interrupted"} record of a trace ended by a stop signal: written by the sinks that
// record it (JsonSink; the JSON summary when there are no lines), once, before the summary.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "output/json_sink.h"
#include "output/pipeline.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "sink_support.h"

namespace dtruss {
namespace {

using nlohmann::json;

std::vector<json> lines_of(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

// A pipeline of the given sinks: one exit seen, interrupted 5 us after the start, then finished.
std::string interrupted_trace(bool lines, bool summary, bool json_out) {
  unit::Capture cap;
  {
    Writer w(cap.fd(), false);
    Pipeline p(Decoder({64, false}), {}, w);
    if (lines && json_out) p.add_sink(std::make_unique<JsonSink>(w));
    if (lines && !json_out) p.add_sink(std::make_unique<TextSink>(w, TextOptions{}));
    if (summary) p.add_sink(std::make_unique<SummarySink>(w, json_out));
    p.begin(1000);
    p.on_process(42);
    p.interrupted(6000, SIGTERM, true);
    p.finish();
  }
  return cap.text();
}

TEST(InterruptedRecord, JsonLinesAndSummaryRecordItOnceBeforeTheSummary) {
  auto ev = lines_of(interrupted_trace(true, true, true));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].dump(),
            R"({"calls":0,"outcome":"detached","processes":1,"signal":"SIGTERM","ts_ns":5000,)"
            R"("type":"interrupted"})");
  EXPECT_EQ(ev[1]["type"], "summary");
}

TEST(InterruptedRecord, JsonSummaryAloneRecordsIt) {
  auto ev = lines_of(interrupted_trace(false, true, true));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0]["type"], "interrupted");
  EXPECT_EQ(ev[1]["type"], "summary");
}

TEST(InterruptedRecord, TextSinksLeaveItToTheClosingLine) {
  std::string out = interrupted_trace(true, true, false);
  EXPECT_EQ(out.find("interrupted"), std::string::npos) << out;
}

}  // namespace
}  // namespace dtruss
