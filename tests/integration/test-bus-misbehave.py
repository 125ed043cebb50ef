#!/usr/bin/python3
"""test-bus-misbehave.py — counter units that behave the way real ones do
when something is wrong, played by Debian's python3-pymodbus on the far end
of a socat pty pair (independent of kioskd's code):

1. Unit 1 answers every poll but refuses every display write with
   exception 02 (illegal data address). That is an answer: the unit stays
   online (never counted offline), keeps being polled at the same pace as
   the healthy unit 2 (compared by poll counts, not time), its exceptions
   and refused writes are counted, the fault is shown in `bus status`, the
   rewrite backs off (far fewer write attempts than polls), and a NEXT
   pressed on it is applied.
2. Unit 2 restarts: its key sequence steps back from 201 to 2, with the two
   presses made since the restart (FINISH then NEXT) in its registers. The
   restart is counted, nothing is counted lost or unknown, both presses are
   applied exactly once (also over the following polls of the same
   registers)."""
import logging
import os
import shutil
import subprocess
import threading
import time

from bushelp import Kiosk, board, check, fail, main, wait_for

from pymodbus.datastore import ModbusSequentialDataBlock
from pymodbus.server import StartSerialServer

from modbuscompat import BASE, RTU_FRAMER, server_context, unit_context

logging.getLogger("pymodbus").setLevel(logging.CRITICAL)


class RefusingBlock(ModbusSequentialDataBlock):
    """Holding registers that exist for nobody: every access is exception 02."""

    def validate(self, address, count=1):
        return False


def test(tmp):
    socat = shutil.which("socat", path="/usr/bin:/bin")
    if not socat:
        fail("socat is not installed (tools/deps/bus.txt)")
    kiosk_end, unit_end = os.path.join(tmp, "kiosk-end"), os.path.join(tmp, "unit-end")
    relay = subprocess.Popen([socat, "pty,raw,echo=0,link=" + kiosk_end,
                              "pty,raw,echo=0,link=" + unit_end], stderr=subprocess.DEVNULL)
    k = None
    try:
        wait_for(lambda: os.path.exists(kiosk_end) and os.path.exists(unit_end), 10, "socat ptys")
        slaves = {
            1: unit_context(ModbusSequentialDataBlock(BASE, [100] + [0] * 8), RefusingBlock(BASE, [0] * 7)),
            2: unit_context(ModbusSequentialDataBlock(BASE, [200] + [0] * 8),
                            ModbusSequentialDataBlock(BASE, [0] * 7)),
        }
        ctx = server_context(slaves)
        threading.Thread(target=StartSerialServer, daemon=True, kwargs=dict(
            context=ctx, framer=RTU_FRAMER, port=unit_end, baudrate=19200, parity="N",
            bytesize=8, stopbits=1, timeout=0.05)).start()
        time.sleep(0.3)
        k = Kiosk(tmp, board([(1, "a", 1), (2, "a", 2)], "timeout = 1s\noffline_poll = 2s\n", services=("a",)),
                  kiosk_end)
        wait_for(lambda: all(u["online"] for u in k.bus()["units"]), 10, "both units online")
        k.press("a", 6)

        # 1. Refused writes: still online, polled like unit 2, fault shown.
        wait_for(lambda: k.unit(1)["exceptions"] >= 4, 30, "4 exception replies from unit 1")
        a1, a2 = k.unit(1), k.unit(2)
        slaves[1].setValues(4, 0, [101, 0x0001] + [0] * 7)  # NEXT on unit 1
        wait_for(lambda: k.counter(1)["current"], 10, "NEXT on unit 1 applied")
        wait_for(lambda: k.unit(2)["polls"] >= a2["polls"] + 60, 30, "60 more polls of unit 2")
        b1, b2 = k.unit(1), k.unit(2)
        d1, d2 = b1["polls"] - a1["polls"], b2["polls"] - a2["polls"]
        check(b1["online"] and b1["offline_count"] == 0,
              "unit 1 never offline (it answers): %s" % b1)
        check(d1 >= d2 * 0.8, "unit 1 polled at full pace: %d polls vs %d of unit 2" % (d1, d2))
        check(b1["exceptions"] >= 4 and "refused" in b1.get("fault", ""), "fault shown: %s" % b1)
        check(b1["write_errors"] * 4 <= b1["polls"],
              "the rewrite backs off: %d write attempts for %d polls" % (b1["write_errors"], b1["polls"]))
        check(b2.get("fault") == "" and b2["exceptions"] == 0, "unit 2 has no fault: %s" % b2)
        print("unit 1: %d polls (unit 2: %d), %d writes refused, fault '%s'" %
              (d1, d2, b1.get("write_rejects"), b1.get("fault")))

        # 2. Unit 2: NEXT, then it restarts with FINISH, NEXT since.
        slaves[2].setValues(4, 0, [201, 0x0001] + [0] * 7)
        wait_for(lambda: k.counter(2)["current"], 10, "NEXT on unit 2")
        first = k.counter(2)["current"]
        slaves[2].setValues(4, 0, [2, 0x0001, 0x0004] + [0] * 6)  # newest first: NEXT, FINISH
        wait_for(lambda: k.unit(2).get("restarts") == 1, 10, "restart counted")
        wait_for(lambda: k.counter(2)["current"] and k.counter(2)["current"] != first, 10,
                 "the NEXT made after the restart applied")
        polls = k.unit(2)["polls"]
        wait_for(lambda: k.unit(2)["polls"] >= polls + 20, 20, "20 more polls of the same registers")
        u2 = k.unit(2)
        check(u2["lost"] == 0 and u2["unknown"] == 0, "nothing lost or unknown: %s" % u2)
        check(u2["presses"] == 3, "3 presses read at unit 2, each once: %s" % u2)
        called = [t for t in k.tickets() if t["counter"] == 2]
        finished = [t for t in called if t["label"] == first]
        check(len(called) == 2, "two tickets called at counter 2: %s" % called)
        check(finished and finished[0]["status"] == "finished",
              "the first one finished: %s" % finished)
        print("unit 2 restart: counted once, FINISH and NEXT applied once, nothing lost")
    finally:
        rc = k.stop() if k else 0
        relay.terminate()
        relay.wait(10)
    check(rc == 0, "kioskd stopped cleanly")


if __name__ == "__main__":
    os.environ.setdefault("UNITSIM", "/bin/true")
    main(test)
