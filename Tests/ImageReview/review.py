#!/usr/bin/env python3
"""The image-mode review: every finding dflint reports on the corpus image
configs and on the fixture images, with one verdict each.

  review.py images                  the review set (LABEL<TAB>REF), as in review.tsv
  review.py collect [--old] DFLINT  findings as JSON lines: label, rule, line, column,
                                    anchor (the reconstruct line the finding points at), message
  review.py counts FILE.jsonl       findings per rule
  review.py draft DFLINT            writes review.tsv: the current findings with their verdicts, and
                                    the false findings of before issue 13 (before.jsonl)

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
    elif cmd == "draft":
        draft(sys.argv[2])
    elif cmd == "counts":
        import collections
        c = collections.Counter(json.loads(l)["rule"] for l in open(sys.argv[2]))
        for k in sorted(c):
            print(f"{k}\t{c[k]}")
        print(f"total\t{sum(c.values())}")
    else:
        sys.exit(__doc__)



# ---------------------------------------------------------------------------------------------
# The review: `review.py draft DFLINT` writes review.tsv from the findings of DFLINT and of the
# binary before issue 13 (before.jsonl). Each verdict below is a check of the finding against
# what the image holds (its reconstruction, its config, its build context under
# ../shared/fixtures/build-context) and says why; a finding no check covers stops the draft.

import re

SECRET_TRUE = {
    "DB_PASSWORD": "hunter2, the fixture's fake password",
    "AWS_SECRET_ACCESS_KEY": "the fixture's fake AWS secret key",
    "API_TOKEN": "secret-token-legacy-syntax, the fixture's fake token",
    "GITHUB_TOKEN": "the --build-arg token leaked into the history (`|N GITHUB_TOKEN=ghp_...`)",
    "NPM_TOKEN": "an npm token (default or --build-arg) kept in the history",
    "PASSWORD": "changeme, a literal password in ENV",
    "SECRET_KEY": "commit-secret, set with docker commit -c ENV",
    "BUILD_SECRET": "the builder stage's ARG default, kept by the intermediate image",
    "ANCHORE_ADMIN_PASSWORD": "foobar, a literal admin password in the image's ENV",
    "ANCHORE_CLI_PASS": "foobar, a literal password in the image's ENV",
}
SECRET_FALSE = {
    "ANCHORE_DISABLE_METRICS_AUTH": "value `false`: a boolean switch, not a secret",
    "ANCHORE_AUTH_ENABLE_HASHED_PASSWORDS": "value `false`: a boolean switch, not a secret",
    "ANCHORE_AUTH_PUBKEY": "value `null`: no key is set",
    "ANCHORE_AUTH_PRIVKEY": "value `null`: no key is set",
    "ANCHORE_AUTH_SECRET": "value `null`: no secret is set",
    "ANCHORE_OAUTH_TOKEN_EXPIRATION": "value `3600`: a duration in seconds, not a token",
}
OPEN_SECRETS = "open: secrets helper (issue 12) owns DF180"


def instructions(lines):
    return [l for l in lines if l and not l.startswith("#")]


def judge(row, lines):
    """(verdict, reason) for a current finding, from what the image holds."""
    rule, msg, label = row["rule"], row["message"], row["label"]
    body = re.sub(r"^history entry \d+( \(base image\))?: ", "", msg)
    line = lines[row["line"] - 1] if 0 < row["line"] <= len(lines) else ""
    ins = instructions(lines)
    users = [l for l in ins if l.startswith("USER ")]
    if rule == "DF131":
        assert body.startswith("host-level: DOCKER_CONTENT_TRUST is not set to 1")
        return "true", "the review runs with an empty environment: DOCKER_CONTENT_TRUST is unset on the linting host (host-level: reported, does not decide the exit status)"
    if rule == "DF401":
        assert label.startswith("corpus/") or label in ("fixture/docker-import:1", "fixture/dangling-legacy-multistage-builder-stage", "fixture/dangling-heredoc-partial")
        return "true", "the source holds no layer contents (a JSON config, or a store copied without its layer directories): the layer rules could not run"
    if rule == "DF101":
        assert not users and body == "the image config sets no User, so the container runs as root (uid 0)"
        return "true", "no USER in the history and no User in the config: a Linux container then runs as uid 0"
    if rule == "DF102":
        u = users[-1].split()[1]
        assert u in ("root", "0") and line == users[-1]
        return "true", f"the last USER (and the config's User) is {u}: the container runs as root"
    if rule == "DF140":
        assert not any(l.startswith("HEALTHCHECK ") for l in ins) and line.startswith("FROM ")
        return "true", "neither the history nor the config sets a Healthcheck"
    if rule == "DF141":
        assert line.startswith("HEALTHCHECK NONE")
        return "true", "the Containerfile says HEALTHCHECK NONE (the shellform fixture): health checking is off"
    if rule == "DF130":
        assert line.startswith("FROM localhost/") and "@sha256:" not in line
        return "true", "buildah's FROM comment names the base by tag only: the build was not pinned by digest"
    if rule == "DF160":
        mode = body.split()[1]
        assert f"chmod {mode}" in line
        return "true", f"the RUN runs chmod {mode}, which sets the bit"
    if rule == "DF170":
        if "written as" in body:
            assert line.startswith("ADD file:")
            return "true", "its layer wrote exactly one file, at the ADD's destination (the build context's app.conf): a plain copy"
        if "a file name (its layer was not read)" in body:
            dest = line.split()[-1]
            return "true", f"destination {dest} names a file, and an archive would unpack into a directory there: a plain copy"
        if "build-context directory" in body:
            assert line.startswith("ADD dir:")
            return "true", "ADD of a directory copies it as COPY does (archives inside are not unpacked)"
        if body.startswith("ADD of local file") or body.startswith("ADD of local directory"):
            src = line.split()[1]
            assert src in ("app.conf", "README.md", ".scripts/")
            return "true", f"the history keeps the source name {src}: not an archive"
    if rule == "DF180":
        name = body.split()[1]
        if name in SECRET_TRUE:
            return "true", SECRET_TRUE[name]
        if name in SECRET_FALSE:
            return "false-open", SECRET_FALSE[name] + "; " + OPEN_SECRETS
    if rule == "DF122":
        if "apk cache" in body or body.startswith("`apk add` without --no-cache"):
            assert "apk add" in line and "--no-cache" not in line
            return "true", "`apk add` without --no-cache keeps the index cache in the layer"
        if "yum cache" in body or (body.startswith("`yum ") and "leaves its metadata" in body):
            assert "yum" in line and "yum clean all" not in line
            return "true", "yum install/upgrade without `yum clean all` after it in the same RUN"
        if "pip keeps" in body:
            assert "pip3 install" in line and "--no-cache-dir" not in line
            return "true", "pip install without --no-cache-dir"
        if body.startswith("`apt-get update` leaves the package lists"):
            assert "apt-get update" in line and "/var/lib/apt/lists" not in line and "dist-clean" not in line
            return "true", "apt-get update with no removal of /var/lib/apt/lists afterwards in the same RUN: the lists stay in the layer"
    if rule == "DF123":
        pkg = body.split()[0]
        m = re.match(r"\S+ \(from (\$\w+)\)", body)
        if m:
            var = m.group(1)
            assert var in line and re.search(var[1:] + r"=['\"][^'\"]*" + re.escape(pkg), line.replace("\t", " ")), (pkg, line[:120])
            return "true", f"{pkg} is listed in {var}, set earlier in the same RUN, and installed from it without a version pin"
        assert re.search(r"(^|\s)" + re.escape(pkg) + r"(\s|$)", line.replace("\t", " ")), (pkg, line)
        return "true", f"{pkg} is named without a version pin in the RUN (apt/apk pinning as hadolint DL3008/DL3018)"
    if rule == "DF214":
        assert re.search(r"(^|[\s;&|(])wget ", line) and "--progress" not in line
        return "true", "wget without --progress, -q or -nv: it prints progress dots into the build log"
    if rule == "DF217":
        assert "|" in line and "pipefail" not in line
        return "true", "the RUN has a pipe and nothing sets pipefail (the history's RUN runs under /bin/sh -c)"
    if rule == "DF218":
        k = ins.index(line)
        assert line.startswith("RUN ") and k > 0 and ins[k - 1].startswith("RUN ")
        return "true", "two RUNs in a row (as hadolint DL3059: one command each, same flags)"
    if rule == "DF203":
        kw = body.split()[0]
        assert line.startswith(kw + " ") and not line[len(kw) + 1:].startswith("[")
        return "true", f"{kw} in shell form (the shellform fixture): /bin/sh is PID 1"
    if rule == "DF204":
        assert line.startswith("MAINTAINER ")
        return "true", "the history has a MAINTAINER instruction"
    if rule == "DF208":
        assert re.search(r"(&&|;|^RUN)\s*cd ", line.replace("\t", " ")), line[:80]
        return "true", "the RUN changes directory with cd (hadolint DL3003 too)"
    if rule == "DF501":
        if "/usr/local/bin/suid-helper" in body:
            assert "mode 4755" in body
            return "true", "the kitchensink RUN does chmod u+s /usr/local/bin/suid-helper; the layer holds it with mode 4755"
        if "/committed.txt" in body:
            assert "mode 4644): not executable" in body
            return "true", "docker commit of a container that ran chmod u+s /committed.txt: the bit is set (mode 4644, and the message says it is not executable)"
    if rule == "DF503":
        assert "/root/.npmrc" in body
        return "true", "Dockerfile.shellform (docker) writes the npm token into /root/.npmrc and keeps it"
    if rule == "DF506":
        assert "/data is a world-writable directory (mode 0777" in body
        return "true", "the kitchensink RUN does chmod 777 /data"
    if rule == "DF507":
        assert "owned by uid 0, which has no entry in /etc/passwd" in body
        return "true", "scratchfinal copies an /etc/passwd with only nobody (65534) while its files belong to uid 0"
    raise SystemExit(f"no verdict for {label} {rule} {row['line']}:{row['column']} {msg}")


# Old findings (before.jsonl) that are no longer reported, or whose message was untrue.
SCRATCH_TRUE = ("corpus/regclient__", "corpus/google__go-containerregistry__pkg__v1__tarball__testdata__hello-world",
                "corpus/tianon__", "corpus/wagoodman__dive__.data__test-oci-", "corpus/anchore__stereoscope__pkg__image__oci__",
                "corpus/containers__image__docker__archive__fixtures__almostempty", "corpus/aquasecurity__fanal__test__testdata__test.oci")


def judge_old(row, still_at):
    """(verdict, where-pattern, reason) for a finding of the binary before issue 13, or None when a
    current finding with the same rule on the same instruction supersedes it with a true message."""
    rule, msg, label, anchor = row["rule"], row["message"], row["label"], row["anchor"]
    body = re.sub(r"^history entry \d+( \(base image\))?: ", "", msg)
    if rule == "DF101" and "scratch has no users" in body:
        if label.startswith(SCRATCH_TRUE):
            return None   # FROM scratch with a few files: no users indeed; the new message says uid 0
        why = ("the image has an OS root file system with users (rootfs ADD, busybox, busybase, ubuntu)"
               if not label.startswith(("corpus/google__", "corpus/GoogleContainerTools__", "corpus/containers__common__"))
               else "nothing in the history shows a scratch image without users (bazel/jib/unknown base): the claim was made up from the reconstruction's placeholder FROM scratch")
        return "false", "*scratch has no users*", why
    if rule == "DF202":
        if label == "fixture/multistage:docker":
            return "false", "*", "config `Entrypoint: []` made the reconstruction add ENTRYPOINT [] and a second copy of the history's CMD; the image has one CMD"
        return "false", "*", "the base image's CMD replaced by the child's: two builds, not a repeated instruction"
    if rule == "DF501" and "/committed.txt" in body:
        return "false", "*: it runs with the privileges of its owner;*", "mode 4644 is not executable: nothing runs with the owner's privileges (the finding stays, with a true message)"
    if rule == "DF170":
        if still_at:
            return None
        a = anchor.split()
        dest = a[-1] if a else ""
        if "payload" in label or label.startswith(("fixture/kitchensink", "fixture/onbuildchild", "fixture/docker-legacy")):
            assert dest in ("/opt/", "/opt/gz/"), anchor
            return "false", "*", f"ADD payload.tar{'.gz' if dest == '/opt/gz/' else ''} {dest} of the build context: an archive ADD unpacked (its layer writes /opt/payload/one.txt and two.sh); COPY would not"
        if "multi_add" in label:
            return "false", "*", "the ubuntu rootfs ADD of entry 4, and entries 7 and 8 ADD the same content hash to /: an archive, unpacked by design"
        if label.startswith("corpus/google__go-containerregistry__pkg__v1__tarball__testdata__test_link"):
            return "false", "*", "ADD of a file to / after a bazel layer: nothing shows COPY would do the same (no layer contents; a / destination is where archives are unpacked)"
        if label.startswith("corpus/containers__image__docker__archive__fixtures__almostempty"):
            return "dropped", "*", "ADD to /emptyfile is likely a plain file, but the name has no file extension and the layer is not in the corpus: not reported for want of evidence"
        assert dest == "/", anchor
        return "false", "*", "the base image's rootfs: `ADD file:… in /` as the first layer, an archive unpacked by design"
    return None


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t")


def draft(dflint):
    rows = collect(dflint)
    cache = {}
    def lines_of(label):
        if label not in cache:
            words = expand(dict(images())[label])
            out = subprocess.run([dflint, "reconstruct"] + words, capture_output=True, text=True, env={}).stdout
            cache[label] = [shared(l) for l in out.split("\n")]
        return cache[label]
    out = []
    for r in rows:
        v, why = judge(r, lines_of(r["label"]))
        out.append((r["label"], r["rule"], r["line"], v, f"{r['line']}:{r['column']}", r["message"], why))
    current = {(r["label"], r["rule"], r["anchor"]) for r in rows}
    old = [json.loads(l) for l in open(os.path.join(HERE, "before.jsonl"))]
    seen = set()
    for r in old:
        r["anchor"] = shared(r["anchor"])
        j = judge_old(r, (r["label"], r["rule"], r["anchor"]) in current)
        if j is None:
            continue
        v, pattern, why = j
        key = (r["label"], r["rule"], r["anchor"], pattern)
        if key in seen:
            continue
        seen.add(key)
        out.append((r["label"], r["rule"], 10**6, v, "at " + r["anchor"], pattern, why))
    out.sort(key=lambda t: (t[0], t[2], t[1], t[4], t[5]))
    with open(REVIEW, "w") as f:
        f.write(REVIEW_HEADER)
        for l, r in images():
            f.write(f"image\t{l}\t{r}\n")
        f.write("#\n# verdict\tlabel\trule\twhere\tmessage\treason\n")
        for label, rule, _, v, where, message, why in out:
            f.write("\t".join([v, label, rule, esc(where), esc(message), esc(why)]) + "\n")


REVIEW_HEADER = """# Image-mode review (issue 13): every finding dflint reports on ../shared/corpus/image-configs/
# and on the ../shared/fixtures images, with one verdict each. Written by `review.py draft`, checked
# by Tests/dflintTests/ImageReviewTests.swift (which lints every image below in-process with an empty
# environment and default options). $SHARED is the shared tree.
#
# verdicts:
#   true        a finding reported now, true for the image (the reason says why);
#   false-open  reported now, a false positive of a rule another helper owns (named in the reason);
#   false       reported before issue 13, a false positive: it must not come back. `where` is
#               `at INSTRUCTION` (the line of the reconstruction it pointed at), `message` a glob;
#   dropped     reported before, probably true, no longer reported for want of evidence.
# A current finding must match a true/false-open row exactly (label, rule, line:column, message).
#
"""


if __name__ == "__main__":
    main()
