#!/usr/bin/python3
"""test_lsan_canary.py — LeakSanitizer with the screens' suppressions
(tests/screen/lsan.supp, fast_unwind_on_malloc=0, from ctest's
environment) still reports leaks of ours: lsan-canary loses a 4242-byte
block and an SDL surface after opening and closing the presenter. Both must
be reported; no reported stack may pass through present-sdl.c's SDL_Init
frame or fontconfig (those are the libraries' own, and must be
suppressed — on Debian 13's SDL 2.32 they exist, and the suppression is
listed as used): only the canary's own two leaks may be reported.

Usage: test_lsan_canary.py LSAN_CANARY"""
import os
import re
import subprocess
import sys


def main():
    env = dict(os.environ)
    env["LSAN_OPTIONS"] = env.get("LSAN_OPTIONS", "") + ":print_suppressions=1"
    assert "suppressions=" in env["LSAN_OPTIONS"], "ctest gave no suppressions file"
    assert "fast_unwind_on_malloc=0" in env.get("ASAN_OPTIONS", ""), "ctest gave no full unwinding"
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    r = subprocess.run([sys.argv[1]], env=env, capture_output=True, text=True)
    out = r.stderr
    assert "canary: presenter opened and closed" in r.stdout, (r.returncode, r.stdout, out[-3000:])
    assert r.returncode != 0, "LeakSanitizer reported nothing: %r" % out[-3000:]
    leaks = re.split(r"\n(?=(?:Direct|Indirect) leak of)", out.split("ERROR: LeakSanitizer", 1)[-1])
    leaks = [x for x in leaks if re.match(r"(Direct|Indirect) leak of", x)]
    own = [x for x in leaks if x.startswith("Direct leak of 4242 byte(s)") and "canary_own_leak" in x]
    surf = [x for x in leaks if "canary_surface_leak" in x]
    other = [x for x in leaks if "canary_own_leak" not in x and "canary_surface_leak" not in x]
    assert own, "our malloc leak was not reported:\n" + out[-4000:]
    assert surf, "our unfreed SDL surface was not reported:\n" + out[-4000:]
    # Anything else reported (SDL_Init's blocks, fontconfig's cache) means
    # a suppression did not match: the screen tests would fail the same way.
    assert not other, "a library's own leak was not suppressed:\n" + other[0]
    used = re.findall(r"^\s*(\d+)\s+(\d+)\s+(\S+)$", out.split("Suppressions used:", 1)[-1], re.M)
    print("reported: %d leak stacks (ours: %d + %d); suppressed: %s" %
          (len(leaks), len(own), len(surf), ", ".join("%s x%s (%s bytes)" % (p, c, b) for c, b, p in used) or "none"))


if __name__ == "__main__":
    main()
