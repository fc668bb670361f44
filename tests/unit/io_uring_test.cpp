// io_uring: io_uring_register's arg by opcode (arrays, structs, in/out ones, later kernels'
// opcodes, the registered-ring bit) and io_uring_enter's argp by flags (the sigset, or
// IORING_ENTER_EXT_ARG's struct with ABS_TIMER and NO_IOWAIT); decoded from crafted bytes (short
// reads and failed calls too), and the capture plans that copy them.
#include <gtest/gtest.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "decode_support.h"

namespace dtruss::unit {
namespace {

constexpr uint32_t kUseRegisteredRing = 1u << 31;

SyscallEvent reg(uint32_t opcode, uint64_t arg, uint64_t nr_args, int64_t ret = 0) {
  return make(SYS_io_uring_register, {4, opcode, arg, nr_args}, ret);
}

// The bytes of an io_uring_probe with `ops` after its header.
std::vector<uint8_t> probe_bytes(uint8_t last_op, std::initializer_list<io_uring_probe_op> ops) {
  io_uring_probe p{};
  p.last_op = last_op;
  p.ops_len = static_cast<uint8_t>(ops.size());
  std::vector<uint8_t> out(sizeof p);
  std::memcpy(out.data(), &p, sizeof p);
  for (const io_uring_probe_op& op : ops) {
    const auto* b = reinterpret_cast<const uint8_t*>(&op);
    out.insert(out.end(), b, b + sizeof op);
  }
  return out;
}

void capture_bytes(SyscallEvent& ev, uint64_t addr, const std::vector<uint8_t>& bytes) {
  ev.captures.add(addr, bytes.data(), bytes.size());
}

// ---------------------------------------------------------------------------------------------
// io_uring_register: the first opcodes (files, buffers, eventfd) and io_uring_enter

TEST(IoUringRegister, FilesBuffersEventfd) {
  const std::array<int32_t, 3> fds{5, -1, 7};
  auto files = make(SYS_io_uring_register, {4, IORING_REGISTER_FILES, kPtr, 3}, 0);
  capture(files, kPtr, fds);
  EXPECT_EQ(arg(files, 2), "[5, -1, 7]");
  EXPECT_EQ(arg_json(files, 2), "[5,-1,7]");
  // Only as many fds as were captured: the rest is cut with "...".
  auto more = make(SYS_io_uring_register, {4, IORING_REGISTER_FILES, kPtr, 5}, 0);
  capture(more, kPtr, fds);
  EXPECT_EQ(arg(more, 2), "[5, -1, 7, ...]");
  std::array<iovec, 2> iov{};
  iov[0] = {reinterpret_cast<void*>(0x10000), 4096};
  iov[1] = {nullptr, 0};
  auto bufs = make(SYS_io_uring_register, {4, IORING_REGISTER_BUFFERS, kPtr, 2}, 0);
  capture(bufs, kPtr, iov);
  EXPECT_EQ(arg(bufs, 2), "[{iov_base=0x10000, iov_len=4096}, {iov_base=NULL, iov_len=0}]");
  const int32_t efd = 9;
  auto ev = make(SYS_io_uring_register, {4, IORING_REGISTER_EVENTFD, kPtr, 1}, 0);
  capture(ev, kPtr, efd);
  EXPECT_EQ(arg(ev, 2), "[9]");
  // An opcode without a decoded argument (26, IORING_REGISTER_PBUF_STATUS): the address.
  auto status = make(SYS_io_uring_register, {4, 26, kPtr, 1}, 0);
  EXPECT_EQ(arg(status, 2), "0x7ffd1000");
}

TEST(IoUringEnter, ArgpByExtArg) {
  io_uring_getevents_arg g{};
  g.sigmask = 0;
  g.sigmask_sz = 8;
  g.ts = 0x7ffd3000;
  const uint64_t flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
  auto ext = make(SYS_io_uring_enter, {4, 0, 1, flags, kPtr, sizeof g}, 1);
  capture(ext, kPtr, g);
  EXPECT_EQ(arg(ext, 4), "{sigmask=NULL, sigmask_sz=8, min_wait_usec=0, ts=0x7ffd3000}");
  EXPECT_EQ(arg_json(ext, 4),
            "{\"sigmask\":null,\"sigmask_sz\":8,\"min_wait_usec\":0,\"ts\":\"0x7ffd3000\"}");
  // Without IORING_ENTER_EXT_ARG: a signal mask of argsz bytes.
  const uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
  auto sig = make(SYS_io_uring_enter, {4, 0, 1, IORING_ENTER_GETEVENTS, kPtr, 8}, 1);
  capture(sig, kPtr, set);
  EXPECT_EQ(arg(sig, 4), "[INT TERM]");
  auto null = make(SYS_io_uring_enter, {4, 1, 0, 0, 0, 0}, 1);
  EXPECT_EQ(arg(null, 4), "NULL");
  // IORING_ENTER_EXT_ARG_REG (1 << 6): argp is an offset into a registered region.
  auto reg = make(SYS_io_uring_enter, {4, 0, 1, IORING_ENTER_EXT_ARG | (1u << 6), 0x40, 24}, 1);
  capture(reg, 0x40, g);
  EXPECT_EQ(arg(reg, 4), "0x40");
}

// ---------------------------------------------------------------------------------------------
// io_uring_register: the other opcodes

TEST(IoUringRegisterOps, Probe) {
  const auto bytes = probe_bytes(
      62, {{0, 0, IO_URING_OP_SUPPORTED, 0}, {1, 0, IO_URING_OP_SUPPORTED, 0}, {62, 0, 0, 0}});
  auto ev = reg(IORING_REGISTER_PROBE, kPtr, 256);
  capture_bytes(ev, kPtr, bytes);
  EXPECT_EQ(arg(ev, 2),
            "{last_op=IORING_OP_PIPE, ops_len=3, ops=[{op=IORING_OP_NOP, "
            "flags=IO_URING_OP_SUPPORTED}, {op=IORING_OP_READV, flags=IO_URING_OP_SUPPORTED}, "
            "{op=IORING_OP_PIPE, flags=0}]}");
  EXPECT_EQ(arg_json(ev, 2),
            "{\"last_op\":\"IORING_OP_PIPE\",\"ops_len\":3,\"ops\":[{\"op\":\"IORING_OP_NOP\","
            "\"flags\":\"IO_URING_OP_SUPPORTED\"},{\"op\":\"IORING_OP_READV\",\"flags\":"
            "\"IO_URING_OP_SUPPORTED\"},{\"op\":\"IORING_OP_PIPE\",\"flags\":\"0\"}]}");
  // No more ops than the caller made room for (nr_args), an opcode without a name in decimal.
  const auto one = probe_bytes(99, {{99, 0, IO_URING_OP_SUPPORTED, 0}, {1, 0, 0, 0}});
  auto small = reg(IORING_REGISTER_PROBE, kPtr, 1);
  capture_bytes(small, kPtr, one);
  EXPECT_EQ(arg(small, 2), "{last_op=99, ops_len=2, ops=[{op=99, flags=IO_URING_OP_SUPPORTED}]}");
}

TEST(IoUringRegisterOps, ProbeShortReadAndFailure) {
  // Two ops announced, one captured: cut with "...".
  auto bytes = probe_bytes(1, {{0, 0, IO_URING_OP_SUPPORTED, 0}, {1, 0, 0, 0}});
  bytes.resize(sizeof(io_uring_probe) + sizeof(io_uring_probe_op));
  auto ev = reg(IORING_REGISTER_PROBE, kPtr, 256);
  capture_bytes(ev, kPtr, bytes);
  EXPECT_EQ(arg(ev, 2),
            "{last_op=IORING_OP_READV, ops_len=2, ops=[{op=IORING_OP_NOP, "
            "flags=IO_URING_OP_SUPPORTED}, ...]}");
  // The header only: no op at all.
  bytes.resize(sizeof(io_uring_probe));
  auto header = reg(IORING_REGISTER_PROBE, kPtr, 256);
  capture_bytes(header, kPtr, bytes);
  EXPECT_EQ(arg(header, 2), "{last_op=IORING_OP_READV, ops_len=2, ops=[...]}");
  // Less than the header: the address; a failed call wrote nothing: the address.
  bytes.resize(8);
  auto shrt = reg(IORING_REGISTER_PROBE, kPtr, 256);
  capture_bytes(shrt, kPtr, bytes);
  EXPECT_EQ(arg(shrt, 2), "0x7ffd1000");
  auto failed = reg(IORING_REGISTER_PROBE, kPtr, 256, -EINVAL);
  capture_bytes(failed, kPtr, probe_bytes(1, {{0, 0, 1, 0}}));
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
}

TEST(IoUringRegisterOps, ResourceRegistrationsAndUpdates) {
  io_uring_rsrc_register r{};
  r.nr = 8;
  r.flags = IORING_RSRC_REGISTER_SPARSE;
  auto files2 = reg(IORING_REGISTER_FILES2, kPtr, sizeof r);
  capture(files2, kPtr, r);
  EXPECT_EQ(arg(files2, 2), "{nr=8, flags=IORING_RSRC_REGISTER_SPARSE, data=NULL, tags=NULL}");
  r.nr = 1;
  r.flags = 0;
  r.data = 0x7ffd2000;
  r.tags = 0x7ffd3000;
  auto bufs2 = reg(IORING_REGISTER_BUFFERS2, kPtr, sizeof r);
  capture(bufs2, kPtr, r);
  EXPECT_EQ(arg(bufs2, 2), "{nr=1, flags=0, data=0x7ffd2000, tags=0x7ffd3000}");

  io_uring_rsrc_update u{};
  u.offset = 2;
  u.data = 0x7ffd2000;
  auto upd = reg(IORING_REGISTER_FILES_UPDATE, kPtr, 3, 3);
  capture(upd, kPtr, u);
  EXPECT_EQ(arg(upd, 2), "{offset=2, data=0x7ffd2000}");
  EXPECT_EQ(arg_json(upd, 2), "{\"offset\":2,\"data\":\"0x7ffd2000\"}");

  io_uring_rsrc_update2 u2{};
  u2.offset = 1;
  u2.data = 0x7ffd2000;
  u2.nr = 2;
  for (uint32_t op : {IORING_REGISTER_FILES_UPDATE2, IORING_REGISTER_BUFFERS_UPDATE}) {
    auto ev = reg(op, kPtr, sizeof u2, 2);
    capture(ev, kPtr, u2);
    EXPECT_EQ(arg(ev, 2), "{offset=1, data=0x7ffd2000, tags=NULL, nr=2}") << op;
  }
  // A struct cut short: the address.
  auto shrt = reg(IORING_REGISTER_FILES_UPDATE2, kPtr, sizeof u2, -EFAULT);
  capture(shrt, kPtr, u);  // 16 of its 32 bytes
  EXPECT_EQ(arg(shrt, 2), "0x7ffd1000");
}

TEST(IoUringRegisterOps, RingFds) {
  std::array<io_uring_rsrc_update, 2> rings{};
  rings[0] = {0, 0, 5};
  rings[1] = {3, 0, 6};
  auto ev = reg(IORING_REGISTER_RING_FDS, kPtr, 2, 2);
  capture(ev, kPtr, rings);
  EXPECT_EQ(arg(ev, 2), "[{offset=0, data=5}, {offset=3, data=6}]");
  // A failed call (in/out) shows what was asked: any free slot.
  rings[0] = {~0u, 0, 5};
  auto failed = reg(IORING_REGISTER_RING_FDS, kPtr, 1, -EINVAL);
  capture(failed, kPtr, rings);
  EXPECT_EQ(arg(failed, 2), "[{offset=-1, data=5}]");
  auto unreg = reg(IORING_UNREGISTER_RING_FDS, kPtr, 2, 2);
  rings[0] = {0, 0, 0};
  capture(unreg, kPtr, rings);
  EXPECT_EQ(arg(unreg, 2), "[{offset=0}, {offset=3}]");
  // One of two captured: cut.
  auto shrt = reg(IORING_UNREGISTER_RING_FDS, kPtr, 2, 2);
  capture(shrt, kPtr, rings[0]);
  EXPECT_EQ(arg(shrt, 2), "[{offset=0}, ...]");
}

TEST(IoUringRegisterOps, IowqLimitsAndAffinity) {
  const std::array<uint32_t, 2> old{4, 8};
  auto ev = reg(IORING_REGISTER_IOWQ_MAX_WORKERS, kPtr, 2);
  capture(ev, kPtr, old);
  EXPECT_EQ(arg(ev, 2), "[4, 8]");
  const std::array<uint32_t, 1> half{4};
  auto shrt = reg(IORING_REGISTER_IOWQ_MAX_WORKERS, kPtr, 2);
  capture(shrt, kPtr, half);
  EXPECT_EQ(arg(shrt, 2), "0x7ffd1000");
  const uint64_t mask = (1u << 0) | (1u << 3);
  auto aff = reg(IORING_REGISTER_IOWQ_AFF, kPtr, sizeof mask);
  capture(aff, kPtr, mask);
  EXPECT_EQ(arg(aff, 2), "[0, 3]");
  auto unaff = reg(IORING_UNREGISTER_IOWQ_AFF, 0, 0);
  EXPECT_EQ(arg(unaff, 2), "NULL");
}

TEST(IoUringRegisterOps, BufferRingCancelAndRange) {
  io_uring_buf_reg br{};
  br.ring_addr = 0x7f0000000000;
  br.ring_entries = 8;
  br.bgid = 7;
  br.pad = 2;  // the kernel's flags: IOU_PBUF_RING_INC
  auto pbuf = reg(IORING_REGISTER_PBUF_RING, kPtr, 1);
  capture(pbuf, kPtr, br);
  EXPECT_EQ(arg(pbuf, 2),
            "{ring_addr=0x7f0000000000, ring_entries=8, bgid=7, flags=IOU_PBUF_RING_INC}");
  br = {};
  br.bgid = 7;
  auto unpbuf = reg(IORING_UNREGISTER_PBUF_RING, kPtr, 1, -ENOENT);
  capture(unpbuf, kPtr, br);
  EXPECT_EQ(arg(unpbuf, 2), "{ring_addr=NULL, ring_entries=0, bgid=7, flags=0}");

  io_uring_sync_cancel_reg sc{};
  sc.addr = 0x2a;
  sc.fd = -1;
  sc.flags = IORING_ASYNC_CANCEL_ANY;
  sc.timeout = {-1, -1};
  auto cancel = reg(IORING_REGISTER_SYNC_CANCEL, kPtr, 1, -ENOENT);
  capture(cancel, kPtr, sc);
  EXPECT_EQ(arg(cancel, 2),
            "{addr=0x2a, fd=-1, flags=IORING_ASYNC_CANCEL_ANY, timeout={tv_sec=-1, tv_nsec=-1}}");
  // With IORING_ASYNC_CANCEL_OP the opcode matters (the first byte after the timeout).
  sc.fd = 3;
  sc.flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_OP;
  reinterpret_cast<uint8_t*>(&sc.pad)[0] = IORING_OP_READ;
  auto byop = reg(IORING_REGISTER_SYNC_CANCEL, kPtr, 1, 0);
  capture(byop, kPtr, sc);
  EXPECT_EQ(
      arg_json(byop, 2),
      "{\"addr\":\"0x2a\",\"fd\":3,\"flags\":\"IORING_ASYNC_CANCEL_FD|IORING_ASYNC_CANCEL_OP\","
      "\"timeout\":{\"tv_sec\":-1,\"tv_nsec\":-1},\"opcode\":\"IORING_OP_READ\"}");

  io_uring_file_index_range range{};
  range.off = 2;
  range.len = 6;
  auto alloc = reg(IORING_REGISTER_FILE_ALLOC_RANGE, kPtr, 0);
  capture(alloc, kPtr, range);
  EXPECT_EQ(arg(alloc, 2), "{off=2, len=6}");
}

TEST(IoUringRegisterOps, Restrictions) {
  std::array<io_uring_restriction, 4> r{};
  r[0].opcode = IORING_RESTRICTION_REGISTER_OP;
  r[0].register_op = IORING_REGISTER_PROBE;
  r[1].opcode = IORING_RESTRICTION_SQE_OP;
  r[1].sqe_op = IORING_OP_NOP;
  r[2].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
  r[2].sqe_flags = IOSQE_FIXED_FILE | IOSQE_IO_LINK;
  r[3].opcode = 9;
  r[3].register_op = 5;
  auto ev = reg(IORING_REGISTER_RESTRICTIONS, kPtr, 4, -EINVAL);
  capture(ev, kPtr, r);
  EXPECT_EQ(
      arg(ev, 2),
      "[{opcode=IORING_RESTRICTION_REGISTER_OP, register_op=IORING_REGISTER_PROBE}, "
      "{opcode=IORING_RESTRICTION_SQE_OP, sqe_op=IORING_OP_NOP}, "
      "{opcode=IORING_RESTRICTION_SQE_FLAGS_ALLOWED, sqe_flags=IOSQE_FIXED_FILE|IOSQE_IO_LINK}, "
      "{opcode=9, arg=5}]");
}

TEST(IoUringRegisterOps, RegisteredRingBitAndOpcodesWithoutPointer) {
  // IORING_REGISTER_USE_REGISTERED_RING does not change what arg is.
  const std::array<int32_t, 2> fds{3, -1};
  auto ev = reg(IORING_REGISTER_FILES | kUseRegisteredRing, kPtr, 2);
  capture(ev, kPtr, fds);
  EXPECT_EQ(arg(ev, 1), "IORING_REGISTER_FILES|IORING_REGISTER_USE_REGISTERED_RING");
  EXPECT_EQ(arg(ev, 2), "[3, -1]");
  // No pointer: NULL (and the number a caller may pass anyway, which the kernel rejects).
  for (uint32_t op :
       {IORING_REGISTER_PERSONALITY, IORING_UNREGISTER_BUFFERS, IORING_UNREGISTER_FILES,
        IORING_UNREGISTER_EVENTFD, IORING_REGISTER_ENABLE_RINGS, IORING_UNREGISTER_IOWQ_AFF}) {
    EXPECT_EQ(arg(reg(op, 0, 0), 2), "NULL") << op;
  }
  auto unpers = reg(IORING_UNREGISTER_PERSONALITY, 0, 3);
  EXPECT_EQ(arg(unpers, 2), "NULL");
  EXPECT_EQ(arg(unpers, 3), "3");
  EXPECT_EQ(arg(reg(IORING_UNREGISTER_FILES, 0x10, 0, -EINVAL), 2), "0x10");
}

TEST(IoUringRegisterOps, LaterKernelsOpcodes) {
  // IORING_REGISTER_PBUF_STATUS (26): the group asked, its head written back (in/out).
  const std::array<uint32_t, 10> status{7, 3};
  auto st = reg(26, kPtr, 1);
  capture(st, kPtr, status);
  EXPECT_EQ(arg(st, 1), "IORING_REGISTER_PBUF_STATUS");
  EXPECT_EQ(arg(st, 2), "{buf_group=7, head=3}");
  auto stfail = reg(26, kPtr, 1, -ENOENT);
  capture(stfail, kPtr, status);
  EXPECT_EQ(arg(stfail, 2), "{buf_group=7, head=3}") << "in/out: what was asked";
  // IORING_REGISTER_NAPI (27) and UNREGISTER_NAPI (28): {busy_poll_to, prefer_busy_poll,
  // opcode, pad[2], op_param, resv}.
  const std::array<uint32_t, 4> napi{50, 1u | (0u << 8), 1, 0};
  auto na = reg(27, kPtr, 1);
  capture(na, kPtr, napi);
  EXPECT_EQ(arg(na, 2),
            "{busy_poll_to=50, prefer_busy_poll=1, opcode=IO_URING_NAPI_REGISTER_OP, "
            "op_param=IO_URING_NAPI_TRACKING_STATIC}");
  const std::array<uint32_t, 4> add{0, 1u << 8, 8193, 0};
  auto naadd = reg(27, kPtr, 1);
  capture(naadd, kPtr, add);
  EXPECT_EQ(arg(naadd, 2),
            "{busy_poll_to=0, prefer_busy_poll=0, opcode=IO_URING_NAPI_STATIC_ADD_ID, "
            "op_param=8193}");
  auto unna = reg(28, kPtr, 1, -EINVAL);
  capture(unna, kPtr, napi);
  EXPECT_EQ(arg(unna, 2), "0x7ffd1000") << "out: nothing written by a failed call";
  // IORING_REGISTER_CLOCK (29).
  const std::array<uint32_t, 4> clock{CLOCK_BOOTTIME, 0, 0, 0};
  auto cl = reg(29, kPtr, 0);
  capture(cl, kPtr, clock);
  EXPECT_EQ(arg(cl, 2), "{clockid=CLOCK_BOOTTIME}");
  // IORING_REGISTER_CLONE_BUFFERS (30).
  const std::array<uint32_t, 8> clone{5, 2, 0, 4, 2, 0, 0, 0};
  auto cb = reg(30, kPtr, 1);
  capture(cb, kPtr, clone);
  EXPECT_EQ(arg(cb, 2),
            "{src_fd=5, flags=IORING_REGISTER_DST_REPLACE, src_off=0, dst_off=4, nr=2}");
  // IORING_REGISTER_RESIZE_RINGS (33): io_uring_setup's params.
  io_uring_params p{};
  p.sq_entries = 8;
  p.cq_entries = 64;
  auto rs = reg(33, kPtr, 1, -EINVAL);
  capture(rs, kPtr, p);
  EXPECT_EQ(arg(rs, 2).rfind("{sq_entries=8, cq_entries=64,", 0), 0u) << arg(rs, 2);
  // IORING_REGISTER_MEM_REGION (34).
  const std::array<uint64_t, 4> region{0x7ffd2000, 1, 0, 0};
  auto mr = reg(34, kPtr, 1);
  capture(mr, kPtr, region);
  EXPECT_EQ(arg(mr, 2), "{region_uptr=0x7ffd2000, flags=IORING_MEM_REGION_REG_WAIT_ARG}");
  // Short: the address. Not decoded (IORING_REGISTER_QUERY, 35): the address.
  auto shrt = reg(34, kPtr, 1);
  capture(shrt, kPtr, region[0]);
  EXPECT_EQ(arg(shrt, 2), "0x7ffd1000");
  auto query = reg(35, kPtr, 0);
  capture(query, kPtr, region);
  EXPECT_EQ(arg(query, 1), "IORING_REGISTER_QUERY");
  EXPECT_EQ(arg(query, 2), "0x7ffd1000");
}

// ---------------------------------------------------------------------------------------------
// capture plans

class IoUringPlans : public CapturePlansTest {};

TEST_F(IoUringPlans, IoUringArraysAndEnterFlagCombinations) {
  uint64_t args[6] = {4, IORING_REGISTER_FILES, kPtr, 8};
  const CaptureStep* f = step_of(test_plans().of(SYS_io_uring_register, args), 2, false);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->len, 3);
  EXPECT_EQ(f->elem, 4);
  args[1] = IORING_REGISTER_BUFFERS;
  const CaptureStep* b = step_of(test_plans().of(SYS_io_uring_register, args), 2, false);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->elem, sizeof(iovec));
  EXPECT_EQ(b->nested, CaptureStep::Nested::None);  // ranges, not data
  // io_uring_enter: the struct with IORING_ENTER_EXT_ARG whatever the other flags, else the
  // sigset of argsz bytes.
  for (uint64_t other :
       {0u, IORING_ENTER_GETEVENTS,
        IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_REGISTERED_RING}) {
    uint64_t e[6] = {4, 0, 1, other | IORING_ENTER_EXT_ARG, kPtr, 24};
    const CaptureStep* ext = step_of(test_plans().of(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(ext, nullptr) << other;
    EXPECT_EQ(ext->max, sizeof(io_uring_getevents_arg));
    e[3] = other;
    const CaptureStep* sig = step_of(test_plans().of(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(sig, nullptr) << other;
    EXPECT_EQ(sig->len, 5);
    EXPECT_EQ(sig->elem, 0);
  }
  // Two choices, each with the 2^6 combinations of the flags that leave argp as it is.
  EXPECT_EQ(test_plans().selected(SYS_io_uring_enter).size(), 128u);
}

TEST_F(IoUringPlans, IoUringRegisterByOpcodeWithOrWithoutRegisteredRing) {
  for (uint32_t ring : {0u, kUseRegisteredRing}) {
    uint64_t args[6] = {4, IORING_REGISTER_PROBE | ring, kPtr, 256};
    const CaptureStep* probe = step_of(test_plans().of(SYS_io_uring_register, args), 2, true);
    ASSERT_NE(probe, nullptr) << ring;
    EXPECT_EQ(probe->len, kNoLen);
    EXPECT_EQ(probe->max, sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op));
    args[1] = IORING_REGISTER_RESTRICTIONS | ring;
    const CaptureStep* res = step_of(test_plans().of(SYS_io_uring_register, args), 2, false);
    ASSERT_NE(res, nullptr) << ring;
    EXPECT_EQ(res->len, 3);
    EXPECT_EQ(res->elem, sizeof(io_uring_restriction));
    args[1] = IORING_REGISTER_RING_FDS | ring;  // in/out: after the call
    const CaptureStep* rings = step_of(test_plans().of(SYS_io_uring_register, args), 2, true);
    ASSERT_NE(rings, nullptr) << ring;
    EXPECT_EQ(rings->elem, sizeof(io_uring_rsrc_update));
    args[1] = IORING_REGISTER_IOWQ_AFF | ring;  // nr_args bytes
    const CaptureStep* aff = step_of(test_plans().of(SYS_io_uring_register, args), 2, false);
    ASSERT_NE(aff, nullptr) << ring;
    EXPECT_EQ(aff->len, 3);
    EXPECT_EQ(aff->elem, 0);
    args[1] = IORING_REGISTER_SYNC_CANCEL | ring;
    const CaptureStep* cancel = step_of(test_plans().of(SYS_io_uring_register, args), 2, false);
    ASSERT_NE(cancel, nullptr) << ring;
    EXPECT_EQ(cancel->max, sizeof(io_uring_sync_cancel_reg));
    args[1] = IORING_REGISTER_PERSONALITY | ring;
    const CapturePlan& none = test_plans().of(SYS_io_uring_register, args);
    EXPECT_EQ(none.n_entry + none.n_exit, 0) << ring;
  }
  EXPECT_EQ(test_plans().selected(SYS_io_uring_register).size(), 2 * 26u);
}

TEST_F(IoUringPlans, IoUringEnterAbsTimerAndNoIowait) {
  constexpr uint64_t kAbsTimer = 1u << 5;
  constexpr uint64_t kNoIowait = 1u << 7;
  for (uint64_t other :
       {kAbsTimer, kNoIowait, kAbsTimer | kNoIowait | IORING_ENTER_GETEVENTS,
        kAbsTimer | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT | IORING_ENTER_REGISTERED_RING}) {
    uint64_t e[6] = {4, 0, 1, other | IORING_ENTER_EXT_ARG, kPtr, sizeof(io_uring_getevents_arg)};
    const CaptureStep* ext = step_of(test_plans().of(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(ext, nullptr) << other;
    EXPECT_EQ(ext->max, sizeof(io_uring_getevents_arg));
    e[3] = other;
    const CaptureStep* sig = step_of(test_plans().of(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(sig, nullptr) << other;
    EXPECT_EQ(sig->len, 5);
  }
  // The decoder: the struct whatever the other flags.
  io_uring_getevents_arg g{};
  g.ts = 0x7ffd3000;
  auto ev = make(SYS_io_uring_enter,
                 {4, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG | kAbsTimer, kPtr, 24}, 0);
  capture(ev, kPtr, g);
  EXPECT_EQ(arg(ev, 3), "IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG|IORING_ENTER_ABS_TIMER");
  EXPECT_EQ(arg(ev, 4), "{sigmask=NULL, sigmask_sz=0, min_wait_usec=0, ts=0x7ffd3000}");
  // Linux 6.12's min_wait_usec (the installed header's pad).
  g.pad = 250;
  auto min = make(SYS_io_uring_enter, {4, 0, 1, IORING_ENTER_EXT_ARG, kPtr, 24}, 0);
  capture(min, kPtr, g);
  EXPECT_EQ(arg(min, 4), "{sigmask=NULL, sigmask_sz=0, min_wait_usec=250, ts=0x7ffd3000}");
}

}  // namespace
}  // namespace dtruss::unit
