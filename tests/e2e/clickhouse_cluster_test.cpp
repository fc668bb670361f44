// docs/clickhouse.md's cluster recipe, tried on ClickHouse 18.16: a server whose cluster "traces"
// has two shards, both itself (default databases shard1 and shard2); the recipe's statements run
// as the docs give them (per shard for the _local tables, the Distributed ones with '' for the
// database: each shard's default); two dtruss "hosts" write into the Distributed tables at once;
// each host's rows land in the shard its name hashes to, and queries through the Distributed
// tables see both hosts, whole.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <regex>

#include "clickhouse_server.h"
#include "harness.h"

namespace e2e {
namespace {

// The statements of the recipe's SQL block (after "**The cluster**"), one by one.
std::vector<std::string> recipe() {
  std::string doc = read_file(std::string(FIXTURE_SRC_DIR) + "/../../docs/clickhouse.md");
  size_t at = doc.find("**The cluster**");
  size_t from = doc.find("```sql\n", at);
  if (at == std::string::npos || from == std::string::npos) return {};
  from += 7;
  std::string sql = doc.substr(from, doc.find("```", from) - from);
  std::vector<std::string> out;
  for (size_t start = 0, end; (end = sql.find(";\n", start)) != std::string::npos; start = end + 2)
    out.push_back(sql.substr(start, end - start));
  return out;
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
  return s;
}

TEST(ClickHouseCluster, TheDistributedRecipeWorks) {
  ClickHouseServer ch(true);
  ASSERT_EQ(ch.start(), "") << "a real ClickHouse server is needed";
  std::vector<std::string> statements = recipe();
  ASSERT_GE(statements.size(), 8u);
  for (const char* db : {"shard1", "shard2"})
    ASSERT_EQ(ch.query(std::string("CREATE DATABASE ") + db), "");
  for (const std::string& st : statements) {
    SCOPED_TRACE(st);
    EXPECT_FALSE(contains(st, "ON CLUSTER")) << "needs ZooKeeper: not in the recipe as run";
    if (contains(st, "_local") && !contains(st, "Distributed")) {
      for (const char* db : {"shard1", "shard2"}) {
        std::string r = ch.query(replaced(st, "traces.", std::string(db) + "."));
        EXPECT_FALSE(contains(r, "ERROR")) << r;
      }
    } else {
      std::string s = replaced(replaced(st, "AS traces.", "AS shard1."),
                               "Distributed(traces, traces,", "Distributed(traces, '',");
      std::string r = ch.query(s);
      EXPECT_FALSE(contains(r, "ERROR")) << r;
    }
  }
  // Two host names that hash to different shards (cityHash64(host) % 2).
  std::string hosts[2];
  for (int i = 0; hosts[0].empty() || hosts[1].empty(); ++i) {
    ASSERT_LT(i, 64);
    std::string h = "node" + std::to_string(i);
    long shard = ch.number("SELECT cityHash64('" + h + "') % 2");
    if (hosts[shard].empty()) hosts[shard] = h;
  }
  std::string dir = temp_dir();
  std::vector<ChildGuard> runs(2);
  for (int i = 0; i < 2; ++i) {
    std::string d = dir + "/" + std::to_string(i);
    mkdir(d.c_str(), 0755);
    runs[i].pid = spawn(
        {dtruss_bin(), "--summary", "--clickhouse-events", "--output", d + "/trace", "--clickhouse",
         ch.url("traces"), "--host-name", hosts[i], fixture("ch_phases"), d, "3000", "1"},
        d + "/out", d + "/err");
    ASSERT_GT(runs[i].pid, 0);
  }
  for (int i = 0; i < 2; ++i) {
    int status = wait_for(runs[i].pid, 90000);
    runs[i].pid = -1;
    ASSERT_EQ(exit_code(status), 0) << read_file(dir + "/" + std::to_string(i) + "/err");
    EXPECT_EQ(read_file(dir + "/" + std::to_string(i) + "/err"), "");
  }
  auto count = [&](const std::string& table, const std::string& what, const std::string& host) {
    return ch.number("SELECT " + what + " FROM " + table + " WHERE host = '" + host +
                     "' AND syscall = 'getppid'");
  };
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(hosts[i]);
    std::string mine = i == 0 ? "shard1" : "shard2", other = i == 0 ? "shard2" : "shard1";
    // (a Distributed insert reaches the shards in the background: waited for, not slept)
    EXPECT_TRUE(wait_until(
        [&] {
          return count(mine + ".dtruss_events_local", "count()", hosts[i]) == 3000 &&
                 count(mine + ".dtruss_aggregates_local", "sum(calls)", hosts[i]) == 3000 &&
                 // (a view is written after its table, in the same insert)
                 count(mine + ".dtruss_minutes_local", "countMerge(calls)", hosts[i]) == 3000;
        },
        30000))
        << count(mine + ".dtruss_events_local", "count()", hosts[i]);
    EXPECT_EQ(count(other + ".dtruss_events_local", "count()", hosts[i]), 0);
    EXPECT_EQ(count(other + ".dtruss_aggregates_local", "count()", hosts[i]), 0);
    EXPECT_EQ(count("traces.dtruss_events", "count()", hosts[i]), 3000);
    EXPECT_EQ(count("traces.dtruss_aggregates", "sum(calls)", hosts[i]), 3000);
    EXPECT_EQ(count("traces.dtruss_minutes", "countMerge(calls)", hosts[i]), 3000);
  }
  EXPECT_EQ(ch.number("SELECT uniqExact(host) FROM traces.dtruss_events"), 2);
}

}  // namespace
}  // namespace e2e
