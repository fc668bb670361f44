// SPDX-License-Identifier: GPL-2.0
// io_uring operations as calls of their own (events.h, dt_uring_def): at submission
// (io_uring_submit_req, after the kernel prepared the request) what the request says is kept,
// by the request's address; at completion (io_uring_complete) one DT_SYSCALL record is sent with
// the result and the captures of the equivalent syscall's plan.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

const volatile int trace_uring = 0;  // user space loads the two programs only then
// 0 under --summary, which fills no capture plan and shows no argument: run_plan and the
// requests' arguments are then dead code, which the verifier neither walks nor checks (3.7 ms
// of --summary's start-up).
const volatile int uring_plans = 1;

// The kernel's request (io_uring/io_uring.h, include/linux/io_uring_types.h), relocated (CO-RE).
// `file` begins the per-opcode data (the union with struct io_cmd_data).
struct io_cqe {
  dt_u64 user_data;
  dt_s32 res;
  dt_s32 fd;
} __attribute__((preserve_access_index));
struct io_kiocb {
  struct file* file;
  void* ctx;  // (its ring: struct io_ring_ctx)
  dt_u8 opcode;
  dt_u64 flags;
  struct io_cqe cqe;
  void* async_data;
} __attribute__((preserve_access_index));
// A timeout's data (io_uring/timeout.h): the timespec the kernel copied from the user.
struct io_timeout_data {
  struct {
    dt_s64 tv_sec;
    long tv_nsec;
  } ts;
} __attribute__((preserve_access_index));
struct io_uring_cqe {
  dt_u64 user_data;
  dt_s32 res;
  dt_u32 flags;
} __attribute__((preserve_access_index));
struct task_struct___uring {
  unsigned int flags;
  struct task_struct* group_leader;
} __attribute__((preserve_access_index));
#define DT_PF_IO_WORKER 0x10  // include/linux/sched.h: io-wq workers and the SQPOLL thread
#define DT_CQE_F_MORE 2       // IORING_CQE_F_MORE: a multishot request goes on

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_URING_OPS);
  __type(key, dt_u32);
  __type(value, struct dt_uring_def);
} uring_defs SEC(".maps");

// A submitted request, until its completion. (One that never completes, its ring torn down or
// IOSQE_CQE_SKIP_SUCCESS, leaves its entry until its request is reused: the kernel keeps a cache
// of them. Not preallocated, not LRU: either costs start-up time for every trace.)
struct uring_req {
  dt_u64 submit_ns;
  dt_s64 nr;
  dt_u64 args[6];
  dt_u32 pid;
  dt_u32 tid;
  dt_u32 op;
  dt_u32 flags;  // DT_URING_FIXED_FILE, DT_URING_DIRECT
  char comm[16];
  dt_u64 ring;  // a multishot operation's ring (its key in uring_multi, with user_data), or 0
  dt_u64 user_data;
  dt_u32 klen;  // a DT_UR_BYTES or DT_UR_TIMEOUT argument's bytes, copied at submission
  dt_u32 kpad;
  dt_u8 kbytes[DT_URING_KBYTES];
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);  // 1 unless io_uring is traced (size_maps)
  __type(key, dt_u64);
  __type(value, struct uring_req);
} uring_reqs SEC(".maps");

// A multishot operation's completions but its last come without the request (io_uring_complete's
// req is NULL: the kernel posts them as a ring's own): found by their ring and user_data.
struct uring_key {
  dt_u64 ring;
  dt_u64 user_data;
};
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 16384);  // 1 unless io_uring is traced (size_maps)
  __type(key, struct uring_key);
  __type(value, dt_u64);
} uring_multi SEC(".maps");

// The record of a completion is assembled per thread, as a call's is (the plan's functions
// take a struct pending).
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct pending);
} uring_out SEC(".maps");

// One argument of the request, as def's source says.
static __always_inline dt_u64 uring_arg(const struct dt_uring_src* s, const dt_u8* cmd, dt_s32 fd) {
  if (s->from == DT_UR_FD) return (dt_u64)(dt_s64)fd;
  if (s->from != DT_UR_FIELD && s->from != DT_UR_PATH) return 0;
  dt_u32 off = s->off & (DT_URING_CMD - 1);
  dt_u64 v = 0;
  if (s->from == DT_UR_PATH || s->size == 8) {
    if (off > DT_URING_CMD - 8) return 0;
    __builtin_memcpy(&v, cmd + off, 8);
  } else if (s->size == 4) {
    if (off > DT_URING_CMD - 4) return 0;
    dt_u32 w;
    __builtin_memcpy(&w, cmd + off, 4);
    v = s->sign ? (dt_u64)(dt_s64)(dt_s32)w : w;
  } else if (s->size == 2) {
    if (off > DT_URING_CMD - 2) return 0;
    dt_u16 h;
    __builtin_memcpy(&h, cmd + off, 2);
    v = s->sign ? (dt_u64)(dt_s64)(short)h : h;
  } else if (s->size == 1) {
    v = s->sign ? (dt_u64)(dt_s64)(dt_s8)cmd[off] : cmd[off];
  }
  if (s->from == DT_UR_PATH) {  // struct filename: the user's pointer
    dt_u64 uptr = 0;
    if (!v || bpf_probe_read_kernel(&uptr, sizeof(uptr), (const void*)(v + s->off2))) return 0;
    return uptr;
  }
  return v;
}

// The start of what is kept of a request of a traced process whose operation is selected: into
// *r; its definition, or 0 when it is not to be shown.
static __always_inline struct dt_uring_def* uring_begin(struct io_kiocb* req, struct uring_req* r) {
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  if (!traced_now(pid_tgid >> 32)) return 0;
  dt_u32 op = BPF_CORE_READ(req, opcode);
  struct dt_uring_def* def = bpf_map_lookup_elem(&uring_defs, &op);
  if (!def || !def->wanted) return 0;
  r->submit_ns = want_time ? bpf_ktime_get_ns() : 0;
  r->nr = def->nr;
  r->pid = pid_tgid >> 32;
  r->tid = (dt_u32)pid_tgid;
  r->op = op;
  return def;
}

static __always_inline void uring_submit(struct io_kiocb* req) {
  struct uring_req r = {};
  struct dt_uring_def* def = uring_begin(req, &r);
  if (!def) return;
  r.flags = BPF_CORE_READ(req, flags) & DT_IOSQE_FIXED_FILE ? DT_URING_FIXED_FILE : 0;
  struct task_struct* t = bpf_get_current_task_btf();
  struct task_struct___uring* tu = (void*)UNTRUSTED_TASK(t);
  if (BPF_CORE_READ(tu, flags) & DT_PF_IO_WORKER) {  // the SQPOLL thread: its ring's owner
    struct task_struct* leader = BPF_CORE_READ(tu, group_leader);
    r.tid = BPF_CORE_READ(leader, pid);
    BPF_CORE_READ_STR_INTO(&r.comm, leader, comm);
  } else {
    bpf_get_current_comm(r.comm, sizeof(r.comm));
  }
  // The request's arguments, as the trace shows them (--summary counts the operation alone).
  if (uring_plans) {
    dt_u8 cmd[DT_URING_CMD];
    if (bpf_probe_read_kernel(cmd, sizeof(cmd),
                              (const char*)req + bpf_core_field_offset(struct io_kiocb, file)))
      return;
    dt_s32 fd = BPF_CORE_READ(req, cqe.fd);
    for (int i = 0; i < 6; i++) r.args[i] = uring_arg(&def->src[i], cmd, fd);
    // What the kernel copied from the user's memory at submission (a struct open_how, a timeout's
    // timespec), which that memory may no longer hold at completion: its bytes, sent as a capture.
    for (int i = 0; i < 6; i++) {
      const struct dt_uring_src* s = &def->src[i];
      const void* from = 0;
      dt_u32 len = 0;
      if (s->from == DT_UR_BYTES) {
        from = (const char*)req + bpf_core_field_offset(struct io_kiocb, file) + s->off;
        len = s->size <= DT_URING_KBYTES ? s->size : DT_URING_KBYTES;
      } else if (s->from == DT_UR_TIMEOUT) {
        void* data = BPF_CORE_READ(req, async_data);
        if (data) from = (const char*)data + bpf_core_field_offset(struct io_timeout_data, ts);
        len = 16;
      }
      if (!from || bpf_probe_read_kernel(r.kbytes, sizeof(r.kbytes), from)) continue;
      r.klen = len;
      r.args[i] = DT_URING_KADDR;
    }
    for (int i = 0; i < 6; i++)
      if (def->src[i].from == DT_UR_KSIZE) r.args[i] = r.klen;
    dt_u32 slot = (def->slot - 1) & (DT_URING_CMD - 1);
    if (def->slot && slot <= DT_URING_CMD - 4) {  // a direct descriptor, not an fd, is made
      dt_u32 v;
      __builtin_memcpy(&v, cmd + slot, 4);
      if (v) r.flags |= DT_URING_DIRECT;
    }
  }
  dt_u64 key = (dt_u64)req;
  if (def->multishot) {
    struct uring_key mk = {(dt_u64)BPF_CORE_READ(req, ctx), BPF_CORE_READ(req, cqe.user_data)};
    r.ring = mk.ring;
    r.user_data = mk.user_data;
    bpf_map_update_elem(&uring_multi, &mk, &key, BPF_ANY);
  }
  bpf_map_update_elem(&uring_reqs, &key, &r, BPF_ANY);
}

// A request the kernel refused before preparing it (io_uring_req_failed: a bad flag, opcode or
// field): its completion, an error, is still told, with its opcode alone.
static __always_inline void uring_refused(struct io_kiocb* req) {
  struct uring_req r = {};
  if (!uring_begin(req, &r)) return;
  r.flags = DT_URING_REFUSED;
  bpf_get_current_comm(r.comm, sizeof(r.comm));
  dt_u64 key = (dt_u64)req;
  bpf_map_update_elem(&uring_reqs, &key, &r, BPF_NOEXIST);
}

// A completion of `ring` without its request: a multishot operation's, whose request is found.
static __always_inline void* uring_multishot_req(void* ring, struct io_uring_cqe* cqe) {
  struct uring_key mk = {(dt_u64)ring, BPF_CORE_READ(cqe, user_data)};
  dt_u64* req = bpf_map_lookup_elem(&uring_multi, &mk);
  return req ? (void*)*req : 0;
}

// The record of request r's completion (the map's entry: read in place, not copied to the
// stack, which the record's head fills).
static __always_inline void uring_send(const struct uring_req* r, struct io_uring_cqe* cqe,
                                       dt_u32 more) {
  long ret = BPF_CORE_READ(cqe, res);
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct task_struct* task = bpf_get_current_task_btf();
  // The plan reads the process's memory: only from one of its threads (io-wq workers and the
  // SQPOLL thread are), not from an interrupt in another process.
  struct pending* p = 0;
  if ((pid_tgid >> 32) == r->pid)
    p = bpf_task_storage_get(&uring_out, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
  // -y: the fd it made (openat, accept, socket), described now, before its record.
  if (describe_fds && p && ret >= 0 && !r->flags && r->nr >= 0 && r->nr < DT_NR_MAX) {
    dt_u32 k = (dt_u32)r->nr;
    dt_u8* fds = bpf_map_lookup_elem(&fd_plans, &k);
    if (fds && *fds == DT_FDS_RET) {
      struct fd_note_ctx x = {.p = p, .with_call = DT_FD_FOR_URING};
      x.pid_tgid = ((dt_u64)r->pid << 32) | r->tid;
      x.fds[0] = (int)ret;
      bpf_loop(1, send_fd_note, &x, 0);
    }
  }
  struct dt_syscall h = {};  // the record's head, built here then copied (see below)
  h.type = DT_SYSCALL;
  h.pid = r->pid;
  h.tid = r->tid;
  h.enter_ns = r->submit_ns;
  h.exit_ns = want_time ? bpf_ktime_get_ns() : 0;
  h.nr = r->nr;
  for (int i = 0; i < 6; i++) h.args[i] = r->args[i];
  h.ret = ret;
  __builtin_memcpy(h.comm, r->comm, sizeof(h.comm));
  h.end = DT_RETURNED;
  h.uring = (r->op + 1) | r->flags | more;
  h.size = sizeof(h);
  struct dt_plan* plan = 0;
  if (p && uring_plans) {
    p->nr = r->nr;
    for (int i = 0; i < 6; i++) p->args[i] = r->args[i];
    plan = plan_of(p);
  }
  if (!p || ((!plan || plan->n == 0) && !r->klen)) {  // nothing to capture
    if (bpf_ringbuf_output(&events, &h, sizeof(h), wakeup_flags(sizeof(h)))) count_lost();
    return;
  }
  // (Built in p->out only now: a pointer chosen between p->out and the stack was computed by
  // the compiler before p's null check, which the verifier refuses.)
  struct dt_syscall* e = (struct dt_syscall*)p->out;
  __builtin_memcpy(e, &h, sizeof(h));
  p->out_len = sizeof(*e);
  p->out_ncap = 0;
  p->n_unread = DT_MAX_UNREAD;  // (bytes not in memory are left out: no DT_MAP_DATA for them)
  if (r->klen) {                // the bytes copied at submission (DT_UR_BYTES, DT_UR_TIMEOUT)
    struct dt_capture* c = (struct dt_capture*)(p->out + sizeof(*e));
    set_capture(c, DT_URING_KADDR, r->klen, 0);
    __builtin_memcpy(p->out + sizeof(*e) + sizeof(*c), r->kbytes, DT_URING_KBYTES);
    p->out_len = sizeof(*e) + sizeof(*c) + ((r->klen + 7) & ~7u);
    p->out_ncap = 1;
  }
  if (plan && plan->n) run_plan(p, plan, ret);
  dt_u32 off = p->out_len & (DT_SCRATCH - 1);
  e->ncap = p->out_ncap;
  e->size = off;
  if (off < sizeof(*e)) return;
  if (bpf_ringbuf_output(&events, p->out, off, wakeup_flags(off))) count_lost();
}

static __always_inline void uring_complete(void* req, struct io_uring_cqe* cqe) {
  dt_u64 key = (dt_u64)req;
  struct uring_req* found = bpf_map_lookup_elem(&uring_reqs, &key);
  if (!found) return;
  dt_u32 more = BPF_CORE_READ(cqe, flags) & DT_CQE_F_MORE ? DT_URING_MORE : 0;
  uring_send(found, cqe, more);
  if (more) return;
  struct uring_key mk = {found->ring, found->user_data};
  if (mk.ring) bpf_map_delete_elem(&uring_multi, &mk);
  bpf_map_delete_elem(&uring_reqs, &key);
}
