// Issue 3: what does it cost to trace only the syscalls of -t? The same work (per selected call:
// remember the entry time per task, at exit count the call and add its latency) in four attach
// modes, so that only the attachment differs:
//   tp       tp_btf sys_enter/sys_exit on every syscall, the -t bitmap checked after the process
//            and the per-task storage, as dtruss.bpf.c does today;
//   tp_early the same tracepoints, the bitmap checked first (at exit too, from regs->orig_ax);
//   fentry   fentry/fexit on __x64_sys_NAME of each selected syscall (the loader loads one copy
//            of each program per syscall); the number is regs->orig_ax, as in the tracepoints;
//   tp_enter_early  the bitmap first at entry only; the exit as in tp (process, task storage,
//            active flag), which stays right when a call's number changes under it;
//   tp_sys   the per-syscall tracepoints syscalls/sys_enter_NAME and sys_exit_NAME of each selected
//            syscall: one program pair, attached to each (the kernel runs them from its own
//            handler on the raw tracepoints, which checks a bitmap of the enabled syscalls);
//   kmulti   one kprobe.multi and one kretprobe.multi program on all the __x64_sys_NAME symbols;
//            the number is the attach cookie.
// The loader (attach_probe.c) loads the programs of one mode only.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
// clang-format on

#define NR_MAX 512

struct pt_regs {
  unsigned long orig_ax;
} __attribute__((preserve_access_index));
struct task_struct {
  int pid;
} __attribute__((preserve_access_index));

// The traced process (its thread group).
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u8);
} tgids SEC(".maps");

// The selected syscall numbers (tp modes).
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, NR_MAX);
  __type(key, __u32);
  __type(value, __u8);
} wanted SEC(".maps");

struct pending {
  __u64 enter_ns;
  __s64 nr;
  __u32 active;
  __u32 pad;
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct pending);
} inflight SEC(".maps");

struct stat {
  __u64 calls;
  __u64 ns;
};
// Per syscall number: calls that returned and their summed latency.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NR_MAX);
  __type(key, __u32);
  __type(value, struct stat);
} stats SEC(".maps");

static __always_inline int traced(void) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  return bpf_map_lookup_elem(&tgids, &tgid) != 0;
}

static __always_inline int wanted_nr(long nr) {
  __u32 key = (__u32)nr;
  __u8* w = nr >= 0 && nr < NR_MAX ? bpf_map_lookup_elem(&wanted, &key) : 0;
  return w && *w;
}

static __always_inline struct pending* pending_of(int create) {
  return bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
                              create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

static __always_inline void start(struct pending* p, long nr) {
  p->nr = nr;
  p->enter_ns = bpf_ktime_get_ns();
  p->active = 1;
}

// The end of a call: counted under the number taken at entry.
static __always_inline int finish(void) {
  struct pending* p = pending_of(0);
  if (!p || !p->active) return 0;
  p->active = 0;
  __u32 key = (__u32)p->nr;
  struct stat* s = bpf_map_lookup_elem(&stats, &key);
  if (s) {
    s->calls += 1;
    s->ns += bpf_ktime_get_ns() - p->enter_ns;
  }
  return 0;
}

// Every thread of the process (and its children, if it forks) that enters a syscall: tgid check
// and task storage first, then the -t bitmap, the order of dtruss.bpf.c.
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_enter, struct pt_regs* regs, long id) {
  if (!traced()) return 0;
  struct pending* p = pending_of(1);
  if (!p) return 0;
  if (!wanted_nr(id)) {
    p->active = 0;
    return 0;
  }
  start(p, id);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_exit, struct pt_regs* regs, long ret) {
  if (!traced()) return 0;
  return finish();
}

// The bitmap first: an unselected syscall costs the tracepoint and one array lookup.
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_early_enter, struct pt_regs* regs, long id) {
  if (!wanted_nr(id) || !traced()) return 0;
  struct pending* p = pending_of(1);
  if (p) start(p, id);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_early_exit, struct pt_regs* regs, long ret) {
  if (!wanted_nr(regs->orig_ax) || !traced()) return 0;
  return finish();
}

// The bitmap first at entry; at exit the calls entered as selected, whatever regs->orig_ax says
// by then (rt_sigreturn restores it from the signal frame).
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_enter_early_enter, struct pt_regs* regs, long id) {
  if (!wanted_nr(id) || !traced()) return 0;
  struct pending* p = pending_of(1);
  if (p) start(p, id);
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_enter_early_exit, struct pt_regs* regs, long ret) {
  if (!traced()) return 0;
  return finish();
}

// The records of the per-syscall tracepoints (events/syscalls/sys_{enter,exit}_*/format).
struct syscall_enter_record {
  __u64 common;
  int nr;
  int pad;
  unsigned long args[6];
};
struct syscall_exit_record {
  __u64 common;
  int nr;
  int pad;
  long ret;
};
// The offsets of the format files.
_Static_assert(__builtin_offsetof(struct syscall_enter_record, nr) == 8, "__syscall_nr");
_Static_assert(__builtin_offsetof(struct syscall_enter_record, args) == 16, "first argument");
_Static_assert(__builtin_offsetof(struct syscall_exit_record, ret) == 16, "ret");

// Attached by the loader to syscalls/sys_enter_NAME (and sys_exit_NAME) of each selected syscall.
SEC("tracepoint/syscalls/sys_enter_openat")
int tp_sys_enter(struct syscall_enter_record* rec) {
  if (!traced()) return 0;
  struct pending* p = pending_of(1);
  if (p) start(p, rec->nr);
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tp_sys_exit(struct syscall_exit_record* rec) {
  (void)rec;
  if (!traced()) return 0;
  return finish();
}

// Attached to the first selected syscall by libbpf; the loader loads the same (relocated)
// instructions again for each other selected syscall.
SEC("fentry/__x64_sys_openat")
int BPF_PROG(fentry_enter, struct pt_regs* regs) {
  if (!traced()) return 0;
  struct pending* p = pending_of(1);
  if (p) start(p, regs->orig_ax);
  return 0;
}

SEC("fexit/__x64_sys_openat")
int BPF_PROG(fexit_exit, struct pt_regs* regs, long ret) {
  if (!traced()) return 0;
  return finish();
}

SEC("kprobe.multi")
int kmulti_enter(struct pt_regs* ctx) {
  if (!traced()) return 0;
  struct pending* p = pending_of(1);
  if (p) start(p, (long)bpf_get_attach_cookie(ctx));
  return 0;
}

SEC("kretprobe.multi")
int kmulti_exit(struct pt_regs* ctx) {
  if (!traced()) return 0;
  return finish();
}

char LICENSE[] SEC("license") = "GPL";
