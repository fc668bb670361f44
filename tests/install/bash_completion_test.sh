#!/usr/bin/env bash
# The bash completion, sourced in a fresh bash and asked as bash asks it (COMP_WORDS, COMP_CWORD):
# syscall names and classes for -t, the choices of --backend and the others, running PIDs for -p,
# process names for -n, every option of --help for -.
source "$(dirname "$0")/lib.sh"

script=$DOCS/dtruss.bash
[ -s "$script" ] || fail "no bash completion at $script"

# Candidates for a command line given as words, the cursor on the last one, one a line.
candidates() {
  bash --norc --noprofile -c '
    source "$1"; shift
    [ "$(complete -p dtruss)" = "complete -F _dtruss dtruss" ] || { echo "not registered" >&2; exit 1; }
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
    _dtruss
    printf "%s\n" "${COMPREPLY[@]}"' bash "$script" "$@"
}

# expect_in "words..." -- CANDIDATE...: each CANDIDATE is offered for that command line.
expect_in() {
  local words=$1 got
  shift
  read -ra argv <<<"$words"
  [[ $words == *' ' ]] && argv+=("")
  got=$(candidates "${argv[@]}")
  for want in "$@"; do
    grep -qxF -- "$want" <<<"$got" || fail "'$words': '$want' not among: $(tr '\n' ' ' <<<"$got")"
  done
}

# expect_only "words..." CANDIDATE...: exactly these candidates, in any order.
expect_only() {
  local words=$1 got want
  shift
  read -ra argv <<<"$words"
  [[ $words == *' ' ]] && argv+=("")
  got=$(candidates "${argv[@]}" | sort)
  want=$(printf '%s\n' "$@" | sort)
  [ "$got" = "$want" ] || fail "'$words': got [$(tr '\n' ' ' <<<"$got")], want [$(tr '\n' ' ' <<<"$want")]"
}

expect_in "dtruss -t ope" open openat
got=$(candidates dtruss -t ope)
grep -qvE '^ope' <<<"$got" && fail "-t ope offers names that do not start with ope: $got"
expect_in "dtruss -t read,wri" read,write read,writev
expect_in "dtruss -t !clo" '!close' '!close_range'
expect_in "dtruss -t ex" exec execve execveat exit exit_group
ok "-t completes syscall names (lists, negations, exec)"

classes=$(syscall_classes)
# shellcheck disable=SC2086
expect_only "dtruss -t %" $classes
expect_only "dtruss -t %net" %network
ok "-t % completes the classes: $(tr '\n' ' ' <<<"$classes")"

# --backend=: bash splits the word at '=' (COMP_WORDBREAKS), the cursor on '=' or after it.
expect_only "dtruss --backend =" auto ptrace bpf
expect_only "dtruss --backend = " auto ptrace bpf
expect_only "dtruss --backend = b" bpf
expect_only "dtruss --backend=" --backend=auto --backend=ptrace --backend=bpf
expect_only "dtruss --backend " auto ptrace bpf
expect_only "dtruss -X " raw verbose decoded
expect_only "dtruss -c --sort " calls time errors name
expect_only "dtruss --summary --summary-by = " cgroup comm container process thread
expect_only "dtruss --color = a" auto always
ok "choice options complete their words"

# -p: running processes. A sleep of ours must be offered, alone or after a comma.
sleep 60 &
sleeper=$!
trap 'kill $sleeper 2>/dev/null || true; rm -rf "${cleanup_dirs[@]}"' EXIT
expect_in "dtruss -p $sleeper" "$sleeper"
expect_in "dtruss -p " "$sleeper" 1 "$$"
expect_in "dtruss -fp 1,$sleeper" "1,$sleeper"
for pid in $(candidates dtruss -p ""); do
  [[ $pid =~ ^[0-9]+$ ]] || fail "-p offers '$pid', not a PID"
done
ok "-p completes running PIDs ($sleeper among them)"

expect_in "dtruss -n slee" sleep
expect_in "dtruss -W " sleep
kill "$sleeper"
ok "-n and -W complete process names"

expect_in "dtruss --output /et" /etc
expect_in "dtruss -u ro" root
ok "--output completes files, -u users"

# Every option of --help, the long ones with = when they take an argument.
got=$(candidates dtruss -)
while read -r opt; do
  grep -qE -- "^${opt}=?\$" <<<"$got" || fail "'dtruss -' does not offer $opt"
done < <(help_options)
expect_only "dtruss --summ" --summary --summary-by=
ok "options complete, as in --help"

# The command word, and after it the command's own arguments (files, not dtruss's options).
expect_in "dtruss -f ech" echo
expect_in "dtruss -t open cat /et" /etc
expect_in "dtruss -p 1 -f --backend=bpf -t open l" ls
got=$(candidates dtruss -f ls --sum)
grep -q -- '--summary' <<<"$got" && fail "options of dtruss offered for the traced command: $got"
ok "the command and its arguments complete as commands and files"
