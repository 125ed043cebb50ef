#!/usr/bin/python3
"""test-report-pages.py — the PDF report's pages, over reports of many
lengths: the signature block never stands alone on a page (it shares its
page with rows of the last table), and no page ends with a heading (a
table's title, its English line or its heading row).

The database is a month of a busy office made by bench-report's generator
(the real engine and store); the reports vary the day and the length of the
last table (--worst N), so page breaks fall everywhere. Each page is read
back on its own with pdftotext; the headings to look for are the report's
own section titles and column headings, read from its CSV form.

  test-report-pages.py KIOSKCTL BENCH_REPORT
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile

KIOSKCTL, BENCH = sys.argv[1:3]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def norm(s):
    return " ".join(s.split())


def pages(pdf):
    n = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True,
                                                          check=True).stdout, re.M).group(1))
    out = []
    for p in range(1, n + 1):
        t = subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), pdf, "-"],
                           capture_output=True, text=True, check=True).stdout
        lines = [norm(l) for l in t.splitlines() if l.strip()]
        # The page's foot ("office · period — trang N") is not content.
        lines = [l for l in lines if not re.search(r"— trang \d+$", l)]
        out.append(lines)
    return out


with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([BENCH, "--days", "31", "--keep", tmp, "--generate-only"], check=True,
                   stdout=subprocess.DEVNULL, timeout=600)
    board, db = os.path.join(tmp, "board.conf"), os.path.join(tmp, "kiosk.db")
    import sqlite3
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        days = [r[0] for r in con.execute("SELECT DISTINCT day FROM tickets ORDER BY day")]
    check(len(days) >= 20, f"the generator made only {len(days)} days")

    # The headings: every section's title (Vietnamese / English) and every
    # column heading, from the report's CSV of the same data.
    raw = subprocess.run([KIOSKCTL, "report", "--board", board, "--db", db, "--day", days[0],
                          "--by", "service,counter,clerk,hour,weekday", "--format", "csv"],
                         capture_output=True, check=True).stdout.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    titles, head_words = set(), set()
    for i, r in enumerate(rows[:-1]):
        if r and len(r) == 1 and " / " in r[0] and i > 2 and not rows[i - 1]:
            vi, en = r[0].split(" / ", 1)
            titles |= {norm(vi), norm(en)}
            for cell in rows[i + 1]:
                head_words |= set(cell.replace(" / ", " ").split())
    check(len(titles) >= 20, f"found only {len(titles)} section titles in the CSV")

    def heading_like(line):
        if any(line == t or t.startswith(line) or line.startswith(t) for t in titles):
            return True
        words = line.split()
        return bool(words) and all(w in head_words for w in words)

    runs = 0
    layouts = set()
    for i, worst in enumerate(range(1, 49)):
        day = days[(i * 7) % len(days)]
        pdf = os.path.join(tmp, f"r{worst}.pdf")
        subprocess.run([KIOSKCTL, "report", "--board", board, "--db", db, "--day", day, "--worst", str(worst),
                        "--format", "pdf", "--out", pdf], check=True, timeout=300)
        pg = pages(pdf)
        runs += 1
        sign = [k for k, lines in enumerate(pg) if any("NGƯỜI LẬP BIỂU" in l for l in lines)]
        check(len(sign) == 1, f"worst {worst}: signature block on pages {sign}")
        if not sign:
            continue
        lines = pg[sign[0]]
        at = next(k for k, l in enumerate(lines) if "NGƯỜI LẬP BIỂU" in l)
        # Above the signatures on its page: rows of the last table (the
        # longest waits: rank, ticket, day ...).
        table_rows = [l for l in lines[:at] if re.match(r"^\d+ \d+ \d{4}-\d\d-\d\d ", l)]
        check(table_rows, f"worst {worst}: the signature block is alone on page {sign[0] + 1}: {lines[:at + 1]}")
        layouts.add((len(pg), sign[0], len(table_rows)))
        for k, lines in enumerate(pg):
            if k == len(pg) - 1 or not lines:
                continue
            check(not heading_like(lines[-1]),
                  f"worst {worst} ({day}): page {k + 1} of {len(pg)} ends with a heading: {lines[-3:]}")

if failures:
    print("\n".join("FAIL: " + f for f in failures[:40]))
    print(f"{len(failures)} failures in {runs} reports")
    sys.exit(1)
print(f"{runs} reports, {len(layouts)} different page layouts (pages, signature page, rows beside it): "
      "signature never alone, no heading at a page's end")
