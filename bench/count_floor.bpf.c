// The counting floor: the least an eBPF syscall tracer can do. Attached to raw_syscalls
// sys_enter and sys_exit, it checks the thread group against the traced one (one hash lookup, as
// any tracer that filters by process must) and bumps a per-CPU counter. No events, no ring buffer:
// what remains is the cost of the probe itself.
// bpf_helpers.h uses the types of linux/bpf.h, which must come first.
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// clang-format on

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, __u32);
  __type(value, __u8);
} tgids SEC(".maps");

// [0]: sys_enter hits, [1]: sys_exit hits.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

static __always_inline int count(__u32 slot) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (!bpf_map_lookup_elem(&tgids, &tgid)) return 0;
  __u64* n = bpf_map_lookup_elem(&counts, &slot);
  if (n) *n += 1;
  return 0;
}

SEC("raw_tracepoint/sys_enter")
int on_enter(struct bpf_raw_tracepoint_args* ctx) {
  (void)ctx;
  return count(0);
}

SEC("raw_tracepoint/sys_exit")
int on_exit(struct bpf_raw_tracepoint_args* ctx) {
  (void)ctx;
  return count(1);
}

char LICENSE[] SEC("license") = "GPL";
