#!/usr/bin/env bash
# Smoke test of the benchmark driver: a one-round quick run of the getppid loop, untraced and under
# dtruss's eBPF backend, must finish and print a table with a number in every column of the bpf row.
#   bench_smoke.sh SOURCE_DIR DTRUSS
set -euo pipefail
out=$(timeout 60 python3 "$1/bench/run.py" --quick --workloads getppid --variants untraced,bpf \
  --rounds 1 --dtruss "$2")
echo "$out"
# 10,000 getppid calls plus the start-up of the program, counted by strace -c -f.
grep -Eq '^\| getppid \| [0-9]{2},[0-9]{3} \| untraced \| [0-9.]+ \| - \|' <<<"$out"
# median, ratio, ratio net of start-up, µs/call, µs/call net of start-up, lost events, peak RSS.
grep -Eq '^\|  \|  \| bpf \| [0-9.]+ \| [0-9.]+ \| -?[0-9.]+ \| -?[0-9.]+ \| -?[0-9.]+ \| [0-9,]+ \| [0-9.]+ \|$' <<<"$out"
grep -Eq '^\| bpf \| [0-9.]+ \| -?[0-9.]+ \|$' <<<"$out"   # its start-up row
