#!/bin/bash -e
# pi-gen: install the borne package and apply setup-pi.sh inside the image (--root: files and
# symlinks only; the data partition and the read-only root are done on the first boot).
install -d "${ROOTFS_DIR}/tmp/borne"
cp files/borne_*_arm64.deb "${ROOTFS_DIR}/tmp/borne/"
on_chroot <<'CHROOT'
apt-get install -y --no-install-recommends /tmp/borne/borne_*_arm64.deb
CHROOT
rm -rf "${ROOTFS_DIR}/tmp/borne"

files/firmware-config/setup-pi.sh --root "${ROOTFS_DIR}"

# First boot: the data partition, then the read-only root.
install -m 0755 files/borne-firstboot-data "${ROOTFS_DIR}/usr/local/sbin/borne-firstboot-data"
install -m 0644 files/borne-firstboot-data.service \
    "${ROOTFS_DIR}/etc/systemd/system/borne-firstboot-data.service"
on_chroot <<'CHROOT'
systemctl enable borne-firstboot-data.service
CHROOT

# No automatic expansion of the root partition to the whole card (the free space is for the data
# partition): Raspberry Pi OS does it from cmdline.txt's init=... on the first boot.
sed -i 's| init=/usr/lib/raspberrypi-sys-mods/firstboot||; s| init=/usr/lib/raspi-config/init_resize.sh||' \
    "${ROOTFS_DIR}/boot/firmware/cmdline.txt"
