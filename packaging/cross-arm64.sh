#!/usr/bin/env bash
# Cross-builds Borne's Debian packages for arm64 (Raspberry Pi OS bookworm 64-bit) on an amd64
# Debian 12 machine, and runs the arm64 build's unit tests under qemu-user.
#
#   sudo packaging/cross-arm64.sh [--worktree] [--out DIR] [--no-deps]
#
# Uses Debian multiarch only (dpkg --add-architecture arm64, crossbuild-essential-arm64, the
# :arm64 -dev packages from debian/control's Build-Depends, qemu-user-static); nothing else is
# downloaded. The unit tests run through CMake's CROSSCOMPILING_EMULATOR (qemu-aarch64-static);
# the tests that start other built programs (bornectl, borne, borne-registry) as child processes
# also need the kernel to run arm64 executables through qemu: binfmt_misc, registered here from
# qemu-user-static's /usr/lib/binfmt.d/qemu-aarch64.conf when it is not already (in a container,
# this needs the right to mount binfmt_misc). Times on a 2-core amd64 machine: docs/packaging.md.
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
    # libzbar-dev is not Multi-Arch: same in Debian 12: its arm64 and amd64 versions cannot be
    # installed together; the arm64 one replaces the native one, which is put back at the end.
    native_zbar=0
    if dpkg-query -W -f='${Status}' "libzbar-dev:$(dpkg --print-architecture)" 2>/dev/null | grep -q "ok installed"; then
        native_zbar=1
    fi
    tmp=$(mktemp -d)
    mkdir "$tmp/debian"
    cp "$top/packaging/debian/control" "$tmp/debian/control"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -q -a arm64 \
        --no-install-recommends "$tmp"
    rm -rf "$tmp"
fi

echo "== binfmt_misc for arm64 executables"
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/register" ]; then
    as_root mount -t binfmt_misc binfmt_misc "$binfmt" || true
fi
if [ -e "$binfmt/qemu-aarch64" ]; then
    echo "qemu-aarch64: $(head -n1 "$binfmt/qemu-aarch64")"
elif [ -e "$binfmt/register" ] && [ -f /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
    grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | as_root tee "$binfmt/register" >/dev/null
    echo "qemu-aarch64 registered"
else
    echo "warning: no binfmt_misc: tests that start other arm64 programs will fail" >&2
fi
t1=$(date +%s)

echo "== cross build for arm64, unit tests under qemu-aarch64-static"
# scan_inputs_scanner is left out: qemu-user does not emulate evdev ioctls (EVIOCGRAB answers
# ENOSYS where a real kernel answers ENOTTY on a pipe), so its evdev test cannot pass under qemu;
# it runs natively on amd64 and on a real Pi.
BORNE_CTEST_EXCLUDE=${BORNE_CTEST_EXCLUDE-scan_inputs_scanner} \
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
if [ "$deps" -eq 1 ] && [ "$native_zbar" -eq 1 ]; then
    echo "== putting back the native libzbar-dev (replaced by the arm64 one)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "libzbar-dev:$(dpkg --print-architecture)" "libmagick++-dev:$(dpkg --print-architecture)" >/dev/null
fi
echo "== times: dependencies $((t1 - t0)) s, cross build + tests $((t2 - t1)) s, smoke $((t3 - t2)) s"
