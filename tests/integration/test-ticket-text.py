#!/usr/bin/python3
"""test-ticket-text.py — what a ticket says (issue 14, item 9), read back
by tesseract (vie) from the tickets kioskd printed to a file: printer:

  * nobody ahead: "Không phải chờ", never "khoảng 0 phút";
  * one register, the office's own ([printer] address), where the ticket
    addresses the citizen;
  * the desk's name as a second header line ([printer] desk);
  * "Phiếu chỉ có giá trị trong ngày" and what to do when one's number was
    passed ([printer] valid_today, missed_note);
  * `kioskctl printer reprint NUMBER` prints that number again, marked as
    a reprint; an unknown number is refused.

Usage: test-ticket-text.py KIOSKD KIOSKCTL"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata

KIOSKD, KIOSKCTL = sys.argv[1:3]
TMP = tempfile.mkdtemp(prefix="mc-ticket-text-")


def fail(msg):
    print("FAIL:", msg, flush=True)
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok -", msg, flush=True)


BOARD = """
[office]
clock = trust
name = UBND phường Bách Khoa
timezone = Asia/Ho_Chi_Minh
hours = mon-sun 00:00-24:00
double_tap = 0

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999

[counter.1]
services = civil

[printer]
device = file:%s
width = 576
desk = Bộ phận Một cửa
address = quý khách
valid_today = yes
missed_note = yes
"""


def req(sock, obj):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(30)
        s.connect(sock)
        s.sendall((json.dumps(obj) + "\n").encode())
        return json.loads(s.makefile().readline())


def ocr(png):
    out = os.path.join(TMP, "ocr")
    subprocess.run(["tesseract", png, out, "-l", "vie"], check=True, capture_output=True)
    with open(out + ".txt", encoding="utf-8") as f:
        text = unicodedata.normalize("NFC", f.read())
    return " ".join(text.split())


def wait_png(d, n):
    path = os.path.join(d, "ticket-%06d.png" % n)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if os.path.exists(path):
            time.sleep(0.2)
            return path
        time.sleep(0.05)
    fail("no ticket %d printed" % n)


def main():
    out = os.path.join(TMP, "paper")
    os.makedirs(out)
    board = os.path.join(TMP, "board.conf")
    with open(board, "w") as f:
        f.write(BOARD % out)
    sock = os.path.join(TMP, "k.sock")
    log = open(os.path.join(TMP, "kioskd.log"), "w")
    k = subprocess.Popen([KIOSKD, "--board", board, "--state-dir", os.path.join(TMP, "state"),
                          "--socket", sock], stdout=log, stderr=log)
    env = dict(os.environ, MOTCUA_SOCKET=sock)
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                req(sock, {"cmd": "status"})
                break
            except OSError:
                time.sleep(0.05)
        a = req(sock, {"cmd": "press", "service": "civil", "source": "t1"})
        check(a["ok"] and a["label"] == "1001", "first press gives 1001")
        t1 = ocr(wait_png(out, 1))
        print("OCR 1:", t1)
        check("Không phải chờ" in t1, "nobody ahead: the ticket says Không phải chờ")
        check("khoảng 0" not in t1 and "0 phút" not in t1, "and never 'khoảng 0 phút'")
        check("Bộ phận Một cửa" in t1, "the desk's name is the second header line")
        check("giá trị trong ngày" in t1, "valid-today line printed")
        check("quý khách vui lòng" in t1, "what to do when one's number was passed, in the office's register")
        check("bạn" not in t1 and "quý công dân" not in t1, "one register: no 'bạn', no other term of address")

        b = req(sock, {"cmd": "press", "service": "civil", "source": "t2"})
        check(b["ok"] and b["label"] == "1002", "second press gives 1002")
        t2 = ocr(wait_png(out, 2))
        print("OCR 2:", t2)
        check("trước quý khách: 1" in t2, "one person ahead, said in the office's register")
        check("Không phải chờ" not in t2, "someone ahead: no 'Không phải chờ'")

        r = subprocess.run([KIOSKCTL, "printer", "reprint", "1001"], env=env, capture_output=True, text=True,
                           timeout=30)
        check(r.returncode == 0, "kioskctl printer reprint 1001 succeeds: " + r.stdout + r.stderr)
        t3 = ocr(wait_png(out, 3))
        print("OCR 3:", t3)
        check("REPRINT" in t3 or "IN LẠI" in t3, "the reprint is marked as a reprint")
        check("1001" in t3, "the reprint carries the lost number 1001")
        tickets = req(sock, {"cmd": "tickets"})["tickets"]
        check(len(tickets) == 2, "a reprint issues no new number (%d tickets)" % len(tickets))
        r = subprocess.run([KIOSKCTL, "printer", "reprint", "1500"], env=env, capture_output=True, text=True,
                           timeout=30)
        check(r.returncode != 0 and "không có số này" in (r.stdout + r.stderr),
              "an unknown number is refused: " + (r.stdout + r.stderr).strip())
    finally:
        k.terminate()
        k.wait(timeout=10)
        log.close()
    shutil.rmtree(TMP, ignore_errors=True)


main()
