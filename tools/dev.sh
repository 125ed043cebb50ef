#!/bin/bash
# tools/dev.sh — the developer's two commands, and a few more.
#
#   tools/dev.sh run     install missing packages, build, start the kiosk in
#                        simulator mode (tickets taken and numbers called live)
#   tools/dev.sh test    install missing packages, build normal and sanitizer
#                        (ASan+UBSan) trees, run the whole suite in each (ctest)
#   tools/dev.sh bench   build, then print the ticket path's table (issue 16:
#                        press → answer, → paper, instructions, NEXT under
#                        load, flood memory, private memory), each figure
#                        against a baseline in the same run
#   tools/dev.sh bench all  the table, then every benchmark in tests/bench
#   tools/dev.sh deps    only install missing packages
#   tools/dev.sh cross   build the arm64 .deb with Debian's cross compiler
#                        (adds the arm64 architecture and :arm64 -dev packages)
#
# Packages are listed one per line in tools/deps/*.txt.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="$(nproc 2>/dev/null || echo 2)"
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

deps() {
	local want=() missing=()
	mapfile -t want < <(cat "$ROOT"/tools/deps/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if ((${#missing[@]})); then
		log "installing ${#missing[@]} Debian packages: ${missing[*]}"
		if [[ $(id -u) -ne 0 ]]; then
			echo "run as root (or with sudo) to install: ${missing[*]}" >&2
			exit 1
		fi
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

configure_build() { # DIR [cmake args...]
	local dir="$1"
	shift
	cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j "$JOBS"
}

run_sim() {
	local b="$ROOT/build" state="$ROOT/build/sim-state"
	# Each run starts a fresh simulated office: the whole state directory
	# goes (the database with its marker file: removing kiosk.db alone
	# would make kioskd refuse to start, as it must on a real kiosk).
	rm -rf "$state"
	mkdir -p "$state"
	export MOTCUA_SOCKET="$state/kioskd.sock"
	log "starting the counter units (tools/unitsim) on a pty pair"
	exec 3<&0
	"$b/tools/unitsim" --units 1-3 --baud 19200 --link "$state/bus" --stay <&3 &
	UPID=$!
	DPID=
	for _ in $(seq 50); do [[ -L $state/bus ]] && break; sleep 0.1; done
	log "starting kioskd in simulator mode (Ctrl-C stops it)"
	"$b/firmware/kioskd" --board "$ROOT/tools/sim/board.conf" --state-dir "$state" \
		--socket "$MOTCUA_SOCKET" --sim --bus-device "$state/bus" &
	KPID=$!
	trap 'kill $KPID $UPID $DPID 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
	for _ in $(seq 50); do [[ -S $MOTCUA_SOCKET ]] && break; sleep 0.1; done
	cat >&2 <<EOT

  The simulated office is open. A demo citizen takes a ticket every few seconds
  and the clerks call numbers. Try it yourself in another terminal:
    export MOTCUA_SOCKET=$MOTCUA_SOCKET
    $b/tools/kioskctl press civil
    $b/tools/kioskctl counter 1 next
    $b/tools/kioskctl status
    $b/tools/kioskctl bus status
    $b/tools/kioskctl screenshot /tmp/kiosk.png    # what the touch screen shows
    $b/tools/kioskctl announce 1023 3     # voice (no sound card: $state/voice/call-NNNN.wav)

  The counter units' displays appear here as they change. Press their keys by
  typing in this terminal: '1 n' is NEXT at counter 1, '2 r' RECALL at 2,
  '3 p' PAUSE, '1 f' FINISH, '1 x' NO-SHOW, 'show' shows every display.

EOT
	/usr/bin/python3 "$ROOT/tools/sim/demo.py" --kioskctl "$b/tools/kioskctl" &
	DPID=$!
	wait $KPID
}

# Cross-build the kiosk's arm64 package (tools/pkg/toolchain-arm64.cmake).
cross_build() {
	local dir="$ROOT/build-arm64" libs=()
	if [[ $(id -u) -ne 0 ]]; then
		echo "run as root (or with sudo): the cross toolchain and :arm64 libraries are installed" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "adding the arm64 architecture"
		dpkg --add-architecture arm64
	fi
	apt-get update -qq
	# Every library the build links: the -dev packages of tools/deps/*.txt.
	mapfile -t libs < <(cat "$ROOT"/tools/deps/*.txt | sed 's/#.*//' | tr -s ' \t' '\n' |
		grep -E '^lib.*-dev$' | sort -u | sed 's/$/:arm64/')
	log "installing crossbuild-essential-arm64 and ${#libs[@]} :arm64 libraries"
	apt-get install -y -qq --no-install-recommends crossbuild-essential-arm64 "${libs[@]}" >/dev/null
	# Build-machine tools first (the clip generator), then the kiosk's tree.
	configure_build "$ROOT/build"
	cmake -S "$ROOT" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$ROOT/tools/pkg/toolchain-arm64.cmake" \
		-DMC_HOST_CLIPTOOL="$ROOT/build/tools/clips/mc-cliptool" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null
	cmake --build "$dir" -j "$JOBS"
	(cd "$dir" && cpack -G DEB)
	log "arm64 package: $(ls "$dir"/pkg/*.deb)"
	file "$dir/firmware/kioskd"
}

cmd="${1:-}"
case "$cmd" in
deps)
	deps
	;;
run)
	deps
	configure_build "$ROOT/build"
	run_sim
	;;
test)
	deps
	log "normal build"
	configure_build "$ROOT/build"
	log "tests: normal build"
	(cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS" --timeout 900)
	log "sanitizer build (address + undefined)"
	configure_build "$ROOT/build-asan" -DMC_SANITIZE=ON
	log "tests: sanitizer build"
	(cd "$ROOT/build-asan" && ctest --output-on-failure -j "$JOBS" --timeout 1800)
	;;
cross)
	deps
	cross_build
	;;
bench)
	deps
	configure_build "$ROOT/build"
	log "bench-ticket.py: the ticket path (about 3 minutes)"
	/usr/bin/python3 "$ROOT/tests/bench/bench-ticket.py" "$ROOT/build/firmware/kioskd" \
		"$ROOT/build/tests/bench/bench-render"
	if [[ ${2:-} == all ]]; then
		for b in "$ROOT"/build/tests/bench/bench-*; do
			[[ -x $b && $b != *bench-render ]] || continue
			log "$(basename "$b")"
			"$b"
		done
	fi
	;;
*)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	[[ -z $cmd ]] && exit 2
	echo "unknown command: $cmd" >&2
	exit 2
	;;
esac
