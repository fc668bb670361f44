// Struct decoders that only choice tables select (an argument's type picked by another argument):
// fcntl's struct flock and struct f_owner_ex by cmd, prctl's task name and int results by option,
// io_uring_register's fd and buffer arrays by opcode, io_uring_enter's extended argument by flags,
// quotactl's quota and quota-file information by cmd.
// Facts from the system headers: <fcntl.h> (struct flock, struct f_owner_ex, F_OWNER_*; glibc's
// x86_64 layouts are the kernel's, checked below), <linux/prctl.h> (TASK_COMM_LEN is 16 in the
// kernel's include/linux/sched.h: PR_GET_NAME writes 16 bytes), <sys/uio.h> (struct iovec),
// <linux/io_uring.h> (struct io_uring_getevents_arg), <linux/quota.h> (struct if_dqblk,
// struct if_nextdqblk, struct if_dqinfo, QIF_*, IIF_*, DQF_*, QFMT_*).
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/quota.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "decode/structs/registry.h"
#include "decode/tables/registry.h"

namespace dtruss::structs {
namespace {

// The kernel's struct flock on x86_64 (include/uapi/asm-generic/fcntl.h: short, short, off_t,
// off_t, pid_t) is glibc's.
static_assert(sizeof(struct flock) == 32);
static_assert(offsetof(struct flock, l_type) == 0 && offsetof(struct flock, l_whence) == 2);
static_assert(offsetof(struct flock, l_start) == 8 && offsetof(struct flock, l_len) == 16);
static_assert(offsetof(struct flock, l_pid) == 24);
static_assert(sizeof(struct f_owner_ex) == 8);
static_assert(sizeof(struct iovec) == 16);
static_assert(sizeof(struct io_uring_getevents_arg) == 24);

static_assert(sizeof(struct if_dqblk) == 72);
static_assert(sizeof(struct if_nextdqblk) == 72);
static_assert(sizeof(struct if_dqinfo) == 24);

constexpr size_t kTaskCommLen = 16;

// <linux/quota.h>: which fields of an if_dqblk / if_dqinfo are valid, the quota-file flags and
// the quota formats. The groups come before their bits.
constexpr FlagName kQifBits[] = {
    F(QIF_ALL),   F(QIF_LIMITS),  F(QIF_USAGE),  F(QIF_TIMES), F(QIF_BLIMITS),
    F(QIF_SPACE), F(QIF_ILIMITS), F(QIF_INODES), F(QIF_BTIME), F(QIF_ITIME),
};
constexpr FlagTable kQifValid = tables::bits_table("qif_valid", kQifBits);
constexpr FlagName kIifBits[] = {F(IIF_ALL), F(IIF_BGRACE), F(IIF_IGRACE), F(IIF_FLAGS)};
constexpr FlagTable kIifValid = tables::bits_table("iif_valid", kIifBits);
constexpr FlagName kDqfBits[] = {F(DQF_ROOT_SQUASH), F(DQF_SYS_FILE)};
constexpr FlagTable kDqfFlags = tables::bits_table("dqf_flags", kDqfBits);
constexpr FlagName kQuotaFormats[] = {F(QFMT_VFS_OLD), F(QFMT_VFS_V0), F(QFMT_OCFS2),
                                      F(QFMT_VFS_V1)};
constexpr FlagTable kQuotaFormat = tables::enum_table("quota_format", kQuotaFormats);

// fcntl's F_GETLK, F_SETLK(W) and their F_OFD_ forms.
Value decode_flock(const ArgContext& c) {
  struct flock f {};
  if (!read_struct(c.mem, c.raw, &f)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("l_type", named_flags("lock_type", static_cast<uint16_t>(f.l_type)));
  v.add("l_whence", named_flags("lseek_whence", static_cast<uint16_t>(f.l_whence)));
  v.add("l_start", Value::integer(f.l_start));
  v.add("l_len", Value::integer(f.l_len));
  v.add("l_pid", Value::integer(f.l_pid));
  return v;
}

// F_GETOWN_EX and F_SETOWN_EX.
Value decode_f_owner_ex(const ArgContext& c) {
  struct f_owner_ex o {};
  if (!read_struct(c.mem, c.raw, &o)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("type", named_flags("f_owner_type", static_cast<uint32_t>(o.type)));
  v.add("pid", Value::integer(o.pid));
  return v;
}

// PR_GET_NAME's buffer: the task's name, NUL-terminated within its 16 bytes.
Value decode_task_comm(const ArgContext& c) {
  char name[kTaskCommLen] = {};
  if (!read_struct(c.mem, c.raw, &name)) return Value::unreadable(c.raw);
  return Value::string(std::string(name, strnlen(name, sizeof name)), false);
}

// An int that holds a signal number (PR_GET_PDEATHSIG): [SIGTERM].
Value decode_int_signal(const ArgContext& c) {
  int32_t sig = 0;
  if (!read_struct(c.mem, c.raw, &sig)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, signal_value(sig));
  return v;
}

// An int that holds an fd (clone's CLONE_PIDFD): [5].
Value decode_int_fd(const ArgContext& c) {
  int32_t fd = 0;
  if (!read_struct(c.mem, c.raw, &fd)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, fd_value(fd));
  return v;
}

Value one_fd(const ArgContext& c, uint64_t addr) {
  int32_t fd = 0;
  if (!read_struct(c.mem, addr, &fd)) return Value::unreadable(addr);
  return fd_value(fd);
}

// An array of fds counted by another argument (IORING_REGISTER_FILES: -1 is an empty slot).
Value decode_fd_array(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(int32_t),
                      c.opt.verbose ? kMaxArrayElements : c.opt.strsize, one_fd);
}

Value one_range(const ArgContext& c, uint64_t addr) {
  struct iovec io {};
  if (!read_struct(c.mem, addr, &io)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("iov_base", ptr_value(reinterpret_cast<uint64_t>(io.iov_base)));
  v.add("iov_len", Value::uinteger(io.iov_len));
  return v;
}

// iovecs that name memory ranges, not data (IORING_REGISTER_BUFFERS): addresses and lengths.
Value decode_iovec_ranges(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(struct iovec),
                      c.opt.verbose ? kMaxArrayElements : c.opt.strsize, one_range);
}

// io_uring_enter's argp with IORING_ENTER_EXT_ARG: the signal mask and timeout, as addresses
// (the memory behind them is not copied), and the minimum wait (Linux 6.12: the installed
// header's `pad`, min_wait_usec in the kernel's include/uapi/linux/io_uring.h).
Value decode_io_uring_getevents_arg(const ArgContext& c) {
  struct io_uring_getevents_arg g {};
  if (!read_struct(c.mem, c.raw, &g)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sigmask", ptr_value(g.sigmask));
  v.add("sigmask_sz", Value::uinteger(g.sigmask_sz));
  v.add("min_wait_usec", Value::uinteger(g.pad));
  v.add("ts", ptr_value(g.ts));
  return v;
}

// The limits and usage of an if_dqblk, and of an if_nextdqblk (the same fields, and the id).
template <typename Dqblk>
Value dqblk_value(const Dqblk& q) {
  Value v = Value::structure();
  v.add("dqb_bhardlimit", Value::uinteger(q.dqb_bhardlimit));
  v.add("dqb_bsoftlimit", Value::uinteger(q.dqb_bsoftlimit));
  v.add("dqb_curspace", Value::uinteger(q.dqb_curspace));
  v.add("dqb_ihardlimit", Value::uinteger(q.dqb_ihardlimit));
  v.add("dqb_isoftlimit", Value::uinteger(q.dqb_isoftlimit));
  v.add("dqb_curinodes", Value::uinteger(q.dqb_curinodes));
  v.add("dqb_btime", Value::uinteger(q.dqb_btime));
  v.add("dqb_itime", Value::uinteger(q.dqb_itime));
  v.add("dqb_valid", flags(kQifValid, q.dqb_valid));
  return v;
}

// Q_GETQUOTA and Q_SETQUOTA's limits and usage.
Value decode_if_dqblk(const ArgContext& c) {
  struct if_dqblk q {};
  if (!read_struct(c.mem, c.raw, &q)) return Value::unreadable(c.raw);
  return dqblk_value(q);
}

// Q_GETNEXTQUOTA: the quota of the first id at or above the one asked for, and that id.
Value decode_if_nextdqblk(const ArgContext& c) {
  struct if_nextdqblk q {};
  if (!read_struct(c.mem, c.raw, &q)) return Value::unreadable(c.raw);
  Value v = dqblk_value(q);
  v.add("dqb_id", Value::uinteger(q.dqb_id));
  return v;
}

// Q_GETINFO and Q_SETINFO's grace times and flags.
Value decode_if_dqinfo(const ArgContext& c) {
  struct if_dqinfo q {};
  if (!read_struct(c.mem, c.raw, &q)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("dqi_bgrace", Value::uinteger(q.dqi_bgrace));
  v.add("dqi_igrace", Value::uinteger(q.dqi_igrace));
  v.add("dqi_flags", flags(kDqfFlags, q.dqi_flags));
  v.add("dqi_valid", flags(kIifValid, q.dqi_valid));
  return v;
}

// Q_GETFMT's u32: [QFMT_VFS_V1].
Value decode_quota_format(const ArgContext& c) {
  uint32_t f = 0;
  if (!read_struct(c.mem, c.raw, &f)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, enum_or_number(kQuotaFormat, f));
  return v;
}

constexpr Entry kChoice[] = {
    {"flock", sizeof(struct flock), decode_flock},
    {"f_owner_ex", sizeof(struct f_owner_ex), decode_f_owner_ex},
    {"task_comm", kTaskCommLen, decode_task_comm},
    {"int_signal", sizeof(int32_t), decode_int_signal},
    {"int_fd", sizeof(int32_t), decode_int_fd},
    {"fd_array", sizeof(int32_t), decode_fd_array},
    {"iovec_ranges", sizeof(struct iovec), decode_iovec_ranges},
    {"io_uring_getevents_arg", sizeof(struct io_uring_getevents_arg),
     decode_io_uring_getevents_arg},
    {"if_dqblk", sizeof(struct if_dqblk), decode_if_dqblk},
    {"if_nextdqblk", sizeof(struct if_nextdqblk), decode_if_nextdqblk},
    {"if_dqinfo", sizeof(struct if_dqinfo), decode_if_dqinfo},
    {"quota_format", sizeof(uint32_t), decode_quota_format},
};

}  // namespace

List choice_structs() {
  return kChoice;
}

}  // namespace dtruss::structs
