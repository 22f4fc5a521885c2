// The zstd decoder must be byte-identical to Debian's zstd(1) on inputs
// compressed here at test time (levels 1, 3, 19, 22, --fast, --long,
// --no-check, known and unknown content size, multi-frame, empty,
// incompressible, highly repetitive, a real layer tar), must refuse corrupt,
// truncated, dictionary and oversized-window frames with a clear error, and
// must stay within its window bound. Skipped, with the reason shown, where
// /usr/bin/zstd is absent. (The long mutation sweep is .ci/zstd-fuzz.)

import Foundation
import Testing
@testable import ImageSources

enum Zstd {
    static let tool = "/usr/bin/zstd"
    static let available = FileManager.default.isExecutableFile(atPath: tool)
    static let reason: Comment = "Debian's zstd (/usr/bin/zstd) is not installed: the differential tests need the reference tool"

    /// `zstd -c ARGS` of `data`, from a file (content size in the header) or from stdin (no content size).
    static func compress(_ data: [UInt8], _ args: [String], stdin: Bool = false) throws -> [UInt8] {
        if stdin { return try Tool.run([tool, "-q", "-c"] + args, stdin: data) }
        let dir = ScratchDir()
        try dir.write("in", data)
        return try Tool.run([tool, "-q", "-c"] + args + [dir.file("in")])
    }

    /// `zstd -dc` of `data` (nil when the reference tool refuses it).
    static func decompress(_ data: [UInt8]) -> [UInt8]? {
        let dir = ScratchDir()
        guard (try? dir.write("in.zst", data)) != nil else { return nil }
        return try? Tool.run([tool, "-q", "-dc", dir.file("in.zst")])
    }
}

/// The inputs of the differential sweep, by name.
enum ZstdInputs {
    static func make(_ name: String) throws -> [UInt8] {
        switch name {
        case "empty": return []
        case "one-byte": return [0x41]
        case "text-100k": return sampleBytes(count: 100_000, seed: 11, compressible: true)
        case "text-block-edge": return sampleBytes(count: (128 << 10) + 1, seed: 12, compressible: true)
        case "text-2m": return sampleBytes(count: 2_000_000, seed: 13, compressible: true)
        case "random-300k": return sampleBytes(count: 300_000, seed: 14, compressible: false)
        case "zeros-5m": return [UInt8](repeating: 0, count: 5_000_000)
        case "abc-1m": return (0..<1_000_000).map { UInt8(97 + $0 % 3) }
        case "mixed-1500k":
            var out: [UInt8] = []
            for k in 0..<15 {
                out += k % 3 == 0 ? sampleBytes(count: 100_000, seed: UInt64(k + 20), compressible: false)
                    : k % 3 == 1 ? [UInt8](repeating: UInt8(k), count: 100_000)
                    : sampleBytes(count: 100_000, seed: UInt64(k + 20), compressible: true)
            }
            return out
        case "layer-tar":
            let layer = Fixtures.files(in: "oci-layout/all/blobs/sha256").max { fileSize($0) < fileSize($1) }!
            return try GzipReader(source: FileInput(path: layer)).readAll()
        case "far-repeat-13m":
            // A 2 MB block seen again 11 MB later: only --long's window reaches back to it.
            let r = sampleBytes(count: 2_000_000, seed: 15, compressible: false)
            return r + sampleBytes(count: 9_000_000, seed: 16, compressible: true) + r
        default: fatalError(name)
        }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }

    static let all = ["empty", "one-byte", "text-100k", "text-block-edge", "text-2m", "random-300k", "zeros-5m", "abc-1m",
                      "mixed-1500k", "layer-tar"]
    static let small = ["one-byte", "text-100k", "random-300k", "abc-1m", "layer-tar"]

    struct Case: CustomStringConvertible, Sendable {
        var input: String
        var args: [String]
        var stdin = false
        var description: String { "\(input) \(args.joined(separator: " "))\(stdin ? " (stdin)" : "")" }
    }

    /// 63 cases: every input at levels 1, 3 and 19, and the small ones with --long, --no-check, --fast, --ultra -22, stdin.
    static let cases: [Case] = {
        var c: [Case] = []
        for i in all { for level in ["-1", "-3", "-19"] { c.append(Case(input: i, args: [level])) } }
        for i in small {
            c.append(Case(input: i, args: ["--long=27", "-3"]))
            c.append(Case(input: i, args: ["--no-check", "-3"]))
            c.append(Case(input: i, args: ["--fast=5"]))
            c.append(Case(input: i, args: ["--ultra", "-22"]))
            c.append(Case(input: i, args: ["-3"], stdin: true))
            c.append(Case(input: i, args: ["-9", "--no-check"], stdin: true))
        }
        c.append(Case(input: "far-repeat-13m", args: ["--long=27", "-3"]))
        c.append(Case(input: "far-repeat-13m", args: ["-3"], stdin: true))
        c.append(Case(input: "empty", args: ["-3"], stdin: true))
        return c
    }()
}

@Suite(.enabled(if: Zstd.available, Zstd.reason)) struct ZstdDifferentialTests {
    @Test func thereAreAtLeastFiftyCases() {
        #expect(ZstdInputs.cases.count >= 50)
    }

    @Test(arguments: ZstdInputs.cases)
    func matchesTheReferenceTool(_ c: ZstdInputs.Case) throws {
        let data = try ZstdInputs.make(c.input)
        let z = try Zstd.compress(data, c.args, stdin: c.stdin)
        let theirs = Zstd.decompress(z)
        #expect(theirs == data, "zstd -dc disagrees with the input for \(c)")
        let r = ZstdReader(source: MemorySource(z))
        let ours = try r.readAll()
        #expect(ours == data, "\(c): \(ours.count) bytes decoded, \(data.count) expected")
        #expect(r.framesDecoded == 1)
        #expect(r.totalIn == Int64(z.count))
    }

    @Test func oddReadSizesAndMultipleFramesWithASkippableOne() throws {
        let a = try ZstdInputs.make("text-2m"), b = try ZstdInputs.make("random-300k"), c = try ZstdInputs.make("abc-1m")
        let skippable: [UInt8] = [0x5e, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]
        let stream = try Zstd.compress(a, ["-1"]) + skippable + Zstd.compress(b, ["-19"]) + Zstd.compress(c, ["--no-check", "-3"], stdin: true)
        #expect(Zstd.decompress(stream) == a + b + c)
        let r = ZstdReader(source: MemorySource(stream))
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 7919)
        while true {
            let n = try buf.withUnsafeMutableBytes { try r.read(into: $0) }
            if n == 0 { break }
            out += buf[0..<n]
        }
        #expect(out == a + b + c)
        #expect(r.framesDecoded == 3 && r.skippableFrames == 1)
    }

    @Test func sourceThatReturnsOneByteAtATime() throws {
        let data = try ZstdInputs.make("text-100k")
        let z = try Zstd.compress(data, ["-19"])
        #expect(try ZstdReader(source: TrickleSource(z)).readAll() == data)
    }

    @Test func windowStaysWithinItsBound() throws {
        // Level 3 from stdin (no content size): a 2 MiB window (windowLog 21) for 13 MB of output.
        let data = try ZstdInputs.make("far-repeat-13m")
        let z = try Zstd.compress(data, ["-3"], stdin: true)
        let r = ZstdReader(source: MemorySource(z))
        #expect(try r.readAll() == data)
        #expect(r.allocatedWindow <= (2 << 20) + 2 * (128 << 10) + 256, "\(r.allocatedWindow)")
        #expect(r.allocatedWindow >= 2 << 20)
    }

    @Test func truncatedAndFlippedFramesFailLikeTheReferenceTool() throws {
        let data = try ZstdInputs.make("text-100k")
        let z = try Zstd.compress(data, ["-3"])
        for cut in [1, 4, 5, 6, 9, z.count / 3, z.count / 2, z.count - 5, z.count - 1] {
            let piece = Array(z[0..<cut])
            #expect(Zstd.decompress(piece) == nil, "zstd accepts a cut at \(cut)")
            #expect(throws: ZstdError.self, "cut at \(cut)") { _ = try ZstdReader.decompress(piece) }
        }
        // A wrong checksum is reported as such.
        var bad = z
        bad[bad.count - 1] ^= 0x40
        #expect(Zstd.decompress(bad) == nil)
        #expect(throws: ZstdError.self) { _ = try ZstdReader.decompress(bad) }
        do { _ = try ZstdReader.decompress(bad); Issue.record("accepted") } catch let e as ZstdError {
            guard case .checksumMismatch = e else { Issue.record("\(e)"); return }
        }
        // Flipped bytes in the body: an error or (when the frame has no checksum) other bytes, never a trap or a hang.
        let unchecked = try Zstd.compress(data, ["--no-check", "-19"])
        for i in stride(from: 6, to: unchecked.count, by: max(1, unchecked.count / 211)) {
            var g = unchecked
            g[i] ^= 0x5a
            _ = try? ZstdReader.decompress(g, maxOutput: 4 << 20)
        }
        // Trailing garbage after the last frame.
        #expect(throws: ZstdError.self) { _ = try ZstdReader.decompress(z + [1, 2, 3, 4, 5]) }
        #expect(Zstd.decompress(z + [1, 2, 3, 4, 5]) == nil)
    }

    @Test func largeWindowsAreRefusedLikeTheReferenceTool() throws {
        // From stdin, --long=30 declares a 1 GiB window; zstd -d refuses it without --long=30 too.
        let data = try ZstdInputs.make("text-100k")
        let z = try Zstd.compress(data, ["--long=30", "-1"], stdin: true)
        #expect(Zstd.decompress(z) == nil)
        #expect(throws: ZstdError.windowTooLarge(needed: 1 << 30, limit: ZstdReader.defaultMaxWindow)) {
            _ = try ZstdReader.decompress(z)
        }
        // A smaller limit refuses a 2 MiB window.
        let small = try Zstd.compress(data, ["-3"], stdin: true)
        #expect(throws: ZstdError.windowTooLarge(needed: 2 << 20, limit: 1 << 20)) {
            _ = try ZstdReader.decompress(small, maxWindow: 1 << 20)
        }
    }

    @Test func decompressionBombStops() throws {
        let z = try Zstd.compress([UInt8](repeating: 0, count: 64 << 20), ["-19"], stdin: true)
        #expect(z.count < 10_000)
        let r = ZstdReader(source: MemorySource(z), maxOutput: 1 << 20)
        #expect(throws: ZstdError.outputLimitExceeded(limit: 1 << 20)) { _ = try r.readAll() }
        #expect(r.totalOut < 2 << 20)
        #expect(try ZstdReader.decompress(z).count == 64 << 20)
    }
}

@Suite struct ZstdFormatTests {
    @Test func framesThatNeedADictionaryAreRefused() throws {
        // Frame header: dictionary id in 1 byte (7), window descriptor, then a raw last block "hi".
        let frame: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd, 0x01, 0x00, 0x07, 0x11, 0x00, 0x00, 0x68, 0x69]
        #expect(throws: ZstdError.dictionaryRequired(7)) { _ = try ZstdReader.decompress(frame) }
        #expect(ZstdError.dictionaryRequired(7).description.contains("dictionary 7"))
        // A dictionary id field holding 0 means "none".
        let none: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd, 0x01, 0x00, 0x00, 0x11, 0x00, 0x00, 0x68, 0x69]
        #expect(try ZstdReader.decompress(none) == Array("hi".utf8))
    }

    @Test func handBuiltRawAndRLEBlocksAndSkippableFrames() throws {
        // Single segment, 1-byte content size 6: raw block "abc" then last RLE block "x" x 3.
        let frame: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x06,
                              0x18, 0x00, 0x00, 0x61, 0x62, 0x63,
                              0x1b, 0x00, 0x00, 0x78]
        #expect(try ZstdReader.decompress(frame) == Array("abcxxx".utf8))
        // The content size must match.
        var wrong = frame
        wrong[5] = 7
        #expect(throws: ZstdError.self) { _ = try ZstdReader.decompress(wrong) }
        // Skippable frames alone decode to nothing; a reserved block type is corrupt.
        #expect(try ZstdReader.decompress([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]) == [])
        #expect(throws: ZstdError.self) { _ = try ZstdReader.decompress([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x01, 0x07, 0, 0]) }
        #expect(throws: ZstdError.truncated) { _ = try ZstdReader.decompress([]) }
        #expect(throws: ZstdError.notZstd) { _ = try ZstdReader.decompress(Array("hello world".utf8)) }
        #expect(ZstdReader.hasMagic([0x28, 0xb5, 0x2f, 0xfd]) && ZstdReader.hasMagic([0x5f, 0x2a, 0x4d, 0x18]))
        #expect(!ZstdReader.hasMagic([0x1f, 0x8b, 8, 0]))
    }

    @Test func randomGarbageNeverTraps() {
        for seed in 1...300 {
            var junk = sampleBytes(count: 16 + seed * 3, seed: UInt64(seed), compressible: seed % 2 == 0)
            // A valid frame header in front, so the garbage reaches the block decoders.
            junk = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50] + junk
            _ = try? ZstdReader.decompress(junk, maxOutput: 1 << 20)
        }
    }

    @Test func xxhash64KnownValues() {
        #expect(XXHash64.hash([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        // Streaming in uneven pieces gives the one-shot value.
        for n in [0, 1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 100, 1000, 4097] {
            let d = sampleBytes(count: n, seed: UInt64(n + 3), compressible: false)
            var h = XXHash64()
            var i = 0, step = 1
            while i < d.count { let j = min(d.count, i + step); h.update(Array(d[i..<j])); i = j; step = step * 2 + 1 }
            #expect(h.digest == XXHash64.hash(d), "\(n)")
        }
    }
}

/// Returns its bytes one at a time (every refill path of a reader).
final class TrickleSource: ByteSource {
    private let bytes: [UInt8]
    private var pos = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard pos < bytes.count, buffer.count > 0 else { return 0 }
        buffer[0] = bytes[pos]
        pos += 1
        return 1
    }
}
