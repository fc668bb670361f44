#include "syscalls/uring_ops.h"

#include <linux/io_uring.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace dtruss {
namespace {

using From = UringArg::From;

constexpr UringArg kFd{From::Fd, nullptr};
constexpr UringArg field(const char* name) {
  return {From::Field, name};
}
constexpr UringArg path(const char* name) {
  return {From::Path, name};
}
constexpr UringArg bytes(const char* name) {
  return {From::Bytes, name};
}
constexpr UringArg kTimeoutTs{From::TimeoutTs, nullptr};
constexpr UringArg kBytesSize{From::BytesSize, nullptr};

// Operations of their own: their arguments, shown as a syscall's are.
constexpr ArgInfo arg(const char* name, ArgKind kind, TableId table = TableId::none) {
  return {name, "", kind, Dir::In, table, StructId::none, kNoLen};
}
constexpr SyscallInfo own(const char* name, int nargs, std::array<ArgInfo, kMaxArgs> a) {
  return {-1, name, nargs, RetKind::Int, 0, {a[0], a[1], a[2], a[3], a[4], a[5]}};
}
constexpr ArgInfo timespec_arg(const char* name) {
  return {name, "", ArgKind::Struct, Dir::In, TableId::none, StructId::s_timespec, kNoLen};
}
constexpr ArgInfo kNone{};
constexpr SyscallInfo kNop = own("nop", 0, {});
constexpr SyscallInfo kPollAdd =
    own("poll_add", 2,
        {arg("fd", ArgKind::Fd), arg("events", ArgKind::Flags, TableId::epoll_events), kNone, kNone,
         kNone, kNone});
constexpr SyscallInfo kPollRemove =
    own("poll_remove", 1, {arg("user_data", ArgKind::Hex), kNone, kNone, kNone, kNone, kNone});
constexpr SyscallInfo kTimeout = own(
    "timeout", 2, {timespec_arg("ts"), arg("count", ArgKind::UInt), kNone, kNone, kNone, kNone});
constexpr SyscallInfo kTimeoutRemove =
    own("timeout_remove", 1, {arg("user_data", ArgKind::Hex), kNone, kNone, kNone, kNone, kNone});
constexpr SyscallInfo kLinkTimeout =
    own("link_timeout", 1, {timespec_arg("ts"), kNone, kNone, kNone, kNone, kNone});
constexpr SyscallInfo kAsyncCancel =
    own("async_cancel", 2,
        {arg("user_data", ArgKind::Hex), arg("fd", ArgKind::Fd), kNone, kNone, kNone, kNone});
constexpr SyscallInfo kProvideBuffers =
    own("provide_buffers", 5,
        {arg("addr", ArgKind::Hex), arg("len", ArgKind::Size), arg("nbufs", ArgKind::UInt),
         arg("bgid", ArgKind::UInt), arg("bid", ArgKind::UInt), kNone});
constexpr SyscallInfo kRemoveBuffers =
    own("remove_buffers", 2,
        {arg("nbufs", ArgKind::UInt), arg("bgid", ArgKind::UInt), kNone, kNone, kNone, kNone});
constexpr SyscallInfo kFilesUpdate = own("files_update", 0, {});
constexpr SyscallInfo kMsgRing =
    own("msg_ring", 1, {arg("fd", ArgKind::Fd), kNone, kNone, kNone, kNone, kNone});
constexpr SyscallInfo kUringCmd =
    own("uring_cmd", 1, {arg("fd", ArgKind::Fd), kNone, kNone, kNone, kNone, kNone});

// One row: the opcode (its name, from IORING_OP_NAME), the syscall it stands for (or the
// operation's own list), its struct in the kernel, and where each argument is.
struct Row {
  int opcode;
  const char* upper;    // NAME of IORING_OP_NAME
  const char* syscall;  // nullptr: `own`
  const SyscallInfo* own;
  const char* strct;
  std::array<UringArg, kMaxArgs> args;
};

#define OP(x) IORING_OP_##x, #x
constexpr Row kRows[] = {
    {OP(NOP), nullptr, &kNop, nullptr, {}},
    {OP(READV), "readv", nullptr, "io_rw", {kFd, field("addr"), field("len")}},
    {OP(WRITEV), "writev", nullptr, "io_rw", {kFd, field("addr"), field("len")}},
    {OP(FSYNC), "fsync", nullptr, "io_sync", {kFd}},
    {OP(READ_FIXED), "read", nullptr, "io_rw", {kFd, field("addr"), field("len")}},
    {OP(WRITE_FIXED), "write", nullptr, "io_rw", {kFd, field("addr"), field("len")}},
    {OP(POLL_ADD), nullptr, &kPollAdd, "io_poll", {kFd, field("events")}},
    {OP(POLL_REMOVE), nullptr, &kPollRemove, "io_poll_update", {field("old_user_data")}},
    {OP(SYNC_FILE_RANGE),
     "sync_file_range",
     nullptr,
     "io_sync",
     {kFd, field("off"), field("len"), field("flags")}},
    {OP(SENDMSG), "sendmsg", nullptr, "io_sr_msg", {kFd, field("umsg"), field("msg_flags")}},
    {OP(RECVMSG), "recvmsg", nullptr, "io_sr_msg", {kFd, field("umsg"), field("msg_flags")}},
    {OP(TIMEOUT), nullptr, &kTimeout, "io_timeout", {kTimeoutTs, field("off")}},
    {OP(TIMEOUT_REMOVE), nullptr, &kTimeoutRemove, "io_timeout_rem", {field("addr")}},
    {OP(ACCEPT),
     "accept4",
     nullptr,
     "io_accept",
     {kFd, field("addr"), field("addr_len"), field("flags")}},
    {OP(ASYNC_CANCEL), nullptr, &kAsyncCancel, "io_cancel", {field("addr"), field("fd")}},
    {OP(LINK_TIMEOUT), nullptr, &kLinkTimeout, nullptr, {kTimeoutTs}},
    {OP(CONNECT), "connect", nullptr, "io_connect", {kFd, field("addr"), field("addr_len")}},
    {OP(FALLOCATE),
     "fallocate",
     nullptr,
     "io_sync",
     {kFd, field("mode"), field("off"), field("len")}},
    {OP(OPENAT),
     "openat",
     nullptr,
     "io_open",
     {field("dfd"), path("filename"), field("how.flags"), field("how.mode")}},
    {OP(CLOSE), "close", nullptr, "io_close", {field("fd")}},
    {OP(FILES_UPDATE), nullptr, &kFilesUpdate, nullptr, {}},
    {OP(STATX),
     "statx",
     nullptr,
     "io_statx",
     {field("dfd"), path("filename"), field("flags"), field("mask"), field("buffer")}},
    {OP(READ), "read", nullptr, "io_rw", {kFd, field("addr"), field("len")}},
    {OP(WRITE), "write", nullptr, "io_rw", {kFd, field("addr"), field("len")}},
    {OP(FADVISE),
     "fadvise64",
     nullptr,
     "io_fadvise",
     {kFd, field("offset"), field("len"), field("advice")}},
    {OP(MADVISE), "madvise", nullptr, "io_madvise", {field("addr"), field("len"), field("advice")}},
    {OP(SEND),
     "sendto",
     nullptr,
     "io_sr_msg",
     {kFd, field("buf"), field("len"), field("msg_flags")}},
    {OP(RECV),
     "recvfrom",
     nullptr,
     "io_sr_msg",
     {kFd, field("buf"), field("len"), field("msg_flags")}},
    {OP(OPENAT2),
     "openat2",
     nullptr,
     "io_open",
     {field("dfd"), path("filename"), bytes("how"), kBytesSize}},
    {OP(EPOLL_CTL), "epoll_ctl", nullptr, "io_epoll", {field("epfd"), field("op"), field("fd")}},
    {OP(SPLICE),
     "splice",
     nullptr,
     "io_splice",
     {field("splice_fd_in"), field("off_in"), kFd, field("off_out"), field("len"), field("flags")}},
    {OP(PROVIDE_BUFFERS),
     nullptr,
     &kProvideBuffers,
     "io_provide_buf",
     {field("addr"), field("len"), field("nbufs"), field("bgid"), field("bid")}},
    {OP(REMOVE_BUFFERS),
     nullptr,
     &kRemoveBuffers,
     "io_provide_buf",
     {field("nbufs"), field("bgid")}},
    {OP(TEE),
     "tee",
     nullptr,
     "io_splice",
     {field("splice_fd_in"), kFd, field("len"), field("flags")}},
    {OP(SHUTDOWN), "shutdown", nullptr, "io_shutdown", {kFd, field("how")}},
    {OP(RENAMEAT),
     "renameat2",
     nullptr,
     "io_rename",
     {field("old_dfd"), path("oldpath"), field("new_dfd"), path("newpath"), field("flags")}},
    {OP(UNLINKAT),
     "unlinkat",
     nullptr,
     "io_unlink",
     {field("dfd"), path("filename"), field("flags")}},
    {OP(MKDIRAT), "mkdirat", nullptr, "io_mkdir", {field("dfd"), path("filename"), field("mode")}},
    {OP(SYMLINKAT),
     "symlinkat",
     nullptr,
     "io_link",
     {path("oldpath"), field("new_dfd"), path("newpath")}},
    {OP(LINKAT),
     "linkat",
     nullptr,
     "io_link",
     {field("old_dfd"), path("oldpath"), field("new_dfd"), path("newpath"), field("flags")}},
    {OP(MSG_RING), nullptr, &kMsgRing, nullptr, {kFd}},
    {OP(SOCKET),
     "socket",
     nullptr,
     "io_socket",
     {field("domain"), field("type"), field("protocol")}},
    {OP(URING_CMD), nullptr, &kUringCmd, nullptr, {kFd}},
    {OP(SEND_ZC),
     "sendto",
     nullptr,
     "io_sr_msg",
     {kFd, field("buf"), field("len"), field("msg_flags")}},
    {OP(SENDMSG_ZC), "sendmsg", nullptr, "io_sr_msg", {kFd, field("umsg"), field("msg_flags")}},
};
#undef OP

// The operations a flag can make multishot: one submission, a completion per event, each but the
// last with IORING_CQE_F_MORE (accept's IORING_ACCEPT_MULTISHOT, poll's IORING_POLL_ADD_MULTI,
// recv's IORING_RECV_MULTISHOT, IORING_TIMEOUT_MULTISHOT).
constexpr int kMultishot[] = {IORING_OP_ACCEPT, IORING_OP_POLL_ADD, IORING_OP_RECV,
                              IORING_OP_RECVMSG, IORING_OP_TIMEOUT};

struct Ops {
  std::array<UringOp, kUringOpMax> by_opcode{};
  std::array<std::string, kUringOpMax> names;
  std::vector<UringOp> list;
  Ops() {
    for (const Row& r : kRows) {
      std::string& name = names[static_cast<size_t>(r.opcode)];
      for (const char* c = r.upper; *c != 0; ++c)
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
      UringOp op;
      op.opcode = r.opcode;
      op.name = name.c_str();
      op.own = r.syscall == nullptr;
      op.info = op.own ? r.own : syscall_by_name(r.syscall);
      op.strct = r.strct;
      op.multishot =
          std::find(std::begin(kMultishot), std::end(kMultishot), r.opcode) != std::end(kMultishot);
      for (int a = 0; a < kMaxArgs; ++a) {
        op.args[a] = r.args[static_cast<size_t>(a)];
        if (op.args[a].from != From::None) op.nargs = a + 1;
      }
      if (op.info != nullptr && op.own) op.nargs = op.info->nargs;
      if (op.info == nullptr) continue;  // (a syscall the table lacks: shown as unknown)
      by_opcode[static_cast<size_t>(r.opcode)] = op;
      list.push_back(op);
    }
  }
};

const Ops& ops() {
  static const Ops o;
  return o;
}

}  // namespace

const UringOp* uring_op(int opcode) {
  if (opcode < 0 || opcode >= kUringOpMax) return nullptr;
  const UringOp& op = ops().by_opcode[static_cast<size_t>(opcode)];
  return op.name != nullptr ? &op : nullptr;
}

const UringOp* uring_op_by_name(std::string_view name) {
  for (const UringOp& op : ops().by_opcode)
    if (op.name != nullptr && name == op.name) return &op;
  return nullptr;
}

std::span<const UringOp> uring_ops() {
  return ops().list;
}

}  // namespace dtruss
