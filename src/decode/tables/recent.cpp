// Tables of the calls newer than the build machine's headers (Debian 12: Linux 6.1 uapi):
// cachestat, map_shadow_stack, the futex2 calls, statmount, listmount, the lsm_* calls and mseal.
// The installed headers have none of these constants, so each is a number citing the kernel header
// it comes from (Linux 6.18's include/uapi and arch/x86/include/uapi).
#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// cachestat(2) and mseal(2) take flags that must be 0 (no flag is defined, Linux 6.18): any bit
// set is shown in hex.
constexpr FlagTable kCachestatFlags = bits_table("cachestat_flags", {});
constexpr FlagTable kMsealFlags = bits_table("mseal_flags", {});

// include/uapi/asm-generic/mman-common.h: SHADOW_STACK_SET_TOKEN, SHADOW_STACK_SET_MARKER.
constexpr FlagName kShadowStackBits[] = {N(1u << 0, "SHADOW_STACK_SET_TOKEN"),
                                         N(1u << 1, "SHADOW_STACK_SET_MARKER")};
constexpr FlagTable kShadowStackFlags = bits_table("shadow_stack_flags", kShadowStackBits);

// include/uapi/linux/futex.h (Linux 6.7): the futex2 calls' flags (futex_wake, futex_wait,
// futex_requeue, and futex_waitv's entries): a 2-bit size, then bits.
constexpr FlagName kFutex2Sizes[] = {N(0, "FUTEX2_SIZE_U8"), N(1, "FUTEX2_SIZE_U16"),
                                     N(2, "FUTEX2_SIZE_U32"), N(3, "FUTEX2_SIZE_U64")};
constexpr FlagName kFutex2Bits[] = {N(0x04, "FUTEX2_NUMA"), N(0x08, "FUTEX2_MPOL"),
                                    N(0x80, "FUTEX2_PRIVATE")};
constexpr FlagTable kFutex2Flags = mixed_table("futex2_flags", 0x3, kFutex2Sizes, kFutex2Bits);

// include/uapi/linux/mount.h: statmount's request mask (struct mnt_id_req's param, and the
// struct statmount's mask), and the flags of statmount (none in Linux 6.18) and listmount.
constexpr FlagName kStatmountMaskBits[] = {
    N(0x0001, "STATMOUNT_SB_BASIC"),       N(0x0002, "STATMOUNT_MNT_BASIC"),
    N(0x0004, "STATMOUNT_PROPAGATE_FROM"), N(0x0008, "STATMOUNT_MNT_ROOT"),
    N(0x0010, "STATMOUNT_MNT_POINT"),      N(0x0020, "STATMOUNT_FS_TYPE"),
    N(0x0040, "STATMOUNT_MNT_NS_ID"),      N(0x0080, "STATMOUNT_MNT_OPTS"),
    N(0x0100, "STATMOUNT_FS_SUBTYPE"),     N(0x0200, "STATMOUNT_SB_SOURCE"),
    N(0x0400, "STATMOUNT_OPT_ARRAY"),      N(0x0800, "STATMOUNT_OPT_SEC_ARRAY"),
    N(0x1000, "STATMOUNT_SUPPORTED_MASK"), N(0x2000, "STATMOUNT_MNT_UIDMAP"),
    N(0x4000, "STATMOUNT_MNT_GIDMAP"),
};
constexpr FlagTable kStatmountMask = bits_table("statmount_mask", kStatmountMaskBits);
constexpr FlagTable kStatmountFlags = bits_table("statmount_flags", {});
constexpr FlagName kListmountBits[] = {N(1u << 0, "LISTMOUNT_REVERSE")};
constexpr FlagTable kListmountFlags = bits_table("listmount_flags", kListmountBits);

// include/uapi/linux/lsm.h: the attributes (LSM_ATTR_*) and LSM_FLAG_SINGLE.
constexpr FlagName kLsmAttrs[] = {
    N(100, "LSM_ATTR_CURRENT"),   N(101, "LSM_ATTR_EXEC"), N(102, "LSM_ATTR_FSCREATE"),
    N(103, "LSM_ATTR_KEYCREATE"), N(104, "LSM_ATTR_PREV"), N(105, "LSM_ATTR_SOCKCREATE"),
};
constexpr FlagTable kLsmAttr = enum_table("lsm_attr", kLsmAttrs);
constexpr FlagName kLsmBits[] = {N(0x0001, "LSM_FLAG_SINGLE")};
constexpr FlagTable kLsmFlags = bits_table("lsm_flags", kLsmBits);

constexpr const FlagTable* kTables[] = {
    &kCachestatFlags, &kMsealFlags,     &kShadowStackFlags, &kFutex2Flags, &kStatmountMask,
    &kStatmountFlags, &kListmountFlags, &kLsmAttr,          &kLsmFlags,
};

}  // namespace

TableList recent_tables() {
  return kTables;
}

}  // namespace dtruss::tables
