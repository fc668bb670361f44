// DTRUSS_VERIFIER_STATS=1: the eBPF backend's start-up, step by step, on standard error (each
// step's wall and CPU time, libbpf's costly steps within the load), which bench/ and
// docs/performance.md use to tell where the start-up goes. Nothing of it without the variable.
// (eBPF only: the suite's name starts with Bpf.)
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// The steps' names, in the order dtruss printed them.
std::vector<std::string> steps(const std::string& err) {
  static const std::regex step(
      R"(^dtruss: start-up: (\S+) +[0-9]+\.[0-9]+ ms, CPU +-?[0-9]+\.[0-9]+ ms \(at +[0-9]+\.[0-9]+ ms\)$)");
  std::vector<std::string> out;
  std::smatch m;
  for (const std::string& l : lines(err))
    if (std::regex_match(l, m, step)) out.push_back(m[1]);
  return out;
}

TEST(BpfStartupStats, EveryStepTimedInOrder) {
  REQUIRE_BPF();
  std::string out = temp_dir() + "/trace";
  Result r = run({"/usr/bin/env", "DTRUSS_VERIFIER_STATS=1", dtruss_bin(), "--backend=bpf",
                  "--output", out, "/bin/true"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> want = {"main",   "core-btf",  "open",        "configure",
                                   "load",   "fill-maps", "ring-buffer", "targets",
                                   "attach", "exec",      "trace"};
  EXPECT_EQ(steps(r.err), want) << r.err;
  // libbpf's costliest step: the kernel's BTF, which it reads for the tracepoints' types.
  EXPECT_TRUE(contains(r.err, "libbpf: CPU")) << r.err;
  EXPECT_TRUE(contains(read_file(out), "execve(")) << read_file(out);
}

// The instructions the verifier processed for program `prog` (-1: not reported), with `args`.
long processed(const std::string& prog, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env", "DTRUSS_VERIFIER_STATS=1", dtruss_bin(),
                                   "--backend=bpf"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("/bin/true");
  Result r = run(argv);
  EXPECT_EQ(r.status, 0) << r.err;
  std::smatch m;
  const std::regex re("^dtruss: verifier: " + prog + ": processed ([0-9]+) insns");
  for (const std::string& l : lines(r.err))
    if (std::regex_search(l, m, re)) return std::stol(m[1]);
  return -1;
}

// --summary fills no capture plan and shows no argument: the io_uring programs leave out the
// plan's runner and the requests' arguments, which the verifier then does not check (most of
// their load time).
TEST(BpfStartupStats, SummaryLoadsNoCapturePlanForIoUring) {
  REQUIRE_BPF();
  std::string out = temp_dir() + "/trace";
  for (const char* prog : {"on_uring_complete", "on_uring_submit"}) {
    long traced = processed(prog, {"--output", out});
    long counted = processed(prog, {"--summary", "--output", out});
    ASSERT_GT(traced, 0) << prog;
    ASSERT_GT(counted, 0) << prog;
    EXPECT_LT(counted * 2, traced)
        << prog << ": " << counted << " instructions under --summary, " << traced << " tracing";
  }
}

// -w (which always takes -y's fd notes) and -y make their DT_FD records in on_sys_exit itself: no
// second program runs at every syscall exit, and the record's code (a global function) is checked
// once, not at each place that sends one. What the fd notes add to the verifier's work stays below
// what that second program took (7,806 instructions in on_sys_exit_fds, against on_sys_exit's
// 4,296, when it sent them). (Below the exit program's own, once; since then the record reads a
// span at a time (+1,300) and a rename re-describes the other traced processes' files (+1,100):
// about 6,200 now, against the exit's 5,500.)
constexpr long kSecondExitProgram = 7806;
TEST(BpfStartupStats, FdNotesAddNoExitProgram) {
  REQUIRE_BPF();
  std::string dir = temp_dir();
  long text = processed("on_sys_exit", {"--output", dir + "/trace"});
  ASSERT_GT(text, 0);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-w", dir + "/cap"}, {"-y", "--output", dir + "/trace"}}) {
    long own = processed("on_sys_exit_fds", args);
    EXPECT_EQ(own, -1) << args[0] << ": on_sys_exit_fds loaded";
    long with_notes = processed("on_sys_exit", args);
    ASSERT_GT(with_notes, text) << args[0];
    long added = with_notes - text + std::max(own, 0L);
    EXPECT_LT(added, kSecondExitProgram)
        << args[0] << ": the fd notes add " << added << " instructions to the exit's " << text;
  }
}

TEST(BpfStartupStats, NothingWithoutTheVariable) {
  REQUIRE_BPF();
  std::string out = temp_dir() + "/trace";
  Result r = run({"/usr/bin/env", "-u", "DTRUSS_VERIFIER_STATS", dtruss_bin(), "--backend=bpf",
                  "--output", out, "/bin/true"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(contains(r.err, "start-up")) << r.err;
}

}  // namespace
}  // namespace e2e
