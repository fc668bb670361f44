// SPDX-License-Identifier: GPL-2.0
// The file mappings user space needs: -s's (the files behind the frames) and the read-only
// ones holding bytes a call was given that could not be read.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// -s: the mappings behind the frames (events.h, struct dt_map).

// The mapping that holds an address: bpf_find_vma's callback fills this in.
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
  struct path_walk x = {
      .dentry = BPF_CORE_READ(file, f_path.dentry),
      .mnt = (struct mount*)((char*)vm - bpf_core_field_offset(struct mount, mnt)),
      .path = (char*)(rec + 1),
      .root = root_of(),
  };
  bpf_loop(DT_WALK_STEPS, path_walk_step, &x, 0);
  rec->path_len = x.len > DT_PATH_MAX ? DT_PATH_MAX : x.len;
  dt_u64 size = (sizeof(*rec) + rec->path_len + 7) & ~7ull;
  if (size > sizeof(*rec) + DT_PATH_MAX) size = sizeof(*rec) + DT_PATH_MAX;
  asm volatile("" : "+r"(size));  // bound the register that is passed, not a copy of it
  size &= 2047;                   // (a no-op: it is at most 1,336)
  rec->size = (dt_u32)size;
  if (bpf_ringbuf_output(&events, rec, size, 0)) count_lost();
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

// At the exit of mmap, munmap and mremap (whatever -t selected).
static __always_inline void track_mappings(struct task_struct* task, struct pt_regs* regs, long ret,
                                           dt_u32 tgid) {
  long nr = BPF_CORE_READ(regs, orig_ax);
  if (ret < 0 && ret > -4096) return;  // failed
  if (nr == DT_NR_MUNMAP) {
    send_unmap(tgid, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si));
    return;
  }
  if (nr == DT_NR_MREMAP) {  // the old range goes; where it went is mapped anew
    send_unmap(tgid, BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si));
  } else if (nr != DT_NR_MMAP) {
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
  if (pair[0] == DT_AT_PHDR) x->phdr = pair[1];
  if (pair[0] == DT_AT_BASE) x->base = pair[1];
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
