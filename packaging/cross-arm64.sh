#!/usr/bin/env bash
# Cross-builds Borne's Debian packages for arm64 (Raspberry Pi OS bookworm 64-bit) on an amd64
# Debian 12 machine, and runs the arm64 build's unit tests under qemu-user.
#
#   sudo packaging/cross-arm64.sh [--worktree] [--out DIR] [--no-deps]
#
# Uses Debian multiarch only (dpkg --add-architecture arm64, crossbuild-essential-arm64, the
# :arm64 -dev packages from debian/control's Build-Depends, qemu-user-static); nothing else is
# downloaded. The tests run through CMake's CROSSCOMPILING_EMULATOR (qemu-aarch64-static), so no
# binfmt_misc registration is needed. Times on a 2-core amd64 machine: docs/packaging.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps=1
pass=()
out=$top/build-deb-arm64
while [ $# -gt 0 ]; do
    case $1 in
    --no-deps) deps=0; shift ;;
    --out) out=$2; shift 2 ;;
    --worktree) pass+=(--worktree); shift ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
t0=$(date +%s)
if [ "$deps" -eq 1 ]; then
    echo "== cross toolchain and arm64 build dependencies"
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        as_root dpkg --add-architecture arm64
    fi
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        crossbuild-essential-arm64 qemu-user-static dpkg-dev debhelper devscripts lintian cmake pkgconf
    tmp=$(mktemp -d)
    mkdir "$tmp/debian"
    cp "$top/packaging/debian/control" "$tmp/debian/control"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q -a arm64 \
        --no-install-recommends "$tmp"
    rm -rf "$tmp"
fi
t1=$(date +%s)

echo "== cross build for arm64, unit tests under qemu-aarch64-static"
BORNE_CMAKE_EMULATOR=/usr/bin/qemu-aarch64-static \
    "$top/packaging/build-deb.sh" "${pass[@]}" --arch arm64 --out "$out"
t2=$(date +%s)

echo "== smoke test: the arm64 binaries under qemu"
x=$(mktemp -d)
for deb in "$out"/borne_*_arm64.deb "$out"/borne-registry_*_arm64.deb; do
    [ -f "$deb" ] && dpkg-deb -x "$deb" "$x"
done
file "$x/usr/bin/bornectl"
qemu-aarch64-static "$x/usr/bin/bornectl" --version
db=$(mktemp -u)
qemu-aarch64-static "$x/usr/bin/bornectl" --db "$db" demo >/dev/null && echo "bornectl demo (arm64): ok"
rm -rf "$x" "$db"*
t3=$(date +%s)
echo "== times: dependencies $((t1 - t0)) s, cross build + tests $((t2 - t1)) s, smoke $((t3 - t2)) s"
