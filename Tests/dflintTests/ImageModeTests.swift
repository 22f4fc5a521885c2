import Foundation
import Testing
@testable import dflint

/// `dflint --from-image` and `dflint reconstruct` on the real fixture images.
@Suite struct ImageModeTests {
    static let fixtures = CLITests.repo.deletingLastPathComponent().appendingPathComponent("shared/fixtures").path

    /// The reconstructed Dockerfile without comment lines (which name the source).
    static func body(_ args: [String]) -> (Int32, String, String) {
        let (s, out, err) = CLITests.run(["reconstruct"] + args)
        return (s, out.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n"), err)
    }

    /// One image, every form it exists in: the same reconstruction.
    @Test(arguments: [
        ("kitchensink built by buildah (docker format)", [
            ["docker-archive:\(fixtures)/docker-archive/kitchensink_docker.tar"],
            ["oci:\(fixtures)/oci-layout/all:kitchensink_docker"],
            ["containers-storage:localhost/dflint/kitchensink:docker", "--root", "\(fixtures)/containers-storage/overlay-graphroot"],
            ["containerd:localhost/dflint/kitchensink:docker", "--root", "\(fixtures)/containerd-root"],
            ["\(fixtures)/history/buildah-podman/kitchensink_docker/config.json"],
            ["\(fixtures)/history/buildah-podman/kitchensink_docker/podman-image-inspect.json"],
            ["\(fixtures)/history/buildah-podman/kitchensink_docker/buildah-inspect.json"],
        ]),
        ("kitchensink built by the legacy Docker builder", [
            ["docker-archive:\(fixtures)/docker-archive/docker-save_docker-legacy_kitchensink.tar"],
            ["docker-root:localhost/dflint/docker-legacy:kitchensink", "--root", "\(fixtures)/docker-root"],
            ["containerd:localhost/dflint/docker-legacy:kitchensink", "--root", "\(fixtures)/containerd-root"],
        ]),
    ] as [(String, [[String]])])
    func sameImageFromEverySource(_ name: String, _ forms: [[String]]) {
        var bodies: [String] = []
        for args in forms {
            let (s, body, err) = Self.body(args)
            #expect(s == 0, "\(args): \(err)")
            #expect(body.contains("FROM "), "\(args)")
            bodies.append(body)
        }
        for (i, b) in bodies.enumerated().dropFirst() {
            #expect(b == bodies[0], "\(forms[i]) differs from \(forms[0])")
        }
    }

    @Test func lintFindsTheFixtureSecretsAndSetuid() {
        let ref = "docker-archive:\(Self.fixtures)/docker-archive/kitchensink_docker.tar"
        let (s, out, err) = CLITests.run(["--from-image", ref, "-f", "json"], env: ["DOCKER_CONTENT_TRUST": "1"])
        #expect(s == 1, "\(err)")
        let list = (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [[String: Any]] ?? []
        let rules = list.compactMap { $0["rule"] as? String }
        #expect(rules.filter { $0 == "DF180" }.count == 4) // DB_PASSWORD, AWS_SECRET_ACCESS_KEY, API_TOKEN, GITHUB_TOKEN (leaked build arg)
        #expect(rules.filter { $0 == "DF160" }.count == 2) // chmod u+s, chmod g+s
        #expect(!rules.contains("DF131"))                 // DOCKER_CONTENT_TRUST=1 in the host environment
        #expect(list.allSatisfy { ($0["file"] as? String) == ref })
        #expect(list.contains { ($0["message"] as? String)?.hasPrefix("history entry 13:") == true })
        #expect(!out.contains("hunter2") && !out.contains("ghp_EXAMPLE"))
    }

    @Test func hostLevelContentTrust() {
        let ref = "docker-archive:\(Self.fixtures)/docker-archive/kitchensink_docker.tar"
        let (_, out, _) = CLITests.run(["--from-image", ref, "-f", "gnu"], env: [:])
        #expect(out.contains(":1:1: warning: host-level: DOCKER_CONTENT_TRUST is not set to 1"))
    }

    @Test func imageThatRunsAsRoot() {
        // The legacy-built kitchensink ends with USER app:app; docker commit's image sets User 0.
        let ref = "\(Self.fixtures)/history/docker/docker-commit_1/docker-image-inspect.json"
        let (_, out, err) = CLITests.run(["--from-image", ref, "-f", "gnu"])
        #expect(out.contains("[DF102]"), "\(out)\(err)")
    }

    @Test func missingAndAmbiguousImagesExitTwo() {
        let (s1, _, e1) = CLITests.run(["--from-image", "oci:\(Self.fixtures)/oci-layout/all"])
        #expect(s1 == 2 && e1.contains("candidates") && e1.contains("kitchensink_docker"))
        let (s2, _, e2) = CLITests.run(["--from-image", "docker-root:nosuchimage", "--root", "\(Self.fixtures)/docker-root"])
        #expect(s2 == 2 && e2.contains("nosuchimage"))
        let (s3, _, _) = CLITests.run(["--from-image", "docker-archive:/nonexistent.tar"])
        #expect(s3 == 2)
    }

    @Test func skipBaseDropsBaseFindings() {
        let ref = "docker-archive:\(Self.fixtures)/docker-archive/docker-save_docker-legacy_kitchensink.tar"
        let (_, all, _) = CLITests.run(["--from-image", ref, "-f", "gnu"])
        let (_, own, _) = CLITests.run(["--from-image", ref, "-f", "gnu", "--skip-base"])
        #expect(own.split(separator: "\n").count <= all.split(separator: "\n").count)
        #expect(!own.contains("(base image)"))
    }
}

/// Reading problems become findings; bare references say where they were found.
@Suite struct ImageProblemTests {
    @Test func alteredConfigBlobIsADigestMismatchFinding() throws {
        let src = URL(fileURLWithPath: "\(ImageModeTests.fixtures)/oci-layout/kitchensink_oci")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-oci-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: src, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Find the config blob through the manifest and flip a byte inside a JSON string.
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("index.json"))) as! [String: Any]
        let manifestDigest = ((index["manifests"] as! [[String: Any]])[0]["digest"] as! String).dropFirst(7)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("blobs/sha256/\(manifestDigest)"))) as! [String: Any]
        let configDigest = ((manifest["config"] as! [String: Any])["digest"] as! String).dropFirst(7)
        let configURL = dir.appendingPathComponent("blobs/sha256/\(configDigest)")
        var config = try String(contentsOf: configURL, encoding: .utf8)
        config = config.replacingOccurrences(of: "hunter2", with: "hunter3")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let (status, out, err) = CLITests.run(["--from-image", "oci:\(dir.path)", "-f", "gnu"])
        #expect(status == 1, "\(err)")
        #expect(out.contains("[DF400]"), "\(out)")
    }

    @Test func bareReferenceSaysWhichStoreWasUsed() {
        let (status, out, err) = CLITests.run(["reconstruct", "localhost/dflint/docker-legacy:kitchensink",
                                               "--root", "\(ImageModeTests.fixtures)/docker-root", "--host", "unix:///nonexistent.sock"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("# source: docker-root:"), "\(out.prefix(300))")
    }
}

/// Layer contents in image mode (on by default where the source has layer bytes).
@Suite struct LayerModeTests {
    static let ref = "docker-archive:\(ImageModeTests.fixtures)/docker-archive/kitchensink_docker.tar"

    @Test func setuidHelperIsReportedAtTheInstructionThatMadeIt() throws {
        let (_, out, err) = CLITests.run(["--from-image", Self.ref, "-f", "gnu"])
        let line = out.split(separator: "\n").first { $0.contains("[DF501]") }
        #expect(line?.contains("/usr/local/bin/suid-helper is setuid (owner 0:0, mode 4755)") == true, "\(out)\(err)")
        // It points at `RUN ... chmod u+s /usr/local/bin/suid-helper` (history entry 13) as `reconstruct` prints it.
        let rec = CLITests.run(["reconstruct", Self.ref]).1.split(separator: "\n", omittingEmptySubsequences: false)
        let at = try #require(rec.firstIndex { $0.hasPrefix("RUN printf") && $0.contains("chmod u+s /usr/local/bin/suid-helper") })
        #expect(line?.contains(":\(at + 1):1:") == true && line?.contains("history entry 13") == true, "\(line ?? "")")
        let (_, without, _) = CLITests.run(["--from-image", Self.ref, "-f", "gnu", "--no-layers"])
        #expect(!without.contains("[DF501]"))
    }

    @Test func sourcesWithoutLayerBytesLintTheConfigAlone() {
        let (s, out, err) = CLITests.run(["--from-image", "\(ImageModeTests.fixtures)/history/buildah-podman/kitchensink_docker/config.json", "-f", "gnu"])
        #expect(s == 1, "\(err)")
        #expect(!out.contains("[DF5"))
    }

    @Test(arguments: ["text", "json", "cyclonedx"])
    func packagesCommand(_ format: String) {
        let (s, out, err) = CLITests.run(["packages", Self.ref, "--format", format])
        #expect(s == 0, "\(err)")
        if format == "cyclonedx" {
            let bom = (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any]
            #expect(bom?["bomFormat"] as? String == "CycloneDX" && bom?["specVersion"] as? String == "1.5")
        } else if format == "json" {
            #expect((try? JSONSerialization.jsonObject(with: Data(out.utf8))) != nil)
        } else {
            #expect(out.contains("0 packages"))
        }
    }
}
