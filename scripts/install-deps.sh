#!/usr/bin/env bash
# Installs the Debian 12 packages dtruss needs to build and test. Idempotent: only missing
# packages are installed, and `sudo` is used only when not already root.
set -euo pipefail

packages=(
  build-essential g++ cmake make pkg-config python3   # toolchain and the table generator
  libfmt-dev                                          # formatting (no <format> in g++ 12)
  libseccomp-dev                                      # the -t seccomp filter of the ptrace backend
  libbpf-dev bpftool clang llvm                       # the eBPF backend: program, skeleton, loader
  libelf-dev libdw-dev                                # symbols and unwinding (used by -s later)
  libgtest-dev libgmock-dev libbenchmark-dev          # unit tests and benchmarks
  nlohmann-json3-dev                                  # JSON parsing in the tests only
  strace                                              # the reference the tests compare against
  curl git tar                                        # programs the strace comparison traces
  man-db groff-base bsdextrautils                     # man page checks (man --warnings, col)
  dpkg-dev file zsh                                   # make deb (dpkg-shlibdeps), its tests
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
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
