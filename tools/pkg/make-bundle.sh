#!/bin/bash
# make-bundle.sh — builds a signed RAUC update bundle from a root file
# system image, for the kiosk's A/B slots (tools/pkg/rauc/system.conf).
#
#   tools/pkg/make-bundle.sh [options] ROOTFS.ext4 OUT.raucb
#
#   --compatible STR   the board family (default motcua-rpi4-arm64; must equal
#                      the kiosk's system.conf [system] compatible)
#   --version V        bundle version (default: the project's version)
#   --boot BOOT.vfat   also update the slot's boot (firmware) partition
#   --keydir DIR       signing key and certificate (default tools/pkg/keys);
#                      a DEVELOPMENT key pair is created there when missing
#   --key KEY --cert CERT   sign with these instead (the release key)
#   --squashfs ARGS    extra mksquashfs arguments (e.g. "-comp zstd"; the
#                      default is mksquashfs's gzip)
#
# The development key pair is never committed (tools/pkg/keys is in
# .gitignore). Its certificate, DIR/dev.cert.pem, is the keyring a
# development kiosk trusts (/etc/rauc/keyring.pem).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
compatible=motcua-rpi4-arm64
version=$(sed -n 's/^project(motcua VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
keydir="$ROOT/tools/pkg/keys"
key="" cert="" boot="" squashfs=""

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 && $1 == --* ]]; do
	case "$1" in
	--compatible) compatible="$2"; shift 2 ;;
	--version) version="$2"; shift 2 ;;
	--boot) boot="$2"; shift 2 ;;
	--keydir) keydir="$2"; shift 2 ;;
	--key) key="$2"; shift 2 ;;
	--cert) cert="$2"; shift 2 ;;
	--squashfs) squashfs="$2"; shift 2 ;;
	--help) usage ;;
	*) echo "make-bundle.sh: unknown option $1" >&2; usage ;;
	esac
done
[[ $# -eq 2 ]] || usage
rootfs="$1" out="$2"
[[ -f $rootfs ]] || { echo "make-bundle.sh: no root image '$rootfs'" >&2; exit 1; }
[[ -z $boot || -f $boot ]] || { echo "make-bundle.sh: no boot image '$boot'" >&2; exit 1; }
command -v rauc >/dev/null || { echo "make-bundle.sh: rauc is not installed (apt-get install rauc)" >&2; exit 1; }

if [[ -z $key ]]; then
	key="$keydir/dev.key.pem" cert="$keydir/dev.cert.pem"
	if [[ ! -f $key || ! -f $cert ]]; then
		echo "make-bundle.sh: creating a DEVELOPMENT signing key in $keydir (never ship it)" >&2
		mkdir -p "$keydir"
		chmod 700 "$keydir"
		openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -sha256 \
			-keyout "$key" -out "$cert" \
			-subj "/O=motcua development/CN=motcua development update signing $(hostname)" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,digitalSignature,keyCertSign" 2>/dev/null
		chmod 600 "$key"
	fi
fi
[[ -n $cert ]] || { echo "make-bundle.sh: --key needs --cert" >&2; exit 2; }

# rauc bundle rewrites the manifest in its input folder: build it afresh.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/content"
ext="${rootfs##*.}"
cp "$rootfs" "$work/content/rootfs.$ext"
{
	printf '[update]\ncompatible=%s\nversion=%s\ndescription=motcua kiosk %s\nbuild=%s\n\n' \
		"$compatible" "$version" "$version" "$(date -u +%Y%m%d%H%M%S)"
	printf '[bundle]\nformat=plain\n\n'
	printf '[image.rootfs]\nfilename=rootfs.%s\n' "$ext"
} >"$work/content/manifest.raucm"
if [[ -n $boot ]]; then
	bext="${boot##*.}"
	cp "$boot" "$work/content/boot.$bext"
	printf '\n[image.boot]\nfilename=boot.%s\n' "$bext" >>"$work/content/manifest.raucm"
fi
rm -f "$out"
rauc bundle --cert="$cert" --key="$key" ${squashfs:+--mksquashfs-args="$squashfs"} "$work/content" "$out" >&2
echo "$out"
