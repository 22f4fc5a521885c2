import Testing
@testable import ImageSources

@Suite struct ImageNameTests {
    @Test(arguments: [
        ("nginx", "docker.io/library/nginx:latest"),
        ("nginx:1.27", "docker.io/library/nginx:1.27"),
        ("docker.io/nginx", "docker.io/library/nginx:latest"),
        ("user/app", "docker.io/user/app:latest"),
        ("localhost/dflint/kitchensink:docker", "localhost/dflint/kitchensink:docker"),
        ("localhost:5000/a:1", "localhost:5000/a:1"),
        ("ghcr.io/a/b@sha256:abc", "ghcr.io/a/b@sha256:abc"),
    ])
    func normalize(_ input: String, _ expected: String) {
        #expect(ImageName.normalize(input) == expected)
    }

    static let store: [(id: String, names: [String])] = [
        ("sha256:c58813e1d1ac0000", ["localhost/busybase:1"]),
        ("sha256:c5aa00000000", ["docker.io/library/nginx:latest", "nginx:1.27"]),
        ("sha256:0bc10f1031c1", []),
    ]

    @Test func picks() throws {
        #expect(try ImageName.pick("c588", among: Self.store) == 0)
        #expect(try ImageName.pick("sha256:0bc10f1031c1", among: Self.store) == 2)
        #expect(try ImageName.pick("nginx", among: Self.store) == 1)
        #expect(try ImageName.pick("docker.io/library/nginx:1.27", among: Self.store) == 1)
        #expect(try ImageName.pick("localhost/busybase:1", among: Self.store) == 0)
    }

    @Test func ambiguousAndMissingListCandidates() {
        do {
            _ = try ImageName.pick("c5", among: Self.store)
            Issue.record("expected an error")
        } catch {
            #expect(error.candidates.count == 3) // too short for an id prefix: falls through to names
        }
        do {
            _ = try ImageName.pick("c58", among: [("sha256:c58a", []), ("sha256:c58b", [])])
            Issue.record("expected an error")
        } catch {
            #expect(!error.candidates.isEmpty)
        }
        do {
            _ = try ImageName.pick("c58a", among: [("sha256:c58aa", []), ("sha256:c58ab", [])])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("matches 2 images"))
        }
    }
}
