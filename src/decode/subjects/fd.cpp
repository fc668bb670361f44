// Flags of calls that create fds (pipe2, eventfd, memfd_create, pidfd_open), close_range, fd
// arrays.

#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>

#include <cstddef>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/memfd.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <unistd.h> (glibc's copy of include/uapi/linux/close_range.h)
constexpr FlagName kCloseRangeBits[] = {F(CLOSE_RANGE_UNSHARE), F(CLOSE_RANGE_CLOEXEC)};
constexpr FlagTable kCloseRangeFlags = bits_table("close_range_flags", kCloseRangeBits);

// <sys/eventfd.h> (bits/eventfd.h)
constexpr FlagName kEventfdBits[] = {F(EFD_SEMAPHORE), F(EFD_CLOEXEC), F(EFD_NONBLOCK)};
constexpr FlagTable kEventfdFlags = bits_table("eventfd_flags", kEventfdBits);

// <fcntl.h>: pipe2's flags. O_NOTIFICATION_PIPE is O_EXCL (include/uapi/linux/watch_queue.h,
// which includes <linux/fcntl.h> and so cannot be mixed with <fcntl.h>).
constexpr FlagName kPipeBits[] = {F(O_CLOEXEC), F(O_NONBLOCK), F(O_DIRECT),
                                  N(O_EXCL, "O_NOTIFICATION_PIPE")};
constexpr FlagTable kPipeFlags = bits_table("pipe_flags", kPipeBits);

// <linux/memfd.h>; MFD_NOEXEC_SEAL and MFD_EXEC from include/uapi/linux/memfd.h (Linux 6.3).
// The huge page size in bits 26..31 (MFD_HUGE_*) shows as a hex rest.
constexpr FlagName kMemfdBits[] = {F(MFD_CLOEXEC), F(MFD_ALLOW_SEALING), F(MFD_HUGETLB),
                                   N(0x0008U, "MFD_NOEXEC_SEAL"), N(0x0010U, "MFD_EXEC")};
constexpr FlagTable kMemfdFlags = bits_table("memfd_flags", kMemfdBits);

// <sys/pidfd.h>; PIDFD_THREAD is O_EXCL (include/uapi/linux/pidfd.h, Linux 6.9).
constexpr FlagName kPidfdOpenBits[] = {F(PIDFD_NONBLOCK), N(O_EXCL, "PIDFD_THREAD")};
constexpr FlagTable kPidfdOpenFlags = bits_table("pidfd_open_flags", kPidfdOpenBits);

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

constexpr Entry kStructs[] = {
    {"int_fd", sizeof(int32_t), decode_int_fd},
    {"fd_array", sizeof(int32_t), decode_fd_array},
};

constexpr const FlagTable* kTables[] = {&kCloseRangeFlags, &kEventfdFlags, &kPipeFlags,
                                        &kMemfdFlags, &kPidfdOpenFlags};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef O_NOTIFICATION_PIPE
static_assert(value_named(kPipeBits, "O_NOTIFICATION_PIPE") == value_of(O_NOTIFICATION_PIPE));
#endif
#ifdef MFD_NOEXEC_SEAL
static_assert(value_named(kMemfdBits, "MFD_NOEXEC_SEAL") == value_of(MFD_NOEXEC_SEAL));
#endif
#ifdef MFD_EXEC
static_assert(value_named(kMemfdBits, "MFD_EXEC") == value_of(MFD_EXEC));
#endif
#ifdef PIDFD_THREAD
static_assert(value_named(kPidfdOpenBits, "PIDFD_THREAD") == value_of(PIDFD_THREAD));
#endif

}  // namespace

Subject subject_fd() {
  return {"fd", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
