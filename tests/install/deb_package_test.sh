#!/usr/bin/env bash
# The Debian package (what `make deb` makes): built here with cpack from the build tree, its
# dependencies cover every shared library dtruss needs, and extracted into an empty root it
# holds the four files where Debian looks for them and traces /bin/true.
source "$(dirname "$0")/lib.sh"

cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$TMP/pkg" >"$TMP/cpack.log" 2>&1 ||
  fail "cpack: $(cat "$TMP/cpack.log")"
debs=("$TMP"/pkg/dtruss_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -s "${debs[0]}" ] || fail "no package: $(ls "$TMP/pkg")"
deb=${debs[0]}
ok "built $(basename "$deb")"

info=$(dpkg-deb -I "$deb")
version=$("$DTRUSS" --version | cut -d' ' -f2)
for field in "Package: dtruss" "Version: $version" "Architecture: $(dpkg --print-architecture)"; do
  grep -qF -- " $field" <<<"$info" || fail "dpkg-deb -I: no '$field' in: $info"
done
depends=$(sed -n 's/^ Depends: //p' <<<"$info")
[ -n "$depends" ] || fail "no Depends in: $info"
ok "Depends: $depends"

# Each library dtruss links to comes from a package named in Depends (so a clean Debian 12
# installs them with it); each package named there exists.
dep_names=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//')
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
# (The cache is read from a file: an awk that exits at its first match in a pipe from ldconfig
# can kill ldconfig with SIGPIPE, which pipefail and set -e turn into a silent failure.)
"$ldconfig" -p >"$TMP/ld.cache"
for lib in $(readelf -d "$DTRUSS" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}' "$TMP/ld.cache")
  [ -n "$path" ] || fail "cannot find $lib"
  owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n "1s/:.*//p") ||
    owner=$(dpkg -S "$path" | sed -n "1s/:.*//p")
  grep -qx -- "$owner" <<<"$dep_names" || fail "$lib comes from $owner, which Depends lacks"
done
for p in $dep_names; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    fail "Depends names $p, which is not an installed package"
done
ok "Depends covers every NEEDED library of dtruss"

root=$TMP/root
dpkg-deb -x "$deb" "$root"
# Debian's places: zsh looks for packaged completions in vendor-completions.
want=(/usr/bin/dtruss /usr/share/man/man1/dtruss.1 /usr/share/bash-completion/completions/dtruss
  /usr/share/zsh/vendor-completions/_dtruss)
got=$(cd "$root" && find . -type f | sed 's|^\.||' | sort)
[ "$got" = "$(printf '%s\n' "${want[@]}" | sort)" ] ||
  fail "packaged files: $(tr '\n' ' ' <<<"$got"), want ${want[*]}"
zsh -f -c 'print -l $fpath' | grep -qx /usr/share/zsh/vendor-completions ||
  fail "/usr/share/zsh/vendor-completions is not on zsh's fpath"
[ -x "$root/usr/bin/dtruss" ] || fail "/usr/bin/dtruss is not executable"
kind=$(file -b "$root/usr/bin/dtruss")
[[ $kind == *ELF*', stripped'* ]] || fail "/usr/bin/dtruss is not a stripped ELF: $kind"
ok "extracted: dtruss (stripped), its man page and completions under /usr"

version=$("$root/usr/bin/dtruss" --version)
[ "$version" = "$("$DTRUSS" --version)" ] || fail "packaged --version: $version"
status=0
"$root/usr/bin/dtruss" --output "$TMP/trace" /bin/true || status=$?
[ "$status" -eq 0 ] || fail "dtruss /bin/true exited $status"
grep -q '^execve("/bin/true", \["/bin/true"\]' "$TMP/trace" || fail "no execve in: $(cat "$TMP/trace")"
grep -q '^exit_group(0)' "$TMP/trace" || fail "no exit_group(0) in: $(cat "$TMP/trace")"
grep -q '^+++ exited with 0 +++' "$TMP/trace" || fail "no exit line in: $(cat "$TMP/trace")"
ok "the packaged dtruss ($version) traces /bin/true"
