#!/usr/bin/env bash
# Smoke test of bench/attach_bench.py (issue 3's attach modes): a quick run must build the probe,
# and every mode that runs must count exactly the selected calls of the command.
#   attach_bench_smoke.sh SOURCE_DIR
set -euo pipefail
out=$(timeout 60 python3 "$1/bench/attach_bench.py" --quick --experiments untraced,traced)
echo "$out"
# Fields of a row: 2 experiment, 3 mode, 4 runs, 13 counted calls.
counted() { awk -F' *\\| *' -v e="$1" -v m="$2" '$2 == e && $3 == m && $4 == 1 { print $13 }' <<<"$out"; }
for mode in tp tp_early tp_enter_early tp_sys; do
  # -t openat on the getppid loop: the 2 openat of ld.so (ld.so.cache, libc), no getppid.
  [[ $(counted untraced "$mode") == 2 ]] || { echo "untraced/$mode: not 2 calls"; exit 1; }
  # The file loop, 1,000 x open/read/fstat/close, all selected: 4,000 calls, the program's
  # start-up (ld.so: 2 openat, 1 read, 2 newfstatat, 2 close) and the probe's start pipe
  # (close of its read end; close of the write end and the read when the probes are attached
  # before the command reaches them).
  n=$(counted traced "$mode")
  ((n >= 4008 && n <= 4010)) || { echo "traced/$mode: $n calls"; exit 1; }
done
# fentry and kprobe.multi: counted like the others, or refused by the kernel with a reason.
for mode in fentry kmulti; do
  grep -Eq "^\| (untraced|traced) \| $mode \| (1 \| .*\| 40(0[89]|10) \||0 \| attach_probe: )" \
    <<<"$out" || { echo "$mode: neither counted nor refused with a reason"; exit 1; }
done
