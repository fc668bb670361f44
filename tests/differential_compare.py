#!/usr/bin/env python3
"""The eBPF backend tells exactly what the ptrace backend tells.

Every fixture of the e2e suite (tests/fixtures/*.c) and a few real programs (sh pipelines,
python3, a #! script, curl against a local HTTP server, tar with gzip, a threaded program) are
traced by both backends with `-f -y -v`, once as text and once as --json, and the two traces are
compared line by line, thread by thread, after normalising only what legitimately differs between
two runs of the same program (each normalisation below says why). Any other difference fails,
showing the first differing line of each backend with the lines before it.

Threads and processes interleave nondeterministically, so each trace is split per thread (its
lines in order), threads being named T1, T2... by the rank of their TID (the kernel hands TIDs
out in increasing order, so ranks follow creation order in both runs). The traced programs run
with address-space randomisation off (personality ADDR_NO_RANDOMIZE, inherited by dtruss's
child), in a fixed environment, so that addresses are the same in both runs and need no
normalising.

KNOWN_DEFECTS lists, in one place, the differences known today (each a defect being fixed
elsewhere) and the cases that show them: a case is compared with those undone on both sides, and a
listed case that no longer needs its entry fails the test (the entry is stale: remove it).
A case that differs runs once more, and fails only if it differs again: a race in the traced
program (which of its threads got there first) can make one run differ; a backend's difference
shows in every run. The first run's difference is printed (RETRY) either way.

Usage: differential_compare.py --dtruss build/dtruss --fixtures build/tests/fixtures
       --fixture-src tests/fixtures [--case NAME ...] [--all-differences] [--jobs N]
  --all-differences  report every case that differs, listed or not, and exit 0 (a catalogue)
"""

import argparse
import ctypes
import glob
import http.server
import difflib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

PYTHON = "/usr/bin/python3"  # the system's, not a shim: the same binary in both runs
FORMATS = ("text", "json")
BACKENDS = ("ptrace", "bpf")


class Case:
    """A traced command: argv (with {fixture}, {tmp}, {port} and {src} placeholders), the
    names of the extra normalisations it needs (NORMALISERS), and an optional setup function
    run in the case's fresh temporary directory before each traced run."""

    def __init__(self, name, argv, norms=(), setup=None, status=None):
        self.name, self.argv, self.norms, self.setup = name, argv, tuple(norms), setup
        self.status = status  # the exit status dtruss must return (the program's); None: 0


def fx(name, *args, norms=(), status=None, setup=None):
    return Case(name, ["{fixture}/" + name, *args], norms, setup=setup, status=status)


def write_script(tmp):
    path = os.path.join(tmp, "script.sh")
    with open(path, "w") as f:
        f.write("#!/bin/sh\necho \"script says $1\"\n")
    os.chmod(path, 0o755)


def write_fd_truth_input(tmp):
    # fd_truth opens DIR/link/file.txt through the symlink DIR/link -> DIR/real.
    os.makedirs(os.path.join(tmp, "real"))
    with open(os.path.join(tmp, "real", "file.txt"), "w") as f:
        f.write("x\n")
    os.symlink("real", os.path.join(tmp, "link"))


def write_tar_input(tmp):
    d = os.path.join(tmp, "in")
    os.makedirs(d)
    for i in range(3):
        with open(os.path.join(d, f"f{i}.txt"), "w") as f:
            f.write(f"file {i}\n" * 100)
        # Fixed times: tar stores them in the archive it writes (and gzip compresses).
        os.utime(os.path.join(d, f"f{i}.txt"), (1_600_000_000, 1_600_000_000))
    os.utime(d, (1_600_000_000, 1_600_000_000))


def write_path_cases_input(tmp):
    # path_cases renames a new file over DIR/renamed.
    open(os.path.join(tmp, "renamed"), "w").close()


def write_path_opens_input(tmp):
    # path_opens: DIR/file and DIR/real/inner.
    open(os.path.join(tmp, "file"), "w").close()
    os.makedirs(os.path.join(tmp, "real"))
    open(os.path.join(tmp, "real", "inner"), "w").close()


def write_path_later_input(tmp):
    # path_later created: DIR/target is there from the start (it waits for nothing).
    with open(os.path.join(tmp, "target"), "w") as f:
        f.write("t")


THREADED_PY = (
    "import threading, os\n"
    "def work():\n"
    "    os.write(1, b'worker\\n')\n"
    "t = threading.Thread(target=work)\n"
    "t.start()\n"
    "t.join()\n"
    "os.write(1, b'joined\\n')\n"
)

# The fixtures that call getppid and sleep until some time has passed: how many rounds they make
# depends on scheduling (on a loaded machine a thread may start after the time is up), so those
# calls are not compared.
SLEEP_LOOP = ("poll_loop", r'^(?:getppid|clock_nanosleep|nanosleep)\(|'
                          r'"syscall": "(?:getppid|clock_nanosleep|nanosleep)"')

# A thread that polls /proc (another thread's stat or syscall file) until that thread is where it
# waits for it: how many rounds depends on scheduling.
PROC_POLL = ("poll_loop", r'"/proc/(?:self/task/)?T[\d.]*/(?:task/T[\d.]*/)?(?:stat|syscall)"|'
                          r'</proc/[^>]*/(?:stat|syscall)>|^(?:getpid|clock_nanosleep|nanosleep)\(|'
                          r'"syscall": "(?:getpid|clock_nanosleep|nanosleep)"')

# Every fixture, with the arguments that make it deterministic enough, and the real programs.
CASES = [
    fx("ch_phases", "{tmp}", "50", "1"),  # (one phase: it waits for nothing)
    fx("affinity", norms=["thread_sync", "async_signals"]),
    fx("cpu_burn"),
    fx("exec_truth", "longpath", "5000"),
    fx("execer"),
    fx("exit3", status=3),
    fx("failed_inout", norms=["ephemeral_ports"]),
    fx("fd_reuse", "{tmp}", "20", norms=["async_signals", "sigchld_merged"]),
    fx("fd_truth", "{tmp}", norms=["ephemeral_ports", "thread_sync", "async_signals"],
       setup=write_fd_truth_input),
    fx("fd_turns", "{tmp}", norms=["thread_sync"]),
    fx("fd_turns_per_fd", "{tmp}"),
    fx("fd_turns_shared", "{tmp}", norms=["async_signals"]),
    fx("fd_turns_ioctl", "{tmp}", norms=["async_signals"]),
    fx("files", "{tmp}"),
    fx("flight", "eisdir", "5"),
    fx("forker", norms=["async_signals"]),
    fx("forkmany", "5", norms=["async_signals", "sigchld_merged"]),
    fx("getppid_burst", "20"),
    fx("fd_burst", "20"),
    fx("path_cases", "{tmp}", setup=write_path_cases_input, norms=["thread_sync", "async_signals"]),
    fx("path_later", "{tmp}", "created", setup=write_path_later_input),
    fx("path_opens", "{tmp}", "symlink", setup=write_path_opens_input),
    Case("path_opens_fail", ["{fixture}/path_opens", "{tmp}", "fail"],
         setup=write_path_opens_input),
    fx("hostile", "{tmp}"),
    fx("ids"),
    fx("inject_target", "opens", "3"),
    fx("ignint", "0.2", norms=[SLEEP_LOOP]),
    # (a thread of inout polls /proc until the main thread sleeps in the call it interrupts)
    fx("inout", norms=["thread_sync", "proc_stat", "clock_state", PROC_POLL]),
    fx("leader_exits", "{tmp}", norms=["thread_sync", "proc_stat", PROC_POLL, "fd_numbers"],
       setup=lambda tmp: open(os.path.join(tmp, "go"), "w").close()),
    fx("longread"),
    fx("lsm_attrs"),
    fx("migrate_sleep", norms=["thread_sync"]),
    fx("mmap"),
    fx("msg_inout", norms=["ephemeral_ports"]),
    fx("napper", "2", "0.3", norms=[SLEEP_LOOP, "thread_sync"], status=3),
    fx("new_syscalls", "{tmp}"),
    fx("pidns_calls", norms=["async_signals"]),
    fx("pipe_bulk"),
    fx("poke_target"),
    fx("stdin_reader"),
    fx("stat_variants"),
    fx("pointer_args", norms=["pty_numbers",
                              ("poll_loop", r'FIONREAD, \[0\]|\[0\], "cmd": "FIONREAD"|'
                                            r'^clock_nanosleep\(|"syscall": "clock_nanosleep"')]),
    fx("proc_threads", norms=["async_signals", "thread_sync"]),
    fx("rw"),
    fx("selected_args"),
    fx("selected_ptrs", norms=["temp_names",
                               ("poll_loop", r'^getrandom\(|"syscall": "getrandom"|EEXIST')]),
    fx("selected_structs", norms=["async_signals"]),
    fx("seccomp_addfd", "{tmp}", norms=["async_signals"]),
    fx("seccomp_errno"),
    fx("secret_reader", "/etc/hostname"),
    fx("selfkill", status=137),
    fx("selfsegv", status=139),
    fx("signals"),
    fx("big_writer", "3"),
    fx("sleeper", "0.25", norms=[SLEEP_LOOP]),
    # (its rounds' calls as sleeper's, the failing open among them; "ready PID" names its PID)
    fx("top_busy", "0.2", norms=[SLEEP_LOOP, ("poll_loop", r'dtruss-top-busy|ready \d+')]),
    fx("spawner", norms=["async_signals"]),
    fx("stack_chain", "{fixture}/libstack_lib.so"),
    fx("stack_jit"),
    fx("stack_many", "20", norms=["thread_sync"]),
    fx("stack_swap", "{fixture}/libstack_swap_a.so", "{fixture}/libstack_swap_b.so"),
    fx("status_paths", "more", norms=["thread_sync", "async_signals"]),
    fx("stopcont", norms=["async_signals", "polling"]),
    fx("storm", "2", "50", norms=["thread_sync"]),
    fx("structs_file", "{tmp}"),
    fx("structs_net", norms=["ephemeral_ports"]),
    fx("structs_process", norms=["ipc_ids", "async_signals", ("raced", "T1.2", None)]),
    fx("thread_exec", norms=["pid_output", "thread_sync",
                            ("poll_loop", r"/proc/self/task/|^[a-z0-9]+\(3[,)<]|\"d?fd\": 3[,}]|"
                                          r"nanosleep")], status=5),
    fx("threaded_sleeper", "0.25", norms=[SLEEP_LOOP, "thread_sync"]),
    fx("threads", norms=["thread_sync"]),
    fx("timer_signal"),
    fx("undumpable", "0.3", norms=[SLEEP_LOOP]),
    fx("untouched"),
    fx("uring_ops", "files", "{tmp}"),
    fx("uring_more", "openat2", "{tmp}"),
    fx("vforker", norms=["async_signals", "sigchld_merged"]),
    Case("sh_pipeline", ["/bin/sh", "-c", "echo hello world | tr a-z A-Z | wc -c"],
         norms=["async_signals", "sigchld_merged", ("unordered", r"^wait4\(-1|\"upid\": -1")]),
    Case("python3", [PYTHON, "-c", "import json, sys; print(json.dumps({'a': [1, 2]}))"]),
    Case("shebang_script", ["{tmp}/script.sh", "arg1"], setup=write_script),
    Case("curl", ["/usr/bin/curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:{port}/index.txt"],
         norms=["http_server", "ephemeral_ports",
                ("poll_loop", r'^poll\(|"syscall": "poll"|^rt_sigaction\(SIGPIPE|'
                              r'"sig": "SIGPIPE"')]),
    Case("tar_gzip", ["/bin/tar", "-czf", "{tmp}/out.tgz", "-C", "{tmp}", "in"],
         norms=["async_signals"], setup=write_tar_input),
    Case("python3_threads", [PYTHON, "-c", THREADED_PY],
         norms=["thread_sync", ("raced", "T1.1", "worker")]),
]

# The differences known today, each a defect being fixed on another branch: defect -> (what it is,
# how to make both backends' lines agree on it (a list of (pattern, replacement) applied to every
# line, or a function of the list of a thread's lines), and the cases where it shows: "case" for
# both formats, "case/text" or "case/json" for one). A case is compared with its listed defects
# undone on both sides; anything else that differs fails. Each entry is also an assertion: a listed
# case that compares equal without it fails the test (remove it once the fix is merged).
ALL_CASES = {c.name for c in CASES}
KNOWN_DEFECTS = {
}

# Listed cases where a defect shows only in some runs (it depends on a race): its absence from one
# run is no sign that it was fixed, so it is not asserted there.
INTERMITTENT = {}


def listed(defect, case, fmt):
    cases = KNOWN_DEFECTS[defect][2]
    return case in cases or f"{case}/{fmt}" in cases


def undo(per_thread, defects):
    """The per-thread lines with the listed defects made invisible."""
    out = {}
    for key, lines in per_thread.items():
        for d in defects:
            how = KNOWN_DEFECTS[d][1]
            if callable(how):
                lines = how(lines)
            else:
                for rx, repl in how:
                    lines = [rx.sub(repl, x) for x in lines]
        out[key] = lines
    return out


# ---------------------------------------------------------------------------------------------
# Normalisation. Lines become (thread, text); the text of both backends goes through the same
# functions.

# Calls whose arguments or result are process or thread IDs: there, a number that is a TID of the
# trace (or dtruss's own PID, the parent of the command it starts) is replaced by its name. (Not
# everywhere: sizes and counts may equal a PID by chance.)
PID_CALLS = {
    "clone", "clone3", "fork", "vfork", "wait4", "waitid", "kill", "tkill", "tgkill", "getpid",
    "gettid", "getppid", "getpgid", "setpgid", "getsid", "getpgrp", "set_tid_address",
    "pidfd_open", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "prlimit64",
    "sched_setaffinity", "sched_getaffinity", "sched_setscheduler", "sched_getscheduler",
    "sched_setparam", "sched_getparam", "sched_setattr", "sched_getattr", "get_robust_list",
    "process_vm_readv", "process_vm_writev", "ptrace", "ioprio_get", "ioprio_set", "getpriority",
    "setpriority", "kcmp", "perf_event_open", "capget", "capset", "setsid",
    # F_SETOWN_EX's pid; a futex word of pthread_join (the thread's TID); what rt_sigreturn
    # restores (the result of the call a signal interrupted: often wait4's PID).
    "fcntl", "futex", "rt_sigreturn", "shmctl",
}
NUMBER_RE = re.compile(r"(?<![\w.])(\d+)(?![\w.])")
# A PID inside a /proc path, and a siginfo's sender: wherever they appear.
PROC_PATH_RE = re.compile(r"/proc/(\d+)(?=/|\"|$)|/task/(\d+)")
SI_PID_RE = re.compile(r"(\"?si_pid\"?[=:] ?)(\d+)")
# A seccomp user notification (SECCOMP_IOCTL_NOTIF_RECV's struct seccomp_notif): the process it
# comes from, as another PID.
# Its id (in each SECCOMP_IOCTL_NOTIF_* request): random, a cookie the kernel makes per listener.
NOTIF_ID_RE = re.compile(r"((?:\bid=|\"id\": \")0x)[0-9a-f]+")
NOTIF_PID_RE = re.compile(r"((?:\bid=|\"id\": \")0x(?:ID|[0-9a-f]+)\"?, \"?pid\"?[=:] ?)(\d+)")

# The extra normalisations a case may ask for, each with its reason.
NORMALISERS = {
    # A program that polls until some time has passed or another process acted: how many rounds
    # it makes depends on scheduling. Runs of a repeated block of lines count as one.
    "polling": "collapse",
    # Signals another process sends as it acts (SIGCHLD at a child's end, SIGCONT), ignored by
    # the program: where they fall among a thread's calls depends on when the other process
    # acted; and under ptrace (which stops the tracee for every signal, even an ignored one)
    # they interrupt the call in progress, which the kernel restarts (ERESTARTSYS), where
    # without ptrace an ignored signal interrupts nothing. They are compared apart from the
    # calls, and interrupted calls are not compared (see detach_signals).
    "async_signals": "detach",
    # Children that end close together: under ptrace, the SIGCHLDs sent while one is pending
    # are merged into it, how many depending on timing; their lines are not compared.
    "sigchld_merged": [(re.compile(r'^--- SIGCHLD |"signal": "SIGCHLD"'), None)],
    # ("poll_loop", pattern): the calls of a loop that waits for some other thread or process
    # to act (the pattern matches them): how many rounds it makes depends on scheduling, so its
    # calls are not compared.
    # ("unordered", pattern): calls whose order depends on which of several processes ends
    # first (a shell's wait4(-1) for the processes of a pipeline): compared in sorted order.
    # ("raced", thread, pattern): a thread whose last calls race with its process's end (the
    # other thread's exit_group, a kill): its lines after the last matching the pattern are
    # not compared (see raced_tail).
    # Threads that meet (pthread_join, a lock): whether one must wait in futex, and wake the
    # other, depends on which got there first. Their futex calls are left out.
    "thread_sync": [(re.compile(r'^futex\(|"syscall": "futex"'), None)],
    # A program that writes its own PID.
    "pid_output": [],
    # Threads that open files at the same time (a thread reading /proc while the other loads a
    # library as it exits): which gets the lower fd number depends on which came first.
    "fd_numbers": [
        (re.compile(r"(?<![\w.])\d+(?=<)"), "FD"),
        (re.compile(r'("fd": )\d+(, "path")'), r"\1FD\2"),
        (re.compile(r'("ret": )\d+(, "ret_path")'), r"\1FD\2"),
    ],
    # What a program reads from /proc/PID/stat: PIDs, fault counts, times, all of this run's.
    "proc_stat": [
        (re.compile(r'^(read\(\d+</proc/[^>]*/stat>, )"(?:[^"\\]|\\.)*"(?:\.\.\.)?'),
         r'\1"<stat>"'),
        (re.compile(r'^(\{"args": \{"buf": )"(?:[^"\\]|\\.)*"(, "count": \d+, "fd": \{"fd": \d+, '
                    r'"path": "/proc/[^"]*/stat"\})'), r'\1"<stat>"\2'),
        (re.compile(r'^(read\(\d+</proc/[^>]*/stat>, .*\t\t = )\d+'), r"\1N"),
        (re.compile(r'("path": "/proc/[^"]*/stat"\}.*"ret": )\d+'), r"\1N"),
    ],
    # A port the kernel picks (bind to port 0, a client's own end): different in each run.
    "ephemeral_ports": [
        (re.compile(r"(\"?sin6?_port\"?[=:] ?)\d+"), r"\1P"),
        # (and in -y's socket names: TCP:127.0.0.1:PORT->127.0.0.1:PORT)
        (re.compile(r"((?:TCP|UDP)(?:v6)?:[^>\"]*?(?:\d|\])):\d+(?=->|>|\")"), r"\1:P"),
        (re.compile(r"(->[^>\"]*?(?:\d|\])):\d+(?=>|\")"), r"\1:P"),
        (re.compile(r"port \d+\\n"), r"port P\\n"),
    ],
    # System V IPC identifiers: the kernel hands them out in increasing order, machine-wide.
    "ipc_ids": [
        (re.compile(r"^((?:msg|sem|shm)get\(.*\t\t = )\d+"), r"\1ID"),
        (re.compile(r"^((?:msg|sem|shm)(?:ctl|snd|rcv|at|op|timedop)\()\d+"), r"\1ID"),
        (re.compile(r'("(?:msqid|semid|shmid)": )\d+'), r"\1ID"),
        # and the times the objects were made or used
        (re.compile(r'(\"?(?:msg|shm|sem)_[acdrso]time\"?[=:] ?)[1-9]\d*'), r"\1N"),
        (re.compile(r'("ret": )\d+(, "syscall": "(?:msg|sem|shm)get")'), r"\1ID\2"),
    ],
    # The number of a new pseudo-terminal: the lowest free one, machine-wide.
    "pty_numbers": [
        (re.compile(r"(TIOCGPTN, \[)\d+\]"), r"\1N]"),
        (re.compile(r'("arg": \[)\d+(\], "cmd": "TIOCGPTN")'), r"\1N\2"),
        (re.compile(r"/dev/pts/\d+"), "/dev/pts/N"),
    ],
    # mkstemp's file name, made from the clock (and when that name exists, from getrandom, whose
    # calls and the failed open are then left out with a ("poll_loop", ...) of the case).
    # The clock's state adjtimex returns: the time of day (and its error bounds, which grow with
    # the time since the clock was last set).
    "clock_state": [
        (re.compile(r"(time=\{tv_sec=)\d+, tv_usec=\d+\}"), r"\1T, tv_usec=U}"),
        (re.compile(r'("time": \{"tv_sec": )\d+, "tv_usec": \d+\}'), r'\1T, "tv_usec": U}'),
        (re.compile(r"((?:max|est)error\"?[=:] ?)\d+"), r"\1E"),
    ],
    "temp_names": [(re.compile(r"(/tmp/[\w.-]+-)[A-Za-z0-9]{6}\b"), r"\1XXXXXX")],
    # curl's conversation with the test's HTTP server: the server's Date header (the time of the
    # request) is different in every run; curl's timeouts count down by how long it waited (and
    # how often its event loop polls, with a case's ("poll_loop", ...), depends on when the
    # server's answer comes).
    "http_server": [
        (re.compile(r"Date: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT"), "Date: D"),
        (re.compile(r"^(poll\(.*\], \d+, )\d+(\))"), r"\1T\2"),
        (re.compile(r"(\"timeout_msecs\": )\d+(.*\"syscall\": \"poll\")"), r"\1T\2"),
    ],
}

# Always: every stat-like struct shows its access time, which the reads of the previous run (or
# of anything else on the machine) may have moved on (relatime updates it once a day).
ALWAYS = [
    # Files, pipes and sockets a run creates itself (its own files, the pipes of a shell
    # pipeline, the /proc entries of its PID) have the inode numbers and times of their
    # creation, different in each run.
    (re.compile(r"(?<!\w)(\"?(?:st_|stx_|d_)?(?:ino|[mcb]time(?:_nsec)?)\"?[=:] ?)-?\d+"), r"\1N"),
    (re.compile(r"(\"?stx_[bcm]time\"?[=:] ?)\{[^}]*\}"), r"\1{T}"),
    # The state of the machine a program reads: free blocks and inodes of a file system, free
    # memory, load and uptime, the number of processes; and its own resource usage (which
    # tracing itself changes).
    (re.compile(r"(\"?(?:f_bfree|f_bavail|f_ffree|f_tfree|f_tinode|uptime|freeram|sharedram|"
                r"bufferram|procs|ru_maxrss|ru_minflt|ru_majflt|ru_nvcsw|ru_nivcsw|ru_inblock|"
                r"ru_oublock)\"?[=:] ?)\d+"), r"\1N"),
    (re.compile(r"(\"?(?:loads|ru_utime|ru_stime)\"?[=:] ?)(\[[^\]]*\]|\{[^}]*\})"), r"\1X"),
    # What getrandom returns (glibc's malloc asks for 8 bytes at start-up): random by design.
    (re.compile(r"^(getrandom\()(\"(?:[^\"\\]|\\.)*\"(?:\.\.\.)?)"), r"\1\"<random>\""),
    (re.compile(r"(\"?st_atime(?:_nsec)?\"?[=:] ?)\d+"), r"\1N"),
    (re.compile(r"(\"?stx_atime\"?[=:] ?)\{[^}]*\}"), r"\1{T}"),
    # -y's names of inodes without a path (a pipe dtruss's harness or the program made, a socket,
    # an anonymous inode): their inode numbers, new in each run.
    (re.compile(r"((?:pipe|socket|TCP|TCPv6|UDP|UDPv6|UNIX|NETLINK|anon_inode):\[)\d+(?=\])"),
     r"\1N"),
]

# Times a program computes from a clock it read (futex's and pselect6's absolute deadlines) or that
# the kernel counts down while it waits (the time left that select and getitimer write back):
# the sub-second digits in these calls' lines, and the seconds of absolute deadlines.
CLOCK_CALLS_RE = re.compile(r'^(?:select|pselect6|ppoll|nanosleep|clock_nanosleep|getitimer|'
                            r'setitimer|timer_gettime|futex)\(|'
                            r'"syscall": "(?:select|pselect6|ppoll|nanosleep|clock_nanosleep|'
                            r'getitimer|setitimer|timer_gettime|futex)"')
CLOCK_FIELDS_RE = re.compile(r"(\"?tv_(?:usec|nsec)\"?[=:] ?)\d+")
FUTEX_SECONDS_RE = re.compile(r"(\"?tv_sec\"?[=:] ?)\d+")

TEXT_LINE_RE = re.compile(r"^\s*(\d+)/(\d+): (.*)$")
CALL_NAME_RE = re.compile(r"^([a-z_][a-z0-9_]*)\(")
# JSON fields that are timings (ts_ns, dur_ns: when and how long; cpu_ns with -o).
JSON_TIMINGS = ("ts_ns", "dur_ns", "cpu_ns")


# io_uring operations are seen by the eBPF backend alone ([uring] lines, "type": "uring"), and
# ptrace says so once (a notice): both are left out, the syscalls that submit them compared.
URING_NOTICE = "shown as [uring] lines by the eBPF backend only"


def parse_text(trace):
    """(tid or None, call name or None, text) per line."""
    out = []
    for line in trace.splitlines():
        if URING_NOTICE in line:
            continue
        m = TEXT_LINE_RE.match(line)
        if not m:
            out.append((None, None, line))
            continue
        body = m.group(3)
        if body.startswith("[uring] "):
            continue
        cm = CALL_NAME_RE.match(body)
        out.append((int(m.group(2)), cm.group(1) if cm else None, body))
    return out


def parse_json(trace):
    out = []
    for line in trace.splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        if e.get("type") == "uring" or URING_NOTICE in e.get("text", ""):
            continue
        tid = e.get("tid")
        for k in JSON_TIMINGS + ("pid", "tid"):
            e.pop(k, None)
        if e.get("syscall") == "getrandom" and "ubuf" in e.get("args", {}):
            e["args"]["ubuf"] = "<random>"  # as in ALWAYS
        out.append((tid, e.get("syscall"), json.dumps(e, sort_keys=True)))
    return out


def collapse(lines):
    """Runs of a repeated block of 1 to 4 lines become one block (polling)."""
    out = list(lines)
    for period in (1, 2, 3, 4):
        res, i = [], 0
        while i < len(out):
            block = out[i:i + period]
            res.extend(block)
            j = i + period
            while len(block) == period and out[j:j + period] == block:
                j += period
            i = j
        out = res
    return out


CLONE_CALLS = {"clone", "clone3", "fork", "vfork"}
RET_RE = re.compile(r"\t\t = (\d+)$")


def thread_names(entries):
    """TID -> a name that says how the thread came to be, the same in both runs however the
    threads interleave or the kernel numbers them: T1 for the first thread, T1.2 for the second
    thread or process that T1 created (the result of its clone, clone3, fork or vfork), and so
    on; U1, U2... (by rank) for any other."""
    lines = {}
    for tid, call, text in entries:
        if tid is not None:
            lines.setdefault(tid, []).append((call, text))
    names = {}
    if not lines:
        return names
    queue = [min(lines)]
    names[queue[0]] = "T1"
    while queue:
        tid = queue.pop(0)
        k = 0
        for call, text in lines[tid]:
            if call not in CLONE_CALLS:
                continue
            m = RET_RE.search(text)
            if m:
                child = int(m.group(1))
            else:
                try:
                    child = json.loads(text).get("ret")
                except ValueError:
                    child = None
            if isinstance(child, int) and child in lines and child not in names:
                k += 1
                names[child] = f"{names[tid]}.{k}"
                queue.append(child)
    for i, tid in enumerate(sorted(t for t in lines if t not in names)):
        names[tid] = f"U{i + 1}"
    return names


def normalise(entries, tracer_pid, norms):
    names = thread_names(entries)
    names[tracer_pid] = "TRACER"
    pid_names = {str(k): v for k, v in names.items()}

    def pid(m):
        return pid_names.get(m.group(1), m.group(1))

    subs = list(ALWAYS)
    polling = False
    drop = None
    calls = PID_CALLS
    for n in norms:
        if isinstance(n, tuple) or NORMALISERS[n] == "detach":
            continue
        if NORMALISERS[n] == "collapse":
            polling = True
            continue
        if n in ("thread_sync", "sigchld_merged"):
            drop = re.compile("|".join(x.pattern for x in ([drop] if drop else []) +
                                       [NORMALISERS[n][0][0]]))
            continue
        if n == "pid_output":
            calls = PID_CALLS | {"write"}
            continue
        for rx, repl in NORMALISERS[n]:
            subs.append((rx, repl))

    per_thread = {}
    order = []
    for tid, call, text in entries:
        if call in calls or text.startswith("---") or '"type": "signal"' in text:
            text = NUMBER_RE.sub(lambda m: pid_names.get(m.group(1), m.group(1)), text)
        text = SI_PID_RE.sub(lambda m: m.group(1) + pid_names.get(m.group(2), m.group(2)), text)
        if "SECCOMP_IOCTL_NOTIF_" in text:
            text = NOTIF_ID_RE.sub(r"\1ID", text)
        text = NOTIF_PID_RE.sub(lambda m: m.group(1) + pid_names.get(m.group(2), m.group(2)),
                                text)
        text = PROC_PATH_RE.sub(
            lambda m: m.group(0).replace(m.group(m.lastindex), pid_names.get(
                m.group(m.lastindex), m.group(m.lastindex))), text)
        for rx, repl in subs:
            text = rx.sub(repl, text)
        if CLOCK_CALLS_RE.search(text):
            text = CLOCK_FIELDS_RE.sub(r"\1N", text)
            if call == "futex" or '"syscall": "futex"' in text:
                text = FUTEX_SECONDS_RE.sub(r"\1N", text)
        if drop and drop.search(text):
            continue
        key = names.get(tid, "-") if tid is not None else "-"
        if key not in per_thread:
            per_thread[key] = []
            order.append(key)
        per_thread[key].append(text)
    if polling:
        per_thread = {k: collapse(v) for k, v in per_thread.items()}
    if "async_signals" in norms:
        # (of the whole trace together: a signal sent to a process goes to any of its threads)
        sigs = set()
        for k, v in per_thread.items():
            per_thread[k] = detach_signals(v)
            sigs |= {x for x in per_thread[k] if ASYNC_SIGNAL_RE.search(x)}
            per_thread[k] = [x for x in per_thread[k] if not ASYNC_SIGNAL_RE.search(x)]
        per_thread["~signals"] = sorted(sigs)
    for n in norms:
        if isinstance(n, tuple) and n[0] == "raced":
            per_thread = {k: raced_tail(v, n[2]) if k == n[1] else v
                          for k, v in per_thread.items()}
        if isinstance(n, tuple) and n[0] == "unordered":
            per_thread = {k: [x for x in v if not re.search(n[1], x)] +
                          sorted(x for x in v if re.search(n[1], x))
                          for k, v in per_thread.items()}
        if isinstance(n, tuple) and n[0] == "poll_loop":
            per_thread = {k: [x for x in v if not re.search(n[1], x)]
                          for k, v in per_thread.items()}
    return per_thread


ASYNC_SIGNAL_RE = re.compile(r'^--- SIG(?:CHLD|CONT|URG|WINCH) |'
                             r'"signal": "SIG(?:CHLD|CONT|URG|WINCH)"')
SIGRETURN_RE = re.compile(r'^rt_sigreturn\(|"syscall": "rt_sigreturn"')
RESTART_RE = re.compile(r'= (?:-1|\?) ERESTART|"errno": "ERESTART')


def detach_signals(lines):
    """The signals another process's doings send (a child's end, a SIGCONT) moved after the
    thread's other lines (then into one list for the whole trace, see normalise), sorted
    (several children end in any order) and each told once (a standard signal sent again while
    pending is merged, which happens under ptrace, where the tracee gets even the signals it
    ignores); the returns from their handlers (rt_sigreturn: as many as signals were not merged,
    returning what the interrupted code had) and the calls such a signal interrupted
    (ERESTART*, restarted by the kernel) left out."""
    sigs = sorted(set(x for x in lines if ASYNC_SIGNAL_RE.search(x)))
    rest = [x for x in resume_restarted(lines) if not ASYNC_SIGNAL_RE.search(x) and
            not RESTART_RE.search(x) and not SIGRETURN_RE.search(x)]
    return rest + sigs


RESTARTBLOCK_RE = re.compile(r'= (?:-1|\?) ERESTART_RESTARTBLOCK|"errno": "ERESTART_RESTARTBLOCK"')
RESTART_SYSCALL_RE = re.compile(r'^restart_syscall\(|"syscall": "restart_syscall"')
TEXT_RESULT_SEP = "\t\t = "


def resume_restarted(lines):
    """A call a signal interrupted with ERESTART_RESTARTBLOCK (a sleep) that the kernel resumed
    with restart_syscall, told as one call: the interrupted call's text with the resumed call's
    result (what the program saw), as a tracer that did not stop the thread for the signal
    shows it. The restart_syscall line takes the merged text; the interrupted line is then
    dropped with the other ERESTART lines."""
    out = list(lines)
    pending = None
    for i, x in enumerate(out):
        if RESTARTBLOCK_RE.search(x):
            pending = x
        elif pending is not None and RESTART_SYSCALL_RE.search(x):
            out[i] = resumed_as(pending, x)
            pending = None
        elif pending is not None and not (ASYNC_SIGNAL_RE.search(x) or SIGRETURN_RE.search(x)):
            pending = None
    return out


def resumed_as(interrupted, restart):
    if interrupted.startswith("{"):
        a, b = json.loads(interrupted), json.loads(restart)
        for k in ("ret", "errno", "errmsg"):
            if k in b:
                a[k] = b[k]
            else:
                a.pop(k, None)
        return json.dumps(a, sort_keys=True)
    call = interrupted.split(TEXT_RESULT_SEP, 1)[0]
    result = restart.split(TEXT_RESULT_SEP, 1)[1] if TEXT_RESULT_SEP in restart else ""
    return call + TEXT_RESULT_SEP + result


def raced_tail(lines, keep):
    """A thread's lines up to the last that matches `keep` (all dropped if None), and its end
    (+++ lines, exit events)."""
    last = -1
    if keep is not None:
        for i, x in enumerate(lines):
            if re.search(keep, x):
                last = i
    return lines[:last + 1] + [x for x in lines[last + 1:]
                               if x.startswith("+++") or x.startswith('{"comm"') and
                               '"type": "exit"' in x]


def hunks(a, b):
    """The differences of two per-thread line lists: (thread, i, j, ptrace lines, eBPF lines)
    per hunk, i and j being where they start in each list (difflib's alignment)."""
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: (len(k), k)):
        la, lb = a.get(key, []), b.get(key, [])
        if la == lb:
            continue
        sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag != "equal":
                out.append((key, i1, j1, la[i1:i2], lb[j1:j2], la))
    return out


def show_hunk(hunk):
    key, i, j, pa, pb, la = hunk
    ctx = "".join(f"      {x}\n" for x in la[max(0, i - 3):i])
    wa = "\n            ".join(pa[:3]) if pa else "(nothing)"
    wb = "\n            ".join(pb[:3]) if pb else "(nothing)"
    return (f"thread {key}, ptrace line {i + 1}, eBPF line {j + 1}:\n    after:\n{ctx}"
            f"    ptrace: {wa}\n    eBPF:   {wb}")


# ---------------------------------------------------------------------------------------------
# Running.

ADDR_NO_RANDOMIZE = 0x0040000
_libc = ctypes.CDLL(None, use_errno=True)


def no_aslr():
    _libc.personality(ADDR_NO_RANDOMIZE)


# The test's HTTP server: Python's, answering with one write (the handler's output buffered), so
# that how the answer is split between the client's reads is not left to timing.
SERVER_PY = """
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    wbufsize = -1
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class Server:
    """An HTTP server on a free port of 127.0.0.1 (the port it was given by the kernel, which it
    prints), serving a directory; ready once a connection to it succeeds (polled)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dtruss-diff-www-")
        with open(os.path.join(self.dir, "index.txt"), "w") as f:
            f.write("hello from the test server\n" * 20)
        os.utime(os.path.join(self.dir, "index.txt"), (1_600_000_000, 1_600_000_000))
        self.proc = subprocess.Popen([PYTHON, "-c", SERVER_PY, self.dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.port = int(self.proc.stdout.readline() or 0)
        if self.port == 0:
            raise RuntimeError("the HTTP server did not start")
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the HTTP server exited")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the HTTP server did not start listening in 30 s")
                time.sleep(0.02)

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


ENV = {"PATH": "/usr/bin:/bin", "LANG": "C", "HOME": "/", "PYTHONHASHSEED": "0",
       "PYTHONDONTWRITEBYTECODE": "1", "TZ": "UTC"}


def run_case(case, args, server_port):
    """{format: (ptrace per-thread lines, eBPF per-thread lines)} for the case, or raises."""
    tmp = tempfile.mkdtemp(prefix=f"dtruss-diff-{case.name}-")
    try:
        result = {}
        subst = {"fixture": args.fixtures, "tmp": tmp + "/work", "port": str(server_port),
                 "src": args.fixture_src}
        argv = [re.sub(r"\{(fixture|tmp|port|src)\}", lambda m: subst[m.group(1)], a)
                for a in case.argv]
        # One untraced run first, so that caches a first run fills (Python's, the page cache)
        # make no difference between the two traced runs.
        work = tmp + "/work"
        os.mkdir(work)
        if case.setup:
            case.setup(work)
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=ENV, preexec_fn=no_aslr, cwd=work,
                       timeout=120)
        for fmt in FORMATS:
            traces = []
            for backend in BACKENDS:
                work = tmp + "/work"
                shutil.rmtree(work, ignore_errors=True)
                os.mkdir(work)
                if case.setup:
                    case.setup(work)
                out = os.path.join(tmp, f"{backend}.{fmt}")
                cmd = [args.dtruss, f"--backend={backend}", "-f", "-y", "-v", "--output", out]
                if fmt == "json":
                    cmd.append("--json")
                p = subprocess.Popen(cmd + ["--"] + argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=ENV, preexec_fn=no_aslr, cwd=work)
                _, err = p.communicate(timeout=120)
                want = case.status if case.status is not None else 0
                if p.returncode != want:
                    raise RuntimeError(f"{backend} {fmt}: dtruss exited {p.returncode}, not "
                                       f"{want}:\n{err.decode(errors='replace')}")
                with open(out, encoding="utf-8", errors="surrogateescape") as f:
                    trace = f.read()
                entries = parse_json(trace) if fmt == "json" else parse_text(trace)
                traces.append(normalise(entries, p.pid, case.norms))
            result[fmt] = traces
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def self_test():
    """The comparator on crafted input: what must and must not count as a difference."""
    a = normalise(parse_text(" 100/100: clone(X)\t\t = 101\n 101/101: getppid()\t\t = 100\n"
                             " 101/101: read(3, \"x\", 1)\t\t = 1\n"), 99, ())
    b = normalise(parse_text(" 200/200: clone(X)\t\t = 205\n 205/205: getppid()\t\t = 200\n"
                             " 205/205: read(3, \"x\", 1)\t\t = 1\n"), 99, ())
    assert not hunks(a, b), hunks(a, b)
    c = normalise(parse_text(" 200/200: clone(X)\t\t = 205\n 205/205: getppid()\t\t = 200\n"
                             " 205/205: read(3, \"y\", 1)\t\t = 1\n"), 99, ())
    d = hunks(a, c)
    assert len(d) == 1 and "thread T1.1, ptrace line 2" in show_hunk(d[0]), d
    assert '"y"' in show_hunk(d[0]), show_hunk(d[0])
    # A number that happens to equal a TID outside a PID call is data, not a PID: kept.
    e = normalise(parse_text(" 100/100: read(3, \"\", 100)\t\t = 0\n"), 99, ())
    f = normalise(parse_text(" 200/200: read(3, \"\", 100)\t\t = 0\n"), 99, ())
    assert not hunks(e, f), hunks(e, f)
    assert collapse(["a", "b", "a", "b", "a", "b", "c"]) == ["a", "b", "c"]
    assert collapse(["x", "x", "x"]) == ["x"]
    j1 = normalise(parse_json('{"type":"syscall","ts_ns":5,"pid":7,"tid":7,"syscall":"getpid",'
                              '"ret":7}\n'), 1, ())
    j2 = normalise(parse_json('{"type":"syscall","ts_ns":9,"pid":8,"tid":8,"syscall":"getpid",'
                              '"ret":8}\n'), 1, ())
    assert not hunks(j1, j2), hunks(j1, j2)
    g = normalise(parse_text(" 1/1: getrandom(\"\\x01\\x02\"..., 8, 0)\t\t = 8\n"), 9, ())
    h = normalise(parse_text(" 1/1: getrandom(\"\\x07\", 8, 0)\t\t = 8\n"), 9, ())
    assert not hunks(g, h), hunks(g, h)
    # A sleep a signal interrupted and the kernel resumed (ptrace stops for an ignored SIGCHLD)
    # is the one sleep the other backend shows, with the resumed call's result.
    k = normalise(parse_text(" 1/1: clock_nanosleep(0, 0, {tv_sec=0, tv_nsec=5}, NULL)\t\t"
                             " = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n"
                             " 1/1: --- SIGCHLD {si_signo=SIGCHLD} ---\n"
                             " 1/1: restart_syscall()\t\t = 0\n"), 9, ("async_signals",))
    m = normalise(parse_text(" 1/1: clock_nanosleep(0, 0, {tv_sec=0, tv_nsec=5}, NULL)\t\t"
                             " = 0\n 1/1: --- SIGCHLD {si_signo=SIGCHLD} ---\n"), 9,
                  ("async_signals",))
    assert not hunks(k, m), hunks(k, m)


def compare_case(case, res, args):
    """The failures of one case's traces (res: per format, the two backends' threads)."""
    failures = []
    for fmt in FORMATS:
        pt, bt = res[fmt]
        if args.show:
            for k in pt:
                print(f"== {case.name} {fmt} ptrace {k}\n" + "\n".join(pt[k]))
            for k in bt:
                print(f"== {case.name} {fmt} eBPF {k}\n" + "\n".join(bt[k]))
        defects = [d for d in KNOWN_DEFECTS if listed(d, case.name, fmt)]
        if args.all_differences:
            every = list(KNOWN_DEFECTS)
            left = hunks(undo(pt, every), undo(bt, every))
            for d in every:
                rest = [x for x in every if x != d]
                if len(hunks(undo(pt, rest), undo(bt, rest))) != len(left):
                    print(f"SHOWS {case.name}/{fmt} {d}")
            for h in left:
                print(f"DIFFERS {case.name} ({fmt})\n{show_hunk(h)}\n")
            continue
        left = hunks(undo(pt, defects), undo(bt, defects))
        if left:
            failures.append(f"{case.name} ({fmt}) differs between the backends "
                            f"({len(left)} differences; the first):\n"
                            f"{show_hunk(left[0])}")
        for d in defects:
            rest = [x for x in defects if x != d]
            if d in INTERMITTENT and case.name in INTERMITTENT[d]:
                continue  # (a race: absent from some runs, so no sign of a fix)
            if not left and not hunks(undo(pt, rest), undo(bt, rest)):
                failures.append(f"{case.name} ({fmt}) no longer shows defect '{d}' "
                                f"({KNOWN_DEFECTS[d][0]}): remove the case from "
                                f"KNOWN_DEFECTS")
        known = f" ({', '.join(defects)})" if defects else ""
        print(f"{'DIFFERS' if left else 'known' if defects else 'same'}"
              f"  {case.name} ({fmt}){known}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", required=True)
    ap.add_argument("--fixtures", required=True, help="directory of the built fixtures")
    ap.add_argument("--fixture-src", required=True, help="tests/fixtures (their sources)")
    ap.add_argument("--case", action="append", help="run only these cases")
    ap.add_argument("--all-differences", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show", action="store_true", help="print each normalised trace")
    args = ap.parse_args()
    args.dtruss = os.path.abspath(args.dtruss)
    args.fixtures = os.path.abspath(args.fixtures)
    self_test()

    failures = []
    names = [c.name for c in CASES]
    # Every fixture is a case: a new fixture must be added to CASES.
    for src in sorted(glob.glob(os.path.join(args.fixture_src, "*.c"))):
        name = os.path.splitext(os.path.basename(src))[0]
        if name not in names:
            failures.append(f"fixture {name} has no case in CASES")
    for d, (_, _, listed_cases) in KNOWN_DEFECTS.items():
        for c in listed_cases:
            if c.split("/")[0] not in names:
                failures.append(f"KNOWN_DEFECTS['{d}'] names {c}, which is not a case")
    cases = [c for c in CASES if not args.case or c.name in args.case]

    server = Server() if any("{port}" in " ".join(c.argv) for c in cases) else None
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [(c, pool.submit(run_case, c, args, server.port if server else 0))
                       for c in cases]
            for case, fut in futures:
                try:
                    res = fut.result()
                except Exception as e:  # noqa: BLE001 (a case that cannot run fails)
                    failures.append(f"{case.name}: {e}")
                    continue
                found = compare_case(case, res, args)
                if found and not args.all_differences:
                    # A difference that is the backends' shows in every run; one that a race of
                    # the traced program made (which thread got there first) may not. The case
                    # runs once more, and fails only if it differs again (the first run's
                    # difference is printed either way).
                    print(f"RETRY {case.name}: the first run differed:\n" + "\n".join(found))
                    try:
                        again = compare_case(case, run_case(
                            case, args, server.port if server else 0), args)
                    except Exception as e:  # noqa: BLE001
                        again = [f"{case.name}: {e}"]
                    found = again
                failures += found
    finally:
        if server:
            server.close()
    print(f"{len(cases)} cases x {len(FORMATS)} formats in {time.monotonic() - start:.0f} s")
    if args.all_differences:
        for f in failures:
            print("FAIL " + f)
        return 0
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
