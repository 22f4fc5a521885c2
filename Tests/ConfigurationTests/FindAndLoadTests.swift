import Foundation
import Testing
@testable import Configuration

@Suite struct FindAndLoadTests {
    /// A fresh directory under NSTemporaryDirectory(), removed when `body` returns.
    static func withTemporaryTree(_ body: (String) throws -> Void) throws {
        let fm = FileManager.default
        let root = (NSTemporaryDirectory() as NSString).appendingPathComponent("dflint-config-\(UUID().uuidString)")
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: root) }
        try body(root)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func findWalksUpwardAndTheNearestFileWins() throws {
        try Self.withTemporaryTree { root in
            let fm = FileManager.default
            let deep = root + "/a/b/c"
            try fm.createDirectory(atPath: deep, withIntermediateDirectories: true)
            // Nothing in the tree: the answer is whatever lies above it (normally nil).
            let above = ConfigLoader.find(from: (root as NSString).deletingLastPathComponent)
            #expect(ConfigLoader.find(from: deep) == above)

            try Self.write("ignore: []\n", to: root + "/.dflint.yaml")
            #expect(ConfigLoader.find(from: deep) == root + "/.dflint.yaml")
            #expect(ConfigLoader.find(from: root) == root + "/.dflint.yaml")

            try Self.write("format: json\n", to: root + "/a/.dflint.yml")
            #expect(ConfigLoader.find(from: deep) == root + "/a/.dflint.yml")
            #expect(ConfigLoader.find(from: root + "/a") == root + "/a/.dflint.yml")

            // In one folder .dflint.yaml wins over .dflint.yml.
            try Self.write("format: gnu\n", to: root + "/a/.dflint.yaml")
            #expect(ConfigLoader.find(from: deep) == root + "/a/.dflint.yaml")

            // A folder named like a config file is not a config file.
            try fm.createDirectory(atPath: root + "/a/b/.dflint.yaml", withIntermediateDirectories: true)
            #expect(ConfigLoader.find(from: deep) == root + "/a/.dflint.yaml")

            // "." and ".." components are resolved.
            #expect(ConfigLoader.find(from: root + "/a/b/../b/./c/") == root + "/a/.dflint.yaml")
            #expect(ConfigLoader.find(from: root + "/a/b/c/../../..") == root + "/.dflint.yaml")

            // Found files load.
            let found = try #require(ConfigLoader.find(from: deep))
            #expect(try ConfigLoader.load(path: found, knownRules: nil).format == "gnu")
        }
    }

    @Test func loadReportsProblemsWithThePath() throws {
        try Self.withTemporaryTree { root in
            let missing = root + "/nope.yaml"
            #expect(Self.loadError(missing) == ConfigError(path: missing, line: 0, column: 0, message: "cannot read the configuration: no such file"))
            #expect(Self.loadError(root) == ConfigError(path: root, line: 0, column: 0, message: "cannot read the configuration: it is a directory"))

            let bad = root + "/.dflint.yaml"
            try Self.write("format: json\ncis-only: maybe\n", to: bad)
            #expect(Self.loadError(bad)?.description == "\(bad):2:11: 'cis-only' must be a boolean (true or false), found 'maybe'")

            try Data([0x69, 0x67, 0x6E, 0x6F, 0x72, 0x65, 0x3A, 0x0A, 0x20, 0x20, 0x2D, 0x20, 0xC3, 0x28]).write(to: URL(fileURLWithPath: bad))
            #expect(Self.loadError(bad) == ConfigError(path: bad, line: 2, column: 5, message: "invalid UTF-8"))

            try Data([0xFF, 0xFE, 0x61, 0x00]).write(to: URL(fileURLWithPath: bad))
            #expect(Self.loadError(bad) == ConfigError(path: bad, line: 1, column: 1, message: "the file is UTF-16; save it as UTF-8"))

            try Data([0xEF, 0xBB, 0xBF] + Array("ignore: [DF101]\r\nscored-only: yes\r\n".utf8)).write(to: URL(fileURLWithPath: bad))
            let c = try ConfigLoader.load(path: bad, knownRules: ["DF101"])
            #expect(c.ignore == ["DF101"])
            #expect(c.scoredOnly == true)

            try Data().write(to: URL(fileURLWithPath: bad))
            #expect(try ConfigLoader.load(path: bad, knownRules: nil) == LintConfig())
        }
    }

    static func loadError(_ path: String) -> ConfigError? {
        do {
            _ = try ConfigLoader.load(path: path, knownRules: nil)
            return nil
        } catch {
            return error
        }
    }

    @Test func fileNames() {
        #expect(ConfigLoader.fileNames == [".dflint.yaml", ".dflint.yml"])
    }
}
