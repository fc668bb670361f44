// SPDX-License-Identifier: GPL-2.0
// A call's capture plan, run at its exit (and its in/out arguments' steps at entry): buffers,
// structs, iovecs and msghdrs; a capture larger than a record, in pieces.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// struct user_msghdr (include/linux/socket.h): the layout of the C library's struct msghdr.
struct dt_msghdr {
  dt_u64 name;
  dt_u32 namelen;
  dt_u32 pad;
  dt_u64 iov;
  dt_u64 iovlen;
  dt_u64 control;
  dt_u64 controllen;
  dt_u32 flags;
  dt_u32 pad2;
};

struct plan_ctx {
  struct pending* p;
  struct dt_plan* plan;
  long ret;
  // Messages to capture after the plan's steps: a msghdr (DT_MSGHDR_*), or the msghdrs of an
  // mmsghdr array (DT_MMSGHDR_*, whose bytes the step captured), msg_stride bytes apart.
  dt_u64 msgs;
  dt_u64 msg_count;
  dt_u64 msg_stride;
  dt_u32 msg_header;  // the msghdr's own bytes are to be captured too
  dt_u64 iov;         // an iovec array whose buffers to capture after the steps
  dt_u64 iov_count;
  struct dt_msghdr msg;  // the msghdr's copy
};

// Appends a capture to the event being assembled in p (see put_capture); 0 when nothing was
// copied. A global function: the verifier checks it once, not at each of its call sites.
__noinline int append_capture(struct pending* p, dt_u64 addr, dt_u32 shape, dt_u64 len) {
  if (!p || p->out_len >= DT_SCRATCH / 2) return 0;  // the event is full
  dt_u32 used = put_capture(p->out, p->out_len, addr, shape, len, p->n_unread < DT_MAX_UNREAD);
  if (!used) return 0;
  if (used == sizeof(struct dt_capture)) p->unread[p->n_unread++ & (DT_MAX_UNREAD - 1)] = addr;
  p->out_len = ((p->out_len & (DT_SCRATCH / 2 - 1)) + used) & (DT_SCRATCH - 1);
  p->out_ncap++;
  return 1;
}

// Appends a capture to the event of x.
static __always_inline int add_capture(struct plan_ctx* x, dt_u64 addr, dt_u32 shape, dt_u64 len) {
  return append_capture(x->p, addr, shape, len);
}

// Whether a step's data is dumped in full (dt_step.dump): the call's fd is in that dump set.
static __always_inline int dumped(dt_u8 dump, dt_u64 arg0) {
  dt_u32 fd = (dt_u32)arg0;
  if (!dump || fd >= DT_DUMP_FDS) return 0;
  return (dump_fds[(dump - 1) & 1][(fd / 64) & (DT_DUMP_FDS / 64 - 1)] >> (fd % 64)) & 1;
}

// The data of the i-th iovec of the arrays capture_nested found: entry i % DT_MAX_IOV of message
// i / DT_MAX_IOV's array (p->nest_iovs): at most data_max bytes of its buffer (DT_MAX_CAPTURE
// when the call is dumped: nest_iov_max).
static long iov_data(dt_u32 i, struct plan_ctx* x) {
  struct pending* p = x->p;
  if (!p) return 1;
  dt_u32 m = (i / DT_MAX_IOV) & (DT_MAX_MMSG - 1), k = i % DT_MAX_IOV;
  if (k >= p->nest_iov_n[m]) return 0;
  dt_u64 v[2];
  if (bpf_probe_read_user(v, sizeof(v), (const void*)(p->nest_iovs[m] + (dt_u64)k * 16))) return 0;
  // The size copied depends on the buffer only, never on what the call transferred: the
  // decoder shows no more than that (its return value), and a budget tracked here doubled the
  // verifier's work (dtruss's start-up). A few bytes too many of a short readv cost nothing.
  dt_u64 max = p->nest_iov_max;
  dt_u64 len = v[1] < max ? v[1] : max;
  if (v[0] && len) add_capture(x, v[0], DT_BYTES, len);
  return 0;
}

// The iovec array of message m (n entries at iov): captured, and kept for iov_data.
static __always_inline void note_iovecs(struct plan_ctx* x, dt_u32 m, dt_u64 iov, dt_u64 n) {
  struct pending* p = x->p;
  if (!p) return;
  n = n < DT_MAX_IOV ? n : DT_MAX_IOV;
  m &= DT_MAX_MMSG - 1;
  p->nest_iovs[m] = iov;
  p->nest_iov_n[m] = iov && n && add_capture(x, iov, DT_BYTES, n * 16) ? n : 0;
}

// One step of the syscall's capture plan, at exit.
static long plan_step(dt_u32 i, struct plan_ctx* x) {
  struct dt_plan* plan = x->plan;
  struct pending* p = x->p;
  dt_u64 k = i;
  asm volatile("" : "+r"(k));  // bound-check the register that indexes, not a copy of it
  if (!plan || !p || k >= DT_MAX_STEPS || k >= plan->n) return 1;
  struct dt_step s = plan->steps[k];
  if (s.arg >= 6) return 1;
  dt_u64 addr = p->args[s.arg];
  if (addr == 0) return 0;
  dt_u64 len = s.max;
  int dump = dumped(s.dump, p->args[0]);
  dt_u64 max = dump ? DT_MAX_BIG : s.max;
  if (s.shape != DT_CSTRING) {
    if (s.len == DT_LEN_RET) {
      if (x->ret <= 0) return 0;
      len = (dt_u64)x->ret;
    } else if (s.len >= 0 && s.len < 6) {
      len = p->args[s.len & 7];
    } else if (s.len <= DT_LEN_AT(0) && s.len >= DT_LEN_AT(5)) {
      dt_s32 n = 0;  // an int: a negative one copies nothing
      if (bpf_probe_read_user(&n, sizeof(n), (const void*)p->args[(DT_LEN_AT(0) - s.len) & 7]) ||
          n <= 0)
        return 0;
      len = (dt_u64)n;
    } else if (s.len <= DT_LEN_PAGES(0) && s.len >= DT_LEN_PAGES(5)) {
      dt_u64 bytes = p->args[(DT_LEN_PAGES(0) - s.len) & 7];
      len = (bytes >> 12) + ((bytes & 4095) != 0);
    }
    if (s.elem) len *= s.elem;
    if (len > max) len = max;
  }
  // Read back from map memory, the length is the same unknown number on every path above, so
  // the verifier can prune them where they meet.
  p->step_len = len;
  asm volatile("" ::: "memory");
  len = *(volatile dt_u64*)&p->step_len;
  // Nested data is taken after the steps (one level of bpf_loop keeps verification quick).
  if (s.shape == DT_MSGHDR_IN || s.shape == DT_MSGHDR_OUT) {
    p->nest_msg = addr;
  } else if (s.shape == DT_MMSGHDR_IN || s.shape == DT_MMSGHDR_OUT) {
    if (len >= 64) {  // the array; its messages' pieces later
      add_capture(x, addr, DT_BYTES, len);
      p->nest_msg = addr;
      p->nest_mmsg_count = len / 64;
    }
  } else if (s.shape == DT_IOVECS_IN || s.shape == DT_IOVECS_OUT) {
    p->nest_iov = addr;
    p->nest_iov_count = len / 16;
    p->nest_iov_max = dump ? DT_MAX_CAPTURE : data_max;
  } else if (len > DT_MAX_CAPTURE && s.shape == DT_BYTES && !p->big_addr) {
    p->big_addr = addr;  // (sent after the steps: chunk_step)
    p->big_len = len;
  } else if (len) {
    add_capture(x, addr, s.shape, len);
  }
  return 0;
}

struct chunk_ctx {
  struct pending* p;
};

// The i-th DT_MAX_CAPTURE bytes of the call's big capture, as a DT_CHUNK record (in exec_buf,
// free by then) sent before the call's record.
static long chunk_step(dt_u32 i, struct chunk_ctx* x) {
  struct pending* p = x->p;
  if (!p) return 1;
  dt_u64 done = (dt_u64)i * DT_MAX_CAPTURE;
  if (done >= p->big_len) return 1;
  dt_u64 len = p->big_len - done;
  if (len > DT_MAX_CAPTURE) len = DT_MAX_CAPTURE;
  asm volatile("" : "+r"(len));   // bound the register that is passed, not a copy of it
  len &= DT_MAX_CAPTURE * 2 - 1;  // (a no-op: it is at most DT_MAX_CAPTURE)
  dt_u64 pid_tgid = bpf_get_current_pid_tgid();
  struct dt_chunk* c = (struct dt_chunk*)p->exec_buf;
  c->type = DT_CHUNK;
  c->pad0 = 0;
  c->pid = pid_tgid >> 32;
  c->tid = (dt_u32)pid_tgid;
  c->addr = p->big_addr + done;
  c->pad1 = 0;
  if (bpf_probe_read_user(p->exec_buf + sizeof(*c), len, (const void*)c->addr)) return 1;
  c->len = (dt_u32)len;
  dt_u64 size = sizeof(*c) + ((len + 7) & ~7ull);
  c->size = (dt_u32)size;
  if (bpf_ringbuf_output(&events, c, size, wakeup_flags(size))) count_lost();
  return 0;
}

// The header of the big capture in the call's record; its bytes go in DT_CHUNK records first.
static __always_inline void capture_big(struct pending* p) {
  if (!p->big_addr || p->out_len >= DT_SCRATCH / 2) return;
  struct dt_capture* c = (struct dt_capture*)(p->out + (p->out_len & (DT_SCRATCH / 2 - 1)));
  set_capture(c, p->big_addr, (dt_u32)p->big_len, DT_CAP_CHUNKED);
  p->out_len = (p->out_len + sizeof(*c)) & (DT_SCRATCH - 1);
  p->out_ncap++;
  struct chunk_ctx x = {.p = p};
  bpf_loop(DT_MAX_BIG / DT_MAX_CAPTURE, chunk_step, &x, 0);
}

// The i-th message of x->msgs (a msghdr, or one of an mmsghdr array): its header (unless the
// array's bytes have it), name and control data, and its iovec array.
static long nested_message(dt_u32 i, struct plan_ctx* x) {
  struct pending* p = x->p;
  if (!p) return 1;
  dt_u64 addr = x->msgs + (dt_u64)i * x->msg_stride;
  if (bpf_probe_read_user(&x->msg, sizeof(x->msg), (const void*)addr)) return 1;
  if (x->msg_header) add_capture(x, addr, DT_BYTES, sizeof(x->msg));
  dt_u64 len = x->msg.namelen < 128 ? x->msg.namelen : 128;
  if (x->msg.name && len) add_capture(x, x->msg.name, DT_BYTES, len);
  len = x->msg.controllen < DT_MAX_CONTROL ? x->msg.controllen : DT_MAX_CONTROL;
  if (x->msg.control && len) add_capture(x, x->msg.control, DT_BYTES, len);
  note_iovecs(x, i, x->msg.iov, x->msg.iovlen);
  p->nest_msgs_done = i + 1;  // (in map memory: the verifier checks this callback once)
  return 0;
}

// What the plan's steps left for later: a msghdr's pieces, or an mmsghdr array's messages', or
// an iovec array; then the data of the iovecs found. (Two loops one after the other: a loop in
// a loop's callback doubled on_sys_exit's verification, which is dtruss's start-up.)
static __always_inline void capture_nested(struct plan_ctx* x) {
  struct pending* p = x->p;
  p->nest_msgs_done = 0;
  if (x->msgs) {
    bpf_loop(x->msg_count < DT_MAX_MMSG ? x->msg_count : DT_MAX_MMSG, nested_message, x, 0);
  } else if (x->iov) {
    note_iovecs(x, 0, x->iov, x->iov_count);
    p->nest_msgs_done = 1;
  }
  dt_u32 done = p->nest_msgs_done;
  if (done) bpf_loop((done & (DT_MAX_MMSG * 2 - 1)) * DT_MAX_IOV, iov_data, x, 0);
}

// The plan of the call in p: its syscall's, or the one its selecting argument picks.
static __always_inline struct dt_plan* plan_of(struct pending* p) {
  dt_u32 key = (dt_u32)p->nr;
  struct dt_plan* plan = key < DT_NR_MAX ? bpf_map_lookup_elem(&plans, &key) : 0;
  if (plan && plan->sel) {  // a plan of its own for this value of the selecting argument
    struct dt_sel_key sk = {.nr = key, .value = (dt_u32)p->args[(plan->sel - 1) & 7]};
    struct dt_plan* selected = bpf_map_lookup_elem(&sel_plans, &sk);
    if (selected) plan = selected;
  }
  return plan;
}

#define DT_ENTRY_MAX 2040  // bytes of one entry copy (a 255-element pollfd array)

// Entry step k of the plan: the bytes of an in/out argument as the caller passed them, into
// exec_buf (unused by calls other than execve) as a DT_CAP_ENTRY capture after those taken so far
// (p->exec_len bytes, p->exec_ncap captures); the exit sends them along. Returns 1 to stop.
// (A global function: the verifier checks it once per program; as a bpf_loop callback it went
// through it again until its states converged, about 3,000 instructions where it is used.)
__noinline int entry_step(struct pending* p, struct dt_plan* plan, dt_u32 i) {
  dt_u64 k = i;
  asm volatile("" : "+r"(k));  // bound-check the register that indexes, not a copy of it
  if (!plan || !p || k >= DT_MAX_STEPS || k >= plan->n_entry) return 1;
  struct dt_step s = plan->entry[k];
  if (s.arg >= 6) return 1;
  dt_u64 addr = p->args[s.arg];
  dt_u64 len = s.max;
  if (s.len >= 0 && s.len < 6) len = p->args[s.len & 7];
  if (s.elem) len *= s.elem;
  if (len > s.max) len = s.max;
  if (len > DT_ENTRY_MAX) len = DT_ENTRY_MAX;
  len &= 2047;
  if (addr == 0 || len == 0) return 0;
  if (p->exec_len > 4095) return 1;  // exec_buf is full enough
  dt_u32 off = p->exec_len & 4095;
  struct dt_capture* c = (struct dt_capture*)(p->exec_buf + off);
  if (bpf_probe_read_user(p->exec_buf + off + sizeof(*c), len, (const void*)addr)) return 0;
  set_capture(c, addr, (dt_u32)len, DT_CAP_ENTRY);
  p->exec_len = (off + sizeof(*c) + (((dt_u32)len + 7) & ~7u)) & (DT_EXEC_BUF - 1);
  p->exec_ncap++;
  return 0;
}

// The plan's entry steps (in/out arguments as passed), sent with the call's exit.
static __always_inline void capture_entry(struct pending* p) {
  struct dt_plan* plan = plan_of(p);
  if (!plan || plan->n_entry == 0) return;
  p->exec_len = 0;
  p->exec_ncap = 0;
  for (dt_u32 k = 0; k < DT_MAX_STEPS; k++)
    if (entry_step(p, plan, k)) break;
}

// The plan's steps at the call's exit, into p->out after what is there (p->out_len, p->out_ncap):
// its captures, the big one's pieces, then the nested data the steps left for later.
// A global function: the verifier checks it once per program, whatever the states it is called
// in (inlined, on_sys_exit's and on_uring_complete's paths each went through it again).
__noinline int run_plan(struct pending* p, struct dt_plan* plan, long ret) {
  if (!p || !plan) return 0;
  struct plan_ctx x = {.p = p, .plan = plan, .ret = ret};
  p->nest_msg = 0;
  p->nest_iov = 0;
  p->nest_iov_count = 0;
  p->nest_mmsg_count = 0;
  p->nest_iov_max = data_max;  // (a msghdr's iovecs too; a dumped call's iovec step raises it)
  p->big_addr = 0;
  bpf_loop(DT_MAX_STEPS, plan_step, &x, 0);
  capture_big(p);
  x.msgs = p->nest_msg;
  x.msg_count = p->nest_mmsg_count ? p->nest_mmsg_count : 1;
  x.msg_stride = 64;  // (struct mmsghdr)
  x.msg_header = p->nest_mmsg_count == 0;
  x.iov = p->nest_iov;
  x.iov_count = p->nest_iov_count;
  capture_nested(&x);
  return 0;
}
