// io_uring operations beyond one submission, one completion (the eBPF backend):
// tests/fixtures/uring_more.c. A multishot operation (one submission, a completion per event)
// is shown as one line per completion, those with more to come (IORING_CQE_F_MORE) marked:
// `= 6 (more)`, JSON "more":true; its last completion is not. What the kernel copied from the
// program's memory at submission is shown as the syscalls show it: a timeout's timespec, an
// openat2's struct open_how.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// "completions N" from the fixture's output.
int completions(const Result& r) {
  size_t at = r.out.find("completions ");
  if (at == std::string::npos) return -1;
  return std::stoi(r.out.substr(at + 12));
}

std::vector<json> uring_ops(const std::string& mode, Result* r) {
  *r = run_traced({"--backend=bpf", "--json", "--", fixture("uring_more"), mode, temp_dir()});
  EXPECT_EQ(r->status, 0) << r->err;
  return of_type(json_lines(r->trace), "uring");
}

// A multishot operation's lines: `mode` of the fixture, its operation `name`, with three
// completions with more to come, then its last (ECANCELED by the async_cancel).
void multishot_lines(const std::string& mode, const std::string& name) {
  SCOPED_TRACE(mode);
  Result r;
  std::vector<json> ops = uring_ops(mode, &r);
  // Every completion is a line: three with more to come, the cancel, the last.
  ASSERT_EQ(static_cast<int>(ops.size()), completions(r)) << r.trace;
  std::vector<json> mine;
  for (const json& e : ops)
    if (e["syscall"] == name) mine.push_back(e);
  ASSERT_EQ(mine.size(), 4u) << r.trace;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(mine[i].value("more", false), true) << mine[i];
    EXPECT_GE(mine[i]["ret"].get<int>(), 1) << mine[i];
    EXPECT_EQ(mine[i]["args"]["fd"], mine[3]["args"]["fd"]) << mine[i];
  }
  EXPECT_FALSE(mine[3].contains("more")) << mine[3];
  EXPECT_EQ(mine[3]["errno"], "ECANCELED") << mine[3];
  // The text marks them.
  auto t = run_traced({"--backend=bpf", "-t", "%uring", "--", fixture("uring_more"), mode});
  ASSERT_EQ(t.status, 0) << t.err;
  size_t marked = 0;
  for (size_t at = t.trace.find(" (more)\n"); at != std::string::npos;
       at = t.trace.find(" (more)\n", at + 1))
    ++marked;
  EXPECT_EQ(marked, 3u) << t.trace;
  EXPECT_TRUE(contains(t.trace, "[uring] " + name + "(")) << t.trace;
  EXPECT_TRUE(contains(t.trace, "ECANCELED (Operation canceled)\n")) << t.trace;
}

TEST(BpfUringMore, MultishotAcceptIsALinePerCompletion) {
  multishot_lines("multishot", "accept");
}

TEST(BpfUringMore, MultishotPollIsALinePerCompletion) {
  multishot_lines("pollmulti", "poll_add");
}

// A capture (-w) keeps the mark: -R shows the same lines, (more) and all, and the timespec.
TEST(BpfUringMore, ACaptureKeepsTheMarkAndTheBytes) {
  std::string cap = temp_dir() + "/uring.dtruss";
  for (const char* mode : {"pollmulti", "timeout"}) {
    SCOPED_TRACE(mode);
    auto live =
        run_dtruss({"--backend=bpf", "-t", "%uring", "-w", cap, "--", fixture("uring_more"), mode});
    ASSERT_EQ(live.status, 0) << live.err;
    Result replay = run_dtruss({"-R", cap});
    ASSERT_EQ(replay.status, 0) << replay.err;
    std::string want = std::string(mode) == "pollmulti" ? " = 1 (more)\n" : "tv_nsec=1500000}";
    EXPECT_TRUE(contains(replay.err, want)) << replay.err;
  }
}

// A timeout's and a link_timeout's timespec (read from the kernel's copy at submission: the
// program's may be gone by completion), as nanosleep's is shown.
TEST(BpfUringMore, TimeoutsShowTheirTimespec) {
  Result r;
  std::vector<json> ops = uring_ops("timeout", &r);
  ASSERT_EQ(static_cast<int>(ops.size()), completions(r)) << r.trace;
  json timeout, link;
  for (const json& e : ops) {
    if (e["syscall"] == "timeout") timeout = e;
    if (e["syscall"] == "link_timeout") link = e;
  }
  ASSERT_FALSE(timeout.is_null() || link.is_null()) << r.trace;
  EXPECT_EQ(timeout["args"]["ts"], (json{{"tv_sec", 0}, {"tv_nsec", 1500000}})) << timeout;
  EXPECT_EQ(timeout["errno"], "ETIME") << timeout;
  EXPECT_EQ(link["args"]["ts"], (json{{"tv_sec", 0}, {"tv_nsec", 2000000}})) << link;
  auto t = run_traced({"--backend=bpf", "-t", "%uring", "--", fixture("uring_more"), "timeout"});
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_TRUE(contains(t.trace, "[uring] timeout({tv_sec=0, tv_nsec=1500000}, 0)")) << t.trace;
  EXPECT_TRUE(contains(t.trace, "[uring] link_timeout({tv_sec=0, tv_nsec=2000000})")) << t.trace;
}

// IORING_OP_OPENAT2 is openat2, its struct open_how decoded as openat2's (resolve included).
TEST(BpfUringMore, Openat2ShowsItsOpenHow) {
  Result r;
  std::vector<json> ops = uring_ops("openat2", &r);
  ASSERT_EQ(ops.size(), 1u) << r.trace;
  const json& open = ops[0];
  EXPECT_EQ(open["syscall"], "openat2") << open;
  EXPECT_TRUE(text_arg(open, "filename").ends_with("/uring2.txt")) << open;
  EXPECT_EQ(open["args"]["how"]["flags"], "O_RDWR|O_CREAT|O_LARGEFILE") << open;
  EXPECT_EQ(open["args"]["how"]["mode"], 0640) << open;
  EXPECT_EQ(open["args"]["how"]["resolve"], "RESOLVE_NO_SYMLINKS") << open;
  EXPECT_EQ(open["args"]["usize"], 24) << open;
  EXPECT_GE(open["ret"].get<int>(), 3) << open;
}

}  // namespace
}  // namespace e2e
