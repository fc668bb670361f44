// SPDX-License-Identifier: GPL-2.0
// Signals as a traced thread gets them: the DT_SIGNAL record.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

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
  dt_u32 pidns;
  dt_s32 ns_pid, ns_tid;
  task_ns_ids(t, &pidns, &ns_pid, &ns_tid);  // (--pidns-translation)
  e->pidns = pidns;
  e->ns_pid = ns_pid;
  e->ns_tid = ns_tid;
  // SEND_SIG_NOINFO and SEND_SIG_PRIV are the "pointers" 0 and 1, for which the kernel makes
  // the siginfo itself: SI_USER from the sender (a write's SIGPIPE: from the writer), or
  // SI_KERNEL; the same layout as siginfo_t: si_signo, si_errno, si_code, then si_pid, si_uid.
  if ((unsigned long)info > 4096) {
    bpf_probe_read_kernel(e->info, sizeof(e->info), info);
  } else if ((unsigned long)info <= 1) {
    dt_s32 head[6] = {sig, 0, info ? 0x80 : 0};  // SI_KERNEL, SI_USER
    if (!info) {
      struct task_struct* sender = bpf_get_current_task_btf();
      // (its PID as the receiver sees it: its own, in its namespace, when it is the sender)
      head[4] = sender == t && ns_pid ? ns_pid : sender->tgid;
      head[5] = (dt_s32)BPF_CORE_READ((struct task_struct___dt*)sender, real_cred, uid.val);
    }
    __builtin_memcpy(e->info, head, sizeof(head));
  }
}

static __always_inline void send_signal(struct task_struct* t, int sig, void* info, int stops) {
  struct dt_signal e;
  fill_signal(&e, t, sig, info, stops);
  if (bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_FORCE_WAKEUP)) count_lost();
}
