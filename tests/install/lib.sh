# Shared by the install tests: each test is a bash script run by ctest as
#   TEST.sh BUILD_DIR
# (BUILD_DIR holds dtruss and what dtruss_docgen made there: dtruss.1, dtruss.bash, _dtruss).
# It prints what it checked and exits non-zero at the first failure.
set -euo pipefail

BUILD=${1:?usage: $0 BUILD_DIR}
DTRUSS=$BUILD/dtruss
DOCS=$BUILD

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

ok() { echo "ok: $*"; }

# A fresh directory, removed when the test exits.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtruss-install-test.XXXXXX")
cleanup_dirs=("$TMP")
trap 'rm -rf "${cleanup_dirs[@]}"' EXIT

# Every option named in `dtruss --help`: -x and --long, one a line.
help_options() {
  "$DTRUSS" --help | grep -oE '^  +(-[[:alnum:]], )?--[[:alnum:]-]+' |
    grep -oE -- '--?[[:alnum:]-]+'
}

# The syscall classes of -t, as dtruss lists them when given one it does not know.
syscall_classes() {
  { "$DTRUSS" -t %nope true 2>&1 || true; } | grep -oE '%%?[a-z]+' | grep -vx '%nope'
}
