#!/usr/bin/env python3
"""CPU time (user + system of dtruss and the traced workload, wait4's rusage) of the ptrace
backend writing text (--output) against recording (-w), with and without -y, in interleaved
rounds; with --baseline, -w and -y again with that binary (base-*). Issue 17's "recording costs
no more per call than text": on a loaded machine CPU time moves far less than wall time.

  bench/capture_cpu.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N]"""
import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the workloads and how they are built)
from cpu_time import cpu_seconds  # noqa: E402

WORKLOADS = ["getppid", "file", "tar", "find"]
CALLS = {"getppid": 1000045, "file": 400029, "tar": 173856, "find": 258636}  # (run.py's strace -c)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bins = run.build_workloads(tmp)
        out = os.path.join(tmp, "out")
        work = {w.name: run.resolve(w, bins, 1) for w in run.WORKLOADS if w.name in WORKLOADS}
        pt = [args.dtruss, "--backend=ptrace", "-f"]
        variants = {"untraced": [], "ptrace (text)": pt + ["--output", out],
                    "ptrace-w": pt + ["-w", out], "ptrace -y (text)": pt + ["-y", "--output", out]}
        if args.baseline:
            base = [args.baseline, "--backend=ptrace", "-f"]
            variants["base-ptrace-w"] = base + ["-w", out]
            variants["base-ptrace -y (text)"] = base + ["-y", "--output", out]
        times = {}
        for r in range(args.rounds):  # interleaved: each round runs every variant once
            for w, argv in work.items():
                for v, pre in variants.items():
                    times.setdefault((w, v), []).append(cpu_seconds(pre + argv))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| workload | variant | CPU s (median) | +µs CPU/call | ÷ ptrace (text) |")
    print("| --- | --- | ---: | ---: | ---: |")
    for w in work:
        alone = statistics.median(times[(w, "untraced")])
        text = statistics.median(times[(w, "ptrace (text)")])
        for v in variants:
            m = statistics.median(times[(w, v)])
            ratio = "" if v == "untraced" else f"{m / text:.2f}"
            print(f"| {w} | {v} | {m:.3f} | {(m - alone) / CALLS[w] * 1e6:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
