// SPDX-License-Identifier: GPL-2.0
// Which processes and calls are traced: -p/-f/-n/-W/--all, -t, and without CAP_SYS_PTRACE
// only those the caller could ptrace.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

static __always_inline void add_tgid(dt_u32 tgid);

// --cgroup on cgroup v1: the kernel's cgroup and its kernfs node (relocated against its BTF), and
// the kfuncs that give a task's cgroup in a v1 hierarchy and its ancestor at a level (6.8 on;
// weak: a kernel without them refuses only a v1 --cgroup, where user space checks for them).
struct kernfs_node___dt {
  dt_u64 id;
} __attribute__((preserve_access_index));
struct cgroup___dt {
  struct kernfs_node___dt* kn;
} __attribute__((preserve_access_index));
extern struct cgroup___dt* bpf_task_get_cgroup1(struct task_struct* task,
                                                int hierarchy_id) __ksym __weak;
extern struct cgroup___dt* bpf_cgroup_ancestor(struct cgroup___dt* cgrp, int level) __ksym __weak;
extern void bpf_cgroup_release(struct cgroup___dt* cgrp) __ksym __weak;

// --summary-by container with a v1 --cgroup: the current task's cgroup in that hierarchy (its
// kernfs id; 0 when none).
static __always_inline dt_u64 current_cgroup1_id(void) {
  struct cgroup___dt* cg = bpf_task_get_cgroup1(bpf_get_current_task_btf(), cgroup_v1_hierarchy);
  if (!cg) return 0;
  dt_u64 id = BPF_CORE_READ(cg, kn, id);
  bpf_cgroup_release(cg);
  return id;
}

// Whether the current task is in the --cgroup cgroup or below: v2 by the cgroup array, v1 by
// its cgroup in that hierarchy whose ancestor at the cgroup's level is the cgroup.
static __always_inline int current_in_cgroup(void) {
  if (!cgroup_v1_hierarchy) return bpf_current_task_under_cgroup(&cgroup_dir, 0) == 1;
  struct cgroup___dt* cg = bpf_task_get_cgroup1(bpf_get_current_task_btf(), cgroup_v1_hierarchy);
  if (!cg) return 0;
  struct cgroup___dt* at = bpf_cgroup_ancestor(cg, cgroup_v1_level);
  bpf_cgroup_release(cg);
  if (!at) return 0;
  int in = BPF_CORE_READ(at, kn, id) == cgroup_v1_id;
  bpf_cgroup_release(at);
  return in;
}

// Whether process tgid is traced. --cgroup: the current process joins the trace when the kernel
// says it is in the cgroup or below (a process that moves in later joins at its next call);
// decided before any map lookup, so that a process outside pays one check per call, as -t's
// (bench: bpf-cgroup against bpf-t).
static __always_inline int traced_tgid(dt_u32 tgid) {
  if (tgid == (dt_u32)self_tgid) return 0;
  if (all_processes) return 1;
  if (cgroup_only && tgid == bpf_get_current_pid_tgid() >> 32) {
    if (!current_in_cgroup()) return 0;
    if (!bpf_map_lookup_elem(&tgids, &tgid)) add_tgid(tgid);
    return 1;
  }
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

// The call's bits in `wanted` (DT_WANT_*), 0 for a number beyond it.
static __always_inline dt_u8 wanted_bits(long nr) {
  if (nr < 0 || nr >= DT_NR_MAX) return 0;
  dt_u32 key = (dt_u32)nr;
  dt_u8* on = bpf_map_lookup_elem(&wanted, &key);
  return on ? *on : 0;
}

// exit and exit_group: they never reach sys_exit (their event is complete at entry).
static __always_inline int never_returns(long nr) {
  return nr == DT_NR_EXIT || nr == DT_NR_EXIT_GROUP;
}

// At a call's exit: whether it may be a selected one (-t). rt_sigreturn returns with the signal
// frame's orig_ax, -1: a negative number is left to what the entry recorded.
static __always_inline int wanted_at_exit(struct pt_regs* regs) {
  long nr = regs->orig_ax;
  return nr < 0 || wanted_nr(nr);
}
