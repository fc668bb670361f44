// --tracer-cpu (issue 20): the ptrace tracer keeps itself on one CPU (pin, follow) or lets the
// scheduler move it (off); the traced program's affinity is never changed, nor inherited from
// dtruss's: its CPUs (main thread, a thread, a child) are those it has untraced. The fixture
// (tests/fixtures/affinity.c) prints them, and with "tracer" or "wait-pinned" its tracer's.
#include <gtest/gtest.h>
#include <sched.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using namespace e2e;

// The fixture's line "WHO: CPU CPU ..." ("" when absent).
std::string line_of(const std::string& out, const std::string& who) {
  for (const std::string& l : lines(out))
    if (l.rfind(who + ":", 0) == 0) return l.substr(who.size() + 1);
  return "";
}

size_t cpu_count(const std::string& cpus) {
  size_t n = 0;
  for (char c : cpus) n += c == ' ';
  return n;
}

// This test process's CPUs, as the fixture prints them: what a program dtruss starts has.
std::string own_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return "?";
  std::string s;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET(cpu, &set)) s += " " + std::to_string(cpu);
  return s;
}

class TracerCpu : public BackendTest {};

TEST_P(TracerCpu, TheTracedProgramsAffinityIsItsOwn) {
  Result untraced = run({fixture("affinity")});
  ASSERT_EQ(untraced.status, 0) << untraced.err;
  ASSERT_EQ(line_of(untraced.out, "main"), own_cpus()) << untraced.out;
  for (const char* mode : {"pin", "follow", "off"}) {
    Result r = run_traced({backend(), "-f", std::string("--tracer-cpu=") + mode, "-t", "getpid",
                           fixture("affinity")});
    ASSERT_EQ(r.status, 0) << mode << ": " << r.err;
    for (const char* who : {"main", "thread", "child"})
      EXPECT_EQ(line_of(r.out, who), line_of(untraced.out, who)) << mode << ", " << who << ":\n"
                                                                 << r.out;
  }
}

INSTANTIATE_BACKENDS(TracerCpu);

// The ptrace tracer itself: on one CPU (of those it may use) with pin and follow, the default
// (but for a while when another program keeps that CPU busy: the fixture waits for it to be
// pinned); where the scheduler puts it with off.
TEST(PtraceTracerCpu, PinnedByDefaultUnpinnedWithOff) {
  std::string all = own_cpus();
  ASSERT_GE(cpu_count(all), 2u) << "the test needs 2 CPUs or more to tell pinned from not: " << all;
  for (const char* mode : {"", "--tracer-cpu=pin", "--tracer-cpu=follow", "--tracer-cpu=off"}) {
    std::vector<std::string> args = {"--backend=ptrace"};
    if (*mode != '\0') args.push_back(mode);
    args.push_back(fixture("affinity"));
    args.push_back(std::string(mode) == "--tracer-cpu=off" ? "tracer" : "wait-pinned");
    Result r = run_traced(args);
    ASSERT_EQ(r.status, 0) << mode << ": " << r.err;
    std::string tracer = line_of(r.out, "tracer");
    if (std::string(mode) == "--tracer-cpu=off") {
      EXPECT_EQ(tracer, all) << r.out;
    } else {
      EXPECT_EQ(cpu_count(tracer), 1u) << mode << ":\n" << r.out;
      EXPECT_NE(all.find(tracer), std::string::npos) << mode << ":\n" << r.out;
    }
    EXPECT_EQ(line_of(r.out, "main"), all) << mode << ":\n" << r.out;
  }
}

// --tracer-spin: dtruss polls for a stop only when that kind of stop came within the spin before.
// The fixture sleeps 1 ms between its calls 200 times: polling 0.5 ms before each of those sleeps'
// ends would cost 100 ms of CPU more than never polling (more on a machine whose idle CPUs halt: a
// stop after a sleep comes later); it may cost one poll, and those that catch their stop.
TEST(PtraceTracerSpin, ACallThatSleepsIsNotPolledForAgain) {
  ASSERT_GE(cpu_count(own_cpus()), 2u) << "dtruss never polls on one CPU: nothing to test";
  double cpu[2] = {0, 0};
  for (int spin : {0, 1}) {
    Result r = run_traced({"--backend=ptrace", spin ? "--tracer-spin=500" : "--tracer-spin=0",
                           fixture("flight"), "yield", "200"});
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_NE(r.trace.find("\nsched_yield()"), std::string::npos) << r.trace;
    cpu[spin] = r.cpu_s;
  }
  EXPECT_LT(cpu[1] - cpu[0], 0.060)
      << "CPU s, never polling: " << cpu[0] << ", polling up to 0.5 ms: " << cpu[1];
}

TEST(PtraceTracerSpin, MoreThanAMillisecondIsAUsageError) {
  Result r = run_dtruss({"--backend=ptrace", "--tracer-spin=1001", fixture("flight"), "yield"});
  EXPECT_EQ(r.status, 2);
  auto ls = lines(r.err);
  ASSERT_EQ(ls.size(), 2u) << r.err;
  EXPECT_EQ(ls[0], "dtruss: --tracer-spin needs microseconds from 0 to 1000, not '1001'");
}

TEST(PtraceTracerCpu, AnUnknownModeIsAUsageError) {
  Result r = run_dtruss({"--backend=ptrace", "--tracer-cpu=sometimes", fixture("affinity")});
  EXPECT_EQ(r.status, 2);
  auto ls = lines(r.err);
  ASSERT_EQ(ls.size(), 2u) << r.err;
  EXPECT_EQ(ls[0], "dtruss: --tracer-cpu takes pin, follow or off, not 'sometimes'");
  EXPECT_EQ(ls[1], "Try 'dtruss -h' for more information.");
}

}  // namespace
