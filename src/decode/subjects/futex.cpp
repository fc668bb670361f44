// futex, futex_waitv and the futex2 calls: operations, struct futex_waitv.

#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/futex.h>
#include <linux/perf_event.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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

// include/uapi/linux/futex.h (Linux 6.7): the futex2 calls' flags (futex_wake, futex_wait,
// futex_requeue, and futex_waitv's entries): a 2-bit size, then bits.
constexpr FlagName kFutex2Sizes[] = {N(0, "FUTEX2_SIZE_U8"), N(1, "FUTEX2_SIZE_U16"),
                                     N(2, "FUTEX2_SIZE_U32"), N(3, "FUTEX2_SIZE_U64")};
constexpr FlagName kFutex2Bits[] = {N(0x04, "FUTEX2_NUMA"), N(0x08, "FUTEX2_MPOL"),
                                    N(0x80, "FUTEX2_PRIVATE")};
constexpr FlagTable kFutex2Flags = mixed_table("futex2_flags", 0x3, kFutex2Sizes, kFutex2Bits);

Value one_futex_waitv(const ArgContext& c, uint64_t addr) {
  futex_waitv w{};
  if (!read_struct(c.mem, addr, &w)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, w, val, Value::uinteger);
  FIELD(v, w, uaddr, ptr_value);
  v.add("flags", flags(kFutex2Flags, w.flags));
  return v;
}

Value decode_futex_waitv(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(futex_waitv), kMaxArrayElements,
                      one_futex_waitv);
}

// futex_requeue's waiters: always two, the futex waited on and the one to move waiters to
// (kernel/futex/syscalls.c).
Value decode_futex_waitv_pair(const ArgContext& c) {
  return decode_array(c, 2, sizeof(futex_waitv), 2, one_futex_waitv);
}

constexpr Entry kStructs[] = {
    {"futex_waitv", sizeof(futex_waitv), decode_futex_waitv},
    {"futex_waitv_pair", 2 * sizeof(futex_waitv), decode_futex_waitv_pair},
};

constexpr const FlagTable* kTables[] = {&kFutexOp, &kFutexBitset, &kFutex2Flags};

using K = ArgKind;

// futex's val3, by command (the op without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME): the
// bitset of the BITSET commands; a value or an encoded operation (FUTEX_WAKE_OP) otherwise.
constexpr ArgChoice kFutexVal3ByCmd[] = {
    {tables::value_of(FUTEX_WAIT_BITSET), K::Flags, TableId::futex_bitset},
    {tables::value_of(FUTEX_WAKE_BITSET), K::Flags, TableId::futex_bitset},
};
constexpr ChoiceTable kFutexVal3{"futex_val3", kFutexVal3ByCmd, K::Hex,
                                 tables::value_of(FUTEX_CMD_MASK)};

constexpr const ChoiceTable* kChoices[] = {&kFutexVal3};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef FUTEX2_SIZE_U8
static_assert(value_named(kFutex2Sizes, "FUTEX2_SIZE_U8") == value_of(FUTEX2_SIZE_U8));
#endif
#ifdef FUTEX2_SIZE_U16
static_assert(value_named(kFutex2Sizes, "FUTEX2_SIZE_U16") == value_of(FUTEX2_SIZE_U16));
#endif
#ifdef FUTEX2_SIZE_U32
static_assert(value_named(kFutex2Sizes, "FUTEX2_SIZE_U32") == value_of(FUTEX2_SIZE_U32));
#endif
#ifdef FUTEX2_SIZE_U64
static_assert(value_named(kFutex2Sizes, "FUTEX2_SIZE_U64") == value_of(FUTEX2_SIZE_U64));
#endif
#ifdef FUTEX2_NUMA
static_assert(value_named(kFutex2Bits, "FUTEX2_NUMA") == value_of(FUTEX2_NUMA));
#endif
#ifdef FUTEX2_MPOL
static_assert(value_named(kFutex2Bits, "FUTEX2_MPOL") == value_of(FUTEX2_MPOL));
#endif
#ifdef FUTEX2_PRIVATE
static_assert(value_named(kFutex2Bits, "FUTEX2_PRIVATE") == value_of(FUTEX2_PRIVATE));
#endif

}  // namespace

Subject subject_futex() {
  return {"futex", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
