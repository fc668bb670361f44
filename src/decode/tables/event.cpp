// Event and notification tables: epoll, eventfd, timerfd, inotify, fanotify, poll, io_uring,
// pipe2, memfd_create, pidfd_open.
// Facts from glibc's <sys/epoll.h>, <sys/eventfd.h>, <sys/timerfd.h>, <sys/inotify.h>, <poll.h>,
// <fcntl.h> and <sys/pidfd.h>, and from the kernel's UAPI headers <linux/fanotify.h>,
// <linux/io_uring.h> and <linux/memfd.h> (glibc's <sys/mman.h> lacks the newer MFD_*);
// constants newer than the installed headers are numbers citing the kernel's include/uapi header.
#include <fcntl.h>
#include <linux/fanotify.h>
#include <linux/io_uring.h>
#include <linux/memfd.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <sys/timerfd.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <sys/epoll.h>
constexpr FlagName kEpollBits[] = {F(EPOLL_CLOEXEC)};
constexpr FlagTable kEpollFlags = bits_table("epoll_flags", kEpollBits);

// <sys/epoll.h>
constexpr FlagName kEpollCtlOps[] = {F(EPOLL_CTL_ADD), F(EPOLL_CTL_DEL), F(EPOLL_CTL_MOD)};
constexpr FlagTable kEpollCtlOp = enum_table("epoll_ctl_op", kEpollCtlOps);

// <sys/epoll.h>; EPOLLNVAL from include/uapi/linux/eventpoll.h (glibc does not define it).
constexpr FlagName kEpollEventBits[] = {
    F(EPOLLIN),        F(EPOLLPRI),          F(EPOLLOUT),     F(EPOLLERR),
    F(EPOLLHUP),       N(0x20, "EPOLLNVAL"), F(EPOLLRDNORM),  F(EPOLLRDBAND),
    F(EPOLLWRNORM),    F(EPOLLWRBAND),       F(EPOLLMSG),     F(EPOLLRDHUP),
    F(EPOLLEXCLUSIVE), F(EPOLLWAKEUP),       F(EPOLLONESHOT), F(EPOLLET),
};
constexpr FlagTable kEpollEvents = bits_table("epoll_events", kEpollEventBits);

// <poll.h> (bits/poll.h)
constexpr FlagName kPollBits[] = {
    F(POLLIN),   F(POLLPRI),    F(POLLOUT),    F(POLLERR),    F(POLLHUP),
    F(POLLNVAL), F(POLLRDNORM), F(POLLRDBAND), F(POLLWRNORM), F(POLLWRBAND),
    F(POLLMSG),  F(POLLREMOVE), F(POLLRDHUP),
};
constexpr FlagTable kPollEvents = bits_table("poll_events", kPollBits);

// <sys/eventfd.h> (bits/eventfd.h)
constexpr FlagName kEventfdBits[] = {F(EFD_SEMAPHORE), F(EFD_CLOEXEC), F(EFD_NONBLOCK)};
constexpr FlagTable kEventfdFlags = bits_table("eventfd_flags", kEventfdBits);

// <sys/timerfd.h> (bits/timerfd.h)
constexpr FlagName kTimerfdBits[] = {F(TFD_CLOEXEC), F(TFD_NONBLOCK)};
constexpr FlagTable kTimerfdFlags = bits_table("timerfd_flags", kTimerfdBits);

// <sys/timerfd.h>
constexpr FlagName kTimerfdSettimeBits[] = {F(TFD_TIMER_ABSTIME), F(TFD_TIMER_CANCEL_ON_SET)};
constexpr FlagTable kTimerfdSettimeFlags = bits_table("timerfd_settime_flags", kTimerfdSettimeBits);

// <sys/inotify.h>
constexpr FlagName kInotifyInitBits[] = {F(IN_CLOEXEC), F(IN_NONBLOCK)};
constexpr FlagTable kInotifyInitFlags = bits_table("inotify_init_flags", kInotifyInitBits);

// <sys/inotify.h>. The multi-bit IN_CLOSE, IN_MOVE and IN_ALL_EVENTS are not used: the parts
// show.
constexpr FlagName kInotifyBits[] = {
    F(IN_ACCESS),      F(IN_MODIFY),      F(IN_ATTRIB),      F(IN_CLOSE_WRITE), F(IN_CLOSE_NOWRITE),
    F(IN_OPEN),        F(IN_MOVED_FROM),  F(IN_MOVED_TO),    F(IN_CREATE),      F(IN_DELETE),
    F(IN_DELETE_SELF), F(IN_MOVE_SELF),   F(IN_UNMOUNT),     F(IN_Q_OVERFLOW),  F(IN_IGNORED),
    F(IN_ONLYDIR),     F(IN_DONT_FOLLOW), F(IN_EXCL_UNLINK), F(IN_MASK_CREATE), F(IN_MASK_ADD),
    F(IN_ISDIR),       F(IN_ONESHOT),
};
constexpr FlagTable kInotifyMask = bits_table("inotify_mask", kInotifyBits);

// <linux/fanotify.h>: the notification class (FAN_CLASS_*, 0 is FAN_CLASS_NOTIF) and the flags;
// FAN_REPORT_FD_ERROR (Linux 6.13) from include/uapi/linux/fanotify.h.
constexpr FlagName kFanClasses[] = {F(FAN_CLASS_NOTIF), F(FAN_CLASS_CONTENT),
                                    F(FAN_CLASS_PRE_CONTENT)};
constexpr FlagName kFanInitBits[] = {
    F(FAN_CLOEXEC),         F(FAN_NONBLOCK),          F(FAN_UNLIMITED_QUEUE),
    F(FAN_UNLIMITED_MARKS), F(FAN_ENABLE_AUDIT),      F(FAN_REPORT_PIDFD),
    F(FAN_REPORT_TID),      F(FAN_REPORT_FID),        F(FAN_REPORT_DIR_FID),
    F(FAN_REPORT_NAME),     F(FAN_REPORT_TARGET_FID), N(0x2000, "FAN_REPORT_FD_ERROR"),
};
constexpr FlagTable kFanotifyInitFlags = mixed_table(
    "fanotify_init_flags", FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT, kFanClasses, kFanInitBits);

// <linux/fanotify.h>. FAN_MARK_INODE is 0; FAN_MARK_IGNORE_SURV is two bits, so first.
constexpr FlagName kFanMarkBits[] = {
    F(FAN_MARK_IGNORE_SURV),  F(FAN_MARK_ADD),
    F(FAN_MARK_REMOVE),       F(FAN_MARK_DONT_FOLLOW),
    F(FAN_MARK_ONLYDIR),      F(FAN_MARK_MOUNT),
    F(FAN_MARK_IGNORED_MASK), F(FAN_MARK_IGNORED_SURV_MODIFY),
    F(FAN_MARK_FLUSH),        F(FAN_MARK_FILESYSTEM),
    F(FAN_MARK_EVICTABLE),    F(FAN_MARK_IGNORE),
};
constexpr FlagTable kFanotifyMarkFlags = bits_table("fanotify_mark_flags", kFanMarkBits);

// <linux/fanotify.h>
constexpr FlagName kFanMaskBits[] = {
    F(FAN_ACCESS),        F(FAN_MODIFY),         F(FAN_ATTRIB),         F(FAN_CLOSE_WRITE),
    F(FAN_CLOSE_NOWRITE), F(FAN_OPEN),           F(FAN_MOVED_FROM),     F(FAN_MOVED_TO),
    F(FAN_CREATE),        F(FAN_DELETE),         F(FAN_DELETE_SELF),    F(FAN_MOVE_SELF),
    F(FAN_OPEN_EXEC),     F(FAN_Q_OVERFLOW),     F(FAN_FS_ERROR),       F(FAN_OPEN_PERM),
    F(FAN_ACCESS_PERM),   F(FAN_OPEN_EXEC_PERM), F(FAN_EVENT_ON_CHILD), F(FAN_RENAME),
    F(FAN_ONDIR),
};
constexpr FlagTable kFanotifyMask = bits_table("fanotify_mask", kFanMaskBits);

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

constexpr const FlagTable* kTables[] = {
    &kEpollFlags,        &kEpollCtlOp,        &kEpollEvents,         &kPollEvents,
    &kEventfdFlags,      &kTimerfdFlags,      &kTimerfdSettimeFlags, &kInotifyInitFlags,
    &kInotifyMask,       &kFanotifyInitFlags, &kFanotifyMarkFlags,   &kFanotifyMask,
    &kIoUringSetupFlags, &kIoUringEnterFlags, &kIoUringRegisterOp,   &kPipeFlags,
    &kMemfdFlags,        &kPidfdOpenFlags,
};

}  // namespace

TableList event_tables() {
  return kTables;
}

}  // namespace dtruss::tables
