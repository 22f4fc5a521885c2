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

    /// (command names, options or argument fragments, what it disables)
    static let weakenings: [(Set<String>, [String], String)] = [
        (["curl"], ["-k", "--insecure"], "TLS certificate verification"),
        (["wget"], ["--no-check-certificate"], "TLS certificate verification"),
        (["apt-get", "apt", "aptitude"], ["--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories", "--allow-downgrades"], "package signature checks"),
        (["apk"], ["--allow-untrusted"], "package signature checks"),
        (["rpm"], ["--nosignature", "--nodigest", "--noverify", "--nofiledigest"], "package signature checks"),
        (["yum", "dnf", "microdnf", "tdnf", "zypper"], ["--nogpgcheck", "--no-gpg-checks"], "package signature checks"),
        (["pip", "pip3", "pip2", "python", "python3"], ["--trusted-host"], "TLS verification for a package index"),
        (["gem"], ["-P", "--trust-policy"], "gem signature policy"),
    ]

    static let verificationDisabled = Rule(RuleDescriptor(
        id: "DF191", name: "verification-disabled", title: "TLS or signature verification turned off", cis: "4.11",
        scored: false, defaultSeverity: .error,
        rationale: "Turning off certificate or signature checks (`curl -k`, `wget --no-check-certificate`, `apt-get --allow-unauthenticated`, `apk --allow-untrusted`, `rpm --nosignature`, `dnf --nogpgcheck`, `gpgcheck=0`, `pip --trusted-host`, `strict-ssl false`, `http.sslVerify=false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`...) lets anyone on the network path substitute what gets installed.",
        fix: "Fix the trust store (install ca-certificates, import the repository key) instead of disabling verification.",
        triggering: ["FROM debian:12\nRUN curl ↓-k https://example.com/tool -o /usr/local/bin/tool\n",
                     "FROM debian:12\nRUN apt-get install -y ↓--allow-unauthenticated foo\n",
                     "FROM fedora:40\nRUN echo ↓'gpgcheck=0' >> /etc/yum.repos.d/x.repo\n",
                     "FROM node:20\nENV ↓NODE_TLS_REJECT_UNAUTHORIZED=0\nRUN npm config set ↓strict-ssl false\n",
                     "FROM alpine:3.19\nRUN git -c ↓http.sslVerify=false clone https://example.com/r.git\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSL https://example.com/tool -o /usr/local/bin/tool\n",
                        "FROM fedora:40\nRUN dnf install -y --setopt=gpgcheck=1 git\n",
                        "FROM alpine:3.19\nRUN apk index --allow-untrusted -o /repo/APKINDEX.tar.gz /repo/*.apk && abuild-sign /repo/APKINDEX.tar.gz\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands {
            var found = false
            for (names, opts, what) in weakenings where names.contains(c.name) {
                if c.name == "gem", let (v, i) = c.value(of: "-P", "--trust-policy") {
                    if v.lowercased().hasPrefix("no") { hits.append(Hit(c.span(ofWord: i), "gem trust policy \(v) disables \(what)")); found = true }
                    continue
                }
                // `apk index --allow-untrusted` builds an index of local packages (signed next);
                // only installing without signatures is the risk.
                if c.name == "apk", let a = PackageManagers.action(c), a.kind != .install, a.kind != .upgrade { continue }
                if let i = c.firstIndex(of: opts) {
                    hits.append(Hit(c.span(ofWord: i), "\(c.argv[i]) disables \(what)"))
                    found = true
                }
            }
            if found { continue }
            for (i, a) in c.argv.enumerated() {
                if (c.name == "npm" || c.name == "yarn" || c.name == "pnpm"), a == "strict-ssl", i + 1 < c.argv.count, c.argv[i + 1] == "false" {
                    hits.append(Hit(c.span(ofWord: i), "\(c.name) strict-ssl false disables TLS verification"))
                    break
                }
                if disablesVerification(a) {
                    hits.append(Hit(c.span(ofWord: i), "`\(a)` disables package or TLS verification"))
                    break
                }
            }
        }
        let envFlags: [String: (String) -> Bool] = [
            "NODE_TLS_REJECT_UNAUTHORIZED": { $0 == "0" }, "PYTHONHTTPSVERIFY": { $0 == "0" },
            "GIT_SSL_NO_VERIFY": { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" },
            "PIP_TRUSTED_HOST": { !$0.isEmpty }, "NPM_CONFIG_STRICT_SSL": { $0.lowercased() == "false" },
            "CURL_INSECURE": { !$0.isEmpty && $0 != "0" }, "GOINSECURE": { !$0.isEmpty }, "GONOSUMCHECK": { !$0.isEmpty },
            "GOFLAGS": { $0.contains("-insecure") },
        ]
        for ins in ctx.instructions {
            guard case .env(let kv) = ins.value else { continue }
            for p in kv {
                let v = ctx.expanded(p.value, at: ins.index)
                if let bad = envFlags[p.key.text], bad(v) {
                    hits.append(Hit(p.key.span.union(p.value.span), "ENV \(p.key.text)=\(v) disables TLS or checksum verification"))
                }
            }
        }
        return hits
    }

    static let disablingSettings: [[UInt8]] = ["gpgcheck=0", "gpgcheck=false", "gpgcheck=no", "sslverify=false", "sslverify=0",
                                               "sslverify=no", "allowunauthenticated=true", "allowinsecurerepositories=true"].map { Array($0.utf8) }

    /// Whether an argument sets a verification switch off (`gpgcheck=0`, `http.sslVerify=false`,
    /// `-o APT::Get::AllowUnauthenticated=true`), ignoring case and spaces. Byte scan: this runs on every word.
    static func disablesVerification(_ a: String) -> Bool {
        guard a.utf8.contains(0x3D) else { return false }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(a.utf8.count)
        for b in a.utf8 where b != 0x20 { bytes.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
        for needle in disablingSettings where bytes.count >= needle.count {
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0], bytes[i..<i + needle.count].elementsEqual(needle) {
                    // `gpgcheck=0` must not be `gpgcheck=01`; `repo_gpgcheck=0` counts too.
                    let end = i + needle.count
                    if end == bytes.count || !(bytes[end] >= 0x30 && bytes[end] <= 0x39) && !(bytes[end] >= 0x61 && bytes[end] <= 0x7A) { return true }
                }
                i += 1
            }
        }
        return false
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
        triggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz ↓http://example.com/t.tgz\n", "FROM debian:12\nADD ↓http://example.com/t.tgz /tmp/\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz && wget http://localhost:8080/health\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where downloaders.contains(c.name) || c.name == "git" {
            for (i, a) in c.argv.enumerated().dropFirst() where isPlainHTTP(a) {
                hits.append(Hit(c.span(ofWord: i), "\(c.name) downloads \(a) over plain HTTP"))
            }
        }
        for ins in ctx.instructions {
            if case .copy(let c) = ins.value, c.isAdd {
                for s in c.sources where isPlainHTTP(s.text) { hits.append(Hit(s.span, "ADD downloads \(s.text) over plain HTTP")) }
            }
        }
        return hits
    }

    static let addURLChecksum = Rule(RuleDescriptor(
        id: "DF193", name: "add-url-without-checksum", title: "ADD of a URL without --checksum", cis: "4.11", scored: false,
        defaultSeverity: .warning,
        rationale: "`ADD <url>` downloads at build time with no verification unless `--checksum=sha256:...` (Dockerfile syntax 1.6+) pins the expected content.",
        fix: "Add `--checksum=sha256:<digest>` to the ADD.",
        triggering: ["FROM debian:12\nADD ↓https://example.com/tool-1.2.tgz /tmp/\n"],
        nonTriggering: ["FROM debian:12\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.tgz /tmp/\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, c.isAdd, ins.flag("checksum") == nil else { continue }
            for s in c.sources where s.text.lowercased().hasPrefix("https://") || s.text.lowercased().hasPrefix("http://") {
                hits.append(Hit(s.span, "ADD downloads \(s.text) without --checksum: the content is not verified"))
            }
        }
        return hits
    }
}
