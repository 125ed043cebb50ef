#!/usr/bin/python3
"""test-office-terms.py — the words of today's offices (issue 14, item 16).

Since Decree 118/2025/NĐ-CP (1 July 2025) the district level is gone, wards
were merged, and the desk is the commune's or ward's "Trung tâm Phục vụ hành
chính công". This checks that what an office reads uses those words:

  * the reference board.conf (and the simulator's) names the office as a
    ward's Public Administration Service Centre, in a ward that exists
    today (phường Hoàn Kiếm, Hà Nội), and passes `kioskctl config check`;
  * no district ("quận", "huyện"), no ward merged away in 2025 ("phường
    Bách Khoa") and no old desk name in the reference boards, README, the
    screens' and reports' strings, the package and the man pages;
  * a PDF report made with the reference board carries the centre's name
    and the "Hoàn Kiếm, ngày ... tháng ... năm ..." line.

  test-office-terms.py KIOSKCTL REPORT_FIXTURE SRCDIR MANDIR
"""
import configparser
import glob
import os
import subprocess
import sys
import tempfile

KIOSKCTL, FIXTURE, SRC, MANDIR = sys.argv[1:5]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


CENTRE = "Trung tâm Phục vụ hành chính công"

# 1. The reference boards.
for rel, ward in [("board.conf", "phường Hoàn Kiếm"), ("tools/sim/board.conf", "phường Hoàn Kiếm")]:
    ini = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",), strict=False)
    ini.read(os.path.join(SRC, rel), encoding="utf-8")
    name = ini.get("office", "name", fallback="")
    check(name.startswith(f"{CENTRE} {ward}"), f"{rel}: [office] name is {name!r}, not '{CENTRE} {ward} ...'")
    check("Public Administration Service Centre" in ini.get("office", "name.en", fallback=""),
          f"{rel}: [office] name.en does not say Public Administration Service Centre")
    out = subprocess.run([KIOSKCTL, "config", "check", os.path.join(SRC, rel)], capture_output=True, text=True)
    check(out.returncode == 0, f"{rel}: config check failed: {out.stderr.strip()}")
ini = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",), strict=False)
ini.read(os.path.join(SRC, "board.conf"), encoding="utf-8")
check(ini.get("office", "place", fallback="") == "Hoàn Kiếm", "board.conf: [office] place is not Hoàn Kiếm")

# 2. No words of before 1 July 2025 in what offices read.
OLD = ["UBND quận", "UBND huyện", "quận ", "huyện ", "phường Bách Khoa", "Bộ phận tiếp nhận và trả kết quả"]
files = ["board.conf", "tools/sim/board.conf", "README.md", "tests/bench/bench-report.c"]
for pattern in ["ui/*.c", "ui/*.h", "ui/po/*.po", "tools/report/*.c", "tools/kioskctl/*.c", "tools/pkg/*",
                "tools/pkg/man/*", "tools/pkg/debian/*"]:
    files += [os.path.relpath(p, SRC) for p in glob.glob(os.path.join(SRC, pattern)) if os.path.isfile(p)]
pages = [os.path.join(MANDIR, p) for p in ("kioskctl.1", "kioskd.8", "board.conf.5")]
check(len(files) > 40, f"only {len(files)} files to look at")
for path in [os.path.join(SRC, f) for f in files] + pages:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().lower()
    except UnicodeDecodeError:
        continue
    for word in OLD:
        check(word.lower() not in text, f"{os.path.relpath(path, SRC)}: says '{word.strip()}'")

# 3. A report made with the reference board.
with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "kiosk.db")
    subprocess.run([FIXTURE, os.path.join(SRC, "tests/integration/report-board.conf"), db], check=True,
                   timeout=120, stdout=subprocess.DEVNULL)
    pdf = os.path.join(tmp, "r.pdf")
    subprocess.run([KIOSKCTL, "report", "--board", os.path.join(SRC, "board.conf"), "--db", db,
                    "--month", "2026-03", "--format", "pdf", "--out", pdf], check=True, timeout=120)
    text = " ".join(subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    check("Trung tâm Phục vụ hành chính công phường Hoàn Kiếm" in text or
          ("Trung tâm Phục vụ hành chính" in text and "phường Hoàn Kiếm" in text),
          "the report does not name the centre of phường Hoàn Kiếm")
    check("Hoàn Kiếm, ngày" in text, "the report's place-and-date line is not 'Hoàn Kiếm, ngày ...'")
    check("/BC-TTPVHCC" in text, "the report's number line is not 'Số: .../BC-TTPVHCC'")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print(f"office terms: reference boards, {len(files)} files, the man pages and a report use today's words")
