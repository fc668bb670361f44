#!/usr/bin/env python3
"""The eBPF backend tells exactly what the ptrace backend tells.

Every fixture of the e2e suite (tests/fixtures/*.c) and a few real programs (sh pipelines,
python3, a #! script, curl against a local HTTP server, tar with gzip, a threaded program) are
traced by both backends with `-f -y -v`, once as text and once as --json, and the two traces are
compared line by line, thread by thread, after normalising only what legitimately differs between
two runs of the same program (each normalisation below says why). Any other difference fails,
showing the first differing line of each backend with the lines before it.

Threads and processes interleave nondeterministically, so each trace is split per thread (its
lines in order), threads being named T1, T2... by the rank of their TID (the kernel hands TIDs
out in increasing order, so ranks follow creation order in both runs). The traced programs run
with address-space randomisation off (personality ADDR_NO_RANDOMIZE, inherited by dtruss's
child), in a fixed environment, so that addresses are the same in both runs and need no
normalising.

EXPECTED_DIFFERENCES lists the cases that still differ because of a known defect. A listed case
must differ (or the entry is stale and the test fails: remove it); an unlisted case must not.

Usage: differential_compare.py --dtruss build/dtruss --fixtures build/tests/fixtures
       --fixture-src tests/fixtures [--case NAME ...] [--all-differences] [--jobs N]
  --all-differences  report every case that differs, listed or not, and exit 0 (a catalogue)
"""

import argparse
import ctypes
import glob
import http.server
import difflib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

PYTHON = "/usr/bin/python3"  # the system's, not a shim: the same binary in both runs
FORMATS = ("text", "json")
BACKENDS = ("ptrace", "bpf")


class Case:
    """A traced command: argv (with {fixture}, {tmp}, {port} and {src} placeholders), the
    names of the extra normalisations it needs (NORMALISERS), and an optional setup function
    run in the case's fresh temporary directory before each traced run."""

    def __init__(self, name, argv, norms=(), setup=None, status=None):
        self.name, self.argv, self.norms, self.setup = name, argv, tuple(norms), setup
        self.status = status  # the exit status dtruss must return (the program's); None: 0


def fx(name, *args, norms=(), status=None):
    return Case(name, ["{fixture}/" + name, *args], norms, status=status)


def write_script(tmp):
    path = os.path.join(tmp, "script.sh")
    with open(path, "w") as f:
        f.write("#!/bin/sh\necho \"script says $1\"\n")
    os.chmod(path, 0o755)


def write_tar_input(tmp):
    d = os.path.join(tmp, "in")
    os.makedirs(d)
    for i in range(3):
        with open(os.path.join(d, f"f{i}.txt"), "w") as f:
            f.write(f"file {i}\n" * 100)
        # Fixed times: tar stores them in the archive it writes (and gzip compresses).
        os.utime(os.path.join(d, f"f{i}.txt"), (1_600_000_000, 1_600_000_000))
    os.utime(d, (1_600_000_000, 1_600_000_000))


THREADED_PY = (
    "import threading, os\n"
    "def work():\n"
    "    os.write(1, b'worker\\n')\n"
    "t = threading.Thread(target=work)\n"
    "t.start()\n"
    "t.join()\n"
    "os.write(1, b'joined\\n')\n"
)

# Every fixture, with the arguments that make it deterministic enough, and the real programs.
CASES = [
    fx("cpu_burn", norms=["random_bytes"]),
    fx("execer"),
    fx("exit3", status=3),
    fx("failed_inout"),
    fx("files", "{tmp}", norms=["fresh_files"]),
    fx("forker"),
    fx("forkmany", "5"),
    fx("getppid_burst", "20"),
    fx("ids"),
    fx("ignint", "0.2", norms=["polling"]),
    fx("longread"),
    fx("migrate_sleep"),
    fx("mmap"),
    fx("pointer_args"),
    fx("proc_threads"),
    fx("rw"),
    fx("selected_args"),
    fx("selected_ptrs", norms=["fresh_files"]),
    fx("selected_ptrs3"),
    fx("selfkill", status=137),
    fx("selfsegv", status=139),
    fx("signals"),
    fx("sleeper", "0.25", norms=["polling"]),
    fx("spawner"),
    fx("stack_chain", "{fixture}/libstack_lib.so"),
    fx("stack_jit"),
    fx("stopcont", norms=["polling"]),
    fx("storm", "2", "50"),
    fx("structs_file", "{tmp}", norms=["fresh_files"]),
    fx("structs_net"),
    fx("structs_process"),
    fx("thread_exec", status=5),
    fx("threaded_sleeper", "0.25", norms=["polling"]),
    fx("threads"),
    fx("timer_signal"),
    fx("vforker"),
    Case("sh_pipeline", ["/bin/sh", "-c", "echo hello world | tr a-z A-Z | wc -c"]),
    Case("python3", [PYTHON, "-c", "import json, sys; print(json.dumps({'a': [1, 2]}))"],
         norms=["random_bytes"]),
    Case("shebang_script", ["{tmp}/script.sh", "arg1"], setup=write_script),
    Case("curl", ["/usr/bin/curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:{port}/index.txt"],
         norms=["random_bytes", "http_server", "fresh_files"]),
    Case("tar_gzip", ["/bin/tar", "-czf", "{tmp}/out.tgz", "-C", "{tmp}", "in"],
         norms=["fresh_files"], setup=write_tar_input),
    Case("python3_threads", [PYTHON, "-c", THREADED_PY], norms=["random_bytes"]),
]

# The differences known today, each a defect being fixed on another branch: defect -> (what it is,
# a pattern matching every line that differs because of it, on either backend, and the cases
# where it shows: "case" for both formats, "case/text" or "case/json" for one). A difference is
# forgiven only where its lines all match a listed defect of that case. Each entry is also an
# assertion: a listed case where the defect no longer shows fails the test (remove it from here
# once the fix is merged).
KNOWN_DEFECTS = {
}


def listed(defect, case, fmt):
    cases = KNOWN_DEFECTS[defect][2]
    return case in cases or f"{case}/{fmt}" in cases


# ---------------------------------------------------------------------------------------------
# Normalisation. Lines become (thread, text); the text of both backends goes through the same
# functions.

# Calls whose arguments or result are process or thread IDs: there, a number that is a TID of the
# trace (or dtruss's own PID, the parent of the command it starts) is replaced by its name. (Not
# everywhere: sizes and counts may equal a PID by chance.)
PID_CALLS = {
    "clone", "clone3", "fork", "vfork", "wait4", "waitid", "kill", "tkill", "tgkill", "getpid",
    "gettid", "getppid", "getpgid", "setpgid", "getsid", "getpgrp", "set_tid_address",
    "pidfd_open", "pidfd_send_signal", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "prlimit64",
    "sched_setaffinity", "sched_getaffinity", "sched_setscheduler", "sched_getscheduler",
    "sched_setparam", "sched_getparam", "sched_setattr", "sched_getattr", "get_robust_list",
    "process_vm_readv", "process_vm_writev", "ptrace", "ioprio_get", "ioprio_set", "getpriority",
    "setpriority", "kcmp", "perf_event_open", "capget", "capset", "setsid",
}
NUMBER_RE = re.compile(r"(?<![\w.])(\d+)(?![\w.])")
# A PID inside a /proc path, and a siginfo's sender: wherever they appear.
PROC_PATH_RE = re.compile(r"/proc/(\d+)(?=/|\"|$)|/task/(\d+)")
SI_PID_RE = re.compile(r"(\"?si_pid\"?[=:])(\d+)")

# The extra normalisations a case may ask for, each with its reason.
NORMALISERS = {
    # Data the program reads from the kernel's random generator (getrandom's buffer; and
    # AT_RANDOM-seeded hash secrets are not shown): different in every run by design.
    "random_bytes": [
        (re.compile(r"^(getrandom\()(\"(?:[^\"\\]|\\.)*\"(?:\.\.\.)?)"), r"\1\"<random>\""),
        (re.compile(r"(\"syscall\": \"getrandom\".*\"buf\": )(\"(?:[^\"\\]|\\.)*\"|\{[^}]*\})"),
         r"\1\"<random>\""),
    ],
    # Files the run creates itself (in its own fresh directory): their inode numbers and times
    # are those of their creation, which differ between the two runs.
    "fresh_files": [
        (re.compile(r"(\"?(?:st_|stx_)?(?:ino|[amcb]time(?:_nsec)?)\"?[=:] ?)-?\d+"), r"\1N"),
        (re.compile(r"(\"?stx_[abcm]time\"?[=:] ?)\{[^}]*\}"), r"\1{T}"),
    ],
    # A program that polls until some time has passed or another process acted: how many rounds
    # it makes depends on scheduling. Runs of a repeated block of lines count as one.
    "polling": "collapse",
    # curl's conversation with the test's HTTP server: the server's Date header (the time of the
    # request) and the client's ephemeral port are different in every run; curl's timeouts count
    # down by how long it waited.
    "http_server": [
        (re.compile(r"Date: [A-Za-z]{3}, \d\d [A-Za-z]{3} \d{4} \d\d:\d\d:\d\d GMT"), "Date: D"),
        (re.compile(r"htons\((\d+)\)"), None),  # replaced by port_normaliser
        (re.compile(r"(\"sin_port\": )(\d+)"), None),
        (re.compile(r"^(poll\(.*\], \d+, )\d+(\))"), r"\1T\2"),
        (re.compile(r"(\"syscall\": \"poll\".*\"timeout\": )\d+"), r"\1T"),
    ],
}

# Always: every stat-like struct shows its access time, which the reads of the previous run (or
# of anything else on the machine) may have moved on (relatime updates it once a day).
ALWAYS = [
    (re.compile(r"(\"?st_atime(?:_nsec)?\"?[=:] ?)\d+"), r"\1N"),
    (re.compile(r"(\"?stx_atime\"?[=:] ?)\{[^}]*\}"), r"\1{T}"),
]

TEXT_LINE_RE = re.compile(r"^\s*(\d+)/(\d+): (.*)$")
CALL_NAME_RE = re.compile(r"^([a-z_][a-z0-9_]*)\(")
# JSON fields that are timings (ts_ns, dur_ns: when and how long; cpu_ns with -o).
JSON_TIMINGS = ("ts_ns", "dur_ns", "cpu_ns")


def parse_text(trace):
    """(tid or None, call name or None, text) per line."""
    out = []
    for line in trace.splitlines():
        m = TEXT_LINE_RE.match(line)
        if not m:
            out.append((None, None, line))
            continue
        body = m.group(3)
        cm = CALL_NAME_RE.match(body)
        out.append((int(m.group(2)), cm.group(1) if cm else None, body))
    return out


def parse_json(trace):
    out = []
    for line in trace.splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        tid = e.get("tid")
        for k in JSON_TIMINGS + ("pid", "tid"):
            e.pop(k, None)
        out.append((tid, e.get("syscall"), json.dumps(e, sort_keys=True)))
    return out


def port_normaliser(server_port):
    def sub(m):
        return m.group(0) if int(m.group(m.lastindex)) == server_port else \
            m.group(0)[:m.start(m.lastindex) - m.start(0)] + "P" + \
            m.group(0)[m.end(m.lastindex) - m.start(0):]
    return sub


def collapse(lines):
    """Runs of a repeated block of 1 to 4 lines become one block (polling)."""
    out = list(lines)
    for period in (1, 2, 3, 4):
        res, i = [], 0
        while i < len(out):
            block = out[i:i + period]
            res.extend(block)
            j = i + period
            while len(block) == period and out[j:j + period] == block:
                j += period
            i = j
        out = res
    return out


def normalise(entries, tracer_pid, norms, server_port):
    tids = sorted({t for t, _, _ in entries if t is not None})
    names = {t: f"T{i + 1}" for i, t in enumerate(tids)}
    names[tracer_pid] = "TRACER"
    pid_names = {str(k): v for k, v in names.items()}

    def pid(m):
        return pid_names.get(m.group(1), m.group(1))

    subs = list(ALWAYS)
    polling = False
    for n in norms:
        if NORMALISERS[n] == "collapse":
            polling = True
            continue
        for rx, repl in NORMALISERS[n]:
            subs.append((rx, repl if repl is not None else port_normaliser(server_port)))

    per_thread = {}
    order = []
    for tid, call, text in entries:
        if call in PID_CALLS or text.startswith("---") or '"type": "signal"' in text:
            text = NUMBER_RE.sub(lambda m: pid_names.get(m.group(1), m.group(1)), text)
        text = SI_PID_RE.sub(lambda m: m.group(1) + pid_names.get(m.group(2), m.group(2)), text)
        text = PROC_PATH_RE.sub(
            lambda m: m.group(0).replace(m.group(m.lastindex), pid_names.get(
                m.group(m.lastindex), m.group(m.lastindex))), text)
        for rx, repl in subs:
            text = rx.sub(repl, text)
        key = names.get(tid, "-") if tid is not None else "-"
        if key not in per_thread:
            per_thread[key] = []
            order.append(key)
        per_thread[key].append(text)
    if polling:
        per_thread = {k: collapse(v) for k, v in per_thread.items()}
    return per_thread


def hunks(a, b):
    """The differences of two per-thread line lists: (thread, i, j, ptrace lines, eBPF lines)
    per hunk, i and j being where they start in each list (difflib's alignment)."""
    out = []
    for key in sorted(set(a) | set(b), key=lambda k: (len(k), k)):
        la, lb = a.get(key, []), b.get(key, [])
        if la == lb:
            continue
        sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag != "equal":
                out.append((key, i1, j1, la[i1:i2], lb[j1:j2], la))
    return out


def explain(hunk, defects):
    """The defects (KNOWN_DEFECTS keys) whose pattern matches every line of the hunk, on both
    sides; an empty set if some line is unexplained."""
    _, _, _, pa, pb, _ = hunk
    used = set()
    for line in pa + pb:
        hit = [d for d in defects if KNOWN_DEFECTS[d][1].search(line)]
        if not hit:
            return set()
        used.add(hit[0])
    return used


def show_hunk(hunk):
    key, i, j, pa, pb, la = hunk
    ctx = "".join(f"      {x}\n" for x in la[max(0, i - 3):i])
    wa = "\n            ".join(pa[:3]) if pa else "(nothing)"
    wb = "\n            ".join(pb[:3]) if pb else "(nothing)"
    return (f"thread {key}, ptrace line {i + 1}, eBPF line {j + 1}:\n    after:\n{ctx}"
            f"    ptrace: {wa}\n    eBPF:   {wb}")


# ---------------------------------------------------------------------------------------------
# Running.

ADDR_NO_RANDOMIZE = 0x0040000
_libc = ctypes.CDLL(None, use_errno=True)


def no_aslr():
    _libc.personality(ADDR_NO_RANDOMIZE)


class Server:
    """python3 -m http.server on a free port of 127.0.0.1, serving a directory; ready once a
    connection to it succeeds (polled, no fixed sleep)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dtruss-diff-www-")
        with open(os.path.join(self.dir, "index.txt"), "w") as f:
            f.write("hello from the test server\n" * 20)
        os.utime(os.path.join(self.dir, "index.txt"), (1_600_000_000, 1_600_000_000))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "http.server", "--bind", "127.0.0.1", "--directory", self.dir,
             str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the HTTP server exited")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the HTTP server did not start listening in 30 s")
                time.sleep(0.02)

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


ENV = {"PATH": "/usr/bin:/bin", "LANG": "C", "HOME": "/", "PYTHONHASHSEED": "0",
       "PYTHONDONTWRITEBYTECODE": "1", "TZ": "UTC"}


def run_case(case, args, server_port):
    """{format: (ptrace per-thread lines, eBPF per-thread lines)} for the case, or raises."""
    tmp = tempfile.mkdtemp(prefix=f"dtruss-diff-{case.name}-")
    try:
        result = {}
        subst = {"fixture": args.fixtures, "tmp": tmp + "/work", "port": str(server_port),
                 "src": args.fixture_src}
        argv = [a.format(**subst) for a in case.argv]
        # One untraced run first, so that caches a first run fills (Python's, the page cache)
        # make no difference between the two traced runs.
        work = tmp + "/work"
        os.mkdir(work)
        if case.setup:
            case.setup(work)
        subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=ENV, preexec_fn=no_aslr, cwd=tmp,
                       timeout=120)
        for fmt in FORMATS:
            traces = []
            for backend in BACKENDS:
                work = tmp + "/work"
                shutil.rmtree(work, ignore_errors=True)
                os.mkdir(work)
                if case.setup:
                    case.setup(work)
                out = os.path.join(tmp, f"{backend}.{fmt}")
                cmd = [args.dtruss, f"--backend={backend}", "-f", "-y", "-v", "--output", out]
                if fmt == "json":
                    cmd.append("--json")
                p = subprocess.Popen(cmd + ["--"] + argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=ENV, preexec_fn=no_aslr, cwd=tmp)
                _, err = p.communicate(timeout=120)
                want = case.status if case.status is not None else 0
                if p.returncode != want:
                    raise RuntimeError(f"{backend} {fmt}: dtruss exited {p.returncode}, not "
                                       f"{want}:\n{err.decode(errors='replace')}")
                with open(out, encoding="utf-8", errors="surrogateescape") as f:
                    trace = f.read()
                entries = parse_json(trace) if fmt == "json" else parse_text(trace)
                traces.append(normalise(entries, p.pid, case.norms, server_port))
            result[fmt] = traces
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def self_test():
    """The comparator on crafted input: what must and must not count as a difference."""
    a = normalise(parse_text(" 100/100: clone(X)\t\t = 101\n 101/101: getppid()\t\t = 100\n"
                             " 101/101: read(3, \"x\", 1)\t\t = 1\n"), 99, (), 0)
    b = normalise(parse_text(" 200/200: clone(X)\t\t = 205\n 205/205: getppid()\t\t = 200\n"
                             " 205/205: read(3, \"x\", 1)\t\t = 1\n"), 99, (), 0)
    assert not hunks(a, b), hunks(a, b)
    c = normalise(parse_text(" 200/200: clone(X)\t\t = 205\n 205/205: getppid()\t\t = 200\n"
                             " 205/205: read(3, \"y\", 1)\t\t = 1\n"), 99, (), 0)
    d = hunks(a, c)
    assert len(d) == 1 and "thread T2, ptrace line 2" in show_hunk(d[0]), d
    assert '"y"' in show_hunk(d[0]) and not explain(d[0], []), show_hunk(d[0])
    # A number that happens to equal a TID outside a PID call is data, not a PID: kept.
    e = normalise(parse_text(" 100/100: read(3, \"\", 100)\t\t = 0\n"), 99, (), 0)
    f = normalise(parse_text(" 200/200: read(3, \"\", 100)\t\t = 0\n"), 99, (), 0)
    assert not hunks(e, f), hunks(e, f)
    assert collapse(["a", "b", "a", "b", "a", "b", "c"]) == ["a", "b", "c"]
    assert collapse(["x", "x", "x"]) == ["x"]
    j1 = normalise(parse_json('{"type":"syscall","ts_ns":5,"pid":7,"tid":7,"syscall":"getpid",'
                              '"ret":7}\n'), 1, (), 0)
    j2 = normalise(parse_json('{"type":"syscall","ts_ns":9,"pid":8,"tid":8,"syscall":"getpid",'
                              '"ret":8}\n'), 1, (), 0)
    assert not hunks(j1, j2), hunks(j1, j2)
    g = normalise(parse_text(" 1/1: getrandom(\"\\x01\\x02\"..., 8, 0)\t\t = 8\n"), 9,
                  ("random_bytes",), 0)
    h = normalise(parse_text(" 1/1: getrandom(\"\\x07\", 8, 0)\t\t = 8\n"), 9, ("random_bytes",), 0)
    assert not hunks(g, h), hunks(g, h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtruss", required=True)
    ap.add_argument("--fixtures", required=True, help="directory of the built fixtures")
    ap.add_argument("--fixture-src", required=True, help="tests/fixtures (their sources)")
    ap.add_argument("--case", action="append", help="run only these cases")
    ap.add_argument("--all-differences", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show", action="store_true", help="print each normalised trace")
    args = ap.parse_args()
    args.dtruss = os.path.abspath(args.dtruss)
    args.fixtures = os.path.abspath(args.fixtures)
    self_test()

    failures = []
    names = [c.name for c in CASES]
    # Every fixture is a case: a new fixture must be added to CASES.
    for src in sorted(glob.glob(os.path.join(args.fixture_src, "*.c"))):
        name = os.path.splitext(os.path.basename(src))[0]
        if name not in names:
            failures.append(f"fixture {name} has no case in CASES")
    for d, (_, _, listed_cases) in KNOWN_DEFECTS.items():
        for c in listed_cases:
            if c.split("/")[0] not in names:
                failures.append(f"KNOWN_DEFECTS['{d}'] names {c}, which is not a case")
    cases = [c for c in CASES if not args.case or c.name in args.case]

    server = Server() if any("{port}" in " ".join(c.argv) for c in cases) else None
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [(c, pool.submit(run_case, c, args, server.port if server else 0))
                       for c in cases]
            for case, fut in futures:
                try:
                    res = fut.result()
                except Exception as e:  # noqa: BLE001 (a case that cannot run fails)
                    failures.append(f"{case.name}: {e}")
                    continue
                for fmt in FORMATS:
                    pt, bt = res[fmt]
                    if args.show:
                        for k in pt:
                            print(f"== {case.name} {fmt} ptrace {k}\n" + "\n".join(pt[k]))
                        for k in bt:
                            print(f"== {case.name} {fmt} eBPF {k}\n" + "\n".join(bt[k]))
                    defects = [d for d in KNOWN_DEFECTS if listed(d, case.name, fmt)]
                    found = hunks(pt, bt)
                    seen, unexplained = set(), []
                    for h in found:
                        why = explain(h, defects)
                        seen |= why
                        if not why:
                            unexplained.append(h)
                    if args.all_differences:
                        for h in found:
                            why = explain(h, defects)
                            tag = f"[{', '.join(sorted(why))}]" if why else "[NEW]"
                            print(f"DIFFERS {case.name} ({fmt}) {tag}\n{show_hunk(h)}\n")
                        continue
                    for h in unexplained[:1]:
                        failures.append(f"{case.name} ({fmt}) differs between the backends "
                                        f"({len(unexplained)} differences; the first):\n"
                                        f"{show_hunk(h)}")
                    for d in defects:
                        if d not in seen:
                            failures.append(f"{case.name} ({fmt}) no longer shows defect '{d}' "
                                            f"({KNOWN_DEFECTS[d][0]}): remove the case from "
                                            f"KNOWN_DEFECTS")
                    print(f"{'same' if not found else 'known' if not unexplained else 'DIFFERS'}"
                          f"  {case.name} ({fmt})"
                          f"{' (' + ', '.join(sorted(seen)) + ')' if seen else ''}")
    finally:
        if server:
            server.close()
    print(f"{len(cases)} cases x {len(FORMATS)} formats in {time.monotonic() - start:.0f} s")
    if args.all_differences:
        return 0
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
