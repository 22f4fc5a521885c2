#!/usr/bin/env python3
"""Lints a whole corpus with dflint and with hadolint (each one process over
all files, best of N runs) and prints files/s for both and the ratio.
Usage: lint_bench.py DFLINT HADOLINT CORPUS_DIR [--rounds N] [--hadolint-rounds N] [--limit N]"""
import os
import resource
import subprocess
import sys
import time


def best(cmd, rounds):
    """Best wall time and best CPU time (user + system of the child, all its threads) of N runs.
    On a shared machine the wall time depends on the load; the CPU time much less."""
    t, c = float("inf"), float("inf")
    for _ in range(rounds):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = min(t, time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c = min(c, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return t, c


def main():
    dflint, hadolint, corpus = sys.argv[1:4]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    hrounds = int(sys.argv[sys.argv.index("--hadolint-rounds") + 1]) if "--hadolint-rounds" in sys.argv else 1
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    if "--limit" in sys.argv:
        files = files[:int(sys.argv[sys.argv.index("--limit") + 1])]
    n = len(files)
    d, dc = best([dflint, "-f", "json", "--failure-threshold", "none"] + files, rounds)
    h, hc = best([hadolint, "-f", "json", "--no-fail"] + files, hrounds)
    print(f"dflint:   {n} files in {d:.3f} s = {n / d:.0f} files/s ({dc:.2f} s CPU)")
    print(f"hadolint: {n} files in {h:.3f} s = {n / h:.0f} files/s ({hc:.2f} s CPU)")
    print(f"dflint is {h / d:.1f}x hadolint's throughput (wall clock), {hc / dc:.1f}x per CPU second")


if __name__ == "__main__":
    main()
