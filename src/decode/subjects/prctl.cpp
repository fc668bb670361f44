// prctl's options and arguments.

#include <sys/uio.h>

#include <cstddef>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/prctl.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/prctl.h>; options newer than it are from include/uapi/linux/prctl.h: PR_GET_AUXV
// (6.1), PR_SET/GET_MDWE (6.3), PR_SET/GET_MEMORY_MERGE (6.4), PR_RISCV_V_SET/GET_CONTROL (6.5),
// PR_RISCV_SET_ICACHE_FLUSH_CTX (6.10), PR_PPC_GET/SET_DEXCR (6.10).
constexpr FlagName kPrctlOptions[] = {
    F(PR_SET_PDEATHSIG),
    F(PR_GET_PDEATHSIG),
    F(PR_GET_DUMPABLE),
    F(PR_SET_DUMPABLE),
    F(PR_GET_UNALIGN),
    F(PR_SET_UNALIGN),
    F(PR_GET_KEEPCAPS),
    F(PR_SET_KEEPCAPS),
    F(PR_GET_FPEMU),
    F(PR_SET_FPEMU),
    F(PR_GET_FPEXC),
    F(PR_SET_FPEXC),
    F(PR_GET_TIMING),
    F(PR_SET_TIMING),
    F(PR_SET_NAME),
    F(PR_GET_NAME),
    F(PR_GET_ENDIAN),
    F(PR_SET_ENDIAN),
    F(PR_GET_SECCOMP),
    F(PR_SET_SECCOMP),
    F(PR_CAPBSET_READ),
    F(PR_CAPBSET_DROP),
    F(PR_GET_TSC),
    F(PR_SET_TSC),
    F(PR_GET_SECUREBITS),
    F(PR_SET_SECUREBITS),
    F(PR_SET_TIMERSLACK),
    F(PR_GET_TIMERSLACK),
    F(PR_TASK_PERF_EVENTS_DISABLE),
    F(PR_TASK_PERF_EVENTS_ENABLE),
    F(PR_MCE_KILL),
    F(PR_MCE_KILL_GET),
    F(PR_SET_MM),
    F(PR_SET_PTRACER),
    F(PR_SET_CHILD_SUBREAPER),
    F(PR_GET_CHILD_SUBREAPER),
    F(PR_SET_NO_NEW_PRIVS),
    F(PR_GET_NO_NEW_PRIVS),
    F(PR_GET_TID_ADDRESS),
    F(PR_SET_THP_DISABLE),
    F(PR_GET_THP_DISABLE),
    F(PR_MPX_ENABLE_MANAGEMENT),
    F(PR_MPX_DISABLE_MANAGEMENT),
    F(PR_SET_FP_MODE),
    F(PR_GET_FP_MODE),
    F(PR_CAP_AMBIENT),
    F(PR_SVE_SET_VL),
    F(PR_SVE_GET_VL),
    F(PR_GET_SPECULATION_CTRL),
    F(PR_SET_SPECULATION_CTRL),
    F(PR_PAC_RESET_KEYS),
    F(PR_SET_TAGGED_ADDR_CTRL),
    F(PR_GET_TAGGED_ADDR_CTRL),
    F(PR_SET_IO_FLUSHER),
    F(PR_GET_IO_FLUSHER),
    F(PR_SET_SYSCALL_USER_DISPATCH),
    F(PR_PAC_SET_ENABLED_KEYS),
    F(PR_PAC_GET_ENABLED_KEYS),
    F(PR_SCHED_CORE),
    F(PR_SME_SET_VL),
    F(PR_SME_GET_VL),
    N(65, "PR_SET_MDWE"),
    N(66, "PR_GET_MDWE"),
    N(67, "PR_SET_MEMORY_MERGE"),
    N(68, "PR_GET_MEMORY_MERGE"),
    N(69, "PR_RISCV_V_SET_CONTROL"),
    N(70, "PR_RISCV_V_GET_CONTROL"),
    N(71, "PR_RISCV_SET_ICACHE_FLUSH_CTX"),
    N(72, "PR_PPC_GET_DEXCR"),
    N(73, "PR_PPC_SET_DEXCR"),
    F(PR_SET_VMA),
    N(0x41555856, "PR_GET_AUXV"),
};
constexpr FlagTable kPrctlOption = enum_table("prctl_option", kPrctlOptions);

// <linux/prctl.h>: PR_SET_MM's field (arg2) and PR_SET_VMA's attribute (arg2).
constexpr FlagName kPrctlSetMmFields[] = {
    F(PR_SET_MM_START_CODE), F(PR_SET_MM_END_CODE),    F(PR_SET_MM_START_DATA),
    F(PR_SET_MM_END_DATA),   F(PR_SET_MM_START_STACK), F(PR_SET_MM_START_BRK),
    F(PR_SET_MM_BRK),        F(PR_SET_MM_ARG_START),   F(PR_SET_MM_ARG_END),
    F(PR_SET_MM_ENV_START),  F(PR_SET_MM_ENV_END),     F(PR_SET_MM_AUXV),
    F(PR_SET_MM_EXE_FILE),   F(PR_SET_MM_MAP),         F(PR_SET_MM_MAP_SIZE),
};
constexpr FlagTable kPrctlSetMm = enum_table("prctl_set_mm", kPrctlSetMmFields);
constexpr FlagName kPrctlVmaAttrs[] = {F(PR_SET_VMA_ANON_NAME)};
constexpr FlagTable kPrctlVmaAttr = enum_table("prctl_vma_attr", kPrctlVmaAttrs);

constexpr size_t kTaskCommLen = 16;

// PR_GET_NAME's buffer: the task's name, NUL-terminated within its 16 bytes.
Value decode_task_comm(const ArgContext& c) {
  char name[kTaskCommLen] = {};
  if (!read_struct(c.mem, c.raw, &name)) return Value::unreadable(c.raw);
  return Value::string(std::string(name, strnlen(name, sizeof name)), false);
}

constexpr Entry kStructs[] = {
    {"task_comm", kTaskCommLen, decode_task_comm},
};

constexpr const FlagTable* kTables[] = {&kPrctlOption, &kPrctlSetMm, &kPrctlVmaAttr};

using K = ArgKind;

// prctl's arg2, by option: a capability, a signal, or a number for the options that set one; the
// name given (PR_SET_NAME) or the memory written (PR_GET_NAME's 16 bytes, PR_GET_PDEATHSIG's
// signal, PR_GET_CHILD_SUBREAPER's int, PR_GET_TID_ADDRESS's pointer); a sub-command
// (PR_SET_MM's field, PR_SET_VMA's attribute); a pointer or an unused value (hex) for the others.
constexpr ArgChoice kPrctlArg2ByOption[] = {
    {tables::value_of(PR_CAPBSET_READ), K::Enum, TableId::capability},
    {tables::value_of(PR_CAPBSET_DROP), K::Enum, TableId::capability},
    {tables::value_of(PR_SET_PDEATHSIG), K::Signal, TableId::none},
    {tables::value_of(PR_SET_DUMPABLE), K::UInt, TableId::none},
    {tables::value_of(PR_SET_KEEPCAPS), K::UInt, TableId::none},
    {tables::value_of(PR_SET_NO_NEW_PRIVS), K::UInt, TableId::none},
    {tables::value_of(PR_SET_CHILD_SUBREAPER), K::UInt, TableId::none},
    {tables::value_of(PR_SET_TIMERSLACK), K::UInt, TableId::none},
    {tables::value_of(PR_SET_THP_DISABLE), K::UInt, TableId::none},
    {tables::value_of(PR_SET_NAME), K::String, TableId::none},
    struct_choice(PR_GET_NAME, "task_comm", Dir::Out),
    struct_choice(PR_GET_PDEATHSIG, "int_signal", Dir::Out),
    struct_choice(PR_GET_CHILD_SUBREAPER, "int", Dir::Out),
    struct_choice(PR_GET_TID_ADDRESS, "ptr", Dir::Out),
    {tables::value_of(PR_SET_MM), K::Enum, TableId::prctl_set_mm},
    {tables::value_of(PR_SET_VMA), K::Enum, TableId::prctl_vma_attr},
};
constexpr ChoiceTable kPrctlArg2{"prctl_arg2", kPrctlArg2ByOption, K::Hex};

// prctl's arg4 and arg5, by option: PR_SET_VMA_ANON_NAME's range length and name (arg3 is the
// range's start: hex).
constexpr ArgChoice kPrctlArg4ByOption[] = {
    {tables::value_of(PR_SET_VMA), K::Size, TableId::none},
};
constexpr ChoiceTable kPrctlArg4{"prctl_arg4", kPrctlArg4ByOption, K::Hex};
constexpr ArgChoice kPrctlArg5ByOption[] = {
    {tables::value_of(PR_SET_VMA), K::String, TableId::none},
};
constexpr ChoiceTable kPrctlArg5{"prctl_arg5", kPrctlArg5ByOption, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kPrctlArg2, &kPrctlArg4, &kPrctlArg5};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef PR_SET_MDWE
static_assert(value_named(kPrctlOptions, "PR_SET_MDWE") == value_of(PR_SET_MDWE));
#endif
#ifdef PR_GET_MDWE
static_assert(value_named(kPrctlOptions, "PR_GET_MDWE") == value_of(PR_GET_MDWE));
#endif
#ifdef PR_SET_MEMORY_MERGE
static_assert(value_named(kPrctlOptions, "PR_SET_MEMORY_MERGE") == value_of(PR_SET_MEMORY_MERGE));
#endif
#ifdef PR_GET_MEMORY_MERGE
static_assert(value_named(kPrctlOptions, "PR_GET_MEMORY_MERGE") == value_of(PR_GET_MEMORY_MERGE));
#endif
#ifdef PR_RISCV_V_SET_CONTROL
static_assert(value_named(kPrctlOptions, "PR_RISCV_V_SET_CONTROL") ==
              value_of(PR_RISCV_V_SET_CONTROL));
#endif
#ifdef PR_RISCV_V_GET_CONTROL
static_assert(value_named(kPrctlOptions, "PR_RISCV_V_GET_CONTROL") ==
              value_of(PR_RISCV_V_GET_CONTROL));
#endif
#ifdef PR_RISCV_SET_ICACHE_FLUSH_CTX
static_assert(value_named(kPrctlOptions, "PR_RISCV_SET_ICACHE_FLUSH_CTX") ==
              value_of(PR_RISCV_SET_ICACHE_FLUSH_CTX));
#endif
#ifdef PR_PPC_GET_DEXCR
static_assert(value_named(kPrctlOptions, "PR_PPC_GET_DEXCR") == value_of(PR_PPC_GET_DEXCR));
#endif
#ifdef PR_PPC_SET_DEXCR
static_assert(value_named(kPrctlOptions, "PR_PPC_SET_DEXCR") == value_of(PR_PPC_SET_DEXCR));
#endif
#ifdef PR_GET_AUXV
static_assert(value_named(kPrctlOptions, "PR_GET_AUXV") == value_of(PR_GET_AUXV));
#endif

}  // namespace

Subject subject_prctl() {
  return {"prctl", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
