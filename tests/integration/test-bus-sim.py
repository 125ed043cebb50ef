#!/usr/bin/python3
"""test-bus-sim.py — the counter bus end to end against the project's unit
simulator over a pty pair: every key code of protocol v1, the display
registers (text, waiting, blink, paused, brightness), more than 8 presses
between two polls, an unknown code, a unit going offline and coming back."""
import os

from bushelp import Kiosk, Unitsim, board, check, main, wait_for


def ticket(k, label):
    for t in k.tickets():
        if t["label"] == label:
            return t
    raise AssertionError("no ticket " + label)


def test(tmp):
    link = os.path.join(tmp, "bus")
    # The answer timeout is generous: the simulator is another process, and
    # on a loaded machine it may be scheduled late. With a tight timeout its
    # late answers are read as garbage and units drop offline spuriously,
    # which made "clean line" and "one offline spell" fail under load.
    sim = Unitsim("1-3", link, baud=19200)
    k = None
    try:
        k = Kiosk(tmp, board([(1, "a, b", 1), (2, "a", 2), (3, "c", 3)],
                             "brightness = 9\nblink = 1s\noffline_poll = 300ms\ntimeout = 1000ms\n"), link)
        # Every unit gets its display at once: blank, nothing waiting, brightness 9.
        for u in (1, 2, 3):
            sim.wait_display(u, lambda d: d["brightness"] == 9 and d["waiting"] == 0
                             and not d["blink"] and not d["paused"], what="first display of %d" % u)
        k.press("a", 3)
        k.press("b", 1)
        sim.wait_display(1, lambda d: d["waiting"] == 4, what="waiting 4 at unit 1")
        sim.wait_display(2, lambda d: d["waiting"] == 3, what="waiting 3 at unit 2")
        check(sim.display(3)["waiting"] == 0, "unit 3 serves c only")

        # NEXT (1): 1001 called at counter 1, blinking; counts follow.
        sim.cmd("1 next")
        sim.wait_display(1, lambda d: d["text"].strip() == "1001" and d["blink"] and d["waiting"] == 3,
                         what="1001 blinking at unit 1")
        sim.wait_display(2, lambda d: d["waiting"] == 2)
        t = ticket(k, "1001")
        check(t["status"] == "called" and t["counter"] == 1, "1001 called at counter 1: %s" % t)
        # The blink ends after [bus] blink = 1s.
        sim.wait_display(1, lambda d: d["text"].strip() == "1001" and not d["blink"], what="blink off")

        # RECALL (2): blinks again, same number.
        sim.cmd("1 recall")
        sim.wait_display(1, lambda d: d["text"].strip() == "1001" and d["blink"], what="recall blink")

        # PRIORITY NEXT (6) at unit 2 takes the priority ticket first.
        prio = k.press("a", 1, priority=True)[0]
        sim.cmd("2 priority")
        sim.wait_display(2, lambda d: d["text"].strip() == prio, what="priority %s at unit 2" % prio)

        # NO-SHOW (3): the ticket is marked and the display cleared.
        sim.cmd("2 noshow")
        sim.wait_display(2, lambda d: d["text"].strip() == "", what="blank after no-show")
        check(ticket(k, prio)["status"] == "noshow", "no-show recorded")

        # FINISH (4), then RATING 3 (0x0203) for the ticket served last.
        sim.cmd("1 finish")
        sim.wait_display(1, lambda d: d["text"].strip() == "", what="blank after finish")
        check(ticket(k, "1001")["status"] == "finished", "1001 finished")
        sim.cmd("1 rate 3")
        wait_for(lambda: ticket(k, "1001")["rating"] == 3, what="rating 3 of 1001")

        # LOGIN 7 (0x0307) and LOGOUT (0x0300).
        sim.cmd("1 login 7")
        wait_for(lambda: k.counter(1)["clerk"] == 7, what="clerk 7 at counter 1")
        sim.cmd("1 logout")
        wait_for(lambda: k.counter(1)["clerk"] == 0, what="logout at counter 1")

        # PAUSE/RESUME (5) toggles the paused flag on the display.
        sim.cmd("3 pause")
        sim.wait_display(3, lambda d: d["paused"], what="paused flag")
        check(k.counter(3)["paused"], "counter 3 paused")
        sim.cmd("3 pause")
        sim.wait_display(3, lambda d: not d["paused"], what="resumed")

        # TRANSFER n (0x0100+n): to service 3 (c), whose counter's waiting count grows.
        sim.cmd("1 next")
        sim.wait_display(1, lambda d: d["text"].strip() == "1002")
        sim.cmd("1 transfer 3")
        sim.wait_display(3, lambda d: d["waiting"] == 1, what="transferred ticket waits at unit 3")
        t = ticket(k, "1002")
        check(t["cur_service"] == "c" and t["status"] == "waiting", "1002 moved to c: %s" % t)
        sim.cmd("3 next")
        sim.wait_display(3, lambda d: d["text"].strip() == "1002", what="unit 3 calls 1002")

        # TRANSFER to a service board.conf lacks, and an unknown code: ignored and counted.
        before = [(t["label"], t["status"], t["cur_service"]) for t in k.tickets()]
        sim.cmd("3 transfer 9")
        sim.cmd("1 code 0x0777")
        wait_for(lambda: k.unit(1)["unknown"] == 1, what="unknown code counted at unit 1")
        wait_for(lambda: k.unit(3)["ignored"] == 1, what="bad transfer ignored at unit 3")
        check(k.unit(1)["ignored"] == 1, "unknown code ignored at unit 1")
        after = [(t["label"], t["status"], t["cur_service"]) for t in k.tickets()]
        check(before == after, "ignored presses changed nothing")
        check("unknown key code 0x0777" in k.logtext(), "unknown code logged")

        # More than 8 presses between two polls: the 8 newest apply, 3 are lost.
        k.press("a", 12)
        called_before = {t["label"] for t in k.tickets() if t["counter"] == 2}
        sim.cmd("presses 2 11 next")
        wait_for(lambda: k.unit(2)["lost"] == 3, what="3 lost presses at unit 2")
        wait_for(lambda: k.unit(2)["applied"] >= 2 + 8, what="8 presses applied")
        called = {t["label"] for t in k.tickets() if t["counter"] == 2} - called_before
        check(len(called) == 8, "exactly 8 tickets called for 8 presses, got %s" % sorted(called))
        check("3 presses lost" in k.logtext(), "lost presses logged")

        # Offline and recovery: unit 3 dies; the others keep working; when it
        # answers again it shows the state it missed at once.
        # Spells are counted from here: on a loaded machine a slow
        # simulator may already have missed its deadlines earlier.
        u3 = k.unit(3)
        c0 = u3["offline_count"]
        sim.cmd("dead 3 on")
        wait_for(lambda: not k.unit(3)["online"], 30, "unit 3 offline")
        c1 = k.unit(3)["offline_count"]
        check(c1 >= 1 and c0 <= c1 <= c0 + 1, "the dead unit is one offline spell: %d then %d" % (c0, c1))
        check(k.bus()["state"] == "degraded", "bus degraded with one unit offline")
        text1 = sim.text(1)
        sim.cmd("1 next")
        sim.wait_display(1, lambda d: d["text"].strip() != text1, what="unit 1 works while 3 is dead")
        k.press("c", 2)
        # The driver has retried the dead unit since (each retry times out):
        # nothing was written to it, and retries are not new spells.
        t0 = k.unit(3)["timeouts"]
        wait_for(lambda: k.unit(3)["timeouts"] >= t0 + 3, 60, "three more retries of dead unit 3")
        check(sim.display(3)["waiting"] == 0, "a dead unit's display does not change")
        check(k.unit(3)["offline_count"] == c1, "one offline spell however many retries")
        sim.cmd("dead 3 off")
        sim.wait_display(3, lambda d: d["waiting"] == 2 and d["text"].strip() == "1002",
                         what="unit 3 rewritten on return")
        wait_for(lambda: k.unit(3)["online"], what="unit 3 online again")
        check("unit 3 (counter 3) is offline" in k.logtext(), "offline logged")
        for a in (1, 2, 3):
            u = k.unit(a)
            check(u["crc_errors"] == 0 and u["garbage"] == 0, "clean line: %s" % u)
    finally:
        rc = k.stop() if k else 0
        src = sim.stop()
    check(rc == 0, "kioskd stopped cleanly")
    check(src == 0, "unitsim stopped cleanly")


def test_next_hold(tmp):
    """A clerk's NEXT key pressed twice (or the priority key after it)
    before the citizen could come: one call, and the citizen called is not
    sent away as served. next_hold 60 s: however late the simulator is
    scheduled, the repeats fall inside it."""
    tmp = os.path.join(tmp, "hold")  # a kiosk of its own
    os.makedirs(tmp)
    link = os.path.join(tmp, "bus")
    sim = Unitsim("1", link, baud=19200)
    k = None
    try:
        k = Kiosk(tmp, board([(1, "a", 1)], "timeout = 1000ms\n", services=("a",), office_extra="next_hold = 60s\n"), link)
        k.press("a", 3)
        sim.wait_display(1, lambda d: d["waiting"] == 3, what="waiting 3 at unit 1")
        sim.cmd("1 next")
        sim.wait_display(1, lambda d: d["text"].strip() == "1001", what="1001 called")
        applied = k.unit(1)["applied"]
        sim.cmd("presses 1 3 next")
        sim.cmd("1 priority")
        wait_for(lambda: k.unit(1)["applied"] >= applied + 4, what="the four repeats applied")
        got = {t["label"]: t["status"] for t in k.tickets()}
        check(got == {"1001": "called", "1002": "waiting", "1003": "waiting"},
              "the repeats changed nothing: %s" % got)
        check(sim.display(1)["text"].strip() == "1001", "unit 1 still shows 1001")
        # RECALL and FINISH are never held.
        sim.cmd("1 finish")
        wait_for(lambda: {t["label"]: t["status"] for t in k.tickets()}["1001"] == "finished", what="finish")
        sim.cmd("1 next")
        sim.wait_display(1, lambda d: d["text"].strip() == "1002", what="after FINISH, NEXT calls 1002")
    finally:
        rc = k.stop() if k else 0
        src = sim.stop()
    check(rc == 0 and src == 0, "kioskd and unitsim stopped cleanly")


def tests(tmp):
    test(tmp)
    test_next_hold(tmp)


if __name__ == "__main__":
    main(tests)
