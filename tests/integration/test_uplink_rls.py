"""test_uplink_rls.py — the city's rights, on a real PostgreSQL 15: an
office's role may insert only its own office's rows, can neither update nor
delete (history stays as sent), and cannot read other offices; the report
role reads everything and writes nothing."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from pgserver import PgServer  # noqa: E402

KIOSKCTL = os.environ.get("KIOSKCTL", "build/tools/kioskctl")

EV = ("INSERT INTO motcua.events (office, store_id, event_id, at, at_ms, mono, boot, day, kind, ticket,"
      " counter, clerk, value, detail) VALUES ('{o}', 'aaaa', {i}, now(), 1, 1, 1, current_date, 'issue',"
      " 1, 0, 0, 0, '')")
TK = ("INSERT INTO motcua.ticket_inbox VALUES ('{o}', 'aaaa', {i}, 1, 'civil', 'civil', current_date, '1001',"
      " false, 'waiting', 'printed', 0, 0, 0, 0, 1, 0, 0, -1, -1)")


class RlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PgServer()
        cls.pg.start()
        cls.pg.createdb()
        cls.kc([KIOSKCTL, "central", "init", cls.pg.url()])
        for code, grp in (("A1", "x"), ("B2", "y")):
            cls.kc([KIOSKCTL, "central", "add-office", cls.pg.url(), code, "--name", "Văn phòng " + code,
                    "--group", grp])
        cls.kc([KIOSKCTL, "central", "add-reader", cls.pg.url(), "city_reader"])

    @classmethod
    def tearDownClass(cls):
        cls.pg.cleanup()

    @staticmethod
    def kc(argv):
        r = subprocess.run(argv, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def as_role(self, role, sql):
        p = self.pg.psql(sql, user=role, check=False)
        return p.returncode, p.stdout.strip(), p.stderr

    def denied(self, role, sql, words):
        rc, _, err = self.as_role(role, sql)
        self.assertNotEqual(rc, 0, "%s could run: %s" % (role, sql))
        self.assertIn(words, err)

    def test_office_writes_only_its_own_rows(self):
        self.assertEqual(self.as_role("office_a1", EV.format(o="A1", i=1))[0], 0)
        self.assertEqual(self.as_role("office_b2", EV.format(o="B2", i=1))[0], 0)
        self.denied("office_a1", EV.format(o="B2", i=2), "row-level security")
        self.denied("office_a1", TK.format(o="B2", i=2), "row-level security")
        self.assertEqual(self.as_role("office_a1", TK.format(o="A1", i=1) + "; SELECT motcua.fold()")[0], 0)

    def test_office_cannot_change_history(self):
        self.denied("office_a1", "UPDATE motcua.events SET kind = 'finish' WHERE office = 'A1'", "permission denied")
        self.denied("office_a1", "DELETE FROM motcua.events WHERE office = 'A1'", "permission denied")
        self.denied("office_a1", "TRUNCATE motcua.events", "permission denied")
        self.denied("office_a1", "UPDATE motcua.tickets SET status = 'finished'", "permission denied")
        self.denied("office_a1", "DELETE FROM motcua.daily", "permission denied")
        self.denied("office_a1", "UPDATE motcua.offices SET grp = 'z'", "permission denied")
        self.denied("office_a1", "DELETE FROM motcua.restores", "permission denied")
        self.denied("office_a1", "INSERT INTO motcua.restores (office, store_id, from_store, at_event, max_ticket)"
                    " VALUES ('A1', 'x', 'y', 1, 1)", "permission denied")

    def test_office_cannot_read_others(self):
        self.pg.psql(EV.format(o="B2", i=99) + ";" + EV.format(o="A1", i=99))
        self.pg.psql("INSERT INTO motcua.daily (office, day, service, tickets, served, noshow, voided, expired,"
                     " in_doubt, waits, wait_sum_ms, with_target, over_target, wait_values)"
                     " VALUES ('B2', current_date, 'civil', 1,0,0,0,0,0,0,0,0,0,'{}') ON CONFLICT DO NOTHING;"
                     "INSERT INTO motcua.restores (office, store_id, from_store, at_event, max_ticket)"
                     " VALUES ('B2', 'b', 'a', 1, 1) ON CONFLICT DO NOTHING")
        for table in ("events", "tickets", "daily", "services", "ticket_inbox", "restores"):
            rc, out, err = self.as_role("office_a1", "SELECT count(*) FROM motcua.%s WHERE office = 'B2'" % table)
            self.assertEqual((rc, out), (0, "0"), "%s: %s" % (table, err))
        self.denied("office_a1", "SELECT * FROM motcua.offices", "permission denied")
        rc, out, _ = self.as_role("office_a1", "SELECT count(*) FROM motcua.events WHERE office = 'A1'")
        self.assertEqual(rc, 0)
        self.assertGreaterEqual(int(out), 1)

    def test_reader_reads_all_and_writes_nothing(self):
        self.pg.psql(EV.format(o="A1", i=500) + ";" + EV.format(o="B2", i=500))
        rc, out, _ = self.as_role("city_reader", "SELECT count(DISTINCT office) FROM motcua.events")
        self.assertEqual((rc, out), (0, "2"))
        self.denied("city_reader", EV.format(o="A1", i=501), "permission denied")
        self.denied("city_reader", "DELETE FROM motcua.events", "permission denied")
        self.denied("city_reader", "SELECT motcua.fold()", "permission denied")
        r = subprocess.run([KIOSKCTL, "report", "--central", self.pg.url(user="city_reader"), "--month",
                            "2026-01", "--format", "json"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_an_office_cannot_pose_as_another_through_fold(self):
        # fold() and put_board() act for the caller's own office only.
        rc, _, err = self.as_role("city_reader", "SELECT motcua.put_board('UTC', '[]')")
        self.assertNotEqual(rc, 0)
        self.assertEqual(self.as_role("office_a1", "SELECT motcua.put_board('Asia/Bangkok', '[]')")[0], 0)
        tz = self.pg.psql("SELECT code, timezone FROM motcua.offices ORDER BY code")
        self.assertEqual(tz, [["A1", "Asia/Bangkok"], ["B2", "Asia/Ho_Chi_Minh"]])
        # A restore fact is recorded for the caller's own office only.
        self.assertEqual(self.as_role("office_a1", "SELECT motcua.put_restore('s2', 's1', 10, 3)")[0], 0)
        self.assertNotEqual(self.as_role("city_reader", "SELECT motcua.put_restore('s3', 's1', 10, 3)")[0], 0)
        self.assertEqual(self.pg.psql("SELECT office, store_id, from_store FROM motcua.restores"
                                      " WHERE store_id LIKE 's%'"), [["A1", "s2", "s1"]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
