#!/usr/bin/python3
"""test_audio_kioskd.py — voice announcements end to end through kioskd.

Starts a private kioskd --sim whose [audio] device is ALSA's file PCM, takes
tickets and calls them with kioskctl, and checks with Python's own wave
reader that the WAV written is exactly the expected clips joined, chime
included, in call order; then quiet hours, English and repeats, the southern
dialect; then that a clip set with a missing file stops kioskd at start with
exit status 78 and the file named.

Usage: test_audio_kioskd.py KIOSKD KIOSKCTL CLIPDIR
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave

KIOSKD, KIOSKCTL, CLIPS = sys.argv[1:4]
PAUSE_MS = 600  # MC_CLIP_PAUSE_MS
BREATH_MS = 200  # MC_CLIP_BREATH_MS: before the number and before "đến quầy số"

BOARD = """
[office]
clock = trust
name = UBND phường Thử nghiệm
hours = mon-sun 00:00-24:00
double_tap = 1ms

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999

[service.business]
name = Đăng ký kinh doanh
prefix = B

[counter.1]
services = civil
[counter.2]
services = civil
[counter.3]
services = civil, business

[printer]
device = file:tickets
on_failure = refuse

[audio]
device = file:FILE={out},FORMAT=wav
volume = 100
{extra}
"""

# Vietnamese (northern) readings as clip keys, written out by hand.
N = "vi/num/"
CALL_VI = "vi/moi_cong_dan_co_so"
TO_VI = "vi/den_quay_so"


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2, path
        return w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())


def clips(keys):
    rate = None
    data = b""
    for k in keys:
        if k == "pause":
            data += b"\0\0" * (rate * PAUSE_MS // 1000)
            continue
        if k == "breath":
            data += b"\0\0" * (rate * PAUSE_MS // 1000 * BREATH_MS // PAUSE_MS)
            continue
        r, ch, d = read_wav(os.path.join(CLIPS, k + ".wav"))
        assert ch == 1
        rate = rate or r
        assert r == rate
        data += d
    return rate, data


class Kiosk:
    def __init__(self, tmp, extra=""):
        self.tmp = tmp
        self.out = os.path.join(tmp, "out.wav")
        self.board = os.path.join(tmp, "board.conf")
        with open(self.board, "w") as f:
            f.write(BOARD.format(out=self.out, extra=extra))
        self.sock = os.path.join(tmp, "k.sock")
        self.log = open(os.path.join(tmp, "kioskd.log"), "w")
        self.p = subprocess.Popen([KIOSKD, "--board", self.board, "--state-dir", tmp,
                                   "--socket", self.sock, "--sim"],
                                  stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            if os.path.exists(self.sock):
                break
            if self.p.poll() is not None:
                raise AssertionError("kioskd exited: " + open(self.log.name).read())
            time.sleep(0.05)

    def ctl(self, *args, ok=True):
        r = subprocess.run([KIOSKCTL, args[0], "--socket", self.sock, *args[1:]],
                           capture_output=True, text=True, timeout=60)
        if ok and r.returncode != 0:
            raise AssertionError(f"kioskctl {args}: {r.returncode} {r.stdout} {r.stderr}")
        return r

    def wait_printed(self):
        """Tickets are callable once printed (the printer worker renders them)."""
        for _ in range(400):
            r = self.ctl("tickets", "--json")
            if '"pending"' not in r.stdout:
                return
            time.sleep(0.05)
        raise AssertionError("tickets still pending: " + r.stdout)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        assert self.p.wait(timeout=30) == 0, open(self.log.name).read()
        self.log.close()


def compare(path, keys):
    rate, want = clips(keys)
    r, ch, got = read_wav(path)
    assert (r, ch) == (rate, 1), (r, ch, rate)
    if got != want:
        n = min(len(got), len(want))
        first = next((i for i in range(0, n, 2) if got[i:i + 2] != want[i:i + 2]), n)
        raise AssertionError(f"{path}: {len(got) // 2} frames vs {len(want) // 2} expected, "
                             f"first difference at frame {first // 2}")


def test_calls_in_order(tmp):
    k = Kiosk(tmp)
    try:
        for _ in range(3):
            k.ctl("press", "civil")
        k.wait_printed()
        # Three calls in quick succession, then a recall and a technician's test.
        for c in ("1", "2", "3"):
            k.ctl("counter", c, "next")
        k.ctl("counter", "1", "recall")
        r = k.ctl("announce", "B017", "2")
        assert "Mời công dân có số bê mười bảy đến quầy số hai" in r.stdout, r.stdout
        bad = k.ctl("say", "vi/num/khong_co", ok=False)
        assert bad.returncode == 1 and "vi/num/khong_co" in bad.stderr, bad.stderr
    finally:
        k.stop()
    one_nghin = [N + "mot", N + "nghin", N + "khong", N + "tram", N + "linh"]
    keys = []
    for last, counter in (("mot", "mot"), ("hai", "hai"), ("ba", "ba"), ("mot", "mot")):
        keys += ["chime", CALL_VI, "breath"] + one_nghin + [N + last, "breath", TO_VI, N + counter]
    keys += ["chime", CALL_VI, "breath", "vi/chu/b", N + "muoi", N + "bay", "breath", TO_VI, N + "hai"]
    compare(k.out, keys)
    print("ok: 3 calls + recall + announce = exact clips in order")


def test_quiet_english_repeat_south(tmp):
    k = Kiosk(tmp, "quiet = 00:00-24:00\nrepeat = 2\nenglish = yes\ndialect = south")
    try:
        k.ctl("press", "civil")
        k.wait_printed()
        k.ctl("counter", "1", "next")           # quiet hours: not said
        r = k.ctl("announce", "1005", "3", ok=False)
        assert r.returncode == 1 and "quiet" in r.stderr, r.stderr
        k.ctl("announce", "1005", "3", "--force")
    finally:
        k.stop()
    vi = [CALL_VI, "breath", N + "mot", N + "ngan", N + "khong", N + "tram", N + "le", N + "nam",
          "breath", TO_VI, N + "ba"]
    en = ["en/number", "breath", "en/num/one", "en/num/thousand", "en/num/five",
          "breath", "en/please_go_to_counter", "en/num/three"]
    compare(k.out, ["chime"] + vi + ["pause"] + en + ["pause"] + vi + ["pause"] + en)
    print("ok: quiet hours, repeat 2, English second, southern reading")


def test_missing_clip(tmp):
    partial = os.path.join(tmp, "clips")
    shutil.copytree(CLIPS, partial)
    os.unlink(os.path.join(partial, "vi", "num", "tam.wav"))
    board = os.path.join(tmp, "board.conf")
    with open(board, "w") as f:
        f.write(BOARD.format(out=os.path.join(tmp, "o.wav"), extra="clips = clips"))
    r = subprocess.run([KIOSKD, "--board", board, "--state-dir", tmp, "--socket",
                        os.path.join(tmp, "k.sock"), "--sim"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 78, (r.returncode, r.stderr)
    assert "vi/num/tam.wav" in r.stderr and "missing" in r.stderr, r.stderr
    print("ok: missing clip stops kioskd at start:", r.stderr.strip().splitlines()[-1])


def main():
    for t in (test_calls_in_order, test_quiet_english_repeat_south, test_missing_clip):
        tmp = tempfile.mkdtemp(prefix="motcua-voice-")
        try:
            t(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
