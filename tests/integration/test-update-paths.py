#!/usr/bin/python3
"""test-update-paths.py — which bundles kioskd hands to RAUC (root), against
a running kioskd whose board.conf sets [update] bundle_dirs to a directory
of the test's.

update-install is refused with "bad_bundle", before RAUC is asked, for: a
symlink in the directory to a system file, a path through a symlinked
sub-directory, a ".." escape, a device node, a FIFO, a file outside the
directory. A regular file in the directory passes the check (RAUC, absent
here, is then asked and the answer is RAUC's, not bad_bundle).
`kioskctl update FILE` with FILE outside the directories sends it over the
socket: it lands byte for byte in the state directory's updates/, and
kioskd then asks RAUC to install that copy.

Usage: test-update-paths.py KIOSKD KIOSKCTL
"""
import hashlib
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kiosk  # noqa: E402

KIOSKD, KIOSKCTL = sys.argv[1], sys.argv[2]


def main():
    k = kiosk.Kiosk(KIOSKD, KIOSKCTL, "")
    bundles = os.path.join(k.dir, "bundles")
    outside = os.path.join(k.dir, "elsewhere")
    os.makedirs(os.path.join(bundles, "sub"))
    os.makedirs(outside)
    with open(k.board, "w", encoding="utf-8") as f:
        f.write(kiosk.BOARD_ALWAYS_OPEN + "\n[update]\nbundle_dirs = %s\n" % bundles)
    # RAUC is not on this bus: an accepted bundle fails there, later.
    k.extra_env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + os.path.join(k.dir, "no-bus")
    good = os.path.join(bundles, "good.raucb")
    with open(good, "wb") as f:
        f.write(b"not really a bundle")
    os.symlink("/etc/shadow", os.path.join(bundles, "shadow.raucb"))
    os.symlink(outside, os.path.join(bundles, "linkdir"))
    with open(os.path.join(outside, "x.raucb"), "wb") as f:
        f.write(b"outside")
    os.mkfifo(os.path.join(bundles, "fifo.raucb"))
    dev = os.path.join(bundles, "null.raucb")
    try:
        os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        dev = None
    try:
        k.start()
        refused = [os.path.join(bundles, "shadow.raucb"),
                   os.path.join(bundles, "linkdir", "x.raucb"),
                   os.path.join(bundles, "sub", "..", "..", "elsewhere", "x.raucb"),
                   os.path.join(bundles, "fifo.raucb"),
                   os.path.join(outside, "x.raucb"),
                   "/etc/passwd"]
        if dev:
            refused.append(dev)
        for path in refused:
            r = k.request({"cmd": "update-install", "bundle": path})
            assert not r["ok"] and r["error"] == "bad_bundle", (path, r)
        r = k.request({"cmd": "update-install", "bundle": good})
        assert not r["ok"] and r["error"] != "bad_bundle", r
        print("refused %d paths (device node %s); accepted the regular file" %
              (len(refused), "included" if dev else "skipped: not root"))

        # kioskctl update from elsewhere: uploaded into updates/, then installed.
        data = os.urandom(200 * 1024 + 17)
        src = os.path.join(outside, "v2 bản mới.raucb")
        with open(src, "wb") as f:
            f.write(data)
        code, out, err = k.ctl("update", src)
        dest = os.path.join(k.state, "updates", "v2_b___n_m___i.raucb")
        landed = [n for n in os.listdir(os.path.join(k.state, "updates")) if not n.startswith(".")]
        assert len(landed) == 1, (landed, out, err)
        with open(os.path.join(k.state, "updates", landed[0]), "rb") as f:
            got = f.read()
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest(), len(got)
        # The copy went on to RAUC (absent here): refused by RAUC, not by the path check.
        assert code == 1 and "bad_bundle" not in err and "not under" not in err, (code, out, err)
        assert "update: installing %s" % os.path.join(k.state, "updates", landed[0]) in k.read_log()
        del dest
        print("kioskctl update uploaded %d bytes into updates/%s" % (len(got), landed[0]))
    finally:
        k.close()
    print("ok")


if __name__ == "__main__":
    main()
