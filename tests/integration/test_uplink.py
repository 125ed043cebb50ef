"""test_uplink.py — three kioskd offices ship their event logs to a real
PostgreSQL 15 (started here from a temporary directory, Unix socket only)
while tickets are issued and served; meanwhile the server is killed and
restarted mid-batch, one kioskd is kill -9'd mid-batch, and one office's
network path is cut (its host points nowhere) and restored. Afterwards the
central events must equal the union of the three local logs exactly (0
missing, 0 duplicated, every field the same), checked with Python's sqlite3
and psql; each office's central report must give the same figures as its
own `kioskctl report`; a database restored from a backup must take a new
store id and lose or double nothing."""
import datetime
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(__file__))
from kiosk import Kiosk  # noqa: E402
from pgserver import SCALE, PgServer, wait_for  # noqa: E402

KIOSKD = os.environ.get("KIOSKD", "build/firmware/kioskd")
KIOSKCTL = os.environ.get("KIOSKCTL", "build/tools/kioskctl")

BOARD = """
[office]
name = {name}
hours = mon-sun 00:00-24:00
timezone = Asia/Ho_Chi_Minh
noshow_window = 10m
double_tap = 1s

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999
target_wait = 1s

[service.land]
name = Đất đai – Xây dựng
numbers = 2001-2999
target_wait = 2s

[counter.1]
services = civil

[counter.2]
services = civil, land

[uplink]
url = {url}
office = {office}
interval = 100ms
batch = {batch}
"""


def office_month():
    """This month in the office's zone (BOARD's timezone), as kioskd dates
    its tickets: from 17:00 UTC on a month's last day it is already the
    next month in Asia/Ho_Chi_Minh, and the machine's own zone would ask
    the reports for the wrong one."""
    zone = re.search(r"^timezone = (\S+)$", BOARD, re.M).group(1)
    return datetime.datetime.now(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m")


OFFICES = [("P-BK", "Phường Bách Khoa", "Bắc"), ("P-HB", "Phường Hai Bà Trưng", "Bắc"),
           ("X-TT", "Xã Thanh Trì", "Nam")]
COLS = "event_id, at_ms, mono, boot, day, kind, ticket, counter, clerk, value, detail"


def op(rnd):
    r = rnd.random()
    if r < 0.4:
        return {"cmd": "press", "service": rnd.choice(["civil", "land"]),
                "source": "s%d" % rnd.randrange(1 << 30)}
    c = rnd.choice([1, 2])
    act = rnd.choices(["next", "finish", "noshow", "rate", "recall"], [40, 25, 5, 10, 5])[0]
    req = {"cmd": "counter", "counter": c, "action": act}
    if act == "rate":
        req["arg"] = rnd.randint(1, 4)
    return req


class UplinkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer()
        cls.pg.start()
        cls.pg.createdb()
        cls.admin = cls.pg.url()
        cls.links = tempfile.mkdtemp(prefix="mc-links-")
        cls.kiosks = []

    @classmethod
    def tearDownClass(cls):
        for k in cls.kiosks:
            k.close()
        cls.pg.cleanup()
        shutil.rmtree(cls.links, ignore_errors=True)

    def ctl(self, *args, check=0):
        import subprocess
        r = subprocess.run([KIOSKCTL, *args], capture_output=True, text=True)
        if check is not None and r.returncode != check:
            self.fail("kioskctl %s: exit %d\n%s%s" % (args, r.returncode, r.stdout, r.stderr))
        return r

    def status(self, k):
        a = k.request({"cmd": "status"})
        return a.get("status", a).get("uplink") or a.get("uplink")

    def add_office(self, code, name, grp, batch, admin=None):
        out = self.ctl("central", "add-office", admin or self.admin, code, "--name", name, "--group", grp).stdout
        lines = dict(l.split(" = ", 1) for l in out.splitlines() if " = " in l)
        self.assertEqual(lines["office"], code)
        # Each office reaches the server through its own path (a symlink to
        # the socket directory), so its network can be cut alone.
        link = os.path.join(self.links, code)
        os.symlink(self.pg.sock, link)
        url = lines["url"].replace("host='%s'" % self.pg.sock, "host='%s'" % link)
        self.assertIn("office_", url)
        k = Kiosk(KIOSKD, KIOSKCTL, BOARD.format(name=name, url=url, office=code, batch=batch))
        self.kiosks.append(k)
        return k, link

    def drive(self, kiosks, rnd, n):
        for _ in range(n):
            for k in kiosks:
                if k.proc and k.proc.poll() is None:
                    k.request(op(rnd))

    def wait_shipping(self, k, timeout=60):
        """Waits until k's uplink is inside a central transaction, feeding
        it an action every 50 polls so there is always a batch to ship (a
        fast uplink could catch up between polls, a slow machine make
        every batch short). timeout is a hang guard (times SCALE)."""
        end = time.monotonic() + timeout * SCALE
        feed = random.Random(7)
        polls = 0
        while time.monotonic() < end:
            if (self.status(k) or {}).get("state") == "shipping":
                return True
            polls += 1
            if polls % 50 == 0:
                self.drive([k], feed, 1)
        return False

    def wait_caught_up(self, k, timeout=120):
        def done():
            s = self.status(k)
            db = sqlite3.connect(k.db())
            last = db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            db.close()
            return s and s["last_event_sent"] == last and s["state"] == "idle" and s
        return wait_for(done, timeout, 0.1, "uplink of %s to catch up" % k.dir)

    def local_events(self, k):
        db = sqlite3.connect(k.db())
        rows = db.execute("SELECT id, at, mono, boot, day, kind, ticket, counter, clerk, value, detail"
                          " FROM events ORDER BY id").fetchall()
        sid = db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]
        db.close()
        return sid, [tuple(str(x) for x in r) for r in rows]

    def central_events(self, office, dbname="city"):
        return self.pg.psql("SELECT store_id, %s FROM motcua.events WHERE office = '%s'"
                            " ORDER BY store_id, event_id" % (COLS, office), dbname=dbname)

    def test_1_sync_through_faults(self):
        rnd = random.Random(19)
        cut_link = None
        ks = []
        self.ctl("central", "init", self.admin)
        self.ctl("central", "init", self.admin)  # idempotent
        for i, (code, name, grp) in enumerate(OFFICES):
            k, link = self.add_office(code, name, grp, batch=7 + 5 * i)
            k.start()
            ks.append(k)
            if i == 2:
                cut_link = link
        self.drive(ks, rnd, 60)

        # The server dies mid-batch (immediate: no clean shutdown) and
        # comes back a little later.
        self.assertTrue(self.wait_shipping(ks[0]), "no batch seen in flight")
        self.pg.stop("immediate")
        self.drive(ks, rnd, 30)
        s = wait_for(lambda: (self.status(ks[0]) or {}).get("state") == "offline" and self.status(ks[0]),
                     30, 0.05, "uplink to notice the server is gone")
        self.assertTrue(s["error"])
        self.drive(ks, rnd, 5)
        s = wait_for(lambda: (self.status(ks[0]) or {}).get("backlog", 0) > 0 and self.status(ks[0]),
                     30, 0.05, "the backlog to show")
        _, diag, _ = ks[0].ctl("diag")
        self.assertRegex(diag, r"uplink.*(offline|connecting).*backlog [1-9]")
        self.pg.start()

        # One kioskd killed mid-batch, restarted on the same database.
        self.drive(ks, rnd, 40)
        self.assertTrue(self.wait_shipping(ks[1]), "no batch seen in flight")
        ks[1].kill9()
        self.drive([ks[0], ks[2]], rnd, 20)
        ks[1].start()

        # One office's network path cut: its host leads nowhere.
        os.unlink(cut_link)
        os.symlink(os.path.join(self.links, "nowhere"), cut_link)
        # The established session dies with the path, as a TCP connection
        # does when a link goes down for good.
        self.pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'office_x_tt'")
        self.drive(ks, rnd, 40)
        wait_for(lambda: (self.status(ks[2]) or {}).get("state") == "offline", 30, 0.05,
                 "uplink to notice the cut")
        os.unlink(cut_link)
        os.symlink(self.pg.sock, cut_link)
        self.drive(ks, rnd, 40)

        total = 0
        for (code, _, _), k in zip(OFFICES, ks):
            s = self.wait_caught_up(k)
            self.assertEqual(s["backlog"], 0)
            _, out, _ = k.ctl("status", check=0)
            self.assertRegex(out, r"uplink +rảnh / idle — .*sent up to event %d of %d, backlog 0" %
                             (s["last_event_sent"], s["last_event_sent"]))
            sid, local = self.local_events(k)
            self.assertEqual(s["store_id"], sid)
            central = self.central_events(code)
            self.assertTrue(all(r[0] == sid for r in central), "%s: events under another store id" % code)
            got = [tuple(r[1:]) for r in central]
            keys = [r[0] for r in got]
            self.assertEqual(len(keys), len(set(keys)), "%s: duplicated events" % code)
            missing = set(local) - set(got)
            extra = set(got) - set(local)
            self.assertEqual((len(missing), len(extra)), (0, 0),
                             "%s: %d missing, %d not in the local log" % (code, len(missing), len(extra)))
            self.assertEqual(got, local)
            total += len(local)
        self.assertGreater(total, 200)
        # Each office's events in month partitions, not the default one.
        self.assertEqual(self.pg.psql("SELECT count(*) FROM motcua.events_default")[0][0], "0")
        print("uplink: %d events from 3 offices, all in the city exactly once" % total)
        UplinkTest.synced = ks

    def test_2_central_report_equals_local(self):
        ks = getattr(UplinkTest, "synced", None)
        if not ks:
            self.skipTest("needs test_1")
        reporter = self.pg.url()
        for (code, _, _), k in zip(OFFICES, ks):
            db = sqlite3.connect(k.db())
            months = [r[0] for r in db.execute("SELECT DISTINCT substr(day, 1, 7) FROM tickets")]
            db.close()
            for month in months:
                local = json.loads(self.ctl("report", "--board", k.board, "--db", k.db(), "--month", month,
                                            "--format", "json").stdout)
                for rollups in ([], ["--no-rollups"]):
                    city = json.loads(self.ctl("report", "--central", reporter, "--month", month,
                                               "--format", "json", *rollups).stdout)
                    of = [o for o in city["offices"] if o["code"] == code][0]
                    lsv = {r["key"]: r for r in local["by"]["service"]}
                    csv_ = {s["service"]: s for s in of["services"]}
                    for key, l in lsv.items():
                        c = csv_[key]
                        with self.subTest(office=code, month=month, service=key, rollups=bool(rollups)):
                            self.assertEqual(c["tickets"], l["issued"])
                            self.assertEqual(c["served"], l["served"])
                            self.assertEqual(c["noshow"], l["noshow"])
                            self.assertEqual(c["voided"], l["voided"])
                            self.assertEqual(c["expired"], l["expired"])
                            self.assertEqual(c["waits"], l["wait"]["n"])
                            self.assertEqual(c["with_target"], l["with_target"])
                            self.assertEqual(c["over_target"], l["over_target"])
                            self.assertEqual(c["ratings"], [l["satisfaction"]["ratings"][str(i)] for i in range(1, 6)])
                            self.assertEqual(c["rated"], l["satisfaction"]["rated"])
                            self.assertEqual(c["satisfied_count"], l["satisfaction"]["satisfied"])
                            if l["wait"]["n"]:
                                self.assertAlmostEqual(c["wait_mean_ms"], l["wait"]["mean_ms"], places=3)
                                self.assertAlmostEqual(c["wait_median_ms"], l["wait"]["median_ms"], places=3)
                                self.assertEqual(c["wait_p90_ms"], l["wait"]["p90_ms"])
                            if l["satisfaction"]["rated"]:
                                self.assertAlmostEqual(c["satisfied"], l["satisfaction"]["satisfied_share"])
                    t, lt = of["total"], local["total"]
                    self.assertEqual(t["tickets"], lt["issued"])
                    if lt["wait"]["n"]:
                        self.assertAlmostEqual(t["wait_median_ms"], lt["wait"]["median_ms"], places=3)
                        self.assertEqual(t["wait_p90_ms"], lt["wait"]["p90_ms"])
        # Offices are ranked and grouped; table and CSV formats print.
        month = office_month()
        city = json.loads(self.ctl("report", "--central", reporter, "--month", month, "--format", "json").stdout)
        ranks = sorted(o["rank"] for o in city["offices"] if o["rank"])
        self.assertEqual(ranks, list(range(1, len(ranks) + 1)))
        self.assertEqual(sorted(g["group"] for g in city["groups"]), ["Bắc", "Nam"])
        one = json.loads(self.ctl("report", "--central", reporter, "--month", month, "--group", "Nam",
                                  "--format", "json").stdout)
        self.assertEqual([o["code"] for o in one["offices"]], ["X-TT"])
        table = self.ctl("report", "--central", reporter, "--month", month).stdout
        self.assertIn("Phường Bách Khoa", table)
        csv = self.ctl("report", "--central", reporter, "--month", month, "--format", "csv").stdout
        # A byte order mark and ';', as the office report's CSV: a "sep=;"
        # line would make Excel ignore the mark and lose the tone marks.
        self.assertTrue(csv.startswith("\ufeffHạng;"), csv[:40])
        self.assertNotIn("sep=", csv)
        # The PDF in the administrative form, read back with pdftotext.
        import subprocess
        pdf = os.path.join(self.links, "city.pdf")
        self.ctl("report", "--central", reporter, "--month", month, "--format", "pdf", "--out", pdf)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
        self.assertIn("BÁO CÁO THÁNG CÁC TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", text)
        self.assertIn("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text)
        for o in city["offices"]:
            self.assertIn("%s (%s)" % (o["name"], o["code"]), text)
            self.assertRegex(text, r"%s \(%s\)\s+\S+\s+%d\b" % (o["name"], o["code"], o["total"]["tickets"]))

    def test_3_restored_backup_takes_a_new_store_id(self):
        rnd = random.Random(7)
        self.ctl("central", "init", self.admin)
        k, _ = self.add_office("P-RS", "Phường Khôi Phục", "Nam", batch=10)
        k.start()
        self.drive([k], rnd, 40)
        self.wait_caught_up(k)
        backup = os.path.join(k.dir, "backup.db")
        src = sqlite3.connect(k.db())
        dst = sqlite3.connect(backup)
        src.backup(dst)
        dst.close()
        src.close()
        old_sid, _ = self.local_events(k)
        self.drive([k], rnd, 40)
        self.wait_caught_up(k)
        _, before = self.local_events(k)
        self.assertEqual(k.stop(), 0, "kioskd did not stop cleanly: " + k.read_log())
        # The technician restores last week's copy.
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(k.db() + suffix):
                os.unlink(k.db() + suffix)
        shutil.copy(backup, k.db())
        k.start()
        self.drive([k], rnd, 30)
        s = self.wait_caught_up(k)
        new_sid, after = self.local_events(k)
        self.assertNotEqual(new_sid, old_sid)
        self.assertEqual(s["store_id"], new_sid)
        self.assertEqual(s["renewals"], 1)
        central = self.central_events("P-RS")
        old = [tuple(r[1:]) for r in central if r[0] == old_sid]
        new = [tuple(r[1:]) for r in central if r[0] == new_sid]
        # The first life is in the city whole and unchanged; the second
        # adds only what came after the last event both share (the
        # backup's last event: the city has all of the first life).
        self.assertEqual(old, before)
        self.assertEqual(len(central), len(old) + len(new))
        bk = sqlite3.connect(backup)
        mark = bk.execute("SELECT max(id) FROM events").fetchone()[0]
        bk.close()
        self.assertTrue(new)
        self.assertEqual([e for e in after if int(e[0]) <= mark], [e for e in before if int(e[0]) <= mark])
        self.assertEqual(new, [e for e in after if int(e[0]) > mark])
        # A clean stop with the uplink running (the sanitizer build checks
        # for leaks here).
        self.assertEqual(k.stop(), 0, "kioskd did not stop cleanly: " + k.read_log())

    # ---- satisfaction on each office's own scale (schema 2) ----

    SCALES = {
        "P-S5": ("[satisfaction]\nlevels = Rất hài lòng, Hài lòng, Bình thường, Chưa hài lòng, Không hài lòng\n"
                 "levels.en = Very satisfied, Satisfied, Neutral, Not quite, Dissatisfied\nsatisfied = 3\n", 5),
        "P-S3": ("[satisfaction]\nlevels = Hài lòng, Bình thường, Không hài lòng\n"
                 "levels.en = Satisfied, Neutral, Dissatisfied\nsatisfied = 1\n", 3),
        "P-MX": ("", 4),  # the default, then a three-level scale mid-month
    }
    MX_LATER = ("[satisfaction]\nlevels = Hài lòng, Chấp nhận được, Không hài lòng\n"
                "levels.en = Satisfied, Acceptable, Dissatisfied\nsatisfied = 1\n", 3)

    def serve_and_rate(self, k, rnd, levels, n, rate=True):
        """Issues n tickets and serves them; most are rated 1..levels."""
        for _ in range(n):
            k.request({"cmd": "press", "service": rnd.choice(["civil", "land"]),
                       "source": "s%d" % rnd.randrange(1 << 30)})
            c = rnd.choice([1, 2])
            k.request({"cmd": "counter", "counter": c, "action": "next"})
            finish = rnd.random() >= 0.1
            k.request({"cmd": "counter", "counter": c, "action": "finish" if finish else "noshow"})
            if rate and finish and rnd.random() < 0.8:
                # Refused ("already rated") when the call found nobody.
                k.request({"cmd": "counter", "counter": c, "action": "rate", "arg": rnd.randint(1, levels)})

    def add_legacy_ratings(self, k):
        """The first firmware's ratings (worst first, no stored scale) on
        served, unrated tickets, as an office upgraded from it holds them."""
        db = sqlite3.connect(k.db())
        rows = db.execute("SELECT id, day, counter FROM tickets WHERE status = 'finished' AND rating = 0"
                          " ORDER BY id LIMIT 8").fetchall()
        self.assertGreaterEqual(len(rows), 4)
        now = int(time.time() * 1000)
        for i, (tid, day, counter) in enumerate(rows):
            stored = 1 + i % 4
            db.execute("UPDATE tickets SET rating = ? WHERE id = ?", (stored, tid))
            db.execute("INSERT INTO events (at, mono, boot, day, kind, ticket, counter, clerk, value, detail)"
                       " VALUES (?, 0, 0, ?, 'rate', ?, ?, 0, ?, '')", (now + i, day, tid, counter, stored))
        db.commit()
        db.close()
        return len(rows)

    def compare_satisfaction(self, url, ks, month):
        """Each office's central satisfaction figures equal its own report's."""
        for code, k in ks.items():
            local = json.loads(self.ctl("report", "--board", k.board, "--db", k.db(), "--month", month,
                                        "--format", "json").stdout)
            for rollups in ([], ["--no-rollups"]):
                city = json.loads(self.ctl("report", "--central", url, "--month", month, "--format", "json",
                                           *rollups).stdout)
                of = [o for o in city["offices"] if o["code"] == code][0]
                svcs = {s["service"]: s for s in of["services"]}
                pairs = [(svcs[r["key"]], r["satisfaction"], r["key"]) for r in local["by"]["service"]]
                pairs.append((of["total"], local["total"]["satisfaction"], "total"))
                for c, l, what in pairs:
                    with self.subTest(office=code, what=what, rollups=bool(rollups)):
                        self.assertEqual(c["rated"], l["rated"])
                        self.assertEqual(c["satisfied_count"], l["satisfied"])
                        self.assertEqual(c["ratings"], [l["ratings"][str(i)] for i in range(1, 6)])
                        if l["rated"]:
                            self.assertAlmostEqual(c["satisfied"], l["satisfied_share"])
                        else:
                            self.assertIsNone(c["satisfied"])
        return city

    def test_4_satisfaction_on_each_scale(self):
        rnd = random.Random(4)
        self.pg.createdb("scales")
        url = self.pg.url(dbname="scales")
        # The city is still on schema 1 while the offices start shipping.
        out = self.ctl("central", "init", url, "--schema", "1").stdout
        self.assertIn("0 → 1", out)
        ks = {}
        for code, (extra, levels) in self.SCALES.items():
            out = self.ctl("central", "add-office", url, code, "--name", "Văn phòng " + code,
                           "--group", "Thang").stdout
            lines = dict(l.split(" = ", 1) for l in out.splitlines() if " = " in l)
            k = Kiosk(KIOSKD, KIOSKCTL, BOARD.format(name="Văn phòng " + code, url=lines["url"], office=code,
                                                     batch=25) + extra)
            self.kiosks.append(k)
            ks[code] = k
            k.start()
        mx = ks["P-MX"]
        # Some served tickets left unrated at P-MX, for the legacy ratings.
        self.serve_and_rate(mx, rnd, 4, 12, rate=False)
        for code, k in ks.items():
            self.serve_and_rate(k, rnd, self.SCALES[code][1], 40)
        self.assertEqual(mx.stop(), 0, mx.read_log())
        self.assertGreaterEqual(self.add_legacy_ratings(mx), 4)
        mx.start()
        for k in ks.values():
            self.wait_caught_up(k)
        month = office_month()
        r = self.ctl("report", "--central", url, "--month", month, check=1)
        self.assertIn("kioskctl central init URL", r.stderr)

        # Migration 1 -> 2 recomputes what the city already holds.
        out = self.ctl("central", "init", url).stdout
        self.assertRegex(out, r"phiên bản 1 → [2-9]")
        self.assertEqual(self.pg.psql("SELECT count(*) FROM motcua.tickets WHERE rating > 0 AND level = 0",
                                      dbname="scales"), [["0"]])
        self.compare_satisfaction(url, ks, month)

        # Uplinks still in their schema-1 sessions keep shipping (the fold
        # reads each rating's scale from the city's events); then P-MX
        # changes its scale mid-month and every kioskd restarts on the new
        # schema's path.
        for code, k in ks.items():
            self.serve_and_rate(k, rnd, self.SCALES[code][1], 20)
        for k in ks.values():
            self.wait_caught_up(k)
            self.assertEqual(k.stop(), 0, k.read_log())
        with open(mx.board, "a", encoding="utf-8") as f:
            f.write(self.MX_LATER[0])
        for k in ks.values():
            k.start()
        for code, k in ks.items():
            self.serve_and_rate(k, rnd, self.MX_LATER[1] if code == "P-MX" else self.SCALES[code][1], 30)
        for k in ks.values():
            self.wait_caught_up(k)
        city = self.compare_satisfaction(url, ks, month)

        # The test tells the scales apart: counting the top two positions
        # (the old city report) would not give these offices' figures.
        for code in ("P-S5", "P-S3", "P-MX"):
            l = json.loads(self.ctl("report", "--board", ks[code].board, "--db", ks[code].db(), "--month", month,
                                    "--format", "json").stdout)["total"]["satisfaction"]
            self.assertNotEqual(l["satisfied"], l["ratings"]["1"] + l["ratings"]["2"], code)
            if code == "P-MX":
                self.assertEqual([sc["legacy"] for sc in l["scales"]].count(True), 1)
                self.assertGreaterEqual(len(l["scales"]), 3)
        # Levels are labelled with each board's scale.
        offices = {o["code"]: o for o in city["offices"]}
        self.assertEqual(offices["P-S5"]["scale"]["levels"], 5)
        self.assertEqual(offices["P-S5"]["scale"]["satisfied_levels"], 3)
        self.assertEqual([lv["label"] for lv in offices["P-S3"]["total"]["levels"]],
                         ["Hài lòng", "Bình thường", "Không hài lòng"])
        mxl = offices["P-MX"]["total"]["levels"]
        self.assertEqual([lv["label"] for lv in mxl[:3]], ["Hài lòng", "Chấp nhận được", "Không hài lòng"])
        self.assertEqual(sum(lv["count"] for lv in mxl), offices["P-MX"]["total"]["rated"])
        table = self.ctl("report", "--central", url, "--month", month).stdout
        self.assertRegex(table, r"mức hài lòng / levels: Rất hài lòng [0-9.]+% · Hài lòng")
        for k in ks.values():
            self.assertEqual(k.stop(), 0, k.read_log())

    # ---- a restored store's carried-over tickets (schema 3) ----

    def serve(self, k, rnd, n, counter=2):
        """Calls and serves up to n waiting tickets at counter (which
        serves both services), rating most; returns how many."""
        done = 0
        for _ in range(n):
            if not k.request({"cmd": "counter", "counter": counter, "action": "next"}).get("ok", True):
                break
            k.request({"cmd": "counter", "counter": counter, "action": "finish"})
            if rnd.random() < 0.7:
                k.request({"cmd": "counter", "counter": counter, "action": "rate", "arg": rnd.randint(1, 4)})
            done += 1
        return done

    def issue(self, k, rnd, n):
        for _ in range(n):
            a = k.request({"cmd": "press", "service": rnd.choice(["civil", "land"]),
                           "source": "s%d" % rnd.randrange(1 << 30)})
            self.assertTrue(a.get("ok", True), a)

    @staticmethod
    def snapshot(path, to):
        src = sqlite3.connect(path)
        dst = sqlite3.connect(to)
        src.backup(dst)
        dst.close()
        src.close()

    def test_5_restored_tickets_count_once(self):
        self.restore_case("P-RT", "city", None)

    def test_6_restore_before_the_city_knew_restores(self):
        # The city is on schema 2 when the office restores its backup (the
        # carried-over tickets fold in a second time), and migrates later:
        # the fact, sent at the kiosk's next session, moves them home.
        self.pg.createdb("restore2")
        self.restore_case("P-R2", "restore2", "2")

    def restore_case(self, code, dbname, schema):
        rnd = random.Random(5)
        admin = self.pg.url(dbname=dbname)
        self.ctl("central", "init", admin, *(["--schema", schema] if schema else []))
        k, link = self.add_office(code, "Phường Tái Lập " + code, "Nam", batch=10, admin=admin)
        role = "office_" + code.lower().replace("-", "_")
        k.start()
        self.issue(k, rnd, 14)
        self.serve(k, rnd, 4)
        self.wait_caught_up(k)
        # The backup is taken while the network is down, so it holds
        # events the city has (they were shipped later) beyond its mark.
        os.unlink(link)
        os.symlink(os.path.join(self.links, "nowhere"), link)
        self.pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%s'" % role)
        self.issue(k, rnd, 3)
        self.serve(k, rnd, 1)
        wait_for(lambda: (self.status(k) or {}).get("state") == "offline", 30, 0.05, "uplink to notice the cut")
        backup = os.path.join(k.dir, "backup.db")
        self.snapshot(k.db(), backup)
        os.unlink(link)
        os.symlink(self.pg.sock, link)
        # The life that the restore will lose: old tickets served, new
        # ones issued (some served), all shipped to the city.
        self.serve(k, rnd, 3)
        self.issue(k, rnd, 5)
        self.serve(k, rnd, 2)
        self.wait_caught_up(k)
        old_sid, lost_events = self.local_events(k)
        lost = os.path.join(k.dir, "lost.db")
        self.snapshot(k.db(), lost)
        self.assertEqual(k.stop(), 0, k.read_log())
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(k.db() + suffix):
                os.unlink(k.db() + suffix)
        shutil.copy(backup, k.db())
        bk = sqlite3.connect(backup)
        fork = bk.execute("SELECT max(id) FROM events").fetchone()[0]
        max_ticket = bk.execute("SELECT max(id) FROM tickets").fetchone()[0]
        mark = bk.execute("SELECT hwm FROM uplink_state WHERE store_id = ?", (old_sid,)).fetchone()[0]
        open_at_backup = [r[0] for r in bk.execute("SELECT id FROM tickets WHERE status = 'waiting'")]
        bk.close()
        self.assertLess(mark, fork, "the backup should hold events beyond its mark")
        # The restored life: every ticket still waiting in the backup is
        # called again (among them those the lost life served), and new
        # ones are issued and served.
        k.start()
        self.issue(k, rnd, 4)
        self.assertGreaterEqual(self.serve(k, rnd, 60), len(open_at_backup))
        s = self.wait_caught_up(k)
        new_sid, after = self.local_events(k)
        self.assertNotEqual(new_sid, old_sid)
        self.assertEqual(s["renewals"], 1)
        carried = ("SELECT count(*) FROM motcua.tickets WHERE office = '%s' AND store_id = '%s' AND ticket <= %d"
                   % (code, new_sid, max_ticket))
        if schema:
            self.assertNotEqual(self.pg.psql(carried, dbname=dbname), [["0"]], "folded in twice before")
            self.assertRegex(self.ctl("central", "init", admin).stdout, r"phiên bản %s → [3-9]" % schema)
            self.assertEqual(k.stop(), 0, k.read_log())
            k.start()
            self.wait_caught_up(k)
        self.assertEqual(self.pg.psql(carried, dbname=dbname), [["0"]])

        # Events: the first life whole; the new id adds only what came
        # after the fork (none of the shared events twice).
        central = self.central_events(code, dbname)
        self.assertEqual([tuple(r[1:]) for r in central if r[0] == old_sid], lost_events)
        self.assertEqual([tuple(r[1:]) for r in central if r[0] == new_sid], [e for e in after if int(e[0]) > fork])
        self.assertEqual(self.pg.psql("SELECT store_id, from_store, at_event, max_ticket FROM motcua.restores"
                                      " WHERE office = '%s'" % code, dbname=dbname),
                         [[new_sid, old_sid, str(fork), str(max_ticket)]])

        # Tickets: each the restored store holds is counted once, as it
        # holds it; those only the lost life issued are counted too.
        ldb = sqlite3.connect(lost)
        both = {r[0] for r in ldb.execute("SELECT DISTINCT ticket FROM events WHERE id > ? AND ticket BETWEEN 1 AND ?",
                                          (fork, max_ticket))}
        lost_only = ldb.execute("SELECT service, status, wait_ms, rating FROM tickets WHERE id > ?",
                                (max_ticket,)).fetchall()
        ldb.close()
        self.assertTrue(both & set(open_at_backup), "the lost life should have served carried-over tickets")
        self.assertTrue(lost_only)
        month = office_month()
        local = json.loads(self.ctl("report", "--board", k.board, "--db", k.db(), "--month", month,
                                    "--format", "json").stdout)
        for rollups in ([], ["--no-rollups"]):
            city = json.loads(self.ctl("report", "--central", admin, "--month", month, "--format", "json",
                                       *rollups).stdout)
            of = [o for o in city["offices"] if o["code"] == code][0]
            svcs = {x["service"]: x for x in of["services"]}
            for r in local["by"]["service"]:
                lo = [t for t in lost_only if t[0] == r["key"]]
                c = svcs[r["key"]]
                with self.subTest(service=r["key"], rollups=bool(rollups)):
                    self.assertEqual(c["tickets"], r["issued"] + len(lo))
                    self.assertEqual(c["served"], r["served"] + sum(t[1] == "finished" for t in lo))
                    self.assertEqual(c["noshow"], r["noshow"] + sum(t[1] == "noshow" for t in lo))
                    self.assertEqual(c["waits"], r["wait"]["n"] + sum(t[2] >= 0 for t in lo))
                    self.assertEqual(c["wait_sum_ms"], round(r["wait"]["mean_ms"] * r["wait"]["n"])
                                     + sum(t[2] for t in lo if t[2] >= 0))
                    self.assertEqual(c["rated"], r["satisfaction"]["rated"] + sum(t[3] > 0 for t in lo))
                    self.assertEqual(c["satisfied_count"],
                                     r["satisfaction"]["satisfied"] + sum(1 <= t[3] <= 2 for t in lo))
        self.assertEqual(k.stop(), 0, k.read_log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
