#!/usr/bin/env python3
"""CPU time, not wall time, of dtruss's filtering variants: user + system time of dtruss and the
traced workload together (wait4's rusage), in interleaved rounds, minus the workload alone. On a
machine that other work loads, wall time moves by more than a filter costs; the CPU a run uses
moves far less. Prints a Markdown table: median CPU seconds, µs of CPU added per syscall, and the
same net of the variant's start-up CPU (each variant on /bin/true).

  bench/cpu_time.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N]
                    [--workloads getppid,file,tar,find] [--variants bpf-t,bpf-P,bpf-Z]
                    [--times N]

The variants: -t that leaves out every call, -P on a path no call names (absent, and a file that
exists), -Z, and (not by default) -P on the file loop's own file; with --baseline, each again with
that binary (base-*)."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the workloads and how they are built)

WORKLOADS = ["getppid", "file", "tar", "find"]
VARIANTS = {"bpf-t": ["-t", "close_range"], "bpf-P": ["-P", "/nonexistent"],
            "bpf-P-file": ["-P", "/etc/passwd"], "bpf-Z": ["-Z"],
            "bpf-P-own": ["-P", "/etc/hostname"]}  # (the file loop's own file: its calls shown)


def cpu_seconds(argv):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise RuntimeError(f"{argv} exited with status {status}")
    return usage.ru_utime + usage.ru_stime


def startup_table(startup):
    """Each variant's start-up (its CPU seconds on /bin/true, by name, "untraced" among them) as a
    Markdown table, in ms above the untraced run."""
    print("| variant | start-up CPU ms (on /bin/true, minus untraced) |")
    print("| --- | ---: |")
    for v, s in startup.items():
        print(f"| {v} | {(s - startup['untraced']) * 1000:.1f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--variants", default="bpf-t,bpf-P,bpf-P-file,bpf-Z")
    ap.add_argument("--times", type=int, default=1,
                    help="the loops' iterations times this (start-up weighs less)")
    args = ap.parse_args()
    chosen = [v for v in args.variants.split(",") if v]
    for v in chosen:
        if v not in VARIANTS:
            sys.exit(f"cpu_time.py: unknown variant '{v}' (known: {', '.join(VARIANTS)})")
    binaries = {"": args.dtruss}
    if args.baseline:
        binaries["base-"] = args.baseline
    with tempfile.TemporaryDirectory() as tmp:
        bins = run.build_workloads(tmp)
        trace = os.path.join(tmp, "trace")
        names = args.workloads.split(",")
        work = {w.name: run.resolve(w, bins, 1) for w in run.WORKLOADS if w.name in names}
        for w in run.WORKLOADS:
            if w.name in work and w.scale_arg >= 0:
                work[w.name][w.scale_arg] = str(int(work[w.name][w.scale_arg]) * args.times)
        # Each workload's syscalls, counted once (strace -c -f, as run.py counts them).
        calls = {w: run.count_syscalls(argv, args)[0] for w, argv in work.items()}
        variants = {"untraced": None}
        for prefix, binary in binaries.items():
            for name in chosen:
                extra = VARIANTS[name]
                variants[prefix + name] = [binary, "--backend=bpf", "-f", *extra, "--output", trace]
        times, start = {}, {}
        for _ in range(args.rounds):  # interleaved: each round runs every variant once
            for w, argv in work.items():
                for v, pre in variants.items():
                    times.setdefault((w, v), []).append(cpu_seconds((pre or []) + argv))
            for v, pre in variants.items():
                start.setdefault(v, []).append(cpu_seconds((pre or []) + ["/bin/true"]))
    base_start = statistics.median(start["untraced"])
    print("| workload | syscalls | variant | CPU s (median) | +µs CPU/call | "
          "+µs CPU/call net of start-up |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for w in work:
        alone = statistics.median(times[(w, "untraced")])
        for v in variants:
            m = statistics.median(times[(w, v)])
            s = statistics.median(start[v]) - base_start
            print(f"| {w} | {calls[w]:,} | {v} | {m:.3f} | {(m - alone) / calls[w] * 1e6:.2f} | "
                  f"{(m - alone - s) / calls[w] * 1e6:.2f} |")
    print()
    startup_table({v: statistics.median(start[v]) for v in variants})


if __name__ == "__main__":
    main()
