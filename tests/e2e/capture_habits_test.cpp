// tcpdump's and sysdig's habits for capture files (-r FILE, --read FILE, --write FILE) collide
// with strace's options that dtruss keeps (-r: relative timestamps; --read/--write FDS: dumps):
// each gets a line that names -R or -w, exit 2, and nothing started or written.
#include <gtest/gtest.h>
#include <sys/stat.h>

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

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

TEST_F(CaptureHabits, DashRWithACaptureSaysDashCapitalR) {
  Result r = run_dtruss({"-r", cap});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "is a capture file, not a command")) << r.err;
  EXPECT_TRUE(contains(r.err, "use -R " + cap)) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
}

TEST_F(CaptureHabits, ReadWithAFileSaysDashCapitalR) {
  Result r = run_dtruss({"--read", cap});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "--read takes fds")) << r.err;
  EXPECT_TRUE(contains(r.err, "use -R " + cap)) << r.err;
}

TEST_F(CaptureHabits, WriteWithAFileSaysDashWAndWritesNothing) {
  std::string out = dir + "/new.cap";
  Result r = run_dtruss({"--write", out, "/bin/true"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "--write takes fds")) << r.err;
  EXPECT_TRUE(contains(r.err, "use -w " + out)) << r.err;
  EXPECT_FALSE(exists(out));
}

// -r keeps strace's meaning with a program that is no capture.
TEST_F(CaptureHabits, DashRStillTimesTheLinesOfACommand) {
  Result r = run_dtruss({"-r", "-t", "getppid", fixture("getppid_burst"), "3"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "getppid(")) << r.err;
}

}  // namespace
}  // namespace e2e
