import Foundation
import Testing
import DockerfileSyntax
import ImageModel
@testable import History

@Suite struct CorpusTests {
    static let configs: [URL] = files(under: Paths.corpus).filter { $0.pathExtension == "json" }

    @Test func corpusHas118Configs() { #expect(Self.configs.count == 118) }

    @Test(arguments: configs)
    func everyConfigReconstructs(_ u: URL) throws {
        let images = try ImageMetadataDecoder.decode(bytes(u))
        #expect(images.count == 1)
        let r = Reconstructor.reconstruct(images[0], name: u.lastPathComponent)
        #expect(fatal(r).isEmpty, "\(u.lastPathComponent): \(fatal(r).map(\.message))\n\(r.text)")
        #expect(r.dockerfile.instructions.first?.keyword == "FROM")
        #expect(r.instructions.count == r.dockerfile.instructions.count, "\(r.text)")
    }

    /// (file name prefix, builder, keywords of the reconstructed Dockerfile in order)
    static let samples: [(String, Builder, [String])] = [
        ("goodwithtech__dockle__pkg__assessor__manifest__testdata__nginx.json", .dockerLegacy,
         ["FROM", "ADD", "CMD", "LABEL", "ENV", "ENV", "ENV", "RUN", "RUN", "EXPOSE", "STOPSIGNAL", "CMD", "ENV"]),
        ("goodwithtech__dockle__pkg__assessor__manifest__testdata__add_with_arg_statement.json", .buildkit,
         ["FROM", "ARG", "ARG", "LABEL", "LABEL", "ADD", "CMD", "RUN", "ENV"]),
        ("containers__image__internal__image__fixtures__schema1-to-oci1-config.json", .dockerLegacy,
         ["FROM", "RUN", "RUN", "RUN", "RUN", "USER", "ENV", "LABEL", "CMD"]),
        ("google__go-containerregistry__pkg__v1__tarball__testdata__no_manifest", .bazel, ["FROM"]),
        ("GoogleContainerTools__jib__jib-core__src__test__resources__core__json__containerconfig.json", .jib,
         ["FROM", "ENV", "LABEL", "EXPOSE", "VOLUME", "WORKDIR", "HEALTHCHECK", "USER", "ENTRYPOINT", "CMD"]),
        ("wagoodman__dive__.data__test-kaniko-image.tar", .kaniko,
         ["FROM", "ADD", "CMD", "ADD"] + Array(repeating: "RUN", count: 8) + ["ADD", "RUN", "RUN", "RUN", "ENV"]),
        ("docker-library__busybox__latest__glibc__amd64__image-config.json", .opaque, ["FROM", "ENV", "CMD"]),
        ("tianon__dockerfiles__true__oci__config.json", .opaque, ["FROM", "CMD"]),
        ("anchore__stereoscope__pkg__image__oci__testdata__valid_oci_dir", .buildkit, ["FROM", "COPY", "ENV", "WORKDIR"]),
        ("regclient__regclient__testdata__testrepo__blobs__sha256__92e1351053a20", .buildkit, ["FROM", "COPY", "LABEL", "ENV", "WORKDIR"]),
        ("moby__buildkit__client__testdata__compatibility__common__default-gzip", .dockerLegacy, ["FROM", "ADD", "CMD", "ENV"]),
        ("google__go-containerregistry__pkg__v1__tarball__testdata__hello-world-", .buildkit, ["FROM", "COPY", "CMD", "ENV", "WORKDIR"]),
    ]

    @Test(arguments: samples.indices)
    func sampleKeywords(_ i: Int) throws {
        let (prefix, builder, expected) = Self.samples[i]
        let u = try #require(Self.configs.first { $0.lastPathComponent.hasPrefix(prefix) })
        let r = Reconstructor.reconstruct(try ImageMetadataDecoder.decode(bytes(u))[0], name: prefix)
        #expect(r.builder == builder)
        if !expected.isEmpty { #expect(keywords(r) == expected) }
    }
}

@Suite struct FixtureDecodeTests {
    static let jsonFiles: [URL] = (files(under: Paths.history) + files(under: Paths.engine))
        .filter { ["json", "jsonl"].contains($0.pathExtension) }

    @Test func thereAreFixtures() { #expect(Self.jsonFiles.count > 200) }

    @Test(arguments: jsonFiles)
    func decodes(_ u: URL) throws {
        let name = u.lastPathComponent
        // Engine API listing/version replies are not image metadata: they must be refused clearly.
        if ["images-json.json", "images-json-all.json", "version.json", "v1.41-version.json", "info.json"].contains(name) {
            #expect(throws: ImageDecodeError.self) { _ = try ImageMetadataDecoder.decode(bytes(u)) }
            return
        }
        let images = try ImageMetadataDecoder.decode(bytes(u))
        #expect(!images.isEmpty)
        for m in images {
            let r = Reconstructor.reconstruct(m, name: name)
            #expect(fatal(r).isEmpty, "\(u.path): \(fatal(r).map(\.message))")
        }
    }
}
