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
# ext4 image (mkfs.ext4 -d: no loop devices). The scenarios but ab share one
# boot of the image, in the order given (watchdog last); the guest runs them
# from the kernel command line (motcua.lab=NAME,NAME...), prints "LAB-RESULT
# NAME PASS|FAIL|SKIP ..." for each on the serial console and powers off; ab
# boots its own A/B disk. KVM is probed with a short boot and TCG is
# the fallback (nested KVM here cannot run a Linux guest: NOTES.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$(cd "${1:?usage: lab.sh BUILD_DIR [SCENARIO...]}" && pwd)"
shift
SCENARIOS=("$@")
((${#SCENARIOS[@]})) || SCENARIOS=(boot sound usbstick usbprinter touch watchdog ab)
# MC_LAB_RELEASE=trixie: a Debian 13 image (with MC_LAB_DEB, the package
# built on Debian 13).
RELEASE="${MC_LAB_RELEASE:-bookworm}"
# MC_LAB_BREAK=NAME[,NAME...] builds an image with a feature broken on
# purpose, to see the scenario that checks it fail (README, "Running the
# lab"); each break has its own work folder (build/lab-NAME), so a broken
# run may go beside a good one:
#   watchdog   kioskd's unit without WatchdogSec (drop-in WatchdogSec=0)
#   notify     kioskd started without $NOTIFY_SOCKET: never READY to systemd,
#              no watchdog pings
#   gadget     the printer gadget with the wrong ids (0416:5012)
#   printer-udev  without the package's printer rule (60-motcua.rules)
#   deviceallow   kioskd's unit with an empty DeviceAllow= (DevicePolicy=closed)
#   stick-udev    without the package's stick rule (61-motcua-usb-stick.rules)
#   stick-exec    the stick rule mounts without noexec
#   udev       without both of the package's udev rules
#   trial      without the trial generator (nothing bounds a tried slot)
#   touch      kioskd's unit without DeviceAllow=char-input (the screen
#              draws, the touchscreen's events never reach kioskd)
#   watch      without motcua-trial-watch.service (a tried slot whose kioskd
#              is READY but never healthy is kept)
#   unhealthy  not a break but a harder update for ab: the broken bundle's
#              kioskd is READY and pings its watchdog but never becomes
#              healthy (its printer never answers its first status query)
#              instead of being refused at every start; ab must still go
#              back to A. With "watch" too it must not.
BREAK="${MC_LAB_BREAK:-}"
CACHE="$BUILD/lab-cache"
# Each release and each break has its own work folder (images and logs).
WORK="$BUILD/lab"
[[ $RELEASE == bookworm ]] || WORK+="-$RELEASE"
[[ -z $BREAK ]] || WORK+="-${BREAK//,/-}"
mkdir -p "$CACHE" "$WORK"

log() { printf '\033[1m==> lab: %s\033[0m\n' "$*" >&2; }
t0=$SECONDS

# The kiosk's package, from this build tree (or MC_LAB_DEB: Debian 13's
# image takes the package built on Debian 13, tools/dev.sh lab --release).
if [[ -n ${MC_LAB_DEB:-} ]]; then
	DEB="$MC_LAB_DEB"
	log "the kiosk's package: $DEB"
else
	log "packaging the kiosk (cpack)"
	rm -rf "$WORK/pkg"
	cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
		{ cat "$WORK/cpack.log"; exit 1; }
	DEB="$(ls "$WORK"/pkg/*.deb | head -1)"
fi

# The Debian base: the kiosk's run-time dependencies (its Depends field,
# without version constraints), systemd, a kernel with the gadget and sound
# modules, and the tools the guest's scenarios use.
deps="$(dpkg-deb -f "$DEB" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/[[:space:]]//g' | sed '/^$/d' | sort -u | paste -sd, -)"
# Mesa's EGL and GBM (software rendering on the kernel's DRM device) for
# SDL's KMSDRM in scenario touch.
base_pkgs="systemd,systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,python3,procps,sqlite3,usbutils,alsa-utils,dosfstools,mtools,rauc,rauc-service,squashfs-tools,efibootmgr,libegl1,libegl-mesa0,libgles2,libgbm1,libgl1-mesa-dri,$deps"
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
	local b rules="$ROOTFS/lib/udev/rules.d"
	for b in ${BREAK//,/ }; do
		case "$b" in
		watchdog) mkdir -p "$d" && printf '[Service]\nWatchdogSec=0\n' >"$d/broken.conf" ;;
		notify) mkdir -p "$d" && printf '[Service]\nExecStart=\nExecStart=/usr/bin/env -u NOTIFY_SOCKET %s\n' \
			"$(sed -n 's/^ExecStart=//p' "$ROOTFS/lib/systemd/system/motcua-kioskd.service")" >"$d/broken.conf" ;;
		gadget) sed -i 's/0x5011/0x5012/' "$ROOTFS/usr/lib/motcua-lab/gadget.sh" ;;
		printer-udev) rm "$rules/60-motcua.rules" ;;
		deviceallow) mkdir -p "$d" && printf '[Service]\nDeviceAllow=\n' >"$d/broken.conf" ;;
		touch) mkdir -p "$d" && { printf '[Service]\nDeviceAllow=\n'; grep '^DeviceAllow=' \
			"$ROOTFS/lib/systemd/system/motcua-kioskd.service" | grep -v char-input; } >"$d/broken.conf" ;;
		stick-udev) rm "$rules/61-motcua-usb-stick.rules" ;;
		stick-exec) sed -i 's/,noexec//' "$rules/61-motcua-usb-stick.rules" ;;
		udev) rm "$rules"/6[01]-motcua*.rules ;;
		trial) rm "$ROOTFS/lib/systemd/system-generators/motcua-trial-generator" ;;
		watch) rm "$ROOTFS/lib/systemd/system/motcua-trial-watch.service" ;;
		unhealthy) ;;  # ab-disk.sh makes the bundle
		*) echo "lab.sh: unknown MC_LAB_BREAK '$b'" >&2; exit 2 ;;
		esac
	done
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
		MC_LAB_BREAK="$BREAK" "$HERE/ab-disk.sh" "$ROOTFS" "$WORK/vmlinuz" "$WORK/initrd.img" "$CACHE" "$WORK/ab" >"$WORK/ab-disk.log" 2>&1 ||
			{ tail -30 "$WORK/ab-disk.log"; exit 1; }
		printf '%s' "$ab_stamp" >"$WORK/ab.stamp"
	fi
	rm -rf "$ROOTFS"
fi
log "image ready in $((SECONDS - t0)) s"

# QEMU: KVM if a short boot works, else TCG.
boot() { # ACCEL SCENARIO[,SCENARIO...] TIMEOUT LOG
	local accel="$1" scen="$2" tmo="$3" out="$4" gpu=()
	# touch: a virtual GPU (virtio-gpu, no display on the host side).
	[[ ,$scen, == *,touch,* ]] && gpu=(-device virtio-gpu-pci,xres=1280,yres=800)
	cp --reflink=auto "$IMG" "$WORK/run.img"
	timeout --foreground "$tmo" qemu-system-x86_64 -machine q35 -accel "$accel" -cpu max \
		-m 1536 -smp 2 -nodefaults -vga none -display none -serial stdio -no-reboot -nic none "${gpu[@]}" \
		-kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 panic=-1 systemd.show_status=0 motcua.lab=$scen" \
		-drive "file=$WORK/run.img,if=virtio,format=raw,cache=unsafe" \
		</dev/null >"$out" 2>&1 || true
}
# Scenario ab: the partitioned disk booted by OVMF (a fresh copy of its
# variable store each run: the boot entries are made by the guest), with the
# i6300esb hardware watchdog. Every boot is a QEMU run of its own
# (-no-reboot: a reboot, the watchdog's included, ends the run and the next
# one starts from the same disk and variable store, as a power cycle does):
# at load 17 both in-guest resets of two runs hung before the firmware
# printed anything, while a new QEMU on the same disk and variables booted B
# at once. The guest powers off after its last phase (LAB-RESULT). Afterwards
# the host reads the queue's database from the data partition itself
# (debugfs, Python's sqlite3) and checks it against what the guest counted
# last.
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
boot_ab() { # ACCEL TIMEOUT LOG
	local accel="$1" tmo="$2" out="$3" AB="$WORK/ab"
	local end=$((SECONDS + tmo)) n
	cp --sparse=always "$AB/disk.img" "$AB/run.img"
	cp "$OVMF_VARS" "$AB/vars.fd"
	: >"$out"
	for n in 1 2 3 4 5 6 7 8; do
		((SECONDS < end)) || break
		echo "LAB-HOST boot $n of the A/B disk" >>"$out"
		timeout --foreground $((end - SECONDS)) qemu-system-x86_64 -machine q35 -accel "$accel" -cpu max \
			-m 2048 -smp 2 -nodefaults -vga none -display none -serial stdio -nic none -no-reboot \
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
			-drive "if=pflash,format=raw,unit=1,file=$AB/vars.fd" \
			-drive "file=$AB/run.img,if=virtio,format=raw,cache=unsafe" \
			-device i6300esb \
			</dev/null >>"$out" 2>&1 || true
		grep -a -q "LAB-RESULT ab " "$out" && break
	done
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
	# The kernel and initramfs up to the root file system's init, which is
	# /bin/false: the kernel panics at once ("Attempted to kill init") and
	# QEMU exits. A few seconds under a working KVM; the nested KVM here
	# hangs (or stops with an emulation failure), so the bound is short.
	cp --reflink=auto "$IMG" "$WORK/run.img"
	timeout --foreground 30 qemu-system-x86_64 -machine q35 -accel kvm -cpu max \
		-m 1536 -smp 2 -nodefaults -vga none -display none -serial stdio -no-reboot -nic none \
		-kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" \
		-append "root=/dev/vda ro console=ttyS0 panic=-1 init=/bin/false" \
		-drive "file=$WORK/run.img,if=virtio,format=raw,cache=unsafe" \
		</dev/null >"$WORK/probe-kvm.log" 2>&1 || true
	grep -q "Attempted to kill init" "$WORK/probe-kvm.log" && ACCEL=kvm
	printf '%s\n%s\n' "$bootid" "$ACCEL" >"$CACHE/accel"
fi
log "accelerator: $ACCEL"

# Every scenario but ab shares one boot (the guest runs them one after the
# other, watchdog last: it kills kioskd); ab reboots by itself and runs alone.
fails=0
shared=() alone=()
for s in "${SCENARIOS[@]}"; do
	if [[ $s == ab ]]; then alone+=(ab); elif [[ $s != watchdog ]]; then shared+=("$s"); fi
done
for s in "${SCENARIOS[@]}"; do [[ $s == watchdog ]] && shared+=(watchdog); done
# report SCENARIO LOG SECONDS: the scenario's result line, failures counted.
report() {
	local s="$1" log="$2" secs="$3" line
	line="$(grep -a -m1 "LAB-RESULT $s " "$log" | tr -d '\r' || true)"
	if [[ $s == ab && $line == *" PASS "* ]] && ! dbline="$(check_ab_db "$log" 2>&1)"; then
		line="LAB-RESULT $s FAIL the database on the data partition is not intact: $dbline"
	elif [[ $s == ab && $line == *" PASS "* ]]; then
		line="$line; $dbline"
	fi
	if [[ -z $line ]]; then
		line="LAB-RESULT $s FAIL no result on the console (see $log)"
		tail -40 "$log" | tr -d '\r' >&2
	fi
	[[ $line == *" FAIL"* ]] && { fails=$((fails + 1)); grep -a 'LAB-LOG' "$log" | tr -d '\r' | tail -60 >&2 || true; }
	echo "${line#LAB-RESULT } [${ACCEL}, ${secs}]"
}
if ((${#shared[@]})); then
	ts=$SECONDS
	name="$(IFS=,; echo "${shared[*]}")"
	out="$WORK/${name//,/+}.log"
	# Bounds for a host that other work slows down (a boot under TCG took
	# 3.5 min at load 15).
	boot "$ACCEL" "$name" "${MC_LAB_TIMEOUT:-$((900 + 240 * (${#shared[@]} - 1)))}" "$out"
	took=$((SECONDS - ts))
	for s in "${shared[@]}"; do
		if ((${#shared[@]} > 1)); then
			report "$s" "$out" "one boot for ${#shared[@]} scenarios: ${took} s"
		else
			report "$s" "$out" "${took} s"
		fi
	done
fi
for s in "${alone[@]}"; do
	ts=$SECONDS
	# Five boots; at load 17 one boot of the A/B disk took 13 min.
	boot_ab "$ACCEL" "${MC_LAB_TIMEOUT:-5400}" "$WORK/$s.log"
	report "$s" "$WORK/$s.log" "$((SECONDS - ts)) s"
done
log "lab done in $((SECONDS - t0)) s, $fails failed"
exit $((fails ? 1 : 0))
