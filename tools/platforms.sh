# tools/platforms.sh — the other platforms of tools/dev.sh (sourced by it):
# Debian 13 in a cached root (mmdebstrap + chroot in a private mount
# namespace), arm64 through qemu-user, and the packages of every platform.
#
# Package lists: tools/deps/*.txt, one package a line. A comment line
# `# release: NAME` starts a section whose packages are only for Debian
# release NAME (bookworm, trixie); `# release: host` a section only for the
# machine that runs dev.sh (never inside the Debian 13 root);
# `# release: arm64` a section of :arm64 packages the arm64 tests need on
# that machine besides the lists' lib*-dev; `# release: any` goes back to
# every release. A file starts with `any`.

# Packages of the lists for release REL, as installed WHERE (host: on the
# machine running dev.sh; root: inside a release root; arm64: the :arm64
# packages for the cross build and its tests, named without :arm64).
pkg_list() { # REL WHERE
	awk -v rel="$1" -v where="$2" '
		FNR == 1 { sec = "any" }
		/^#[ \t]*release:/ { sec = $3; next }
		{ sub(/#.*/, "") }
		{ for (i = 1; i <= NF; i++) {
			rels = (sec == "any" || sec == rel)
			if (where == "arm64")
				want = (sec == "arm64" || (rels && $i ~ /^lib.*-dev$/))
			else
				want = (rels || (sec == "host" && where == "host"))
			if (want)
				print $i
		} }
	' "$ROOT"/tools/deps/*.txt | sort -u
}

# This machine's Debian release name (bookworm, trixie).
host_release() {
	(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
}

# The Debian mirror this machine's apt uses (first URIs/deb line), so the
# Debian 13 root comes from the same archive.
debian_mirror() {
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }')
	[[ -n $m ]] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')
	echo "${m:-http://deb.debian.org/debian}"
}

need_root() {
	if [[ $(id -u) -ne 0 ]]; then
		echo "run as root (or with sudo): $*" >&2
		exit 1
	fi
}

# ---- Debian 13 (trixie) in a root under build/cache ---------------------

D13_ROOT="$ROOT/build/cache/debian13-root"

# Makes the Debian 13 root, or brings its packages up to the lists. The
# root is made once (mmdebstrap, minbase, no recommends: the lists name what
# the tests need) and kept; a changed list only installs what is missing.
d13_root() {
	local pk=() stamp mirror
	need_root "the Debian 13 root is made with mmdebstrap and entered with chroot"
	mapfile -t pk < <(pkg_list trixie root)
	stamp=$(printf '%s\n' "${pk[@]}" | sha1sum | cut -c1-16)
	if [[ -f $D13_ROOT/.motcua-packages && $(cat "$D13_ROOT/.motcua-packages") == "$stamp" ]]; then
		return 0
	fi
	if [[ -x $D13_ROOT/usr/bin/apt-get ]]; then
		log "Debian 13 root: installing what the lists added"
		cp /etc/resolv.conf "$D13_ROOT/etc/resolv.conf" 2>/dev/null || true
		d13_chroot /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null' \
			sh "${pk[@]}"
	else
		mirror=$(debian_mirror)
		log "Debian 13 root: mmdebstrap trixie from $mirror (${#pk[@]} packages, once; cached in build/cache)"
		rm -rf "$D13_ROOT.new"
		mkdir -p "$(dirname "$D13_ROOT")"
		nice -n 10 mmdebstrap --variant=minbase --mode=root --quiet \
			--aptopt='Acquire::Languages "none"' \
			--include="$(IFS=,; echo "${pk[*]}")" \
			trixie "$D13_ROOT.new" "deb $mirror trixie main"
		rm -rf "$D13_ROOT"
		mv "$D13_ROOT.new" "$D13_ROOT"
	fi
	echo "$stamp" >"$D13_ROOT/.motcua-packages"
}

# Runs a command inside the Debian 13 root: a private mount and pid
# namespace (nothing stays mounted afterwards), the source tree at /src,
# fresh /proc, /tmp and /run, the machine's /dev and /sys.
d13_chroot() { # CMD ARGS...
	local r="$D13_ROOT"
	mkdir -p "$r/src"
	unshare --mount --pid --fork --propagation private /bin/bash -c '
		set -e
		r=$1 src=$2; shift 2
		mount --rbind /dev "$r/dev"
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
		mount -t tmpfs tmpfs "$r/run"
		mount --bind "$src" "$r/src"
		exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' _ "$r" "$ROOT" "$@"
}

# Builds and tests inside the Debian 13 root. WHAT: unit (the normal tree's
# unit tests, tests/unit) or all (normal and sanitizer trees, whole suite
# each).
test_debian13() { # WHAT
	local what="$1" sub= rc=0
	d13_root
	[[ $what == unit ]] && sub=/tests/unit
	log "Debian 13: normal build (gcc $(d13_chroot gcc -dumpfullversion), $(d13_chroot pkg-config --modversion libgpiod | sed 's/^/libgpiod /'))"
	d13_chroot /bin/bash -c 'cd /src && cmake -S . -B build/debian13/normal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null &&
		nice -n 10 cmake --build build/debian13/normal -j "$1"' _ "$JOBS"
	log "Debian 13: tests, normal build ($what)"
	d13_chroot /bin/bash -c 'cd "/src/build/debian13/normal$2" && nice -n 10 ctest --output-on-failure -j "$1" --timeout 900' \
		_ "$JOBS" "$sub" || rc=1
	[[ $what == all ]] || return "$rc"
	log "Debian 13: sanitizer build"
	d13_chroot /bin/bash -c 'cd /src && cmake -S . -B build/debian13/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON -DMC_SANITIZE=ON >/dev/null &&
		nice -n 10 cmake --build build/debian13/asan -j "$1"' _ "$JOBS"
	log "Debian 13: tests, sanitizer build"
	d13_chroot /bin/bash -c 'cd /src/build/debian13/asan && nice -n 10 ctest --output-on-failure -j "$1" --timeout 1800' _ "$JOBS" || rc=1
	return "$rc"
}

# ---- arm64: the cross build, its tests under qemu-user ------------------

# The cross compiler and the :arm64 libraries (multiarch) for this
# machine's release; libc6:arm64 comes with them, so qemu-aarch64 finds
# /lib/ld-linux-aarch64.so.1 without -L.
arm64_deps() {
	local libs=() missing=()
	need_root "the cross toolchain and :arm64 libraries are installed"
	export DEBIAN_FRONTEND=noninteractive
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "adding the arm64 architecture"
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
	# libpq-dev is not Multi-Arch: same: its :arm64 twin would replace the
	# native one, and every native build on this machine (other sessions',
	# CI's) would fail until it came back. Its runtime (libpq5:arm64) is
	# installed; the -dev part is unpacked into the arm64 tree instead
	# (arm64_libpq_dev).
	mapfile -t libs < <(pkg_list "$(host_release)" arm64 | sed -e 's/^libpq-dev$/libpq5/' -e 's/$/:arm64/')
	for p in crossbuild-essential-arm64 qemu-user "${libs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	log "installing ${#missing[@]} packages for arm64 (cross compiler, :arm64 libraries, qemu-user)"
	apt-get update -qq
	nice -n 10 apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# libpq-dev:arm64 unpacked into DIR (not installed: see arm64_deps), its
# pkg-config file pointing there, libpq.so at libpq5:arm64's library.
# Its Requires.private (libssl and libcrypto in 15.20's, for static
# linking only) is dropped: kioskd links libpq5 dynamically, and pkg-config
# would otherwise want libssl-dev:arm64, which nothing here installs.
# Prints the folder of that libpq.pc (the toolchain's MC_ARM64_PKGCONFIG).
arm64_libpq_dev() { # DIR
	local dir="$1" deb ver
	ver="$(dpkg-query -W -f='${Version}' libpq5:arm64) shared-only"
	if [[ ! -f $dir/.version || $(cat "$dir/.version") != "$ver" ]]; then
		rm -rf "$dir"
		mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download -q "libpq-dev:arm64=${ver% *}" >/dev/null 2>&1)
		deb=$(ls "$dir"/deb/libpq-dev_*_arm64.deb)
		dpkg-deb -x "$deb" "$dir/root"
		ln -sf /usr/lib/aarch64-linux-gnu/libpq.so.5 "$dir/root/usr/lib/aarch64-linux-gnu/libpq.so"
		sed -i -e "s|^prefix=/usr\$|prefix=$dir/root/usr|" -e '/^Requires.private:/d' \
			"$dir/root/usr/lib/aarch64-linux-gnu/pkgconfig/libpq.pc"
		echo "$ver" >"$dir/.version"
	fi
	echo "$dir/root/usr/lib/aarch64-linux-gnu/pkgconfig"
}

# Lets the kernel run arm64 programs through qemu-aarch64 (binfmt_misc),
# so tests that start an arm64 program from another (Python starting
# kioskd, kioskd starting a helper) run it emulated too. Registered once
# for the machine; F: the emulator is opened now, so it works in any root.
arm64_binfmt() {
	local bm=/proc/sys/fs/binfmt_misc qemu
	qemu=$(command -v qemu-aarch64)
	[[ -e $bm/qemu-aarch64 ]] && return 0
	[[ -e $bm/register ]] || mount -t binfmt_misc binfmt_misc "$bm"
	log "registering qemu-aarch64 with binfmt_misc"
	printf '%s' ":qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$qemu:F" >"$bm/register"
}

# The build machine's clip generator, built before the :arm64 packages go
# in: libpq-dev is not Multi-Arch: same, so its :arm64 twin replaces the
# native one until the next native step's deps put it back.
arm64_host_tools() {
	configure_build "$ROOT/build"
}

# Configures and builds the arm64 tree (tools/pkg/toolchain-arm64.cmake),
# with the clip generator of arm64_host_tools.
arm64_build() { # DIR
	local dir="$1" pc
	mkdir -p "$dir"
	pc=$(arm64_libpq_dev "$dir/libpq-dev-arm64")
	cmake -S "$ROOT" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$ROOT/tools/pkg/toolchain-arm64.cmake" \
		-DMC_HOST_CLIPTOOL="$ROOT/build/tools/clips/mc-cliptool" -DMC_ARM64_PKGCONFIG="$pc" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null
	nice -n 10 cmake --build "$dir" -j "$JOBS"
}

# Runs the arm64 tree's tests under qemu-user. WHAT: unit (tests/unit) or
# all (the whole suite; the Python peers, tesseract, cupsd and pymodbus run
# natively against the emulated kioskd).
test_arm64() { # WHAT
	local what="$1" dir="$ROOT/build-arm64"
	arm64_host_tools
	arm64_deps
	arm64_binfmt
	arm64_build "$dir"
	log "arm64: tests under qemu-user ($what)"
	[[ $what == unit ]] && dir="$dir/tests/unit"
	(cd "$dir" && nice -n 10 ctest --output-on-failure -j "$JOBS" --timeout 1800)
}

# ---- packages of every platform ------------------------------------------

# Cross-builds arm64 inside the Debian 13 root (its cross compiler and
# :arm64 libraries, installed there on first use).
d13_arm64_deps() {
	local libs=()
	mapfile -t libs < <(pkg_list trixie arm64 | sed 's/$/:arm64/')
	d13_chroot /bin/bash -c '
		export DEBIAN_FRONTEND=noninteractive
		missing=()
		for p in crossbuild-essential-arm64 "$@"; do
			dpkg-query -W -f="\${Status}" "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
		done
		((${#missing[@]})) || exit 0
		dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
		apt-get update -qq
		nice -n 10 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	' _ "${libs[@]}"
}

# .debs for Debian 12 and 13, amd64 and arm64, into build/packages/. Each
# is cut by CPack with dpkg-shlibdeps, so its Depends come from the
# libraries its binaries link on that release.
build_packages() {
	local out="$ROOT/build/packages"
	mkdir -p "$out"
	rm -f "$out"/*.deb
	log "packages: Debian 12 amd64"
	configure_build "$ROOT/build"
	(cd "$ROOT/build" && cpack -G DEB >/dev/null)
	cp "$ROOT"/build/pkg/motcua_*.deb "$out/"
	log "packages: Debian 12 arm64"
	arm64_deps
	arm64_build "$ROOT/build-arm64"
	(cd "$ROOT/build-arm64" && cpack -G DEB >/dev/null)
	cp "$ROOT"/build-arm64/pkg/motcua_*.deb "$out/"
	log "packages: Debian 13 amd64 and arm64"
	d13_root
	cp /etc/resolv.conf "$D13_ROOT/etc/resolv.conf" 2>/dev/null || true
	d13_arm64_deps
	d13_chroot /bin/bash -c '
		set -e
		cd /src
		rm -f build/debian13/normal/pkg/*.deb build/debian13/arm64/pkg/*.deb
		cmake -S . -B build/debian13/normal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null
		nice -n 10 cmake --build build/debian13/normal -j "$1" >/dev/null
		(cd build/debian13/normal && cpack -G DEB >/dev/null)
		cmake -S . -B build/debian13/arm64 -DCMAKE_TOOLCHAIN_FILE=/src/tools/pkg/toolchain-arm64.cmake \
			-DMC_HOST_CLIPTOOL=/src/build/debian13/normal/tools/clips/mc-cliptool \
			-DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null
		nice -n 10 cmake --build build/debian13/arm64 -j "$1" >/dev/null
		(cd build/debian13/arm64 && cpack -G DEB >/dev/null)
	' _ "$JOBS"
	cp "$ROOT"/build/debian13/normal/pkg/motcua_*.deb "$ROOT"/build/debian13/arm64/pkg/motcua_*.deb "$out/"
	for deb in "$out"/*.deb; do
		printf '%s\n    Depends: %s\n' "$(basename "$deb")" "$(dpkg-deb -f "$deb" Depends)"
	done
}

# ---- the test command: every platform, one summary line each -------------

RESULTS=()
TIMES=()

# Runs `tools/dev.sh ARGS` (a fresh shell, so a failed build stops its
# step) and records "NAME: N passed, N failed" from ctest's closing line; a
# step without one (build or set-up failed) counts as one failure.
ctest_step() { # NAME ARGS...
	local name="$1" logf rc=0 total failed t0=$SECONDS
	shift
	logf=$(mktemp /tmp/motcua-test.XXXXXX)
	"$BASH" "$ROOT/tools/dev.sh" "$@" 2>&1 | tee "$logf" || rc=$?
	TIMES+=("$name: $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s")
	# Summed over the step's ctest runs (Debian 13: normal and sanitizer).
	total=$(sed -n 's/.*tests passed, \([0-9]*\) tests* failed out of \([0-9]*\).*/\2/p' "$logf" | awk '{ n += $1; k++ } END { if (k) print n }')
	failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests* failed out of \([0-9]*\).*/\1/p' "$logf" | awk '{ n += $1; k++ } END { if (k) print n }')
	rm -f "$logf"
	if [[ -z $total || $rc -ne 0 && $failed -eq 0 ]]; then
		total=$((${total:-0} + 1)) failed=$((${failed:-0} + 1)) # the build or set-up failed
		((rc)) || rc=1
	fi
	RESULTS+=("$name: $((total - failed)) passed, $failed failed")
	return "$rc"
}

# tools/dev.sh test [--quick|--all]: the native normal tree (--quick: only
# that); then the sanitizer tree, Debian 13's unit tests and the arm64 unit
# tests under qemu-user; --all: every platform's whole suite.
test_command() { # [--quick|--all]
	local mode="${1:-}" rc=0 arch
	arch=$(dpkg --print-architecture)
	deps
	ctest_step "debian12-$arch" test-native normal || rc=1
	if [[ $mode != --quick ]]; then
		ctest_step "debian12-$arch-sanitizer" test-native asan || rc=1
		if [[ $mode == --all ]]; then
			ctest_step "debian13-$arch" test-debian13 || rc=1
			ctest_step "debian12-arm64-qemu" test-arm64 || rc=1
			ctest_step "lab-qemu" lab || rc=1
		else
			ctest_step "debian13-$arch-unit" test-debian13 --unit || rc=1
			ctest_step "debian12-arm64-qemu-unit" test-arm64 --unit || rc=1
			ctest_step "lab-qemu-smoke" lab smoke || rc=1
		fi
	fi
	echo
	log "time per platform (including builds and set-up)"
	printf '  %s\n' "${TIMES[@]}"
	log "summary, one line per platform"
	printf '%s\n' "${RESULTS[@]}"
	return "$rc"
}

# The native suites: the normal or the sanitizer tree, whole suite.
native_suite() { # normal|asan
	if [[ $1 == normal ]]; then
		log "normal build"
		configure_build "$ROOT/build"
		log "tests: normal build"
		(cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS" --timeout 900 -LE lab)
	else
		log "sanitizer build (address + undefined)"
		configure_build "$ROOT/build-asan" -DMC_SANITIZE=ON
		log "tests: sanitizer build"
		(cd "$ROOT/build-asan" && ctest --output-on-failure -j "$JOBS" --timeout 1800 -LE lab)
	fi
}

# The lab (tests/lab): the kiosk's .deb on a Debian image in QEMU, ctest
# tests in the normal tree (MC_LAB=ON): label lab (every scenario: all but ab
# in one boot, then ab), label lab-one (one scenario a test, each booting).
test_lab() { # [--release bookworm|trixie] [SCENARIO...]; none: every scenario (lab-devices: all but ab in one boot; lab-ab)
	local release=bookworm
	if [[ ${1:-} == --release ]]; then
		release="${2:?--release bookworm|trixie}"
		shift 2
	fi
	configure_build "$ROOT/build" -DMC_LAB=ON
	local sel=(-L '^lab$')
	if (($#)); then
		local re
		re="$(printf '%s|' "$@")"
		sel=(-R "^lab-(${re%|})\$")
	fi
	if [[ $release == trixie ]]; then
		# Debian 13's image takes Debian 13's package (its Depends name
		# Debian 13's libraries), built in the cached Debian 13 root.
		d13_root
		log "lab: the Debian 13 package (built in $D13_ROOT)"
		d13_chroot /bin/bash -c '
			set -e
			cd /src
			rm -f build/debian13/normal/pkg/*.deb
			cmake -S . -B build/debian13/normal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null
			nice -n 5 cmake --build build/debian13/normal -j "$1" >/dev/null
			(cd build/debian13/normal && cpack -G DEB >/dev/null)
		' _ "$JOBS"
		local deb
		deb="$(ls "$ROOT"/build/debian13/normal/pkg/motcua_*.deb | head -1)"
		(cd "$ROOT/build" && MC_LAB_RELEASE=trixie MC_LAB_DEB="$deb" ctest --output-on-failure "${sel[@]}")
		return
	fi
	(cd "$ROOT/build" && ctest --output-on-failure "${sel[@]}")
}
