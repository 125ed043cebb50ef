#!/usr/bin/python3
"""match.py RECORDING CLIP... — are the clips, in this order, in a recording
made at the far end of a sound card? Compares loudness envelopes (mean
absolute sample per 10 ms), so resampling and the card's gain do not matter:
each clip's envelope must correlate ≥ 0.95 with the recording somewhere after
the previous clip. Prints one line per clip; exits 1 if one is missing or the
last one is cut short."""
import sys
import wave


def samples(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, path
        n, ch, rate = w.getnframes(), w.getnchannels(), w.getframerate()
        raw = w.readframes(n)
    s = [int.from_bytes(raw[i:i + 2], "little", signed=True) for i in range(0, len(raw), 2 * ch)]
    return rate, s


def envelope(rate, s, phase=0):
    step = max(1, rate // 100)
    return [sum(abs(x) for x in s[i:i + step]) / step for i in range(phase, len(s) - step + 1, step)]


def ncc(a, b):
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    num = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    da = sum((x - ma) ** 2 for x in a) ** 0.5
    db = sum((y - mb) ** 2 for y in b) ** 0.5
    return num / (da * db) if da and db else 0.0


def main():
    rate, sig = samples(sys.argv[1])
    # The recording's envelope at four phases of the 10 ms grid, so a clip
    # that starts between two grid points still lines up with one of them.
    step = max(1, rate // 100)
    recs = [envelope(rate, sig, k * step // 4) for k in range(4)]
    pos, ok = 0, True
    for path in sys.argv[2:]:
        clip = envelope(*samples(path))
        best, at = -1.0, -1
        for rec in recs:
            for o in range(pos, len(rec) - len(clip) + 1):
                c = ncc(clip, rec[o:o + len(clip)])
                if c > best:
                    best, at = c, o
        good = best >= 0.95
        ok &= good
        print("%s %s at %.2f s, correlation %.3f" % ("found" if good else "MISSING", path, at / 100, best))
        if at >= 0:
            pos = at + len(clip)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
