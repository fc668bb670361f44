// In/out arguments of failed calls: the caller's input, as strace shows it, and the arguments
// written only on success left as addresses; decoded from crafted events.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/msg.h>
#include <sys/select.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

constexpr uint64_t kAtFdcwd = static_cast<uint32_t>(AT_FDCWD);

TEST(FailedInOut, ShowsTheInput) {
  // accept: the address is out (not written), its length in/out ([16] as passed).
  auto acc = make(SYS_accept, {3, kPtr, kLenPtr}, -EAGAIN);
  capture_before(acc, kLenPtr, int32_t{16});
  EXPECT_EQ(arg(acc, 1), "0x7ffd1000");
  EXPECT_EQ(arg(acc, 2), "[16]");
  // getsockopt: no value, but the length the caller offered.
  auto gs = make(SYS_getsockopt, {3, SOL_SOCKET, SO_LINGER, kPtr, kLenPtr}, -ENOPROTOOPT);
  capture_before(gs, kLenPtr, int32_t{8});
  capture(gs, kPtr, linger{1, 2});
  EXPECT_EQ(arg(gs, 3), "0x7ffd1000");
  EXPECT_EQ(arg(gs, 4), "[8]");
  // select: the sets asked about.
  fd_set in;
  FD_ZERO(&in);
  FD_SET(3, &in);
  auto sel = make(SYS_select, {4, kPtr, 0, 0, 0}, -EBADF);
  capture_before(sel, kPtr, in);
  EXPECT_EQ(arg(sel, 1), "[3]");
  // sendfile's offset: where it would have started.
  auto sf = make(SYS_sendfile, {4, 3, kPtr, 100}, -EINVAL);
  capture_before(sf, kPtr, uint64_t{4096});
  EXPECT_EQ(arg(sf, 2), "[4096]");
  // An array counted by the return value has no count after a failure: the address.
  auto mm = make(SYS_recvmmsg, {3, kPtr, 2, 0, 0}, -EAGAIN);
  EXPECT_EQ(arg(mm, 1), "0x7ffd1000");
}

TEST(FailedInOut, ArgumentsWrittenOnlyOnSuccessStayAddresses) {
  // recvmsg's msghdr: name and control data were not written.
  auto rm = make(SYS_recvmsg, {3, kPtr, 0}, -EAGAIN);
  capture(rm, kPtr, msghdr{});
  EXPECT_EQ(arg(rm, 1), "0x7ffd1000");
  // shmctl/msgctl: IPC_STAT wrote nothing; IPC_SET's struct is the input.
  auto stat = make(SYS_shmctl, {1, IPC_STAT, kPtr}, -EACCES);
  capture(stat, kPtr, shmid_ds{});
  EXPECT_EQ(arg(stat, 2), "0x7ffd1000");
  auto set = make(SYS_msgctl, {1, IPC_SET, kPtr}, -EPERM);
  msqid_ds m{};
  m.msg_qbytes = 512;
  capture(set, kPtr, m);
  EXPECT_NE(arg(set, 2).find("msg_qbytes=512"), std::string::npos) << arg(set, 2);
  // name_to_handle_at's EOVERFLOW: the size it needs, no handle.
  struct {
    uint32_t handle_bytes;
    int32_t handle_type;
    unsigned char f_handle[8];
  } fh{8, 77, {}};
  auto nh = make(SYS_name_to_handle_at, {kAtFdcwd, 0x5000, kPtr, kLenPtr, 0}, -EOVERFLOW);
  fh.handle_bytes = 0;  // as passed: no room
  nh.before.add(kPtr, &fh, sizeof(fh));
  fh.handle_bytes = 8;
  capture(nh, kPtr, fh);
  EXPECT_EQ(arg(nh, 2), "{handle_bytes=0}");
  DecodedCall dc;
  Decoder({64, false}).decode(nh, dc);
  ASSERT_TRUE(dc.after_mask & (1u << 2)) << "written back despite the error";
  EXPECT_EQ(dtruss::unit::text(dc.after[2]), "{handle_bytes=8, ...}");
}

}  // namespace
}  // namespace dtruss::unit
