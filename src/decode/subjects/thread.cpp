// Threads: robust futex lists, rseq, TLS descriptors (user_desc), arch_prctl.

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <linux/futex.h>
#include <linux/rseq.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <asm/prctl.h>; the tagged-address (LAM, Linux 6.4) and shadow stack (Linux 6.6) codes are
// from arch/x86/include/uapi/asm/prctl.h.
constexpr FlagName kArchPrctlCodes[] = {
    F(ARCH_SET_GS),
    F(ARCH_SET_FS),
    F(ARCH_GET_FS),
    F(ARCH_GET_GS),
    F(ARCH_GET_CPUID),
    F(ARCH_SET_CPUID),
    F(ARCH_GET_XCOMP_SUPP),
    F(ARCH_GET_XCOMP_PERM),
    F(ARCH_REQ_XCOMP_PERM),
    F(ARCH_GET_XCOMP_GUEST_PERM),
    F(ARCH_REQ_XCOMP_GUEST_PERM),
    F(ARCH_MAP_VDSO_X32),
    F(ARCH_MAP_VDSO_32),
    F(ARCH_MAP_VDSO_64),
    N(0x4001, "ARCH_GET_UNTAG_MASK"),
    N(0x4002, "ARCH_ENABLE_TAGGED_ADDR"),
    N(0x4003, "ARCH_GET_MAX_TAG_BITS"),
    N(0x4004, "ARCH_FORCE_TAGGED_SVA"),
    N(0x5001, "ARCH_SHSTK_ENABLE"),
    N(0x5002, "ARCH_SHSTK_DISABLE"),
    N(0x5003, "ARCH_SHSTK_LOCK"),
    N(0x5004, "ARCH_SHSTK_UNLOCK"),
    N(0x5005, "ARCH_SHSTK_STATUS"),
};
constexpr FlagTable kArchPrctlCode = enum_table("arch_prctl_code", kArchPrctlCodes);

static_assert(sizeof(struct robust_list_head) == 24);

static_assert(sizeof(struct rseq) == 32);

static_assert(sizeof(struct user_desc) == 16);

// <linux/rseq.h>: the states a cpu_id field holds before it holds a CPU number.
constexpr FlagName kRseqCpuIds[] = {F(RSEQ_CPU_ID_UNINITIALIZED),
                                    F(RSEQ_CPU_ID_REGISTRATION_FAILED)};
constexpr FlagTable kRseqCpuId = tables::enum_table("rseq_cpu_id", kRseqCpuIds);

// <linux/rseq.h>: struct rseq's (deprecated) flags and struct rseq_cs's.
constexpr FlagName kRseqCsBits[] = {F(RSEQ_CS_FLAG_NO_RESTART_ON_PREEMPT),
                                    F(RSEQ_CS_FLAG_NO_RESTART_ON_SIGNAL),
                                    F(RSEQ_CS_FLAG_NO_RESTART_ON_MIGRATE)};
constexpr FlagTable kRseqCsFlags = tables::bits_table("rseq_cs_flags", kRseqCsBits);

Value decode_robust_list_head(const ArgContext& c) {
  struct robust_list_head h {};
  if (!read_struct(c.mem, c.raw, &h)) return Value::unreadable(c.raw);
  Value list = Value::structure();
  list.add("next", ptr_value(reinterpret_cast<uint64_t>(h.list.next)));
  Value v = Value::structure();
  v.add("list", std::move(list));
  FIELD(v, h, futex_offset, Value::integer);
  v.add("list_op_pending", ptr_value(reinterpret_cast<uint64_t>(h.list_op_pending)));
  return v;
}

Value rseq_cpu_value(uint32_t id) {
  if (const char* name = enum_name(kRseqCpuId, id)) return Value::symbol(name, id);
  return Value::uinteger(id);
}

Value decode_rseq(const ArgContext& c) {
  struct rseq r {};
  if (!read_struct(c.mem, c.raw, &r)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, r, cpu_id_start, Value::uinteger);
  FIELD(v, r, cpu_id, rseq_cpu_value);
  FIELD(v, r, rseq_cs, ptr_value);
  v.add("flags", flags(kRseqCsFlags, r.flags));
  return v;
}

Value decode_user_desc(const ArgContext& c) {
  struct user_desc d {};
  if (!read_struct(c.mem, c.raw, &d)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("entry_number", Value::integer(static_cast<int32_t>(d.entry_number)));
  FIELD(v, d, base_addr, Value::hex);
  FIELD(v, d, limit, Value::hex);
  FIELD(v, d, seg_32bit, Value::uinteger);
  FIELD(v, d, contents, Value::uinteger);
  FIELD(v, d, read_exec_only, Value::uinteger);
  FIELD(v, d, limit_in_pages, Value::uinteger);
  FIELD(v, d, seg_not_present, Value::uinteger);
  FIELD(v, d, useable, Value::uinteger);
  if (c.opt.verbose) FIELD(v, d, lm, Value::uinteger);
  return v;
}

constexpr Entry kStructs[] = {
    {"robust_list_head", sizeof(struct robust_list_head), decode_robust_list_head},
    {"rseq", sizeof(struct rseq), decode_rseq},
    {"user_desc", sizeof(struct user_desc), decode_user_desc},
};

constexpr const FlagTable* kTables[] = {&kArchPrctlCode, &kRseqCpuId, &kRseqCsFlags};

using K = ArgKind;

// modify_ldt's ptr, by func (arch/x86/kernel/ldt.c, no header names them): 1 and 0x11 write an
// entry (a struct user_desc); 0 reads the LDT and 2 the default one into ret bytes.
constexpr ArgChoice kModifyLdtPtrByFunc[] = {
    {0, K::Buffer, TableId::none, nullptr, Dir::Out, kLenRet},
    struct_choice(1, "user_desc", Dir::In),
    {2, K::Buffer, TableId::none, nullptr, Dir::Out, kLenRet},
    struct_choice(0x11, "user_desc", Dir::In),
};
constexpr ChoiceTable kModifyLdtPtr{"modify_ldt_ptr", kModifyLdtPtrByFunc, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kModifyLdtPtr};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef ARCH_GET_UNTAG_MASK
static_assert(value_named(kArchPrctlCodes, "ARCH_GET_UNTAG_MASK") == value_of(ARCH_GET_UNTAG_MASK));
#endif
#ifdef ARCH_ENABLE_TAGGED_ADDR
static_assert(value_named(kArchPrctlCodes, "ARCH_ENABLE_TAGGED_ADDR") ==
              value_of(ARCH_ENABLE_TAGGED_ADDR));
#endif
#ifdef ARCH_GET_MAX_TAG_BITS
static_assert(value_named(kArchPrctlCodes, "ARCH_GET_MAX_TAG_BITS") ==
              value_of(ARCH_GET_MAX_TAG_BITS));
#endif
#ifdef ARCH_FORCE_TAGGED_SVA
static_assert(value_named(kArchPrctlCodes, "ARCH_FORCE_TAGGED_SVA") ==
              value_of(ARCH_FORCE_TAGGED_SVA));
#endif
#ifdef ARCH_SHSTK_ENABLE
static_assert(value_named(kArchPrctlCodes, "ARCH_SHSTK_ENABLE") == value_of(ARCH_SHSTK_ENABLE));
#endif
#ifdef ARCH_SHSTK_DISABLE
static_assert(value_named(kArchPrctlCodes, "ARCH_SHSTK_DISABLE") == value_of(ARCH_SHSTK_DISABLE));
#endif
#ifdef ARCH_SHSTK_LOCK
static_assert(value_named(kArchPrctlCodes, "ARCH_SHSTK_LOCK") == value_of(ARCH_SHSTK_LOCK));
#endif
#ifdef ARCH_SHSTK_UNLOCK
static_assert(value_named(kArchPrctlCodes, "ARCH_SHSTK_UNLOCK") == value_of(ARCH_SHSTK_UNLOCK));
#endif
#ifdef ARCH_SHSTK_STATUS
static_assert(value_named(kArchPrctlCodes, "ARCH_SHSTK_STATUS") == value_of(ARCH_SHSTK_STATUS));
#endif

}  // namespace

Subject subject_thread() {
  return {"thread", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
