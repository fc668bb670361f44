// --inject in the ptrace backend, as strace does it: at the entry of a call a rule selects, on the
// occurrences its when= names (counted per thread and per syscall), the syscall number becomes
// an invalid one (-1: the kernel runs nothing) and at the exit the return register gets -ERRNO
// or N; a signal is sent to the thread at the entry (tgkill: pending while the call runs, it
// interrupts a call that blocks, EINTR, as strace's does; delivered on the way out, and shown);
// a delay keeps the thread stopped until a deadline, while the loop goes on tracing the others
// (the loop resumes it once the deadline passes: resume_due, wait_for_stop_or_deadline).
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "backends/ptrace/tracer.h"

namespace dtruss {
namespace {

#if defined(__x86_64__)
// The syscall number (orig_rax) and the return value (rax) of a thread in a syscall stop.
bool poke_reg(pid_t tid, size_t offset, int64_t value) {
  return ptrace(PTRACE_POKEUSER, tid, reinterpret_cast<void*>(offsetof(struct user, regs) + offset),
                reinterpret_cast<void*>(value)) == 0;
}
bool set_syscall_nr(pid_t tid, int64_t nr) {
  return poke_reg(tid, offsetof(user_regs_struct, orig_rax), nr);
}
bool set_return(pid_t tid, int64_t value) {
  return poke_reg(tid, offsetof(user_regs_struct, rax), value);
}
#else
#error "--inject sets registers of x86-64 only"
#endif

// Writes `bytes` at `addr` in thread `tid`'s memory: process_vm_writev, or word by word with
// PTRACE_POKEDATA where the pages are not writable (as a debugger writes code).
bool poke_memory(pid_t tid, uint64_t addr, const std::string& bytes) {
  iovec local{const_cast<char*>(bytes.data()), bytes.size()};
  iovec remote{reinterpret_cast<void*>(addr), bytes.size()};
  if (process_vm_writev(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(bytes.size()))
    return true;
  constexpr uint64_t kWord = sizeof(long);
  for (uint64_t at = addr & ~(kWord - 1); at < addr + bytes.size(); at += kWord) {
    errno = 0;
    long word = ptrace(PTRACE_PEEKDATA, tid, reinterpret_cast<void*>(at), nullptr);
    if (errno != 0) return false;
    auto* w = reinterpret_cast<char*>(&word);
    for (uint64_t i = 0; i < kWord; ++i)
      if (at + i >= addr && at + i < addr + bytes.size()) w[i] = bytes[at + i - addr];
    if (ptrace(PTRACE_POKEDATA, tid, reinterpret_cast<void*>(at), reinterpret_cast<void*>(word)) !=
        0)
      return false;
  }
  return true;
}

// The pokes that were written (a bad pointer, NULL, is left alone and not told as done).
std::vector<InjectPoke> poke_args(pid_t tid, const std::vector<InjectPoke>& pokes,
                                  const std::array<uint64_t, 6>& args) {
  std::vector<InjectPoke> done;
  for (const InjectPoke& p : pokes) {
    uint64_t addr = args[static_cast<size_t>(p.arg - 1)];
    if (addr != 0 && poke_memory(tid, addr, p.bytes)) done.push_back(p);
  }
  return done;
}

}  // namespace

// The rule for call `nr` of thread `t` at its entry: the last --inject that names the syscall (a
// later one replaces an earlier, as strace's), if this occurrence is one its when= names.
const InjectRule* PtraceTracer::inject_rule_for(Thread& t, long nr) {
  const InjectRule* rule = nullptr;
  for (const InjectRule& r : target_.inject)
    if (r.selects(nr)) rule = &r;
  if (rule == nullptr) return nullptr;
  uint64_t n = ++t.inject_counts[nr];
  return rule->when.matches(n) ? rule : nullptr;
}

void PtraceTracer::inject_at_entry(Thread& t) {
  // The execve that starts the command is dtruss's own doing: the program's calls come after it.
  if (t.tid == child_ && !child_execed_) return;
  const InjectRule* rule = inject_rule_for(t, t.pending.nr);
  if (rule == nullptr) return;
  const InjectAction& a = rule->action;
  // (the call does not run: an invalid number, or syscall='s harmless one, runs instead)
  if (a.skips_call() && !set_syscall_nr(t.tid, a.syscall >= 0 ? a.syscall : -1)) return;
  t.pending.injected = a;
  // (the bytes the call will read: the entry's captures, taken next, show them)
  t.pending.injected->poke_enter = poke_args(t.tid, a.poke_enter, t.pending.args);
  if (a.signal != 0) syscall(SYS_tgkill, t.tgid, t.tid, a.signal);
  if (a.delay_enter_us != 0) delay(t, a.delay_enter_us);
}

// At the exit of a call inject_at_entry() took: its result, its delay. `rval` is the result the
// trace shows.
void PtraceTracer::inject_at_exit(Thread& t, int64_t* rval) {
  const InjectAction& a = *t.pending.injected;
  if (a.skips_call()) {
    int64_t value = a.error ? -int64_t{*a.error} : *a.retval;
    if (set_return(t.tid, value)) *rval = value;
  }
  InjectAction& done = *t.pending.injected;
  done.poke_exit = poke_args(t.tid, a.poke_exit, t.pending.args);
  if (a.delay_exit_us != 0) delay(t, a.delay_exit_us);
}

// Thread `t` stays stopped `us` microseconds from now: the loop resumes it then (resume_due).
void PtraceTracer::delay(Thread& t, uint64_t us) {
  t.resume_at = now_ns() + us * 1000;
  delayed_.emplace(t.resume_at, t.tid);
}

// Resumes the delayed threads whose deadline has passed.
void PtraceTracer::resume_due() {
  uint64_t now = now_ns();
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    auto [at, tid] = *delayed_.begin();
    delayed_.erase(delayed_.begin());
    auto it = threads_.find(tid);
    if (it == threads_.end() || it->second.resume_at != at) continue;  // gone (or a reused TID)
    it->second.resume_at = 0;
    resume(it->second);
  }
}

// Resumes every delayed thread now (before a detach: a stopped thread must be running to stop
// again for PTRACE_INTERRUPT).
void PtraceTracer::resume_delayed() {
  for (auto& [at, tid] : delayed_) {
    auto it = threads_.find(tid);
    if (it == threads_.end() || it->second.resume_at != at) continue;
    it->second.resume_at = 0;
    resume(it->second);
  }
  delayed_.clear();
}

// Nothing pending, and a thread is delayed: waits for a tracee's stop (SIGCHLD, blocked during
// the loop when --inject is given, so none is lost between the last waitpid and this wait) or the
// earliest deadline, or a signal (the flush timer, a stop request).
void PtraceTracer::wait_for_stop_or_deadline() {
  uint64_t now = now_ns();
  uint64_t at = delayed_.begin()->first;
  if (at <= now) return;
  uint64_t ns = at - now;
  timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigtimedwait(&chld, nullptr, &timeout);
}

}  // namespace dtruss
