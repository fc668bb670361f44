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

}  // namespace
}  // namespace dtruss
