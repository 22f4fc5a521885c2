// CIS Docker Benchmark 4.10 secrets: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    static func allowed(_ ctx: LintContext, _ s: String) -> Bool {
        ctx.settings.secretAllow.contains { Glob.match($0, s) }
    }

    static let secretNames = Rule(RuleDescriptor(
        id: "DF180", name: "secret-in-env-or-arg", title: "ENV or ARG looks like it holds a secret", cis: "4.10",
        scored: false, defaultSeverity: .error,
        rationale: "ENV values are stored in the image config and visible to anyone who can pull it (`docker inspect`); ARG values are recorded in the image history. Neither is a place for passwords, tokens or keys. Names that only refer to a secret (`*_FILE`, `*_PATH`, `*_URL`), settings (`PASSWORD_MIN_LENGTH`), public keys (`GPG_KEY`) and empty defaults are not reported.",
        fix: "Pass secrets at build time with `RUN --mount=type=secret,id=...` and at run time through the orchestrator's secrets.",
        triggering: ["FROM alpine:3.19\nENV ↓DB_PASSWORD=hunter2 APP_ENV=prod\n", "FROM alpine:3.19\nARG ↓GITHUB_TOKEN=placeholder\n",
                     "FROM alpine:3.19\nENV ↓apiKey abc\n", "FROM alpine:3.19\nENV ↓mysecret notasecret\n"],
        nonTriggering: ["FROM alpine:3.19\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db PASSWORD_MIN_LENGTH=12 GPG_KEY=ABCDEF0123456789\n",
                        "FROM gcr.io/kaniko-project/executor:v1\nENV DOCKER_CREDENTIAL_GCR_CONFIG /kaniko/.config/gcloud/config.json\nENV COMPASS_MODE=on\n",
                        "FROM alpine:3.19\nARG NPM_TOKEN\nARG API_KEY=\n",
                        "# settings: secret-allow=DEMO_*\nFROM alpine:3.19\nENV DEMO_PASSWORD=demo\n"],
        aliases: ["DL3064", "SecretsUsedInArgOrEnv"]
    )) { ctx in
        var hits: [Hit] = []
        func check(_ kind: String, _ name: Word, _ value: Word?) {
            guard let value, !value.raw.isEmpty, value.text != "\"\"", value.text != "''" else { return }
            // An absolute path names where a secret lives, not the secret.
            if value.text.hasPrefix("/"), !value.text.contains(" ") { return }
            let n = name.text
            guard Secrets.isSecretName(n), !allowed(ctx, n), !allowed(ctx, value.text) else { return }
            hits.append(Hit(name.span, "\(kind) \(n) stores a secret in the image (value \(mask(value.text)))", redact: value.span))
        }
        for ins in ctx.instructions {
            switch ins.value {
            case .env(let kv): for p in kv { check("ENV", p.key, p.value) }
            case .arg(let ds): for d in ds { check("ARG", d.name, d.defaultValue) }
            default: break
            }
        }
        return hits
    }

    static let secretValues = Rule(RuleDescriptor(
        id: "DF181", name: "secret-value", title: "A credential is written in the Dockerfile", cis: "4.10", scored: false,
        defaultSeverity: .error,
        rationale: "Credentials in known formats (AWS keys, GitHub, GitLab, Slack, npm, PyPI and Stripe tokens, private keys, JSON Web Tokens, passwords in URLs, `curl -u user:password`) anywhere in a Dockerfile end up in the image or its history and in every clone of the repository.",
        fix: "Remove the credential, rotate it, and pass it with `RUN --mount=type=secret`.",
        triggering: ["FROM alpine:3.19\nENV AWS_ACCESS_KEY_ID=↓AKIAIOSFODNN7EXAMPLE\n",
                     "FROM alpine:3.19\nRUN git clone https://deploy:↓s3cr3tpass@git.example.com/app.git\n",
                     "FROM alpine:3.19\nRUN curl -u admin:↓hunter2 https://example.com/file -o /f\n",
                     "FROM alpine:3.19\nLABEL token=↓ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"],
        nonTriggering: ["FROM alpine:3.19\nRUN git clone https://${GIT_USER}:${GIT_TOKEN}@git.example.com/app.git\n",
                        "FROM alpine:3.19\nRUN curl -u \"$USER:$PASS\" https://example.com/f -o /f\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        func scan(_ bytes: [UInt8], _ map: (Int) -> Int) {
            for m in Secrets.scan(bytes) {
                let text = String(decoding: bytes[m.range], as: UTF8.self)
                if allowed(ctx, text) { continue }
                let span = Span(map(m.range.lowerBound), map(m.range.upperBound - 1) + 1)
                hits.append(Hit(span, "\(m.kind) in the Dockerfile: \(mask(text))", redact: span))
            }
        }
        func scan(_ w: Word) { scan(w.raw) { w.sourceOffset($0) } }
        for ins in ctx.instructions {
            var run: RunInstruction?
            switch ins.value {
            case .env(let kv), .label(let kv): kv.forEach { scan($0.value) }
            case .arg(let ds): ds.compactMap(\.defaultValue).forEach(scan)
            case .run(let r): run = r
            case .onbuild(let inner?): if case .run(let r) = inner.value { run = r }
            case .cmd(let f?), .entrypoint(let f?): f.words.forEach(scan)
            case .healthcheck(.cmd(let f?, _)): f.words.forEach(scan)
            default: break
            }
            if let run {
                run.command?.words.forEach(scan)
                for h in run.heredocs { scan(h.content) { h.bodySpan.start + $0 } }
            }
        }
        for c in ctx.commands where c.name == "curl" || c.name == "wget" {
            for opt in c.name == "curl" ? ["-u", "--user", "--proxy-user", "-U"] : ["--password", "--http-password", "--ftp-password"] {
                guard let (v, i) = c.value(of: opt) else { continue }
                let pass = c.name == "curl" ? v.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) : v
                guard let pass, !pass.isEmpty, !pass.hasPrefix("$"), !allowed(ctx, pass) else { continue }
                let w = c.span(ofWord: i)
                let offset = c.name == "curl" ? (v.firstIndex(of: ":").map { v.utf8.distance(from: v.utf8.startIndex, to: $0.samePosition(in: v.utf8)!) + 1 } ?? 0) : 0
                let start = min(w.start + offset, w.end)
                hits.append(Hit(Span(start, w.end), "password on the \(c.name) command line: \(mask(pass))", redact: Span(start, w.end)))
            }
        }
        return hits
    }

    static let secretFiles = Rule(RuleDescriptor(
        id: "DF182", name: "secret-file-copied", title: "A file that usually holds credentials is copied into the image",
        cis: "4.10", scored: false, defaultSeverity: .warning,
        rationale: "SSH keys, `.env` files, `.npmrc`/`.pypirc`/`.netrc`, credential files and private keys copied into a layer stay in the image even if a later step deletes them.",
        fix: "Do not copy the file; mount it for the one step that needs it with `RUN --mount=type=secret` or `--mount=type=ssh`.",
        triggering: ["FROM node:20\nCOPY ↓.npmrc package.json /app/\nCOPY ↓id_rsa /root/.ssh/id_rsa\n",
                     "FROM alpine:3.19\nADD ↓certs/server.key /etc/ssl/private/\n"],
        nonTriggering: ["FROM node:20\nCOPY package.json .env.example /app/\nCOPY id_rsa.pub /root/.ssh/authorized_keys\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, c.from == nil else { continue }
            for s in c.sources where !isURL(s.text) && !s.text.hasPrefix("<<") {
                if let why = Secrets.secretFileReason(s.text), !allowed(ctx, s.text) {
                    hits.append(Hit(s.span, "\(s.text) usually holds \(why) and stays in the image layer"))
                }
            }
        }
        return hits
    }
}
