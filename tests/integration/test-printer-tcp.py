#!/usr/bin/python3
"""test-printer-tcp.py — how kioskd talks to a network printer (issue 16):
one connection per job, closed after it; one status exchange before the
job and one after it, each asking DLE EOT 1, 2 and 4 in one write (one
round trip), not one question at a time.

The printer here is this process (kioskd is another): it answers a
question at once only when all three of an exchange have arrived; a
question left alone is answered after 250 ms and counted as a round trip
of its own, so a client that asks one by one is seen doing so, whatever
the machine's load. Counts are asserted, never times.

Usage: test-printer-tcp.py KIOSKD"""

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

KIOSKD = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="mc-printer-tcp-")
READY = 0x12


def fail(msg):
    print("FAIL:", msg, flush=True)
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok -", msg, flush=True)


class Printer:
    """An ESC/POS network printer that records, per connection, each
    answer it gave: how many questions it answered at once, and whether
    job bytes came before it."""

    def __init__(self):
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.conns = []        # per connection: {"answers": [(n, after_job_bytes)], "bytes": int, "closed": bool}
        self.lock = threading.Lock()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            c, _ = self.lsock.accept()
            rec = {"answers": [], "bytes": 0, "closed": False}
            with self.lock:
                self.conns.append(rec)
            threading.Thread(target=self.conn, args=(c, rec), daemon=True).start()

    def conn(self, c, rec):
        pending = []           # questions not yet answered
        buf = b""
        skip = 0               # raster bytes still to come
        while True:
            timeout = 0.25 if pending else None
            r, _, _ = select.select([c], [], [], timeout)
            if not r:
                # A question left alone: answer it, one round trip of its own.
                c.sendall(bytes([READY] * len(pending)))
                rec["answers"].append((len(pending), rec["bytes"]))
                pending = []
                continue
            data = c.recv(65536)
            if not data:
                rec["closed"] = True
                c.close()
                return
            buf += data
            # Pull DLE EOT n out of the stream; the rest is the job (its
            # raster blocks, GS v 0, are skipped whole: their dots are data).
            i = 0
            while i < len(buf):
                if skip:
                    n = min(skip, len(buf) - i)
                    skip -= n
                    rec["bytes"] += n
                    i += n
                elif buf[i] == 0x1D and i + 1 < len(buf) and buf[i + 1] == 0x76:
                    if i + 8 > len(buf):
                        break  # the block's header cut in two
                    skip = (buf[i + 4] + 256 * buf[i + 5]) * (buf[i + 6] + 256 * buf[i + 7])
                    rec["bytes"] += 8
                    i += 8
                elif buf[i] == 0x10 and i + 2 < len(buf) and buf[i + 1] == 0x04:
                    pending.append(buf[i + 2])
                    i += 3
                elif buf[i] == 0x10 and i + 2 >= len(buf):
                    break      # maybe a question cut in two: wait for the rest
                else:
                    rec["bytes"] += 1
                    i += 1
            buf = buf[i:]
            if len(pending) >= 3:
                c.sendall(bytes([READY] * len(pending)))
                rec["answers"].append((len(pending), rec["bytes"]))
                pending = []


BOARD = """
[office]
clock = trust
name = UBND phường Bách Khoa
timezone = Asia/Ho_Chi_Minh
hours = mon-sun 00:00-24:00
double_tap = 0

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999

[counter.1]
services = civil

[printer]
device = tcp:127.0.0.1:%d
width = 384
timeout = 3s
status_interval = 1h
; five presses in a row are queued, not refused by the print queue's bound
queue = 8
"""


def req(sock, obj):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(sock)
        s.sendall((json.dumps(obj) + "\n").encode())
        return json.loads(s.makefile().readline())


def main():
    pr = Printer()
    board = os.path.join(TMP, "board.conf")
    with open(board, "w") as f:
        f.write(BOARD % pr.port)
    sock = os.path.join(TMP, "k.sock")
    log = open(os.path.join(TMP, "kioskd.log"), "w")
    k = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", os.path.join(TMP, "state"),
                          "--socket", sock], stdout=log, stderr=log)
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                if req(sock, {"cmd": "status"})["printer"].get("queued") == 0 and pr.conns and \
                        pr.conns[0]["closed"]:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        base = len(pr.conns)
        # The first check learns what the printer answers, one question at a
        # time (printers that answer only some, or 0x00, or echo: issue 13);
        # once it answered all three, every check is one exchange.
        check(base == 1 and pr.conns[0]["answers"] == [(1, 0), (1, 0), (1, 0)],
              "the start-up status check asks 1, 2 and 4, learning: %r" % pr.conns)
        labels = []
        for _ in range(5):
            a = req(sock, {"cmd": "press", "service": "civil", "source": "test-%f" % time.monotonic()})
            check(a["ok"], "press gives ticket %s (%r)" % (a.get("label", "?"), a))
            labels.append(a["label"])
        end = time.monotonic() + 60
        while time.monotonic() < end:
            ts = {t["label"]: t["print"] for t in req(sock, {"cmd": "tickets"})["tickets"]}
            if all(ts.get(l) in ("printed", "failed") for l in labels):
                break
            time.sleep(0.05)
        check(all(ts.get(l) == "printed" for l in labels), "all five tickets printed: %r" % ts)
        jobs = pr.conns[base:]
        check(len(jobs) == 5, "one connection per job (%d for 5 tickets)" % len(jobs))
        check(all(j["closed"] for j in jobs), "each job's connection is closed after it")
        for n, j in enumerate(jobs):
            ans = j["answers"]
            check(len(ans) == 2 and ans[0] == (3, 0) and ans[1][0] == 3 and ans[1][1] == j["bytes"] > 1000,
                  "job %d: one exchange of three questions before the job, one after all its %d bytes: %r"
                  % (n + 1, j["bytes"], ans))
    finally:
        k.terminate()
        k.wait(timeout=10)
        log.close()
    shutil.rmtree(TMP, ignore_errors=True)


main()
