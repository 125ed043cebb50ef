#!/usr/bin/python3
"""test-systemd-notify.py — kioskd speaks sd_notify to a socket this test owns:
READY=1 with a STATUS= line once the store is open, WATCHDOG=1 pings at half
of WATCHDOG_USEC, STATUS= following the queue, no pings while the loop is
stalled on purpose (test hook), pings again afterwards, journal priorities.

Usage: test-systemd-notify.py KIOSKD KIOSKCTL BOARD
"""
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL, BOARD = sys.argv[1:4]
WATCHDOG_USEC = 300000  # pings every 150 ms
STALL_MS = 1500


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def ctl(sock, *args):
    r = subprocess.run([KIOSKCTL, *args, "--socket", sock, "--json"], capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        fail(f"kioskctl {args}: {r.stderr}")
    return json.loads(r.stdout) if r.stdout.strip() else {}


def raw_request(sock, req):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.sendall((json.dumps(req) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)


class Notify:
    """The datagram socket systemd would own; records (time, fields)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.msgs = []

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                data = self.sock.recv(4096).decode()
                fields = dict(l.split("=", 1) for l in data.split("\n") if "=" in l)
                self.msgs.append((time.monotonic(), fields))

    def wait_for(self, key, value=None, seconds=20.0):
        end = time.monotonic() + seconds
        seen = len(self.msgs)
        while time.monotonic() < end:
            for t, f in self.msgs[seen:]:
                if key in f and (value is None or value in f[key]):
                    return t, f
            seen = len(self.msgs)
            self.pump(0.1)
        fail(f"no {key}={value or ''} within {seconds} s; got {[f for _, f in self.msgs][-5:]}")

    def pings(self, t0, t1):
        return [t for t, f in self.msgs if "WATCHDOG" in f and t0 <= t <= t1]


def main():
    with tempfile.TemporaryDirectory(prefix="mc-sdnotify-") as tmp:
        nsock = os.path.join(tmp, "notify.sock")
        csock = os.path.join(tmp, "kioskd.sock")
        notify = Notify(nsock)
        env = dict(os.environ, NOTIFY_SOCKET=nsock, WATCHDOG_USEC=str(WATCHDOG_USEC),
                   MOTCUA_TEST_HOOKS="1", MOTCUA_HEALTH_DELAY_MS="600000",
                   DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + os.path.join(tmp, "nobus"))
        env.pop("JOURNAL_STREAM", None)
        # WATCHDOG_PID must be kioskd's own pid: exec keeps the shell's pid.
        p = subprocess.Popen(["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh", KIOSKD,
                              "--board", BOARD, "--state-dir", os.path.join(tmp, "state"),
                              "--socket", csock], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        try:
            _, ready = notify.wait_for("READY", "1")
            if "STATUS" not in ready or "0 đang chờ" not in ready["STATUS"]:
                fail(f"READY=1 came without the queue's STATUS: {ready}")
            # The database exists by the time READY=1 is sent.
            if not os.path.exists(os.path.join(tmp, "state", "kiosk.db")):
                fail("READY=1 before the database was created")
            notify.wait_for("WATCHDOG", "1")
            t0 = time.monotonic()
            notify.pump(1.0)
            before = notify.pings(t0, time.monotonic())
            if len(before) < 3:
                fail(f"only {len(before)} watchdog pings in 1 s at a {WATCHDOG_USEC // 2000} ms interval")

            # STATUS follows the queue.
            ctl(csock, "press", "civil")
            _, st = notify.wait_for("STATUS", "1 đang chờ")
            if "1 waiting" not in st["STATUS"]:
                fail(f"STATUS lacks the English half: {st}")

            # A stalled loop stops pinging.
            notify.pump(0.3)
            s_start = time.monotonic()
            ans = raw_request(csock, {"cmd": "test-stall", "ms": STALL_MS})
            s_end = time.monotonic()
            if not ans.get("ok"):
                fail(f"test-stall refused: {ans}")
            notify.pump(1.0)
            # Longest silence across the stall window, including the pings
            # on either side of it.
            times = sorted(t for t, f in notify.msgs if "WATCHDOG" in f)
            around = [t for t in times if s_start - 0.5 <= t <= s_end + 1.0]
            gaps = [b - a for a, b in zip(around, around[1:])]
            if not gaps or max(gaps) < (STALL_MS / 1000.0) * 0.8:
                fail(f"pings did not stop during a {STALL_MS} ms stall: longest gap "
                     f"{max(gaps) if gaps else 0:.3f} s")
            after = notify.pings(s_end + 0.05, time.monotonic())
            if len(after) < 3:
                fail(f"pings did not resume after the stall ({len(after)} in 1 s)")
            print(f"ok: {len(before)} pings/s before, silence of {max(gaps):.2f} s during a "
                  f"{STALL_MS} ms stall, {len(after)} pings after")

            # Without the hook's environment the command does not exist.
            p.terminate()
            p.wait(timeout=20)
            notify.pump(0.2)
            if not any("STOPPING" in f for _, f in notify.msgs):
                fail("no STOPPING=1 on SIGTERM")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        err = p.stderr.read()
        if "TEST HOOK" not in err:
            fail("the test hook's use was not logged")

        # Without MOTCUA_TEST_HOOKS the hook is absent; with JOURNAL_STREAM
        # log lines carry syslog priorities for journald.
        env = dict(os.environ, JOURNAL_STREAM="8:1234", MOTCUA_HEALTH_DELAY_MS="600000")
        env.pop("MOTCUA_TEST_HOOKS", None)
        env.pop("NOTIFY_SOCKET", None)
        p = subprocess.Popen([KIOSKD, "--board", BOARD, "--state-dir", os.path.join(tmp, "state"),
                              "--socket", csock], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        try:
            for _ in range(200):
                if os.path.exists(csock):
                    break
                time.sleep(0.05)
            ans = raw_request(csock, {"cmd": "test-stall", "ms": 10})
            if ans.get("ok"):
                fail("test-stall works without MOTCUA_TEST_HOOKS=1")
        finally:
            p.terminate()
            p.wait(timeout=20)
        lines = p.stderr.read().splitlines()
        if not lines or not all(l[:1] == "<" and l[2:3] == ">" for l in lines):
            fail(f"log lines without journal priorities: {lines[:3]}")
        if not any(l.startswith("<5>") for l in lines):
            fail(f"no notice-priority line: {lines[:3]}")
    print("ok: journal priorities, hook absent by default")


main()
