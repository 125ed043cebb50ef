#!/usr/bin/python3
"""test-modules.py — kioskd's loadable modules (firmware/base/module.h,
issue 16's private memory), checked from outside through /proc/PID/maps:

  - a headless kiosk (no screen, no CUPS printer, no [uplink]) maps none of
    SDL2, libcups or libpq, and issues tickets;
  - the simulator's board (touch and hall screens) loads lib/motcua/screen.so
    and with it SDL2, and draws (a screenshot);
  - with the module missing (MOTCUA_MODULE_DIR names an empty directory)
    the same kiosk says which file it could not load and keeps issuing
    tickets without its screens;
  - a cups: printer whose module is missing stops kioskd at start with a
    message naming the file (a broken installation, like any printer device
    that cannot be opened).

Usage: test-modules.py KIOSKD KIOSKCTL SIM_BOARD"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import BOARD_ALWAYS_OPEN, Kiosk, check, fail  # noqa: E402

KIOSKD, KIOSKCTL, SIM_BOARD = sys.argv[1:4]


def mapped(k):
    """Base names of the shared objects kioskd maps now."""
    names = set()
    with open("/proc/%d/maps" % k.proc.pid) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and ".so" in parts[5]:
                names.add(os.path.basename(parts[5]))
    return names


def has(names, prefix):
    return any(n.startswith(prefix) for n in names)


def wait_for(what, fn, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    fail("timed out: " + what)


def emulated():
    return bool(os.environ.get("MC_EMULATOR"))


def main():
    # 1. Headless.
    k = Kiosk(KIOSKD, KIOSKCTL, BOARD_ALWAYS_OPEN).start()
    try:
        r = k.request({"cmd": "press", "service": "civil", "source": "t"})
        check(r.get("ok"), "a headless kiosk issues a ticket")
        if not emulated():  # under qemu-user the maps are the emulator's view
            libs = mapped(k)
            check(not has(libs, "libSDL2") and not has(libs, "screen.so"), "headless: SDL2 is not mapped")
            check(not has(libs, "libcups"), "headless: libcups is not mapped")
            check(not has(libs, "libpq"), "headless: libpq is not mapped")
    finally:
        k.close()

    with open(SIM_BOARD, encoding="utf-8") as f:
        sim_board = f.read()
    # 2. The simulator's screens load the screen module.
    k = Kiosk(KIOSKD, KIOSKCTL, sim_board).start()
    try:
        if not emulated():
            libs = wait_for("screen.so mapped", lambda: (lambda m: m if has(m, "screen.so") else None)(mapped(k)))
            check(has(libs, "libSDL2"), "with screens: screen.so and SDL2 are mapped")
            check(not has(libs, "libpq"), "with screens, no [uplink]: libpq is not mapped")
        shot = os.path.join(k.dir, "kiosk.png")
        code, out, err = k.ctl("screenshot", shot)
        check(code == 0 and os.path.getsize(shot) > 10000, "the screen module draws (screenshot %d bytes)" %
              (os.path.getsize(shot) if os.path.exists(shot) else 0))
    finally:
        k.close()

    # 3. The module missing: the kiosk serves without its screens and says why.
    empty = tempfile.mkdtemp(prefix="mc-nomodules-")
    k = Kiosk(KIOSKD, KIOSKCTL, sim_board, extra_env={"MOTCUA_MODULE_DIR": empty}).start()
    try:
        r = k.request({"cmd": "press", "service": "civil", "source": "t"})
        check(r.get("ok"), "without the screen module the kiosk still issues tickets")
        log = k.read_log()
        check(os.path.join(empty, "screen.so") in log, "the log names the module it could not load")
    finally:
        k.close()

    # 4. A CUPS printer whose module is missing: a broken installation,
    # refused at start with the file named (as any printer that cannot be
    # opened), not a kiosk that silently cannot print.
    board = BOARD_ALWAYS_OPEN + "\n[printer]\ndevice = cups:nosuch\n"
    k = Kiosk(KIOSKD, KIOSKCTL, board, extra_env={"MOTCUA_MODULE_DIR": empty})
    try:
        k.start(wait=False)
        code = k.proc.wait(timeout=60)
        log = k.read_log()
        check(code != 0 and os.path.join(empty, "printer-cups.so") in log,
              "a cups: printer without its module stops kioskd at start, naming the file (exit %d)" % code)
    finally:
        k.close()
        os.rmdir(empty)
    print("PASS")


main()
