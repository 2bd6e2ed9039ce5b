#!/usr/bin/env python3
"""CPU time of a few processes or threads while a benchmark runs.

    cpu-sample.py OUT INTERVAL_MS WINDOW_MS LABEL=SPEC ...

SPEC is PID (the whole process, every thread), PID/TID[,TID...] (those
threads of PID, summed), child:PID (the first child of PID, found once
it exists: the lacsim that `timeout` started), or core:N (CPU N busy, from
/proc/stat: user, nice, system, irq, softirq and steal time, whoever runs).  Reads /proc every
INTERVAL_MS until SIGTERM or SIGINT, then writes one line per label to
OUT:

    LABEL CPU_SECONDS PEAK_PERCENT

CPU_SECONDS is user + system time between the first and the last sample
that saw the target; PEAK_PERCENT the highest CPU use over any WINDOW_MS
(100 = one core busy), from the kernel's 10 ms ticks, so a few percent
coarse.  Only /proc is read; nothing is started or signalled.
"""
import os
import signal
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def ticks(path):
    """utime + stime from a /proc stat file (or a core's busy time), or None when it is gone."""
    if path.startswith("core:"):
        name = "cpu" + path[5:]
        with open("/proc/stat") as f:
            for line in f:
                v = line.split()
                if v[0] == name:
                    return sum(int(v[i]) for i in (1, 2, 3, 6, 7, 8))
        return None
    try:
        with open(path) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


class Target:
    def __init__(self, label, spec):
        self.label = label
        self.spec = spec
        self.paths = None
        self.samples = []  # (monotonic seconds, ticks)
        self.peak = 0.0

    def resolve(self):
        if self.paths is not None:
            return True
        spec = self.spec
        if spec.startswith("child:"):
            pid = spec[6:]
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    kids = f.read().split()
            except OSError:
                return False
            if not kids:
                return False
            self.paths = [f"/proc/{kids[0]}/stat"]
        elif spec.startswith("core:"):
            self.paths = [spec]
        elif "/" in spec:
            pid, tids = spec.split("/", 1)
            self.paths = [f"/proc/{pid}/task/{t}/stat" for t in tids.split(",") if t]
        else:
            self.paths = [f"/proc/{spec}/stat"]
        return True

    def sample(self, now, window):
        if not self.resolve():
            return
        vals = [ticks(p) for p in self.paths]
        if any(v is None for v in vals):
            return  # gone: the last sample stands
        t = sum(vals)
        self.samples.append((now, t))
        # the oldest sample at least WINDOW old
        start = None
        for s in reversed(self.samples):
            if now - s[0] >= window:
                start = s
                break
        if start is not None:
            pct = (t - start[1]) / HZ / (now - start[0]) * 100.0
            self.peak = max(self.peak, pct)
        # keep what a window needs, plus the first sample for the total
        cut = 0
        while cut + 1 < len(self.samples) - 1 and now - self.samples[cut + 1][0] >= window:
            cut += 1
        if cut > 1:
            del self.samples[1:cut]

    def result(self):
        if len(self.samples) < 2:
            return 0.0, 0.0
        return (self.samples[-1][1] - self.samples[0][1]) / HZ, self.peak


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out, interval, window = sys.argv[1], int(sys.argv[2]) / 1000, int(sys.argv[3]) / 1000
    targets = [Target(*a.split("=", 1)) for a in sys.argv[4:]]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop:
        now = time.monotonic()
        for t in targets:
            t.sample(now, window)
        time.sleep(interval)
    now = time.monotonic()
    for t in targets:
        t.sample(now, window)
    with open(out, "w") as f:
        for t in targets:
            cpu, peak = t.result()
            f.write(f"{t.label} {cpu:.2f} {peak:.0f}\n")


if __name__ == "__main__":
    main()
