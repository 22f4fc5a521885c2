#!/usr/bin/env python3
"""The image-mode review: every finding dflint reports on the corpus image
configs and on the fixture images, with one verdict each.

  review.py images                  the review set (LABEL<TAB>REF), as in review.tsv
  review.py collect [--old] DFLINT  findings as JSON lines: label, rule, line, column,
                                    anchor (the reconstruct line the finding points at), message
  review.py counts FILE.jsonl       findings per rule
  review.py check DFLINT            what the Swift test checks, from the shell

Every image is linted with default options, `-f json`, an empty environment
(so the host-level DF131 fires) and `--failure-threshold none`. `--old` reads
a binary whose finding lines count from the first line after reconstruct's
header (before issue 13), to compute the anchors of the old findings.
"""
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("SHARED") or os.path.join(os.path.dirname(REPO), "shared")
REVIEW = os.path.join(HERE, "review.tsv")


def images():
    """(label, ref) of every image reviewed; refs use $SHARED for the shared tree."""
    out = []
    cfg = os.path.join(SHARED, "corpus/image-configs")
    for n in sorted(os.listdir(cfg)):
        if n.endswith(".json"):
            out.append(("corpus/" + n, "$SHARED/corpus/image-configs/" + n))
    fx = "$SHARED/fixtures"
    multi = fx + "/docker-archive/podman-save-multi-all.tar"
    for name in ["localhost/busybase:1", "localhost/busybase:1-oci", "localhost/dflint/kitchensink:docker",
                 "localhost/dflint/kitchensink:docker-nolayers", "localhost/dflint/kitchensink:oci",
                 "localhost/dflint/minimal:omit-history", "localhost/dflint/minimal:podman",
                 "localhost/dflint/minimal:squash", "localhost/dflint/minimal:timestamp0",
                 "localhost/dflint/multistage:docker", "localhost/dflint/multistage:oci",
                 "localhost/dflint/onbuildchild:docker", "localhost/dflint/runmounts:docker",
                 "localhost/dflint/runmounts:oci", "localhost/dflint/scratchfinal:docker",
                 "localhost/dflint/scratchfinal:oci", "localhost/dflint/shellform:docker",
                 "localhost/dflint/shellform:oci"]:
        out.append(("fixture/" + name.split("/")[-1], "docker-archive:" + multi + ":" + name))
    docker = fx + "/docker-archive/docker-save_multi.tar"
    for name in ["localhost/dflint/docker-buildkit:kitchensink", "localhost/dflint/docker-buildkit:chmod",
                 "localhost/dflint/docker-buildkit:shellform", "localhost/dflint/docker-buildkit:bkfeatures",
                 "localhost/dflint/docker-buildkit:multistage", "localhost/dflint/docker-legacy:kitchensink",
                 "localhost/dflint/docker-legacy:multistage", "localhost/dflint/docker-legacy:shellform",
                 "localhost/dflint/docker-commit:1"]:
        out.append(("fixture/" + name.split("/")[-1], "docker-archive:" + docker + ":" + name))
    # Images no archive holds: their config and history as the Docker data root and the
    # containers/storage graph root keep them (metadata only: no layer contents there).
    root = fx + "/docker-root"
    out.append(("fixture/docker-import:1", "docker-root:localhost/dflint/docker-import:1 --root " + root))
    out.append(("fixture/dangling-legacy-multistage-builder-stage", "docker-root:4fe3bc9467cd --root " + root))
    out.append(("fixture/dangling-heredoc-partial",
                "containers-storage:a480eb48ddbd --root " + fx + "/containers-storage/overlay-graphroot"))
    return out


def expand(ref):
    """The command-line words of a review reference (`REF [--root DIR]`)."""
    return ref.replace("$SHARED", SHARED).split(" ")


def shared(text):
    """Messages and lines with the shared tree's path written as $SHARED (any checkout)."""
    return text.replace(os.path.realpath(SHARED), "$SHARED").replace(SHARED, "$SHARED")


HEADER = ("# dflint reconstruct ", "# source: ", "# builder: ", "# note: ", "# problem: ")


def collect(dflint, old=False):
    rows = []
    for label, ref in images():
        words = expand(ref)
        r = subprocess.run([dflint, "--from-image"] + words + ["-f", "json", "--failure-threshold", "none"],
                           capture_output=True, text=True, env={})
        if r.returncode != 0:
            sys.exit(f"{label}: exit {r.returncode}: {r.stderr}")
        rec = subprocess.run([dflint, "reconstruct"] + words, capture_output=True, text=True, env={}).stdout
        lines = rec.split("\n")
        if old:
            k = 0
            while k < len(lines) and lines[k].startswith(HEADER):
                k += 1
            lines = lines[k:]
        for f in json.loads(r.stdout):
            n = f["line"]
            anchor = lines[n - 1] if 0 < n <= len(lines) else ""
            rows.append(dict(label=label, rule=f["rule"], line=n, column=f["column"], anchor=shared(anchor)[:100],
                             message=shared(f["message"])))
    return rows


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "images":
        for l, r in images():
            print(l + "\t" + r)
    elif cmd == "collect":
        old = "--old" in sys.argv
        dflint = [a for a in sys.argv[2:] if a != "--old"][0]
        for row in collect(dflint, old):
            print(json.dumps(row))
    elif cmd == "counts":
        import collections
        c = collections.Counter(json.loads(l)["rule"] for l in open(sys.argv[2]))
        for k in sorted(c):
            print(f"{k}\t{c[k]}")
        print(f"total\t{sum(c.values())}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
