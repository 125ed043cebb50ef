#!/bin/bash
# tools/clips/make-clips.sh — builds the default clip set (clips.h layout) with
# espeak-ng, offline: one WAV per word of the vocabulary, plus the chime.
#
#   make-clips.sh OUTDIR CLIPTOOL
#
# CLIPTOOL is the built mc-cliptool (lists the words, makes the chime, trims
# silence). Vietnamese words use espeak-ng's "vi" voice, English ones "en-us".
# Set MC_ESPEAK_VI to another voice (vi-vn-x-central, vi-vn-x-south) to
# change the Vietnamese one. Writes OUTDIR/.stamp when complete.
set -euo pipefail

out="$1"
tool="$2"
vi_voice="${MC_ESPEAK_VI:-vi}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

command -v espeak-ng >/dev/null || { echo "make-clips.sh: espeak-ng is missing (apt-get install espeak-ng)" >&2; exit 1; }
rm -f "$out/.stamp"
mkdir -p "$out"
"$tool" chime "$out/chime.wav" 22050
"$tool" list | while IFS=$'\t' read -r key lang text; do
	mkdir -p "$out/$(dirname "$key")"
	if [[ $lang == vi ]]; then voice="$vi_voice"; else voice=en-us; fi
	# 22050 Hz mono, a little slower than espeak's default for a hall.
	espeak-ng -v "$voice" -s 140 -w "$tmp/word.wav" -- "$text"
	"$tool" trim "$tmp/word.wav" "$out/$key.wav"
done
touch "$out/.stamp"
