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

// The parts, in the order they build on each other (clang-format must not sort them).
// clang-format off
#include "events.h"
#include "kernel_types.bpf.h"
#include "state.bpf.h"
#include "filter.bpf.h"
#include "ring.bpf.h"
#include "exec_capture.bpf.h"
#include "capture_plan.bpf.h"
#include "summary.bpf.h"
#include "stacks.bpf.h"
#include "mappings.bpf.h"
#include "signals.bpf.h"
#include "fds.bpf.h"
#include "path_filter.bpf.h"
#include "addfd.bpf.h"
#include "uring.bpf.h"
// clang-format on

// The captures a call's entry takes: execve's strings, else its plan's entry steps. (A global
// function: the verifier checks it once per program, not again for a call begun at its exit.)
__noinline int entry_captures(struct pending* p) {
  if (!p) return 0;
  if (p->nr == DT_NR_EXECVE || p->nr == DT_NR_EXECVEAT)
    capture_exec(p);
  else
    capture_entry(p);
  return 0;
}

// A call begins (at its entry, or at its exit when the kernel skipped the entry): its number and
// arguments, -P's verdict, its time. Returns whether it is followed; then its stack (-s) and
// entry_captures follow, in that order.
static __always_inline int begin_call(struct pt_regs* regs, long id, struct pending* p,
                                      struct task_struct* task) {
  p->args[0] = regs->di;
  p->args[1] = regs->si;
  p->args[2] = regs->dx;
  p->args[3] = regs->r10;
  p->args[4] = regs->r8;
  p->args[5] = regs->r9;
  if (path_filter) {
    // -P: decided now by its fds and path arguments (as the kernel reads the path: at entry),
    // but for the fd it returns, which sys_exit_fds's record of it decides.
    dt_u16 kinds = pf_args_of(id);
    p->pf_hit = id == DT_NR_EXECVE || id == DT_NR_EXECVEAT || (kinds & DT_PF_ALWAYS) ||
                pf_fd_args(p, kinds) || pf_path_args(p, kinds);
    if (!p->pf_hit && !(kinds & DT_PF_RET_FD)) {
      p->active = 0;  // (not one left active by a lost exit either)
      return 0;
    }
  }
  p->nr = id;
  p->exec_len = 0;
  p->exec_ncap = 0;
  p->enter_ns = want_time ? bpf_ktime_get_ns() : 0;
  p->cpu_at_enter = want_cpu ? cpu_clock(task, p->enter_ns) : 0;
  p->active = 1;
  return 1;
}

// begin_call for a call whose entry the kernel skipped, at its exit. (A global function: the
// verifier checks it once, and the exit's own path after it once, not once for each way there.)
__noinline int begin_skipped(struct pending* p, long nr) {
  if (!p) return 0;
  struct task_struct* task = bpf_get_current_task_btf();
  struct pt_regs* regs = (struct pt_regs*)bpf_task_pt_regs(task);
  if (!regs) return 0;
  return begin_call(regs, nr, p, task);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs* regs, long id) {
  // The root dtruss sees, from its own first call (see root_of): -y's and -s's paths, and the
  // files user space reads the bytes of never-touched pages from (DT_MAP_DATA), are walked to it.
  if (!reader_root_dentry && (bpf_get_current_pid_tgid() >> 32) == (dt_u32)self_tgid)
    keep_reader_root(bpf_get_current_task_btf());
  // -t: a call not selected costs one array lookup, before anything else (here and at exit);
  // with -n, after the name check, which must see a process's first call (or -f could miss a
  // child it forks before its first selected call).
  // -Z (failed_at_exit): only the calls that need their entry are begun here; the others at
  // their exit, if they fail.
  // (A number beyond the table, which no syscall has, is begun here as without -Z.)
  if (failed_at_exit && id >= 0 && id < DT_NR_MAX ? !(wanted_bits(id) & DT_WANT_ENTRY)
                                                  : !name_mode && !wanted_nr(id))
    return 0;
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
  p->entered = DT_CALL_ENTERED;
  if (!begin_call(regs, id, p, task)) return 0;
  if (stack_bytes) capture_stack(ctx, task, regs, pid_tgid);
  entry_captures(p);
  if (never_returns(id)) {  // the event is complete now
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
int sys_exit_fds(long ret);  // DT_SCAN_OTHERS: a rename or unlink: see scan_others_files

// Whether sys_exit_fds has anything to do at the exit of syscall nr (its fd_plans entry).
static __always_inline int has_fd_plan(long nr) {
  if (nr < 0 || nr >= DT_NR_MAX) return 0;
  dt_u32 key = (dt_u32)nr;
  dt_u8* plan = bpf_map_lookup_elem(&fd_plans, &key);
  return plan && *plan != DT_FDS_NONE;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs* regs, long ret) {
  // -y's records (and -P's) first: one program at every exit, not two; called only for the
  // calls that have a plan (the rest, most calls, skip its look-up of the registers).
  if (describe_fds && has_fd_plan(regs->orig_ax) && sys_exit_fds(ret) == DT_SCAN_OTHERS)
    scan_others_files();
  // -Z (failed_at_exit): a call not begun at its entry is begun here when it failed, as a call
  // whose entry the kernel skipped is (below); a successful one ends here.
  // (orig_ax is unsigned: rt_sigreturn's -1, see wanted_at_exit, is tested as a long.)
  int at_exit = 0;
  long exit_nr = regs->orig_ax;
  if (failed_at_exit && exit_nr >= 0 && exit_nr < DT_NR_MAX) {
    dt_u8 bits = wanted_bits(exit_nr);
    if (!(bits & DT_WANT_CALL)) return 0;
    if (!(bits & DT_WANT_ENTRY)) {
      if (!(ret < 0 && ret >= -4095)) return 0;
      at_exit = 1;
    }
  } else if (!wanted_at_exit(regs)) {
    return 0;  // (a selected call left active by a lost exit is not taken for this one)
  }
  struct task_struct* task = bpf_get_current_task_btf();
  struct pending* p = bpf_task_storage_get(&inflight, task, 0, 0);  // traced threads only
  if (!p && at_exit) {  // (a thread's first calls may all have been begun at their exit)
    if (!traced_now(bpf_get_current_pid_tgid() >> 32)) return 0;
    p = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  }
  if (!p) return 0;
  int between = at_exit || p->entered == DT_BETWEEN_CALLS;
  p->entered = DT_BETWEEN_CALLS;
  if (!p->active) {
    // A call whose entry the kernel skipped (syscall_trace_enter returns before the sys_enter
    // tracepoint when seccomp answers it: SECCOMP_RET_ERRNO as container profiles use, a user
    // notification's reply, RET_TRACE without a tracer): it did not run, its registers still hold
    // its arguments. Begun here, as at an entry, and ended at once; its time is its exit's.
    long nr = regs->orig_ax;
    if (!between || nr < 0 || nr >= DT_NR_MAX || never_returns(nr) || !begin_skipped(p, nr))
      return 0;
    if (stack_bytes) capture_stack(ctx, task, regs, bpf_get_current_pid_tgid());
    entry_captures(p);
  }
  p->active = 0;
  syscall_exit(p, task, ret);
  if (p->has_deferred) {  // a fatal signal it sent itself: after the call, as ptrace shows it
    p->has_deferred = 0;
    if (bpf_ringbuf_output(&events, &p->deferred, sizeof(p->deferred), BPF_RB_FORCE_WAKEUP))
      count_lost();
  }
  return 0;
}

// --status: whether a call that ended so is sent (an execve always is: user space learns from it
// that the started command runs).
static __always_inline int status_kept(struct pending* p, long ret) {
  return !(drop_status & (ret < 0 && ret >= -4095 ? 2 : 1)) || p->nr == DT_NR_EXECVE ||
         p->nr == DT_NR_EXECVEAT;
}

static __always_inline void syscall_exit(struct pending* p, struct task_struct* task, long ret) {
  // (-P: a call that may name a path, decided at entry and by sys_exit_fds)
  if (!status_kept(p, ret) || (path_filter && !p->pf_hit)) return;
  if (path_filter && p->pf_refresh) pf_refresh_note(p, task);
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
  p->n_unread = 0;
  if (plan) run_plan(p, plan, ret);
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
    s->nr = -1;                    // (between calls until one is counted below)
    dt_u32 tgid = pid_tgid >> 32;  // a thread's first traced call
    dt_u8 one = 1;
    bpf_map_update_elem(&seen, &tgid, &one, BPF_NOEXIST);
  }
  if (name_mode && !wanted_nr(id)) return 0;
  if (never_returns(id)) {
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
  if (!s) return 0;
  long nr = s->nr;
  long long dur = 0;
  if (nr >= 0) {
    dur = (long long)(bpf_ktime_get_ns() - s->enter_ns);
  } else {
    // Between calls: one whose entry the kernel skipped (seccomp answered it without running
    // it, as on_sys_exit explains). Counted too, its time 0.
    nr = regs->orig_ax;
    if (nr < 0 || never_returns(nr)) return 0;
  }
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
  // The child starts with its parent's mappings and fds (-s, -y); --pidns-translation: its PID
  // as the parent sees it.
  if (stack_bytes || describe_fds || pidns_ids) {
    struct dt_fork f = {.type = DT_FORK, .size = sizeof(f), .parent = ptgid, .child = ctgid};
    f.parent_tid = BPF_CORE_READ(parent, pid);
    f.shares_fds = BPF_CORE_READ((struct task_struct___fd*)child, files) ==
                   BPF_CORE_READ((struct task_struct___fd*)parent, files);
    if (pidns_ids) fork_ns_ids(&f, parent, child);
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
    if (pd && pd->active && pd->exec_missing &&
        (pd->nr == DT_NR_EXECVE || pd->nr == DT_NR_EXECVEAT))
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

// The processes whose end was told, by thread-group id and the leader's start (the same id given
// to a later process is another key).
struct exit_key {
  dt_u32 tgid;
  dt_u32 pad;
  dt_u64 start;
};
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 1024);
  __type(key, struct exit_key);
  __type(value, dt_u8);
} exit_told SEC(".maps");

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_process_exit, struct task_struct* p) {
  dt_u32 tgid = BPF_CORE_READ(p, tgid);
  if (restrict_creds && BPF_CORE_READ(p, signal, live.counter) == 0)
    bpf_map_delete_elem(&foreign, &tgid);  // (its PID may come back as another process)
  if (!traced_tgid(tgid)) return 0;
  if (BPF_CORE_READ(p, signal, live.counter) != 0) return 0;  // other threads live on
  // Threads that end together (the last one and an io_uring worker, killed with it) may each find
  // none alive by the time they come here, past the count's decrement: the end is told once.
  struct exit_key k = {.tgid = tgid, .start = BPF_CORE_READ(p, group_leader, start_time)};
  dt_u8 one = 1;
  if (bpf_map_update_elem(&exit_told, &k, &one, BPF_NOEXIST) != 0) return 0;
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
int BPF_PROG(on_signal_deliver, int sig, void* info, struct k_sigaction* ka) {
  if (sig == DT_SIGKILL)
    return 0;  // SIGKILL is never "delivered" to a handler: its end says it all
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_tgid(pid_tgid >> 32)) return 0;
  if (sig == DT_SIGSTOP && cmd_stopping &&
      (pid_tgid >> 32) == cmd_tgid) {  // dtruss's own (on_exec)
    cmd_stopping = 0;
    return 0;
  }
  // SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU with their default action: the thread stops (job
  // control), which has no tracepoint of its own. (The kernel ignores the last three in an
  // orphaned process group, which is rare and not told apart here.)
  int stops = (sig == DT_SIGSTOP || sig == DT_SIGTSTP || sig == DT_SIGTTIN || sig == DT_SIGTTOU) &&
              ka && ka->sa.sa_handler == 0;
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
  if (sig <= 0 || sig >= 64 || sig == DT_SIGKILL || !t || !traced_tgid(t->tgid)) return 0;
  if (sig == DT_SIGCONT && cmd_resuming && t->tgid == cmd_tgid) {  // dtruss's own (see cmd_stop)
    cmd_resuming = 0;
    return 0;
  }
  if (result != 0 && result != 1) return 0;  // queued or ignored (not already pending)
  struct sighand_struct* sh = UNTRUSTED_TASK(t)->sighand;
  if (!sh) return 0;
  unsigned long handler = 0;  // sa_handler, first in struct k_sigaction (a variable index
                              // into a kernel pointer: read with the helper)
  bpf_probe_read_kernel(&handler, sizeof(handler),
                        (char*)sh + bpf_core_field_offset(struct sighand_struct, action) +
                            (dt_u64)((sig - 1) & 63) * bpf_core_type_size(struct k_sigaction));
  int ignored_by_default =
      sig == DT_SIGCHLD || sig == DT_SIGCONT || sig == DT_SIGURG || sig == DT_SIGWINCH;
  if (handler == 1 || (handler == 0 && ignored_by_default)) {
    send_signal(t, sig, info, 0);
    return 0;
  }
  // A signal whose default action kills without a core dump (SIGINT, SIGTERM, SIGPIPE...),
  // not blocked: the kernel kills the process at once, with no delivery (no signal_deliver),
  // where under ptrace the signal is delivered, and shown. It is told here: after the call in
  // progress when the thread sent it to itself (as ptrace shows it), at once otherwise.
  const dt_u64 no_kill = DT_SIGBIT(DT_SIGKILL) | DT_SIGBIT(DT_SIGCHLD) | DT_SIGBIT(DT_SIGCONT) |
                         DT_SIGBIT(DT_SIGSTOP) | DT_SIGBIT(DT_SIGTSTP) | DT_SIGBIT(DT_SIGTTIN) |
                         DT_SIGBIT(DT_SIGTTOU) | DT_SIGBIT(DT_SIGURG) | DT_SIGBIT(DT_SIGWINCH);
  const dt_u64 core = DT_SIGBIT(DT_SIGQUIT) | DT_SIGBIT(DT_SIGILL) | DT_SIGBIT(DT_SIGTRAP) |
                      DT_SIGBIT(DT_SIGABRT) | DT_SIGBIT(DT_SIGBUS) | DT_SIGBIT(DT_SIGFPE) |
                      DT_SIGBIT(DT_SIGSEGV) | DT_SIGBIT(DT_SIGXCPU) | DT_SIGBIT(DT_SIGXFSZ) |
                      DT_SIGBIT(DT_SIGSYS);
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

// -y's records (and -P's: the files of the fds a call gives a meaning), at a call's exit, before
// its DT_SYSCALL record, which is still to be made (p->active) when the call is selected: run
// first thing in on_sys_exit (one program a call, and one program fewer to load than a program
// of its own would be). (A global function: the verifier checks it once, and, where the kernel
// checks only the global functions a program can reach (6.18 does), not at all without -y or -P;
// the registers are the thread's own, as the tracepoint's are.)
__noinline int sys_exit_fds(long ret) {
  struct pt_regs* regs = (struct pt_regs*)bpf_task_pt_regs(bpf_get_current_task_btf());
  if (!regs) return 0;
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
  struct fd_note_ctx x = {.p = p, .pid_tgid = pid_tgid};
  x.with_call = p->active && p->nr == nr && wanted_nr(nr) && status_kept(p, ret);
  dt_u32 n = 1;
  dt_u8 what = *plan;
  // -P: decided before the records go (with_call: the call's record follows them, or not); by
  // the record of the fd it returns when nothing else is on a path.
  if (x.with_call && path_filter && !p->pf_hit) {
    if (what == DT_FDS_RET)
      x.pf_ret = 1;
    else
      x.with_call = 0;
  }
  if (what == DT_FDS_LISTENER) {
    // (a TSYNC filter that failed returns a thread's id: not with NEW_LISTENER, which the kernel
    // allows only with TSYNC_ESRCH)
    if (regs->di != DT_SECCOMP_SET_MODE_FILTER || !(regs->si & DT_SECCOMP_FILTER_FLAG_NEW_LISTENER))
      return 0;
    what = DT_FDS_RET;
  }
  if (what == DT_FDS_RET) {
    if (ret < 0) return 0;
    // -P without -y: no record of a file that cannot be on a path, unless the call's follows.
    if (path_filter && pf_quiet && (!x.with_call || x.pf_ret) && pf_ret_unlisted((int)ret))
      return 0;
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
    if (nr == DT_NR_CLONE3 && bpf_probe_read_user(cl, sizeof(cl), (const void*)regs->di)) return 0;
    if (!(cl[0] & DT_CLONE_PIDFD)) return 0;
    if (bpf_probe_read_user(&x.fds[0], sizeof(x.fds[0]), (const void*)cl[1])) return 0;
  } else if (what == DT_FDS_RIGHTS) {
    if (ret < 0) return 0;
    n = rights_fds(regs->si, &x);
    if (!n) return 0;
  } else if (what == DT_FDS_FILES) {
    if (ret != 0) return 0;
    scan_open_files(task, &x);
    return DT_SCAN_OTHERS;
  } else if (what == DT_FDS_ADDFD) {
    addfd_note(regs, ret, &x);
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

// io_uring (uring.bpf.h): a request the kernel prepared, and its completion.
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(on_uring_submit, struct io_kiocb* req) {
  uring_submit(req);
  return 0;
}

SEC("tp_btf/io_uring_req_failed")
int BPF_PROG(on_uring_refused, void* sqe, struct io_kiocb* req, int error) {
  if (req) uring_refused(req);
  return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_uring_complete, void* ring, void* req, struct io_uring_cqe* cqe) {
  if (!cqe) return 0;
  if (!req) req = uring_multishot_req(ring, cqe);  // (a multishot operation's, with more)
  if (req) uring_complete(req, cqe);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
