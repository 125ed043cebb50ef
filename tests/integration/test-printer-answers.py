#!/usr/bin/python3
"""test-printer-answers.py — printers that answer status queries badly,
played by the virtual network printer (tools/vprinter, a separate process
on loopback) and counted by the status queries it receives per ticket (a
count, not a time):

1. "zeros": every query answered with 0x00, not a status byte. After a
   few tickets kioskd stops asking: 0 queries per ticket, every ticket
   printed (before: one query and a full timeout per ticket).
2. "partial": queries 1 and 4 answered, 2 and 3 never. After a technician's
   check (kioskctl printer status, which forgets what was learned) and a
   few tickets: queries 1 and 4 only, before and after each job (2 + 2
   per ticket), never 2 (before: query 2 asked and timed out every time).
3. "echo": the printer's adapter sends back every byte 50 ms late; its
   status replies follow the echo of their query. Ticket rasters are full
   of bytes that look like status replies: none is taken as the state —
   every ticket printed, the printer ready (before: echoed bytes read as
   "paper out" / "cover open").
With --bench: the time per ticket on each kind, the ready printer
interleaved as the baseline, printed (not asserted).

Usage: test-printer-answers.py KIOSKD KIOSKCTL VPRINTER_PY [--bench]"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL, VPRINTER = sys.argv[1:4]
BENCH = "--bench" in sys.argv
TMP = tempfile.mkdtemp(prefix="mc-printer-answers-")
procs = []


def fail(msg):
    print("FAIL:", msg, flush=True)
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok -", msg, flush=True)


def wait_for(pred, what, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    fail("timed out waiting for " + what)


class VPrinter:
    def __init__(self, state):
        self.dir = os.path.join(TMP, "vp")
        self.p = subprocess.Popen(["/usr/bin/python3", VPRINTER, "--out", self.dir, "--state", state],
                                  stdout=subprocess.PIPE, text=True)
        procs.append(self.p)
        self.port, self.ctl_port = map(int, self.p.stdout.readline().split())

    def cmd(self, line):
        with socket.create_connection(("127.0.0.1", self.ctl_port)) as s:
            s.sendall((line + "\n").encode())
            ans = s.makefile().readline().strip()
        if not ans.startswith("ok"):
            fail("vprinter said %r to %r" % (ans, line))
        return ans[2:].strip()

    def queries(self):
        return [int(x) for x in self.cmd("queries").split()]


class Kiosk:
    def __init__(self, board):
        self.sock = os.path.join(TMP, "k.sock")
        self.log = open(os.path.join(TMP, "kioskd.log"), "a")
        self.p = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", os.path.join(TMP, "state"),
                                   "--socket", self.sock], stdout=self.log, stderr=self.log)
        procs.append(self.p)
        wait_for(lambda: os.path.exists(self.sock), "kioskd socket")

    def req(self, obj):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(60)
            s.connect(self.sock)
            s.sendall((json.dumps(obj) + "\n").encode())
            return json.loads(s.makefile().readline())

    def print_state(self, label):
        for t in self.req({"cmd": "tickets"})["tickets"]:
            if t["label"] == label:
                return t["print"]
        return None

    def ticket(self):
        """Presses, waits until printed or failed; returns (state, seconds)."""
        t0 = time.monotonic()
        r = self.req({"cmd": "press", "service": "civil", "source": "t%f" % t0})
        if not r["ok"]:
            fail("press refused: %s" % r)
        st = wait_for(lambda: self.print_state(r["label"]) in ("printed", "failed") and
                      self.print_state(r["label"]), "ticket %s printed or failed" % r["label"])
        return st, time.monotonic() - t0

    def technician_check(self):
        r = subprocess.run([KIOSKCTL, "printer", "status"], capture_output=True, text=True,
                           env=dict(os.environ, MOTCUA_SOCKET=self.sock), timeout=60)
        return r.returncode


BOARD = """[office]
clock = trust
name = UBND phường Thử
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
on_failure = screen
timeout = 300ms
status_interval = 1h

; on_failure = screen needs a screen to show the number on (issue 12)
[screen]
driver = offscreen
width = 480
height = 800
"""


def per_ticket(k, vp, n):
    """Prints n tickets; returns [(state, seconds, queries sent for it)]."""
    out = []
    for _ in range(n):
        before = vp.queries()
        st, secs = k.ticket()
        after = vp.queries()
        out.append((st, secs, [a - b for a, b in zip(after, before)]))
    return out


def main():
    # The 0x00 printer is there from the start: nothing was ever learned.
    vp = VPrinter("zeros")
    board = os.path.join(TMP, "board.conf")
    with open(board, "w", encoding="utf-8") as f:
        f.write(BOARD % vp.port)
    k = Kiosk(board)
    wait_for(lambda: k.req({"cmd": "status"}).get("ok"), "kioskd up")

    # 1. 0x00 to every query.
    rows = per_ticket(k, vp, 6)
    for st, _, q in rows:
        print("   zeros: %s, queries %s" % (st, q))
    check(all(st == "printed" for st, _, _ in rows), "every ticket printed on the 0x00 printer")
    check(all(sum(q) == 0 for _, _, q in rows[3:]),
          "no status query per ticket once it is known to answer none: %s" % [q for _, _, q in rows])

    # 2. Answers 1 and 4 only, learned afresh after a technician's check.
    vp.cmd("state partial")
    k.technician_check()
    rows = per_ticket(k, vp, 6)
    for st, _, q in rows:
        print("   partial: %s, queries %s" % (st, q))
    check(all(st == "printed" for st, _, _ in rows), "every ticket printed on the partial printer")
    check(all(q == [2, 0, 0, 2] for _, _, q in rows[3:]),
          "queries 1 and 4 only, before and after each job: %s" % [q for _, _, q in rows])

    # 3. An echoing adapter.
    vp.cmd("state ready")
    vp.cmd("echo on")
    k.technician_check()
    rows = per_ticket(k, vp, 6)
    for st, _, q in rows:
        print("   echo: %s, queries %s" % (st, q))
    check(all(st == "printed" for st, _, _ in rows), "every ticket printed on the echoing printer")
    pr = k.req({"cmd": "status"})["printer"]
    check(pr["state"] == "ready", "the echoing printer is ready, echoed bytes not taken as state: %s" % pr)
    check(all(q[0] >= 1 for _, _, q in rows), "its status is still asked for each ticket")
    vp.cmd("echo off")

    if BENCH:
        # Time per ticket on each kind, the ready printer interleaved as baseline.
        times = {}
        kinds = [("ready", "ready", False), ("zeros", "zeros", False), ("ready", "ready", False),
                 ("partial", "partial", False), ("ready", "ready", False), ("echo", "ready", True)]
        for name, state, echo in kinds:
            vp.cmd("state " + state)
            vp.cmd("echo " + ("on" if echo else "off"))
            k.technician_check()
            per_ticket(k, vp, 3)  # learn
            times.setdefault(name, []).extend(s for _, s, _ in per_ticket(k, vp, 5))
        print("bench printer answers (ms per ticket, after learning; median [min-max]):")
        for name, ts in times.items():
            ts.sort()
            print("  %-8s %7.1f [%6.1f-%6.1f] n=%d" % (name, 1000 * ts[len(ts) // 2], 1000 * ts[0],
                                                    1000 * ts[-1], len(ts)))


try:
    main()
    print("PASS")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(TMP, ignore_errors=True) if not os.environ.get("KEEP_TMP") else print("kept", TMP)
