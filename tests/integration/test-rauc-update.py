#!/usr/bin/python3
"""test-rauc-update.py — signed A/B updates end to end with Debian's RAUC.

A private dbus-daemon stands in for the system bus; `rauc service` runs on
it with the reference board's system.conf (tools/pkg/rauc/system.conf) whose
slots are image files here; the bootloader backend is the real
tools/pkg/rauc/tryboot-backend working on a directory that plays the
Raspberry Pi's autoboot partition, and this test plays the Pi firmware
(boots [tryboot] once after a tryboot reboot, else [all]). Bundles are made
with tools/pkg/make-bundle.sh.

Checked: kioskctl update refuses a bundle signed by a foreign key and one
for another board, writing nothing; installs a good one with progress to
the other slot; after a tryboot reboot kioskd's health check marks it good
over D-Bus and it stays (and the trial boot's watch ends without a
reboot); a second update whose system never marks itself good is rolled
back by the next ordinary reboot.

Usage: test-rauc-update.py KIOSKD KIOSKCTL SOURCE_DIR
"""
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

KIOSKD, KIOSKCTL, SRC = sys.argv[1:4]
MAKE_BUNDLE = os.path.join(SRC, "tools/pkg/make-bundle.sh")
BACKEND = os.path.join(SRC, "tools/pkg/rauc/tryboot-backend")
SYSTEM_CONF = os.path.join(SRC, "tools/pkg/rauc/system.conf")
BOARD = os.path.join(SRC, "tests/integration/pkg-board.conf")
SLOT_SIZE = 8 << 20
procs = []


def fail(msg):
    print("FAIL:", msg, flush=True)
    raise SystemExit(1)


def run(cmd, env=None, ok=True, timeout=120):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if ok and r.returncode != 0:
        fail(f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def sha(path, size=None):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(size) if size else f.read())
    return h.hexdigest()


def ctl_stream(sock, req, timeout=120):
    """Sends one request to kioskd; returns every answer up to the final."""
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock)
    s.sendall((json.dumps(req) + "\n").encode())
    buf, msgs = b"", []
    while True:
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                s.close()
                fail(f"kioskd closed the connection: {msgs}")
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        m = json.loads(line)
        msgs.append(m)
        if not m.get("more"):
            s.close()
            return msgs


class Kiosk:
    """The pretend kiosk: slot files, autoboot partition, device tree, bus."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.autoboot = os.path.join(tmp, "autoboot")
        self.dt = os.path.join(tmp, "dt")
        os.makedirs(self.autoboot)
        os.makedirs(self.dt)
        os.makedirs(os.path.join(tmp, "mnt"))
        self.slot = {}
        for name in ("rootfs-a", "rootfs-b", "boot-a", "boot-b"):
            p = os.path.join(tmp, name + ".img")
            with open(p, "wb") as f:
                f.truncate(SLOT_SIZE)
            self.slot[name] = p
        # The factory image: A is the committed system.
        with open(os.path.join(self.autoboot, "autoboot.txt"), "w") as f:
            f.write("[all]\ntryboot_a_b=1\nboot_partition=2\n[tryboot]\nboot_partition=2\n")
        self.boots = 0
        self.conf = os.path.join(tmp, "system.conf")
        self.keyring = os.path.join(tmp, "keys", "dev.cert.pem")
        self.write_conf()
        self.bus_addr = None
        self.bus = None
        self.rauc = None
        self.env = None

    def write_conf(self):
        text = open(SYSTEM_CONF).read()
        devs = {"/dev/mmcblk0p5": "rootfs-a", "/dev/mmcblk0p6": "rootfs-b",
                "/dev/mmcblk0p2": "boot-a", "/dev/mmcblk0p3": "boot-b"}
        for dev, name in devs.items():
            text = text.replace("device=" + dev + "\n", "device=" + self.slot[name] + "\n")
        text = re.sub(r"(?m)^bootloader-custom-backend=.*$", "bootloader-custom-backend=" + BACKEND, text)
        text = re.sub(r"(?m)^path=/etc/rauc/keyring.pem$", "path=" + self.keyring, text)
        text = re.sub(r"(?m)^statusfile=.*$", "statusfile=" + os.path.join(self.tmp, "central.raucs"), text)
        text = re.sub(r"(?m)^mountprefix=.*$", "mountprefix=" + os.path.join(self.tmp, "mnt"), text)
        body = "\n".join(l for l in text.splitlines() if not l.startswith("#"))
        if "/dev/mmcblk" in body or "/etc/rauc" in body or "/data" in body:
            fail("system.conf has paths this test cannot map:\n" + text)
        with open(self.conf, "w") as f:
            f.write(text)

    def start_bus(self):
        cfg = os.path.join(self.tmp, "bus.conf")
        with open(cfg, "w") as f:
            f.write(f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={self.tmp}/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="*"/>
  </policy>
</busconfig>
""")
        self.bus = subprocess.Popen(["dbus-daemon", "--config-file=" + cfg, "--nofork",
                                     "--print-address=1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    text=True)
        procs.append(self.bus)
        self.bus_addr = self.bus.stdout.readline().strip()
        if not self.bus_addr:
            fail("dbus-daemon did not start")
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_addr,
                        MOTCUA_TRYBOOT_DIR=self.autoboot, MOTCUA_TRYBOOT_DT=self.dt,
                        MOTCUA_BOOT_ID=os.path.join(self.dt, "boot_id"))
        self.env.pop("DBUS_SESSION_BUS_ADDRESS", None)

    def autoboot_part(self, section):
        sect, part = None, None
        for line in open(os.path.join(self.autoboot, "autoboot.txt")):
            line = line.strip()
            if line.startswith("["):
                sect = line
            elif sect == section and line.startswith("boot_partition="):
                part = int(line.split("=", 1)[1])
        return part

    def power_on(self, tryboot=False):
        """The Pi firmware: a tryboot reboot boots [tryboot] once, any other
        boot [all]. Then the root file system starts RAUC's service."""
        self.stop_rauc()
        part = self.autoboot_part("[tryboot]" if tryboot else "[all]")
        self.boots += 1
        with open(os.path.join(self.dt, "tryboot"), "wb") as f:
            f.write(struct.pack(">I", 1 if tryboot else 0))
        with open(os.path.join(self.dt, "partition"), "wb") as f:
            f.write(struct.pack(">I", part))
        with open(os.path.join(self.dt, "boot_id"), "w") as f:
            f.write(f"boot-{self.boots}\n")
        booted = {2: "A", 3: "B"}[part]
        self.rauc = subprocess.Popen(["rauc", "--conf=" + self.conf, "service",
                                      "--override-boot-slot=" + booted], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=open(
                                         os.path.join(self.tmp, f"rauc-{self.boots}.log"), "w"))
        procs.append(self.rauc)
        for _ in range(200):
            r = run(["rauc", "--conf=" + self.conf, "status", "--output-format=json"],
                    env=self.env, ok=False)
            if r.returncode == 0:
                return booted
            if self.rauc.poll() is not None:
                fail("rauc service died:\n" + open(os.path.join(self.tmp, f"rauc-{self.boots}.log")).read())
            time.sleep(0.1)
        fail("rauc service did not come up on the private bus")

    def stop_rauc(self):
        if self.rauc and self.rauc.poll() is None:
            self.rauc.terminate()
            self.rauc.wait(timeout=20)
        self.rauc = None

    def status(self):
        r = run(["rauc", "--conf=" + self.conf, "status", "--detailed", "--output-format=json"],
                env=self.env)
        return json.loads(r.stdout)

    def slot_state(self, st, name):
        for s in st["slots"]:
            if name in s:
                return s[name]
        fail(f"no slot {name} in {st}")

    def update(self, bundle):
        return run([KIOSKCTL, "update", bundle], env=self.env, ok=False, timeout=300)


def make_image(tmp, name, version):
    root = os.path.join(tmp, name + "-root")
    os.makedirs(os.path.join(root, "etc"))
    with open(os.path.join(root, "etc", "motcua-release"), "w") as f:
        f.write(f"VERSION={version}\n")
    img = os.path.join(tmp, name + ".ext4")
    run(["mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", root, img, "4M"])
    return img


def bundle(tmp, img, out, compatible="motcua-rpi4-arm64", version="2.0", keydir=None):
    run([MAKE_BUNDLE, "--keydir", keydir or os.path.join(tmp, "keys"), "--compatible", compatible,
         "--version", version, img, os.path.join(tmp, out)])
    return os.path.join(tmp, out)


def main():
    if os.geteuid() != 0:
        print("SKIP: RAUC mounts bundles on loop devices: run as root")
        sys.exit(77)
    for tool in ("rauc", "dbus-daemon", "mkfs.ext4", "mksquashfs", "openssl"):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            fail(f"{tool} is missing: tools/dev.sh deps installs it (tools/deps/pkg.txt)")
    with tempfile.TemporaryDirectory(prefix="mc-rauc-") as tmp:
        k = Kiosk(tmp)
        try:
            scenario(tmp, k)
        finally:
            k.stop_rauc()
            for p in procs:
                if p.poll() is None:
                    p.terminate()
                    try:
                        p.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        p.kill()
            # Nothing of RAUC's may stay mounted under the temp dir.
            for line in open("/proc/self/mounts"):
                mnt = line.split()[1]
                if mnt.startswith(tmp):
                    subprocess.run(["umount", "-l", mnt])
    print("ok: RAUC install, refusals, mark-good by kioskd, rollback", flush=True)


def scenario(tmp, k):
    v2 = make_image(tmp, "v2", "2.0")
    v3 = make_image(tmp, "v3", "3.0")
    good = bundle(tmp, v2, "good.raucb")
    foreign = bundle(tmp, v2, "foreign.raucb", keydir=os.path.join(tmp, "foreign-keys"))
    wrong = bundle(tmp, v2, "wrong-compatible.raucb", compatible="other-vendor-board")
    if not os.path.exists(k.keyring):
        fail("make-bundle.sh made no development certificate")

    k.start_bus()
    if k.power_on() != "A":
        fail("factory boot is not A")
    blank = sha(k.slot["rootfs-b"])

    # kioskctl diag reads the slots over the same bus.
    r = run([KIOSKCTL, "diag", "--json", "--socket", os.path.join(tmp, "none.sock"),
             "--state-dir", tmp], env=k.env, ok=False)
    diag = json.loads(r.stdout)
    if not diag["slots"]["ok"] or "booted A" not in diag["slots"]["text"]:
        fail(f"diag slots: {diag['slots']}")
    if diag["kioskd"]["ok"]:
        fail("diag says kioskd is fine with no kioskd running")

    # Refusals: nothing written.
    r = k.update(foreign)
    if r.returncode != 1 or "Chữ ký" not in r.stderr or "signature" not in r.stderr:
        fail(f"foreign signature not refused clearly: rc={r.returncode}\n{r.stdout}\n{r.stderr}")
    print("refused foreign signature:", r.stderr.strip(), flush=True)
    r = k.update(wrong)
    if r.returncode != 1 or "loại máy khác" not in r.stderr or "other-vendor-board" not in r.stderr:
        fail(f"wrong compatible not refused clearly: rc={r.returncode}\n{r.stdout}\n{r.stderr}")
    print("refused wrong compatible:", r.stderr.strip(), flush=True)
    # RAUC itself refuses it too, not only kioskctl's early check.
    r = run(["rauc", "--conf=" + k.conf, "install", wrong], env=k.env, ok=False)
    if r.returncode == 0 or "ompatible" not in (r.stdout + r.stderr):
        fail(f"rauc install accepted a wrong compatible: {r.stdout}{r.stderr}")
    if sha(k.slot["rootfs-b"]) != blank:
        fail("a refused bundle wrote to slot B")

    # A good bundle: progress to 100 %, written to B, B tried next.
    r = k.update(good)
    if r.returncode != 0:
        fail(f"good bundle not installed: {r.stdout}\n{r.stderr}")
    if "100%" not in r.stdout or "[####" not in r.stdout:
        fail(f"no progress bar: {r.stdout}")
    print(r.stdout, flush=True)
    if sha(k.slot["rootfs-b"], os.path.getsize(v2)) != sha(v2):
        fail("slot B does not hold the new root image")
    if k.autoboot_part("[tryboot]") != 3 or k.autoboot_part("[all]") != 2:
        fail("install did not arm a one-shot tryboot of B")
    print("installed v2 into B with progress", flush=True)

    # Tryboot into B; kioskd checks its health and marks B good.
    if k.power_on(tryboot=True) != "B":
        fail("tryboot did not boot B")
    state = os.path.join(tmp, "state")
    sock = os.path.join(tmp, "kioskd.sock")
    env = dict(k.env, MOTCUA_HEALTH_DELAY_MS="300")
    # The kiosk of this test has no hardware (a configured printer must
    # answer before the slot is marked good).
    board = BOARD
    text = open(BOARD).read()
    kd = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", state, "--socket", sock],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    procs.append(kd)
    upd = None
    for _ in range(300):
        if os.path.exists(sock):
            r = run([KIOSKCTL, "status", "--json", "--socket", sock], ok=False)
            if r.returncode == 0:
                upd = json.loads(r.stdout).get("update", {})
                if upd.get("state") not in ("pending", "asking"):
                    break
        time.sleep(0.1)
    if not upd or upd.get("state") != "marked-good" or "rootfs.1" not in upd.get("text", ""):
        fail(f"kioskd did not mark the booted slot good: {upd}")
    # The trial boot's watch (motcua-trial-watch, started by the generator on
    # a trial boot) sees the slot marked good and ends without a reboot.
    marker = os.path.join(tmp, "watch-rebooted")
    r = run([os.path.join(SRC, "tools/pkg/motcua-trial-watch")],
            env=dict(k.env, MOTCUA_SOCKET=sock, MOTCUA_KIOSKCTL=KIOSKCTL, MOTCUA_TRIAL_POLL="1",
                     MOTCUA_TRIAL_DEADLINE="30", MOTCUA_TRIAL_REBOOT="/usr/bin/touch " + marker),
            ok=False, timeout=60)
    if r.returncode != 0 or os.path.exists(marker) or "marked this slot good" not in r.stdout:
        fail(f"the trial watch did not end quietly on a slot marked good: {r.returncode} {r.stdout}{r.stderr}")
    print("trial watch:", r.stdout.strip().splitlines()[-1], flush=True)
    st = k.status()
    if k.slot_state(st, "rootfs.1").get("boot_status") != "good":
        fail(f"RAUC does not show rootfs.1 good: {st}")
    if k.autoboot_part("[all]") != 3:
        fail("marking good did not commit B in autoboot.txt")
    r = run([KIOSKCTL, "diag", "--json", "--socket", sock, "--state-dir", state], env=k.env, ok=False)
    diag = json.loads(r.stdout)
    if not diag["database"]["ok"] or "integrity_check ok" not in diag["database"]["text"]:
        fail(f"diag database: {diag['database']}")
    if "booted B" not in diag["slots"]["text"]:
        fail(f"diag slots after update: {diag['slots']}")
    kd.terminate()
    if kd.wait(timeout=20) != 0:
        fail(f"kioskd exited with {kd.returncode}: {kd.stderr.read()}")
    print("kioskd marked B good:", upd["text"], flush=True)

    # An ordinary reboot keeps B.
    if k.power_on() != "B":
        fail("B was not kept after being marked good")

    # A broken update, v3, found on a USB stick by kioskd (as the technician
    # screen does) next to a foreign and a wrong-compatible bundle, and
    # installed through kioskd's control socket with streamed progress.
    media = os.path.join(tmp, "media", "USB")
    os.makedirs(media)
    bad = bundle(tmp, v3, "v3.raucb", version="3.0")
    for b in (bad, foreign, wrong):
        shutil.copy(b, media)
    env_media = dict(env, MOTCUA_MEDIA_DIRS=media)
    kd = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", state, "--socket", sock],
                          env=env_media, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    procs.append(kd)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    found = ctl_stream(sock, {"cmd": "update-find"})[-1]
    by_name = {os.path.basename(b["path"]): b for b in found.get("bundles", [])}
    if set(by_name) != {"v3.raucb", "foreign.raucb", "wrong-compatible.raucb"}:
        fail(f"update-find: {found}")
    if not by_name["v3.raucb"]["installable"] or by_name["v3.raucb"]["version"] != "3.0":
        fail(f"v3 should be installable: {by_name['v3.raucb']}")
    if by_name["foreign.raucb"]["installable"] or "chữ ký" not in by_name["foreign.raucb"]["why"]:
        fail(f"foreign bundle offered: {by_name['foreign.raucb']}")
    w = by_name["wrong-compatible.raucb"]
    if w["installable"] or "loại máy khác" not in w["why"]:
        fail(f"wrong-compatible bundle offered: {w}")
    msgs = ctl_stream(sock, {"cmd": "update-install", "bundle": os.path.join(media, "foreign.raucb")})
    if msgs[-1].get("ok") or msgs[-1].get("error") != "update_refused" or "Chữ ký" not in msgs[-1]["message"]:
        fail(f"kioskd installed a foreign bundle: {msgs[-1]}")
    msgs = ctl_stream(sock, {"cmd": "update-install", "bundle": os.path.join(media, "v3.raucb")})
    progress = [m["progress"] for m in msgs if "progress" in m]
    if not msgs[-1].get("ok") or not progress or progress[-1] != 100 or progress != sorted(progress):
        fail(f"update-install v3: {msgs}")
    kd.terminate()
    if kd.wait(timeout=20) != 0:
        fail(f"kioskd exited with {kd.returncode}: {kd.stderr.read()}")
    if sha(k.slot["rootfs-a"], os.path.getsize(v3)) != sha(v3):
        fail("slot A does not hold v3")
    print(f"kioskd found and installed v3 from the stick ({len(progress)} progress reports)", flush=True)

    # v3 is tried once and never marked good: its kioskd cannot start (here:
    # the board.conf it brings is one it rejects); the next ordinary reboot
    # (the watchdog's) is B again.
    if k.power_on(tryboot=True) != "A":
        fail("tryboot did not boot the new A")
    broken = os.path.join(tmp, "broken-board.conf")
    with open(broken, "w") as f:
        f.write(text + "\n[office]\nopening_soon = yes\n")
    r = run([KIOSKD, "--board", broken, "--state-dir", state, "--socket", sock], env=env, ok=False,
            timeout=30)
    if r.returncode != 78:
        fail(f"the broken system's kioskd should stop with 78: {r.returncode} {r.stderr}")
    st = k.status()
    if k.slot_state(st, "rootfs.0").get("boot_status") == "good":
        fail(f"the tried slot A is good although nothing marked it: {st}")
    if k.power_on() != "B":
        fail("no rollback: the unmarked A was booted again")
    st = k.status()
    if st.get("booted") != "B" or k.slot_state(st, "rootfs.0").get("boot_status") != "bad":
        fail(f"after rollback RAUC should show B booted and A bad: {st}")
    if k.slot_state(st, "rootfs.1").get("boot_status") != "good":
        fail(f"B lost its good state: {st}")
    print("rolled back to B after A was never marked good", flush=True)

    # Without a RAUC service on the bus kioskd skips marking quietly.
    k.stop_rauc()
    kd = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", state, "--socket", sock],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    procs.append(kd)
    upd = None
    for _ in range(300):
        if os.path.exists(sock):
            r = run([KIOSKCTL, "status", "--json", "--socket", sock], ok=False)
            if r.returncode == 0:
                upd = json.loads(r.stdout).get("update", {})
                if upd.get("state") not in ("pending", "asking"):
                    break
        time.sleep(0.1)
    kd.terminate()
    if kd.wait(timeout=20) != 0:
        fail(f"kioskd exited with {kd.returncode}: {kd.stderr.read()}")
    if not upd or upd.get("state") != "skipped":
        fail(f"without RAUC kioskd should skip marking: {upd}")
    loud = [l for l in kd.stderr.read().splitlines()
            if ("RAUC" in l or "mark" in l) and l.lower().startswith(("error", "warning"))]
    if loud:
        fail(f"skipping was not quiet: {loud}")


main()
