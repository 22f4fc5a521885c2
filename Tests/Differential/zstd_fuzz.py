#!/usr/bin/env python3
"""Fuzz sweep of dflint's zstd decoder (run by .ci/run, not by swift test).

Seeds are real zstd streams made here with zstd(1) at several levels and
options (and skopeo-style multi-frame streams). Each case mutates a seed
(bit flips, byte overwrites, truncation, inserted / deleted / duplicated
ranges, spliced frames, bogus headers) and decodes it with
`dflint-bench --unzstd FILE CAP`. A case fails when the decoder
  - crashes (killed by a signal, or an exit status other than 0 and 1),
  - hangs (no answer within the timeout),
  - writes more than CAP bytes (the output bound), or
  - decodes a seed (unmutated) to other bytes than its input, or
  - accepts a mutated stream that zstd(1) also accepts, but decodes it to
    other bytes (two decoders of one spec must agree on what both accept).
It also counts mutated streams zstd(1) accepts and dflint refuses (reported:
dflint is stricter in places, e.g. offsets beyond the window).

Usage: zstd_fuzz.py DFLINT_BENCH [--count N] [--seed S] [--timeout SECONDS]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

CAP = 8 << 20


def zstd(data, args):
    return subprocess.run(["zstd", "-q", "-c"] + args, input=data, capture_output=True, check=True).stdout


def make_inputs(rng):
    text = b"".join(rng.choice([b"hello ", b"world ", b"zstd ", b"layer\n", b"tar ", bytes([rng.randrange(256)])])
                    for _ in range(60000))
    rand = os.urandom(200000)
    zeros = bytes(300000)
    mixed = text[:50000] + rand[:50000] + zeros[:50000] + text[50000:120000]
    return [text, rand, zeros, mixed, b"", b"x"]


def seeds(rng):
    out = []
    inputs = make_inputs(rng)
    for data in inputs:
        for args in (["-1"], ["-3"], ["-19"], ["--no-check", "-3"], ["--long=27", "-3"], ["--fast=4"], ["--ultra", "-22"]):
            out.append((data, zstd(data, args)))
    # Multi-frame with a skippable frame in between.
    a, b = inputs[0], inputs[2]
    skip = b"\x50\x2a\x4d\x18" + (7).to_bytes(4, "little") + b"payload"
    out.append((a + b, zstd(a, ["-1"]) + skip + zstd(b, ["-19"])))
    return out


def mutate(rng, z, others):
    z = bytearray(z)
    kind = rng.randrange(9)
    if not z:
        return bytes(z), "empty"
    if kind == 0:
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(z))
            z[i] ^= 1 << rng.randrange(8)
        return bytes(z), "bitflip"
    if kind == 1:
        for _ in range(rng.randint(1, 8)):
            z[rng.randrange(len(z))] = rng.randrange(256)
        return bytes(z), "overwrite"
    if kind == 2:
        return bytes(z[:rng.randrange(len(z))]), "truncate"
    if kind == 3:
        i = rng.randrange(len(z))
        return bytes(z[:i] + os.urandom(rng.randint(1, 64)) + z[i:]), "insert"
    if kind == 4:
        i = rng.randrange(len(z))
        return bytes(z[:i] + z[i + rng.randint(1, 64):]), "delete"
    if kind == 5:
        i = rng.randrange(len(z))
        n = rng.randint(1, 256)
        return bytes(z[:i] + z[i:i + n] * rng.randint(2, 5) + z[i + n:]), "duplicate"
    if kind == 6:
        o = rng.choice(others)
        i, j = rng.randrange(len(z)), rng.randrange(max(1, len(o)))
        return bytes(z[:i] + o[j:]), "splice"
    if kind == 7:
        # Bogus frame header descriptor / window descriptor / block header bytes.
        for i in range(4, min(len(z), 12)):
            if rng.random() < 0.5:
                z[i] = rng.randrange(256)
        return bytes(z), "header"
    # Bytes near the end (checksum, last block).
    for _ in range(rng.randint(1, 3)):
        z[max(0, len(z) - rng.randint(1, 16))] ^= rng.randrange(1, 256)
    return bytes(z), "tail"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--verbose", action="store_true", help="print why dflint refused what zstd -dc accepted")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    base = seeds(rng)
    comps = [z for _, z in base]
    tmp = tempfile.mkdtemp(prefix="dflint-zstd-fuzz-")
    path = os.path.join(tmp, "case.zst")
    failures, accepted, agree, stricter, ok_seeds = [], 0, 0, 0, 0

    def run(data):
        with open(path, "wb") as f:
            f.write(data)
        try:
            p = subprocess.run([a.bench, "--unzstd", path, str(CAP)], capture_output=True, timeout=a.timeout)
        except subprocess.TimeoutExpired:
            return None, b"", "hang"
        return p.returncode, p.stdout, p.stderr.decode(errors="replace").strip()

    # The seeds themselves must decode exactly.
    for data, z in base:
        rc, out, err = run(z)
        if rc == 0 and out == data:
            ok_seeds += 1
        else:
            failures.append(f"seed ({len(z)} bytes) rc={rc} out={len(out)} expected={len(data)}: {err}")
    for n in range(a.count):
        data, z = base[rng.randrange(len(base))]
        m, kind = mutate(rng, z, comps)
        rc, out, err = run(m)
        where = f"case {n} ({kind}, {len(m)} bytes)"
        if rc is None:
            failures.append(f"{where}: no answer within {a.timeout}s (hang)")
            with open(os.path.join(tmp, f"hang-{n}.zst"), "wb") as f:
                f.write(m)
            continue
        if rc not in (0, 1):
            failures.append(f"{where}: exit {rc} (crash?) {err[-200:]}")
            with open(os.path.join(tmp, f"crash-{n}.zst"), "wb") as f:
                f.write(m)
            continue
        if len(out) > CAP:
            failures.append(f"{where}: wrote {len(out)} bytes, more than the {CAP}-byte cap")
        ref = subprocess.run(["zstd", "-q", "-dc"], input=m, capture_output=True)
        if rc == 0:
            accepted += 1
            if ref.returncode == 0:
                if ref.stdout == out:
                    agree += 1
                else:
                    failures.append(f"{where}: zstd -dc and dflint both accept it but decode different bytes")
        elif ref.returncode == 0 and len(ref.stdout) <= CAP:
            stricter += 1
            if a.verbose:
                print(f"  {where}: zstd -dc accepts ({len(ref.stdout)} bytes), dflint says: {err}")
    print(f"zstd fuzz: {ok_seeds}/{len(base)} seeds exact, {a.count} mutated cases, {accepted} accepted by dflint "
          f"({agree} of them identical to zstd -dc), {stricter} accepted by zstd -dc only, {len(failures)} failures")
    for f in failures[:20]:
        print("  " + f)
    if not failures:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
    else:
        print(f"  failing inputs kept in {tmp}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
