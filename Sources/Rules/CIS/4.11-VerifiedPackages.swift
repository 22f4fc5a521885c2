// CIS Docker Benchmark 4.11 verified packages: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    static let downloaders: Set<String> = ["curl", "wget", "fetch", "aria2c"]
    static let interpreters: Set<String> = ["sh", "bash", "dash", "ash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "php"]

    static let pipeToShell = Rule(RuleDescriptor(
        id: "DF190", name: "pipe-to-shell", title: "Downloaded script piped into a shell", cis: "4.11", scored: false,
        defaultSeverity: .error,
        rationale: "`curl ... | sh` runs whatever the server (or anyone on the path) sends at that moment, with no checksum or signature check, and leaves nothing to audit. CIS 4.11 asks that only verified packages be installed.",
        fix: "Download to a file, verify its checksum or signature, then run it; or install from a signed package repository.",
        triggering: ["FROM debian:12\nRUN ↓curl -fsSL https://get.example.com/install.sh | sh\n",
                     "FROM debian:12\nRUN ↓wget -qO- https://example.com/setup | bash -s -- --yes\n",
                     "FROM debian:12\nRUN ↓sh -c \"$(curl -fsSL https://example.com/i.sh)\"\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://example.com/i.sh && echo \"abc  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where interpreters.contains(c.name) {
            if let feeder = c.pipedFrom.map({ ctx.commands[$0] }).first(where: { downloaders.contains($0.name) }) {
                hits.append(Hit(feeder.span, "\(feeder.name) output is piped into \(c.name): the script runs unverified"))
                continue
            }
            if let (script, _) = c.value(of: "-c"), script.contains("$(curl") || script.contains("$(wget") || script.contains("`curl") || script.contains("`wget") {
                hits.append(Hit(c.span, "\(c.name) -c runs a downloaded script unverified"))
            }
        }
        return hits
    }

    /// (command names, options, what it disables, peer ids of the sub-case)
    static let weakenings: [(Set<String>, [String], String, [String])] = [
        (["curl"], ["-k", "--insecure"], "TLS certificate verification", ["CKV2_DOCKER_2"]),
        (["wget"], ["--no-check-certificate"], "TLS certificate verification", ["CKV2_DOCKER_3"]),
        (["apt-get", "apt", "aptitude"], ["--allow-unauthenticated"], "package signature checks", ["CKV2_DOCKER_8"]),
        (["apt-get", "apt", "aptitude"], ["--force-yes"], "package signature checks", ["CKV2_DOCKER_11"]),
        (["apt-get", "apt", "aptitude"], ["--allow-insecure-repositories"], "repository signature checks", []),
        (["apk"], ["--allow-untrusted"], "package signature checks", ["CKV2_DOCKER_7"]),
        (["rpm"], ["--nosignature", "--nodigest", "--noverify", "--nofiledigest"], "package signature checks", ["CKV2_DOCKER_10"]),
        (["yum", "dnf", "dnf5", "microdnf", "tdnf"], ["--nogpgcheck"], "package signature checks", ["CKV2_DOCKER_9"]),
        (["zypper"], ["--no-gpg-checks"], "package signature checks", []),
        (["pip", "pip3", "pip2", "python", "python3"], ["--trusted-host"], "TLS verification for a package index", ["CKV2_DOCKER_4"]),
        (["npm", "yarn", "pnpm"], ["--strict-ssl=false", "--no-strict-ssl"], "TLS verification for the registry", ["CKV2_DOCKER_13"]),
    ]

    static let weakenedTools: Set<String> = weakenings.reduce(into: []) { $0.formUnion($1.0) }

    /// Environment variables that turn verification off, with the test on their value and the
    /// peer ids of the sub-case. Set by ENV, by an ARG default (ARGs are in RUN's environment) or
    /// inside a RUN (`VAR=1 cmd`, `export VAR=1`).
    static let disablingEnvironment: [String: (@Sendable (String) -> Bool, String, [String])] = [
        "NODE_TLS_REJECT_UNAUTHORIZED": ({ $0 == "0" }, "TLS certificate verification in Node.js", ["CKV2_DOCKER_6"]),
        "PYTHONHTTPSVERIFY": ({ $0 == "0" }, "HTTPS certificate verification in Python", ["CKV2_DOCKER_5"]),
        // git turns verification off when the variable is set at all, `0` and empty included.
        "GIT_SSL_NO_VERIFY": ({ _ in true }, "TLS verification in git", ["CKV2_DOCKER_14"]),
        "PIP_TRUSTED_HOST": ({ !$0.isEmpty }, "TLS verification for a pip index", ["CKV2_DOCKER_16"]),
        "NPM_CONFIG_STRICT_SSL": ({ ["false", "0", "no"].contains($0.lowercased()) }, "TLS verification for the npm registry", ["CKV2_DOCKER_12"]),
        "npm_config_strict_ssl": ({ ["false", "0", "no"].contains($0.lowercased()) }, "TLS verification for the npm registry", ["CKV2_DOCKER_12"]),
        "YARN_ENABLE_STRICT_SSL": ({ ["false", "0"].contains($0.lowercased()) }, "TLS verification for the yarn registry", []),
        "GOINSECURE": ({ !$0.isEmpty }, "TLS and checksum verification for Go modules", []),
        "GONOSUMCHECK": ({ !$0.isEmpty }, "checksum verification for Go modules", []),
        "GONOSUMDB": ({ !$0.isEmpty && $0 != "off" }, "checksum verification for Go modules", []),
        "GOSUMDB": ({ $0 == "off" }, "checksum verification for Go modules", []),
        "GOFLAGS": ({ $0.contains("-insecure") }, "TLS verification for Go modules", []),
    ]

    static let verificationDisabled = Rule(RuleDescriptor(
        id: "DF191", name: "verification-disabled", title: "TLS or signature verification turned off", cis: "4.11",
        scored: false, defaultSeverity: .error,
        rationale: "Turning off certificate or signature checks (`curl -k`, `wget --no-check-certificate`, `apt-get --allow-unauthenticated`, `apk --allow-untrusted`, `rpm --nosignature`, `dnf --nogpgcheck`, `gpgcheck=0`, `sslverify=false`, `pip --trusted-host`, `strict-ssl false`, `http.sslVerify=false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY`, `PYTHONHTTPSVERIFY=0`...) lets anyone on the network path substitute what gets installed. The environment counts wherever it is set: ENV, an ARG default, or inside the RUN (`VAR=0 cmd`, `export VAR=0`).",
        fix: "Fix the trust store (install ca-certificates, import the repository key) instead of disabling verification.",
        triggering: ["FROM debian:12\nRUN curl ↓-k https://example.com/tool -o /usr/local/bin/tool\n",
                     "FROM debian:12\nRUN apt-get install -y ↓--allow-unauthenticated foo\n",
                     "FROM fedora:40\nRUN echo ↓'gpgcheck=0' >> /etc/yum.repos.d/x.repo\n",
                     "FROM node:20\nENV ↓NODE_TLS_REJECT_UNAUTHORIZED=0\nRUN npm config set ↓strict-ssl false\n",
                     "FROM node:20\nRUN ↓NODE_TLS_REJECT_UNAUTHORIZED=0 node install.js\n",
                     "FROM alpine:3.19\nRUN git -c ↓http.sslVerify=false clone https://example.com/r.git\n",
                     "FROM alpine:3.19\nRUN export ↓GIT_SSL_NO_VERIFY=0 && git clone https://example.com/r.git\n",
                     "FROM python:3.12\nRUN ↓PIP_TRUSTED_HOST=pypi.example.com pip install --no-cache-dir flask==3.0.0\n",
                     "FROM python:3.12\nARG ↓PYTHONHTTPSVERIFY=0\n",
                     "FROM centos:7\nRUN sudo yum install -y ↓--nogpgcheck foo-1.0 && yum clean all\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSL https://example.com/tool -o /usr/local/bin/tool\n",
                        "FROM fedora:40\nRUN dnf install -y --setopt=gpgcheck=1 git\n",
                        "FROM alpine:3.19\nRUN apk index --allow-untrusted -o /repo/APKINDEX.tar.gz /repo/*.apk && abuild-sign /repo/APKINDEX.tar.gz\n",
                        "FROM debian:12\nRUN echo \"never use curl -k or sslverify=false\"\n",
                        "FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=1 NPM_CONFIG_STRICT_SSL=true\n"],
        aliases: ["CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5", "CKV2_DOCKER_6", "CKV2_DOCKER_7",
                  "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11", "CKV2_DOCKER_12", "CKV2_DOCKER_13",
                  "CKV2_DOCKER_14", "CKV2_DOCKER_15", "CKV2_DOCKER_16"]
    )) { ctx in
        var hits: [Hit] = []
        let tools = weakenedTools
        // Commands whose output feeds a pipe, gathered once (not per echo: a long RUN has thousands).
        let feedsPipe = Set(ctx.pipelines.flatMap { $0.commands.dropLast() })
        for c in ctx.commands {
            var found = false
            for (names, opts, what, peers) in weakenings where tools.contains(c.name) && names.contains(c.name) {
                // `apk index --allow-untrusted` builds an index of local packages (signed next);
                // only installing without signatures is the risk.
                if c.name == "apk", let a = ctx.action(of: c.index), a.kind != .install, a.kind != .upgrade { continue }
                if let i = c.firstIndex(of: opts) {
                    hits.append(Hit(c.span(ofWord: i), "\(c.argv[i]) disables \(what)", aliases: peers))
                    found = true
                }
            }
            if c.name == "gem", let (v, i) = c.value(of: "-P", "--trust-policy"), v.lowercased().hasPrefix("no") {
                hits.append(Hit(c.span(ofWord: i), "gem trust policy \(v) disables gem signature checks", aliases: []))
                found = true
            }
            if found { continue }
            if ["npm", "yarn", "pnpm"].contains(c.name), let i = c.argv.firstIndex(where: { $0 == "strict-ssl" || $0 == "strict-ssl=false" }),
               c.argv[i] == "strict-ssl=false" || (i + 1 < c.argv.count && c.argv[i + 1] == "false") {
                hits.append(Hit(c.span(ofWord: i), "\(c.name) strict-ssl false disables TLS verification", aliases: ["CKV2_DOCKER_13"]))
                continue
            }
            if c.name == "git", c.argv.contains("config"), let i = c.argv.firstIndex(where: { $0.lowercased() == "http.sslverify" }),
               i + 1 < c.argv.count, ["false", "0", "no", "off"].contains(c.argv[i + 1].lowercased()) {
                hits.append(Hit(c.span(ofWord: i), "git config http.sslVerify \(c.argv[i + 1]) disables TLS verification in git", aliases: []))
                continue
            }
            // Words of echo/printf are data unless they are written to a file (a repository or
            // configuration file).
            if ["echo", "printf"].contains(c.name), !(c.shell?.redirections.contains { !$0.isHeredoc && $0.op.contains(">") } ?? false),
               !feedsPipe.contains(c.index) {
                continue
            }
            for (i, a) in c.argv.enumerated() {
                if let what = disablesVerification(a) {
                    hits.append(Hit(c.span(ofWord: i), "`\(a)` disables \(what == "sslverify" ? "TLS verification for a package repository" : "package signature checks")",
                                    aliases: what == "sslverify" ? ["CKV2_DOCKER_15"] : []))
                    break
                }
            }
        }
        func check(_ name: String, _ value: String, _ span: Span, _ how: String) {
            guard let (bad, what, peers) = disablingEnvironment[name], bad(value) else { return }
            hits.append(Hit(span, "\(how) \(name)=\(value) disables \(what)", aliases: peers))
        }
        for ins in ctx.instructions {
            switch ins.value {
            case .env(let kv):
                for p in kv { check(p.key.text, ctx.expanded(p.value, at: ins.index), p.key.span.union(p.value.span), "ENV") }
            case .arg(let ds):
                for d in ds {
                    guard let v = d.defaultValue else { continue }
                    check(d.name.text, ctx.expanded(v, at: ins.index), d.span, "ARG")
                }
            default:
                break
            }
        }
        for a in ctx.runAssignments where a.kind != .bare {
            check(a.name, a.value, a.span, a.kind == .export ? "export" : "RUN")
        }
        return hits
    }

    static let disablingSettings: [([UInt8], String)] = [
        ("gpgcheck=0", "gpgcheck"), ("gpgcheck=false", "gpgcheck"), ("gpgcheck=no", "gpgcheck"),
        ("sslverify=false", "sslverify"), ("sslverify=0", "sslverify"), ("sslverify=no", "sslverify"),
        ("allowunauthenticated=true", "gpgcheck"), ("allowinsecurerepositories=true", "gpgcheck"),
    ].map { (Array($0.0.utf8), $0.1) }

    /// Whether an argument sets a verification switch off (`gpgcheck=0`, `http.sslVerify=false`,
    /// `-o APT::Get::AllowUnauthenticated=true`), ignoring case and spaces: which switch, or nil.
    /// Byte scan: this runs on every word.
    static func disablesVerification(_ a: String) -> String? {
        guard a.utf8.contains(0x3D) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(a.utf8.count)
        for b in a.utf8 where b != 0x20 { bytes.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
        for (needle, kind) in disablingSettings where bytes.count >= needle.count {
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0], bytes[i..<i + needle.count].elementsEqual(needle) {
                    // `gpgcheck=0` must not be `gpgcheck=01`; `repo_gpgcheck=0` counts too.
                    let end = i + needle.count
                    if end == bytes.count || !(bytes[end] >= 0x30 && bytes[end] <= 0x39) && !(bytes[end] >= 0x61 && bytes[end] <= 0x7A) { return kind }
                }
                i += 1
            }
        }
        return nil
    }

    static func isPlainHTTP(_ s: String) -> Bool {
        let l = s.lowercased()
        guard l.hasPrefix("http://") else { return false }
        let host = l.dropFirst(7).prefix { $0 != "/" && $0 != ":" }
        return !(host == "localhost" || host == "127.0.0.1" || host.hasSuffix(".localhost"))
    }

    static let plainHTTP = Rule(RuleDescriptor(
        id: "DF192", name: "plain-http-download", title: "Download over plain HTTP", cis: "4.11", scored: false,
        defaultSeverity: .warning,
        rationale: "Anything fetched over `http://` can be replaced in transit; unless it is verified afterwards by checksum or signature, the image installs whatever arrived.",
        fix: "Use https://, and verify the download's checksum.",
        triggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz ↓http://example.com/t.tgz\n", "FROM debian:12\nADD ↓http://example.com/t.tgz /tmp/\n",
                     "FROM debian:12\nADD [↓\"http://example.com/t.tgz\", \"/tmp/\"]\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz && wget http://localhost:8080/health\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where downloaders.contains(c.name) || c.name == "git" {
            for (i, a) in c.argv.enumerated().dropFirst() where isPlainHTTP(a) {
                hits.append(Hit(c.span(ofWord: i), "\(c.name) downloads \(a) over plain HTTP"))
            }
        }
        for ins in ctx.instructionsAndTriggers {
            if case .copy(let c) = ins.value, c.isAdd {
                for s in c.sources {
                    let t = sourceText(s, c, ctx, ins)
                    if isPlainHTTP(t) { hits.append(Hit(s.span, "ADD downloads \(t) over plain HTTP")) }
                }
            }
        }
        return hits
    }

    static let addURLChecksum = Rule(RuleDescriptor(
        id: "DF193", name: "add-url-without-checksum", title: "ADD of a URL without --checksum", cis: "4.11", scored: false,
        defaultSeverity: .warning,
        rationale: "`ADD <url>` downloads at build time with no verification unless `--checksum=sha256:...` (Dockerfile syntax 1.6+) pins the expected content.",
        fix: "Add `--checksum=sha256:<digest>` to the ADD.",
        triggering: ["FROM debian:12\nADD ↓https://example.com/tool-1.2.tgz /tmp/\n",
                     "FROM debian:12\nADD ↓\"https://example.com/tool-1.2.tgz\" /tmp/\nONBUILD ADD ↓https://example.com/plugin.tgz /plugins/\n"],
        nonTriggering: ["FROM debian:12\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.tgz /tmp/\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructionsAndTriggers {
            guard case .copy(let c) = ins.value, c.isAdd, ins.flag("checksum") == nil else { continue }
            for s in c.sources {
                let t = sourceText(s, c, ctx, ins).lowercased()
                if t.hasPrefix("https://") || t.hasPrefix("http://") {
                    hits.append(Hit(s.span, "ADD downloads \(sourceText(s, c, ctx, ins)) without --checksum: the content is not verified"))
                }
            }
        }
        return hits
    }
}
