#!/bin/bash
# run.sh — the lab's scenarios, run inside the guest by motcua-lab.service.
# The scenarios come from the kernel command line (motcua.lab=NAME or
# motcua.lab=NAME,NAME,...: several in one boot, one after the other, each
# in a subshell); each ends in one line "LAB-RESULT NAME PASS|FAIL|SKIP
# what" on the console, then the guest powers off. Progress lines start with
# LAB-LOG. ab reboots by itself and runs alone.
set -u
L=/usr/lib/motcua-lab
export MOTCUA_SOCKET=/run/motcua/kioskd.sock
SCENS="$(sed -n 's/.*motcua\.lab=\([a-z0-9_,-]*\).*/\1/p' /proc/cmdline)"
SCEN="${SCENS%%,*}"
MULTI=0
[[ $SCENS == *,* ]] && MULTI=1
T0=$(cut -d' ' -f1 /proc/uptime)

say() { echo "LAB-LOG $*"; }
result() { # PASS|FAIL|SKIP TEXT
	local up
	up=$(cut -d' ' -f1 /proc/uptime)
	echo "LAB-RESULT $SCEN $1 $2 (guest uptime $up s, this scenario $(echo "$up $S0" | awk '{ printf "%.0f", $1 - $2 }') s)"
	sync
	((MULTI)) && exit 0
	systemctl poweroff --no-block
	exit 0
}
fail() {
	say "--- journal of motcua-kioskd ---"
	journalctl -b -u motcua-kioskd --no-pager -n 40 | sed 's/^/LAB-LOG /'
	journalctl -b -u motcua-lab-gadget --no-pager -n 20 | sed 's/^/LAB-LOG /'
	[[ $SCEN == ab ]] && journalctl -b -u rauc --no-pager -n 30 | sed 's/^/LAB-LOG /'
	result FAIL "$*"
}
prop() { systemctl show -p "$1" --value motcua-kioskd; }

# Waits until kioskd is active and has told systemd READY (ActiveState
# becomes "active" for Type=notify only after READY=1).
wait_ready() {
	for _ in $(seq 240); do
		[[ $(prop ActiveState) == active ]] && return 0
		sleep 0.5
	done
	return 1
}

# The print state of ticket NUMBER (kioskctl tickets --json).
print_state() {
	kioskctl tickets --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for t in (d if isinstance(d, list) else d.get("tickets", [])):
    if str(t.get("number")) == sys.argv[1] or t.get("label") == sys.argv[1]:
        print(t.get("print")); break' "$1"
}

boot_checks() {
	wait_ready || fail "kioskd did not become ready: $(prop ActiveState)/$(prop SubState)"
	local st nice pol
	st="$(prop StatusText)"
	[[ -n $st ]] || fail "no STATUS= text from kioskd"
	nice="$(prop Nice)"
	pol="$(prop CPUSchedulingPolicy)"
	systemctl status motcua-kioskd --no-pager >/tmp/status.txt 2>&1
	grep -q "Status: \"" /tmp/status.txt || fail "systemctl status shows no Status line"
	journalctl -b -u motcua-kioskd --no-pager | grep -q . || fail "nothing in the journal"
	[[ $(systemctl is-system-running) =~ running|degraded ]] || true
	say "ready: status '$st', nice $nice, policy $pol"
	READY_AT=$(cut -d' ' -f1 /proc/uptime)
}

press() { # SERVICE -> prints the ticket's label
	kioskctl press "$1" 2>&1 | tail -1
}

one_ticket() { # [in_doubt]: a print state that may also end in doubt
	local before n lab ps ok="printed"
	[[ ${1:-} == in_doubt ]] && ok="printed|in_doubt"
	before="$(python3 $L/labctl.py count | cut -d' ' -f2)"
	lab="$(press civil)" || fail "press failed: $lab"
	n=$((before + 1))
	python3 $L/labctl.py wait "$n" 60 | grep -q "ok $n" || fail "the USB printer received no ticket for '$lab'"
	python3 $L/labctl.py last | grep -q '"height": [1-9]' || fail "the ticket has no raster"
	num="$(grep -o '[0-9]\{4\}' <<<"$lab" | head -1)"
	for _ in $(seq 40); do
		ps="$(print_state "$num")"
		[[ $ps =~ ^($ok)$ ]] && break
		sleep 0.25
	done
	[[ $ps =~ ^($ok)$ ]] || fail "ticket $num, received in full by the printer, ended '$ps', not $ok"
	say "ticket $num printed through the kernel USB printer"
}

# Presents IMAGE as a USB stick and waits for the package's rule to mount it;
# sets STICK to "MOUNTPOINT OPTIONS".
stick_in() {
	$L/gadget.sh stick-in "$1"
	STICK=""
	for _ in $(seq 60); do STICK="$(findmnt -rn -o TARGET,OPTIONS | grep '^/media/usb-' | head -1)"; [[ -n $STICK ]] && break; sleep 0.5; done
	[[ -n $STICK ]]
}

# kioskd's update-find: one "PATH|INSTALLABLE|WHY" a bundle, one a line.
update_find() {
	python3 - <<'PY'
import json, socket
s = socket.socket(socket.AF_UNIX); s.connect("/run/motcua/kioskd.sock")
s.sendall(b'{"cmd":"update-find"}\n')
ans = json.loads(s.makefile().readline())
for b in ans.get("bundles", []):
    print(b.get("path", "") + "|" + str(b.get("installable")) + "|" + str(b.get("why", "")))
PY
}

tickets() { sqlite3 -readonly /var/lib/motcua/kiosk.db 'select count(*) from tickets'; }
# The printer's state as kioskd reports it (ready, paper_out, absent...).
printer_state() {
	kioskctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("printer",{}).get("state",""))'
}

run_one() {
case "$SCEN" in
boot)
	boot_checks
	result PASS "systemd $(systemctl --version | head -1 | cut -d' ' -f2), kioskd READY at ${READY_AT} s: '$(prop StatusText)'"
	;;
smoke | usbprinter)
	boot_checks
	lsusb | grep -q "0416:5011" || fail "no 0416:5011 device on the host side"
	one_ticket
	if [[ $SCEN == usbprinter ]]; then
		# Paper out between jobs: kioskd notices, then prints again.
		python3 $L/labctl.py state out >/dev/null
		kioskctl printer status >/tmp/ps.txt 2>&1 || true
		say "paper out: $(tr '\n' ' ' </tmp/ps.txt)"
		python3 $L/labctl.py state ready >/dev/null
		kioskctl printer status >/dev/null 2>&1 || true
		# Unplug and plug between jobs.
		# The first job after a replug may lose its closing status: the
		# ticket is then in doubt, but never failed or voided (it is on paper).
		# kioskd finds the replugged printer on its own time (5 s at load
		# 17): a press before that is refused, as it must be without a
		# printer, so wait until kioskd says it is ready again.
		$L/gadget.sh unplug; sleep 2; $L/gadget.sh plug
		for _ in $(seq 60); do
			[[ $(printer_state) == ready ]] && break
			sleep 0.5
		done
		[[ $(printer_state) == ready ]] || fail "kioskd did not find the printer again after the replug: $(printer_state)"
		one_ticket in_doubt
	fi
	result PASS "ticket(s) printed over USB (dummy_hcd + printer gadget), $(python3 $L/labctl.py queries | cut -d' ' -f2) status queries"
	;;
sound)
	boot_checks
	C=/usr/share/motcua/clips/default
	keys=(chime vi/moi_cong_dan_co_so vi/num/mot vi/den_quay_so)
	files=()
	for k in "${keys[@]}"; do files+=("$C/$k.wav"); done
	rate="$(python3 -c 'import wave,sys; print(wave.open(sys.argv[1]).getframerate())' "$C/chime.wav")"
	arecord -q -D plughw:CARD=Loopback,DEV=1 -f S16_LE -c 1 -r "$rate" -d 15 /tmp/rec.wav &
	rec=$!
	sleep 1
	kioskctl say "${keys[@]}" --force >/tmp/say.txt 2>&1 || fail "kioskctl say: $(cat /tmp/say.txt)"
	wait $rec
	python3 $L/match.py /tmp/rec.wav "${files[@]}" >/tmp/match.txt 2>&1
	m=$?
	sed 's/^/LAB-LOG /' /tmp/match.txt
	((m == 0)) || fail "the recording at the far end of snd-aloop lacks a clip"
	result PASS "a 4-clip announcement played through the kernel's snd-aloop card and recorded at its far end: every clip found in order ($(grep -o 'correlation [0-9.]*' /tmp/match.txt | cut -d' ' -f2 | paste -sd/))"
	;;
usbstick)
	boot_checks
	# A technician's FAT stick holding a bundle file, on the mass-storage
	# gadget: the package's udev rule must mount it read-only, nosuid,
	# nodev, noexec under /media, where kioskd finds the bundle.
	mkfs.vfat -C /root/stick.img 16384 >/dev/null
	head -c 65536 /dev/urandom >/tmp/motcua-update.raucb
	mcopy -i /root/stick.img /tmp/motcua-update.raucb ::motcua-update.raucb
	$L/gadget.sh stick-in /root/stick.img
	for _ in $(seq 60); do mnt="$(findmnt -rn -o TARGET,OPTIONS | grep '^/media/usb-' | head -1)"; [[ -n $mnt ]] && break; sleep 0.5; done
	if [[ -z $mnt ]]; then
		{ lsblk -o NAME,TRAN,FSTYPE,MOUNTPOINT; ls /sys/class/udc; cat /sys/kernel/config/usb_gadget/lab-stick/UDC
		  udevadm info /dev/sda 2>&1 | grep -E 'ID_BUS|ID_FS' ; dmesg | tail -15
		  systemctl list-units --all --no-pager '*media*'; journalctl -b --no-pager -n 30 | grep -v kioskd; } 2>&1 | sed 's/^/LAB-LOG /'
		fail "the stick was not mounted under /media"
	fi
	opts="${mnt#* }"
	for o in ro nosuid nodev noexec; do [[ ,$opts, == *,$o,* ]] || fail "the stick is mounted without $o: $opts"; done
	found="$(python3 - <<'PY'
import json, socket
s = socket.socket(socket.AF_UNIX); s.connect("/run/motcua/kioskd.sock")
s.sendall(b'{"cmd":"update-find"}\n')
ans = json.loads(s.makefile().readline())
print(" ".join(b.get("path", "") + "|" + str(b.get("installable")) + "|" + str(b.get("why", "")) for b in ans.get("bundles", [])))
PY
)"
	say "update-find: $found"
	[[ $found == */media/usb-*/motcua-update.raucb* ]] || fail "kioskd did not find the bundle on the stick: $found"
	[[ $found == *"|False|"* ]] || fail "a bundle that is not a signed RAUC bundle was offered as installable: $found"
	$L/gadget.sh stick-out
	for _ in $(seq 40); do findmnt -rn -o TARGET | grep -q '^/media/usb-' || break; sleep 0.5; done
	findmnt -rn -o TARGET | grep -q '^/media/usb-' && fail "the mount stayed after the stick was pulled out"
	result PASS "stick mounted at ${mnt%% *} ($opts), kioskd found the bundle and refused it (not a signed bundle), unmounted when pulled out"
	;;
watchdog)
	boot_checks
	press civil >/dev/null
	press land >/dev/null
	db=/var/lib/motcua/kiosk.db
	before="$(sqlite3 -readonly "$db" 'select count(*) from tickets')"
	r0="$(prop NRestarts)"
	pid="$(prop MainPID)"
	kill -STOP "$pid"
	say "kioskd $pid stopped; waiting for the watchdog ($(prop WatchdogUSec))"
	for _ in $(seq 180); do
		[[ $(prop NRestarts) -gt $r0 ]] && break
		sleep 0.5
	done
	[[ $(prop NRestarts) -gt $r0 ]] || fail "the watchdog did not restart kioskd"
	wait_ready || fail "kioskd did not come back"
	after="$(sqlite3 -readonly "$db" 'select count(*) from tickets')"
	((after >= before)) || fail "tickets lost: $before before, $after after"
	journalctl -b -u motcua-kioskd --no-pager | grep -qi watchdog || fail "the journal does not mention the watchdog"
	result PASS "SIGSTOP'd kioskd killed by the watchdog and restarted (pid $pid -> $(prop MainPID)), $after of $before tickets kept"
	;;
ab)
	# A real A/B update across reboots (UEFI, RAUC's efi backend): one QEMU
	# run, five boots; the phase is kept on the data partition.
	P=/data/lab
	phase="$(cat $P/phase 2>/dev/null || echo factory)"
	slot="$(sed -n 's/.*rauc\.slot=\([AB]\).*/\1/p' /proc/cmdline)"
	trial=no
	[[ -e /run/systemd/generator/motcua-kioskd.service.d/50-motcua-trial.conf ]] && trial=yes
	note() { echo "$(cut -d' ' -f1 /proc/uptime) [$slot $phase] $*" >>$P/log; sync; say "$*"; }
	# kioskd's update state (pending, marked-good, unhealthy...), or "none".
	update_state() {
		kioskctl status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("update",{}).get("state",""))' 2>/dev/null || echo none
	}
	entry() { efibootmgr | awk -v l="$1" '$1 ~ /^Boot[0-9A-F][0-9A-F][0-9A-F][0-9A-F]/ && $2 == l { print substr($1, 5, 4); exit }'; }
	bootvar() { efibootmgr | sed -n "s/^$1: //p"; }
	reboot_to() { # NEXT-PHASE
		# The stick's image is on /data: let go of it so /data unmounts.
		$L/gadget.sh stick-out >/dev/null 2>&1
		echo "" >/sys/kernel/config/usb_gadget/lab-stick/functions/mass_storage.usb0/lun.0/file 2>/dev/null
		echo "$1" >$P/phase
		note "db tickets $(tickets)"
		sync
		systemctl reboot --no-block
		exit 0
	}
	note "booted slot $slot (BootCurrent $(bootvar BootCurrent), BootOrder $(bootvar BootOrder)), on trial: $trial"
	common="rw console=ttyS0 quiet loglevel=3 panic=-1 systemd.show_status=0 motcua.lab=ab"
	case "$phase" in
	factory)
		# The UEFI shell's startup.nsh booted A this once; the factory
		# makes the boot entries RAUC's efi backend switches between.
		[[ $slot == A ]] || fail "the factory boot is not slot A"
		efibootmgr -q -c -d /dev/vda -p 1 -L A -l '\vmlinuz' -u "initrd=\initrd.img root=/dev/vda2 rauc.slot=A $common"
		efibootmgr -q -c -d /dev/vda -p 1 -L B -l '\vmlinuz' -u "initrd=\initrd.img root=/dev/vda3 rauc.slot=B $common"
		a="$(entry A)" b="$(entry B)"
		[[ -n $a && -n $b ]] || fail "efibootmgr made no entries A and B: $(efibootmgr | tr '\n' ' ')"
		efibootmgr -q -o "$a,$b"
		echo "$a $b" >$P/entries
		[[ $trial == no ]] || fail "the factory boot is on trial"
		boot_checks
		press civil >/dev/null
		press land >/dev/null
		# The technician's stick: four bundles; two are refused with
		# clear messages, the broken one is installed (into B).
		stick_in $P/stick.img || fail "the stick was not mounted"
		m="${STICK%% *}"
		update_find >/tmp/found.txt
		sed 's/^/LAB-LOG update-find: /' /tmp/found.txt
		grep -q "^$m/motcua-2.0.raucb|True|" /tmp/found.txt || fail "the good bundle is not offered"
		grep -q "^$m/motcua-2.1-broken.raucb|True|" /tmp/found.txt || fail "the signed broken bundle is not offered"
		grep -q "^$m/foreign.raucb|False|.*chữ ký" /tmp/found.txt || fail "the foreign-signed bundle is not refused for its signature"
		grep -q "^$m/other-board.raucb|False|.*loại máy khác" /tmp/found.txt || fail "the other board's bundle is not refused for its board"
		kioskctl update "$m/foreign.raucb" >/tmp/u1.txt 2>&1 && fail "kioskctl update installed a foreign-signed bundle"
		grep -q "Chữ ký của gói cập nhật không hợp lệ" /tmp/u1.txt || fail "foreign bundle refused without the message: $(cat /tmp/u1.txt)"
		kioskctl update "$m/other-board.raucb" >/tmp/u2.txt 2>&1 && fail "kioskctl update installed another board's bundle"
		grep -q "Gói cập nhật này dành cho loại máy khác" /tmp/u2.txt || fail "other board's bundle refused without the message: $(cat /tmp/u2.txt)"
		note "refused: $(tail -1 /tmp/u1.txt) / $(tail -1 /tmp/u2.txt)"
		kioskctl update "$m/motcua-2.1-broken.raucb" >/tmp/u3.txt 2>&1 || fail "installing the broken bundle failed: $(tail -5 /tmp/u3.txt)"
		[[ $(bootvar BootNext) == "$b" ]] || fail "the install did not set BootNext to B ($b): $(efibootmgr | tr '\n' ' ')"
		note "2.1-broken installed into B; BootNext $b"
		reboot_to broken-installed
		;;
	broken-installed)
		# The broken system on trial: its kioskd is refused at every
		# start; systemd reboots when the trial's start limit is hit.
		[[ $slot == B ]] || fail "BootNext did not boot slot B"
		[[ $trial == yes ]] || fail "the one-shot boot of B is not on trial (no drop-in)"
		note "trial drop-in: StartLimitBurst=$(prop StartLimitBurst) StartLimitIntervalUSec=$(prop StartLimitIntervalUSec) StartLimitAction=$(prop StartLimitAction); trial watch $(systemctl is-active motcua-trial-watch)"
		echo broken-trial >$P/phase
		sync
		# The trial must end by itself: the start limit (kioskd refused at
		# each start) or motcua-trial-watch (kioskd READY, never healthy;
		# its own deadline is 600 s) reboots.
		t0=$(cut -d. -f1 /proc/uptime)
		while sleep 2; do
			note "kioskd $(prop ActiveState)/$(prop SubState) result $(prop Result), restarts $(prop NRestarts), update $(update_state)"
			(($(cut -d. -f1 /proc/uptime) - t0 < 660)) ||
				fail "still in the broken B after 660 s: nothing ended its trial (kioskd $(prop ActiveState), update $(update_state), trial watch $(systemctl is-active motcua-trial-watch))"
		done
		;;
	broken-trial)
		# Back in A by itself: the reboot left the one-shot boot.
		[[ $slot == A ]] || fail "after the broken B the machine booted slot $slot, not A"
		[[ $trial == no ]] || fail "slot A is on trial after the rollback"
		grep -q 'broken-installed. trial drop-in: StartLimitBurst=5 .* StartLimitAction=reboot' $P/log ||
			fail "B's trial was not bounded: $(grep broken-installed $P/log | head -3)"
		grep -q 'broken-installed. trial drop-in: .*; trial watch \(active\|activating\)' $P/log ||
			fail "B's trial ran without motcua-trial-watch: $(grep 'broken-installed. trial drop-in' $P/log)"
		last="$(grep 'broken-installed. kioskd' $P/log | tail -1)"
		note "B's last word: $last"
		note "this slot's journal holds $(journalctl --list-boots --no-pager 2>/dev/null | grep -c '^ *-\{0,1\}[0-9]') boot(s); B's trial is in B's own"
		boot_checks
		before="$(grep -o 'db tickets [0-9]*' $P/log | tail -1 | cut -d' ' -f3)"
		[[ $(tickets) -ge $before ]] || fail "tickets lost in the rollback: $before before, $(tickets) now"
		rauc status >/tmp/rauc.txt 2>&1 || true
		grep -q "Booted from: rootfs.0 (A)" /tmp/rauc.txt || fail "rauc status: $(tr '\n' ' ' </tmp/rauc.txt)"
		press civil >/dev/null
		stick_in $P/stick.img || fail "the stick was not mounted"
		kioskctl update "${STICK%% *}/motcua-2.0.raucb" >/tmp/u4.txt 2>&1 || fail "installing 2.0 failed: $(tail -5 /tmp/u4.txt)"
		b="$(cut -d' ' -f2 $P/entries)"
		[[ $(bootvar BootNext) == "$b" ]] || fail "the install did not set BootNext to B"
		note "rolled back to A with $(tickets) tickets; 2.0 installed into B"
		reboot_to good-installed
		;;
	good-installed)
		[[ $slot == B ]] || fail "BootNext did not boot slot B"
		[[ $trial == yes ]] || fail "the one-shot boot of B is not on trial"
		[[ $(systemctl is-active motcua-trial-watch) =~ ^(active|activating)$ ]] ||
			fail "the trial boot of B runs no motcua-trial-watch"
		boot_checks
		for _ in $(seq 120); do
			st="$(kioskctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("update",{}).get("state",""))')"
			[[ $st == marked-good || $st == unhealthy || $st == failed ]] && break
			sleep 1
		done
		[[ $st == marked-good ]] || fail "kioskd did not mark B good: $st"
		for _ in $(seq 20); do
			[[ $(systemctl is-active motcua-trial-watch) =~ ^(active|activating)$ ]] || break
			sleep 1
		done
		[[ $(systemctl show -p Result --value motcua-trial-watch) == success &&
			$(systemctl is-active motcua-trial-watch) != active ]] ||
			fail "motcua-trial-watch did not end quietly once B was marked good: $(journalctl -b -u motcua-trial-watch --no-pager | tail -3 | tr '\n' ' ')"
		b="$(cut -d' ' -f2 $P/entries)"
		[[ $(bootvar BootOrder) == "$b,"* ]] || fail "marking good did not put B first in BootOrder: $(bootvar BootOrder)"
		before="$(grep -o 'db tickets [0-9]*' $P/log | tail -1 | cut -d' ' -f3)"
		[[ $(tickets) -ge $before ]] || fail "tickets lost in the update: $before before, $(tickets) now"
		note "B marked good by kioskd's health check; BootOrder $(bootvar BootOrder)"
		reboot_to good
		;;
	good)
		# An ordinary boot of the good B: no trial, restarts unbounded as
		# always, the hardware watchdog held by systemd.
		[[ $slot == B ]] || fail "the good B was not kept: slot $slot booted"
		[[ $trial == no ]] || fail "the good B is still on trial"
		boot_checks
		[[ $(prop StartLimitIntervalUSec) == 0 && $(prop StartLimitAction) == none ]] ||
			fail "a good slot's kioskd has a start limit: $(prop StartLimitIntervalUSec) $(prop StartLimitAction)"
		wd="$(systemctl show -p RuntimeWatchdogUSec --value)"
		held="$(ls -l /proc/1/fd 2>/dev/null | grep -c '/dev/watchdog')"
		[[ $held -ge 1 ]] || fail "systemd does not hold the hardware watchdog (RuntimeWatchdogUSec $wd, $(ls /dev/watchdog* 2>&1 | tr '\n' ' '))"
		n="$(tickets)"
		before="$(grep -o 'db tickets [0-9]*' $P/log | tail -1 | cut -d' ' -f3)"
		((n >= before)) || fail "tickets lost: $before before, $n now"
		sed 's/^/LAB-LOG history: /' $P/log | grep -v 'kioskd .*restarts' | tail -30
		echo done >$P/phase
		note "db tickets $n"
		systemctl stop motcua-kioskd
		sync
		last="$(grep 'broken-installed. kioskd' $P/log | tail -1 | sed 's/.*\] kioskd //')"
		result PASS "A -> 2.1-broken tried in B (its kioskd at the end: $last) -> back to A by itself -> 2.0 in B, marked good, kept; foreign and other-board bundles refused; hardware watchdog $wd; $n tickets kept"
		;;
	*) result FAIL "phase $phase" ;;
	esac
	;;
touch)
	# The touch screen through the kernel: SDL's KMSDRM on QEMU's
	# virtio-gpu (the kernel's virtio_gpu DRM driver, Mesa's software GBM
	# and EGL) and a uinput touchscreen whose tap must take a ticket.
	boot_checks
	for _ in $(seq 40); do [[ -e /dev/dri/card0 ]] && break; sleep 0.5; done
	[[ -e /dev/dri/card0 ]] || result SKIP "no DRM device: the guest has no virtual GPU (/dev/dri/card0)"
	say "DRM: $(cat /sys/class/drm/card0/device/uevent 2>/dev/null | grep DRIVER=) $(cat /sys/class/drm/card0-*/modes 2>/dev/null | head -1)"
	modprobe uinput
	rm -f /run/lab-touch.ready /run/lab-touch.cmd
	python3 $L/touch.py 1280 800 >/run/lab-touch.log 2>&1 &
	tp=$!
	for _ in $(seq 60); do [[ -e /run/lab-touch.ready ]] && break; sleep 0.25; done
	[[ -e /run/lab-touch.ready ]] || fail "no uinput touchscreen: $(cat /run/lab-touch.log)"
	ev="$(grep -l 'motcua lab touchscreen' /sys/class/input/event*/device/name | head -1 | cut -d/ -f5)"
	say "touchscreen /dev/input/$ev: $(udevadm info /dev/input/$ev | grep -o 'ID_INPUT_TOUCHSCREEN=1')"
	cp /etc/motcua/board.conf /run/board.conf.orig
	printf '\n[screen]\ndriver = KMSDRM\nwidth = 1280\nheight = 800\n' >>/etc/motcua/board.conf
	restore_board() { cp /run/board.conf.orig /etc/motcua/board.conf; systemctl restart motcua-kioskd; kill $tp 2>/dev/null; }
	systemctl restart motcua-kioskd
	if ! wait_ready; then
		why="$(journalctl -b -u motcua-kioskd --no-pager -n 30 | grep -m1 -o 'SDL cannot start video.*')"
		journalctl -b -u motcua-kioskd --no-pager -n 15 | sed 's/^/LAB-LOG /'
		restore_board
		[[ -n $why ]] && result SKIP "KMSDRM cannot run on QEMU's virtio-gpu here: kioskd says '$why'"
		fail "kioskd with a KMSDRM screen did not become ready"
	fi
	scr() { kioskctl status --json | python3 -c 'import json,sys; s=json.load(sys.stdin).get("screen",{}); print(s.get("'"$1"'",""))'; }
	drv="$(scr driver)"
	[[ $drv == KMSDRM ]] || { restore_board; fail "the screen runs on '$drv', not KMSDRM"; }
	for _ in $(seq 60); do [[ $(scr frames) -gt 0 ]] && break; sleep 0.5; done
	before="$(tickets)"
	echo "640 300" >/run/lab-touch.tmp && mv /run/lab-touch.tmp /run/lab-touch.cmd
	for _ in $(seq 60); do [[ $(tickets) -gt $before ]] && break; sleep 0.5; done
	after="$(tickets)" showing="$(scr showing)" frames="$(scr frames)"
	last="$(sqlite3 -readonly /var/lib/motcua/kiosk.db 'select service from tickets order by id desc limit 1')"
	restore_board
	((after == before + 1)) || fail "a tap on the civil tile through the uinput touchscreen took no ticket ($before before, $after after; screen '$showing', $frames frames; $(tr '\n' ' ' </run/lab-touch.log))"
	[[ $last == civil ]] || fail "the tap took a ticket for '$last', not civil"
	result PASS "SDL KMSDRM on virtio-gpu ($frames frames drawn); a tap at (640, 300) on the uinput touchscreen /dev/input/$ev took a civil ticket; screen now '$showing'"
	;;
*)
	result FAIL "unknown scenario '$SCEN'"
	;;
esac
}

S0=$T0
if ((MULTI)); then
	for SCEN in ${SCENS//,/ }; do
		S0=$(cut -d' ' -f1 /proc/uptime)
		(run_one)
	done
	sync
	systemctl poweroff --no-block
else
	run_one
fi

