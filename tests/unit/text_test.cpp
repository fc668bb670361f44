// The number writers of util/text.h, which the sinks use on every line instead of fmt's format
// strings: the same text as fmt's {}, {:#x} and {:>N} for every kind of value, edges included.
#include "util/text.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace dtruss {
namespace {

TEST(Text, NumbersAsFmtWritesThem) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{9}, int64_t{10}, int64_t{-4095},
                    int64_t{1} << 40, std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    std::string s = "x=";
    append_int(s, v);
    EXPECT_EQ(s, fmt::format("x={}", v));
  }
  for (uint64_t v : {uint64_t{0}, uint64_t{7}, uint64_t{15}, uint64_t{16}, uint64_t{0xdeadbeef},
                     uint64_t{0x7ffc12345678}, std::numeric_limits<uint64_t>::max()}) {
    std::string d, h;
    append_uint(d, v);
    append_hex(h, v);
    EXPECT_EQ(d, fmt::format("{}", v));
    EXPECT_EQ(h, fmt::format("{:#x}", v));
  }
}

TEST(Text, RightAlignedAsFmtWritesIt) {
  for (const char* t : {"", "1/1:", "12345/12345:", "a much longer text than the width"}) {
    std::string s;
    append_right(s, t, 13);
    EXPECT_EQ(s, fmt::format("{:>13}", t));
  }
}

// The one escaping of untrusted names: nothing a terminal acts on comes through, '\' is doubled
// (so an escape cannot be forged), and only the characters asked for besides.
TEST(Text, EscapedLeavesNoControlBytes) {
  EXPECT_EQ(escaped("plain /path-1.so"), "plain /path-1.so");
  EXPECT_EQ(escaped("a\nb\tc\rd\\e"), R"(a\nb\tc\rd\\e)");
  EXPECT_EQ(escaped("\x1b[8m\x7f\xc2\x9b"), R"(\x1b[8m\x7f\xc2\x9b)");
  EXPECT_EQ(escaped("a>)<b", "<>"), R"(a\x3e)\x3cb)");
  std::string quoted;
  append_c_escaped(quoted, "say \"hi\"");
  EXPECT_EQ(quoted, R"(say \"hi\")");
}

// JSON: valid UTF-8 passes, but not the C1 controls, bidirectional controls and separators that a
// terminal acts on or that reorder what is shown.
TEST(Text, JsonStringsEscapeInvisibleControls) {
  auto json = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  EXPECT_EQ(json("caf\xc3\xa9 \xe2\x89\x88"), "\"caf\xc3\xa9 \xe2\x89\x88\"");
  EXPECT_EQ(json("\x1b\xc2\x9b\xc2\x85"), R"("\u001b\u009b\u0085")");
  EXPECT_EQ(json("\xe2\x80\xae\xe2\x81\xa6\xe2\x80\xa8"), R"("\u202e\u2066\u2028")");
  EXPECT_EQ(json("\xff"), R"("\u00ff")");
}

// Numbers on the command line and in the environment: digits alone.
TEST(Text, DecimalNumbersAreDigitsAlone) {
  uint64_t v = 7;
  EXPECT_TRUE(parse_decimal("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_decimal("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  for (const char* bad : {"", " 1", "1 ", "+1", "-1", "0x1", "1e3", "18446744073709551616",
                          "99999999999999999999999"})
    EXPECT_FALSE(parse_decimal(bad, &v)) << "'" << bad << "'";
}

}  // namespace
}  // namespace dtruss
