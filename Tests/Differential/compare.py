#!/usr/bin/env python3
"""Differential test: `dflint parse` against BuildKit's parser (the oracle).

Usage: compare.py ORACLE_JSONL DFLINT_JSONL
Both files hold one JSON object per input file (same order). Every object
must be equal after JSON decoding. Prints each difference (at most 20 in
full) and a closing `N passed, N failed` line; exits 1 on any difference.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def first_diff(a, b):
    if a.get("ok") != b.get("ok"):
        return f"ok: oracle={a.get('ok')} {a.get('error', '')!r} dflint={b.get('ok')} {b.get('error', '')!r}"
    if not a.get("ok"):
        return f"error: oracle={a.get('error')!r} dflint={b.get('error')!r}"
    ca, cb = a["commands"], b["commands"]
    for i, (x, y) in enumerate(zip(ca, cb)):
        if x != y:
            keys = [k for k in x if x.get(k) != y.get(k)]
            return f"command {i} (line {x.get('start_line')}): " + "; ".join(
                f"{k}: oracle={x.get(k)!r} dflint={y.get(k)!r}" for k in keys)
    return f"command count: oracle={len(ca)} dflint={len(cb)}"


def main():
    oracle, ours = load(sys.argv[1]), load(sys.argv[2])
    if len(oracle) != len(ours):
        print(f"line count differs: oracle={len(oracle)} dflint={len(ours)}")
        sys.exit(1)
    failed = 0
    for a, b in zip(oracle, ours):
        if a["file"] != b["file"]:
            print(f"file order differs: {a['file']} vs {b['file']}")
            sys.exit(1)
        if a != b:
            failed += 1
            if failed <= 20:
                print(f"DIFF {a['file']}: {first_diff(a, b)}")
    print(f"{len(oracle) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
