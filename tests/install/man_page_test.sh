#!/usr/bin/env bash
# The man page documents every option of --help, has its hand-written sections, and man renders it
# without a warning.
source "$(dirname "$0")/lib.sh"

page=$DOCS/dtruss.1
[ -s "$page" ] || fail "no man page at $page"

warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "man --warnings: $warnings"
ok "renders without warnings"

text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | col -b)
options_section=$(sed -n '/^OPTIONS$/,/^[A-Z]/p' <<<"$text")
count=0
while read -r opt; do
  # As a tag of its own entry: at the start of a line, before ',', ' ', '=' or the line's end.
  grep -qE -- "^ +(-[[:alnum:]], )?${opt}([ ,=]|\$)" <<<"$options_section" ||
    fail "option $opt of --help is not an entry of OPTIONS in the man page"
  count=$((count + 1))
done < <(help_options)
[ "$count" -ge 30 ] || fail "only $count options found in --help"
ok "all $count option names of --help are in OPTIONS"

# And nothing more: an option in the man page that --help does not know would be a lie.
entries=$(grep -cE '^       -' <<<"$options_section")
long_in_help=$(help_options | grep -c -- '^--')
[ "$entries" -eq "$long_in_help" ] || fail "OPTIONS has $entries entries, --help $long_in_help options"
ok "OPTIONS has exactly the $entries options of --help"

for section in NAME SYNOPSIS DESCRIPTION OPTIONS BACKENDS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
  grep -qx "$section" <<<"$text" || fail "no $section section"
done
ok "all sections present"

# The syscall classes of -t come from the table, as does dtruss's own list.
classes=$(syscall_classes | tr '\n' ' ')
[ -n "$classes" ] || fail "no classes in the -t %nope error"
for c in $classes; do grep -qF -- "$c" <<<"$text" || fail "class $c is not in the man page"; done
ok "classes: $classes"

# A marker the generator does not know is an error, not text left in an installed file.
printf '.TH X 1\n@OPTIONS@\n@OPTINOS@\n' >"$TMP/bad.1.in"
if "$BUILD/dtruss_docgen" man "$TMP/bad.1.in" "$TMP/bad.1" 2>"$TMP/err"; then
  fail "dtruss_docgen accepted @OPTINOS@"
fi
grep -q 'unknown marker @OPTINOS@' "$TMP/err" || fail "dtruss_docgen: $(cat "$TMP/err")"
ok "dtruss_docgen refuses an unknown marker"
