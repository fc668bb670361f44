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
  chromium chromium-driver python3-selenium           # the timeline opened in Chromium's viewer
  python3-pil fonts-dejavu-core                       # its screenshot checked, with legible text
)

exec "$(dirname "$0")/apt-install.sh" install-deps "${packages[@]}"
