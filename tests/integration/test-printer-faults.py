#!/usr/bin/python3
"""test-printer-faults.py — kioskd printing to the virtual network printer
(tools/vprinter) through faults: refused, stalled, reset mid-job, paper out
before and during a job, status never answered, paper near end, and a
restart with a ticket stuck in the printer, a printer that resets or
stalls after taking a whole ticket. After each, the kiosk still takes
input and every ticket's final print state is right (DESIGN §2): `failed`
(voided on this screenless kiosk, never called) only when nothing was
sent; a ticket whose bytes reached the printer is `printed` or `in_doubt`
and is called like any other; no ticket is printed twice.

Usage: test-printer-faults.py KIOSKD KIOSKCTL VPRINTER_PY"""

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL, VPRINTER = sys.argv[1:4]
PY = "/usr/bin/python3"
TMP = tempfile.mkdtemp(prefix="mc-printer-faults-")
procs = []


def fail(msg):
    print("FAIL:", msg, flush=True)
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok -", msg, flush=True)


def wait_for(pred, what, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    fail("timed out waiting for " + what)


class VPrinter:
    def __init__(self):
        self.dir = os.path.join(TMP, "vp")
        self.p = subprocess.Popen([PY, VPRINTER, "--out", self.dir], stdout=subprocess.PIPE, text=True)
        procs.append(self.p)
        self.port, self.ctl_port = map(int, self.p.stdout.readline().split())

    def cmd(self, line):
        with socket.create_connection(("127.0.0.1", self.ctl_port)) as s:
            s.sendall((line + "\n").encode())
            ans = s.makefile().readline().strip()
        if not ans.startswith("ok"):
            fail("vprinter said %r to %r" % (ans, line))
        rest = ans[2:].strip()
        return int(rest) if rest else None

    def reset(self):
        for c in ("stall off", "refuse off", "state ready"):
            self.cmd(c)

    def tickets(self):
        """Decoded tickets (their .json), in order."""
        out = []
        for n in range(1, self.cmd("count") + 1):
            with open(os.path.join(self.dir, "ticket-%04d.json" % n)) as f:
                out.append(json.load(f))
        return out

    def complete(self):
        return [t for t in self.tickets() if not t["aborted"]]


class Kiosk:
    def __init__(self, board, state):
        self.sock = os.path.join(TMP, "k.sock")
        self.board, self.state = board, state
        self.start()

    def start(self):
        self.log = open(os.path.join(TMP, "kioskd.log"), "a")
        self.p = subprocess.Popen([KIOSKD, "--board", self.board, "--state-dir", self.state,
                                   "--socket", self.sock], stdout=self.log, stderr=self.log)
        procs.append(self.p)
        wait_for(lambda: os.path.exists(self.sock) and self.try_status(), "kioskd socket")

    def try_status(self):
        try:
            return self.req({"cmd": "status"})
        except OSError:
            return None

    def req(self, obj, timeout=30):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(self.sock)
            s.sendall((json.dumps(obj) + "\n").encode())
            return json.loads(s.makefile().readline())

    def press(self, service="civil"):
        return self.req({"cmd": "press", "service": service, "source": "test-%f" % time.monotonic()})

    def ticket(self, label):
        for t in self.req({"cmd": "tickets"})["tickets"]:
            if t["label"] == label:
                return t
        fail("no ticket " + label)

    def print_state(self, label):
        return self.ticket(label)["print"]

    def printer(self):
        return self.req({"cmd": "status"})["printer"]

    def ctl(self, *args):
        env = dict(os.environ, MOTCUA_SOCKET=self.sock)
        return subprocess.run([KIOSKCTL] + list(args), env=env, capture_output=True, text=True, timeout=30)

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        rc = self.p.wait(timeout=10)
        check(rc == 0, "kioskd stopped cleanly (exit %d)" % rc)


BOARD = """
[office]
clock = trust
name = UBND phường Bách Khoa
timezone = Asia/Ho_Chi_Minh
hours = mon-sun 00:00-24:00
double_tap = 0

[service.civil]
name = Tư pháp – Hộ tịch
name.en = Justice – Civil status
numbers = 1001-1999

[counter.1]
services = civil

[printer]
device = tcp:127.0.0.1:%d
width = 384
on_failure = refuse
timeout = 400ms
status_interval = %s
footer = Xin cảm ơn quý công dân!
"""


def burst(k, n, source):
    """Sends n presses from n clients while kioskd is stopped, so they are
    read in one loop turn and share one group commit; returns the answers."""
    k.p.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: open("/proc/%d/stat" % k.p.pid).read().rsplit(")", 1)[1].split()[0] == "T",
                 "kioskd stopped")
        conns = []
        for i in range(n):
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(30)
            s.connect(k.sock)
            s.sendall(b'{"cmd":"press","service":"civil","source":"%s%d"}\n' % (source.encode(), i))
            conns.append(s)
    finally:
        k.p.send_signal(signal.SIGCONT)
    answers = []
    for s in conns:
        answers.append(json.loads(s.makefile().readline()))
        s.close()
    return answers


def settle(k):
    """Waits until the printer worker is idle."""
    wait_for(lambda: k.printer().get("queued") == 0, "an idle printer worker")


def recover(k, vp):
    vp.reset()
    r = k.ctl("printer", "status")
    check(r.returncode == 0 and "ready" in r.stdout, "kioskctl printer status brings the printer back: "
          + r.stdout.splitlines()[1].strip() if r.stdout else r.stderr)
    check(k.printer()["state"] == "ready", "printer ready again")


def next_answer(k):
    """A clerk's NEXT at counter 1: calls a ticket, or says nobody callable
    waits — the two answers a working kiosk can give, nothing else."""
    a = k.req({"cmd": "counter", "counter": 1, "action": "next"})
    ok = (a.get("ok") and a.get("ticket", {}).get("status") == "called") or \
        (not a.get("ok") and a.get("error") == "empty")
    return ok, a


def takes_input(k):
    ok, a = next_answer(k)
    check(ok, "the kiosk still takes keypad input: %s" % a)


def main():
    vp = VPrinter()
    board = os.path.join(TMP, "board.conf")
    with open(board, "w") as f:
        f.write(BOARD % (vp.port, "1h"))  # no idle polling: each fault meets a job
    k = Kiosk(board, os.path.join(TMP, "state"))
    settle(k)

    # 1. Normal.
    a = k.press()
    check(a["ok"], "press gives a ticket")
    wait_for(lambda: k.print_state(a["label"]) == "printed", "ticket printed")
    check(len(vp.complete()) == 1 and vp.complete()[0]["width"] == 384, "the printer got one 384-dot ticket")

    # 2. Connection refused.
    vp.cmd("refuse on")
    b = k.press()
    check(b["ok"], "press accepted while the kiosk still believes the printer is fine")
    wait_for(lambda: k.print_state(b["label"]) == "failed", "refused ticket failed")
    p = k.printer()
    check(p["state"] == "down" and "kết nối" in p["text"], "status says it cannot connect: " + p["text"])
    c = k.press()
    check(not c["ok"] and c["error"] == "printer", "new tickets refused while down: " + c.get("message", ""))
    takes_input(k)
    recover(k, vp)

    # 3. Stalled: the kiosk answers keys while the job hangs.
    vp.cmd("stall on")
    d = k.press()
    check(d["ok"], "press during a stall")
    ok, ans = next_answer(k)
    check(ok, "counter next answers while the printer stalls: %s" % ans)
    # The answer came while the job still hangs: the ticket is pending yet.
    check(k.print_state(d["label"]) == "pending", "... and the ticket is still pending then")
    wait_for(lambda: k.print_state(d["label"]) == "in_doubt", "stalled ticket (bytes sent) in doubt")
    check(k.printer()["state"] == "down", "stalled printer reported down")
    vp.cmd("stall off")
    takes_input(k)
    recover(k, vp)

    # 4. Reset mid-job.
    vp.cmd("reset_after 3000")
    e = k.press()
    wait_for(lambda: k.print_state(e["label"]) == "in_doubt", "ticket cut off by a reset in doubt")
    check("kết nối" in k.printer()["text"] or "đóng" in k.printer()["text"],
          "status says the connection broke: " + k.printer()["text"])
    takes_input(k)
    recover(k, vp)

    # 5. Paper out before the job (the kiosk has not noticed yet).
    n_before = len(vp.tickets())
    vp.cmd("state out")
    f_ = k.press()
    wait_for(lambda: k.print_state(f_["label"]) == "failed", "paper-out ticket failed")
    check(len(vp.tickets()) == n_before, "nothing was sent to a printer without paper")
    check("hết giấy" in k.printer()["text"], "status says out of paper: " + k.printer()["text"])
    g = k.press()
    check(not g["ok"] and g["error"] == "printer", "tickets refused while out of paper")
    takes_input(k)
    recover(k, vp)

    # 6. Paper runs out during the job.
    n_before = len(vp.complete())
    vp.cmd("out_after 5000")
    h = k.press()
    wait_for(lambda: k.print_state(h["label"]) == "in_doubt", "ticket cut short by paper out in doubt")
    check(len(vp.complete()) == n_before, "no complete ticket came out")
    check("hết giấy" in k.printer()["text"], "status says out of paper after the job")
    takes_input(k)
    recover(k, vp)

    # 6b. The printer resets, or stalls, right after taking a whole ticket:
    # it is on paper, so it stays callable.
    after = []
    for mode in ("reset", "stall"):
        n_before = len(vp.complete())
        vp.cmd("after_job " + mode)
        x = k.press()
        wait_for(lambda: k.print_state(x["label"]) != "pending", "outcome after a %s after the job" % mode)
        check(len(vp.complete()) == n_before + 1, "the printer got the whole ticket before the " + mode)
        t = k.ticket(x["label"])
        check(t["print"] in ("printed", "in_doubt") and t["status"] == "waiting",
              "%s after the job: ticket %s %s, still waiting" % (mode, t["print"], x["label"]))
        after.append(x)
        vp.cmd("stall off")
        recover(k, vp)

    # 7. Status never answered: prints, state unknown but usable.
    vp.cmd("state silent")
    i = k.press()
    wait_for(lambda: k.print_state(i["label"]) == "printed", "ticket printed without status answers")
    p = k.printer()
    check(p["state"] == "ready" and p["detail"] == "unknown", "state unknown, still issuing: " + p["text"])
    takes_input(k)
    vp.reset()

    # 8. Failed tickets are never called: call everything that waits.
    called = []
    while True:
        r = k.req({"cmd": "counter", "counter": 1, "action": "next"})
        if not r["ok"]:
            break
        called.append(r["ticket"]["label"])
    for x in (b, f_):
        t = k.ticket(x["label"])
        check(t["print"] == "failed" and t["status"] == "voided" and t["called_at"] == 0,
              "ticket %s refused before any byte is voided and was never called" % x["label"])
    for x in [a, d, e, h, i] + after:
        check(k.ticket(x["label"])["called_at"] > 0, "ticket %s (%s) was called" % (x["label"], k.ticket(x["label"])["print"]))

    # 9. Reprint and test page are marked, and do not touch the queue.
    r = k.ctl("printer", "reprint-last")
    check(r.returncode == 0, "kioskctl printer reprint-last")
    r = k.ctl("printer", "test")
    check(r.returncode == 0, "kioskctl printer test")

    # 10. Restart with a ticket stuck in a stalled printer: in doubt, callable, never printed twice.
    vp.cmd("stall on")
    j = k.press()
    time.sleep(0.1)
    k.kill9()
    vp.cmd("stall off")
    k.start()
    settle(k)
    check(k.print_state(j["label"]) == "in_doubt" and k.ticket(j["label"])["status"] == "waiting",
          "the stuck ticket is in doubt at restart, still waiting, not reprinted")
    st = k.req({"cmd": "status"})
    check(st["print"]["in_doubt"] >= 1, "status counts tickets in doubt: %s" % st["print"])
    labels_printed = [t["label"] for t in k.req({"cmd": "tickets"})["tickets"] if t["print"] == "printed"]
    complete_before = len(vp.complete())
    time.sleep(0.5)
    check(len(vp.complete()) == complete_before, "nothing was printed again after the restart")
    check(len(labels_printed) == len(set(labels_printed)), "no label printed twice")
    k.stop()

    # 11. Idle polling: pulling the paper shows within a few seconds, near end early.
    with open(board, "w") as f:
        f.write(BOARD % (vp.port, "1s"))
    k = Kiosk(board, os.path.join(TMP, "state"))
    vp.cmd("state near_end")
    wait_for(lambda: "sắp hết giấy" in k.printer()["text"], "near end reported")
    check(k.printer()["state"] == "ready", "near end still issues tickets")
    m = k.press()
    wait_for(lambda: k.print_state(m["label"]) == "printed", "ticket printed on a nearly empty roll")
    vp.cmd("state out")
    wait_for(lambda: k.printer()["state"] == "down", "paper out noticed while idle")
    r = k.ctl("status")
    check("hết giấy" in r.stdout, "kioskctl status says out of paper")
    vp.cmd("state cover_open")
    wait_for(lambda: "Nắp" in k.printer()["text"], "cover open noticed")
    vp.cmd("state ready")
    wait_for(lambda: k.printer()["state"] == "ready", "paper back: ready again")
    k.stop()

    # 12. on_failure = screen needs a screen.
    with open(board, "w") as f:
        f.write((BOARD % (vp.port, "1s")).replace("on_failure = refuse", "on_failure = screen"))
    r = subprocess.run([KIOSKD, "--board", board, "--state-dir", os.path.join(TMP, "state"),
                        "--socket", os.path.join(TMP, "x.sock")], capture_output=True, text=True, timeout=30)
    check(r.returncode == 78 and "screen" in r.stderr, "on_failure = screen without a [screen] exits 78")

    # 13. The print queue is bounded: a stalled printer piles up nothing.
    # Under refuse, presses past the bound are refused at once, before a
    # number is given.
    with open(board, "w") as f:
        f.write((BOARD % (vp.port, "1h")).replace("timeout = 400ms", "timeout = 3s\nqueue = 2"))
    k = Kiosk(board, os.path.join(TMP, "state13"))
    settle(k)
    vp.reset()
    n_before = vp.cmd("count")
    vp.cmd("stall on")
    answers = [k.press() for _ in range(6)]
    okays = [a for a in answers if a["ok"]]
    check(len(okays) == 2 and all(a["error"] == "printer_busy" for a in answers if not a["ok"]),
          "refuse: 2 tickets queued (the bound), 4 refused with `printer_busy` %s"
          % [a.get("label", a.get("error")) for a in answers])
    check(k.printer()["state"] == "full", "status says the print queue is full")
    labels = [t["label"] for t in k.req({"cmd": "tickets"})["tickets"]]
    check(sorted(labels) == sorted(a["label"] for a in okays), "no number was used by a refused press")
    vp.cmd("stall off")
    settle(k)
    check(vp.cmd("count") - n_before <= 2, "the printer got no more than the queued tickets")
    check(k.printer()["state"] != "full", "the queue drained")

    # A burst: 6 presses read in the same loop turn (kioskd stopped while
    # they connect) are one group commit, whose jobs are handed over after
    # it: still only the bound's 2 are queued (before: all 6).
    settle(k)
    vp.cmd("stall on")
    answers = burst(k, 6, "burst")
    okays = [a for a in answers if a["ok"]]
    check(len(okays) == 2 and all(a["error"] == "printer_busy" for a in answers if not a["ok"]),
          "a burst in one group: 2 queued (the bound), the rest refused with `printer_busy` %s"
          % [a.get("label", a.get("error")) for a in answers])
    pst = k.req({"cmd": "status"})["printer"]
    check(pst["tickets_queued"] == 2 and pst["queued"] >= 2 and pst["queue_bound"] == 2,
          "status: the bound's 2 tickets queued, as many worker jobs or more: %r" % pst)
    vp.cmd("stall off")
    settle(k)
    check(k.printer()["state"] != "full", "the queue drained after the burst")
    check(k.req({"cmd": "status"})["printer"]["tickets_queued"] == 0, "status: no ticket queued once drained")

    # The same burst, whose commit fails (a trigger added from outside
    # refuses its first ticket): no press gets a number, and the queue's
    # room goes back with the rest of the group (the state
    # the group reached, full, is not left behind): the next press is
    # queued and printed.
    db = sqlite3.connect(os.path.join(TMP, "state13", "kiosk.db"), timeout=10)
    top = db.execute("SELECT max(number) FROM tickets").fetchone()[0]
    db.execute("CREATE TRIGGER refuse_one BEFORE INSERT ON tickets WHEN NEW.number = %d "
               "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END" % (top + 1))
    db.commit()
    answers = burst(k, 6, "failed")
    errs = [a.get("error") for a in answers]
    check(sorted(errs) == ["printer_busy"] * 4 + ["store"] * 2,
          "a burst whose commit fails: no number given; the two in the room refused with `store`, "
          "the rest with `printer_busy` (their own refusal) %s" % errs)
    db.execute("DROP TRIGGER refuse_one")
    db.commit()
    db.close()
    n_before = vp.cmd("count")
    after = k.press()
    check(after["ok"] and after["ticket"]["number"] == top + 1,
          "after it, a press is queued with the number the group would have had: %r" % after)
    settle(k)
    check(vp.cmd("count") - n_before == 1, "and printed")
    k.stop()

    # Under screen (with a screen), presses past the bound get their number
    # shown, print `failed` at once, never printed later, and callable.
    with open(board, "w") as f:
        f.write((BOARD % (vp.port, "1h")).replace("on_failure = refuse", "on_failure = screen")
                .replace("timeout = 400ms", "timeout = 3s\nqueue = 2")
                + "\n[screen]\ndriver = offscreen\nwidth = 480\nheight = 800\n")
    k = Kiosk(board, os.path.join(TMP, "state13s"))
    settle(k)
    vp.reset()
    n_before = vp.cmd("count")
    vp.cmd("stall on")
    answers = [k.press() for _ in range(5)]
    check(all(a["ok"] for a in answers), "screen: every press gives a number")
    late = answers[2:]
    check(all(a["ticket"]["print"] == "failed" and a["ticket"]["status"] == "waiting" for a in late),
          "past the bound: print failed at once, still waiting")
    vp.cmd("stall off")
    settle(k)
    time.sleep(0.5)
    check(vp.cmd("count") - n_before <= 2, "tickets past the bound were never printed later")
    called = set()
    while True:
        r = k.req({"cmd": "counter", "counter": 1, "action": "next"})
        if not r["ok"]:
            break
        called.add(r["ticket"]["label"])
    check(all(a["label"] in called for a in late), "the numbers shown past the bound were called")
    k.stop()

    # Under screen, while out of paper the number is shown only.
    with open(board, "w") as f:
        f.write((BOARD % (vp.port, "1s")).replace("on_failure = refuse", "on_failure = screen")
                + "\n[screen]\ndriver = offscreen\nwidth = 480\nheight = 800\n")
    k = Kiosk(board, os.path.join(TMP, "state"))
    vp.cmd("state out")
    wait_for(lambda: k.printer()["state"] == "down", "paper out noticed")
    n_before = len(vp.tickets())
    s_ = k.press()
    check(s_["ok"] and s_["ticket"]["print"] == "none", "screen-only ticket issued while out of paper")
    time.sleep(0.3)
    check(len(vp.tickets()) == n_before, "nothing sent for a screen-only ticket")
    k.stop()


try:
    main()
    print("PASS")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if os.environ.get("KEEP_TMP"):
        print("kept", TMP)
    else:
        shutil.rmtree(TMP, ignore_errors=True)
