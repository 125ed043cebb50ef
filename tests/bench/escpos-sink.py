#!/usr/bin/python3
"""escpos-sink.py — a network ESC/POS printer for benchmarks, run as its own
process on loopback. Accepts connections on port 9100's protocol, answers
DLE EOT n at once with "ready" (0x12) as a printer's real-time status does,
skips raster blocks (GS v 0) whole, and for every job notes when its last
byte — the cut, GS V — arrived (CLOCK_MONOTONIC, the clock kioskd and the
benchmark read), one line per job on the log file: "MONO_NS BYTES".

--rate BYTES_PER_S reads no faster than that (a slower printer: a thermal
head at 80 mm takes about 40 KB/s); the status replies then wait behind
the unread job, as they do over TCP.

Prints its port on stdout, then serves until killed.

Usage: escpos-sink.py --log FILE [--rate N]"""

import argparse
import socket
import sys
import threading
import time


def serve(c, log, lock, rate):
    buf = b""
    skip = 0
    nbytes = 0
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = c.recv(4096 if rate else 65536)
        if not data:
            c.close()
            return
        if rate:
            time.sleep(len(data) / rate)
        buf += data
        replies = 0
        i = 0
        while i < len(buf):
            b = buf[i]
            if skip:
                n = min(skip, len(buf) - i)
                skip -= n
                nbytes += n
                i += n
            elif b == 0x1D and i + 1 < len(buf) and buf[i + 1] == 0x76:
                if i + 8 > len(buf):
                    break
                skip = (buf[i + 4] + 256 * buf[i + 5]) * (buf[i + 6] + 256 * buf[i + 7])
                nbytes += 8
                i += 8
            elif b == 0x1D and i + 1 < len(buf) and buf[i + 1] == 0x56:
                if i + 4 > len(buf):
                    break
                nbytes += 4
                i += 4
                t = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
                with lock:
                    log.write("%d %d\n" % (t, nbytes))
                    log.flush()
                nbytes = 0
            elif b == 0x10 and i + 1 < len(buf) and buf[i + 1] == 0x04:
                if i + 3 > len(buf):
                    break
                replies += 1
                i += 3
            elif b == 0x10 and i + 1 >= len(buf):
                break
            else:
                nbytes += 1
                i += 1
        buf = buf[i:]
        if replies:
            c.sendall(bytes([0x12] * replies))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--rate", type=float, default=0)
    a = ap.parse_args()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    log = open(a.log, "a")
    lock = threading.Lock()
    print(s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, log, lock, a.rate), daemon=True).start()


main()
