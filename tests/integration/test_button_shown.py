#!/usr/bin/python3
"""test_button_shown.py — a physical service button on a kiosk with a screen:
the screen shows the ticket's number (the same ticket screen as a touch), so
when the printer then refuses the job before any byte is sent (print
`failed`), the ticket is not voided: the citizen saw the number and is
called like any other (DESIGN §2). Checked from outside: kioskctl and
Python's sqlite3 on the database."""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import Kiosk  # noqa: E402

KIOSKD, KIOSKCTL, VPRINTER = os.environ["KIOSKD"], os.environ["KIOSKCTL"], os.environ["VPRINTER"]

BOARD = """
[office]
name = UBND phường Thử Nghiệm
timezone = Asia/Ho_Chi_Minh
hours = mon-sun 00:00-24:00
double_tap = 300ms

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999
button = gpiochip0:17 active-low pull-up

[counter.1]
services = civil

[printer]
; the project's virtual network printer, told to refuse connections before
; the press: the job is refused before any byte; no status polling, so the
; kiosk still believes the printer is fine when the button is pressed
device = tcp:127.0.0.1:%d
timeout = 400ms
status_interval = 1h

[screen]
width = 800
height = 480
"""


def main():
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        os.environ.pop(var, None)
    vdir = tempfile.mkdtemp(prefix="mc-shown-vp-")
    vp = subprocess.Popen(["/usr/bin/python3", VPRINTER, "--out", vdir], stdout=subprocess.PIPE, text=True)
    port, ctl_port = map(int, vp.stdout.readline().split())
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD % port)
    try:
        k.start()
        with socket.create_connection(("127.0.0.1", ctl_port)) as c:
            c.sendall(b"refuse on\n")
            assert c.makefile().readline().startswith("ok"), "vprinter refuse on"
        rc, out, err = k.ctl("gpio", "press", "gpiochip0:17")
        assert rc == 0, "gpio press: %s %s" % (out, err)
        end = time.monotonic() + 30
        row = None
        while time.monotonic() < end:
            db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
            row = db.execute("SELECT label, status, print FROM tickets").fetchone()
            db.close()
            if row and row[2] != "pending":
                break
            time.sleep(0.1)
        assert row is not None, "the button gave no ticket"
        label, status, prt = row
        assert prt == "failed", "the refused job ended %s, not failed" % prt
        assert status == "waiting", "ticket %s (shown on the screen) is %s, not waiting" % (label, status)
        rc, out, err = k.ctl("counter", "1", "next", "--json")
        t = json.loads(out).get("ticket", {}) if rc == 0 else {}
        assert t.get("label") == label, "NEXT calls %s: %s %s" % (label, out, err)
        print("ok - a button's ticket shown on the screen stays callable when its print fails")
    finally:
        k.stop()
        k.close()
        vp.kill()
        vp.wait()


if __name__ == "__main__":
    main()
