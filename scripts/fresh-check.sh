#!/usr/bin/env bash
# fresh-check.sh [TARGET...]: runs the README's Quick start (`make demo`, then `make test`; or the
# make targets given) on a Debian 12 system that has never seen dtruss: a minimal bookworm made
# with debootstrap, entered with chroot, sharing only the running kernel. Nothing a developer's
# machine has gathered (packages, tracefs mounted, files in /tmp, tools from `make bench`) is
# there. The only thing installed before the Quick start is `make`, which it is run with.
#
# As root. The clone is of this repository's HEAD (commit first). Each target's time is printed.
# FRESH_DIR (default /var/tmp/dtruss-fresh) keeps a pristine copy of the base system, so later
# runs skip debootstrap; every run starts from a new copy of it.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "fresh-check: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
dir=${FRESH_DIR:-/var/tmp/dtruss-fresh}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(demo test)
mirror=${FRESH_MIRROR:-http://deb.debian.org/debian}

command -v debootstrap >/dev/null || "$top/scripts/apt-install.sh" fresh-check debootstrap
mkdir -p "$dir"
if [ ! -e "$dir/base/etc/debian_version" ]; then
  rm -rf "$dir/base.tmp"
  echo "fresh-check: debootstrap bookworm (minbase) into $dir/base"
  debootstrap --variant=minbase bookworm "$dir/base.tmp" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
    { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  mv "$dir/base.tmp" "$dir/base"
fi

root="$dir/root"
rm -rf "$root"
cp -a "$dir/base" "$root"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# What an installed system has and debootstrap does not write: the installer's /etc/hosts
# (localhost resolves) and a host name.
printf '127.0.0.1\tlocalhost\n127.0.1.1\tfresh\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
  >"$root/etc/hosts"
echo fresh >"$root/etc/hostname"
git clone -q "$top" "$root/root/dtruss"
rev=$(git -C "$root/root/dtruss" rev-parse --short HEAD)  # (the clone's: HEAD may move meanwhile)

# Everything below happens in a private mount namespace: the machine's mounts are untouched, and
# the chroot sees /proc, /sys and /dev as a booted machine does, without tracefs or debugfs.
export root targets_text="${targets[*]}"
unshare --mount --propagation private bash -euo pipefail -c '
  mount --bind "$root" "$root"  # (its / a mount point of its own, as a booted machine'"'"'s is)
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  while read -r _ m fstype _; do
    case $fstype in tracefs|debugfs) umount -l "$m" ;; esac
  done < <(tac /proc/self/mounts)
  chroot "$root" bash -euo pipefail -c "
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq make >/dev/null
    cd /root/dtruss
    for t in $targets_text; do
      start=\$(date +%s)
      make \$t
      echo \"fresh-check: make \$t: ok in \$((\$(date +%s) - start)) s\"
    done"
'
echo "fresh-check: ${targets[*]}: passed on a fresh Debian 12 (clone of $rev)"
