#!/usr/bin/python3
"""test-man-pages.py — the generated man pages cover every kioskctl command,
every kioskd option and every board.conf key with its range and default,
and render without a warning.

The tables are read here independently of the generator: the commands from
`kioskctl --help`, the options from `kioskd --help`, and the keys straight
from the rows of firmware/config.c's key tables (macro by macro). A key,
command or option the pages leave out, or a wrong range or default, fails.
The pages are read as a person reads them: rendered by man(1).

  test-man-pages.py KIOSKCTL KIOSKD SRCDIR MANDIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

KIOSKCTL, KIOSKD, SRC, MANDIR = sys.argv[1:5]
ENV = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="1000")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def render(page):
    out = subprocess.run(["man", "--warnings", "-l", os.path.join(MANDIR, page)], env=ENV,
                         capture_output=True, text=True, check=True)
    check(out.stderr == "", f"man --warnings {page}: {out.stderr.strip()}")
    text = out.stdout.replace("\u2212", "-").replace("\u2010", "-").replace("\u2019", "'")
    return re.sub(r"(?<=\S)[ \t]+", " ", text)


# 1. No warnings from groff itself, on a UTF-8 device (Vietnamese letters).
for page in ("kioskctl.1", "kioskd.8", "board.conf.5"):
    out = subprocess.run(["groff", "-k", "-Tutf8", "-man", "-ww", "-z", os.path.join(MANDIR, page)],
                         env=ENV, capture_output=True, text=True, check=False)
    check(out.returncode == 0 and out.stderr == "", f"groff -ww {page}: {out.stderr.strip()}")

# 2. kioskctl.1: every command of kioskctl --help, with its own help's usage.
help_text = subprocess.run([KIOSKCTL, "--help"], capture_output=True, text=True, check=True).stdout
cmds = re.findall(r"^  (\S+) +\S", help_text.split("Commands:", 1)[1], re.M)
check(len(cmds) >= 15, f"kioskctl --help lists only {cmds}")
page = render("kioskctl.1")
sub = re.split(r"^ {3}(\S+)\n", page, flags=re.M)
sections = dict(zip(sub[1::2], sub[2::2]))
for cmd in cmds:
    body = sections.get(cmd)
    check(body is not None, f"kioskctl.1: no subsection for command {cmd}")
    if body is None:
        continue
    own = subprocess.run([KIOSKCTL, cmd, "--help"], capture_output=True, text=True, check=True).stdout
    usage = re.sub(r"\s+", " ", own.splitlines()[0]).strip()
    check(usage in body, f"kioskctl.1: {cmd}: usage line {usage!r} missing")
    # Every option the command's help names is on the page.
    for opt in set(re.findall(r"--[a-z][\w-]*", own)):
        check(opt in body, f"kioskctl.1: {cmd}: option {opt} missing")

# 3. kioskd.8: every option of kioskd --help.
own = subprocess.run([KIOSKD, "--help"], capture_output=True, text=True, check=True).stdout
opts = set(re.findall(r"--[a-z][\w-]*", own))
check(len(opts) >= 6, f"kioskd --help names only {opts}")
page = render("kioskd.8")
options = page.split("\nOPTIONS\n", 1)[1].split("\nSYSTEMD\n", 1)[0]
for opt in opts:
    check(re.search(rf"^ {{7}}(-\w, )?{re.escape(opt)}\b", options, re.M), f"kioskd.8: option {opt} missing")

# 4. board.conf.5: every row of every key table in config.c.
with open(os.path.join(SRC, "firmware/config.c"), encoding="utf-8") as f:
    csrc = f.read()


def num(expr):
    check(re.fullmatch(r"[\d\s*+]+", expr), f"config.c: bound {expr!r} is not plain arithmetic")
    return eval(expr)  # digits, spaces, * and + only (checked above)


STRING = r'(NULL|"(?:[^"\\]|\\.)*")'
ROWS = [  # macro, pattern, (key group, lo, hi, default group), kind
    ("STR", rf"STR\(\s*\w+,\s*(\w+),\s*{STRING}\s*\)", (1, None, None, 2), "text"),
    ("STRK", rf'STRK\(\s*"([^"]+)",\s*\w+,\s*\w+,\s*{STRING}\s*\)', (1, None, None, 2), "text"),
    ("INT", rf"INT\(\s*\w+,\s*(\w+),\s*([^,]+),\s*([^,]+),\s*{STRING}\s*\)", (1, 2, 3, 4), "integer"),
    ("DUR_S", rf'DUR_S\(\s*"([^"]+)",\s*\w+,\s*\w+,\s*([^,]+),\s*([^,]+),\s*{STRING}\s*\)', (1, 2, 3, 4), "s"),
    ("DUR_MS", rf'DUR_MS\(\s*"([^"]+)",\s*\w+,\s*\w+,\s*([^,]+),\s*([^,]+),\s*{STRING}\s*\)', (1, 2, 3, 4), "ms"),
    ("BOOL", rf"BOOL\(\s*\w+,\s*(\w+),\s*{STRING}\s*\)", (1, None, None, 2), "yes/no"),
    ("FN", rf'FN\(\s*"([^"]+)",\s*\w+,\s*\w+,\s*\w+,\s*{STRING}\s*\)', (1, None, None, 2), "special"),
    ("FNS", rf'FNS\(\s*"([^"]+)",\s*\w+,\s*{STRING}\s*\)', (1, None, None, 2), "special"),
]
tables = re.findall(r"static const struct key (\w+)_keys\[\] = \{(.*?)\n\};", csrc, re.S)
check(len(tables) >= 12, f"config.c: found only {len(tables)} key tables")
page = render("board.conf.5")
keys_part = page.split("\nKEYS\n", 1)[1].split("\nEXAMPLE", 1)[0]
by_section = dict(re.findall(r"^ {3}\[(\S+)\]\n(.*?)(?=^ {3}\[|\Z)", keys_part, re.M | re.S))
nkeys = 0
for table, body in tables:
    section = {"service": "service.KEY", "counter": "counter.N", "clerk": "clerk.N"}.get(table, table)
    text = by_section.get(section)
    check(text is not None, f"board.conf.5: no subsection [{section}]")
    if text is None:
        continue
    # Each entry: the key at indent 7, its text at indent 14 (or after the key).
    entries = {}
    for m in re.finditer(r"^ {7}(\S+)(.*?)(?=^ {7}\S|\Z)", text, re.M | re.S):
        entries[m.group(1)] = re.sub(r"\s+", " ", m.group(2)).strip()
    rows = [line.strip() for line in body.strip().splitlines()
            if line.strip() and not line.strip().startswith("END") and not line.strip().startswith("/*")]
    for row in rows:
        for macro, pat, groups, kind in ROWS:
            m = re.match(pat, row)
            if m:
                break
        else:
            check(False, f"config.c [{section}]: a row this test cannot read: {row}")
            continue
        nkeys += 1
        key = m.group(groups[0])
        default = m.group(groups[3])
        entry = entries.get(key)
        check(entry is not None, f"board.conf.5: [{section}] {key} missing")
        if entry is None:
            continue
        if default == "NULL":
            check("no default" in entry, f"board.conf.5: [{section}] {key}: should say no default: {entry}")
        else:
            d = default[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            check(f"default {d}" in entry, f"board.conf.5: [{section}] {key}: default {d!r} missing: {entry}")
        if groups[1]:
            lo, hi = num(m.group(groups[1])), num(m.group(groups[2]))
            want = f"integer {lo} to {hi}" if kind == "integer" else f"duration {lo} to {hi} {kind}"
            check(want in entry, f"board.conf.5: [{section}] {key}: range {want!r} missing: {entry}")
        elif kind == "text":
            check(re.search(r"text, at most \d+ bytes", entry), f"board.conf.5: [{section}] {key}: length missing")
        elif kind == "yes/no":
            check("yes or no" in entry, f"board.conf.5: [{section}] {key}: 'yes or no' missing")
        # Every entry has prose after its parenthesised facts.
        check(re.search(r"\)\s*\S", entry), f"board.conf.5: [{section}] {key}: no description")
check(nkeys >= 90, f"config.c: read only {nkeys} keys")

# 5. The generator refuses a key without prose (so the page cannot drift).
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(SRC, "tools/pkg/man")
    for name in os.listdir(src):
        shutil.copy(os.path.join(src, name), tmp)
    with open(os.path.join(tmp, "board.conf.keys"), encoding="utf-8") as f:
        lines = f.read().splitlines(True)
    with open(os.path.join(tmp, "board.conf.keys"), "w", encoding="utf-8") as f:
        f.writelines(l for l in lines if not l.startswith("[printer] queue:"))
    out = subprocess.run([sys.executable, os.path.join(tmp, "make-man.py"), KIOSKCTL, KIOSKD, tmp, tmp, "0"],
                         capture_output=True, text=True, check=False)
    check(out.returncode != 0 and "[printer] queue" in out.stderr,
          f"make-man.py accepted a key without prose: rc={out.returncode} {out.stderr.strip()}")

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print(f"man pages: {len(cmds)} commands, {len(opts)} kioskd options, {nkeys} board.conf keys, no warnings")
