import Foundation
import Testing
import DockerfileSyntax
import ImageModel
@testable import History

enum Paths {
    /// Repo root = the folder holding Package.swift; `shared` is its sibling.
    static let shared: URL = {
        var u = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while u.path != "/" {
            if FileManager.default.fileExists(atPath: u.appendingPathComponent("Package.swift").path) {
                return u.deletingLastPathComponent().appendingPathComponent("shared")
            }
            u = u.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/work/shared")
    }()
    static let corpus = shared.appendingPathComponent("corpus/image-configs")
    static let history = shared.appendingPathComponent("fixtures/history")
    static let engine = shared.appendingPathComponent("fixtures/engine-api")
}

func bytes(_ u: URL) throws -> [UInt8] { Array(try Data(contentsOf: u)) }

func files(under u: URL) -> [URL] {
    guard let e = FileManager.default.enumerator(at: u, includingPropertiesForKeys: nil) else { return [] }
    return e.compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath }.sorted { $0.path < $1.path }
}

func keywords(_ r: Reconstruction) -> [String] { r.dockerfile.instructions.map(\.keyword) }

/// Keywords of the instructions the history itself gave (not base, not FROM, not config facts).
func ownKeywords(_ r: Reconstruction) -> [String] {
    r.instructions.filter { !$0.isBase && !$0.fromConfig && $0.historyIndex != nil }
        .map { String($0.text.prefix { $0 != " " && $0 != "\n" }) }
}

func fatal(_ r: Reconstruction) -> [Diagnostic] { r.dockerfile.diagnostics.filter(\.fatalInBuildKit) }
