#!/usr/bin/python3
"""test-store-faults.py — the store under faults, from outside (issue 12,
DESIGN §6), with Python's sqlite3 as the independent reader:

  - identity: a new database carries application_id and a store id that
    the marker file beside it repeats; an empty, missing, truncated,
    foreign or garbage-page database where the marker exists stops kioskd
    with exit 78 and a message naming the file and what to do;
    --init-store starts afresh (setting the bad file aside); a database
    made before the identity (our tables, no application_id) is migrated;
  - a lock held by another process: held briefly, presses wait and
    succeed; held past [office] store_wait, presses are refused with
    `store`; either way other requests keep being answered during the
    lock (a count), nothing acknowledged is voided, rows and events
    agree, and service resumes when the lock goes;
  - the WAL deleted under the running daemon, then kill -9: every
    acknowledged ticket survives; the new WAL is written ahead again (its
    file as long as the first), so commits do not grow it until the next
    start;
  - the disk full (a file size limit on kioskd): presses are refused with
    `store` at once, the queue in memory stays as it was (the waiting
    count), the daemon keeps answering, and after a restart every
    acknowledged ticket is there and nothing else;
  - a real full disk (a 40 MB tmpfs over the state directory, filled by
    another file; root only): presses go on into the WAL written ahead,
    status says `degraded` (checkpoints fail, the disk is full) before
    any is refused, then presses and NEXT are refused with `store` and a
    detail saying the disk is full, the queue stays; with room again the
    next press is served without a restart; after kill -9 every
    acknowledged ticket and nothing else; a start on the full disk
    after a clean stop (no WAL) fails with exit 1 saying the disk is full
    and the database not damaged, and leaves the file as it is, also
    under --init-store; with room it starts with every ticket.

Environment: MC_LOCK_LONG_S (default 30, as the issue asks) is how long the long lock is
held (the issue's figure is 30).

Usage: test-store-faults.py KIOSKD KIOSKCTL"""
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import BOARD_ALWAYS_OPEN, SCALE, Kiosk, check, fail  # noqa: E402

KIOSKD, KIOSKCTL = sys.argv[1:3]
LONG_S = float(os.environ.get("MC_LOCK_LONG_S", "30"))
BOARD = BOARD_ALWAYS_OPEN.replace("double_tap = 1s", "double_tap = 0ms\nstore_wait = 2s")
APP_ID = 0x4d435541


def ro(k):
    return sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)


def start_fails(k, extra=()):
    """Runs kioskd expecting it to refuse; returns (code, stderr)."""
    r = subprocess.run([KIOSKD, "--board", k.board, "--state-dir", k.state, "--socket", k.sock, "--sim", *extra],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stderr


def press(k, service="civil"):
    return k.request({"cmd": "press", "service": service, "source": "t%f" % time.monotonic()})


def press_until_refused(k, acked, limit, after=None):
    """Presses until one is refused (returned) or limit presses are
    taken (None); the taken ones go into acked, and after(i) runs after
    the i-th."""
    for i in range(limit):
        a = press(k)
        if not a["ok"]:
            return a
        acked.append(a)
        if after:
            after(i)
    return None


def rows_and_events_agree(k):
    db = ro(k)
    try:
        no_issue = db.execute("SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM events e"
                              " WHERE e.ticket = t.id AND e.kind = 'issue')").fetchall()
        orphan = db.execute("SELECT id FROM events e WHERE ticket != 0 AND NOT EXISTS"
                            " (SELECT 1 FROM tickets t WHERE t.id = e.ticket)").fetchall()
        void_no_event = db.execute("SELECT id FROM tickets t WHERE status = 'voided' AND NOT EXISTS"
                                   " (SELECT 1 FROM events e WHERE e.ticket = t.id AND e.kind = 'void')").fetchall()
    finally:
        db.close()
    return not no_issue and not orphan and not void_no_event


def identity():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD)
    try:
        k.start()
        a = press(k)
        check(a["ok"], "a ticket on a new database")
        k.stop()
        marker = k.db() + ".id"
        check(os.path.exists(marker), "the marker file is written beside the database")
        mid = open(marker).read()
        db = ro(k)
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        sid = db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]
        db.close()
        check(app_id == APP_ID, "application_id is motcua's (%#x)" % app_id)
        check(len(sid) == 32 and int(sid, 16) >= 0 and mid == sid + "\n",
              "the store id (%s) is in the database and in the marker" % sid)
        good = os.path.join(k.dir, "good.db")
        shutil.copy(k.db(), good)

        def put(data=None, truncate=None, remove=False, wal_zeros=0):
            for sfx in ("-wal", "-shm"):
                if os.path.exists(k.db() + sfx):
                    os.unlink(k.db() + sfx)
            if remove:
                os.unlink(k.db())
                return
            shutil.copy(good, k.db())
            if truncate is not None:
                with open(k.db(), "r+b") as f:
                    f.truncate(truncate)
            if data is not None:
                with open(k.db(), "r+b") as f:
                    f.seek(data[0])
                    f.write(data[1])
            if wal_zeros:  # kioskd writes its WAL ahead with zeros: no frames
                with open(k.db() + "-wal", "wb") as f:
                    f.write(bytes(wal_zeros))

        cases = [("empty", dict(truncate=0)), ("missing", dict(remove=True)),
                 ("truncated", dict(truncate=os.path.getsize(good) // 2)),
                 ("truncated, beside a WAL of zeros", dict(truncate=os.path.getsize(good) // 2,
                                                           wal_zeros=5 << 20)),
                 ("garbage page", dict(data=(4096 * 2, os.urandom(4096))))]
        for name, how in cases:
            put(**how)
            code, err = start_fails(k)
            check(code == 78 and k.db() in err and "--init-store" in err,
                  "%s database: exit 78 naming the file and what to do (%d: %s)" % (name, code, err.strip()[:160]))
        # Foreign: another program's SQLite file.
        put(remove=True)
        f = sqlite3.connect(k.db())
        f.execute("PRAGMA application_id = 1234")
        f.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, data BLOB)")
        f.commit()
        f.close()
        code, err = start_fails(k)
        check(code == 78 and k.db() in err and "another program" in err,
              "foreign database: exit 78 (%d: %s)" % (code, err.strip()[:160]))
        # --init-store starts afresh and keeps the foreign file aside.
        k.proc = subprocess.Popen([KIOSKD, "--board", k.board, "--state-dir", k.state, "--socket", k.sock,
                                   "--sim", "--init-store"], stdout=k.log, stderr=k.log, env=k.env())
        k.wait_ready()
        b = press(k)
        check(b["ok"] and b["label"] == "1001", "--init-store: a new database, numbering afresh")
        check(any(n.startswith("kiosk.db.set-aside-") for n in os.listdir(k.state)),
              "the unusable file is set aside, not deleted")
        check(open(marker).read() != mid, "the new database has a new store id in the marker")
        k.stop()
        # Made by the landed code: our tables, no application_id, no marker.
        put()
        os.unlink(marker)
        db = sqlite3.connect(k.db())
        db.execute("PRAGMA application_id = 0")
        db.execute("DELETE FROM meta WHERE key = 'store_id'")
        db.commit()
        db.close()
        k.start()
        c = press(k)
        check(c["ok"] and c["label"] == "1002", "a database of the landed code is migrated and continues (%s)"
              % c.get("label"))
        k.stop()
        db = ro(k)
        check(db.execute("PRAGMA application_id").fetchone()[0] == APP_ID and os.path.exists(marker),
              "... and now carries application_id and a marker")
        db.close()
        checkpoint_cut_short(k)
    finally:
        k.close()


def checkpoint_cut_short(k):
    """kill -9 during a checkpoint: SQLite copies the WAL's pages into the
    database in page order, page 1 first, whose header already counts the
    pages the file has not grown to yet. The WAL still holds every page and
    SQLite recovers from it, so kioskd must start and keep every ticket
    (it refused such a file as "truncated": crash-soak, Debian 13
    sanitizer tree). Made here by writing the WAL's last page 1 over the
    database's after a kill -9."""
    k.start()
    for _ in range(150):
        check(press(k)["ok"], "press")
    db = ro(k)
    want = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    db.close()
    k.kill9()
    with open(k.db() + "-wal", "rb") as f:
        wal = f.read()
    psz = int.from_bytes(wal[8:12], "big")
    page1, off = None, 32
    while off + 24 + psz <= len(wal):
        # Frames of this WAL (its salts), not stale ones of an earlier one.
        if wal[off + 8:off + 16] == wal[16:24] and int.from_bytes(wal[off:off + 4], "big") == 1:
            page1 = wal[off + 24:off + 24 + psz]
        off += 24 + psz
    size = os.path.getsize(k.db())
    pages = int.from_bytes(page1[28:32], "big") if page1 else 0
    check(page1 is not None and pages * psz > size,
          "the WAL's page 1 counts more pages (%d × %d) than the file holds (%d bytes)" % (pages, psz, size))
    with open(k.db(), "r+b") as f:
        f.write(page1)
    k.start()
    c = press(k)
    check(c["ok"], "kioskd starts on a database whose checkpoint was cut short, and issues (%s)" % c)
    k.stop()
    db = ro(k)
    got = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "... the database is intact")
    db.close()
    check(got == want + 1, "... with every ticket (%d, want %d)" % (got, want + 1))


class Holder:
    """Another process holding the write lock (BEGIN IMMEDIATE) for secs."""

    def __init__(self, db, secs):
        code = ("import sqlite3, sys, time\n"
                "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n"
                "c.execute('BEGIN IMMEDIATE')\n"
                "print('locked', flush=True)\n"
                "time.sleep(float(sys.argv[2]))\n"
                "c.execute('COMMIT')\n"
                "print('released', flush=True)\n")
        self.p = subprocess.Popen(["/usr/bin/python3", "-c", code, db, str(secs)], stdout=subprocess.PIPE, text=True)
        self.held = threading.Event()
        self.released = threading.Event()
        threading.Thread(target=self.watch, daemon=True).start()
        if not self.held.wait(30):
            fail("the lock holder did not get the lock")

    def watch(self):
        for line in self.p.stdout:
            if line.startswith("locked"):
                self.held.set()
            elif line.startswith("released"):
                self.released.set()


def lock_case(k, secs, expect_ok):
    answered_during = [0]
    stop = threading.Event()
    pressing = threading.Event()  # the first press is on its way
    h = Holder(k.db(), secs)

    def reads():
        conn = k.connect()
        try:
            while not stop.is_set():
                k.request({"cmd": "status"}, conn)
                # Counted only while a press waits for the lock: a loop
                # that blocked on the lock would answer none of them.
                if pressing.is_set() and not h.released.is_set():
                    answered_during[0] += 1
                time.sleep(0.02)
        finally:
            conn.close()

    results = []

    def presser(n):
        results.append(press(k))

    rt = threading.Thread(target=reads)
    rt.start()
    ps = []
    time.sleep(0.05)
    pressing.set()
    for i in range(3):
        t = threading.Thread(target=presser, args=(i,))
        t.start()
        ps.append(t)
        time.sleep(0.05)
    for t in ps:
        t.join()
    h.released.wait(secs + 30)
    stop.set()
    rt.join()
    h.p.wait()
    if expect_ok:
        check(all(r["ok"] for r in results), "lock held %gs: the presses waited and succeeded %s"
              % (secs, [r.get("label", r.get("error")) for r in results]))
        labels = sorted(r["label"] for r in results)
        check(len(set(labels)) == 3, "... with three different numbers")
    else:
        check(all(not r["ok"] and r["error"] == "store" for r in results),
              "lock held %gs: the presses were refused with `store` %s" % (secs, [r.get("error") for r in results]))
    check(answered_during[0] > 0, "other requests were answered while the lock was held (%d)" % answered_during[0])
    return results


def locks():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD)
    try:
        k.start()
        first = press(k)
        check(first["ok"], "a ticket before the locks")
        ok = lock_case(k, 1.0, True)
        refused = lock_case(k, LONG_S, False)
        after = press(k)
        check(after["ok"], "service resumes when the lock goes (%s)" % after.get("label"))
        st = k.request({"cmd": "status"})
        check(st["store"]["refused"] >= 3 and st["store"]["state"] == "ok",
              "status counts the refusals and says the store is fine again: %s" % st["store"])
        db = ro(k)
        acked = [first] + ok + [after]
        for a in acked:
            row = db.execute("SELECT status FROM tickets WHERE id = ?", (a["ticket"]["id"],)).fetchone()
            if not row or row[0] == "voided":
                fail("acknowledged ticket %s lost or voided after a lock" % a["label"])
        n = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        db.close()
        check(n == len(acked), "nothing but the acknowledged tickets was written (%d rows)" % n)
        check(rows_and_events_agree(k), "rows and events agree")
        del refused
    finally:
        k.close()


def wal_deleted():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD)
    try:
        k.start()
        acked = [press(k) for _ in range(5)]
        ahead = os.path.getsize(k.db() + "-wal")
        os.unlink(k.db() + "-wal")
        more = [press(k) for _ in range(5)]
        acked += [a for a in more if a["ok"]]
        check(len(acked) >= 5, "presses answered after the WAL was deleted (%d acknowledged in all)" % len(acked))
        # kioskd wrote its first WAL ahead (zeros, far past 5 presses'
        # frames); the reopened one is written ahead to the same length.
        now = os.path.getsize(k.db() + "-wal")
        st = k.request({"cmd": "status"})["store"]
        check(ahead > 1 << 20 and now == ahead and st.get("wal_ahead", 0) > 0,
              "the new WAL is written ahead as the first was: %d bytes, first %d, status %r" % (now, ahead, st))
        k.kill9()
        k.start()
        db = ro(k)
        got = {r[0] for r in db.execute("SELECT id FROM tickets WHERE status != 'voided'")}
        db.close()
        lost = [a["label"] for a in acked if a["ticket"]["id"] not in got]
        check(not lost, "every acknowledged ticket survived the deleted WAL and a kill -9 (lost: %s)" % lost)
        c = press(k)
        check(c["ok"] and c["label"] not in [a["label"] for a in acked], "numbering goes on without repeats")
    finally:
        k.close()


def disk_full():
    import resource
    import signal
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD)
    try:
        k.start()
        acked = [press(k) for _ in range(3)]
        k.stop()
        used = sum(os.path.getsize(k.db() + sfx) for sfx in ("", "-wal") if os.path.exists(k.db() + sfx))
        limit = used + 48 * 1024

        def small_disk():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails instead

        k.proc = subprocess.Popen([KIOSKD, "--board", k.board, "--state-dir", k.state, "--socket", k.sock, "--sim"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=k.env(),
                                  preexec_fn=small_disk)
        k.wait_ready()
        refused = press_until_refused(k, acked, 400)
        check(refused is not None and refused["error"] == "store",
              "a full disk refuses the press with `store` (%s)" % (refused and refused.get("detail")))
        again = press(k)
        check(not again["ok"] and again["error"] == "store", "... and the next one too, at once")
        st = k.request({"cmd": "status"})
        check(st["waiting"] == len(acked), "the queue in memory is as it was: %d waiting, %d acknowledged"
              % (st["waiting"], len(acked)))
        k.kill9()
        k.start()
        db = ro(k)
        ids = {r[0] for r in db.execute("SELECT id FROM tickets")}
        db.close()
        check(ids == {a["ticket"]["id"] for a in acked},
              "after a restart: every acknowledged ticket and nothing else (%d)" % len(ids))
        c = press(k)
        check(c["ok"] and c["label"] not in [a["label"] for a in acked], "numbering goes on without repeats")
    finally:
        k.close()


def disk_full_real():
    """A real full disk: a 40 MB tmpfs over the state directory, filled by
    another file once kioskd is up (root only: it mounts)."""
    if os.geteuid() != 0:
        print("real full disk: not run (mounting a small file system needs root)")
        return
    # Numbers enough for the presses the WAL's room takes.
    board = BOARD.replace("numbers = 1001-1999", "numbers = 1-9999") \
                 .replace("numbers = 2001-2999", "prefix = D\nnumbers = 1-999")
    k = Kiosk(KIOSKD, KIOSKCTL, board)
    os.makedirs(k.state)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m,mode=0700", "tmpfs", k.state], check=True)
    try:
        k.start()
        acked = [press(k) for _ in range(3)]
        check(all(a["ok"] for a in acked), "presses before the disk fills")
        def fill():
            fd = os.open(os.path.join(k.state, "filler"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
            try:
                while True:
                    os.write(fd, b"\0" * 4096)
            except OSError:
                pass
            os.close(fd)

        fill()
        v = os.statvfs(k.state)
        check(v.f_bfree == 0, "the file system is full (%d blocks free)" % v.f_bfree)
        # The WAL was written ahead (store.h): commits overwrite its zeros
        # and go on; checkpoints, which would grow the database file,
        # fail, and status says so before any press is refused.
        warned = None

        def look(i):
            nonlocal warned
            if i % 100 == 99 and warned is None:
                st = k.request({"cmd": "status"})["store"]
                if st["state"] == "degraded":
                    warned = (i + 1, st)
                    out = k.ctl("status", check=0)[1]
                    check("thiếu một phần / degraded — không dồn được WAL" in out and "đĩa đầy" in out,
                          "kioskctl status shows it to the technician, Vietnamese first: %s" %
                          [ln for ln in out.splitlines() if ln.startswith("store")])

        refused = press_until_refused(k, acked, 3000, look)
        after_fill = len(acked) - 3
        check(after_fill >= 500, "on the full disk, the WAL's room still took %d presses" % after_fill)
        check(warned is not None and "the disk is full" in warned[1]["text"] and
              "checkpoints fail" in warned[1]["text"] and "WAL" in warned[1]["text"],
              "status said `degraded` (checkpoints fail, the disk is full) %s presses before the first "
              "refusal: %r" % (warned and after_fill - warned[0], warned and warned[1]["text"]))
        check(refused is not None and refused["error"] == "store" and "the disk is full" in refused["detail"],
              "then a press is refused with `store`, and its detail says the disk is full: %r" % refused)
        st = k.request({"cmd": "status"})
        check(st["store"]["state"] == "error" and "đĩa đầy" in st["store"]["text"],
              "status: store error, the disk is full: %r" % st["store"])
        check(st["waiting"] == len(acked), "the queue in memory is as it was: %d waiting, %d acknowledged"
              % (st["waiting"], len(acked)))
        out = k.ctl("status", check=0)[1]
        check("lỗi / error — commit:" in out and "đĩa đầy: còn trống 0 KB" in out,
              "kioskctl status: %s" % [ln for ln in out.splitlines() if ln.startswith("store")])
        n = k.request({"cmd": "counter", "counter": 1, "action": "next"})
        check(not n["ok"] and n["error"] == "store", "a NEXT is refused too (nothing to keep it in): %r" % n)
        with open(os.path.join(k.dir, "kioskd.log"), encoding="utf-8", errors="replace") as f:
            log = f.read()
        check("database checkpoints fail (database or disk is full" in log,
              "kioskd's log said when checkpoints began to fail")
        # Room again: service resumes without a restart.
        os.unlink(os.path.join(k.state, "filler"))
        a = press(k)
        check(a["ok"], "with room again, the next press is served: %r" % a)
        acked.append(a)
        for _ in range(100 * SCALE):
            st = k.request({"cmd": "status"})["store"]
            if st["state"] == "ok":
                break
            time.sleep(0.1)
        check(st["state"] == "ok" and st["text"] == "", "status: the store is ok again: %r" % st)
        n = k.request({"cmd": "counter", "counter": 1, "action": "next"})
        check(n["ok"] and n["ticket"]["id"] == acked[0]["ticket"]["id"], "a NEXT calls the first ticket: %r" % n)
        with open(os.path.join(k.dir, "kioskd.log"), encoding="utf-8", errors="replace") as f:
            check("database checkpoints run again" in f.read(), "kioskd's log says checkpoints run again")
        k.kill9()
        k.start()
        db = ro(k)
        ids = {r[0] for r in db.execute("SELECT id FROM tickets")}
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        check(ids == {a["ticket"]["id"] for a in acked},
              "after kill -9: every acknowledged ticket and nothing else (%d)" % len(ids))
        check(ok == "ok" and rows_and_events_agree(k), "integrity_check ok, rows and events agree")
        c = press(k)
        check(c["ok"] and c["label"] not in [a["label"] for a in acked], "numbering goes on without repeats")
        acked.append(c)
        # A start on a full disk (a clean stop deleted the WAL: opening
        # the database needs room for a new one). Not "damaged", and
        # not set aside, even under --init-store.
        check(k.stop() == 0, "a clean stop")
        fill()
        def files():
            # SQLite may leave an empty -wal and -shm behind (inodes, no blocks).
            with open(k.db(), "rb") as f:
                return [n for n in sorted(os.listdir(k.state)) if n not in ("kiosk.db-wal", "kiosk.db-shm")], f.read()
        before = files()
        for extra in ((), ("--init-store",)):
            code, err = start_fails(k, extra)
            check(code == 1 and "the disk is full" in err and "nothing says the database is damaged" in err
                  and "init-store" not in err,
                  "a start %s on the full disk fails (exit %d) saying the disk is full, not that the "
                  "database is damaged: %s" % (" ".join(extra), code, err.strip()[-400:]))
        check(files() == before, "the database was left where it was, as it was: %s, now %s" %
              (before[0], files()[0]))
        os.unlink(os.path.join(k.state, "filler"))
        k.start()
        db = ro(k)
        ids = {r[0] for r in db.execute("SELECT id FROM tickets")}
        db.close()
        check(ids == {a["ticket"]["id"] for a in acked}, "with room, it starts with every ticket (%d)" % len(ids))
        print("real full disk: %d presses taken after the disk filled, then refused with `store`; "
              "served again once there was room; a start on the full disk said so" % after_fill)
    finally:
        k.stop()
        subprocess.run(["umount", "-l", k.state], check=False)
        k.close()


def removed_while_idle():
    """The database's files, or the whole state directory, removed while
    the kiosk is idle, then a clean stop (a careless rm, then systemctl
    restart): kioskd writes back what it holds before it stops, and the
    next start goes on numbering (before: it started a new database and
    gave 1001 again)."""
    for what in ("files", "directory"):
        k = Kiosk(KIOSKD, KIOSKCTL, BOARD)
        try:
            k.start()
            acked = [press(k) for _ in range(3)]
            if what == "files":
                for sfx in ("", "-wal", "-shm"):
                    if os.path.exists(k.db() + sfx):
                        os.unlink(k.db() + sfx)
            else:
                shutil.rmtree(k.state)
            check(k.stop() == 0, "%s removed: a clean stop" % what)
            check("written back before stopping" in k.read_log(), "%s removed: the log says so" % what)
            db = ro(k)
            ids = {r[0] for r in db.execute("SELECT id FROM tickets")}
            ok = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            check(ids == {a["ticket"]["id"] for a in acked} and ok == "ok",
                  "%s removed: the database is back with every ticket (%d)" % (what, len(ids)))
            k.start()
            c = press(k)
            check(c["ok"] and c["label"] not in [a["label"] for a in acked],
                  "%s removed: numbering goes on after the restart (%s)" % (what, c.get("label")))
        finally:
            k.close()


identity()
locks()
wal_deleted()
disk_full()
disk_full_real()
removed_while_idle()
print("PASS")
