import Foundation
import Testing
@testable import dflint

/// The command line, end to end, with files in a temporary directory.
@Suite struct CLITests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A scratch directory with the given files.
    static func tree(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-cli-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    static func run(_ args: [String], stdin: String? = nil, tty: Bool = false, env: [String: String] = [:]) -> (Int32, String, String) {
        var c = Console(stdoutIsTerminal: tty, environment: env)
        c.stdin = stdin.map { Array($0.utf8) }
        let status = CLI.run(args, &c)
        return (status, c.out, c.err)
    }

    @Test func gnuLinesAndExitCodeOnFindings() throws {
        let d = try Self.tree(["Dockerfile": "FROM alpine:3.19\nUSER root\n"])
        let (status, out, _) = Self.run([d + "/Dockerfile"])
        #expect(status == 1)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(d)/Dockerfile:2:6: error: the container runs as root: the last USER of the final stage is root (`USER root`) [DF102]"))
        // Every line is FILE:LINE:COL: SEVERITY: MESSAGE [ID].
        for l in lines { #expect(l.hasPrefix(d + "/Dockerfile:") && l.hasSuffix("]")) }
    }

    @Test func thresholdNoneAndIgnoreAndSeverity() throws {
        let d = try Self.tree(["Dockerfile": "FROM alpine:3.19\nUSER root\n"])
        #expect(Self.run(["--failure-threshold", "none", d + "/Dockerfile"]).0 == 0)
        let (s1, out1, _) = Self.run(["--ignore", "root-user,DF130", d + "/Dockerfile"])
        #expect(!out1.contains("DF102") && !out1.contains("DF130"))
        #expect(s1 == 1) // DF140 missing-healthcheck is a warning
        let (s2, _, _) = Self.run(["--severity", "DF102=info", "--severity", "missing-healthcheck=off", "--severity", "DF130=style",
                                   "--failure-threshold", "warning", d + "/Dockerfile"])
        #expect(s2 == 0)
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(Self.run([]).0 == 2)
        let (s1, _, e1) = Self.run(["--frobnicate", "x"])
        #expect(s1 == 2 && e1.contains("unknown option --frobnicate"))
        let (s2, _, e2) = Self.run(["--ignore", "root-usr", "x"])
        #expect(s2 == 2 && e2.contains("did you mean root-user?"))
        let (s3, _, e3) = Self.run(["/nonexistent/Dockerfile"])
        #expect(s3 == 2 && e3.contains("no such file"))
        let (s4, _, _) = Self.run(["--format", "xml", "x"])
        #expect(s4 == 2)
    }

    @Test func registryErrorsExitTwo() throws {
        let ref = "docker://127.0.0.1:1/dflint/none:1"   // nothing listens on port 1
        let (s1, _, e1) = Self.run(["--from-image", ref, "--cert-dir", "/nonexistent/certs"])
        #expect(s1 == 2 && e1.contains("--cert-dir /nonexistent/certs: not a directory"), "\(e1)")
        let started = Date()
        let (s2, _, e2) = Self.run(["--from-image", ref, "--verbose"])
        #expect(s2 == 2 && e2.hasPrefix("dflint: registry 127.0.0.1:1: ") && e2.contains("onnect"), "\(e2)")
        #expect(Date().timeIntervalSince(started) < 10)
        let (s3, _, e3) = Self.run(["--from-image", ref, "--tls-verify=maybe"])
        #expect(s3 == 2 && e3.contains("--tls-verify takes true or false"))
    }

    @Test func configFileIsFoundUpwardAndValidated() throws {
        let d = try Self.tree([
            ".dflint.yaml": "ignore: [DF130, missing-healthcheck]\nfailure-threshold: error\n",
            "svc/api/Dockerfile": "FROM alpine:3.19\nUSER app\n",
        ])
        let (s, out, err) = Self.run([d + "/svc/api/Dockerfile"])
        #expect(err.isEmpty)
        #expect(s == 0, "\(out)")
        #expect(!out.contains("DF130"))
        let bad = try Self.tree([".dflint.yaml": "ignored: [DF130]\n", "Dockerfile": "FROM alpine:3.19\n"])
        let (s2, _, e2) = Self.run([bad + "/Dockerfile"])
        #expect(s2 == 2)
        #expect(e2.contains(".dflint.yaml:1:1"))
    }

    @Test func directoriesAreSearched() throws {
        let d = try Self.tree(["a/Dockerfile": "FROM alpine:3.19\n", "b/api.Dockerfile": "FROM alpine:3.19\n",
                               "c/Containerfile": "FROM alpine:3.19\n", "node_modules/x/Dockerfile": "FROM x\n", "README.md": "x"])
        let (_, out, _) = Self.run(["-f", "gnu", d])
        let files = Set(out.split(separator: "\n").map { String($0.split(separator: ":")[0]) })
        #expect(files == ["\(d)/a/Dockerfile", "\(d)/b/api.Dockerfile", "\(d)/c/Containerfile"])
    }

    @Test func stdinUsesStdinFilename() {
        let (s, out, _) = Self.run(["--stdin-filename", "svc/Dockerfile", "-f", "json", "-"], stdin: "FROM alpine:3.19\nUSER 0\n")
        #expect(s == 1)
        let json = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]]
        #expect(json?.contains { $0["file"] as? String == "svc/Dockerfile" && $0["rule"] as? String == "DF102" } == true)
    }

    @Test func syntaxErrorsAreFindingsAndTheRestIsLinted() throws {
        let d = try Self.tree(["Dockerfile": "FROM alpine:3.19\nCMD [\"a\", 1]\nUSER root\n"])
        let (_, out, _) = Self.run(["-f", "gnu", d + "/Dockerfile"])
        #expect(out.contains(":2:5: error: when using JSON array syntax"))
        #expect(out.contains("[DF102]"))
    }

    @Test func cisAndScoredOnly() throws {
        let d = try Self.tree(["Dockerfile": "FROM alpine\nWORKDIR app\nRUN apk add curl\nUSER root\n"])
        let (_, cis, _) = Self.run(["--cis", "-f", "json", d + "/Dockerfile"])
        let (_, scored, _) = Self.run(["--scored-only", "-f", "json", d + "/Dockerfile"])
        func rules(_ s: String) -> Set<String> {
            Set(((try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [[String: Any]] ?? []).compactMap { $0["rule"] as? String })
        }
        #expect(!rules(cis).contains("DF201") && rules(cis).contains("DF111"))
        #expect(rules(scored) == ["DF102", "DF130", "DF140"])
    }

    @Test func rulesAndExplain() {
        let (s, out, _) = Self.run(["rules", "--format", "json"])
        #expect(s == 0)
        let list = (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [[String: Any]]
        #expect((list?.count ?? 0) > 30)
        #expect(list?.first { $0["id"] as? String == "DF101" }?["cis"] as? String == "4.1")
        let (s2, text, _) = Self.run(["explain", "DL3002"])
        #expect(s2 == 0 && text.hasPrefix("DF102 root-user:") && text.contains("CIS Docker Benchmark 4.1 (Scored)"))
        let (s3, plain, _) = Self.run(["rules"])
        #expect(s3 == 0 && plain.contains("DF140  missing-healthcheck"))
    }

    @Test func configPrint() throws {
        let d = try Self.tree([".dflint.yaml": "trusted-registries: [ghcr.io/acme]\n"])
        let (s, out, err) = Self.run(["config", "--print", "--ignore", "DF130", d])
        #expect(s == 0, "\(err)")
        #expect(out.contains("ghcr.io/acme") && out.contains("DF130"))
    }

    /// No output format ever shows a secret, not even in a source excerpt.
    @Test(arguments: ["tty", "gnu", "json", "sarif", "checkstyle", "github", "gitlab"])
    func secretsAreNeverPrinted(_ format: String) {
        let ex = Self.repo.appendingPathComponent("Examples/cis/4.10-secrets.Dockerfile").path
        let (status, out, _) = Self.run(["-f", format, "--color", ex])
        #expect(status == 1)
        for secret in ["hunter2", "correct-horse-battery-staple", "npm_abcdefghijklmnopqrstuvwxyz0123456789"] {
            #expect(!out.contains(secret), "\(format) output shows \(secret)")
        }
    }

    @Test func examplesDirectoryExitCodes() {
        let ex = Self.repo.appendingPathComponent("Examples").path
        #expect(Self.run([ex + "/clean.Dockerfile"]).0 == 0)
        #expect(Self.run(["-f", "gnu", ex + "/clean.Dockerfile"]).1 == "")
        #expect(Self.run([ex + "/cis/4.1-user.Dockerfile"]).0 == 1)
    }
}

/// The README documents every rule (the SARIF help links point there).
@Suite struct ReadmeTests {
    @Test func everyRuleHasASection() throws {
        let readme = try String(contentsOf: CLITests.repo.appendingPathComponent("README.md"), encoding: .utf8)
        var c = Console()
        _ = CLI.run(["rules", "--format", "json"], &c)
        let list = (try JSONSerialization.jsonObject(with: Data(c.out.utf8))) as? [[String: Any]] ?? []
        #expect(!list.isEmpty)
        for r in list {
            let id = r["id"] as? String ?? "", name = r["name"] as? String ?? ""
            #expect(readme.contains("\n### \(id) \(name)\n"), "README lacks a section for \(id) \(name)")
        }
    }
}
