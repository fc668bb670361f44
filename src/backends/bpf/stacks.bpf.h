// SPDX-License-Identifier: GPL-2.0
// -s: the user stack of each call, copied for user space to unwind.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// -s: the registers and the top of the user stack, for user space to unwind with DWARF. The copy
// is assembled in a per-thread buffer (with room to spare, so that a page fits at any offset).
struct stack_copy {
  struct dt_stack head;
  dt_u8 bytes[DT_STACK_MAX + 8192];
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct stack_copy);
} stacks SEC(".maps");

struct copy_ctx {
  struct stack_copy* c;
  dt_u64 sp;
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
  if (bpf_probe_read_user(c->bytes + (got & (DT_STACK_MAX - 1)), len, (const void*)addr)) return 1;
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
  long nfp = bpf_get_stack(ctx, c->head.fp, sizeof(c->head.fp), BPF_F_USER_STACK);
  c->head.nfp = nfp > 0 ? (dt_u32)nfp / 8 : 0;
  struct copy_ctx x = {.c = c, .sp = regs->sp, .want = stack_bytes};
  bpf_loop(DT_STACK_MAX / 4096 + 1, copy_page, &x, 0);
  dt_u32 got = x.got;
  if (got > stack_bytes) got = stack_bytes;
  c->head.len = got;
  c->head.size = sizeof(c->head) + got;
  // Promptly: the consumer then reads the process's mappings while it still runs, when it must.
  if (bpf_ringbuf_output(&events, c, sizeof(c->head) + got, BPF_RB_FORCE_WAKEUP)) count_lost();
}
