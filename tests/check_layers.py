#!/usr/bin/env python3
"""The layers of src/ as includes see them: a file of a layer includes only its own layer's
headers and those of the layers it builds on (the libraries its CMake target links, see the
top-level CMakeLists.txt). layers_link_alone checks the symbols; this checks what a link cannot
see: a header of another layer used for its types or inline code alone.

Usage: check_layers.py SRC_DIR. Prints each include that breaks a rule; exits 1 if any does."""

import pathlib
import re
import sys

# Each layer, and the layers it may include besides itself.
LAYERS = {
    "util": [],
    "core": ["util"],
    "syscalls": ["core", "util"],
    "decode": ["syscalls", "core", "util"],
    "output": ["decode", "syscalls", "core", "util"],
    "stack": ["core", "util"],
    "backends/common": ["syscalls", "core", "util"],
    "backends/ptrace": ["backends/common", "stack", "syscalls", "core", "util"],
    "backends/bpf": ["backends/common", "stack", "syscalls", "core", "util"],
    "cli": ["syscalls", "core", "util"],  # (syscalls: dtruss_docgen's table of names)
    "capture": ["core", "util"],
    "fleet": ["output", "decode", "syscalls", "core", "util"],
    "app": ["cli", "output", "capture", "fleet", "backends/ptrace", "backends/bpf", "backends/common",
            "stack",
            "decode", "syscalls", "core", "util"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path: str):
    """The layer a path under src/ (or an include) belongs to; None for one outside them."""
    for name in sorted(LAYERS, key=len, reverse=True):
        if path == name or path.startswith(name + "/"):
            return name
    return None


def main() -> int:
    src = pathlib.Path(sys.argv[1])
    broken = []
    for f in sorted(src.rglob("*")):
        if f.suffix not in (".h", ".cpp", ".c", ".inc") or not f.is_file():
            continue
        rel = f.relative_to(src).as_posix()
        layer = layer_of(rel)
        if layer is None:  # main.cpp: the application, which may use every layer
            continue
        for inc in INCLUDE.findall(f.read_text(errors="replace")):
            target = layer_of(inc)
            if target is None or target == layer or target in LAYERS[layer]:
                continue  # its own folder's headers, generated ones (dtruss.skel.h), allowed layers
            allowed = ", ".join(LAYERS[layer]) or "no other layer"
            broken.append(f"{rel}: includes {inc} ({layer} may use {allowed})")
    for b in broken:
        print(b)
    print(f"{len(broken)} include(s) across the layers' rules")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
