#!/usr/bin/env bash
# Builds Borne's Debian packages (borne, borne-registry) from a clean copy of the source tree and
# checks them with lintian. Also used by cross-arm64.sh.
#
#   packaging/build-deb.sh [--worktree] [--arch ARCH] [--out DIR] [--nocheck] [--no-lintian]
#
#   --worktree    package the working tree as it is (uncommitted changes included); the default
#                 packages the last commit (git archive HEAD)
#   --arch ARCH   cross-build for ARCH (e.g. arm64); the default is this machine's architecture
#   --out DIR     where the .deb, .changes and .buildinfo files go (default: build-deb/)
#   --nocheck     do not run the unit tests
#   --no-lintian  do not run lintian
#
# debian/ comes from packaging/debian of the working tree. The borne-registry package is built only
# when the source defines the borne-registry executable (build profile pkg.borne.noregistry
# otherwise); the kiosk's unit and udev rules come with the `borne` target (packaging/install.cmake).
# Extra environment: DEB_BUILD_OPTIONS, DEB_BUILD_PROFILES, BORNE_CMAKE_EMULATOR (cross tests).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
from=head
arch=
out=$top/build-deb
check=1
lint=1
while [ $# -gt 0 ]; do
    case $1 in
    --worktree) from=worktree; shift ;;
    --arch) arch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --nocheck) check=0; shift ;;
    --no-lintian) lint=0; shift ;;
    *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/borne-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/borne
mkdir -p "$src"
if [ "$from" = head ]; then
    git -C "$top" archive --format=tar HEAD | tar -x -C "$src"
    rev=$(git -C "$top" rev-parse --short HEAD)
else
    tar -C "$top" --exclude=.git --exclude='./build*' --exclude=./packaging/debian -cf - . | tar -x -C "$src"
    rev="$(git -C "$top" rev-parse --short HEAD)+worktree"
fi
rm -rf "$src/debian"
cp -a "$top/packaging/debian" "$src/debian"

profiles=${DEB_BUILD_PROFILES:-}
if ! grep -qs 'add_executable(borne-registry' "$src/src/registry/CMakeLists.txt"; then
    profiles="$profiles pkg.borne.noregistry"
    echo "build-deb: no borne-registry executable in this source: building the borne package only"
fi
if ! grep -qs 'add_executable(borne ' "$src/src/kiosk/CMakeLists.txt"; then
    echo "build-deb: no kiosk executable (src/kiosk) in this source: borne ships bornectl only"
fi
opts=${DEB_BUILD_OPTIONS:-}
[ "$check" -eq 1 ] || { opts="$opts nocheck"; profiles="$profiles nocheck"; }
opts="$opts parallel=$(nproc 2>/dev/null || echo 2)"

args=(-us -uc -b)
if [ -n "$arch" ] && [ "$arch" != "$(dpkg --print-architecture)" ]; then
    args+=(-a"$arch")
    profiles="$profiles cross"
fi
profiles=$(echo $profiles | tr ' ' ',')
[ -n "$profiles" ] && args+=(-P"$profiles")

echo "build-deb: source $from ($rev), dpkg-buildpackage ${args[*]}"
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage "${args[@]}")
echo "build-deb: built in $(($(date +%s) - start)) s"

changes=$(ls "$work"/*.changes)
dcmd cp "$changes" "$out/"
echo "build-deb: packages in $out:"
(cd "$out" && ls -1 $(dcmd --deb "$(basename "$changes")"))
if [ "$lint" -eq 1 ]; then
    echo "build-deb: lintian"
    lintian --info --display-info --pedantic --profile debian "$out/$(basename "$changes")" || true
fi
