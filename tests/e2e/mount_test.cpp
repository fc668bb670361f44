// File systems on a real traced program (tests/fixtures/pointer_args.c) and on both backends:
// fsconfig's value by cmd and ustat's struct ustat. The eBPF backend decodes only what its
// capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void check_fsconfig_and_ustat(const std::vector<json>& all) {
  auto str = calls_where(all, "fsconfig", "cmd", "FSCONFIG_SET_STRING");
  ASSERT_EQ(str.size(), 1u);
  EXPECT_EQ(str[0]["args"]["_key"], "size");
  EXPECT_EQ(str[0]["args"]["_value"], "1m");
  auto bin = calls_where(all, "fsconfig", "cmd", "FSCONFIG_SET_BINARY");
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_EQ(bin[0]["args"]["_value"], std::string("\1\2\3"));
  EXPECT_EQ(bin[0]["args"]["aux"], 3);
  auto path = calls_where(all, "fsconfig", "cmd", "FSCONFIG_SET_PATH");
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0]["args"]["_value"], "/tmp");
  EXPECT_EQ(path[0]["args"]["aux"], "AT_FDCWD");

  auto ustat = syscalls(all, "ustat");
  ASSERT_EQ(ustat.size(), 1u);
  const json u = ustat[0]["args"]["ubuf"];
  if (ustat[0]["errno"].is_null()) {
    ASSERT_TRUE(u.is_object()) << u;
    EXPECT_TRUE(u.contains("f_tfree"));
    EXPECT_TRUE(u.contains("f_tinode"));
    EXPECT_EQ(u["f_fname"], "");
  } else {
    EXPECT_EQ(u.get<std::string>().substr(0, 2), "0x") << "a failed ustat wrote nothing";
  }
}

class FileSystems : public BackendTest {};

TEST_P(FileSystems, FsconfigAndUstat) {
  const auto all = fixture_calls(GetParam(), "pointer_args");
  check_fsconfig_and_ustat(all);
}

INSTANTIATE_BACKENDS(FileSystems);

}  // namespace
}  // namespace e2e
