#!/usr/bin/env bash
# Installs the tracers that bench/run.py compares dtruss with (strace, perf trace, bpftrace).
# For benchmarks only: dtruss itself never needs them. Idempotent: only missing packages are
# installed, and `sudo` is used only when not already root.
set -euo pipefail

packages=(
  strace       # strace -f -o FILE, strace -c -f
  linux-perf   # perf trace -o FILE (Debian's build may be older than the running kernel)
  bpftrace     # the counting one-liner
  time         # /usr/bin/time, for peak memory by hand
)

exec "$(dirname "$0")/apt-install.sh" install-bench-deps "${packages[@]}"
