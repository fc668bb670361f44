#!/usr/bin/env bash
# Installs the Debian 12 packages dtruss needs to be configured and built (what `make` and
# `make demo` need). What only the test suite runs is in install-test-deps.sh. Idempotent: only
# missing packages are installed, and `sudo` is used only when not already root.
set -euo pipefail

packages=(
  build-essential g++ cmake make pkg-config python3   # toolchain and the table generator
  libfmt-dev                                          # formatting (no <format> in g++ 12)
  libseccomp-dev                                      # the -t seccomp filter of the ptrace backend
  libbpf-dev bpftool clang llvm                       # the eBPF backend: program, skeleton, loader
  libelf-dev libdw-dev                                # symbols and unwinding (-s)
  libzstd-dev                                         # capture files (-w, -r, flight recorder)
  libncurses-dev                                      # the live view (--top)
  liburing-dev                                        # io_uring test programs
  libcurl4-openssl-dev                                # --clickhouse: its HTTP interface
  libgtest-dev libgmock-dev nlohmann-json3-dev        # headers CMake's configure step looks for
)

exec "$(dirname "$0")/apt-install.sh" install-deps "${packages[@]}"
