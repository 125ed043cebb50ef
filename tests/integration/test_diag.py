#!/usr/bin/python3
"""test_diag.py — `kioskctl diag` for a technician (issue 14 item 12):

- the restart line: systemd's NRestarts of motcua-kioskd.service when that
  unit's MainPID is the kioskd that answered ("systemd đã khởi động lại
  kioskd 3 lần / restarted kioskd 3 times"); "không rõ / unknown" when the
  unit's main process is another one (kioskd started by hand), when
  systemctl has no answer (no systemd here) and when kioskd is not running.
  systemctl is a stand-in script first on PATH (systemd is not PID 1 on a
  build machine; the lab boots a real one);
- every line is Vietnamese first, English second: a Vietnamese letter
  comes before the first " / " that starts the English.

Environment: KIOSKD, KIOSKCTL."""
import json
import os
import re
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kiosk import Kiosk  # noqa: E402

BOARD = """[office]
name = Trung tâm Phục vụ hành chính công phường Thử Nghiệm
hours = mon-sun 00:00-24:00

[service.civil]
name = Tư pháp – Hộ tịch
numbers = 1001-1999

[counter.1]
services = civil

[printer]
device = file:{dir}/tickets
"""
VI = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def main():
    k = Kiosk(os.environ["KIOSKD"], os.environ["KIOSKCTL"], "")
    try:
        with open(k.board, "w", encoding="utf-8") as f:
            f.write(BOARD.format(dir=k.dir))
        stub_dir = os.path.join(k.dir, "bin")
        os.makedirs(stub_dir)
        stub = os.path.join(stub_dir, "systemctl")
        answer = os.path.join(k.dir, "systemctl-answer")
        with open(stub, "w") as f:
            f.write("#!/bin/sh\n# systemctl show -p MainPID -p NRestarts UNIT\n"
                    "[ \"$1 $6\" = \"show motcua-kioskd.service\" ] || exit 1\n"
                    "cat '%s' 2>/dev/null || exit 1\n" % answer)
        os.chmod(stub, stat.S_IRWXU)
        k.extra_env["PATH"] = stub_dir + ":" + os.environ.get("PATH", "/usr/bin:/bin")
        k.start()

        def diag():
            _, out, _ = k.ctl("diag", "--json")
            return json.loads(out)

        with open(answer, "w") as f:
            f.write("MainPID=%d\nNRestarts=3\n" % k.proc.pid)
        d = diag()
        text = d["restarts"]["text"]
        check("3 lần" in text and "3 times" in text, "under systemd: NRestarts 3: %r" % text)
        with open(answer, "w") as f:
            f.write("MainPID=%d\nNRestarts=3\n" % (k.proc.pid + 100000))
        text = diag()["restarts"]["text"]
        check(text.startswith("không rõ / unknown") and "systemd" in text,
              "another process is the unit's: unknown: %r" % text)
        os.unlink(answer)
        d = diag()
        text = d["restarts"]["text"]
        check(text.startswith("không rõ / unknown"), "no answer from systemctl: unknown: %r" % text)

        # Every line: Vietnamese first, English second.
        plain = k.ctl("diag")[1]
        print(plain)
        for key, v in d.items():
            t = v["text"]
            m = VI.search(t)
            cut = t.find(" / ")
            check(m is not None and (cut < 0 or m.start() < cut),
                  "diag %s: Vietnamese first: %r" % (key, t))
        k.stop()
        text = diag()["restarts"]["text"]
        check(text.startswith("không rõ / unknown") and "not running" in text,
              "kioskd not running: unknown: %r" % text)
    finally:
        k.close()
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("ok: diag")


if __name__ == "__main__":
    main()
