#!/usr/bin/python3
"""tools/mutate/mutate.py — mutation testing of the core, one mutant at a time.

Each mutant in tools/mutate/mutants.txt names a source file, an exact snippet
of its text (unique in the file) and the snippet's replacement. For each
mutant the script writes the mutated file, rebuilds only the test targets that
cover that file (in its own build tree, build-mutate), runs only the ctest
tests that cover it, and restores the file — always, also on Ctrl-C, a
signal or an exception. A mutant is *killed* when a test fails (a timeout
counts as killed), *survives* when every test passes, and is *stale* when its
snippet is missing from the file or not unique (the code moved on: fix the
list). A mutant that does not compile is reported apart and not scored.

    tools/dev.sh mutate [FILE...]      # every file, or only those named
    tools/mutate/mutate.py --list      # check the list against the tree only

Prints each survivor and a score per file; exits 1 when a file scores below
--goal (90 %) or any mutant is stale.

Mutant list format (blank lines and '#' lines are ignored):

    @ firmware/queue/engine.c          file, relative to the repository
    - if (w->day <= e->day)            exact snippet (text after "- ")
    + if (w->day < e->day)             replacement ("+" alone deletes it)
"""
import argparse
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Which build targets and which ctest tests cover each file. Only these run
# for a mutant of that file: keep them fast and keep them the real tests.
COVER = {
    "firmware/queue/engine.c": (
        ["test-engine", "prop-engine", "test-store"],
        "^(test-engine|prop-engine|test-store)$"),
    "firmware/queue/store.c": (
        ["test-store", "prop-engine"],
        "^(test-store|prop-engine)$"),
    "firmware/config.c": (
        ["test-config", "fuzz-config", "test-audio-config", "test-bus-config",
         "test-gpio-config", "test-engine"],
        "^(test-config|fuzz-config|test-audio-config|test-bus-config|gpio-config|test-engine)$"),
    "drivers/gpio/spec.c": (
        ["test-gpio-config", "test-config"],
        "^(gpio-config|test-config)$"),
    "drivers/printer/escpos.c": (
        ["test-escpos", "test-ticket"],
        "^(printer-escpos|printer-ticket)$"),
    "drivers/bus/regs.c": (
        ["test-bus-regs"],
        "^test-bus-regs$"),
    "drivers/audio/vnnum.c": (
        ["test-vnnum"],
        "^test-vnnum$"),
}


class Mutant:
    def __init__(self, path, old, new, line):
        self.path, self.old, self.new, self.line = path, old, new, line

    def describe(self):
        new = self.new if self.new else "(deleted)"
        return f"{self.path} (mutants.txt:{self.line}): `{self.old}` -> `{new}`"


def parse(listfile):
    mutants, path, old, old_line = [], None, None, 0
    with open(listfile, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("@ "):
                path = line[2:].strip()
            elif line.startswith("- "):
                if old is not None:
                    sys.exit(f"mutants.txt:{old_line}: '-' without '+'")
                old, old_line = line[2:], n
            elif line == "+" or line.startswith("+ "):
                if path is None or old is None:
                    sys.exit(f"mutants.txt:{n}: '+' without '@' and '-'")
                mutants.append(Mutant(path, old, line[2:], old_line))
                old = None
            else:
                sys.exit(f"mutants.txt:{n}: unknown line: {line!r}")
    if old is not None:
        sys.exit(f"mutants.txt:{old_line}: '-' without '+'")
    return mutants


def is_stale(m, text):
    return text.count(m.old) != 1


class Interrupted(Exception):
    pass


def on_signal(signum, frame):
    raise Interrupted(signum)


def run(cmd, timeout, log):
    """Runs cmd; returns its exit status, or None on timeout."""
    # Its own process group, so a timeout or an interruption ends the whole
    # tree (ctest and the test it runs), not only the first process.
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        if log:
            log.write(f"TIMEOUT {cmd}\n{out[-4000:]!r}\n")
        return None
    except BaseException:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        raise
    if log:
        log.write(f"$ {' '.join(cmd)} -> {p.returncode}\n")
        log.write(out.decode("utf-8", "replace")[-4000:] + "\n")
    return p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="only mutants of these files")
    ap.add_argument("--list", action="store_true", help="only check the list (stale mutants)")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-mutate"))
    ap.add_argument("--mutants", default=os.path.join(ROOT, "tools/mutate/mutants.txt"))
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--timeout", type=int, default=60, help="per test, s (a hang is a kill)")
    ap.add_argument("--goal", type=float, default=90.0)
    ap.add_argument("--log", default=None, help="write build and test output here")
    args = ap.parse_args()

    mutants = parse(args.mutants)
    wanted = [os.path.normpath(f) for f in args.files]
    for f in wanted:
        if f not in COVER:
            sys.exit(f"no tests mapped for {f} (see COVER in {__file__})")
    if wanted:
        mutants = [m for m in mutants if m.path in wanted]
    for m in mutants:
        if m.path not in COVER:
            sys.exit(f"mutants.txt:{m.line}: no tests mapped for {m.path}")

    texts = {}
    for m in mutants:
        if m.path not in texts:
            with open(os.path.join(ROOT, m.path), encoding="utf-8") as f:
                texts[m.path] = f.read()
    stale = [m for m in mutants if is_stale(m, texts[m.path])]
    for m in stale:
        n = texts[m.path].count(m.old)
        print(f"STALE ({'missing' if n == 0 else f'{n} matches'}): {m.describe()}")
    if args.list:
        print(f"{len(mutants)} mutants, {len(stale)} stale")
        return 1 if stale else 0

    log = open(args.log, "w", encoding="utf-8") if args.log else None
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    if not os.path.exists(os.path.join(args.build, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", ROOT, "-B", args.build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                        "-DMC_WERROR=ON"], check=True, stdout=subprocess.DEVNULL)

    def build(targets):
        return run(["cmake", "--build", args.build, "-j", args.jobs, "--target", *targets],
                   1800, log)

    def test(regex):
        return run(["ctest", "--test-dir", args.build, "-R", regex, "--timeout",
                    str(args.timeout), "--stop-on-failure", "-j", args.jobs],
                   args.timeout * 4, log)

    results = {}   # path -> [killed, survived, uncompilable]
    survivors, broken = [], []
    files = sorted({m.path for m in mutants if m not in stale})
    try:
        for path in files:
            targets, regex = COVER[path]
            # Baseline: the unmutated tree must build and pass, or no score means anything.
            if build(targets) != 0 or test(regex) != 0:
                print(f"BASELINE FAILS for {path}: its tests fail without any mutant")
                return 2
            res = results.setdefault(path, [0, 0, 0])
            full = os.path.join(ROOT, path)
            original = texts[path]
            st = os.stat(full)
            for m in (m for m in mutants if m.path == path and m not in stale):
                t0 = time.monotonic()
                try:
                    with open(full, "w", encoding="utf-8") as f:
                        f.write(original.replace(m.old, m.new, 1))
                    if build(targets) != 0:
                        res[2] += 1
                        broken.append(m)
                        verdict = "does not compile"
                    elif test(regex) == 0:
                        res[1] += 1
                        survivors.append(m)
                        verdict = "SURVIVED"
                    else:
                        res[0] += 1
                        verdict = "killed"
                finally:
                    with open(full, "w", encoding="utf-8") as f:
                        f.write(original)
                    os.utime(full, ns=(st.st_atime_ns, time.time_ns()))
                print(f"{verdict:16s} {time.monotonic() - t0:5.0f} s  {m.describe()}", flush=True)
            build(targets)  # leave the tree built from the real source
    except (KeyboardInterrupt, Interrupted):
        print("interrupted: every file restored", file=sys.stderr)
        return 130

    print("\nsurvivors:")
    for m in survivors:
        print(f"  {m.describe()}")
    if broken:
        print("mutants that do not compile (not scored; fix them):")
        for m in broken:
            print(f"  {m.describe()}")
    print("\n| file | killed | score |\n| --- | --- | --- |")
    low = False
    for path in files:
        k, s, _ = results.get(path, [0, 0, 0])
        score = 100.0 * k / (k + s) if k + s else 0.0
        low |= score < args.goal
        print(f"| {path} | {k} of {k + s} | {score:.0f} % |")
    if stale:
        print(f"{len(stale)} stale mutants (above): update tools/mutate/mutants.txt")
    return 1 if low or stale else 0


if __name__ == "__main__":
    sys.exit(main())
