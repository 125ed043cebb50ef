#!/usr/bin/python3
"""test-systemd-notify.py — kioskd speaks sd_notify to a socket this test owns:
READY=1 with a STATUS= line once the store is open, WATCHDOG=1 pings at half
of WATCHDOG_USEC, STATUS= following the queue, no pings while the loop is
stalled on purpose (test hook), pings again afterwards, journal priorities.

Nothing here depends on how fast the machine is: pings are counted (with a
generous deadline that only catches a kiosk that stopped), and the silence
during the stall is measured between the kernel's arrival stamps of the
datagrams (SO_TIMESTAMPNS), so a slow test process does not move them. A
stalled loop cannot ping for the whole stall, so the gap can only be longer
under load, never shorter. Pings per second are printed, not asserted.

Usage: test-systemd-notify.py KIOSKD KIOSKCTL BOARD
"""
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL, BOARD = sys.argv[1:4]
WATCHDOG_USEC = 300000  # pings every 150 ms
STALL_MS = 1500
# Linux's SO_TIMESTAMPNS (asm-generic/socket.h; Python does not name it).
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


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
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.sock.bind(path)
        self.msgs = []

    def recv(self):
        """One datagram: (kernel arrival time in s, fields)."""
        data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(16))
        stamp = None
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", cdata[:16])
                stamp = sec + nsec / 1e9
        if stamp is None:
            fail("the kernel gave no arrival stamp (SO_TIMESTAMPNS)")
        fields = dict(l.split("=", 1) for l in data.decode().split("\n") if "=" in l)
        return stamp, fields

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                self.msgs.append(self.recv())

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

    def count_pings(self, n, seconds=60.0):
        """Waits for n more WATCHDOG=1; returns their arrival stamps."""
        seen = len(self.msgs)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            got = [t for t, f in self.msgs[seen:] if f.get("WATCHDOG") == "1"]
            if len(got) >= n:
                return got
            self.pump(0.1)
        fail(f"fewer than {n} watchdog pings within {seconds} s: the loop stopped pinging")


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
            before = notify.count_pings(5)
            rate_before = (len(before) - 1) / max(before[-1] - before[0], 1e-6)

            # STATUS follows the queue.
            ctl(csock, "press", "civil")
            _, st = notify.wait_for("STATUS", "1 đang chờ")
            if "1 waiting" not in st["STATUS"]:
                fail(f"STATUS lacks the English half: {st}")

            # A stalled loop stops pinging: somewhere between the last ping
            # before the request and the first after the answer there is a
            # silence at least as long as the stall (kernel stamps).
            notify.count_pings(1)
            s_start = time.time()
            ans = raw_request(csock, {"cmd": "test-stall", "ms": STALL_MS})
            s_end = time.time()
            if not ans.get("ok"):
                fail(f"test-stall refused: {ans}")
            after = notify.count_pings(5)
            times = sorted(t for t, f in notify.msgs if f.get("WATCHDOG") == "1")
            last_before = max(t for t in times if t <= s_start)
            first_after = min(t for t in times if t > s_end)
            around = [t for t in times if last_before <= t <= first_after]
            gaps = [b - a for a, b in zip(around, around[1:])]
            if max(gaps) < STALL_MS / 1000.0:
                fail(f"pings did not stop during a {STALL_MS} ms stall: longest gap "
                     f"{max(gaps):.3f} s")
            rate_after = (len(after) - 1) / max(after[-1] - after[0], 1e-6)
            print(f"figures: {rate_before:.1f} pings/s before (interval {WATCHDOG_USEC // 2000} ms), "
                  f"silence of {max(gaps):.2f} s during a {STALL_MS} ms stall, "
                  f"{rate_after:.1f} pings/s after")

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
