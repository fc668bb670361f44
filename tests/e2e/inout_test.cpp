// In/out arguments shown as the caller passed them and, after the result, as the call wrote them
// back; nanosleep's rem only when a signal interrupted it; calls the kernel restarts after a
// signal (ERESTART*) shown as no result; a failed call's in/out arguments as the caller passed
// them (out-only ones as addresses). On real traced programs (tests/fixtures/inout.c,
// failed_inout.c) and on both backends: the eBPF backend copies the in-values at sys_enter,
// ptrace reads them at entry.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

class InOut : public e2e::BackendTest {
 protected:
  // The main thread's calls (the fixture's signalling thread makes reads and sleeps of its own).
  std::vector<json> main_calls(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {backend(), "--json", "-f"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(fixture("inout"));
    auto r = run_traced(args);
    EXPECT_EQ(r.status, 0) << "the fixture's failed step, or a tracer error: " << r.err;
    std::vector<json> out;
    for (const json& c : syscalls(json_lines(r.trace)))
      if (c["pid"] == c["tid"]) out.push_back(c);
    return out;
  }
};

// A timeout the kernel wrote back: less than `sec` seconds left, but more than one second.
void expect_left(const json& t, int sec, const char* frac) {
  ASSERT_TRUE(t.is_object()) << t;
  EXPECT_EQ(t["tv_sec"], sec - 1) << t;
  EXPECT_GT(t[frac].get<long>(), 0) << t;
}

TEST_P(InOut, SelectShowsTheSetsAsPassedAndWhatIsReady) {
  auto calls = main_calls({"-t", "select,pselect6,ppoll"});
  const json sel = only(calls, "select");
  EXPECT_EQ(sel["args"]["inp"], json::parse("[3,5]")) << sel << ": the set asked about";
  EXPECT_EQ(sel["args"]["tvp"], json::parse(R"({"tv_sec":5,"tv_usec":0})")) << sel;
  EXPECT_EQ(sel["ret"], 1);
  EXPECT_EQ(sel["after"]["inp"], json::parse("[3]")) << sel << ": the ready one";
  expect_left(sel["after"]["tvp"], 5, "tv_usec");
  EXPECT_FALSE(sel["after"].contains("outp")) << "NULL sets have nothing written back";

  const json ps = only(calls, "pselect6");
  EXPECT_EQ(ps["args"]["inp"], json::parse("[3,5]")) << ps;
  EXPECT_EQ(ps["args"]["tsp"], json::parse(R"({"tv_sec":6,"tv_nsec":0})")) << ps;
  EXPECT_EQ(ps["after"]["inp"], json::parse("[3]")) << ps;
  expect_left(ps["after"]["tsp"], 6, "tv_nsec");

  const json pp = only(calls, "ppoll");
  EXPECT_EQ(pp["args"]["ufds"], json::parse(R"([{"fd":3,"events":"POLLIN"},
                                                {"fd":5,"events":"POLLIN"}])"))
      << pp;
  EXPECT_EQ(pp["args"]["tsp"], json::parse(R"({"tv_sec":7,"tv_nsec":0})")) << pp;
  EXPECT_EQ(pp["after"]["ufds"], json::parse(R"([{"fd":3,"revents":"POLLIN"}])")) << pp;
  expect_left(pp["after"]["tsp"], 7, "tv_nsec");
}

TEST_P(InOut, TextShowsWhatWasWrittenBackAfterTheResult) {
  auto r = run_traced({backend(), "-t", "select,ppoll", fixture("inout")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.trace.find("select(6, [3, 5], NULL, NULL, {tv_sec=5, tv_usec=0})"), std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find(" = 1 (in [3], left {tv_sec=4, tv_usec="), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find(" = 1 (revents [{fd=3, revents=POLLIN}], left {tv_sec=6, tv_nsec="),
            std::string::npos)
      << r.trace;
}

TEST_P(InOut, NanosleepRemainderOnlyWhenInterrupted) {
  auto calls = main_calls({"-t", "nanosleep"});
  std::vector<json> sleeps;
  for (const json& c : calls)
    if (c["syscall"] == "nanosleep") sleeps.push_back(c);
  ASSERT_EQ(sleeps.size(), 2u);
  // Slept its whole time: the kernel never wrote rem, only its address is shown.
  EXPECT_EQ(sleeps[0]["ret"], 0) << sleeps[0];
  const json rem = sleeps[0]["args"]["rmtp"];
  EXPECT_TRUE(rem.is_string() && rem.get<std::string>().rfind("0x", 0) == 0) << sleeps[0];
  // Interrupted: what was left of 30 seconds (as the kernel counts it: a signal that came before
  // the sleep began leaves the 30 seconds and the timer's slack).
  const json cut = sleeps[1];
  EXPECT_EQ(cut["args"]["rqtp"], json::parse(R"({"tv_sec":30,"tv_nsec":0})")) << cut;
  ASSERT_TRUE(cut["args"]["rmtp"].is_object()) << cut;
  EXPECT_GT(cut["args"]["rmtp"]["tv_sec"].get<long>(), 20) << cut;
  EXPECT_LE(cut["args"]["rmtp"]["tv_sec"].get<long>(), 30) << cut;
}

TEST_P(InOut, RestartedCallsAreNoResult) {
  // JSON: no return value; the kernel's code and what it means.
  auto calls = main_calls({"-t", "nanosleep,read"});
  std::vector<json> reads;
  for (const json& c : calls)
    if (c["syscall"] == "read" && c["args"]["fd"] == 7) reads.push_back(c);
  ASSERT_EQ(reads.size(), 2u) << "the interrupted read, then the restarted one";
  EXPECT_TRUE(reads[0]["ret"].is_null()) << reads[0];
  EXPECT_EQ(reads[0]["errno"], "ERESTARTSYS") << reads[0];
  EXPECT_EQ(reads[0]["errmsg"], "To be restarted if SA_RESTART is set") << reads[0];
  EXPECT_EQ(reads[1]["ret"], 1) << reads[1];
  EXPECT_EQ(reads[1]["args"]["buf"], "x") << reads[1];
  json cut;
  for (const json& c : calls)
    if (c["syscall"] == "nanosleep" && c["args"]["rqtp"]["tv_sec"] == 30) cut = c;
  EXPECT_TRUE(cut["ret"].is_null()) << cut;
  EXPECT_EQ(cut["errno"], "ERESTART_RESTARTBLOCK") << cut;

  // Text: `= ?` and the code's meaning; --explain says what becomes of the call.
  auto r = run_traced({backend(), "--explain", "-t", "read", fixture("inout")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.trace.find(", 1)\t\t = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"),
            std::string::npos)
      << r.trace;
  EXPECT_EQ(r.trace.find("= -1 ERESTART"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("# read: ERESTARTSYS means a signal interrupted the call: it runs again "
                         "once the handler returns if the handler was installed with SA_RESTART"),
            std::string::npos)
      << r.trace;
}

// In/out arguments of failed calls show the caller's input (out-only ones their address).
TEST_P(InOut, FailedCallsShowTheirInput) {
  auto r = e2e::run_traced({backend(), "--json", e2e::fixture("failed_inout")});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto all = e2e::syscalls(e2e::json_lines(r.trace));
  auto accepts = calls_where(all, "accept4", "upeer_addrlen", json::parse("[16]"));
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0]["errno"], "EAGAIN");
  EXPECT_EQ(accepts[0]["args"]["upeer_sockaddr"].get<std::string>().substr(0, 2), "0x");
  auto gets = calls_where(all, "getsockopt", "optname", 12345);
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0]["errno"], "ENOPROTOOPT");
  EXPECT_EQ(gets[0]["args"]["optlen"], json::parse("[4]"));
  EXPECT_EQ(gets[0]["args"]["optval"].get<std::string>().substr(0, 2), "0x");
  auto sel = calls_where(all, "select", "n", 61);
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0]["errno"], "EBADF");
  EXPECT_EQ(sel[0]["args"]["inp"], json::parse("[60]"));
  auto sf = calls_where(all, "sendfile", "out_fd", 61);
  ASSERT_EQ(sf.size(), 1u);
  EXPECT_EQ(sf[0]["args"]["offset"], json::parse("[100]"));
}

// Structs the kernel reads and then fills in: the room name_to_handle_at is given and the handle
// it wrote; adjtimex's query (modes 0) and the clock's state it returned.
TEST_P(InOut, StructsFilledInAreShownAsPassedAndAsWritten) {
  auto calls = main_calls({"-v", "-t", "name_to_handle_at,adjtimex"});
  const json h = only(calls, "name_to_handle_at");
  EXPECT_EQ(h["args"]["handle"], json::parse(R"({"handle_bytes":128})")) << h;
  if (h["ret"] == 0) {  // (a file system without handles: EOPNOTSUPP)
    ASSERT_TRUE(h["after"]["handle"].is_object()) << h;
    EXPECT_LT(h["after"]["handle"]["handle_bytes"].get<long>(), 128) << h;
    EXPECT_TRUE(h["after"]["handle"].contains("f_handle")) << h;
  }
  const json t = only(calls, "adjtimex");
  EXPECT_EQ(t["args"]["txc_p"]["modes"], "0") << t;
  EXPECT_EQ(t["args"]["txc_p"]["tick"], 1) << t << ": as passed";
  ASSERT_TRUE(t["after"]["txc_p"]["tick"].is_number()) << t;
  EXPECT_GT(t["after"]["txc_p"]["tick"].get<long>(), 1) << t << ": as the kernel wrote it";
}

INSTANTIATE_BACKENDS(InOut);

}  // namespace
}  // namespace e2e
