import Testing
@testable import LayerModel

@Suite struct CapturePolicyTests {
    @Test(arguments: [
        ("/root/.ssh/id_rsa", true), ("/root/.ssh/id_rsa.pub", false), ("/app/.env", true), ("/app/.env.production", true),
        ("/root/.npmrc", true), ("/root/.docker/config.json", true), ("/app/config.json", false),
        ("/root/.aws/credentials", true), ("/etc/ssl/private/server.key", true), ("/root/.kube/config", true),
        ("/etc/passwd", false), ("/usr/bin/ls", false),
    ])
    func secretCandidates(_ path: String, _ expected: Bool) {
        #expect(CapturePolicy.isSecretCandidate(path) == expected)
    }

    @Test func captures() {
        #expect(CapturePolicy.shouldCapture("/var/lib/dpkg/status", kind: .file))
        #expect(CapturePolicy.shouldCapture("/lib/apk/db/installed", kind: .file))
        #expect(!CapturePolicy.shouldCapture("/root/.ssh/id_rsa", kind: .directory))
        #expect(!CapturePolicy.shouldCapture("/usr/bin/ls", kind: .file))
    }

    @Test func modeBits() {
        let r = FileRecord(path: "/usr/bin/passwd", kind: .file, mode: 0o4755, uid: 0, gid: 0, size: 10, layer: 0)
        #expect(r.isSetuid && !r.isSetgid && !r.isWorldWritable)
    }
}
