// SPDX-License-Identifier: GPL-2.0
// The kernel side of dtruss's eBPF backend: one generic program pair on the raw syscall
// tracepoints. It copies bytes only (the capture plan of each syscall says which); user space
// decodes them with the same decoders as the ptrace backend.
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

// The few kernel types used, relocated against the running kernel's BTF (CO-RE).
struct pt_regs {
  unsigned long di, si, dx, r10, r8, r9, ip, sp, bp;
} __attribute__((preserve_access_index));
struct vm_area_struct {
  unsigned long vm_start, vm_end;
} __attribute__((preserve_access_index));
struct sched_entity {
  unsigned long long sum_exec_runtime;
} __attribute__((preserve_access_index));
struct signal_struct {
  struct {
    int counter;
  } live;
} __attribute__((preserve_access_index));
struct sigpending {
  struct {
    unsigned long sig[1];
  } signal;
} __attribute__((preserve_access_index));
struct task_struct {
  struct sigpending pending;
  int pid;
  int tgid;
  int exit_code;
  struct sched_entity se;
  struct signal_struct *signal;
} __attribute__((preserve_access_index));

// Configuration, set by user space before load.
const volatile int follow_forks = 0;    // -f: add children of traced processes
const volatile int all_processes = 0;   // --all: every process but dtruss
const volatile int filter_syscalls = 0; // -t: only the syscalls in `wanted`
const volatile int self_tgid = 0;       // dtruss itself, never traced
// -n NAME (name_mode 1: running and future processes of that name) or -W NAME (name_mode 2:
// those that start from now on); a prefix match either way, as dtruss's.
const volatile int name_mode = 0;
const volatile char name_filter[16] = {};
const volatile dt_u32 data_max = 64;    // --strsize: bytes of each buffer behind an iovec
const volatile dt_u32 stack_bytes = 0;  // -s: bytes of user stack copied per call (0: no -s)

// Processes (thread-group ids) being traced.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, dt_u32);
  __type(value, dt_u8);
} tgids SEC(".maps");

// -t: the selected syscall numbers.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, dt_u8);
} wanted SEC(".maps");

// The capture plan of each syscall number.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, struct dt_plan);
} plans SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20);  // resized by user space (-b)
} events SEC(".maps");

// Events that did not fit in the ring buffer, per CPU.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, dt_u64);
} lost SEC(".maps");

#define DT_EXEC_BUF 8192
#define DT_ENVP_MAX 4096  // envp entries counted at most
// A syscall in progress, per thread: its entry, for execve the captures that must be taken
// before the call replaces the memory they live in, and the buffer its event is assembled in.
// (Per thread, not per CPU: BPF programs are preemptible, so a per-CPU buffer could be
// overwritten by another thread's event half-way through.)
struct pending {
  dt_u64 enter_ns;
  dt_u64 cpu_at_enter;
  dt_s64 nr;
  dt_u64 args[6];
  dt_u32 active;
  dt_u32 exec_ncap;
  dt_u32 exec_len;
  dt_u32 pad;
  dt_u64 argv_ptrs[64];  // execve's argv pointers (DT_ARGV_MAX + 1 used; 64 for masking)
  dt_u8 exec_buf[DT_EXEC_BUF];
  dt_u8 out[DT_SCRATCH];
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct pending);
} inflight SEC(".maps");

#define NR_EXECVE 59
#define NR_EXIT 60
#define NR_EXIT_GROUP 231
#define NR_EXECVEAT 322

static __always_inline int traced_tgid(dt_u32 tgid) {
  if (tgid == (dt_u32)self_tgid) return 0;
  if (all_processes) return 1;
  return bpf_map_lookup_elem(&tgids, &tgid) != 0;
}

static __always_inline int name_matches(void) {
  char comm[16];
  bpf_get_current_comm(comm, sizeof(comm));
  for (int i = 0; i < 16; i++) {
    if (name_filter[i] == 0) return i > 0;  // the name is a prefix of the comm
    if (comm[i] == 0) return 0;
    if (comm[i] != name_filter[i]) return 0;
  }
  return 1;  // a 15-byte comm that the (longer) name starts with
}

static __always_inline void add_tgid(dt_u32 tgid) {
  dt_u8 one = 1;
  bpf_map_update_elem(&tgids, &tgid, &one, BPF_ANY);
}

// Whether the current process is traced; with -n, a process of that name joins the trace here,
// at its first syscall since dtruss started.
static __always_inline int traced_now(dt_u32 tgid) {
  if (traced_tgid(tgid)) return 1;
  if (name_mode == 1 && tgid != (dt_u32)self_tgid && name_matches()) {
    add_tgid(tgid);
    return 1;
  }
  return 0;
}

static __always_inline int wanted_nr(long nr) {
  if (!filter_syscalls) return 1;
  if (nr < 0 || nr >= DT_NR_MAX) return 0;
  dt_u32 key = (dt_u32)nr;
  dt_u8* on = bpf_map_lookup_elem(&wanted, &key);
  return on && *on;
}

static __always_inline void count_lost(void) {
  dt_u32 zero = 0;
  dt_u64* n = bpf_map_lookup_elem(&lost, &zero);
  if (n) __sync_fetch_and_add(n, 1);
}

// Wake the consumer only when enough has accumulated; it also polls on a timer.
static __always_inline dt_u64 wakeup_flags(void) {
  dt_u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
  return avail >= (256 << 10) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

// Appends one capture (header + bytes) at *off in buf; returns the bytes used (0: nothing).
static __always_inline dt_u32 put_capture(dt_u8* buf, dt_u32 off, dt_u64 addr, dt_u32 shape,
                                          dt_u64 len) {
  off &= (DT_SCRATCH / 2 - 1);
  struct dt_capture* c = (struct dt_capture*)(buf + off);
  if ((void*)(c + 1) > (void*)(buf + DT_SCRATCH)) return 0;
  if (len > DT_MAX_CAPTURE) len = DT_MAX_CAPTURE;
  long n;
  if (shape == DT_CSTRING) {
    n = bpf_probe_read_user_str(buf + off + sizeof(*c), len & (DT_MAX_CAPTURE * 2 - 1),
                                (const void*)addr);
  } else {
    n = bpf_probe_read_user(buf + off + sizeof(*c), len & (DT_MAX_CAPTURE * 2 - 1),
                            (const void*)addr)
            ? -1
            : (long)len;
  }
  if (n <= 0) return 0;
  c->addr = addr;
  c->len = (dt_u32)n;
  c->flags = 0;
  return (dt_u32)(sizeof(*c) + (((dt_u32)n + 7) & ~7u));
}

// The loops below run as bpf_loop() callbacks: the verifier checks a callback once instead of
// every unrolled iteration, which keeps program load (dtruss's start-up) fast.

struct exec_ctx {
  struct pending* p;
  dt_u64 envp;
  dt_u32 off;
  dt_u32 ncap;
  dt_u32 got;
};

// One argv string, i-th, into exec_buf; ends the loop at the NULL or a fault.
static long argv_string(dt_u32 i, struct exec_ctx* x) {
  struct pending* p = x->p;
  dt_u64 ptr = p->argv_ptrs[i & 63];
  if (ptr == 0 || x->off > 4095) return 1;  // the end, or exec_buf is full
  dt_u32 off = x->off & 4095;
  struct dt_capture* c = (struct dt_capture*)(p->exec_buf + off);
  long n = bpf_probe_read_user_str(p->exec_buf + off + sizeof(*c), 256, (const void*)ptr);
  if (n <= 0) return 1;
  c->addr = ptr;
  c->len = (dt_u32)n;
  c->flags = 0;
  // Stored masked (a no-op: it stays below 8192) so that the verifier sees the same range at
  // every iteration and checks the callback once, not once per possible offset.
  x->off = (off + sizeof(*c) + (((dt_u32)n + 7) & ~7u)) & (DT_EXEC_BUF - 1);
  x->ncap++;
  return 0;
}

// The i-th pointer of envp: ends the loop at its NULL (x->got: the entries with the NULL).
static long envp_entry(dt_u32 i, struct exec_ctx* x) {
  dt_u64 ptr = 0;
  if (bpf_probe_read_user(&ptr, sizeof(ptr), (const void*)(x->envp + (dt_u64)i * 8))) return 1;
  if (ptr != 0) return 0;
  x->got = i + 1;
  return 1;
}

// execve's filename and argv (and the size of envp), captured at entry: a successful exec
// replaces the memory they are in before the syscall returns.
static __always_inline void capture_exec(struct pending* p) {
  dt_u64 filename = p->nr == NR_EXECVEAT ? p->args[1] : p->args[0];
  dt_u64 argv = p->nr == NR_EXECVEAT ? p->args[2] : p->args[1];
  dt_u64 envp = p->nr == NR_EXECVEAT ? p->args[3] : p->args[2];
  struct exec_ctx x = {.p = p, .envp = envp};
  p->exec_ncap = 0;
  p->exec_len = 0;
  dt_u8* buf = p->exec_buf;
  if (filename) {
    struct dt_capture* c = (struct dt_capture*)buf;
    long n = bpf_probe_read_user_str(buf + sizeof(*c), 1024, (const void*)filename);
    if (n > 0) {
      c->addr = filename;
      c->len = (dt_u32)n;
      c->flags = 0;
      x.off = sizeof(*c) + (((dt_u32)n + 7) & ~7u);
      x.ncap++;
    }
  }
  if (argv && bpf_probe_read_user(p->argv_ptrs, (DT_ARGV_MAX + 1) * 8, (const void*)argv) == 0) {
    // The pointer array itself, up to its NULL, then each string.
    dt_u32 count = DT_ARGV_MAX + 1;
    for (int i = 0; i <= DT_ARGV_MAX; i++) {
      if (p->argv_ptrs[i] == 0) {
        count = i + 1;
        break;
      }
    }
    dt_u32 off = x.off & 2047;
    struct dt_capture* c = (struct dt_capture*)(buf + off);
    c->addr = argv;
    c->len = count * 8;
    c->flags = 0;
    bpf_probe_read_kernel(buf + off + sizeof(*c), (count * 8) & 511, p->argv_ptrs);
    x.off = off + sizeof(*c) + count * 8;
    x.ncap++;
    p->argv_ptrs[DT_ARGV_MAX] = 0;  // at most DT_ARGV_MAX strings
    bpf_loop(DT_ARGV_MAX, argv_string, &x, 0);
  }
  if (envp && x.off <= 4095 - sizeof(struct dt_capture)) {
    // Only its length matters (shown as a count): count the entries up to its NULL, one read
    // each, and send the count alone (DT_CAP_COUNTED).
    bpf_loop(DT_ENVP_MAX, envp_entry, &x, 0);
    if (x.got) {
      struct dt_capture* c = (struct dt_capture*)(buf + (x.off & 4095));
      c->addr = envp;
      c->len = x.got * 8;
      c->flags = DT_CAP_COUNTED;
      x.off += sizeof(*c);
      x.ncap++;
    }
  }
  p->exec_ncap = x.ncap;
  p->exec_len = x.off;
}

static __always_inline struct dt_syscall* start_event(dt_u8* buf, struct pending* p,
                                                      dt_u64 pid_tgid) {
  struct dt_syscall* e = (struct dt_syscall*)buf;
  e->type = DT_SYSCALL;
  e->pid = pid_tgid >> 32;
  e->tid = (dt_u32)pid_tgid;
  e->enter_ns = p->enter_ns;
  e->nr = p->nr;
  for (int i = 0; i < 6; i++) e->args[i] = p->args[i];
  bpf_get_current_comm(e->comm, sizeof(e->comm));
  return e;
}

// struct user_msghdr (include/linux/socket.h): the layout of the C library's struct msghdr.
struct dt_msghdr {
  dt_u64 name;
  dt_u32 namelen;
  dt_u32 pad;
  dt_u64 iov;
  dt_u64 iovlen;
  dt_u64 control;
  dt_u64 controllen;
  dt_u32 flags;
  dt_u32 pad2;
};

struct plan_ctx {
  struct pending* p;
  struct dt_plan* plan;
  long ret;
  dt_u32 off;
  dt_u32 ncap;
  dt_u64 msg_addr;       // a msghdr to capture after the plan's steps (DT_MSGHDR_*)
  dt_u64 iov;            // an iovec array whose buffers to capture after the steps
  dt_u64 iov_count;
  dt_u64 iov_budget;     // bytes still to show: what the call transferred (out), or all (in)
  struct dt_msghdr msg;  // the msghdr's copy
};

// Appends a capture to the event of x (see put_capture); false when nothing was copied.
static __always_inline int add_capture(struct plan_ctx* x, dt_u64 addr, dt_u32 shape, dt_u64 len) {
  struct pending* p = x->p;
  if (!p || x->off >= DT_SCRATCH / 2) return 0;  // the event is full
  dt_u32 used = put_capture(p->out, x->off, addr, shape, len);
  if (!used) return 0;
  x->off = ((x->off & (DT_SCRATCH / 2 - 1)) + used) & (DT_SCRATCH - 1);
  x->ncap++;
  return 1;
}

// The data of the i-th iovec of x->iov: at most data_max bytes of it.
static long iov_data(dt_u32 i, struct plan_ctx* x) {
  dt_u64 v[2];
  if (bpf_probe_read_user(v, sizeof(v), (const void*)(x->iov + (dt_u64)i * 16))) return 1;
  // The size copied depends on the buffer only, never on the budget: the verifier then need
  // not track the budget exactly and checks this callback in one pass. (The decoder shows no
  // more than the call transferred; a few extra bytes of the last buffer cost nothing.)
  dt_u64 len = v[1] < data_max ? v[1] : data_max;
  if (v[0] && len) add_capture(x, v[0], DT_BYTES, len);
  if (v[1] >= x->iov_budget) return 1;
  x->iov_budget -= v[1];
  return 0;
}

// The i-th piece of the msghdr in x->msg: 0 the msghdr itself, 1 its name, 2 its control data.
static long msghdr_piece(dt_u32 i, struct plan_ctx* x) {
  dt_u64 addr = x->msg_addr, len = sizeof(struct dt_msghdr);
  if (i == 1) {
    addr = x->msg.name;
    len = x->msg.namelen < 128 ? x->msg.namelen : 128;
  } else if (i == 2) {
    addr = x->msg.control;
    len = x->msg.controllen < DT_MAX_CONTROL ? x->msg.controllen : DT_MAX_CONTROL;
  }
  if (addr && len) add_capture(x, addr, DT_BYTES, len);
  return 0;
}

// One step of the syscall's capture plan, at exit.
static long plan_step(dt_u32 i, struct plan_ctx* x) {
  struct dt_plan* plan = x->plan;
  struct pending* p = x->p;
  dt_u64 k = i;
  asm volatile("" : "+r"(k));  // bound-check the register that indexes, not a copy of it
  if (!plan || !p || k >= DT_MAX_STEPS || k >= plan->n) return 1;
  struct dt_step s = plan->steps[k];
  if (s.arg >= 6) return 1;
  dt_u64 addr = p->args[s.arg];
  if (addr == 0) return 0;
  dt_u64 len = s.max;
  if (s.shape != DT_CSTRING) {
    if (s.len == DT_LEN_RET) {
      if (x->ret <= 0) return 0;
      len = (dt_u64)x->ret;
    } else if (s.len >= 0 && s.len < 6) {
      len = p->args[s.len & 7];
    }
    if (s.elem) len *= s.elem;
    if (len > s.max) len = s.max;
  }
  dt_u64 budget = s.shape == DT_IOVECS_OUT || s.shape == DT_MSGHDR_OUT
                      ? (x->ret > 0 ? (dt_u64)x->ret : 0)
                      : ~0ull;
  // Nested data is taken after the steps (one level of bpf_loop keeps verification quick).
  if (s.shape == DT_MSGHDR_IN || s.shape == DT_MSGHDR_OUT) {
    x->msg_addr = addr;
    x->iov_budget = budget;
  } else if (s.shape == DT_IOVECS_IN || s.shape == DT_IOVECS_OUT) {
    x->iov = addr;
    x->iov_count = len / 16;
    x->iov_budget = budget;
  } else if (len) {
    add_capture(x, addr, s.shape, len);
  }
  return 0;
}

// What the plan's steps left for later: a msghdr's pieces, then an iovec array and its data.
static __always_inline void capture_nested(struct plan_ctx* x) {
  if (x->msg_addr &&
      bpf_probe_read_user(&x->msg, sizeof(x->msg), (const void*)x->msg_addr) == 0) {
    bpf_loop(3, msghdr_piece, x, 0);
    x->iov = x->msg.iov;
    x->iov_count = x->msg.iovlen;
  }
  dt_u64 count = x->iov_count < DT_MAX_IOV ? x->iov_count : DT_MAX_IOV;
  if (!x->iov || !count || !add_capture(x, x->iov, DT_BYTES, count * 16)) return;
  if (x->iov_budget) bpf_loop(count, iov_data, x, 0);
}

// bpf_find_vma's callback: where the mapping that holds the stack pointer ends.
static long stack_vma_end(struct task_struct* task, struct vm_area_struct* vma, dt_u64* end) {
  *end = BPF_CORE_READ(vma, vm_end);
  return 0;
}

// -s: the registers and the top of the user stack, for user space to unwind with DWARF. A read
// that crosses the end of the stack's mapping would fail whole: it stops at that end.
static __always_inline void capture_stack(struct task_struct* task, struct pt_regs* regs,
                                          dt_u64 pid_tgid) {
  struct dt_stack* s = bpf_ringbuf_reserve(&events, sizeof(*s) + stack_bytes, 0);
  if (!s) {
    count_lost();
    return;
  }
  s->type = DT_STACK;
  s->pad0 = 0;
  s->size = sizeof(*s) + stack_bytes;
  s->pid = pid_tgid >> 32;
  s->tid = (dt_u32)pid_tgid;
  s->ip = regs->ip;
  s->sp = regs->sp;
  s->bp = regs->bp;
  s->pad1 = 0;
  dt_u64 end = 0;
  dt_u64 n = stack_bytes;
  if (bpf_find_vma(task, s->sp, stack_vma_end, &end, 0) == 0 && end > s->sp && end - s->sp < n)
    n = end - s->sp;
  if (n > stack_bytes) n = stack_bytes;
  if (bpf_probe_read_user((dt_u8*)(s + 1), n, (const void*)s->sp)) n = 0;
  s->len = (dt_u32)n;
  bpf_ringbuf_submit(s, BPF_RB_FORCE_WAKEUP);  // promptly: the process's mappings are read live
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs* regs, long id) {
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_now(pid_tgid >> 32)) return 0;
  struct task_struct* task = bpf_get_current_task_btf();
  struct pending* p =
      bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (!p) return 0;
  if (!wanted_nr(id)) {
    p->active = 0;
    return 0;
  }
  p->nr = id;
  p->args[0] = regs->di;
  p->args[1] = regs->si;
  p->args[2] = regs->dx;
  p->args[3] = regs->r10;
  p->args[4] = regs->r8;
  p->args[5] = regs->r9;
  p->exec_len = 0;
  p->exec_ncap = 0;
  p->cpu_at_enter = BPF_CORE_READ(task, se.sum_exec_runtime);
  p->enter_ns = bpf_ktime_get_ns();
  p->active = 1;
  if (stack_bytes) capture_stack(task, regs, pid_tgid);
  if (id == NR_EXECVE || id == NR_EXECVEAT) capture_exec(p);
  if (id == NR_EXIT || id == NR_EXIT_GROUP) {
    // These never reach sys_exit: the event is complete now.
    p->active = 0;
    dt_u8* buf = p->out;
    struct dt_syscall* e = start_event(buf, p, pid_tgid);
    e->exit_ns = 0;
    e->cpu_ns = ~0ull;
    e->ret = 0;
    e->end = DT_NORETURN;
    e->ncap = 0;
    e->size = sizeof(*e);
    if (bpf_ringbuf_output(&events, buf, sizeof(*e), BPF_RB_FORCE_WAKEUP)) count_lost();
  }
  return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs* regs, long ret) {
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_tgid(pid_tgid >> 32)) return 0;
  struct task_struct* task = bpf_get_current_task_btf();
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, 0);
  if (!p || !p->active) return 0;
  p->active = 0;
  dt_u8* buf = p->out;
  struct dt_syscall* e = start_event(buf, p, pid_tgid);
  e->exit_ns = bpf_ktime_get_ns();
  e->cpu_ns = BPF_CORE_READ(task, se.sum_exec_runtime) - p->cpu_at_enter;
  e->ret = ret;
  // A SIGKILL pending (kill(getpid(), SIGKILL), another thread's exit_group): the thread dies
  // on its way back to user space.
  e->end = (BPF_CORE_READ(task, pending.signal.sig[0]) & (1ul << (9 - 1))) ? DT_UNFINISHED
                                                                           : DT_RETURNED;
  dt_u32 off = sizeof(*e);
  dt_u32 ncap = 0;
  if (p->exec_ncap) {
    dt_u32 len = p->exec_len;
    if (len > DT_EXEC_BUF) len = DT_EXEC_BUF;
    if (bpf_probe_read_kernel(buf + off, len & (DT_EXEC_BUF * 2 - 1), p->exec_buf) == 0) {
      off += len;
      ncap += p->exec_ncap;
    }
  }
  dt_u32 key = (dt_u32)p->nr;
  struct dt_plan* plan = key < DT_NR_MAX ? bpf_map_lookup_elem(&plans, &key) : 0;
  struct plan_ctx x = {.p = p, .plan = plan, .ret = ret, .off = off, .ncap = ncap};
  if (plan) {
    bpf_loop(DT_MAX_STEPS, plan_step, &x, 0);
    capture_nested(&x);
  }
  off = x.off;
  ncap = x.ncap;
  e->ncap = ncap;
  off &= (DT_SCRATCH - 1);
  e->size = off;
  if (off < sizeof(*e)) return 0;
  if (bpf_ringbuf_output(&events, buf, off, wakeup_flags())) count_lost();
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct* parent, struct task_struct* child) {
  if (!follow_forks || all_processes) return 0;
  dt_u32 ptgid = BPF_CORE_READ(parent, tgid);
  dt_u32 ctgid = BPF_CORE_READ(child, tgid);
  if (ptgid == ctgid || !bpf_map_lookup_elem(&tgids, &ptgid)) return 0;
  dt_u8 one = 1;
  bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY);
  return 0;
}

// -n and -W: a program of that name starts (its name is set by now); it is traced from its
// first syscall on.
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct* p) {
  if (name_mode == 0) return 0;
  dt_u32 tgid = BPF_CORE_READ(p, tgid);
  if (tgid != (dt_u32)self_tgid && name_matches()) add_tgid(tgid);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_process_exit, struct task_struct* p) {
  dt_u32 tgid = BPF_CORE_READ(p, tgid);
  if (!traced_tgid(tgid)) return 0;
  if (BPF_CORE_READ(p, signal, live.counter) != 0) return 0;  // other threads live on
  struct dt_exit e = {};
  e.type = DT_EXIT;
  e.size = sizeof(e);
  e.pid = tgid;
  e.tid = BPF_CORE_READ(p, pid);
  e.ts_ns = bpf_ktime_get_ns();
  e.exit_code = BPF_CORE_READ(p, exit_code);
  bpf_get_current_comm(e.comm, sizeof(e.comm));
  if (bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_FORCE_WAKEUP)) count_lost();
  if (!all_processes) bpf_map_delete_elem(&tgids, &tgid);
  return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, void* info, void* ka) {
  if (sig == 9) return 0;  // SIGKILL is never "delivered" to a handler: its end says it all
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_tgid(pid_tgid >> 32)) return 0;
  struct dt_signal e = {};
  e.type = DT_SIGNAL;
  e.size = sizeof(e);
  e.pid = pid_tgid >> 32;
  e.tid = (dt_u32)pid_tgid;
  e.ts_ns = bpf_ktime_get_ns();
  e.signo = sig;
  bpf_get_current_comm(e.comm, sizeof(e.comm));
  if (info) bpf_probe_read_kernel(e.info, sizeof(e.info), info);
  if (bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_FORCE_WAKEUP)) count_lost();
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
