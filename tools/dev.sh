#!/bin/bash
# tools/dev.sh — the developer's two commands, and a few more.
#
#   tools/dev.sh run     install missing packages, build, start the kiosk in
#                        simulator mode (tickets taken and numbers called live)
#   tools/dev.sh test    install missing packages; build and test the normal
#                        and sanitizer (ASan+UBSan) trees (whole suite each),
#                        Debian 13 (unit tests, in a cached root) and arm64
#                        (unit tests under qemu-user); one summary line each
#        test --quick    only the native normal tree
#                        and the lab's smoke scenario (QEMU)
#        test --all      every platform's whole suite and every lab scenario,
#                        with a new seed (MC_TEST_SEED, printed) for every
#                        random test
#   tools/dev.sh test-debian13 [--unit]  normal and sanitizer trees and the
#                        whole suite in a Debian 13 root (build/cache/)
#   tools/dev.sh test-arm64 [--unit]     cross-build, run the tests of the
#                        arm64 tree under qemu-user
#   tools/dev.sh packages  .debs for Debian 12 and 13, amd64 and arm64
#   tools/dev.sh bench   build, then print the ticket path's table (issue 16:
#                        press → answer, → paper, instructions, NEXT under
#                        load, flood memory, private memory), each figure
#                        against a baseline in the same run
#   tools/dev.sh bench all  the table, then every benchmark in tests/bench
#   tools/dev.sh deps    only install missing packages
#   tools/dev.sh fuzz [NAME] [SECONDS] [WORKERS]
#                        build the libFuzzer targets with clang (build-fuzz,
#                        ASan+UBSan) and fuzz NAME (socket, bus, status, wav,
#                        config, ticket; default all, one after the other)
#                        for SECONDS each (default 60), in WORKERS processes
#                        (default 1; several share the corpus, each logs to
#                        build-fuzz/fuzz-N.log); new inputs land in
#                        build-fuzz/corpus/NAME, crashers in build-fuzz/crashes/NAME
#   tools/dev.sh lab [--release trixie] [SCENARIO...]  the kiosk's .deb on a
#                        Debian 12 (or 13) image in QEMU under systemd
#                        (tests/lab: smoke, boot, usbprinter, sound, usbstick,
#                        touch, watchdog, ab; default every one, all but ab
#                        in one boot)
#   tools/dev.sh cross   build the arm64 .deb with Debian's cross compiler
#                        (adds the arm64 architecture and :arm64 -dev packages)
#   tools/dev.sh mutate [FILE...]  mutation run of the core (tools/mutate):
#                        score per file and each surviving mutant
#
# Packages are listed one per line in tools/deps/*.txt (per-release and
# host-only sections: see tools/platforms.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="$(nproc 2>/dev/null || echo 2)"
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian 13, arm64, packages of every platform, the test command.
. "$ROOT/tools/platforms.sh"

deps() {
	local want=() missing=()
	mapfile -t want < <(pkg_list "$(host_release)" host)
	# Installed for this machine's architecture (or all): a -dev package
	# that is not Multi-Arch: same (libpq-dev) is swapped for its :arm64
	# twin by the arm64 step, and must come back for the native builds.
	local arch
	arch=$(dpkg --print-architecture)
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status} ${Architecture}\n' "$p" 2>/dev/null |
			grep -Eq "ok installed ($arch|all)\$" || missing+=("$p")
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

# Builds only what the simulator needs (kioskd with its clips and
# catalogues, kioskctl, the counter units), quietly: the compiler's output
# goes to DIR/build.log and is shown only when the build fails.
build_sim() { # DIR
	local dir="$1"
	cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null
	log "building kioskd, kioskctl and the counter units (log: $dir/build.log)"
	if ! cmake --build "$dir" -j "$JOBS" --target kioskd kioskctl unitsim >"$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		echo "build failed: see $dir/build.log" >&2
		exit 1
	fi
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
	# The units read their keys from a pipe this script feeds (see below).
	rm -f "$state/keys"
	mkfifo "$state/keys"
	"$b/tools/unitsim" --units 1-3 --baud 19200 --link "$state/bus" --stay <"$state/keys" &
	UPID=$!
	exec 4>"$state/keys"
	DPID=
	for _ in $(seq 50); do [[ -L $state/bus ]] && break; sleep 0.1; done
	log "starting kioskd in simulator mode (Ctrl-C stops it)"
	"$b/firmware/kioskd" --board "$ROOT/tools/sim/board.conf" --state-dir "$state" \
		--socket "$MOTCUA_SOCKET" --sim --bus-device "$state/bus" &
	KPID=$!
	trap 'kill $KPID $UPID $DPID 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
	for _ in $(seq 50); do [[ -S $MOTCUA_SOCKET ]] && break; sleep 0.1; done
	try_it
	/usr/bin/python3 "$ROOT/tools/sim/demo.py" --kioskctl "$b/tools/kioskctl" &
	DPID=$!
	# Lines typed here go to the counter units, except 'help', which shows
	# the lines below again.
	while kill -0 "$KPID" 2>/dev/null && IFS= read -r line; do
		if [[ $line == help ]]; then
			try_it
		else
			printf '%s\n' "$line" >&4
		fi
	done
	# Input closed (run from a script or with </dev/null): the office goes
	# on until Ctrl-C or kioskd stops.
	wait "$KPID" 2>/dev/null || true
}

try_it() {
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
  '3 p' PAUSE, '1 f' FINISH, '1 x' NO-SHOW, 'show' shows every display;
  'help' shows these lines again. On a desktop the touch screen and the hall
  are windows (the mouse is the finger); without a display, look with
  kioskctl screenshot and touch with kioskctl tap X Y.

EOT
}

# Cross-build the kiosk's arm64 package (tools/pkg/toolchain-arm64.cmake).
cross_build() {
	local dir="$ROOT/build-arm64"
	arm64_host_tools
	arm64_deps
	arm64_build "$dir"
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
	build_sim "$ROOT/build"
	run_sim
	;;
test)
	if [[ ${2:-} == --all ]]; then
		MC_TEST_SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		export MC_TEST_SEED
		log "random tests seeded with MC_TEST_SEED=$MC_TEST_SEED (export it to replay)"
	fi
	test_command "${2:-}"
	;;
test-native)
	deps
	native_suite "${2:-normal}"
	;;
test-debian13)
	deps
	test_debian13 "$([[ ${2:-} == --unit ]] && echo unit || echo all)"
	;;
test-arm64)
	deps
	test_arm64 "$([[ ${2:-} == --unit ]] && echo unit || echo all)"
	;;
packages)
	deps
	build_packages
	;;
cross)
	deps
	cross_build
	;;
lab)
	shift
	deps
	test_lab "$@"
	;;
mutate)
	shift
	exec nice -n 10 /usr/bin/python3 "$ROOT/tools/mutate/mutate.py" "$@"
	;;
fuzz)
	deps
	names="${2:-socket bus status wav config ticket}"
	secs="${3:-60}"
	workers="${4:-1}"
	log "fuzz build (clang, libFuzzer, address + undefined)"
	CC=clang cmake -S "$ROOT" -B "$ROOT/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DMC_SANITIZE=ON -DMC_LIBFUZZER=ON >/dev/null
	for n in $names; do
		cmake --build "$ROOT/build-fuzz" -j "$JOBS" --target "fuzz-$n"
		work="$ROOT/build-fuzz/corpus/$n"
		mkdir -p "$work" "$ROOT/build-fuzz/crashes/$n"
		log "fuzz-$n for ${secs}s (seeds: tests/fuzz/corpus/$n; put crashers there)"
		# The socket target keeps a whole kiosk between inputs, the ticket
		# target a layout and fontconfig's caches (1.6 M allocations):
		# LeakSanitizer after each input would scan them all (leaks are
		# checked by the sanitizer build's corpus replay instead).
		# The socket target's inputs are a few request lines (the kiosk
		# keeps its state between inputs, so longer ones add little), and
		# its time goes to the allocator: no allocation stacks (a crasher's
		# stacks come from the gcc replay: build*/tests/fuzz/fuzz-socket-replay
		# FILE) and a 64 MB quarantine (use after free is still caught).
		extra=()
		asan="${ASAN_OPTIONS:-}"
		if [[ $n == socket ]]; then
			extra=(-detect_leaks=0 -max_len=512)
			asan="malloc_context_size=0:quarantine_size_mb=64${asan:+:$asan}"
		fi
		[[ $n == ticket ]] && extra=(-max_len=1500 -detect_leaks=0)
		if (( workers > 1 )); then
			extra+=(-jobs="$workers" -workers="$workers")
			rm -f "$ROOT"/build-fuzz/fuzz-*.log
		fi
		(cd "$ROOT/build-fuzz" && ASAN_OPTIONS="$asan" "$ROOT/build-fuzz/tests/fuzz/fuzz-$n" "${extra[@]}" \
			-max_total_time="$secs" -print_final_stats=1 \
			-artifact_prefix="$ROOT/build-fuzz/crashes/$n/" "$work" "$ROOT/tests/fuzz/corpus/$n")
		if (( workers > 1 )); then
			grep -h 'stat::number_of_executed_units' "$ROOT"/build-fuzz/fuzz-*.log || true
		fi
	done
	;;
bench)
	deps
	configure_build "$ROOT/build"
	log "bench-ticket.py: the ticket path (about 6 minutes)"
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
	sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'
	[[ -z $cmd ]] && exit 2
	echo "unknown command: $cmd" >&2
	exit 2
	;;
esac
