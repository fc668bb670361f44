// SPDX-License-Identifier: GPL-2.0
// -y: the fd a seccomp supervisor put in another process (SECCOMP_IOCTL_NOTIF_ADDFD: at a number
// of its choosing with SECCOMP_ADDFD_FLAG_SETFD, replacing the fd there). No call of that process
// makes it: its record is sent at the supervisor's ioctl's exit, for the process whose
// notification it answers, found from the listener's filter as the kernel keeps it.
// (A part of dtruss.bpf.c, after fds.bpf.h and path_filter.bpf.h.)
#pragma once

struct list_head___addfd {
  struct list_head___addfd* next;
} __attribute__((preserve_access_index));
struct notification___addfd {
  struct list_head___addfd notifications;  // of struct seccomp_knotif, by their `list`
} __attribute__((preserve_access_index));
struct seccomp_filter___addfd {
  struct notification___addfd* notif;
} __attribute__((preserve_access_index));
struct seccomp_knotif___addfd {
  struct task_struct* task;
  dt_u64 id;
  struct list_head___addfd list;
} __attribute__((preserve_access_index));

// Notifications a listener's list is searched through for the one answered (a supervisor holds
// few at a time).
#define DT_ADDFD_SEARCH 32

// DT_FDS_ADDFD: ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd) returned `ret`, the fd number
// in the process whose notification addfd.id is: that fd's record, if the process is traced.
static __always_inline void addfd_note(struct pt_regs* regs, long ret, struct fd_note_ctx* x) {
  if (ret < 0 || (dt_u32)regs->si != DT_SECCOMP_IOCTL_NOTIF_ADDFD) return;
  dt_u64 id = 0;  // (struct seccomp_notif_addfd's first member)
  if (bpf_probe_read_user(&id, sizeof(id), (const void*)regs->dx)) return;
  struct file___fd* file = (struct file___fd*)fd_file((int)regs->di);  // the listener's
  if (!file) return;
  struct seccomp_filter___addfd* filter = BPF_CORE_READ(file, private_data);
  struct notification___addfd* notif = BPF_CORE_READ(filter, notif);
  if (!notif) return;
  struct list_head___addfd* head = &notif->notifications;
  struct list_head___addfd* node = BPF_CORE_READ(notif, notifications.next);
  dt_u64 off = bpf_core_field_offset(struct seccomp_knotif___addfd, list);
  for (int i = 0; i < DT_ADDFD_SEARCH && node && node != head; i++) {
    struct seccomp_knotif___addfd* k = (void*)((char*)node - off);
    if (BPF_CORE_READ(k, id) == id) {
      struct task_struct* t = BPF_CORE_READ(k, task);
      dt_u32 tgid = (dt_u32)BPF_CORE_READ(t, tgid);
      if (!t || !traced_tgid(tgid)) return;
      x->other_task = (dt_u64)t;
      x->pid_tgid = ((dt_u64)tgid << 32) | (dt_u32)BPF_CORE_READ(t, pid);
      x->fds[0] = (int)ret;
      x->with_call = 0;  // (another process's: applied at once)
      send_fd_note(0, x);
      return;
    }
    node = BPF_CORE_READ(node, next);
  }
}
