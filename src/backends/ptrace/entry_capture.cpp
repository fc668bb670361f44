// The ptrace backend's captures at a syscall's entry: the bytes the capture plan names, read from
// the stopped thread's memory; -s's stack; -y's fds as /proc tells them.
#include <sys/ptrace.h>
#include <sys/user.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backends/ptrace/tracer.h"
#include "core/fdinfo.h"
#include "syscalls/capture.h"
#include "syscalls/table.h"

namespace dtruss {
namespace {

// The bytes (or elements) a Bytes step copies at entry: by its length rule (table.h), or `max`.
uint64_t step_length(const CaptureStep& s, const uint64_t* args, const MemoryReader& mem) {
  if (s.len >= 0 && s.len < kMaxArgs) return args[s.len];
  for (int i = 0; i < kMaxArgs; ++i) {
    if (s.len == len_at(i)) {
      int32_t n = 0;
      return mem.read(args[i], &n, sizeof n) == sizeof n && n > 0 ? static_cast<uint64_t>(n) : 0;
    }
    if (s.len == len_pages(i)) return args[i] / kPageSize + (args[i] % kPageSize != 0 ? 1 : 0);
  }
  return s.max;
}

// Runs `n` steps of a plan on the stopped thread's memory, into `into`.
void run_steps(const CaptureStep* steps, uint8_t n, const uint64_t* args, const MemoryReader& mem,
               CaptureStore& into) {
  std::string buf;
  for (uint8_t i = 0; i < n; ++i) {
    const CaptureStep& s = steps[i];
    uint64_t addr = args[s.arg];
    if (addr == 0) continue;
    switch (s.shape) {
      case CaptureShape::CString: {
        bool terminated = false;
        if (mem.read_cstring(addr, buf, s.max, &terminated))
          into.add(addr, buf.data(), buf.size() + (terminated ? 1 : 0));
        // (the NUL, when present, is captured too, so the decoder sees where it ends)
        break;
      }
      case CaptureShape::Bytes: {
        uint64_t len = step_length(s, args, mem);
        if (s.elem != 0) len *= s.elem;
        size_t want = static_cast<size_t>(std::min<uint64_t>(len, s.max));
        buf.resize(want);
        size_t got = mem.read(addr, buf.data(), want);
        into.add(addr, buf.data(), got);
        break;
      }
      case CaptureShape::StringArray:
      case CaptureShape::PointerArray: {
        std::vector<uint64_t> ptrs;
        for (uint32_t k = 0; k <= s.max_items; ++k) {
          uint64_t p = 0;
          if (!mem.read_u64(addr + 8ull * k, &p)) break;
          ptrs.push_back(p);
          if (p == 0) break;
        }
        into.add(addr, ptrs.data(), ptrs.size() * 8);
        if (s.shape == CaptureShape::PointerArray) break;
        for (uint64_t p : ptrs) {
          if (p == 0) break;
          bool terminated = false;
          if (mem.read_cstring(p, buf, s.max, &terminated))
            into.add(p, buf.data(), buf.size() + (terminated ? 1 : 0));
        }
        break;
      }
    }
  }
}

}  // namespace

// In-arguments now, and the in-values of in/out arguments (the call overwrites them).
void PtraceTracer::capture_entry(Thread& t) {
  SyscallEvent& ev = t.pending;
  const CapturePlan& plan = capture_plan(ev.nr, ev.args.data());
  if (plan.n_entry == 0 && plan.n_before == 0) return;
  LiveMemory mem(t.tid);
  run_steps(plan.entry, plan.n_entry, ev.args.data(), mem, ev.captures);
  run_steps(plan.before, plan.n_before, ev.args.data(), mem, ev.before);
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
