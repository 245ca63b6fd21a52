#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds kublk, the kernel's own ublk server (tools/testing/selftests/ublk), on the host from
# Debian sid's linux-source package, and prints the path of the binary. The guest runs the host's
# root file system, so a host build runs there too.
#
# Everything is fetched into and built under ${JUBLK_CACHE:-$HOME/.cache/jublk}/kublk (the cache
# directory of jublk-testvm), through the private apt world scripts/debian-kernel set up; nothing
# is installed and nothing lands in the repository. A binary built before for the same
# linux-source and liburing versions is reused.
#
# Usage: build-kublk.sh [--suite sid]
# Needs: apt-get, apt-cache, dpkg-deb, tar, xz, make, cc.
set -euo pipefail

suite=sid
[ "${1-}" != --suite ] || suite=${2:?--suite needs a suite}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
cache=${JUBLK_CACHE:-$HOME/.cache/jublk}
log() { echo "build-kublk: $*" >&2; }

# scripts/debian-kernel keeps a private apt state per suite (and refreshes its lists); it also
# unpacks the suite's linux-libc-dev, whose uapi headers (ublk_cmd.h) kublk needs.
kdir=$("$root/scripts/debian-kernel" "$suite")
adir=$cache/apt/$suite
apt_opts=(-o "Dir::Etc::SourceList=$adir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
  -o "Dir::State::Lists=$adir/lists" -o "Dir::State::status=$adir/status" -o "Dir::Cache=$adir/cache"
  -o APT::Architecture=amd64 -o APT::Sandbox::User="$(id -un)" -q)

# The newest linux-source-X.Y the suite offers, and the liburing-dev to link against.
src_pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-source- | grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V | tail -n 1)
[ -n "$src_pkg" ] || { log "no linux-source-X.Y in $suite"; exit 1; }
version_of() { apt-cache "${apt_opts[@]}" show "$1" | sed -n 's/^Version: //p' | sort -V | tail -n 1; }
src_ver=$(version_of "$src_pkg") uring_ver=$(version_of liburing-dev)
out=$cache/kublk/$src_ver-uring$uring_ver
if [ -x "$out/kublk" ]; then echo "$out/kublk"; exit 0; fi

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ -x "$out/kublk" ]; then echo "$out/kublk"; exit 0; fi
scratch=$out/scratch
rm -rf "$scratch"; mkdir -p "$scratch/debs" "$scratch/uring" "$scratch/src"
log "downloading $src_pkg $src_ver and liburing-dev $uring_ver (once)"
(cd "$scratch/debs" && apt-get "${apt_opts[@]}" download "$src_pkg" liburing-dev >&2)
dpkg-deb -x "$scratch"/debs/liburing-dev_*.deb "$scratch/uring"
# The package holds one tarball of the tree; only the ublk selftest is needed.
dpkg-deb --fsys-tarfile "$scratch"/debs/"$src_pkg"_*.deb \
  | tar -x -C "$scratch/src" --wildcards '*/linux-source-*.tar.xz'
tarball=$(find "$scratch/src" -name 'linux-source-*.tar.xz' | head -n 1)
tar -xJf "$tarball" -C "$scratch/src" --wildcards '*/tools/testing/selftests/ublk/*'
ublk=$(find "$scratch/src" -type d -path '*/tools/testing/selftests/ublk' | head -n 1)
[ -n "$ublk" ] || { log "no tools/testing/selftests/ublk in $tarball"; exit 1; }

# Sid's uapi headers first (ublk_cmd.h newer than the host's), then liburing's; link liburing
# statically so that the binary runs on the host's libc alone.
uring_inc=$scratch/uring/usr/include
uring_lib=$(dirname "$(find "$scratch/uring" -name liburing.a | head -n 1)")
srcs=$(cd "$ublk" && ls kublk.c null.c file_backed.c common.c stripe.c fault_inject.c batch.c 2>/dev/null | tr '\n' ' ')
log "compiling $srcs"
# shellcheck disable=SC2086
(cd "$ublk" && cc -O2 -g -D_GNU_SOURCE -I"$kdir/usr/include" -I"$uring_inc" -I"$ublk" \
   -o "$out/kublk.tmp" $srcs "$uring_lib/liburing.a" -lpthread) >&2
mv "$out/kublk.tmp" "$out/kublk"
echo "$src_pkg $src_ver, liburing $uring_ver, uapi $(basename "$kdir")" >"$out/VERSION"
rm -rf "$scratch"
echo "$out/kublk"
