#!/usr/bin/python3
"""bench-store-lock.py — a press's answer time while another process holds
the database's write lock (issue 12), beside the same press with no lock,
interleaved in one run. kioskd never waits on the lock itself: the press
waits in its write queue, retried every 20 ms, and is answered when the
lock goes (or refused with `store` after [office] store_wait).

Usage: bench-store-lock.py KIOSKD [ROUNDS]"""
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from kiosk import BOARD_ALWAYS_OPEN, Kiosk  # noqa: E402

KIOSKD = sys.argv[1]
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 15
HOLD_S = 0.3
BOARD = BOARD_ALWAYS_OPEN.replace("double_tap = 1s", "double_tap = 0ms\nstore_wait = 1s")
HOLDER = ("import sqlite3, sys, time\n"
          "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n"
          "c.execute('BEGIN IMMEDIATE')\n"
          "print('locked', flush=True)\n"
          "time.sleep(float(sys.argv[2]))\n"
          "c.execute('COMMIT')\n")


def timed_press(k):
    t0 = time.monotonic()
    a = k.request({"cmd": "press", "service": "civil", "source": "b%f" % t0})
    return (time.monotonic() - t0) * 1000, a["ok"]


def under_lock(k, secs):
    h = subprocess.Popen(["/usr/bin/python3", "-c", HOLDER, k.db(), str(secs)], stdout=subprocess.PIPE, text=True)
    h.stdout.readline()
    r = timed_press(k)
    h.wait()
    return r


def pct(name, xs):
    xs = sorted(xs)
    print("%-44s n=%3d  p50 %8.1f ms  p90 %8.1f ms  max %8.1f ms" %
          (name, len(xs), statistics.median(xs), xs[max(0, -(-9 * len(xs) // 10) - 1)], xs[-1]))


k = Kiosk(KIOSKD, None, BOARD)
try:
    k.start()
    base, held, long_ = [], [], []
    refused = 0
    for i in range(ROUNDS):
        base.append(timed_press(k)[0])
        ms, ok = under_lock(k, HOLD_S)
        held.append(ms)
        if i % 5 == 0:
            ms, ok = under_lock(k, 1.6)
            long_.append(ms)
            refused += not ok
    pct("press, no lock (baseline)", base)
    pct("press, lock held %.0f ms by another process" % (HOLD_S * 1000), held)
    pct("press, lock held past store_wait = 1 s", long_)
    print("refused with `store` past store_wait: %d of %d" % (refused, len(long_)))
finally:
    k.close()
