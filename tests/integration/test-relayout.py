#!/usr/bin/python3
"""test-relayout.py — the store's second index layout (store.h,
MC_STORE_LAYOUT; issue 16: a press wrote 5 pages where the baseline
insert writes 1), checked from outside with Python's sqlite3 and by
parsing the WAL file:

  - a new database is in layout 2: the tickets key is UNIQUE (day,
    service, round, number), there is no tickets_day and no events_ticket,
    ratings are indexed by ticket (events_rating, partial); a press's
    commit is 3 WAL frames (5 in layout 1); status says layout 2;
  - the queries the reports and the uplink make still use an index (the
    query planner, asked from outside);
  - a database put back into layout 1 (the first release's indexes) is
    rewritten at the next start: every ticket and event row is the same,
    ids included, integrity_check is ok, the schema version is still 1
    (so the other slot's older kioskd still opens it), a reused number is
    still refused by the database itself, and numbering goes on;
  - a rewrite that fails (here a table in the way) leaves layout 1: kioskd
    says so in its log and status, and serves as before (5 frames a
    press); once the obstacle is gone, the next start rewrites it;
  - kill -9 in the middle of rewriting a large database leaves layout 1
    whole (one transaction); the next start rewrites it and loses nothing;
  - a full disk (a tmpfs with 8 MB beside the database, mounted over the
    state directory; needs root) fails that rewrite with ENOSPC: layout 1
    stays whole, the log says "database or disk is full", a press and a
    NEXT are served and kept; with room again the next start rewrites.

Usage: test-relayout.py KIOSKD KIOSKCTL"""
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import BOARD_ALWAYS_OPEN, Kiosk, check, fail, wal_frames  # noqa: E402

KIOSKD, KIOSKCTL = sys.argv[1:3]
BOARD = BOARD_ALWAYS_OPEN.replace("double_tap = 1s", "double_tap = 0ms")
KEY_1 = "UNIQUE (service, day, round, number)"
KEY_2 = "UNIQUE (day, service, round, number)"


def schema(path):
    """{name: sql} of the database's tables and indexes."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return {n: s for n, s in db.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index')")}
    finally:
        db.close()


def layout(path):
    """1 or 2, read from the schema, or fail on anything else."""
    s = schema(path)
    t = s.get("tickets", "")
    if KEY_1 in t and "tickets_day" in s and "events_ticket" in s and "events_rating" not in s:
        return 1
    if KEY_2 in t and "tickets_day" not in s and "events_ticket" not in s and "events_rating" in s:
        return 2
    fail("the schema is in neither layout: %r" % s)


def rows(path):
    """Every ticket and event row, in id order, and the schema version."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return (db.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
                db.execute("SELECT * FROM events ORDER BY id").fetchall(),
                db.execute("SELECT version FROM schema_version").fetchall())
    finally:
        db.close()


def to_layout_1(path):
    """Puts a layout-2 database back into layout 1 as the first release
    wrote it (its table text with the key's columns in their first order;
    the same rows), kioskd stopped."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
        head = sql[:sql.index("(")]
        first = "CREATE TABLE tickets_old " + sql[len(head):].replace(KEY_2, KEY_1)
        db.execute("BEGIN IMMEDIATE")
        db.execute(first)
        db.execute("INSERT INTO tickets_old SELECT * FROM tickets")
        db.execute("DROP TABLE tickets")
        db.execute("ALTER TABLE tickets_old RENAME TO tickets")
        # The first release's table text, name unquoted, as migration 0 wrote it.
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = replace(sql, 'CREATE TABLE \"tickets\" (', "
                   "'CREATE TABLE tickets (') WHERE name = 'tickets'")
        db.execute("PRAGMA writable_schema = OFF")
        db.execute("CREATE INDEX tickets_day ON tickets(day)")
        db.execute("DROP INDEX events_rating")
        db.execute("CREATE INDEX events_ticket ON events(ticket)")
        db.execute("COMMIT")
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "the layout-1 copy is sound")
    finally:
        db.close()
    check(layout(path) == 1, "the database is back in layout 1")


def press_frames(k, service="civil"):
    """Presses once; returns the ticket and how many WAL frames its
    commit wrote (counted in the file, from outside)."""
    wal = k.db() + "-wal"
    before = len(wal_frames(wal))
    a = k.request({"cmd": "press", "service": service, "source": "test"})
    check(a.get("ok"), "a press is answered: %s" % (a.get("ticket") or a).get("label", a))
    after = wal_frames(wal)
    if len(after) < before:
        fail("the WAL restarted under a single press (a checkpoint): try again")
    return a["ticket"], len(after) - before


def serve_some(k):
    """Presses, calls, finishes and rates a few tickets on two services."""
    for i in range(6):
        check(k.request({"cmd": "press", "service": "civil" if i % 2 else "land", "source": "t"}).get("ok"),
              "press %d answered" % i)
    for c in (1, 2):
        a = k.request({"cmd": "counter", "counter": c, "action": "next"})
        check(a.get("ok"), "counter %d calls: %r" % (c, a))
        k.request({"cmd": "counter", "counter": c, "action": "rate", "arg": 4})
        check(k.request({"cmd": "counter", "counter": c, "action": "finish"}).get("ok"), "counter %d finishes" % c)


def status_store(k):
    return k.request({"cmd": "status"})["store"]


def new_database():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD).start()
    try:
        serve_some(k)
        check(status_store(k).get("layout") == 2, "status: layout 2")
        check(layout(k.db()) == 2, "a new database is in layout 2")
        ix = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        key = [r for r in ix.execute("PRAGMA index_list(tickets)") if r[2]]
        cols = [r[2] for r in ix.execute("PRAGMA index_info(%s)" % key[0][1])] if len(key) == 1 else []
        check(cols == ["day", "service", "round", "number"], "the tickets key's columns: %r" % cols)
        rated = ix.execute("SELECT count(*) FROM events WHERE kind = 'rate'").fetchone()[0]
        check(rated == 2, "two ratings were logged: %d" % rated)
        # Each query the reports and the uplink make by day or by ticket
        # still finds its rows through an index.
        for q in ("SELECT * FROM tickets WHERE day = '2026-11-30' ORDER BY id",
                  "SELECT MIN(id), MAX(id) FROM tickets WHERE day = '2026-11-30'",
                  "SELECT * FROM tickets WHERE day = '2026-11-30' OR (day < '2026-11-30' AND status IN "
                  "('waiting','called'))",
                  "SELECT detail FROM events WHERE ticket = 7 AND kind = 'rate' ORDER BY id DESC LIMIT 1"):
            plan = [r[3] for r in ix.execute("EXPLAIN QUERY PLAN " + q)]
            check(not any(p in ("SCAN tickets", "SCAN events") for p in plan) and any("INDEX" in p for p in plan),
                  "no full scan: %s -> %s" % (q[:50], " / ".join(plan)))
        ix.close()
        frames = sorted(press_frames(k)[1] for _ in range(5))
        check(frames[2] == 3, "a press's commit writes 3 pages (was 5): %r" % frames)
        k.stop()
        check(os.path.exists(k.db()) and rows(k.db())[2] == [(1,)], "the schema version is still 1")
        return k
    except BaseException:
        k.close()
        raise


def rewritten(k):
    """Layout 1 -> kioskd start -> layout 2 with the same rows."""
    to_layout_1(k.db())
    want = rows(k.db())
    k.start()
    try:
        check(status_store(k).get("layout") == 2, "status: layout 2 after the rewrite")
        got = rows(k.db())
        check(got[0] == want[0], "every ticket row is the same after the rewrite (%d)" % len(want[0]))
        check(got[1] == want[1], "every event row is the same after the rewrite (%d)" % len(want[1]))
        check(got[2] == [(1,)], "the schema version is still 1: an older kioskd opens it")
        check(layout(k.db()) == 2, "the database is in layout 2")
        last = max(r for r in want[0] if r[1] == "civil")    # the newest (by id)
        # The first commit after a start also writes the office day.
        first = k.request({"cmd": "press", "service": "civil", "source": "t"})
        check(first.get("ok") and first["ticket"]["id"] == last[0] + 1, "ids go on: %r" % first)
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        num = db.execute("SELECT number FROM tickets WHERE id = ?", (first["ticket"]["id"],)).fetchone()[0]
        db.close()
        check(num == last[5] + 1, "numbering goes on: %d after %d" % (num, last[5]))
        frames = sorted(press_frames(k)[1] for _ in range(3))
        check(frames[1] == 3, "a press after the rewrite writes 3 pages: %r" % frames)
    finally:
        k.stop()
    # The database itself refuses a reused number (kioskd stopped).
    db = sqlite3.connect(k.db(), isolation_level=None)
    try:
        db.execute("BEGIN")
        db.execute("INSERT INTO tickets SELECT NULL, service, cur_service, day, round, number, label, priority,"
                   " status, print, counter, clerk, rating, transfers, issued_at, called_at, finished_at,"
                   " issued_mono, called_mono, finished_mono, issued_boot, called_boot, finished_boot, wait_ms,"
                   " service_ms FROM tickets WHERE id = 1")
        fail("a second row with ticket 1's service, day, round and number was taken")
    except sqlite3.IntegrityError as e:
        check("UNIQUE" in str(e), "a reused number is refused by the database: %s" % e)
    finally:
        db.execute("ROLLBACK")
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
        db.close()


def rewritten_at_next_start(k, when):
    """After a failed rewrite: the next start rewrites, every row the same."""
    want = rows(k.db())
    k.start()
    try:
        check(status_store(k).get("layout") == 2, "%s, the next start rewrote it" % when)
    finally:
        k.stop()
    got = rows(k.db())
    check(got[:2] == want[:2], "%s: the same rows after that rewrite (%d tickets)" % (when, len(want[0])))


def failed_rewrite(k):
    """A rewrite that cannot run leaves layout 1 and a kiosk that serves."""
    to_layout_1(k.db())
    db = sqlite3.connect(k.db())
    db.execute("CREATE TABLE tickets_relayout (x)")   # in the rewrite's way
    db.commit()
    db.close()
    k.start()
    try:
        st = status_store(k)
        check(st.get("layout") == 1, "status: layout 1 when the rewrite failed: %r" % st)
        check("first layout" in k.read_log() and "tickets_relayout" in k.read_log(),
              "kioskd's log says the indexes stay in their first layout, and why")
        frames = sorted(press_frames(k)[1] for _ in range(3))
        check(frames[1] == 5, "it serves as before: a press writes 5 pages: %r" % frames)
        a = k.request({"cmd": "counter", "counter": 1, "action": "next"})
        check(a.get("ok"), "a NEXT is answered: %r" % a)
    finally:
        k.stop()
    check(layout(k.db()) == 1, "the database is whole in layout 1")
    db = sqlite3.connect(k.db())
    db.execute("DROP TABLE tickets_relayout")
    db.commit()
    db.close()
    rewritten_at_next_start(k, "once the obstacle is gone")


def crash_in_rewrite(k):
    """kill -9 while a large database is rewritten."""
    to_layout_1(k.db())
    db = sqlite3.connect(k.db(), isolation_level=None)
    db.execute("BEGIN")
    # A year and more of finished tickets on past days (none loads).
    tmpl = db.execute("SELECT * FROM tickets WHERE status = 'finished' LIMIT 1").fetchone()
    if tmpl is None:
        fail("no finished ticket to copy")
    base = db.execute("SELECT max(id) FROM tickets").fetchone()[0]
    n = 150000
    cols = list(tmpl)
    batch = []
    for i in range(n):
        r = cols[:]
        r[0] = base + 1 + i
        r[3] = "2025-%02d-%02d" % (1 + (i // 400) % 12, 1 + (i // 16000) % 28)
        r[4] = i  # round: unique with number
        batch.append(tuple(r))
    db.executemany("INSERT INTO tickets VALUES (%s)" % ",".join("?" * len(cols)), batch)
    db.execute("COMMIT")
    db.close()
    want = rows(k.db())
    # How long a start with the rewrite takes here (a guard, not a bound).
    hit = False
    delay = None
    for attempt in range(6):
        k.start(wait=False)
        t0 = time.monotonic()
        if delay is None:
            k.wait_ready(timeout=120)
            full = time.monotonic() - t0
            k.kill9()
            # That start rewrote it: put it back for the crash.
            check(rows(k.db())[:2] == want[:2], "a full rewrite kept every row")
            to_layout_1(k.db())
            delay = full / 2
            print("a start with the rewrite of %d tickets took %.2f s" % (len(want[0]), full))
            continue
        time.sleep(delay)
        k.kill9()
        # Under way: frames of a transaction that never committed follow
        # the WAL's last commit (a rewrite this size spills to the WAL).
        frames = wal_frames(k.db() + "-wal")
        open_frames = len(frames) - (max(i for i, f in enumerate(frames) if f) + 1 if any(frames) else 0)
        print("kill -9 after %.3f s: layout %d, %d frames of an open transaction" %
              (delay, layout(k.db()), open_frames))
        if layout(k.db()) == 1 and open_frames > 0:
            hit = True
            break
        to_layout_1(k.db())
        delay /= 2
    check(hit, "kill -9 landed in the rewrite (layout 1 after it, an open transaction in the WAL)")
    check(rows(k.db())[:2] == want[:2], "after kill -9 in the rewrite, every row is there, as it was")
    k.start()
    try:
        check(status_store(k).get("layout") == 2, "the next start rewrote it")
        check(k.request({"cmd": "press", "service": "civil", "source": "t"}).get("ok"), "and serves")
    finally:
        k.stop()
    got = rows(k.db())
    check(got[0][:len(want[0])] == want[0] and got[1][:len(want[1])] == want[1],
          "nothing was lost (%d tickets)" % len(want[0]))
    db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok")
    db.close()


def full_disk_rewrite(k):
    """A rewrite on a file system with no room for it (a real one: a
    tmpfs the size of the database and its WAL's write-ahead, mounted
    over the state directory; SQLite meets ENOSPC, as on a full SD card)
    leaves layout 1 whole; kioskd says why and serves from the room it
    has; once there is room, the next start rewrites."""
    if os.geteuid() != 0:
        print("full disk: not run (mounting a small file system needs root)")
        return
    to_layout_1(k.db())
    want = rows(k.db())
    db_size = os.path.getsize(k.db())
    # The database and 8 MB: the copy of the tickets table (the rewrite's
    # first step, written to the WAL) does not fit; the WAL it grew stays
    # after the rollback, and the commits after it reuse its frames.
    size = db_size + (8 << 20)
    need = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
    table = need.execute("SELECT sum(pgsize) FROM dbstat WHERE name = 'tickets'").fetchone()[0]
    need.close()
    check(table > size - db_size, "the premise: the rewrite's copy (%d bytes) outgrows the room (%d)"
          % (table, size - db_size))
    keep = k.state + ".kept"
    shutil.copytree(k.state, keep)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % size, "tmpfs", k.state], check=True)
    try:
        for name in os.listdir(keep):
            shutil.copy2(os.path.join(keep, name), os.path.join(k.state, name))
        k.start()
        try:
            st = status_store(k)
            check(st.get("layout") == 1, "full disk: status says layout 1: %r" % st)
            log = k.read_log()
            check("first layout" in log and "full" in log,
                  "full disk: kioskd's log says the indexes stay in their first layout, and why: %s"
                  % log[-600:])
            a = k.request({"cmd": "press", "service": "civil", "source": "t"})
            check(a.get("ok"), "full disk: a press is still served from the WAL's room: %r" % a)
            n = k.request({"cmd": "counter", "counter": 1, "action": "next"})
            check(n.get("ok"), "full disk: a NEXT is answered: %r" % n)
            touched = {a["ticket"]["id"], n["ticket"]["id"]}
        finally:
            k.stop()
        check(layout(k.db()) == 1, "full disk: the database is whole in layout 1")
        got = rows(k.db())
        today = a["ticket"]["day"]
        check([r for r in got[0] if r[3] != today] == [r for r in want[0] if r[3] != today],
              "full disk: every ticket row of past days as it was (%d)" % len(want[0]))
        check({r[0]: r[8] for r in got[0] if r[0] in touched} == {a["ticket"]["id"]: "waiting",
                                                                  n["ticket"]["id"]: "called"},
              "full disk: the press's ticket and the NEXT's call are in the database")
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "full disk: integrity_check ok")
        db.close()
        shutil.rmtree(keep)
        shutil.copytree(k.state, keep)
    finally:
        subprocess.run(["umount", "-l", k.state], check=False)
    shutil.rmtree(k.state)
    os.rename(keep, k.state)
    rewritten_at_next_start(k, "with room again")
    print("full disk: the rewrite failed on a %d MB file system, layout 1 kept, service went on; "
          "rewritten once there was room" % (size >> 20))


def main():
    k = new_database()
    try:
        rewritten(k)
        failed_rewrite(k)
        crash_in_rewrite(k)
        full_disk_rewrite(k)
    finally:
        k.close()
    print("PASS")


if __name__ == "__main__":
    main()
