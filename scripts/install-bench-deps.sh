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

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-bench-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
