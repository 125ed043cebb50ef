#!/usr/bin/python3
"""test_report.py — `kioskctl report` checked figure by figure in every
format against hand-computed answers.

The database is built by report-fixture, which drives the real engine and
store through three days (see report-fixture.c): 2026-03-02 with a priority
ticket, a no-show, a transfer, a voided print, an expired ticket, ratings
and a pause; 2026-03-03 closed; 2026-03-04 with a 2-hour wall-clock jump.

Hand-computed from the scenario (minutes):
  waits      civil 5 13 30 11 25 27 | 10 10      land 20 12 45 | 7
  services   civil 10 5 12 10 4 | 10 5           land 20 30 15 | 3
  ratings    1:1003(w30) 2:1005(w25) 3:1002(w13) 2002(w12) 1002'(w10)
             4:1001(w5) 2001(w20) 1001'(w10)
Usage: test_report.py KIOSKCTL FIXTURE BOARD
"""
import csv
import io
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
import tempfile

KIOSKCTL, FIXTURE, BOARD = sys.argv[1:4]
MIN = 60000
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def eq(got, want, what):
    check(got == want, f"{what}: got {got!r}, want {want!r}")


def report(*args, ok=True):
    p = subprocess.run([KIOSKCTL, "report", "--board", BOARD, *args], capture_output=True, timeout=60)
    if ok and p.returncode != 0:
        print(p.stderr.decode(), file=sys.stderr)
        raise SystemExit(f"kioskctl report {' '.join(args)} failed with {p.returncode}")
    return p


tmp = tempfile.mkdtemp(prefix="motcua-report-")
try:
    db = os.path.join(tmp, "kiosk.db")
    subprocess.run([FIXTURE, BOARD, db], check=True, timeout=60)
    RANGE = ["--db", db, "--from", "2026-03-02", "--to", "2026-03-04"]
    ALL = ["--by", "service,counter,clerk,hour,weekday"]

    # ---- JSON: every figure exact, in ms ----
    j = json.loads(report(*RANGE, *ALL, "--format", "json").stdout)
    t = j["total"]
    eq(j["office"], "UBND phường Thử Nghiệm", "office name")
    eq(j["days_with_tickets"], 2, "days with tickets (the closed day had none)")
    for k, v in dict(issued=14, served=11, noshow=1, transferred=1, voided=1, expired=1, priority=1,
                     with_target=12, over_target=4).items():
        eq(t[k], v, f"total {k}")
    # Print states (issue 12): the fixture's one refused print, counted
    # with what became of it, as an independent reader counts them.
    ro = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    want = ro.execute("SELECT count(*), sum(status = 'finished'), sum(status = 'noshow') FROM tickets"
                      " WHERE print = 'failed' AND day BETWEEN '2026-03-02' AND '2026-03-04'").fetchone()
    ro.close()
    eq((t["print"]["failed"], t["print"]["failed_served"], t["print"]["failed_noshow"]),
       (want[0], want[1] or 0, want[2] or 0), "print failed (served / no-show)")
    eq(t["print"]["failed"], 1, "one refused print in the fixture")
    eq(t["print"]["in_doubt"], 0, "no print in doubt in the fixture")
    eq(t["wait"]["n"], 12, "waits counted")
    eq(round(t["wait"]["mean_ms"]), round(215 * MIN / 12), "mean wait")
    eq(t["wait"]["median_ms"], 12.5 * MIN, "median wait (even count: mean of 12 and 13)")
    eq(t["wait"]["p90_ms"], 30 * MIN, "p90 wait (rank 11 of 12)")
    eq(t["wait"]["max_ms"], 45 * MIN, "max wait")
    eq(t["service"]["n"], 11, "service times counted")
    eq(round(t["service"]["mean_ms"]), round(124 * MIN / 11), "mean service")
    eq(t["service"]["median_ms"], 10 * MIN, "median service")
    eq(t["service"]["p90_ms"], 20 * MIN, "p90 service (rank 10 of 11)")
    eq(t["service"]["max_ms"], 30 * MIN, "max service")
    # Ratings, each on the scale stored with it: the four default levels on
    # 03-02, a three-level scale (top one satisfied) on 03-04.
    s = t["satisfaction"]
    eq((s["rated"], s["satisfied"], s["satisfied_share"]), (8, 5, 0.625), "ratings and satisfied share")
    eq(len(s["scales"]), 2, "two scales in the period")
    s1, s2 = s["scales"]
    eq([(lv["label"], lv["count"]) for lv in s1["levels"]],
       [("Rất hài lòng", 2), ("Hài lòng", 2), ("Bình thường", 1), ("Không hài lòng", 1)], "default scale counts")
    eq([round(lv["share"], 4) for lv in s1["levels"]], [0.3333, 0.3333, 0.1667, 0.1667], "default scale shares")
    eq((s1["rated"], round(s1["satisfied_share"], 4), s1["legacy"]), (6, 0.6667, False), "default scale satisfied")
    eq([round(lv["mean_wait_ms"] or 0) for lv in s1["levels"]], [12.5 * MIN, 12.5 * MIN, 25 * MIN, 30 * MIN],
       "mean wait per level")
    eq([(lv["label_en"], lv["count"]) for lv in s2["levels"]],
       [("Satisfied", 1), ("Neutral", 1), ("Dissatisfied", 0)], "three-level scale counts")
    eq((s2["satisfied_levels"], s2["satisfied_share"]), (1, 0.5), "three-level scale satisfied")
    with sqlite3.connect(db) as con:
        details = [r[0] for r in con.execute("SELECT detail FROM events WHERE kind = 'rate' ORDER BY id")]
    eq(details[0], "n=4;satisfied=2;vi=Rất hài lòng,Hài lòng,Bình thường,Không hài lòng;"
       "en=Very satisfied,Satisfied,Neutral,Dissatisfied", "a rating event carries its scale")

    svc = {r["key"]: r for r in j["by"]["service"]}
    c = svc["civil"]
    eq(c["name"], "Tư pháp – Hộ tịch", "civil name from board.conf")
    eq(c["target_ms"], 20 * MIN, "civil target")
    for k, v in dict(issued=10, served=7, noshow=1, transferred=1, voided=1, expired=1, priority=1,
                     with_target=8, over_target=3).items():
        eq(c[k], v, f"civil {k}")
    eq((c["wait"]["mean_ms"], c["wait"]["median_ms"], c["wait"]["p90_ms"], c["wait"]["max_ms"]),
       (131 * MIN / 8, 12 * MIN, 30 * MIN, 30 * MIN), "civil waits")
    eq((c["service"]["mean_ms"], c["service"]["median_ms"], c["service"]["p90_ms"], c["service"]["max_ms"]),
       (8 * MIN, 10 * MIN, 12 * MIN, 12 * MIN), "civil service times")
    eq([[lv["count"] for lv in sc["levels"]] for sc in c["satisfaction"]["scales"]], [[1, 1, 1, 1], [1, 1, 0]],
       "civil ratings per scale")
    ld = svc["land"]
    for k, v in dict(issued=4, served=4, noshow=0, transferred=0, with_target=4, over_target=1).items():
        eq(ld[k], v, f"land {k}")
    eq((ld["wait"]["mean_ms"], ld["wait"]["median_ms"], ld["wait"]["p90_ms"], ld["wait"]["max_ms"]),
       (21 * MIN, 16 * MIN, 45 * MIN, 45 * MIN), "land waits")
    eq((ld["service"]["mean_ms"], ld["service"]["median_ms"], ld["service"]["p90_ms"]),
       (17 * MIN, 17.5 * MIN, 30 * MIN), "land service times")

    ctr = {r["key"]: r for r in j["by"]["counter"]}
    eq({k: r["issued"] for k, r in ctr.items()}, {"0": 2, "1": 7, "2": 5}, "tickets per counter")
    eq(ctr["1"]["sessions"], {"logged_ms": 270 * MIN, "open_ms": 240 * MIN, "paused_ms": 30 * MIN},
       "counter 1 sessions (4 h 05 + 25 min by the monotonic clock, paused 30 min)")
    eq(ctr["2"]["sessions"]["logged_ms"], 965 * MIN, "counter 2 logged in until the rollover")
    clk = {r["key"]: r for r in j["by"]["clerk"]}
    eq({k: r["issued"] for k, r in clk.items()}, {"0": 4, "11": 5, "12": 4, "13": 1}, "tickets per clerk")
    eq(clk["11"]["sessions"]["logged_ms"], 245 * MIN, "clerk 11 logged in")
    eq(clk["13"]["sessions"]["logged_ms"], 25 * MIN, "clerk 13: 25 min although the wall clock said 145")
    # Clerks by name from [clerk.N] name; one without a name keeps its number.
    eq({k: r["name"] for k, r in clk.items()},
       {"0": "Không đăng nhập", "11": "Trần Văn Bình", "12": "Nguyễn Thị Lan", "13": "Cán bộ 13"}, "clerk names")
    hrs = {r["key"]: r["issued"] for r in j["by"]["hour"] if r["issued"]}
    eq(hrs, {"08": 8, "09": 3, "10": 2, "16": 1}, "arrivals per local hour")
    wd = {r["name_en"]: r["issued"] for r in j["by"]["weekday"] if r["issued"]}
    eq(wd, {"Monday": 11, "Wednesday": 3}, "tickets per weekday")
    worst = [(w["label"], w["day"], w["wait_ms"] // MIN) for w in j["worst_waits"][:5]]
    eq(worst, [("2003", "2026-03-02", 45), ("1003", "2026-03-02", 30), ("1006", "2026-03-02", 27),
               ("1005", "2026-03-02", 25), ("2001", "2026-03-02", 20)], "worst waits")

    # ---- the clock-jump day alone: waits from the monotonic clock ----
    jc = json.loads(report("--db", db, "--day", "2026-03-04", "--by", "clerk", "--json").stdout)
    eq(jc["total"]["wait"]["max_ms"], 10 * MIN, "wait across the clock jump (wall clock says 130 min)")
    eq(jc["total"]["service"]["max_ms"], 10 * MIN, "service across the clock jump")
    eq(jc["total"]["over_target"], 0, "no false target breach from the clock jump")
    # The closed day: an empty report, not an error.
    jb = json.loads(report("--db", db, "--day", "2026-03-03", "--json").stdout)
    eq((jb["total"]["issued"], jb["days_with_tickets"]), (0, 0), "closed day")
    # One day whose counter session ends at the next day's rollover.
    ja = json.loads(report("--db", db, "--day", "2026-03-02", "--by", "counter", "--json").stdout)
    eq({r["key"]: r.get("sessions", {}).get("logged_ms") for r in ja["by"]["counter"]},
       {"0": None, "1": 245 * MIN, "2": 965 * MIN}, "sessions of one day")

    # ---- terminal table: Vietnamese labels and decimal commas ----
    tab = report(*RANGE, *ALL).stdout.decode()
    lines = tab.splitlines()

    def row(prefix, section):
        i = lines.index(section)
        for ln in lines[i:]:
            if ln.startswith(prefix):
                return ln.split()
        return None

    check("BÁO CÁO THỜI GIAN CHỜ VÀ MỨC ĐỘ HÀI LÒNG" in tab, "table title")
    check("Từ ngày 02/03/2026 đến ngày 04/03/2026" in tab, "table period")
    eq(row("Tư pháp – Hộ tịch", "Số lượng theo lĩnh vực")[5:], ["10", "7", "1", "1", "1", "1", "10,0", "37,5", "50,0"],
       "table civil counts")
    eq(row("Tư pháp – Hộ tịch", "Thời gian chờ và phục vụ (phút) theo lĩnh vực")[5:],
       ["16,4", "12,0", "30,0", "30,0", "8,0", "10,0", "12,0", "12,0", "20,0"], "table civil times")
    eq(row("Đất đai – Xây dựng", "Thời gian chờ và phục vụ (phút) theo lĩnh vực")[5:],
       ["21,0", "16,0", "45,0", "45,0", "17,0", "17,5", "30,0", "30,0", "30,0"], "table land times")
    eq(row("Tổng cộng", "Thời gian chờ và phục vụ (phút) theo lĩnh vực")[2:],
       ["17,9", "12,5", "30,0", "45,0", "11,3", "10,0", "20,0", "30,0", "–"], "table total times")
    eq(row("Tổng cộng", "Mức độ hài lòng theo lĩnh vực (thang 4 mức, thang 1/2)")[2:],
       ["2", "2", "1", "1", "33,3", "33,3", "16,7", "16,7", "6", "66,7"], "table satisfaction, default scale")
    eq(row("Tổng cộng", "Mức độ hài lòng theo lĩnh vực (thang 3 mức, thang 2/2)")[2:],
       ["1", "1", "0", "50,0", "50,0", "0,0", "2", "50,0"], "table satisfaction, three-level scale")
    check("Rất hài lòng" in tab and "Rất không hài lòng" not in tab, "table uses the office's level names")
    eq(row("Quầy 1", "Thời gian mở quầy")[2:5], ["4,5", "4,0", "0,5"], "table counter 1 open time")
    eq(row("08:00–09:00", "Lượt đến theo giờ")[1:3], ["8", "4,0"], "table arrivals at 8")
    eq(row("1 ", "Những lượt chờ lâu nhất")[1:3], ["2003", "2026-03-02"], "table worst wait")
    eq(row("Chờ quá thời gian mục tiêu (%)", "Tổng hợp")[-1], "33,3", "table over-target share")

    # ---- CSV: BOM, UTF-8, sections Excel can read ----
    out = os.path.join(tmp, "r.csv")
    report(*RANGE, *ALL, "--format", "csv", "--out", out)
    raw = open(out, "rb").read()
    check(raw.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte order mark")
    # Vietnamese-locale Excel: ';' between fields, ',' as the decimal mark.
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))
    check("UBND phường Thử Nghiệm" in [r[0] for r in rows if r], "CSV office name")

    def csv_row(section, first):
        i = next(k for k, r in enumerate(rows) if r and r[0].startswith(section))
        for r in rows[i + 1:]:
            if not r:
                break
            if r[0] == first:
                return r
        return None

    eq(rows[next(k for k, r in enumerate(rows) if r and r[0].startswith("Số lượng theo lĩnh vực")) + 1][:3],
       ["Lĩnh vực / Service", "Phát hành / Issued", "Đã phục vụ / Served"], "CSV headings")
    eq(csv_row("Số lượng theo lĩnh vực", "Tư pháp – Hộ tịch")[1:],
       ["10", "7", "1", "1", "1", "1", "10,0", "37,5", "50,0"], "CSV civil counts")
    eq(csv_row("Thời gian chờ và phục vụ (phút) theo lĩnh vực", "Tổng cộng")[1:],
       ["17,9", "12,5", "30,0", "45,0", "11,3", "10,0", "20,0", "30,0", "–"], "CSV total times")
    eq(csv_row("Thời gian chờ và phục vụ (phút) theo cán bộ", "Cán bộ 13")[1:5],
       ["10,0", "10,0", "10,0", "10,0"], "CSV clerk 13 waits (clock jump)")
    eq(csv_row("Thời gian làm việc của cán bộ", "Nguyễn Thị Lan")[1], "16,1", "CSV clerk 12 hours, by name")
    check(csv_row("Thời gian làm việc của cán bộ", "Cán bộ 12") is None, "CSV: a named clerk has no bare number")
    eq(csv_row("Tổng hợp", "Hài lòng (%) / Satisfied (%)")[1], "62,5", "CSV satisfied share")
    eq(csv_row("Những lượt chờ lâu nhất", "2")[1:7], ["1003", "2026-03-02", "08:10", "Tư pháp – Hộ tịch", "1", "30,0"],
       "CSV second-worst wait")

    # ---- long CSV: one table a pivot table can use ----
    long_raw = report(*RANGE, *ALL, "--format", "csv-long").stdout
    check(long_raw.startswith(b"\xef\xbb\xbf"), "long CSV starts with a byte order mark")
    lrows = list(csv.reader(io.StringIO(long_raw[3:].decode("utf-8")), delimiter=";"))
    eq(lrows[0], ["Bảng / Table", "Hàng / Row", "Chỉ tiêu / Figure", "Giá trị / Value"], "long CSV heading")
    check(all(len(r) == 4 for r in lrows), "long CSV: every line has 4 fields")
    lv = {(r[0], r[1], r[2]): r[3] for r in lrows[1:]}
    eq(lv.get(("Số lượng theo lĩnh vực", "Tư pháp – Hộ tịch", "Phát hành")), "10", "long CSV civil issued")
    eq(lv.get(("Thời gian chờ và phục vụ (phút) theo lĩnh vực", "Tổng cộng", "Chờ trung bình")), "17,9",
       "long CSV total mean wait")
    eq(lv.get(("Thời gian làm việc của cán bộ", "Nguyễn Thị Lan", "Đăng nhập (giờ)")), "16,1",
       "long CSV clerk by name")
    eq(lv.get(("Tổng hợp", "Tổng cộng", "Hài lòng (%)")), "62,5", "long CSV satisfied share")
    eq(len(lrows) - 1, len(lv), "long CSV: each (table, row, figure) once")

    # ---- PDF: Vietnamese headings and figures, read back by pdftotext ----
    pdf = os.path.join(tmp, "r.pdf")
    report(*RANGE, "--format", "pdf", "--out", pdf)
    check(open(pdf, "rb").read(5) == b"%PDF-", "PDF header")
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, check=True).stdout.decode()
    check("Title:           Báo cáo thời gian chờ và mức độ hài lòng" in info, "PDF title metadata")
    check("A4" in info, "PDF is A4")
    txt = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, check=True).stdout.decode()
    plain = " ".join(txt.split())
    for phrase in ["BÁO CÁO THỜI GIAN CHỜ VÀ MỨC ĐỘ HÀI LÒNG", "UBND phường Thử Nghiệm",
                   "Từ ngày 02/03/2026 đến ngày 04/03/2026", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                   "Thời gian chờ theo lĩnh vực", "Lượt đến theo giờ", "Mức độ hài lòng",
                   "Số lượng theo lĩnh vực", "Thời gian mở quầy", "Những lượt chờ lâu nhất",
                   "NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Ký, ghi rõ họ tên",
                   "Số: ........../BC-TTPVHCC", "Thử Nghiệm, ngày", "Nguyễn Thị Lan", "Trần Văn Bình"]:
        check(phrase in plain, f"PDF text has '{phrase}'")
    for figure_line in ["Tư pháp – Hộ tịch 10 7 1 1 1 1 10,0 37,5 50,0",
                        "Tư pháp – Hộ tịch 16,4 12,0 30,0 30,0 8,0 10,0 12,0 12,0 20,0",
                        "Đất đai – Xây dựng 21,0 16,0 45,0 45,0 17,0 17,5 30,0 30,0 30,0",
                        "Thời gian chờ trung vị (phút) Median wait (min) 12,5",
                        "Chờ quá thời gian mục tiêu (%) Over target wait (%) 33,3",
                        "Quầy 1 4,5 4,0 0,5 6 7,7",
                        "1 2003 2026-03-02 10:00 Đất đai – Xây dựng 2 45,0 30,0"]:
        check(figure_line in plain, f"PDF figures '{figure_line}'")

    # The satisfaction chart gives each level's share on the scale used last
    # (3 levels: 1, 1, 0 of 2 ratings), labelled on its bar, and its title
    # the number of ratings.
    for label in ["50,0%", "0,0%", "Mức độ hài lòng (% của 2"]:
        check(label in plain, f"PDF satisfaction chart label '{label}'")
    # Column headings an office manager reads without a glossary.
    for head in ["Chờ trung bình", "90% lượt chờ không quá", "Phục vụ trung bình", "Phục vụ lâu nhất",
                 "Chờ quá mục tiêu (%)", "Hết hạn cuối ngày"]:
        check(head in tab and head in raw.decode("utf-8"), f"table and CSV heading '{head}'")
    for abbr in ["Chờ TB", "PV ", "P90", "TB mỗi ngày"]:
        check(abbr not in plain and abbr not in tab, f"abbreviation '{abbr}' in a report")

    # ---- PNG charts alone ----
    pngdir = os.path.join(tmp, "png", "2026", "03")  # --png makes the folder and those above it
    p = report(*RANGE, "--png", pngdir)
    eq(p.stdout, b"", "--png alone prints no table")
    for name in ["waits.png", "arrivals.png", "satisfaction.png"]:
        data = open(os.path.join(pngdir, name), "rb").read()
        check(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000, f"{name} is a PNG chart")
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        eq((w, h), (1200, 700), f"{name} size")
    # A file where a folder should be: refused with the reason.
    open(os.path.join(tmp, "afile"), "w").close()
    p = report(*RANGE, "--png", os.path.join(tmp, "afile", "png"), ok=False)
    check(b"Not a directory" in p.stderr, f"--png through a file: {p.stderr!r}")

    # ---- a rating stored without a scale keeps the first firmware's meaning ----
    old = os.path.join(tmp, "legacy.db")
    shutil.copy(db, old)
    with sqlite3.connect(old) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(tickets)")]
        row0 = dict(zip(cols, con.execute("SELECT * FROM tickets ORDER BY id LIMIT 1").fetchone()))
        nid = con.execute("SELECT MAX(id) FROM tickets").fetchone()[0] + 1
        row0.update(id=nid, day="2026-03-09", number=1, label="1", rating=1, status="finished")
        con.execute(f"INSERT INTO tickets ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                    [row0[c] for c in cols])
        con.execute("INSERT INTO events (at, mono, boot, day, kind, ticket, counter, clerk, value, detail)"
                    " VALUES (0, 0, 0, '2026-03-09', 'rate', ?, 1, 0, 1, '')", (nid,))
    jl = json.loads(report("--db", old, "--day", "2026-03-09", "--json").stdout)["total"]["satisfaction"]
    eq([(sc["legacy"], [(lv["label"], lv["count"]) for lv in sc["levels"]]) for sc in jl["scales"]],
       [(True, [("Rất hài lòng", 0), ("Hài lòng", 0), ("Không hài lòng", 0), ("Rất không hài lòng", 1)])],
       "an old rating 1 stays 'very unsatisfied'")
    eq(jl["satisfied_share"], 0.0, "an old rating 1 is not satisfied")

    # ---- a past period never changes ----
    before = report(*RANGE, *ALL, "--json").stdout
    subprocess.run([FIXTURE, BOARD, db, "--more"], check=True, timeout=60)
    after = report(*RANGE, *ALL, "--json").stdout
    check(before == after, "later activity changed an earlier period's report")
    jd = json.loads(report("--db", db, "--day", "2026-03-05", "--json").stdout)
    eq(jd["total"]["issued"], 5, "the later day is counted on its own")

    # ---- a reader never blocks the writer, nor waits for it ----
    w = sqlite3.connect(db, timeout=0.1, isolation_level=None)
    w.execute("BEGIN IMMEDIATE")
    w.execute("INSERT INTO meta VALUES ('report-test', 'uncommitted')")
    p = report(*RANGE, *ALL, "--json")
    check(p.stdout == before, "report during an open write transaction")
    w.execute("COMMIT")
    w.close()
    # ... and wrote nothing: the database is byte-identical after a report.
    st1 = open(db, "rb").read()
    report(*RANGE, "--json")
    check(open(db, "rb").read() == st1, "report left the database unchanged")

    # ---- a copy of the file on an office PC ----
    cp = os.path.join(tmp, "copy", "bản sao kiosk.db")
    os.makedirs(os.path.dirname(cp))
    shutil.copy(db, cp)
    check(report("--db", cp, "--from", "2026-03-02", "--to", "2026-03-04", *ALL, "--json").stdout == before,
          "report of a copied database")

    # ---- a service removed from board.conf keeps its own row ----
    old_board = os.path.join(tmp, "board-without-land.conf")
    text = open(BOARD, encoding="utf-8").read()
    text = text.split("[service.land]")[0] + "[counter.1]\nservices = civil\n[counter.2]\nservices = civil\n"
    open(old_board, "w", encoding="utf-8").write(text)
    p = subprocess.run([KIOSKCTL, "report", "--board", old_board, *RANGE, "--json"], capture_output=True, timeout=60)
    eq(p.returncode, 0, f"report with a service no longer in board.conf: {p.stderr.decode()}")
    if p.returncode == 0:
        jo = {r["key"]: r for r in json.loads(p.stdout)["by"]["service"]}
        eq((jo["land"]["issued"], jo["land"]["name"]), (4, "land (không còn trong board.conf)"),
           "row of a removed service")
        eq(jo["land"].get("over_target"), 0, "a removed service has no target")
        eq(jo["civil"]["issued"], 10, "civil unchanged")

    # ---- the progress bar: on a terminal only ----
    eq(report(*RANGE, "--json").stderr, b"", "no progress bar when stderr is not a terminal")

    pid, fd = pty.fork()
    if pid == 0:
        os.execv(KIOSKCTL, [KIOSKCTL, "report", "--board", BOARD, "--db", db, "--from", "2026-02-20",
                            "--to", "2026-03-10", "--json", "--out", os.devnull])
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    eq(os.waitstatus_to_exitcode(status), 0, "report on a terminal")
    text = seen.decode("utf-8", "replace")
    check("100%" in text and "19/19 ngày" in text and "█" in text, f"progress bar on a terminal: {text[-120:]!r}")

    # ---- bad input: precise errors, no crash ----
    for args, code, msg in [
        (["--db", db, "--month", "2026-13"], 2, "not a month"),
        (["--db", db, "--from", "2026-03-04", "--to", "2026-03-02"], 2, "before"),
        (["--db", db, "--day", "2026-03-02", "--by", "colour"], 2, "--by"),
        (["--db", db, "--day", "2026-03-02", "--format", "pdf"], 2, "--out"),
        (["--db", db], 2, "exactly one"),
        (["--db", os.path.join(tmp, "missing.db"), "--day", "2026-03-02"], 1, "cannot"),
        (["--db", BOARD, "--day", "2026-03-02"], 1, "not a kiosk database"),
    ]:
        p = report(*args, ok=False)
        eq(p.returncode, code, f"exit status of {args}")
        check(msg in p.stderr.decode(), f"message of {args}: {p.stderr.decode().strip()}")
    check(not os.path.exists(os.path.join(tmp, "missing.db")), "a missing database is not created")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("all report checks passed")
