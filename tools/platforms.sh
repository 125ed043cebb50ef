# tools/platforms.sh — the other platforms of tools/dev.sh (sourced by it):
# Debian 13 in a cached root (mmdebstrap + chroot in a private mount
# namespace), arm64 through qemu-user, and the packages of every platform.
#
# Package lists: tools/deps/*.txt, one package a line. A comment line
# `# release: NAME` starts a section whose packages are only for Debian
# release NAME (bookworm, trixie); `# release: host` a section only for the
# machine that runs dev.sh (never inside the Debian 13 root);
# `# release: any` goes back to every release. A file starts with `any`.

# Packages of the lists for release REL, as installed WHERE (host: on the
# machine running dev.sh; root: inside a release root).
pkg_list() { # REL WHERE
	awk -v rel="$1" -v where="$2" '
		FNR == 1 { sec = "any" }
		/^#[ \t]*release:/ { sec = $3; next }
		{ sub(/#.*/, "") }
		{ for (i = 1; i <= NF; i++)
			if (sec == "any" || sec == rel || (sec == "host" && where == "host")) print $i }
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
# unit tests) or all (normal and sanitizer trees, whole suite each).
test_debian13() { # WHAT
	local what="$1" regex=()
	d13_root
	[[ $what == unit ]] && regex=(-L unit)
	log "Debian 13: normal build (gcc $(d13_chroot gcc -dumpfullversion), $(d13_chroot pkg-config --modversion libgpiod | sed 's/^/libgpiod /'))"
	d13_chroot /bin/bash -c 'cd /src && cmake -S . -B build/debian13/normal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON >/dev/null &&
		nice -n 10 cmake --build build/debian13/normal -j "$1"' _ "$JOBS"
	log "Debian 13: tests, normal build ${regex[*]}"
	d13_chroot /bin/bash -c 'cd /src/build/debian13/normal && nice -n 10 ctest --output-on-failure -j "$1" --timeout 900 "${@:2}"' \
		_ "$JOBS" "${regex[@]}"
	[[ $what == all ]] || return 0
	log "Debian 13: sanitizer build"
	d13_chroot /bin/bash -c 'cd /src && cmake -S . -B build/debian13/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_WERROR=ON -DMC_SANITIZE=ON >/dev/null &&
		nice -n 10 cmake --build build/debian13/asan -j "$1"' _ "$JOBS"
	log "Debian 13: tests, sanitizer build"
	d13_chroot /bin/bash -c 'cd /src/build/debian13/asan && nice -n 10 ctest --output-on-failure -j "$1" --timeout 1800' _ "$JOBS"
}
