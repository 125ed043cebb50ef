#!/usr/bin/python3
"""test-printer-sim.py — simulator mode (kioskd --sim with tools/sim/board.conf):
every ticket taken becomes a readable PNG (and its ESC/POS bytes) under the
state directory's sim-tickets/, tickets are marked printed by the printer
output (not the terminal), and sim-tickets/STATE plays a paper-out fault.

Usage: test-printer-sim.py KIOSKD KIOSKCTL SIM_BOARD"""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL, BOARD = sys.argv[1:4]
TMP = tempfile.mkdtemp(prefix="mc-printer-sim-")


def check(cond, msg):
    if not cond:
        print("FAIL:", msg, flush=True)
        raise SystemExit(1)
    print("ok -", msg, flush=True)


def wait_for(pred, what, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    check(False, "timed out waiting for " + what)


def req(sock, obj):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall((json.dumps(obj) + "\n").encode())
        return json.loads(s.makefile().readline())


def main():
    state = os.path.join(TMP, "state")
    sock = os.path.join(TMP, "k.sock")
    out = open(os.path.join(TMP, "out.log"), "w")
    p = subprocess.Popen([KIOSKD, "--board", BOARD, "--state-dir", state, "--socket", sock, "--sim"],
                         stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: os.path.exists(sock), "kioskd socket")
        labels = []
        for svc in ("civil", "land", "business"):
            r = req(sock, {"cmd": "press", "service": svc, "source": svc})
            check(r["ok"], "press %s gives %s" % (svc, r.get("label")))
            labels.append(r["label"])
        tickets = lambda: {t["label"]: t for t in req(sock, {"cmd": "tickets"})["tickets"]}
        wait_for(lambda: all(tickets()[l]["print"] == "printed" for l in labels), "all printed")
        d = os.path.join(state, "sim-tickets")
        pngs = sorted(f for f in os.listdir(d) if f.endswith(".png"))
        check(len(pngs) == 3, "three PNG tickets in %s" % d)
        for f in pngs:
            with open(os.path.join(d, f), "rb") as fp:
                head = fp.read(24)
            w, h = struct.unpack(">II", head[16:24])
            check(head[:8] == b"\x89PNG\r\n\x1a\n" and w == 576 and h > 576, "%s is a 576-dot PNG (%dx%d)" % (f, w, h))
        check(len([f for f in os.listdir(d) if f.endswith(".escpos")]) == 3, "and their ESC/POS bytes")
        # The terminal still shows the ticket line.
        out.flush()
        with open(os.path.join(TMP, "out.log")) as fp:
            check("[vé]" in fp.read(), "the terminal shows the tickets")
        # Pulling the paper in the simulator.
        with open(os.path.join(d, "STATE"), "w") as fp:
            fp.write("paper_out\n")
        wait_for(lambda: req(sock, {"cmd": "status"})["printer"]["state"] == "down", "paper out noticed")
        r = subprocess.run([KIOSKCTL, "status"], env=dict(os.environ, MOTCUA_SOCKET=sock),
                           capture_output=True, text=True)
        check("hết giấy" in r.stdout, "kioskctl status says out of paper")
        r = req(sock, {"cmd": "press", "service": "civil", "source": "again"})
        check(not r["ok"] and r["error"] == "printer", "refused while out of paper (on_failure = refuse)")
        os.unlink(os.path.join(d, "STATE"))
        wait_for(lambda: req(sock, {"cmd": "status"})["printer"]["state"] == "ready", "paper back")
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait()
    check(rc == 0, "kioskd stopped cleanly (exit %d)" % rc)
    shutil.rmtree(TMP, ignore_errors=True)
    print("PASS")


main()
