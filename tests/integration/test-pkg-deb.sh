#!/bin/bash
# test-pkg-deb.sh — the Debian package builds with CPack and holds every file
# it must; board.conf is a conffile; the maintainer scripts give the kiosk
# user the device groups this system has; the unit passes
# `systemd-analyze verify` (binary and man pages resolved from the package);
# the man pages render without warnings.
#
# Usage: test-pkg-deb.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "$1" && pwd)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
T=$(mktemp -d /tmp/mc-deb.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 0. cpack packages what the tree holds and builds nothing (CMakeLists.txt:
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY): other tests exec this tree's kioskd
# and unitsim while this one runs, and a relink under them made them fail
# at once. cpack runs the preinstall target; it must not depend on 'all'.
if [[ -f $BUILD/Makefile ]]; then
	grep -Eq '^preinstall:' "$BUILD/Makefile" || fail "no preinstall target in $BUILD/Makefile"
	if grep -Eq '^preinstall:.*(^|[[:space:]])all([[:space:]]|$)' "$BUILD/Makefile"; then
		fail "cpack's preinstall target depends on 'all': it would rebuild the tree under the running tests"
	fi
fi

# 1. Build the package into a private directory.
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/out" >"$T/cpack.log" 2>&1 ||
	{ cat "$T/cpack.log"; fail "cpack -G DEB failed"; }
deb=$(ls "$T"/out/motcua_*.deb 2>/dev/null | head -n 1)
[[ -f $deb ]] || fail "no motcua_*.deb produced"
echo "built $(basename "$deb")"

# 2. Every file.
dpkg-deb -c "$deb" >"$T/listing"
awk '{ print $6 }' "$T/listing" | sed 's|^\./|/|' >"$T/files"
for f in /usr/sbin/kioskd /usr/bin/kioskctl /etc/motcua/board.conf \
	/lib/systemd/system/motcua-kioskd.service /lib/udev/rules.d/60-motcua.rules \
	/usr/share/man/man8/kioskd.8.gz /usr/share/man/man1/kioskctl.1.gz \
	/usr/share/man/man5/board.conf.5.gz /usr/lib/motcua/tryboot-backend \
	/usr/lib/motcua/screen.so /usr/lib/motcua/printer-cups.so /usr/lib/motcua/uplink.so \
	/usr/share/doc/motcua/examples/rauc/system.conf /lib/systemd/system-generators/motcua-trial-generator \
	/lib/systemd/system.conf.d/60-motcua-watchdog.conf /lib/systemd/system/motcua-trial-watch.service \
	/usr/lib/motcua/motcua-trial-watch; do
	grep -qx "$f" "$T/files" || fail "$f is not in the package"
done
grep -q '^-rwxr-xr-x .* \./usr/sbin/kioskd$' "$T/listing" || fail "kioskd is not executable"
grep -q '^-rwxr-xr-x .* \./lib/systemd/system-generators/motcua-trial-generator$' "$T/listing" ||
	fail "the trial generator is not executable"
grep -q '^-rwxr-xr-x .* \./usr/lib/motcua/motcua-trial-watch$' "$T/listing" ||
	fail "the trial watch is not executable"
# The licence, as Debian's copyright file says it.
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/doc/motcua/copyright >"$T/copyright" ||
	fail "/usr/share/doc/motcua/copyright is not in the package"
grep -qx 'License: Apache-2.0' "$T/copyright" || fail "the copyright file names no Apache-2.0 licence"

# 3. Control data: conffile, dependencies, maintainer scripts.
mkdir "$T/ctl"
dpkg-deb -e "$deb" "$T/ctl"
grep -qx /etc/motcua/board.conf "$T/ctl/conffiles" || fail "board.conf is not a conffile"
dep=$(dpkg-deb -f "$deb" Depends)
# libsdl2, libcups2 and libpq5 come from the modules (dpkg-shlibdeps reads them too).
for lib in libsqlite3-0 libsystemd0 libjansson4 libinih1 libsdl2 libcups2 libpq5; do
	[[ $dep == *"$lib"* ]] || fail "Depends lacks $lib: $dep"
done
# RAUC 1.8 needs unsquashfs to read a plain bundle; Debian's rauc does not
# pull it in.
rec=$(dpkg-deb -f "$deb" Recommends)
for p in rauc rauc-service squashfs-tools; do
	[[ ,$rec, == *[,\ ]$p[,\ ]* ]] || fail "Recommends lacks $p: $rec"
done
arch=$(dpkg-deb -f "$deb" Architecture)
# The tree's own architecture (arm64 in a cross tree), as CPack was told.
want=$(sed -n 's/^set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
[[ $arch == "${want:-$(dpkg --print-architecture)}" ]] || fail "Architecture $arch, want ${want:-native}"
for s in postinst prerm postrm; do
	[[ -x $T/ctl/$s ]] || fail "no executable $s"
	sh -n "$T/ctl/$s" || fail "$s has a syntax error"
done

# 4. postinst configure on a pretend system: fake account and device tools
# record what they are asked; groups lp dialout audio video input exist,
# gpio does not.
mkdir "$T/bin"
for tool in groupadd useradd usermod chown chmod mkdir udevadm deb-systemd-helper \
	deb-systemd-invoke systemctl; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexit 0\n' "$tool" "$T" >"$T/bin/$tool"
done
cat >"$T/bin/getent" <<EOT
#!/bin/sh
echo "getent \$*" >>"$T/calls"
case "\$1 \$2" in
"group lp"|"group dialout"|"group audio"|"group video"|"group input") exit 0 ;;
*) exit 2 ;;
esac
EOT
chmod +x "$T"/bin/*
PATH="$T/bin:$PATH" sh "$T/ctl/postinst" configure "" || fail "postinst configure failed"
grep -q '^groupadd --system kiosk$' "$T/calls" || fail "postinst did not create group kiosk"
grep -q '^useradd --system --gid kiosk --home-dir /var/lib/motcua' "$T/calls" ||
	fail "postinst did not create user kiosk"
for g in lp dialout audio video input; do
	grep -q "^usermod -a -G $g kiosk$" "$T/calls" || fail "kiosk not added to $g"
done
grep -q "^usermod -a -G gpio kiosk$" "$T/calls" && fail "kiosk added to a gpio group that does not exist"
grep -q '^chown kiosk:kiosk /var/lib/motcua$' "$T/calls" || fail "state dir not given to kiosk"
grep -q '^deb-systemd-helper enable motcua-kioskd.service$' "$T/calls" || fail "unit not enabled"

# 5. The unit: sandboxing and watchdog as promised, and systemd-analyze verify
# with the packaged binary and man pages.
mkdir "$T/root"
dpkg-deb -x "$deb" "$T/root"
unit=$T/root/lib/systemd/system/motcua-kioskd.service
for want in Type=notify WatchdogSec= Restart=always ProtectSystem=strict NoNewPrivileges=yes \
	ReadWritePaths=/var/lib/motcua RuntimeDirectory=motcua StateDirectory=motcua \
	DevicePolicy=closed DeviceAllow=char-usb_device User=kiosk; do
	grep -q "^$want" "$unit" || fail "unit lacks $want"
done
mkdir "$T/unit"
sed "s|/usr/sbin/kioskd|$T/root/usr/sbin/kioskd|" "$unit" >"$T/unit/motcua-kioskd.service"
if ! MANPATH="$T/root/usr/share/man" systemd-analyze verify "$T/unit/motcua-kioskd.service" \
	>"$T/verify.log" 2>&1 || [[ -s $T/verify.log ]]; then
	cat "$T/verify.log"
	fail "systemd-analyze verify found problems in the unit"
fi
echo "systemd-analyze verify: clean"
# The sandbox's exposure as systemd rates it: "OK" is at most 3.9.
score=$(systemd-analyze security --offline=true --no-pager "$T/unit/motcua-kioskd.service" 2>&1 |
	sed -n 's/.*Overall exposure level for motcua-kioskd.service: \([0-9.]*\).*/\1/p')
[[ -n $score ]] || fail "systemd-analyze security gave no exposure level"
awk -v s="$score" 'BEGIN { exit !(s < 4.0) }' || fail "sandbox exposure $score is not OK (< 4.0)"
echo "systemd-analyze security: exposure $score"
"$T/root/usr/sbin/kioskd" --version | grep -q '^kioskd ' || fail "packaged kioskd does not run"
# Data paths compiled into kioskd (the voice clips) exist in the package.
for dir in $(grep -ao '/[a-z0-9/_.-]*share/motcua/[a-z0-9/_.-]*' "$T/root/usr/sbin/kioskd" | sort -u); do
	[[ -d $T/root$dir ]] || fail "kioskd looks in $dir, which the package does not install"
	[[ -n $(ls -A "$T/root$dir") ]] || fail "$dir is empty in the package"
	echo "kioskd's $dir is in the package"
done

# 6. Man pages render without warnings.
for m in man8/kioskd.8.gz man1/kioskctl.1.gz man5/board.conf.5.gz; do
	out=$(MANWIDTH=80 man --warnings -l "$T/root/usr/share/man/$m" 2>&1 >/dev/null)
	[[ -z $out ]] || fail "man $m: $out"
done
echo "ok: package $(basename "$deb") complete, unit verified"
