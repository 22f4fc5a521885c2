#!/usr/bin/env python3
"""Differential fuzzing: mutate corpus Dockerfiles, parse each mutant with
BuildKit's parser (the oracle) and with `dflint parse`, and require the same
answer. Also proves dflint neither crashes nor hangs on any mutant.

Usage: fuzz.py DFLINT ORACLE_PYTHON BUILDKIT_PARSE CORPUS_DIR [--count N] [--seed S] [--keep DIR]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

TOKENS = [b"\\", b"\\\n", b"`", b"`\n", b"<<", b"<<EOF", b"<<-EOF", b"\nEOF\n", b"<<'EOF'", b"3<<EOF",
          b"[", b"]", b"[\"a\", \"b\"]", b"\"", b"'", b"\n", b"\r\n", b"\r", b"#", b"# escape=`\n",
          b"# syntax=x\n", b" ", b"\t", b"--", b"--mount=type=cache,target=/x ", b"=", b"${A:-b}", b"$",
          b"{", b"}", b"\x00", b"\xff", b"\xc3\xa9", b"\xc2\xa0", b"ONBUILD ", b"RUN ", b"ENV ", b"LABEL ",
          b"HEALTHCHECK ", b"CMD ", b"COPY ", b"ARG ", b"FROM ", b"\n\n", b"\\\\", b"1", b"e999", b",", b":"]


def mutate(data, rnd):
    data = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        op = rnd.randrange(6)
        pos = rnd.randint(0, len(data))
        if op == 0 and data:
            del data[pos:]
        elif op == 1 and data:
            i = rnd.randrange(len(data))
            data[i] = rnd.randrange(256)
        elif op in (2, 3):
            data[pos:pos] = rnd.choice(TOKENS)
        elif op == 4 and data:
            n = rnd.randint(1, 20)
            del data[pos:pos + n]
        else:
            i = rnd.randint(0, len(data))
            j = rnd.randint(i, min(len(data), i + 200))
            data[pos:pos] = data[i:j]
    return bytes(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dflint")
    ap.add_argument("python")
    ap.add_argument("oracle")
    ap.add_argument("corpus")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    seeds = sorted(os.listdir(a.corpus))
    # Prefer small files: mutations there hit more constructs per byte.
    seeds = [s for s in seeds if os.path.getsize(os.path.join(a.corpus, s)) < 6000] or seeds
    tmp = a.keep or tempfile.mkdtemp(prefix="dflint-fuzz-")
    os.makedirs(tmp, exist_ok=True)
    paths = []
    for k in range(a.count):
        with open(os.path.join(a.corpus, rnd.choice(seeds)), "rb") as f:
            data = f.read()
        p = os.path.join(tmp, f"m{k:05d}")
        with open(p, "wb") as f:
            f.write(mutate(data, rnd))
        paths.append(p)
    oracle = subprocess.run([a.python, a.oracle] + paths, capture_output=True, timeout=600)
    try:
        ours = subprocess.run([a.dflint, "parse"] + paths, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        print("dflint parse hung")
        sys.exit(1)
    if ours.returncode != 0:
        print("dflint parse crashed:", ours.returncode, ours.stderr[-2000:].decode("utf-8", "replace"))
        sys.exit(1)
    ol = [json.loads(x) for x in oracle.stdout.decode().splitlines()]
    dl = [json.loads(x) for x in ours.stdout.decode("utf-8").splitlines()]
    failed = 0
    for x, y in zip(ol, dl):
        if x != y:
            failed += 1
            if failed <= 10:
                print("DIFF", x["file"])
                print("  oracle:", json.dumps(x)[:600])
                print("  dflint:", json.dumps(y)[:600])
    if len(ol) != len(dl):
        print(f"result count differs: oracle={len(ol)} dflint={len(dl)}")
        failed += 1
    print(f"{len(ol) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
