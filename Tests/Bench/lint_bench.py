#!/usr/bin/env python3
"""Lints a whole corpus with dflint and with hadolint (each one process over
all files, best of N runs) and prints files/s for both and the ratio.
Usage: lint_bench.py DFLINT HADOLINT CORPUS_DIR [--rounds N] [--hadolint-rounds N] [--limit N]"""
import os
import subprocess
import sys
import time


def best(cmd, rounds):
    t = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t = min(t, time.perf_counter() - t0)
    return t


def main():
    dflint, hadolint, corpus = sys.argv[1:4]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    hrounds = int(sys.argv[sys.argv.index("--hadolint-rounds") + 1]) if "--hadolint-rounds" in sys.argv else 1
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    if "--limit" in sys.argv:
        files = files[:int(sys.argv[sys.argv.index("--limit") + 1])]
    n = len(files)
    d = best([dflint, "-f", "json", "--failure-threshold", "none"] + files, rounds)
    h = best([hadolint, "-f", "json", "--no-fail"] + files, hrounds)
    print(f"dflint:   {n} files in {d:.3f} s = {n / d:.0f} files/s")
    print(f"hadolint: {n} files in {h:.3f} s = {n / h:.0f} files/s")
    print(f"dflint is {h / d:.1f}x hadolint's throughput")


if __name__ == "__main__":
    main()
