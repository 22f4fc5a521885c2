// Builds tar and gzip layer streams inside the tests (ustar headers by hand,
// gzip through /bin/gzip), so every malformed shape is reproducible.

import Foundation
@testable import ImageSources
import LayerModel

struct TarBuilder {
    private(set) var bytes: [UInt8] = []

    static func header(name: String, type: UInt8 = UInt8(ascii: "0"), mode: UInt32 = 0o644, uid: Int = 0, gid: Int = 0,
                       size: Int64 = 0, link: String = "", devMajor: Int = 0, devMinor: Int = 0) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: [UInt8], _ at: Int, _ len: Int) { for (i, b) in s.prefix(len).enumerated() { h[at + i] = b } }
        func octal(_ v: Int64, _ at: Int, _ len: Int) { put(Array(String(String(v, radix: 8).suffix(len - 1)).leftPadded(len - 1).utf8) + [0], at, len) }
        put(Array(name.utf8), 0, 100)
        octal(Int64(mode), 100, 8)
        octal(Int64(uid), 108, 8)
        octal(Int64(gid), 116, 8)
        if size >= 1 << 33 {
            // GNU base-256: the 11 octal digits hold at most 8 GiB - 1.
            h[124] = 0x80
            for i in 0..<8 { h[135 - i] = UInt8(truncatingIfNeeded: size >> (8 * Int64(i))) }
        } else {
            octal(size, 124, 12)
        }
        octal(0, 136, 12)
        h[156] = type
        put(Array(link.utf8), 157, 100)
        put(Array("ustar\u{0}00".utf8), 257, 8)
        octal(Int64(devMajor), 329, 8)
        octal(Int64(devMinor), 337, 8)
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int64($1) }
        put(Array(String(String(sum, radix: 8)).leftPadded(6).utf8) + [0, 0x20], 148, 8)
        return h
    }

    mutating func add(_ name: String, type: UInt8 = UInt8(ascii: "0"), mode: UInt32 = 0o644, uid: Int = 0, gid: Int = 0,
                      body: [UInt8] = [], link: String = "", devMajor: Int = 0, devMinor: Int = 0) {
        bytes += TarBuilder.header(name: name, type: type, mode: mode, uid: uid, gid: gid, size: Int64(body.count), link: link,
                                   devMajor: devMajor, devMinor: devMinor)
        bytes += body
        bytes += [UInt8](repeating: 0, count: (512 - body.count % 512) % 512)
    }
    mutating func file(_ name: String, _ text: String, mode: UInt32 = 0o644, uid: Int = 0, gid: Int = 0) {
        add(name, mode: mode, uid: uid, gid: gid, body: Array(text.utf8))
    }
    mutating func dir(_ name: String, mode: UInt32 = 0o755) { add(name, type: UInt8(ascii: "5"), mode: mode) }
    mutating func symlink(_ name: String, to target: String) { add(name, type: UInt8(ascii: "2"), mode: 0o777, link: target) }
    mutating func hardlink(_ name: String, to target: String) { add(name, type: UInt8(ascii: "1"), link: target) }
    mutating func pax(_ records: [String: String]) {
        var body: [UInt8] = []
        for (k, v) in records.sorted(by: { $0.key < $1.key }) {
            let rest = " \(k)=\(v)\n"
            var len = rest.utf8.count + 1
            while String(len).count + rest.utf8.count != len { len += 1 }
            body += Array("\(len)\(rest)".utf8)
        }
        add("PaxHeaders/x", type: UInt8(ascii: "x"), body: body)
    }
    mutating func raw(_ b: [UInt8]) { bytes += b }
    func finished() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

enum Gzip {
    /// gzip -c of the bytes (through /bin/gzip: the tests need a real compressor).
    static func compress(_ data: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c", "-n", "-1"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(data))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return [UInt8](out)
    }
}

func scanTars(_ layers: [[UInt8]], limits: ScanLimits = .init()) -> FileSystemView {
    LayerScanner.scan(streams: layers.enumerated().map {
        LayerStream(digest: "sha256:layer\($0.offset)", source: MemorySource($0.element))
    }, limits: limits)
}

enum ZstdTool {
    /// `zstd -c ARGS` of the bytes (through /usr/bin/zstd, Debian's reference tool).
    static func compress(_ data: [UInt8], _ args: [String]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
        p.arguments = ["-q", "-c"] + args
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(data))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ImageSourceError("zstd exited \(p.terminationStatus)") }
        return [UInt8](out)
    }
}
