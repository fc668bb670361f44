// SPDX-License-Identifier: GPL-2.0
// Writing to the ring buffer: lost records, wake-ups, and one capture of tracee memory.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

static __always_inline void count_lost(void) {
  dt_u32 zero = 0;
  dt_u64* n = bpf_map_lookup_elem(&lost, &zero);
  if (n) __sync_fetch_and_add(n, 1);
}

// Bytes this CPU has written since it last woke the consumer.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, dt_u64);
} unwoken SEC(".maps");
const volatile dt_u64 wake_bytes = 1 << 20;  // set by user space from -b and the CPUs

// Wake the consumer only when this CPU has written another wake_bytes since its last wake-up
// (the consumer also polls on a timer): each wake-up is an interrupt on the traced program's
// CPU. Counted per CPU, not read from the ring (bpf_ringbuf_query reads the consumer's
// position, a cache line the consumer's CPU keeps writing).
static __always_inline dt_u64 wakeup_flags(dt_u64 size) {
  dt_u32 zero = 0;
  dt_u64* n = bpf_map_lookup_elem(&unwoken, &zero);
  if (!n) return BPF_RB_NO_WAKEUP;
  *n += size;
  if (*n < wake_bytes) return BPF_RB_NO_WAKEUP;
  *n = 0;
  return BPF_RB_FORCE_WAKEUP;
}

// Fills in a capture's header.
static __always_inline void set_capture(struct dt_capture* c, dt_u64 addr, dt_u32 len,
                                        dt_u32 flags) {
  c->addr = addr;
  c->len = len;
  c->flags = flags;
}

// Appends one capture (header + bytes) at *off in buf; returns the bytes used (0: nothing). When
// `defer`, memory that cannot be read (a page never brought in) still gets a header, with
// DT_CAP_FILE and no bytes: sizeof(struct dt_capture) is returned.
static __always_inline dt_u32 put_capture(dt_u8* buf, dt_u32 off, dt_u64 addr, dt_u32 shape,
                                          dt_u64 len, int defer) {
  off &= (DT_SCRATCH / 2 - 1);
  struct dt_capture* c = (struct dt_capture*)(buf + off);
  if ((void*)(c + 1) > (void*)(buf + DT_SCRATCH)) return 0;
  if (len > DT_MAX_CAPTURE) len = DT_MAX_CAPTURE;
  long n;
  if (shape == DT_CSTRING) {
    n = bpf_probe_read_user_str(buf + off + sizeof(*c), len & (DT_MAX_CAPTURE * 2 - 1),
                                (const void*)addr);
  } else {
    n = bpf_probe_read_user(buf + off + sizeof(*c), len & (DT_MAX_CAPTURE * 2 - 1),
                            (const void*)addr);
    if (n == 0) n = (long)len;
  }
  if (n == -DT_EFAULT && defer && len) {
    set_capture(c, addr, (dt_u32)len, DT_CAP_FILE | (shape == DT_CSTRING ? DT_CAP_STRING : 0));
    return sizeof(*c);
  }
  if (n <= 0) return 0;
  set_capture(c, addr, (dt_u32)n, 0);
  return (dt_u32)(sizeof(*c) + (((dt_u32)n + 7) & ~7u));
}
