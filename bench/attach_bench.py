#!/usr/bin/env python3
"""Issue 3: raw syscall tracepoints against attaching only to the selected syscalls.

Runs bench/attach_probe (attach_probe.c, attach_probe.bpf.c) in each attach mode on the
experiments below, in interleaved rounds, and prints Markdown tables of medians:
  untraced  getppid x 1,000,000 with only openat selected: what unselected calls cost;
  traced    open/read/fstat/close x 100,000 with the calls it makes selected;
  all       getppid x 1,000,000 with every syscall selected: load, attach, detach, per call;
  sizes     /bin/true with 1, 5 and 20 syscalls selected: load, attach and detach times.
The probe times the command alone (from the start signal to its exit), so the per-call figures
exclude loading and attaching, which have their own columns.

  bench/attach_bench.py [--rounds N] [--slow-rounds N] [--json FILE] [--experiments a,b]
                        [--quick]

Run as root. Modes the kernel refuses (fentry, kmulti here) are tried once and named with the
probe's error. tp_sys with every syscall takes about a minute to detach, so it runs only
--slow-rounds times.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (build_workloads, machine)

MODES = ["none", "tp", "tp_early", "tp_enter_early", "tp_sys", "fentry", "kmulti"]
FILE_CALLS = "openat,read,newfstatat,fstat,close"  # what file_loop calls (glibc fstat: either)
TWENTY = ("read,write,openat,close,newfstatat,fstat,mmap,munmap,mprotect,brk,lseek,pread64,"
          "ioctl,access,getdents64,fcntl,dup,pipe2,clock_nanosleep,futex")
SIZES = {1: "openat", 5: "openat,read,newfstatat,close,write", 20: TWENTY}


def experiments(bins, scale=1):
    """(name, syscall list, argv, slow modes) of every measured configuration; the loops run
    scale times shorter."""
    out = [("untraced", "openat", [bins["getppid_loop"], str(1000000 // scale)], ()),
           ("traced", FILE_CALLS, [bins["file_loop"], str(100000 // scale)], ()),
           ("all", "all", [bins["getppid_loop"], str(1000000 // scale)], ("tp_sys",))]
    for n, calls in SIZES.items():
        assert len(calls.split(",")) == n
        out.append((f"sizes-{n}", calls, ["/bin/true"], ()))
    return out


def build(out_dir):
    """The probe, its eBPF object and the syscall names of asm/unistd_64.h (from the compiler)."""
    defines = subprocess.run(["cc", "-dM", "-E", "-"], input="#include <asm/unistd_64.h>\n",
                             capture_output=True, text=True, check=True).stdout
    rows = sorted((int(m.group(2)), m.group(1))
                  for m in re.finditer(r"^#define __NR_(\w+) (\d+)$", defines, re.M))
    with open(os.path.join(out_dir, "syscall_names.h"), "w") as f:
        f.writelines(f'{{{nr}, "{name}"}},\n' for nr, name in rows)
    obj = os.path.join(out_dir, "attach_probe.bpf.o")
    exe = os.path.join(out_dir, "attach_probe")
    arch_inc = "/usr/include/" + subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                                                text=True).stdout.strip()
    for cmd in (["clang", "-target", "bpf", "-O2", "-g", "-Wall", "-Werror", "-I" + arch_inc,
                 "-c", os.path.join(HERE, "attach_probe.bpf.c"), "-o", obj],
                ["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-I" + out_dir, "-o", exe,
                 os.path.join(HERE, "attach_probe.c"), "-lbpf"]):
        subprocess.run(cmd, check=True)
    return exe, obj


def probe(exe, obj, mode, calls, argv):
    """One run: the probe's key=value line as a dict, or {"error": last stderr line}."""
    r = subprocess.run([exe, obj, mode, calls] + argv, capture_output=True, text=True,
                       timeout=900)
    lines = [l for l in r.stderr.splitlines() if l.startswith("attach_probe:")]
    fields = dict(kv.split("=", 1) for kv in lines[-1].split()[1:] if "=" in kv) if lines else {}
    if r.returncode != 0 or "run_us" not in fields:
        return {"error": (lines or r.stderr.splitlines() or ["exit %d" % r.returncode])[-1]}
    return fields


def med(runs, key):
    vals = [int(r[key]) for r in runs if key in r]
    return statistics.median(vals) if vals else None


def table(results, calls_of):
    """Medians per experiment and mode. Per-call figures from the command's CPU time (user +
    system, from wait4: the least disturbed by the rest of the machine) and its wall time."""
    lines = ["| experiment | mode | runs | wall ms | CPU ms | x untraced (CPU) | +ns/call (CPU) "
             "| +ns/call (wall) | load ms | attach ms | detach ms | counted calls | not attachable |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for exp, modes in results.items():
        base = {k: med(modes.get("none", []), k) for k in ("run_us", "cpu_us")}
        loop = not exp.startswith("sizes")  # /bin/true: only the set-up columns mean something
        for mode, runs in modes.items():
            errors = [r["error"] for r in runs if "error" in r]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                why = errors[0] if errors else "not run (--slow-rounds)"
                lines.append(f"| {exp} | {mode} | 0 | {why} |" + " |" * 9)
                continue
            run = {k: med(ok, k) for k in ("run_us", "cpu_us")}

            def ms(key):
                v = med(ok, key)
                return "-" if v is None or mode == "none" else f"{v / 1000:.1f}"

            def per_call(key):
                if not (loop and base[key] and calls_of.get(exp)):
                    return "-"
                return f"{(run[key] - base[key]) * 1000 / calls_of[exp]:.0f}"
            ratio = f"{run['cpu_us'] / base['cpu_us']:.2f}" if loop and base["cpu_us"] else "-"
            lines.append(f"| {exp} | {mode} | {len(ok)} | {run['run_us'] / 1000:.1f} "
                         f"| {run['cpu_us'] / 1000:.1f} | {ratio} | {per_call('cpu_us')} "
                         f"| {per_call('run_us')} | {ms('load_us')} | {ms('attach_us')} "
                         f"| {ms('detach_us')} | {ok[0].get('calls', '-')} "
                         f"| {ok[0].get('skipped', '0')} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--slow-rounds", type=int, default=3)
    ap.add_argument("--experiments", help="comma-separated names (default: all)")
    ap.add_argument("--json", help="write every run to this file")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run: loops 100 times shorter, 1 round, no slow runs")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.slow_rounds = 1, 0
    if os.geteuid() != 0:
        sys.exit("attach_bench: run as root")
    with tempfile.TemporaryDirectory(prefix="attach-bench-") as tmp:
        bins = run.build_workloads(tmp)
        exe, obj = build(tmp)
        exps = experiments(bins, 100 if a.quick else 1)
        if a.experiments:
            exps = [e for e in exps if e[0] in a.experiments.split(",")]
        before = run.machine()
        print(f"load before: {before['uptime']}", file=sys.stderr)
        # The calls each workload makes: every returning call of the process, counted by tp.
        calls_of = {}
        for name, _, argv, _ in exps:
            r = probe(exe, obj, "tp", "all", argv)
            calls_of[name] = int(r.get("calls", 0))
        results = {name: {m: [] for m in MODES} for name, _, _, _ in exps}
        refused = {}  # mode -> the error of its first run
        for rnd in range(a.rounds):
            for name, calls, argv, slow in exps:
                for mode in MODES:
                    if mode in refused:
                        if not results[name][mode]:
                            results[name][mode].append(refused[mode])
                        continue
                    if mode in slow and rnd >= a.slow_rounds:
                        continue
                    r = probe(exe, obj, mode, calls, argv)
                    results[name][mode].append(r)
                    if "error" in r and mode in ("fentry", "kmulti"):
                        refused[mode] = r  # the kernel says no: once is enough
            print(f"round {rnd + 1}/{a.rounds} done", file=sys.stderr)
        after = run.machine()
    print(table(results, calls_of))
    print(f"\ncalls per run (counted with tp, all selected): {calls_of}")
    print(f"kernel {before['kernel']}, {before['cpus']} CPUs")
    print(f"load before: {before['uptime']}\nload after:  {after['uptime']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": [before, after], "calls": calls_of, "results": results}, f,
                      indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
