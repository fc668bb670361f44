// Memory: mincore's vector, one entry per page of len; decoded from crafted bytes.
#include <gtest/gtest.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

TEST(MincoreVec, OneEntryPerPageAbbreviated) {
  const uint8_t vec[3] = {1, 0, 0x81};  // only the low bit means something
  auto ev = make(SYS_mincore, {0x10000, 2 * 4096 + 1, kPtr}, 0);
  capture(ev, kPtr, vec);
  EXPECT_EQ(arg(ev, 2), "[1, 0, 1]");
  auto exact = make(SYS_mincore, {0x10000, 2 * 4096, kPtr}, 0);
  capture(exact, kPtr, vec);
  EXPECT_EQ(arg(exact, 2), "[1, 0]");
  // 100 pages: the first --strsize (64) unless -v.
  uint8_t many[100] = {};
  many[99] = 1;
  auto big = make(SYS_mincore, {0x10000, 100 * 4096, kPtr}, 0);
  capture(big, kPtr, many);
  const std::string abbreviated = arg(big, 2);
  EXPECT_EQ(abbreviated.substr(abbreviated.size() - 10), "0, 0, ...]") << abbreviated;
  const std::string all = arg(big, 2, true);
  EXPECT_EQ(all.substr(all.size() - 5), "0, 1]") << all;
  auto failed = make(SYS_mincore, {0x10000, 4096, kPtr}, -ENOMEM);
  capture(failed, kPtr, vec);
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
  auto unreadable = make(SYS_mincore, {0x10000, 4096, kPtr}, 0);
  EXPECT_EQ(arg(unreadable, 2), "0x7ffd1000");
}

}  // namespace
}  // namespace dtruss::unit
