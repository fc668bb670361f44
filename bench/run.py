#!/usr/bin/env python3
"""Times workloads untraced and under tracers (dtruss on both backends, strace, perf trace,
bpftrace and a minimal counting eBPF program), in interleaved rounds, and prints a Markdown table:
median wall time, ratio to untraced, microseconds added per syscall, events lost, peak memory.

  bench/run.py [--rounds N] [--workloads a,b] [--variants x,y] [--quick] [--json FILE]
               [--dtruss build/dtruss] [--pin CPUS] [--list]

The C workloads and the counting floor are built from bench/ into a scratch directory. Tracers
that are not installed or cannot run here are named in the notes below the table, never silently
dropped. Every traced run writes its full trace to a file (as a person saving a trace would),
which is then read for lost events and discarded. See bench/README.md for what each column means.
"""
import argparse
import dataclasses
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


@dataclasses.dataclass
class Workload:
    name: str
    what: str
    argv: list  # may name built programs as "@prog"
    scale_arg: int = -1  # index of the iteration count in argv, divided by --quick
    quick_argv: list = None  # what --quick runs instead, for programs without a count


WORKLOADS = [
    Workload("getppid", "getppid() x 1,000,000", ["@getppid_loop", "1000000"], 1),
    Workload("getppid-2t", "getppid() x 1,000,000 over 2 threads", ["@getppid_loop", "1000000", "2"], 1),
    Workload("getppid-8t", "getppid() x 1,000,000 over 8 threads", ["@getppid_loop", "1000000", "8"], 1),
    Workload("file", "open/read/fstat/close x 100,000", ["@file_loop", "100000"], 1),
    Workload("uring", "io_uring read of /dev/zero x 100,000, 8 per io_uring_enter",
             ["@uring_loop", "100000", "8"], 1),
    Workload("fork-exec", "fork + exec /bin/true + wait x 200", ["@fork_exec_loop", "200"], 1),
    Workload("tar", "tar cf /dev/null /usr/share", ["tar", "cf", "/dev/null", "/usr/share"],
             quick_argv=["tar", "cf", "/dev/null", "/usr/include/linux"]),
    Workload("find", "find /usr -name '*.h'", ["find", "/usr", "-name", "*.h"],
             quick_argv=["find", "/usr/include/linux", "-name", "*.h"]),
]

# Part 13: --clickhouse, into the server at $DTRUSS_BENCH_CLICKHOUSE (default a local one on
# 8123; docs/clickhouse.md): the rows' cost beside the text lines'.
CLICKHOUSE_URL = os.environ.get("DTRUSS_BENCH_CLICKHOUSE",
                                "http://127.0.0.1:8123/?database=dtruss_bench")

# bpftrace one-liner: syscalls of the command's process counted by id in the kernel.
BPFTRACE_COUNT = "tracepoint:raw_syscalls:sys_enter /pid == cpid/ { @[args->id] = count(); }"


@dataclasses.dataclass
class Variant:
    name: str
    what: str
    tool: str  # executable it needs ("" for none; "dtruss" and "floor" are resolved by the driver)
    wrap: object  # (ctx, argv) -> argv
    lost: str = ""  # where lost events are reported: "trace" (text lines) or "summary"
    probe: list = dataclasses.field(default_factory=list)  # a run that must succeed first
    named_only: bool = False  # run only when --variants names it (too slow for every run)


def dtruss(backend, *extra, binary="dtruss", capture=False):
    """dtruss writing its text trace to the trace file, or (capture) its capture file (-w)."""
    out = "-w" if capture else "--output"
    return lambda c, argv: [getattr(c, binary), f"--backend={backend}", "-f", *extra, out,
                            c.trace] + argv


def baseline_variants():
    """--baseline: dtruss's own variants again, run by another build of it (a change's before),
    in the same interleaved rounds: a change's cost is then measured in one run."""
    out = []
    for v in VARIANTS:
        if v.name == "bpf-cgroup":
            out.append(Variant("base-bpf-cgroup", "--baseline's " + v.what, "dtruss",
                               cgroup_outside("baseline"), v.lost))
        if v.tool != "dtruss" or v.name == "bpf-cgroup":
            continue
        backend, _, extra = v.name.partition("-")
        capture = extra in ("w", "flight")
        extra = {"summary": ["--summary"], "t": ["-t", "close_range"], "Z": ["-Z"],
                 "P": ["-P", "/nonexistent"], "P-file": ["-P", "/etc/passwd"], "flight": ["--flight-recorder", "16M"], "yd": ["-y", "-d"],
                 "nouring": ["-t", "!%uring"], "ch": ["--clickhouse", CLICKHOUSE_URL],
                 "s": ["-s"]}.get(extra, [])
        out.append(Variant("base-" + v.name, "--baseline's " + v.what, "dtruss",
                           dtruss(backend, *extra, binary="baseline", capture=capture), v.lost,
                           named_only=v.named_only))
    return out


# Part 12 (containers): dtruss tracing an empty cgroup the driver made (--cgroup), started before
# the workload, which runs outside it: what the cgroup filter costs each call of a process it
# leaves out, against bpf-t (-t's check) and floor.
CGROUP_OUTSIDE = """d=$1 cg=$2 tr=$3; shift 3
"$d" --backend=bpf --cgroup "$cg" --output "$tr" & p=$!
until grep -q 'tracing the processes' "$tr" 2>/dev/null; do kill -0 $p || exit 1; sleep 0.005; done
"$@"; s=$?
kill -INT $p; wait $p
exit $s"""


def cgroup_outside(binary="dtruss"):
    return lambda c, argv: ["sh", "-c", CGROUP_OUTSIDE, "sh", getattr(c, binary), c.cgroup,
                            c.trace] + argv


def make_cgroup(scratch):
    """An empty cgroup v2 directory for bpf-cgroup (under the first cgroup2 mount); "" when none."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            if " - cgroup2 " in line:
                d = os.path.join(line.split()[4], "dtruss-bench-" + os.path.basename(scratch))
                try:
                    os.mkdir(d)
                    return d
                except OSError:
                    return ""
    return ""


VARIANTS = [
    Variant("untraced", "the workload alone", "", lambda c, argv: argv),
    Variant("bpf", "dtruss --backend=bpf -f --output FILE", "dtruss", dtruss("bpf"), "trace"),
    Variant("ptrace", "dtruss --backend=ptrace -f --output FILE", "dtruss", dtruss("ptrace")),
    # Issue 20: the ptrace tracer's CPU (--tracer-cpu; "ptrace" is its default, follow).
    Variant("ptrace-pin", "dtruss --backend=ptrace -f --tracer-cpu=pin --output FILE",
            "dtruss", dtruss("ptrace", "--tracer-cpu=pin")),
    Variant("ptrace-cpuoff", "dtruss --backend=ptrace -f --tracer-cpu=off --output FILE",
            "dtruss", dtruss("ptrace", "--tracer-cpu=off")),
    # ... and its wait for a stop (--tracer-spin; "ptrace" polls up to 20 µs, its default).
    Variant("ptrace-nospin", "dtruss --backend=ptrace -f --tracer-spin=0 --output FILE",
            "dtruss", dtruss("ptrace", "--tracer-spin=0")),
    # Filters: calls that -t leaves out (none of the workloads' calls is close_range), and calls
    # that --status leaves out (they all succeed), dropped in the kernel.
    Variant("bpf-t", "dtruss --backend=bpf -f -t close_range --output FILE", "dtruss",
            dtruss("bpf", "-t", "close_range"), "trace"),
    # io_uring's operations left out (-t '!%uring'): what showing them costs, against "bpf".
    Variant("bpf-nouring", "dtruss --backend=bpf -f -t '!%uring' --output FILE", "dtruss",
            dtruss("bpf", "-t", "!%uring"), "trace"),
    # Part 12: the cgroup filter's cost per call of a process outside the traced cgroup.
    Variant("bpf-cgroup", "dtruss --backend=bpf --cgroup EMPTY --output FILE, the workload outside",
            "dtruss", cgroup_outside(), "trace"),
    Variant("bpf-Z", "dtruss --backend=bpf -f -Z --output FILE", "dtruss", dtruss("bpf", "-Z"),
            "trace"),
    # -P on a path no call names: what the path filter costs per unselected call, against bpf-t.
    Variant("bpf-P", "dtruss --backend=bpf -f -P /nonexistent --output FILE", "dtruss",
            dtruss("bpf", "-P", "/nonexistent"), "trace"),
    # Issue 15 (-P in the kernel): -P on a file that exists but no workload touches, so that the
    # kernel looks each fd argument's file up (with /nonexistent it knows no file, and need not).
    Variant("bpf-P-file", "dtruss --backend=bpf -f -P /etc/passwd --output FILE", "dtruss",
            dtruss("bpf", "-P", "/etc/passwd"), "trace"),
    Variant("bpf-summary", "dtruss --backend=bpf -f --summary", "dtruss", dtruss("bpf", "--summary"),
            "summary"),
    Variant("ptrace-summary", "dtruss --backend=ptrace -f --summary", "dtruss",
            dtruss("ptrace", "--summary")),
    # Part 11: recording the raw events (-w, zstd) instead of writing text; the flight recorder
    # (the last 16 MiB of events in memory, written only when asked: never, here). A capture holds
    # each call's times and -y's fd notes always: -yd is the text of the same data.
    Variant("bpf-yd", "dtruss --backend=bpf -f -y -d --output FILE", "dtruss",
            dtruss("bpf", "-y", "-d"), "trace"),
    Variant("ptrace-yd", "dtruss --backend=ptrace -f -y -d --output FILE", "dtruss",
            dtruss("ptrace", "-y", "-d")),
    Variant("bpf-w", "dtruss --backend=bpf -f -w FILE", "dtruss", dtruss("bpf", capture=True)),
    Variant("ptrace-w", "dtruss --backend=ptrace -f -w FILE", "dtruss",
            dtruss("ptrace", capture=True)),
    Variant("bpf-flight", "dtruss --backend=bpf -f --flight-recorder 16M", "dtruss",
            dtruss("bpf", "--flight-recorder", "16M", capture=True)),
    # Part 13: --clickhouse beside the text lines (DTRUSS_BENCH_CLICKHOUSE names the server).
    Variant("bpf-ch", "dtruss --backend=bpf -f --clickhouse URL --output FILE", "dtruss",
            dtruss("bpf", "--clickhouse", CLICKHOUSE_URL), "trace"),
    Variant("ptrace-ch", "dtruss --backend=ptrace -f --clickhouse URL --output FILE", "dtruss",
            dtruss("ptrace", "--clickhouse", CLICKHOUSE_URL)),
    # Issue 19: --summary --clickhouse sends the per-interval aggregates only (dtruss_aggregates).
    Variant("bpf-summary-ch", "dtruss --backend=bpf -f --summary --clickhouse URL", "dtruss",
            dtruss("bpf", "--summary", "--clickhouse", CLICKHOUSE_URL), "summary"),
    Variant("ptrace-summary-ch", "dtruss --backend=ptrace -f --summary --clickhouse URL", "dtruss",
            dtruss("ptrace", "--summary", "--clickhouse", CLICKHOUSE_URL)),
    # Issue 20 (part 14): -s, each call's user stack, beside strace -k (bench/stack_cost.py sets
    # them side by side in CPU time).
    Variant("bpf-s", "dtruss --backend=bpf -f -s --output FILE (only when named)", "dtruss",
            dtruss("bpf", "-s"), "trace", named_only=True),
    Variant("ptrace-s", "dtruss --backend=ptrace -f -s --output FILE (only when named)", "dtruss",
            dtruss("ptrace", "-s"), named_only=True),
    Variant("strace", "strace -f -o FILE", "strace", lambda c, argv: ["strace", "-f", "-o", c.trace] + argv),
    Variant("strace-k", "strace -f -k -o FILE (only when named: ~0.2-0.8 ms a call)", "strace",
            lambda c, argv: ["strace", "-f", "-k", "-o", c.trace] + argv, named_only=True),
    Variant("strace-c", "strace -c -f", "strace",
            lambda c, argv: ["strace", "-c", "-f", "-o", c.trace] + argv),
    Variant("perf-trace", "perf trace -o FILE", "perf",
            lambda c, argv: ["perf", "trace", "-o", c.trace, "--"] + argv, "",
            ["perf", "trace", "-o", "/dev/null", "--", "true"]),
    Variant("bpftrace", "bpftrace: count by syscall id, /pid == cpid/", "bpftrace",
            lambda c, argv: ["bpftrace", "-o", c.trace, "-e", BPFTRACE_COUNT, "-c", shlex.join(argv)],
            "", ["bpftrace", "-e", "BEGIN { exit(); }"]),
    Variant("floor", "bench/count_floor: sys_enter+exit, tgid check, per-CPU count", "floor",
            lambda c, argv: [c.floor, c.floor_obj] + argv),
]


@dataclasses.dataclass
class Ctx:
    dtruss: str
    trace: str
    baseline: str = ""  # --baseline: another dtruss binary
    floor: str = ""
    floor_obj: str = ""
    cgroup: str = ""  # bpf-cgroup's empty cgroup
    pin: list = dataclasses.field(default_factory=list)
    timeout: float = 600
    time: bool = False  # /usr/bin/time is there to measure peak RSS


@dataclasses.dataclass
class Run:
    seconds: float
    status: int
    maxrss_kb: int
    lost: int
    err: str
    trace_bytes: int = 0  # the size of the trace (or capture) file it wrote


def build_workloads(out_dir):
    """Compiles bench/*_loop.c; returns {name: path}."""
    bins = {}
    for src in sorted(os.listdir(HERE)):
        if src.endswith("_loop.c"):
            exe = os.path.join(out_dir, src[:-2])
            libs = ["-luring"] if src.startswith("uring") else []  # (liburing-dev)
            subprocess.run(["cc", "-O2", "-pthread", "-o", exe, os.path.join(HERE, src)] + libs,
                           check=True)
            bins[src[:-2]] = exe
    return bins


def build_floor(out_dir):
    """Compiles the counting floor (eBPF object and its loader); returns (loader, obj) or raises."""
    obj = os.path.join(out_dir, "count_floor.bpf.o")
    exe = os.path.join(out_dir, "count_floor")
    arch_inc = "/usr/include/" + subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                                                text=True).stdout.strip()
    for cmd in (["clang", "-target", "bpf", "-O2", "-g", "-I" + arch_inc, "-c",
                 os.path.join(HERE, "count_floor.bpf.c"), "-o", obj],
                ["cc", "-O2", "-o", exe, os.path.join(HERE, "count_floor.c"), "-lbpf"]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {r.stderr.strip().splitlines()[-1:]}")
    return exe, obj


def resolve(w, bins, scale):
    quick = scale > 1
    template = w.quick_argv if quick and w.quick_argv else w.argv
    argv = [bins[a[1:]] if a.startswith("@") else a for a in template]
    argv[0] = shutil.which(argv[0]) or argv[0]  # bpftrace -c wants a path
    if quick and w.scale_arg >= 0:
        argv[w.scale_arg] = str(max(1, int(argv[w.scale_arg]) // scale))
    return argv


def count_lost(v, trace):
    """Events the eBPF backend reports lost in the trace file (0 when none or not applicable)."""
    return lost_in(trace, v.lost) if v.lost else 0


def lost_in(trace, kind="trace"):
    """Events a trace file says were lost: dtruss's closing line ("trace"), or another tool's
    "N lost events" (0 when the file is missing or says none)."""
    if not os.path.exists(trace):
        return 0
    pattern = re.compile(rb"dtruss: (\d+) events lost" if kind == "trace" else rb"(\d+) lost events")
    lost = 0
    with open(trace, "rb") as f:
        for line in f:
            if b"lost" in line:
                m = pattern.search(line)
                if m:
                    lost += int(m.group(1))
    return lost


def run_once(ctx, v, argv):
    """Runs argv under variant v; wall time, exit status, peak RSS of the whole tree, lost events."""
    # /usr/bin/time measures the peak RSS: a child of this Python process would count Python's own
    # (kept across fork and exec), a child of time does not.
    rss_file = ctx.trace + ".rss"
    timer = ["/usr/bin/time", "-f", "%M", "-o", rss_file] if ctx.time else []
    cmd = ctx.pin + timer + v.wrap(ctx, argv)
    for f in (ctx.trace, rss_file):
        if os.path.exists(f):
            os.unlink(f)
    with tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                             start_new_session=True)
        killer = threading.Timer(ctx.timeout, os.killpg, (p.pid, signal.SIGKILL))
        killer.start()
        _, status = os.waitpid(p.pid, 0)
        killer.cancel()
        dt = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
    size = os.path.getsize(ctx.trace) if os.path.exists(ctx.trace) else 0
    return Run(dt, p.returncode, peak_rss(rss_file), count_lost(v, ctx.trace), " ".join(tail), size)


def peak_rss(path):
    """KiB from /usr/bin/time -f %M (its last line), or 0 when unknown."""
    try:
        with open(path) as f:
            lines = f.read().split()
        return int(lines[-1]) if lines and lines[-1].isdigit() else 0
    except OSError:
        return 0


def available(variants, ctx):
    """Splits variants into those that can run here and {name: why not}."""
    ok, missing = [], {}
    for v in variants:
        if v.name.endswith("bpf-cgroup") and not ctx.cgroup:
            missing[v.name] = "no cgroup2 hierarchy mounted, or not root"
        elif v.tool == "floor" and not ctx.floor:
            missing[v.name] = ctx.floor_obj or "not built"
        elif v.tool and v.tool not in ("dtruss", "floor") and not shutil.which(v.tool):
            missing[v.name] = "not installed (scripts/install-bench-deps.sh)"
        elif v.probe:
            r = subprocess.run(v.probe, capture_output=True, text=True)
            if r.returncode != 0:
                why = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1]
                missing[v.name] = f"cannot run here: {why}"
            else:
                ok.append(v)
        else:
            ok.append(v)
    return ok, missing


def count_syscalls(argv, ctx):
    """Syscalls a workload makes: strace -c -f (the reference), else dtruss --summary."""
    if shutil.which("strace"):
        r = subprocess.run(["strace", "-f", "-c", "-o", "/dev/stdout", "--"] + argv,
                           capture_output=True, text=True)
        for line in r.stdout.splitlines():
            fields = line.split()
            if fields and fields[-1] == "total":
                return int(fields[3]), "strace -c -f"  # % time, seconds, usecs/call, calls, ...
    r = subprocess.run([ctx.dtruss, "--backend=ptrace", "-f", "--summary", "--output", "/dev/stdout"]
                       + argv, capture_output=True, text=True)
    m = re.search(r"^(\d+) calls, ", r.stdout, re.M)
    return (int(m.group(1)), "dtruss --summary") if m else (None, "")


def median(runs):
    return statistics.median(r.seconds for r in runs)


def bench(workloads, variants, ctx, rounds, bins, scale, log):
    """Interleaved rounds per workload: A, B, C, ... then again. Yields each workload's results."""
    for w in workloads:
        argv = resolve(w, bins, scale)
        calls, counted_by = count_syscalls(argv, ctx)
        runs = {v.name: [] for v in variants}
        for r in range(rounds):
            for v in variants:
                runs[v.name].append(run_once(ctx, v, argv))
            log(f"{w.name}: round {r + 1}/{rounds} done")
        what = shlex.join(argv[1:]) if scale > 1 and w.quick_argv else w.what
        yield {"workload": w.name, "what": what, "argv": argv, "syscalls": calls,
               "counted_by": counted_by, "runs": runs}


def startup(variants, ctx, rounds):
    """Median time of each variant on /bin/true: the fixed cost of starting the tracer."""
    runs = {v.name: [] for v in variants}
    for _ in range(max(rounds, 3)):
        for v in variants:
            runs[v.name].append(run_once(ctx, v, ["/bin/true"]))
    return runs


def fmt_row(cells):
    return "| " + " | ".join(cells) + " |"


def summarize(results, start, variants):
    """Adds medians, ratios and per-call costs; returns rows for the table and the JSON."""
    base_start = median(start["untraced"]) if "untraced" in start else 0.0
    rows = []
    for res in results:
        base = median(res["runs"]["untraced"]) if "untraced" in res["runs"] else None
        for v in variants:
            runs = res["runs"][v.name]
            failed = [r for r in runs if r.status != 0]
            med = median(runs)
            row = {"workload": res["workload"], "variant": v.name, "median_s": med,
                   "times_s": [r.seconds for r in runs], "max_rss_kb": max(r.maxrss_kb for r in runs),
                   "lost_max": max(r.lost for r in runs) if v.lost else None,
                   "lost": [r.lost for r in runs] if v.lost else None,
                   "failed": len(failed), "error": failed[0].err if failed else "",
                   "trace_bytes": max(r.trace_bytes for r in runs)}
            if res["syscalls"] and row["trace_bytes"]:
                row["bytes_per_call"] = row["trace_bytes"] / res["syscalls"]
            su = median(start[v.name]) - base_start if v.name in start else 0.0
            row["startup_s"] = su
            if base and v.name != "untraced" and not failed:
                row["ratio"] = med / base
                # Without the tracer's fixed start-up and teardown (measured on /bin/true): the
                # cost per call alone, which the start-up target does not include.
                row["ratio_net"] = (med - su) / base
                if res["syscalls"]:
                    row["us_per_call"] = (med - base) / res["syscalls"] * 1e6
                    row["us_per_call_net"] = (med - base - su) / res["syscalls"] * 1e6
            rows.append(row)
    return rows


TABLE_HEAD = "\n".join([
    fmt_row(["workload", "syscalls", "variant", "median s", "× untraced", "× net", "+µs/call",
             "+µs/call net", "lost", "peak RSS MB"]),
    fmt_row(["---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])])


def table_rows(rows, results):
    """The table's lines for rows, the workload and its syscall count on its first line only."""
    calls = {r["workload"]: r["syscalls"] for r in results}
    lines = []
    last = None
    for r in rows:
        def num(key, f):
            return f.format(r[key]) if key in r else "-"
        first = r["workload"] != last
        last = r["workload"]
        median_cell = f"{r['median_s']:.3f}"
        if r["failed"]:
            median_cell += f" ({r['failed']} failed: {r['error'][:60]})"
        lines.append(fmt_row([
            r["workload"] if first else "",
            (f"{calls[r['workload']]:,}" if calls[r["workload"]] else "?") if first else "",
            r["variant"], median_cell, num("ratio", "{:.2f}"), num("ratio_net", "{:.2f}"),
            num("us_per_call", "{:.2f}"),
            num("us_per_call_net", "{:.2f}"),
            "-" if r["lost_max"] is None else f"{r['lost_max']:,}",
            f"{r['max_rss_kb'] / 1024:.1f}" if r["max_rss_kb"] else "?"]))
    return "\n".join(lines)


def startup_table(start, variants):
    base = median(start["untraced"]) if "untraced" in start else 0.0
    lines = [fmt_row(["variant", "median s on /bin/true", "start-up ms (minus untraced)"]),
             fmt_row(["---", "---:", "---:"])]
    for v in variants:
        m = median(start[v.name])
        lines.append(fmt_row([v.name, f"{m:.4f}", f"{(m - base) * 1000:.1f}"]))
    return "\n".join(lines)


def machine():
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return {"kernel": platform.release(), "cpus": os.cpu_count(), "uptime": uptime,
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}


def pick(items, names, kind):
    if not names:
        return [i for i in items if not getattr(i, "named_only", False)]
    by_name = {i.name: i for i in items}
    unknown = [n for n in names.split(",") if n not in by_name]
    if unknown:
        sys.exit(f"run.py: unknown {kind}: {', '.join(unknown)} (known: {', '.join(by_name)})")
    return [by_name[n] for n in names.split(",")]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, help="interleaved rounds (default 5; 1 with --quick)")
    ap.add_argument("--workloads", help="comma-separated names (default: all; see --list)")
    ap.add_argument("--variants", help="comma-separated names (default: all; see --list)")
    ap.add_argument("--quick", action="store_true",
                    help="loops 100 times shorter, tar and find on /usr/include/linux, 1 round")
    ap.add_argument("--dtruss", default=os.path.join(ROOT, "build", "dtruss"))
    ap.add_argument("--baseline", metavar="DTRUSS",
                    help="also run dtruss's variants with this binary (as base-*), interleaved")
    ap.add_argument("--pin", metavar="CPUS", help="run every command under taskset -c CPUS")
    ap.add_argument("--timeout", type=float, default=600, help="seconds before a run is killed")
    ap.add_argument("--json", metavar="FILE", help="also write every time and figure as JSON")
    ap.add_argument("--list", action="store_true", help="list workloads and variants, then exit")
    return ap.parse_args()


def main():
    a = parse_args()
    every = VARIANTS + (baseline_variants() if a.baseline else [])
    if a.list:
        for w in WORKLOADS:
            print(f"workload {w.name:12} {w.what}")
        for v in every:
            print(f"variant  {v.name:15} {v.what}")
        return 0
    workloads = pick(WORKLOADS, a.workloads, "workload")
    variants = pick(every, a.variants, "variant")
    if variants[0].name != "untraced":
        variants = [VARIANTS[0]] + [v for v in variants if v.name != "untraced"]
    rounds = a.rounds or (1 if a.quick else 5)
    scale = 100 if a.quick else 1
    if any(v.tool == "dtruss" for v in variants) and not os.access(a.dtruss, os.X_OK):
        sys.exit(f"run.py: no dtruss at {a.dtruss} (cmake --build build --target dtruss)")
    if a.baseline and not os.access(a.baseline, os.X_OK):
        sys.exit(f"run.py: no dtruss at {a.baseline} (--baseline)")

    scratch = tempfile.mkdtemp(prefix="dtruss-bench-")
    ctx = None
    try:
        ctx = Ctx(dtruss=os.path.abspath(a.dtruss), trace=os.path.join(scratch, "trace.out"),
                  baseline=os.path.abspath(a.baseline) if a.baseline else "",
                  pin=["taskset", "-c", a.pin] if a.pin else [], timeout=a.timeout,
                  time=os.access("/usr/bin/time", os.X_OK))
        bins = build_workloads(scratch)
        if any(v.name.endswith("bpf-cgroup") for v in variants):
            ctx.cgroup = make_cgroup(scratch)
        if any(v.tool == "floor" for v in variants):
            try:
                ctx.floor, ctx.floor_obj = build_floor(scratch)
            except (RuntimeError, OSError) as e:
                ctx.floor_obj = f"cannot build: {e}"
        variants, missing = available(variants, ctx)

        def log(msg):
            print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

        before = machine()
        log(f"{len(workloads)} workloads x {len(variants)} variants x {rounds} rounds; {before['uptime']}")
        start = startup(variants, ctx, rounds)
        results, rows = [], []
        print(TABLE_HEAD, flush=True)
        # Each workload's rows as soon as it is done: a long run shows its progress.
        for res in bench(workloads, variants, ctx, rounds, bins, scale, log):
            results.append(res)
            rows += summarize([res], start, variants)
            print(table_rows(rows[-len(variants):], [res]), flush=True)
        after = machine()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if ctx is not None and ctx.cgroup:
            os.rmdir(ctx.cgroup)

    print()
    print("Start-up (each variant on /bin/true, median):\n")
    print(startup_table(start, variants))
    print()
    print(f"Rounds: {rounds}, interleaved; {'loops 1/100 (--quick); ' if a.quick else ''}"
          f"pinned: {a.pin or 'no'}; kernel {before['kernel']}, {before['cpus']} CPUs.")
    print(f"Load before: {before['uptime']}")
    print(f"Load after:  {after['uptime']}")
    for r in results:
        print(f"- {r['workload']}: {r['what']}; {r['syscalls'] or '?'} syscalls ({r['counted_by'] or 'not counted'})")
    for v in variants:
        print(f"- {v.name}: {v.what}")
    for r in rows:
        if r["workload"] == "file" and r["variant"] == "bpf" and r["max_rss_kb"]:
            print(f"- dtruss --backend=bpf on file: peak RSS {r['max_rss_kb'] / 1024:.1f} MB")
    # Part 11: the size of what each dtruss variant wrote, per syscall: text or capture file.
    for r in rows:
        if "bytes_per_call" in r and r["variant"] != "untraced":
            print(f"- {r['variant']} on {r['workload']}: wrote {r['trace_bytes']:,} bytes, "
                  f"{r['bytes_per_call']:.2f} bytes per syscall")
    for name, why in missing.items():
        print(f"- {name}: {why}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine_before": before, "machine_after": after, "rounds": rounds,
                       "quick": a.quick, "pin": a.pin, "missing": missing,
                       "workloads": [{k: r[k] for k in ("workload", "what", "argv", "syscalls",
                                                        "counted_by")} for r in results],
                       "startup": {k: [r.seconds for r in v] for k, v in start.items()},
                       "rows": rows}, f, indent=1)
    return 1 if any(r["failed"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
