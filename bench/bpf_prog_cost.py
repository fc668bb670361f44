#!/usr/bin/env python3
"""The kernel's side of a dtruss variant, per eBPF program: run time per run (ns) and runs, as the
kernel counts them with kernel.bpf_stats_enabled=1, read from the fdinfo of dtruss's own program
fds (so that another dtruss running at the same time does not mix in), after the workload ends and
before dtruss unloads its programs. Variants interleaved, median of the rounds.

  bench/bpf_prog_cost.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N]
                         [--iterations N] [--variants text,w,y]

The workload is bench/file_loop.c (open/read/fstat/close). The sysctl is switched on for the
run, and set back to what it was at the end (other sessions may measure too). Each cell is the
median of the rounds and, in brackets, the least."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (bench/run.py: the workloads and how they are built)

VARIANTS = {"text": ["--output", "{out}"], "w": ["-w", "{cap}"], "y": ["-y", "--output", "{out}"]}
SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"


def prog_stats(pid):
    """{program name: (run_time_ns, run_cnt)} of the eBPF programs process `pid` holds."""
    ids = {}
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(f"{fd_dir}/{fd}") != "anon_inode:bpf-prog":
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        except OSError:
            continue
        ids[int(info["prog_id"])] = (int(info["run_time_ns"]), int(info["run_cnt"]))
    out = {}
    for pid_, (ns, cnt) in ids.items():
        show = json.loads(subprocess.run(["bpftool", "-j", "prog", "show", "id", str(pid_)],
                                         capture_output=True, text=True, check=True).stdout)
        out[show.get("name", str(pid_))] = (ns, cnt)
    return out


def one_run(pre, loop, n, tmp):
    done = os.path.join(tmp, "done")
    fifo = os.path.join(tmp, "go")
    if os.path.exists(done):
        os.unlink(done)
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    script = '"$0" "$1"; : > "$2"; read x < "$3"'
    p = subprocess.Popen(pre + ["sh", "-c", script, loop, str(n), done, fifo],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(done):  # (a benchmark: polled, the workload takes seconds)
        if p.poll() is not None:
            raise RuntimeError(f"{pre} ended early: {p.returncode}")
        time.sleep(0.05)
    stats = prog_stats(p.pid)
    with open(fifo, "w") as f:
        f.write("\n")
    p.wait()
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=300000)
    ap.add_argument("--variants", default="text,w")
    args = ap.parse_args()
    with open(SYSCTL) as f:
        was = f.read().strip()
    with open(SYSCTL, "w") as f:
        f.write("1")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bins = run.build_workloads(tmp)
            loop = bins["file_loop"]
            binaries = {"": args.dtruss}
            if args.baseline:
                binaries["base-"] = args.baseline
            variants = {}
            for tag, binary in binaries.items():
                for v in [x for x in args.variants.split(",") if x]:
                    extra = [a.format(out=os.path.join(tmp, "out"), cap=os.path.join(tmp, "cap"))
                             for a in VARIANTS[v]]
                    variants[tag + v] = [binary, "--backend=bpf", "-f"] + extra
            per = {}  # (variant, program) -> [ns a run]
            for r in range(args.rounds):
                for v, pre in variants.items():
                    for name, (ns, cnt) in one_run(pre, loop, args.iterations, tmp).items():
                        if cnt > 0:
                            per.setdefault((v, name), []).append(ns / cnt)
                print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    finally:
        with open(SYSCTL, "w") as f:
            f.write(was)
    # (each cell: the median and the least of the rounds: on a loaded machine, or one that steals
    # time from its guest, a program's time grows by what interrupts it, never shrinks)
    names = sorted({n for _, n in per})
    print("| variant | " + " | ".join(names) + " | enter + exit |")
    print("| --- |" + " ---: |" * (len(names) + 1))
    for v in variants:
        cells = [f"{statistics.median(per[(v, n)]):.0f} ({min(per[(v, n)]):.0f})"
                 if (v, n) in per else "" for n in names]
        both = [f(per[(v, n)]) for f in (statistics.median, min)
                for n in ("on_sys_enter", "on_sys_exit") if (v, n) in per]
        print(f"| {v} | " + " | ".join(cells) +
              f" | {both[0] + both[1]:.0f} ({both[2] + both[3]:.0f}) |")


if __name__ == "__main__":
    main()
