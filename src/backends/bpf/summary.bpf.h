// SPDX-License-Identifier: GPL-2.0
// --summary counted in the kernel: per syscall (and process or thread), with a histogram.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// One step of a binary search for the top bit, without a branch: when *v has a bit above its
// low 2^k bits, shifts them out and returns 2^k, else returns 0. (C - v) >> 63 is 1 exactly when
// v > C (v below 2^63).
static __always_inline dt_u64 top_bit_step(dt_u64* v, int k) {
  dt_u64 s = (((1ull << (1 << k)) - 1 - *v) >> 63) << k;
  *v >>= s;
  return s;
}

// floor(log2(v)) + 1, 0 for 0: the log2 bucket of a duration (v below 2^63). Branch-free: each
// branch of a binary search would double the paths the verifier walks (5,176 instructions
// processed instead of 357, 4 ms of start-up).
static __always_inline dt_u32 log2_bucket(dt_u64 v) {
  dt_u64 r = top_bit_step(&v, 5);
  r |= top_bit_step(&v, 4);
  r |= top_bit_step(&v, 3);
  r |= top_bit_step(&v, 2);
  r |= top_bit_step(&v, 1);
  r |= top_bit_step(&v, 0);
  return (dt_u32)(r + ((0 - v) >> 63));  // + 1 unless v was 0
}

// --summary: one more call of nr (dur_ns < 0: it never returned), failed with err (0: did not).
// Per syscall only (the default), the counts are a per-CPU array indexed by the number: the
// cheapest map there is (the verifier inlines its lookup).
static __always_inline void count_call(dt_u64 pid_tgid, long nr, long long dur_ns, long err) {
  if (!cmd_started && (pid_tgid >> 32) == cmd_tgid) return;
  struct dt_agg_key key = {.nr = (dt_u32)nr};
  struct dt_agg* a;
  if (summary_by == DT_BY_CALL) {
    a = bpf_map_lookup_elem(&sums, &key.nr);
    if (!a) return;
  } else {
    key.id = summary_by == DT_BY_PROCESS ? pid_tgid >> 32 : (dt_u32)pid_tgid;
    if (summary_by == DT_BY_THREAD) key.tgid = pid_tgid >> 32;
    if (summary_by == DT_BY_CGROUP) {  // (the cgroup's id: its directory's inode number)
      dt_u64 cg = cgroup_v1_hierarchy ? current_cgroup1_id() : bpf_get_current_cgroup_id();
      key.id = (dt_u32)cg;
      key.tgid = cg >> 32;
    }
    a = bpf_map_lookup_elem(&aggs, &key);
    if (!a) {
      dt_u32 z = 0;
      struct dt_agg* zero = bpf_map_lookup_elem(&agg_zero, &z);  // too big for the stack
      if (!zero) return;
      bpf_map_update_elem(&aggs, &key, zero, BPF_NOEXIST);
      a = bpf_map_lookup_elem(&aggs, &key);
      if (!a) return;
      bpf_get_current_comm(a->comm, sizeof(a->comm));
    } else if (summary_comm_live) {
      bpf_get_current_comm(a->comm, sizeof(a->comm));
    }
  }
  a->calls++;
  if (dur_ns >= 0) {
    a->total_ns += dur_ns;
    if ((dt_u64)dur_ns > a->max_ns) a->max_ns = dur_ns;
    a->buckets[log2_bucket(dur_ns) & 63]++;
  }
  if (err) {
    struct dt_err_key ek = {.nr = key.nr, .id = key.id, .tgid = key.tgid, .err = (dt_s32)err};
    dt_u64* n = bpf_map_lookup_elem(&agg_errs, &ek);
    if (n) {
      (*n)++;
    } else {
      dt_u64 one = 1;
      bpf_map_update_elem(&agg_errs, &ek, &one, BPF_NOEXIST);
    }
  }
}
