// Miscellaneous tables: bpf commands, keyctl commands, Landlock, perf_event_open, futex,
// getrandom, splice, preadv2/pwritev2.
// Facts from the kernel's UAPI headers <linux/bpf.h>, <linux/keyctl.h>, <linux/landlock.h>,
// <linux/perf_event.h> and <linux/futex.h>, and from glibc's <sys/random.h>, <fcntl.h>
// (SPLICE_F_*, which no UAPI header exports) and <sys/uio.h> (bits/uio-ext.h: RWF_*; the
// kernel's <linux/fs.h> includes <linux/mount.h>, which conflicts with glibc headers);
// constants newer than the installed headers are numbers citing the kernel's include/uapi
// header.
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/futex.h>
#include <linux/keyctl.h>
#include <linux/landlock.h>
#include <linux/perf_event.h>
#include <sys/random.h>
#include <sys/uio.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <linux/bpf.h> (enum bpf_cmd; BPF_PROG_RUN is another name of BPF_PROG_TEST_RUN);
// BPF_TOKEN_CREATE from include/uapi/linux/bpf.h (Linux 6.9).
constexpr FlagName kBpfCmds[] = {
    F(BPF_MAP_CREATE),
    F(BPF_MAP_LOOKUP_ELEM),
    F(BPF_MAP_UPDATE_ELEM),
    F(BPF_MAP_DELETE_ELEM),
    F(BPF_MAP_GET_NEXT_KEY),
    F(BPF_PROG_LOAD),
    F(BPF_OBJ_PIN),
    F(BPF_OBJ_GET),
    F(BPF_PROG_ATTACH),
    F(BPF_PROG_DETACH),
    F(BPF_PROG_TEST_RUN),
    F(BPF_PROG_GET_NEXT_ID),
    F(BPF_MAP_GET_NEXT_ID),
    F(BPF_PROG_GET_FD_BY_ID),
    F(BPF_MAP_GET_FD_BY_ID),
    F(BPF_OBJ_GET_INFO_BY_FD),
    F(BPF_PROG_QUERY),
    F(BPF_RAW_TRACEPOINT_OPEN),
    F(BPF_BTF_LOAD),
    F(BPF_BTF_GET_FD_BY_ID),
    F(BPF_TASK_FD_QUERY),
    F(BPF_MAP_LOOKUP_AND_DELETE_ELEM),
    F(BPF_MAP_FREEZE),
    F(BPF_BTF_GET_NEXT_ID),
    F(BPF_MAP_LOOKUP_BATCH),
    F(BPF_MAP_LOOKUP_AND_DELETE_BATCH),
    F(BPF_MAP_UPDATE_BATCH),
    F(BPF_MAP_DELETE_BATCH),
    F(BPF_LINK_CREATE),
    F(BPF_LINK_UPDATE),
    F(BPF_LINK_GET_FD_BY_ID),
    F(BPF_LINK_GET_NEXT_ID),
    F(BPF_ENABLE_STATS),
    F(BPF_ITER_CREATE),
    F(BPF_LINK_DETACH),
    F(BPF_PROG_BIND_MAP),
    N(36, "BPF_TOKEN_CREATE"),
};
constexpr FlagTable kBpfCmd = enum_table("bpf_cmd", kBpfCmds);

// <linux/keyctl.h>
constexpr FlagName kKeyctlCmds[] = {
    F(KEYCTL_GET_KEYRING_ID),
    F(KEYCTL_JOIN_SESSION_KEYRING),
    F(KEYCTL_UPDATE),
    F(KEYCTL_REVOKE),
    F(KEYCTL_CHOWN),
    F(KEYCTL_SETPERM),
    F(KEYCTL_DESCRIBE),
    F(KEYCTL_CLEAR),
    F(KEYCTL_LINK),
    F(KEYCTL_UNLINK),
    F(KEYCTL_SEARCH),
    F(KEYCTL_READ),
    F(KEYCTL_INSTANTIATE),
    F(KEYCTL_NEGATE),
    F(KEYCTL_SET_REQKEY_KEYRING),
    F(KEYCTL_SET_TIMEOUT),
    F(KEYCTL_ASSUME_AUTHORITY),
    F(KEYCTL_GET_SECURITY),
    F(KEYCTL_SESSION_TO_PARENT),
    F(KEYCTL_REJECT),
    F(KEYCTL_INSTANTIATE_IOV),
    F(KEYCTL_INVALIDATE),
    F(KEYCTL_GET_PERSISTENT),
    F(KEYCTL_DH_COMPUTE),
    F(KEYCTL_PKEY_QUERY),
    F(KEYCTL_PKEY_ENCRYPT),
    F(KEYCTL_PKEY_DECRYPT),
    F(KEYCTL_PKEY_SIGN),
    F(KEYCTL_PKEY_VERIFY),
    F(KEYCTL_RESTRICT_KEYRING),
    F(KEYCTL_MOVE),
    F(KEYCTL_CAPABILITIES),
    F(KEYCTL_WATCH_KEY),
};
constexpr FlagTable kKeyctlCmd = enum_table("keyctl_cmd", kKeyctlCmds);

// <linux/landlock.h>
constexpr FlagName kLandlockCreateBits[] = {F(LANDLOCK_CREATE_RULESET_VERSION),
                                            F(LANDLOCK_CREATE_RULESET_ERRATA)};
constexpr FlagTable kLandlockCreateFlags = bits_table("landlock_create_flags", kLandlockCreateBits);

// <linux/landlock.h>; LANDLOCK_RULE_NET_PORT from include/uapi/linux/landlock.h (Linux 6.7).
constexpr FlagName kLandlockRules[] = {F(LANDLOCK_RULE_PATH_BENEATH),
                                       N(2, "LANDLOCK_RULE_NET_PORT")};
constexpr FlagTable kLandlockRuleType = enum_table("landlock_rule_type", kLandlockRules);

// <linux/perf_event.h>
constexpr FlagName kPerfBits[] = {F(PERF_FLAG_FD_NO_GROUP), F(PERF_FLAG_FD_OUTPUT),
                                  F(PERF_FLAG_PID_CGROUP), F(PERF_FLAG_FD_CLOEXEC)};
constexpr FlagTable kPerfEventOpenFlags = bits_table("perf_event_open_flags", kPerfBits);

// <linux/futex.h>: the command with FUTEX_PRIVATE_FLAG is one enumerated value, named as the
// header's *_PRIVATE macros spell it (FUTEX_WAIT_PRIVATE); FUTEX_CLOCK_REALTIME is a bit after it.
// FUTEX_FD (removed in Linux 2.6.26) has no *_PRIVATE macro.
constexpr FlagName kFutexCmds[] = {
    F(FUTEX_WAIT),
    F(FUTEX_WAKE),
    F(FUTEX_FD),
    F(FUTEX_REQUEUE),
    F(FUTEX_CMP_REQUEUE),
    F(FUTEX_WAKE_OP),
    F(FUTEX_LOCK_PI),
    F(FUTEX_UNLOCK_PI),
    F(FUTEX_TRYLOCK_PI),
    F(FUTEX_WAIT_BITSET),
    F(FUTEX_WAKE_BITSET),
    F(FUTEX_WAIT_REQUEUE_PI),
    F(FUTEX_CMP_REQUEUE_PI),
    F(FUTEX_LOCK_PI2),
    F(FUTEX_WAIT_PRIVATE),
    F(FUTEX_WAKE_PRIVATE),
    N(FUTEX_FD | FUTEX_PRIVATE_FLAG, "FUTEX_FD|FUTEX_PRIVATE_FLAG"),
    F(FUTEX_REQUEUE_PRIVATE),
    F(FUTEX_CMP_REQUEUE_PRIVATE),
    F(FUTEX_WAKE_OP_PRIVATE),
    F(FUTEX_LOCK_PI_PRIVATE),
    F(FUTEX_UNLOCK_PI_PRIVATE),
    F(FUTEX_TRYLOCK_PI_PRIVATE),
    F(FUTEX_WAIT_BITSET_PRIVATE),
    F(FUTEX_WAKE_BITSET_PRIVATE),
    F(FUTEX_WAIT_REQUEUE_PI_PRIVATE),
    F(FUTEX_CMP_REQUEUE_PI_PRIVATE),
    F(FUTEX_LOCK_PI2_PRIVATE),
};
constexpr FlagName kFutexBits[] = {F(FUTEX_CLOCK_REALTIME)};
constexpr FlagTable kFutexOp =
    mixed_table("futex_op", value_of(~FUTEX_CLOCK_REALTIME), kFutexCmds, kFutexBits);

// <linux/futex.h>: the bitset of FUTEX_WAIT_BITSET and FUTEX_WAKE_BITSET (val3); another
// bitset prints in hex.
constexpr FlagName kFutexBitsetBits[] = {F(FUTEX_BITSET_MATCH_ANY)};
constexpr FlagTable kFutexBitset = bits_table("futex_bitset", kFutexBitsetBits);

// <sys/random.h>
constexpr FlagName kGrndBits[] = {F(GRND_NONBLOCK), F(GRND_RANDOM), F(GRND_INSECURE)};
constexpr FlagTable kGetrandomFlags = bits_table("getrandom_flags", kGrndBits);

// <fcntl.h> (glibc's copy of include/linux/splice.h)
constexpr FlagName kSpliceBits[] = {F(SPLICE_F_MOVE), F(SPLICE_F_NONBLOCK), F(SPLICE_F_MORE),
                                    F(SPLICE_F_GIFT)};
constexpr FlagTable kSpliceFlags = bits_table("splice_flags", kSpliceBits);

// <sys/uio.h> (bits/uio-ext.h); RWF_ATOMIC (Linux 6.11) and RWF_DONTCACHE (6.14) from
// include/uapi/linux/fs.h.
constexpr FlagName kRwfBits[] = {
    F(RWF_HIPRI),  F(RWF_DSYNC),    F(RWF_SYNC),           F(RWF_NOWAIT),
    F(RWF_APPEND), F(RWF_NOAPPEND), N(0x40, "RWF_ATOMIC"), N(0x80, "RWF_DONTCACHE")};
constexpr FlagTable kRwfFlags = bits_table("rwf_flags", kRwfBits);

constexpr const FlagTable* kTables[] = {
    &kBpfCmd,  &kKeyctlCmd,      &kLandlockCreateFlags, &kLandlockRuleType, &kPerfEventOpenFlags,
    &kFutexOp, &kGetrandomFlags, &kSpliceFlags,         &kRwfFlags,         &kFutexBitset,
};

}  // namespace

TableList misc_tables() {
  return kTables;
}

}  // namespace dtruss::tables
