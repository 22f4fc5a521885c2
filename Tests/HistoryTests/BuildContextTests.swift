import Foundation
import Testing
import DockerfileSyntax
import ImageModel
@testable import History

/// Loads a fixture image: buildah/podman images from their raw config.json, docker images
/// from `docker image inspect` + the Engine API history reply (the two requests a client makes).
func fixtureImage(_ slug: String) throws -> ImageMetadata {
    let bp = Paths.history.appendingPathComponent("buildah-podman/\(slug)/config.json")
    if FileManager.default.fileExists(atPath: bp.path) { return try ImageMetadataDecoder.decode(bytes(bp))[0] }
    let api = Paths.engine.appendingPathComponent("images/\(slug)")
    return try ImageMetadataDecoder.decode(bytes(api.appendingPathComponent("image-json.json")),
                                           history: bytes(api.appendingPathComponent("image-history.json")))[0]
}

// What each builder's history loses, compared with the source Dockerfile/Containerfile:
// - all: FROM (base named only by buildah's `FROM` comment or a base.name annotation), comments,
//   line continuations, `AS` stage names, every stage but the final one.
// - legacy Docker: COPY/ADD sources become content hashes (`file:<sha>`), `--chmod` and `--from`
//   are dropped (`--chown` kept, glued to the hash); ENV/LABEL quoting; exec-form RUN quoting;
//   build-arg values appear in `|N` prefixes; HEALTHCHECK is a Go struct dump; EXPOSE sorted.
// - BuildKit: `RUN --mount/--network/--security`, `COPY --from/--link/--chown/--chmod` are not
//   recorded; no ONBUILD entry (config.OnBuild only); EXPOSE as `map[...]`; ARG values resolved.
// - buildah/podman: instruction text kept as written (incl. `RUN --mount=...`), but COPY/ADD
//   sources become hashes and `--chown/--chmod` are dropped; ARG keeps names only (values in
//   `|N`); heredoc RUNs unsupported by 1.28; `--omit-history` drops everything; `--squash`
//   keeps one entry; the OCI format drops HEALTHCHECK/SHELL/ONBUILD from the config (history keeps them).
// - docker commit/import: one entry (the container command / empty); config changes
//   (`-c USER 0`, `ENV`) appear only in the config, so they come back as config facts.
@Suite struct BuildContextTests {
    /// slug → keywords of the history's own (non-base) instructions, in order. Differences from the
    /// source files are the losses listed above (e.g. leaked build args become extra ARGs; BuildKit
    /// has no ONBUILD; only the final stage survives; docker-buildkit_chmod's COPY is the only entry).
    static let expected: [(String, [String])] = [
        ("kitchensink_docker", kitchensink),
        ("kitchensink_oci", kitchensink),
        ("kitchensink_docker-nolayers", kitchensink),
        ("shellform_docker", ["ARG", "ARG", "ENV", "ARG", "ARG", "RUN", "RUN", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD"]),
        ("multistage_docker", ["LABEL", "COPY", "COPY", "RUN", "USER", "CMD"]),
        ("scratchfinal_docker", ["COPY", "COPY", "USER", "ENTRYPOINT", "CMD"]),
        ("runmounts_docker", ["RUN", "RUN", "RUN", "ADD", "USER"]),
        ("minimal_omit-history", []),
        ("minimal_squash", ["RUN"]),
        ("minimal_podman", ["RUN"]),
        ("onbuildchild_docker", ["COPY", "RUN", "USER", "RUN"]),
        ("dangling_heredoc-partial", ["RUN"]),
        ("docker-legacy_kitchensink", ["ARG", "ARG", "LABEL", "ENV", "ENV", "WORKDIR", "ADD", "ADD", "COPY", "COPY", "ARG", "RUN", "RUN",
            "EXPOSE", "VOLUME", "SHELL", "RUN", "HEALTHCHECK", "STOPSIGNAL", "ONBUILD", "USER", "ENTRYPOINT", "CMD"]),
        ("docker-legacy_shellform", ["ARG", "ARG", "RUN", "USER", "ENTRYPOINT", "CMD"]),
        ("docker-legacy_multistage", ["COPY", "USER", "CMD"]),
        ("docker-buildkit_kitchensink", ["ARG", "ARG", "LABEL", "ENV", "ENV", "WORKDIR", "ADD", "ADD", "COPY", "COPY", "ARG", "RUN", "RUN",
            "EXPOSE", "VOLUME", "SHELL", "RUN", "HEALTHCHECK", "STOPSIGNAL", "USER", "ENTRYPOINT", "CMD"]),
        ("docker-buildkit_shellform", ["ARG", "ARG", "RUN", "USER", "ENTRYPOINT", "CMD"]),
        ("docker-buildkit_multistage", ["COPY", "USER", "CMD"]),
        ("docker-buildkit_bkfeatures", ["RUN", "RUN", "RUN", "USER"]),
        ("docker-buildkit_chmod", ["COPY"]),
        ("docker-commit_1", ["RUN"]),
        ("docker-import_1", []),
    ]
    static let kitchensink = ["ARG", "ARG", "LABEL", "ENV", "ENV", "WORKDIR", "ADD", "ADD", "ADD", "COPY", "COPY",
        "ARG", "ARG", "RUN", "RUN", "RUN", "EXPOSE", "EXPOSE", "VOLUME", "VOLUME", "SHELL", "RUN", "HEALTHCHECK",
        "STOPSIGNAL", "ONBUILD", "ONBUILD", "USER", "ENTRYPOINT", "CMD"]

    @Test(arguments: expected.indices)
    func matchesSource(_ i: Int) throws {
        let (slug, kws) = Self.expected[i]
        let r = Reconstructor.reconstruct(try fixtureImage(slug), name: slug)
        #expect(ownKeywords(r) == kws, "\(slug)\n\(r.text)")
        #expect(fatal(r).isEmpty)
    }

    @Test func secretsSurvive() throws {
        let r = Reconstructor.reconstruct(try fixtureImage("docker-legacy_kitchensink"), name: "k")
        #expect(r.text.contains("ARG GITHUB_TOKEN=ghp_EXAMPLEexampleEXAMPLEexample0123456"))
        #expect(r.text.contains("HEALTHCHECK --interval=30s --timeout=3s CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"))
        #expect(r.builder == .dockerLegacy)
        let commit = Reconstructor.reconstruct(try fixtureImage("docker-commit_1"), name: "c")
        #expect(commit.instructions.contains { $0.fromConfig && $0.text.contains("SECRET_KEY=commit-secret") })
        #expect(commit.instructions.contains { $0.fromConfig && $0.text == "USER 0" })
    }

    @Test func baseAndLayers() throws {
        let r = Reconstructor.reconstruct(try fixtureImage("kitchensink_docker"), name: "k")
        #expect(r.dockerfile.instructions.first.map { r.text.split(separator: "\n")[$0.startLine - 1] } == "FROM localhost/busybase:1")
        let run = try #require(r.instructions.first { $0.text.hasPrefix("RUN echo \"version") })
        #expect(run.layerDigest != nil && run.historyIndex == 12)
        #expect(r.historyIndex(ofLine: run.lineRange.lowerBound) == 12)
        let omitted = Reconstructor.reconstruct(try fixtureImage("minimal_omit-history"), name: "m")
        #expect(omitted.notes.contains { $0.contains("omit-history") })
    }
}

/// The same image decoded from its different JSON forms gives the same reconstruction where
/// the forms carry the same information. What the forms lose:
/// - raw config.json / buildah inspect / podman image inspect: nothing (full OCI history).
/// - `docker image inspect` / Engine API `/json`: no history at all (config facts only).
/// - Engine API `/history`, podman history, `docker history` JSON Lines: newest first, no
///   `empty_layer` (inferred from size 0 + metadata keyword), no author, second resolution;
///   `docker history` sizes are rounded human strings. The instructions are identical.
@Suite struct CrossFormTests {
    static let slugs = ["kitchensink_docker", "shellform_docker", "multistage_docker", "scratchfinal_docker",
                        "runmounts_docker", "onbuildchild_docker", "minimal_podman", "kitchensink_oci"]

    static func texts(_ r: Reconstruction) -> [String] {
        r.instructions.filter { $0.historyIndex != nil }.map(\.text)
    }

    @Test(arguments: slugs)
    func sameInstructionsFromEveryForm(_ slug: String) throws {
        let bp = Paths.history.appendingPathComponent("buildah-podman/\(slug)")
        let dk = Paths.history.appendingPathComponent("docker/\(slug)")
        let api = Paths.engine.appendingPathComponent("images/\(slug)")
        let config = try ImageMetadataDecoder.decode(bytes(bp.appendingPathComponent("config.json")))[0]
        let reference = Reconstructor.reconstruct(config, name: slug)
        let forms: [(String, ImageMetadata)] = [
            ("buildah-inspect", try ImageMetadataDecoder.decode(bytes(bp.appendingPathComponent("buildah-inspect.json")))[0]),
            ("podman-image-inspect", try ImageMetadataDecoder.decode(bytes(bp.appendingPathComponent("podman-image-inspect.json")))[0]),
            ("podman-history", try ImageMetadataDecoder.decode(bytes(bp.appendingPathComponent("podman-image-inspect.json")),
                                                               history: bytes(bp.appendingPathComponent("podman-history.json")))[0]),
            ("engine-api", try ImageMetadataDecoder.decode(bytes(api.appendingPathComponent("image-json.json")),
                                                           history: bytes(api.appendingPathComponent("image-history.json")))[0]),
            ("docker-history-jsonl", try ImageMetadataDecoder.decode(bytes(dk.appendingPathComponent("docker-image-inspect.json")),
                                                                     history: bytes(dk.appendingPathComponent("docker-history.jsonl")))[0]),
        ]
        for (form, m) in forms {
            let r = Reconstructor.reconstruct(m, name: slug)
            #expect(Self.texts(r) == Self.texts(reference), "\(slug) via \(form)")
            #expect(ownKeywords(r) == ownKeywords(reference), "\(slug) via \(form)")
            #expect(m.history.count == config.history.count, "\(slug) via \(form)")
        }
        let inspectOnly = try ImageMetadataDecoder.decode(bytes(dk.appendingPathComponent("docker-image-inspect.json")))[0]
        #expect(inspectOnly.hasHistory == false)
        #expect(inspectOnly.config.user == config.config.user && inspectOnly.config.env == config.config.env)
    }
}
