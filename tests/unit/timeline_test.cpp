// The timeline sink on synthetic events: the exact objects, and a file that is valid JSON however
// the trace ends.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

#include "output/timeline_sink.h"
#include "sink_support.h"

namespace dtruss {
namespace {

using nlohmann::json;

SyscallEvent call_event(long nr, int tid, const char* comm, uint64_t enter, uint64_t exit,
                        int64_t ret) {
  SyscallEvent ev;
  ev.task.pid = 100;
  ev.task.tid = tid;
  std::strncpy(ev.task.comm.data(), comm, ev.task.comm.size() - 1);
  ev.nr = nr;
  ev.enter_ns = enter;
  ev.exit_ns = exit;
  ev.ret = ret;
  return ev;
}

// Runs `feed` on a sink writing to a temporary file; `finish` false: the sink is only destroyed
// (as when the trace ends by an error). Returns the file's text.
std::string timeline(const std::function<void(TimelineSink&, Decoder&)>& feed, bool finish) {
  unit::Capture out;
  {
    TimelineSink sink(dup(out.fd()));  // owns the copy
    sink.begin(1'000'000);
    Decoder dec({64, false});
    feed(sink, dec);
    if (finish) sink.finish();
  }
  return out.text();
}

void feed_some(TimelineSink& sink, Decoder& dec) {
  DecodedCall call;
  auto ev = call_event(SYS_close, 100, "prog", 1'500'000, 1'501'234, -EBADF);
  ev.args[0] = 9;
  dec.decode(ev, call);
  sink.syscall(call);
  auto sleep = call_event(SYS_nanosleep, 101, "worker", 2'000'000, 0, 0);
  sleep.end = SyscallEvent::End::Unfinished;
  dec.decode(sleep, call);
  sink.syscall(call);
  StopEvent stop;
  stop.task = ev.task;
  stop.ts_ns = 3'000'000;
  stop.signo = SIGSTOP;
  sink.stop(stop);
  auto renamed = call_event(SYS_getpid, 100, "newname", 4'000'000, 4'000'100, 100);
  dec.decode(renamed, call);
  sink.syscall(call);
}

TEST(TimelineSink, EventsAsTraceEventObjects) {
  std::string text = timeline(feed_some, true);
  json doc = json::parse(text);
  auto ev = doc["traceEvents"];
  ASSERT_EQ(ev.size(), 9u) << text;
  // The process by its comm alone (viewers show "prog (100)" or "prog 100" themselves).
  json process_name = json::parse(
      R"j({"ph":"M","name":"process_name","pid":100,"tid":100,"args":{"name":"prog"}})j");
  json thread_name = json::parse(
      R"({"ph":"M","name":"thread_name","pid":100,"tid":100,"args":{"name":"prog/100"}})");
  EXPECT_EQ(ev[0], process_name);
  EXPECT_EQ(ev[1], thread_name);
  EXPECT_EQ(ev[2]["ph"], "X");
  EXPECT_EQ(ev[2]["name"], "close");
  EXPECT_DOUBLE_EQ(ev[2]["ts"].get<double>(), 500.0);
  EXPECT_DOUBLE_EQ(ev[2]["dur"].get<double>(), 1.234);
  EXPECT_EQ(ev[2]["args"]["ret"], -1);
  EXPECT_EQ(ev[2]["args"]["errno"], "EBADF");
  EXPECT_EQ(ev[2]["args"]["args"], json::parse(R"({"fd":9})"));
  // Exact text of ts/dur: µs with the ns as a three-digit fraction.
  EXPECT_NE(text.find("\"ts\":500.000,\"dur\":1.234"), std::string::npos) << text;
  EXPECT_EQ(ev[3]["args"]["name"], "worker/101");
  EXPECT_EQ(ev[4]["ph"], "i") << "an unfinished call is an instant";
  EXPECT_EQ(ev[4]["s"], "t");
  EXPECT_EQ(ev[4]["args"]["unfinished"], true);
  EXPECT_EQ(ev[4]["tid"], 101);
  EXPECT_EQ(ev[5]["name"], "stopped by SIGSTOP");
  // exec renamed the thread: its track and its process are named again.
  EXPECT_EQ(ev[6]["args"]["name"], "newname");
  EXPECT_EQ(ev[7]["args"]["name"], "newname/100");
  EXPECT_EQ(ev[8]["name"], "getpid");
}

TEST(TimelineSink, ValidJsonWithoutFinish) {
  json doc = json::parse(timeline(feed_some, false), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["traceEvents"].size(), 9u);
  json empty = json::parse(timeline([](TimelineSink&, Decoder&) {}, true), nullptr, false);
  ASSERT_FALSE(empty.is_discarded());
  EXPECT_TRUE(empty["traceEvents"].empty());
}

}  // namespace
}  // namespace dtruss
