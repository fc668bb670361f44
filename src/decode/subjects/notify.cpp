// inotify and fanotify: init flags, marks and event masks.

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/fanotify.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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

constexpr const FlagTable* kTables[] = {&kInotifyInitFlags, &kInotifyMask, &kFanotifyInitFlags,
                                        &kFanotifyMarkFlags, &kFanotifyMask};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef FAN_REPORT_FD_ERROR
static_assert(value_named(kFanInitBits, "FAN_REPORT_FD_ERROR") == value_of(FAN_REPORT_FD_ERROR));
#endif

}  // namespace

Subject subject_notify() {
  return {"notify", kTables, {}, {}};
}

}  // namespace dtruss::structs
