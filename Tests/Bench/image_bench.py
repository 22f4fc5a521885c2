#!/usr/bin/env python3
"""Time to lint an image from a docker-archive tarball must not grow with
layer size: builds two archives around the same real config (one with a
1 MB layer, one with a large sparse layer written BEFORE manifest.json, as
docker save orders them), lints both with `dflint --from-image`, best of N.

Usage: image_bench.py DFLINT CONFIG_JSON [--big-mb N] [--rounds N]"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time


def build(path, config, layer_bytes, tmp):
    digest = hashlib.sha256(config).hexdigest()
    layer = os.path.join(tmp, f"layer-{layer_bytes}")
    with open(layer, "wb") as f:
        f.truncate(layer_bytes)  # sparse: costs no disk
    with tarfile.open(path, "w") as t:
        t.add(layer, arcname="0123abcd/layer.tar")
        info = tarfile.TarInfo(f"{digest}.json")
        info.size = len(config)
        t.addfile(info, io.BytesIO(config))
        manifest = json.dumps([{"Config": f"{digest}.json", "RepoTags": ["bench/image:1"],
                                "Layers": ["0123abcd/layer.tar"]}]).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        t.addfile(info, io.BytesIO(manifest))
    os.remove(layer)


def best(cmd, rounds):
    t = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t = min(t, time.perf_counter() - t0)
        if r.returncode not in (0, 1):
            sys.exit(f"dflint failed: {r.stderr.decode()}")
    return t


def main():
    dflint, config_path = sys.argv[1:3]
    big_mb = int(sys.argv[sys.argv.index("--big-mb") + 1]) if "--big-mb" in sys.argv else 1024
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    config = open(config_path, "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        small, big = os.path.join(tmp, "small.tar"), os.path.join(tmp, "big.tar")
        build(small, config, 1 << 20, tmp)
        build(big, config, big_mb << 20, tmp)
        ts = best([dflint, "--from-image", f"docker-archive:{small}", "-f", "json"], rounds)
        tb = best([dflint, "--from-image", f"docker-archive:{big}", "-f", "json"], rounds)
        print(f"docker-archive with a 1 MB layer:    {ts * 1000:.1f} ms")
        print(f"docker-archive with a {big_mb} MB layer: {tb * 1000:.1f} ms ({os.path.getsize(big) >> 20} MB tarball)")
        print(f"ratio big/small: {tb / ts:.2f}")


if __name__ == "__main__":
    main()
