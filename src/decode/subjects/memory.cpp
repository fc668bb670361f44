// Memory mappings and policies: mmap, mremap, madvise, mbind, membarrier, cachestat, mincore.

#include <dirent.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/capability.h>
#include <linux/membarrier.h>
#include <linux/mempolicy.h>
#include <linux/mman.h>
#include <linux/rseq.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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

// cachestat(2) and mseal(2) take flags that must be 0 (no flag is defined, Linux 6.18): any bit
// set is shown in hex.
constexpr FlagTable kCachestatFlags = bits_table("cachestat_flags", {});
constexpr FlagTable kMsealFlags = bits_table("mseal_flags", {});

// include/uapi/asm-generic/mman-common.h: SHADOW_STACK_SET_TOKEN, SHADOW_STACK_SET_MARKER.
constexpr FlagName kShadowStackBits[] = {N(1u << 0, "SHADOW_STACK_SET_TOKEN"),
                                         N(1u << 1, "SHADOW_STACK_SET_MARKER")};
constexpr FlagTable kShadowStackFlags = bits_table("shadow_stack_flags", kShadowStackBits);

// include/uapi/linux/mman.h (Linux 6.5).
struct cachestat_range {
  uint64_t off;
  uint64_t len;
};
static_assert(sizeof(cachestat_range) == 16);
struct cachestat {
  uint64_t nr_cache;
  uint64_t nr_dirty;
  uint64_t nr_writeback;
  uint64_t nr_evicted;
  uint64_t nr_recently_evicted;
};
static_assert(sizeof(cachestat) == 40);

Value decode_cachestat_range(const ArgContext& c) {
  cachestat_range r{};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, off, Value::uinteger);
  FIELD(v, r, len, Value::uinteger);
  return v;
}

Value decode_cachestat(const ArgContext& c) {
  cachestat s{};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, s, nr_cache, Value::uinteger);
  FIELD(v, s, nr_dirty, Value::uinteger);
  FIELD(v, s, nr_writeback, Value::uinteger);
  FIELD(v, s, nr_evicted, Value::uinteger);
  FIELD(v, s, nr_recently_evicted, Value::uinteger);
  return v;
}

// The NUMA node masks of mbind, set_mempolicy, get_mempolicy and migrate_pages, as the list of
// their nodes. The COUNT is the call's maxnode, a number of bits of which the kernel reads one
// less (mm/mempolicy.c: get_nodes); arrays of unsigned long, bit N for node N.
Value decode_node_mask(const ArgContext& c) {
  uint64_t maxnode = c.arg.len >= 0 ? c.other(c.arg.len) : 0;
  if (maxnode <= 1) return Value::hex(c.raw);
  uint64_t bits = std::min<uint64_t>(maxnode - 1, kMaxArrayElements * 8);
  size_t bytes_n = static_cast<size_t>((bits + 63) / 64 * 8);
  uint8_t bytes[kMaxArrayElements];
  if (c.mem.read(c.raw, bytes, bytes_n) != bytes_n) return Value::unreadable(c.raw);
  Value arr = Value::array();
  for (size_t i = 0; i < bits; ++i)
    if (((bytes[i / 8] >> (i % 8)) & 1) != 0) arr.add({}, Value::uinteger(i));
  arr.truncated = maxnode - 1 > bits;
  return arr;
}

// mincore's vec: a byte per page of the range, whose low bit says the page is resident; the
// first --strsize pages unless -v.
Value decode_mincore_vec(const ArgContext& c) {
  const size_t pages = element_count(c, 0);
  const size_t shown = c.opt.verbose ? pages : std::min(pages, c.opt.strsize);
  std::string bytes(shown, '\0');
  const size_t got = shown == 0 ? 0 : c.mem.read(c.raw, bytes.data(), shown);
  if (got == 0 && shown > 0) return Value::unreadable(c.raw);
  Value v = Value::array();
  for (size_t i = 0; i < got; ++i) v.add({}, Value::uinteger(static_cast<uint8_t>(bytes[i]) & 1u));
  v.truncated = got < pages;
  return v;
}

constexpr Entry kStructs[] = {
    {"cachestat_range", sizeof(cachestat_range), decode_cachestat_range},
    {"cachestat", sizeof(cachestat), decode_cachestat},
    {"node_mask", 0, decode_node_mask},
    {"mincore_vec", 1, decode_mincore_vec},
};

constexpr const FlagTable* kTables[] = {
    &kMmapProt,      &kMmapFlags,         &kMremapFlags,    &kMsyncFlags,      &kMlockFlags,
    &kMlockallFlags, &kMadviseAdvice,     &kMembarrierCmd,  &kMembarrierFlags, &kMbindMode,
    &kMbindFlags,    &kGetMempolicyFlags, &kCachestatFlags, &kMsealFlags,      &kShadowStackFlags};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef MAP_DROPPABLE
static_assert(value_named(kMapTypes, "MAP_DROPPABLE") == value_of(MAP_DROPPABLE));
#endif
#ifdef MADV_GUARD_INSTALL
static_assert(value_named(kMadvise, "MADV_GUARD_INSTALL") == value_of(MADV_GUARD_INSTALL));
#endif
#ifdef MADV_GUARD_REMOVE
static_assert(value_named(kMadvise, "MADV_GUARD_REMOVE") == value_of(MADV_GUARD_REMOVE));
#endif
#ifdef SHADOW_STACK_SET_TOKEN
static_assert(value_named(kShadowStackBits, "SHADOW_STACK_SET_TOKEN") ==
              value_of(SHADOW_STACK_SET_TOKEN));
#endif
#ifdef SHADOW_STACK_SET_MARKER
static_assert(value_named(kShadowStackBits, "SHADOW_STACK_SET_MARKER") ==
              value_of(SHADOW_STACK_SET_MARKER));
#endif

}  // namespace

Subject subject_memory() {
  return {"memory", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
