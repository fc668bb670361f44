// Memory on a real traced program (tests/fixtures/pointer_args.c) and on both backends: mincore's
// page vector, one entry per page of len, computed at the call. The eBPF backend decodes only what
// its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void check_mincore(const std::vector<json>& all) {
  auto mincore = calls_where(all, "mincore", "len", 2 * 4096 + 1);
  ASSERT_EQ(mincore.size(), 1u);
  EXPECT_EQ(mincore[0]["args"]["vec"], json::parse("[1, 0, 1]"));
}

class Mincore : public BackendTest {};

TEST_P(Mincore, PageVector) {
  const auto all = fixture_calls(GetParam(), "pointer_args");
  check_mincore(all);
}

INSTANTIATE_BACKENDS(Mincore);

}  // namespace
}  // namespace e2e
