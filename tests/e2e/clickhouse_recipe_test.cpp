// docs/clickhouse.md's fleet recipe, as a node runs it: the systemd unit's command line (its
// ExecStart, with systemd's %% as %) against a real server, stopped as `systemctl stop` stops it.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "clickhouse_server.h"
#include "harness.h"

namespace e2e {
namespace {

// The unit's ExecStart as argv: continuation lines joined, '...' quoting, %% as %.
std::vector<std::string> exec_start(const std::string& doc) {
  size_t at = doc.find("# /etc/systemd/system/dtruss-fleet.service");
  if (at == std::string::npos) return {};
  std::string unit = doc.substr(at, doc.find("```", at) - at);
  std::smatch m;
  if (!std::regex_search(unit, m, std::regex(R"(\nExecStart=((?:[^\n]*\\\n)*[^\n]*)\n)")))
    return {};
  std::string line = std::regex_replace(m[1].str(), std::regex(R"(\\\n\s*)"), "");
  std::vector<std::string> argv;
  std::string word;
  bool in_word = false, quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\'') {
      quoted = !quoted;
      in_word = true;
    } else if (!quoted && (c == ' ' || c == '\t')) {
      if (in_word) argv.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      if (c == '%' && i + 1 < line.size() && line[i + 1] == '%') ++i;
      in_word = true;
    }
  }
  if (in_word) argv.push_back(word);
  return argv;
}

class BpfClickHouseRecipe : public WithClickHouse<::testing::Test> {};

TEST_F(BpfClickHouseRecipe, TheServiceCommandSendsTheFailures) {
  REQUIRE_BPF();  // (--all)
  std::string doc = read_file(std::string(FIXTURE_SRC_DIR) + "/../../docs/clickhouse.md");
  std::vector<std::string> argv = exec_start(doc);
  ASSERT_GT(argv.size(), 4u) << "no ExecStart in docs/clickhouse.md's unit";
  ASSERT_EQ(argv[0], "/usr/bin/dtruss");
  argv[0] = dtruss_bin();
  // The node's server and spool are this test's; the password comes from the environment, as
  // the unit's EnvironmentFile gives it.
  std::string dir = temp_dir();
  bool url = false, spool = false;
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--clickhouse") {
      ASSERT_TRUE(std::regex_search(argv[i + 1], std::regex("^http://writer@[^/]+/\\?database=")))
          << argv[i + 1];
      argv[i + 1] =
          "http://tracer@127.0.0.1:" + std::to_string(ch().http_port()) + "/?database=traces";
      url = true;
    }
    if (argv[i] == "--clickhouse-spool") {
      argv[i + 1] = dir + "/spool.jsonl.zst";
      spool = true;
    }
  }
  ASSERT_TRUE(url && spool) << "the unit names the server and the spool";
  ASSERT_EQ(setenv("DTRUSS_CLICKHOUSE_PASSWORD", ClickHouseServer::kPassword, 1), 0);
  ChildGuard dtruss{spawn(argv, dir + "/out", dir + "/err")};
  ASSERT_GT(dtruss.pid, 0);
  ASSERT_TRUE(wait_bpf_attached(dtruss.pid))
      << read_file(dir + "/err");  // (its notices: /dev/null)
  // A program whose opens fail (files: an openat of a missing file): its failures arrive.
  auto failures = [&] {
    return ch().number(
        "SELECT count() FROM traces.dtruss_events WHERE comm = 'files' AND syscall = 'openat' "
        "AND errno = 'ENOENT'");
  };
  ASSERT_TRUE(wait_until(
      [&] {
        if (failures() > 0) return true;
        run({fixture("files"), temp_dir()});
        return false;
      },
      60000))
      << read_file(dir + "/err");
  // Its successes do not (--status=failed,unfinished).
  EXPECT_EQ(ch().number("SELECT count() FROM traces.dtruss_events WHERE comm = 'files' AND "
                        "syscall = 'openat' AND errno = ''"),
            0);
  // systemctl stop: SIGTERM, a clean end, nothing left in the spool.
  kill(dtruss.pid, SIGTERM);
  int status = wait_for(dtruss.pid, 30000);
  dtruss.pid = -1;
  EXPECT_EQ(exit_code(status), 0) << read_file(dir + "/err");
  EXPECT_FALSE(contains(read_file(dir + "/err"), "not sent")) << read_file(dir + "/err");
}

}  // namespace
}  // namespace e2e
