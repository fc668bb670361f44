// File systems: fsconfig's value by cmd and ustat's struct ustat; decoded from crafted bytes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include <cerrno>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

constexpr uint64_t kAtFdcwd = static_cast<uint32_t>(AT_FDCWD);

TEST(FsconfigValue, ByCmd) {
  constexpr uint64_t kKey = 0x5000;
  auto str = make(SYS_fsconfig, {3, FSCONFIG_SET_STRING, kKey, kPtr, 0}, 0);
  str.captures.add(kKey, "size", 5);
  str.captures.add(kPtr, "1m", 3);
  EXPECT_EQ(arg(str, 3), "\"1m\"");
  EXPECT_EQ(arg(str, 4), "0");
  auto path =
      make(SYS_fsconfig, {3, FSCONFIG_SET_PATH, kKey, kPtr, static_cast<uint32_t>(AT_FDCWD)}, 0);
  path.captures.add(kPtr, "/dev/sda1", 10);
  EXPECT_EQ(arg(path, 3), "\"/dev/sda1\"");
  EXPECT_EQ(arg(path, 4), "AT_FDCWD");
  auto bin = make(SYS_fsconfig, {3, FSCONFIG_SET_BINARY, kKey, kPtr, 4}, -EINVAL);
  bin.captures.add(kPtr, "\1\2\3\4\5", 5);
  EXPECT_EQ(arg(bin, 3), "\"\\x01\\x02\\x03\\x04\"");
  EXPECT_EQ(arg(bin, 4), "4");
  auto fd = make(SYS_fsconfig, {3, FSCONFIG_SET_FD, kKey, 0, 7}, 0);
  EXPECT_EQ(arg(fd, 3), "NULL");
  EXPECT_EQ(arg(fd, 4), "7");
  EXPECT_EQ(arg(make(SYS_fsconfig, {3, FSCONFIG_CMD_CREATE, 0, 0, 0}, 0), 3), "NULL");
}

TEST(Ustat, Out) {
  struct {
    int32_t f_tfree;
    uint64_t f_tinode;
    char f_fname[6];
    char f_fpack[6];
  } u{1000, 2000, {'r', 'o', 'o', 't', 'f', 's'}, {'p', 'k', 0}};
  static_assert(sizeof u == 32);
  auto ev = make(SYS_ustat, {0x801, kPtr}, 0);
  capture(ev, kPtr, u);
  EXPECT_EQ(arg_json(ev, 1),
            "{\"f_tfree\":1000,\"f_tinode\":2000,\"f_fname\":\"rootfs\",\"f_fpack\":\"pk\"}");
  auto failed = make(SYS_ustat, {0x801, kPtr}, -EINVAL);
  capture(failed, kPtr, u);
  EXPECT_EQ(arg(failed, 1), "0x7ffd1000");
}

}  // namespace
}  // namespace dtruss::unit
