#!/usr/bin/python3
"""make-man.py — writes the man pages kioskctl.1, kioskd.8 and board.conf.5
from the programs' own tables, so the pages cannot drift from them:

  * kioskctl.1: the command table (`kioskctl --help`) and each command's own
    help (`kioskctl COMMAND --help`);
  * kioskd.8: kioskd's options (`kioskd --help`);
  * board.conf.5: the parser's key table (`kioskctl config keys --json`:
    every key with its type, range, unit and default) and one line of prose
    per key from board.conf.keys.

The hand-written prose (description, files, examples, exit status, see also)
is in the *.in templates beside this script; @VERSION@, @COMMANDS@,
@OPTIONS@ and @KEYS@ mark where the generated parts go. A key of the table
without prose, or prose for a key the table does not have, stops the build.

  make-man.py KIOSKCTL KIOSKD SRCDIR OUTDIR VERSION
"""
import json
import re
import subprocess
import sys


def run(*argv):
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"make-man: {' '.join(argv)} exited {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def esc(text):
    """Escapes text for roff: backslashes, hyphens of options, a leading
    control character."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


DEF_LINE = re.compile(r"^\s*\S.*?\S?\s{2,}\S")


def help_to_roff(text):
    """A --help text as roff: the usage lines verbatim, tables (lines with
    an indented term and a gap before its text) verbatim and indented,
    other paragraphs filled."""
    out = []
    paras = re.split(r"\n\s*\n", text.strip("\n"))
    for i, para in enumerate(paras):
        lines = para.split("\n")
        verbatim = (i == 0 and lines[0].startswith("Usage:")) or any(
            l.startswith("  ") and DEF_LINE.match(l) for l in lines)
        if verbatim:
            out += [".PP", ".RS 2", ".nf"] + [esc(l) if l.strip() else "" for l in lines] + [".fi", ".RE"]
        else:
            out += [".PP"] + [esc(l.strip()) for l in lines if l.strip()]
    return "\n".join(out)


def commands(kioskctl):
    """The command table as kioskctl --help prints it: [(name, summary)]."""
    text = run(kioskctl, "--help")
    table = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines():
        m = re.match(r"^  (\S+)\s+(.*)$", line)
        if not m:
            sys.exit(f"make-man: unexpected line in kioskctl --help: {line!r}")
        rows.append((m.group(1), m.group(2)))
    if not rows:
        sys.exit("make-man: kioskctl --help lists no commands")
    return rows


def commands_roff(kioskctl):
    parts = []
    for name, summary in commands(kioskctl):
        parts.append(f'.SS "{esc(name)}"\n{esc(summary)}.\n' + help_to_roff(run(kioskctl, name, "--help")))
    return "\n".join(parts)


def options_roff(kioskd):
    """kioskd's options from its --help: '  -b, --board FILE   text' rows and
    their continuation lines."""
    text = run(kioskd, "--help")
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s+((?:-\w, )?--[\w-]+(?: [A-Z]+)?)\s+(\S.*)$", line)
        if m:
            rows.append([m.group(1).strip(), m.group(2)])
        elif rows and re.match(r"^\s{10,}\S", line):
            rows[-1][1] += " " + line.strip()
        elif rows and not line.strip():
            break
    if not rows:
        sys.exit("make-man: kioskd --help lists no options")
    return "\n".join(f".TP\n.B {esc(opt)}\n{esc(desc)}" for opt, desc in rows)


def read_prose(path):
    """board.conf.keys: '[section] key: text' lines, continued by indented
    lines; '#' starts a comment."""
    prose, last = {}, None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"^\[(\S+)\] (\S+): (.*)$", line.rstrip("\n"))
            if m:
                last = (m.group(1), m.group(2))
                if last in prose:
                    sys.exit(f"{path}:{n}: [{last[0]}] {last[1]} described twice")
                prose[last] = m.group(3)
            elif line.startswith((" ", "\t")) and last:
                prose[last] += " " + line.strip()
            else:
                sys.exit(f"{path}:{n}: expected '[section] key: text'")
    return prose


def keys_roff(kioskctl, prose_path):
    keys = json.loads(run(kioskctl, "config", "keys", "--json"))
    prose = read_prose(prose_path)
    known = {(k["section"], k["key"]) for k in keys}
    missing = [f"[{s}] {k}" for s, k in sorted(known - prose.keys())]
    extra = [f"[{s}] {k}" for s, k in sorted(prose.keys() - known)]
    if missing or extra:
        sys.exit(f"make-man: {prose_path}: no prose for {missing}; prose for keys the parser lacks {extra}")
    out, section = [], None
    for k in keys:
        if k["section"] != section:
            section = k["section"]
            out.append(f'.SS "[{esc(section)}]"')
        what = []
        if k["kind"] == "integer":
            what.append(f"integer {k['min']} to {k['max']}")
        elif k["kind"] == "duration":
            what.append(f"duration {k['min']} to {k['max']} {k['unit']}")
        elif k["kind"] == "text":
            what.append(f"text, at most {k['max_bytes']} bytes")
        elif k["kind"] == "yes/no":
            what.append("yes or no")
        default = k["default"]
        what.append(f"default {default}" if default is not None else "no default")
        out.append(f".TP\n.B {esc(k['key'])}\n({esc('; '.join(what))})\n{esc(prose[(k['section'], k['key'])])}")
    return "\n".join(out)


def fill(template, out, values):
    with open(template, encoding="utf-8") as f:
        text = f.read()
    for mark, value in values.items():
        if mark in text:
            text = text.replace(mark, value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        sys.exit(f"make-man: {template}: unfilled {left}")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    kioskctl, kioskd, src, outdir, version = sys.argv[1:]
    fill(f"{src}/kioskctl.1.in", f"{outdir}/kioskctl.1",
         {"@VERSION@": version, "@COMMANDS@": commands_roff(kioskctl)})
    fill(f"{src}/kioskd.8.in", f"{outdir}/kioskd.8",
         {"@VERSION@": version, "@OPTIONS@": options_roff(kioskd)})
    fill(f"{src}/board.conf.5.in", f"{outdir}/board.conf.5",
         {"@VERSION@": version, "@KEYS@": keys_roff(kioskctl, f"{src}/board.conf.keys")})


if __name__ == "__main__":
    main()
