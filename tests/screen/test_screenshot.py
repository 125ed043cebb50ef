#!/usr/bin/python3
"""test_screenshot.py — kioskd --sim with the simulator board opens its
screens offscreen (no display here) and `kioskctl screenshot` saves what the
touch screen and the hall screen show, as PNG files of the panels' sizes;
a bad destination gives a clear error; `kioskctl status` reports the screen.

Usage: test_screenshot.py BUILD_DIR SOURCE_DIR"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


# Hang guards (not timing checks) grow with MC_TEST_TIMEOUT_SCALE, which
# ctest sets (20 under qemu-user).
SCALE = max(1, int(os.environ.get("MC_TEST_TIMEOUT_SCALE", "1")))


def wait_listening(proc, sock):
    """Waits until kioskd accepts on its socket, or fails if it exits: the
    socket file appears at bind(), a moment before listen()."""
    while proc.poll() is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sock)
            return
        except OSError:
            time.sleep(0.02)
        finally:
            s.close()
    raise AssertionError("kioskd exited with %d before listening: %s" % (proc.returncode, proc.stderr.read().decode()))


def main():
    build, src = sys.argv[1], sys.argv[2]
    kioskd = os.path.join(build, "firmware", "kioskd")
    kioskctl = os.path.join(build, "tools", "kioskctl")
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "k.sock")
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["MOTCUA_SOCKET"] = sock
        d = subprocess.Popen([kioskd, "--board", os.path.join(src, "tools", "sim", "board.conf"),
                              "--state-dir", tmp, "--socket", sock, "--sim"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_listening(d, sock)

            def ctl(*args, ok=True):
                r = subprocess.run([kioskctl, *args], env=env, capture_output=True, text=True,
                                   timeout=30 * SCALE)
                if ok:
                    assert r.returncode == 0, f"kioskctl {args}: {r.returncode} {r.stderr}"
                return r

            ctl("press", "civil")
            home = os.path.join(tmp, "kiosk.png")
            hall = os.path.join(tmp, "hall.png")
            assert ctl("screenshot", home).stdout.strip() == home
            ctl("screenshot", hall, "--hall")
            assert png_size(home) == (1280, 800), png_size(home)
            assert png_size(hall) == (1280, 720), png_size(hall)
            assert os.path.getsize(home) > 10000, "kiosk screenshot is nearly empty"

            bad = ctl("screenshot", "/nonexistent-dir/x.png", ok=False)
            assert bad.returncode == 1 and "cannot write" in bad.stderr, (bad.returncode, bad.stderr)
            usage = ctl("screenshot", "x.jpg", ok=False)
            assert usage.returncode == 2, usage.returncode

            st = json.loads(ctl("status", "--json").stdout)
            assert st["screen"]["driver"] == "offscreen", st["screen"]
            assert st["screen"]["frames"] >= 1, st["screen"]
            print("screenshot ok:", st["screen"])
        finally:
            d.send_signal(signal.SIGTERM)
            rc = d.wait(timeout=30 * SCALE)
            err = d.stderr.read().decode()
        assert rc == 0, f"kioskd exit {rc}: {err}"


if __name__ == "__main__":
    main()
