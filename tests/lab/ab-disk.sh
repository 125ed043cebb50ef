#!/bin/bash
# tests/lab/ab-disk.sh — the lab's A/B disk for scenario ab: a GPT disk
# image booted by UEFI (OVMF), made without loop devices or mounts
# (mkfs.vfat + mcopy, mkfs.ext4 -d, sfdisk on the image file, dd).
#
#   ab-disk.sh ROOTFS_DIR VMLINUZ INITRD CACHE_DIR OUT_DIR
#
#   p1 ESP    vmlinuz, initrd.img, startup.nsh (the UEFI shell's script boots
#             slot A on the very first, "factory" boot, which then creates
#             the boot entries A and B with efibootmgr)
#   p2 rootfs A: the kiosk image as installed (RAUC's efi backend,
#             tests/lab/guest/rauc-system.conf; the lab's keyring)
#   p3 rootfs B: empty, written by the first update
#   p4 data:  /data/motcua (the queue's database, bound on /var/lib/motcua),
#             /data/lab/stick.img: a FAT stick holding four bundles:
#               motcua-2.0.raucb          good, signed by the lab's key
#               motcua-2.1-broken.raucb   signed, but its board.conf is one
#                                         kioskd refuses (exit 78 at every start;
#                                         MC_LAB_BREAK=unhealthy: READY, never
#                                         healthy)
#               foreign.raucb             signed by a key the kiosk does not trust
#               other-board.raucb         compatible=motcua-rpi4-arm64
# Keys: CACHE_DIR/keys-lab (the lab's keyring) and CACHE_DIR/keys-foreign,
# made once by tools/pkg/make-bundle.sh.
set -euo pipefail
R="${1:?usage: ab-disk.sh ROOTFS VMLINUZ INITRD CACHE OUT}" VMLINUZ="$2" INITRD="$3" CACHE="$4" OUT="$5"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MB="$ROOT/tools/pkg/make-bundle.sh"
# zstd: several times faster to make than mksquashfs's gzip -9, as small,
# and quick to read under TCG.
SQ="-comp zstd -Xcompression-level 6"
rm -rf "$OUT" && mkdir -p "$OUT/stick" "$OUT/data/motcua" "$OUT/data/lab"
cd "$OUT"

# The refused bundles carry a tiny image: RAUC refuses them before using it.
# They also make the key pairs on the first run.
mkfs.ext4 -q -F -L tiny tiny.ext4 8M
nice -n 5 "$MB" --squashfs "$SQ" --keydir "$CACHE/keys-foreign" --compatible motcua-lab-amd64 --version 9.9 \
	tiny.ext4 stick/foreign.raucb
nice -n 5 "$MB" --squashfs "$SQ" --keydir "$CACHE/keys-lab" --compatible motcua-rpi4-arm64 --version 2.0 \
	tiny.ext4 stick/other-board.raucb

# The A/B root file system: RAUC with the efi backend, the lab's keyring,
# /data and the database's bind mount.
install -d "$R/etc/rauc" "$R/data"
install -m 0644 "$HERE/guest/rauc-system.conf" "$R/etc/rauc/system.conf"
install -m 0644 "$CACHE/keys-lab/dev.cert.pem" "$R/etc/rauc/keyring.pem"
cat >"$R/etc/fstab" <<'EOF'
/dev/vda4 /data ext4 defaults 0 2
/data/motcua /var/lib/motcua none bind,x-systemd.requires-mounts-for=/data 0 0
EOF
# Kernel drivers no virtual machine of the lab loads (graphics, media,
# network cards, radio): a smaller image to bundle, carry and copy.
kver=$(ls "$R/usr/lib/modules" | sort -V | tail -1)
for d in gpu media net/wireless net/ethernet infiniband staging bluetooth iio isdn; do
	rm -rf "$R/usr/lib/modules/$kver/kernel/drivers/$d"
done
chroot "$R" depmod -a "$kver"
# Mesa's drivers (scenario touch's KMSDRM): ab's machine has no GPU.
rm -rf "$R"/usr/lib/x86_64-linux-gnu/dri "$R"/usr/lib/x86_64-linux-gnu/libLLVM*
# Sized to what it holds (+25 % and 160 MiB): RAUC copies the whole image.
used=$(du -sm "$R" | cut -f1)
rsz=$(((used * 5 / 4 + 160 + 63) / 64 * 64))
mkfs.ext4 -q -F -L rootfs -d "$R" rootfs-good.ext4 "${rsz}M"
# The broken update: the same system with a board.conf kioskd refuses; with
# MC_LAB_BREAK=unhealthy, one whose kioskd is READY and pings its watchdog
# but never becomes healthy: its printer's status read never returns (a
# file: printer whose STATE is a FIFO nobody writes).
cp -a "$R/etc/motcua/board.conf" board.conf.orig
if [[ ,${MC_LAB_BREAK:-}, == *,unhealthy,* ]]; then
	install -d "$R/usr/lib/motcua-lab/stuck-printer"
	mkfifo -m 0644 "$R/usr/lib/motcua-lab/stuck-printer/STATE"
	sed -i 's|^device = usb:auto|device = file:/usr/lib/motcua-lab/stuck-printer|' "$R/etc/motcua/board.conf"
	grep -q stuck-printer "$R/etc/motcua/board.conf"
else
	printf '\n[office]\nopening_soon = yes\n' >>"$R/etc/motcua/board.conf"
fi
mkfs.ext4 -q -F -L rootfs -d "$R" rootfs-broken.ext4 "${rsz}M"
cp -a board.conf.orig "$R/etc/motcua/board.conf"
rm -rf "$R/usr/lib/motcua-lab/stuck-printer"
nice -n 5 "$MB" --squashfs "$SQ" --keydir "$CACHE/keys-lab" --compatible motcua-lab-amd64 --version 2.0 \
	rootfs-good.ext4 stick/motcua-2.0.raucb
nice -n 5 "$MB" --squashfs "$SQ" --keydir "$CACHE/keys-lab" --compatible motcua-lab-amd64 --version 2.1-broken \
	rootfs-broken.ext4 stick/motcua-2.1-broken.raucb
rm -f rootfs-broken.ext4 tiny.ext4

# The stick (FAT) with the four bundles, kept on the data partition; the
# guest presents it through the mass-storage gadget.
ssz=$(($(du -sm stick | cut -f1) + 32))
mkfs.vfat -n LABSTICK -C data/lab/stick.img $((ssz * 1024)) >/dev/null
mcopy -i data/lab/stick.img stick/*.raucb ::
rm -rf stick
dsz=$(((ssz + 256 + 63) / 64 * 64))
mkfs.ext4 -q -F -L data -d data data.ext4 "${dsz}M"
rm -rf data

# The EFI system partition.
esz=$((($(du -sm "$VMLINUZ" "$INITRD" | awk '{ s += $1 } END { print s }') + 48 + 15) / 16 * 16))
cmd="root=/dev/vda2 rw rauc.slot=A console=ttyS0 quiet loglevel=3 panic=-1 systemd.show_status=0 motcua.lab=ab"
printf 'echo -off\r\necho "motcua lab: factory boot of slot A"\r\nfs0:\\vmlinuz initrd=\\initrd.img %s\r\n' \
	"$cmd" >startup.nsh
mkfs.vfat -n ESP -C esp.vfat $((esz * 1024)) >/dev/null
mcopy -i esp.vfat "$VMLINUZ" ::vmlinuz
mcopy -i esp.vfat "$INITRD" ::initrd.img
mcopy -i esp.vfat startup.nsh ::startup.nsh

# The disk: GPT, then each file system dd'd to its partition's offset.
total=$((1 + esz + 2 * rsz + dsz + 1))
rm -f disk.img
truncate -s "${total}M" disk.img
sfdisk --quiet disk.img <<EOF
label: gpt
start=1MiB, size=${esz}MiB, type=U, name=esp
size=${rsz}MiB, type=L, name=rootfs-a
size=${rsz}MiB, type=L, name=rootfs-b
size=${dsz}MiB, type=L, name=data
EOF
off=1
for p in esp.vfat:$esz rootfs-good.ext4:$rsz -:$rsz data.ext4:$dsz; do
	f=${p%%:*} n=${p##*:}
	[[ $f == - ]] || dd if="$f" of=disk.img bs=1M seek="$off" conv=notrunc,sparse status=none
	off=$((off + n))
done
printf 'esp=%s rootfs=%s data=%s data_offset=%s\n' "$esz" "$rsz" "$dsz" "$((1 + esz + 2 * rsz))" >layout
rm -f esp.vfat rootfs-good.ext4 data.ext4 board.conf.orig startup.nsh
ls -ls disk.img
cat layout
