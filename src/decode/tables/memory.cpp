// Memory tables: mmap/mprotect, mremap, msync, mlock, madvise, membarrier, NUMA policies.
// Facts from the kernel's UAPI headers only (glibc's <sys/mman.h> spells the same macros
// differently, so the two are not mixed): <linux/mman.h> (which includes <asm/mman.h>,
// <asm-generic/mman.h> and <asm-generic/mman-common.h>), <linux/mempolicy.h> and
// <linux/membarrier.h>; constants newer than the installed headers are numbers citing the
// kernel's include/uapi header.
#include <linux/membarrier.h>
#include <linux/mempolicy.h>
#include <linux/mman.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// <asm-generic/mman-common.h>
constexpr FlagName kProtBits[] = {F(PROT_READ), F(PROT_WRITE),     F(PROT_EXEC),
                                  F(PROT_SEM),  F(PROT_GROWSDOWN), F(PROT_GROWSUP)};
constexpr FlagTable kMmapProt = bits_table("mmap_prot", kProtBits, "PROT_NONE");

// <linux/mman.h> (the MAP_TYPE values; MAP_DROPPABLE from include/uapi/linux/mman.h, Linux
// 6.11), <asm-generic/mman-common.h>, <asm-generic/mman.h>, <asm/mman.h> (MAP_32BIT).
// MAP_FILE is 0. The huge page size in bits 26..31 (MAP_HUGE_*) shows as a hex rest.
constexpr FlagName kMapTypes[] = {F(MAP_SHARED), F(MAP_PRIVATE), F(MAP_SHARED_VALIDATE),
                                  N(0x08, "MAP_DROPPABLE")};
constexpr FlagName kMapBits[] = {
    F(MAP_FIXED),     F(MAP_ANONYMOUS),       F(MAP_32BIT),         F(MAP_GROWSDOWN),
    F(MAP_DENYWRITE), F(MAP_EXECUTABLE),      F(MAP_LOCKED),        F(MAP_NORESERVE),
    F(MAP_POPULATE),  F(MAP_NONBLOCK),        F(MAP_STACK),         F(MAP_HUGETLB),
    F(MAP_SYNC),      F(MAP_FIXED_NOREPLACE), F(MAP_UNINITIALIZED),
};
constexpr FlagTable kMmapFlags = mixed_table("mmap_flags", MAP_TYPE, kMapTypes, kMapBits);

// <linux/mman.h>
constexpr FlagName kMremapBits[] = {F(MREMAP_MAYMOVE), F(MREMAP_FIXED), F(MREMAP_DONTUNMAP)};
constexpr FlagTable kMremapFlags = bits_table("mremap_flags", kMremapBits);

// <asm-generic/mman-common.h>
constexpr FlagName kMsyncBits[] = {F(MS_ASYNC), F(MS_INVALIDATE), F(MS_SYNC)};
constexpr FlagTable kMsyncFlags = bits_table("msync_flags", kMsyncBits);

// <asm-generic/mman-common.h>
constexpr FlagName kMlockBits[] = {F(MLOCK_ONFAULT)};
constexpr FlagTable kMlockFlags = bits_table("mlock_flags", kMlockBits);

// <asm-generic/mman.h>
constexpr FlagName kMlockallBits[] = {F(MCL_CURRENT), F(MCL_FUTURE), F(MCL_ONFAULT)};
constexpr FlagTable kMlockallFlags = bits_table("mlockall_flags", kMlockallBits);

// <asm-generic/mman-common.h>; MADV_GUARD_INSTALL and MADV_GUARD_REMOVE from
// include/uapi/asm-generic/mman-common.h (Linux 6.13).
constexpr FlagName kMadvise[] = {
    F(MADV_NORMAL),
    F(MADV_RANDOM),
    F(MADV_SEQUENTIAL),
    F(MADV_WILLNEED),
    F(MADV_DONTNEED),
    F(MADV_FREE),
    F(MADV_REMOVE),
    F(MADV_DONTFORK),
    F(MADV_DOFORK),
    F(MADV_MERGEABLE),
    F(MADV_UNMERGEABLE),
    F(MADV_HUGEPAGE),
    F(MADV_NOHUGEPAGE),
    F(MADV_DONTDUMP),
    F(MADV_DODUMP),
    F(MADV_WIPEONFORK),
    F(MADV_KEEPONFORK),
    F(MADV_COLD),
    F(MADV_PAGEOUT),
    F(MADV_POPULATE_READ),
    F(MADV_POPULATE_WRITE),
    F(MADV_DONTNEED_LOCKED),
    F(MADV_COLLAPSE),
    F(MADV_HWPOISON),
    F(MADV_SOFT_OFFLINE),
    N(102, "MADV_GUARD_INSTALL"),
    N(103, "MADV_GUARD_REMOVE"),
};
constexpr FlagTable kMadviseAdvice = enum_table("madvise_advice", kMadvise);

// <linux/membarrier.h>; MEMBARRIER_CMD_GET_REGISTRATIONS from include/uapi/linux/membarrier.h
// (Linux 6.3). MEMBARRIER_CMD_SHARED is an alias of MEMBARRIER_CMD_GLOBAL.
constexpr FlagName kMembarrierCmds[] = {
    F(MEMBARRIER_CMD_QUERY),
    F(MEMBARRIER_CMD_GLOBAL),
    F(MEMBARRIER_CMD_GLOBAL_EXPEDITED),
    F(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED),
    F(MEMBARRIER_CMD_PRIVATE_EXPEDITED),
    F(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED),
    F(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE),
    F(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE),
    F(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ),
    F(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ),
    N(1 << 9, "MEMBARRIER_CMD_GET_REGISTRATIONS"),
};
constexpr FlagTable kMembarrierCmd = enum_table("membarrier_cmd", kMembarrierCmds);

// <linux/membarrier.h>
constexpr FlagName kMembarrierBits[] = {F(MEMBARRIER_CMD_FLAG_CPU)};
constexpr FlagTable kMembarrierFlags = bits_table("membarrier_flags", kMembarrierBits);

// <linux/mempolicy.h>: the mode of mbind/set_mempolicy, with the MPOL_F_* mode flags;
// MPOL_WEIGHTED_INTERLEAVE from include/uapi/linux/mempolicy.h (Linux 6.9).
constexpr FlagName kMpolModes[] = {
    F(MPOL_DEFAULT),
    F(MPOL_PREFERRED),
    F(MPOL_BIND),
    F(MPOL_INTERLEAVE),
    F(MPOL_LOCAL),
    F(MPOL_PREFERRED_MANY),
    N(6, "MPOL_WEIGHTED_INTERLEAVE"),
};
constexpr FlagName kMpolModeBits[] = {F(MPOL_F_STATIC_NODES), F(MPOL_F_RELATIVE_NODES),
                                      F(MPOL_F_NUMA_BALANCING)};
constexpr FlagTable kMbindMode =
    mixed_table("mbind_mode", ~value_of(MPOL_MODE_FLAGS), kMpolModes, kMpolModeBits);

// <linux/mempolicy.h>: the flags of mbind.
constexpr FlagName kMbindBits[] = {F(MPOL_MF_STRICT), F(MPOL_MF_MOVE), F(MPOL_MF_MOVE_ALL),
                                   F(MPOL_MF_LAZY)};
constexpr FlagTable kMbindFlags = bits_table("mbind_flags", kMbindBits);

// <linux/mempolicy.h>: the flags of get_mempolicy.
constexpr FlagName kGetMempolicyBits[] = {F(MPOL_F_NODE), F(MPOL_F_ADDR), F(MPOL_F_MEMS_ALLOWED)};
constexpr FlagTable kGetMempolicyFlags = bits_table("get_mempolicy_flags", kGetMempolicyBits);

constexpr const FlagTable* kTables[] = {
    &kMmapProt,        &kMmapFlags,     &kMremapFlags,   &kMsyncFlags,
    &kMlockFlags,      &kMlockallFlags, &kMadviseAdvice, &kMembarrierCmd,
    &kMembarrierFlags, &kMbindMode,     &kMbindFlags,    &kGetMempolicyFlags,
};

}  // namespace

TableList memory_tables() {
  return kTables;
}

}  // namespace dtruss::tables
