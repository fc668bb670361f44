#!/usr/bin/env python3
"""Issue 20 (the cost of looking): what -s costs per call, and dtruss's peak memory.

CPU time (user + system of the tracer and the traced workload together, from wait4's rusage),
in interleaved rounds: every round runs every variant on every workload once, then each variant
on /bin/true (its start-up). The cost of -s per call is the CPU of "X -s" minus that of "X" (the
same backend without -s), net of the start-ups of both, divided by the workload's calls; strace -k
is set beside strace, perf trace --call-graph beside perf trace. Peak memory is wait4's ru_maxrss
of the tracer (the largest of it and the processes it waited for: the workloads are far smaller),
from /usr/bin/time.

  bench/stack_cost.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N]
                      [--workloads getppid,file,tar] [--variants bpf,bpf-s,...] [--scale N]
  bench/stack_cost.py --memory [--workloads getppid,file,fork-exec,tar,find]

--scale divides the loops' counts (strace -k takes about a millisecond a call); --tar DIR sets
what tar archives (--scale's tar of /usr/include/linux makes 2,000 calls, mostly start-up)."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the workloads and how they are built)
from cpu_time import startup_table  # noqa: E402

WORKLOADS = ["getppid", "file", "tar"]
MEMORY_WORKLOADS = ["getppid", "file", "fork-exec", "tar", "find"]


def dtruss(binary, backend, *extra):
    return lambda trace: [binary, f"--backend={backend}", "-f", *extra, "--output", trace]


def variants_for(args):
    """{name: (trace -> argv prefix) or None for untraced}: the -s pairs, and the peers'."""
    out = {"untraced": None}
    binaries = {"": args.dtruss}
    if args.baseline:
        binaries["base-"] = args.baseline
    if args.memory:
        for prefix, binary in binaries.items():
            for backend in ("bpf", "ptrace"):
                out[f"{prefix}{backend}"] = dtruss(binary, backend)
                out[f"{prefix}{backend}-c"] = dtruss(binary, backend, "-c")
        return out
    for prefix, binary in binaries.items():
        for backend in ("bpf", "ptrace"):
            out[f"{prefix}{backend}"] = dtruss(binary, backend)
            out[f"{prefix}{backend}-s"] = dtruss(binary, backend, "-s")
    if shutil.which("strace"):
        out["strace"] = lambda trace: ["strace", "-f", "-o", trace]
        out["strace-k"] = lambda trace: ["strace", "-f", "-k", "-o", trace]
    if shutil.which("perf") and subprocess.run(["perf", "trace", "-o", "/dev/null", "--", "true"],
                                               capture_output=True).returncode == 0:
        out["perf-trace"] = lambda trace: ["perf", "trace", "-o", trace, "--"]
        out["perf-trace-cg"] = lambda trace: ["perf", "trace", "--call-graph", "dwarf", "-o",
                                              trace, "--"]
    return out


def measure(argv):
    """(CPU seconds, peak RSS KiB) of argv and what it waited for. The peak comes from
    /usr/bin/time (wait4's ru_maxrss of its child): a child of this Python process would count
    Python's own, which fork copies and exec keeps in the count."""
    rss_file = tempfile.mktemp(prefix="stack-cost-rss-")
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise RuntimeError(f"{argv} exited with status {status}")
    kb = run.peak_rss(rss_file)
    os.unlink(rss_file)
    return usage.ru_utime + usage.ru_stime, kb


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workloads", default="")
    ap.add_argument("--variants", default="", help="a subset of the variants, by name")
    ap.add_argument("--scale", type=int, default=1, help="divide the loops' counts by this")
    ap.add_argument("--memory", action="store_true", help="peak memory at default options, -c")
    ap.add_argument("--tar", default="", help="the directory tar archives (default run.py's)")
    args = ap.parse_args()
    names = (args.workloads or ",".join(MEMORY_WORKLOADS if args.memory else WORKLOADS)).split(",")
    variants = variants_for(args)
    if args.variants:
        keep = set(args.variants.split(",")) | {"untraced"}
        variants = {k: v for k, v in variants.items() if k in keep}
    with tempfile.TemporaryDirectory() as tmp:
        bins = run.build_workloads(tmp)
        trace = os.path.join(tmp, "trace")
        work = {w.name: run.resolve(w, bins, args.scale) for w in run.WORKLOADS if w.name in names}
        if args.tar and "tar" in work:
            work["tar"] = [shutil.which("tar"), "cf", "/dev/null", args.tar]
        calls = {w: run.count_syscalls(argv, args)[0] for w, argv in work.items()}
        times, rss, start, lost = {}, {}, {}, {}
        for r in range(args.rounds):
            for w, argv in work.items():
                for v, pre in variants.items():
                    cpu, kb = measure((pre(trace) if pre else []) + argv)
                    times.setdefault((w, v), []).append(cpu)
                    rss.setdefault((w, v), []).append(kb)
                    lost.setdefault((w, v), []).append(run.lost_in(trace) if pre else 0)
                    if os.path.exists(trace):
                        os.unlink(trace)
            for v, pre in variants.items():
                start.setdefault(v, []).append(measure((pre(trace) if pre else []) + ["/bin/true"])[0])
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    med = statistics.median
    su = {v: med(start[v]) for v in variants}
    if args.memory:
        print("| workload | syscalls | variant | peak RSS MiB (max of rounds) | CPU s (median) |"
              " lost (max) |")
        print("| --- | ---: | --- | ---: | ---: | ---: |")
        for w in work:
            for v in variants:
                print(f"| {w} | {calls[w]:,} | {v} | {max(rss[(w, v)]) / 1024:.1f} | "
                      f"{med(times[(w, v)]):.3f} | {max(lost[(w, v)])} |")
        return
    print("| workload | syscalls | variant | CPU s (median) | +µs/call vs untraced, net of start-up |"
          " +µs/call of the stack (vs the same tracer without it) | lost (max) |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    pairs = {v: v[:-2] for v in variants if v.endswith("-s") or v.endswith("-k")}
    pairs.update({v: v[:-3] for v in variants if v.endswith("-cg")})
    for w in work:
        alone = med(times[(w, "untraced")])
        for v in variants:
            m = med(times[(w, v)])
            net = (m - alone - (su[v] - su["untraced"])) / calls[w] * 1e6
            extra = ""
            if v in pairs and pairs[v] in variants:
                b = pairs[v]
                d = (m - su[v]) - (med(times[(w, b)]) - su[b])
                extra = f"{d / calls[w] * 1e6:.2f}"
            print(f"| {w} | {calls[w]:,} | {v} | {m:.3f} | {net:.2f} | {extra} | "
                  f"{max(lost[(w, v)])} |")
    print()
    startup_table(su)


if __name__ == "__main__":
    main()
