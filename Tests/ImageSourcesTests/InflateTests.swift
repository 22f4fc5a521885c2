// The DEFLATE/gzip decoder must be byte-identical to zlib (python3) and gzip(1)
// on the fixture layers and on inputs compressed here with every strategy, and
// must refuse corrupt, truncated and oversized (bomb) input with an error.

import Foundation
import Testing
@testable import ImageSources

@Suite struct InflateTests {
    static var gzipLayers: [String] {
        var out: [String] = []
        for dir in ["oci-layout/all/blobs/sha256", "oci-layout/kitchensink_oci/blobs/sha256"] {
            for f in Fixtures.files(in: dir) {
                if let b = try? FileInput(path: f).readUpTo(2), GzipReader.hasMagic(b) { out.append(f) }
            }
        }
        return out
    }

    @Test func fixtureLayersMatchGzip() throws {
        let layers = Self.gzipLayers
        #expect(layers.count >= 10)
        for f in layers {
            let ours = try GzipReader(source: FileInput(path: f)).readAll()
            let theirs = try Tool.run(["gzip", "-dc", f])
            #expect(ours == theirs, "\(f)")
        }
    }

    @Test(arguments: [
        (0, 1, true), (1, 6, true), (1000, 9, true), (70_000, 1, true), (300_000, 6, true),
        (300_000, 9, false), (2_000_000, 6, true), (100_000, 0, false), (65_535, 6, false),
    ])
    func randomInputsMatchZlib(count: Int, level: Int, compressible: Bool) throws {
        let data = sampleBytes(count: count, seed: UInt64(count * 31 + level), compressible: compressible)
        // gzip member (zlib.compressobj with wbits=31) and raw deflate (wbits=-15) at this level.
        let gz = try Tool.python("import sys,zlib; c=zlib.compressobj(\(level),zlib.DEFLATED,31); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())", stdin: data)
        #expect(try GzipReader.decompress(gz) == data)
        let raw = try Tool.python("import sys,zlib; c=zlib.compressobj(\(level),zlib.DEFLATED,-15); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())", stdin: data)
        #expect(try Inflater.inflate(raw) == data)
    }

    @Test(arguments: ["Z_FILTERED", "Z_HUFFMAN_ONLY", "Z_RLE", "Z_FIXED"])
    func strategies(_ strategy: String) throws {
        let data = sampleBytes(count: 200_000, seed: 7, compressible: true)
        let raw = try Tool.python("import sys,zlib; c=zlib.compressobj(6,zlib.DEFLATED,-15,8,zlib.\(strategy)); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())", stdin: data)
        #expect(try Inflater.inflate(raw) == data)
    }

    @Test func gzipToolOutputAndMultiMember() throws {
        let a = sampleBytes(count: 123_457, seed: 1, compressible: true)
        let b = sampleBytes(count: 5_000, seed: 2, compressible: false)
        let ga = try Tool.run(["gzip", "-c", "-9"], stdin: a)
        let gb = try Tool.run(["gzip", "-c", "-1"], stdin: b)
        // Two members plus zero padding, as `cat a.gz b.gz` and tape padding give.
        let r = GzipReader(source: MemorySource(ga + gb + [0, 0, 0, 0]))
        #expect(try r.readAll() == a + b)
        #expect(r.members == 2)
        // Header with FNAME, FCOMMENT, FEXTRA, FHCRC (python writes FNAME; build the rest by hand).
        let body = try Tool.python("import sys,zlib; c=zlib.compressobj(6,zlib.DEFLATED,-15); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())", stdin: b)
        var member: [UInt8] = [0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3]
        member += Array("name.tar".utf8) + [0] + Array("comment".utf8) + [0] + [0xaa, 0xbb] + body
        let crc = CRC32.checksum(b)
        for i in 0..<4 { member.append(UInt8(truncatingIfNeeded: crc >> UInt32(8 * i))) }
        for i in 0..<4 { member.append(UInt8(truncatingIfNeeded: UInt32(b.count) >> UInt32(8 * i))) }
        #expect(try GzipReader.decompress(member) == b)
    }

    @Test func storedBlocksAcrossReadBoundaries() throws {
        let data = sampleBytes(count: 700_000, seed: 3, compressible: false)
        let gz = try Tool.python("import sys,zlib; c=zlib.compressobj(0,zlib.DEFLATED,31); sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())", stdin: data)
        // Odd-sized reads exercise every boundary between the window and the caller.
        let r = GzipReader(source: MemorySource(gz))
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 7919)
        while true {
            let n = try buf.withUnsafeMutableBytes { try r.read(into: $0) }
            if n == 0 { break }
            out += buf[0..<n]
        }
        #expect(out == data)
    }

    @Test func crc32KnownValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func decompressionBombStops() throws {
        // 64 MiB of zeros compress to ~64 KiB; a 1 MiB cap must stop it early.
        let gz = try Tool.python("import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,31); sys.stdout.buffer.write(c.compress(bytes(64<<20))+c.flush())")
        #expect(gz.count < 100_000)
        let r = GzipReader(source: MemorySource(gz), maxOutput: 1 << 20)
        #expect(throws: InflateError.outputLimitExceeded(limit: 1 << 20)) { _ = try r.readAll() }
        #expect(r.totalOut < 2 << 20)
        // Without a cap it is fine (and the size is exact).
        #expect(try GzipReader.decompress(gz, maxOutput: 64 << 20).count == 64 << 20)
    }

    @Test func corruptInputIsAnErrorNotACrash() throws {
        let data = sampleBytes(count: 50_000, seed: 9, compressible: true)
        let gz = try Tool.run(["gzip", "-c"], stdin: data)
        // Truncated anywhere.
        for cut in [1, 5, 10, 11, 20, gz.count / 2, gz.count - 9, gz.count - 1] {
            #expect(throws: (any Error).self) { _ = try GzipReader.decompress(Array(gz[0..<cut])) }
        }
        // Bad CRC.
        var bad = gz
        bad[bad.count - 6] ^= 0xff
        #expect(throws: (any Error).self) { _ = try GzipReader.decompress(bad) }
        // Not gzip.
        #expect(throws: InflateError.notGzip) { _ = try GzipReader.decompress(Array("hello world".utf8)) }
        // Block type 3.
        #expect(throws: (any Error).self) { _ = try Inflater.inflate([0x07, 0, 0]) }
        // Flipped bits in the body: must end with an error or (rarely) different bytes, never a trap or hang.
        for i in stride(from: 12, to: gz.count - 8, by: max(1, gz.count / 97)) {
            var g = gz
            g[i] ^= 0x5a
            _ = try? GzipReader.decompress(g, maxOutput: 1 << 20)
        }
        // Random garbage as raw deflate.
        for seed in 1...200 {
            let junk = sampleBytes(count: 64 + seed, seed: UInt64(seed), compressible: false)
            _ = try? Inflater.inflate(junk, maxOutput: 1 << 20)
        }
    }

    @Test func streamingSHA256MatchesChecksums() {
        for n in [0, 1, 55, 56, 63, 64, 65, 1000, 100_000] {
            let d = sampleBytes(count: n, seed: UInt64(n + 1), compressible: false)
            var s = SHA256Stream()
            // Feed in uneven pieces.
            var i = 0, step = 1
            while i < d.count { let j = min(d.count, i + step); s.update(Array(d[i..<j])); i = j; step = step * 3 + 1 }
            #expect(s.finalizeHex() == SHA256Stream.oneShotHex(d))
        }
    }
}

import Checksums
extension SHA256Stream {
    static func oneShotHex(_ d: [UInt8]) -> String { SHA256.hex(d) }
}
