// A capture of --container (or --cgroup, --all) records each process's container label as the
// live lines named it (Label records, format version 3): -R shows the same lines, byte for byte,
// labels included, on a machine where that process and cgroup are long gone. Needs root (a cgroup
// is made, named as systemd names a service's).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

class CaptureLabels : public BackendTest {
 protected:
  void TearDown() override {
    if (!cgroup_.empty()) rmdir(cgroup_.c_str());
  }
  std::string cgroup_;
};

TEST_P(CaptureLabels, ReplayNamesTheContainersAsTheLiveTraceDid) {
  ASSERT_EQ(geteuid(), 0u) << "a cgroup is made: run as root";
  std::string root = cgroup2_mount();
  ASSERT_FALSE(root.empty()) << "no cgroup2 hierarchy mounted";
  std::string unit = "dtruss-e2e-caplabel-" + std::to_string(getpid()) + ".service";
  cgroup_ = root + "/" + unit;
  ASSERT_EQ(mkdir(cgroup_.c_str(), 0755), 0) << cgroup_;
  for (const std::vector<std::string>& view : std::vector<std::vector<std::string>>{
           {"--json"}, {}, {"--summary", "--summary-by=container"}}) {
    SCOPED_TRACE(::testing::PrintToString(view));
    ChildGuard inside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
    ASSERT_GT(inside.pid, 0);
    {
      std::ofstream procs(cgroup_ + "/cgroup.procs");
      procs << inside.pid << std::endl;
      ASSERT_TRUE(procs) << cgroup_;
    }
    std::string dir = temp_dir();  // (each view's files its own)
    std::string cap = dir + "/c.cap", live = dir + "/live", replay = dir + "/replay";
    std::vector<std::string> args = {dtruss_bin(), backend(), "-w", cap,
                                     "--output",   live,      "-t", "getppid"};
    args.insert(args.end(), view.begin(), view.end());
    args.insert(args.end(), {"--container", unit});
    ChildGuard dtruss{spawn(args, "/dev/null", "")};
    // Two calls (100 ms apart) in the capture: it is written in batches, but its Sync and the
    // first records are out once the trace is idle for a second.
    ASSERT_TRUE(wait_until([&] {
      std::vector<std::string> show = {"-R", cap, "--json", "--output", dir + "/peek"};
      return run_dtruss(show).status <= 1 &&
             calls_so_far(dir + "/peek", "getppid", inside.pid) >= 2;
    })) << read_file(live);
    EXPECT_EQ(interrupt(dtruss), 0);
    end(inside);  // (the replay cannot read its label from /proc: it is the capture's)
    std::vector<std::string> again = {"-R", cap, "--output", replay};
    again.insert(again.end(), view.begin(), view.end());
    Result r = run_dtruss(again);
    ASSERT_EQ(r.status, 0) << r.err;
    std::string a = read_file(live), b = read_file(replay);
    EXPECT_TRUE(contains(a, "unit:" + unit)) << a;
    EXPECT_EQ(a, b);
  }
}

INSTANTIATE_BACKENDS(CaptureLabels);

}  // namespace
}  // namespace e2e
