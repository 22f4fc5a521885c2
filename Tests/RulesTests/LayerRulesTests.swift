import Foundation
import Testing
@testable import DockerfileSyntax
import LayerModel
@testable import Rules

/// Builds synthetic layer views for the layer rules.
enum V {
    static func file(_ path: String, _ mode: UInt32 = 0o644, uid: Int = 0, gid: Int = 0, layer: Int = 0,
                     kind: FileRecord.Kind = .file, target: String? = nil, size: Int64 = 10) -> FileRecord {
        FileRecord(path: path, kind: kind, mode: mode, uid: uid, gid: gid, size: size, linkTarget: target, layer: layer)
    }

    static func dir(_ path: String, _ mode: UInt32 = 0o755, uid: Int = 0, layer: Int = 0) -> FileRecord {
        file(path, mode, uid: uid, layer: layer, kind: .directory)
    }

    static func link(_ path: String, _ target: String, layer: Int = 0, hard: Bool = false) -> FileRecord {
        file(path, 0o777, layer: layer, kind: hard ? .hardlink : .symlink, target: target)
    }

    static func layers(_ n: Int) -> [LayerSummary] {
        (0..<n).map { LayerSummary(digest: "sha256:" + String(repeating: String($0), count: 64)) }
    }

    /// A view of `records`, capturing `contents` (path -> text) in the layer of the record with that path.
    static func view(_ records: [FileRecord], contents: [String: String] = [:], removed: [RemovedFile] = [],
                     layers: Int = 3, problems: [String] = []) -> FileSystemView {
        var files: [String: FileRecord] = [:]
        for r in records { files[r.path] = r }
        var captured: [String: CapturedFile] = [:]
        for (p, text) in contents {
            if files[p] == nil { files[p] = file(p, size: Int64(text.utf8.count)) }
            captured[p] = CapturedFile(path: p, layer: files[p]!.layer, bytes: Array(text.utf8), truncated: false)
        }
        return FileSystemView(files: files, removed: removed, captured: captured, layers: V.layers(layers), problems: problems)
    }

    static func settings(_ view: FileSystemView?, anchors: [Int: Span] = [:], allow: [String]? = nil) -> RuleSettings {
        var s = RuleSettings()
        s.imageMode = true
        s.layers = view
        s.layerAnchors = anchors
        if let allow { s.setuidAllow = allow }
        return s
    }

    static func rule(_ id: String) -> Rule { Catalogue.layerRules.first { $0.descriptor.id == id }! }

    /// Runs one layer rule directly on a `FROM scratch` context.
    static func hits(_ id: String, _ view: FileSystemView?, anchors: [Int: Span] = [:], allow: [String]? = nil) -> [Hit] {
        rule(id).run(LintContext(Dockerfile.parse("FROM scratch\n"), settings: settings(view, anchors: anchors, allow: allow)))
    }
}

struct LayerCase: CustomTestStringConvertible, Sendable {
    var rule: String
    var label: String
    var view: FileSystemView
    /// One entry per expected hit: substrings its message must contain (hits sorted as the rule returns them).
    var expected: [[String]]
    var allow: [String]? = nil
    var testDescription: String { "\(rule) \(expected.isEmpty ? "-" : "+") \(label)" }
}

@Suite struct LayerRulesTests {
    // MARK: catalogue

    @Test func layerRulesAreCataloguedApartFromDockerfileRules() {
        let ids = Catalogue.layerRules.map(\.descriptor.id)
        #expect(ids == ["DF501", "DF502", "DF503", "DF504", "DF505", "DF506", "DF507", "DF508"])
        #expect(Catalogue.layerRules.map(\.descriptor.name) == ["setuid-file", "setuid-allowed", "secret-file-in-image",
                                                               "secret-file-removed", "unnecessary-tool-in-image",
                                                               "world-writable", "unknown-owner", "layer-skipped"])
        let sev = Dictionary(uniqueKeysWithValues: Catalogue.layerRules.map { ($0.descriptor.id, $0.descriptor.defaultSeverity) })
        #expect(sev == ["DF501": .warning, "DF502": .info, "DF503": .error, "DF504": .error, "DF505": .info,
                        "DF506": .info, "DF507": .info, "DF508": .warning])
        let cis = Dictionary(uniqueKeysWithValues: Catalogue.layerRules.map { ($0.descriptor.id, $0.descriptor.cis ?? "") })
        #expect(cis == ["DF501": "4.8", "DF502": "4.8", "DF503": "4.10", "DF504": "4.10", "DF505": "4.3",
                        "DF506": "", "DF507": "", "DF508": ""])
        #expect(!Catalogue.layerRules.contains { $0.descriptor.scored })
        let ruleIDs = Set(Catalogue.rules.map(\.descriptor.id))
        for d in Catalogue.layerRules.map(\.descriptor) {
            #expect(!ruleIDs.contains(d.id))
            #expect(Catalogue.descriptors.contains(d))
            #expect(Catalogue.lookup(d.name)?.id == d.id)
            #expect(Catalogue.lookup(d.id)?.name == d.name)
            #expect(d.triggering.isEmpty && d.nonTriggering.isEmpty, "a Dockerfile example cannot show layers")
        }
    }

    @Test func silentWithoutLayers() {
        for r in Catalogue.layerRules {
            #expect(V.hits(r.descriptor.id, nil).isEmpty)
            #expect(V.hits(r.descriptor.id, FileSystemView()).isEmpty)
        }
    }

    // MARK: table

    static let cases: [LayerCase] = [
        // DF501 / DF502 setuid
        LayerCase(rule: "DF501", label: "setuid tool", view: V.view([V.file("/usr/local/bin/tool", 0o4755, uid: 0, gid: 0, layer: 1)]),
                  expected: [["/usr/local/bin/tool is setuid (owner 0:0, mode 4755)", "its owner", "layer 1"]]),
        LayerCase(rule: "DF501", label: "setgid", view: V.view([V.file("/usr/bin/wall", 0o2755, gid: 5)]),
                  expected: [["/usr/bin/wall is setgid (owner 0:5, mode 2755)", "its group"]]),
        LayerCase(rule: "DF501", label: "both bits", view: V.view([V.file("/opt/x", 0o6711, uid: 12, gid: 34)]),
                  expected: [["setuid and setgid (owner 12:34, mode 6711)"]]),
        LayerCase(rule: "DF501", label: "hard link keeps the mode", view: V.view([V.file("/sbin/y", 0o4755, kind: .hardlink, target: "/sbin/x")]),
                  expected: [["/sbin/y is setuid"]]),
        LayerCase(rule: "DF501", label: "allow-listed passwd", view: V.view([V.file("/usr/bin/passwd", 0o4755)]), expected: []),
        LayerCase(rule: "DF501", label: "setgid directory", view: V.view([V.dir("/var/mail", 0o2775)]), expected: []),
        LayerCase(rule: "DF501", label: "plain program", view: V.view([V.file("/usr/bin/env", 0o755)]), expected: []),
        LayerCase(rule: "DF501", label: "custom allow glob", view: V.view([V.file("/opt/app/helper", 0o4755)]), expected: [],
                  allow: ["/opt/app/*"]),
        LayerCase(rule: "DF502", label: "passwd", view: V.view([V.file("/usr/bin/passwd", 0o4755), V.file("/usr/local/bin/tool", 0o4755)]),
                  expected: [["/usr/bin/passwd is setuid (owner 0:0, mode 4755)", "on the setuid allow-list"]]),
        LayerCase(rule: "DF502", label: "custom allow glob", view: V.view([V.file("/opt/app/helper", 0o4750)]),
                  expected: [["/opt/app/helper", "mode 4750", "allow-list"]], allow: ["/opt/app/*"]),
        LayerCase(rule: "DF502", label: "not allow-listed", view: V.view([V.file("/usr/local/bin/tool", 0o4755)]), expected: []),

        // DF505 tools
        LayerCase(rule: "DF505", label: "sshd and sudo", view: V.view([V.file("/usr/sbin/sshd", 0o755, layer: 2), V.file("/usr/bin/sudo", 0o4755)]),
                  expected: [["/usr/bin/sudo is sudo"], ["/usr/sbin/sshd is an SSH server", "layer 2"]]),
        LayerCase(rule: "DF505", label: "debian netcat alternatives",
                  view: V.view([V.link("/bin/nc", "/etc/alternatives/nc"), V.link("/etc/alternatives/nc", "/bin/nc.openbsd"),
                                V.file("/bin/nc.openbsd", 0o755)]),
                  expected: [["/bin/nc is netcat (-> /etc/alternatives/nc)"], ["/bin/nc.openbsd is netcat"]]),
        LayerCase(rule: "DF505", label: "ncat, telnet", view: V.view([V.file("/usr/bin/ncat", 0o755), V.file("/usr/bin/telnet", 0o755)]),
                  expected: [["/usr/bin/ncat is netcat (ncat)"], ["/usr/bin/telnet is a telnet client"]]),
        LayerCase(rule: "DF505", label: "busybox applet symlink", view: V.view([V.file("/bin/busybox", 0o755), V.link("/usr/bin/nc", "/bin/busybox")]),
                  expected: []),
        LayerCase(rule: "DF505", label: "busybox applet relative symlink", view: V.view([V.link("/usr/bin/nc", "../../bin/busybox")]),
                  expected: []),
        LayerCase(rule: "DF505", label: "busybox hard links", view: V.view([V.file("/bin/[", 0o755), V.link("/bin/nc", "bin/[", hard: true)]),
                  expected: []),
        LayerCase(rule: "DF505", label: "busybox-extras telnetd is reported",
                  view: V.view([V.link("/usr/sbin/telnetd", "/bin/busybox-extras"), V.file("/bin/busybox-extras", 0o755)]),
                  expected: [["/usr/sbin/telnetd is a telnet server (-> /bin/busybox-extras)"]]),
        LayerCase(rule: "DF505", label: "outside bin dirs, ssh client", view: V.view([V.file("/usr/share/doc/sudo/copyright"), V.file("/usr/bin/ssh", 0o755),
                                                                                    V.dir("/etc/sudo")]),
                  expected: []),

        // DF506 world-writable
        LayerCase(rule: "DF506", label: "dir and file", view: V.view([V.dir("/opt/app/data", 0o777, uid: 1000), V.file("/etc/app.conf", 0o666, layer: 1)]),
                  expected: [["/etc/app.conf is a world-writable file (mode 0666, owner 0:0)", "layer 1"],
                             ["/opt/app/data is a world-writable directory (mode 0777, owner 1000:0)"]]),
        LayerCase(rule: "DF506", label: "temporary dirs, sticky dirs, symlinks",
                  view: V.view([V.dir("/tmp", 0o1777), V.file("/tmp/x", 0o777), V.dir("/var/tmp/cache", 0o777), V.dir("/dev/shm", 0o1777),
                                V.dir("/run/lock", 0o1777), V.link("/usr/bin/vi", "vim"), V.file("/etc/hosts", 0o644)]),
                  expected: []),

        // DF507 unknown owner
        LayerCase(rule: "DF507", label: "uid with no user",
                  view: V.view([V.file("/opt/app/bin", uid: 1001, layer: 2), V.file("/opt/app/lib", uid: 1001, layer: 2), V.file("/home/app/x", uid: 1000)],
                               contents: ["/etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"]),
                  expected: [["2 paths are owned by uid 1001, which has no entry in /etc/passwd: /opt/app/bin, /opt/app/lib", "layer 2"]]),
        LayerCase(rule: "DF507", label: "one hit per uid, list capped",
                  view: V.view((1...5).map { V.file("/src/f\($0)", uid: 501) } + [V.file("/x", uid: 65534)],
                               contents: ["/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"]),
                  expected: [["5 paths are owned by uid 501", "/src/f1, /src/f2, /src/f3 and 2 more"], ["1 path is owned by uid 65534", "/x"]]),
        LayerCase(rule: "DF507", label: "every uid known", view: V.view([V.file("/home/app/x", uid: 1000)],
                                                                      contents: ["/etc/passwd": "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"]),
                  expected: []),
        LayerCase(rule: "DF507", label: "no passwd", view: V.view([V.file("/app", uid: 1234)]), expected: []),

        // DF508 skipped layers and problems
        LayerCase(rule: "DF508", label: "zstd layer",
                  view: FileSystemView(layers: [LayerSummary(digest: "sha256:" + String(repeating: "a", count: 64)),
                                                LayerSummary(digest: "sha256:" + String(repeating: "b", count: 64), skipped: "zstd layers are not supported")]),
                  expected: [["layer 1 (sha256:bbbbbbbbbbbb) was not read (zstd layers are not supported)", "setuid bits, secret files"]]),
        LayerCase(rule: "DF508", label: "decompression bomb",
                  view: FileSystemView(layers: V.layers(3), problems: ["sha256:" + String(repeating: "2", count: 64) + ": stopped after 8 GiB (decompression bomb?)"]),
                  expected: [["in layer 2 (sha256:222222222222)", "decompression bomb", "were not checked"]]),
        LayerCase(rule: "DF508", label: "all read", view: V.view([V.file("/x")]), expected: []),
    ]

    @Test(arguments: cases)
    func layerRule(_ c: LayerCase) {
        let hits = V.hits(c.rule, c.view, allow: c.allow)
        #expect(hits.count == c.expected.count, "\(hits.map(\.message))")
        for (h, want) in zip(hits, c.expected) {
            for s in want { #expect(h.message.contains(s), "\(h.message) lacks \(s)") }
            #expect(h.redact == nil)
        }
    }

    @Test func worldWritableIsCapped() {
        let view = V.view((0..<60).map { V.file("/data/f" + String(format: "%02d", $0), 0o666) })
        let hits = V.hits("DF506", view)
        #expect(hits.count == LayerRules.worldWritableLimit + 1)
        #expect(hits.last?.message.hasPrefix("10 more world-writable paths") == true)
        #expect(hits.last?.message.contains("/data/f50") == true)
    }

    @Test func unknownOwnerSkipsATruncatedPasswd() {
        var view = V.view([V.file("/app", uid: 4242)], contents: ["/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"])
        #expect(V.hits("DF507", view).count == 1)
        view.captured["/etc/passwd"]!.truncated = true
        #expect(V.hits("DF507", view).isEmpty)
    }

    @Test func findingsPointAtTheLayersInstruction() {
        let view = V.view([V.file("/usr/local/bin/tool", 0o4755, layer: 1), V.file("/usr/sbin/sshd", 0o755, layer: 2)])
        let anchors = [1: Span(10, 20), 2: Span(30, 40)]
        #expect(V.hits("DF501", view, anchors: anchors).map(\.span) == [Span(10, 20)])
        #expect(V.hits("DF505", view, anchors: anchors).map(\.span) == [Span(30, 40)])
        // No anchor for the layer: the start of the file.
        #expect(V.hits("DF501", view, anchors: [2: Span(30, 40)]).map(\.span) == [Span(0, 0)])
    }
}

// MARK: - secrets

struct SecretCase: CustomTestStringConvertible, Sendable {
    var path: String
    var content: String
    /// Substrings the message must contain; empty: the file must not be reported.
    var expected: [String]
    /// Values that must never appear in a message.
    var secrets: [String] = []
    var testDescription: String { "\(expected.isEmpty ? "-" : "+") \(path) \(content.prefix(30).replacingOccurrences(of: "\n", with: "⏎"))" }
}

@Suite struct SecretFileTests {
    static let rsaBody = "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi4k2Ywg1mQYKr1ZTd9hH1Zq5sS"
    static let opensshBody = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    static let awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let npmToken = "npm_abcdefghijklmnopqrstuvwxyz0123456789"
    static let ghToken = "ghp_0123456789abcdefghijklmnopqrstuvwxyz"

    static let cases: [SecretCase] = [
        SecretCase(path: "/root/.ssh/id_rsa",
                   content: "-----BEGIN OPENSSH PRIVATE KEY-----\n\(opensshBody)\n-----END OPENSSH PRIVATE KEY-----\n",
                   expected: ["secret file /root/.ssh/id_rsa", "an SSH private key", "SSH private key (BEGIN OPENSSH PRIVATE KEY)"],
                   secrets: [opensshBody]),
        SecretCase(path: "/home/app/.ssh/id_ed25519",
                   content: "-----BEGIN OPENSSH PRIVATE KEY-----\n\(opensshBody)\n-----END OPENSSH PRIVATE KEY-----\n",
                   expected: ["SSH private key"], secrets: [opensshBody]),
        SecretCase(path: "/home/app/.ssh/id_rsa", content: "# key goes here at runtime\n", expected: []),
        SecretCase(path: "/root/.ssh/id_rsa.pub", content: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host\n", expected: []),
        SecretCase(path: "/srv/tls/server.key",
                   content: "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\(rsaBody)\n-----END RSA PRIVATE KEY-----\n",
                   expected: ["private key (BEGIN RSA PRIVATE KEY, passphrase-protected)"], secrets: [rsaBody]),
        SecretCase(path: "/etc/ssl/private/app.pem",
                   content: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n\(rsaBody)\n-----END PRIVATE KEY-----\n",
                   expected: ["private key (BEGIN PRIVATE KEY)"], secrets: [rsaBody]),
        SecretCase(path: "/etc/ssl/certs/server.pem", content: "-----BEGIN CERTIFICATE-----\n\(rsaBody)\n-----END CERTIFICATE-----\n",
                   expected: []),
        SecretCase(path: "/root/.aws/credentials",
                   content: "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = \(awsSecret)\n",
                   expected: ["(AWS credentials)", "aws_secret_access_key=wJal********", "AWS access key id AKIA********"],
                   secrets: [awsSecret, "AKIAIOSFODNN7EXAMPLE"]),
        SecretCase(path: "/root/.aws/credentials", content: "[default]\nregion = eu-west-1\noutput = json\n", expected: []),
        SecretCase(path: "/root/.docker/config.json",
                   content: #"{"auths": {"registry.example.com": {"auth": "Ym90OnMzY3JldC1wYXNzd29yZA=="}}}"#,
                   expected: ["(a Docker registry config)", "registry auth Ym90********"], secrets: ["Ym90OnMzY3JldC1wYXNzd29yZA=="]),
        SecretCase(path: "/root/.docker/config.json",
                   content: #"{"auths": {"ghcr.io": {}}, "credsStore": "desktop", "currentContext": "default"}"#, expected: []),
        SecretCase(path: "/root/.dockercfg", content: #"{"https://index.docker.io/v1/": {"auth": "dXNlcjpodW50ZXIy", "email": "a@b.c"}}"#,
                   expected: ["registry auth"], secrets: ["dXNlcjpodW50ZXIy"]),
        SecretCase(path: "/home/node/.npmrc", content: "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=\(npmToken)\n",
                   expected: ["npm registry credentials", "npm access token npm_********"], secrets: [npmToken]),
        SecretCase(path: "/home/node/.npmrc", content: "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n", expected: []),
        SecretCase(path: "/root/.pypirc", content: "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = bot\npassword = s3cr3t-pypi-pass\n",
                   expected: ["PyPI credentials", "password=s3cr********"], secrets: ["s3cr3t-pypi-pass"]),
        SecretCase(path: "/root/.netrc", content: "machine api.example.com\n  login bot\n  password hunter2hunter2\n",
                   expected: ["machine passwords", "netrc password for api.example.com"], secrets: ["hunter2hunter2"]),
        SecretCase(path: "/root/.netrc", content: "machine ftp.example.com login anonymous\n", expected: []),
        SecretCase(path: "/root/.git-credentials", content: "https://bot:\(ghToken)@github.com\n",
                   expected: ["git credentials", "for github.com"], secrets: [ghToken]),
        SecretCase(path: "/app/.env", content: "# app settings\nDEBUG=false\nexport DB_PASSWORD=\"Tr0ub4dor&3xyz\"\n",
                   expected: ["environment secrets", "DB_PASSWORD=Tr0********"], secrets: ["Tr0ub4dor&3xyz"]),
        SecretCase(path: "/app/.env.production", content: "STRIPE_KEY=sk_live_0123456789abcdefghijklmn\n",
                   expected: ["Stripe secret key"], secrets: ["sk_live_0123456789abcdefghijklmn"]),
        SecretCase(path: "/app/.env", content: "DEBUG=true\nDB_PASSWORD_FILE=/run/secrets/db\nAPI_TOKEN=\nPORT=8080\nSECRET_KEY=changeme\n",
                   expected: []),
        SecretCase(path: "/root/.kube/config",
                   content: "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTiBDRVJU\n    server: https://k8s:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    token: kube-token-0123456789abcdef\n",
                   expected: ["(a kube config)", "token=kube********"], secrets: ["kube-token-0123456789abcdef"]),
        SecretCase(path: "/etc/kubernetes/admin.kubeconfig",
                   content: "users:\n- name: admin\n  user:\n    client-certificate-data: LS0tQ0VSVA==\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk=\n",
                   expected: ["client-key-data=LS0t********"], secrets: ["LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVk="]),
        SecretCase(path: "/root/.kube/config",
                   content: "users:\n- name: eks\n  user:\n    exec:\n      command: aws\n      args: [eks, get-token]\n", expected: []),
        SecretCase(path: "/app/credentials.json",
                   content: #"{"type": "service_account", "private_key_id": "abc123", "client_secret": "GOCSPX-0123456789abcdef"}"#,
                   expected: ["\"client_secret\": GOCS********"], secrets: ["GOCSPX-0123456789abcdef"]),
        SecretCase(path: "/etc/nginx/.htpasswd", content: "admin:$apr1$abcdefgh$0123456789abcdefghijkl\n",
                   expected: ["password hashes for admin"], secrets: ["$apr1$abcdefgh$0123456789abcdefghijkl"]),
        SecretCase(path: "/etc/shadow", content: "root:$6$salt$hash:19000:0:99999:7:::\n", expected: []),
        SecretCase(path: "/etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\n", expected: []),
    ]

    static func messages(_ c: SecretCase) -> [String] {
        V.hits("DF503", V.view([V.file(c.path, 0o600, layer: 1)], contents: [c.path: c.content])).map(\.message)
    }

    @Test(arguments: cases)
    func secretFileInImage(_ c: SecretCase) {
        let msgs = Self.messages(c)
        if c.expected.isEmpty {
            #expect(msgs.isEmpty, "\(msgs)")
            return
        }
        #expect(msgs.count == 1, "\(msgs)")
        for m in msgs {
            for s in c.expected { #expect(m.contains(s), "\(m) lacks \(s)") }
            #expect(m.contains("layer 1"))
        }
    }

    @Test(arguments: cases.filter { !$0.secrets.isEmpty })
    func secretsAreNeverPrinted(_ c: SecretCase) {
        // Present in the image, and removed in a later layer.
        let removed = RemovedFile(record: V.file(c.path, 0o600, layer: 0), removedIn: 2,
                                  content: CapturedFile(path: c.path, layer: 0, bytes: Array(c.content.utf8), truncated: false))
        let view = V.view([V.file(c.path, 0o600, layer: 1)], contents: [c.path: c.content], removed: [removed])
        var o = LintOptions()
        o.rules = V.settings(view)
        let findings = Linter(options: o, catalogue: Catalogue.layerRules).lint(Dockerfile.parse("FROM scratch\n"), path: "image")
        #expect(Set(findings.map(\.ruleID)) == ["DF503", "DF504"])
        for f in findings {
            for s in c.secrets {
                #expect(!f.message.contains(s), "\(f.ruleID) prints a secret: \(f.message)")
                // Not even a long piece of it.
                #expect(!f.message.contains(s.prefix(max(8, s.count / 2))), "\(f.message)")
            }
            #expect(f.redact == nil)
        }
    }

    @Test func binaryKeyStoresByMagic() {
        let p12: [UInt8] = [0x30, 0x82, 0x0A, 0x3B] + [UInt8](repeating: 0x02, count: 40)
        let jks: [UInt8] = [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2] + [UInt8](repeating: 0, count: 20)
        #expect(SecretFiles.inspect(path: "/app/client.p12", bytes: p12).map(\.kind) == ["PKCS#12 key store"])
        #expect(SecretFiles.inspect(path: "/app/trust.jks", bytes: jks).map(\.kind) == ["Java key store"])
        #expect(SecretFiles.inspect(path: "/app/empty.p12", bytes: []).isEmpty)
        #expect(SecretFiles.inspect(path: "/app/notes.jks", bytes: Array("hello".utf8)).isEmpty)
    }

    @Test func removedSecretIsStillRecoverable() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\n\(Self.opensshBody)\n-----END OPENSSH PRIVATE KEY-----\n"
        let removed = [
            RemovedFile(record: V.file("/root/.ssh/id_rsa", 0o600, layer: 1), removedIn: 2,
                        content: CapturedFile(path: "/root/.ssh/id_rsa", layer: 1, bytes: Array(key.utf8), truncated: false)),
            // Not a secret: a build log, an npmrc that only names a variable, an uncaptured file.
            RemovedFile(record: V.file("/tmp/build.log", layer: 1), removedIn: 2,
                        content: CapturedFile(path: "/tmp/build.log", layer: 1, bytes: Array(key.utf8), truncated: false)),
            RemovedFile(record: V.file("/root/.npmrc", layer: 0), removedIn: 1,
                        content: CapturedFile(path: "/root/.npmrc", layer: 0, bytes: Array("//r/:_authToken=${T}\n".utf8), truncated: false)),
            RemovedFile(record: V.file("/root/.netrc", layer: 0), removedIn: 1, content: nil),
        ]
        let view = V.view([V.file("/etc/hosts")], removed: removed)
        let hits = V.hits("DF504", view, anchors: [1: Span(5, 9), 2: Span(12, 20)])
        #expect(hits.count == 1)
        let m = hits.first?.message ?? ""
        #expect(m.contains("secret file /root/.ssh/id_rsa (an SSH private key) is still recoverable from layer 1 (removed in layer 2)"), "\(m)")
        #expect(m.contains("the secret is in the tar of layer 1 (sha256:111111111111)"), "\(m)")
        #expect(!m.contains(Self.opensshBody))
        #expect(hits.first?.span == Span(5, 9), "points at the instruction that added it")
        // A secret that is gone from the final view is not DF503's.
        #expect(V.hits("DF503", view).isEmpty)
    }

    @Test func assignmentsAndJSONPairs() {
        let a = SecretFiles.assignments(Array("# c\n[s]\nexport A_TOKEN = 'x y'\n//h/:_auth=abc\n  - key: v\nnovalue\n".utf8))
        #expect(a.map(\.0) == ["A_TOKEN", "_auth", "key"])
        #expect(a.map(\.1) == ["x y", "abc", "v"])
        let p = SecretFiles.jsonPairs(Array(#"{"a": {"b": "c\"d", "e": 1}, "f": "g""#.utf8))
        #expect(p.map(\.key) == ["a", "b", "e", "f"])
        #expect(p.map(\.value) == ["", "c\"d", "", "g"])
        // Truncated mid-string: the pairs before the cut survive.
        #expect(SecretFiles.jsonPairs(Array(#"{"auth": "abc", "x": "unterm"#.utf8)).map(\.key) == ["auth"])
    }
}

// MARK: - end to end through the Linter

@Suite struct LayerLinterTests {
    static let dockerfile = "FROM scratch\nADD file:0123abcd in / \nRUN apt-get install -y openssh-server sudo\nCOPY id_rsa /root/.ssh/id_rsa\nRUN rm /root/.ssh/id_rsa\n"

    static func lint(_ view: FileSystemView, configure: (inout LintOptions) -> Void = { _ in }) -> [Finding] {
        let df = Dockerfile.parse(dockerfile)
        var o = LintOptions()
        o.rules = V.settings(view)
        // Layer i was written by instruction i + 1 (the ADD, the first RUN, the COPY, the last RUN).
        for i in 0..<4 { o.rules.layerAnchors[i] = df.instructions[i + 1].span }
        configure(&o)
        return Linter(options: o, catalogue: Catalogue.rules + Catalogue.layerRules).lint(df, path: "image")
    }

    static let view: FileSystemView = {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\n\(SecretFileTests.opensshBody)\n-----END OPENSSH PRIVATE KEY-----\n"
        return V.view([V.file("/usr/bin/passwd", 0o4755), V.file("/usr/local/bin/helper", 0o4755, layer: 1),
                       V.file("/usr/sbin/sshd", 0o755, layer: 1), V.file("/usr/bin/sudo", 0o4755, layer: 1),
                       V.dir("/srv/upload", 0o777, uid: 33, layer: 1)],
                      contents: ["/etc/passwd": "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/sh\n"],
                      removed: [RemovedFile(record: V.file("/root/.ssh/id_rsa", 0o600, layer: 2), removedIn: 3,
                                            content: CapturedFile(path: "/root/.ssh/id_rsa", layer: 2, bytes: Array(key.utf8), truncated: false))],
                      layers: 4)
    }()

    @Test func layerFindingsLandOnTheirInstructions() {
        let f = Self.lint(Self.view).filter { $0.ruleID.hasPrefix("DF5") }
        let got = f.map { "\($0.range.start.line) \($0.ruleID) \($0.severity)" }
        #expect(got == ["2 DF502 info", "3 DF501 warning", "3 DF501 warning", "3 DF505 info", "3 DF505 info", "3 DF506 info",
                        "4 DF504 error"], "\(f.map { "\($0.range.start.line) \($0.ruleID) \($0.message)" })")
        let setuid = f.filter { $0.ruleID == "DF501" }
        #expect(setuid.map(\.cis) == ["4.8", "4.8"])
        #expect(setuid.contains { $0.message.hasPrefix("/usr/local/bin/helper is setuid (owner 0:0, mode 4755)") })
        #expect(f.allSatisfy { $0.redact == nil && $0.file == "image" })
        #expect(f.first { $0.ruleID == "DF504" }?.fix?.contains("--mount=type=secret") == true)
    }

    @Test func optionsApplyToLayerRules() {
        let quiet = Self.lint(Self.view) { o in
            o.ignore = ["setuid-allowed", "DF505"]
            o.severity["DF501"] = .error
        }.filter { $0.ruleID.hasPrefix("DF5") }
        #expect(!quiet.contains { $0.ruleID == "DF502" || $0.ruleID == "DF505" })
        #expect(quiet.filter { $0.ruleID == "DF501" }.allSatisfy { $0.severity == .error })
        let cis = Self.lint(Self.view) { $0.cisOnly = true }.filter { $0.ruleID.hasPrefix("DF5") }
        #expect(!cis.contains { $0.ruleID == "DF506" })
        #expect(cis.contains { $0.ruleID == "DF504" })
    }

    @Test func theDefaultCatalogueHasNoLayerRules() {
        var o = LintOptions()
        o.rules = V.settings(Self.view)
        let f = Linter(options: o).lint(Dockerfile.parse(Self.dockerfile), path: "image")
        #expect(!f.contains { $0.ruleID.hasPrefix("DF5") })
    }

    @Test func aSkippedLayerIsReportedWhereItWasWritten() {
        var view = Self.view
        view.layers[2].skipped = "zstd layers are not supported"
        let f = Self.lint(view).filter { $0.ruleID == "DF508" }
        #expect(f.map(\.range.start.line) == [4])
        #expect(f.first?.severity == .warning)
    }
}
