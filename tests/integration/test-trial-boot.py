#!/usr/bin/python3
"""test-trial-boot.py — the trial boot's failure path as the package ships it.

motcua-trial-generator (a systemd generator) reads the firmware's boot
variables: on the one-shot boot of a newly installed slot (UEFI BootNext, or
the Raspberry Pi's tryboot) it writes a drop-in that bounds kioskd's starts
and reboots when they run out; on every other boot it writes nothing, so a
booted-good slot's kioskd restarts forever as the unit says. The firmware's
variables are real-format files (efivarfs layout: 4 attribute bytes, then
the variable; Boot#### is an EFI_LOAD_OPTION with a UTF-16 label), one tree
a case. The unit with the drop-in passes `systemd-analyze verify`, and a
drop-in with a misspelt key does not (so the drop-in is really read).

On a trial boot the generator also starts motcua-trial-watch, which reboots
unless kioskd's health check marks the slot good in time: run here against a
real kioskd whose printer never answers its first probe (a file: printer
whose STATE is a FIFO nobody writes, so the status read blocks), the watch
must call its reboot command at its deadline; and against a healthy kioskd
with no RAUC to mark the slot ("skipped": it can never be marked) at once.
(Its exit without a reboot once the slot is marked good is checked by
pkg-rauc-update, which has a real RAUC service.)

Usage: test-trial-boot.py SOURCE_DIR BUILD_DIR KIOSKD KIOSKCTL
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

SRC, BUILD, KIOSKD, KIOSKCTL = sys.argv[1:5]
GEN = os.path.join(SRC, "tools/pkg/motcua-trial-generator")
WATCH = os.path.join(SRC, "tools/pkg/motcua-trial-watch")
WATCH_UNIT = os.path.join(BUILD, "tools/pkg/motcua-trial-watch.service")
WANTS = "multi-user.target.wants/motcua-trial-watch.service"
UNIT = os.path.join(BUILD, "tools/pkg/motcua-kioskd.service")
WDCONF = os.path.join(SRC, "tools/pkg/60-motcua-watchdog.conf")
GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
DROPIN = "motcua-kioskd.service.d/50-motcua-trial.conf"


def fail(msg):
    print("FAIL:", msg, file=sys.stderr)
    sys.exit(1)


def efivar(d, name, data):
    with open(os.path.join(d, f"{name}-{GUID}"), "wb") as f:
        f.write(struct.pack("<I", 7) + data)


def load_option(label):
    path = b"\x7f\xff\x04\x00"  # an end-of-path node is enough for the label's offset
    return struct.pack("<IH", 1, len(path)) + (label + "\0").encode("utf-16-le") + path


def firmware(tmp, current, order, labels, cmdline, tryboot=None):
    """A fake efivarfs, /proc/cmdline and device tree; returns the env."""
    efi = os.path.join(tmp, "efivars")
    dt = os.path.join(tmp, "dt")
    os.makedirs(efi)
    os.makedirs(dt)
    if current is not None:
        efivar(efi, "BootCurrent", struct.pack("<H", current))
        efivar(efi, "BootOrder", b"".join(struct.pack("<H", n) for n in order))
        for n, label in labels.items():
            efivar(efi, "Boot%04X" % n, load_option(label))
    if tryboot is not None:
        with open(os.path.join(dt, "tryboot"), "wb") as f:
            f.write(struct.pack(">I", tryboot))
    with open(os.path.join(tmp, "cmdline"), "w") as f:
        f.write(cmdline + "\n")
    return dict(os.environ, MOTCUA_EFIVARS=efi, MOTCUA_TRYBOOT_DT=dt,
                MOTCUA_CMDLINE=os.path.join(tmp, "cmdline"))


def generate(case, **fw):
    tmp = tempfile.mkdtemp(prefix="mc-trial-")
    env = firmware(tmp, **fw)
    out = os.path.join(tmp, "normal")
    os.makedirs(out)
    r = subprocess.run([GEN, out, os.path.join(tmp, "early"), os.path.join(tmp, "late")],
                       env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{case}: the generator failed ({r.returncode}): {r.stderr}")
    p = os.path.join(out, DROPIN)
    text = open(p).read() if os.path.exists(p) else None
    print(f"{case}: {'trial drop-in' if text else 'no drop-in'}", flush=True)
    return text, out


def keys(text):
    """key=value lines of a unit file (last one wins, as systemd reads them)."""
    d = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            k, v = line.split("=", 1)
            d[k.strip()] = v.strip()
    return d


A, B, SHELL = 0x0003, 0x0004, 0x0001
labels = {A: "A", B: "B", SHELL: "EFI Internal Shell"}

# 1. UEFI: B booted once through BootNext while BootOrder still starts with A.
trial, out = generate("uefi BootNext=B", current=B, order=[A, B], labels=labels,
                      cmdline="root=/dev/vda3 rauc.slot=B quiet")
if not trial:
    fail("no trial drop-in on the one-shot boot of B")
k = keys(trial)
if k.get("StartLimitAction") != "reboot":
    fail(f"the trial does not reboot when kioskd's starts run out: {k}")
if not k.get("StartLimitBurst", "").isdigit() or not 1 <= int(k["StartLimitBurst"]) <= 10:
    fail(f"the trial's StartLimitBurst is not a small bound: {k}")
if k.get("StartLimitIntervalSec") in (None, "0", "infinity"):
    fail(f"the trial's StartLimitIntervalSec bounds nothing: {k}")
w = os.path.join(out, WANTS)
if not os.path.islink(w) or os.readlink(w) != "/lib/systemd/system/motcua-trial-watch.service":
    fail("the trial boot does not start motcua-trial-watch (no link in multi-user.target.wants)")

# 2. B marked good: first in BootOrder, booted as usual.
good, out = generate("uefi B good", current=B, order=[B, A], labels=labels,
                     cmdline="root=/dev/vda3 rauc.slot=B")
if good:
    fail("a drop-in on an ordinary boot of a good slot")
if os.path.lexists(os.path.join(out, WANTS)):
    fail("the trial watch is started on an ordinary boot of a good slot")
# 3. The factory boot from the UEFI shell (BootCurrent is not a slot).
if generate("uefi shell boot", current=SHELL, order=[A, B, SHELL], labels=labels,
            cmdline="root=/dev/vda2 rauc.slot=A")[0]:
    fail("a drop-in when the firmware booted something that is not a slot")
# 4. BootNext pointed at B but the kernel says it is A (labels differ).
if generate("uefi label mismatch", current=B, order=[A, B], labels=labels,
            cmdline="root=/dev/vda2 rauc.slot=A")[0]:
    fail("a drop-in when the booted entry is not the booted slot")
# 5. No UEFI, no tryboot (a PC with BIOS, a build machine).
if generate("no firmware facts", current=None, order=[], labels={}, cmdline="quiet")[0]:
    fail("a drop-in without any sign of a trial")
# 6. The Raspberry Pi: tryboot set by the firmware, then not.
if not generate("pi tryboot", current=None, order=[], labels={}, cmdline="rauc.slot=B",
                tryboot=1)[0]:
    fail("no trial drop-in on a Raspberry Pi tryboot")
if generate("pi ordinary boot", current=None, order=[], labels={}, cmdline="rauc.slot=B",
            tryboot=0)[0]:
    fail("a drop-in on an ordinary Raspberry Pi boot")

# 7. The unit as shipped: a good slot's kioskd restarts forever.
u = keys(open(UNIT).read())
if u.get("Restart") != "always" or u.get("StartLimitIntervalSec") != "0":
    fail(f"the shipped unit does not restart kioskd forever: Restart={u.get('Restart')} "
         f"StartLimitIntervalSec={u.get('StartLimitIntervalSec')}")
if "StartLimitAction" in u or "FailureAction" in u:
    fail("the shipped unit reboots on its own, not only on trial")
w = keys(open(WDCONF).read())
if w.get("RuntimeWatchdogSec", "0") in ("0", "off", ""):
    fail(f"systemd is not asked to run the hardware watchdog: {w}")

# 8. systemd reads the unit with the drop-in cleanly; a misspelt key in the
# drop-in is reported (the drop-in is really part of what it checked).
def verify(dropin_text):
    d = tempfile.mkdtemp(prefix="mc-trial-verify-")
    # An executable systemd can find stands in for kioskd.
    with open(os.path.join(d, "motcua-kioskd.service"), "w") as f:
        f.write(open(UNIT).read().replace("/usr/sbin/kioskd", "/bin/true"))
    os.makedirs(os.path.join(d, "motcua-kioskd.service.d"))
    with open(os.path.join(d, DROPIN), "w") as f:
        f.write(dropin_text)
    r = subprocess.run(["systemd-analyze", "verify", "--man=no",
                        os.path.join(d, "motcua-kioskd.service")],
                       capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


rc, log = verify(trial)
if rc != 0 or log:
    fail(f"systemd-analyze verify with the trial drop-in: {rc} {log}")
rc, log = verify(trial.replace("StartLimitAction", "StartLimitActoin"))
if "StartLimitActoin" not in log:
    fail(f"systemd-analyze did not read the drop-in (a misspelt key passed): {rc} {log}")
print("systemd-analyze verify: the unit with the trial drop-in is clean; a misspelt key is caught")
d = tempfile.mkdtemp(prefix="mc-trial-verify-")
with open(os.path.join(d, "motcua-trial-watch.service"), "w") as f:
    f.write(open(WATCH_UNIT).read().replace("/usr/lib/motcua/motcua-trial-watch", WATCH))
r = subprocess.run(["systemd-analyze", "verify", "--man=no", os.path.join(d, "motcua-trial-watch.service")],
                   capture_output=True, text=True)
if r.returncode != 0 or (r.stdout + r.stderr).strip():
    fail(f"systemd-analyze verify motcua-trial-watch.service: {r.returncode} {r.stdout}{r.stderr}")


def answers(sock):
    """Whether kioskd answers a request on its socket."""
    try:
        with socket.socket(socket.AF_UNIX) as c:
            c.settimeout(5)
            c.connect(sock)
            c.sendall(b'{"cmd":"help"}\n')
            return c.makefile().readline().startswith("{")
    except OSError:
        return False


# 9. The trial watch against a real kioskd.
def watch_run(case, board_extra, deadline, setup=None, bus=None, env_extra=None):
    tmp = tempfile.mkdtemp(prefix="mc-trial-watch-")
    board = os.path.join(tmp, "board.conf")
    with open(os.path.join(SRC, "tests/integration/pkg-board.conf")) as f:
        text = f.read()
    with open(board, "w") as f:
        f.write(text + board_extra.replace("TMP", tmp))
    if setup:
        setup(tmp)
    sock = os.path.join(tmp, "kioskd.sock")
    env = dict(os.environ, MOTCUA_HEALTH_DELAY_MS="200",
               DBUS_SYSTEM_BUS_ADDRESS=bus or "unix:path=" + os.path.join(tmp, "no-bus"), **(env_extra or {}))
    kd = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", os.path.join(tmp, "state"),
                           "--socket", sock], env=env, stdout=subprocess.DEVNULL,
                          stderr=open(os.path.join(tmp, "kioskd.log"), "w"))
    try:
        # The watch's deadline counts from its own start: start it once
        # kioskd answers (a loaded machine can take seconds to start it).
        end = time.monotonic() + 120
        while not answers(sock):
            if kd.poll() is not None or time.monotonic() > end:
                fail(f"{case}: kioskd did not answer: {open(os.path.join(tmp, 'kioskd.log')).read()}")
            time.sleep(0.1)
        marker = os.path.join(tmp, "rebooted")
        wenv = dict(os.environ, MOTCUA_SOCKET=sock, MOTCUA_KIOSKCTL=KIOSKCTL, MOTCUA_TRIAL_POLL="1",
                    MOTCUA_TRIAL_DEADLINE=str(deadline), MOTCUA_TRIAL_REBOOT="/usr/bin/touch " + marker)
        t0 = time.monotonic()
        r = subprocess.run([WATCH], env=wenv, capture_output=True, text=True, timeout=deadline + 60)
        took = time.monotonic() - t0
        if kd.poll() is not None:
            fail(f"{case}: kioskd stopped ({kd.returncode}): {open(os.path.join(tmp, 'kioskd.log')).read()}")
    finally:
        kd.kill()
        kd.wait()
    print(f"{case}: watch exit {r.returncode}, rebooted: {os.path.exists(marker)}, "
          f"after {took:.1f} s: {r.stdout.strip().splitlines()[-1]}", flush=True)
    r.kioskd_log = open(os.path.join(tmp, "kioskd.log"), encoding="utf-8", errors="replace").read()
    return r, os.path.exists(marker)


def rauc_installed_not_set_up():
    """A private bus on which RAUC is activatable but exits at once, as on
    a system with RAUC's package and no system.conf (the lab's plain
    image): returns (the bus's address, its process)."""
    tmp = tempfile.mkdtemp(prefix="mc-trial-bus-")
    os.makedirs(os.path.join(tmp, "services"))
    with open(os.path.join(tmp, "services", "de.pengutronix.rauc.service"), "w") as f:
        f.write("[D-BUS Service]\nName=de.pengutronix.rauc\nExec=/bin/false\n")
    cfg = os.path.join(tmp, "bus.conf")
    with open(cfg, "w") as f:
        # A session-type bus activates services itself (a system bus would
        # need its setuid launch helper).
        f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={tmp}/bus</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{tmp}/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
""")
    bus = subprocess.Popen(["dbus-daemon", "--config-file=" + cfg, "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    addr = bus.stdout.readline().strip()
    if not addr:
        fail("dbus-daemon did not start")
    return addr, bus


def stuck_printer(tmp):
    os.makedirs(os.path.join(tmp, "stuck"))
    os.mkfifo(os.path.join(tmp, "stuck", "STATE"))


r, rebooted = watch_run("printer stuck in its first probe", "\n[printer]\ndevice = file:TMP/stuck\n",
                        4, stuck_printer)
if not rebooted or "not marked good within 4 s" not in r.stdout or "'pending'" not in r.stdout:
    fail(f"the watch did not reboot a kioskd that never became healthy: {r.stdout}{r.stderr}")
r, rebooted = watch_run("healthy, no RAUC to mark with", "", 300)
if not rebooted or "'skipped'" not in r.stdout:
    fail(f"the watch did not reboot when the slot cannot be marked good: {r.stdout}{r.stderr}")
# RAUC's package without a system.conf: activatable, but it would exit at
# once. Nothing to mark (skipped, not an error in the log); with a
# system.conf the same failure is an error (failed).
addr, bus = rauc_installed_not_set_up()
try:
    r, rebooted = watch_run("healthy, RAUC installed but not configured", "", 300, bus=addr,
                            env_extra={"MOTCUA_RAUC_SYSTEM_CONF": "/nonexistent/rauc/system.conf"})
    if not rebooted or "'skipped'" not in r.stdout:
        fail(f"RAUC without a system.conf is not 'skipped': {r.stdout}{r.stderr}")
    if "marking the slot good failed" in r.kioskd_log or "not configured" not in r.stdout + r.kioskd_log:
        fail(f"RAUC without a system.conf: kioskd logged an error or no reason: {r.kioskd_log[-800:]}")
    conf = tempfile.NamedTemporaryFile(prefix="mc-system-", suffix=".conf")
    r, rebooted = watch_run("healthy, RAUC configured but not starting", "", 300, bus=addr,
                            env_extra={"MOTCUA_RAUC_SYSTEM_CONF": conf.name})
    if not rebooted or "'failed'" not in r.stdout or "marking the slot good failed" not in r.kioskd_log:
        fail(f"a configured RAUC that cannot start is not 'failed' with an error: {r.stdout}{r.kioskd_log[-800:]}")
finally:
    bus.kill()
    bus.wait()
print("PASS")
