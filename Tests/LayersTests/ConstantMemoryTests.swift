import Foundation
import Testing
@testable import ImageSources
import LayerModel

/// A tar stream generated on the fly: one header, `size` zero bytes, end blocks. Never held in memory.
final class GeneratedLayer: ByteSource {
    let header: [UInt8]
    let size: Int64
    private(set) var offset: Int64 = 0
    private(set) var reads = 0
    let total: Int64
    init(name: String, size: Int64) {
        header = TarBuilder.header(name: name, size: size)
        self.size = size
        total = 512 + size + (512 - size % 512) % 512 + 1024
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = Int(min(Int64(buffer.count), total - offset))
        if n <= 0 { return 0 }
        reads += 1
        for k in 0..<n {
            let pos = offset + Int64(k)
            if pos >= 512 { memset(buffer.baseAddress! + k, 0, n - k); break }
            buffer[k] = header[Int(pos)]
        }
        offset += Int64(n)
        return n
    }
}

func peakRSSKiB() -> Int {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return u.ru_maxrss
}

@Suite struct ConstantMemoryTests {
    func scanGenerated(_ size: Int64) -> (FileSystemView, growthMiB: Double, seconds: Double) {
        let before = peakRSSKiB()
        let start = Date()
        let source = GeneratedLayer(name: "var/big.img", size: size)
        let v = LayerScanner.scan(streams: [LayerStream(digest: "sha256:big", source: source)])
        let secs = Date().timeIntervalSince(start)
        // Every byte really went through the scanner's buffer.
        #expect(source.offset == source.total && source.reads >= Int(size / (64 << 10)), "\(source.offset) \(source.total) \(source.reads) \(v.layers) \(v.files)")
        return (v, Double(peakRSSKiB() - before) / 1024, secs)
    }

    /// A 1 GiB layer streamed through the scanner: the peak RSS must not grow with it.
    @Test func oneGigabyteLayerInBoundedMemory() {
        let size: Int64 = 1 << 30
        let (v, growth, secs) = scanGenerated(size)
        print("1 GiB generated layer: \(String(format: "%.2f", secs)) s, peak RSS growth \(String(format: "%.1f", growth)) MiB, peak \(peakRSSKiB() / 1024) MiB")
        #expect(v.problems.isEmpty, "\(v.problems)")
        #expect(v.files["/var/big.img"]?.size == size)
        #expect(v.layers[0].bytes >= size)
        #expect(growth < 32, "peak RSS grew by \(growth) MiB")
    }

    /// A sparse 1 GiB member of a tar file on disk: skipped with lseek, the reads stay at the headers.
    @Test func bigMemberInAFileIsSkippedNotRead() throws {
        let dir = NSTemporaryDirectory() + "dflint-sparse-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/layer.tar"
        let size: Int64 = 1 << 30
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let h = TarBuilder.header(name: "big", size: size)
        _ = h.withUnsafeBytes { write(fd, $0.baseAddress, 512) }
        var t = TarBuilder()
        t.file("etc/passwd", "root:x:0:0\n")
        let tail = t.finished()
        _ = tail.withUnsafeBytes { pwrite(fd, $0.baseAddress, tail.count, off_t(512 + size)) }
        close(fd)
        let before = peakRSSKiB()
        let start = Date()
        let v = LayerScanner.scan(ResolvedImageForTest.file(path))
        print("1 GiB sparse tar file: \(String(format: "%.3f", Date().timeIntervalSince(start))) s, peak RSS growth \((peakRSSKiB() - before) / 1024) MiB")
        #expect(v.problems.isEmpty, "\(v.problems)")
        #expect(v.files["/big"]?.size == size && v.captured["/etc/passwd"] != nil)
        #expect(Date().timeIntervalSince(start) < 2)
    }

    /// `DFLINT_BENCH=1`: 8 GiB through the scanner.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DFLINT_BENCH"] == "1"))
    func benchEightGigabytes() {
        let (v, growth, secs) = scanGenerated(8 << 30)
        print("8 GiB generated layer: \(String(format: "%.1f", Double(8 << 30) / secs / 1e6)) MB/s, peak RSS growth \(String(format: "%.1f", growth)) MiB")
        #expect(v.problems.isEmpty && growth < 32)
    }
}

enum ResolvedImageForTest {
    static func file(_ path: String) -> ResolvedImage {
        var image = ResolvedImage(configBytes: [], layers: [LayerDescriptor(digest: "sha256:file")], source: "test")
        image.layerLocations = [.file(path: path)]
        return image
    }
}
