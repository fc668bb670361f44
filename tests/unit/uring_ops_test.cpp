// io_uring operations (src/syscalls/uring_ops.cpp): the table's names and syscalls, -t's
// uring:NAME and %uring (src/syscalls/selection.cpp), and how the decoder shows an operation.
#include "syscalls/uring_ops.h"

#include <gtest/gtest.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>

#include "decode/decoder.h"
#include "syscalls/selection.h"

namespace dtruss {
namespace {

TEST(UringOps, NamesAndTheSyscallsTheyStandFor) {
  const UringOp* read = uring_op(IORING_OP_READ);
  ASSERT_NE(read, nullptr);
  EXPECT_STREQ(read->name, "read");
  EXPECT_FALSE(read->own);
  EXPECT_EQ(read->info->nr, SYS_read);
  EXPECT_EQ(read->nargs, 3);
  EXPECT_EQ(uring_op(IORING_OP_READ_FIXED)->info->nr, SYS_read);
  EXPECT_STREQ(uring_op(IORING_OP_READ_FIXED)->name, "read_fixed");
  EXPECT_EQ(uring_op(IORING_OP_SEND)->info->nr, SYS_sendto);
  EXPECT_EQ(uring_op(IORING_OP_SEND)->nargs, 4) << "sendto's first four";
  const UringOp* poll = uring_op_by_name("poll_add");
  ASSERT_NE(poll, nullptr);
  EXPECT_EQ(poll->opcode, IORING_OP_POLL_ADD);
  EXPECT_TRUE(poll->own);
  EXPECT_STREQ(poll->info->name, "poll_add");
  EXPECT_EQ(uring_op(kUringOpMax), nullptr);
  EXPECT_EQ(uring_op(-1), nullptr);
  for (const UringOp& op : uring_ops()) EXPECT_STREQ(uring_op(op.opcode)->name, op.name);
}

TEST(UringOps, SelectedByNameGlobAndClass) {
  SyscallSelection s;
  std::string err;
  ASSERT_TRUE(parse_syscall_list("uring:read,uring:open*", &s, &err)) << err;
  EXPECT_TRUE(s.uring[IORING_OP_READ]);
  EXPECT_TRUE(s.uring[IORING_OP_OPENAT]);
  EXPECT_TRUE(s.uring[IORING_OP_OPENAT2]);
  EXPECT_FALSE(s.uring[IORING_OP_WRITE]);
  EXPECT_TRUE(s.selected[kUringSlot0 + IORING_OP_READ]);
  EXPECT_TRUE(s.numbers.empty()) << "no syscall";
  EXPECT_FALSE(s.selected[SYS_read]);
  ASSERT_TRUE(parse_syscall_list("%uring,!uring:nop,write", &s, &err)) << err;
  EXPECT_TRUE(s.uring[IORING_OP_WRITE]);
  EXPECT_FALSE(s.uring[IORING_OP_NOP]);
  EXPECT_EQ(s.numbers, std::vector<long>{SYS_write});
  ASSERT_TRUE(parse_syscall_list("read", &s, &err)) << err;
  EXPECT_FALSE(s.uring[IORING_OP_READ]) << "the syscall alone";
  ASSERT_TRUE(parse_syscall_list("!read", &s, &err)) << err;
  EXPECT_TRUE(s.uring[IORING_OP_READ]) << "all but the syscall read";
  EXPECT_FALSE(parse_syscall_list("uring:nosuch", &s, &err));
  EXPECT_NE(err.find("no io_uring operation matches 'uring:nosuch'"), std::string::npos) << err;
}

TEST(UringOps, DecodedAsTheirSyscallOrTheirOwn) {
  Decoder d({});
  SyscallEvent ev;
  ev.uring_op = IORING_OP_READ_FIXED;
  ev.nr = SYS_read;
  ev.args = {7, 0x1000, 64, 0, 0, 0};
  ev.ret = 5;
  DecodedCall call;
  d.decode(ev, call);
  EXPECT_EQ(call.name, "read_fixed");
  EXPECT_EQ(call.nargs, 3);
  EXPECT_EQ(call.args[2].num, 64u);
  ev.uring_fixed_file = true;
  d.decode(ev, call);
  EXPECT_EQ(call.args[0].text, "fixed:7");
  SyscallEvent poll;
  poll.uring_op = IORING_OP_POLL_ADD;
  poll.nr = -1;
  poll.args = {3, 1, 0, 0, 0, 0};
  poll.ret = 1;
  d.decode(poll, call);
  EXPECT_EQ(call.name, "poll_add");
  EXPECT_EQ(call.nargs, 2);
  SyscallEvent unknown;
  unknown.uring_op = 63;
  unknown.ret = -22;
  d.decode(unknown, call);
  EXPECT_EQ(call.name, "op_63");
  EXPECT_EQ(call.err, 22);
}

}  // namespace
}  // namespace dtruss
