#!/usr/bin/env python3
# Regenerates the README's Rules section from `dflint rules --format json` (run after adding a rule;
# Tests/dflintTests checks that every rule has a section).
import json, subprocess, sys
rules = json.loads(subprocess.run(['.build/debug/dflint','rules','--format','json'],capture_output=True,text=True).stdout)
out = ["## Rules", "",
       "Every rule has a stable id, a kebab-case name, a default severity and, for CIS Docker Benchmark section 4 items, the item and whether it is Scored. `dflint rules` lists them, `dflint explain ID` prints one with its examples (the same examples the test suite runs). Syntax diagnostics (DF0xx) and image problems (DF4xx) are findings too.", "",
       "| id | name | severity | CIS | title |", "|---|---|---|---|---|"]
for r in rules:
    cis = (r['cis'] + (" Scored" if r['scored'] else "")) if r['cis'] else ""
    out.append(f"| [{r['id']}](#{r['id'].lower()}-{r['name']}) | {r['name']} | {r['severity']} | {cis} | {r['title']} |")
out.append("")
for r in rules:
    out.append(f"### {r['id']} {r['name']}")
    out.append("")
    if r['id'].startswith('DF0'):
        out.append(f"{r['title']} ({r['severity']}). {r['rationale']} Fix: {r['fix']}")
    else:
        out.append(f"{r['title']}. " + (f"CIS {r['cis']} ({'Scored' if r['scored'] else 'Not Scored'}). " if r['cis'] else "") + f"Default severity: {r['severity']}." + (f" Covers {', '.join(r['aliases'])}." if r['aliases'] else ""))
        out.append("")
        out.append(r['rationale'])
        out.append("")
        out.append(f"Fix: {r['fix']}")
    out.append("")
readme = open('README.md').read()
head = readme[:readme.index("## Rules\n")]
open('README.md','w').write(head + "\n".join(out))
