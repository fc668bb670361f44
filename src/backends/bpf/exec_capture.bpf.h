// SPDX-License-Identifier: GPL-2.0
// execve's path, argv and envp, read at entry before the call replaces the memory they are in;
// and the records a call's event starts and ends with.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

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
// read is noted for on_exec. A global function, checked once by the verifier (700 of on_sys_enter's
// 4,800 instructions processed).
__noinline int capture_exec(struct pending* p) {
  if (!p) return 0;
  int at = p->nr == DT_NR_EXECVEAT;  // execveat(dirfd, filename, argv, envp, flags)
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
  return 0;
}

// A struct pid's entry at `level` (numbers[] runs to the pid's own level).
static __always_inline struct upid* upid_at(struct pid* pid, unsigned int level) {
  return (struct upid*)((char*)pid + bpf_core_field_offset(struct pid, numbers) +
                        (level & 63) * bpf_core_type_size(struct upid));
}

// --pidns-translation: the thread's IDs in its own PID namespace (the deepest of its struct pid),
// when that is not dtruss's (0 0 0 otherwise): of a call's thread, of a signal's.
static __always_inline void task_ns_ids(struct task_struct* trusted, dt_u32* pidns, dt_s32* ns_pid,
                                        dt_s32* ns_tid) {
  *pidns = 0;
  *ns_pid = 0;
  *ns_tid = 0;
  if (!pidns_ids) return;
  struct task_struct* t = UNTRUSTED_TASK(trusted);
  struct pid* tp = t->thread_pid;
  unsigned int level = BPF_CORE_READ(tp, level);
  struct upid* own = upid_at(tp, level);
  dt_u32 inum = BPF_CORE_READ(own, ns, ns.inum);
  if (inum == self_pidns) return;
  *pidns = inum;
  *ns_tid = BPF_CORE_READ(own, nr);
  struct pid* leader = BPF_CORE_READ(t, group_leader, thread_pid);
  struct upid* in_ns = upid_at(leader, level);
  *ns_pid = BPF_CORE_READ(in_ns, nr);
}

static __always_inline void ns_ids(struct dt_syscall* e, struct task_struct* trusted) {
  dt_u32 pidns;
  dt_s32 ns_pid, ns_tid;
  task_ns_ids(trusted, &pidns, &ns_pid, &ns_tid);
  e->pidns = pidns;
  e->ns_pid = ns_pid;
  e->ns_tid = ns_tid;
}

// --pidns-translation: a new process's PID in its parent's namespace (what the fork returns
// there), when that namespace is not dtruss's.
static __always_inline void fork_ns_ids(struct dt_fork* f, struct task_struct* parent,
                                        struct task_struct* child) {
  struct pid* pp = BPF_CORE_READ(parent, thread_pid);
  unsigned int level = BPF_CORE_READ(pp, level);
  struct upid* own = upid_at(pp, level);
  dt_u32 inum = BPF_CORE_READ(own, ns, ns.inum);
  if (inum == self_pidns) return;
  struct pid* cp = BPF_CORE_READ(child, thread_pid);
  struct upid* in_ns = upid_at(cp, level);
  f->pidns = inum;
  f->child_ns = BPF_CORE_READ(in_ns, nr);
}

static __always_inline struct dt_syscall* start_event(dt_u8* buf, struct pending* p,
                                                      dt_u64 pid_tgid) {
  struct dt_syscall* e = (struct dt_syscall*)buf;
  e->type = DT_SYSCALL;
  e->pid = pid_tgid >> 32;
  e->tid = (dt_u32)pid_tgid;
  e->enter_ns = p->enter_ns;
  e->nr = p->nr;
  e->uring = 0;  // a system call (the buffer holds an earlier record's bytes)
  e->pad = 0;
  for (int i = 0; i < 6; i++) e->args[i] = p->args[i];
  // Two loads from the task (a BTF pointer), cheaper than the helper's string copy.
  struct task_struct* t = bpf_get_current_task_btf();
  __builtin_memcpy(e->comm, t->comm, sizeof(e->comm));
  ns_ids(e, t);
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
  struct task_struct* task = UNTRUSTED_TASK(trusted);
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

// A successful execve: what could not be read at entry (this program cannot fault pages in: a
// posix_spawn child passing its parent's string constants) is taken from the copies the kernel
// made: the path from the binprm, argv's strings from the new image's stack (one block,
// DT_CAP_ARGV_BLOCK, with the new image's argc: a script's interpreter, or binfmt_misc, replaced
// argv[0] with strings of its own, which user space skips).
static __always_inline void recapture_exec(struct pending* p, struct linux_binprm* bprm,
                                           struct task_struct* t) {
  int at = p->nr == DT_NR_EXECVEAT;
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
