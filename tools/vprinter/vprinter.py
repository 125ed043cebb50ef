#!/usr/bin/python3
"""vprinter.py — a virtual ESC/POS network printer (port 9100 style) for
tests and the simulator.

It listens on TCP, decodes ESC/POS (ESC @, GS ( D, GS v 0 raster, ESC d,
GS V cut, DLE EOT status), saves each ticket as DIR/ticket-NNNN.png (what
the paper would show), DIR/ticket-NNNN.bin (the exact bytes) and
DIR/ticket-NNNN.json (what was decoded), and answers DLE EOT n with the
state it is told. A control port takes one command per line and answers
"ok ..." or "error ...":

  state ready|near_end|out|cover_open|silent|zeros|partial
                        what status queries answer (silent: no answer at
                        all; zeros: 0x00, not a status byte, to every query;
                        partial: ready to queries 1 and 4, nothing to 2, 3)
  echo on|off           send back every byte received (as some serial-to-
                        network adapters do), 50 ms late, and status
                        replies after the echo of their query
  queries               status queries received so far, per n: "ok Q1 Q2 Q3 Q4"
  stall on|off          stop reading data (the sender's writes block)
  reset_after N         the next job's connection is reset after N bytes
  out_after N           paper runs out after N bytes of the next job
  after_job reset|stall|off   once the next ticket is in full (cut seen):
                        reset the connection, or stop reading and stop
                        answering status (until "stall off")
  refuse on|off         close the listening socket (connections refused)
  count                 tickets saved so far
  wait COUNT SECONDS    waits until COUNT tickets are saved (or times out)
  connections           connections accepted so far
  quit                  stop

Usage: vprinter.py --out DIR [--port N] [--control-port N] [--state S]
It prints "PORT CONTROL_PORT" on its first line of stdout when ready.
Needs only Python's standard library (Debian's /usr/bin/python3)."""

import argparse
import json
import os
import socket
import struct
import sys
import threading
import time
import zlib


def write_png(path, width, rows):
    """Writes 1-bit rows (bytes, MSB left, 1 = black) as a grayscale PNG."""
    stride = (width + 7) // 8
    raw = bytearray()
    for r in rows or [bytes(stride)]:
        raw.append(0)
        raw.extend(bytes((~b) & 0xFF for b in r[:stride].ljust(stride, b"\0")))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    head = struct.pack(">IIBBBBB", width, max(1, len(rows)), 1, 0, 0, 0, 0)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) +
                chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b""))
    os.replace(tmp, path)


STATUS = {  # state -> replies to DLE EOT 1..4
    "ready": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "near_end": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
    "out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    "zeros": {1: 0x00, 2: 0x00, 3: 0x00, 4: 0x00},
    "partial": {1: 0x12, 4: 0x12},
}


class Printer:
    def __init__(self, out, state):
        self.out = out
        self.state = state
        self.lock = threading.Condition()
        self.stall = False
        self.reset_after = None
        self.out_after = None
        self.after_job = None
        self.count = 0
        self.connections = 0
        self.echo = False
        self.queries = {1: 0, 2: 0, 3: 0, 4: 0}
        self.listener = None
        self.port = 0
        os.makedirs(out, exist_ok=True)

    # ---- listening ----
    def listen(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A small window, like a real printer's buffer: a stalled printer
        # makes the sender's writes block.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("127.0.0.1", port))
        s.listen(4)
        self.listener = s
        self.port = s.getsockname()[1]

    def serve(self):
        while True:
            s = self.listener
            if s is None:
                time.sleep(0.05)
                continue
            try:
                conn, _ = s.accept()
            except OSError:
                time.sleep(0.05)
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections += 1
            try:
                self.handle(conn)
            except OSError:
                pass
            finally:
                conn.close()

    # ---- one connection ----
    def handle(self, conn):
        with self.lock:
            echo = self.echo
        job = Job(self)
        job.late = Late(conn) if echo else None
        received = 0
        conn.settimeout(0.1)
        while True:
            with self.lock:
                stall = self.stall
            if stall:
                time.sleep(0.05)
                continue
            try:
                data = conn.recv(4096)
            except socket.timeout:
                continue
            if not data:
                break
            with self.lock:
                ra, oa = self.reset_after, self.out_after
            if ra is not None and received + len(data) >= ra:
                with self.lock:
                    self.reset_after = None
                job.feed(data[: max(0, ra - received)], conn)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                job.finish(aborted=True)
                return
            if oa is not None and received + len(data) >= oa:
                cut = max(0, oa - received)
                job.feed(data[:cut], conn)
                with self.lock:
                    self.out_after = None
                    self.state = "out"
                job.paper_out = True
                job.feed(data[cut:], conn)
            else:
                if job.late:
                    job.late.send(data)
                with self.lock:
                    before = self.count
                job.feed(data, conn)
                with self.lock:
                    aj = self.after_job if self.count > before else None
                    if aj:
                        self.after_job = None
                        if aj == "stall":
                            self.stall = True
                if aj == "reset":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
            received += len(data)
        if job.late:
            job.late.close()
        job.finish(aborted=False)

    def save(self, job, aborted):
        # One connection at a time: only this thread writes tickets. The
        # count goes up only once the files are complete.
        with self.lock:
            n = self.count + 1
        base = os.path.join(self.out, "ticket-%04d" % n)
        with open(base + ".bin", "wb") as f:
            f.write(bytes(job.raw))
        write_png(base + ".png", job.width or 8, job.rows)
        with open(base + ".json", "w") as f:
            json.dump({"width": job.width, "height": len(job.rows), "garbage": job.garbage,
                       "feeds": job.feeds, "cut": job.cut, "init": job.inits,
                       "aborted": aborted, "paper_out": job.paper_out,
                       "status_queries": job.queries}, f)
        with self.lock:
            self.count = n
            self.lock.notify_all()


class Late:
    """Sends bytes on conn 50 ms after they are given, in order (an
    echoing adapter's latency)."""

    def __init__(self, conn):
        self.conn = conn
        self.q = []
        self.cv = threading.Condition()
        self.done = False
        threading.Thread(target=self.run, daemon=True).start()

    def send(self, data):
        with self.cv:
            self.q.append((time.monotonic() + 0.05, bytes(data)))
            self.cv.notify()

    def close(self):
        with self.cv:
            self.done = True
            self.cv.notify()

    def run(self):
        while True:
            with self.cv:
                while not self.q and not self.done:
                    self.cv.wait()
                if not self.q:
                    return
                when, data = self.q.pop(0)
            time.sleep(max(0.0, when - time.monotonic()))
            try:
                self.conn.sendall(data)
            except OSError:
                return


class Job:
    """Decodes the byte stream of one connection into tickets."""

    def __init__(self, printer):
        self.p = printer
        self.late = None
        self.buf = bytearray()
        self.reset()

    def reset(self):
        self.raw = bytearray()
        self.rows = []
        self.width = 0
        self.garbage = 0
        self.feeds = 0
        self.cut = None
        self.inits = 0
        self.queries = 0
        self.paper_out = False

    def reply(self, conn, n):
        with self.p.lock:
            st = self.p.state
        if n in (1, 2, 3, 4):
            with self.p.lock:
                self.p.queries[n] += 1
        if st == "silent" or n not in STATUS[st]:
            return
        if self.late:
            self.late.send(bytes([STATUS[st][n]]))
            return
        try:
            conn.sendall(bytes([STATUS[st][n]]))
        except OSError:
            pass

    def feed(self, data, conn):
        self.buf.extend(data)
        b = self.buf
        i = 0
        while i < len(b):
            c = b[i]
            need = None
            if c == 0x10 and i + 1 < len(b) and b[i + 1] == 0x04:
                if i + 2 >= len(b):
                    break
                self.queries += 1
                self.reply(conn, b[i + 2])
                i += 3
                continue  # real-time: not part of the ticket's bytes
            start = i
            if c == 0x1B:
                if i + 1 >= len(b):
                    break
                if b[i + 1] == 0x40:
                    self.inits += 1
                    need = 2
                elif b[i + 1] == 0x64:
                    if i + 2 >= len(b):
                        break
                    self.feeds += b[i + 2]
                    need = 3
                else:
                    self.garbage += 1
                    need = 1
            elif c == 0x1D:
                if i + 1 >= len(b):
                    break
                k = b[i + 1]
                if k == 0x28:  # GS ( x pL pH data
                    if i + 4 >= len(b):
                        break
                    ln = b[i + 3] | (b[i + 4] << 8)
                    if i + 5 + ln > len(b):
                        break
                    need = 5 + ln
                elif k == 0x76:  # GS v 0 m xL xH yL yH data
                    if i + 7 >= len(b):
                        break
                    xb = b[i + 4] | (b[i + 5] << 8)
                    yr = b[i + 6] | (b[i + 7] << 8)
                    if i + 8 + xb * yr > len(b):
                        break
                    if not self.paper_out:
                        self.width = max(self.width, xb * 8)
                        for r in range(yr):
                            o = i + 8 + r * xb
                            self.rows.append(bytes(b[o:o + xb]))
                    need = 8 + xb * yr
                elif k == 0x56:  # GS V m [n]
                    if i + 2 >= len(b):
                        break
                    m = b[i + 2]
                    if m in (0x41, 0x42, 65, 66):
                        if i + 3 >= len(b):
                            break
                        need = 4
                    else:
                        need = 3
                    self.cut = "full" if m in (0, 48, 0x41) else "partial"
                elif k == 0x61:  # GS a n
                    if i + 2 >= len(b):
                        break
                    need = 3
                else:
                    self.garbage += 1
                    need = 1
            else:
                self.garbage += 1
                need = 1
            self.raw.extend(b[start:start + need])
            i += need
            if self.cut is not None and b[start] == 0x1D and b[start + 1] == 0x56:
                if not self.paper_out:
                    self.p.save(self, aborted=False)
                self.reset()
        del self.buf[:i]

    def finish(self, aborted):
        if self.rows or self.raw.strip(b"\x1b@"):
            if not self.paper_out:
                self.p.save(self, aborted=True if aborted else self.cut is None)


def control(printer, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4)
    return s


def serve_control(printer, s, data_port):
    while True:
        conn, _ = s.accept()
        threading.Thread(target=control_conn, args=(printer, conn, data_port), daemon=True).start()


def control_conn(p, conn, data_port):
    f = conn.makefile("rw", buffering=1)
    for line in f:
        w = line.split()
        if not w:
            continue
        try:
            ans = command(p, w, data_port)
        except (ValueError, IndexError) as e:
            ans = "error %s" % e
        f.write(ans + "\n")
        f.flush()
        if w[0] == "quit":
            os._exit(0)


def command(p, w, data_port):
    cmd = w[0]
    with p.lock:
        if cmd == "state":
            if w[1] not in STATUS and w[1] != "silent":
                return "error unknown state %s" % w[1]
            p.state = w[1]
        elif cmd == "stall":
            p.stall = w[1] == "on"
        elif cmd == "reset_after":
            p.reset_after = int(w[1])
        elif cmd == "out_after":
            p.out_after = int(w[1])
        elif cmd == "after_job":
            p.after_job = None if w[1] == "off" else w[1]
        elif cmd == "count":
            return "ok %d" % p.count
        elif cmd == "echo":
            p.echo = w[1] == "on"
        elif cmd == "queries":
            return "ok %d %d %d %d" % tuple(p.queries[n] for n in (1, 2, 3, 4))
        elif cmd == "connections":
            return "ok %d" % p.connections
        elif cmd == "wait":
            want, end = int(w[1]), time.monotonic() + float(w[2])
            while p.count < want and time.monotonic() < end:
                p.lock.wait(0.05)
            return "ok %d" % p.count
        elif cmd == "refuse":
            if w[1] == "on" and p.listener:
                try:
                    p.listener.shutdown(socket.SHUT_RDWR)  # stops listening now
                except OSError:
                    pass
                p.listener.close()
                p.listener = None
            elif w[1] == "off" and not p.listener:
                p.listen(data_port)
        elif cmd == "quit":
            return "ok"
        else:
            return "error unknown command %s" % cmd
    return "ok"


def main():
    ap = argparse.ArgumentParser(description="virtual ESC/POS network printer")
    ap.add_argument("--out", required=True, help="directory for tickets")
    ap.add_argument("--port", type=int, default=0, help="data port (0: any free)")
    ap.add_argument("--control-port", type=int, default=0, help="control port (0: any free)")
    ap.add_argument("--state", default="ready", help="initial state")
    a = ap.parse_args()
    p = Printer(a.out, a.state)
    p.listen(a.port)
    c = control(p, a.control_port)
    print("%d %d" % (p.port, c.getsockname()[1]), flush=True)
    threading.Thread(target=serve_control, args=(p, c, p.port), daemon=True).start()
    try:
        p.serve()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
