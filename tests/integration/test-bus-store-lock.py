#!/usr/bin/python3
"""test-bus-store-lock.py — a clerk's key on the counter bus while another
program holds the database's write lock: the press waits in the write queue
and is applied when the lock goes (within [office] store_wait), in order
behind the actions before it — not refused at once. A lock held past
store_wait refuses it with the `store` error, counted in `bus status`."""
import os
import sqlite3
import threading
import time

from bushelp import Kiosk, Unitsim, board, check, main, wait_for


def hold_lock(db, seconds, held):
    c = sqlite3.connect(db, timeout=10, isolation_level=None)
    c.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    c.execute("COMMIT")
    c.close()


def ticket(k, label):
    for t in k.tickets():
        if t["label"] == label:
            return t
    raise AssertionError("no ticket " + label)


def test(tmp):
    link = os.path.join(tmp, "bus")
    sim = Unitsim("1", link, baud=19200)
    k = None
    try:
        k = Kiosk(tmp, board([(1, "a", 1)], "timeout = 1000ms\n", services=("a",),
                             office_extra="store_wait = 3s\n"), link)
        db = os.path.join(tmp, "state", "kiosk.db")
        k.press("a", 2)
        sim.wait_display(1, lambda d: d["waiting"] == 2, what="two waiting at unit 1")

        # 1. A lock shorter than store_wait: NEXT waits, then calls 1001.
        held = threading.Event()
        th = threading.Thread(target=hold_lock, args=(db, 1.5, held))
        th.start()
        held.wait()
        sim.cmd("1 next")
        th.join()
        sim.wait_display(1, lambda d: d["text"].strip() == "1001", what="1001 called after the lock")
        check(ticket(k, "1001")["status"] == "called", "1001 called once the lock went")
        u = k.unit(1)
        check(u.get("refused", 0) == 0, "no key refused during a short lock: %s" % u)

        # 2. A lock past store_wait: the key is refused (store), never applied later.
        held = threading.Event()
        th = threading.Thread(target=hold_lock, args=(db, 5.0, held))
        th.start()
        held.wait()
        sim.cmd("1 next")
        wait_for(lambda: k.unit(1).get("refused", 0) == 1, timeout=15, what="the key refused after store_wait")
        th.join()
        time.sleep(0.5)
        check(ticket(k, "1002")["status"] == "waiting", "1002 not called by the refused key")
        check(sim.text(1).strip() == "1001", "unit 1 still shows 1001")
        # And the bus goes on once the lock is gone.
        sim.cmd("1 next")
        sim.wait_display(1, lambda d: d["text"].strip() == "1002", what="1002 called after the long lock")
    finally:
        if k:
            k.stop()
        sim.stop()


if __name__ == "__main__":
    main(test)
