#!/usr/bin/python3
"""test-bus-faults.py — the counter bus under faults: one unit dead, one
answering garbage, and 1 % of frames corrupted each way. The healthy units
must keep working, and every press must be applied exactly once, at its
own counter."""
import os

from bushelp import Kiosk, Unitsim, board, check, main, wait_for

PRESSES = 60  # spaced NEXT presses at each healthy unit: about 2000 frames, some 20 corrupted


def called_at(k, counter):
    return sorted(t["label"] for t in k.tickets() if t["counter"] == counter)


def test(tmp):
    link = os.path.join(tmp, "bus")
    sim = Unitsim("1-4", link, baud=115200, extra=["--corrupt", "1"])
    k = None
    try:
        sim.cmd("dead 2 on")
        sim.cmd("garbage 3 on")
        k = Kiosk(tmp, board([(1, "a", 1), (2, "a", 2), (3, "a", 3), (4, "a", 4)],
                             "baud = 115200\ntimeout = 300ms\noffline_poll = 500ms\n", services=("a",)),
                  link)
        wait_for(lambda: k.unit(1)["online"] and k.unit(4)["online"], 10, "healthy units online")
        wait_for(lambda: not k.unit(2)["online"] and not k.unit(3)["online"], 30,
                 "dead and garbage units offline")
        k.press("a", 300)
        # Presses at the dead and the garbage unit must never reach the queue.
        sim.cmd("presses 2 3 next")
        sim.cmd("presses 3 3 next")

        # Spaced presses, alternating: each shows its own new number. Enough
        # of them that at 1 % corruption many frames are hit.
        shown = {1: [], 4: []}
        i = 0
        while i < PRESSES:
            i += 1
            for u in (1, 4):
                old = sim.text(u)
                sim.cmd("%d next" % u)
                d = sim.wait_display(u, lambda d, old=old: d["text"].strip() not in ("", old),
                                     15, "press %d at unit %d shows a new number" % (i, u))
                shown[u].append(d["text"].strip())
        # Bursts: three presses at once at each healthy unit.
        sim.cmd("presses 1 3 next")
        sim.cmd("presses 4 3 next")
        presses = i
        want = presses + 3
        wait_for(lambda: k.unit(1)["presses"] == want and k.unit(4)["presses"] == want, 20,
                 "every press read")
        wait_for(lambda: k.unit(1)["applied"] == want and k.unit(4)["applied"] == want, 20,
                 "every press applied")

        c1, c4 = called_at(k, 1), called_at(k, 4)
        check(len(c1) == want and len(c4) == want,
              "each press called exactly one ticket: %d and %d for %d presses" % (len(c1), len(c4), want))
        check(not set(c1) & set(c4), "no ticket called at both counters")
        check(set(shown[1]) <= set(c1) and set(shown[4]) <= set(c4), "each unit showed its own tickets")
        check(called_at(k, 2) == [] and called_at(k, 3) == [], "nothing applied at dead or garbage units")
        check(len(set(shown[1])) == presses and len(set(shown[4])) == presses, "never the same number twice")
        # The final display matches the queue, despite corrupted writes.
        for u in (1, 4):
            cur = k.counter(u)["current"]
            sim.wait_display(u, lambda d, cur=cur: d["text"].strip() == cur, 10, "unit %d shows %s" % (u, cur))
        b = k.bus()
        u1, u2, u3, u4 = (k.unit(a) for a in (1, 2, 3, 4))
        errors = sum(u["crc_errors"] + u["timeouts"] for u in (u1, u4))
        check(errors > 0, "corrupted frames were seen and counted: %s %s" % (u1, u4))
        check(u1["lost"] == 0 and u4["lost"] == 0, "nothing lost at healthy units")
        check(u2["ok"] == 0 and u2["timeouts"] > 0, "dead unit never answered: %s" % u2)
        check(u3["ok"] == 0 and u3["garbage"] + u3["crc_errors"] + u3["exceptions"] > 0,
              "garbage counted at unit 3: %s" % u3)
        check(b["state"] == "degraded", "bus degraded: %s" % b["text"])
        print("%d presses at each healthy unit" % want)
        print("unit 1:", u1)
        print("unit 3:", u3)
    finally:
        rc = k.stop() if k else 0
        src = sim.stop()
    check(rc == 0, "kioskd stopped cleanly")
    check(src == 0, "unitsim stopped cleanly")


if __name__ == "__main__":
    main(test)
