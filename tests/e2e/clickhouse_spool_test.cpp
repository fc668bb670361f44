// --clickhouse with the server never there and a spool on a full disk (a tmpfs of 256 KiB in the
// test's own directory, unmounted after): the traced program is not held up, what the spool could
// not keep is counted and said at exit like lost events (without changing the exit status), and
// what it kept is whole zstd frames, their rows and the lost count making up every event. And the
// aggregates of --summary wait in the spool too, the exit message naming their table.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <regex>

#include "clickhouse_server.h"
#include "harness.h"

namespace e2e {
namespace {

// A small tmpfs at `dir` for the test's time.
struct SmallDisk {
  std::string dir;
  std::string error;
  explicit SmallDisk(std::string d) : dir(std::move(d)) {
    mkdir(dir.c_str(), 0700);
    if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=256k,mode=0700") != 0)
      error = std::string("mount tmpfs: ") + strerror(errno);
  }
  ~SmallDisk() {
    if (error.empty()) umount2(dir.c_str(), MNT_DETACH);
  }
};

class ClickHouseFullSpool : public BackendTest {};

TEST_P(ClickHouseFullSpool, WhatTheDiskCannotKeepIsCountedNotWaitedFor) {
  std::string dir = temp_dir();
  SmallDisk disk(dir + "/small");
  ASSERT_EQ(disk.error, "");
  std::string spool = disk.dir + "/spool.jsonl.zst";
  std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/?database=full";
  std::vector<std::string> args{
      backend(),      "--summary", "--clickhouse-events", "--output", dir + "/trace",
      "--clickhouse", url,         "--clickhouse-spool",  spool,      "--clickhouse-batch",
      "1000"};
  if (GetParam() == "bpf") args.insert(args.end(), {"-b", "64M"});  // (the ring loses none)
  args.insert(args.end(), {fixture("ch_phases"), dir, "60000", "1", "report"});
  Result r = run_dtruss(args, 120);
  ASSERT_EQ(r.status, 0) << "a full spool alone is no failure: " << r.err;
  std::smatch lost, kept;
  ASSERT_TRUE(std::regex_search(r.err, lost,
                                std::regex("ClickHouse: (\\d+) events lost: the spool '" + spool +
                                           "' could not keep them \\(No space left on device\\)")))
      << r.err;
  ASSERT_TRUE(std::regex_search(r.err, kept, std::regex("ClickHouse: (\\d+) events not sent")))
      << r.err;
  EXPECT_TRUE(contains(r.err, "kept in '" + spool + "'")) << r.err;
  // The spool is whole frames (a frame the disk cut is cut off), holding what the message says.
  Result z = run({"/usr/bin/zstd", "-dc", spool});
  ASSERT_EQ(z.status, 0) << z.err;
  long rows = static_cast<long>(lines(z.out).size());
  EXPECT_EQ(rows, std::stol(kept[1]));
  // Every event (the calls and the exit) is in the spool or counted as lost.
  std::smatch total;
  std::string trace = read_file(dir + "/trace");
  ASSERT_TRUE(std::regex_search(trace, total, std::regex("TOTAL\\s+(\\d+)"))) << trace;
  EXPECT_EQ(rows + std::stol(lost[1]), std::stol(total[1]) + 1) << r.err;
  EXPECT_GE(std::stol(total[1]), 60001);
  // The program was not held up by the disk: its 60000 calls in well under the trace's waits.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("phase 0: ([0-9.]+) ms"))) << r.out;
  EXPECT_LT(std::stod(m[1]), 20000.0) << r.out;
}

// --summary --clickhouse, no server: the aggregates wait in the spool, and the exit message says
// where and how to send them into dtruss_aggregates; their calls are the summary's.
TEST_P(ClickHouseFullSpool, TheAggregatesWaitInTheSpoolToo) {
  std::string dir = temp_dir(), spool = dir + "/spool.jsonl.zst";
  std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/?database=away";
  Result r = run_dtruss({backend(), "--summary", "--output", dir + "/trace", "--clickhouse", url,
                         "--clickhouse-spool", spool, fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(r.err, m, std::regex("ClickHouse: (\\d+) aggregate rows? not sent")))
      << r.err;
  EXPECT_TRUE(contains(r.err, "kept in '" + spool + "'")) << r.err;
  EXPECT_TRUE(contains(r.err, "INSERT INTO dtruss_aggregates FORMAT JSONEachRow")) << r.err;
  Result z = run({"/usr/bin/zstd", "-dc", spool});
  ASSERT_EQ(z.status, 0) << z.err;
  std::vector<nlohmann::json> rows = json_lines(z.out);
  EXPECT_EQ(rows.size(), std::stoul(m[1]));
  std::map<std::string, std::pair<long, long>> got;
  for (const auto& row : rows) {
    if (row["syscall"] == "") continue;
    auto& c = got[row["syscall"].get<std::string>()];
    c.first += row["calls"].get<long>();
    c.second += row["errors"].get<long>();
  }
  EXPECT_EQ(got, summary_rows(read_file(dir + "/trace")));
}

INSTANTIATE_BACKENDS(ClickHouseFullSpool);

}  // namespace
}  // namespace e2e
