#!/usr/bin/env python3
"""Compares dflint's findings with hadolint's on a corpus, rule by rule, for
every hadolint rule a dflint rule covers (a `DLxxxx` alias in `dflint rules`).

A dflint finding counts for a hadolint rule when its `aliases` name it (a
rule that covers several peer rules names the sub-case of each finding:
DF123's apt pins are DL3008, its pip pins DL3013). hadolint reports every
finding at the first line of its instruction; dflint at the exact word, so
dflint's findings are mapped back to their instruction's first line (with
`dflint parse`), and the comparison is on (file, instruction, rule) sets.

hadolint's off-by-default rules that dflint reports by default (DL3057) are
switched on with `--info`, so both tools are asked the same question. Files
hadolint cannot parse (DL1000) give it no findings at all; they are counted
apart.

Usage:
  compare_hadolint.py DFLINT HADOLINT CORPUS_DIR [--examples N] [--rule DLxxxx]...
                      [--hadolint-json FILE] [--markdown]
  --hadolint-json FILE  reuse (or write, when missing) hadolint's JSON output
  --examples N          disagreements listed per rule and side (default 5; -1: all)
  --rule DLxxxx         only these rules
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

# hadolint rules that are off unless enabled, and that a dflint rule reports by default.
ENABLE = ["DL3057"]


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace")


def decode_stream(s):
    """hadolint -f json prints one array per invocation; several may be concatenated."""
    dec, i, out = json.JSONDecoder(), 0, []
    while i < len(s):
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            break
        o, i = dec.raw_decode(s, i)
        out += o
    return out


def arg(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def hadolint_findings(hadolint, files):
    cache = arg("--hadolint-json")
    if cache and os.path.exists(cache):
        with open(cache) as f:
            return json.load(f)
    out = []
    enable = sum((["--info", r] for r in ENABLE), [])
    for i in range(0, len(files), 200):
        out += decode_stream(run([hadolint, "-f", "json", "--no-fail"] + enable + files[i:i + 200]).stdout)
    if cache:
        with open(cache, "w") as f:
            json.dump(out, f)
    return out


def main():
    dflint, hadolint, corpus = sys.argv[1:4]
    nex = int(arg("--examples", "5"))
    only_rules = {sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--rule"}
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))

    # Which hadolint rules dflint covers, and by which dflint rule.
    covered = defaultdict(set)
    for r in json.loads(run([dflint, "rules", "--format", "json"]).stdout):
        for a in r.get("aliases", []):
            if a.startswith("DL") and a != "DL1000":
                covered[a].add(r["id"])
    if only_rules:
        covered = {k: v for k, v in covered.items() if k in only_rules}

    # First line of each instruction, per file.
    starts, lines_of = {}, {}
    for line in run([dflint, "parse"] + files).stdout.splitlines():
        d = json.loads(line)
        if d.get("ok"):
            starts[d["file"]] = [(c["start_line"], c["end_line"]) for c in d["commands"]]

    def instr(f, line):
        for s, e in starts.get(f, []):
            if s <= line <= e:
                return s
        return line

    def text(f, line):
        if f not in lines_of:
            with open(f, errors="replace") as fh:
                lines_of[f] = fh.read().split("\n")
        ls = lines_of[f]
        return ls[line - 1].strip()[:110] if 0 < line <= len(ls) else ""

    ours = defaultdict(set)
    ours_msg = {}
    out = run([dflint, "-f", "json", "--failure-threshold", "none"] + files).stdout
    for x in json.loads(out or "[]"):
        for a in x.get("aliases", []):
            if a in covered:
                key = (x["file"], instr(x["file"], x["line"]))
                ours[a].add(key)
                ours_msg.setdefault((a,) + key, f'{x["rule"]} {x["line"]}:{x["column"]} {x["message"]}')

    theirs = defaultdict(set)
    theirs_msg = {}
    unparsed = set()
    for x in hadolint_findings(hadolint, files):
        if x["code"] == "DL1000":
            unparsed.add(x["file"])
        key = (x["file"], x["line"])
        theirs[x["code"]].add(key)
        theirs_msg.setdefault((x["code"],) + key, x["message"])

    md = "--markdown" in sys.argv
    print(f"{len(files)} files; hadolint could not parse {len(unparsed)} of them (no hadolint findings there; "
          f"dflint's findings in them are counted in the last column, not as disagreements)")
    print()
    print("| hadolint | dflint | both | only hadolint | only dflint | dflint in files hadolint cannot parse |")
    print("|---|---|---|---|---|---|")
    totals = [0, 0, 0, 0]
    details = []
    for code in sorted(covered):
        o = ours[code]
        t = theirs[code]
        skipped = {k for k in o if k[0] in unparsed}
        o = o - skipped
        both, only_t, only_o = o & t, t - o, o - t
        totals = [a + b for a, b in zip(totals, [len(both), len(only_t), len(only_o), len(skipped)])]
        print(f"| {code} | {', '.join(sorted(covered[code]))} | {len(both)} | {len(only_t)} | {len(only_o)} | {len(skipped)} |")
        details.append((code, sorted(only_t), sorted(only_o)))
    print(f"| all | | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")
    if nex == 0:
        return
    for code, only_t, only_o in details:
        if not only_t and not only_o:
            continue
        print(f"\n{'### ' if md else ''}{code}: {len(only_t)} only hadolint, {len(only_o)} only dflint")
        for f, l in (only_t if nex < 0 else only_t[:nex]):
            print(f"  only hadolint {os.path.basename(f)}:{l}: {text(f, l)}")
        for f, l in (only_o if nex < 0 else only_o[:nex]):
            print(f"  only dflint   {os.path.basename(f)}:{l}: {text(f, l)}  [{ours_msg.get((code, f, l), '')}]")


if __name__ == "__main__":
    main()
