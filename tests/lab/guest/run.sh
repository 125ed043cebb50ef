#!/bin/bash
# run.sh — the lab's scenarios, run inside the guest by motcua-lab.service.
# The scenario comes from the kernel command line (motcua.lab=NAME); the
# result is one line "LAB-RESULT NAME PASS|FAIL|SKIP what" on the console,
# then the guest powers off. Progress lines start with LAB-LOG.
set -u
L=/usr/lib/motcua-lab
export MOTCUA_SOCKET=/run/motcua/kioskd.sock
SCEN="$(sed -n 's/.*motcua\.lab=\([a-z0-9_-]*\).*/\1/p' /proc/cmdline)"
T0=$(cut -d' ' -f1 /proc/uptime)

say() { echo "LAB-LOG $*"; }
result() { # PASS|FAIL|SKIP TEXT
	echo "LAB-RESULT $SCEN $1 $2 (guest uptime $(cut -d' ' -f1 /proc/uptime) s)"
	sync
	systemctl poweroff --no-block
	exit 0
}
fail() {
	say "--- journal of motcua-kioskd ---"
	journalctl -b -u motcua-kioskd --no-pager -n 40 | sed 's/^/LAB-LOG /'
	journalctl -b -u motcua-lab-gadget --no-pager -n 20 | sed 's/^/LAB-LOG /'
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

case "$SCEN" in
probe)
	result PASS "the kernel booted"
	;;
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
		$L/gadget.sh unplug; sleep 2; $L/gadget.sh plug; sleep 3
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
*)
	result FAIL "unknown scenario '$SCEN'"
	;;
esac
