#!/usr/bin/env bash
# Regenerates the syscall table (and the syscall descriptions) into a scratch directory and fails on any difference from the
# checked-in files: the table is generated data, never edited by hand.
set -euo pipefail
src="$1"; out="$2"
mkdir -p "$out"
"${PYTHON:-python3}" "$src/src/syscalls/gen_syscalls.py" --strict --out-dir "$out"
status=0
for f in syscall_table.inc table_ids.inc struct_ids.inc descriptions.inc; do
  if ! diff -u "$src/src/syscalls/$f" "$out/$f"; then
    echo "src/syscalls/$f differs from what gen_syscalls.py generates: run 'make regen'" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "syscall table matches its generator"
exit $status
