// Opt-in throughput check (DFLINT_BENCH=1, best run with -c release):
// our gzip decoder vs gzip(1) on the biggest fixture layer.

import Foundation
import Testing
@testable import ImageSources

@Suite struct InflateBenchTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DFLINT_BENCH"] != nil))
    func throughputVersusGzip() throws {
        let layer = InflateTests.gzipLayers.max { (FileAccess.fileSize($0) ?? 0) < (FileAccess.fileSize($1) ?? 0) }!
        // 40 copies as one multi-member file, so both sides read a file once (no per-run process start).
        let one = try readBytes(layer)
        let dir = ScratchDir()
        try dir.write("big.gz", Array([[UInt8]](repeating: one, count: 40).joined()))
        var outBytes = 0
        let t0 = Date()
        let r = GzipReader(source: try FileInput(path: dir.file("big.gz")))
        var buf = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            let n = try buf.withUnsafeMutableBytes { try r.read(into: $0) }
            if n == 0 { break }
            outBytes += n
        }
        let ours = Date().timeIntervalSince(t0)
        let t1 = Date()
        _ = try Tool.run(["sh", "-c", "gzip -dc '\(dir.file("big.gz"))' > /dev/null"])
        let theirs = Date().timeIntervalSince(t1)
        let mb = Double(outBytes) / 1e6
        print(String(format: "inflate %@: %.1f MB out, ours %.0f MB/s, gzip -dc %.0f MB/s", layer, mb, mb / ours, mb / theirs))
    }
}
