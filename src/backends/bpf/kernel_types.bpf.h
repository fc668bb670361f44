// SPDX-License-Identifier: GPL-2.0
// The kernel types the programs read, relocated against the running kernel's BTF (CO-RE), and
// the root path walks stop at.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// A kernel pointer the verifier takes as untrusted. Walking a trusted pointer's pointer fields
// (task->se.cfs_rq, t->sighand) makes the verifier search the kernel's whole BTF, by name, for a
// "__safe_trusted" type of each: about 0.5 ms of dtruss's start-up per field visited. Through an
// untrusted pointer it searches nothing, and the loads are the same at run time (the verifier
// turns the cast into a plain move). Kernels before 6.2 have no such cast: there the pointer stays
// as it is (weak: libbpf sets the function's address to 0, the verifier drops the other branch).
// The cast takes the type's id in the kernel's BTF. When user space relocated the program against
// a small copy of the kernel's BTF (its CO-RE cache, whose ids are its own), it sets the kernel's
// id of struct task_struct here; 0: libbpf's relocation against the kernel's BTF gives it.
const volatile __u32 task_struct_kernel_id = 0;
extern void* bpf_rdonly_cast(const void* obj, __u32 btf_id) __ksym __weak;
#define TASK_BTF_ID \
  (task_struct_kernel_id ? task_struct_kernel_id : bpf_core_type_id_kernel(struct task_struct))
#define UNTRUSTED_TASK(ptr)                                                   \
  (bpf_rdonly_cast ? (struct task_struct*)bpf_rdonly_cast((ptr), TASK_BTF_ID) \
                   : (struct task_struct*)(ptr))

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
  unsigned long start_stack;
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
// PID namespaces (include/linux/pid.h, pid_namespace.h, ns_common.h): a struct pid holds the
// thread's number in each namespace from the root's (numbers[0]) to its own (numbers[level]).
struct ns_common {
  unsigned int inum;
} __attribute__((preserve_access_index));
struct pid_namespace {
  struct ns_common ns;
} __attribute__((preserve_access_index));
struct upid {
  int nr;
  struct pid_namespace* ns;
} __attribute__((preserve_access_index));
struct pid {
  unsigned int level;
  struct upid numbers[1];
} __attribute__((preserve_access_index));
struct task_struct {
  struct mm_struct* mm;
  struct pid* thread_pid;
  struct task_struct* group_leader;
  struct sigpending pending;
  struct {
    unsigned long sig[1];
  } blocked, real_blocked;
  int pid;
  int tgid;
  int exit_code;
  unsigned long long start_time;
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

#define DT_WALK_STEPS 128  // directories walked up at most

struct path_walk {
  struct dentry* dentry;
  struct mount* mnt;
  char* path;  // DT_PATH_MAX bytes
  dt_u32 len;
  dt_u32 done;            // the walk reached the root
  struct walk_root root;  // where it stops
};

// Two pointer fields of one kernel object, at (CO-RE) offsets a and b: in one read when they lie
// within 32 bytes (as the walk's do in every kernel's layout), else in two.
static __always_inline void read_two(const void* obj, dt_u64 a, dt_u64 b, dt_u64* va, dt_u64* vb) {
  dt_u64 lo = a < b ? a : b, hi = (a < b ? b : a) + 8;
  dt_u64 w[4] = {};
  if (hi - lo <= sizeof(w) && (lo & 7) == 0) {
    bpf_probe_read_kernel(w, hi - lo, (const char*)obj + lo);
    *va = w[((a - lo) / 8) & 3];
    *vb = w[((b - lo) / 8) & 3];
  } else {
    bpf_probe_read_kernel(va, 8, (const char*)obj + a);
    bpf_probe_read_kernel(vb, 8, (const char*)obj + b);
  }
}

// One step of a path walk towards the root (a bpf_loop callback), crossing mount points, as the
// kernel's d_path walks: -y's paths and the mapped files'. Components innermost first, each
// NUL-terminated; a walk that runs out of room or steps leaves `done` unset.
static long path_walk_step(dt_u32 i, struct path_walk* x) {
  struct dentry* d = x->dentry;
  struct mount* m = x->mnt;
  if (!d || !m || !x->path) return 1;
  if (d == x->root.dentry && m == x->root.mnt) {  // the process's root
    x->done = 1;
    return 1;
  }
  if (d == BPF_CORE_READ(m, mnt.mnt_root)) {
    dt_u64 parent = 0, point = 0;
    read_two(m, bpf_core_field_offset(struct mount, mnt_parent),
             bpf_core_field_offset(struct mount, mnt_mountpoint), &parent, &point);
    if (!parent || parent == (dt_u64)m) {  // the root of everything
      x->done = 1;
      return 1;
    }
    x->dentry = (struct dentry*)point;
    x->mnt = (struct mount*)parent;
    return 0;
  }
  dt_u64 up = 0, name = 0;
  read_two(d, bpf_core_field_offset(struct dentry, d_parent),
           bpf_core_field_offset(struct dentry, d_name.name), &up, &name);
  if (!up || up == (dt_u64)d) {  // a root that is no mount's: d_path stops here too
    x->done = 1;
    return 1;
  }
  dt_u32 off = x->len;
  if (off >= DT_PATH_MAX - DT_NAME_MAX) return 1;  // too long: the path stays cut
  long n = bpf_probe_read_kernel_str(x->path + (off & (DT_PATH_MAX - DT_NAME_MAX - 1)), DT_NAME_MAX,
                                     (const void*)name);
  if (n <= 0) return 1;
  x->len = off + (dt_u32)n;
  x->dentry = (struct dentry*)up;
  return 0;
}
