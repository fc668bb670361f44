// The issue's spellings of capture files (part 11): --write FILE records as -w does and --read FILE
// replays as -R does, when the value is no strace fd set (which keeps its meaning: --write=1 dumps
// fd 1); a value that is both (a file named 3) is the set, ./3 the file. -r FILE stays strace's
// -r and says in one line how to show a capture.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// `args` run by dtruss in the directory `dir` (for file names without a slash).
Result run_dtruss_in(const std::string& dir, const std::vector<std::string>& args) {
  std::string line = "cd '" + dir + "' && exec '" + dtruss_bin() + "'";
  for (const auto& a : args) line += " '" + a + "'";
  return run({"/bin/sh", "-c", line});
}

class CaptureNames : public BackendTest {
 protected:
  std::string dir_ = temp_dir();
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
};

// --write F records what -w F records; --read F shows what -R F shows, in every view.
TEST_P(CaptureNames, WriteAndReadFileAreDashWAndDashCapitalR) {
  std::string d = temp_dir();
  std::vector<std::string> cmd = {fixture("files"), d};
  Result w = run_dtruss({backend(), "--write", file("long.cap"), cmd[0], cmd[1]});
  ASSERT_EQ(w.status, 0) << w.err;
  EXPECT_EQ(w.err, "");  // (recorded only, as -w alone)
  Result s =
      run_dtruss({backend(), "-w", file("short.cap"), "--output", file("live"), cmd[0], cmd[1]});
  ASSERT_EQ(s.status, 0) << s.err;
  for (const std::vector<std::string>& view :
       std::vector<std::vector<std::string>>{{}, {"--json"}, {"-c"}, {"-y"}}) {
    SCOPED_TRACE(::testing::PrintToString(view));
    std::vector<std::string> by_read = {"--read", file("long.cap")};
    std::vector<std::string> by_dash_r = {"-R", file("long.cap")};
    by_read.insert(by_read.end(), view.begin(), view.end());
    by_dash_r.insert(by_dash_r.end(), view.begin(), view.end());
    Result a = run_dtruss(by_read), b = run_dtruss(by_dash_r);
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_FALSE(a.err.empty());
    EXPECT_EQ(a.out + a.err, b.out + b.err);
    EXPECT_TRUE(contains(a.out + a.err, "hello.txt")) << a.err;
  }
  // --read=F and --write=F (one word) too; the replay is the live view's, byte for byte.
  Result w2 = run_dtruss(
      {backend(), "--write=" + file("eq.cap"), "--output", file("live2"), cmd[0], cmd[1]});
  ASSERT_EQ(w2.status, 0) << w2.err;
  Result r2 = run_dtruss({"--read=" + file("eq.cap"), "--output", file("replay2")});
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_FALSE(read_file(file("live2")).empty());
  EXPECT_EQ(read_file(file("live2")), read_file(file("replay2")));
}

// --write=1 and --read=0 are strace's dumps, as before: nothing recorded, the data in hex.
TEST_P(CaptureNames, AnFdSetStillDumps) {
  Result r = run_dtruss_in(dir_, {backend(), "--write=1", "/bin/echo", "hello"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "68 65 6c 6c 6f")) << r.err;  // "hello", dumped
  EXPECT_FALSE(exists(file("1")));
  Result all = run_dtruss_in(dir_, {backend(), "--write", "!0,2", "/bin/echo", "hi"});
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_TRUE(contains(all.err, "68 69")) << all.err;
  EXPECT_FALSE(exists(file("!0,2")));
}

// A capture named 3 in the current directory: --read 3 is the fd set (the command is traced),
// --read ./3 the file.
TEST_P(CaptureNames, AValueThatIsBothIsTheSetAndDotSlashIsTheFile) {
  Result w = run_dtruss_in(dir_, {backend(), "--write", "./3", "/bin/echo", "recorded"});
  ASSERT_EQ(w.status, 0) << w.err;
  ASSERT_TRUE(exists(file("3")));
  Result set = run_dtruss_in(dir_, {backend(), "--read", "3", "/bin/echo", "live"});
  ASSERT_EQ(set.status, 0) << set.err;
  EXPECT_EQ(set.out, "live\n");
  Result f = run_dtruss_in(dir_, {"--read", "./3"});
  ASSERT_EQ(f.status, 0) << f.err;
  EXPECT_TRUE(contains(f.err, "recorded")) << f.err;
}

// --read F with F neither a set nor a capture: one line, status 2, no output made. --write F
// refused (the command does not exist): no F.
TEST_P(CaptureNames, RefusedValuesTouchNothing) {
  std::string text = file("notes.txt"), out = file("never");
  {
    Result w = run({"/bin/sh", "-c", "echo hello > '" + text + "'"});
    ASSERT_EQ(w.status, 0);
  }
  for (const std::string& bad : {text, file("missing.cap")}) {
    Result r = run_dtruss({"--read", bad, "--output", out});
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "is no fd set")) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_FALSE(exists(out));
  }
  Result w = run_dtruss({backend(), "--write", file("new.cap"), "/nonexistent/program"});
  EXPECT_EQ(w.status, 2) << w.err;
  EXPECT_FALSE(exists(file("new.cap")));
  Result both = run_dtruss({backend(), "--read", file("new.cap"), "/bin/true"});
  EXPECT_EQ(both.status, 2) << both.err;
  EXPECT_TRUE(contains(both.err, "--read FILE shows a capture")) << both.err;
  Result e = run_dtruss({backend(), "-e", "write=" + file("new.cap"), "/bin/true"});
  EXPECT_EQ(e.status, 2) << e.err;
  EXPECT_TRUE(contains(e.err, "use --write " + file("new.cap"))) << e.err;
  EXPECT_FALSE(exists(file("new.cap")));
}

// -r FILE is strace's -r and a command: for a capture, one line naming -R, status 2, nothing
// written (not even the -w file or the --output given with it).
TEST_P(CaptureNames, DashRWithACaptureIsOneLineAndTouchesNothing) {
  std::string cap = file("t.cap");
  Result w = run_dtruss({backend(), "-w", cap, "/bin/true"});
  ASSERT_EQ(w.status, 0) << w.err;
  Result r = run_dtruss({backend(), "-w", file("other.cap"), "--output", file("out"), "-r", cap});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "use -R " + cap)) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(exists(file("other.cap")));
  EXPECT_FALSE(exists(file("out")));
}

INSTANTIATE_BACKENDS(CaptureNames);

}  // namespace
}  // namespace e2e
