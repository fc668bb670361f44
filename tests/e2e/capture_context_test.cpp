// Capture format 2 (docs/capture-format.md): Syscall records refer back to those before them, up
// to the last Sync. A long trace crosses many Syncs (every 256 KiB of records with -w, every unit
// of the flight recorder's ring), with the same fds describing other files from one call to the
// next and in two processes at once: -y and every other view still show, replayed, what they
// showed live, byte for byte, on both backends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {

std::vector<size_t> capture_record_starts(const std::string& stream);  // capture_test.cpp

namespace {

class CaptureContext : public BackendTest {
 protected:
  std::string dir_ = temp_dir();
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
};

// The record types of a capture (its records decompressed by the zstd program and walked:
// u8 type, u32 length, payload).
std::vector<int> record_types(const std::string& cap) {
  Result d = run({"/bin/sh", "-c", "tail -c +17 '" + cap + "' | zstd -dc"});
  EXPECT_EQ(d.status, 0) << d.err;
  std::vector<int> types;
  for (size_t at : capture_record_starts(d.out)) types.push_back(static_cast<uint8_t>(d.out[at]));
  return types;
}

constexpr int kSync = 15;

TEST_P(CaptureContext, ChangingFdNotesAcrossSyncsReplayTheSame) {
  ASSERT_TRUE(have_program("zstd"));
  std::string cap = file("c.cap"), work = temp_dir();
  std::vector<std::string> cmd = {fixture("fd_reuse"), work, "3000"};
  const std::vector<std::vector<std::string>> views = {{"-y"}, {"-y", "--json"}, {"-y", "-d"}};
  // (-b 64M: the eBPF ring holds the burst, so that a loaded machine loses none of its calls)
  std::vector<std::string> record = {backend(), "-b", "64M", "-f", "-w", cap};
  for (size_t v = 0; v < views.size(); ++v) {
    SCOPED_TRACE(::testing::PrintToString(views[v]));
    std::string live = file("live" + std::to_string(v)),
                replay = file("replay" + std::to_string(v));
    std::vector<std::string> args = record;
    args.insert(args.end(), {"--output", live});
    args.insert(args.end(), views[v].begin(), views[v].end());
    args.insert(args.end(), cmd.begin(), cmd.end());
    Result r = run_dtruss(args, 120);
    ASSERT_EQ(r.status, 0) << r.err;
    std::vector<std::string> back = {"-R", cap, "--output", replay};
    back.insert(back.end(), views[v].begin(), views[v].end());
    Result p = run_dtruss(back, 120);
    ASSERT_EQ(p.status, 0) << p.err;
    std::string a = read_file(live), b = read_file(replay);
    ASSERT_GT(lines(a).size(), 2u * 3000 * 6) << "both processes' 8 calls a round";
    EXPECT_EQ(a, b);
    if (v == 0) {
      // The same fd, other files: the notes changed from one round to the next.
      EXPECT_TRUE(contains(a, work + "/f0>")) << a.substr(0, 2000);
      EXPECT_TRUE(contains(a, work + "/f7>"));
    }
  }
  std::vector<int> types = record_types(cap);
  int syncs = 0;
  for (int t : types) syncs += t == kSync;
  EXPECT_GE(syncs, 3) << "a long trace crosses several Syncs (" << types.size() << " records)";
}

// A flight recording of a small ring (64K: units of 4K, each starting with a Sync) holds the last
// calls: replayed with -y they are the live trace's last lines, each as it was shown live.
TEST_P(CaptureContext, FlightRecordingIsTheLiveTracesEnd) {
  std::string cap = file("f.cap"), live = file("live"), replay = file("replay"), work = temp_dir();
  Result r = run_dtruss({backend(), "-f", "-y", "--flight-recorder", "64K", "-w", cap, "--output",
                         live, fixture("fd_reuse"), work, "2000", "3"},
                        120);
  ASSERT_EQ(r.status, 3) << r.err;
  ASSERT_TRUE(contains(r.err, "the command failed")) << r.err;
  Result p = run_dtruss({"-R", cap, "-y", "--output", replay});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_TRUE(contains(p.err, "earlier events")) << p.err;
  std::vector<std::string> a = lines(read_file(live)), b = lines(read_file(replay));
  ASSERT_GT(b.size(), 100u);
  ASSERT_LT(b.size(), a.size()) << "64K cannot hold every call";
  // (the replay's first line is the column header, as the live trace's)
  EXPECT_EQ(a.front(), b.front());
  std::vector<std::string> tail(a.end() - static_cast<long>(b.size() - 1), a.end());
  std::vector<std::string> held(b.begin() + 1, b.end());
  EXPECT_EQ(tail, held);
}

INSTANTIATE_BACKENDS(CaptureContext);

}  // namespace
}  // namespace e2e
