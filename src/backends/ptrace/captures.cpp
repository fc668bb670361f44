// The ptrace backend's captures of a syscall: the bytes its capture plan names, read from the
// stopped thread's memory at entry and exit; -s's stack; -y's fds as /proc tells them.
#include <sys/ptrace.h>
#include <sys/user.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backends/ptrace/tracer.h"
#include "core/fdinfo.h"
#include "syscalls/capture.h"
#include "syscalls/capture_run.h"
#include "syscalls/table.h"

namespace dtruss {

// In-arguments now, and the in-values of in/out arguments (the call overwrites them).
void PtraceTracer::capture_entry(Thread& t) {
  SyscallEvent& ev = t.pending;
  const CapturePlan& plan = plans_.of(ev.nr, ev.args.data());
  if (plan.n_entry == 0 && plan.n_before == 0) return;
  LiveMemory mem(t.tid);
  StepInputs in{ev.args.data()};
  run_capture_steps(plan.entry, plan.n_entry, in, mem, ev.captures);
  run_capture_steps(plan.before, plan.n_before, in, mem, ev.before);
}

// What the call wrote (out- and in/out arguments), now, with its result: the decoders read only
// what was captured, as with the eBPF backend.
void PtraceTracer::capture_exit(Thread& t) {
  SyscallEvent& ev = t.pending;
  const CapturePlan& plan = plans_.of(ev.nr, ev.args.data());
  if (plan.n_exit == 0) return;
  LiveMemory mem(t.tid);
  StepInputs in{ev.args.data(), ev.ret, true};
  run_capture_steps(plan.exit, plan.n_exit, in, mem, ev.captures);
}

// -s: the stack of the call, unwound now (at entry) from the stopped thread's registers.
void PtraceTracer::capture_stack(Thread& t) {
  user_regs_struct r{};
  if (ptrace(PTRACE_GETREGS, t.tid, nullptr, &r) != 0) return;
  UserRegs regs;
  regs.all = true;
  // DWARF register numbers 0-15 (x86-64 psABI): rax rdx rcx rbx rsi rdi rbp rsp r8-r15.
  regs.gp = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
             r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  regs.ip = r.rip;
  LiveMemory mem(t.tid);
  stacks_->unwind(t.tgid, t.tid, regs, mem, &t.pending.stack);
}

// -y: /proc tells what the fd arguments refer to at entry (before a close), and the new fd a
// call returned at exit. The thread's own /proc entry: a thread may have unshared its fd table.
void PtraceTracer::describe_fds(Thread& t, bool at_exit) {
  SyscallEvent& ev = t.pending;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (info == nullptr) return;
  if (at_exit) {
    if (info->ret == RetKind::Fd && ev.ret >= 0)
      ev.fd_notes[kMaxArgs] = describe_fd(t.tid, static_cast<int>(ev.ret));
    return;
  }
  for (int i = 0; i < info->nargs; ++i) {
    ArgKind k = info->args[i].kind;
    auto fd = static_cast<int32_t>(ev.args[static_cast<size_t>(i)]);
    if ((k == ArgKind::Fd || k == ArgKind::Dirfd) && fd >= 0)
      ev.fd_notes[static_cast<size_t>(i)] = describe_fd(t.tid, fd);
  }
}

}  // namespace dtruss
