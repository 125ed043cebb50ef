#!/usr/bin/python3
"""gadget-printer.py — plays a thermal printer on the gadget side of the
lab's USB printer (/dev/g_printer0): what the host sends on bulk OUT is
decoded as ESC/POS by the project's own virtual printer (vprinter.Job: raster,
cut, DLE EOT real-time status), each ticket is saved under /run/lab-printer/,
and status queries are answered on bulk IN with the state it is told.

Control: a UNIX socket /run/lab-printer.sock, one command per line:
  state ready|near_end|out|cover_open|silent
  count                 tickets saved so far
  queries               DLE EOT queries seen so far
  wait COUNT SECONDS    until COUNT tickets are saved (answers the count)
  last                  the last ticket's decoded JSON"""

import json
import os
import select
import socket
import sys
import threading
import time

sys.path.insert(0, "/usr/lib/motcua-lab")
import vprinter  # noqa: E402

DEV = "/dev/g_printer0"
OUT = "/run/lab-printer"


class Port:
    """The bulk IN side: replies go back to the host through write()."""

    def __init__(self):
        self.fd = -1

    def sendall(self, data):
        # The device is non-blocking: wait (up to 2 s) for room in the
        # gadget's IN queue instead of dropping a status reply.
        end = time.monotonic() + 2.0
        while data and self.fd >= 0 and time.monotonic() < end:
            try:
                n = os.write(self.fd, data)
                data = data[n:]
            except BlockingIOError:
                select.select([], [self.fd], [], 0.1)
            except OSError:
                return


def serve_device(printer, port, stats):
    job = vprinter.Job(printer)
    while True:
        if port.fd < 0:
            try:
                port.fd = os.open(DEV, os.O_RDWR | os.O_NONBLOCK)
                job = vprinter.Job(printer)
            except OSError:
                time.sleep(0.2)
                continue
        try:
            r, _, _ = select.select([port.fd], [], [], 1.0)
            if not r:
                continue
            data = os.read(port.fd, 4096)
        except BlockingIOError:
            continue
        except OSError:
            # Unplugged (the UDC unbound): drop the partial job, reopen.
            job.finish(aborted=True)
            os.close(port.fd)
            port.fd = -1
            time.sleep(0.2)
            continue
        if not data:
            time.sleep(0.05)
            continue
        before = job.queries
        job.feed(data, port)
        with printer.lock:
            stats["queries"] += job.queries - before if job.queries >= before else job.queries


def control(printer, stats):
    path = "/run/lab-printer.sock"
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=client, args=(printer, stats, conn), daemon=True).start()


def client(p, stats, conn):
    f = conn.makefile("rw", buffering=1)
    for line in f:
        w = line.split()
        if not w:
            continue
        ans = "error unknown command"
        if w[0] == "state" and len(w) == 2:
            with p.lock:
                p.state = w[1]
            ans = "ok"
        elif w[0] == "count":
            ans = "ok %d" % p.count
        elif w[0] == "queries":
            ans = "ok %d" % stats["queries"]
        elif w[0] == "wait" and len(w) == 3:
            end = time.monotonic() + float(w[2])
            with p.lock:
                while p.count < int(w[1]) and time.monotonic() < end:
                    p.lock.wait(0.2)
                ans = "ok %d" % p.count
        elif w[0] == "last":
            path = os.path.join(OUT, "ticket-%04d.json" % p.count)
            ans = "ok " + (open(path).read().strip() if p.count else "{}")
        f.write(ans + "\n")
        f.flush()
    conn.close()


def main():
    p = vprinter.Printer(OUT, "ready")
    stats = {"queries": 0}
    port = Port()
    threading.Thread(target=serve_device, args=(p, port, stats), daemon=True).start()
    control(p, stats)


if __name__ == "__main__":
    main()
