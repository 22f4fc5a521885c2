import Foundation
import Testing
import DockerfileSyntax
import ImageModel
@testable import History

/// The builds a history is made of, and the base image's boundary, as exactly as the data
/// allows: the fixtures say what was built on what (their build contexts are in
/// ../shared/fixtures/build-context), the corpus configs are official images built on
/// official images.
@Suite struct BuildBoundaryTests {
    /// slug or corpus file prefix → the builds (history entry ranges), whether the final build's
    /// start is exact, the FROM line, and a phrase of the header's boundary sentence.
    static let cases: [(String, [ClosedRange<Int>], Bool, String, String)] = [
        // buildah --layers: every entry of a build names its base or the previous step.
        ("kitchensink_docker", [0...0, 1...27], true, "FROM localhost/busybase:1",
         "history entry 0 (localhost/busybase:1), told apart by buildah's `FROM localhost/busybase:1` comment on entry 1"),
        // Built on the kitchensink: three builds, the middle one the kitchensink's own.
        ("onbuildchild_docker", [0...0, 1...27, 28...31], true, "FROM localhost/dflint/kitchensink:docker",
         "history entries 0-27 (localhost/dflint/kitchensink:docker), told apart by buildah's `FROM localhost/dflint/kitchensink:docker` comment on entry 28"),
        // buildah without --layers: only the last entry carries the comment.
        ("kitchensink_docker-nolayers", [0...0, 1...27], false, "FROM localhost/busybase:1", "a build without --layers"),
        ("minimal_podman", [0...0, 1...1], true, "FROM localhost/busybase:1", "the entry before it has a layer of its own"),
        // FROM scratch: `FROM <id>` comments only.
        ("scratchfinal_docker", [0...4], true, "FROM scratch", "none: the image was built FROM scratch"),
        // BuildKit's comment starts after busybase's entry (made by buildah without a Dockerfile).
        ("docker-buildkit_kitchensink", [0...0, 1...21], true, "FROM scratch", "BuildKit's `buildkit.dockerfile.v0` comments begin at entry 1"),
        // The legacy builder writes no comments: busybase's entry has no Dockerfile history.
        ("docker-legacy_kitchensink", [0...0, 1...22], true, "FROM scratch", "entry 0 has no Dockerfile history"),
        ("docker-commit_1", [0...0, 1...1], true, "FROM scratch", "entry 0 has no Dockerfile history"),
        // httpd on debian: the first empty-layer CMD after the rootfs ADD ends debian.
        ("containers__image__internal__image__fixtures__oci1-config.json", [0...1, 2...14], false, "FROM scratch",
         "entry 1's CMD is the first empty-layer CMD after the rootfs `ADD … /` of entry 0"),
        // ... and a layer someone added after httpd's CMD.
        ("containers__image__internal__image__fixtures__oci1-all-media-types-config.json", [0...1, 2...14, 15...15], false, "FROM scratch",
         "entry 14's CMD is followed by layers (entry 15)"),
        // alpine: the rootfs ADD and its CMD are the whole image.
        ("aquasecurity__trivy__pkg__fanal__test__testdata__alpine-310", [0...1], true, "FROM scratch", "none found"),
    ]

    static func image(_ key: String) throws -> ImageMetadata {
        if key.contains("__") {
            let u = try #require(CorpusTests.configs.first { $0.lastPathComponent.hasPrefix(key) })
            return try ImageMetadataDecoder.decode(bytes(u))[0]
        }
        return try fixtureImage(key)
    }

    @Test(arguments: cases.indices)
    func builds(_ i: Int) throws {
        let (key, ranges, exact, from, phrase) = Self.cases[i]
        let r = Reconstructor.reconstruct(try Self.image(key), name: key)
        #expect(r.builds.map(\.entries) == ranges, "\(r.builds.map(\.evidence))")
        #expect(r.builds.last?.exact == exact, "\(r.builds.last?.evidence ?? "")")
        #expect(r.dockerfile.instructions.first.map { String(r.text.split(separator: "\n")[$0.startLine - 1]) } == from)
        // reconstruct says how the boundary was found.
        let header = r.text.split(separator: "\n").first { $0.hasPrefix("# base image: ") }.map(String.init) ?? ""
        #expect(header.contains(phrase), "\(header)")
        // Every base-image entry, and only those, is marked base.
        let base = ranges.count > 1 ? 0...(ranges.last!.lowerBound - 1) : nil
        for ins in r.instructions where ins.historyIndex != nil {
            #expect(ins.isBase == (base?.contains(ins.historyIndex!) ?? false), "\(ins.text)")
        }
        // Each build's instructions are tied to it.
        for ins in r.instructions {
            guard let h = ins.historyIndex else { #expect(ins.build == nil); continue }
            #expect(ins.build.map { ranges[$0].contains(h) } == true)
        }
    }

    /// Two builds that both set a label: the second setting starts a build (nothing else tells them apart).
    @Test func labelSetAgainStartsABuild() {
        let h = [
            HistoryEntry(createdBy: "/bin/sh -c #(nop)  LABEL maintainer=base@example.invalid", emptyLayer: true),
            HistoryEntry(createdBy: "/bin/sh -c apt-get update", emptyLayer: false),
            HistoryEntry(createdBy: "/bin/sh -c #(nop)  LABEL maintainer=app@example.invalid", emptyLayer: true),
            HistoryEntry(createdBy: "/bin/sh -c make install", emptyLayer: false),
        ]
        let r = Reconstructor.reconstruct(ImageMetadata(shape: .config, history: h, diffIDs: ["sha256:a", "sha256:b"]), name: "x")
        #expect(r.builds.map(\.entries) == [0...1, 2...3])
        #expect(r.builds[1].evidence.contains("sets label maintainer again (entry 0 set it)"))
        #expect(!r.builds[1].exact)
    }

    /// `Entrypoint: []` (buildah) is no entrypoint: no `ENTRYPOINT []` fact, no second CMD.
    @Test func emptyEntrypointIsNotAFact() throws {
        let m = try fixtureImage("multistage_docker")
        #expect(m.config.entrypoint == [])
        let r = Reconstructor.reconstruct(m, name: "multistage")
        let facts = r.instructions.filter(\.fromConfig).map(\.text)
        #expect(!facts.contains { $0.hasPrefix("ENTRYPOINT") || $0.hasPrefix("CMD") }, "\(facts)")
        #expect(r.dockerfile.instructions.filter { $0.keyword == "CMD" }.count == 1)
    }

    /// A config whose CMD differs from the history's adds one CMD fact, and one only.
    @Test func changedCmdIsOneFact() throws {
        var m = try fixtureImage("multistage_docker")
        m.config.cmd = ["sh"]
        let facts = Reconstructor.reconstruct(m, name: "x").instructions.filter(\.fromConfig).map(\.text)
        #expect(facts.filter { $0.hasPrefix("CMD") } == ["CMD [\"sh\"]"] && !facts.contains { $0.hasPrefix("ENTRYPOINT") })
    }

    /// The lines of each build, and of the config facts, are apart: what DF202 groups by.
    @Test func buildLinesCoverEachBuildsInstructions() throws {
        let r = Reconstructor.reconstruct(try fixtureImage("onbuildchild_docker"), name: "x")
        let lines = r.buildLines
        #expect(lines.count == 3)   // busybase's entry is opaque (no instruction): the kitchensink's build, the child's, the config facts
        for ins in r.instructions where ins.historyIndex != nil {
            let holding = lines.indices.filter { lines[$0].contains(ins.lineRange.lowerBound) }
            #expect(holding.count == 1)
        }
        for (a, b) in zip(lines, lines.dropFirst()) { #expect(a.upperBound < b.lowerBound) }
    }
}
