// A process's own sandbox: seccomp's uargs by op and landlock's rule_attr by rule type; decoded
// from crafted bytes.
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cerrno>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

TEST(SeccompUargs, ByOp) {
  sock_filter insn[1] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  const sock_fprog prog{1, insn};
  auto filter = make(SYS_seccomp, {SECCOMP_SET_MODE_FILTER, 0, kPtr}, 0);
  capture(filter, kPtr, prog);
  char want[80];
  snprintf(want, sizeof want, "{len=1, filter=%p}", static_cast<void*>(insn));
  EXPECT_EQ(arg(filter, 2), want);

  auto avail = make(SYS_seccomp, {SECCOMP_GET_ACTION_AVAIL, 0, kPtr}, 0);
  capture(avail, kPtr, uint32_t{SECCOMP_RET_LOG});
  EXPECT_EQ(arg(avail, 2), "[SECCOMP_RET_LOG]");
  auto odd = make(SYS_seccomp, {SECCOMP_GET_ACTION_AVAIL, 0, kPtr}, -EOPNOTSUPP);
  capture(odd, kPtr, uint32_t{0x12340000});
  EXPECT_EQ(arg(odd, 2), "[0x12340000]") << "an input: shown even when the call fails";

  const seccomp_notif_sizes sizes{80, 24, 64};
  auto notif = make(SYS_seccomp, {SECCOMP_GET_NOTIF_SIZES, 0, kPtr}, 0);
  capture(notif, kPtr, sizes);
  EXPECT_EQ(arg_json(notif, 2),
            "{\"seccomp_notif\":80,\"seccomp_notif_resp\":24,\"seccomp_data\":64}");
  auto notif_failed = make(SYS_seccomp, {SECCOMP_GET_NOTIF_SIZES, 0, kPtr}, -EINVAL);
  capture(notif_failed, kPtr, sizes);
  EXPECT_EQ(arg(notif_failed, 2), "0x7ffd1000");
  EXPECT_EQ(arg(make(SYS_seccomp, {SECCOMP_SET_MODE_STRICT, 0, 0}, 0), 2), "NULL");
}

TEST(LandlockRuleAttr, ByRuleType) {
  landlock_path_beneath_attr pb{};
  pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  pb.parent_fd = 5;
  auto path = make(SYS_landlock_add_rule, {3, LANDLOCK_RULE_PATH_BENEATH, kPtr, 0}, 0);
  path.captures.add(kPtr, &pb, sizeof pb);
  EXPECT_EQ(arg(path, 2),
            "{allowed_access=LANDLOCK_ACCESS_FS_READ_FILE|LANDLOCK_ACCESS_FS_READ_DIR, "
            "parent_fd=5}");
  const uint64_t port[2] = {1u << 0, 8080};  // LANDLOCK_ACCESS_NET_BIND_TCP, port
  auto net = make(SYS_landlock_add_rule, {3, 2, kPtr, 0}, -EINVAL);
  capture(net, kPtr, port);
  EXPECT_EQ(arg_json(net, 2),
            "{\"allowed_access\":\"LANDLOCK_ACCESS_NET_BIND_TCP\",\"port\":8080}");
  EXPECT_EQ(arg(make(SYS_landlock_add_rule, {3, 7, kPtr, 0}, -EINVAL), 2), "0x7ffd1000");
}

}  // namespace
}  // namespace dtruss::unit
