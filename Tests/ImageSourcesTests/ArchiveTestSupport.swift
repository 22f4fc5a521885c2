// Shared helpers for the archive/layout/store tests: where the fixtures are,
// scratch directories, running python3/gzip for reference outputs.

import Foundation
import Testing
@testable import ImageSources

enum Fixtures {
    /// `<repo>/../shared/fixtures`, found from this file (repo root = folder with Package.swift).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures").path
            }
            url = url.deletingLastPathComponent()
        }
        return "/work/shared/fixtures"
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func files(in relative: String, suffix: String = "") -> [String] {
        let dir = path(relative)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { dir + "/" + $0 }
    }
}

/// A temporary directory removed when the value goes away.
final class ScratchDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "dflint-imgtest-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }
}

enum Tool {
    /// Runs a program with stdin bytes, returns stdout (throws on non-zero exit).
    static func run(_ argv: [String], stdin: [UInt8] = []) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let writer = Thread {
            inPipe.fileHandleForWriting.write(Data(stdin))
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw ImageSourceError("\(argv) exited \(p.terminationStatus)") }
        return [UInt8](out)
    }

    static func python(_ code: String, stdin: [UInt8] = []) throws -> [UInt8] {
        try run(["python3", "-c", code], stdin: stdin)
    }
}

func readBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Deterministic pseudo-random bytes (xorshift), mixed with runs so compressors use matches.
func sampleBytes(count: Int, seed: UInt64, compressible: Bool) -> [UInt8] {
    var x = seed | 1
    var out: [UInt8] = []
    out.reserveCapacity(count)
    while out.count < count {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        if compressible && x % 5 == 0, out.count > 300 {
            let dist = Int(x >> 20) % min(out.count, 30000) + 1
            let len = Int(x >> 40) % 300 + 3
            let start = out.count - dist
            for i in 0..<len where out.count < count { out.append(out[start + i]) }
        } else {
            out.append(compressible ? UInt8(97 + (x >> 33) % 16) : UInt8(truncatingIfNeeded: x >> 29))
        }
    }
    return out
}
