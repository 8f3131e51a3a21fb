#!/bin/sh
# Turns a fresh Raspberry Pi OS Lite (bookworm, arm64) into a Borne kiosk appliance.
# Idempotent: every step checks before it changes, so running it again changes nothing.
#
#   sudo ./setup-pi.sh [options]            on the Pi itself
#   ./setup-pi.sh --root DIR [options]      against a mounted image / fake root (no devices,
#                                           no packages, no partitioning: files and symlinks only)
#
# Options:
#   --root DIR          operate on the system mounted at DIR instead of /
#   --deb FILE          install this borne .deb (with apt, so its dependencies come too)
#   --data-device DEV   use DEV (e.g. /dev/mmcblk0p3, /dev/sda1) as the data partition
#   --format-data       allow formatting DEV (mkfs.ext4 -L borne-data) if it has no borne-data label
#   --make-data-partition SIZE
#                       when the card has free space after its last partition, create the data
#                       partition there (SIZE like 4G, or "rest")
#   --overlay           finally make the root read-only (overlayfs); needs the data partition
#   --scanner VID:PID   declare a USB scanner udev does not recognise (repeatable)
#   --no-apt            do not install missing distribution packages
#   -h, --help
#
# What it does (details in docs/appliance.md):
#   boot     config.txt block (KMS overlay, watchdog, no splash) and cmdline.txt (no console on
#            the screen, quiet, no blanking, no cursor, no logo)
#   systemd  hardware watchdog drop-in, journald limits, tty1 for the kiosk (no getty, no
#            autologin), multi-user target (no desktop), borne.service enabled
#   udev     local scanner ids (--scanner)
#   storage  data partition (label borne-data) in /etc/fstab at /var/lib/borne, data=ordered,noatime
#   time     systemd-timesyncd, fake-hwclock kept on the data partition, e2fsck tolerant of the clock
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=
deb=
data_dev=
format_data=0
make_data=
overlay=0
scanners=
apt=1
changed=0

say() { printf 'setup-pi: %s\n' "$*"; }
die() { printf 'setup-pi: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
    --root) root=${2:?--root DIR}; shift 2 ;;
    --deb) deb=${2:?--deb FILE}; shift 2 ;;
    --data-device) data_dev=${2:?--data-device DEV}; shift 2 ;;
    --format-data) format_data=1; shift ;;
    --make-data-partition) make_data=${2:?--make-data-partition SIZE}; shift 2 ;;
    --overlay) overlay=1; shift ;;
    --scanner)
        printf '%s' "${2:-}" | grep -Eq '^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$' || die "--scanner VID:PID (hex, from lsusb)"
        scanners="$scanners $2"; shift 2 ;;
    --no-apt) apt=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done

if [ -n "$root" ]; then
    [ -d "$root" ] || die "--root $root: not a directory"
    root=$(cd "$root" && pwd)
    [ "$root" = / ] && root=
fi
live=1
[ -n "$root" ] && live=0
if [ "$live" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (sudo), or with --root DIR against an image"
fi

# ---- helpers ---------------------------------------------------------------------------------

# put SRC DEST [MODE]: installs a file only when its content differs.
put() {
    dest="$root$2"
    if [ -f "$dest" ] && cmp -s "$1" "$dest"; then
        return 0
    fi
    mkdir -p "$(dirname "$dest")"
    cp "$1" "$dest.borne-new"
    chmod "${3:-0644}" "$dest.borne-new"
    mv "$dest.borne-new" "$dest"
    say "wrote $2"
    changed=1
}

# put_block FILE BLOCKFILE: replaces the "# >>> borne" ... "# <<< borne" block in FILE with
# BLOCKFILE (appends it the first time). Lines outside the block are never touched.
put_block() {
    dest="$root$1"
    tmp="$dest.borne-new"
    mkdir -p "$(dirname "$dest")"
    [ -f "$dest" ] || : >"$dest"
    awk -v blockfile="$2" '
        BEGIN { while ((getline l < blockfile) > 0) block = block l "\n" }
        /^# [>][>][>] borne/ { skip = 1; if (!done) { printf "%s", block; done = 1 } ; next }
        /^# [<][<][<] borne/ { skip = 0; next }
        !skip { print }
        END { if (!done) printf "%s", block }
    ' "$dest" >"$tmp"
    if cmp -s "$tmp" "$dest"; then
        rm -f "$tmp"
    else
        chmod --reference="$dest" "$tmp" 2>/dev/null || true
        mv "$tmp" "$dest"
        say "updated $1"
        changed=1
    fi
}

# systemctl offline (--root) or live; both only create/remove symlinks and are idempotent.
sysctl_() {
    if [ "$live" -eq 1 ]; then
        systemctl "$@"
    else
        systemctl --root="$root" "$@"
    fi
}

unit_exists() {
    for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
        [ -e "$root$d/$1" ] && return 0
    done
    return 1
}

# ---- packages --------------------------------------------------------------------------------
step_packages() {
    if [ "$live" -eq 0 ]; then
        [ -n "$deb" ] && say "--root: not installing $deb (install it inside the image, see pi-gen/)"
        return 0
    fi
    [ "$apt" -eq 1 ] || return 0
    need=
    for p in systemd-timesyncd fake-hwclock e2fsprogs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
    done
    if [ -n "$need" ]; then
        say "installing$need"
        # shellcheck disable=SC2086 # a list of package names
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need
        changed=1
    fi
    if [ -n "$deb" ]; then
        [ -f "$deb" ] || die "--deb $deb: no such file"
        case $deb in /*) ;; *) deb=./$deb ;; esac
        ver=$(dpkg-deb -f "$deb" Version)
        if [ "$(dpkg-query -W -f='${Version}' borne 2>/dev/null || true)" = "$ver" ]; then
            say "borne $ver already installed"
        else
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb"
            changed=1
        fi
    fi
}

# ---- boot: config.txt and cmdline.txt --------------------------------------------------------
step_boot() {
    if [ -d "$root/boot/firmware" ] && { [ -f "$root/boot/firmware/config.txt" ] || [ -f "$root/boot/firmware/cmdline.txt" ]; }; then
        boot=/boot/firmware
    elif [ -f "$root/boot/config.txt" ] || [ -f "$root/boot/cmdline.txt" ]; then
        boot=/boot
    else
        say "no Raspberry Pi boot partition (/boot/firmware): skipping config.txt and cmdline.txt"
        return 0
    fi
    # The display overlay is set once, in our block: the distribution's own line (or the legacy
    # fkms one) outside it is commented out, never deleted.
    f="$root$boot/config.txt"
    if [ -f "$f" ] && awk '/^# [>][>][>] borne/{s=1} /^# [<][<][<] borne/{s=0;next} !s && /^(dtoverlay=vc4-f?kms-v3d|max_framebuffers=)/{found=1} END{exit !found}' "$f"; then
        awk '/^# [>][>][>] borne/{s=1} /^# [<][<][<] borne/{s=0; print; next}
             !s && /^(dtoverlay=vc4-f?kms-v3d|max_framebuffers=)/ { print "#borne# " $0; next } { print }' "$f" >"$f.borne-new"
        mv "$f.borne-new" "$f"
        say "commented out the distribution's display overlay line (now in the borne block)"
        changed=1
    fi
    put_block "$boot/config.txt" "$here/boot/config.txt.borne"

    f="$root$boot/cmdline.txt"
    [ -f "$f" ] || { say "no $boot/cmdline.txt: skipping"; return 0; }
    line=$(tr '\n' ' ' <"$f")
    new=
    # Keep every word except the ones we set (same key=) and the console on the screen (tty1).
    params=$(cat "$here/boot/cmdline.txt.borne")
    for w in $line; do
        case $w in console=tty1 | console=tty0) continue ;; esac
        key=${w%%=*}
        keep=1
        for p in $params; do
            case $p in console=*) [ "$w" = "$p" ] && keep=0 ;; *) [ "${p%%=*}" = "$key" ] && keep=0 ;; esac
        done
        # splash (Plymouth) shows text and a logo: not on a kiosk.
        [ "$w" = splash ] && keep=0
        [ $keep -eq 1 ] && new="$new $w"
    done
    for p in $params; do new="$new $p"; done
    new=${new# }
    if [ "$new" != "$(cat "$f")" ]; then
        printf '%s\n' "$new" >"$f.borne-new"
        mv "$f.borne-new" "$f"
        say "updated $boot/cmdline.txt"
        changed=1
    fi
}

# ---- systemd: console, target, watchdog, journal, kiosk ---------------------------------------
step_systemd() {
    put "$here/systemd/borne-watchdog.conf" /etc/systemd/system.conf.d/borne-watchdog.conf
    put "$here/systemd/journald-borne.conf" /etc/systemd/journald.conf.d/borne.conf
    # No autologin on tty1 (raspi-config "console autologin" writes this drop-in).
    if [ -f "$root/etc/systemd/system/getty@tty1.service.d/autologin.conf" ]; then
        rm -f "$root/etc/systemd/system/getty@tty1.service.d/autologin.conf"
        rmdir "$root/etc/systemd/system/getty@tty1.service.d" 2>/dev/null || true
        say "removed the tty1 autologin"
        changed=1
    fi
    command -v systemctl >/dev/null 2>&1 || { say "no systemctl here: skipping unit enablement"; return 0; }
    if [ "$(sysctl_ get-default 2>/dev/null || true)" != multi-user.target ]; then
        sysctl_ set-default multi-user.target >/dev/null 2>&1 && say "default target: multi-user (no desktop)" && changed=1
    fi
    # tty1 belongs to the kiosk: no login prompt there (tty2..6 still have one on Ctrl+Alt+F2).
    if [ -e "$root/etc/systemd/system/getty.target.wants/getty@tty1.service" ]; then
        sysctl_ disable getty@tty1.service >/dev/null 2>&1 || true
        rm -f "$root/etc/systemd/system/getty.target.wants/getty@tty1.service"
        say "disabled the login prompt on tty1"
        changed=1
    fi
    for u in systemd-timesyncd.service fake-hwclock.service borne.service; do
        if unit_exists "$u" && ! sysctl_ is-enabled -q "$u" 2>/dev/null; then
            sysctl_ enable "$u" >/dev/null 2>&1 && say "enabled $u" && changed=1
        fi
    done
    unit_exists borne.service || say "borne.service not installed yet (install the borne package: --deb FILE)"
}

# ---- udev: local scanners --------------------------------------------------------------------
step_udev() {
    [ -n "$scanners" ] || return 0
    f="$root/etc/udev/rules.d/69-borne-local.rules"
    mkdir -p "$(dirname "$f")"
    [ -f "$f" ] || printf '%s\n' "# Local scanners for Borne (setup-pi.sh --scanner VID:PID); see 70-borne.rules." >"$f"
    for s in $scanners; do
        vid=$(printf '%s' "${s%%:*}" | tr 'A-F' 'a-f')
        pid=$(printf '%s' "${s##*:}" | tr 'A-F' 'a-f')
        rule="SUBSYSTEM==\"input|tty\", SUBSYSTEMS==\"usb\", ATTRS{idVendor}==\"$vid\", ATTRS{idProduct}==\"$pid\", ENV{BORNE_SCANNER}=\"1\""
        if ! grep -qF "$rule" "$f"; then
            printf '%s\n' "$rule" >>"$f"
            say "scanner $vid:$pid declared"
            changed=1
        fi
    done
    if [ "$live" -eq 1 ] && command -v udevadm >/dev/null 2>&1; then
        udevadm control --reload || true
        udevadm trigger --subsystem-match=input --subsystem-match=tty || true
    fi
}

# ---- storage: data partition -----------------------------------------------------------------
find_data_dev() {
    [ -n "$data_dev" ] && { printf '%s\n' "$data_dev"; return 0; }
    [ "$live" -eq 1 ] && blkid -L borne-data 2>/dev/null && return 0
    return 1
}

make_partition() {
    # The disk holding the root file system, and free space after its last partition.
    rootdev=$(findmnt -n -o SOURCE /)
    disk=/dev/$(lsblk -n -o PKNAME "$rootdev" | head -n1)
    [ -b "$disk" ] || die "cannot find the disk of $rootdev"
    # Partition starts and sizes in 512-byte sectors, from sysfs.
    last_end=0
    for p in /sys/class/block/"${disk#/dev/}"/*/start; do
        [ -f "$p" ] || continue
        e=$(($(cat "$p") + $(cat "${p%start}size")))
        [ "$e" -gt "$last_end" ] && last_end=$e
    done
    total=$(blockdev --getsz "$disk")
    free=$((total - last_end))
    if [ "$free" -lt $((1024 * 1024 * 2)) ]; then
        die "less than 1 GiB free after the last partition of $disk: the root file system fills the card.
  Re-flash and create the data partition before the first boot (docs/appliance.md, 'Storage'),
  or give an existing partition with --data-device."
    fi
    size=
    [ "$make_data" = rest ] || size="size=$make_data,"
    say "creating the data partition on $disk (${make_data})"
    # Aligned on 4 MiB (8192 sectors), as the card's own partitions are.
    start=$(((last_end + 8191) / 8192 * 8192))
    printf 'start=%s,%stype=83\n' "$start" "$size" | sfdisk --append --no-reread --force "$disk"
    partx -u "$disk" 2>/dev/null || partprobe "$disk" 2>/dev/null || true
    udevadm settle 2>/dev/null || true
    data_dev=$(lsblk -n -p -o NAME "$disk" | tail -n1)
    [ -b "$data_dev" ] || die "new partition not visible; reboot and run again with --data-device"
    format_data=1
    changed=1
}

step_storage() {
    put "$here/storage/e2fsck.conf" /etc/e2fsck.conf
    mkdir -p "$root/var/lib/borne"
    if [ "$live" -eq 1 ]; then
        if ! dev=$(find_data_dev); then
            if [ -n "$make_data" ]; then
                make_partition
                dev=$data_dev
            else
                say "no data partition (label borne-data): data stays on the root file system;"
                say "  give one with --data-device DEV or --make-data-partition SIZE (no read-only root without it)"
                return 0
            fi
        fi
        [ -b "$dev" ] || die "$dev: not a block device"
        label=$(blkid -s LABEL -o value "$dev" 2>/dev/null || true)
        fstype=$(blkid -s TYPE -o value "$dev" 2>/dev/null || true)
        if [ "$label" != borne-data ]; then
            if [ "$fstype" = ext4 ] && [ "$format_data" -eq 0 ]; then
                e2label "$dev" borne-data
                say "labelled $dev borne-data (kept its content)"
            elif [ "$format_data" -eq 1 ]; then
                findmnt -n "$dev" >/dev/null && die "$dev is mounted: not formatting it"
                mkfs.ext4 -q -F -L borne-data "$dev"
                say "formatted $dev (ext4, label borne-data)"
            else
                die "$dev has no borne-data label and is not ext4: add --format-data to format it (ERASES it)"
            fi
            changed=1
        fi
    fi
    put_block /etc/fstab "$here/storage/fstab.borne"
    if [ "$live" -eq 1 ]; then
        systemctl daemon-reload 2>/dev/null || true
        if ! mountpoint -q /var/lib/borne; then
            # Data written to /var/lib/borne before the partition existed moves onto it.
            tmpm=$(mktemp -d)
            mount -L borne-data "$tmpm"
            if [ -n "$(ls -A /var/lib/borne 2>/dev/null)" ]; then
                say "moving the existing /var/lib/borne onto the data partition"
                cp -a /var/lib/borne/. "$tmpm/"
                find /var/lib/borne -mindepth 1 -delete
            fi
            umount "$tmpm" && rmdir "$tmpm"
            mount /var/lib/borne
            changed=1
        fi
        mkdir -p /var/lib/borne/.journal
        if ! mountpoint -q /var/log/journal; then
            if [ -d /var/log/journal ] && [ -z "$(ls -A /var/lib/borne/.journal)" ]; then
                cp -a /var/log/journal/. /var/lib/borne/.journal/ 2>/dev/null || true
            fi
            mkdir -p /var/log/journal
            if mount /var/log/journal; then
                systemd-tmpfiles --create --prefix /var/log/journal 2>/dev/null || true
            fi
            systemctl restart systemd-journald 2>/dev/null || true
            changed=1
        fi
        # The data folder's owner and mode (the package's tmpfiles.d says the same).
        if id borne >/dev/null 2>&1; then
            chown borne:borne /var/lib/borne && chmod 0750 /var/lib/borne
        fi
    fi
}

# ---- time ------------------------------------------------------------------------------------
step_time() {
    put "$here/time/fake-hwclock.default" /etc/default/fake-hwclock
    put "$here/time/fake-hwclock-borne.conf" /etc/systemd/system/fake-hwclock.service.d/borne.conf
    put "$here/time/timesyncd-borne.conf" /etc/systemd/timesyncd.conf.d/borne.conf
    if [ "$live" -eq 1 ] && mountpoint -q /var/lib/borne && [ ! -f /var/lib/borne/.fake-hwclock.data ] &&
        command -v fake-hwclock >/dev/null 2>&1; then
        FILE=/var/lib/borne/.fake-hwclock.data fake-hwclock save force >/dev/null 2>&1 || true
    fi
    # Pi 5 with its RTC: the kernel reads it at boot (rtc-rpi); timesyncd keeps it right once
    # NTP is synchronised (the kernel's 11-minute mode). Nothing to install.
    if [ -e "$root/sys/class/rtc/rtc0" ] || [ -e "$root/dev/rtc0" ]; then
        say "real-time clock present (rtc0)"
    fi
}

# ---- read-only root --------------------------------------------------------------------------
step_overlay() {
    [ "$overlay" -eq 1 ] || return 0
    if [ "$live" -eq 0 ]; then
        say "--overlay ignored with --root (enable it on the Pi: raspi-config nonint do_overlayfs 0)"
        return 0
    fi
    mountpoint -q /var/lib/borne || die "--overlay needs the data partition mounted at /var/lib/borne (the kiosk's data would be lost at every reboot)"
    if grep -q 'overlayroot=tmpfs' /proc/cmdline 2>/dev/null || findmnt -n -o FSTYPE / | grep -q overlay; then
        say "the root file system is already an overlay"
        return 0
    fi
    command -v raspi-config >/dev/null 2>&1 || die "raspi-config not found: see docs/appliance.md for overlayroot on other systems"
    say "enabling the read-only root (overlayfs); takes effect at the next reboot"
    raspi-config nonint do_overlayfs 0
    changed=1
}

step_packages
step_boot
step_systemd
step_udev
step_storage
step_time
step_overlay
if [ "$changed" -eq 1 ]; then
    say "done; reboot to apply the boot and storage changes"
else
    say "nothing to change"
fi
