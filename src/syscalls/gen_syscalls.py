#!/usr/bin/env python3
"""Generates dtruss's x86_64 syscall table from kernel facts and the hand-written overrides.

Inputs, all beside this script:
  * the unistd header of the build machine (numbers and names):
      /usr/include/x86_64-linux-gnu/asm/unistd_64.h
  * kernel_numbers.txt: the numbers of the running kernel's syscalls that the header lacks
    (a build machine's header may be older than the kernel it traces), `NUMBER NAME` a line;
  * kernel_signatures.txt: argument types and names, captured from the running kernel's tracefs
    (events/syscalls/sys_enter_*/format) with --capture-tracefs, one `name(type arg, ...)` a line;
  * extra_signatures.txt: hand-written signatures for the syscalls that have no tracepoint;
  * overrides.txt: per syscall its classes, return kind and the kind of each argument;
  * descriptions/*.txt: per syscall what it does, what each argument and the return value mean,
    and its common errno values (dtruss --explain); the format is in descriptions/unistd.txt.

Outputs (checked in; the test suite re-runs this script and fails on any difference):
  * syscall_table.inc: one SyscallInfo per syscall of the header;
  * table_ids.inc: the X-macro list of every flag/enum/choice table the overrides name, and of
    every flag/enum table that src/decode/subjects/*.cpp defines (so that C++ names a table by
    TableId, checked by the compiler);
  * struct_ids.inc: the X-macro list of every struct type the overrides name;
  * descriptions.inc: one SyscallDoc per described syscall (src/syscalls/describe.h).

Usage:
  gen_syscalls.py [--out-dir DIR] [--unistd PATH]   regenerate (default: beside this script)
  gen_syscalls.py --capture-tracefs [TRACEFS]        refresh kernel_signatures.txt from tracefs
"""

import argparse
import errno
import glob
import os
import platform
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"

# The kernel names some tracepoints after the implementing function rather than the unistd name.
TRACEPOINT_ALIASES = {
    "stat": "newstat",
    "fstat": "newfstat",
    "lstat": "newlstat",
    "uname": "newuname",
    "sendfile": "sendfile64",
    "umount2": "umount",
}

CLASSES = ["file", "desc", "network", "process", "signal", "ipc", "memory", "creds", "clock"]

ARG_KINDS = {
    # kind name in overrides -> C++ ArgKind enumerator
    "int": "Int", "uint": "UInt", "hex": "Hex", "size": "Size", "off": "Off",
    "fd": "Fd", "dirfd": "Dirfd", "pid": "Pid", "uid": "Uid", "signal": "Signal",
    "mode": "Mode", "path": "Path", "str": "String", "buf": "Buffer",
    "flags": "Flags", "enum": "Enum", "argv": "Argv", "envp": "Envp", "struct": "Struct",
    "by": "Select",
}
RET_KINDS = {"int": "Int", "fd": "Fd", "hex": "Hex", "pid": "Pid", "size": "Size",
             "noreturn": "NoReturn", "uid": "Uid"}
DIRS = {"in": "In", "out": "Out", "inout": "InOut", "intr": "OutIntr"}


def split_dir(d):
    """A struct's direction and the label of its value after the call: `inout/left` is shown as
    passed, and what the call wrote back after the result, under that label; a plain `inout`
    (whose meaning depends on another argument: shmctl's buf) as the call left it."""
    direction, _, label = d.partition("/")
    if label and (direction != "inout" or not re.fullmatch(r"[a-z_]+", label)):
        die(f"a label (/{label}) needs inout and lower-case letters")
    return direction, label
PATH_NAMES = {"filename", "pathname", "path", "oldname", "newname", "oldpath", "newpath",
              "specialfile", "library", "dir_name", "special", "dev_name", "name_user"}


def die(msg):
    sys.exit(f"gen_syscalls: {msg}")


def read_lines(path):
    """Yields (lineno, text) for non-empty, non-comment lines."""
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                yield no, line


def parse_unistd(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r"^#define __NR_(\w+)\s+(\d+)", f.read(), re.M):
            out.append((int(m.group(2)), m.group(1)))
    if not out:
        die(f"no __NR_ definitions in {path}")
    return sorted(out)


def merge_numbers(header, path):
    """The header's (number, name) pairs and those of kernel_numbers.txt, which must agree."""
    by_nr, by_name = dict(header), {n: nr for nr, n in header}
    for no, line in read_lines(path):
        fields = line.split()
        if len(fields) != 2 or not fields[0].isdigit():
            die(f"{path}:{no}: expected NUMBER NAME")
        nr, name = int(fields[0]), fields[1]
        if by_nr.get(nr, name) != name or by_name.get(name, nr) != nr:
            die(f"{path}:{no}: {nr} {name} disagrees with the header "
                f"({nr} is {by_nr.get(nr)}, {name} is {by_name.get(name)})")
        by_nr[nr], by_name[name] = name, nr
    return sorted(by_nr.items())


SIG_RE = re.compile(r"^(\w+)\((.*)\)$")


def parse_signatures(path):
    sigs = {}
    for no, line in read_lines(path):
        m = SIG_RE.match(line)
        if not m:
            die(f"{path}:{no}: expected name(type arg, ...)")
        args = []
        body = m.group(2).strip()
        if body and body != "void":
            for part in body.split(","):
                part = part.strip()
                am = re.match(r"^(.*?)\s*\b(\w+)$", part)
                if not am or not am.group(1):
                    die(f"{path}:{no}: cannot split type and name in '{part}'")
                args.append((am.group(1).strip(), am.group(2)))
        if len(args) > 6:
            die(f"{path}:{no}: more than six arguments")
        sigs[m.group(1)] = args
    return sigs


def capture_tracefs(tracefs, out_path):
    base = os.path.join(tracefs, "events", "syscalls")
    if not os.path.isdir(base):
        die(f"{base} not found: mount tracefs (mount -t tracefs tracefs {tracefs}) as root")
    lines = []
    for entry in sorted(os.listdir(base)):
        if not entry.startswith("sys_enter_"):
            continue
        name = entry[len("sys_enter_"):]
        with open(os.path.join(base, entry, "format"), encoding="utf-8") as f:
            fmt = f.read()
        args = []
        for m in re.finditer(r"field:([^;]+);\s*offset:(\d+);", fmt):
            decl, offset = m.group(1).strip(), int(m.group(2))
            if offset < 16:  # the common fields and __syscall_nr
                continue
            dm = re.match(r"^(.*?)\s*\b(\w+)$", decl)
            args.append(f"{dm.group(1).strip()} {dm.group(2)}")
        lines.append(f"{name}({', '.join(args)})")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("# Syscall signatures captured from tracefs events/syscalls/sys_enter_*/format\n")
        f.write(f"# of Linux {platform.release()} by gen_syscalls.py --capture-tracefs.\n")
        f.write("# Facts from the kernel: do not edit by hand (hand-written ones go in\n")
        f.write("# extra_signatures.txt).\n")
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} signatures to {out_path}")


def default_kind(ctype, name):
    """The kind an argument gets when overrides.txt does not name one."""
    t = ctype.replace("const ", "").strip()
    if name in PATH_NAMES and t == "char *":
        return "path", []
    if "*" in t:
        return "hex", []
    if name in ("fd", "oldfd", "newfd", "ufd", "epfd", "fd_in", "fd_out", "out_fd", "in_fd",
                "pidfd", "mqdes"):
        return "fd", []
    if name in ("dfd", "olddfd", "newdfd", "dirfd", "from_dfd", "to_dfd"):
        return "dirfd", []
    if t == "pid_t":
        return "pid", []
    if t in ("uid_t", "gid_t", "qid_t"):
        return "uid", []
    if t in ("size_t",):
        return "size", []
    if t in ("loff_t", "off_t"):
        return "off", []
    if t in ("umode_t", "mode_t"):
        return "mode", []
    if t.startswith("unsigned") or t in ("u32", "u64", "__u32", "__u64", "aio_context_t",
                                         "key_serial_t", "rwf_t", "size_t"):
        return "uint", []
    return "int", []


def count_arg(count):
    """The argument a struct's COUNT names: ARG, *ARG (the int it points to) or pages(ARG)."""
    m = re.fullmatch(r"\*(\w+)|pages\((\w+)\)", count)
    return (m.group(1) or m.group(2)) if m else count


def cxx_count(count, argnames):
    """The ArgInfo::len of a COUNT (see table.h: kLenRet, an index, len_at(i), len_pages(i))."""
    if count == "ret":
        return "kLenRet"
    i = argnames.index(count_arg(count))
    if count.startswith("*"):
        return f"len_at({i})"
    if count.startswith("pages("):
        return f"len_pages({i})"
    return str(i)


def parse_overrides(path, sigs):
    """Returns {name: (classes, ret, {arg: (kind, params)})} and the table names used."""
    out, tables, structs = {}, set(), set()
    for no, line in read_lines(path):
        fields = line.split()
        if len(fields) < 3:
            die(f"{path}:{no}: expected: name classes ret=KIND [arg=kind ...]")
        name, cls, ret = fields[0], fields[1], fields[2]
        where = f"{path}:{no}"
        if name in out:
            die(f"{where}: {name} listed twice")
        if name not in sigs:
            die(f"{where}: {name} has no signature")
        classes = [] if cls == "-" else cls.split(",")
        for c in classes:
            if not c.startswith("%") or c[1:] not in CLASSES:
                die(f"{where}: unknown class {c} (known: %{', %'.join(CLASSES)})")
        if not ret.startswith("ret="):
            die(f"{where}: third field must be ret=KIND")
        if ret[4:] not in RET_KINDS:
            die(f"{where}: unknown return kind {ret[4:]}")
        argnames = [a for _, a in sigs[name]]
        kinds = {}
        for spec in fields[3:]:
            if "=" not in spec:
                die(f"{where}: '{spec}' is not arg=kind")
            arg, kind = spec.split("=", 1)
            if arg not in argnames:
                die(f"{where}: {name} has no argument '{arg}' (it has: {', '.join(argnames)})")
            parts = kind.split(":")
            if parts[0] not in ARG_KINDS:
                die(f"{where}: unknown kind '{parts[0]}' for {name}.{arg}")
            params = parts[1:]
            k = parts[0]
            if k in ("flags", "enum"):
                if len(params) != 1:
                    die(f"{where}: {k} needs a table: {arg}={k}:TABLE")
                tables.add(params[0])
            elif k == "buf":
                if len(params) != 2 or params[0] not in DIRS:
                    die(f"{where}: buf needs a direction and a length: {arg}=buf:in|out:LEN")
                if params[1] != "ret" and params[1] not in argnames:
                    die(f"{where}: length '{params[1]}' of {name}.{arg} is not an argument")
            elif k == "by":
                if len(params) != 2 or params[0] not in argnames or params[0] == arg:
                    die(f"{where}: by needs another argument and a choice table: {arg}=by:ARG:TABLE")
                tables.add(params[1])
            elif k == "struct":
                if len(params) not in (2, 3) or split_dir(params[1])[0] not in DIRS:
                    die(f"{where}: struct needs a type and direction: {arg}=struct:TYPE:in|out|inout[:COUNT]")
                if len(params) == 3 and count_arg(params[2]) not in argnames + ["ret"]:
                    die(f"{where}: count '{params[2]}' of {name}.{arg} is not ret, ARG, *ARG "
                        f"or pages(ARG)")
                if params[0] == "sockaddr":  # the decoder reads its length in the next argument
                    i = argnames.index(arg)
                    if i + 1 >= len(argnames) or "len" not in argnames[i + 1]:
                        die(f"{where}: {name}.{arg} is a sockaddr: the argument after it must be "
                            f"its length (addrlen)")
                structs.add(params[0])
            elif params:
                die(f"{where}: kind '{k}' takes no parameters")
            kinds[arg] = (k, params)
        out[name] = (classes, ret[4:], kinds)
    return out, tables, structs


MAX_ERRNOS = 8   # SyscallDoc::errnos in describe.h
MAX_ABOUT = 100  # characters of an about: line (aim for 90: it is printed beside a trace line)


def errno_value(name):
    """The number of an errno name, from Python's errno module (the C library's own values)."""
    value = getattr(errno, name, None) if re.fullmatch(r"E[A-Z0-9]+", name) else None
    return value if isinstance(value, int) else None


def parse_descriptions(paths, sigs, numbers, strict):
    """Reads descriptions/*.txt: {name: {"about", "returns", "args": {arg: text}, "errnos": [..]}}.

    Content errors (unknown names, duplicates, malformed lines, a block without about/returns or
    without a line per argument) always stop the generator. A syscall of the table with no block
    at all is an error with --strict, a warning otherwise; a file without any block is a
    placeholder for a half that is still being written, and while one exists missing blocks are
    only warned about.
    """
    docs, where_of = {}, {}
    placeholder = []
    for path in paths:
        rel = os.path.relpath(path, HERE)
        blocks = 0
        cur = None

        def close(block):
            if block is None:
                return
            name, at = block["name"], block["at"]
            for key in ("about", "returns"):
                if key not in block:
                    die(f"{at}: {name} has no '{key}:' line")
            missing = [a for _, a in sigs[name] if a not in block["args"]]
            if missing:
                die(f"{at}: {name} lacks 'arg' lines for: {', '.join(missing)}")

        with open(path, encoding="utf-8") as f:
            for no, raw in enumerate(f, 1):
                line = raw.rstrip("\n").rstrip()
                at = f"{rel}:{no}"
                if line.startswith("#"):
                    continue
                if not line:
                    close(cur)
                    cur = None
                    continue
                if line.startswith("@"):
                    if cur is not None:
                        die(f"{at}: a new block starts without a blank line before it")
                    name = line[1:].strip()
                    if name not in sigs:
                        die(f"{at}: unknown syscall '{name}'")
                    if name in docs:
                        die(f"{at}: {name} is described twice (also at {where_of[name]})")
                    cur = {"name": name, "at": at, "args": {}, "errnos": []}
                    docs[name], where_of[name] = cur, at
                    blocks += 1
                    continue
                if cur is None:
                    die(f"{at}: text outside a block (a block starts with '@ NAME')")
                key, sep, text = line.partition(":")
                text = text.strip()
                if not sep or not text:
                    die(f"{at}: expected 'about:', 'arg NAME:', 'returns:' or 'errno ENAME:' with text")
                words = key.split()
                name = cur["name"]
                if words == ["about"] or words == ["returns"]:
                    if words[0] in cur:
                        die(f"{at}: {name} has two '{words[0]}:' lines")
                    if words[0] == "about" and len(text) > MAX_ABOUT:
                        die(f"{at}: about: is {len(text)} characters; keep it under {MAX_ABOUT}")
                    cur[words[0]] = text
                elif len(words) == 2 and words[0] == "arg":
                    argnames = [a for _, a in sigs[name]]
                    if words[1] not in argnames:
                        die(f"{at}: {name} has no argument '{words[1]}' "
                            f"(it has: {', '.join(argnames) or 'none'})")
                    if words[1] in cur["args"]:
                        die(f"{at}: {name}.{words[1]} is described twice")
                    cur["args"][words[1]] = text
                elif len(words) == 2 and words[0] == "errno":
                    value = errno_value(words[1])
                    if value is None:
                        die(f"{at}: unknown errno name '{words[1]}'")
                    if any(errno_value(e) == value for e, _ in cur["errnos"]):
                        die(f"{at}: {name} lists errno {words[1]} (value {value}) twice")
                    if len(cur["errnos"]) == MAX_ERRNOS:
                        die(f"{at}: {name} lists more than {MAX_ERRNOS} errno values")
                    cur["errnos"].append((words[1], text))
                else:
                    die(f"{at}: unknown line '{key}:' (about, arg NAME, returns, errno ENAME)")
        close(cur)
        if blocks == 0:
            placeholder.append(rel)
    missing = [n for _, n in numbers if n not in docs]
    if missing:
        msg = f"descriptions lack {len(missing)} syscalls: {' '.join(missing)}"
        if strict and not placeholder:
            die(msg)
        note = f" (placeholder: {', '.join(placeholder)})" if placeholder else ""
        print(f"gen_syscalls: warning: {msg}{note}", file=sys.stderr)
    return docs


def cxx_str(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cxx_doc(nr, name, doc, argnames):
    args = ", ".join(cxx_str(doc["args"][a]) for a in argnames)
    errs = ", ".join(f"{{{e}, {cxx_str(e)}, {cxx_str(t)}}}" for e, t in doc["errnos"])
    return (f"    {{{nr}, {cxx_str(name)},\n     {cxx_str(doc['about'])},\n"
            f"     {cxx_str(doc['returns'])},\n     {{{args}}},\n"
            f"     {len(doc['errnos'])}, {{{errs}}}}},")


# The C types of arguments that the kernel reads from the low 32 bits of the register only (the
# decoder truncates and sign-extends them as the kernel does), and those it reads whole. A type in
# neither stops the generator: say which it is here.
NARROW_TYPES = {"int", "unsigned int", "unsigned", "pid_t", "uid_t", "gid_t", "qid_t", "u32",
                "__u32", "key_t", "mqd_t", "clockid_t", "key_serial_t", "rwf_t", "timer_t",
                "umode_t", "__s32", "s32", "old_uid_t", "old_gid_t"}
# (enum landlock_rule_type is an int too, but has always been read whole: kept so, the output
# stays as it was.)
WIDE_TYPES = {"unsigned long", "long", "size_t", "loff_t", "off_t", "u64", "__u64",
              "aio_context_t", "cap_user_header_t", "cap_user_data_t", "enum landlock_rule_type"}


def is_narrow(ctype):
    """Whether the kernel reads an argument of this C type from the register's low 32 bits."""
    t = ctype[len("const "):] if ctype.startswith("const ") else ctype
    if "*" in t:
        return False
    if t in NARROW_TYPES:
        return True
    if t in WIDE_TYPES:
        return False
    die(f"C type {ctype!r}: add it to NARROW_TYPES or WIDE_TYPES of gen_syscalls.py")


def cxx_arg(ctype, name, kind, params, argnames):
    table, strct, direction, length, label = "none", "none", "In", "kNoLen", "nullptr"
    if kind in ("flags", "enum"):
        table = params[0]
    elif kind == "by":  # the selecting argument goes where a length would
        table, length = params[1], str(argnames.index(params[0]))
    elif kind == "buf":
        direction = DIRS[params[0]]
        length = "kLenRet" if params[1] == "ret" else str(argnames.index(params[1]))
    elif kind == "struct":
        d, lab = split_dir(params[1])
        strct, direction = params[0], DIRS[d]
        if lab:
            label = f'"{lab}"'
        if len(params) == 3:
            length = cxx_count(params[2], argnames)
    return (f'{{"{name}", "{ctype}", ArgKind::{ARG_KINDS[kind]}, Dir::{direction}, '
            f"TableId::{table}, StructId::{strct if strct == 'none' else 's_' + strct}, {length}, "
            f"{label}, {'true' if is_narrow(ctype) else 'false'}}}")


def generate(unistd, out_dir, strict):
    numbers = merge_numbers(parse_unistd(unistd), os.path.join(HERE, "kernel_numbers.txt"))
    kernel = parse_signatures(os.path.join(HERE, "kernel_signatures.txt"))
    extra = parse_signatures(os.path.join(HERE, "extra_signatures.txt"))
    sigs = {}
    for _, name in numbers:
        tp = TRACEPOINT_ALIASES.get(name, name)
        if name in extra:
            sigs[name] = extra[name]
        elif tp in kernel:
            sigs[name] = kernel[tp]
        else:
            die(f"no signature for {name}: add it to extra_signatures.txt")
    overrides, tables, structs = parse_overrides(os.path.join(HERE, "overrides.txt"), sigs)
    known = {n for _, n in numbers}
    for name in overrides:
        if name not in known:
            die(f"overrides.txt names {name}, which the header does not have")
    missing = [n for _, n in numbers if n not in overrides]
    if strict and missing:
        die(f"overrides.txt lacks {len(missing)} syscalls: {' '.join(missing)}")

    body = []
    for nr, name in numbers:
        classes, ret, kinds = overrides.get(name, ([], "int", {}))
        argnames = [a for _, a in sigs[name]]
        args = []
        for ctype, arg in sigs[name]:
            k, p = kinds.get(arg) or default_kind(ctype, arg)
            args.append(cxx_arg(ctype, arg, k, p, argnames))
        cls = "|".join(f"kClass{c[1:].capitalize()}" for c in classes) or "0"
        body.append(f'    {{{nr}, "{name}", {len(args)}, RetKind::{RET_KINDS[ret]}, {cls},\n'
                    f"     {{{', '.join(args)}}}}},")

    doc_paths = sorted(glob.glob(os.path.join(HERE, "descriptions", "*.txt")))
    docs = parse_descriptions(doc_paths, sigs, numbers, strict)
    doc_body = [cxx_doc(nr, name, docs[name], [a for _, a in sigs[name]])
                for nr, name in numbers if name in docs]

    header = ("// Generated by src/syscalls/gen_syscalls.py from the unistd header, "
              "kernel_numbers.txt,\n// kernel_signatures.txt, extra_signatures.txt and "
              "overrides.txt. "
              "Do not edit: run `make regen`.\n")
    with open(os.path.join(out_dir, "syscall_table.inc"), "w", encoding="utf-8") as f:
        f.write(header)
        f.write("\n".join(body) + "\n")
    tables |= defined_tables(os.path.join(HERE, "..", "decode", "subjects"))
    with open(os.path.join(out_dir, "table_ids.inc"), "w", encoding="utf-8") as f:
        f.write(header.replace("overrides.txt.", "overrides.txt,\n// and the tables src/decode/subjects/*.cpp define."))
        for t in sorted(tables):
            f.write(f"X({t})\n")
    with open(os.path.join(out_dir, "struct_ids.inc"), "w", encoding="utf-8") as f:
        f.write(header)
        for t in sorted(structs):
            f.write(f"X({t})\n")
    with open(os.path.join(out_dir, "descriptions.inc"), "w", encoding="utf-8") as f:
        f.write("// Generated by src/syscalls/gen_syscalls.py from descriptions/*.txt (the words) and\n"
                "// the syscall table (the numbers and argument order). Do not edit: run `make regen`.\n")
        f.write("\n".join(doc_body) + "\n")
    return len(numbers)


def defined_tables(subjects_dir):
    """The names of the flag and enum tables the subject files define (bits_table("NAME", ...))."""
    names = set()
    for path in sorted(glob.glob(os.path.join(subjects_dir, "*.cpp"))):
        with open(path, encoding="utf-8") as f:
            names |= set(re.findall(r'\b(?:bits|enum|mixed)_table\(\s*"(\w+)"', f.read()))
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=HERE)
    ap.add_argument("--unistd", default=DEFAULT_UNISTD)
    ap.add_argument("--capture-tracefs", nargs="?", const="/sys/kernel/tracing", metavar="TRACEFS")
    ap.add_argument("--strict", action="store_true", help="every syscall must be in overrides.txt and descriptions/*.txt")
    a = ap.parse_args()
    if a.capture_tracefs:
        capture_tracefs(a.capture_tracefs, os.path.join(HERE, "kernel_signatures.txt"))
        return
    n = generate(a.unistd, a.out_dir, a.strict)
    print(f"gen_syscalls: {n} syscalls")


if __name__ == "__main__":
    main()
