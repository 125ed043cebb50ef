"""test_clock.py — the office day under a wall clock that steps (DESIGN §8).

A real kioskd runs with libfaketime preloaded: the wall clock comes from a
FAKETIME timestamp file the test rewrites to step it, the monotonic clock is
left alone (FAKETIME_DONT_FAKE_MONOTONIC=1). Whether the clock is trusted
comes from the injectable test source (MC_CLOCK_TRUST_FILE) where the case is
about trust. Everything is checked from outside: kioskctl --json, the control
socket, and Python's sqlite3 reading the database. No assertion is a time
bound: waits only poll for an outcome."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from kiosk import SCALE, Kiosk, faketime_libs  # noqa: E402

KIOSKD = os.environ["KIOSKD"]
KIOSKCTL = os.environ["KIOSKCTL"]

BOARD = """
[office]
name = UBND phường Thử nghiệm
hours = mon-sun 00:00-24:00
timezone = Asia/Ho_Chi_Minh
double_tap = 0
{clock}

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999

[counter.1]
services = civil
"""


class ClockKiosk(Kiosk):
    """A kioskd whose wall clock the test steps."""

    def __init__(self, clock_lines, when, trust=None):
        super().__init__(KIOSKD, KIOSKCTL, BOARD.format(clock=clock_lines), sim=False)
        libs = faketime_libs()
        if not libs:
            raise unittest.SkipTest("libfaketime is not installed (Debian package faketime)")
        self.spec = os.path.join(self.dir, "faketime")
        self.trust_file = os.path.join(self.dir, "trust")
        self.set_time(when)
        self.extra_env = {
            "LD_PRELOAD": libs[0], "FAKETIME_TIMESTAMP_FILE": self.spec, "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_DONT_RESET": "1",
            # The spec is read in the process's zone: the board's, from the start.
            "TZ": "Asia/Ho_Chi_Minh",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0",
        }
        if trust is not None:
            self.extra_env["MC_CLOCK_TRUST_FILE"] = self.trust_file
            self.set_trust(trust)

    def set_time(self, when):
        """Steps kioskd's wall clock to `when` (local time of the board's zone, +07)."""
        tmp = self.spec + ".new"
        with open(tmp, "w") as f:
            f.write("@%s\n" % when)
        os.rename(tmp, self.spec)

    def set_trust(self, ok):
        with open(self.trust_file, "w") as f:
            f.write("1\n" if ok else "0\n")

    def status(self):
        code, out, err = self.ctl("status", "--json", check=0)
        return json.loads(out)

    def clock(self, action="status"):
        code, out, err = self.ctl("clock", action, "--json", check=0)
        return json.loads(out)

    def press(self):
        return self.request({"cmd": "press", "service": "civil"})

    def rows(self, sql, *args):
        con = sqlite3.connect("file:%s?mode=ro" % self.db(), uri=True)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def tickets(self):
        return self.rows("SELECT day, label, status FROM tickets ORDER BY id")

    def events(self, kind):
        """Events of a kind; a rollover from day 0 (a new database) is not one."""
        return self.rows("SELECT count(*) FROM events WHERE kind = ? AND (kind != 'rollover' OR value > 0)",
                         kind)[0][0]

    def wait_for(self, what, cond, timeout=60):
        """Polls cond() (through the socket) until true; fails with what.
        timeout is a hang guard (times MC_TEST_TIMEOUT_SCALE)."""
        end = time.monotonic() + timeout * SCALE
        while time.monotonic() < end:
            v = cond()
            if v:
                return v
            time.sleep(0.1)
        raise AssertionError("never happened: %s\n%s" % (what, self.read_log()))


class Steps(unittest.TestCase):
    def kiosk(self, clock_lines="clock = trust", when="2026-11-25 10:00:00", trust=None):
        k = ClockKiosk(clock_lines, when, trust)
        self.addCleanup(k.close)
        return k.start()

    def assert_issued(self, k, day, label):
        r = k.press()
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["ticket"]["day"], r["label"]), (day, label))

    def assert_refused(self, k, token):
        r = k.press()
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"], token)
        return r

    def test_day_step_for_two_seconds_then_back_changes_nothing(self):
        k = self.kiosk()
        self.assert_issued(k, "2026-11-25", "1001")
        self.assert_issued(k, "2026-11-25", "1002")
        k.set_time("2026-11-26 10:00:00")
        st = k.status()
        self.assertEqual(st["day"], "2026-11-25")
        self.assertEqual(st["clock"]["state"], "settling")
        self.assertIn("Đồng hồ", st["clock"]["notice"])
        self.assert_refused(k, "clock_settling")
        # Held for about two seconds (less than clock_settle = 60 s), then back.
        end = time.monotonic() + 2
        while time.monotonic() < end:
            self.assertEqual(k.status()["day"], "2026-11-25")
            time.sleep(0.2)
        k.set_time("2026-11-25 10:00:03")
        st = k.status()
        self.assertEqual((st["day"], st["clock"]["state"]), ("2026-11-25", "ok"))
        self.assertNotIn("notice", st["clock"])
        self.assert_issued(k, "2026-11-25", "1003")
        self.assertEqual(k.events("expire"), 0)
        self.assertEqual(k.events("rollover"), 0)
        self.assertEqual({t[0] for t in k.tickets()}, {"2026-11-25"})
        self.assertEqual([t[2] for t in k.tickets()], ["waiting"] * 3)

    def test_two_hours_back_never_moves_the_day_back(self):
        k = self.kiosk(when="2026-11-25 14:00:00")
        self.assert_issued(k, "2026-11-25", "1001")
        # Within the day: applies at once, numbering goes on.
        k.set_time("2026-11-25 12:00:00")
        self.assert_issued(k, "2026-11-25", "1002")
        self.assertEqual(k.clock()["last_step_s"] // 60, -120)
        self.assertEqual(k.status()["day"], "2026-11-25")

    def test_two_hours_back_across_midnight_never_moves_the_day_back(self):
        # The first ticket before midnight whatever the start costs (under
        # qemu-user kioskd takes seconds to come up: starting at 23:59:58,
        # its first press fell after midnight); then a forward step within
        # the day brings midnight two seconds away (more under qemu-user,
        # where kioskd saw the step only after midnight had passed: a step
        # into a later day, not a rollover).
        k = self.kiosk(when="2026-11-25 23:00:00")
        self.assert_issued(k, "2026-11-25", "1001")
        k.set_time("2026-11-25 23:59:%02d" % (60 - min(20, 2 * SCALE)))
        # Midnight passes (no step): a real rollover, at once.
        k.wait_for("midnight", lambda: k.status()["day"] == "2026-11-26")
        self.assertEqual(k.events("rollover"), 1)
        self.assertEqual(k.events("expire"), 1)
        k.set_time("2026-11-26 00:30:00")   # a forward step within the new day
        self.assert_issued(k, "2026-11-26", "1001")
        # 00:30 back to 22:30 the day before.
        k.set_time("2026-11-25 22:30:00")
        st = k.status()
        self.assertEqual((st["day"], st["clock"]["state"]), ("2026-11-26", "behind"))
        self.assertIn("lùi", st["clock"]["notice"])
        self.assert_refused(k, "clock_behind")
        # A restart does not move it back either (the day is kept).
        k.stop()
        k.start()
        self.assertEqual(k.status()["day"], "2026-11-26")
        self.assert_refused(k, "clock_behind")
        # The clock comes back to the office day: numbering goes on, no reuse.
        k.set_time("2026-11-26 01:00:00")
        self.assert_issued(k, "2026-11-26", "1002")
        self.assertEqual(k.events("rollover"), 1)
        self.assertEqual(k.events("expire"), 1)
        labels = k.rows("SELECT day, label, count(*) FROM tickets GROUP BY day, label HAVING count(*) > 1")
        self.assertEqual(labels, [])
        self.assertEqual(k.rows("SELECT count(*) FROM tickets WHERE day > '2026-11-26'")[0][0], 0)

    def test_three_minutes_is_a_correction(self):
        k = self.kiosk()
        self.assert_issued(k, "2026-11-25", "1001")
        k.set_time("2026-11-25 10:03:00")
        st = k.status()
        self.assertEqual((st["day"], st["clock"]["state"], st["clock"]["last_step_s"]), ("2026-11-25", "ok", 0))
        self.assert_issued(k, "2026-11-25", "1002")
        k.set_time("2026-11-25 10:00:30")
        self.assertEqual(k.clock()["last_step_s"], 0)
        self.assert_issued(k, "2026-11-25", "1003")
        self.assertEqual(k.events("expire"), 0)

    def test_day_step_that_holds_rolls_over_once(self):
        k = self.kiosk("clock = trust\nclock_settle = 3s")
        self.assert_issued(k, "2026-11-25", "1001")
        self.assert_issued(k, "2026-11-25", "1002")
        self.assert_issued(k, "2026-11-25", "1003")
        r = k.request({"cmd": "counter", "counter": 1, "action": "next"})
        self.assertTrue(r["ok"], r)
        k.set_time("2026-11-26 10:00:00")
        st = k.status()
        self.assertEqual((st["day"], st["clock"]["state"]), ("2026-11-25", "settling"))
        self.assertIn("Đồng hồ", st["clock"]["notice"])
        self.assert_refused(k, "clock_settling")
        # Counters keep working meanwhile.
        self.assertTrue(k.request({"cmd": "counter", "counter": 1, "action": "finish"})["ok"])
        # kioskd acts on its own once the step has held (its settle timer):
        # the test only waits for the day to change in the database.
        k.wait_for("the day rolls over in the store",
                   lambda: k.events("rollover") == 1)
        st = k.status()
        self.assertEqual((st["day"], st["clock"]["state"]), ("2026-11-26", "ok"))
        self.assertEqual(k.events("rollover"), 1)
        self.assertEqual(k.events("expire"), 2)
        self.assertEqual([t[2] for t in k.tickets()], ["finished", "expired", "expired"])
        self.assert_issued(k, "2026-11-26", "1001")
        # A restart does not roll over again.
        k.stop()
        k.start()
        self.assertEqual(k.status()["day"], "2026-11-26")
        self.assert_issued(k, "2026-11-26", "1002")
        self.assertEqual(k.events("rollover"), 1)
        self.assertEqual(k.events("expire"), 2)


class Trust(unittest.TestCase):
    def test_stale_untrusted_boot_then_real_day_then_trust(self):
        k = ClockKiosk("clock = auto", "2026-11-25 10:00:00", trust=True)
        self.addCleanup(k.close)
        k.start()
        self.assertEqual(k.clock()["state"], "ok")
        self.assertTrue(k.press()["ok"])
        self.assertTrue(k.press()["ok"])
        k.stop()
        # Next morning the board boots with a stale clock and no NTP yet.
        k.set_time("2026-11-20 07:00:00")
        k.set_trust(False)
        k.start()
        st = k.status()
        self.assertEqual(st["clock"]["state"], "untrusted")
        self.assertFalse(st["clock"]["trusted"])
        self.assertEqual(st["clock"]["notice"], "Đồng hồ chưa được xác nhận — tạm ngừng cấp số")
        self.assertEqual(st["day"], "2026-11-25")
        r = k.press()
        self.assertEqual(r["error"], "clock_untrusted")
        self.assertIn("Đồng hồ chưa được xác nhận", r["message"])
        code, out, _ = k.ctl("status", check=0)
        self.assertIn("Đồng hồ chưa được xác nhận", out)
        code, out, _ = k.ctl("clock", "status", check=0)
        self.assertIn("untrusted", out)
        self.assertIn("2026-11-25", out)
        self.assertIn("Đồng hồ chưa được xác nhận", out)
        self.assertEqual(k.ctl("clock", "--help")[0], 0)
        self.assertIn("Usage: kioskctl clock", k.ctl("clock", "--help")[1])
        self.assertEqual(k.ctl("clock", "set")[0], 2)
        r = k.request({"cmd": "clock", "action": "reset"})
        self.assertEqual((r["ok"], r["error"]), (False, "bad_request"))
        # NTP steps the clock to the real day, but has not said it is synchronised.
        k.set_time("2026-11-26 07:30:00")
        self.assertEqual(k.status()["day"], "2026-11-25")
        self.assertEqual(k.press()["error"], "clock_untrusted")
        self.assertEqual(k.events("expire"), 0)
        # Trust arrives: the new day at once (no settling), yesterday expires once.
        k.set_trust(True)
        st = k.status()
        self.assertEqual((st["day"], st["clock"]["state"]), ("2026-11-26", "ok"))
        self.assertNotIn("notice", st["clock"])
        self.assertEqual(k.events("rollover"), 1)
        self.assertEqual(k.events("expire"), 2)
        r = k.press()
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["ticket"]["day"], r["label"]), ("2026-11-26", "1001"))

    def test_technician_confirms_for_this_boot_only(self):
        k = ClockKiosk("clock = ntp", "2026-11-25 10:00:00", trust=False)
        self.addCleanup(k.close)
        k.start()
        self.assertEqual(k.press()["error"], "clock_untrusted")
        c = k.clock("confirm")
        self.assertEqual((c["state"], c["confirmed"]), ("ok", True))
        r = k.press()
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["ticket"]["day"], "2026-11-25")
        # Kept across a restart in the same boot.
        k.stop()
        k.start()
        self.assertEqual(k.clock()["state"], "ok")
        self.assertTrue(k.press()["ok"])
        # A confirmation saved for another boot does not count.
        k.stop()
        path = os.path.join(k.state, "clock")
        with open(path) as f:
            text = f.read()
        with open("/proc/sys/kernel/random/boot_id") as f:
            boot = f.read().strip()
        self.assertIn("confirmed " + boot, text)
        with open(path, "w") as f:
            f.write(text.replace("confirmed " + boot, "confirmed 00000000-0000-0000-0000-000000000000"))
        k.start()
        c = k.clock()
        self.assertEqual((c["state"], c["confirmed"]), ("untrusted", False))
        self.assertEqual(k.press()["error"], "clock_untrusted")


BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=%s</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow send_type="*"/><allow receive_type="*"/></policy></busconfig>
"""


class Timedated(unittest.TestCase):
    """clock = ntp through the real sd-bus client: a private system bus with
    a stand-in for systemd-timedated whose NTPSynchronized the test flips."""

    def start_bus(self, k):
        if not shutil.which("dbus-daemon"):
            raise unittest.SkipTest("dbus-daemon is not installed")
        conf = os.path.join(k.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONF % os.path.join(k.dir, "system_bus_socket"))
        bus = subprocess.Popen(["dbus-daemon", "--config-file=" + conf, "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(lambda: (bus.kill(), bus.wait(), bus.stdout.close()))
        addr = bus.stdout.readline().strip()
        self.assertTrue(addr, "dbus-daemon did not start")
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=addr)
        env.pop("LD_PRELOAD", None)
        td = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "fake-timedated.py"),
                               self.flag], stdout=subprocess.PIPE, env=env, text=True)
        self.addCleanup(lambda: (td.kill(), td.wait(), td.stdout.close()))
        self.assertEqual(td.stdout.readline().strip(), "ready")
        return addr

    def test_ntp_synchronised_arrives_over_dbus(self):
        k = ClockKiosk("clock = ntp", "2026-11-25 10:00:00")  # (not preloaded: see below)
        self.addCleanup(k.close)
        self.flag = os.path.join(k.dir, "ntp")
        with open(self.flag, "w") as f:
            f.write("0\n")
        k.extra_env["DBUS_SYSTEM_BUS_ADDRESS"] = self.start_bus(k)
        # No stepping here: the real clocks (libfaketime would stand between
        # the loop and its sleep).
        k.extra_env.pop("LD_PRELOAD")
        k.start()
        k.wait_for("timedated's answer", lambda: "systemd-timedated: not synchronised" in k.clock()["source"])
        st = k.status()
        self.assertEqual(st["clock"]["state"], "untrusted")
        self.assertEqual(k.press()["error"], "clock_untrusted")
        # Waiting for NTP costs the loop nothing: the thread asks timedated
        # every few seconds (it did: the log has its answer) and wakes the
        # loop only when the answer changes. The loop thread's context
        # switches over a while that spans more than one question: none.
        pid = k.proc.pid

        def switches():
            with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
                d = dict(line.split(":", 1) for line in f if ":" in line)
            return int(d["voluntary_ctxt_switches"]) + int(d["nonvoluntary_ctxt_switches"])

        time.sleep(0.3)
        s0 = switches()
        time.sleep(6.0)
        # Under qemu-user the loop's thread is also the emulator's, which
        # wakes for its own work (9 in 6 s in the arm64 run): what the count
        # would measure there is qemu. The loop's sleep is checked natively.
        if not os.environ.get("MC_EMULATOR"):
            self.assertEqual(switches() - s0, 0, "the loop woke while waiting for NTP")
        # NTP synchronises: kioskd's thread notices and wakes the loop by itself
        # (the log says so before anyone asks).
        with open(self.flag, "w") as f:
            f.write("1\n")
        k.wait_for("trust logged", lambda: "clock: trusted (NTP synchronised (systemd-timedated))" in k.read_log())
        c = k.clock()
        self.assertEqual((c["state"], c["source"], c["confirmed"]),
                         ("ok", "NTP synchronised (systemd-timedated)", False))
        r = k.press()
        self.assertTrue(r["ok"], r)
        self.assertEqual((r["ticket"]["day"], r["label"]), (c["day"], "1001"))


class StateFiles(unittest.TestCase):
    """STATE/clock and the marker kiosk.db.id as a careless hand, a copy
    from another kiosk or a broken card leave them: kioskd starts, keeps
    the database's day and serves (simulated hardware: a trusted clock)."""

    def setUp(self):
        self.k = Kiosk(KIOSKD, KIOSKCTL, BOARD.format(clock=""))
        self.k.start()
        self.tickets = [self.k.request({"cmd": "press", "service": "civil", "source": "t%d" % i})
                        for i in range(3)]
        self.day = self.tickets[0]["ticket"]["day"]
        self.assertEqual(self.k.stop(), 0)
        self.clock = os.path.join(self.k.state, "clock")

    def tearDown(self):
        self.k.close()

    def serves_today(self, what):
        """Starts kioskd: the office day is still today, every ticket is
        still waiting, and a press gets a new number."""
        self.k.start()
        st = self.k.request({"cmd": "status"})
        self.assertEqual(st["day"], self.day, what)
        r = self.k.request({"cmd": "press", "service": "civil", "source": "after"})
        self.assertTrue(r["ok"], "%s: %r" % (what, r))
        self.assertNotIn(r["label"], [t["label"] for t in self.tickets], what)
        self.tickets.append(r)
        db = sqlite3.connect("file:%s?mode=ro" % self.k.db(), uri=True)
        rows = db.execute("SELECT label, status, day FROM tickets ORDER BY id").fetchall()
        db.close()
        self.assertEqual(rows, [(t["label"], "waiting", self.day) for t in self.tickets],
                         "%s: every ticket is still waiting, dated today" % what)
        self.assertEqual(self.k.stop(), 0)

    def test_a_later_day_in_the_clock_file_is_not_taken(self):
        # Before: kioskd took the file's day, expired the queue, and then
        # refused every press as "the clock went back" until that day came.
        y, m, d = (int(x) for x in self.day.split("-"))
        for later in ("%04d-%02d-%02d" % (y + 1, m, min(d, 28)), "9999-12-31"):
            with open(self.clock, "w") as f:
                f.write("day %s\n" % later)
            self.serves_today("clock file says %s" % later)
            self.assertIn("says the office day is %s, later than the database's %s: the database's day "
                          "is kept" % (later, self.day), self.k.read_log())

    def test_odd_clock_files_do_not_stop_kioskd(self):
        def write(text):
            with open(self.clock, "w") as f:
                f.write(text)
        cases = {
            # Before: fgets split it, and its tail was read as a day line.
            "a long line": lambda: write("x" * 159 + "day 2031-01-01\n"),
            # Before: the start blocked for ever in open().
            "a FIFO": lambda: os.mkfifo(self.clock),
            # Before: the start read zeros (or noise) for ever, at 100 % CPU.
            "a link to /dev/zero": lambda: os.symlink("/dev/zero", self.clock),
            "a link to /dev/urandom": lambda: os.symlink("/dev/urandom", self.clock),
        }
        for what, make in cases.items():
            if os.path.lexists(self.clock):
                os.unlink(self.clock)
            make()
            self.serves_today("the clock file is %s" % what)
            self.assertTrue(os.path.isfile(self.clock) and not os.path.islink(self.clock),
                            "%s: replaced by kioskd's own file" % what)

    def test_a_fifo_marker_does_not_stop_kioskd(self):
        marker = self.k.db() + ".id"
        with open(marker) as f:
            store_id = f.read().strip()
        os.unlink(marker)
        os.mkfifo(marker)
        self.serves_today("the marker is a FIFO")
        self.assertTrue(os.path.isfile(marker), "the marker written again, as a file")
        with open(marker) as f:
            self.assertEqual(f.read().strip(), store_id)

if __name__ == "__main__":
    unittest.main(verbosity=2)
