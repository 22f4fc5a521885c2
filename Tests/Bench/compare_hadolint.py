#!/usr/bin/env python3
"""Compares dflint's findings with hadolint's on a corpus, for the rules both
tools have, at the level of instructions (hadolint reports every finding at
the first line of its instruction; dflint at the exact word, which is mapped
back to its instruction with `dflint parse`).

Usage: compare_hadolint.py DFLINT HADOLINT CORPUS_DIR [--examples N]
Prints a table: for each rule pair, instructions flagged by both, only by
dflint, only by hadolint, and a few examples of each disagreement.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

PAIRS = {
    "ADD vs COPY": ({"DF170"}, {"DL3020"}),
    "last USER root": ({"DF102"}, {"DL3002"}),
    "secrets in ENV/ARG": ({"DF180"}, {"DL3064"}),
    "base image tag": ({"DF111"}, {"DL3006", "DL3007"}),
    "package pinning": ({"DF123"}, {"DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041"}),
    "sudo": ({"DF103"}, {"DL3004"}),
    "relative WORKDIR": ({"DF201"}, {"DL3000"}),
    "JSON CMD/ENTRYPOINT": ({"DF203"}, {"DL3025"}),
}


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def main():
    dflint, hadolint, corpus = sys.argv[1:4]
    nex = int(sys.argv[sys.argv.index("--examples") + 1]) if "--examples" in sys.argv else 3
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    # instruction ranges per file
    ranges = {}
    for line in run([dflint, "parse"] + files).stdout.splitlines():
        d = json.loads(line)
        if d.get("ok"):
            ranges[d["file"]] = [(c["start_line"], c["end_line"]) for c in d["commands"]]

    def instr(f, line):
        for s, e in ranges.get(f, []):
            if s <= line <= e:
                return s
        return line

    ours = defaultdict(set)
    for x in json.loads(run([dflint, "-f", "json", "--failure-threshold", "none"] + files).stdout or "[]"):
        ours[x["rule"]].add((x["file"], instr(x["file"], x["line"])))
    theirs = defaultdict(set)
    parse_errors = set()
    for i in range(0, len(files), 200):
        out = run([hadolint, "-f", "json", "--no-fail"] + files[i:i + 200]).stdout
        for x in json.loads(out or "[]"):
            if x["code"] == "DL1000":
                parse_errors.add(x["file"])
            theirs[x["code"]].add((x["file"], x["line"]))
    print(f"{len(files)} files; hadolint could not parse {len(parse_errors)} of them (no findings for those)")
    print(f"| rule | both | only dflint | only hadolint | only dflint in files hadolint could not parse |")
    print(f"|---|---|---|---|---|")
    details = {}
    for name, (a, b) in PAIRS.items():
        o = set().union(*(ours[r] for r in a))
        t = set().union(*(theirs[r] for r in b))
        both, only_o, only_t = o & t, o - t, t - o
        unparsed = {x for x in only_o if x[0] in parse_errors}
        print(f"| {name} | {len(both)} | {len(only_o)} | {len(only_t)} | {len(unparsed)} |")
        details[name] = (sorted(only_o - unparsed)[:nex], sorted(only_t)[:nex])
    for name, (oo, tt) in details.items():
        if oo or tt:
            print(f"\n{name}:")
            for f, l in oo:
                print(f"  only dflint   {f}:{l}")
            for f, l in tt:
                print(f"  only hadolint {f}:{l}")


if __name__ == "__main__":
    main()
