// SPDX-License-Identifier: GPL-2.0
// -P decided in the kernel: a call is sent only when it may name one of the paths, so that a call
// -P leaves out costs about what one -t leaves out. User space keeps the final say (its own exact
// check, output/pipeline.cpp): the kernel must never leave out a call that check would show, and
// may send more.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
//
// A call may name a path when
//  - an fd or dirfd argument refers (at entry: as of the call) to a file whose inode number is in
//    pf_inodes: the files at the paths as dtruss starts (user space stats them), and every file
//    that a DT_FD record describes by one of the paths (a file created at the path, renamed to
//    it, an fd received...), added by the kernel itself as it describes it, before the call
//    returns: the program cannot use the fd before the kernel knows it;
//  - a path argument is one of the paths as written (compared at exit);
//  - the fd it returns refers to such a file (decided by sys_exit_fds's record of it);
//  - it is an execve (user space learns from it that the command runs).
// (Inode numbers alone, not the device: a file of another file system with the same number is
// sent for nothing, but stat's device is not always the super block's, on btrfs or overlayfs.)
#pragma once

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_PF_MAX);
  __type(key, dt_u32);
  __type(value, struct dt_pf_string);
} pf_strings SEC(".maps");

#define DT_PF_INODES 16384
#define DT_PF_SHORT 32  // path arguments shorter than this are told apart by their length first
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, DT_PF_INODES);
  __type(key, dt_u64);
  __type(value, dt_u8);
} pf_inodes SEC(".maps");

// Per syscall: its fd and path arguments, and whether it returns an fd (DT_PF_*).
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, dt_u16);
} pf_args SEC(".maps");

// pf_inodes holds an inode (until then no fd can be on a path: nothing to read), or could not
// take one (then every call with an fd is sent).
volatile dt_u32 pf_known = 0;
volatile dt_u32 pf_full = 0;

static __always_inline dt_u16 pf_args_of(long nr) {
  if (nr < 0 || nr >= DT_NR_MAX) return 0;
  dt_u32 key = (dt_u32)nr;
  dt_u16* v = bpf_map_lookup_elem(&pf_args, &key);
  return v ? *v : 0;
}

// The file fd refers to in the current task (0: none). The fd table is reached by direct loads
// through the task's BTF pointer (the verifier makes them plain loads that cannot fault), the
// file pointer at a variable index by the one helper read.
static __always_inline dt_u64 fd_file(int fd) {
  struct task_struct___fd* t = (struct task_struct___fd*)UNTRUSTED_TASK(bpf_get_current_task_btf());
  struct fdtable___fd* fdt = t->files->fdt;
  if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds) return 0;
  struct file** arr = fdt->fd;
  dt_u64 file = 0;
  bpf_probe_read_kernel(&file, sizeof(file), arr + fd);
  return file;
}

// Typed reads (kernels with bpf_rdonly_cast, 6.2 on; else the helper reads above and below):
// an fd table's slot as a pointer the verifier types, and the file it holds, read by plain loads
// (which cannot fault: the verifier makes them probing loads) instead of a helper read each, about
// 10 ns apiece at every fd argument -P looks at. The cast takes the type's id in the kernel's BTF:
// this one, when user space relocated the program against its CO-RE cache (whose ids are its own;
// 0: libbpf's relocation against the kernel's BTF gives it).
const volatile __u32 files_struct_kernel_id = 0;
#define FILES_BTF_ID                               \
  (files_struct_kernel_id ? files_struct_kernel_id \
                          : bpf_core_type_id_kernel(struct files_struct___slot))
struct files_struct___slot {
  struct file___fd* fd_array[1];
} __attribute__((preserve_access_index));

// The file fd refers to in the current task (0: none), typed. The slot, at a variable index, is
// read as the first entry of the table a files_struct keeps in itself (fd_array), one that would
// start at the slot: a typed load of a pointer to struct file.
static __always_inline struct file___fd* typed_fd_file(int fd) {
  struct task_struct___fd* t = (struct task_struct___fd*)UNTRUSTED_TASK(bpf_get_current_task_btf());
  struct fdtable___fd* fdt = t->files->fdt;
  if (!fdt || fd < 0 || (unsigned int)fd >= fdt->max_fds) return 0;
  dt_u64 slot = (dt_u64)(fdt->fd + fd);
  dt_u64 at = slot - bpf_core_field_offset(struct files_struct___slot, fd_array);
  struct files_struct___slot* s = bpf_rdonly_cast((void*)at, FILES_BTF_ID);
  return s->fd_array[0];
}

// A file's inode, mount and dentry (f[0], f[1], f[2]: not a struct, which the programs' types'
// CO-RE attribute would relocate), in one read where the kernel keeps them near each other
// (f_inode and f_path are 24 bytes apart on 6.x), else one read each.
#define PF_SPAN 64
static __always_inline void pf_file_fields(dt_u64 file, dt_u64* f) {
  const dt_u32 at = bpf_core_field_offset(struct file___fd, f_inode);
  const dt_u32 mnt = bpf_core_field_offset(struct file___fd, f_path.mnt);
  const dt_u32 dentry = bpf_core_field_offset(struct file___fd, f_path.dentry);
  if (mnt > at && dentry > at && mnt + 8 - at <= PF_SPAN && dentry + 8 - at <= PF_SPAN) {
    dt_u8 b[PF_SPAN];
    if (bpf_probe_read_kernel(b, sizeof(b), (const void*)(file + at))) return;
    __builtin_memcpy(&f[0], b, 8);
    __builtin_memcpy(&f[1], b + ((mnt - at) & (PF_SPAN - 8)), 8);
    __builtin_memcpy(&f[2], b + ((dentry - at) & (PF_SPAN - 8)), 8);
    return;
  }
  struct file___fd* fp = (struct file___fd*)file;
  f[0] = (dt_u64)BPF_CORE_READ(fp, f_inode);
  f[1] = (dt_u64)BPF_CORE_READ(fp, f_path.mnt);
  f[2] = (dt_u64)BPF_CORE_READ(fp, f_path.dentry);
}

static __always_inline dt_u64 file_inode_nr(dt_u64 file) {
  return file ? BPF_CORE_READ((struct file___fd*)file, f_inode, i_ino) : 0;
}

static __always_inline int pf_inode_known(dt_u64 ino) {
  if (!ino || (!pf_known && !pf_full)) return 0;
  return pf_full || bpf_map_lookup_elem(&pf_inodes, &ino) != 0;
}

// pf_inodes' values: the kernel named the file by a path in a DT_FD record (user space knows it
// so), or user space found it at a path (DT_PF_SEEN: a file renamed onto the path by a process
// not traced, whose fds user space may still know by their old name).
#define DT_PF_NAMED 1
#define DT_PF_SEEN 2

static __always_inline void pf_remember(dt_u64 ino) {
  dt_u8 one = 1;
  if (bpf_map_update_elem(&pf_inodes, &ino, &one, BPF_ANY) != 0)
    pf_full = 1;
  else
    pf_known = 1;
}

// Whether the len bytes at s are one of the strings of that form: the lengths first, then the
// bytes, 8 at a time (each loop a bpf_loop callback: the verifier checks each once).
struct pf_cmp {
  const dt_u8* s;
  const char* e;
  dt_u32 len;
  dt_u32 form;
  int found;
  int differ;
};

static long pf_cmp_word(dt_u32 w, struct pf_cmp* c) {
  if (!c->s || !c->e) return 1;
  dt_u32 at = (w & (DT_PF_LEN / 8 - 1)) * 8;
  dt_u64 a = 0, b = 0;
  __builtin_memcpy(&a, c->s + at, 8);
  __builtin_memcpy(&b, c->e + at, 8);
  dt_u32 left = c->len - at;
  dt_u64 mask = left >= 8 ? ~0ull : (1ull << ((left & 7) * 8)) - 1;
  if ((a ^ b) & mask) {
    c->differ = 1;
    return 1;
  }
  return 0;
}

static long pf_cmp_one(dt_u32 i, struct pf_cmp* c) {
  dt_u32 key = i;
  struct dt_pf_string* e = bpf_map_lookup_elem(&pf_strings, &key);
  if (!e) return 1;
  if (e->form != c->form || e->len != c->len) return 0;
  c->e = e->s;
  c->differ = 0;
  bpf_loop((c->len + 7) / 8 & (DT_PF_LEN / 8 * 2 - 1), pf_cmp_word, c, 0);
  if (c->differ) return 0;
  c->found = 1;
  return 1;
}

struct dt_pf_bytes {
  dt_u8 b[DT_PF_LEN];
};

// (A global function: the verifier checks it once, not at each of its callers.)
__noinline int pf_listed(const struct dt_pf_bytes* s, dt_u32 len, dt_u32 form) {
  if (!s || len >= DT_PF_LEN) return 0;
  struct pf_cmp c = {.s = s->b, .len = len, .form = form};
  bpf_loop(pf_count & (DT_PF_MAX * 2 - 1), pf_cmp_one, &c, 0);
  return c.found;
}

int pf_fd_on_path(int fd);

// At entry: whether an fd or dirfd argument refers to a file on a path, as of the call; one whose
// file user space found at a path (DT_PF_SEEN) is described again before the call's record
// (pf_refresh).
static __always_inline int pf_fd_args(struct pending* p, dt_u16 kinds) {
  p->pf_refresh = 0;
  if (!pf_known && !pf_full) return 0;
  for (int i = 0; i < 6; i++) {
    if (!((kinds >> i) & 1)) continue;
    int on = pf_fd_on_path((int)p->args[i]);
    if (!on) continue;
    if (on == DT_PF_SEEN) p->pf_refresh = (dt_u32)p->args[i] + 1;
    return 1;
  }
  return 0;
}

// At entry: whether a path argument is one of the paths as written. One that cannot be read now
// (a page not yet brought in, which user space reads later) may be: sent.
__noinline int pf_path_args(struct pending* p, dt_u32 kinds) {
  if (!p) return 1;
  for (int i = 0; i < 6; i++) {
    if (!((kinds >> (DT_PF_PATH_SHIFT + i)) & 1)) continue;
    dt_u64 addr = p->args[i & 7];
    if (!addr) continue;
    long n =
        bpf_probe_read_user_str(p->pf_buf, pf_read_max & (DT_PF_LEN * 2 - 1), (const void*)addr);
    if (n <= 0) return 1;
    dt_u32 len = (dt_u32)(n - 1);
    if (len < DT_PF_SHORT && !((pf_written_lens >> (len & (DT_PF_SHORT - 1))) & 1))
      continue;  // (no path is that long)
    if (pf_listed((const struct dt_pf_bytes*)p->pf_buf, len, DT_PF_WRITTEN)) return 1;
  }
  return 0;
}

// A DT_FD record of a file, in p->out (sys_exit_fds): its inode is remembered when the record
// names one of the paths, or may (a path cut short), before the call that gave the fd its
// meaning returns. Returns whether the fd is on a path now.
__noinline int pf_note(struct pending* p) {
  if (!p) return 0;
  struct dt_fd* rec = (struct dt_fd*)p->out;
  if (rec->kind == DT_FD_FILE && !(rec->flags & (DT_FD_PSEUDO | DT_FD_DELETED)) &&
      ((rec->flags & DT_FD_CUT) ||
       pf_listed((const struct dt_pf_bytes*)(p->out + sizeof(*rec)), rec->path_len, DT_PF_WALKED)))
    pf_remember(rec->ino);
  return pf_inode_known(rec->ino);
}

// -P without -y: whether the record of a file not known to be on a path would be walked for
// nothing: its name's length is no path's last component's (a file that is a mount's root is
// named by its mount point: walked).
struct qstr___pf {
  dt_u64 hash_len;  // the length in the high half
} __attribute__((preserve_access_index));
struct dentry___pf {
  struct qstr___pf d_name;
} __attribute__((preserve_access_index));
struct vfsmount___pf {
  struct dentry___pf* mnt_root;
} __attribute__((preserve_access_index));

// Whether a name (its d_name.hash_len) has the length of one of the paths' last components.
static __always_inline int pf_name_len_listed(dt_u64 hash_len) {
  dt_u32 len = (dt_u32)(hash_len >> 32);
  return len < DT_PF_LEN && (pf_name_lens[(len / 64) & (DT_PF_LEN / 64 - 1)] >> (len % 64)) & 1;
}

// pf_unlisted for a typed file (typed_fd_file), in the same order.
static __always_inline int pf_unlisted_typed(struct file___fd* f) {
  struct dentry___pf* d = (struct dentry___pf*)f->f_path.dentry;
  if (!d) return 0;
  if ((pf_known || pf_full) && pf_inode_known(f->f_inode->i_ino)) return 0;
  if (pf_name_len_listed(d->d_name.hash_len)) return 0;
  return d != ((struct vfsmount___pf*)f->f_path.mnt)->mnt_root;
}

// (A global function: the verifier checks it once, not in each of its callers.) The inode is read
// only when some inode is known, the mount's root only when the name's length is no path's.
__noinline int pf_unlisted(dt_u64 f) {
  dt_u64 pf[3] = {};  // inode, mount, dentry
  pf_file_fields(f, pf);
  // (each pointer out of the array first: BPF_CORE_READ would relocate the array's access too)
  struct inode___fd* inode = (struct inode___fd*)pf[0];
  struct vfsmount___pf* mnt = (struct vfsmount___pf*)pf[1];
  struct dentry___pf* d = (struct dentry___pf*)pf[2];
  if (!d) return 0;
  if ((pf_known || pf_full) && inode && pf_inode_known(BPF_CORE_READ(inode, i_ino))) return 0;
  if (pf_name_len_listed(BPF_CORE_READ(d, d_name.hash_len))) return 0;
  return d != BPF_CORE_READ(mnt, mnt_root);
}

// (Global functions: the verifier checks each once, not at each of their callers.)
// Returns 0, or the inode's value in pf_inodes (DT_PF_NAMED when it is full).
__noinline int pf_fd_on_path(int fd) {
  if (fd < 0 || (!pf_known && !pf_full)) return 0;
  dt_u64 ino = 0;
  if (bpf_rdonly_cast) {
    struct file___fd* f = typed_fd_file(fd);
    ino = f ? f->f_inode->i_ino : 0;
  } else {
    ino = file_inode_nr(fd_file(fd));
  }
  if (!ino) return 0;
  dt_u8* v = bpf_map_lookup_elem(&pf_inodes, &ino);
  return v ? *v : pf_full ? DT_PF_NAMED : 0;
}

// A call selected by an fd on a file user space found at a path (pf_fd_args): the fd's DT_FD
// record now, applied by user space at once (with_call 0), so before the call's record: user
// space names the fd's file by the path for this call already (it may know it by the name it had
// when it was opened). Then the file is DT_PF_NAMED: described once.
static __always_inline void pf_refresh_note(struct pending* p, struct task_struct* task) {
  struct fd_note_ctx x = {.p = p, .pid_tgid = bpf_get_current_pid_tgid()};
  x.fds[0] = (int)(p->pf_refresh - 1);
  p->pf_refresh = 0;
  send_fd_note(0, &x);
  dt_u64 ino = ((struct dt_fd*)p->out)->ino;
  dt_u8 named = DT_PF_NAMED;
  if (ino) bpf_map_update_elem(&pf_inodes, &ino, &named, BPF_EXIST);
}

// -P without -y: whether the record of the fd a call returned would be walked and sent for
// nothing (pf_unlisted): sys_exit_fds then sends none.
__noinline int pf_ret_unlisted(int fd) {
  if (bpf_rdonly_cast) {
    struct file___fd* f = typed_fd_file(fd);
    return f && pf_unlisted_typed(f);
  }
  dt_u64 file = fd_file(fd);
  return file && pf_unlisted(file);
}
