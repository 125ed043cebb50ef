"""bushelp.py — shared pieces of the counter bus integration tests: a private
kioskd with its control socket, and the unit simulator (tools/unitsim) as
a child driven through JSON lines. Paths come from the environment that
tests/integration/CMakeLists.txt sets: KIOSKD, UNITSIM."""
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

KIOSKD = os.environ.get("KIOSKD")
UNITSIM = os.environ.get("UNITSIM")


def fail(msg):
    print("FAIL:", msg, flush=True)
    raise AssertionError(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


# Hang guards (never timing checks) grow with MC_TEST_TIMEOUT_SCALE, which
# ctest sets with each test's TIMEOUT (20 under qemu-user).
SCALE = max(1, int(os.environ.get("MC_TEST_TIMEOUT_SCALE", "1")))


def wait_for(pred, timeout=10.0, what="condition"):
    end = time.monotonic() + timeout * SCALE
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    fail("timed out waiting for " + what)


class Kiosk:
    """kioskd on a temp state dir, with board text and a bus device."""

    def __init__(self, tmp, board, bus_device):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "k.sock")
        with open(os.path.join(tmp, "board.conf"), "w", encoding="utf-8") as f:
            f.write(board)
        self.log = open(os.path.join(tmp, "kioskd.log"), "w+", encoding="utf-8")
        self.proc = subprocess.Popen(
            [KIOSKD, "--board", os.path.join(tmp, "board.conf"), "--state-dir",
             os.path.join(tmp, "state"), "--socket", self.sock, "--bus-device", bus_device],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None, 20,
                 "kioskd's socket")
        check(self.proc.poll() is None, "kioskd exited: " + self.logtext())

    def call(self, **req):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20 * SCALE)
        s.connect(self.sock)
        s.sendall((json.dumps(req) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        s.close()
        return json.loads(buf)

    def press(self, service, n=1, priority=False):
        labels = []
        for _ in range(n):
            r = self.call(cmd="press", service=service, priority=priority)
            check(r["ok"], "press %s: %s" % (service, r))
            labels.append(r["label"])
        return labels

    def status(self):
        return self.call(cmd="status")

    def counter(self, number):
        for c in self.status()["counters"]:
            if c["number"] == number:
                return c
        fail("no counter %d" % number)

    def bus(self):
        r = self.call(cmd="bus")
        check(r["ok"], "bus status: %s" % r)
        return r["bus"]

    def unit(self, addr):
        for u in self.bus()["units"]:
            if u["addr"] == addr:
                return u
        fail("no unit %d" % addr)

    def tickets(self):
        r = self.call(cmd="tickets")
        check(r["ok"], "tickets: %s" % r)
        return r["tickets"]

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20 * SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Unitsim:
    """tools/unitsim --json on a pty it makes, linked at link."""

    def __init__(self, units, link, baud=19200, extra=()):
        # Corruption follows a fixed seed unless MC_TEST_SEED gives one
        # (tools/dev.sh test --all), so a failure can be replayed.
        env = dict(os.environ, MC_TEST_SEED=os.environ.get("MC_TEST_SEED", "1"))
        print("unitsim seed", env["MC_TEST_SEED"], flush=True)
        self.proc = subprocess.Popen(
            [UNITSIM, "--units", units, "--link", link, "--baud", str(baud), "--json"] + list(extra),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
        self.displays = {}
        self.history = []
        self.replies = queue.Queue()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        r = self.replies.get(timeout=10 * SCALE)
        check(r.get("event") == "ready", "unitsim did not start: %s" % r)
        self.path = r["path"]

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("event") == "display":
                with self.lock:
                    self.displays[ev["unit"]] = ev
                    self.history.append(ev)
            else:
                self.replies.put(ev)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        r = self.replies.get(timeout=10 * SCALE)
        check(r["event"] == "ok", "unitsim %r: %s" % (line, r))
        return r

    def display(self, unit):
        with self.lock:
            return dict(self.displays.get(unit, {}))

    def text(self, unit):
        return self.display(unit).get("text", "").strip()

    def wait_display(self, unit, pred, timeout=10.0, what=None):
        return wait_for(lambda: (lambda d: d if d and pred(d) else None)(self.display(unit)),
                        timeout, what or "display of unit %d" % unit)

    def stop(self):
        """Quits unitsim; returns its exit status (sanitizer reports fail it)."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10 * SCALE)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def board(counters, bus_extra="", services=("a", "b", "c"), office_extra=""):
    """A board.conf open all day; counters: list of (number, services, addr)."""
    # A key given twice is refused: the extras replace these defaults.
    # next_hold off unless a test asks: the tests press NEXT at machine speed.
    text = "[office]\n" + with_defaults((("clock", "trust"), ("hours", "mon-sun 00:00-24:00"), ("double_tap", "0"),
                                         ("noshow_window", "10m"), ("next_hold", "0")), office_extra)
    base = {"a": 1001, "b": 2001, "c": 3001}
    for s in services:
        text += "[service.%s]\nname = Dịch vụ %s\nnumbers = %d-%d\n" % (s, s.upper(), base[s], base[s] + 998)
    for number, svc, addr in counters:
        text += "[counter.%d]\nservices = %s\n" % (number, svc)
        if addr:
            text += "unit = bus:%d\n" % addr
    text += "[bus]\n" + with_defaults((("device", "/dev/null-not-used"), ("baud", "19200"), ("parity", "even")),
                                      bus_extra)
    return text


def with_defaults(defaults, extra):
    """Lines key = value for the defaults extra does not give, then extra."""
    given = {line.split("=")[0].strip() for line in extra.splitlines() if "=" in line}
    return "".join("%s = %s\n" % (k, v) for k, v in defaults if k not in given) + extra


def main(test):
    """Runs test(tmp) in a temp dir, cleaning up; exit status for ctest."""
    for v, name in ((KIOSKD, "KIOSKD"), (UNITSIM, "UNITSIM")):
        if not v or not os.access(v, os.X_OK):
            print("environment variable %s must name the built program" % name)
            sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="motcua-bus-")
    try:
        test(tmp)
    except AssertionError:
        for name in ("kioskd.log",):
            p = os.path.join(tmp, name)
            if os.path.exists(p):
                print("---- " + name)
                print(open(p, encoding="utf-8").read()[-6000:])
        shutil.rmtree(tmp, ignore_errors=True)
        sys.exit(1)
    shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
