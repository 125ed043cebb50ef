"""kiosk.py — helpers for integration tests: start and stop a real kioskd on
a temporary state directory, talk to its control socket, run kioskctl."""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import tempfile
import time
import weakref

# Hang guards below (never timing checks) grow with MC_TEST_TIMEOUT_SCALE,
# which ctest sets with each test's TIMEOUT (20 under qemu-user).
SCALE = max(1, int(os.environ.get("MC_TEST_TIMEOUT_SCALE", "1")))


class Kiosk:
    """A kioskd process with its own state dir and socket."""

    def __init__(self, kioskd, kioskctl, board_text, faketime=None, sim=True, extra_env=None):
        self.kioskd = kioskd
        self.kioskctl = kioskctl
        self.dir = tempfile.mkdtemp(prefix="mc-it-")
        self.board = os.path.join(self.dir, "board.conf")
        self.state = os.path.join(self.dir, "state")
        self.sock = os.path.join(self.dir, "kioskd.sock")
        with open(self.board, "w", encoding="utf-8") as f:
            f.write(board_text)
        self.faketime = faketime
        self.sim = sim
        self.extra_env = extra_env or {}
        self.proc = None
        self.log = open(os.path.join(self.dir, "kioskd.log"), "ab")

    def env(self):
        e = dict(os.environ)
        e.update(self.extra_env)
        if self.faketime:
            # libfaketime preloaded into kioskd itself (the faketime wrapper
            # would stand between the test and kioskd's signals).
            libs = faketime_libs()
            if not libs:
                raise RuntimeError("libfaketime is not installed (Debian package faketime)")
            if not os.environ.get("MC_EMULATOR"):
                e["LD_PRELOAD"] = libs[0]
            e["FAKETIME"] = "@" + self.faketime
            e["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
            e["FAKETIME_DONT_RESET"] = "1"
            # ASan wants to be first in the library list; faketime preloads.
            e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
        return e

    def start(self, wait=True):
        cmd = [self.kioskd, "--board", self.board, "--state-dir", self.state, "--socket", self.sock]
        if self.sim:
            cmd.append("--sim")
        emulator = os.environ.get("MC_EMULATOR")
        if emulator and self.faketime:
            # Under qemu-user (the arm64 tree's tests) the preload goes to
            # the emulated kioskd through -E; in the environment it would
            # load into the emulator instead.
            lib = faketime_libs()[0]
            cmd = emulator.split(";") + ["-E", "LD_PRELOAD=" + lib] + cmd
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log, env=self.env())
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=30):
        end = time.monotonic() + timeout * SCALE
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("kioskd exited with %d: %s" % (self.proc.returncode, self.read_log()))
            if os.path.exists(self.sock):
                try:
                    self.request({"cmd": "help"})
                    return
                except OSError:
                    pass
            time.sleep(0.02)
        raise RuntimeError("kioskd did not come up: " + self.read_log())

    def read_log(self):
        self.log.flush()
        with open(os.path.join(self.dir, "kioskd.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if self.proc:
            faketime_shm_remove(self.proc.pid)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20 * SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            faketime_shm_remove(self.proc.pid)
        return self.proc.returncode if self.proc else None

    def close(self):
        self.stop()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30 * SCALE)
        s.connect(self.sock)
        return s

    def request(self, obj, conn=None):
        """Sends one request, returns the final answer (dict)."""
        own = conn is None
        s = conn or self.connect()
        try:
            s.sendall((json.dumps(obj) + "\n").encode())
            return read_answer(s)
        finally:
            if own:
                s.close()

    def ctl(self, *args, check=None):
        """Runs kioskctl; returns (exit code, stdout, stderr)."""
        r = subprocess.run([self.kioskctl, *args], capture_output=True, text=True,
                           env={**self.env(), "MOTCUA_SOCKET": self.sock})
        if check is not None and r.returncode != check:
            raise AssertionError("kioskctl %s: exit %d, out %r err %r" % (args, r.returncode, r.stdout, r.stderr))
        return r.returncode, r.stdout, r.stderr

    def db(self):
        return os.path.join(self.state, "kiosk.db")


def wait_stopped(pid, timeout=10):
    """Returns once every thread of pid is stopped (kill() returns before
    SIGSTOP has taken effect: a request sent at once can still be read).
    Raises RuntimeError when it does not stop in time."""
    end = time.monotonic() + timeout * SCALE
    while time.monotonic() < end:
        states = []
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    states.append(f.read().rsplit(")", 1)[1].split()[0])
            except FileNotFoundError:
                pass
        if states and all(st in "Tt" for st in states):
            return
        time.sleep(0.005)
    raise RuntimeError("process %d did not stop after SIGSTOP" % pid)


def faketime_libs():
    """libfaketime of kioskd's architecture: MC_LIBARCH, the tree's multiarch
    triplet (an arm64 tree's kioskd needs libfaketime:arm64), else this
    Python's own (with libfaketime:arm64 installed too, a glob over every
    architecture could pick the wrong one)."""
    arch = os.environ.get("MC_LIBARCH") or sysconfig.get_config_var("MULTIARCH") or "*"
    return glob.glob("/usr/lib/%s/faketime/libfaketimeMT.so.1" % arch)


def faketime_shm_remove(pid):
    """libfaketime (0.9.10, Debian 12 and 13) makes a shared memory segment
    and a semaphore in /dev/shm for each process it is preloaded into, and
    removes them only when that process exits through exit(): after a
    kill -9 they stay, two files per kioskd, run after run. Removes those
    of pid, a kioskd this test has just reaped."""
    for name in ("faketime_shm_%d" % pid, "sem.faketime_sem_%d" % pid):
        try:
            os.unlink(os.path.join("/dev/shm", name))
        except FileNotFoundError:
            pass


# Bytes read past the answer returned, per socket: two answers can arrive
# in one recv (two requests in one write, a loaded machine), and the second
# belongs to the next read_answer.
_unread = weakref.WeakKeyDictionary()


def read_answer(s):
    buf = _unread.pop(s, b"")
    while True:
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            msg = json.loads(line)
            if not msg.get("more"):
                if buf:
                    _unread[s] = buf
                return msg
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("kioskd closed the connection")
        buf += chunk


BOARD_ALWAYS_OPEN = """
[office]
name = UBND phường Thử nghiệm
hours = mon-sun 00:00-24:00
timezone = Asia/Ho_Chi_Minh
priority = every 2
noshow_window = 10m
double_tap = 1s

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999

[service.land]
name = Đất đai – Xây dựng
numbers = 2001-2999

[service.biz]
name = Đăng ký kinh doanh
prefix = B

[counter.1]
services = civil

[counter.2]
services = civil, land

[counter.3]
services = land, biz
"""


def fail(msg):
    """Ends a test script with FAIL and the reason."""
    print("FAIL:", msg, flush=True)
    raise SystemExit(1)


def check(cond, msg):
    """Prints "ok - msg", or fails with it."""
    if not cond:
        fail(msg)
    print("ok -", msg, flush=True)


def wal_frames(path):
    """The frames of the SQLite WAL file at path that belong to it now, as
    the database size each records (not 0: a commit's last frame). Format:
    sqlite.org/fileformat2.html §4.1: a 32-byte header with the page size
    at 8 and the salts at 16; each frame a 24-byte header (the size at 4,
    the salts at 8), then one page. Frames whose salts differ from the
    header's (left from before a restart) and the zeros kioskd writes ahead
    end the list. Reads the frame headers only."""
    out = []
    with open(path, "rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return out
        psz = int.from_bytes(head[8:12], "big")
        while True:
            f.seek(32 + len(out) * (24 + psz))
            fh = f.read(24)
            if len(fh) < 24 or fh[8:16] != head[16:24]:
                return out
            out.append(int.from_bytes(fh[4:8], "big"))
