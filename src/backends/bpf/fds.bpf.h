// SPDX-License-Identifier: GPL-2.0
// -y: what each fd a call gave a meaning refers to, read from the kernel's own structures.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

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

// Several fields of one kernel object in one read (each read is a helper call that checks the
// address: a DT_FD record took 25 of them): the object's bytes from offset `lo` to `hi` (CO-RE
// offsets: constants to the verifier) into `span`, p->out's bytes from DT_FD_SPAN_AT, which a
// DT_FD record and its path never reach (`lo` rounded down to 8 bytes: the fields are read at
// their alignment). span_u64 then takes a field from there, or, when the fields lie further apart
// than DT_FD_SPAN (no kernel's layout puts them so), reads it alone.
#define DT_FD_SPAN_AT 2048
#define DT_FD_SPAN 256
_Static_assert(sizeof(struct dt_fd) + DT_PATH_MAX <= DT_FD_SPAN_AT &&
                   DT_FD_SPAN_AT + DT_FD_SPAN <= DT_SCRATCH / 2,
               "the span lies between a DT_FD record and DT_FDS_FILES's bitmap");
// (Whether the fields fit, a constant to the verifier, which then checks one way only: a read that
// fails leaves zeros, as a field's own read would.)
static __always_inline int read_span(dt_u8* span, const void* obj, dt_u64 lo, dt_u64 hi) {
  if (hi <= lo || hi - lo > DT_FD_SPAN) return 0;
  bpf_probe_read_kernel(span, hi - lo, (const char*)obj + lo);
  return 1;
}
static __always_inline dt_u64 span_u64(const dt_u8* span, int in_span, const void* obj, dt_u64 lo,
                                       dt_u64 off) {
  dt_u64 v = 0;
  if (in_span)
    __builtin_memcpy(&v, span + ((off - lo) & (DT_FD_SPAN - 8)), 8);
  else if (obj)
    bpf_probe_read_kernel(&v, 8, (const char*)obj + off);
  return v;
}
#define DT_OFF(type, field) ((dt_u64)bpf_core_field_offset(type, field))
#define DT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DT_MAX(a, b) ((a) > (b) ? (a) : (b))

// A file's path (or, for one its file system names, its one name), and its file system; `d` and
// `vm` its f_path.
static __always_inline void describe_file(struct dt_fd* rec, dt_u8* span, struct dentry___fd* d,
                                          struct vfsmount* vm) {
  if (!d) return;
  // d_hash.pprev, d_parent, d_op, d_sb: one read
  dt_u64 pprev = DT_OFF(struct dentry___fd, d_hash.pprev);
  dt_u64 par = DT_OFF(struct dentry___fd, d_parent);
  dt_u64 op = DT_OFF(struct dentry___fd, d_op);
  dt_u64 sb = DT_OFF(struct dentry___fd, d_sb);
  dt_u64 lo = DT_MIN(DT_MIN(pprev, par), DT_MIN(op, sb)) & ~7ull;
  dt_u64 hi = DT_MAX(DT_MAX(pprev, par), DT_MAX(op, sb)) + 8;
  int in = read_span(span, d, lo, hi);
  struct super_block___fd* d_sb = (struct super_block___fd*)span_u64(span, in, d, lo, sb);
  rec->magic = BPF_CORE_READ(d_sb, s_magic);
  struct dentry* parent = (struct dentry*)span_u64(span, in, d, lo, par);
  if (!span_u64(span, in, d, lo, pprev) && parent != (struct dentry*)d) rec->flags |= DT_FD_DELETED;
  char* path = (char*)(rec + 1);
  const struct dentry_operations___fd* ops =
      (const struct dentry_operations___fd*)span_u64(span, in, d, lo, op);
  if (ops && BPF_CORE_READ(ops, d_dname)) {
    rec->flags |= DT_FD_PSEUDO;
    long n = bpf_probe_read_kernel_str(path, 256, BPF_CORE_READ(d, d_name.name));
    rec->path_len = n > 0 ? (dt_u32)n : 0;
    return;
  }
  struct path_walk x = {
      .dentry = (struct dentry*)d,
      .mnt = (struct mount*)((char*)vm - bpf_core_field_offset(struct mount, mnt)),
      .path = path,
      .root = root_of(),
  };
  bpf_loop(DT_WALK_STEPS, path_walk_step, &x, 0);
  rec->path_len = x.len > DT_PATH_MAX ? DT_PATH_MAX : x.len;
  if (!x.done) rec->flags |= DT_FD_CUT;
}

struct fd_note_ctx {
  struct pending* p;
  dt_u64 pid_tgid;
  int fds[2];
  int with_call;
  int dgram_only;     // only a datagram socket is described
  int files_only;     // no socket is described
  int pf_ret;         // -P: the record of the returned fd decides whether the call is sent
  dt_u64 other_task;  // the fds are another process's (seccomp's ADDFD): its task; 0: current
};

int pf_note(struct pending* p);  // path_filter.bpf.h

// DT_FDS_FILES: the process's open fds (a bitmap), kept in the second half of p->out, which a
// DT_FD record never reaches (map memory: read at a variable index, as a stack array cannot be).
static __always_inline dt_u64* scan_bits(struct pending* p) {
  return (dt_u64*)(p->out + DT_SCRATCH / 2);
}

// fd_note_out's `how`: with_call in the low byte, and these.
#define DT_NOTE_DGRAM (1u << 8)    // only a datagram socket is described
#define DT_NOTE_FILES (1u << 9)    // no socket is described
#define DT_NOTE_PF_RET (1u << 10)  // -P: the record of the returned fd decides

// Sends one DT_FD record: fd `fd` of task `task_at` (the current one when 0; another for a
// seccomp supervisor's ADDFD), thread `pid_tgid` as the record tells it, as it is now, made in
// p->out. A global function: the verifier checks it once per program, not once for each place
// that sends a record (sys_exit_fds's loop and its scan of open files, the io_uring completion,
// -P). (Scalars, not the fd_note_ctx: the stack a global function is given loses the pointers
// spilled in it, and a pointer cannot be passed as one: the task comes as its address, read
// through BPF_CORE_READ only.)
__noinline int fd_note_out(struct pending* p, dt_u64 pid_tgid, int fd, dt_u32 how, dt_u64 task_at) {
  if (!p) return 1;
  struct dt_fd* rec = (struct dt_fd*)p->out;  // free until the call's own record is made
  __builtin_memset(rec, 0, sizeof(*rec));
  rec->type = DT_FD;
  rec->with_call = how & 0xff;
  rec->pid = pid_tgid >> 32;
  rec->tid = (dt_u32)pid_tgid;
  rec->fd = fd;
  struct task_struct___fd* task = task_at ? (struct task_struct___fd*)task_at
                                          : (struct task_struct___fd*)bpf_get_current_task_btf();
  dt_u8* span = p->out + DT_FD_SPAN_AT;
  struct fdtable___fd* fdt = BPF_CORE_READ(task, files, fdt);
  struct file___fd* file = 0;
  // max_fds, fd, close_on_exec: one read
  dt_u64 max = DT_OFF(struct fdtable___fd, max_fds);
  dt_u64 fds = DT_OFF(struct fdtable___fd, fd);
  dt_u64 coe = DT_OFF(struct fdtable___fd, close_on_exec);
  dt_u64 lo = DT_MIN(max, DT_MIN(fds, coe)) & ~7ull;
  int in = read_span(span, fdt, lo, DT_MAX(max + 4, DT_MAX(fds, coe) + 8));
  unsigned int max_fds = 0;
  if (in)
    __builtin_memcpy(&max_fds, span + ((max - lo) & (DT_FD_SPAN - 8)), sizeof(max_fds));
  else if (fdt)
    max_fds = BPF_CORE_READ(fdt, max_fds);
  if (fdt && fd >= 0 && (unsigned int)fd < max_fds) {
    struct file** arr = (struct file**)span_u64(span, in, fdt, lo, fds);
    bpf_probe_read_kernel(&file, sizeof(file), arr + fd);
    // Whether an exec closes it (FD_CLOEXEC): user space forgets such fds at the exec.
    unsigned long* cloexec = (unsigned long*)span_u64(span, in, fdt, lo, coe);
    unsigned long word = 0;
    if (cloexec && !bpf_probe_read_kernel(&word, sizeof(word), cloexec + fd / 64) &&
        (word >> (fd % 64)) & 1)
      rec->flags |= DT_FD_CLOEXEC;
  }
  if (file) {
    // f_inode and f_path: one read; then the inode's i_mode and i_ino, one read
    dt_u64 ino = DT_OFF(struct file___fd, f_inode);
    dt_u64 mnt = DT_OFF(struct file___fd, f_path.mnt);
    dt_u64 den = DT_OFF(struct file___fd, f_path.dentry);
    lo = DT_MIN(ino, DT_MIN(mnt, den)) & ~7ull;
    in = read_span(span, file, lo, DT_MAX(ino, DT_MAX(mnt, den)) + 8);
    struct inode___fd* inode = (struct inode___fd*)span_u64(span, in, file, lo, ino);
    struct vfsmount* vm = (struct vfsmount*)span_u64(span, in, file, lo, mnt);
    struct dentry___fd* d = (struct dentry___fd*)span_u64(span, in, file, lo, den);
    dt_u64 mode_at = DT_OFF(struct inode___fd, i_mode);
    dt_u64 ino_at = DT_OFF(struct inode___fd, i_ino);
    lo = DT_MIN(mode_at, ino_at) & ~7ull;
    in = read_span(span, inode, lo, DT_MAX(mode_at + 2, ino_at + 8));
    unsigned short mode = 0;
    if (in) {
      __builtin_memcpy(&mode, span + ((mode_at - lo) & (DT_FD_SPAN - 2)), sizeof(mode));
      rec->ino = span_u64(span, in, inode, lo, ino_at);
    } else {
      mode = BPF_CORE_READ(inode, i_mode);
      rec->ino = BPF_CORE_READ(inode, i_ino);
    }
    if ((mode & DT_S_IFMT) == DT_S_IFSOCK) {
      struct socket___fd* sock = BPF_CORE_READ(file, private_data);
      if ((how & DT_NOTE_FILES) ||
          ((how & DT_NOTE_DGRAM) && BPF_CORE_READ(sock, type) != DT_SOCK_DGRAM))
        return 0;
      rec->kind = DT_FD_SOCKET;
      describe_socket(rec, file);
    } else if (how & DT_NOTE_DGRAM) {
      return 0;
    } else {
      rec->kind = DT_FD_FILE;
      describe_file(rec, span, d, vm);
    }
  } else if (how & DT_NOTE_DGRAM) {
    return 0;
  }
  if (path_filter) {
    int on_path = pf_note(p);
    if (how & DT_NOTE_PF_RET) {
      p->pf_hit = on_path;
      rec->with_call = on_path;
    }
    if (pf_quiet && !on_path && !rec->with_call) return 0;
  }
  dt_u64 size = (sizeof(*rec) + rec->path_len + 7) & ~7ull;
  if (size > sizeof(*rec) + DT_PATH_MAX) size = sizeof(*rec) + DT_PATH_MAX;
  asm volatile("" : "+r"(size));  // bound the register that is passed, not a copy of it
  size &= 2047;                   // (a no-op: it is at most 1,400)
  rec->size = (dt_u32)size;
  // (Woken as the call's own record would: every wake_bytes, else by the consumer's timer.)
  if (bpf_ringbuf_output(&events, rec, size, wakeup_flags(size))) count_lost();
  return 0;
}

// Sends one DT_FD record: the i-th fd of x, as it is now (a bpf_loop callback).
static __always_inline long fd_note_of(struct fd_note_ctx* x, int fd) {
  dt_u32 how = (dt_u32)x->with_call | (x->dgram_only ? DT_NOTE_DGRAM : 0) |
               (x->files_only ? DT_NOTE_FILES : 0) | (x->pf_ret ? DT_NOTE_PF_RET : 0);
  return fd_note_out(x->p, x->pid_tgid, fd, how, x->other_task) ? 1 : 0;
}
static long send_fd_note(dt_u32 i, struct fd_note_ctx* x) {
  return fd_note_of(x, x->fds[i & 1]);
}

// DT_FDS_FILES: the i-th fd, if open.
static long scan_fd(dt_u32 i, struct fd_note_ctx* x) {
  if (!x->p) return 1;
  dt_u32 w = i / 64;
  asm volatile("" : "+r"(w));  // bound the register that indexes, not a copy of it
  w &= DT_FD_SCAN / 64 - 1;
  if (!((scan_bits(x->p)[w] >> (i % 64)) & 1)) return 0;
  fd_note_of(x, (int)i);  // (not through send_fd_note: a call frame fewer for scan_other's)
  return 0;
}

// DT_FDS_RIGHTS: the fds an SCM_RIGHTS message brought (at most two), from recvmsg's msghdr at
// `msg`: its msg_control and the length the call used (the msghdr's fifth and sixth words), then
// the first control message. Returns how many were put in x->fds.
static __always_inline dt_u32 rights_fds(dt_u64 msg, struct fd_note_ctx* x) {
  dt_u64 ctl[2];
  if (bpf_probe_read_user(ctl, sizeof(ctl), (const void*)(msg + 32))) return 0;
  struct {
    dt_u64 len;
    int level;
    int type;
    int fds[2];
  } c = {};
  if (!ctl[0] || ctl[1] < 20) return 0;
  long err = ctl[1] >= sizeof(c) ? bpf_probe_read_user(&c, sizeof(c), (const void*)ctl[0])
                                 : bpf_probe_read_user(&c, 20, (const void*)ctl[0]);
  if (err || c.level != DT_SOL_SOCKET || c.type != DT_SCM_RIGHTS || c.len < 20) return 0;
  x->fds[0] = c.fds[0];
  x->fds[1] = c.fds[1];
  return c.len >= 24 && ctl[1] >= 24 ? 2 : 1;
}

// DT_FDS_FILES: a DT_FD record of each of the process's open fds (the first DT_FD_SCAN).
static __always_inline void scan_open_files(struct task_struct* task, struct fd_note_ctx* x) {
  struct task_struct___fd* t = (struct task_struct___fd*)task;
  struct fdtable___fd* fdt = BPF_CORE_READ(t, files, fdt);
  if (!fdt || !x->p) return;
  unsigned int max = BPF_CORE_READ(fdt, max_fds);
  unsigned long* bits = BPF_CORE_READ(fdt, open_fds);
  dt_u64* open = scan_bits(x->p);
  for (int w = 0; w < DT_FD_SCAN / 64; w++) {  // (a bitmap has max_fds bits, a multiple of 64)
    open[w] = 0;
    if ((unsigned int)w * 64 < max) bpf_probe_read_kernel(&open[w], 8, bits + w);
  }
  x->files_only = 1;
  bpf_loop(DT_FD_SCAN, scan_fd, x, 0);
}

// A rename or unlink changes the name of a file wherever it is open: after the renaming process's
// own files (scan_open_files), those of the other traced processes, as they are now, each found
// by its thread-group id (the first DT_FD_OTHERS of them; with --all, whose processes are not
// listed, none: the notes of the others then keep the names they had, as docs/capture-format.md
// says of a rename by a process not traced).
#define DT_FD_OTHERS 64
extern struct task_struct* bpf_task_from_pid(int pid) __ksym __weak;
extern void bpf_task_release(struct task_struct* p) __ksym __weak;

struct others_ctx {
  struct fd_note_ctx* x;
  dt_u32 self;  // the renaming process
  dt_u32 left;
};

static long scan_other(void* map, dt_u32* tgid, dt_u8* v, struct others_ctx* o) {
  if (*tgid == o->self) return 0;
  if (!o->left--) return 1;
  struct task_struct* t = bpf_task_from_pid((int)*tgid);
  if (!t) return 0;
  struct fd_note_ctx* x = o->x;
  // (the address as a number, as fd_note_out takes it: the group leader's, which t is; read
  // through BPF_CORE_READ only, as the ADDFD's task is, once the reference is let go: the
  // verifier checks the scan as it does that one's, not once more for a trusted pointer)
  x->other_task = (dt_u64)BPF_CORE_READ(t, group_leader);
  x->pid_tgid = ((dt_u64)*tgid << 32) | *tgid;
  x->with_call = 0;  // (another process's: applied at once)
  bpf_task_release(t);
  scan_open_files((struct task_struct*)x->other_task, x);
  return 0;
}

// (Inline in on_sys_exit, after sys_exit_fds returned DT_SCAN_OTHERS, not in it: the verifier
// allows 8 call frames, which -P's path comparison under fd_note_out takes all of from here.)
#define DT_SCAN_OTHERS 2
static __always_inline void scan_others_files(void) {
  if (!bpf_task_from_pid || !bpf_task_release) return;
  struct pending* p = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
  if (!p) return;
  struct fd_note_ctx x = {.p = p};
  struct others_ctx o = {.x = &x, .self = bpf_get_current_pid_tgid() >> 32, .left = DT_FD_OTHERS};
  bpf_for_each_map_elem(&tgids, scan_other, &o, 0);
}
