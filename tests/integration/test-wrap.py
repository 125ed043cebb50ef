#!/usr/bin/python3
"""test-wrap.py — a service's range run out and wrapped, checked from outside
(issue 16: the engine picks a number after a wrap from one pass over the
tickets; DESIGN §6: no number held twice).

A range of 70 numbers (1001-1070: the engine's open-number bits cross a
64-bit word at 1065) is issued in full; a press then gets `exhausted`. A
clerk calls 66 of them with NEXT, and marks two (1003 and 1064) no-show:
a no-show may come back, so those keep their numbers. The next presses get
exactly the numbers freed, in order and in round 1, then `exhausted` again.
Python's sqlite3 then finds, in kioskd's database, no number of the day
held by two tickets that are still open (waiting, called or no-show), and
every number given in round 1 held before only by a ticket that was
finished. After kill -9 and a restart the range is still run out; the
NEXT that finishes 1066 frees it, and the next press gets it.

Usage: test-wrap.py KIOSKD KIOSKCTL"""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import BOARD_ALWAYS_OPEN, Kiosk, check, fail  # noqa: E402,F401

KIOSKD, KIOSKCTL = sys.argv[1:3]
BOARD = (BOARD_ALWAYS_OPEN.replace("double_tap = 1s", "double_tap = 0ms")
         .replace("numbers = 1001-1999", "numbers = 1001-1070"))
HELD = (1003, 1064)  # marked no-show: they keep their numbers


def press(k):
    return k.request({"cmd": "press", "service": "civil", "source": "test"})


def counter(k, action):
    r = k.request({"cmd": "counter", "counter": 1, "action": action})
    check(r.get("ok"), "counter %s: %r" % (action, r))
    return r


def open_holders(db):
    """(number, round, status) of every ticket of civil, by id."""
    with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as c:
        return c.execute("SELECT number, round, status FROM tickets WHERE service = 'civil'"
                         " ORDER BY id").fetchall()


def check_db(db):
    rows = open_holders(db)
    held = {}
    for number, rnd, status in rows:
        if status in ("waiting", "called", "noshow"):
            check(number not in held, "number %d held by one open ticket only (round %d)"
                  % (number, rnd))
            held[number] = rnd
    by = {(n, r): s for n, r, s in rows}
    for number, rnd, _ in rows:
        if rnd == 1:
            check(by.get((number, 0)) == "finished",
                  "%d given again only once its first holder finished (%r)" % (number, by.get((number, 0))))
    return rows


def main():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD).start()
    try:
        got = [press(k)["ticket"]["number"] for _ in range(70)]
        check(got == list(range(1001, 1071)), "the range in order: %r" % got[:5])
        r = press(k)
        check(not r.get("ok") and r.get("error") == "exhausted", "a press past the range: %r" % r)

        for _ in range(66):
            t = counter(k, "next")["ticket"]
            if t["number"] in HELD:
                counter(k, "noshow")
        freed = [n for n in range(1001, 1066) if n not in HELD]
        again = []
        for _ in freed:
            r = press(k)
            check(r.get("ok"), "a press with numbers freed: %r" % r)
            check(r["ticket"]["round"] == 1, "round 1 after the wrap: %r" % r["ticket"])
            again.append(r["ticket"]["number"])
        check(again == freed, "the freed numbers, each once, in order: got %r" % again)
        r = press(k)
        check(not r.get("ok") and r.get("error") == "exhausted",
              "every number held again (1003, 1064 no-show, 1066 called): %r" % r)
        rows = check_db(k.db())
        check(sum(1 for _, rnd, _ in rows if rnd == 1) == len(freed), "round-1 tickets in the database")

        # Restarted from the database: still run out, and the next freed
        # number is given once.
        k.kill9()
        k.start()
        r = press(k)
        check(not r.get("ok") and r.get("error") == "exhausted", "after kill -9, still run out: %r" % r)
        t = counter(k, "next")["ticket"]
        check(t["number"] == 1067, "NEXT after 1066 calls 1067: %r" % t)
        r = press(k)
        check(r.get("ok") and r["ticket"]["number"] == 1066 and r["ticket"]["round"] == 1,
              "1066, finished by that NEXT, is the next number: %r" % r)
        check_db(k.db())
    finally:
        k.close()
    print("test-wrap: ok")


main()
