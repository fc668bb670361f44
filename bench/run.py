#!/usr/bin/env python3
"""Times workloads untraced and under tracers, in interleaved rounds, and prints the median wall
time, the ratio to untraced and the microseconds added per syscall.

  bench/run.py [--rounds N] [--dtruss build/dtruss] [--quick]

Workloads are built from bench/*.c into a scratch directory. Tracers that are not installed
(strace, perf, bpftrace) are listed as such, never silently dropped. Every traced run writes its
full trace to a file (as a person saving a trace would), which is then discarded.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def build(out_dir):
    bins = {}
    for src in ("getppid_loop.c", "file_loop.c", "fork_exec_loop.c"):
        exe = os.path.join(out_dir, src[:-2])
        subprocess.run(["cc", "-O2", "-pthread", "-o", exe, os.path.join(HERE, src)], check=True)
        bins[src[:-2]] = exe
    return bins


def count_syscalls(cmd):
    """Syscalls a workload makes, from strace -c -f (the reference count)."""
    if not shutil.which("strace"):
        return None
    r = subprocess.run(["strace", "-f", "-c", "-o", "/dev/stdout", "--"] + cmd,
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        fields = line.split()
        if fields and fields[-1] == "total":
            return int(fields[3])  # % time, seconds, usecs/call, calls, [errors,] total
    return None


def timed(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {r.returncode}")
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dtruss", default=os.path.join(HERE, "..", "build", "dtruss"))
    ap.add_argument("--quick", action="store_true", help="smaller workloads")
    a = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="dtruss-bench-")
    trace = os.path.join(scratch, "trace.out")
    bins = build(scratch)
    scale = 10 if a.quick else 1
    workloads = {
        "getppid x1e6": [bins["getppid_loop"], str(1000000 // scale)],
        "getppid x1e6, 2 threads": [bins["getppid_loop"], str(1000000 // scale), "2"],
        "getppid x1e6, 8 threads": [bins["getppid_loop"], str(1000000 // scale), "8"],
        "open/read/fstat/close x1e5": [bins["file_loop"], str(100000 // scale)],
        "fork+exec x200": [bins["fork_exec_loop"], str(200 // scale)],
        "tar c /usr/include": ["tar", "cf", "/dev/null", "/usr/include"],
        "find /usr": ["find", "/usr", "-name", "*.h"],
    }
    # ptrace tracers are measured unpinned and with tracer and tracee pinned to one CPU: unpinned,
    # every stop is a cross-CPU wake-up and the figures swing twofold from run to run.
    pin = ["taskset", "-c", "0"]
    tracers = {
        "untraced": lambda c: c,
        "dtruss ptrace": lambda c: [a.dtruss, "--backend=ptrace", "-f", "--output", trace] + c,
        "dtruss ptrace pin": lambda c: pin + [a.dtruss, "--backend=ptrace", "-f", "--output", trace] + c,
        "dtruss ptrace -c": lambda c: [a.dtruss, "--backend=ptrace", "-f", "-c", "--output", trace] + c,
    }
    if shutil.which("strace"):
        tracers["strace"] = lambda c: ["strace", "-f", "-o", trace] + c
        tracers["strace pin"] = lambda c: pin + ["strace", "-f", "-o", trace] + c
        tracers["strace -c"] = lambda c: ["strace", "-f", "-c", "-o", trace] + c
    else:
        print("strace: not installed (apt-get install strace)")
    for name in ("perf", "bpftrace"):
        if not shutil.which(name):
            print(f"{name}: not installed")

    print(f"{'workload':30} {'tracer':18} {'median s':>9} {'ratio':>7} {'us/syscall':>10}")
    for wname, cmd in workloads.items():
        calls = count_syscalls(cmd)
        times = {t: [] for t in tracers}
        for _ in range(a.rounds):
            for tname, wrap in tracers.items():
                times[tname].append(timed(wrap(cmd)))
        base = statistics.median(times["untraced"])
        for tname in tracers:
            med = statistics.median(times[tname])
            added = f"{(med - base) / calls * 1e6:10.2f}" if calls else f"{'?':>10}"
            print(f"{wname:30} {tname:18} {med:9.3f} {med / base:7.1f} {added}")
        print(f"{'':30} ({calls} syscalls)")
        sys.stdout.flush()
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
