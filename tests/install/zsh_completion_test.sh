#!/usr/bin/env bash
# The zsh completion parses, defines an _arguments spec for every option of --help, and its
# helpers offer what bash's offer (tested in zsh itself: compadd is replaced by a function that
# prints the candidates).
source "$(dirname "$0")/lib.sh"

script=$DOCS/_dtruss
[ -s "$script" ] || fail "no zsh completion at $script"
command -v zsh >/dev/null || fail "zsh is not installed (scripts/install-deps.sh installs it)"
head -1 "$script" | grep -qx '#compdef dtruss' || fail "first line is not #compdef dtruss"
zsh -n "$script" || fail "zsh -n: syntax error"
ok "parses"

while read -r opt; do
  grep -qE -- "[{'(,]${opt}[+=]?[,}'\\[ ]" "$script" || fail "no spec for $opt"
done < <(help_options)
ok "a spec for every option of --help"

# The helpers, run with compadd/_wanted/_sequence stubs.
out=$(zsh -f -c '
  compadd() { print -l -- ${(P)${@[-1]}}; }  # compadd ... -a ARRAY
  _wanted() { shift 3; "$@"; }
  compset() { :; }
  source "$1" 2>/dev/null
  _dtruss_syscall_item; _dtruss_process_names' zsh "$script" 2>&1) || true
for want in open openat %file %network exec; do
  grep -qxF -- "$want" <<<"$out" || fail "_dtruss_syscall_item does not offer $want"
done
grep -qx zsh <<<"$out" || fail "_dtruss_process_names does not offer zsh (itself)"
ok "syscall names, classes and process names"
