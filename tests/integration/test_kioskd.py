#!/usr/bin/python3
"""test_kioskd.py — kioskd and kioskctl as a technician uses them: command
lines, board.conf errors (exit 78), the control socket's answers to bad
requests, a whole office day driven through kioskctl with a faked clock
(issue, call, recall, no-show, reactivate, transfer, finish, rating,
pause, rollover at opening and at midnight), and an idle daemon that
does not wake up."""
import json
import os
import signal
import socket
import stat
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kiosk  # noqa: E402
from kiosk import BOARD_ALWAYS_OPEN, Kiosk, read_answer  # noqa: E402

KIOSKD = os.environ["KIOSKD"]
KIOSKCTL = os.environ["KIOSKCTL"]

# double_tap 10 s: the test's repeated press must fall inside the window
# however slow the machine (a loaded CI, kioskctl under qemu-user); every
# other press of the day has its own source.
WEEKDAY_BOARD = BOARD_ALWAYS_OPEN.replace(
    "hours = mon-sun 00:00-24:00",
    "hours = mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30\nclosed = 2026-12-01").replace(
    "double_tap = 1s", "double_tap = 10s") + (
    # "The next morning" below is the faked wall clock jumping while kioskd
    # is stopped in the same boot: a step, which would settle for a minute.
    "\n[office]\nclock_settle = 0s\n")


def run(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


class CommandLine(unittest.TestCase):
    def test_help_version_and_usage(self):
        self.assertEqual(run(KIOSKD, "--help").returncode, 0)
        self.assertIn("--board FILE", run(KIOSKD, "--help").stdout)
        self.assertRegex(run(KIOSKD, "--version").stdout, r"^kioskd \d+\.\d+")
        self.assertEqual(run(KIOSKD).returncode, 2)
        self.assertEqual(run(KIOSKD, "--frobnicate").returncode, 2)
        self.assertEqual(run(KIOSKCTL).returncode, 2)
        self.assertEqual(run(KIOSKCTL, "fly").returncode, 2)
        for c in ["status", "press", "counter", "tickets", "issuing", "config"]:
            r = run(KIOSKCTL, c, "--help")
            self.assertEqual(r.returncode, 0, c)
            self.assertIn("Usage: kioskctl " + c, r.stdout)
        self.assertEqual(run(KIOSKCTL, "counter", "x", "next").returncode, 2)
        self.assertEqual(run(KIOSKCTL, "counter", "1", "rate", "9").returncode, 2)
        self.assertEqual(run(KIOSKCTL, "counter", "1", "dance").returncode, 2)
        self.assertEqual(run(KIOSKCTL, "press").returncode, 2)
        r = run(KIOSKCTL, "status", env={**os.environ, "MOTCUA_SOCKET": "/nonexistent/s"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot reach kioskd", r.stderr)

    def test_bad_board_exits_78_with_file_and_line(self):
        cases = [
            ("colour = red", 4, "unknown key 'colour'"),
            ("hours = mon-fri 7.30-11.30", 4, "is not a span"),
            ("priority = first come", 4, "'strict' or 'every N'"),
        ]
        for line, lineno, words in cases:
            k = Kiosk(KIOSKD, KIOSKCTL, BOARD_ALWAYS_OPEN.replace(
                "hours = mon-sun 00:00-24:00", line))
            try:
                r = run(KIOSKD, "--board", k.board, "--state-dir", k.state, "--socket", k.sock)
                self.assertEqual(r.returncode, 78, r.stderr)
                self.assertIn("%s:%d: " % (k.board, lineno), r.stderr)
                self.assertIn(words, r.stderr)
                # Nothing was started: no database, no socket.
                self.assertFalse(os.path.exists(k.db()))
                self.assertFalse(os.path.exists(k.sock))
                c = run(KIOSKCTL, "config", "check", k.board)
                self.assertEqual(c.returncode, 1)
                self.assertIn("%s:%d: " % (k.board, lineno), c.stderr)
            finally:
                k.close()
        r = run(KIOSKD, "--board", "/nonexistent/board.conf", "--state-dir", "/tmp/x", "--socket", "/tmp/x.s")
        self.assertEqual(r.returncode, 78)
        self.assertIn("/nonexistent/board.conf:0: cannot open", r.stderr)

    def test_reference_boards_are_valid(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        for b in ["board.conf", "tools/sim/board.conf"]:
            r = run(KIOSKCTL, "config", "check", os.path.join(root, b))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("OK", r.stdout)


class OneKioskdPerState(unittest.TestCase):
    """A second kioskd (a technician's run by hand beside the service)
    must not share the state directory or take the socket over: both
    would give out 1001, and each would overwrite the other's rows."""

    def setUp(self):
        self.k = Kiosk(KIOSKD, KIOSKCTL, BOARD_ALWAYS_OPEN).start()

    def tearDown(self):
        self.k.close()

    def second(self, state, sock):
        return run(KIOSKD, "--board", self.k.board, "--state-dir", state, "--socket", sock, "--sim",
                   timeout=60)

    def test_second_kioskd_on_the_same_state_directory_is_refused(self):
        a = self.k.request({"cmd": "press", "service": "civil", "source": "a"})
        r = self.second(self.k.state, os.path.join(self.k.dir, "other.sock"))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("another kioskd (pid %d) is using the state directory" % self.k.proc.pid, r.stderr)
        self.assertIn("stop it first", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.k.dir, "other.sock")))
        b = self.k.request({"cmd": "press", "service": "civil", "source": "b"})
        self.assertEqual(int(b["label"]), int(a["label"]) + 1, b)
        # The lock goes with the process, however it ends.
        self.k.kill9()
        self.k.start()
        c = self.k.request({"cmd": "press", "service": "civil", "source": "c"})
        self.assertEqual(int(c["label"]), int(b["label"]) + 1, c)
        db = sqlite3.connect("file:%s?mode=ro" % self.k.db(), uri=True)
        labels = [r[0] for r in db.execute("SELECT label FROM tickets ORDER BY id")]
        db.close()
        self.assertEqual(labels, [a["label"], b["label"], c["label"]])

    def test_a_live_kioskds_socket_is_not_taken_over(self):
        r = self.second(os.path.join(self.k.dir, "state2"), self.k.sock)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("another process listens on it", r.stderr)
        self.assertTrue(self.k.request({"cmd": "status"})["ok"])

    def test_a_file_given_as_the_socket_is_kept(self):
        path = os.path.join(self.k.dir, "board-copy.conf")
        with open(path, "w") as f:
            f.write("[office]\n")
        r = self.second(os.path.join(self.k.dir, "state3"), path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("exists and is not a socket", r.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), "[office]\n")


class Socket(unittest.TestCase):
    def setUp(self):
        self.k = Kiosk(KIOSKD, KIOSKCTL, BOARD_ALWAYS_OPEN).start()

    def tearDown(self):
        self.assertEqual(self.k.stop(), 0)
        self.k.close()

    def test_kioskctl_does_not_wait_for_ever(self):
        # A kioskd stopped (SIGSTOP, a debugger) answers nothing: kioskctl
        # gives up after MOTCUA_TIMEOUT seconds and says why (before: for ever).
        self.k.proc.send_signal(signal.SIGSTOP)
        try:
            kiosk.wait_stopped(self.k.proc.pid, 30)
            r = run(KIOSKCTL, "status", "--socket", self.k.sock, env={**os.environ, "MOTCUA_TIMEOUT": "1"},
                    timeout=120)
        finally:
            self.k.proc.send_signal(signal.SIGCONT)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("kioskd did not answer within 1 s", r.stderr)
        r = run(KIOSKCTL, "status", "--socket", self.k.sock, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_socket_mode_is_0660(self):
        self.assertEqual(stat.S_IMODE(os.stat(self.k.sock).st_mode), 0o660)

    def test_bad_requests_get_precise_errors_and_connection_survives(self):
        s = self.k.connect()
        bad = [
            (b"hello\n", "bad_request"),
            (b"[1,2,3]\n", "bad_request"),
            (b"{\"cmd\": 7}\n", "bad_request"),
            (b"{\"nocmd\": true}\n", "bad_request"),
            (b"{\"cmd\": \"fly\"}\n", "unknown_command"),
            (b"\x00\xff\xfe garbage \x01\n", "bad_request"),
            (b"{\"cmd\": \"press\"}\n", "bad_request"),
            (b"{\"cmd\": \"press\", \"service\": \"nope\"}\n", "no_service"),
            # A priority that is not a boolean was a plain ticket, silently.
            (b"{\"cmd\": \"press\", \"service\": \"civil\", \"priority\": 1}\n", "bad_request"),
            (b"{\"cmd\": \"press\", \"service\": \"civil\", \"priority\": \"yes\"}\n", "bad_request"),
            (b"{\"cmd\": \"press\", \"service\": \"civil\", \"source\": 5}\n", "bad_request"),
            (b"{\"cmd\": \"counter\", \"counter\": \"1\", \"action\": \"next\"}\n", "bad_request"),
            (b"{\"cmd\": \"counter\", \"counter\": 99, \"action\": \"next\"}\n", "no_counter"),
            (b"{\"cmd\": \"counter\", \"counter\": 1, \"action\": \"jump\"}\n", "bad_request"),
            (b"{\"cmd\": \"counter\", \"counter\": 1, \"action\": \"rate\", \"arg\": -3}\n", "bad_request"),
            (b"{\"cmd\": \"counter\", \"counter\": 3, \"action\": \"transfer\", \"arg\": 5}\n", "no_service"),
            (b"{\"cmd\": \"tickets\", \"day\": \"yesterday\"}\n", "bad_request"),
            (b"x" * 70000 + b"\n", "bad_request"),
        ]
        for req, token in bad:
            s.sendall(req)
            a = read_answer(s)
            self.assertFalse(a["ok"], req[:60])
            self.assertEqual(a["error"], token, req[:60])
            self.assertTrue(a["message"])
        s.sendall(b"{\"cmd\": \"status\"}\n")
        self.assertTrue(read_answer(s)["ok"])
        # Two requests in one write, answered in order.
        s.sendall(b'{"cmd":"press","service":"civil","source":"a"}\n{"cmd":"press","service":"civil","source":"b"}\n')
        self.assertEqual(read_answer(s)["label"], "1001")
        self.assertEqual(read_answer(s)["label"], "1002")
        s.close()
        # A client that vanishes mid-line harms nobody.
        s = self.k.connect()
        s.sendall(b'{"cmd": "sta')
        s.close()
        self.assertTrue(self.k.request({"cmd": "status"})["ok"])
        self.assertIn("commands", self.k.request({"cmd": "help"}))

    def test_idle_daemon_does_not_wake(self):
        pid = self.k.proc.pid

        def switches():
            # Every thread of the daemon, not only the main one.
            n = 0
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                    d = dict(line.split(":", 1) for line in f if ":" in line)
                n += int(d["voluntary_ctxt_switches"]) + int(d["nonvoluntary_ctxt_switches"])
            return n

        def cpu():
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])

        self.k.request({"cmd": "status"})
        # Wait until the answer's aftermath is over: the count stops moving
        # (an event, however slow the machine; a daemon that never settles
        # fails here). Then an idle daemon is not woken at all: no timer,
        # no polling, in any thread. Load on the machine cannot add a
        # switch to a thread that is asleep.
        prev, settled = switches(), False
        for _ in range(120):
            time.sleep(0.5)
            cur = switches()
            if cur == prev:
                settled = True
                break
            prev = cur
        self.assertTrue(settled, "kioskd never went idle")
        s0, c0 = switches(), cpu()
        time.sleep(2.0)
        self.assertEqual(switches() - s0, 0, "an idle kioskd woke up")
        self.assertEqual(cpu() - c0, 0)


class OfficeDay(unittest.TestCase):
    """A whole day through kioskctl, with the wall clock faked."""

    def test_whole_day_then_rollover_at_opening(self):
        k = Kiosk(KIOSKD, KIOSKCTL, WEEKDAY_BOARD, faketime="2026-11-25 08:00:00",
                  extra_env={"TZ": "Asia/Ho_Chi_Minh"})
        try:
            k.start()
            ok = lambda *a: k.ctl(*a, check=0)[1].strip()  # noqa: E731
            self.assertEqual(ok("press", "civil", "--source", "t1"), "1001")
            self.assertEqual(ok("press", "civil", "--source", "t2"), "1002")
            self.assertEqual(ok("press", "land", "--source", "t3"), "2001")
            self.assertEqual(ok("press", "biz", "--priority", "--source", "t4"), "B001")
            # Double tap from the same button: same number, no new ticket.
            rc, out, err = k.ctl("press", "civil", "--source", "t2")
            self.assertEqual((rc, out.strip()), (0, "1002"))
            self.assertIn("double tap", err)
            ok("counter", "1", "login", "5")
            self.assertEqual(ok("counter", "1", "next"), "1001")
            self.assertEqual(ok("counter", "1", "recall"), "1001")
            self.assertEqual(ok("counter", "1", "noshow"), "1001")
            self.assertEqual(ok("counter", "1", "next"), "1002")
            # 1001 comes back while 1002 is served: 1002's service goes on
            # and 1001 is next at counter 1 (before 1003, issued later
            # but called by counter 1 before anyone else).
            self.assertEqual(ok("counter", "1", "reactivate"), "1001")
            st = json.loads(ok("status", "--json"))
            self.assertEqual({c["number"]: c["current"] for c in st["counters"]}[1], "1002")
            ok("counter", "1", "finish")
            self.assertEqual(ok("counter", "1", "next"), "1001")
            ok("counter", "1", "finish")
            ok("counter", "1", "rate", "1")
            rc, _, err = k.ctl("counter", "1", "rate", "2")
            self.assertEqual(rc, 1)
            self.assertIn("rated", err)
            # "every 2": counter 3 calls one normal ticket, then, with no
            # other normal waiting, the priority one.
            self.assertEqual(ok("counter", "3", "next"), "2001")
            self.assertEqual(ok("counter", "3", "next"), "B001")
            self.assertEqual(ok("press", "civil", "--source", "t5"), "1003")
            self.assertEqual(ok("counter", "2", "next"), "1003")
            # 1003 is sent to land; 2002 issued later waits behind it.
            self.assertEqual(ok("press", "land", "--source", "t6"), "2002")
            self.assertEqual(ok("counter", "2", "transfer", "land"), "1003")
            self.assertEqual(ok("counter", "3", "next"), "1003")
            ok("counter", "3", "pause")
            rc, _, err = k.ctl("counter", "3", "next")
            self.assertEqual(rc, 1)
            self.assertIn("paused", err)
            ok("counter", "3", "resume")
            self.assertEqual(ok("counter", "3", "next"), "2002")
            ok("counter", "1", "logout")
            st = json.loads(ok("status", "--json"))
            self.assertEqual(st["day"], "2026-11-25")
            self.assertTrue(st["open"])
            self.assertEqual(st["waiting"], 0)
            cur = {c["number"]: c["current"] for c in st["counters"]}
            self.assertEqual(cur, {1: "", 2: "", 3: "2002"})
            tickets = {t["label"]: t for t in json.loads(ok("tickets", "--json"))}
            self.assertEqual(tickets["1001"]["status"], "finished")
            self.assertEqual(tickets["1001"]["rating"], 1)
            self.assertEqual(tickets["1001"]["clerk"], 5)
            self.assertEqual(tickets["1002"]["status"], "finished")
            self.assertEqual(tickets["1003"]["cur_service"], "land")
            self.assertEqual(tickets["1003"]["transfers"], 1)
            self.assertEqual(tickets["B001"]["priority"], True)
            self.assertTrue(all(t["wait_ms"] >= 0 for t in tickets.values()))
            self.assertEqual(k.stop(), 0)

            # The next morning, at opening time: numbers restart, and
            # yesterday's open ticket (2002, being served) has expired.
            k.faketime = "2026-11-26 07:30:00"
            k.start()
            st = json.loads(ok("status", "--json"))
            self.assertEqual(st["day"], "2026-11-26")
            self.assertEqual([c["current"] for c in st["counters"]], ["", "", ""])
            self.assertEqual(ok("press", "civil", "--source", "m1"), "1001")
            old = {t["label"]: t for t in json.loads(ok("tickets", "--day", "2026-11-25", "--json"))}
            self.assertEqual(old["2002"]["status"], "expired")
            self.assertEqual(len(old), 6)
            db = sqlite3.connect(k.db())
            kinds = [r[0] for r in db.execute("SELECT kind FROM events ORDER BY id")]
            db.close()
            for kind in ["issue", "call", "recall", "noshow", "reactivate", "finish", "transfer",
                         "pause", "resume", "login", "logout", "rate", "expire", "rollover"]:
                self.assertIn(kind, kinds)
            self.assertEqual(k.stop(), 0)
        finally:
            k.close()

    def test_closed_office_refuses_with_next_opening(self):
        # Monday 2026-11-30 at 18:00; Tuesday 2026-12-01 is a closed date.
        k = Kiosk(KIOSKD, KIOSKCTL, WEEKDAY_BOARD, faketime="2026-11-30 18:00:00",
                  extra_env={"TZ": "Asia/Ho_Chi_Minh"})
        try:
            k.start()
            rc, out, err = k.ctl("press", "civil")
            self.assertEqual(rc, 1)
            self.assertIn("Ngoài giờ làm việc", err)
            self.assertIn("2026-12-02 07:30", err)
            st = json.loads(k.ctl("status", "--json", check=0)[1])
            self.assertFalse(st["open"])
            self.assertEqual(st["next_open"], "2026-12-02 07:30")
        finally:
            k.close()

    def test_rollover_at_midnight_while_running(self):
        # 20 s before midnight: room for three presses on a slow machine
        # (under qemu-user each kioskctl takes a second or more).
        k = Kiosk(KIOSKD, KIOSKCTL, BOARD_ALWAYS_OPEN, faketime="2026-11-25 23:59:40",
                  extra_env={"TZ": "Asia/Ho_Chi_Minh"})
        try:
            k.start()
            self.assertEqual(k.ctl("press", "civil", check=0)[1].strip(), "1001")
            self.assertEqual(k.ctl("counter", "1", "next", check=0)[1].strip(), "1001")
            self.assertEqual(k.ctl("press", "civil", "--source", "x", check=0)[1].strip(), "1002")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                st = json.loads(k.ctl("status", "--json", check=0)[1])
                if st["day"] == "2026-11-26":
                    break
                time.sleep(0.5)
            self.assertEqual(st["day"], "2026-11-26")
            self.assertEqual(st["waiting"], 0)
            self.assertEqual(st["counters"][0]["current"], "")
            self.assertEqual(k.ctl("press", "civil", check=0)[1].strip(), "1001")
        finally:
            k.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
