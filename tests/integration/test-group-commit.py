#!/usr/bin/python3
"""test-group-commit.py — actions that arrive together share one commit
(issue 16: a clerk's NEXT must not wait behind one fsync per press), and a
group's failed commit changes nothing (DESIGN §6), checked from outside:

  - kioskd is stopped (SIGSTOP) while 24 clients send a press each and a
    clerk sends NEXT; when it goes on, every client is answered, the
    numbers are distinct and consecutive, NEXT — sent last — was committed
    first, in a group of its own (its call event comes before every issue
    event of the burst), and called the first ticket waiting before it,
    while a client that sends a press and then NEXT on one connection has
    them committed and answered in its order; the WAL file — parsed here,
    independently of SQLite — gained far fewer commit frames than there
    were actions (before: one per action); Python's sqlite3 finds every
    acknowledged ticket;
  - a group whose commit fails (a trigger added from outside refuses one
    of its rows): every action of the group is refused with `store`, no
    ticket of it is in the database, and once the trigger is gone the next
    press gets the number the refused group would have started with —
    nothing given twice, nothing lost;
  - while another program holds the database, a NEXT queued last moves
    ahead of the presses queued with it, a press sent after that still
    joins the queue behind them, and once the database is free all are
    answered and saved (a kioskd that lost track of the queue's end lost
    those presses).

Usage: test-group-commit.py KIOSKD KIOSKCTL"""
import json
import os
import signal
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import BOARD_ALWAYS_OPEN, Kiosk, check, fail, read_answer, wait_stopped, wal_frames  # noqa: E402,F401

KIOSKD, KIOSKCTL = sys.argv[1:3]
BOARD = BOARD_ALWAYS_OPEN.replace("double_tap = 1s", "double_tap = 0ms")
N = 24


def wal_commits(path):
    """Commit frames in a SQLite WAL file (kiosk.wal_frames)."""
    return sum(1 for size in wal_frames(path) if size)


def burst(k, reqs):
    """Connects a client per request (a list: one client sends them all
    on its connection, pipelined), then sends every request while kioskd
    is stopped, lets it go on and reads every answer, in order."""
    conns = []
    while len(conns) < len(reqs):
        try:
            conns.append(k.connect())
        except BlockingIOError:  # the listen backlog is full: kioskd accepts soon
            time.sleep(0.01)
    k.request({"cmd": "help"})  # kioskd has accepted every connection
    k.proc.send_signal(signal.SIGSTOP)
    try:
        # Stopped for sure: in one run the failed group's first press, sent
        # before SIGSTOP took effect, was committed on its own.
        wait_stopped(k.proc.pid)
        for c, r in zip(conns, reqs):
            c.sendall("".join(json.dumps(x) + "\n" for x in (r if isinstance(r, list) else [r])).encode())
        time.sleep(0.2)  # every request is in its socket before kioskd reads
    finally:
        k.proc.send_signal(signal.SIGCONT)
    answers = []
    for c, r in zip(conns, reqs):
        answers += [read_answer(c) for _ in (r if isinstance(r, list) else [r])]
    for c in conns:
        c.close()
    return answers


def main():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD).start()
    try:
        first = k.request({"cmd": "press", "service": "civil", "source": "warm"})
        check(first.get("ok"), "a first press is answered: %r" % first)
        wal = k.db() + "-wal"
        c0 = wal_commits(wal)

        reqs = [{"cmd": "press", "service": "civil", "source": "c%d" % i} for i in range(N)]
        reqs.append({"cmd": "counter", "counter": 1, "action": "next"})
        answers = burst(k, reqs)
        c1 = wal_commits(wal)
        presses = answers[:N]
        check(all(a.get("ok") for a in answers), "all %d actions answered ok" % len(answers))
        numbers = sorted(a["ticket"]["number"] for a in presses)
        base = first["ticket"]["number"]
        check(numbers == list(range(base + 1, base + 1 + N)),
              "the %d presses got distinct consecutive numbers %d..%d" % (N, numbers[0], numbers[-1]))
        print("commits for %d actions arriving together: %d (one per action before)" % (N + 1, c1 - c0))
        check(0 < c1 - c0 <= 4, "they shared commits: %d commit frames for %d actions" % (c1 - c0, N + 1))
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        got = {r[0] for r in db.execute("SELECT number FROM tickets WHERE service = 'civil'")}
        check(set(numbers) | {base} <= got, "Python's sqlite3 finds every acknowledged ticket")
        called = db.execute("SELECT number FROM tickets WHERE status = 'called' AND counter = 1").fetchall()
        check(called == [(base,)], "NEXT in the group called the first waiting ticket (%r)" % called)
        call = db.execute("SELECT max(id) FROM events WHERE kind = 'call' AND counter = 1").fetchone()[0]
        issued = db.execute("SELECT min(e.id) FROM events e JOIN tickets t ON t.id = e.ticket "
                            "WHERE e.kind = 'issue' AND t.service = 'civil' AND t.number > ?",
                            (base,)).fetchone()[0]
        check(call is not None and issued is not None and call < issued,
              "the clerk's NEXT, queued behind %d presses, committed before them "
              "(call event %r, first issue event of the burst %r)" % (N, call, issued))
        db.close()

        # One client pipelines a press and a NEXT among others' presses:
        # its NEXT does not pass its own press.
        answers = burst(k, [{"cmd": "press", "service": "civil", "source": "o%d" % i} for i in range(4)] +
                        [[{"cmd": "press", "service": "civil", "source": "pipe"},
                          {"cmd": "counter", "counter": 2, "action": "next"}]])
        check(all(a.get("ok") for a in answers), "the pipelined burst answered ok: %r" %
              [a.get("error") for a in answers])
        check("duplicate" in answers[4] and "duplicate" not in answers[5],
              "the pipelining client's answers come in the order of its requests (%r)" % answers[4:])
        pipe = answers[4]["ticket"]["id"]
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        call2 = db.execute("SELECT max(id) FROM events WHERE kind = 'call' AND counter = 2").fetchone()[0]
        own = db.execute("SELECT id FROM events WHERE kind = 'issue' AND ticket = ?", (pipe,)).fetchone()[0]
        db.close()
        check(call2 > own, "a pipelined NEXT is committed after its own client's press "
              "(call event %r, the press's issue event %r)" % (call2, own))
        base += 5  # the burst's tickets; the failed group numbers on from them

        # A group whose commit fails: a trigger from outside refuses the
        # ticket numbered base+N+5 (inside the group).
        bad = base + N + 1 + 4
        w = sqlite3.connect(k.db(), timeout=10)
        w.execute("CREATE TRIGGER refuse_one BEFORE INSERT ON tickets WHEN NEW.number = %d "
                  "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END" % bad)
        w.commit()
        answers = burst(k, [{"cmd": "press", "service": "civil", "source": "g%d" % i} for i in range(10)])
        errs = [a.get("error") for a in answers]
        check(all(e == "store" for e in errs), "every action of the failed group refused with store: %r" % errs)
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        high = db.execute("SELECT max(number) FROM tickets WHERE service = 'civil'").fetchone()[0]
        db.close()
        check(high == base + N, "no ticket of the failed group is in the database (highest %d)" % high)
        w.execute("DROP TRIGGER refuse_one")
        w.commit()
        w.close()
        after = k.request({"cmd": "press", "service": "civil", "source": "after"})
        check(after.get("ok") and after["ticket"]["number"] == base + N + 1,
              "the next press gets %d, the number the refused group would have started with (%r)" %
              (base + N + 1, after.get("ticket", {}).get("number")))
        st = k.request({"cmd": "status"})
        check(st["store"]["state"] == "ok", "the store is ok again: %r" % st["store"])

        # The database held by another program: a NEXT, the last in the
        # queue, moves ahead of the presses waiting with it; a press that
        # arrives after that is queued behind them, and once the database
        # is free every one of them is answered and saved.
        w = sqlite3.connect(k.db(), timeout=10, isolation_level=None)
        w.execute("BEGIN IMMEDIATE")
        conns = [k.connect() for _ in range(5)]
        reqs = [{"cmd": "press", "service": "civil", "source": "l%d" % i} for i in range(3)]
        reqs += [{"cmd": "counter", "counter": 1, "action": "next"},
                 {"cmd": "press", "service": "civil", "source": "late"}]
        for c, r in zip(conns, reqs):
            c.sendall((json.dumps(r) + "\n").encode())
            time.sleep(0.15)  # kioskd has queued it (and tried the store) before the next
        w.execute("COMMIT")
        w.close()
        answers = [read_answer(c) for c in conns]
        for c in conns:
            c.close()
        check(all(a.get("ok") for a in answers), "every action queued while the database was held "
              "is answered ok: %r" % [a.get("error") for a in answers])
        ids = [a["ticket"]["id"] for a in answers[:3] + answers[4:]]
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        saved = [r[0] for r in db.execute("SELECT id FROM tickets WHERE id IN (%s) ORDER BY id" %
                                          ",".join("?" * len(ids)), ids)]
        db.close()
        check(saved == sorted(ids), "Python's sqlite3 finds the 4 tickets (%r of %r)" % (saved, ids))
    finally:
        k.close()
    print("PASS")


main()
