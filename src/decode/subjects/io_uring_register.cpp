// io_uring_register(2)'s arguments, which a choice table selects by opcode: the probe, resource
// registrations and updates (FILES2, BUFFERS2, FILES_UPDATE(2), BUFFERS_UPDATE), registered
// ring fds, the io-wq worker limits, buffer rings, sync cancel, the file allocation range,
// restrictions, NAPI, the clock, cloned buffers and memory regions; and the opcodes and flags
// they hold.
// Facts from <linux/io_uring.h>. The installed header (Linux 6.1) lacks what later kernels put in
// it: those layouts and values come from the kernel's include/uapi/linux/io_uring.h, cited where
// used.
#include <linux/io_uring.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

static_assert(sizeof(struct io_uring_probe) == 16);
static_assert(sizeof(struct io_uring_probe_op) == 8);
static_assert(sizeof(struct io_uring_rsrc_update) == 16);
static_assert(sizeof(struct io_uring_rsrc_update2) == 32);
static_assert(sizeof(struct io_uring_rsrc_register) == 32);
static_assert(sizeof(struct io_uring_restriction) == 16);
static_assert(sizeof(struct io_uring_file_index_range) == 16);

// The kernel's struct io_uring_buf_reg: `pad` of the installed header is `flags` since 6.4.
struct kernel_buf_reg {
  uint64_t ring_addr;
  uint32_t ring_entries;
  uint16_t bgid;
  uint16_t flags;
  uint64_t resv[3];
};
static_assert(sizeof(kernel_buf_reg) == sizeof(struct io_uring_buf_reg));
static_assert(offsetof(kernel_buf_reg, flags) == offsetof(struct io_uring_buf_reg, pad));

// The kernel's struct io_uring_sync_cancel_reg: the first byte of the installed header's pad[]
// is `opcode` since 6.6.
struct kernel_sync_cancel_reg {
  uint64_t addr;
  int32_t fd;
  uint32_t flags;
  struct __kernel_timespec timeout;
  uint8_t opcode;
  uint8_t pad[7];
  uint64_t pad2[3];
};
static_assert(sizeof(kernel_sync_cancel_reg) == sizeof(struct io_uring_sync_cancel_reg));
static_assert(offsetof(kernel_sync_cancel_reg, opcode) ==
              offsetof(struct io_uring_sync_cancel_reg, pad));

// Structs of opcodes the installed header does not have, from the kernel's
// include/uapi/linux/io_uring.h: IORING_REGISTER_PBUF_STATUS (26, Linux 6.8), (UN)REGISTER_NAPI
// (27, 28: 6.9), CLOCK (29: 6.10), CLONE_BUFFERS (30: 6.11), MEM_REGION (34: 6.13).
struct kernel_buf_status {
  uint32_t buf_group;  // in
  uint32_t head;       // out
  uint32_t resv[8];
};
static_assert(sizeof(kernel_buf_status) == 40);
struct kernel_napi {
  uint32_t busy_poll_to;
  uint8_t prefer_busy_poll;
  uint8_t opcode;  // enum io_uring_napi_op
  uint8_t pad[2];
  uint32_t op_param;  // REGISTER_OP: the tracking strategy; STATIC_ADD/DEL_ID: a NAPI id
  uint32_t resv;
};
static_assert(sizeof(kernel_napi) == 16);
struct kernel_clock_register {
  uint32_t clockid;
  uint32_t resv[3];
};
static_assert(sizeof(kernel_clock_register) == 16);
struct kernel_clone_buffers {
  uint32_t src_fd;
  uint32_t flags;
  uint32_t src_off;
  uint32_t dst_off;
  uint32_t nr;
  uint32_t pad[3];
};
static_assert(sizeof(kernel_clone_buffers) == 32);
struct kernel_mem_region_reg {
  uint64_t region_uptr;  // struct io_uring_region_desc *
  uint64_t flags;
  uint64_t resv[2];
};
static_assert(sizeof(kernel_mem_region_reg) == 32);

// IORING_REGISTER_PROBE: the header and room for every opcode a u8 can name (what liburing
// passes); the kernel writes min(nr_args, IORING_OP_LAST) of them.
constexpr size_t kProbeOps = 256;
constexpr uint32_t kProbeBytes =
    sizeof(struct io_uring_probe) + kProbeOps * sizeof(struct io_uring_probe_op);

constexpr FlagName kProbeOpBits[] = {F(IO_URING_OP_SUPPORTED)};
constexpr FlagTable kProbeOpFlags = tables::bits_table("io_uring_op_flags", kProbeOpBits);

constexpr FlagName kRsrcRegisterBits[] = {F(IORING_RSRC_REGISTER_SPARSE)};
constexpr FlagTable kRsrcRegisterFlags =
    tables::bits_table("rsrc_register_flags", kRsrcRegisterBits);

constexpr FlagName kPbufRingBits[] = {N(1, "IOU_PBUF_RING_MMAP"), N(2, "IOU_PBUF_RING_INC")};
constexpr FlagTable kPbufRingFlags = tables::bits_table("pbuf_ring_flags", kPbufRingBits);

constexpr FlagName kAsyncCancelBits[] = {
    F(IORING_ASYNC_CANCEL_ALL),      F(IORING_ASYNC_CANCEL_FD),       F(IORING_ASYNC_CANCEL_ANY),
    F(IORING_ASYNC_CANCEL_FD_FIXED), F(IORING_ASYNC_CANCEL_USERDATA), F(IORING_ASYNC_CANCEL_OP),
};
constexpr FlagTable kAsyncCancelFlags = tables::bits_table("async_cancel_flags", kAsyncCancelBits);

constexpr FlagName kRestrictionOps[] = {
    F(IORING_RESTRICTION_REGISTER_OP),
    F(IORING_RESTRICTION_SQE_OP),
    F(IORING_RESTRICTION_SQE_FLAGS_ALLOWED),
    F(IORING_RESTRICTION_SQE_FLAGS_REQUIRED),
};
constexpr FlagTable kRestrictionOp = tables::enum_table("io_uring_restriction_op", kRestrictionOps);

constexpr FlagName kSqeFlagBits[] = {
    F(IOSQE_FIXED_FILE), F(IOSQE_IO_DRAIN),      F(IOSQE_IO_LINK),          F(IOSQE_IO_HARDLINK),
    F(IOSQE_ASYNC),      F(IOSQE_BUFFER_SELECT), F(IOSQE_CQE_SKIP_SUCCESS),
};
constexpr FlagTable kSqeFlags = tables::bits_table("iosqe_flags", kSqeFlagBits);

// enum io_uring_napi_op and enum io_uring_napi_tracking_strategy (Linux 6.13).
constexpr FlagName kNapiOps[] = {N(0, "IO_URING_NAPI_REGISTER_OP"),
                                 N(1, "IO_URING_NAPI_STATIC_ADD_ID"),
                                 N(2, "IO_URING_NAPI_STATIC_DEL_ID")};
constexpr FlagTable kNapiOp = tables::enum_table("io_uring_napi_op", kNapiOps);
constexpr FlagName kNapiTracking[] = {N(0, "IO_URING_NAPI_TRACKING_DYNAMIC"),
                                      N(1, "IO_URING_NAPI_TRACKING_STATIC"),
                                      N(255, "IO_URING_NAPI_TRACKING_INACTIVE")};
constexpr FlagTable kNapiTrackingStrategy =
    tables::enum_table("io_uring_napi_tracking", kNapiTracking);

constexpr FlagName kCloneBufferBits[] = {N(1, "IORING_REGISTER_SRC_REGISTERED"),
                                         N(2, "IORING_REGISTER_DST_REPLACE")};
constexpr FlagTable kCloneBufferFlags = tables::bits_table("clone_buffers_flags", kCloneBufferBits);

constexpr FlagName kMemRegionBits[] = {N(1, "IORING_MEM_REGION_REG_WAIT_ARG")};
constexpr FlagTable kMemRegionFlags = tables::bits_table("mem_region_flags", kMemRegionBits);

size_t max_elements(const ArgContext& c) {
  return c.opt.verbose ? kMaxArrayElements : c.opt.strsize;
}

Value one_probe_op(const ArgContext& c, uint64_t addr) {
  struct io_uring_probe_op op {};
  if (!read_struct(c.mem, addr, &op)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("op", enum_or_number(TableId::io_uring_sqe_op, op.op));
  v.add("flags", flags(kProbeOpFlags, op.flags));
  return v;
}

// IORING_REGISTER_PROBE (written by the kernel): the last opcode, and each opcode with whether
// it is supported; ops_len of them, within the nr_args the caller made room for.
Value decode_io_uring_probe(const ArgContext& c) {
  struct io_uring_probe p {};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("last_op", enum_or_number(TableId::io_uring_sqe_op, p.last_op));
  FIELD(v, p, ops_len, Value::uinteger);
  const size_t n = std::min<size_t>(p.ops_len, element_count(c, kProbeOps));
  const ArgContext ops{c.ev, c.arg, c.raw + sizeof p, c.mem, c.opt};
  Value arr = decode_array(ops, n, sizeof(struct io_uring_probe_op), max_elements(c), one_probe_op);
  if (arr.type == Value::Type::Unreadable) {  // the header only: the ops are cut with "..."
    arr = Value::array();
    arr.truncated = true;
  }
  v.add("ops", std::move(arr));
  return v;
}

// IORING_REGISTER_FILES2 and BUFFERS2: how many slots, and the fds or iovecs (and their tags)
// as addresses (the memory behind them is not copied).
Value decode_rsrc_register(const ArgContext& c) {
  struct io_uring_rsrc_register r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, nr, Value::uinteger);
  v.add("flags", flags(kRsrcRegisterFlags, r.flags));
  FIELD(v, r, data, ptr_value);
  FIELD(v, r, tags, ptr_value);
  return v;
}

// IORING_REGISTER_FILES_UPDATE: the first slot to replace, and the fds' address (nr_args fds).
Value decode_rsrc_update(const ArgContext& c) {
  struct io_uring_rsrc_update u {};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, u, offset, Value::uinteger);
  FIELD(v, u, data, ptr_value);
  return v;
}

// IORING_REGISTER_FILES_UPDATE2 and BUFFERS_UPDATE: the first slot, nr fds or iovecs and tags.
Value decode_rsrc_update2(const ArgContext& c) {
  struct io_uring_rsrc_update2 u {};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, u, offset, Value::uinteger);
  FIELD(v, u, data, ptr_value);
  FIELD(v, u, tags, ptr_value);
  FIELD(v, u, nr, Value::uinteger);
  return v;
}

// A registered ring's slot: -1 (any free one) in, the one taken out.
Value slot_value(uint32_t offset) {
  return Value::integer(static_cast<int32_t>(offset));
}

Value one_ring_fd(const ArgContext& c, uint64_t addr) {
  struct io_uring_rsrc_update u {};
  if (!read_struct(c.mem, addr, &u)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, u, offset, slot_value);
  v.add("data", fd_value(static_cast<int32_t>(u.data)));
  return v;
}

Value one_ring_offset(const ArgContext& c, uint64_t addr) {
  struct io_uring_rsrc_update u {};
  if (!read_struct(c.mem, addr, &u)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, u, offset, slot_value);
  return v;
}

// IORING_REGISTER_RING_FDS: nr_args rings' fds and the slots asked for (the kernel writes back
// the slots it chose); IORING_UNREGISTER_RING_FDS: the slots only (data is not used).
Value decode_ring_fds(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(struct io_uring_rsrc_update), max_elements(c),
                      one_ring_fd);
}
Value decode_ring_offsets(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(struct io_uring_rsrc_update), max_elements(c),
                      one_ring_offset);
}

// IORING_REGISTER_IOWQ_MAX_WORKERS: the bounded and unbounded limits asked (0: unchanged), and
// the previous ones written back.
Value decode_iowq_max_workers(const ArgContext& c) {
  uint32_t w[2] = {};
  if (!read_struct(c.mem, c.raw, &w)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, Value::uinteger(w[0]));
  v.add({}, Value::uinteger(w[1]));
  return v;
}

// IORING_(UN)REGISTER_PBUF_RING: the ring of provided buffers and its group.
Value decode_buf_reg(const ArgContext& c) {
  kernel_buf_reg r{};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, ring_addr, ptr_value);
  FIELD(v, r, ring_entries, Value::uinteger);
  FIELD(v, r, bgid, Value::uinteger);
  v.add("flags", flags(kPbufRingFlags, r.flags));
  return v;
}

// IORING_REGISTER_SYNC_CANCEL: what to cancel (a user_data key, an fd, an opcode) and how long
// to wait ({-1, -1}: until done). The opcode is shown when IORING_ASYNC_CANCEL_OP uses it.
Value decode_sync_cancel_reg(const ArgContext& c) {
  kernel_sync_cancel_reg r{};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, addr, Value::hex);
  FIELD(v, r, fd, fd_value);
  v.add("flags", flags(kAsyncCancelFlags, r.flags));
  v.add("timeout", timespec_value(r.timeout.tv_sec, r.timeout.tv_nsec));
  if ((r.flags & IORING_ASYNC_CANCEL_OP) != 0)
    v.add("opcode", enum_or_number(TableId::io_uring_sqe_op, r.opcode));
  return v;
}

// IORING_REGISTER_FILE_ALLOC_RANGE: the slots [off, off + len) to allocate from.
Value decode_file_index_range(const ArgContext& c) {
  struct io_uring_file_index_range r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, off, Value::uinteger);
  FIELD(v, r, len, Value::uinteger);
  return v;
}

Value one_restriction(const ArgContext& c, uint64_t addr) {
  struct io_uring_restriction r {};
  if (!read_struct(c.mem, addr, &r)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("opcode", enum_or_number(kRestrictionOp, r.opcode));
  switch (r.opcode) {
    case IORING_RESTRICTION_REGISTER_OP:
      v.add("register_op", flags(TableId::io_uring_register_op, r.register_op));
      break;
    case IORING_RESTRICTION_SQE_OP:
      v.add("sqe_op", enum_or_number(TableId::io_uring_sqe_op, r.sqe_op));
      break;
    case IORING_RESTRICTION_SQE_FLAGS_ALLOWED:
    case IORING_RESTRICTION_SQE_FLAGS_REQUIRED:
      v.add("sqe_flags", flags(kSqeFlags, r.sqe_flags));
      break;
    default:
      v.add("arg", Value::uinteger(r.register_op));
      break;
  }
  return v;
}

// IORING_REGISTER_RESTRICTIONS: nr_args rules of what a disabled ring will allow.
Value decode_restrictions(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(struct io_uring_restriction), max_elements(c),
                      one_restriction);
}

// IORING_REGISTER_PBUF_STATUS: the buffer group asked about, and its head written back.
Value decode_buf_status(const ArgContext& c) {
  kernel_buf_status b{};
  if (!read_struct(c.mem, c.raw, &b)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, b, buf_group, Value::uinteger);
  FIELD(v, b, head, Value::uinteger);
  return v;
}

// IORING_(UN)REGISTER_NAPI: the busy-poll settings asked (the previous ones written back).
Value decode_napi(const ArgContext& c) {
  kernel_napi n{};
  if (!read_struct(c.mem, c.raw, &n)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, n, busy_poll_to, Value::uinteger);
  FIELD(v, n, prefer_busy_poll, Value::uinteger);
  v.add("opcode", enum_or_number(kNapiOp, n.opcode));
  v.add("op_param", n.opcode == 0 ? enum_or_number(kNapiTrackingStrategy, n.op_param)
                                  : Value::uinteger(n.op_param));
  return v;
}

// IORING_REGISTER_CLOCK: the clock of the ring's timeouts.
Value decode_clock_register(const ArgContext& c) {
  kernel_clock_register r{};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("clockid", flags(TableId::clock_id, r.clockid));
  return v;
}

// IORING_REGISTER_CLONE_BUFFERS: nr buffers of the ring src_fd (from src_off) to dst_off.
Value decode_clone_buffers(const ArgContext& c) {
  kernel_clone_buffers b{};
  if (!read_struct(c.mem, c.raw, &b)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("src_fd", fd_value(static_cast<int32_t>(b.src_fd)));
  v.add("flags", flags(kCloneBufferFlags, b.flags));
  FIELD(v, b, src_off, Value::uinteger);
  FIELD(v, b, dst_off, Value::uinteger);
  FIELD(v, b, nr, Value::uinteger);
  return v;
}

// IORING_REGISTER_MEM_REGION: the region's description (an address: not copied) and its use.
Value decode_mem_region_reg(const ArgContext& c) {
  kernel_mem_region_reg r{};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, region_uptr, ptr_value);
  v.add("flags", flags(kMemRegionFlags, r.flags));
  return v;
}

constexpr Entry kStructs[] = {
    {"io_uring_buf_status", sizeof(kernel_buf_status), decode_buf_status},
    {"io_uring_napi", sizeof(kernel_napi), decode_napi},
    {"io_uring_clock_register", sizeof(kernel_clock_register), decode_clock_register},
    {"io_uring_clone_buffers", sizeof(kernel_clone_buffers), decode_clone_buffers},
    {"io_uring_mem_region_reg", sizeof(kernel_mem_region_reg), decode_mem_region_reg},
    {"io_uring_probe", kProbeBytes, decode_io_uring_probe},
    {"io_uring_rsrc_register", sizeof(struct io_uring_rsrc_register), decode_rsrc_register},
    {"io_uring_rsrc_update", sizeof(struct io_uring_rsrc_update), decode_rsrc_update},
    {"io_uring_rsrc_update2", sizeof(struct io_uring_rsrc_update2), decode_rsrc_update2},
    {"io_uring_ring_fds", sizeof(struct io_uring_rsrc_update), decode_ring_fds},
    {"io_uring_ring_offsets", sizeof(struct io_uring_rsrc_update), decode_ring_offsets},
    {"iowq_max_workers", 2 * sizeof(uint32_t), decode_iowq_max_workers},
    {"io_uring_buf_reg", sizeof(kernel_buf_reg), decode_buf_reg},
    {"io_uring_sync_cancel_reg", sizeof(kernel_sync_cancel_reg), decode_sync_cancel_reg},
    {"io_uring_file_index_range", sizeof(struct io_uring_file_index_range),
     decode_file_index_range},
    {"io_uring_restrictions", sizeof(struct io_uring_restriction), decode_restrictions},
};

constexpr const FlagTable* kTables[] = {
    &kProbeOpFlags,     &kRsrcRegisterFlags, &kPbufRingFlags, &kAsyncCancelFlags,
    &kRestrictionOp,    &kSqeFlags,          &kNapiOp,        &kNapiTrackingStrategy,
    &kCloneBufferFlags, &kMemRegionFlags};

using K = ArgKind;

// io_uring_register's arg, by opcode (io_uring_register(fd, opcode, arg, nr_args): nr_args is
// argument 3), whatever IORING_REGISTER_USE_REGISTERED_RING (1 << 31, Linux 6.3's
// include/uapi/linux/io_uring.h) says of fd: the fds or buffers registered, the eventfd, the
// probe the kernel fills in, the resources registered or updated, the registered rings' slots,
// the io-wq limits (in/out: the previous ones come back) and CPU mask of nr_args bytes, the
// buffer ring, the cancelation, the allocation range, the restrictions. The opcodes that take no
// argument (UNREGISTER_*, PERSONALITY, ENABLE_RINGS: NULL, or a number the kernel rejects) and
// those not decoded yet: hex. Opcodes 26 to 34 (Linux 6.8 to 6.13) are numbers of the kernel's
// include/uapi/linux/io_uring.h: a buffer ring's status and the NAPI settings (in/out: the
// previous ones come back; UNREGISTER_NAPI writes them only), the clock, cloned buffers, the
// resized rings' io_uring_params (in/out), a memory region. SEND_MSG_RING (31: an SQE),
// ZCRX_IFQ (32) and QUERY (35) are left as addresses.
constexpr int kUringNrArgs = 3;
constexpr uint32_t kUringUseRegisteredRing = 1u << 31;
constexpr ArgChoice kUringRegisterArgByOp[] = {
    struct_array_choice(IORING_REGISTER_FILES, "fd_array", Dir::In, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_BUFFERS, "iovec_ranges", Dir::In, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_EVENTFD, "fd_array", Dir::In, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_EVENTFD_ASYNC, "fd_array", Dir::In, kUringNrArgs),
    struct_choice(IORING_REGISTER_FILES_UPDATE, "io_uring_rsrc_update", Dir::In),
    struct_array_choice(IORING_REGISTER_PROBE, "io_uring_probe", Dir::Out, kUringNrArgs),
    struct_array_choice(IORING_REGISTER_RESTRICTIONS, "io_uring_restrictions", Dir::In,
                        kUringNrArgs),
    struct_choice(IORING_REGISTER_FILES2, "io_uring_rsrc_register", Dir::In),
    struct_choice(IORING_REGISTER_FILES_UPDATE2, "io_uring_rsrc_update2", Dir::In),
    struct_choice(IORING_REGISTER_BUFFERS2, "io_uring_rsrc_register", Dir::In),
    struct_choice(IORING_REGISTER_BUFFERS_UPDATE, "io_uring_rsrc_update2", Dir::In),
    struct_array_choice(IORING_REGISTER_IOWQ_AFF, "cpu_mask", Dir::In, kUringNrArgs),
    struct_choice(IORING_REGISTER_IOWQ_MAX_WORKERS, "iowq_max_workers", Dir::InOut),
    struct_array_choice(IORING_REGISTER_RING_FDS, "io_uring_ring_fds", Dir::InOut, kUringNrArgs),
    struct_array_choice(IORING_UNREGISTER_RING_FDS, "io_uring_ring_offsets", Dir::In, kUringNrArgs),
    struct_choice(IORING_REGISTER_PBUF_RING, "io_uring_buf_reg", Dir::In),
    struct_choice(IORING_UNREGISTER_PBUF_RING, "io_uring_buf_reg", Dir::In),
    struct_choice(IORING_REGISTER_SYNC_CANCEL, "io_uring_sync_cancel_reg", Dir::In),
    struct_choice(IORING_REGISTER_FILE_ALLOC_RANGE, "io_uring_file_index_range", Dir::In),
    struct_choice(26, "io_uring_buf_status", Dir::InOut),   // IORING_REGISTER_PBUF_STATUS
    struct_choice(27, "io_uring_napi", Dir::InOut),         // IORING_REGISTER_NAPI
    struct_choice(28, "io_uring_napi", Dir::Out),           // IORING_UNREGISTER_NAPI
    struct_choice(29, "io_uring_clock_register", Dir::In),  // IORING_REGISTER_CLOCK
    struct_choice(30, "io_uring_clone_buffers", Dir::In),   // IORING_REGISTER_CLONE_BUFFERS
    struct_choice(33, "io_uring_params", Dir::InOut),       // IORING_REGISTER_RESIZE_RINGS
    struct_choice(34, "io_uring_mem_region_reg", Dir::In),  // IORING_REGISTER_MEM_REGION
};
constexpr ChoiceTable kUringRegisterArg{"io_uring_register_arg", kUringRegisterArgByOp, K::Hex,
                                        ~kUringUseRegisteredRing, kUringUseRegisteredRing};

constexpr const ChoiceTable* kChoices[] = {&kUringRegisterArg};

}  // namespace

Subject subject_io_uring_register() {
  return {"io_uring_register", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
