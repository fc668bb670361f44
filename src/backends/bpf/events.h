/* The records the BPF program sends through the ring buffer, and the maps it is configured with.
 * Shared by the BPF side (C, clang -target bpf) and the user side (C++): plain C, fixed-width. */
#ifndef DTRUSS_BPF_EVENTS_H
#define DTRUSS_BPF_EVENTS_H

#ifdef __bpf__
typedef unsigned char dt_u8;
typedef signed char dt_s8;
typedef unsigned short dt_u16;
typedef unsigned int dt_u32;
typedef int dt_s32;
typedef long long dt_s64;
typedef unsigned long long dt_u64;
#else
#include <stdint.h>
typedef uint8_t dt_u8;
typedef int8_t dt_s8;
typedef uint16_t dt_u16;
typedef uint32_t dt_u32;
typedef int32_t dt_s32;
typedef int64_t dt_s64;
typedef uint64_t dt_u64;
#endif

#define DT_MAX_STEPS 6      /* capture steps per syscall */
#define DT_MAX_CAPTURE 4096 /* bytes of one capture */
#define DT_MAX_BIG 65536    /* bytes of a capture sent as DT_CHUNK records (DT_CAP_CHUNKED) */
#define DT_SCRATCH 16384    /* the per-CPU buffer an event is built in */
#define DT_NR_MAX 512       /* syscall numbers the plan map covers */
#define DT_ENVP_MAX 4096    /* envp entries counted at most (DT_CAP_COUNTED) */

/* The kernel's numbers the BPF programs test (x86_64), named once: bpf_tracer.cpp checks each
 * against the C library's headers. */
enum dt_kernel_numbers {
  DT_NR_MMAP = 9,
  DT_NR_MUNMAP = 11,
  DT_NR_MREMAP = 25,
  DT_NR_EXECVE = 59,
  DT_NR_EXIT = 60,
  DT_NR_EXIT_GROUP = 231,
  DT_NR_EXECVEAT = 322,
  DT_NR_CLONE3 = 435,
  DT_SIGQUIT = 3,
  DT_SIGILL = 4,
  DT_SIGTRAP = 5,
  DT_SIGABRT = 6,
  DT_SIGBUS = 7,
  DT_SIGFPE = 8,
  DT_SIGKILL = 9,
  DT_SIGSEGV = 11,
  DT_SIGCHLD = 17,
  DT_SIGCONT = 18,
  DT_SIGSTOP = 19,
  DT_SIGTSTP = 20,
  DT_SIGTTIN = 21,
  DT_SIGTTOU = 22,
  DT_SIGURG = 23,
  DT_SIGXCPU = 24,
  DT_SIGXFSZ = 25,
  DT_SIGWINCH = 28,
  DT_SIGSYS = 31,
  DT_PROT_EXEC = 4,
  DT_MAP_ANONYMOUS = 0x20,
  DT_EFAULT = 14,
  DT_S_IFMT = 0170000,
  DT_S_IFSOCK = 0140000,
  DT_AF_UNIX = 1,
  DT_AF_INET = 2,
  DT_AF_INET6 = 10,
  DT_SOCK_DGRAM = 2,
  DT_AT_PHDR = 3,
  DT_AT_BASE = 7,
  DT_SOL_SOCKET = 1,
  DT_SCM_RIGHTS = 1,
};
#define DT_SIGBIT(sig) (1ull << (sig)) /* a signal's bit in a mask indexed by its number */

enum dt_record_type {
  DT_SYSCALL = 1,  /* struct dt_syscall, then ncap captures */
  DT_EXIT = 2,     /* struct dt_exit: a process (thread group) ended */
  DT_SIGNAL = 3,   /* struct dt_signal: a signal is being delivered (or SIGCONT sent) */
  DT_STACK = 4,    /* struct dt_stack (-s): a thread's user stack at syscall entry */
  DT_MAP = 5,      /* struct dt_map (-s): a process mapped or unmapped a file */
  DT_FORK = 6,     /* struct dt_fork (-s, -y or --pidns-translation, with -f): a new process */
  DT_FD = 7,       /* struct dt_fd (-y): what an fd refers to after a call */
  DT_UNTRACED = 8, /* struct dt_untraced: without CAP_SYS_PTRACE, a process dtruss may not trace */
  DT_CHUNK = 9,    /* struct dt_chunk: a piece of the thread's next call's DT_CAP_CHUNKED capture */
};

/* DT_UNFINISHED: the call returned into a SIGKILL (the thread dies before user space sees the
 * result, and ptrace never stops at its exit): shown as unfinished, as the ptrace backend does. */
enum dt_end { DT_RETURNED = 0, DT_NORETURN = 1, DT_UNFINISHED = 2 };

/* The start of the kernel side's per-thread state (state.bpf.h's struct pending begins with these
 * fields: checked there): at a detach, user space reads it of each traced thread (the task
 * storage map, looked up by a pidfd) for the calls in progress then. */
struct dt_in_call {
  dt_u64 enter_ns;
  dt_u64 cpu_at_enter;
  dt_s64 nr;
  dt_u64 args[6];
  dt_u32 active; /* a call was entered and has not returned */
};

struct dt_syscall {
  dt_u16 type;
  dt_u16 ncap;
  dt_u32 size; /* bytes of the whole record */
  dt_u32 pid;  /* thread group */
  dt_u32 tid;
  dt_u64 enter_ns;
  dt_u64 exit_ns;
  dt_u64 cpu_ns;
  dt_s64 nr;
  dt_u64 args[6];
  dt_s64 ret;
  char comm[16];
  dt_u32 end;
  dt_u32 uring; /* 0: a system call; 1 + the opcode: an io_uring operation (see dt_uring_def),
                   with DT_URING_FIXED_FILE when its fd is an index into the ring's files */
  /* --pidns-translation: the thread's PID namespace (its inode number) when it is not dtruss's,
   * and the thread's and its process's IDs there; 0 otherwise. */
  dt_u32 pidns;
  dt_s32 ns_pid;
  dt_s32 ns_tid;
  dt_u32 pad;
};

/* Follows a dt_syscall: `len` bytes copied from tracee address `addr`, padded to 8 bytes. */
struct dt_capture {
  dt_u64 addr;
  dt_u32 len;
  dt_u32 flags; /* 0, or DT_CAP_COUNTED */
};
/* A NULL-terminated pointer array of `len` bytes (execve's envp) that was measured, not copied:
 * no bytes follow; every entry but the last is non-NULL. */
#define DT_CAP_COUNTED 1u
/* execve's argv strings as the kernel copied them onto the new image's stack: `len` bytes of
 * NUL-separated strings, the new image's argc of them (flags >> DT_CAP_ARGC_SHIFT); `addr` is the
 * caller's argv array (captured before), to whose pointers they belong: all of them when argc is
 * the array's, else (a script's interpreter replaced argv[0]) the last ones but argv[0]. Sent
 * when a string could not be read at entry. */
#define DT_CAP_ARGV_BLOCK 2u
#define DT_CAP_ARGC_SHIFT 8
/* The bytes of an in/out argument as the caller passed them, copied at entry (the plan's entry
 * steps); a capture without it at the same address is what the call wrote back. */
#define DT_CAP_ENTRY 4u
// The bits of the `wanted` map's entries: -t selects the call; -Z without times begins it at its
// entry (the others at their exit: failed_at_exit).
#define DT_WANT_CALL 1
#define DT_WANT_ENTRY 2
/* Bytes the call was given that could not be read: the page they are in was never brought into
 * memory (the call did not touch it either: a string literal written to /dev/null), and a BPF
 * program may not fault. No bytes follow; when the page is in a read-only file mapping, a
 * DT_MAP_DATA record of it comes before the call's record and user space reads them from the
 * file. DT_CAP_STRING: a NUL-terminated string of at most `len` bytes. */
#define DT_CAP_FILE 8u
#define DT_CAP_STRING 16u
/* A capture larger than DT_MAX_CAPTURE (a directory's records: up to DT_MAX_BIG bytes): no bytes
 * follow; they came before the call's record, as DT_CHUNK records of its thread. */
#define DT_CAP_CHUNKED 32u

/* DT_CAP_CHUNKED: `len` bytes copied from `addr` (at most DT_MAX_CAPTURE) follow. */
struct dt_chunk {
  dt_u16 type;
  dt_u16 pad0;
  dt_u32 size;
  dt_u32 pid;
  dt_u32 tid;
  dt_u64 addr;
  dt_u32 len;
  dt_u32 pad1;
};

struct dt_exit {
  dt_u16 type;
  dt_u16 pad0;
  dt_u32 size;
  dt_u32 pid;
  dt_u32 tid;
  dt_u64 ts_ns;
  dt_u32 exit_code; /* wait-status form: (code << 8) | signal | 0x80 for a core dump */
  char comm[16];
  dt_u32 pad1;
};

struct dt_signal {
  dt_u16 type;
  dt_u16 stops; /* 1: the default action of a stop signal: the thread stops (job control) */
  dt_u32 size;
  dt_u32 pid;
  dt_u32 tid;
  dt_u64 ts_ns;
  dt_s64 signo;
  char comm[16];
  dt_u8 info[48]; /* the start of the kernel_siginfo: the same layout as user siginfo_t */
  /* --pidns-translation: as dt_syscall's, of the thread the signal is delivered to */
  dt_u32 pidns;
  dt_s32 ns_pid;
  dt_s32 ns_tid;
  dt_u32 pad;
};

/* -s: sent at sys_enter, before the thread's DT_SYSCALL record: the user registers an unwind
 * starts from and `len` bytes of stack copied from `sp` up (at most the --stack-size that the
 * record is sized for; less where the stack's mapping ends, or a few bytes past the thread's
 * first frame when its stack's top is known: stacks.bpf.h). User space unwinds it with DWARF. */
#define DT_FP_MAX 32
struct dt_stack {
  dt_u16 type;
  dt_u16 pad0;
  dt_u32 size;
  dt_u32 pid;
  dt_u32 tid;
  dt_u64 ip;
  dt_u64 sp;
  dt_u64 bp;
  dt_u32 len;
  dt_u32 nfp; /* entries of fp, at most DT_FP_MAX */
  /* dt_u64 fp[nfp] follow: the kernel's frame-pointer walk (bpf_get_stack), the fallback when
   * the copy cannot be unwound at all (code without call-frame information, such as JIT code);
   * its entries only, as most calls have one (a walk through code without frame pointers ends
   * at once). Then dt_u8 bytes[len]. */
};
#define DT_STACK_MAX 32768 /* the most --stack-size can ask for */

/* A path the kernel side walks (-y's, a mapped file's): its components, innermost first, each
 * NUL-terminated, in at most DT_PATH_MAX bytes; each name of at most DT_NAME_MAX with its NUL. */
#define DT_PATH_MAX 1280
#define DT_NAME_MAX 256

/* -s: the mappings that name a process's frames, sent as they change (a process's mappings can
 * no longer be read from /proc once it has ended, which is often before user space gets to its
 * events). DT_MAP_FILE: a file mapped at `start` from file offset `pgoff` (pages), its path in
 * `path` as NUL-separated components, innermost first ("libc.so.6\0lib\0usr\0"). DT_MAP_EXEC: the
 * same, for the first mapping of a new program (the process's earlier mappings are gone).
 * DT_UNMAP: [start, end) unmapped. DT_MAP_DATA: a read-only file mapping holding bytes of the
 * thread's next call that could not be read (DT_CAP_FILE), with the file's inode and device (the
 * kernel's dev_t) to check the path against. */
enum dt_map_kind { DT_MAP_FILE = 1, DT_MAP_EXEC = 2, DT_UNMAP = 3, DT_MAP_DATA = 4 };
struct dt_map {
  dt_u16 type;
  dt_u16 kind;
  dt_u32 size;
  dt_u32 pid;
  dt_u32 path_len; /* bytes of path used */
  dt_u64 start;
  dt_u64 end;
  dt_u64 pgoff;
  dt_u64 ino; /* DT_MAP_DATA: the file's inode and device, and the thread whose call it is for */
  dt_u32 dev;
  dt_u32 tid;
  /* char path[path_len] follow (DT_MAP_FILE, DT_MAP_EXEC, DT_MAP_DATA), at most DT_PATH_MAX */
};

/* Sent by the parent as it forks, before the child can run: it comes before any record of the
 * child's, which may otherwise be read before the parent's clone record (the mappings and the fd
 * table the child starts with are its parent's as of now). */
struct dt_fork {
  dt_u16 type;
  dt_u16 shares_fds; /* 1: the child uses its parent's fd table (clone with CLONE_FILES) */
  dt_u32 size;
  dt_u32 parent; /* thread-group ids */
  dt_u32 child;
  dt_u32 parent_tid; /* the thread that forked */
  /* --pidns-translation: the parent's PID namespace when it is not dtruss's (else 0), and the
   * child's PID there (what the parent's fork returns) */
  dt_u32 pidns;
  dt_s32 child_ns;
  dt_u32 pad1;
};

/* -y: sent at the exit of a call that gives an fd a meaning (fd_plans: open*, socket, accept*,
 * pipe*, dup*, connect, bind, listen...) with what the fd refers to then, read from the kernel's
 * own structures (the process may be gone, or the fd reused, by the time user space reads it).
 * Sent before the call's DT_SYSCALL record (with_call: that record follows). */
enum dt_fd_kind {
  DT_FD_CLOSED = 0, /* no such fd */
  DT_FD_FILE = 1,   /* path: its components, innermost first, each NUL-terminated */
  DT_FD_SOCKET = 2, /* path: a unix socket's sun_path (path_len bytes), if it has an address */
};
/* dt_fd.with_call: the record that follows is an io_uring operation's */
#define DT_FD_FOR_URING 2
#define DT_FD_DELETED 1u  /* the file's name is unlinked */
#define DT_FD_PSEUDO 2u   /* its file system names it (d_dname): path is its one name */
#define DT_FD_CUT 4u      /* the path did not fit, or is deeper than the walk goes */
#define DT_FD_ADDR 8u     /* a unix socket with an address */
#define DT_FD_CLOEXEC 16u /* closed by an exec (FD_CLOEXEC) */
struct dt_fd {
  dt_u16 type;
  dt_u16 with_call;
  dt_u32 size;
  dt_u32 pid;
  dt_u32 tid;
  dt_s32 fd;
  dt_u16 kind;
  dt_u16 flags;
  dt_u64 ino;
  dt_u64 magic;    /* the file system's (statfs's f_type) */
  dt_u32 path_len; /* bytes of path used */
  /* Sockets: struct sock_common and inet_sock, as /proc/net/{tcp,udp}[6] show them. */
  dt_u16 family;
  dt_u8 state;
  dt_u8 pad;
  dt_u16 num;   /* the local port the socket is hashed by (0: none) */
  dt_u16 lport; /* the local and remote ports, network order */
  dt_u16 rport;
  dt_u16 pad2;
  dt_u8 laddr[16]; /* AF_INET: the first 4 bytes */
  dt_u8 raddr[16];
  char proto[32]; /* sk_prot->name: "TCP", "UDPv6", "UNIX", "NETLINK"... */
  /* char path[path_len] follow */
};
/* fd_plans: which fds a call's exit describes, by syscall number. */
enum dt_fd_plan {
  DT_FDS_NONE = 0,
  DT_FDS_RET = 1,        /* the fd it returned */
  DT_FDS_ARG0 = 2,       /* its first argument, whatever it returned (connect, bind, listen) */
  DT_FDS_PAIR_ARG0 = 3,  /* the two fds at its first argument (pipe, pipe2) */
  DT_FDS_PAIR_ARG3 = 4,  /* the two fds at its fourth argument (socketpair) */
  DT_FDS_DGRAM_ARG0 = 5, /* its first argument if a datagram socket (a send binds one) */
  DT_FDS_FILES = 6,      /* every file (not socket) its process has open, when it succeeded:
                            a rename or unlink may have changed their names */
  DT_FDS_PIDFD = 7,      /* clone, clone3 with CLONE_PIDFD: the pidfd it wrote (parent side) */
  DT_FDS_RIGHTS = 8,     /* recvmsg: the fds an SCM_RIGHTS message brought (its first two) */
  DT_FDS_ADDFD = 9,      /* ioctl SECCOMP_IOCTL_NOTIF_ADDFD: the fd it put in another process */
  DT_FDS_LISTENER = 10,  /* seccomp SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_NEW_LISTENER:
                            the listener fd it returned (other seccomp calls return no fd) */
};
/* SECCOMP_IOCTL_NOTIF_ADDFD, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER (uapi
   linux/seccomp.h; checked by bpf_load.cpp) */
#define DT_SECCOMP_IOCTL_NOTIF_ADDFD 0x40182103u
#define DT_SECCOMP_SET_MODE_FILTER 1
#define DT_SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#define DT_FD_SCAN 256 /* fds DT_FDS_FILES looks at (the first ones) */

/* -P decided in the kernel (path_filter.bpf.h): each path in the forms
 * it may be met in. */
#define DT_PF_LEN 256 /* bytes of a path the kernel compares, with room for its NUL */
#define DT_PF_MAX 32  /* strings: each path as given and resolved, in its forms */
enum dt_pf_form {
  DT_PF_WRITTEN = 1, /* as a path argument would spell it: compared with the call's string */
  DT_PF_WALKED = 2,  /* as a DT_FD record's path says it (components innermost first, each
                        NUL-terminated): compared with the file an fd refers to */
};
struct dt_pf_string {
  dt_u32 len;  /* bytes of s used (no NUL) */
  dt_u32 form; /* enum dt_pf_form */
  char s[DT_PF_LEN];
};
/* pf_args, per syscall number: which arguments are fds or dirfds (bits 0-5), which are paths
 * (bits 8-13), whether it returns an fd (DT_PF_RET_FD), and DT_PF_ALWAYS. */
#define DT_PF_PATH_SHIFT 8
#define DT_PF_RET_FD 0x8000u
#define DT_PF_ALWAYS 0x4000u     /* always sent: it may close fds on a path without naming them */
#define DT_CLONE_PIDFD 0x1000ULL /* CLONE_PIDFD (uapi linux/sched.h; checked by bpf_tracer.cpp) */
/* Without CAP_SYS_PTRACE, the kernel side traces only processes the caller could ptrace: the
 * same uids and gids (real, effective, saved), no capabilities beyond the caller's, dumpable. A
 * process that fails this (reason DT_DENY_*: the values of PtraceDenial in core/proc.h) is not
 * traced, or no longer: at its exec (a set-ID or file-capability program: the trace stops there,
 * `path` is the program), at a fork of a traced process, or when -n/-W would take it up. */
enum dt_deny { DT_DENY_USER = 1, DT_DENY_GROUP = 2, DT_DENY_CAPS = 3, DT_DENY_DUMPABLE = 4 };
enum dt_untraced_at { DT_UNTRACED_EXEC = 1, DT_UNTRACED_FORK = 2, DT_UNTRACED_NAME = 3 };
#define DT_UNTRACED_PATH 256
struct dt_untraced {
  dt_u16 type;
  dt_u16 at; /* enum dt_untraced_at */
  dt_u32 size;
  dt_u32 pid;    /* its thread group */
  dt_u32 parent; /* DT_UNTRACED_FORK: the traced parent's thread group */
  dt_u32 why;    /* enum dt_deny */
  dt_u32 uid;    /* its effective uid (the ids that differ, for the message) */
  char comm[16];
  char path[DT_UNTRACED_PATH]; /* DT_UNTRACED_EXEC: the program (NUL-terminated) */
};

/* One step of a capture plan (see src/syscalls/capture.h). */
/* DT_IOVECS_*: an iovec array (bytes, like DT_BYTES) and the data of its first DT_MAX_IOV buffers;
 * DT_MSGHDR_*: a struct user_msghdr and its name, iovecs, their data and its control data;
 * DT_MMSGHDR_*: an array of struct mmsghdr (bytes), and of each of its first DT_MAX_MMSG
 * messages what DT_MSGHDR_* takes of a msghdr.
 * _OUT: the data was written by the call (at most its return value in all); _IN: by the caller. */
enum dt_shape {
  DT_CSTRING = 0,
  DT_BYTES = 1,
  DT_STRARRAY = 2,
  DT_PTRARRAY = 3,
  DT_IOVECS_IN = 4,
  DT_IOVECS_OUT = 5,
  DT_MSGHDR_IN = 6,
  DT_MSGHDR_OUT = 7,
  DT_MMSGHDR_IN = 8,
  DT_MMSGHDR_OUT = 9,
};
#define DT_MAX_IOV 16       /* iovec buffers captured per array */
#define DT_MAX_CONTROL 1024 /* bytes of msghdr control data captured */
#define DT_MAX_MMSG 16      /* messages of an mmsghdr array whose pieces are captured */
#define DT_LEN_NONE (-1)
#define DT_LEN_RET (-2)
#define DT_LEN_AT(i) (-3 - (i))    /* the int argument i points to, read at exit */
#define DT_LEN_PAGES(i) (-9 - (i)) /* the 4 KiB pages that argument i's byte count spans */

struct dt_step {
  dt_u8 arg;
  dt_u8 shape;
  dt_s8 len;  /* DT_LEN_NONE: `max` bytes; DT_LEN_RET, an argument index, DT_LEN_AT(i) or
                 DT_LEN_PAGES(i): the length */
  dt_u8 elem; /* 0: the length counts bytes; else the size of the elements it counts */
  dt_u32 max;
  /* --read/--write: the call's data (0: not), read (1) or written (2) on the fd of its first
   * argument; for an fd in that set (dump_fds) the step takes up to DT_MAX_BIG bytes (an iovec
   * array: DT_MAX_CAPTURE of each buffer) instead of `max`. */
  dt_u8 dump;
  dt_u8 pad[3];
};
#define DT_DUMP_FDS 1024 /* fds the dump sets cover (those above are not dumped in full) */

struct dt_plan {
  dt_u32 n;
  dt_u32 sel; /* 0, or 1 + the argument whose value picks the plan in sel_plans (ioctl's cmd) */
  struct dt_step steps[DT_MAX_STEPS];
  /* Steps taken at entry (DT_BYTES only: the in-values of in/out arguments, DT_CAP_ENTRY); the
   * length of each is an argument or `max` (no return value yet). */
  dt_u32 n_entry;
  dt_u32 pad;
  struct dt_step entry[DT_MAX_STEPS];
};
/* sel_plans: the plan of syscall `nr` when its selecting argument is `value` (low 32 bits). */
struct dt_sel_key {
  dt_u32 nr;
  dt_u32 value;
};
#define DT_SEL_PLANS 512

/* --summary, counted in the kernel: per syscall (and process or thread with --summary-by). */
enum dt_summary_by { DT_BY_CALL = 0, DT_BY_PROCESS = 1, DT_BY_THREAD = 2, DT_BY_CGROUP = 4 };
#define DT_AGG_BUCKETS 64
struct dt_agg_key {
  dt_u32 nr;
  dt_u32 id;   /* 0, the thread group or the thread (--summary-by); a cgroup id's low half */
  dt_u32 tgid; /* the thread's group, with --summary-by thread; a cgroup id's high half */
  dt_u32 pad;
};
struct dt_agg {
  dt_u64 calls;
  dt_u64 total_ns;
  dt_u64 max_ns;
  dt_u64 buckets[DT_AGG_BUCKETS]; /* log2: 0 ns, then [2^(b-1), 2^b) ns */
  char comm[16];
};
struct dt_err_key {
  dt_u32 nr;
  dt_u32 id;
  dt_u32 tgid;
  dt_s32 err;
};

/* io_uring: each operation a traced process's ring takes is sent as a DT_SYSCALL record when it
 * completes (uring = 1 + its opcode; enter_ns its submission), with `nr` and `args` those of the
 * system call it stands for (or -1 and its own fields), read at submission from the request the
 * kernel prepared (struct io_kiocb's per-opcode data, `cmd`), and the captures of that syscall's
 * plan taken at completion. uring_defs (indexed by opcode) says where each argument is, in
 * offsets user space finds in the kernel's BTF. */
#define DT_URING_OPS 64 /* opcodes (IORING_OP_LAST is 63 on 6.18) */
#define DT_URING_CMD 64 /* bytes of the request's per-opcode data (struct io_cmd_data) */
#define DT_URING_OP_MASK 0xffu
#define DT_URING_FIXED_FILE 0x100u /* dt_syscall.uring: IOSQE_FIXED_FILE */
#define DT_URING_DIRECT 0x200u     /* dt_syscall.uring: it makes a direct descriptor (file_slot) */
#define DT_URING_REFUSED 0x400u    /* dt_syscall.uring: refused before it was prepared: no args */
#define DT_URING_MORE 0x800u       /* dt_syscall.uring: IORING_CQE_F_MORE, more completions come */
#define DT_IOSQE_FIXED_FILE 1u     /* IOSQE_FIXED_FILE, also the request's REQ_F_FIXED_FILE */
enum dt_uring_from {
  DT_UR_NONE = 0,    /* 0 */
  DT_UR_FD = 1,      /* the fd the SQE named (req->cqe.fd) */
  DT_UR_FIELD = 2,   /* `size` bytes at `off` of the per-opcode data (`sign`: sign-extended) */
  DT_UR_PATH = 3,    /* a struct filename * at `off`: its user pointer (at `off2` in it) */
  DT_UR_BYTES = 4,   /* `size` bytes at `off` (a struct the kernel copied: an open_how), sent as a
                        capture at DT_URING_KADDR, the argument's value */
  DT_UR_TIMEOUT = 5, /* the timespec the kernel copied (the request's io_timeout_data), as BYTES */
  DT_UR_KSIZE = 6,   /* the size of the BYTES argument's bytes */
};
#define DT_URING_KBYTES 24 /* at most this many bytes of a BYTES argument (one per operation) */
/* The address a BYTES argument's capture is sent at: none of a process's (a kernel one). */
#define DT_URING_KADDR 0xffffffffffff0000ull
struct dt_uring_src {
  dt_u8 from;
  dt_u8 off;
  dt_u8 size;
  dt_u8 sign;
  dt_u16 off2;
  dt_u16 pad;
};
struct dt_uring_def {
  dt_u32 wanted; /* -t selects it */
  dt_s32 nr;     /* the syscall it stands for (its capture plan), or -1 */
  struct dt_uring_src src[6];
  dt_u32 slot;      /* 1 + the offset of its file_slot (a u32: a direct descriptor's), or 0 */
  dt_u32 multishot; /* it may complete more than once: its completions that come without the
                       request (io_uring_complete's req NULL) are found by ring and user_data */
};

#endif
