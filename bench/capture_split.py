#!/usr/bin/env python3
"""Where a variant's CPU goes, on the eBPF backend: the traced workload's own CPU time (its user
and system time, which holds the eBPF programs run in its context: the kernel's side) apart from
dtruss's (the whole run's CPU, wait4's rusage, minus the workload's: the consumer, the text or the
capture). The workload runs under /usr/bin/time, which tells its own rusage. Unlike the per-program
figures of kernel.bpf_stats_enabled (prog_cost.py), other processes' system calls, which run
the same programs (and return at once), do not mix in. Interleaved rounds, medians.

  bench/capture_split.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N]
                         [--workloads file,getppid] [--variants text,w,y]"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the workloads and how they are built)

VARIANTS = {"text": ["--output", "{out}"], "w": ["-w", "{cap}"], "y": ["-y", "--output", "{out}"]}


def measure(argv, tmp):
    """(whole run's CPU seconds, the workload's own CPU seconds)."""
    told = os.path.join(tmp, "time")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise RuntimeError(f"{argv} exited with status {status}")
    with open(told) as f:
        user, system = (float(x) for x in f.read().split()[-2:])
    return usage.ru_utime + usage.ru_stime, user + system


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", default="file,getppid")
    ap.add_argument("--variants", default="text,w")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bins = run.build_workloads(tmp)
        work = {w.name: run.resolve(w, bins, 1) for w in run.WORKLOADS
                if w.name in args.workloads.split(",")}
        calls = {w: run.count_syscalls(argv, args)[0] for w, argv in work.items()}
        timed = ["/usr/bin/time", "-f", "%U %S", "-o", os.path.join(tmp, "time")]
        binaries = {"": args.dtruss}
        if args.baseline:
            binaries["base-"] = args.baseline
        variants = {"untraced": []}
        for tag, binary in binaries.items():
            for v in [x for x in args.variants.split(",") if x]:
                extra = [a.format(out=os.path.join(tmp, "out"), cap=os.path.join(tmp, "cap"))
                         for a in VARIANTS[v]]
                variants[tag + v] = [binary, "--backend=bpf", "-f"] + extra
        whole, own = {}, {}
        for r in range(args.rounds):
            for w, argv in work.items():
                for v, pre in variants.items():
                    a, b = measure(pre + timed + argv, tmp)
                    whole.setdefault((w, v), []).append(a)
                    own.setdefault((w, v), []).append(b)
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| workload | variant | workload's CPU µs/call over untraced (kernel side) | "
          "dtruss's CPU µs/call (user space, start-up included) |")
    print("| --- | --- | ---: | ---: |")
    for w in work:
        alone = statistics.median(own[(w, "untraced")])
        for v in variants:
            if v == "untraced":
                continue
            k = (statistics.median(own[(w, v)]) - alone) / calls[w] * 1e6
            d = statistics.median([a - b for a, b in zip(whole[(w, v)], own[(w, v)])])
            print(f"| {w} | {v} | {k:.3f} | {d / calls[w] * 1e6:.3f} |")


if __name__ == "__main__":
    main()
