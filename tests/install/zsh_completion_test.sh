#!/usr/bin/env bash
# The zsh completion parses, defines an _arguments spec for every option of --help, and zsh's
# completion system, loading it, offers the values of options (tests/install/zsh_capture.zsh).
source "$(dirname "$0")/lib.sh"

script=$DOCS/_dtruss
[ -s "$script" ] || fail "no zsh completion at $script"
command -v zsh >/dev/null || fail "zsh is not installed (scripts/install-test-deps.sh installs it)"
head -1 "$script" | grep -qx '#compdef dtruss' || fail "first line is not #compdef dtruss"
zsh -n "$script" || fail "zsh -n: syntax error"
ok "parses"

while read -r opt; do
  grep -qE -- "[{'(,]${opt}[+=]?[,}'\\[ ]" "$script" || fail "no spec for $opt"
done < <(help_options)
ok "a spec for every option of --help"

# Real completion: an interactive zsh in a pseudo-terminal, TAB after a command line.
complete_zsh() {
  timeout 20 zsh -f "$(dirname "$0")/zsh_capture.zsh" "$DOCS" "$1" || fail "zsh completion of '$1' failed"
}
expect_zsh() {
  local line=$1 got
  shift
  got=$(complete_zsh "$line")
  for want in "$@"; do
    grep -qxF -- "$want" <<<"$got" || fail "zsh, '$line': '$want' not among: $(tr '\n' ' ' <<<"$got")"
  done
}
expect_zsh 'dtruss --backend=' auto ptrace bpf
expect_zsh 'dtruss -X ' raw verbose decoded
expect_zsh 'dtruss -t ope' open openat
expect_zsh 'dtruss -t read,%n' %network
expect_zsh 'dtruss -t !clo' close clone
expect_zsh 'dtruss -n zs' zsh
ok "zsh completes choices, syscalls, classes and process names"
