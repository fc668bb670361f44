// ptrace requests and kcmp types.

#include <sys/ptrace.h>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/kcmp.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/ptrace.h> (x86_64); PTRACE_SET/GET_SYSCALL_USER_DISPATCH_CONFIG are from
// include/uapi/linux/ptrace.h (Linux 6.4).
constexpr FlagName kPtraceRequests[] = {
    F(PTRACE_TRACEME),
    F(PTRACE_PEEKTEXT),
    F(PTRACE_PEEKDATA),
    F(PTRACE_PEEKUSER),
    F(PTRACE_POKETEXT),
    F(PTRACE_POKEDATA),
    F(PTRACE_POKEUSER),
    F(PTRACE_CONT),
    F(PTRACE_KILL),
    F(PTRACE_SINGLESTEP),
    F(PTRACE_GETREGS),
    F(PTRACE_SETREGS),
    F(PTRACE_GETFPREGS),
    F(PTRACE_SETFPREGS),
    F(PTRACE_ATTACH),
    F(PTRACE_DETACH),
    F(PTRACE_GETFPXREGS),
    F(PTRACE_SETFPXREGS),
    F(PTRACE_SYSCALL),
    F(PTRACE_GET_THREAD_AREA),
    F(PTRACE_SET_THREAD_AREA),
    F(PTRACE_ARCH_PRCTL),
    F(PTRACE_SYSEMU),
    F(PTRACE_SYSEMU_SINGLESTEP),
    F(PTRACE_SINGLEBLOCK),
    F(PTRACE_SETOPTIONS),
    F(PTRACE_GETEVENTMSG),
    F(PTRACE_GETSIGINFO),
    F(PTRACE_SETSIGINFO),
    F(PTRACE_GETREGSET),
    F(PTRACE_SETREGSET),
    F(PTRACE_SEIZE),
    F(PTRACE_INTERRUPT),
    F(PTRACE_LISTEN),
    F(PTRACE_PEEKSIGINFO),
    F(PTRACE_GETSIGMASK),
    F(PTRACE_SETSIGMASK),
    F(PTRACE_SECCOMP_GET_FILTER),
    F(PTRACE_SECCOMP_GET_METADATA),
    F(PTRACE_GET_SYSCALL_INFO),
    F(PTRACE_GET_RSEQ_CONFIGURATION),
    N(0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"),
    N(0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"),
};
constexpr FlagTable kPtraceRequest = enum_table("ptrace_request", kPtraceRequests);

// <linux/kcmp.h>
constexpr FlagName kKcmpTypes[] = {F(KCMP_FILE),    F(KCMP_VM), F(KCMP_FILES),   F(KCMP_FS),
                                   F(KCMP_SIGHAND), F(KCMP_IO), F(KCMP_SYSVSEM), F(KCMP_EPOLL_TFD)};
constexpr FlagTable kKcmpType = enum_table("kcmp_type", kKcmpTypes);

constexpr const FlagTable* kTables[] = {&kPtraceRequest, &kKcmpType};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG
static_assert(value_named(kPtraceRequests, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG") ==
              value_of(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG));
#endif
#ifdef PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG
static_assert(value_named(kPtraceRequests, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG") ==
              value_of(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG));
#endif

}  // namespace

Subject subject_ptrace() {
  return {"ptrace", kTables, {}, {}};
}

}  // namespace dtruss::structs
