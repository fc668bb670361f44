#!/usr/bin/env bash
# cmake --install into a DESTDIR puts the four files where they belong, and the installed dtruss,
# man page and completion work from there.
source "$(dirname "$0")/lib.sh"

root=$TMP/root
DESTDIR=$root cmake --install "$BUILD" --prefix /opt/dt >"$TMP/install.log" 2>&1 ||
  fail "cmake --install: $(cat "$TMP/install.log")"

want=(
  /opt/dt/bin/dtruss
  /opt/dt/share/man/man1/dtruss.1
  /opt/dt/share/bash-completion/completions/dtruss
  /opt/dt/share/zsh/site-functions/_dtruss
)
got=$(cd "$root" && find . -type f | sed 's|^\.||' | sort)
[ "$got" = "$(printf '%s\n' "${want[@]}" | sort)" ] ||
  fail "installed files: $(tr '\n' ' ' <<<"$got"), want ${want[*]}"
[ -x "$root/opt/dt/bin/dtruss" ] || fail "dtruss is not executable"
ok "installed: ${want[*]}"

[ "$("$root/opt/dt/bin/dtruss" --version)" = "$("$DTRUSS" --version)" ] || fail "installed --version"
cmp -s "$root/opt/dt/share/man/man1/dtruss.1" "$DOCS/dtruss.1" || fail "installed man page differs"
# man finds the page through the installed tree (MANPATH), as it would under /usr/local.
MANPATH=$root/opt/dt/share/man MANWIDTH=80 man dtruss 2>/dev/null | grep '^DTRUSS(1)' >/dev/null ||
  fail "man dtruss does not find the installed page"
out=$(bash --norc --noprofile -c 'source "$1" && complete -p dtruss' bash \
  "$root/opt/dt/share/bash-completion/completions/dtruss")
[ "$out" = "complete -F _dtruss dtruss" ] || fail "installed completion: $out"
ok "the installed dtruss, man page and completion work"
