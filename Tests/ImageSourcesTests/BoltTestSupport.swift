import Foundation
@testable import ImageSources

/// Paths of the shared fixtures: `shared/` is a sibling of the repo root (the folder with Package.swift).
enum ImgStoreFixtures {
    static let repoRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/work/main")
    }()
    static let shared = repoRoot.deletingLastPathComponent().appendingPathComponent("shared").path
    static let fixtures = shared + "/fixtures"
    static let containerdRoot = fixtures + "/containerd-root"
    static let metaDB = containerdRoot + "/io.containerd.metadata.v1.bolt/meta.db"
    static let dockerRoot = fixtures + "/docker-root"
    static let engineAPI = fixtures + "/engine-api"

    static func bytes(_ path: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
    }

    static func json(_ path: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes(path)), options: [.fragmentsAllowed])
    }

    /// `ctr images ls` rows: (ref, media type, digest).
    static func ctrListing(_ namespace: String) -> [(ref: String, type: String, digest: String)] {
        let text = String(decoding: bytes(containerdRoot + "/_dumps/ctr-\(namespace)-images-ls.txt"), as: UTF8.self)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            return f.count >= 3 ? (String(f[0]), String(f[1]), String(f[2])) : nil
        }
    }

    /// A fresh temporary directory.
    static func tempDir(_ tag: String) -> String {
        let path = NSTemporaryDirectory() + "dflint-\(tag)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Builds small bbolt files for tests: every bucket gets its own leaf page(s)
/// (split under a branch page when it has more than `perLeaf` entries), or is
/// written inline when `inline` is set and it has no sub-buckets.
struct BoltBuilder {
    indirect enum Node { case value([UInt8]), bucket([(String, Node)]) }

    var pageSize = 4096
    var perLeaf = 1000
    var inlineSmallBuckets = false
    private var pages: [[UInt8]] = []   // index = pgid - 2 (pgid 2 onward); multi-page spans padded
    private var nextPgid: UInt64 = 2

    init(pageSize: Int = 4096, perLeaf: Int = 1000, inlineSmallBuckets: Bool = false) {
        self.pageSize = pageSize
        self.perLeaf = perLeaf
        self.inlineSmallBuckets = inlineSmallBuckets
    }

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// A leaf page image (header id is set by the caller for file pages).
    static func leafImage(_ entries: [(key: [UInt8], value: [UInt8], bucket: Bool)], id: UInt64, overflow: UInt32 = 0) -> [UInt8] {
        var out = le(id) + le(UInt16(0x02)) + le(UInt16(entries.count)) + le(overflow)
        var data: [UInt8] = []
        let elemBase = 16
        for (i, e) in entries.enumerated() {
            let elemAt = elemBase + i * 16
            let dataAt = elemBase + entries.count * 16 + data.count
            out += le(UInt32(e.bucket ? 1 : 0)) + le(UInt32(dataAt - elemAt)) + le(UInt32(e.key.count)) + le(UInt32(e.value.count))
            data += e.key + e.value
        }
        return out + data
    }

    private mutating func place(_ image: (UInt64) -> [UInt8]) -> UInt64 {
        let id = nextPgid
        // Measure with a provisional id, then fix the overflow count.
        let probe = image(id)
        let span = max(1, (probe.count + pageSize - 1) / pageSize)
        var bytes = image(id)
        bytes.replaceSubrange(12..<16, with: Self.le(UInt32(span - 1)))
        bytes += [UInt8](repeating: 0, count: span * pageSize - bytes.count)
        pages.append(bytes)
        nextPgid += UInt64(span)
        return id
    }

    /// Writes a bucket's pages; returns its bucket value (header + inline page, or root pgid).
    private mutating func write(_ children: [(String, Node)]) -> [UInt8] {
        let sorted = children.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        var entries: [(key: [UInt8], value: [UInt8], bucket: Bool)] = []
        var hasSub = false
        for (k, n) in sorted {
            switch n {
            case .value(let v): entries.append((Array(k.utf8), v, false))
            case .bucket(let c):
                hasSub = true
                entries.append((Array(k.utf8), write(c), true))
            }
        }
        if inlineSmallBuckets && !hasSub && entries.count <= perLeaf {
            return Self.le(UInt64(0)) + Self.le(UInt64(0)) + Self.leafImage(entries, id: 0)
        }
        return Self.le(writeTree(entries)) + Self.le(UInt64(0))
    }

    private mutating func writeTree(_ entries: [(key: [UInt8], value: [UInt8], bucket: Bool)]) -> UInt64 {
        if entries.count <= perLeaf {
            return place { Self.leafImage(entries, id: $0) }
        }
        var kids: [(key: [UInt8], pgid: UInt64)] = []
        var i = 0
        while i < entries.count {
            let part = Array(entries[i..<min(i + perLeaf, entries.count)])
            kids.append((part[0].key, place { Self.leafImage(part, id: $0) }))
            i += perLeaf
        }
        return branch(kids)
    }

    mutating func branch(_ kids: [(key: [UInt8], pgid: UInt64)]) -> UInt64 {
        place { id in
            var out = Self.le(id) + Self.le(UInt16(0x01)) + Self.le(UInt16(kids.count)) + Self.le(UInt32(0))
            var data: [UInt8] = []
            for (i, k) in kids.enumerated() {
                let elemAt = 16 + i * 16
                let dataAt = 16 + kids.count * 16 + data.count
                out += Self.le(UInt32(dataAt - elemAt)) + Self.le(UInt32(k.key.count)) + Self.le(k.pgid)
                data += k.key
            }
            return out + data
        }
    }

    static func meta(pageSize: Int, root: UInt64, pgid: UInt64, txid: UInt64, pageID: UInt64) -> [UInt8] {
        var m = le(UInt32(0xED0C_DAED)) + le(UInt32(2)) + le(UInt32(pageSize)) + le(UInt32(0))
        m += le(root) + le(UInt64(0)) + le(UInt64(2)) + le(pgid) + le(txid)
        m += le(BoltDB.fnv1a64(m))
        var page = le(pageID) + le(UInt16(0x04)) + le(UInt16(0)) + le(UInt32(0)) + m
        page += [UInt8](repeating: 0, count: pageSize - page.count)
        return page
    }

    /// The whole file for a root bucket with `children`.
    mutating func build(_ children: [(String, Node)], txid: UInt64 = 7) -> [UInt8] {
        pages = []
        nextPgid = 3
        let freelist = Self.le(UInt64(2)) + Self.le(UInt16(0x10)) + Self.le(UInt16(0)) + Self.le(UInt32(0))
            + [UInt8](repeating: 0, count: pageSize - 16)
        let rootValue = write(children)
        var rootPgid = Self.le(UInt64(0)) == Array(rootValue.prefix(8)) ? 0 : rootValue.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        if rootPgid == 0 {
            // The root bucket is never inline in bbolt: write its page.
            let img = Array(rootValue.dropFirst(16))
            rootPgid = place { id in var b = img; b.replaceSubrange(0..<8, with: Self.le(id)); return b }
        }
        return Self.meta(pageSize: pageSize, root: rootPgid, pgid: nextPgid, txid: txid, pageID: 0)
            + Self.meta(pageSize: pageSize, root: rootPgid, pgid: nextPgid, txid: txid - 1, pageID: 1)
            + freelist + pages.flatMap { $0 }
    }
}
