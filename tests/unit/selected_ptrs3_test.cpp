// Pointer arguments whose type another argument selects (third round): io_uring_register's other
// opcodes, io_uring_enter's argp with IORING_ENTER_ABS_TIMER and IORING_ENTER_NO_IOWAIT, and
// quotactl's Q_GETNEXTQUOTA and XFS commands, clone's parent_tidptr by its flags; decoded from
// crafted bytes (short reads and failed calls too), and the capture plans that copy them.
#include <gtest/gtest.h>
#include <linux/dqblk_xfs.h>
#include <linux/io_uring.h>
#include <linux/quota.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "decode/choices.h"
#include "decode/structs.h"
#include "decode_support.h"
#include "syscalls/capture.h"

namespace dtruss {
namespace {

using unit::arg;
using unit::arg_json;
using unit::capture;
using unit::make;
using unit::step_of;

constexpr uint64_t kPtr = 0x7ffd1000;
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
// io_uring_register

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
// quotactl

constexpr uint64_t qcmd(uint32_t command, uint32_t type) {
  return (command << SUBCMDSHIFT) | (type & SUBCMDMASK);
}

fs_disk_quota sample_disk_quota() {
  fs_disk_quota d{};
  d.d_version = FS_DQUOT_VERSION;
  d.d_flags = FS_GROUP_QUOTA;
  d.d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD;
  d.d_id = 1000;
  d.d_blk_hardlimit = 2048;
  d.d_blk_softlimit = 1024;
  d.d_bcount = 16;
  d.d_icount = 3;
  d.d_btimer = 5;
  return d;
}

TEST(QuotactlXfs, DiskQuotaInAndOut) {
  const fs_disk_quota d = sample_disk_quota();
  auto set = make(SYS_quotactl, {qcmd(Q_XSETQLIM, GRPQUOTA), kPtr + 64, 1000, kPtr}, -ENOENT);
  capture(set, kPtr, d);
  EXPECT_EQ(arg(set, 0), "Q_XSETQLIM|GRPQUOTA");
  EXPECT_EQ(arg(set, 3),
            "{d_version=1, d_flags=FS_GROUP_QUOTA, d_fieldmask=FS_DQ_BSOFT|FS_DQ_BHARD, "
            "d_id=1000, d_blk_hardlimit=2048, d_blk_softlimit=1024, d_ino_hardlimit=0, "
            "d_ino_softlimit=0, d_bcount=16, d_icount=3, d_itimer=0, d_btimer=5, d_iwarns=0, "
            "d_bwarns=0, d_rtb_hardlimit=0, d_rtb_softlimit=0, d_rtbcount=0, d_rtbtimer=0, "
            "d_rtbwarns=0}");
  for (uint32_t cmd : {Q_XGETQUOTA, Q_XGETNEXTQUOTA}) {
    auto get = make(SYS_quotactl_fd, {3, qcmd(cmd, USRQUOTA), 1000, kPtr}, 0);
    capture(get, kPtr, d);
    EXPECT_NE(arg_json(get, 3).find("\"d_id\":1000"), std::string::npos) << arg_json(get, 3);
    // Failed: nothing written, the address.
    auto failed = make(SYS_quotactl_fd, {3, qcmd(cmd, USRQUOTA), 1000, kPtr}, -ESRCH);
    capture(failed, kPtr, d);
    EXPECT_EQ(arg(failed, 3), "0x7ffd1000");
  }
  // Timers past 2038: FS_DQ_BIGTIME adds the _hi bits.
  fs_disk_quota big = d;
  big.d_fieldmask = FS_DQ_BIGTIME;
  big.d_btimer = static_cast<int32_t>(0x80000000u);
  big.d_btimer_hi = 1;
  auto bigget = make(SYS_quotactl, {qcmd(Q_XGETQUOTA, PRJQUOTA), kPtr + 64, 7, kPtr}, 0);
  capture(bigget, kPtr, big);
  EXPECT_NE(arg(bigget, 3).find("d_btimer=6442450944,"), std::string::npos) << arg(bigget, 3);
  EXPECT_NE(arg(bigget, 3).find("d_fieldmask=FS_DQ_BIGTIME,"), std::string::npos);
  // Short: the address.
  auto shrt = make(SYS_quotactl, {qcmd(Q_XSETQLIM, USRQUOTA), kPtr + 64, 7, kPtr}, -ENOENT);
  std::array<uint8_t, 64> few{};
  capture(shrt, kPtr, few);
  EXPECT_EQ(arg(shrt, 3), "0x7ffd1000");
}

TEST(QuotactlXfs, QuotaStatAndStatv) {
  fs_quota_stat s{};
  s.qs_version = FS_QSTAT_VERSION;
  s.qs_flags = FS_QUOTA_UDQ_ACCT | FS_QUOTA_UDQ_ENFD;
  s.qs_uquota = {131, 8, 1};
  s.qs_gquota = {0, 0, 0};
  s.qs_incoredqs = 2;
  s.qs_btimelimit = 604800;
  s.qs_itimelimit = 604800;
  s.qs_bwarnlimit = 5;
  auto st = make(SYS_quotactl, {qcmd(Q_XGETQSTAT, USRQUOTA), kPtr + 64, 0, kPtr}, 0);
  capture(st, kPtr, s);
  EXPECT_EQ(arg(st, 3),
            "{qs_version=1, qs_flags=FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD, "
            "qs_uquota={qfs_ino=131, qfs_nblks=8, qfs_nextents=1}, "
            "qs_gquota={qfs_ino=0, qfs_nblks=0, qfs_nextents=0}, qs_incoredqs=2, "
            "qs_btimelimit=604800, qs_itimelimit=604800, qs_rtbtimelimit=0, qs_bwarnlimit=5, "
            "qs_iwarnlimit=0}");
  fs_quota_statv sv{};
  sv.qs_version = FS_QSTATV_VERSION1;
  sv.qs_flags = FS_QUOTA_PDQ_ACCT;
  sv.qs_pquota = {133, 1, 1, 0};
  sv.qs_rtbwarnlimit = 9;
  auto stv = make(SYS_quotactl_fd, {3, qcmd(Q_XGETQSTATV, PRJQUOTA), 0, kPtr}, 0);
  capture(stv, kPtr, sv);
  EXPECT_EQ(arg(stv, 1), "Q_XGETQSTATV|PRJQUOTA");
  const std::string j = arg_json(stv, 3);
  EXPECT_NE(j.find("\"qs_flags\":\"FS_QUOTA_PDQ_ACCT\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"qs_pquota\":{\"qfs_ino\":133,\"qfs_nblks\":1,\"qfs_nextents\":1}"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"qs_rtbwarnlimit\":9"), std::string::npos) << j;
  // In/out: a failed call shows the version asked for.
  fs_quota_statv asked{};
  asked.qs_version = FS_QSTATV_VERSION1;
  auto failed = make(SYS_quotactl_fd, {3, qcmd(Q_XGETQSTATV, USRQUOTA), 0, kPtr}, -ENOSYS);
  capture(failed, kPtr, asked);
  EXPECT_EQ(arg(failed, 3).rfind("{qs_version=1, qs_flags=0, qs_incoredqs=0,", 0), 0u)
      << arg(failed, 3);
  auto shrt = make(SYS_quotactl, {qcmd(Q_XGETQSTAT, USRQUOTA), kPtr + 64, 0, kPtr}, 0);
  capture(shrt, kPtr, sv.qs_uquota);
  EXPECT_EQ(arg(shrt, 3), "0x7ffd1000");
}

TEST(QuotactlXfs, FlagsNextQuotaAndSync) {
  const uint32_t on = FS_QUOTA_UDQ_ACCT | FS_QUOTA_UDQ_ENFD;
  for (uint32_t cmd : {Q_XQUOTAON, Q_XQUOTAOFF}) {
    auto ev = make(SYS_quotactl, {qcmd(cmd, USRQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
    capture(ev, kPtr, on);
    EXPECT_EQ(arg(ev, 3), "[FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD]") << cmd;
  }
  const uint32_t types = FS_USER_QUOTA | FS_GROUP_QUOTA;
  auto rm = make(SYS_quotactl, {qcmd(Q_XQUOTARM, USRQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
  capture(rm, kPtr, types);
  EXPECT_EQ(arg(rm, 0), "Q_XQUOTARM");
  EXPECT_EQ(arg(rm, 3), "[FS_USER_QUOTA|FS_GROUP_QUOTA]");
  EXPECT_EQ(arg_json(rm, 3), "[\"FS_USER_QUOTA|FS_GROUP_QUOTA\"]");
  auto none = make(SYS_quotactl, {qcmd(Q_XQUOTARM, USRQUOTA), kPtr + 64, 0, kPtr}, -ENOENT);
  EXPECT_EQ(arg(none, 3), "0x7ffd1000");

  if_nextdqblk n{};
  n.dqb_bhardlimit = 100;
  n.dqb_curspace = 4096;
  n.dqb_valid = QIF_ALL;
  n.dqb_id = 1001;
  auto next = make(SYS_quotactl, {qcmd(Q_GETNEXTQUOTA, GRPQUOTA), kPtr + 64, 1000, kPtr}, 0);
  capture(next, kPtr, n);
  EXPECT_EQ(arg(next, 0), "Q_GETNEXTQUOTA|GRPQUOTA");
  EXPECT_EQ(arg(next, 3),
            "{dqb_bhardlimit=100, dqb_bsoftlimit=0, dqb_curspace=4096, dqb_ihardlimit=0, "
            "dqb_isoftlimit=0, dqb_curinodes=0, dqb_btime=0, dqb_itime=0, dqb_valid=QIF_ALL, "
            "dqb_id=1001}");
  auto sync = make(SYS_quotactl, {qcmd(Q_XQUOTASYNC, USRQUOTA), kPtr + 64, 0, 0}, 0);
  EXPECT_EQ(arg(sync, 0), "Q_XQUOTASYNC");
  EXPECT_EQ(arg(sync, 3), "NULL");
}

// ---------------------------------------------------------------------------------------------
// clone

TEST(CloneParentTid, ByFlags) {
  const int32_t tid = 4321;
  const uint64_t settid = CLONE_PARENT_SETTID | SIGCHLD;
  auto ev = make(SYS_clone, {settid, 0, kPtr, 0, 0}, 4321);
  capture(ev, kPtr, tid);
  EXPECT_EQ(arg(ev, 0), "CLONE_PARENT_SETTID|SIGCHLD");
  EXPECT_EQ(arg(ev, 2), "[4321]");
  EXPECT_EQ(arg_json(ev, 2), "[4321]");
  const int32_t pidfd = 5;
  auto pfd = make(SYS_clone, {CLONE_PIDFD | SIGCHLD, 0, kPtr, 0, 0}, 4322);
  capture(pfd, kPtr, pidfd);
  EXPECT_EQ(arg(pfd, 2), "[5]");
  // Whatever the other flags (a thread's).
  auto thread = make(SYS_clone,
                     {CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                          CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
                      0x7f0000100000, kPtr, kPtr + 8, 0x7f0000200000},
                     4323);
  capture(thread, kPtr, tid);
  EXPECT_EQ(arg(thread, 2), "[4321]");
  // Without either flag the pointer is unused: hex, even when something was copied there.
  auto plain = make(SYS_clone, {SIGCHLD, 0, kPtr, 0, 0}, 4324);
  capture(plain, kPtr, tid);
  EXPECT_EQ(arg(plain, 2), "0x7ffd1000");
  // Failed, or not readable: the address.
  auto failed = make(SYS_clone, {settid, 0, kPtr, 0, 0}, -EAGAIN);
  capture(failed, kPtr, tid);
  EXPECT_EQ(arg(failed, 2), "0x7ffd1000");
  auto none = make(SYS_clone, {settid, 0, kPtr, 0, 0}, 4325);
  EXPECT_EQ(arg(none, 2), "0x7ffd1000");
  // Both together (the kernel says EINVAL): no choice, hex.
  auto both = make(SYS_clone, {CLONE_PIDFD | CLONE_PARENT_SETTID, 0, kPtr, 0, 0}, -EINVAL);
  EXPECT_EQ(arg(both, 2), "0x7ffd1000");
}

// ---------------------------------------------------------------------------------------------
// capture plans

class SelectedPlans3 : public unit::CapturePlansTest {};

TEST_F(SelectedPlans3, IoUringRegisterByOpcodeWithOrWithoutRegisteredRing) {
  for (uint32_t ring : {0u, kUseRegisteredRing}) {
    uint64_t args[6] = {4, IORING_REGISTER_PROBE | ring, kPtr, 256};
    const CaptureStep* probe = step_of(capture_plan(SYS_io_uring_register, args), 2, true);
    ASSERT_NE(probe, nullptr) << ring;
    EXPECT_EQ(probe->len, kNoLen);
    EXPECT_EQ(probe->max, sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op));
    args[1] = IORING_REGISTER_RESTRICTIONS | ring;
    const CaptureStep* res = step_of(capture_plan(SYS_io_uring_register, args), 2, false);
    ASSERT_NE(res, nullptr) << ring;
    EXPECT_EQ(res->len, 3);
    EXPECT_EQ(res->elem, sizeof(io_uring_restriction));
    args[1] = IORING_REGISTER_RING_FDS | ring;  // in/out: after the call
    const CaptureStep* rings = step_of(capture_plan(SYS_io_uring_register, args), 2, true);
    ASSERT_NE(rings, nullptr) << ring;
    EXPECT_EQ(rings->elem, sizeof(io_uring_rsrc_update));
    args[1] = IORING_REGISTER_IOWQ_AFF | ring;  // nr_args bytes
    const CaptureStep* aff = step_of(capture_plan(SYS_io_uring_register, args), 2, false);
    ASSERT_NE(aff, nullptr) << ring;
    EXPECT_EQ(aff->len, 3);
    EXPECT_EQ(aff->elem, 0);
    args[1] = IORING_REGISTER_SYNC_CANCEL | ring;
    const CaptureStep* cancel = step_of(capture_plan(SYS_io_uring_register, args), 2, false);
    ASSERT_NE(cancel, nullptr) << ring;
    EXPECT_EQ(cancel->max, sizeof(io_uring_sync_cancel_reg));
    args[1] = IORING_REGISTER_PERSONALITY | ring;
    const CapturePlan& none = capture_plan(SYS_io_uring_register, args);
    EXPECT_EQ(none.n_entry + none.n_exit, 0) << ring;
  }
  EXPECT_EQ(selected_plans(SYS_io_uring_register).size(), 2 * 26u);
}

TEST_F(SelectedPlans3, IoUringEnterAbsTimerAndNoIowait) {
  constexpr uint64_t kAbsTimer = 1u << 5;
  constexpr uint64_t kNoIowait = 1u << 7;
  for (uint64_t other :
       {kAbsTimer, kNoIowait, kAbsTimer | kNoIowait | IORING_ENTER_GETEVENTS,
        kAbsTimer | IORING_ENTER_SQ_WAKEUP | IORING_ENTER_SQ_WAIT | IORING_ENTER_REGISTERED_RING}) {
    uint64_t e[6] = {4, 0, 1, other | IORING_ENTER_EXT_ARG, kPtr, sizeof(io_uring_getevents_arg)};
    const CaptureStep* ext = step_of(capture_plan(SYS_io_uring_enter, e), 4, false);
    ASSERT_NE(ext, nullptr) << other;
    EXPECT_EQ(ext->max, sizeof(io_uring_getevents_arg));
    e[3] = other;
    const CaptureStep* sig = step_of(capture_plan(SYS_io_uring_enter, e), 4, false);
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

TEST_F(SelectedPlans3, QuotactlXfsForEachType) {
  for (uint32_t type : {USRQUOTA, GRPQUOTA, PRJQUOTA}) {
    uint64_t args[6] = {qcmd(Q_XSETQLIM, type), kPtr + 64, 0, kPtr};
    const CaptureStep* set = step_of(capture_plan(SYS_quotactl, args), 3, false);
    ASSERT_NE(set, nullptr) << type;
    EXPECT_EQ(set->max, sizeof(fs_disk_quota));
    uint64_t fd_args[6] = {3, qcmd(Q_XGETQSTATV, type), 0, kPtr};
    const CaptureStep* statv = step_of(capture_plan(SYS_quotactl_fd, fd_args), 3, true);
    ASSERT_NE(statv, nullptr) << type;
    EXPECT_EQ(statv->max, sizeof(fs_quota_statv));
    fd_args[1] = qcmd(Q_GETNEXTQUOTA, type);
    const CaptureStep* next = step_of(capture_plan(SYS_quotactl_fd, fd_args), 3, true);
    ASSERT_NE(next, nullptr) << type;
    EXPECT_EQ(next->max, sizeof(if_nextdqblk));
    fd_args[1] = qcmd(Q_XQUOTARM, type);
    const CaptureStep* rm = step_of(capture_plan(SYS_quotactl_fd, fd_args), 3, false);
    ASSERT_NE(rm, nullptr) << type;
    EXPECT_EQ(rm->max, sizeof(uint32_t));
  }
}

TEST_F(SelectedPlans3, CloneParentTidCopiedWhateverTheFlags) {
  // One step in clone's own plan (after the call, 4 bytes), no plan per value of the flags.
  EXPECT_EQ(plan_selector(SYS_clone), -1);
  EXPECT_TRUE(selected_plans(SYS_clone).empty());
  for (uint64_t flags : {uint64_t{SIGCHLD}, uint64_t{CLONE_PARENT_SETTID | SIGCHLD},
                         uint64_t{CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_PARENT_SETTID},
                         uint64_t{CLONE_PIDFD | SIGCHLD}}) {
    uint64_t args[6] = {flags, 0, kPtr, 0, 0};
    const CaptureStep* s = step_of(capture_plan(SYS_clone, args), 2, true);
    ASSERT_NE(s, nullptr) << flags;
    EXPECT_EQ(s->max, sizeof(int32_t));
    EXPECT_EQ(s->len, kNoLen);
  }
}

}  // namespace
}  // namespace dtruss
