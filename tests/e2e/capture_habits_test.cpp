// tcpdump's and sysdig's -r FILE collides with strace's -r (relative timestamps), which dtruss
// keeps: given a capture, a line that names -R, exit 2, and nothing started or written.
// (--read FILE and --write FILE are -R and -w: capture_names_test.cpp.)
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace e2e {
namespace {

class CaptureHabits : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = temp_dir();
    cap = dir + "/trace.cap";
    Result w = run_dtruss({"-w", cap, "/bin/true"});
    ASSERT_EQ(w.status, 0) << w.err;
  }
  std::string dir, cap;
};

TEST_F(CaptureHabits, DashRWithACaptureSaysDashCapitalR) {
  Result r = run_dtruss({"-r", cap});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "is a capture file, not a command")) << r.err;
  EXPECT_TRUE(contains(r.err, "use -R " + cap)) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
}

// -r keeps strace's meaning with a program that is no capture.
TEST_F(CaptureHabits, DashRStillTimesTheLinesOfACommand) {
  Result r = run_dtruss({"-r", "-t", "getppid", fixture("getppid_burst"), "3"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "getppid(")) << r.err;
}

}  // namespace
}  // namespace e2e
