#!/usr/bin/env python3
"""Reads wrk reports (`wrk --latency` output) into requests/s, p50 and p99 (ms) and errors.

usage: wrk_report.py WORK NAME...   prints a table of $WORK/wrk-NAME.txt for each NAME present
As a module: parse(path) -> (req_per_s, p50_ms, p99_ms, errors).
"""
import os
import re
import sys


def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", text, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    errs = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = (int(errs.group(1)) if errs else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return rps, pct(50), pct(99), errors


def runs(work, names):
    out = {}
    for name in names:
        path = os.path.join(work, f"wrk-{name}.txt")
        if os.path.exists(path):
            out[name] = parse(path)
    return out


def table(runs):
    print(f"{'run':<20}{'req/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, (rps, p50, p99, err) in runs.items():
        print(f"{name:<20}{rps:>12.0f}{p50:>10.2f}{p99:>10.2f}{err:>8}")


if __name__ == "__main__":
    table(runs(sys.argv[1], sys.argv[2:]))
