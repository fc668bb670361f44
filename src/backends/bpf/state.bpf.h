// SPDX-License-Identifier: GPL-2.0
// What user space sets before load, the maps, and the per-thread state of a call in progress.
// (A part of dtruss.bpf.c, which includes the parts in order: one BPF object, one skeleton.)
#pragma once

// Configuration, set by user space before load.
const volatile int follow_forks = 0;     // -f: add children of traced processes
const volatile int all_processes = 0;    // --all: every process but dtruss
const volatile int cgroup_only = 0;      // --cgroup: the processes of the cgroup in `cgroup_dir`
const volatile int filter_syscalls = 0;  // -t: only the syscalls in `wanted`
// -Z (--status=failed) with no time shown, no -y, -P, -s or -n: a call that needs nothing from
// its entry (`wanted` without DT_WANT_ENTRY) is begun at its exit, and only when it failed: its
// arguments are still in its registers. A successful one then costs what a call -t leaves out
// does: a look-up at its entry and one at its exit.
const volatile int failed_at_exit = 0;
const volatile int self_tgid = 0;  // dtruss itself, never traced
// -n NAME (name_mode 1: running and future processes of that name) or -W NAME (name_mode 2:
// those that start from now on); a prefix match either way, as dtruss's.
const volatile int name_mode = 0;
const volatile char name_filter[16] = {};
const volatile dt_u32 data_max = 64;  // --strsize: bytes of each buffer behind an iovec
// execve's strings: the bytes of each read at most (--strsize + 2: the shown part, one more byte
// that tells it is longer, and the NUL), and with -v the environment's strings too.
const volatile dt_u32 exec_str_max = 66;
const volatile int exec_env_strings = 0;
// Timestamps and durations (want_time) and the CPU time of each call (want_cpu, -o): only when
// the output shows them (-d, -e, -o, -c, JSON, a timeline); each clock read costs about 30 ns.
const volatile int want_time = 1;
const volatile int want_cpu = 1;
const volatile dt_u32 stack_bytes = 0;  // -s: bytes of user stack copied per call (0: no -s)
const volatile int describe_fds = 0;    // -y: the fd table a child starts with comes from fork
// --summary: count in the kernel, per syscall and by enum dt_summary_by (events.h)
// and send no syscall events (user space loads on_sys_enter_count/on_sys_exit_count instead of
// on_sys_enter/on_sys_exit).
const volatile int summary_by = 0;
// --top: each count takes the name its process has now (an exec renames it), not the one it had
// at its first call of that syscall, for the process and program views.
const volatile int summary_comm_live = 0;
// --status, -Z, -z: calls that returned so are not sent (1: without an error, 2: with one; the
// bits of core/call_filter.h's CallStatus). 0 when user space decides alone (unfinished calls
// asked for, or -y's fd table, which follows every call's record).
const volatile dt_u32 drop_status = 0;
// -P decided in the kernel (path_filter.bpf.h): on (with -y's records, sys_exit_fds), the
// strings in pf_strings, and the bytes of a path argument read to compare (the longest path as
// written + 2: one more tells a longer one).
const volatile int path_filter = 0;
const volatile dt_u32 pf_count = 0;
const volatile dt_u32 pf_read_max = 2;
// -P without -y: the DT_FD records of fds not on a path are not sent, unless the call's record
// follows (user space needs -y's table only for the fds on a path, and the calls it is sent).
const volatile int pf_quiet = 0;
// The lengths of the paths' last components (a bit each, below DT_PF_LEN): a file whose name has
// none of them is not walked to be compared.
const volatile dt_u64 pf_name_lens[DT_PF_LEN / 64] = {};
// ... and of the paths as written, those shorter than 32 bytes (a bit each).
const volatile dt_u32 pf_written_lens = 0;
// --read / --write: the fds below DT_DUMP_FDS whose data read ([0]) or written ([1]) is dumped.
const volatile dt_u64 dump_fds[2][DT_DUMP_FDS / 64] = {};
// --pidns-translation: each call's record tells its thread's IDs in its own PID namespace when
// that is not dtruss's (this inode number).
const volatile int pidns_ids = 0;
const volatile dt_u32 self_pidns = 0;

// Processes (thread-group ids) being traced. (Not preallocated: 65,536 entries made up front
// cost milliseconds of start-up, for a map that seldom holds more than a few.)
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, dt_u32);
  __type(value, dt_u8);
} tgids SEC(".maps");

// --cgroup: the cgroup (v2) whose processes, and its descendants', are traced (an fd of its
// directory, put there by user space).
struct {
  __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, dt_u32);
} cgroup_dir SEC(".maps");

// --cgroup on a cgroup v1 hierarchy (cgroup_v1_hierarchy > 0; cgroup_dir, v2's only, stays
// empty): the cgroup whose kernfs id (its directory's inode number) is cgroup_v1_id, at level
// cgroup_v1_level of hierarchy cgroup_v1_hierarchy (as /proc/PID/cgroup numbers them).
const volatile int cgroup_v1_hierarchy = 0;
const volatile int cgroup_v1_level = 0;
const volatile dt_u64 cgroup_v1_id = 0;

// -t: the selected syscall numbers (DT_WANT_CALL, events.h); with failed_at_exit, every call's
// entry in the table, DT_WANT_ENTRY for those begun at their entry.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, dt_u8);
} wanted SEC(".maps");

// The capture plan of each syscall number.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, struct dt_plan);
} plans SEC(".maps");

// The plans that a syscall's selecting argument picks (dt_plan.sel): an ioctl's by its request.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, DT_SEL_PLANS);
  __type(key, struct dt_sel_key);
  __type(value, struct dt_plan);
} sel_plans SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 << 20);  // resized by user space (-b)
} events SEC(".maps");

// Events that did not fit in the ring buffer, per CPU.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, dt_u64);
} lost SEC(".maps");

// --summary's counts (per CPU: no atomics on the hot path; user space adds the CPUs up).
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, struct dt_agg_key);
  __type(value, struct dt_agg);
} aggs SEC(".maps");
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, struct dt_err_key);
  __type(value, dt_u64);
} agg_errs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, dt_u32);
  __type(value, struct dt_agg);
} agg_zero SEC(".maps");  // all zeros: the first value of a new aggs entry
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, DT_NR_MAX);
  __type(key, dt_u32);
  __type(value, struct dt_agg);
} sums SEC(".maps");  // --summary per syscall only: indexed by the number

// --summary: the processes seen calling (their first traced call), for the closing line.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 65536);
  __type(key, dt_u32);
  __type(value, dt_u8);
} seen SEC(".maps");

// --summary: the syscall a thread is in (nr < 0: none) and since when.
struct started {
  dt_u64 enter_ns;
  dt_s64 nr;
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct started);
} in_call SEC(".maps");

#define DT_EXEC_BUF 8192
#define DT_MAX_UNREAD 4     // unreadable buffers of one call told (a power of 2)
#define DT_EXEC_PTRS 256    // argv (or envp) entries kept at most, with the NULL (a power of 2)
#define DT_MISSING_PATH 1u  // execve's path
#define DT_MISSING_ARGV 2u  // one of argv's strings
#define DT_EXEC_PATH 4096   // execve's path: the kernel's limit with its NUL (kPathMax)
// A syscall in progress, per thread: its entry, for execve the captures that must be taken
// before the call replaces the memory they live in, and the buffer its event is assembled in.
// (Per thread, not per CPU: BPF programs are preemptible, so a per-CPU buffer could be
// overwritten by another thread's event half-way through.)
#define DT_BETWEEN_CALLS 1  // struct pending's entered: its last call's exit was seen
#define DT_CALL_ENTERED 2   // its call's entry was seen (followed or not), its exit not yet
struct pending {
  dt_u64 enter_ns;
  dt_u64 cpu_at_enter;
  dt_s64 nr;
  dt_u64 args[6];
  dt_u32 active;
  dt_u32 exec_ncap;
  dt_u32 exec_len;
  dt_u32 exec_missing;  // what capture_exec could not read (DT_MISSING_*)
  dt_u32 exec_got;      // capture_exec's loops: the array entries taken
  dt_u32 exec_end;      // and whether they reached its NULL
  // The event being assembled in `out`: its length and captures so far. Kept here rather than
  // in the loops' context: read back from a map they are plain unknown numbers to the verifier,
  // which then checks each loop callback once instead of once per range of values.
  dt_u32 out_len;
  dt_u32 out_ncap;
  // What the plan's steps leave for capture_nested, and a step's length: kept here for the same
  // reason (the verifier's work on on_sys_exit: 5,162 instructions processed -> 2,707).
  dt_u64 nest_msg;
  dt_u64 nest_iov;
  dt_u64 nest_iov_count;
  dt_u64 nest_mmsg_count;         // nest_msg is an mmsghdr array of so many messages (0: a msghdr)
  dt_u64 nest_iovs[DT_MAX_MMSG];  // capture_nested: each message's iovec array, and its entries
  dt_u32 nest_iov_n[DT_MAX_MMSG];
  dt_u32 nest_msgs_done;  // the messages whose iovec arrays were found
  dt_u64 big_addr;        // a capture larger than DT_MAX_CAPTURE, sent as DT_CHUNK records
  dt_u64 big_len;
  // A fatal signal the thread sent itself during this call (see on_signal_generate): told after
  // the call's event; and `fatal` while the process dies of a signal that kills by default.
  dt_u32 has_deferred;
  dt_u32 fatal;
  struct dt_signal deferred;
  dt_u64 step_len;
  dt_u64 nest_iov_max;  // the bytes of each iovec's buffer taken (more for a dumped call)
  // Buffers of this call that could not be read (DT_CAP_FILE): their addresses, for the
  // DT_MAP_DATA records sent before the call's record.
  dt_u32 n_unread;
  // Where the thread is between its calls, as the tracepoints saw it (0 until its first exit):
  // an exit that finds it DT_BETWEEN_CALLS had no entry (a call the kernel answered at its
  // entry without running it: a seccomp filter's errno or user notification, another tracer).
  dt_u32 entered;
  dt_u64 unread[DT_MAX_UNREAD];
  // -P (path_filter.bpf.h): whether the call may name a path (at entry; sys_exit_fds decides
  // for the fd it returns), an fd argument (+1) whose file user space may know by another name
  // (pf_refresh_note), and a path argument's bytes, to compare.
  dt_u32 pf_hit;
  dt_u32 pf_refresh;
  dt_u8 pf_buf[DT_PF_LEN * 2];
  dt_u64 argv_ptrs[DT_EXEC_PTRS];  // execve's argv (or envp) pointers, before they are sent
  dt_u8 exec_buf[DT_EXEC_BUF];
  dt_u8 out[DT_SCRATCH];
};
struct {
  __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int);
  __type(value, struct pending);
} inflight SEC(".maps");
// (User space reads a thread's entry as a struct dt_in_call: events.h.)
#define DT_SAME_PLACE(f) \
  (__builtin_offsetof(struct pending, f) == __builtin_offsetof(struct dt_in_call, f))
_Static_assert(DT_SAME_PLACE(enter_ns) && DT_SAME_PLACE(cpu_at_enter) && DT_SAME_PLACE(nr) &&
                   DT_SAME_PLACE(args) && DT_SAME_PLACE(active),
               "struct pending begins as struct dt_in_call");

// The command dtruss started: its set-up before its execve is dtruss's, not the command's.
volatile dt_u32 cmd_tgid = 0;  // set by user space once the child exists
volatile int cmd_started = 0;  // its exec happened
// Its exec stops it (SIGSTOP, before the new program's first instruction) until user space has
// written what comes before the trace and continues it: neither signal is shown.
volatile int cmd_stop = 0;      // set by user space: stop it
volatile int cmd_stopping = 0;  // the SIGSTOP is on its way
volatile int cmd_resuming = 0;  // set by user space: the SIGCONT is on its way
