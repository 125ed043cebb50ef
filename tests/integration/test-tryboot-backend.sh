#!/bin/bash
# test-tryboot-backend.sh — the Raspberry Pi tryboot bootloader backend for
# RAUC (tools/pkg/rauc/tryboot-backend) on a directory standing in for the
# autoboot partition: the answers RAUC reads, the autoboot.txt the firmware
# reads, and the cases where the kiosk must not be left unbootable.
#
# Usage: test-tryboot-backend.sh SOURCE_DIR
set -euo pipefail
B="$1/tools/pkg/rauc/tryboot-backend"
T=$(mktemp -d /tmp/mc-tryboot.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export MOTCUA_TRYBOOT_DIR=$T/autoboot MOTCUA_TRYBOOT_DT=$T/dt MOTCUA_BOOT_ID=$T/dt/boot_id
mkdir -p "$T/autoboot" "$T/dt"

# The Pi firmware's facts: big-endian u32 files.
u32() { printf "\\x00\\x00\\x00\\x$(printf %02x "$2")" >"$T/dt/$1"; }
boot() { # PARTITION TRYBOOT(0|1) ID
	u32 partition "$1"
	u32 tryboot "$2"
	echo "$3" >"$T/dt/boot_id"
}
section() { # [all]|[tryboot] -> its boot_partition
	awk -F= -v s="$1" '/^\[/ { sect = $0 } sect == s && $1 == "boot_partition" { print $2 }' \
		"$T/autoboot/autoboot.txt"
}
expect() { # WHAT GOT WANT
	[[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
}

# Factory state: no autoboot.txt yet means A.
boot 2 0 boot-1
expect "primary at first" "$("$B" get-primary)" A
expect "current" "$("$B" get-current)" A
expect "state of A" "$("$B" get-state A)" good

# Bad arguments are refused with a message, and change nothing.
! "$B" get-state C 2>"$T/err" || fail "slot C accepted"
grep -q "unknown slot 'C'" "$T/err" || fail "no message for slot C"
! "$B" set-state A maybe 2>/dev/null || fail "state 'maybe' accepted"
! "$B" frobnicate 2>/dev/null || fail "unknown command accepted"
! MOTCUA_TRYBOOT_DIR=$T/nowhere "$B" get-primary 2>"$T/err" || fail "missing partition accepted"
grep -q "not mounted" "$T/err" || fail "no message for a missing autoboot partition"

# RAUC installs into B: set-state B bad, then set-primary B.
"$B" set-state B bad
"$B" set-primary B
expect "[all] after install" "$(section '[all]')" 2
expect "[tryboot] after install" "$(section '[tryboot]')" 3
expect "primary after install" "$("$B" get-primary)" B
grep -q '^tryboot_a_b=1$' "$T/autoboot/autoboot.txt" || fail "autoboot.txt lacks tryboot_a_b=1"

# Cancelling the try (mark-active of the booted slot) returns to A alone.
"$B" set-primary A
expect "[tryboot] after cancel" "$(section '[tryboot]')" 2
expect "primary after cancel" "$("$B" get-primary)" A

# Try again; marking B bad while the try is pending also cancels it.
"$B" set-primary B
"$B" set-state B bad
expect "[tryboot] after B bad" "$(section '[tryboot]')" 2

# The tried system is kept only when marked good while running in tryboot.
"$B" set-primary B
"$B" set-state B good
expect "[all] after marking good outside tryboot" "$(section '[all]')" 2
boot 3 1 boot-2
expect "current in tryboot" "$("$B" get-current)" B
"$B" set-state B good
expect "[all] after mark-good in tryboot" "$(section '[all]')" 3
expect "[tryboot] after mark-good" "$(section '[tryboot]')" 3
expect "primary after mark-good" "$("$B" get-primary)" B

# Next update into A, tried, never marked good: the next ordinary boot (a
# new boot id, not tryboot) forgets the try and records A bad.
boot 3 0 boot-3
"$B" set-state A bad
"$B" set-primary A
boot 2 1 boot-4
expect "primary during the try" "$("$B" get-primary)" A
boot 3 0 boot-5
expect "primary after the failed try" "$("$B" get-primary)" B
expect "state of A after the failed try" "$("$B" get-state A)" bad
expect "[all] after the failed try" "$(section '[all]')" 3
expect "[tryboot] after the failed try" "$(section '[tryboot]')" 3

# No half-written files are left behind.
ls "$T/autoboot" | grep -q '\.new$' && fail "temporary files left in the autoboot partition"
echo "ok: tryboot backend"
