#!/usr/bin/env bash
# Proves install, upgrade, remove and purge of the amd64 packages in a throw-away Debian 12 root
# (debootstrap into a folder, then chroot). systemd is not running there, so the script checks
# what the maintainer scripts leave behind: files, the user and its groups, the data folder, the
# configuration's permissions, the unit's enablement symlink, data kept across an upgrade and a
# remove, everything removed by a purge.
#
#   sudo packaging/test-install.sh DEB_DIR [--base DIR] [--keep]
#
#   DEB_DIR     folder with borne_*.deb (and borne-registry_*.deb if built), e.g. build-deb/
#   --base DIR  cached minimal root (default /var/tmp/borne-test-base; made by debootstrap from the
#               Debian archive the first time, about 2 minutes)
#   --keep      keep the test root afterwards (its path is printed)
#
# The upgrade is tested by re-packing the same .deb with a higher version (VERSION+upgradetest1):
# the maintainer scripts run exactly as for a real new version.
set -euo pipefail

debs=${1:?usage: test-install.sh DEB_DIR [--base DIR] [--keep]}
shift
base=/var/tmp/borne-test-base
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --base) base=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "test-install: needs root (debootstrap, chroot)" >&2; exit 2; }
debs=$(cd "$debs" && pwd)
arch=$(dpkg --print-architecture)
deb=$(ls -1 "$debs"/borne_*_"$arch".deb | tail -n1)
regdeb=$(ls -1 "$debs"/borne-registry_*_"$arch".deb 2>/dev/null | tail -n1 || true)
# The Debian archive: the one this machine's apt uses, unless BORNE_DEBIAN_MIRROR names another.
host_mirror() {
    {
        cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { print $2 }'
        cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk '/^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; break } }'
    } | awk '!/-security/ { print; exit }'
    return 0 # no sources at all: the caller says so
}
mirror=${BORNE_DEBIAN_MIRROR:-$(host_mirror)}
[ -n "$mirror" ] || { echo "test-install: no Debian archive in apt's sources; set BORNE_DEBIAN_MIRROR" >&2; exit 2; }

pass=0
fail=0
ok() { echo "  ok   $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL $*"; fail=$((fail + 1)); }
check() { # check "description" command...
    local what=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

# ---- the base root (cached) ----
if [ ! -x "$base/usr/bin/apt-get" ]; then
    echo "== debootstrap bookworm into $base"
    rm -rf "$base"
    debootstrap --variant=minbase --include=systemd,udev,adduser,ca-certificates bookworm "$base" "$mirror"
fi

root=$(mktemp -d /var/tmp/borne-test-root.XXXXXX)
cleanup() {
    for m in dev/pts dev proc sys; do umount "$root/$m" 2>/dev/null || true; done
    if [ "$keep" -eq 1 ]; then echo "test root kept: $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT
echo "== copying the base root"
cp -a "$base/." "$root/"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t sysfs sys "$root/sys" 2>/dev/null || true
# No service starts inside the chroot (the policy every image build uses).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
as_borne() { # numeric ids: chroot resolves --userspec names outside the root
    chroot --userspec="$(chroot "$root" id -u borne):$(chroot "$root" id -g borne)" "$root" \
        env -i PATH=/usr/bin:/bin HOME=/var/lib/borne "$@"
}

mkdir -p "$root/tmp/debs"
cp "$deb" "$root/tmp/debs/"
[ -n "$regdeb" ] && cp "$regdeb" "$root/tmp/debs/"
v1=$(dpkg-deb -f "$deb" Version)
v2="$v1+upgradetest1"
echo "== re-packing $(basename "$deb") as version $v2"
rp=$(mktemp -d)
dpkg-deb -R "$deb" "$rp/pkg"
sed -i "s/^Version: .*/Version: $v2/" "$rp/pkg/DEBIAN/control"
dpkg-deb -b --root-owner-group "$rp/pkg" "$root/tmp/debs/borne_${v2}_$arch.deb" >/dev/null
rm -rf "$rp"

echo "== install $v1 (dependencies from the Debian archive)"
in_root apt-get update -q >/dev/null
in_root apt-get install -y -q --no-install-recommends "/tmp/debs/$(basename "$deb")" >"$root/tmp/install.log" 2>&1 ||
    { cat "$root/tmp/install.log"; exit 1; }
grep -iE "warning|error" "$root/tmp/install.log" | grep -v "^W: .*policy-rc.d\|invoke-rc.d" || true

has_kiosk=0
[ -f "$root/lib/systemd/system/borne.service" ] && has_kiosk=1
echo "== after install"
check "package installed at $v1" test "$(in_root dpkg-query -W -f='${Version}' borne)" = "$v1"
check "bornectl runs" in_root bornectl --help
check "bornectl man page" test -f "$root/usr/share/man/man1/bornectl.1.gz"
check "configuration /etc/borne/borne.conf (conffile)" grep -qx /etc/borne/borne.conf "$root/var/lib/dpkg/info/borne.conffiles"
if [ "$has_kiosk" -eq 1 ]; then
    check "borne (kiosk) installed" test -x "$root/usr/bin/borne"
    check "borne man page" test -f "$root/usr/share/man/man1/borne.1.gz"
    check "user borne is a system user without a shell" \
        sh -c "chroot '$root' getent passwd borne | grep -q ':/var/lib/borne:/usr/sbin/nologin$'"
    for g in video render input audio dialout; do
        check "borne is in group $g" sh -c "chroot '$root' id -nG borne | tr ' ' '\n' | grep -qx $g"
    done
    check "/var/lib/borne is borne:borne 0750" test "$(in_root stat -c '%U:%G %a' /var/lib/borne)" = "borne:borne 750"
    check "borne.conf is root:borne 0640" test "$(in_root stat -c '%U:%G %a' /etc/borne/borne.conf)" = "root:borne 640"
    check "unit /lib/systemd/system/borne.service" test -f "$root/lib/systemd/system/borne.service"
    check "unit enabled (multi-user.target.wants symlink)" test -L "$root/etc/systemd/system/multi-user.target.wants/borne.service"
    check "unit is Type=notify with a watchdog" grep -q '^WatchdogSec=' "$root/lib/systemd/system/borne.service"
    check "udev rules /lib/udev/rules.d/70-borne.rules" test -f "$root/lib/udev/rules.d/70-borne.rules"
    check "sysusers.d and tmpfiles.d files" test -f "$root/usr/lib/sysusers.d/borne.conf" -a -f "$root/usr/lib/tmpfiles.d/borne.conf"
    check "setup-pi.sh shipped" test -x "$root/usr/share/borne/firmware-config/setup-pi.sh"
    check "borne --help runs" in_root borne --help
    if in_root systemd-analyze verify /lib/systemd/system/borne.service >"$root/tmp/verify.log" 2>&1; then
        ok "systemd-analyze verify borne.service"
    else
        echo "  note systemd-analyze verify (no running systemd in a chroot):"
        sed 's/^/       /' "$root/tmp/verify.log" | head -n 8
    fi
else
    echo "  note this build has no kiosk executable: unit, user and udev checks skipped"
    mkdir -p "$root/var/lib/borne"
fi

echo "== data written by the kiosk's user"
if [ "$has_kiosk" -eq 1 ]; then
    as_borne bornectl --db /var/lib/borne/borne.db init >/dev/null
    as_borne bornectl --db /var/lib/borne/borne.db demo >/dev/null 2>&1 || true
else
    in_root bornectl --db /var/lib/borne/borne.db init >/dev/null
fi
echo "marker $(date +%s)" >"$root/var/lib/borne/marker"
sum1=$(cd "$root/var/lib/borne" && sha256sum borne.db marker)
uid1=$(in_root id -u borne 2>/dev/null || echo none)
check "store created in /var/lib/borne" test -s "$root/var/lib/borne/borne.db"
printf '\n# local edit by the technician\n' >>"$root/etc/borne/borne.conf"

echo "== upgrade to $v2"
in_root apt-get install -y -q "/tmp/debs/borne_${v2}_$arch.deb" >"$root/tmp/upgrade.log" 2>&1 ||
    { cat "$root/tmp/upgrade.log"; exit 1; }
check "package upgraded to $v2" test "$(in_root dpkg-query -W -f='${Version}' borne)" = "$v2"
check "data unchanged by the upgrade" test "$(cd "$root/var/lib/borne" && sha256sum borne.db marker)" = "$sum1"
check "local configuration edit kept" grep -q 'local edit by the technician' "$root/etc/borne/borne.conf"
if [ "$has_kiosk" -eq 1 ]; then
    check "same borne uid after upgrade" test "$(in_root id -u borne)" = "$uid1"
    check "unit still enabled after upgrade" test -L "$root/etc/systemd/system/multi-user.target.wants/borne.service"
    check "store still opens after upgrade" as_borne bornectl --db /var/lib/borne/borne.db status
fi

echo "== remove (not purge)"
in_root apt-get remove -y -q borne >"$root/tmp/remove.log" 2>&1 || { cat "$root/tmp/remove.log"; exit 1; }
check "binaries gone" test ! -e "$root/usr/bin/bornectl"
check "data kept after remove" test "$(cd "$root/var/lib/borne" && sha256sum borne.db marker)" = "$sum1"
check "configuration kept after remove" test -f "$root/etc/borne/borne.conf"

echo "== purge"
in_root apt-get purge -y -q borne >"$root/tmp/purge.log" 2>&1 || { cat "$root/tmp/purge.log"; exit 1; }
check "package purged" sh -c "! chroot '$root' dpkg-query -W -f='\${Status}' borne 2>/dev/null | grep -q installed"
check "/var/lib/borne removed by purge" test ! -e "$root/var/lib/borne"
check "/etc/borne removed by purge" test ! -e "$root/etc/borne"
check "no enablement symlink left" test ! -e "$root/etc/systemd/system/multi-user.target.wants/borne.service"
check "no unit left" test ! -e "$root/lib/systemd/system/borne.service"

if [ -n "$regdeb" ]; then
    echo "== borne-registry: install, data, purge"
    in_root apt-get install -y -q --no-install-recommends "/tmp/debs/$(basename "$regdeb")" >"$root/tmp/reg.log" 2>&1 ||
        { cat "$root/tmp/reg.log"; exit 1; }
    check "borne-registry runs" sh -c "chroot '$root' borne-registry --help; test \$? -le 2"
    check "borne-registry man page" test -f "$root/usr/share/man/man8/borne-registry.8.gz"
    check "user borne-registry" in_root getent passwd borne-registry
    check "/var/lib/borne-registry is borne-registry's, 0700" \
        test "$(in_root stat -c '%U %a' /var/lib/borne-registry)" = "borne-registry 700"
    if [ -f "$root/lib/systemd/system/borne-registry.service" ]; then
        check "registry unit enabled" sh -c "ls '$root'/etc/systemd/system/*.wants/borne-registry.service"
    else
        echo "  note no borne-registry.service in this build (packaging/borne-registry.service absent)"
    fi
    echo data >"$root/var/lib/borne-registry/marker"
    in_root apt-get purge -y -q borne-registry >"$root/tmp/regpurge.log" 2>&1 || { cat "$root/tmp/regpurge.log"; exit 1; }
    check "/var/lib/borne-registry removed by purge" test ! -e "$root/var/lib/borne-registry"
fi

echo "== $pass checks passed, $fail failed"
[ "$fail" -eq 0 ]
