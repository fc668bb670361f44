// io_uring_setup and io_uring_enter: their flags, struct io_uring_params and the features it
// reports, io_uring_enter's extended argument, and io_uring_register's opcodes.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/aio_abi.h>
#include <linux/if_packet.h>
#include <linux/io_uring.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/io_uring.h>; IORING_SETUP_NO_MMAP, _REGISTERED_FD_ONLY (Linux 6.5) and _NO_SQARRAY
// (6.6) from include/uapi/linux/io_uring.h.
constexpr FlagName kUringSetupBits[] = {
    F(IORING_SETUP_IOPOLL),
    F(IORING_SETUP_SQPOLL),
    F(IORING_SETUP_SQ_AFF),
    F(IORING_SETUP_CQSIZE),
    F(IORING_SETUP_CLAMP),
    F(IORING_SETUP_ATTACH_WQ),
    F(IORING_SETUP_R_DISABLED),
    F(IORING_SETUP_SUBMIT_ALL),
    F(IORING_SETUP_COOP_TASKRUN),
    F(IORING_SETUP_TASKRUN_FLAG),
    F(IORING_SETUP_SQE128),
    F(IORING_SETUP_CQE32),
    F(IORING_SETUP_SINGLE_ISSUER),
    F(IORING_SETUP_DEFER_TASKRUN),
    N(1U << 14, "IORING_SETUP_NO_MMAP"),
    N(1U << 15, "IORING_SETUP_REGISTERED_FD_ONLY"),
    N(1U << 16, "IORING_SETUP_NO_SQARRAY"),
};
constexpr FlagTable kIoUringSetupFlags = bits_table("io_uring_setup_flags", kUringSetupBits);

// <linux/io_uring.h>; IORING_ENTER_ABS_TIMER (Linux 6.12), IORING_ENTER_EXT_ARG_REG (6.13) and
// IORING_ENTER_NO_IOWAIT (6.15) from include/uapi/linux/io_uring.h.
constexpr FlagName kUringEnterBits[] = {
    F(IORING_ENTER_GETEVENTS),
    F(IORING_ENTER_SQ_WAKEUP),
    F(IORING_ENTER_SQ_WAIT),
    F(IORING_ENTER_EXT_ARG),
    F(IORING_ENTER_REGISTERED_RING),
    N(1U << 5, "IORING_ENTER_ABS_TIMER"),
    N(1U << 6, "IORING_ENTER_EXT_ARG_REG"),
    N(1U << 7, "IORING_ENTER_NO_IOWAIT"),
};
constexpr FlagTable kIoUringEnterFlags = bits_table("io_uring_enter_flags", kUringEnterBits);

// <linux/io_uring.h>: the opcode, and the IORING_REGISTER_USE_REGISTERED_RING bit (Linux 6.3,
// include/uapi/linux/io_uring.h). Opcodes 26 to 35 (Linux 6.8 to 6.18) are from the same header.
constexpr FlagName kUringRegisterOps[] = {
    F(IORING_REGISTER_BUFFERS),
    F(IORING_UNREGISTER_BUFFERS),
    F(IORING_REGISTER_FILES),
    F(IORING_UNREGISTER_FILES),
    F(IORING_REGISTER_EVENTFD),
    F(IORING_UNREGISTER_EVENTFD),
    F(IORING_REGISTER_FILES_UPDATE),
    F(IORING_REGISTER_EVENTFD_ASYNC),
    F(IORING_REGISTER_PROBE),
    F(IORING_REGISTER_PERSONALITY),
    F(IORING_UNREGISTER_PERSONALITY),
    F(IORING_REGISTER_RESTRICTIONS),
    F(IORING_REGISTER_ENABLE_RINGS),
    F(IORING_REGISTER_FILES2),
    F(IORING_REGISTER_FILES_UPDATE2),
    F(IORING_REGISTER_BUFFERS2),
    F(IORING_REGISTER_BUFFERS_UPDATE),
    F(IORING_REGISTER_IOWQ_AFF),
    F(IORING_UNREGISTER_IOWQ_AFF),
    F(IORING_REGISTER_IOWQ_MAX_WORKERS),
    F(IORING_REGISTER_RING_FDS),
    F(IORING_UNREGISTER_RING_FDS),
    F(IORING_REGISTER_PBUF_RING),
    F(IORING_UNREGISTER_PBUF_RING),
    F(IORING_REGISTER_SYNC_CANCEL),
    F(IORING_REGISTER_FILE_ALLOC_RANGE),
    N(26, "IORING_REGISTER_PBUF_STATUS"),
    N(27, "IORING_REGISTER_NAPI"),
    N(28, "IORING_UNREGISTER_NAPI"),
    N(29, "IORING_REGISTER_CLOCK"),
    N(30, "IORING_REGISTER_CLONE_BUFFERS"),
    N(31, "IORING_REGISTER_SEND_MSG_RING"),
    N(32, "IORING_REGISTER_ZCRX_IFQ"),
    N(33, "IORING_REGISTER_RESIZE_RINGS"),
    N(34, "IORING_REGISTER_MEM_REGION"),
    N(35, "IORING_REGISTER_QUERY"),
};
constexpr uint64_t kUseRegisteredRing = 1U << 31;
constexpr FlagName kUringRegisterBits[] = {
    N(kUseRegisteredRing, "IORING_REGISTER_USE_REGISTERED_RING")};
constexpr FlagTable kIoUringRegisterOp =
    mixed_table("io_uring_register_op", ~kUseRegisteredRing, kUringRegisterOps, kUringRegisterBits);

// <linux/io_uring.h>; REG_REG_RING (Linux 6.3), RECVSEND_BUNDLE (6.10) and MIN_TIMEOUT (6.12)
// from the kernel's include/uapi/linux/io_uring.h.
constexpr FlagName kUringFeatBits[] = {
    F(IORING_FEAT_SINGLE_MMAP),
    F(IORING_FEAT_NODROP),
    F(IORING_FEAT_SUBMIT_STABLE),
    F(IORING_FEAT_RW_CUR_POS),
    F(IORING_FEAT_CUR_PERSONALITY),
    F(IORING_FEAT_FAST_POLL),
    F(IORING_FEAT_POLL_32BITS),
    F(IORING_FEAT_SQPOLL_NONFIXED),
    F(IORING_FEAT_EXT_ARG),
    F(IORING_FEAT_NATIVE_WORKERS),
    F(IORING_FEAT_RSRC_TAGS),
    F(IORING_FEAT_CQE_SKIP),
    F(IORING_FEAT_LINKED_FILE),
    N(1U << 13, "IORING_FEAT_REG_REG_RING"),
    N(1U << 14, "IORING_FEAT_RECVSEND_BUNDLE"),
    N(1U << 15, "IORING_FEAT_MIN_TIMEOUT"),
};
constexpr FlagTable kUringFeatures = tables::bits_table("io_uring_features", kUringFeatBits);

Value decode_io_uring_params(const ArgContext& c) {
  io_uring_params p{};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, p, sq_entries, Value::uinteger);
  FIELD(v, p, cq_entries, Value::uinteger);
  v.add("flags", flags_value(&kIoUringSetupFlags, p.flags));
  if (c.opt.verbose || (p.flags & IORING_SETUP_SQPOLL) != 0) {
    FIELD(v, p, sq_thread_cpu, Value::uinteger);
    FIELD(v, p, sq_thread_idle, Value::uinteger);
  }
  if (c.opt.verbose || (p.flags & IORING_SETUP_ATTACH_WQ) != 0)
    v.add("wq_fd", fd_value(static_cast<int32_t>(p.wq_fd)));
  v.add("features", flags_value(&kUringFeatures, p.features));
  return v;
}

static_assert(sizeof(struct io_uring_getevents_arg) == 24);

// io_uring_enter's argp with IORING_ENTER_EXT_ARG: the signal mask and timeout, as addresses
// (the memory behind them is not copied), and the minimum wait (Linux 6.12: the installed
// header's `pad`, min_wait_usec in the kernel's include/uapi/linux/io_uring.h).
Value decode_io_uring_getevents_arg(const ArgContext& c) {
  struct io_uring_getevents_arg g {};
  if (!read_struct(c.mem, c.raw, &g)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, g, sigmask, ptr_value);
  FIELD(v, g, sigmask_sz, Value::uinteger);
  v.add("min_wait_usec", Value::uinteger(g.pad));
  FIELD(v, g, ts, ptr_value);
  return v;
}

// The opcodes of submission queue entries (IORING_OP_*), which io_uring_register's probe and
// restrictions name; those after IORING_OP_SENDMSG_ZC are numbers of the kernel's
// include/uapi/linux/io_uring.h (49 to 62: Linux 6.7 to 6.16).
constexpr FlagName kSqeOps[] = {
    F(IORING_OP_NOP),
    F(IORING_OP_READV),
    F(IORING_OP_WRITEV),
    F(IORING_OP_FSYNC),
    F(IORING_OP_READ_FIXED),
    F(IORING_OP_WRITE_FIXED),
    F(IORING_OP_POLL_ADD),
    F(IORING_OP_POLL_REMOVE),
    F(IORING_OP_SYNC_FILE_RANGE),
    F(IORING_OP_SENDMSG),
    F(IORING_OP_RECVMSG),
    F(IORING_OP_TIMEOUT),
    F(IORING_OP_TIMEOUT_REMOVE),
    F(IORING_OP_ACCEPT),
    F(IORING_OP_ASYNC_CANCEL),
    F(IORING_OP_LINK_TIMEOUT),
    F(IORING_OP_CONNECT),
    F(IORING_OP_FALLOCATE),
    F(IORING_OP_OPENAT),
    F(IORING_OP_CLOSE),
    F(IORING_OP_FILES_UPDATE),
    F(IORING_OP_STATX),
    F(IORING_OP_READ),
    F(IORING_OP_WRITE),
    F(IORING_OP_FADVISE),
    F(IORING_OP_MADVISE),
    F(IORING_OP_SEND),
    F(IORING_OP_RECV),
    F(IORING_OP_OPENAT2),
    F(IORING_OP_EPOLL_CTL),
    F(IORING_OP_SPLICE),
    F(IORING_OP_PROVIDE_BUFFERS),
    F(IORING_OP_REMOVE_BUFFERS),
    F(IORING_OP_TEE),
    F(IORING_OP_SHUTDOWN),
    F(IORING_OP_RENAMEAT),
    F(IORING_OP_UNLINKAT),
    F(IORING_OP_MKDIRAT),
    F(IORING_OP_SYMLINKAT),
    F(IORING_OP_LINKAT),
    F(IORING_OP_MSG_RING),
    F(IORING_OP_FSETXATTR),
    F(IORING_OP_SETXATTR),
    F(IORING_OP_FGETXATTR),
    F(IORING_OP_GETXATTR),
    F(IORING_OP_SOCKET),
    F(IORING_OP_URING_CMD),
    F(IORING_OP_SEND_ZC),
    F(IORING_OP_SENDMSG_ZC),
    N(49, "IORING_OP_READ_MULTISHOT"),
    N(50, "IORING_OP_WAITID"),
    N(51, "IORING_OP_FUTEX_WAIT"),
    N(52, "IORING_OP_FUTEX_WAKE"),
    N(53, "IORING_OP_FUTEX_WAITV"),
    N(54, "IORING_OP_FIXED_FD_INSTALL"),
    N(55, "IORING_OP_FTRUNCATE"),
    N(56, "IORING_OP_BIND"),
    N(57, "IORING_OP_LISTEN"),
    N(58, "IORING_OP_RECV_ZC"),
    N(59, "IORING_OP_EPOLL_WAIT"),
    N(60, "IORING_OP_READV_FIXED"),
    N(61, "IORING_OP_WRITEV_FIXED"),
    N(62, "IORING_OP_PIPE"),
};
static_assert(IORING_OP_SENDMSG_ZC == 48, "the numbered opcodes follow IORING_OP_SENDMSG_ZC");
constexpr FlagTable kSqeOp = tables::enum_table("io_uring_sqe_op", kSqeOps);

constexpr Entry kStructs[] = {
    {"io_uring_params", sizeof(io_uring_params), decode_io_uring_params},
    {"io_uring_getevents_arg", sizeof(struct io_uring_getevents_arg),
     decode_io_uring_getevents_arg},
};

constexpr const FlagTable* kTables[] = {&kSqeOp, &kIoUringSetupFlags, &kIoUringEnterFlags,
                                        &kIoUringRegisterOp, &kUringFeatures};

using K = ArgKind;

// io_uring_enter's argp, by flags (io_uring_enter(fd, to_submit, min_complete, flags, argp,
// argsz)): with IORING_ENTER_EXT_ARG a struct io_uring_getevents_arg, else a signal mask of
// argsz bytes (or NULL). With IORING_ENTER_EXT_ARG_REG (1 << 6, Linux 6.13's
// include/uapi/linux/io_uring.h; the installed header may lack it) argp is an offset into a
// registered region, not an address: hex. The flags that do not change what argp is are
// expanded into capture plans: the four of the installed header, IORING_ENTER_ABS_TIMER
// (1 << 5, Linux 6.12: the timeout is absolute) and IORING_ENTER_NO_IOWAIT (1 << 7, Linux 6.15),
// which liburing passes on every call of a ring that asked for it.
constexpr int kUringArgsz = 5;
constexpr uint32_t kUringEnterAbsTimer = 1u << 5;
constexpr uint32_t kUringEnterExtArgReg = 1u << 6;
constexpr uint32_t kUringEnterNoIowait = 1u << 7;
constexpr ArgChoice kUringEnterArgpByFlags[] = {
    struct_array_choice(0, "sigset", Dir::In, kUringArgsz),
    struct_choice(IORING_ENTER_EXT_ARG, "io_uring_getevents_arg", Dir::In),
};
constexpr ChoiceTable kUringEnterArgp{"io_uring_enter_argp", kUringEnterArgpByFlags, K::Hex,
                                      IORING_ENTER_EXT_ARG | kUringEnterExtArgReg,
                                      IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAKEUP |
                                          IORING_ENTER_SQ_WAIT | IORING_ENTER_REGISTERED_RING |
                                          kUringEnterAbsTimer | kUringEnterNoIowait};

constexpr const ChoiceTable* kChoices[] = {&kUringEnterArgp};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef IORING_SETUP_NO_MMAP
static_assert(value_named(kUringSetupBits, "IORING_SETUP_NO_MMAP") ==
              value_of(IORING_SETUP_NO_MMAP));
#endif
#ifdef IORING_SETUP_REGISTERED_FD_ONLY
static_assert(value_named(kUringSetupBits, "IORING_SETUP_REGISTERED_FD_ONLY") ==
              value_of(IORING_SETUP_REGISTERED_FD_ONLY));
#endif
#ifdef IORING_SETUP_NO_SQARRAY
static_assert(value_named(kUringSetupBits, "IORING_SETUP_NO_SQARRAY") ==
              value_of(IORING_SETUP_NO_SQARRAY));
#endif
#ifdef IORING_ENTER_ABS_TIMER
static_assert(value_named(kUringEnterBits, "IORING_ENTER_ABS_TIMER") ==
              value_of(IORING_ENTER_ABS_TIMER));
#endif
#ifdef IORING_ENTER_EXT_ARG_REG
static_assert(value_named(kUringEnterBits, "IORING_ENTER_EXT_ARG_REG") ==
              value_of(IORING_ENTER_EXT_ARG_REG));
#endif
#ifdef IORING_ENTER_NO_IOWAIT
static_assert(value_named(kUringEnterBits, "IORING_ENTER_NO_IOWAIT") ==
              value_of(IORING_ENTER_NO_IOWAIT));
#endif
#ifdef IORING_FEAT_REG_REG_RING
static_assert(value_named(kUringFeatBits, "IORING_FEAT_REG_REG_RING") ==
              value_of(IORING_FEAT_REG_REG_RING));
#endif
#ifdef IORING_FEAT_RECVSEND_BUNDLE
static_assert(value_named(kUringFeatBits, "IORING_FEAT_RECVSEND_BUNDLE") ==
              value_of(IORING_FEAT_RECVSEND_BUNDLE));
#endif
#ifdef IORING_FEAT_MIN_TIMEOUT
static_assert(value_named(kUringFeatBits, "IORING_FEAT_MIN_TIMEOUT") ==
              value_of(IORING_FEAT_MIN_TIMEOUT));
#endif

}  // namespace

Subject subject_io_uring() {
  return {"io_uring", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
