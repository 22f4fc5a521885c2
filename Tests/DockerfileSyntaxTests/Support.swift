import Foundation
@testable import DockerfileSyntax

/// Paths of the shared corpus and fixtures (a sibling of the repository).
enum Shared {
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root: URL = repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static func url(_ rel: String) -> URL { root.appendingPathComponent(rel) }
    static func read(_ rel: String) -> [UInt8] {
        (try? Data(contentsOf: url(rel))).map { [UInt8]($0) } ?? []
    }
    static func list(_ rel: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url(rel).path)) ?? []).sorted()
    }
    static var available: Bool { FileManager.default.fileExists(atPath: url("corpus").path) }
}

func parseRaw(_ text: String) -> RawParseResult { RawParser.parse(SourceFile(text: text)) }
func parseRaw(bytes: [UInt8]) -> RawParseResult { RawParser.parse(SourceFile(bytes: bytes)) }

extension Dockerfile {
    /// The text a span covers.
    func text(_ s: Span) -> String { source.text(s) }
}
