#!/usr/bin/env python3
"""Start-up cost of each tracer on /bin/true: wall time and CPU time (user + system of the tracer
and the command, wait4's rusage), in interleaved rounds, as medians with their spread (the middle
half of the rounds). Then, with --phases N, where dtruss's eBPF start-up goes: its own report
(DTRUSS_VERIFIER_STATS=1) over N more runs, each step's median CPU and wall time.

  bench/startup.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N] [--phases N]

The variants: the command alone; strace -f; perf trace; bench/count_floor (a minimal libbpf tool
on raw tracepoints, which needs no kernel BTF: what loading any eBPF program costs); dtruss on
each backend, and on eBPF with --summary and without the io_uring programs (-t '!%uring'); with
--baseline, dtruss's variants again with that binary (base-*). Run as root."""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the counting floor and how it is built)

TRUE = ["/bin/true"]


def variants(dtruss, baseline, floor, trace):
    out = [("untraced", [])]
    if shutil.which("strace"):
        out.append(("strace", ["strace", "-f", "-o", trace]))
    if shutil.which("perf"):
        out.append(("perf-trace", ["perf", "trace", "-o", trace, "--"]))
    if floor:
        out.append(("floor", list(floor)))
    for prefix, binary in (("", dtruss), ("base-", baseline)):
        if not binary:
            continue
        out += [(prefix + "bpf", [binary, "--backend=bpf", "-f", "--output", trace]),
                (prefix + "bpf-summary", [binary, "--backend=bpf", "-f", "--summary"]),
                (prefix + "bpf-nouring",
                 [binary, "--backend=bpf", "-f", "-t", "!%uring", "--output", trace]),
                (prefix + "ptrace", [binary, "--backend=ptrace", "-f", "--output", trace])]
    return out


def once(argv):
    """(wall s, CPU s) of argv; raises when it fails."""
    start = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        raise RuntimeError(f"{argv} exited with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


def spread(xs):
    """The middle half of the values: 'p25-p75'."""
    q = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0], xs[0], xs[0]]
    return f"{q[0] * 1e3:.1f}-{q[2] * 1e3:.1f}"


def phases(dtruss, n):
    """Median CPU and wall ms of each step of dtruss's own start-up report, over n runs."""
    steps, order = {}, []
    pat = re.compile(r"dtruss: start-up: (\S+)\s+([\d.]+) ms, CPU\s+(-?[\d.]+) ms")
    lib = re.compile(r"dtruss: start-up:   libbpf: CPU\s+([\d.]+) ms (?:up to: libbpf: |in )(.*)")
    ver = re.compile(r"dtruss: verifier: (\S+): verification time (\d+) usec")
    for _ in range(n):
        env = dict(os.environ, DTRUSS_VERIFIER_STATS="1")
        err = subprocess.run([dtruss, "--backend=bpf", "--output", "/dev/null"] + TRUE, env=env,
                             capture_output=True, text=True).stderr
        for line in err.splitlines():
            m = pat.match(line)
            key, cpu, wall = None, None, None
            if m:
                key, wall, cpu = m.group(1), float(m.group(2)), float(m.group(3))
            elif (m := lib.match(line)):
                key, cpu = "  libbpf: " + re.sub(r"\d+", "N", m.group(2))[:70], float(m.group(1))
            elif (m := ver.match(line)):
                key, wall = "  verifier (wall): " + m.group(1), int(m.group(2)) / 1e3
            if key is None:
                continue
            if key not in steps:
                steps[key] = ([], [])
                order.append(key)
            if cpu is not None:
                steps[key][0].append(cpu)
            if wall is not None:
                steps[key][1].append(wall)
    lines = ["| step | CPU ms (median) | wall ms (median) | seen in runs |", "| --- | ---: | ---: | ---: |"]
    for key in order:
        cpu, wall = steps[key]
        cell = lambda xs: f"{statistics.median(xs):.2f}" if xs else "-"  # noqa: E731
        lines.append(f"| {key} | {cell(cpu)} | {cell(wall)} | {max(len(cpu), len(wall))} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=41)
    ap.add_argument("--phases", type=int, default=0, metavar="N")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dtruss-startup-") as scratch:
        try:
            floor = run.build_floor(scratch)
        except (RuntimeError, OSError) as e:
            print(f"floor left out: {e}", file=sys.stderr)
            floor = None
        trace = os.path.join(scratch, "trace")
        vs = variants(os.path.abspath(a.dtruss),
                      os.path.abspath(a.baseline) if a.baseline else "", floor, trace)
        before = os.getloadavg()
        times = {name: [] for name, _ in vs}
        order = random.Random(1)  # each round in its own order: no variant always follows another
        for r in range(a.rounds):
            for name, prefix in order.sample(vs, len(vs)):
                times[name].append(once(prefix + TRUE))
            print(f"round {r + 1}/{a.rounds}", file=sys.stderr, flush=True)
        after = os.getloadavg()
        base_wall = statistics.median(t[0] for t in times["untraced"])
        base_cpu = statistics.median(t[1] for t in times["untraced"])
        ref = times.get("strace")
        ref_wall = statistics.median(t[0] for t in ref) - base_wall if ref else None
        print("| variant | wall ms | wall p25-p75 | start-up ms (minus untraced) | × strace's "
              "| CPU ms | CPU p25-p75 | CPU ms minus untraced |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, _ in vs:
            wall = [t[0] for t in times[name]]
            cpu = [t[1] for t in times[name]]
            su = statistics.median(wall) - base_wall
            ratio = f"{su / ref_wall:.1f}" if ref_wall and name != "untraced" else "-"
            print(f"| {name} | {statistics.median(wall) * 1e3:.1f} | {spread(wall)} | "
                  f"{su * 1e3:.1f} | {ratio} | {statistics.median(cpu) * 1e3:.1f} | "
                  f"{spread(cpu)} | {(statistics.median(cpu) - base_cpu) * 1e3:.1f} |")
        print(f"\n{a.rounds} interleaved rounds on {os.cpu_count()} CPUs, kernel "
              f"{os.uname().release}; load average before {before[0]:.1f}, after {after[0]:.1f}.")
        if a.phases:
            print(f"\nWhere dtruss's eBPF start-up goes ({a.phases} runs of `DTRUSS_VERIFIER_STATS=1 "
                  "dtruss --backend=bpf --output /dev/null /bin/true`):\n")
            print(phases(os.path.abspath(a.dtruss), a.phases))


if __name__ == "__main__":
    main()
