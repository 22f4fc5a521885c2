#!/usr/bin/env python3
"""A minimal Docker registry token server for .ci/registry-test (stdlib only).

Issues RS256 JWTs that distribution 2.8 (`auth: token:` in its config) accepts:
the header carries the signing certificate as its only `x5c` element, and that
certificate is the registry's `rootcertbundle`. Signing is done by the
`openssl` CLI (`openssl dgst -sha256 -sign KEY`), so no crypto library is needed.

Policy (like a typical hosted registry): anonymous callers get `pull` only,
callers with valid Basic credentials get every action they ask for, wrong
credentials get 401. The `scope` parameter may be repeated and may name several
repositories.

GET /token?service=S&scope=repository:NAME:pull,push   -> {"token", "access_token", "expires_in", "issued_at"}
GET /stats                                             -> {"token_requests", "with_credentials", "anonymous", "denied"}

Usage: registry-token-server.py --key token.key --cert token.crt --issuer ISS
           --service SVC --port-file FILE [--users-file FILE]
The users file holds `user:password` lines. The server binds 127.0.0.1:0 and
writes the chosen port to --port-file once it is listening.
"""
import argparse
import base64
import binascii
import datetime
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pem_to_der_b64(pem: str) -> str:
    """The x5c element: standard base64 (with padding) of the DER certificate."""
    lines = pem.strip().splitlines()
    body = "".join(l for l in lines if not l.startswith("-----"))
    return base64.b64encode(base64.b64decode(body)).decode()


class State:
    def __init__(self, args):
        self.key = args.key
        self.x5c = [pem_to_der_b64(open(args.cert).read())]
        self.issuer = args.issuer
        self.service = args.service
        self.users = {}
        if args.users_file:
            for line in open(args.users_file):
                line = line.rstrip("\n")
                if ":" in line:
                    u, p = line.split(":", 1)
                    self.users[u] = p
        self.lock = threading.Lock()
        self.stats = {"token_requests": 0, "with_credentials": 0, "anonymous": 0, "denied": 0}

    def count(self, *names):
        with self.lock:
            for n in names:
                self.stats[n] += 1

    def sign(self, claims: dict) -> str:
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                             input=signing_input.encode(), capture_output=True, check=True).stdout
        return signing_input + "." + b64url(sig)


def parse_scopes(values):
    """`repository:dflint/x:pull,push` (a name may not contain ':' here) -> [(type, name, [actions])]."""
    out = []
    for value in values:
        for scope in value.split(" "):
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            typ, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            out.append((typ, name, [a for a in actions.split(",") if a]))
    return out


class Handler(BaseHTTPRequestHandler):
    server_version = "dflint-ci-token/1"
    state: State = None  # set in main

    def log_message(self, fmt, *args):
        sys.stderr.write("token-server: %s %s\n" % (self.address_string(), fmt % args))

    def reply(self, code, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        st = self.state
        if url.path == "/stats":
            with st.lock:
                return self.reply(200, dict(st.stats))
        if url.path != "/token":
            return self.reply(404, {"error": "not found"})

        user = None
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                u, _, p = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                u, p = None, None
            if u is None or st.users.get(u) != p:
                st.count("token_requests", "denied")
                return self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                                  [("WWW-Authenticate", 'Basic realm="dflint-ci-token"')])
            user = u
        service = query.get("service", [st.service])[0]
        if service != st.service:
            st.count("token_requests", "denied")
            return self.reply(400, {"errors": [{"code": "DENIED", "message": f"unknown service {service}"}]})

        access = []
        for typ, name, actions in parse_scopes(query.get("scope", [])):
            granted = actions if user else [a for a in actions if a == "pull"]
            if typ == "repository" and granted:
                access.append({"type": typ, "name": name, "actions": granted})

        now = int(time.time())
        claims = {
            "iss": st.issuer,
            "sub": user or "",
            "aud": st.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": b64url(os.urandom(12)),
            "access": access,
        }
        token = st.sign(claims)
        st.count("token_requests", "with_credentials" if user else "anonymous")
        issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.reply(200, {"token": token, "access_token": token, "expires_in": 300, "issued_at": issued})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--users-file")
    args = ap.parse_args()
    Handler.state = State(args)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(httpd.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
