#!/usr/bin/python3
"""test-checkpoint.py — the WAL is copied back into the database by a
thread of the store's own, never by the loop's commits (issue 16: a
checkpoint writes up to 1000 pages and fsyncs the database file; on the
loop it stalled every request behind it), checked from outside:

  - strace follows every thread of a running kioskd while presses fill the
    WAL past the threshold several times; writes to kiosk.db itself (not
    -wal, not -shm) come from a thread other than the loop's (the main
    thread), and no write or fsync of it from the loop's, unless status
    says the checkpointer starved and the WAL's maximum was reached (a
    loaded machine); before, SQLite's automatic checkpoint did them all on
    the main thread;
  - the WAL file stays bounded (it is reset after each checkpoint, and
    kioskd writes it ahead as far as it can grow);
  - `status` counts the checkpoints;
  - after kill -9, Python's sqlite3 finds every acknowledged ticket and the
    database passes integrity_check;
  - the WAL is written ahead as far as it can grow: while a reader of our
    own holds a snapshot (so no checkpoint can restart the WAL), presses
    take it to 2,000 frames, counted by parsing the file, and its file
    never grows (with the WAL written ahead only to 1,256 frames, as
    before, it grew; a commit that grows it waits for the file system's
    journal: 70-190 ms under a flood); once the reader lets go, the
    checkpointer restarts the WAL.

Usage: test-checkpoint.py KIOSKD KIOSKCTL"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import BOARD_ALWAYS_OPEN, Kiosk, check, fail, wal_frames  # noqa: E402

KIOSKD, KIOSKCTL = sys.argv[1:3]
# Room for every press of the test in one service's day (a press writes 3
# WAL pages: the phases take a few thousand presses).
BOARD = BOARD_ALWAYS_OPEN.replace("double_tap = 1s", "double_tap = 0ms").replace(
    "numbers = 1001-1999", "numbers = 3001-9999")
PAGES = 1000        # MC_STORE_CHECKPOINT_PAGES
MAX_PAGES = 4000    # MC_STORE_WAL_MAX_PAGES
CHECKPOINTS = 3     # fill the WAL past the threshold this many times


def main():
    if subprocess.run(["strace", "-V"], capture_output=True).returncode != 0:
        fail("strace is not installed (Debian package strace, tools/deps)")
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD).start()
    trace = os.path.join(k.dir, "strace.txt")
    st = None
    try:
        first = k.request({"cmd": "press", "service": "civil", "source": "warm"})
        check(first.get("ok"), "a first press is answered: %r" % first)
        pid = k.proc.pid
        # -f with -p follows every thread of the process (the checkpointer
        # was started before this attach).
        st = subprocess.Popen(["strace", "-f", "-qq", "-y", "-p", str(pid), "-o", trace,
                               "-e", "trace=pwrite64,write,fsync,fdatasync"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # strace has attached when the next request's syscalls show up.
        end = time.monotonic() + 30
        while time.monotonic() < end:
            k.request({"cmd": "help"})
            if os.path.exists(trace) and os.path.getsize(trace) > 0:
                break
            time.sleep(0.05)
        else:
            fail("strace did not attach to kioskd: %s" % st.stderr.read1().decode())

        # The checkpointer runs five nice levels below the loop: below it,
        # but not starved by ordinary processes (at nice 10 a flood from
        # four processes at 0 starved it).
        nices = {}
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            nices[comm] = os.getpriority(os.PRIO_PROCESS, int(tid))
        check(nices.get("mc-checkpoint") == min(19, os.getpriority(os.PRIO_PROCESS, pid) + 5),
              "the checkpointer runs five nice levels below the loop: %r" % nices)
        acked = [first["ticket"]["id"]]
        wal = k.db() + "-wal"
        biggest = 0
        n = 0
        while n < 20000:
            a = k.request({"cmd": "press", "service": "civil", "source": "p%d" % n})
            if not a.get("ok"):
                fail("press %d answered: %r" % (n, a))
            acked.append(a["ticket"]["id"])
            n += 1
            biggest = max(biggest, os.path.getsize(wal))
            if n % 50 == 0:
                s = k.request({"cmd": "status"})["store"]
                if s.get("checkpoints", 0) >= CHECKPOINTS and n >= 3 * 1000 // 10:
                    break
        s = k.request({"cmd": "status"})["store"]
        print("presses: %d, checkpoints: %d (refused %d, on the loop %d), biggest WAL: %d pages" %
              (n, s.get("checkpoints", 0), s.get("checkpoints_failed", 0), s.get("checkpoints_on_loop", 0),
               biggest // 4096))
        check(s.get("checkpoints", 0) >= CHECKPOINTS, "status counts the checkpoints: %r" % s)
        # kioskd writes the WAL ahead as far as it can grow (MAX_PAGES and
        # one more group, MC_STORE_WAL_AHEAD_PAGES): the file never grows
        # past that.
        check(biggest <= 32 + (MAX_PAGES + 256) * (24 + 4096),
              "the WAL stays bounded: at most %d bytes (%d pages and one group at most)" % (biggest, MAX_PAGES))
        st.send_signal(signal.SIGINT)
        st.wait(timeout=30)
        st = None

        db_writes, db_syncs = {}, {}
        pat = re.compile(r"^(\d+)\s+(pwrite64|write|fsync|fdatasync)\((\d+)<([^>]*)>")
        with open(trace, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = pat.match(line)
                if not m or not m.group(4).endswith("/kiosk.db"):
                    continue
                tid = int(m.group(1))
                d = db_syncs if m.group(2) in ("fsync", "fdatasync") else db_writes
                d[tid] = d.get(tid, 0) + 1
        print("writes to kiosk.db by thread: %r, fsyncs: %r (loop thread %d)" % (db_writes, db_syncs, pid))
        others = set(db_writes) - {pid}
        check(others, "a thread other than the loop wrote kiosk.db while traced (checkpoints)")
        if s.get("checkpoints_on_loop") == 0:
            check(pid not in db_writes and pid not in db_syncs,
                  "the loop thread never wrote or synced kiosk.db itself (a checkpoint on the loop)")
        else:
            # The backstop: the checkpointer (below the loop) starved on a loaded
            # machine and the WAL reached its maximum; the commit that took
            # it there checkpointed, as status says.
            print("the machine starved the checkpointer: %d checkpoints on the loop" %
                  s["checkpoints_on_loop"])
        names = {}
        for tid in set(db_writes) | set(db_syncs):
            try:
                with open("/proc/%d/task/%d/comm" % (pid, tid)) as f:
                    names[tid] = f.read().strip()
            except OSError:
                names[tid] = "?"
        print("threads that checkpointed: %r" % names)

        k.kill9()
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok after kill -9")
        got = {r[0] for r in db.execute("SELECT id FROM tickets")}
        db.close()
        missing = [t for t in acked if t not in got]
        check(not missing, "Python's sqlite3 finds all %d acknowledged tickets after kill -9 (missing %r)" %
              (len(acked), missing[:5]))
    finally:
        if st and st.poll() is None:
            st.kill()
            st.wait()
        k.close()
    print("PASS")


def ahead_covers_the_wal():
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD).start()
    reader = None
    try:
        acked = [k.request({"cmd": "press", "service": "civil", "source": "warm"})["ticket"]["id"]]
        wal = k.db() + "-wal"
        with open(wal, "rb") as f:
            psz = int.from_bytes(f.read(12)[8:12], "big")
        size = os.path.getsize(wal)
        check(size == 32 + (MAX_PAGES + 256) * (24 + psz),
              "kioskd wrote the WAL ahead to %d pages and one group: %d bytes" % (MAX_PAGES, size))
        reader = sqlite3.connect(k.db(), isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM tickets").fetchone()
        frames, biggest, n = len(wal_frames(wal)), size, 0
        while frames < 2000 and n < 5000:
            a = k.request({"cmd": "press", "service": "civil", "source": "r%d" % n})
            check(a.get("ok"), "press %d answered while a reader holds the WAL: %r" % (n, a))
            acked.append(a["ticket"]["id"])
            n += 1
            biggest = max(biggest, os.path.getsize(wal))
            if n % 25 == 0:
                frames = len(wal_frames(wal))
        print("a held reader: %d presses took the WAL to %d frames; file %d bytes, written ahead %d" %
              (n, frames, biggest, size))
        check(frames >= 2000, "the reader kept the WAL from restarting: %d frames" % frames)
        check(biggest == size, "no commit grew the WAL's file past what was written ahead (%d > %d bytes)" %
              (biggest, size))
        reader.execute("COMMIT")
        reader.close()
        reader = None
        restarted = False
        for i in range(2000):
            a = k.request({"cmd": "press", "service": "civil", "source": "f%d" % i})
            check(a.get("ok"), "press answered after the reader let go: %r" % a)
            acked.append(a["ticket"]["id"])
            if i % 25 == 24 and len(wal_frames(wal)) < frames:
                restarted = True
                break
        check(restarted, "the checkpointer restarted the WAL once the reader let go")
        check(os.path.getsize(wal) == size, "the WAL's file stayed as written ahead")
        k.kill9()
        db = sqlite3.connect("file:%s?mode=ro" % k.db(), uri=True)
        check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check ok after kill -9")
        got = {r[0] for r in db.execute("SELECT id FROM tickets")}
        db.close()
        check(all(t in got for t in acked), "every acknowledged ticket is there after kill -9")
    finally:
        if reader:
            reader.close()
        k.close()
    print("PASS (WAL written ahead)")


main()
ahead_covers_the_wal()
