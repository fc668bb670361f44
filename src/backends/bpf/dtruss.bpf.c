// SPDX-License-Identifier: GPL-2.0
// The kernel side of dtruss's eBPF backend: one generic program pair on the raw syscall
// tracepoints. It copies bytes only (the capture plan of each syscall says which); user space
// decodes them with the same decoders as the ptrace backend.
// bpf_helpers.h uses the types of linux/bpf.h, which must come first.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
// clang-format on

#include "events.h"

// A kernel pointer the verifier takes as untrusted. Walking a trusted pointer's pointer fields
// (task->se.cfs_rq, t->sighand) makes the verifier search the kernel's whole BTF, by name, for a
// "__safe_trusted" type of each: about 0.5 ms of dtruss's start-up per field visited. Through an
// untrusted pointer it searches nothing, and the loads are the same at run time (the verifier
// turns the cast into a plain move). Kernels before 6.2 have no such cast: there the pointer stays
// as it is (weak: libbpf sets the function's address to 0, the verifier drops the other branch).
extern void* bpf_rdonly_cast(const void* obj, __u32 btf_id) __ksym __weak;
#define UNTRUSTED(type, ptr) \
  (bpf_rdonly_cast ? (type*)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)) : (type*)(ptr))

// The few kernel types used, relocated against the running kernel's BTF (CO-RE).
struct pt_regs {
  unsigned long di, si, dx, r10, r8, r9, ip, sp, bp, orig_ax;
} __attribute__((preserve_access_index));
struct qstr {
  const unsigned char* name;
} __attribute__((preserve_access_index));
struct dentry {
  struct dentry* d_parent;
  struct qstr d_name;
} __attribute__((preserve_access_index));
struct vfsmount {
  struct dentry* mnt_root;
} __attribute__((preserve_access_index));
struct mount {
  struct mount* mnt_parent;
  struct dentry* mnt_mountpoint;
  struct vfsmount mnt;
} __attribute__((preserve_access_index));
struct path {
  struct vfsmount* mnt;
  struct dentry* dentry;
} __attribute__((preserve_access_index));
struct super_block {
  unsigned int s_dev;
} __attribute__((preserve_access_index));
struct inode {
  unsigned long i_ino;
  struct super_block* i_sb;
} __attribute__((preserve_access_index));
struct file {
  struct path f_path;
  struct inode* f_inode;
} __attribute__((preserve_access_index));
struct fs_struct {
  struct path root;
} __attribute__((preserve_access_index));
struct vm_area_struct {
  unsigned long vm_start, vm_end, vm_pgoff;
  struct file* vm_file;
  unsigned long vm_flags;
} __attribute__((preserve_access_index));
#define DT_VM_WRITE 0x2ul  // include/linux/mm.h
#define DT_EFAULT 14       // include/uapi/asm-generic/errno-base.h
// A CPU's runqueue (kernel/sched/sched.h): its clock and task clock at their last update; found
// through the running task's CFS runqueue (the per-CPU `runqueues` is not in every kernel's
// kallsyms).
struct rq {
  unsigned long long clock;
  unsigned long long clock_task;
} __attribute__((preserve_access_index));
struct cfs_rq {
  struct rq* rq;
} __attribute__((preserve_access_index));
struct sched_entity {
  unsigned long long exec_start;
  unsigned long long sum_exec_runtime;
  struct cfs_rq* cfs_rq;
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
struct mm_struct {
  unsigned long arg_start;
  unsigned long arg_end;
  unsigned long saved_auxv[2];
} __attribute__((preserve_access_index));
struct linux_binprm {
  const char* filename;
  int argc;
} __attribute__((preserve_access_index));
struct sigaction {
  void* sa_handler;
} __attribute__((preserve_access_index));
struct k_sigaction {
  struct sigaction sa;
} __attribute__((preserve_access_index));
struct sighand_struct {
  struct k_sigaction action[64];
} __attribute__((preserve_access_index));
struct task_struct {
  struct mm_struct* mm;
  struct sigpending pending;
  struct {
    unsigned long sig[1];
  } blocked, real_blocked;
  int pid;
  int tgid;
  int exit_code;
  struct sched_entity se;
  struct signal_struct* signal;
  struct sighand_struct* sighand;
  struct fs_struct* fs;
  char comm[16];
} __attribute__((preserve_access_index));

// Where a path walk stops: dtruss's own root, as /proc/PID/fd's links (d_path) stop at the root
// of whoever reads them. So the paths are the ones the ptrace backend reads and dtruss can open
// (-s reads the mapped files), also when dtruss runs in a chroot or a container, and a process
// chrooted below dtruss's root shows the paths that dtruss sees. Taken from dtruss's first
// system call after the load (on_sys_enter); until then, or where the walk never meets it (a
// file outside that root), it goes on to the root of everything, as d_path does.
struct walk_root {
  struct dentry* dentry;
  struct mount* mnt;
};
dt_u64 reader_root_dentry = 0, reader_root_mnt = 0;
static __always_inline void keep_reader_root(struct task_struct* self) {
  struct vfsmount* vm = BPF_CORE_READ(self, fs, root.mnt);
  if (!vm) return;
  reader_root_mnt = (dt_u64)((char*)vm - bpf_core_field_offset(struct mount, mnt));
  reader_root_dentry = (dt_u64)BPF_CORE_READ(self, fs, root.dentry);
}
static __always_inline struct walk_root root_of(void) {
  struct walk_root r = {.dentry = (struct dentry*)reader_root_dentry,
                        .mnt = (struct mount*)reader_root_mnt};
  return r;
}

// Configuration, set by user space before load.
const volatile int follow_forks = 0;     // -f: add children of traced processes
const volatile int all_processes = 0;    // --all: every process but dtruss
const volatile int filter_syscalls = 0;  // -t: only the syscalls in `wanted`
const volatile int self_tgid = 0;        // dtruss itself, never traced
// -n NAME (name_mode 1: running and future processes of that name) or -W NAME (name_mode 2:
// those that start from now on); a prefix match either way, as dtruss's.
const volatile int name_mode = 0;
const volatile char name_filter[16] = {};
const volatile dt_u32 data_max = 64;  // --strsize: bytes of each buffer behind an iovec
// execve's strings: the bytes of each read at most (--strsize + 2: the shown part, one more byte
// that tells it is longer, and the NUL), and with -v the environment's strings too.
const volatile dt_u32 exec_str_max = 66;
const volatile int exec_env_strings = 0;
// Timestamps and durations (want_time) and the CPU time of each call (want_cpu, -o): only when
// the output shows them (-d, -e, -o, -c, JSON, a timeline); each clock read costs about 30 ns.
const volatile int want_time = 1;
const volatile int want_cpu = 1;
const volatile dt_u32 stack_bytes = 0;  // -s: bytes of user stack copied per call (0: no -s)
const volatile int describe_fds = 0;    // -y: the fd table a child starts with comes from fork
// --summary: count in the kernel (summary_by 0: per syscall, 1: also per process, 2: per thread)
// and send no syscall events (user space loads on_sys_enter_count/on_sys_exit_count instead of
// on_sys_enter/on_sys_exit).
const volatile int summary_by = 0;

// Processes (thread-group ids) being traced. (Not preallocated: 65,536 entries made up front
// cost milliseconds of start-up, for a map that seldom holds more than a few.)
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
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

// The plans that a syscall's selecting argument picks (dt_plan.sel): an ioctl's by its request.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, DT_SEL_PLANS);
  __type(key, struct dt_sel_key);
  __type(value, struct dt_plan);
} sel_plans SEC(".maps");

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

// --summary's counts (per CPU: no atomics on the hot path; user space adds the CPUs up).
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, struct dt_agg_key);
  __type(value, struct dt_agg);
} aggs SEC(".maps");
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, struct dt_err_key);
  __type(value, dt_u64);
} agg_errs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, struct dt_agg);
} agg_zero SEC(".maps");  // all zeros: the first value of a new aggs entry
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, struct dt_agg);
} sums SEC(".maps");  // --summary per syscall only: indexed by the number

// --summary: the processes seen calling (their first traced call), for the closing line.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, dt_u32);
  __type(value, dt_u8);
} seen SEC(".maps");

// --summary: the syscall a thread is in (nr < 0: none) and since when.
struct started {
  dt_u64 enter_ns;
  dt_s64 nr;
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct started);
} in_call SEC(".maps");

#define DT_EXEC_BUF 8192
#define DT_MAX_UNREAD 4     // unreadable buffers of one call told (a power of 2)
#define DT_EXEC_PTRS 256    // argv (or envp) entries kept at most, with the NULL (a power of 2)
#define DT_MISSING_PATH 1u  // execve's path
#define DT_MISSING_ARGV 2u  // one of argv's strings
#define DT_EXEC_PATH 4096   // execve's path: the kernel's limit with its NUL (kPathMax)
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
  dt_u32 exec_missing;  // what capture_exec could not read (DT_MISSING_*)
  dt_u32 exec_got;      // capture_exec's loops: the array entries taken
  dt_u32 exec_end;      // and whether they reached its NULL
  // The event being assembled in `out`: its length and captures so far. Kept here rather than
  // in the loops' context: read back from a map they are plain unknown numbers to the verifier,
  // which then checks each loop callback once instead of once per range of values.
  dt_u32 out_len;
  dt_u32 out_ncap;
  // What the plan's steps leave for capture_nested, and a step's length: kept here for the same
  // reason (the verifier's work on on_sys_exit: 5,162 instructions processed -> 2,707).
  dt_u64 nest_msg;
  dt_u64 nest_iov;
  dt_u64 nest_iov_count;
  dt_u64 big_addr;  // a capture larger than DT_MAX_CAPTURE, sent as DT_CHUNK records
  dt_u64 big_len;
  // A fatal signal the thread sent itself during this call (see on_signal_generate): told after
  // the call's event; and `fatal` while the process dies of a signal that kills by default.
  dt_u32 has_deferred;
  dt_u32 fatal;
  struct dt_signal deferred;
  dt_u64 step_len;
  // Buffers of this call that could not be read (DT_CAP_FILE): their addresses, for the
  // DT_MAP_DATA records sent before the call's record.
  dt_u32 n_unread;
  dt_u32 pad3;
  dt_u64 unread[DT_MAX_UNREAD];
  dt_u64 argv_ptrs[DT_EXEC_PTRS];  // execve's argv (or envp) pointers, before they are sent
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
#define NR_CLONE3 435

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

// ---- Without CAP_SYS_PTRACE: only the processes the caller could ptrace (events.h, dt_deny) ----

// Set by user space before load when dtruss lacks CAP_SYS_PTRACE: its real uid and gid and its
// effective capabilities, which a process must match to be traced (kernel/ptrace.c's
// __ptrace_may_access: the same real, effective and saved ids, dumpable; security/commoncap.c: no
// permitted capability the caller lacks).
const volatile int restrict_creds = 0;
const volatile dt_u32 caller_uid = 0;
const volatile dt_u32 caller_gid = 0;
const volatile dt_u64 caller_caps = 0;

// The kernel's types, as flavours of their own (relocated against the running kernel's BTF).
struct kid___dt {
  unsigned int val;
};
struct cred___dt {
  struct kid___dt uid, gid, suid, sgid, euid, egid;
  struct {
    dt_u64 val;
  } cap_permitted;  // (read as 8 bytes: before 6.3 it was two 32-bit words, low first)
} __attribute__((preserve_access_index));
struct mm_struct___dt_word {  // mm->flags before 6.18: a word
  unsigned long flags;
} __attribute__((preserve_access_index));
struct mm_struct___dt_bitmap {  // since: a bitmap (mm_flags_t), its first word the same
  struct {
    unsigned long __mm_flags[1];
  } flags;
} __attribute__((preserve_access_index));
struct task_struct___dt {
  const struct cred___dt* real_cred;
  struct mm_struct___dt_word* mm;
  int tgid;
  char comm[16];
} __attribute__((preserve_access_index));

// The processes met that the caller may not trace (told once each, and not taken up by -n),
// until they end.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 4096);
  __type(key, dt_u32);
  __type(value, dt_u8);
} foreign SEC(".maps");

// Why the caller may not trace `task` (a DT_DENY_*), in the kernel's order; 0 when it may (and
// always with CAP_SYS_PTRACE).
static __always_inline dt_u32 creds_deny(void* task) {
  if (!restrict_creds) return 0;
  struct task_struct___dt* t = task;
  const struct cred___dt* c = BPF_CORE_READ(t, real_cred);
  if (!c) return DT_DENY_USER;
  if (BPF_CORE_READ(c, uid.val) != caller_uid || BPF_CORE_READ(c, euid.val) != caller_uid ||
      BPF_CORE_READ(c, suid.val) != caller_uid)
    return DT_DENY_USER;
  if (BPF_CORE_READ(c, gid.val) != caller_gid || BPF_CORE_READ(c, egid.val) != caller_gid ||
      BPF_CORE_READ(c, sgid.val) != caller_gid)
    return DT_DENY_GROUP;
  struct mm_struct___dt_word* mm = BPF_CORE_READ(t, mm);
  if (mm) {  // get_dumpable(mm): the low two bits of the flags, SUID_DUMP_USER (1) or not
    unsigned long flags = 0;
    if (bpf_core_field_exists(struct mm_struct___dt_bitmap, flags))
      bpf_probe_read_kernel(&flags, sizeof(flags), &((struct mm_struct___dt_bitmap*)mm)->flags);
    else
      flags = BPF_CORE_READ(mm, flags);
    if ((flags & 3) != 1) return DT_DENY_DUMPABLE;
  }
  dt_u64 caps = 0;
  bpf_probe_read_kernel(&caps, sizeof(caps), &c->cap_permitted);
  if (caps & ~caller_caps) return DT_DENY_CAPS;
  return 0;
}

// Tells user space that `task` is not (or no longer) traced, and why.
static __always_inline void send_untraced(void* task, dt_u32 at, dt_u32 why, dt_u32 parent,
                                          const char* path) {
  struct task_struct___dt* t = task;
  struct dt_untraced* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    dt_u32 zero = 0;
    dt_u64* n = bpf_map_lookup_elem(&lost, &zero);
    if (n) __sync_fetch_and_add(n, 1);
    return;
  }
  e->type = DT_UNTRACED;
  e->at = at;
  e->size = sizeof(*e);
  e->pid = BPF_CORE_READ(t, tgid);
  e->parent = parent;
  e->why = why;
  e->uid = BPF_CORE_READ(t, real_cred, euid.val);
  bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), &t->comm);
  e->path[0] = 0;
  if (path) bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
  bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

// Marks a process as one the caller may not trace; true the first time.
static __always_inline int mark_foreign(dt_u32 tgid) {
  dt_u8 one = 1;
  return bpf_map_update_elem(&foreign, &tgid, &one, BPF_NOEXIST) == 0;
}

// -n/-W: the current process, whose name matches, joins the trace unless the caller may not
// trace it (then user space hears of it once). At an exec its credentials are looked at anew.
static __always_inline int name_join(dt_u32 tgid, int at_exec) {
  if (restrict_creds) {
    if (at_exec) bpf_map_delete_elem(&foreign, &tgid);
    if (bpf_map_lookup_elem(&foreign, &tgid)) return 0;
    struct task_struct* t = bpf_get_current_task_btf();
    dt_u32 why = creds_deny(t);
    if (why) {
      if (mark_foreign(tgid)) send_untraced(t, DT_UNTRACED_NAME, why, 0, 0);
      return 0;
    }
  }
  add_tgid(tgid);
  return 1;
}

// A traced process execs a program that runs with other credentials (set-user-ID or
// set-group-ID, file capabilities) or is not dumpable: the caller could not ptrace it now, so its
// trace ends here (ptrace would run the program without its privileges; here it has them). Its
// per-thread state goes (after an exec the process has one thread): nothing of it is sent again.
static __always_inline int untrace_at_exec(struct task_struct* p, dt_u32 tgid,
                                           struct linux_binprm* bprm) {
  dt_u32 why = creds_deny(p);
  if (!why) return 0;
  bpf_map_delete_elem(&tgids, &tgid);
  bpf_task_storage_delete(&inflight, p);
  bpf_task_storage_delete(&in_call, p);
  mark_foreign(tgid);  // (-n does not take it up again)
  send_untraced(p, DT_UNTRACED_EXEC, why, 0, BPF_CORE_READ(bprm, filename));
  return 1;
}

// ---- end of the CAP_SYS_PTRACE section ----

// Whether the current process is traced; with -n, a process of that name joins the trace here,
// at its first syscall since dtruss started.
static __always_inline int traced_now(dt_u32 tgid) {
  if (traced_tgid(tgid)) return 1;
  if (name_mode == 1 && tgid != (dt_u32)self_tgid && name_matches()) return name_join(tgid, 0);
  return 0;
}

static __always_inline int wanted_nr(long nr) {
  if (!filter_syscalls) return 1;
  if (nr < 0 || nr >= DT_NR_MAX) return 0;
  dt_u32 key = (dt_u32)nr;
  dt_u8* on = bpf_map_lookup_elem(&wanted, &key);
  return on && *on;
}

// At a call's exit: whether it may be a selected one (-t). rt_sigreturn returns with the signal
// frame's orig_ax, -1: a negative number is left to what the entry recorded.
static __always_inline int wanted_at_exit(struct pt_regs* regs) {
  long nr = regs->orig_ax;
  return nr < 0 || wanted_nr(nr);
}

static __always_inline void count_lost(void) {
  dt_u32 zero = 0;
  dt_u64* n = bpf_map_lookup_elem(&lost, &zero);
  if (n) __sync_fetch_and_add(n, 1);
}

// Bytes this CPU has written since it last woke the consumer.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, dt_u64);
} unwoken SEC(".maps");
const volatile dt_u64 wake_bytes = 1 << 20;  // set by user space from -b and the CPUs

// Wake the consumer only when this CPU has written another wake_bytes since its last wake-up
// (the consumer also polls on a timer): each wake-up is an interrupt on the traced program's
// CPU. Counted per CPU, not read from the ring (bpf_ringbuf_query reads the consumer's
// position, a cache line the consumer's CPU keeps writing).
static __always_inline dt_u64 wakeup_flags(dt_u64 size) {
  dt_u32 zero = 0;
  dt_u64* n = bpf_map_lookup_elem(&unwoken, &zero);
  if (!n) return BPF_RB_NO_WAKEUP;
  *n += size;
  if (*n < wake_bytes) return BPF_RB_NO_WAKEUP;
  *n = 0;
  return BPF_RB_FORCE_WAKEUP;
}

// Fills in a capture's header.
static __always_inline void set_capture(struct dt_capture* c, dt_u64 addr, dt_u32 len,
                                        dt_u32 flags) {
  c->addr = addr;
  c->len = len;
  c->flags = flags;
}

// Appends one capture (header + bytes) at *off in buf; returns the bytes used (0: nothing). When
// `defer`, memory that cannot be read (a page never brought in) still gets a header, with
// DT_CAP_FILE and no bytes: sizeof(struct dt_capture) is returned.
static __always_inline dt_u32 put_capture(dt_u8* buf, dt_u32 off, dt_u64 addr, dt_u32 shape,
                                          dt_u64 len, int defer) {
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
                            (const void*)addr);
    if (n == 0) n = (long)len;
  }
  if (n == -DT_EFAULT && defer && len) {
    set_capture(c, addr, (dt_u32)len, DT_CAP_FILE | (shape == DT_CSTRING ? DT_CAP_STRING : 0));
    return sizeof(*c);
  }
  if (n <= 0) return 0;
  set_capture(c, addr, (dt_u32)n, 0);
  return (dt_u32)(sizeof(*c) + (((dt_u32)n + 7) & ~7u));
}

// The loops below run as bpf_loop() callbacks: the verifier checks a callback once instead of
// every unrolled iteration, which keeps program load (dtruss's start-up) fast.

// (The counts and offsets of the loops below are kept in `pending`, not in their context: read
// back from a map they are plain unknown numbers to the verifier, which then checks each
// callback once instead of once per range of values, and the code after it once.)
struct exec_ctx {
  struct pending* p;
  dt_u64 argv;   // the caller's argv
  dt_u64 arr;    // the caller's argv or envp
  dt_u32 limit;  // the end of exec_buf's part for arr's strings and pointers
};

// The i-th string of x->arr, into exec_buf (at most exec_str_max bytes with its NUL); its pointer
// into argv_ptrs. Ends the loop at the NULL, at a fault, or when exec_buf has no room left for
// the string and, after the strings, the pointer array and envp's count.
static long exec_string(dt_u32 i, struct exec_ctx* x) {
  struct pending* p = x->p;
  dt_u64 ptr = 0;
  if (bpf_probe_read_user(&ptr, sizeof(ptr), (const void*)(x->arr + (dt_u64)i * 8))) return 1;
  if (ptr == 0) {
    p->exec_end = 1;
    return 1;
  }
  // The room left before x->limit, less the pointer array's entries (this one and the NULL) and
  // the captures' headers; a string longer than that is cut there.
  dt_u32 off = p->exec_len;
  dt_u32 used = off + (i + 2) * 8 + 4 * sizeof(struct dt_capture);
  if (used + 8 > x->limit) return 1;
  dt_u32 want = x->limit - used;
  if (want > exec_str_max) want = exec_str_max;
  off &= DT_EXEC_BUF - 1;
  struct dt_capture* c = (struct dt_capture*)(p->exec_buf + off);
  long n = bpf_probe_read_user_str(p->exec_buf + off + sizeof(*c), want & (DT_EXEC_BUF - 1),
                                   (const void*)ptr);
  if (n > 0) {
    // Filled: the string is longer; sent without the NUL the helper put in its last byte, which
    // the decoder shows as cut.
    if ((dt_u32)n == want) n--;
    set_capture(c, ptr, (dt_u32)n, 0);
    p->exec_len = off + sizeof(*c) + (((dt_u32)n + 7) & ~7u);
    p->exec_ncap++;
  } else if (x->arr == x->argv) {
    p->exec_missing |= DT_MISSING_ARGV;  // the pointer alone, unless on_exec finds the string
  }
  p->argv_ptrs[i & (DT_EXEC_PTRS - 1)] = ptr;
  p->exec_got = i + 1;
  return 0;
}

// The i-th pointer of envp: ends the loop at its NULL (exec_got: the entries with the NULL).
static long envp_entry(dt_u32 i, struct exec_ctx* x) {
  dt_u64 ptr = 0;
  if (bpf_probe_read_user(&ptr, sizeof(ptr), (const void*)(x->arr + (dt_u64)i * 8))) return 1;
  if (ptr != 0) return 0;
  x->p->exec_got = i + 1;
  return 1;
}

// The strings of a NULL-terminated array (argv, or envp with -v), then the pointer array: the
// entries taken, and the NULL when it was reached (without it the decoder marks the array cut).
static __always_inline void capture_strings(struct exec_ctx* x, dt_u64 arr, dt_u32 limit) {
  struct pending* p = x->p;
  x->arr = arr;
  x->limit = limit;
  p->exec_got = 0;
  p->exec_end = 0;
  bpf_loop(DT_EXEC_PTRS - 1, exec_string, x, 0);
  dt_u32 count = p->exec_got & (DT_EXEC_PTRS - 1);
  if (p->exec_end) p->argv_ptrs[count++ & (DT_EXEC_PTRS - 1)] = 0;
  dt_u32 off = p->exec_len & (DT_EXEC_BUF - 1);
  if (count == 0 || off + sizeof(struct dt_capture) + count * 8 > DT_EXEC_BUF) return;
  struct dt_capture* c = (struct dt_capture*)(p->exec_buf + off);
  set_capture(c, arr, count * 8, 0);
  bpf_probe_read_kernel(p->exec_buf + off + sizeof(*c), (count * 8) & (DT_EXEC_PTRS * 8 * 2 - 1),
                        p->argv_ptrs);
  p->exec_len = off + sizeof(*c) + count * 8;
  p->exec_ncap++;
}

// execve's filename, argv, and envp (its strings with -v, else its size), taken at entry: a
// successful exec replaces the memory they are in before the syscall returns. A path longer than
// the kernel's limit (kPathMax) is sent without its NUL (cut); so is a string longer than
// exec_str_max; arrays end where exec_buf is full, without their NULL (cut). What could not be
// read is noted for on_exec.
static __always_inline void capture_exec(struct pending* p) {
  int at = p->nr == NR_EXECVEAT;  // execveat(dirfd, filename, argv, envp, flags)
  dt_u64 filename = p->args[at], argv = p->args[at + 1], envp = p->args[at + 2];
  struct exec_ctx x = {.p = p, .argv = argv};
  dt_u8* buf = p->exec_buf;
  p->exec_missing = 0;
  p->exec_ncap = 0;
  p->exec_len = 0;
  if (filename) {
    struct dt_capture* c = (struct dt_capture*)buf;
    long n = bpf_probe_read_user_str(buf + sizeof(*c), DT_EXEC_PATH + 1, (const void*)filename);
    if (n > 0) {
      if (n == DT_EXEC_PATH + 1) n--;  // longer than any path: cut
      set_capture(c, filename, (dt_u32)n, 0);
      p->exec_len = sizeof(*c) + (((dt_u32)n + 7) & ~7u);
      p->exec_ncap = 1;
    } else {
      p->exec_missing |= DT_MISSING_PATH;
    }
  }
  // With -v, argv leaves a quarter of the buffer to envp.
  if (argv) capture_strings(&x, argv, exec_env_strings ? DT_EXEC_BUF * 3 / 4 : DT_EXEC_BUF);
  if (envp && exec_env_strings) {
    capture_strings(&x, envp, DT_EXEC_BUF);
  } else if (envp) {
    // Only its length matters (shown as a count): count the entries up to its NULL, one read
    // each, and send the count alone (DT_CAP_COUNTED).
    x.arr = envp;
    p->exec_got = 0;
    bpf_loop(DT_ENVP_MAX, envp_entry, &x, 0);
    dt_u32 got = p->exec_got, off = p->exec_len;
    if (got && off + sizeof(struct dt_capture) <= DT_EXEC_BUF) {
      struct dt_capture* c = (struct dt_capture*)(buf + (off & (DT_EXEC_BUF - 1)));
      set_capture(c, envp, got * 8, DT_CAP_COUNTED);
      p->exec_len = off + sizeof(*c);
      p->exec_ncap++;
    }
  }
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
  // Two loads from the task (a BTF pointer), cheaper than the helper's string copy.
  struct task_struct* t = bpf_get_current_task_btf();
  __builtin_memcpy(e->comm, t->comm, sizeof(e->comm));
  return e;
}

// The thread's CPU time at `now` (bpf_ktime_get_ns): what the scheduler has accounted, plus the
// time it has run since (sum_exec_runtime alone moves only at scheduler events and ticks, so a
// short call would show 0): from exec_start to this CPU's last clock update, both on its task
// clock, then from that update to now. (Each CPU's task clock leaves out its own interrupt and
// steal time, so it runs apart from ktime by a different offset on each CPU: `now - exec_start`
// was wrong by that difference when a call slept on one CPU and woke on the other.) The rq clock
// and ktime differ by one offset on every CPU, which cancels out between entry and exit.
static __always_inline dt_u64 cpu_clock(struct task_struct* trusted, dt_u64 now) {
  struct task_struct* task = UNTRUSTED(struct task_struct, trusted);
  struct rq* rq = task->se.cfs_rq->rq;
  return task->se.sum_exec_runtime + (rq->clock_task - task->se.exec_start) + (now - rq->clock);
}

// The end of a call: when, the CPU time it took, its result, and how it ended.
static __always_inline void end_event(struct dt_syscall* e, struct pending* p,
                                      struct task_struct* task, long ret) {
  e->exit_ns = want_time ? bpf_ktime_get_ns() : 0;
  e->cpu_ns = 0;
  if (want_cpu) {
    dt_u64 cpu = cpu_clock(task, e->exit_ns) - p->cpu_at_enter;
    dt_u64 took = e->exit_ns - p->enter_ns;
    e->cpu_ns = (dt_s64)cpu < 0 ? 0 : cpu > took ? took : cpu;  // the clocks differ a little
  }
  e->ret = ret;
  // A SIGKILL pending (kill(getpid(), SIGKILL), another thread's exit_group): the thread dies
  // on its way back to user space.
  // (Not when the SIGKILL stands for a signal that kills by default, which the kernel turns into
  // one at once: under ptrace that signal is delivered after the call, which returns.)
  e->end =
      (task->pending.signal.sig[0] & (1ul << (9 - 1))) && !p->fatal ? DT_UNFINISHED : DT_RETURNED;
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
  dt_u64 msg_addr;  // a msghdr to capture after the plan's steps (DT_MSGHDR_*)
  dt_u64 iov;       // an iovec array whose buffers to capture after the steps
  dt_u64 iov_count;
  struct dt_msghdr msg;  // the msghdr's copy
};

// Appends a capture to the event of x (see put_capture); false when nothing was copied.
static __always_inline int add_capture(struct plan_ctx* x, dt_u64 addr, dt_u32 shape, dt_u64 len) {
  struct pending* p = x->p;
  if (!p || p->out_len >= DT_SCRATCH / 2) return 0;  // the event is full
  dt_u32 used = put_capture(p->out, p->out_len, addr, shape, len, p->n_unread < DT_MAX_UNREAD);
  if (!used) return 0;
  if (used == sizeof(struct dt_capture)) p->unread[p->n_unread++ & (DT_MAX_UNREAD - 1)] = addr;
  p->out_len = ((p->out_len & (DT_SCRATCH / 2 - 1)) + used) & (DT_SCRATCH - 1);
  p->out_ncap++;
  return 1;
}

// The data of the i-th iovec of x->iov: at most data_max bytes of it.
static long iov_data(dt_u32 i, struct plan_ctx* x) {
  dt_u64 v[2];
  if (bpf_probe_read_user(v, sizeof(v), (const void*)(x->iov + (dt_u64)i * 16))) return 1;
  // The size copied depends on the buffer only, never on what the call transferred: the
  // decoder shows no more than that (its return value), and a budget tracked here doubled the
  // verifier's work (dtruss's start-up). A few bytes too many of a short readv cost nothing.
  dt_u64 len = v[1] < data_max ? v[1] : data_max;
  if (v[0] && len) add_capture(x, v[0], DT_BYTES, len);
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
    } else if (s.len <= DT_LEN_AT(0) && s.len >= DT_LEN_AT(5)) {
      dt_s32 n = 0;  // an int: a negative one copies nothing
      if (bpf_probe_read_user(&n, sizeof(n), (const void*)p->args[(DT_LEN_AT(0) - s.len) & 7]) ||
          n <= 0)
        return 0;
      len = (dt_u64)n;
    } else if (s.len <= DT_LEN_PAGES(0) && s.len >= DT_LEN_PAGES(5)) {
      dt_u64 bytes = p->args[(DT_LEN_PAGES(0) - s.len) & 7];
      len = (bytes >> 12) + ((bytes & 4095) != 0);
    }
    if (s.elem) len *= s.elem;
    if (len > s.max) len = s.max;
  }
  // Read back from map memory, the length is the same unknown number on every path above, so
  // the verifier can prune them where they meet.
  p->step_len = len;
  asm volatile("" ::: "memory");
  len = *(volatile dt_u64*)&p->step_len;
  // Nested data is taken after the steps (one level of bpf_loop keeps verification quick).
  if (s.shape == DT_MSGHDR_IN || s.shape == DT_MSGHDR_OUT) {
    p->nest_msg = addr;
  } else if (s.shape == DT_IOVECS_IN || s.shape == DT_IOVECS_OUT) {
    p->nest_iov = addr;
    p->nest_iov_count = len / 16;
  } else if (len > DT_MAX_CAPTURE && s.shape == DT_BYTES && !p->big_addr) {
    p->big_addr = addr;  // (sent after the steps: chunk_step)
    p->big_len = len;
  } else if (len) {
    add_capture(x, addr, s.shape, len);
  }
  return 0;
}

struct chunk_ctx {
  struct pending* p;
};

// The i-th DT_MAX_CAPTURE bytes of the call's big capture, as a DT_CHUNK record (in exec_buf,
// free by then) sent before the call's record.
static long chunk_step(dt_u32 i, struct chunk_ctx* x) {
  struct pending* p = x->p;
  if (!p) return 1;
  dt_u64 done = (dt_u64)i * DT_MAX_CAPTURE;
  if (done >= p->big_len) return 1;
  dt_u64 len = p->big_len - done;
  if (len > DT_MAX_CAPTURE) len = DT_MAX_CAPTURE;
  asm volatile("" : "+r"(len));   // bound the register that is passed, not a copy of it
  len &= DT_MAX_CAPTURE * 2 - 1;  // (a no-op: it is at most DT_MAX_CAPTURE)
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct dt_chunk* c = (struct dt_chunk*)p->exec_buf;
  c->type = DT_CHUNK;
  c->pad0 = 0;
  c->pid = pid_tgid >> 32;
  c->tid = (dt_u32)pid_tgid;
  c->addr = p->big_addr + done;
  c->pad1 = 0;
  if (bpf_probe_read_user(p->exec_buf + sizeof(*c), len, (const void*)c->addr)) return 1;
  c->len = (dt_u32)len;
  dt_u64 size = sizeof(*c) + ((len + 7) & ~7ull);
  c->size = (dt_u32)size;
  if (bpf_ringbuf_output(&events, c, size, wakeup_flags(size))) count_lost();
  return 0;
}

// The header of the big capture in the call's record; its bytes go in DT_CHUNK records first.
static __always_inline void capture_big(struct pending* p) {
  if (!p->big_addr || p->out_len >= DT_SCRATCH / 2) return;
  struct dt_capture* c = (struct dt_capture*)(p->out + (p->out_len & (DT_SCRATCH / 2 - 1)));
  set_capture(c, p->big_addr, (dt_u32)p->big_len, DT_CAP_CHUNKED);
  p->out_len = (p->out_len + sizeof(*c)) & (DT_SCRATCH - 1);
  p->out_ncap++;
  struct chunk_ctx x = {.p = p};
  bpf_loop(DT_MAX_BIG / DT_MAX_CAPTURE, chunk_step, &x, 0);
}

// What the plan's steps left for later: a msghdr's pieces, then an iovec array and its data.
static __always_inline void capture_nested(struct plan_ctx* x) {
  if (x->msg_addr && bpf_probe_read_user(&x->msg, sizeof(x->msg), (const void*)x->msg_addr) == 0) {
    bpf_loop(3, msghdr_piece, x, 0);
    x->iov = x->msg.iov;
    x->iov_count = x->msg.iovlen;
  }
  dt_u64 count = x->iov_count < DT_MAX_IOV ? x->iov_count : DT_MAX_IOV;
  if (!x->iov || !count || !add_capture(x, x->iov, DT_BYTES, count * 16)) return;
  bpf_loop(count, iov_data, x, 0);
}

// The plan of the call in p: its syscall's, or the one its selecting argument picks.
static __always_inline struct dt_plan* plan_of(struct pending* p) {
  dt_u32 key = (dt_u32)p->nr;
  struct dt_plan* plan = key < DT_NR_MAX ? bpf_map_lookup_elem(&plans, &key) : 0;
  if (plan && plan->sel) {  // a plan of its own for this value of the selecting argument
    struct dt_sel_key sk = {.nr = key, .value = (dt_u32)p->args[(plan->sel - 1) & 7]};
    struct dt_plan* selected = bpf_map_lookup_elem(&sel_plans, &sk);
    if (selected) plan = selected;
  }
  return plan;
}

struct entry_ctx {
  struct pending* p;
  struct dt_plan* plan;
  dt_u32 off;
  dt_u32 ncap;
};

#define DT_ENTRY_MAX 2040  // bytes of one entry copy (a 255-element pollfd array)

// One entry step: the bytes of an in/out argument as the caller passed them, into exec_buf
// (unused by calls other than execve) as a DT_CAP_ENTRY capture; the exit sends them along.
static long entry_step(dt_u32 i, struct entry_ctx* x) {
  struct dt_plan* plan = x->plan;
  struct pending* p = x->p;
  dt_u64 k = i;
  asm volatile("" : "+r"(k));  // bound-check the register that indexes, not a copy of it
  if (!plan || !p || k >= DT_MAX_STEPS || k >= plan->n_entry) return 1;
  struct dt_step s = plan->entry[k];
  if (s.arg >= 6) return 1;
  dt_u64 addr = p->args[s.arg];
  dt_u64 len = s.max;
  if (s.len >= 0 && s.len < 6) len = p->args[s.len & 7];
  if (s.elem) len *= s.elem;
  if (len > s.max) len = s.max;
  if (len > DT_ENTRY_MAX) len = DT_ENTRY_MAX;
  len &= 2047;
  if (addr == 0 || len == 0) return 0;
  if (x->off > 4095) return 1;  // exec_buf is full enough
  dt_u32 off = x->off & 4095;
  struct dt_capture* c = (struct dt_capture*)(p->exec_buf + off);
  if (bpf_probe_read_user(p->exec_buf + off + sizeof(*c), len, (const void*)addr)) return 0;
  set_capture(c, addr, (dt_u32)len, DT_CAP_ENTRY);
  x->off = (off + sizeof(*c) + (((dt_u32)len + 7) & ~7u)) & (DT_EXEC_BUF - 1);
  x->ncap++;
  return 0;
}

// The plan's entry steps (in/out arguments as passed), sent with the call's exit.
static __always_inline void capture_entry(struct pending* p) {
  struct dt_plan* plan = plan_of(p);
  if (!plan || plan->n_entry == 0) return;
  struct entry_ctx x = {.p = p, .plan = plan};
  bpf_loop(DT_MAX_STEPS, entry_step, &x, 0);
  p->exec_ncap = x.ncap;
  p->exec_len = x.off;
}

// One step of a binary search for the top bit, without a branch: when *v has a bit above its
// low 2^k bits, shifts them out and returns 2^k, else returns 0. (C - v) >> 63 is 1 exactly when
// v > C (v below 2^63).
static __always_inline dt_u64 top_bit_step(dt_u64* v, int k) {
  dt_u64 s = (((1ull << (1 << k)) - 1 - *v) >> 63) << k;
  *v >>= s;
  return s;
}

// floor(log2(v)) + 1, 0 for 0: the log2 bucket of a duration (v below 2^63). Branch-free: each
// branch of a binary search would double the paths the verifier walks (5,176 instructions
// processed instead of 357, 4 ms of start-up).
static __always_inline dt_u32 log2_bucket(dt_u64 v) {
  dt_u64 r = top_bit_step(&v, 5);
  r |= top_bit_step(&v, 4);
  r |= top_bit_step(&v, 3);
  r |= top_bit_step(&v, 2);
  r |= top_bit_step(&v, 1);
  r |= top_bit_step(&v, 0);
  return (dt_u32)(r + ((0 - v) >> 63));  // + 1 unless v was 0
}

// The command dtruss started: its set-up before its execve is dtruss's, not the command's.
volatile dt_u32 cmd_tgid = 0;  // set by user space once the child exists
volatile int cmd_started = 0;  // its exec happened
// Its exec stops it (SIGSTOP, before the new program's first instruction) until user space has
// written what comes before the trace and continues it: neither signal is shown.
volatile int cmd_stop = 0;      // set by user space: stop it
volatile int cmd_stopping = 0;  // the SIGSTOP is on its way
volatile int cmd_resuming = 0;  // set by user space: the SIGCONT is on its way

// --summary: one more call of nr (dur_ns < 0: it never returned), failed with err (0: did not).
// Per syscall only (the default), the counts are a per-CPU array indexed by the number: the
// cheapest map there is (the verifier inlines its lookup).
static __always_inline void count_call(dt_u64 pid_tgid, long nr, long long dur_ns, long err) {
  if (!cmd_started && (pid_tgid >> 32) == cmd_tgid) return;
  struct dt_agg_key key = {.nr = (dt_u32)nr};
  struct dt_agg* a;
  if (summary_by == 0) {
    a = bpf_map_lookup_elem(&sums, &key.nr);
    if (!a) return;
  } else {
    key.id = summary_by == 1 ? pid_tgid >> 32 : (dt_u32)pid_tgid;
    if (summary_by == 2) key.tgid = pid_tgid >> 32;
    a = bpf_map_lookup_elem(&aggs, &key);
    if (!a) {
      dt_u32 z = 0;
      struct dt_agg* zero = bpf_map_lookup_elem(&agg_zero, &z);  // too big for the stack
      if (!zero) return;
      bpf_map_update_elem(&aggs, &key, zero, BPF_NOEXIST);
      a = bpf_map_lookup_elem(&aggs, &key);
      if (!a) return;
      bpf_get_current_comm(a->comm, sizeof(a->comm));
    }
  }
  a->calls++;
  if (dur_ns >= 0) {
    a->total_ns += dur_ns;
    if ((dt_u64)dur_ns > a->max_ns) a->max_ns = dur_ns;
    a->buckets[log2_bucket(dur_ns) & 63]++;
  }
  if (err) {
    struct dt_err_key ek = {.nr = key.nr, .id = key.id, .tgid = key.tgid, .err = (dt_s32)err};
    dt_u64* n = bpf_map_lookup_elem(&agg_errs, &ek);
    if (n) {
      (*n)++;
    } else {
      dt_u64 one = 1;
      bpf_map_update_elem(&agg_errs, &ek, &one, BPF_NOEXIST);
    }
  }
}

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

// -s: the mappings behind the frames (events.h, struct dt_map).

struct path_ctx {
  struct dentry* dentry;
  struct mount* mnt;
  char* path;  // DT_PATH_MAX bytes
  dt_u32 len;
  struct walk_root root;  // where it stops
};

// One step of a path walk towards the root, crossing mount points: appends the dentry's name
// (components innermost first, each NUL-terminated); ends the loop at the root.
static long path_step(dt_u32 i, struct path_ctx* x) {
  struct dentry* d = x->dentry;
  struct mount* m = x->mnt;
  if (!d || !m || !x->path) return 1;
  if (d == x->root.dentry && m == x->root.mnt) return 1;  // the process's root
  if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
    struct mount* parent = BPF_CORE_READ(m, mnt_parent);
    if (!parent || parent == m) return 1;  // the root of everything
    x->dentry = BPF_CORE_READ(m, mnt_mountpoint);
    x->mnt = parent;
    return 0;
  }
  struct dentry* up = BPF_CORE_READ(d, d_parent);
  if (!up || up == d) return 1;
  dt_u32 off = x->len;
  if (off >= DT_PATH_MAX / 2) return 1;  // too long: the path stays cut
  long n = bpf_probe_read_kernel_str(x->path + (off & (DT_PATH_MAX / 2 - 1)), DT_PATH_MAX / 2,
                                     BPF_CORE_READ(d, d_name.name));
  if (n <= 0) return 1;
  x->len = off + (dt_u32)n;
  x->dentry = up;
  return 0;
}

// Sends a DT_MAP record for the file mapping that holds `addr` (nothing for anonymous memory).
struct vma_info {
  dt_u64 start, end, pgoff, flags;
  struct file* file;
};
static long vma_info_of(struct task_struct* task, struct vm_area_struct* vma,
                        struct vma_info* out) {
  out->start = BPF_CORE_READ(vma, vm_start);
  out->end = BPF_CORE_READ(vma, vm_end);
  out->pgoff = BPF_CORE_READ(vma, vm_pgoff);
  out->file = BPF_CORE_READ(vma, vm_file);
  out->flags = BPF_CORE_READ(vma, vm_flags);
  return 0;
}

// Sends, from `buf` (sizeof(struct dt_map) + DT_PATH_MAX bytes), a DT_MAP record of the given
// kind for the file mapping that holds `addr`; DT_MAP_DATA only for a mapping without write.
static __always_inline void send_map_from(dt_u8* buf, struct task_struct* task, dt_u32 tgid,
                                          dt_u64 addr, dt_u16 kind) {
  struct vma_info v = {};
  if (bpf_find_vma(task, addr, vma_info_of, &v, 0) != 0 || !v.file) return;
  if (kind == DT_MAP_DATA && (v.flags & DT_VM_WRITE)) return;
  struct file* file = v.file;
  struct dt_map* rec = (struct dt_map*)buf;
  rec->ino = 0;
  rec->dev = 0;
  rec->tid = 0;
  if (kind == DT_MAP_DATA) {
    rec->ino = BPF_CORE_READ(file, f_inode, i_ino);
    rec->dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
    rec->tid = (dt_u32)bpf_get_current_pid_tgid();
  }
  rec->type = DT_MAP;
  rec->kind = kind;
  rec->pid = tgid;
  rec->start = v.start;
  rec->end = v.end;
  rec->pgoff = v.pgoff;
  struct vfsmount* vm = BPF_CORE_READ(file, f_path.mnt);
  struct path_ctx x = {
      .dentry = BPF_CORE_READ(file, f_path.dentry),
      .mnt = (struct mount*)((char*)vm - bpf_core_field_offset(struct mount, mnt)),
      .path = (char*)(rec + 1),
      .root = root_of(),
  };
  bpf_loop(64, path_step, &x, 0);
  rec->path_len = x.len;
  rec->size = sizeof(*rec) + DT_PATH_MAX;
  if (bpf_ringbuf_output(&events, rec, sizeof(*rec) + DT_PATH_MAX, 0)) count_lost();
}

static __always_inline void send_map(struct task_struct* task, struct pending* p, dt_u32 tgid,
                                     dt_u64 addr, dt_u16 kind) {
  send_map_from(p->out, task, tgid, addr, kind);  // (p->out is free between entry and exit)
}

// The DT_MAP_DATA records of the buffers of p's call that could not be read, sent before its
// record (exec_buf is free by then: its captures are in the record).
struct unread_ctx {
  struct pending* p;
};
static long unread_map(dt_u32 i, struct unread_ctx* x) {
  struct pending* p = x->p;
  if (!p) return 1;
  send_map_from(p->exec_buf, bpf_get_current_task_btf(), bpf_get_current_pid_tgid() >> 32,
                p->unread[i & (DT_MAX_UNREAD - 1)], DT_MAP_DATA);
  return 0;
}
static __always_inline void send_unmap(dt_u32 tgid, dt_u64 start, dt_u64 len) {
  struct dt_map rec = {};
  rec.type = DT_MAP;
  rec.kind = DT_UNMAP;
  rec.size = sizeof(rec);
  rec.pid = tgid;
  rec.start = start;
  rec.end = start + len;
  if (bpf_ringbuf_output(&events, &rec, sizeof(rec), 0)) count_lost();
}

#define NR_MMAP 9
#define NR_MUNMAP 11
#define NR_MREMAP 25
#define DT_PROT_EXEC 4
#define DT_MAP_ANONYMOUS 0x20

// At the exit of mmap, munmap and mremap (whatever -t selected).
static __always_inline void track_mappings(struct task_struct* task, struct pt_regs* regs, long ret,
                                           dt_u32 tgid) {
  long nr = BPF_CORE_READ(regs, orig_ax);
  if (ret < 0 && ret > -4096) return;  // failed
  if (nr == NR_MUNMAP) {
    send_unmap(tgid, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si));
    return;
  }
  if (nr == NR_MREMAP) {  // the old range goes; where it went is mapped anew
    send_unmap(tgid, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si));
  } else if (nr != NR_MMAP) {
    return;
  } else if ((BPF_CORE_READ(regs, r10) & DT_MAP_ANONYMOUS) ||
             (BPF_CORE_READ(regs, r9) != 0 && !(BPF_CORE_READ(regs, dx) & DT_PROT_EXEC))) {
    return;  // a module is named by its first mapping (offset 0) and found by its code
  }
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  if (p) send_map(task, p, tgid, (dt_u64)ret, DT_MAP_FILE);
}

struct auxv_ctx {
  unsigned long* auxv;
  dt_u64 phdr;
  dt_u64 base;
};

// One entry of the new program's auxiliary vector: AT_PHDR (3) is in the executable's first
// mapping, AT_BASE (7) the start of the program interpreter (ld.so).
static long auxv_entry(dt_u32 i, struct auxv_ctx* x) {
  dt_u64 pair[2];
  if (bpf_probe_read_kernel(pair, sizeof(pair), x->auxv + 2 * (dt_u64)i) || pair[0] == 0) return 1;
  if (pair[0] == 3) x->phdr = pair[1];
  if (pair[0] == 7) x->base = pair[1];
  return 0;
}

// A traced process runs a new program: its executable and ld.so, which the kernel mapped.
static __always_inline void exec_mappings(struct task_struct* task, dt_u32 tgid) {
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  struct mm_struct* mm = BPF_CORE_READ(task, mm);
  if (!p || !mm) return;
  struct auxv_ctx x = {
      .auxv = (unsigned long*)((char*)mm + bpf_core_field_offset(struct mm_struct, saved_auxv))};
  bpf_loop(28, auxv_entry, &x, 0);
  if (x.phdr) send_map(task, p, tgid, x.phdr, DT_MAP_EXEC);
  if (x.base) send_map(task, p, tgid, x.base, DT_MAP_FILE);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs* regs, long id) {
  // -y and -s: the root dtruss sees, from its own first call (see root_of).
  if ((describe_fds || stack_bytes) && !reader_root_dentry &&
      (bpf_get_current_pid_tgid() >> 32) == (dt_u32)self_tgid)
    keep_reader_root(bpf_get_current_task_btf());
  // -t: a call not selected costs one array lookup, before anything else (here and at exit);
  // with -n, after the name check, which must see a process's first call (or -f could miss a
  // child it forks before its first selected call).
  if (!name_mode && !wanted_nr(id)) return 0;
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct task_struct* task = bpf_get_current_task_btf();
  // A thread with the storage is traced (it got it below, or -s's mapping programs did, for
  // traced threads only): one lookup instead of two on the hot path.
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, 0);
  if (!p) {
    if (!traced_now(pid_tgid >> 32)) return 0;
    p = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!p) return 0;
  }
  if (name_mode && !wanted_nr(id)) return 0;
  p->nr = id;
  p->args[0] = regs->di;
  p->args[1] = regs->si;
  p->args[2] = regs->dx;
  p->args[3] = regs->r10;
  p->args[4] = regs->r8;
  p->args[5] = regs->r9;
  p->exec_len = 0;
  p->exec_ncap = 0;
  p->enter_ns = want_time ? bpf_ktime_get_ns() : 0;
  p->cpu_at_enter = want_cpu ? cpu_clock(task, p->enter_ns) : 0;
  p->active = 1;
  if (stack_bytes) capture_stack(ctx, task, regs, pid_tgid);
  if (id == NR_EXECVE || id == NR_EXECVEAT)
    capture_exec(p);
  else
    capture_entry(p);
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

static __always_inline void syscall_exit(struct pending* p, struct task_struct* task, long ret);

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs* regs, long ret) {
  if (!wanted_at_exit(regs))
    return 0;  // (a selected call left active by a lost exit
               // is not taken for this one)
  struct task_struct* task = bpf_get_current_task_btf();
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, 0);  // traced threads only
  if (!p || !p->active) return 0;
  p->active = 0;
  syscall_exit(p, task, ret);
  if (p->has_deferred) {  // a fatal signal it sent itself: after the call, as ptrace shows it
    p->has_deferred = 0;
    if (bpf_ringbuf_output(&events, &p->deferred, sizeof(p->deferred), BPF_RB_FORCE_WAKEUP))
      count_lost();
  }
  return 0;
}

static __always_inline void syscall_exit(struct pending* p, struct task_struct* task, long ret) {
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct dt_plan* plan = plan_of(p);
  if (!p->exec_ncap && (!plan || plan->n == 0)) {
    // Nothing to capture (getppid, close, mmap...): the record is written in place in the ring.
    struct dt_syscall* e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
      count_lost();
      return;
    }
    end_event(start_event((dt_u8*)e, p, pid_tgid), p, task, ret);
    e->ncap = 0;
    e->size = sizeof(*e);
    bpf_ringbuf_submit(e, wakeup_flags(sizeof(*e)));
    return;
  }
  dt_u8* buf = p->out;
  struct dt_syscall* e = start_event(buf, p, pid_tgid);
  end_event(e, p, task, ret);
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
  p->out_len = off;
  p->out_ncap = ncap;
  struct plan_ctx x = {.p = p, .plan = plan, .ret = ret};
  p->n_unread = 0;
  if (plan) {
    p->nest_msg = 0;
    p->nest_iov = 0;
    p->nest_iov_count = 0;
    p->big_addr = 0;
    bpf_loop(DT_MAX_STEPS, plan_step, &x, 0);
    capture_big(p);
    x.msg_addr = p->nest_msg;
    x.iov = p->nest_iov;
    x.iov_count = p->nest_iov_count;
    capture_nested(&x);
  }
  if (p->n_unread) {
    struct unread_ctx u = {.p = p};
    bpf_loop(p->n_unread & (DT_MAX_UNREAD * 2 - 1), unread_map, &u, 0);
  }
  off = p->out_len;
  ncap = p->out_ncap;
  e->ncap = ncap;
  off &= (DT_SCRATCH - 1);
  e->size = off;
  if (off < sizeof(*e)) return;
  if (bpf_ringbuf_output(&events, buf, off, wakeup_flags(off))) count_lost();
  return;
}

// --summary's own pair: a timestamp at entry, the counts at exit; nothing else.
SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter_count, struct pt_regs* regs, long id) {
  if (!name_mode && !wanted_nr(id)) return 0;  // (as in on_sys_enter)
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct task_struct* task = bpf_get_current_task_btf();
  // A thread with the storage is traced (it got it below): one lookup instead of two.
  struct started* s = bpf_task_storage_get(&in_call, task, 0, 0);
  if (!s) {
    if (!traced_now(pid_tgid >> 32)) return 0;
    s = bpf_task_storage_get(&in_call, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!s) return 0;
    dt_u32 tgid = pid_tgid >> 32;  // a thread's first traced call
    dt_u8 one = 1;
    bpf_map_update_elem(&seen, &tgid, &one, BPF_NOEXIST);
  }
  if (name_mode && !wanted_nr(id)) return 0;
  if (id == NR_EXIT || id == NR_EXIT_GROUP) {  // they never reach sys_exit
    count_call(pid_tgid, id, -1, 0);
    return 0;
  }
  s->nr = id;
  s->enter_ns = bpf_ktime_get_ns();
  return 0;
}

// Only a thread that entered a counted call has the storage: no need to look its process up.
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_count, struct pt_regs* regs, long ret) {
  if (!wanted_at_exit(regs)) return 0;
  struct started* s = bpf_task_storage_get(&in_call, bpf_get_current_task_btf(), 0, 0);
  if (!s || s->nr < 0) return 0;
  long long dur = (long long)(bpf_ktime_get_ns() - s->enter_ns);
  long nr = s->nr;
  s->nr = -1;
  if (nr >= DT_NR_MAX) return 0;
  count_call(bpf_get_current_pid_tgid(), nr, dur, ret < 0 && ret >= -4095 ? -ret : 0);
  return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct* parent, struct task_struct* child) {
  if (!follow_forks) return 0;
  dt_u32 ptgid = BPF_CORE_READ(parent, tgid);
  dt_u32 ctgid = BPF_CORE_READ(child, tgid);
  if (ptgid == ctgid || !traced_tgid(ptgid)) return 0;
  if (stack_bytes || describe_fds) {  // the child starts with its parent's mappings and fds
    struct dt_fork f = {.type = DT_FORK, .size = sizeof(f), .parent = ptgid, .child = ctgid};
    f.parent_tid = BPF_CORE_READ(parent, pid);
    if (bpf_ringbuf_output(&events, &f, sizeof(f), 0)) count_lost();
  }
  if (all_processes) return 0;
  dt_u32 why = creds_deny(child);
  if (why) {  // (a child with other credentials is not followed)
    mark_foreign(ctgid);
    send_untraced(child, DT_UNTRACED_FORK, why, ptgid, 0);
    return 0;
  }
  dt_u8 one = 1;
  bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY);
  return 0;
}

// A successful execve: what could not be read at entry (this program cannot fault pages in: a
// posix_spawn child passing its parent's string constants) is taken from the copies the kernel
// made: the path from the binprm, argv's strings from the new image's stack (one block,
// DT_CAP_ARGV_BLOCK, with the new image's argc: a script's interpreter, or binfmt_misc, replaced
// argv[0] with strings of its own, which user space skips).
static __always_inline void recapture_exec(struct pending* p, struct linux_binprm* bprm,
                                           struct task_struct* t) {
  int at = p->nr == NR_EXECVEAT;
  dt_u64 filename = p->args[at], argv = p->args[at + 1];
  dt_u8* buf = p->exec_buf;
  dt_u32 off = p->exec_len & (DT_EXEC_BUF - 1);
  struct dt_capture* c;
  // (execveat's binprm names its file /dev/fd/N/...: not what the caller passed)
  if ((p->exec_missing & DT_MISSING_PATH) && filename && !at &&
      off + sizeof(*c) + DT_EXEC_PATH < DT_EXEC_BUF) {
    c = (struct dt_capture*)(buf + off);
    long n = bpf_probe_read_kernel_str(buf + off + sizeof(*c), DT_EXEC_PATH,
                                       BPF_CORE_READ(bprm, filename));
    if (n > 0) {
      set_capture(c, filename, (dt_u32)n, 0);
      off = (off + sizeof(*c) + (((dt_u32)n + 7) & ~7u)) & (DT_EXEC_BUF - 1);
      p->exec_ncap++;
    }
  }
  if ((p->exec_missing & DT_MISSING_ARGV) && argv && off + sizeof(*c) + 8 < DT_EXEC_BUF) {
    dt_u64 start = BPF_CORE_READ(t, mm, arg_start), end = BPF_CORE_READ(t, mm, arg_end);
    dt_u64 len = end > start ? end - start : 0;
    dt_u32 room = DT_EXEC_BUF - off - sizeof(*c);
    if (len > room) len = room;
    c = (struct dt_capture*)(buf + off);
    if (len && bpf_probe_read_user(buf + off + sizeof(*c), len & (DT_EXEC_BUF - 1),
                                   (const void*)start) == 0) {
      dt_u32 argc = (dt_u32)BPF_CORE_READ(bprm, argc);
      set_capture(c, argv, (dt_u32)len, DT_CAP_ARGV_BLOCK | (argc << DT_CAP_ARGC_SHIFT));
      off = (off + sizeof(*c) + (((dt_u32)len + 7) & ~7u)) & (DT_EXEC_BUF * 2 - 1);
      p->exec_ncap++;
    }
  }
  p->exec_len = off;
}

// An exec succeeds: the started command begins; execve's strings that could not be read at
// entry are taken (recapture_exec); with -n and -W a program of that name starts (its name is
// set by now) and is traced from its first syscall on.
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct* p, int old_pid, struct linux_binprm* bprm) {
  dt_u32 tgid = BPF_CORE_READ(p, tgid);
  if (tgid == cmd_tgid && !cmd_started) {
    cmd_started = 1;
    if (cmd_stop) {
      cmd_stopping = 1;
      bpf_send_signal(19);  // SIGSTOP
    }
  }
  if (traced_tgid(tgid) && untrace_at_exec(p, tgid, bprm)) return 0;
  if (traced_tgid(tgid)) {
    struct pending* pd = bpf_task_storage_get(&inflight, p, 0, 0);
    if (pd && pd->active && pd->exec_missing && (pd->nr == NR_EXECVE || pd->nr == NR_EXECVEAT))
      recapture_exec(pd, bprm, p);
  }
  if (name_mode != 0 && tgid != (dt_u32)self_tgid && name_matches()) name_join(tgid, 1);
  return 0;
}

// -s only (user space loads these two programs then, and only then): the mappings that name the
// frames, at the exit of mmap, munmap and mremap, and at an exec.
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_maps, struct pt_regs* regs, long ret) {
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_tgid(pid_tgid >> 32)) return 0;
  track_mappings(bpf_get_current_task_btf(), regs, ret, pid_tgid >> 32);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec_maps, struct task_struct* p) {
  dt_u32 tgid = BPF_CORE_READ(p, tgid);
  if (traced_tgid(tgid)) exec_mappings(p, tgid);
  return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_process_exit, struct task_struct* p) {
  dt_u32 tgid = BPF_CORE_READ(p, tgid);
  if (restrict_creds && BPF_CORE_READ(p, signal, live.counter) == 0)
    bpf_map_delete_elem(&foreign, &tgid);  // (its PID may come back as another process)
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

// The signal event of thread t (pid/tid/comm from t) with the siginfo at info (if any).
static __always_inline void fill_signal(struct dt_signal* e, struct task_struct* t, int sig,
                                        void* info, int stops) {
  __builtin_memset(e, 0, sizeof(*e));
  e->type = DT_SIGNAL;
  e->stops = stops;
  e->size = sizeof(*e);
  e->pid = t->tgid;
  e->tid = t->pid;
  e->ts_ns = bpf_ktime_get_ns();
  e->signo = sig;
  __builtin_memcpy(e->comm, t->comm, sizeof(e->comm));
  // (SEND_SIG_NOINFO and SEND_SIG_PRIV are the "pointers" 0 and 1: no siginfo.)
  if ((unsigned long)info > 4096) bpf_probe_read_kernel(e->info, sizeof(e->info), info);
}

static __always_inline void send_signal(struct task_struct* t, int sig, void* info, int stops) {
  struct dt_signal e;
  fill_signal(&e, t, sig, info, stops);
  if (bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_FORCE_WAKEUP)) count_lost();
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, void* info, struct k_sigaction* ka) {
  if (sig == 9) return 0;  // SIGKILL is never "delivered" to a handler: its end says it all
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_tgid(pid_tgid >> 32)) return 0;
  if (sig == 19 && cmd_stopping && (pid_tgid >> 32) == cmd_tgid) {  // dtruss's own (on_exec)
    cmd_stopping = 0;
    return 0;
  }
  // SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU with their default action: the thread stops (job
  // control), which has no tracepoint of its own. (The kernel ignores the last three in an
  // orphaned process group, which is rare and not told apart here.)
  int stops = (sig == 19 || sig == 20 || sig == 21 || sig == 22) && ka && ka->sa.sa_handler == 0;
  send_signal(bpf_get_current_task_btf(), sig, info, stops);
  return 0;
}

// A signal sent to a traced process that the kernel will not deliver: one it ignores (SIG_IGN,
// or a default action of "ignore": SIGCHLD, SIGURG, SIGWINCH, and SIGCONT, which continues the
// process at sending). It is told here, in the sender's context, as ptrace shows it too (a
// traced thread gets every signal but SIGKILL).
SEC("tp_btf/signal_generate")
int BPF_PROG(on_signal_generate, int sig, void* info, struct task_struct* t, int group,
             int result) {
  if (sig <= 0 || sig >= 64 || sig == 9 || !t || !traced_tgid(t->tgid)) return 0;
  if (sig == 18 && cmd_resuming && t->tgid == cmd_tgid) {  // dtruss's own (see cmd_stop)
    cmd_resuming = 0;
    return 0;
  }
  if (result != 0 && result != 1) return 0;  // queued or ignored (not already pending)
  struct sighand_struct* sh = UNTRUSTED(struct task_struct, t)->sighand;
  if (!sh) return 0;
  unsigned long handler = 0;  // sa_handler, first in struct k_sigaction (a variable index
                              // into a kernel pointer: read with the helper)
  bpf_probe_read_kernel(&handler, sizeof(handler),
                        (char*)sh + bpf_core_field_offset(struct sighand_struct, action) +
                            (dt_u64)((sig - 1) & 63) * bpf_core_type_size(struct k_sigaction));
  int ignored_by_default = sig == 17 || sig == 18 || sig == 23 || sig == 28;
  if (handler == 1 || (handler == 0 && ignored_by_default)) {
    send_signal(t, sig, info, 0);
    return 0;
  }
  // A signal whose default action kills without a core dump (SIGINT, SIGTERM, SIGPIPE...),
  // not blocked: the kernel kills the process at once, with no delivery (no signal_deliver),
  // where under ptrace the signal is delivered, and shown. It is told here: after the call in
  // progress when the thread sent it to itself (as ptrace shows it), at once otherwise.
  const dt_u64 no_kill = (1ul << 9) | (1ul << 17) | (1ul << 18) | (1ul << 19) | (1ul << 20) |
                         (1ul << 21) | (1ul << 22) | (1ul << 23) | (1ul << 28);
  const dt_u64 core = (1ul << 3) | (1ul << 4) | (1ul << 5) | (1ul << 6) | (1ul << 7) | (1ul << 8) |
                      (1ul << 11) | (1ul << 24) | (1ul << 25) | (1ul << 31);
  if (handler != 0 || result != 0 || ((no_kill | core) & (1ul << (sig & 63)))) return 0;
  // (blocked, or waited for in rt_sigtimedwait, which unblocks it in `blocked` meanwhile)
  if ((BPF_CORE_READ(t, blocked.sig[0]) | BPF_CORE_READ(t, real_blocked.sig[0])) &
      (1ul << ((sig - 1) & 63)))
    return 0;
  struct pending* p = bpf_task_storage_get(&inflight, t, 0, 0);
  if (p) p->fatal = 1;
  if (p && p->active && t == bpf_get_current_task_btf()) {
    fill_signal(&p->deferred, t, sig, info, 0);
    p->has_deferred = 1;
    return 0;
  }
  send_signal(t, sig, info, 0);
  return 0;
}

// -y: what an fd refers to after a call that gave it a meaning (events.h, struct dt_fd), read from
// the kernel's own structures at the call's exit: user space cannot ask /proc after the fact (the
// fd may be closed or reused by then, the process gone). Loaded only with -y. The kernel types it
// reads have a ___fd flavour: CO-RE matches them to the kernel's by the name before it.
struct fdtable___fd {
  unsigned int max_fds;
  struct file** fd;
  unsigned long* close_on_exec;
  unsigned long* open_fds;
} __attribute__((preserve_access_index));
struct files_struct___fd {
  struct fdtable___fd* fdt;
} __attribute__((preserve_access_index));
struct task_struct___fd {
  struct files_struct___fd* files;
} __attribute__((preserve_access_index));
struct inode___fd {
  unsigned short i_mode;
  unsigned long i_ino;
} __attribute__((preserve_access_index));
struct super_block___fd {
  unsigned long s_magic;
} __attribute__((preserve_access_index));
struct dentry_operations___fd {
  char* (*d_dname)(struct dentry*, char*, int);
} __attribute__((preserve_access_index));
struct hlist_bl_node___fd {
  struct hlist_bl_node___fd** pprev;
} __attribute__((preserve_access_index));
struct dentry___fd {
  struct hlist_bl_node___fd d_hash;
  struct dentry* d_parent;
  struct qstr d_name;
  const struct dentry_operations___fd* d_op;
  struct super_block___fd* d_sb;
} __attribute__((preserve_access_index));
struct file___fd {
  void* private_data;
  struct inode___fd* f_inode;
  struct path f_path;
} __attribute__((preserve_access_index));
struct in6_addr___fd {
  unsigned char s6_addr[16];
} __attribute__((preserve_access_index));
struct proto___fd {
  char name[32];
} __attribute__((preserve_access_index));
struct sock_common___fd {
  unsigned int skc_daddr;
  unsigned int skc_rcv_saddr;
  unsigned short skc_dport;
  unsigned short skc_num;
  unsigned short skc_family;
  volatile unsigned char skc_state;
  struct proto___fd* skc_prot;
  struct in6_addr___fd skc_v6_daddr;
  struct in6_addr___fd skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));
struct sock___fd {
  struct sock_common___fd __sk_common;
} __attribute__((preserve_access_index));
struct inet_sock___fd {
  unsigned short inet_sport;
} __attribute__((preserve_access_index));
struct sockaddr_un___fd {
  unsigned short sun_family;
  char sun_path[108];
} __attribute__((preserve_access_index));
struct unix_address___fd {
  int len;
  struct sockaddr_un___fd name[1];
} __attribute__((preserve_access_index));
struct unix_sock___fd {
  struct unix_address___fd* addr;
} __attribute__((preserve_access_index));
struct socket___fd {
  short type;
  struct sock___fd* sk;
} __attribute__((preserve_access_index));

// Which fds each call's exit describes (enum dt_fd_plan), filled by user space with -y.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, dt_u8);
} fd_plans SEC(".maps");

#define DT_S_IFMT 0170000
#define DT_S_IFSOCK 0140000
#define DT_AF_UNIX 1
#define DT_AF_INET 2
#define DT_AF_INET6 10
#define DT_SOCK_DGRAM 2
#define DT_FD_WALK 128  // directories walked up at most

struct fd_path_ctx {
  struct dentry* dentry;
  struct mount* mnt;
  char* path;  // DT_FD_PATH_MAX + 256 bytes
  dt_u32 len;
  dt_u32 done;            // the walk reached the root
  struct walk_root root;  // where it stops
};

// One step of a path walk towards the root, crossing mount points, as the kernel's d_path walks
// (components innermost first, each NUL-terminated).
static long fd_path_step(dt_u32 i, struct fd_path_ctx* x) {
  struct dentry* d = x->dentry;
  struct mount* m = x->mnt;
  if (!d || !m || !x->path) return 1;
  if (d == x->root.dentry && m == x->root.mnt) {  // the process's root
    x->done = 1;
    return 1;
  }
  if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
    struct mount* parent = BPF_CORE_READ(m, mnt_parent);
    if (!parent || parent == m) {  // the root of everything
      x->done = 1;
      return 1;
    }
    x->dentry = BPF_CORE_READ(m, mnt_mountpoint);
    x->mnt = parent;
    return 0;
  }
  struct dentry* up = BPF_CORE_READ(d, d_parent);
  if (!up || up == d) {  // a root that is no mount's: d_path stops here too
    x->done = 1;
    return 1;
  }
  dt_u32 off = x->len;
  if (off >= DT_FD_PATH_MAX) return 1;  // too long: the path stays cut
  long n = bpf_probe_read_kernel_str(x->path + (off & (DT_FD_PATH_MAX - 1)), 256,
                                     BPF_CORE_READ(d, d_name.name));
  if (n <= 0) return 1;
  x->len = off + (dt_u32)n;
  x->dentry = up;
  return 0;
}

// A socket's family, state, addresses, protocol name and (unix) address.
static __always_inline void describe_socket(struct dt_fd* rec, struct file___fd* file) {
  struct socket___fd* sock = BPF_CORE_READ(file, private_data);
  struct sock___fd* sk = BPF_CORE_READ(sock, sk);
  if (!sk) return;
  rec->family = BPF_CORE_READ(sk, __sk_common.skc_family);
  rec->state = BPF_CORE_READ(sk, __sk_common.skc_state);
  rec->num = BPF_CORE_READ(sk, __sk_common.skc_num);
  rec->rport = BPF_CORE_READ(sk, __sk_common.skc_dport);
  struct proto___fd* prot = BPF_CORE_READ(sk, __sk_common.skc_prot);
  if (prot) bpf_probe_read_kernel_str(rec->proto, sizeof(rec->proto), prot->name);
  if (rec->family == DT_AF_INET) {
    rec->lport = BPF_CORE_READ((struct inet_sock___fd*)sk, inet_sport);
    unsigned int a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    __builtin_memcpy(rec->laddr, &a, 4);
    a = BPF_CORE_READ(sk, __sk_common.skc_daddr);
    __builtin_memcpy(rec->raddr, &a, 4);
  } else if (rec->family == DT_AF_INET6) {
    rec->lport = BPF_CORE_READ((struct inet_sock___fd*)sk, inet_sport);
    BPF_CORE_READ_INTO(&rec->laddr, sk, __sk_common.skc_v6_rcv_saddr);
    BPF_CORE_READ_INTO(&rec->raddr, sk, __sk_common.skc_v6_daddr);
  } else if (rec->family == DT_AF_UNIX) {
    struct unix_address___fd* addr = BPF_CORE_READ((struct unix_sock___fd*)sk, addr);
    if (!addr) return;
    int full = BPF_CORE_READ(addr, len);  // with sun_family
    if (full <= 2) return;
    dt_u64 len = (dt_u64)(full - 2);
    if (len > 108) len = 108;
    asm volatile("" : "+r"(len));  // bound the register that is passed, not a copy of it
    len &= 127;                    // (a no-op: it is at most 108)
    char* path = (char*)(rec + 1);
    const char* sun_path = (char*)addr + bpf_core_field_offset(struct unix_address___fd, name) + 2;
    if (bpf_probe_read_kernel(path, len, sun_path) == 0) {
      rec->path_len = (dt_u32)len;
      rec->flags |= DT_FD_ADDR;
    }
  }
}

// A file's path (or, for one its file system names, its one name), and its file system.
static __always_inline void describe_file(struct dt_fd* rec, struct file___fd* file) {
  struct dentry___fd* d = (struct dentry___fd*)BPF_CORE_READ(file, f_path.dentry);
  if (!d) return;
  rec->magic = BPF_CORE_READ(d, d_sb, s_magic);
  struct dentry* parent = BPF_CORE_READ(d, d_parent);
  if (!BPF_CORE_READ(d, d_hash.pprev) && parent != (struct dentry*)d) rec->flags |= DT_FD_DELETED;
  char* path = (char*)(rec + 1);
  const struct dentry_operations___fd* ops = BPF_CORE_READ(d, d_op);
  if (ops && BPF_CORE_READ(ops, d_dname)) {
    rec->flags |= DT_FD_PSEUDO;
    long n = bpf_probe_read_kernel_str(path, 256, BPF_CORE_READ(d, d_name.name));
    rec->path_len = n > 0 ? (dt_u32)n : 0;
    return;
  }
  struct vfsmount* vm = BPF_CORE_READ(file, f_path.mnt);
  struct fd_path_ctx x = {
      .dentry = (struct dentry*)d,
      .mnt = (struct mount*)((char*)vm - bpf_core_field_offset(struct mount, mnt)),
      .path = path,
      .root = root_of(),
  };
  bpf_loop(DT_FD_WALK, fd_path_step, &x, 0);
  rec->path_len = x.len > DT_FD_PATH_MAX + 256 ? DT_FD_PATH_MAX + 256 : x.len;
  if (!x.done) rec->flags |= DT_FD_CUT;
}

struct fd_note_ctx {
  struct pending* p;
  struct task_struct* task;
  dt_u64 pid_tgid;
  int fds[2];
  int with_call;
  int dgram_only;  // only a datagram socket is described
  int files_only;  // no socket is described
};

// DT_FDS_FILES: the process's open fds (a bitmap), kept in the second half of p->out, which a
// DT_FD record never reaches (map memory: read at a variable index, as a stack array cannot be).
static __always_inline dt_u64* scan_bits(struct pending* p) {
  return (dt_u64*)(p->out + DT_SCRATCH / 2);
}

// Sends one DT_FD record: the i-th fd of x, as it is now.
static long send_fd_note(dt_u32 i, struct fd_note_ctx* x) {
  struct pending* p = x->p;
  if (!p) return 1;
  struct dt_fd* rec = (struct dt_fd*)p->out;  // free until the call's own record is made
  __builtin_memset(rec, 0, sizeof(*rec));
  rec->type = DT_FD;
  rec->with_call = x->with_call;
  rec->pid = x->pid_tgid >> 32;
  rec->tid = (dt_u32)x->pid_tgid;
  int fd = x->fds[i & 1];
  rec->fd = fd;
  struct task_struct___fd* task = (struct task_struct___fd*)x->task;
  struct fdtable___fd* fdt = BPF_CORE_READ(task, files, fdt);
  struct file___fd* file = 0;
  if (fdt && fd >= 0 && (unsigned int)fd < BPF_CORE_READ(fdt, max_fds)) {
    struct file** arr = BPF_CORE_READ(fdt, fd);
    bpf_probe_read_kernel(&file, sizeof(file), arr + fd);
    // Whether an exec closes it (FD_CLOEXEC): user space forgets such fds at the exec.
    unsigned long* cloexec = BPF_CORE_READ(fdt, close_on_exec);
    unsigned long word = 0;
    if (cloexec && !bpf_probe_read_kernel(&word, sizeof(word), cloexec + fd / 64) &&
        (word >> (fd % 64)) & 1)
      rec->flags |= DT_FD_CLOEXEC;
  }
  if (file) {
    struct inode___fd* inode = BPF_CORE_READ(file, f_inode);
    rec->ino = BPF_CORE_READ(inode, i_ino);
    if ((BPF_CORE_READ(inode, i_mode) & DT_S_IFMT) == DT_S_IFSOCK) {
      struct socket___fd* sock = BPF_CORE_READ(file, private_data);
      if (x->files_only || (x->dgram_only && BPF_CORE_READ(sock, type) != DT_SOCK_DGRAM)) return 0;
      rec->kind = DT_FD_SOCKET;
      describe_socket(rec, file);
    } else if (x->dgram_only) {
      return 0;
    } else {
      rec->kind = DT_FD_FILE;
      describe_file(rec, file);
    }
  } else if (x->dgram_only) {
    return 0;
  }
  dt_u64 size = (sizeof(*rec) + rec->path_len + 7) & ~7ull;
  if (size > sizeof(*rec) + DT_FD_PATH_MAX + 256) size = sizeof(*rec) + DT_FD_PATH_MAX + 256;
  asm volatile("" : "+r"(size));  // bound the register that is passed, not a copy of it
  size &= 2047;                   // (a no-op: it is at most 1,400)
  rec->size = (dt_u32)size;
  // (Woken as the call's own record would: every wake_bytes, else by the consumer's timer.)
  if (bpf_ringbuf_output(&events, rec, size, wakeup_flags(size))) count_lost();
  return 0;
}

// DT_FDS_FILES: the i-th fd, if open.
static long scan_fd(dt_u32 i, struct fd_note_ctx* x) {
  if (!x->p) return 1;
  dt_u32 w = i / 64;
  asm volatile("" : "+r"(w));  // bound the register that indexes, not a copy of it
  w &= DT_FD_SCAN / 64 - 1;
  if (!((scan_bits(x->p)[w] >> (i % 64)) & 1)) return 0;
  x->fds[0] = (int)i;
  send_fd_note(0, x);
  return 0;
}

// Attached before on_sys_exit (user space sees to it), so that the DT_FD records of a call come
// before its DT_SYSCALL record, which is still to be made (p->active) when the call is selected.
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit_fds, struct pt_regs* regs, long ret) {
  long nr = regs->orig_ax;
  if (nr < 0 || nr >= DT_NR_MAX) return 0;
  dt_u32 key = (dt_u32)nr;
  dt_u8* plan = bpf_map_lookup_elem(&fd_plans, &key);
  if (!plan || *plan == DT_FDS_NONE) return 0;
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct task_struct* task = bpf_get_current_task_btf();
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, 0);
  if (!p) {
    if (!traced_tgid(pid_tgid >> 32)) return 0;
    p = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    if (!p) return 0;
  }
  struct fd_note_ctx x = {.p = p, .task = task, .pid_tgid = pid_tgid};
  x.with_call = p->active && p->nr == nr && wanted_nr(nr);
  dt_u32 n = 1;
  dt_u8 what = *plan;
  if (what == DT_FDS_RET) {
    if (ret < 0) return 0;
    x.fds[0] = (int)ret;
  } else if (what == DT_FDS_ARG0 || what == DT_FDS_DGRAM_ARG0) {
    x.fds[0] = (int)regs->di;
    x.dgram_only = what == DT_FDS_DGRAM_ARG0;
    if (x.fds[0] < 0) return 0;
  } else if (what == DT_FDS_PIDFD) {
    // clone(flags, stack, parent_tid...) writes the pidfd at parent_tid; clone3 at the pointer
    // that follows the flags in its struct clone_args.
    if (ret <= 0) return 0;
    dt_u64 cl[2] = {regs->di, regs->dx};
    if (nr == NR_CLONE3 && bpf_probe_read_user(cl, sizeof(cl), (const void*)regs->di)) return 0;
    if (!(cl[0] & DT_CLONE_PIDFD)) return 0;
    if (bpf_probe_read_user(&x.fds[0], sizeof(x.fds[0]), (const void*)cl[1])) return 0;
  } else if (what == DT_FDS_RIGHTS) {
    // recvmsg(fd, msghdr, flags): msg_control and the length the call used (struct msghdr's
    // fifth and sixth words), then the first control message: an SCM_RIGHTS one's fds.
    if (ret < 0) return 0;
    dt_u64 ctl[2];
    if (bpf_probe_read_user(ctl, sizeof(ctl), (const void*)(regs->si + 32))) return 0;
    struct {
      dt_u64 len;
      int level;
      int type;
      int fds[2];
    } c = {};
    if (!ctl[0] || ctl[1] < 20) return 0;
    long err = ctl[1] >= sizeof(c) ? bpf_probe_read_user(&c, sizeof(c), (const void*)ctl[0])
                                   : bpf_probe_read_user(&c, 20, (const void*)ctl[0]);
    if (err || c.level != 1 /* SOL_SOCKET */ || c.type != 1 /* SCM_RIGHTS */ || c.len < 20)
      return 0;
    n = c.len >= 24 && ctl[1] >= 24 ? 2 : 1;
    x.fds[0] = c.fds[0];
    x.fds[1] = c.fds[1];
  } else if (what == DT_FDS_FILES) {
    if (ret != 0) return 0;
    struct task_struct___fd* t = (struct task_struct___fd*)task;
    struct fdtable___fd* fdt = BPF_CORE_READ(t, files, fdt);
    if (!fdt) return 0;
    unsigned int max = BPF_CORE_READ(fdt, max_fds);
    unsigned long* bits = BPF_CORE_READ(fdt, open_fds);
    dt_u64* open = scan_bits(p);
    for (int w = 0; w < DT_FD_SCAN / 64; w++) {  // (a bitmap has max_fds bits, a multiple of 64)
      open[w] = 0;
      if ((unsigned int)w * 64 < max) bpf_probe_read_kernel(&open[w], 8, bits + w);
    }
    x.files_only = 1;
    bpf_loop(DT_FD_SCAN, scan_fd, &x, 0);
    return 0;
  } else {
    if (ret != 0) return 0;
    dt_u64 at = what == DT_FDS_PAIR_ARG0 ? regs->di : regs->r10;
    if (bpf_probe_read_user(x.fds, sizeof(x.fds), (const void*)at)) return 0;
    n = 2;
  }
  bpf_loop(n, send_fd_note, &x, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
