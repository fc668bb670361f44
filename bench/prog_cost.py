#!/usr/bin/env python3
"""The kernel's side of dtruss's filters, per program: ns a run of on_sys_enter and on_sys_exit
(kernel.bpf_stats_enabled), over a workload's loop alone, for each variant (and each binary:
--baseline), in interleaved rounds. Prints a Markdown table of medians.

  bench/prog_cost.py [--dtruss build/dtruss] [--baseline OTHER] [--rounds N] [--workload file]
                     [--iterations N] [--variants bpf-t,bpf-Z,bpf-P,bpf-P-file,bpf-P-own]
  bench/prog_cost.py --variants bpf-text,bpf-w,bpf-y   # what -w and -y add to text

The workload's command waits (on a FIFO) until dtruss has attached and a first reading is taken,
runs its loop, then waits again for the second reading: the difference is the loop's calls (and
those of every other process on the machine that ran meanwhile: the programs are attached to the
syscall tracepoints of all: their share is estimated from a window before the loop and one after
it, and taken out; the run count is printed against the loop's own calls). The figures
include the statistics' own cost (two clock reads a run, about 40 ns). The setting is global: the
script turns it on, and back off at the end if it found it off or had to turn it on again."""
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

# Each variant's options ({out}: a text file, {cap}: a capture file): the filters, and text
# against -w (a capture) and -y (the fd notes -w records).
VARIANTS = {"bpf-t": ["-t", "close_range", "--output", "{out}"], "bpf-Z": ["-Z", "--output", "{out}"],
            "bpf-P": ["-P", "/nonexistent", "--output", "{out}"],
            "bpf-P-file": ["-P", "/etc/passwd", "--output", "{out}"],
            "bpf-P-own": ["-P", "/etc/hostname", "--output", "{out}"],
            "bpf-text": ["--output", "{out}"], "bpf-w": ["-w", "{cap}"],
            "bpf-y": ["-y", "--output", "{out}"]}
DEFAULT_VARIANTS = "bpf-t,bpf-Z,bpf-P,bpf-P-file,bpf-P-own"
LOOPS = {"file": ("file_loop", 4), "getppid": ("getppid_loop", 1)}  # (binary, calls a round)
PROGS = ["on_sys_enter", "on_sys_exit"]
WINDOW = 0.3  # seconds of the other processes' calls alone, before the loop and after it


def stats_enabled():
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        return f.read().strip() == "1"


def set_stats(on):
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1" if on else "0")


def prog_ids(pid):
    """The ids of the programs process pid holds (by its fds: programs and links, fdinfo)."""
    ids = set()
    fd_dir = f"/proc/{pid}/fdinfo"
    try:
        for fd in os.listdir(fd_dir):
            try:
                with open(os.path.join(fd_dir, fd)) as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            ids.add(int(line.split()[1]))
            except OSError:
                pass
    except OSError:
        pass
    return ids


def readings(pid):
    """run_time_ns and run_cnt of the programs process pid holds, by name."""
    ids = prog_ids(pid)
    if not ids:
        return {}
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, check=True,
                         text=True).stdout
    got = {}
    for p in json.loads(out):
        if p.get("name") in PROGS and p.get("id") in ids:
            got[p["name"]] = (p.get("run_time_ns", 0), p.get("run_cnt", 0))
    return got


def one_run(argv, loop, n, tmp):
    """ns a run of each program over the loop, and the runs counted (by name)."""
    go1, go2, done = (os.path.join(tmp, x) for x in ("go1", "go2", "done"))
    for f in (go1, go2):
        if os.path.exists(f):
            os.unlink(f)
        os.mkfifo(f)
    if os.path.exists(done):
        os.unlink(done)
    script = 'read x < "$2"; "$0" "$1"; : > "$4"; read x < "$3"'
    cmd = argv + ["/bin/sh", "-c", script, loop, str(n), go1, go2, done]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    before = {}
    while len(before) < len(PROGS):
        if time.time() > deadline or p.poll() is not None:
            p.kill()
            raise RuntimeError(f"{argv}: the programs never appeared")
        time.sleep(0.05)
        before = readings(p.pid)
    time.sleep(0.2)  # (dtruss starts the command once attached: it waits at go1 by now)
    # The other processes' calls meanwhile: estimated from a window before the loop and one
    # after it, WINDOW seconds each (their rate, averaged).
    pre = readings(p.pid)
    t_pre = time.monotonic()
    time.sleep(WINDOW)
    before = readings(p.pid)
    t0 = time.monotonic()
    with open(go1, "w") as f:
        f.write("\n")
    while not os.path.exists(done):
        if p.poll() is not None:
            raise RuntimeError(f"{argv}: ended early")
        time.sleep(0.01)
    after = readings(p.pid)
    t1 = time.monotonic()
    time.sleep(WINDOW)
    idle = readings(p.pid)
    t_idle = time.monotonic()
    with open(go2, "w") as f:
        f.write("\n")
    p.wait()
    res = {}
    for name in PROGS:
        rate = [((before[name][k] - pre[name][k]) + (idle[name][k] - after[name][k])) /
                ((t0 - t_pre) + (t_idle - t1)) for k in (0, 1)]
        dt = after[name][0] - before[name][0] - rate[0] * (t1 - t0)
        dc = after[name][1] - before[name][1] - rate[1] * (t1 - t0)
        res[name] = (dt / dc if dc > 0 else 0.0, after[name][1] - before[name][1])
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", default=os.path.join(run.ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", default="")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workload", default="file", choices=sorted(LOOPS))
    ap.add_argument("--iterations", type=int, default=300000)
    ap.add_argument("--variants", default=DEFAULT_VARIANTS,
                    help=f"of {', '.join(VARIANTS)} (default {DEFAULT_VARIANTS})")
    ap.add_argument("--clean", type=float, default=1.15,
                    help="runs counted / the loop's calls at most for a run to be used")
    ap.add_argument("--loop", default="", help="another loop: PATH:CALLS (its calls a round)")
    args = ap.parse_args()
    chosen = [v for v in args.variants.split(",") if v]
    for v in chosen:
        if v not in VARIANTS:
            sys.exit(f"prog_cost.py: unknown variant '{v}' (known: {', '.join(VARIANTS)})")
    binaries = {"": args.dtruss}
    if args.baseline:
        binaries["base-"] = args.baseline
    turned_on = not stats_enabled()  # (then it is turned off at the end)
    set_stats(True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bins = run.build_workloads(tmp)
            binary, per_round = LOOPS[args.workload]
            loop = bins[binary]
            if args.loop:
                loop, per_round = args.loop.rsplit(":", 1)[0], int(args.loop.rsplit(":", 1)[1])
            trace = os.path.join(tmp, "trace")
            variants = {}
            for prefix, dtruss in binaries.items():
                for name in chosen:
                    opts = [a.format(out=trace, cap=trace + ".cap") for a in VARIANTS[name]]
                    variants[prefix + name] = [dtruss, "--backend=bpf", "-f", *opts]
            got = {}
            for _ in range(args.rounds):
                for v, argv in variants.items():
                    if not stats_enabled():  # (another measurer turned it off)
                        set_stats(True)
                        turned_on = True
                    got.setdefault(v, []).append(one_run(argv, loop, args.iterations, tmp))
    finally:
        if turned_on:
            set_stats(False)
    calls = args.iterations * per_round
    print(f"{args.loop or args.workload} loop, {args.iterations:,} iterations ({calls:,} calls), "
          f"{args.rounds} rounds; medians, ns a run (stats' own cost included)\n")
    print("| variant | " + " | ".join(PROGS) + " | together | runs counted / loop's calls "
          "| runs used |")
    print("| --- |" + " ---: |" * (len(PROGS) + 3))
    for v, rs in got.items():
        # Runs the other processes' calls weighed on least: those within --clean of the loop's
        # own count when there are any (their share is taken out, but it moves meanwhile).
        clean = [r for r in rs if r[PROGS[0]][1] <= calls * args.clean] or rs
        ns = [statistics.median(r[name][0] for r in clean) for name in PROGS]
        cnt = statistics.median(r[PROGS[0]][1] for r in clean)
        cells = " | ".join(f"{x:.0f}" for x in ns)
        print(f"| {v} | {cells} | {sum(ns):.0f} | {cnt / calls:.2f} | {len(clean)}/{len(rs)} |")


if __name__ == "__main__":
    main()
