#!/usr/bin/python3
"""test-bus-pymodbus.py — the counter bus against an implementation nobody
here wrote: Debian's python3-pymodbus plays two counter units (RTU framer,
zero-based registers) on the far end of a socat pty pair, and kioskd's bus
master must read their presses and write their displays per DESIGN.md §5."""
import logging
import os
import shutil
import subprocess
import threading
import time

from bushelp import Kiosk, board, check, fail, main, wait_for

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import StartSerialServer

# pymodbus 3.0 (Debian 12) and 3.8 (Debian 13) name things differently:
# 3.8 has FramerType.RTU where 3.0 had transaction.ModbusRtuFramer, and its
# unit contexts always add 1 to a register address (3.0's zero_mode=True
# did not), so there a unit's blocks start at address 1 for register 0 to
# be the block's first value. 3.10 renames the unit context "device".
try:
    from pymodbus.framer import FramerType
    RTU_FRAMER = FramerType.RTU
    ZERO_BASED = False
except ImportError:
    from pymodbus.transaction import ModbusRtuFramer as RTU_FRAMER
    ZERO_BASED = True
try:
    from pymodbus.datastore import ModbusDeviceContext as UnitContext
except ImportError:
    from pymodbus.datastore import ModbusSlaveContext as UnitContext


def unit_context(ir, hr):
    """A unit's registers, register 0 first, whichever pymodbus this is."""
    if ZERO_BASED:
        return UnitContext(ir=ModbusSequentialDataBlock(0, ir), hr=ModbusSequentialDataBlock(0, hr),
                           zero_mode=True)
    return UnitContext(ir=ModbusSequentialDataBlock(1, ir), hr=ModbusSequentialDataBlock(1, hr))


def server_context(units):
    """The server's table of units by address (slaves= before 3.10)."""
    try:
        return ModbusServerContext(slaves=units, single=False)
    except TypeError:
        return ModbusServerContext(devices=units, single=False)

logging.getLogger("pymodbus").setLevel(logging.CRITICAL)


class Units:
    """Two pymodbus slaves (addresses 1 and 2) on one serial port."""

    def __init__(self, port):
        self.slaves = {a: unit_context([100 * a] + [0] * 8, [0] * 7) for a in (1, 2)}
        ctx = server_context(self.slaves)
        # Parity none on this end: pymodbus never answers with even parity on a pty.
        self.thread = threading.Thread(target=StartSerialServer, daemon=True, kwargs=dict(
            context=ctx, framer=RTU_FRAMER, port=port, baudrate=19200, parity="N",
            bytesize=8, stopbits=1, timeout=0.05))
        self.thread.start()

    def press(self, addr, code, count=1):
        s = self.slaves[addr]
        regs = s.getValues(4, 0, 9)
        for _ in range(count):
            regs = [(regs[0] + 1) & 0xFFFF, code] + regs[1:8]
        s.setValues(4, 0, regs)  # one slice assignment: a poll sees all or nothing

    def display(self, addr):
        r = self.slaves[addr].getValues(3, 0, 7)
        text = "".join(chr(v >> 8) + chr(v & 0xFF) for v in r[0:4])
        return {"text": text, "waiting": r[4], "blink": bool(r[5] & 1), "paused": bool(r[5] & 2),
                "brightness": r[6]}

    def wait(self, addr, pred, what):
        return wait_for(lambda: pred(self.display(addr)), 15, what)


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
        units = Units(unit_end)
        time.sleep(0.3)
        # A generous answer timeout: pymodbus is another (Python) process; on
        # a loaded machine a late answer after a short timeout is read by the
        # next request as "not from requested slave" and counted as garbage.
        k = Kiosk(tmp, board([(1, "a", 1), (2, "a, b", 2)], "brightness = 5\nblink = 1s\ntimeout = 1000ms\n",
                             services=("a", "b")), kiosk_end)
        for a in (1, 2):
            units.wait(a, lambda d: d["brightness"] == 5 and d["text"] == " " * 8,
                       "first display of pymodbus unit %d" % a)
        wait_for(lambda: all(u["online"] for u in k.bus()["units"]), 10, "both units online")
        k.press("a", 3)
        units.wait(1, lambda d: d["waiting"] == 3, "waiting 3 on unit 1")

        units.press(1, 0x0001)  # NEXT
        units.wait(1, lambda d: d["text"] == "1001    " and d["blink"] and d["waiting"] == 2,
                   "1001 blinking on unit 1")
        units.wait(1, lambda d: not d["blink"], "blink over")
        units.press(1, 0x0002)  # RECALL
        units.wait(1, lambda d: d["blink"], "recall blinks")
        units.press(2, 0x0001)  # NEXT at unit 2
        units.wait(2, lambda d: d["text"] == "1002    ", "1002 on unit 2")
        units.press(2, 0x0102)  # TRANSFER to service 2 (b): 1002 waits for b, only unit 2 serves b
        units.wait(2, lambda d: d["text"] == " " * 8 and d["waiting"] == 2, "transfer cleared unit 2")
        units.press(2, 0x0005)  # PAUSE
        units.wait(2, lambda d: d["paused"], "paused flag on unit 2")
        units.press(2, 0x0005)  # RESUME
        units.wait(2, lambda d: not d["paused"], "resumed on unit 2")
        units.press(1, 0x0305)  # LOGIN 5
        wait_for(lambda: k.counter(1)["clerk"] == 5, 10, "clerk 5 at counter 1")
        units.press(1, 0x0004)  # FINISH
        units.wait(1, lambda d: d["text"] == " " * 8, "finish clears unit 1")
        units.press(1, 0x0204)  # RATING 4
        wait_for(lambda: any(t["label"] == "1001" and t["rating"] == 4 for t in k.tickets()), 10,
                 "1001 rated 4")
        units.press(1, 0x0300)  # LOGOUT
        wait_for(lambda: k.counter(1)["clerk"] == 0, 10, "logout")
        units.press(1, 0x0999)  # unknown
        wait_for(lambda: k.unit(1)["unknown"] == 1, 10, "unknown code counted")
        # 10 presses between two polls: 8 apply, 2 lost.
        k.press("a", 10)
        units.press(1, 0x0001, count=10)
        wait_for(lambda: k.unit(1)["lost"] == 2, 10, "2 lost presses")
        wait_for(lambda: len([t for t in k.tickets() if t["counter"] == 1]) == 9, 10,
                 "1001 plus 8 more tickets called at counter 1")
        for a in (1, 2):
            u = k.unit(a)
            check(u["crc_errors"] == 0 and u["garbage"] == 0 and u["exceptions"] == 0,
                  "pymodbus unit %d answered every request cleanly: %s" % (a, u))
    finally:
        rc = k.stop() if k else 0
        relay.terminate()
        relay.wait(10)
    check(rc == 0, "kioskd stopped cleanly")


if __name__ == "__main__":
    os.environ.setdefault("UNITSIM", "/bin/true")
    main(test)
