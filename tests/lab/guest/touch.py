#!/usr/bin/python3
"""touch.py WIDTH HEIGHT — a touchscreen made by the kernel: a uinput device
with the events and properties of a multitouch panel (direct input, MT
slots, BTN_TOUCH, ABS_X/Y from 0 to WIDTH-1 and HEIGHT-1), so udev marks it
ID_INPUT_TOUCHSCREEN and SDL's evdev code reads it as a touch device.

Writes /run/lab-touch.ready once the device exists; then taps where it is
told: a file /run/lab-touch.cmd holding "X Y" (pixels) is read, removed,
and played as a finger down, 80 ms, finger up. Runs until killed."""

import fcntl
import os
import struct
import sys
import time

W, H = int(sys.argv[1]), int(sys.argv[2])

# linux/uinput.h and linux/input-event-codes.h
UI_DEV_CREATE = 0x5501
UI_SET_EVBIT, UI_SET_KEYBIT, UI_SET_ABSBIT, UI_SET_PROPBIT = 0x40045564, 0x40045565, 0x40045567, 0x4004556E
EV_SYN, EV_KEY, EV_ABS = 0, 1, 3
SYN_REPORT = 0
BTN_TOUCH = 0x14A
ABS_X, ABS_Y = 0, 1
ABS_MT_SLOT, ABS_MT_POSITION_X, ABS_MT_POSITION_Y, ABS_MT_TRACKING_ID = 0x2F, 0x35, 0x36, 0x39
INPUT_PROP_DIRECT = 1
ABS_CNT = 64

fd = os.open("/dev/uinput", os.O_WRONLY | os.O_NONBLOCK)
fcntl.ioctl(fd, UI_SET_EVBIT, EV_KEY)
fcntl.ioctl(fd, UI_SET_EVBIT, EV_ABS)
fcntl.ioctl(fd, UI_SET_KEYBIT, BTN_TOUCH)
fcntl.ioctl(fd, UI_SET_PROPBIT, INPUT_PROP_DIRECT)
absmax = [0] * ABS_CNT
for code, top in ((ABS_X, W - 1), (ABS_Y, H - 1), (ABS_MT_SLOT, 9), (ABS_MT_POSITION_X, W - 1),
                  (ABS_MT_POSITION_Y, H - 1), (ABS_MT_TRACKING_ID, 65535)):
    fcntl.ioctl(fd, UI_SET_ABSBIT, code)
    absmax[code] = top
# struct uinput_user_dev: name[80], input_id (bustype, vendor, product,
# version), ff_effects_max, absmax[64], absmin[64], absfuzz[64], absflat[64].
dev = struct.pack("80sHHHHI", b"motcua lab touchscreen", 0x03, 0x0EEF, 0x0001, 1, 0)
dev += struct.pack("%di" % ABS_CNT, *absmax) + bytes(4 * ABS_CNT * 3)
os.write(fd, dev)
fcntl.ioctl(fd, UI_DEV_CREATE)


def emit(*events):
    now = time.time()
    sec, usec = int(now), int((now % 1) * 1e6)
    for t, c, v in events + ((EV_SYN, SYN_REPORT, 0),):
        os.write(fd, struct.pack("llHHi", sec, usec, t, c, v))


def tap(x, y):
    emit((EV_ABS, ABS_MT_SLOT, 0), (EV_ABS, ABS_MT_TRACKING_ID, 1), (EV_ABS, ABS_MT_POSITION_X, x),
         (EV_ABS, ABS_MT_POSITION_Y, y), (EV_KEY, BTN_TOUCH, 1), (EV_ABS, ABS_X, x), (EV_ABS, ABS_Y, y))
    time.sleep(0.08)
    emit((EV_ABS, ABS_MT_TRACKING_ID, -1), (EV_KEY, BTN_TOUCH, 0))


time.sleep(0.5)  # udev's rules for the new device
open("/run/lab-touch.ready", "w").close()
CMD = "/run/lab-touch.cmd"
while True:
    try:
        with open(CMD) as f:
            x, y = (int(v) for v in f.read().split())
        os.unlink(CMD)
    except (FileNotFoundError, ValueError):
        time.sleep(0.1)
        continue
    tap(x, y)
    print("tapped", x, y, flush=True)
