#!/usr/bin/python3
"""tools/sim/demo.py — a demo office day for simulator mode: citizens take
tickets and clerks call, recall, finish and mark no-shows, through kioskctl,
so a person watching `tools/dev.sh run` sees the queue move."""
import argparse
import json
import random
import subprocess
import time


def ctl(kioskctl, *args):
    r = subprocess.run([kioskctl, *args], capture_output=True, text=True)
    return r.returncode, r.stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kioskctl", required=True)
    ap.add_argument("--interval", type=float, default=2.5)
    a = ap.parse_args()
    rc, out = ctl(a.kioskctl, "status", "--json")
    if rc:
        return
    st = json.loads(out)
    services = [s["key"] for s in st["services"]]
    counters = [c["number"] for c in st["counters"]]
    rnd = random.Random()
    while True:
        time.sleep(a.interval)
        if rnd.random() < 0.6:
            args = ["press", rnd.choice(services), "--source", "demo-%d" % rnd.randrange(1 << 30)]
            if rnd.random() < 0.15:
                args.append("--priority")
            ctl(a.kioskctl, *args)
        else:
            c = str(rnd.choice(counters))
            act = rnd.choices(["next", "recall", "noshow", "finish"], [6, 1, 1, 2])[0]
            ctl(a.kioskctl, "counter", c, act)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
