#!/bin/bash
# tests/lab/lab.sh — the lab: the kiosk's .deb on a Debian image booted in
# QEMU with systemd as PID 1 and real kernel devices (DESIGN §10).
#
#   tests/lab/lab.sh BUILD_DIR [SCENARIO...]     (default: every scenario)
#
# The Debian part of the image (everything but the kiosk's own package) is
# made once with mmdebstrap and cached as a tarball under
# BUILD_DIR/lab-cache, keyed by the release and the package list; a code
# change re-packs only the kiosk's .deb and the lab's guest files into a new
# ext4 image (mkfs.ext4 -d: no loop devices). Each scenario boots the image
# once; the guest runs the scenario from the kernel command line
# (motcua.lab=NAME), prints "LAB-RESULT NAME PASS|FAIL|SKIP ..." on the
# serial console and powers off. KVM is probed with a short boot and TCG is
# the fallback (nested KVM here cannot run a Linux guest: NOTES.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${1:?usage: lab.sh BUILD_DIR [SCENARIO...]}" && pwd)"
shift
SCENARIOS=("$@")
((${#SCENARIOS[@]})) || SCENARIOS=(boot usbprinter sound usbstick watchdog ab)
RELEASE="${MC_LAB_RELEASE:-bookworm}"
# MC_LAB_BREAK=NAME builds an image with one feature broken on purpose, to
# see the scenario that checks it fail (README, "Running the lab"):
#   watchdog   kioskd's unit without WatchdogSec (drop-in WatchdogSec=0)
#   notify     kioskd never READY to systemd (drop-in NotifyAccess=none)
#   gadget     the printer gadget with the wrong ids (0416:5012)
#   udev       without the package's udev rules (printers, the stick)
#   trial      without the trial generator (nothing bounds a tried slot)
BREAK="${MC_LAB_BREAK:-}"
CACHE="$BUILD/lab-cache"
WORK="$BUILD/lab"
mkdir -p "$CACHE" "$WORK"

log() { printf '\033[1m==> lab: %s\033[0m\n' "$*" >&2; }
t0=$SECONDS

# The kiosk's package, from this build tree.
log "packaging the kiosk (cpack)"
rm -rf "$WORK/pkg"
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
	{ cat "$WORK/cpack.log"; exit 1; }
DEB="$(ls "$WORK"/pkg/*.deb | head -1)"

# The Debian base: the kiosk's run-time dependencies (its Depends field,
# without version constraints), systemd, a kernel with the gadget and sound
# modules, and the tools the guest's scenarios use.
deps="$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/[[:space:]]//g' | sed '/^$/d' | sort -u | paste -sd, -)"
base_pkgs="systemd,systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,python3,procps,sqlite3,usbutils,alsa-utils,dosfstools,mtools,rauc,rauc-service,squashfs-tools,efibootmgr,$deps"
# Bump BASE_FORMAT when the way the base is made changes.
BASE_FORMAT=2
key="$(printf '%s\n%s\n%s\n' "$RELEASE" "$base_pkgs" "$BASE_FORMAT" | sha256sum | cut -c1-16)"
BASE="$CACHE/base-$RELEASE-$key.tar"
if [[ ! -s $BASE ]]; then
	log "building the Debian $RELEASE base (mmdebstrap; cached in $CACHE)"
	rm -f "$CACHE"/base-"$RELEASE"-*.tar
	mmdebstrap --quiet --format=tar --variant=minbase --include="$base_pkgs" \
		--customize-hook='echo kiosk-lab >"$1/etc/hostname"' \
		--customize-hook='echo "root:lab" | chroot "$1" chpasswd' \
		"$RELEASE" "$BASE.tmp" >"$WORK/mmdebstrap.log" 2>&1 ||
		{ tail -30 "$WORK/mmdebstrap.log"; exit 1; }
	mv "$BASE.tmp" "$BASE"
fi

# The image: base + the kiosk's .deb + the lab's guest files; packed again
# only when one of them changed (a stamp beside the image).
IMG="$WORK/root.img"
stamp="$(cat "$BASE.sha" 2>/dev/null || basename "$BASE")
$(dpkg-deb -I "$DEB" | sha256sum)
$(cat "$HERE"/lab.sh "$HERE"/guest/* "$ROOT/tools/vprinter/vprinter.py" | sha256sum)
break: $BREAK"
ROOTFS="$WORK/rootfs"
# make_rootfs: the base, the kiosk's .deb and the lab's guest files in $ROOTFS.
make_rootfs() {
	rm -rf "$ROOTFS" && mkdir -p "$ROOTFS"
	tar -C "$ROOTFS" -xf "$BASE"
	cp "$DEB" "$ROOTFS/tmp/motcua.deb"
	chroot "$ROOTFS" dpkg -i /tmp/motcua.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; exit 1; }
	rm -f "$ROOTFS/tmp/motcua.deb"
	install -d "$ROOTFS/usr/lib/motcua-lab"
	find "$HERE/guest" -maxdepth 1 -type f -exec cp -t "$ROOTFS/usr/lib/motcua-lab/" {} +
	cp "$ROOT/tools/vprinter/vprinter.py" "$ROOTFS/usr/lib/motcua-lab/"
	chmod 0755 "$ROOTFS"/usr/lib/motcua-lab/*.sh "$ROOTFS"/usr/lib/motcua-lab/*.py
	install -m 0644 "$HERE/guest/board.conf" "$ROOTFS/etc/motcua/board.conf"
	chroot "$ROOTFS" chown root:kiosk /etc/motcua/board.conf
	chmod 0640 "$ROOTFS/etc/motcua/board.conf"
	for u in motcua-lab.service motcua-lab-gadget.service; do
		install -m 0644 "$HERE/guest/$u" "$ROOTFS/etc/systemd/system/$u"
		ln -sf "/etc/systemd/system/$u" "$ROOTFS/etc/systemd/system/multi-user.target.wants/$u"
	done
	# Serial console only; no getty to wait for, no timers that start work
	# during a scenario.
	for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer \
		dpkg-db-backup.timer systemd-timesyncd.service; do
		ln -sf /dev/null "$ROOTFS/etc/systemd/system/$u"
	done
	ln -sf /dev/null "$ROOTFS/etc/systemd/system/serial-getty@ttyS0.service"
	ln -sf /dev/null "$ROOTFS/etc/systemd/system/getty@tty1.service"
	echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$ROOTFS/etc/fstab"
	local d="$ROOTFS/etc/systemd/system/motcua-kioskd.service.d"
	case "$BREAK" in
	"") ;;
	watchdog) mkdir -p "$d" && printf '[Service]\nWatchdogSec=0\n' >"$d/broken.conf" ;;
	notify) mkdir -p "$d" && printf '[Service]\nNotifyAccess=none\n' >"$d/broken.conf" ;;
	gadget) sed -i 's/0x5011/0x5012/' "$ROOTFS/usr/lib/motcua-lab/gadget.sh" ;;
	udev) rm -f "$ROOTFS"/lib/udev/rules.d/6[01]-motcua*.rules ;;
	trial) rm -f "$ROOTFS/lib/systemd/system-generators/motcua-trial-generator" ;;
	*) echo "lab.sh: unknown MC_LAB_BREAK '$BREAK'" >&2; exit 2 ;;
	esac
	[[ -z $BREAK ]] || log "BROKEN ON PURPOSE: $BREAK"
	KERNEL="$(ls "$ROOTFS"/boot/vmlinuz-* | sort -V | tail -1)"
	INITRD="$(ls "$ROOTFS"/boot/initrd.img-* | sort -V | tail -1)"
	cp "$KERNEL" "$WORK/vmlinuz"
	cp "$INITRD" "$WORK/initrd.img"
}
want_ab=0
for s in "${SCENARIOS[@]}"; do [[ $s == ab ]] && want_ab=1; done
if [[ -s $IMG && -s $WORK/vmlinuz && $(cat "$WORK/image.stamp" 2>/dev/null) == "$stamp" ]]; then
	log "image unchanged"
else
	log "packing the image"
	rm -f "$WORK/image.stamp"
	make_rootfs
	rm -f "$IMG"
	mkfs.ext4 -q -F -L kiosk-root -d "$ROOTFS" "$IMG" 3G
	((want_ab)) || rm -rf "$ROOTFS"
	printf '%s' "$stamp" >"$WORK/image.stamp"
fi
# Scenario ab's partitioned disk (tests/lab/ab-disk.sh), made again when the
# image or its recipe changed.
if ((want_ab)); then
	ab_stamp="$stamp
$(cat "$HERE/ab-disk.sh" "$ROOT/tools/pkg/make-bundle.sh" | sha256sum)"
	if [[ -s $WORK/ab/disk.img && $(cat "$WORK/ab.stamp" 2>/dev/null) == "$ab_stamp" ]]; then
		log "A/B disk unchanged"
	else
		rm -f "$WORK/ab.stamp"
		[[ -d $ROOTFS/usr/lib/motcua-lab ]] || make_rootfs
		log "building the A/B disk (two root file systems, four bundles on a stick)"
		"$HERE/ab-disk.sh" "$ROOTFS" "$WORK/vmlinuz" "$WORK/initrd.img" "$CACHE" "$WORK/ab" >"$WORK/ab-disk.log" 2>&1 ||
			{ tail -30 "$WORK/ab-disk.log"; exit 1; }
		printf '%s' "$ab_stamp" >"$WORK/ab.stamp"
	fi
	rm -rf "$ROOTFS"
fi
log "image ready in $((SECONDS - t0)) s"

# QEMU: KVM if a short boot works, else TCG.
boot() { # ACCEL SCENARIO TIMEOUT LOG
	local accel="$1" scen="$2" tmo="$3" out="$4"
	cp --reflink=auto "$IMG" "$WORK/run.img"
	timeout --foreground "$tmo" qemu-system-x86_64 -machine q35 -accel "$accel" -cpu max \
		-m 1536 -smp 2 -nodefaults -vga none -display none -serial stdio -no-reboot -nic none \
		-kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 panic=-1 systemd.show_status=0 motcua.lab=$scen" \
		-drive "file=$WORK/run.img,if=virtio,format=raw,cache=unsafe" \
		</dev/null >"$out" 2>&1 || true
}
# Scenario ab: the partitioned disk booted by OVMF (a fresh copy of its
# variable store each run: the boot entries are made by the guest), with the
# i6300esb hardware watchdog; reboots stay inside one QEMU run (no
# -no-reboot), the guest powers off at the end. Afterwards the host reads
# the queue's database from the data partition itself (debugfs, Python's
# sqlite3) and checks it against what the guest counted last.
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
boot_ab() { # ACCEL TIMEOUT LOG
	local accel="$1" tmo="$2" out="$3" AB="$WORK/ab"
	cp --sparse=always "$AB/disk.img" "$AB/run.img"
	cp "$OVMF_VARS" "$AB/vars.fd"
	timeout --foreground "$tmo" qemu-system-x86_64 -machine q35 -accel "$accel" -cpu max \
		-m 2048 -smp 2 -nodefaults -vga none -display none -serial stdio -nic none \
		-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
		-drive "if=pflash,format=raw,unit=1,file=$AB/vars.fd" \
		-drive "file=$AB/run.img,if=virtio,format=raw,cache=unsafe" \
		-device i6300esb \
		</dev/null >"$out" 2>&1 || true
}
check_ab_db() { # LOG -> prints what it found; fails when the database is not intact
	local AB="$WORK/ab" off dsz want
	off=$(sed -n 's/.*data_offset=\([0-9]*\).*/\1/p' "$AB/layout")
	dsz=$(sed -n 's/.*data=\([0-9]*\).*/\1/p' "$AB/layout")
	want=$(grep -a -o 'LAB-LOG db tickets [0-9]*' "$1" | tail -1 | awk '{ print $4 }')
	rm -rf "$AB/check" && mkdir -p "$AB/check"
	dd if="$AB/run.img" of="$AB/check/data.ext4" bs=1M skip="$off" count="$dsz" status=none
	for f in kiosk.db kiosk.db-wal; do
		debugfs -R "dump /motcua/$f $AB/check/$f" "$AB/check/data.ext4" >/dev/null 2>&1 || true
	done
	rm -f "$AB/check/data.ext4"
	/usr/bin/python3 - "$AB/check/kiosk.db" "${want:-}" <<'PY'
import sqlite3, sys
db, want = sys.argv[1], sys.argv[2]
c = sqlite3.connect("file:" + db + "?mode=ro", uri=True)
ic = c.execute("pragma integrity_check").fetchone()[0]
n = c.execute("select count(*) from tickets").fetchone()[0]
print(f"host: data partition's kiosk.db integrity_check {ic}, {n} tickets (guest counted {want or '?'})")
sys.exit(0 if ic == "ok" and want and n == int(want) else 1)
PY
}
# The probe's answer holds for this boot of the host (kept in the cache).
ACCEL=tcg
bootid="$(cat /proc/sys/kernel/random/boot_id)"
if [[ -f $CACHE/accel && $(head -1 "$CACHE/accel") == "$bootid" ]]; then
	ACCEL="$(sed -n 2p "$CACHE/accel")"
elif [[ -w /dev/kvm ]]; then
	boot kvm probe 90 "$WORK/probe-kvm.log"
	grep -q "LAB-RESULT probe PASS" "$WORK/probe-kvm.log" && ACCEL=kvm
	printf '%s\n%s\n' "$bootid" "$ACCEL" >"$CACHE/accel"
fi
log "accelerator: $ACCEL"

fails=0
for s in "${SCENARIOS[@]}"; do
	ts=$SECONDS
	if [[ $s == ab ]]; then
		boot_ab "$ACCEL" "${MC_LAB_TIMEOUT:-2700}" "$WORK/$s.log"
	else
		boot "$ACCEL" "$s" "${MC_LAB_TIMEOUT:-600}" "$WORK/$s.log"
	fi
	line="$(grep -a -m1 "LAB-RESULT $s " "$WORK/$s.log" | tr -d '\r' || true)"
	if [[ $s == ab && $line == *" PASS "* ]] && ! dbline="$(check_ab_db "$WORK/$s.log" 2>&1)"; then
		line="LAB-RESULT $s FAIL the database on the data partition is not intact: $dbline"
	elif [[ $s == ab && $line == *" PASS "* ]]; then
		line="$line; $dbline"
	fi
	if [[ -z $line ]]; then
		line="LAB-RESULT $s FAIL no result on the console (see $WORK/$s.log)"
		tail -40 "$WORK/$s.log" | tr -d '\r' >&2
	fi
	[[ $line == *" FAIL"* ]] && { fails=$((fails + 1)); grep -a 'LAB-LOG' "$WORK/$s.log" | tr -d '\r' | tail -60 >&2 || true; }
	echo "${line#LAB-RESULT } [${ACCEL}, $((SECONDS - ts)) s]"
done
log "lab done in $((SECONDS - t0)) s, $fails failed"
exit $((fails ? 1 : 0))
