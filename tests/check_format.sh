#!/bin/sh
# The tracked C and C++ sources (*.cpp, *.h, *.c; the generated *.inc tables are not among them)
# are as clang-format makes them with the repository's .clang-format. Fails naming each file that
# is not; `clang-format -i FILE` formats one.
# Usage: check_format.sh SOURCE_DIR [CLANG_FORMAT]
set -eu
src=$1
clang_format=${2:-clang-format}
cd "$src"
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check_format: $clang_format not found (Debian: apt-get install clang-format)" >&2
  exit 1
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check_format: $src is not a git checkout (the files checked are the tracked ones)" >&2
  exit 1
fi
bad=$(git ls-files -z -- '*.cpp' '*.h' '*.c' | xargs -0 -n 50 sh -c '
  for f in "$@"; do
    "$0" --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
  done' "$clang_format")
if [ -n "$bad" ]; then
  echo "not formatted as .clang-format says (run clang-format -i on them):" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi
echo "check_format: $(git ls-files -- '*.cpp' '*.h' '*.c' | wc -l) files formatted"
