#!/usr/bin/env python3
"""CPU time (user + system of dtruss and the traced workload, wait4's rusage) of writing text
(--output FILE) against recording (-w FILE), per backend, in interleaved rounds; with --baseline,
-w again with that binary (base-*). Issue 17's "recording costs no more per call than text": on a
loaded machine CPU time moves far less than wall time.

Each variant also runs /bin/true in every round: its start-up CPU (minus the untraced /bin/true's)
is taken off its cost on each workload, so that a short workload (fork-exec's 6,400 calls) shows
the cost per call rather than the start-up (loading the eBPF programs: 30-50 ms). The bytes per
event are the capture's size (-w, the last round's) over the workload's syscalls (strace -c -f).

  bench/capture_cpu.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N]
                       [--backends bpf,ptrace] [--workloads getppid,file,fork-exec,tar,find]
                       [--fork-exec N] [--with-y] [--spin]

ptrace runs with --tracer-spin=0 unless --spin: polling's CPU time follows the wait, not the work."""
import argparse
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the workloads and how they are built)
from cpu_time import cpu_seconds  # noqa: E402

WORKLOADS = ["getppid", "file", "fork-exec", "tar", "find"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backends", default="bpf,ptrace")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--fork-exec", type=int, default=200, help="fork-exec's iterations")
    ap.add_argument("--with-y", action="store_true", help="also text with -y (each backend)")
    ap.add_argument("--spin", action="store_true",
                    help="ptrace polls for its stops as by default (else --tracer-spin=0)")
    args = ap.parse_args()

    def spin(backend):
        # The CPU time ptrace spends polling for a stop (--tracer-spin) follows how long the stop
        # takes to come, not what dtruss does with it: left out unless asked, so that text and -w
        # compare by their work.
        return ["--tracer-spin=0"] if backend == "ptrace" and not args.spin else []
    names = [w for w in args.workloads.split(",") if w]
    for w in names:
        if w not in [x.name for x in run.WORKLOADS]:
            sys.exit(f"capture_cpu.py: unknown workload '{w}'")
    with tempfile.TemporaryDirectory() as tmp:
        bins = run.build_workloads(tmp)
        out = os.path.join(tmp, "out")
        work = {}
        for w in run.WORKLOADS:
            if w.name not in names:
                continue
            argv = run.resolve(w, bins, 1)
            if w.name == "fork-exec":
                argv[w.scale_arg] = str(args.fork_exec)
            work[w.name] = argv
        calls = {w: run.count_syscalls(argv, args)[0] for w, argv in work.items()}
        variants = {"untraced": []}
        caps = {}  # variant -> its capture file
        for b in [x for x in args.backends.split(",") if x]:
            pre = [args.dtruss, f"--backend={b}", "-f"] + spin(b)
            variants[f"{b} (text)"] = pre + ["--output", out]
            caps[f"{b}-w"] = os.path.join(tmp, f"{b}.cap")
            variants[f"{b}-w"] = pre + ["-w", caps[f"{b}-w"]]
            if args.with_y:
                variants[f"{b} -y (text)"] = pre + ["-y", "--output", out]
            if args.baseline:
                caps[f"base-{b}-w"] = os.path.join(tmp, f"base-{b}.cap")
                variants[f"base-{b}-w"] = [args.baseline, f"--backend={b}", "-f"] + spin(b) + [
                    "-w", caps[f"base-{b}-w"]]
        times, start, size = {}, {}, {}
        for r in range(args.rounds):  # interleaved: each round runs every variant once
            for v, pre in variants.items():
                start.setdefault(v, []).append(cpu_seconds(pre + ["/bin/true"]))
            for w, argv in work.items():
                for v, pre in variants.items():
                    times.setdefault((w, v), []).append(cpu_seconds(pre + argv))
                    if v in caps:
                        size[(w, v)] = os.path.getsize(caps[v])
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    med = {k: statistics.median(t) for k, t in times.items()}
    up = {v: statistics.median(t) - statistics.median(start["untraced"]) for v, t in start.items()}
    print("| workload | syscalls | variant | CPU s (median) | start-up CPU ms | +µs CPU/call | "
          "+µs CPU/call net of start-up | ÷ text (net) | bytes/event |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for w in work:
        alone = med[(w, "untraced")]
        for v in variants:
            m = med[(w, v)]
            net = (m - alone - up[v]) / calls[w] * 1e6
            ratio = ""
            b = v.removeprefix("base-").split("-")[0].split(" ")[0]
            if v != "untraced" and (w, f"{b} (text)") in med:
                text = (med[(w, f"{b} (text)")] - alone - up[f"{b} (text)"]) / calls[w] * 1e6
                ratio = f"{net / text:.2f}" if text > 0 else ""
            per = f"{size[(w, v)] / calls[w]:.2f}" if (w, v) in size else ""
            print(f"| {w} | {calls[w]:,} | {v} | {m:.3f} | {up[v] * 1000:.1f} | "
                  f"{(m - alone) / calls[w] * 1e6:.2f} | {net:.2f} | {ratio} | {per} |")


if __name__ == "__main__":
    main()
