// SPDX-License-Identifier: GPL-2.0
// -s: the user stack of each call, copied for user space to unwind.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// -s: the registers and the top of the user stack, for user space to unwind with DWARF. The copy
// is assembled in a per-thread buffer (with room to spare, so that a page fits at any offset).
// (The frame-pointer walk is taken into fp, and the stack copied right after its last entry.)
struct stack_copy {
  struct dt_stack head;
  dt_u64 fp[DT_FP_MAX];
  dt_u8 bytes[DT_STACK_MAX + 8192 + DT_FP_MAX * 8];
  dt_u32 sent;  // the thread sent a stack before
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct stack_copy);
} stacks SEC(".maps");

// -s: where each thread's stack begins (its highest address, the outermost frame's). The
// unwinder reads nothing at or above it (the outermost frame's return address is undefined: the
// unwind stops there), so the copy ends there, with a few bytes to spare, rather than
// --stack-size bytes up: most calls need a few hundred bytes, not 16 KiB, and a full copy per
// call filled the ring in 500 calls. A thread started on a stack of its own (pthread_create,
// posix_spawn's child) has its first stack pointer kept here as it is forked, for the address
// space it was forked with (exec makes a new one); a child forked without a stack of its own has
// its parent's. Otherwise a process's main thread begins at mm->start_stack (its argc, under the
// arguments), and any other thread (one running before the trace) at the end of its stack mapping.
struct stack_top {
  dt_u64 top;
  dt_u64 mm;  // the address space it is for
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct stack_top);
} stack_tops SEC(".maps");
const volatile dt_u64 stack_brake_bytes = 2 << 20;  // set by user space from the ring's size
#define DT_STACK_SPARE 64  // bytes copied past a stack's top (0 would do for C's call frames)

// bpf_find_vma's callback: the end of the mapping.
static long vma_end_of(struct task_struct* task, struct vm_area_struct* vma, dt_u64* end) {
  *end = BPF_CORE_READ(vma, vm_end);
  return 0;
}

// The highest address of `task`'s stack, whose stack pointer is `sp` (0: not known). A thread
// whose first stack pointer was not seen (one running before the trace began) has the end of
// the mapping `sp` is in, found once: its first frame is below (a thread's stack mapping ends
// with its thread control block).
static __always_inline dt_u64 stack_top(struct task_struct* task, dt_u64 sp) {
  struct mm_struct* mm = BPF_CORE_READ(task, mm);
  struct stack_top* t = bpf_task_storage_get(&stack_tops, task, 0, 0);
  if (t && t->mm == (dt_u64)mm) return t->top;
  if (BPF_CORE_READ(task, pid) == BPF_CORE_READ(task, tgid)) return BPF_CORE_READ(mm, start_stack);
  dt_u64 end = 0;
  if (!sp || bpf_find_vma(task, sp, vma_end_of, &end, 0) != 0 || !end) return 0;
  t = bpf_task_storage_get(&stack_tops, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (t) {
    t->top = end;
    t->mm = (dt_u64)mm;
  }
  return end;
}

// A traced process forks (a thread or a process): the stack its child starts on.
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork_stack, struct task_struct* parent, struct task_struct* child) {
  if (!traced_tgid(BPF_CORE_READ(parent, tgid))) return 0;
  struct pt_regs* cregs = (struct pt_regs*)bpf_task_pt_regs(child);
  struct pt_regs* pregs = (struct pt_regs*)bpf_task_pt_regs(parent);
  if (!cregs || !pregs) return 0;
  dt_u64 sp = BPF_CORE_READ(cregs, sp);
  dt_u64 psp = BPF_CORE_READ(pregs, sp);
  dt_u64 top = sp != psp ? sp : stack_top(parent, psp);
  if (!top) return 0;
  struct stack_top* t = bpf_task_storage_get(&stack_tops, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (!t) return 0;
  t->top = top;
  t->mm = (dt_u64)BPF_CORE_READ(child, mm);
  return 0;
}

struct copy_ctx {
  struct stack_copy* c;
  dt_u64 sp;
  dt_u32 at;  // where the copy starts after c->head: past the frame-pointer walk's entries
  dt_u32 want;
  dt_u32 got;
};

// One page of stack (the first from sp to its page's end): ends the loop at a page that cannot be
// read (a stack may have untouched pages, such as the random gap below the program's arguments).
static long copy_page(dt_u32 i, struct copy_ctx* x) {
  struct stack_copy* c = x->c;
  dt_u32 got = x->got;
  dt_u32 want = x->want;
  if (!c || got >= want || got >= DT_STACK_MAX) return 1;
  dt_u64 addr = x->sp + got;
  dt_u64 len = 4096 - (addr & 4095);
  if (len > want - got) len = want - got;
  asm volatile("" : "+r"(len));  // bound the register that is passed, not a copy of it
  len &= 8191;
  dt_u8* to = (dt_u8*)c->fp + (x->at & (DT_FP_MAX * 16 - 1)) + (got & (DT_STACK_MAX - 1));
  if (bpf_probe_read_user(to, len, (const void*)addr)) return 1;
  x->got = got + (dt_u32)len;
  return 0;
}

static __always_inline void capture_stack(void* ctx, struct task_struct* task, struct pt_regs* regs,
                                          dt_u64 pid_tgid) {
  struct stack_copy* c = bpf_task_storage_get(&stacks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (!c) {
    count_lost();
    return;
  }
  c->head.type = DT_STACK;
  c->head.pad0 = 0;
  c->head.pid = pid_tgid >> 32;
  c->head.tid = (dt_u32)pid_tgid;
  c->head.ip = regs->ip;
  c->head.sp = regs->sp;
  c->head.bp = regs->bp;
  long nfp = bpf_get_stack(ctx, c->fp, sizeof(c->fp), BPF_F_USER_STACK);
  c->head.nfp = nfp > 0 ? (dt_u32)nfp / 8 : 0;
  if (c->head.nfp > DT_FP_MAX) c->head.nfp = DT_FP_MAX;
  dt_u32 at = (c->head.nfp * 8) & (DT_FP_MAX * 16 - 1);
  // From sp to the stack's top, when sp is below it (not on a signal stack or another stack).
  dt_u32 want = stack_bytes;
  dt_u64 sp = regs->sp;
  dt_u64 top = stack_top(task, sp);
  if (top > sp && top - sp + DT_STACK_SPARE < want)
    want = ((dt_u32)(top - sp) + DT_STACK_SPARE + 7) & ~7u;
  struct copy_ctx x = {.c = c, .sp = sp, .at = at, .want = want};
  bpf_loop(DT_STACK_MAX / 4096 + 1, copy_page, &x, 0);
  dt_u32 got = x.got;
  if (got > stack_bytes) got = stack_bytes;
  c->head.len = got;
  dt_u64 size = sizeof(c->head) + at + got;
  c->head.size = size;
  // A thread's first stack promptly: the consumer then reads the process's mappings while it
  // still runs, when it must (a process not started under the trace); after that they are told
  // as they change (mappings.bpf.h). The others as any record, in batches (a wake-up per call
  // cost the traced program an interrupt each, and on a VM an exit to the hypervisor: half of
  // -s's CPU on getppid), unless the consumer is behind: past stack_brake_bytes of the ring
  // unread, every stack wakes it. Unwinding a stack can take longer than the call took: the
  // wake-ups then slow the traced threads (an interrupt each) as the consumer catches up, where
  // they would otherwise fill the ring and lose records.
  dt_u64 flags = BPF_RB_FORCE_WAKEUP;
  if (c->sent && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < stack_brake_bytes)
    flags = wakeup_flags(size);
  c->sent = 1;
  if (bpf_ringbuf_output(&events, c, size, flags)) count_lost();
}
