// --summary-by cgroup and --summary-by container from a capture (format version 4): the live
// trace's names of each process's cgroup (its path) and container are in its Label records, and
// -R shows the same tables, byte for byte, once the process and its cgroup are gone (never from
// the replaying machine's /proc). A capture without them is refused for those views. Needs root
// (a cgroup is made, named as systemd names a service's).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

class CaptureCgroup : public BackendTest {
 protected:
  void TearDown() override {
    if (!cgroup_.empty()) rmdir(cgroup_.c_str());
  }
  std::string cgroup_;
};

TEST_P(CaptureCgroup, ReplaySummaryByCgroupAsTheLiveTraceDid) {
  ASSERT_EQ(geteuid(), 0u) << "a cgroup is made: run as root";
  std::string root = cgroup2_mount();
  ASSERT_FALSE(root.empty()) << "no cgroup2 hierarchy mounted";
  std::string unit = "dtruss-e2e-capcg-" + std::to_string(getpid()) + ".service";
  cgroup_ = root + "/" + unit;
  ASSERT_EQ(mkdir(cgroup_.c_str(), 0755), 0) << cgroup_;
  struct View {
    std::vector<std::string> args;
    std::string names;  // what the live table names the process by
  };
  const std::vector<View> views = {
      {{"-c", "--summary-by", "cgroup"}, "CGROUP /" + unit},
      {{"--summary", "--json", "--summary-by=cgroup"}, "\"cgroup\":\"/" + unit + "\""},
      {{"--summary", "--summary-by=container"}, "unit:" + unit},
  };
  struct Recorded {
    std::string cap, live, replay;
  };
  std::vector<Recorded> recorded;
  for (const View& view : views) {
    SCOPED_TRACE(::testing::PrintToString(view.args));
    ChildGuard inside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
    ASSERT_GT(inside.pid, 0);
    {
      std::ofstream procs(cgroup_ + "/cgroup.procs");
      procs << inside.pid << std::endl;
      ASSERT_TRUE(procs) << cgroup_;
    }
    std::string dir = temp_dir();
    Recorded r{dir + "/c.cap", dir + "/live", dir + "/replay"};
    std::vector<std::string> args = {
        dtruss_bin(), backend(), "-w",      r.cap, "--output",
        r.live,       "-t",      "getppid", "-p",  std::to_string(inside.pid)};
    args.insert(args.end(), view.args.begin(), view.args.end());
    ChildGuard dtruss{spawn(args, "/dev/null", "")};
    // Two calls in the capture (written in batches: its first records are out once the trace is
    // idle for a second).
    ASSERT_TRUE(wait_until([&] {
      std::vector<std::string> show = {"-R", r.cap, "--json", "--output", dir + "/peek"};
      return run_dtruss(show).status <= 1 &&
             calls_so_far(dir + "/peek", "getppid", inside.pid) >= 2;
    })) << read_file(r.live);
    EXPECT_EQ(interrupt(dtruss), 0);
    end(inside);
    std::string live = read_file(r.live);
    EXPECT_TRUE(contains(live, view.names)) << live;
    recorded.push_back(r);
  }
  // The process and its cgroup are gone: the replay has only the capture to name them by.
  ASSERT_TRUE(wait_until([&] { return rmdir(cgroup_.c_str()) == 0; })) << cgroup_;
  cgroup_.clear();
  for (size_t i = 0; i < views.size(); ++i) {
    SCOPED_TRACE(::testing::PrintToString(views[i].args));
    std::vector<std::string> again = {"-R", recorded[i].cap, "--output", recorded[i].replay};
    again.insert(again.end(), views[i].args.begin(), views[i].args.end());
    Result r = run_dtruss(again);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(read_file(recorded[i].live), read_file(recorded[i].replay));
  }
}

// A capture recorded without them holds no process's cgroup: those views are refused, one line,
// status 2, before any output is made.
TEST_P(CaptureCgroup, ViewsByCgroupNeedTheLabels) {
  std::string dir = temp_dir(), cap = dir + "/plain.cap";
  Result r = run_dtruss({backend(), "-w", cap, fixture("getppid_burst"), "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* by : {"cgroup", "container"}) {
    std::string out = dir + "/never-" + by;
    Result p = run_dtruss({"-R", cap, "-c", "--summary-by", by, "--output", out});
    EXPECT_EQ(p.status, 2) << by;
    EXPECT_TRUE(contains(p.err, std::string("--summary-by ") + by + " needs each process's cgroup"))
        << p.err;
    EXPECT_EQ(lines(p.err).size(), 1u) << p.err;
    EXPECT_FALSE(std::filesystem::exists(out)) << by;
  }
}

INSTANTIATE_BACKENDS(CaptureCgroup);

}  // namespace
}  // namespace e2e
