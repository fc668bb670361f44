#!/usr/bin/env bash
# Installs what the test suite runs besides dtruss (`make test`), on top of install-deps.sh.
# Idempotent: only missing packages are installed, and `sudo` is used only when not already root.
set -euo pipefail

packages=(
  strace                                              # the reference the tests compare against
  curl git tar python3                                # programs the strace comparison traces
  man-db groff-base bsdextrautils                     # man page checks (man --warnings, col)
  dpkg-dev file zsh                                   # make deb (dpkg-shlibdeps), its tests
  chromium chromium-driver python3-selenium           # the timeline opened in Chromium's viewer
  python3-pil fonts-dejavu-core                       # its screenshot checked, with legible text
  clang llvm libclang-rt-14-dev                       # the fuzz targets (libFuzzer, ASan runtime)
  clang-format                                        # the clang_format test (.clang-format)
  libc6-dbg                                           # -s tests: the C library's frames named
  time                                                # bench smoke test: /usr/bin/time (peak RSS)
  tmux                                                # --top's tests: keys pressed, screen read
  zstd                                                # capture tests: files rewritten by hand
  clickhouse-server clickhouse-client                 # --clickhouse: a real server (18.16 on Debian 12)
  podman runc                                         # a real container (crun, podman's own,
                                                      # refuses hybrid cgroup v1/v2 hosts)
)

exec "$(dirname "$0")/apt-install.sh" install-test-deps "${packages[@]}"
