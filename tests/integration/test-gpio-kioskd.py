#!/usr/bin/python3
"""test-gpio-kioskd.py — kioskd with GPIO boards, end to end.

1. A board.conf naming a GPIO chip that does not exist: kioskd exits 78 with
   a message naming the chip and the board.conf line, before it creates the
   state directory, the database or the control socket.
2. Simulator mode (fake GPIO backend): `kioskctl gpio press` with contact
   bounce gives exactly one ticket; `kioskctl gpio watch` streams the presses;
   a counter key calls it at the right counter; `kioskctl gpio status` shows
   the lines and the board's text.

Usage: test-gpio-kioskd.py KIOSKD KIOSKCTL
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL = sys.argv[1], sys.argv[2]

BOARD = """[office]
name = UBND phường thử
hours = mon-sun 00:00-24:00
double_tap = 0ms

[service.civil]
name = Tư pháp – Hộ tịch
button = {chip}:17 active-low pull-up

[service.land]
name = Đất đai
button = gpiochip0:27 active-low

[counter.1]
services = civil
keys = next,finish = gpiochip0:5,6 active-low
display = tm1637 gpiochip0:23,24

[counter.2]
services = land
keys = next = gpiochip0:7 active-low

[gpio]
debounce = 15ms

[office]
clock = trust
"""

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def missing_chip(tmp):
    board = os.path.join(tmp, "board-missing.conf")
    with open(board, "w") as f:
        f.write(BOARD.format(chip="gpiochip47"))
    state = os.path.join(tmp, "state-missing")
    sock = os.path.join(tmp, "missing.sock")
    p = subprocess.run([KIOSKD, "--board", board, "--state-dir", state, "--socket", sock],
                       capture_output=True, text=True, timeout=30 * SCALE)
    check(p.returncode == 78, "missing chip: exit status 78 (got %d)" % p.returncode)
    check("gpiochip47" in p.stderr and "does not exist" in p.stderr,
          "missing chip: message names the chip: " + p.stderr.strip())
    check("board-missing.conf:8:" in p.stderr, "missing chip: message names board.conf line 8")
    check(not os.path.exists(state), "missing chip: state directory never created")
    check(not os.path.exists(sock), "missing chip: no control socket")


def ctl(sock, *args, check_rc=True):
    p = subprocess.run([KIOSKCTL, *args, "--socket", sock],
                       capture_output=True, text=True, timeout=30 * SCALE)
    if check_rc and p.returncode != 0:
        print(p.stdout, p.stderr)
    return p


# Hang guards (never timing checks) grow with MC_TEST_TIMEOUT_SCALE, which
# ctest sets with each test's TIMEOUT (20 under qemu-user).
SCALE = max(1, int(os.environ.get("MC_TEST_TIMEOUT_SCALE", "1")))


def wait_for(pred, timeout=10.0):
    end = time.monotonic() + timeout * SCALE
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    return None


def sim(tmp):
    board = os.path.join(tmp, "board.conf")
    with open(board, "w") as f:
        f.write(BOARD.format(chip="gpiochip0"))
    state = os.path.join(tmp, "state")
    sock = os.path.join(tmp, "k.sock")
    log = open(os.path.join(tmp, "kioskd.log"), "w")
    kd = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", state, "--socket", sock, "--sim"],
                          stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        check(wait_for(lambda: os.path.exists(sock)) is not None, "sim: kioskd is up")
        # MOTCUA_TIMEOUT=1 and a quiet spell longer than that: a watch
        # waits for presses however long none comes.
        watch = subprocess.Popen([KIOSKCTL, "gpio", "watch", "--count", "2", "--json", "--socket", sock],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, "MOTCUA_TIMEOUT": "1"})
        # Its first line says the watch is on (a press before it would be
        # missed: under qemu-user kioskctl takes longer than any fixed wait).
        first = json.loads(watch.stdout.readline() or "{}")
        check(first.get("watching") is True, "sim: gpio watch says it is watching: %r" % first)
        time.sleep(2)
        check(watch.poll() is None, "sim: gpio watch still waits after 2 quiet seconds: %s" % watch.poll())
        p = ctl(sock, "gpio", "press", "gpiochip0:17", "--bounce")
        check(p.returncode == 0 and "service civil" in p.stdout, "sim: gpio press accepted: " + p.stdout.strip())
        out, err = watch.communicate(timeout=20 * SCALE)
        events = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
        check(watch.returncode == 0, "sim: gpio watch --count 2 ends by itself")
        check([e.get("press") for e in events] == ["down", "up"],
              "sim: watch streamed exactly one down and one up: %s" % [e.get("press") for e in events])
        check(bool(events) and events[0].get("result", "").startswith("ticket "),
              "sim: the press issued a ticket: %s" % (events[0].get("result") if events else None))

        st = json.loads(ctl(sock, "status", "--json").stdout)
        civil = [s for s in st["services"] if s["key"] == "civil"][0]
        check(civil["waiting"] == 1, "sim: exactly one civil ticket waits (got %d)" % civil["waiting"])

        p = ctl(sock, "gpio", "press", "counter 1 next")
        check(p.returncode == 0, "sim: counter 1 next key pressed")

        def called():
            s = json.loads(ctl(sock, "status", "--json").stdout)
            c1 = [c for c in s["counters"] if c["number"] == 1][0]
            return c1["current"] or None
        label = wait_for(called)
        check(label is not None, "sim: counter 1 called %s" % label)
        s = json.loads(ctl(sock, "status", "--json").stdout)
        c2 = [c for c in s["counters"] if c["number"] == 2][0]
        check(c2["current"] == "", "sim: counter 2 untouched")

        def board_shows():
            g = json.loads(ctl(sock, "gpio", "status", "--json").stdout)
            d = g["displays"][0]
            return g if d["text"] == label and d["frames"] >= 1 else None
        g = wait_for(board_shows)
        check(g is not None, "sim: counter 1's TM1637 board shows %s" % label)
        if g:
            lines = {l["line"]: l for l in g["lines"]}
            check(lines["gpiochip0:17"]["presses"] == 1, "sim: gpio status counts one press on gpiochip0:17")
            check(lines["gpiochip0:5"]["what"] == "counter 1 next", "sim: gpio status names the key")
        p = ctl(sock, "gpio", "status")
        check(p.returncode == 0 and "counter 1 next" in p.stdout and "tm1637 gpiochip0:23,24" in p.stdout,
              "sim: kioskctl gpio status prints the board")
        p = ctl(sock, "gpio", "press", "gpiochip0:99", check_rc=False)
        check(p.returncode == 1 and "gpiochip0:99" in p.stderr, "sim: pressing an unwired line is refused")
    finally:
        kd.terminate()
        try:
            rc = kd.wait(timeout=20 * SCALE)
        except subprocess.TimeoutExpired:
            kd.kill()
            rc = kd.wait()
        log.close()
        check(rc == 0, "sim: kioskd stopped cleanly (rc %d)" % rc)
        if failures:
            print(open(os.path.join(tmp, "kioskd.log")).read())


def keyboard(tmp):
    """Simulator keys on kioskd's terminal press the same GPIO inputs."""
    import pty
    board = os.path.join(tmp, "board-kbd.conf")
    with open(board, "w") as f:
        f.write(BOARD.format(chip="gpiochip0"))
    state = os.path.join(tmp, "state-kbd")
    sock = os.path.join(tmp, "kbd.sock")
    master, slave = pty.openpty()
    kd = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", state, "--socket", sock, "--sim"],
                          stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = b""
    try:
        def read_until(token, timeout=10.0):
            nonlocal out
            import select
            end = time.monotonic() + timeout * SCALE
            while token not in out and time.monotonic() < end:
                r, _, _ = select.select([master], [], [], 0.1)
                if r:
                    try:
                        out += os.read(master, 4096)
                    except OSError:
                        break
            return token in out
        check(read_until(b"ready:"), "keyboard: kioskd printed its key map and is ready")
        check(b"1  service civil" in out and b"3  counter 1 next" in out,
              "keyboard: the map names key 1 = service civil, key 3 = counter 1 next")
        os.write(master, b"1")
        check(read_until(b"down: ticket"), "keyboard: key 1 issued a ticket")
        os.write(master, b"3")
        check(read_until(b"(counter 1 next) down: next"), "keyboard: key 3 called at counter 1")
        st = json.loads(ctl(sock, "status", "--json").stdout)
        c1 = [c for c in st["counters"] if c["number"] == 1][0]
        check(c1["current"] != "", "keyboard: counter 1 serves %s" % c1["current"])
    finally:
        kd.terminate()
        try:
            rc = kd.wait(timeout=20 * SCALE)
        except subprocess.TimeoutExpired:
            kd.kill()
            rc = kd.wait()
        os.close(master)
        check(rc == 0, "keyboard: kioskd stopped cleanly (rc %d)" % rc)
        if failures:
            print(out.decode(errors="replace"))


def main():
    tmp = tempfile.mkdtemp(prefix="mc-gpio-kioskd-")
    try:
        missing_chip(tmp)
        sim(tmp)
        keyboard(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
