#!/usr/bin/env python3
"""Times BuildKit's Go parser (PyPI `dockerfile`) on every file given, in one
process, best of N rounds; prints one JSON line like dflint-bench.
Usage: oracle_bench.py [--rounds N] PATH..."""
import json
import os
import sys
import time

import dockerfile

args = sys.argv[1:]
rounds = 5
if args[:1] == ["--rounds"]:
    rounds = int(args[1])
    args = args[2:]
files = []
for a in args:
    if os.path.isdir(a):
        files += sorted(os.path.join(a, n) for n in os.listdir(a))
    else:
        files.append(a)
data = [open(f, "rb").read() for f in files]
best = float("inf")
for _ in range(rounds):
    t0 = time.perf_counter()
    for f in files:
        try:
            dockerfile.parse_file(f)
        except Exception:
            pass
    best = min(best, time.perf_counter() - t0)
size = sum(len(d) for d in data)
print(json.dumps({"tool": "buildkit-parser (dockerfile 3.4.0)", "files": len(files), "bytes": size,
                  "seconds": best, "files_per_s": len(files) / best, "mb_per_s": size / best / 1e6}))
