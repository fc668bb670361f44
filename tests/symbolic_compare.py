#!/usr/bin/env python3
"""How symbolic is dtruss's decoding, measured against strace on real programs.

Runs each program under strace and under dtruss (--json, ptrace and eBPF backends), pairs each
strace thread with the dtruss thread whose calls match it best, pairs their calls in order where
both tracers saw the same syscall names (a diff of the two name sequences, futex's with its
op: calls where they diverge are skipped and counted), pairs the arguments by position (clone's
by name; arguments strace leaves out, like fcntl's unused third, are not compared), and
classifies every paired argument as numeric or symbolic in each trace:

  strace   numeric: a decimal, hex or octal number, NULL (comments /* ... */ ignored)
           symbolic: anything else - a name (O_RDONLY, AT_FDCWD), a quoted string, a struct
           {...}, an array [...], an expression (makedev(...), S_IFREG|0644)
  dtruss   numeric: a JSON number, null, or a string that is a number or an address ("0x...")
           symbolic: any other string (names, flags, paths, data), an object, an array

It fails when strace prints an argument symbolically and dtruss numerically, unless the
(syscall, argument) pair is in KNOWN_GAPS below. It prints, and writes to --report, the share of
arguments each tracer decoded symbolically, per program and overall. It also fails when fewer
than 90% of strace's calls could be paired, and when its parser and classifiers get crafted
input wrong (self_test, run first).

Usage: symbolic_compare.py --dtruss build/dtruss --report build/symbolic-report.txt
       [--backends ptrace,bpf] [--verbose]
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import http.server

PYTHON = "/usr/bin/python3"  # not a pyenv shim: the traced program must be the same binary

# Known gaps: (syscall, dtruss argument name) -> why strace decodes it and dtruss does not yet.
# Keep this short: a new gap should be fixed in the decoders instead. Empty today: the gaps these
# programs showed (fcntl's arg, socket()'s protocol, socket option names, getsockopt's value)
# were fixed.
KNOWN_GAPS = {
}

# strace's argument order differs from the kernel's for clone on x86_64 (it prints named
# arguments, the stack first, and omits those the flags do not use): strace name -> kernel name.
STRACE_NAMED_ARGS = {
    "clone": {"child_stack": "newsp", "flags": "clone_flags", "parent_tid": "parent_tidptr",
              "child_tidptr": "child_tidptr", "tls": "tls"},
}

NUMERIC_RE = re.compile(r"-?\d+|0x[0-9a-fA-F]+|NULL")  # whole argument (fullmatch)
COMMENT_RE = re.compile(r"/\*.*?\*/")
CALL_RE = re.compile(r"^(\d+)\s+([a-z_][a-z0-9_]*)\((.*)$")
RESUMED_RE = re.compile(r"^(\d+)\s+<\.\.\. ([a-z_][a-z0-9_]*) resumed>(.*)$")
UNFINISHED = " <unfinished ...>"


# ---------------------------------------------------------------------------------------------
# strace's text

def split_args(text):
    """Splits strace's argument list (text up to the call's closing parenthesis) at top-level
    commas. Returns (args, rest) where rest is what follows the closing parenthesis."""
    args, depth, cur, i = [], 0, [], 0
    while i < len(text):
        c = text[i]
        if c == '"':  # a quoted string, with backslash escapes
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if text.startswith("/*", i):  # a comment may hold commas or brackets
            j = text.find("*/", i)
            j = len(text) if j < 0 else j + 2
            cur.append(text[i:j])
            i = j
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0 and c == ")":
                args.append("".join(cur).strip())
                return [a for a in args if a != ""], text[i + 1:]
            depth -= 1
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    return None, ""  # no closing parenthesis: a line we cannot read


def parse_strace(text):
    """strace -f -o FILE: {tid: [(name, [args])]} in order, joining unfinished and resumed."""
    threads, pending = {}, {}
    for line in text.splitlines():
        m = RESUMED_RE.match(line)
        if m:
            tid, name, rest = int(m.group(1)), m.group(2), m.group(3)
            if tid not in pending or pending[tid][0] != name:
                continue
            body = pending.pop(tid)[1]
            full = body + (", " if body.strip() and not rest.startswith(")") else "") + rest
            args, _ = split_args(full)
            if args is not None:
                threads.setdefault(tid, []).append((name, args))
            continue
        m = CALL_RE.match(line)
        if not m:
            continue  # --- signals ---, +++ exits +++
        tid, name, body = int(m.group(1)), m.group(2), m.group(3)
        if body.endswith(UNFINISHED):
            pending[tid] = (name, body[:-len(UNFINISHED)].rstrip().rstrip(","))
            # Keep the thread's place: the call is appended when it resumes.
            threads.setdefault(tid, [])
            continue
        args, _ = split_args(body)
        if args is not None:
            threads.setdefault(tid, []).append((name, args))
    # A call unfinished at the end (exit_group, a thread killed in futex) is still a call.
    for tid, (name, body) in pending.items():
        args, _ = split_args(body + ")")
        threads.setdefault(tid, []).append((name, args or []))
    return threads


def strace_kind(arg):
    value = COMMENT_RE.sub("", arg).strip()
    m = re.match(r"^[a-z_][a-z0-9_]*=(.*)$", value, re.S)  # clone's named arguments
    if m:
        value = m.group(1).strip()
    if NUMERIC_RE.fullmatch(value) or re.fullmatch(r"[\d*+]+", value):
        return "numeric"
    return "symbolic"


# ---------------------------------------------------------------------------------------------
# dtruss's JSON

def parse_dtruss(text):
    threads = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        e = json.loads(line)
        if e.get("type") != "syscall":
            continue
        threads.setdefault(e["tid"], []).append((e["syscall"], e.get("args") or {}))
    return threads


def dtruss_kind(value, strace_text=""):
    """A string of digits is a number dtruss wrote as a string (a u64, an address), unless
    strace shows that argument as a quoted string: then it is the bytes of a buffer ("0")."""
    if value is None or isinstance(value, (int, float, bool)):
        return "numeric"
    if isinstance(value, str):
        if strace_text.startswith('"'):
            return "symbolic"
        return "numeric" if re.fullmatch(r"-?\d+|0x[0-9a-fA-F]+", value) else "symbolic"
    return "symbolic"  # objects and arrays


# ---------------------------------------------------------------------------------------------
# Pairing and counting

def strace_positions(name, s_args, names):
    """The kernel argument each of strace's arguments is, where strace skips one: futex's
    BITSET commands print (uaddr, op, val, utime, val3) and (uaddr, op, val, val3)."""
    if name == "futex" and len(s_args) > 1:
        if "FUTEX_WAIT_BITSET" in s_args[1]:
            return ["uaddr", "op", "val", "utime", "val3"]
        if "FUTEX_WAKE_BITSET" in s_args[1]:
            return ["uaddr", "op", "val", "val3"]
    return names


def paired_args(name, s_args, d_args):
    """(dtruss argument name, strace text, dtruss value) for the arguments both printed."""
    names = strace_positions(name, s_args, list(d_args.keys()))
    aliases = STRACE_NAMED_ARGS.get(name)
    out = []
    for i, text in enumerate(s_args):
        if aliases:
            m = re.match(r"^([a-z_][a-z0-9_]*)=", text)
            key = aliases.get(m.group(1)) if m else None
            if key in d_args:
                out.append((key, text, d_args[key]))
            continue
        if i < len(names) and names[i] in d_args:
            out.append((names[i], text, d_args[names[i]]))
    return out


class Tally:
    def __init__(self):
        self.args = 0
        self.strace_sym = 0
        self.dtruss_sym = 0
        self.calls = 0
        self.skipped_calls = 0
        self.gaps = {}      # (syscall, arg) -> example (strace, dtruss), unexpected
        self.allowed = {}   # (syscall, arg) -> count, in KNOWN_GAPS

    def add(self, other):
        self.args += other.args
        self.strace_sym += other.strace_sym
        self.dtruss_sym += other.dtruss_sym
        self.calls += other.calls
        self.skipped_calls += other.skipped_calls
        for k, v in other.gaps.items():
            self.gaps.setdefault(k, v)
        for k, v in other.allowed.items():
            self.allowed[k] = self.allowed.get(k, 0) + v

    def line(self, label):
        def pct(n):
            return 100.0 * n / self.args if self.args else 0.0
        return (f"{label}: dtruss symbolic {pct(self.dtruss_sym):.1f}% of {self.args} args, "
                f"strace {pct(self.strace_sym):.1f}% ({self.calls} calls paired, "
                f"{self.skipped_calls} skipped where the sequences diverge)")


# Calls whose name alone pairs them badly when threads race (a futex wait of one thread against
# a futex wake of the same thread in the other run): their key also holds this argument (by
# index), which both tracers decode by name.
KEY_ARGS = {"futex": 1}


def strace_key(call):
    name, args = call
    i = KEY_ARGS.get(name)
    return name if i is None or i >= len(args) else f"{name} {args[i]}"


def dtruss_key(call):
    name, args = call
    i = KEY_ARGS.get(name)
    values = list(args.values())
    return name if i is None or i >= len(values) else f"{name} {values[i]}"


def pair_threads(st, dt):
    """Pairs each strace thread with the dtruss thread whose calls match it best (tids differ
    between the runs, and the tracers may list threads in a different order); ties go to the
    earlier thread."""
    pairs, free = [], list(dt.values())
    for s_calls in st.values():
        if not free:
            break
        s_names = [strace_key(c) for c in s_calls]

        def score(d_calls):
            d_names = [dtruss_key(c) for c in d_calls]
            m = difflib.SequenceMatcher(a=s_names, b=d_names, autojunk=False)
            return sum(size for _, _, size in m.get_matching_blocks())

        best = max(range(len(free)), key=lambda i: (score(free[i]), -i))
        pairs.append((s_calls, free.pop(best)))
    return pairs


def compare(st, dt):
    t = Tally()
    pairs = pair_threads(st, dt)
    for s_calls, d_calls in pairs:
        s_names = [strace_key(c) for c in s_calls]
        d_names = [dtruss_key(c) for c in d_calls]
        matcher = difflib.SequenceMatcher(a=s_names, b=d_names, autojunk=False)
        matched = 0
        for a, b, size in matcher.get_matching_blocks():
            for k in range(size):
                name, s_args = s_calls[a + k]
                d_args = d_calls[b + k][1]
                t.calls += 1
                matched += 1
                for arg, s_text, d_value in paired_args(name, s_args, d_args):
                    sk, dk = strace_kind(s_text), dtruss_kind(d_value, s_text)
                    t.args += 1
                    t.strace_sym += sk == "symbolic"
                    t.dtruss_sym += dk == "symbolic"
                    if sk == "symbolic" and dk == "numeric":
                        if (name, arg) in KNOWN_GAPS:
                            t.allowed[(name, arg)] = t.allowed.get((name, arg), 0) + 1
                        else:
                            t.gaps.setdefault((name, arg), (s_text, d_value))
        t.skipped_calls += max(len(s_calls), len(d_calls)) - matched
    # Threads only one tracer saw are not compared at all.
    paired = {id(c) for pair in pairs for c in pair}
    for calls in list(st.values()) + list(dt.values()):
        if id(calls) not in paired:
            t.skipped_calls += len(calls)
    return t


# ---------------------------------------------------------------------------------------------
# The parser and the classifiers on crafted input, so that a test passing on real programs is not
# a parser that silently read nothing or called everything symbolic.

def self_test():
    text = "\n".join([
        '10 execve("/bin/x", ["x", "a,b)"], 0x7ffe0 /* 3 vars */) = 0',
        '10 openat(AT_FDCWD, "/etc/(a, b)", O_RDONLY|O_CLOEXEC) = 3',
        '11 read(3,  <unfinished ...>',
        '10 newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0',
        '11 <... read resumed>"ab\\"c", 4096) = 4',
        '10 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---',
        '10 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f00',
        '12 clone(child_stack=NULL, flags=CLONE_VM|SIGCHLD, child_tidptr=0x7f10) = 13',
        '11 exit_group(0 <unfinished ...>',
    ])
    got = parse_strace(text)
    want = {
        10: [("execve", ['"/bin/x"', '["x", "a,b)"]', "0x7ffe0 /* 3 vars */"]),
             ("openat", ["AT_FDCWD", '"/etc/(a, b)"', "O_RDONLY|O_CLOEXEC"]),
             ("newfstatat", ["3", '""', "{st_mode=S_IFREG|0644, st_size=1, ...}",
                             "AT_EMPTY_PATH"]),
             ("mmap", ["NULL", "4096", "PROT_READ", "MAP_PRIVATE", "3", "0"])],
        11: [("read", ["3", '"ab\\"c"', "4096"]), ("exit_group", ["0"])],
        12: [("clone", ["child_stack=NULL", "flags=CLONE_VM|SIGCHLD", "child_tidptr=0x7f10"])],
    }
    assert got == want, f"parse_strace: {got}"
    futex = ["0x7f00", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME", "0", "NULL",
             "FUTEX_BITSET_MATCH_ANY"]
    d_futex = {"uaddr": "0x7f00", "op": "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME", "val": 0,
               "utime": None, "uaddr2": None, "val3": "FUTEX_BITSET_MATCH_ANY"}
    assert [a for a, _, _ in paired_args("futex", futex, d_futex)] == [
        "uaddr", "op", "val", "utime", "val3"], "futex's BITSET arguments"
    kinds = {"3": "numeric", "-1": "numeric", "0x7f00": "numeric", "NULL": "numeric",
             "0644": "numeric", "0x7ffe0 /* 3 vars */": "numeric", "4096*1024": "numeric",
             "child_stack=NULL": "numeric", "AT_FDCWD": "symbolic", '""': "symbolic",
             "[3]": "symbolic", "{st_mode=S_IFREG}": "symbolic", "flags=CLONE_VM": "symbolic",
             "makedev(0x88, 0)": "symbolic", "~[RTMIN RT_1]": "symbolic"}
    for text_arg, kind in kinds.items():
        assert strace_kind(text_arg) == kind, f"strace_kind({text_arg!r})"
    dkinds = [(3, "numeric"), (None, "numeric"), ("0x7f00", "numeric"), ("65536\n", "symbolic"),
              ("O_RDONLY", "symbolic"), ("/etc/hosts", "symbolic"), ({"count": 3}, "symbolic"),
              ([3], "symbolic")]
    for value, kind in dkinds:
        assert dtruss_kind(value) == kind, f"dtruss_kind({value!r})"
    assert dtruss_kind("0", '"0"') == "symbolic", "a one-byte buffer that reads 0"
    # clone by name, the others by position; a gap is found; a diverging call is skipped.
    d = {12: [("clone", {"clone_flags": "CLONE_VM|SIGCHLD", "newsp": None,
                         "parent_tidptr": None, "child_tidptr": "0x7f10", "tls": None})],
         10: [("execve", {"filename": "/bin/x", "argv": ["x", "a,b)"], "envp": {"count": 3}}),
              ("openat", {"dfd": -100, "filename": "/etc/(a, b)", "flags": "O_RDONLY|O_CLOEXEC",
                          "mode": 0}),
              ("getpid", {}),
              ("mmap", {"addr": None, "len": 4096, "prot": "PROT_READ", "flags": "MAP_PRIVATE",
                        "fd": 3, "off": 0})],
         11: [("read", {"fd": 3, "buf": "ab\"c", "count": 4096}),
              ("exit_group", {"error_code": 0})]}
    st = {10: got[10], 11: got[11], 12: got[12]}
    t = compare({k: st[k] for k in (10, 11, 12)}, {k: d[k] for k in (10, 11, 12)})
    assert t.gaps == {("openat", "dfd"): ("AT_FDCWD", -100)}, f"gaps: {t.gaps}"
    assert t.calls == 6 and t.skipped_calls == 1, f"calls {t.calls}, skipped {t.skipped_calls}"
    assert (t.args, t.strace_sym, t.dtruss_sym) == (19, 9, 9), (t.args, t.strace_sym,
                                                                   t.dtruss_sym)
    # Threads are paired by their calls, not by the order they appear in.
    r = compare(st, {k: d[k] for k in (12, 11, 10)})
    assert (r.calls, r.args, r.gaps) == (t.calls, t.args, t.gaps), "threads paired by order"


# ---------------------------------------------------------------------------------------------
# Programs

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """A loopback HTTP server in this process (a free port), for curl."""

    def __init__(self, directory):
        def handler(*args, **kwargs):
            return QuietHandler(*args, directory=directory, **kwargs)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run(cmd, cwd=None, check=True):
    r = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {r.returncode}: {r.stderr[-2000:]}")
    return r


def programs(work, port):
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    run(git + ["init", "-q"], cwd=repo)
    with open(os.path.join(repo, "a.txt"), "w") as f:
        f.write("a\n")
    run(git + ["add", "a.txt"], cwd=repo)
    run(git + ["commit", "-q", "-m", "a"], cwd=repo)
    with open(os.path.join(repo, "b.txt"), "w") as f:
        f.write("b\n")
    tree = os.path.join(work, "tree")
    for d in ("x", "y/z"):
        os.makedirs(os.path.join(tree, d))
        for n in range(3):
            with open(os.path.join(tree, d, f"f{n}"), "w") as f:
                f.write("data\n" * (n + 1))
    return [
        ("ls -l /usr", ["/bin/ls", "-l", "/usr"], None),
        ("python3 -c 'import socket'", [PYTHON, "-c", "import socket"], None),
        ("curl loopback", ["/usr/bin/curl", "-s", "-o", "/dev/null",
                           f"http://127.0.0.1:{port}/a.txt"], None),
        ("git status", ["/usr/bin/git", "status"], repo),
        ("tar cf - tree", ["/bin/tar", "cf", "-", "tree"], work),
    ]


def trace_strace(cmd, cwd, out):
    run(["strace", "-f", "-qq", "-o", out, "-X", "abbrev", "-s", "64"] + cmd, cwd=cwd)
    with open(out) as f:
        return parse_strace(f.read())


def trace_dtruss(dtruss, backend, cmd, cwd, out):
    run([dtruss, f"--backend={backend}", "-f", "--json", "--output", out] + cmd, cwd=cwd)
    with open(out) as f:
        return parse_dtruss(f.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtruss", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--backends", default="ptrace,bpf")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args()
    opts.dtruss = os.path.abspath(opts.dtruss)
    self_test()
    for tool in ("strace", "curl", "git", "tar"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} is not installed (scripts/install-test-deps.sh installs it)")
            return 1
    backends = opts.backends.split(",")
    if "bpf" in backends:
        why = ("not root" if os.geteuid() != 0 else
               "no kernel BTF" if not os.access("/sys/kernel/btf/vmlinux", os.R_OK) else "")
        if why:
            if os.environ.get("DTRUSS_TEST_ALLOW_NO_BPF") != "1":
                print(f"FAIL: the eBPF backend cannot run here ({why}); "
                      "set DTRUSS_TEST_ALLOW_NO_BPF=1 to compare the ptrace backend only")
                return 1
            print(f"eBPF backend skipped ({why}): DTRUSS_TEST_ALLOW_NO_BPF=1")
            backends.remove("bpf")

    work = tempfile.mkdtemp(prefix="dtruss-symbolic-")
    env_home = os.path.join(work, "home")
    os.makedirs(env_home)
    # git and curl read the user's configuration: an empty HOME keeps the runs reproducible.
    os.environ["HOME"] = env_home
    os.environ["LC_ALL"] = "C"
    with open(os.path.join(work, "a.txt"), "w") as f:
        f.write("hello\n")
    server = Server(work)
    report, failures = [], []
    try:
        totals = {b: Tally() for b in backends}
        for label, cmd, cwd in programs(work, server.port):
            run(cmd, cwd=cwd)  # once untraced: caches (Python's bytecode, git's index) settle
            st = trace_strace(cmd, cwd, os.path.join(work, "strace.out"))
            for b in backends:
                dt = trace_dtruss(opts.dtruss, b, cmd, cwd, os.path.join(work, f"dtruss-{b}.json"))
                t = compare(st, dt)
                totals[b].add(t)
                report.append(t.line(f"[{b}] {label}"))
                strace_calls = sum(len(c) for c in st.values())
                if t.args == 0 or t.calls < 0.9 * strace_calls:
                    failures.append(f"[{b}] {label}: only {t.calls} of strace's {strace_calls} "
                                    f"calls paired ({t.args} arguments): the traces diverge")
                for (name, arg), (s_text, d_value) in sorted(t.gaps.items()):
                    failures.append(f"[{b}] {label}: {name} {arg}: strace {s_text!r}, "
                                    f"dtruss {json.dumps(d_value)}")
                if opts.verbose:
                    for (name, arg), n in sorted(t.allowed.items()):
                        report.append(f"    known gap {name} {arg} x{n}")
        for b in backends:
            report.append(totals[b].line(f"[{b}] overall"))
            for (name, arg), n in sorted(totals[b].allowed.items()):
                report.append(f"[{b}]   known gap: {name}.{arg} ({n} args): "
                              f"{KNOWN_GAPS[(name, arg)]}")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)

    text = "\n".join(report) + "\n"
    if failures:
        text += "\nstrace symbolic, dtruss numeric (not in KNOWN_GAPS):\n"
        text += "\n".join("  " + f for f in failures) + "\n"
    with open(opts.report, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
