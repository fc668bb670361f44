// A process's own sandbox on a real traced program (tests/fixtures/pointer_args.c) and on both
// backends: seccomp's uargs by op, landlock's rule_attr by rule type. The eBPF backend decodes
// only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void check_security(const std::vector<json>& all) {
  auto avail = calls_where(all, "seccomp", "op", "SECCOMP_GET_ACTION_AVAIL");
  ASSERT_EQ(avail.size(), 1u);
  EXPECT_EQ(avail[0]["args"]["uargs"], json::parse(R"(["SECCOMP_RET_LOG"])"));
  auto sizes = calls_where(all, "seccomp", "op", "SECCOMP_GET_NOTIF_SIZES");
  ASSERT_EQ(sizes.size(), 1u);
  const json s = sizes[0]["args"]["uargs"];
  ASSERT_TRUE(s.is_object()) << s;
  EXPECT_GT(s["seccomp_notif"].get<int>(), 0);
  EXPECT_GT(s["seccomp_notif_resp"].get<int>(), 0);
  EXPECT_EQ(s["seccomp_data"], 64) << "struct seccomp_data is 64 bytes";
  auto filter = calls_where(all, "seccomp", "op", "SECCOMP_SET_MODE_FILTER");
  ASSERT_EQ(filter.size(), 1u);
  EXPECT_EQ(filter[0]["args"]["uargs"]["len"], 1);
  EXPECT_EQ(filter[0]["args"]["uargs"]["filter"].get<std::string>().substr(0, 2), "0x");

  auto path = calls_where(all, "landlock_add_rule", "rule_type", "LANDLOCK_RULE_PATH_BENEATH");
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0]["args"]["rule_attr"]["allowed_access"], "LANDLOCK_ACCESS_FS_READ_FILE");
  EXPECT_GE(path[0]["args"]["rule_attr"]["parent_fd"].get<int>(), 3);
  auto port = calls_where(all, "landlock_add_rule", "rule_type", "LANDLOCK_RULE_NET_PORT");
  ASSERT_EQ(port.size(), 1u);
  EXPECT_EQ(port[0]["args"]["rule_attr"],
            json::parse(R"({"allowed_access":"LANDLOCK_ACCESS_NET_BIND_TCP","port":8080})"));
}

class Sandbox : public BackendTest {};

TEST_P(Sandbox, SeccompAndLandlock) {
  const auto all = fixture_calls(GetParam(), "pointer_args");
  check_security(all);
}

INSTANTIATE_BACKENDS(Sandbox);

}  // namespace
}  // namespace e2e
