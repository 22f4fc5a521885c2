// A small read-only reader of bbolt (go.etcd.io/bbolt) files, enough to read
// containerd's metadata store (io.containerd.metadata.v1.bolt/meta.db) without
// containerd. The file is read into memory once (no mmap: a file truncated
// under us must not SIGBUS) and never locked or written.
//
// Layout (bbolt internal/common/{page,meta}.go), all little-endian:
//   page header: id u64, flags u16, count u16, overflow u32            (16 bytes)
//   flags: branch 0x01, leaf 0x02, meta 0x04, freelist 0x10
//   meta (after the header of page 0 and 1): magic u32 0xED0CDAED, version u32 2,
//        pageSize u32, flags u32, root{pgid u64, sequence u64}, freelist u64,
//        pgid u64 (high-water mark), txid u64, checksum u64 = FNV-1a 64 of the 56 bytes before it
//   branch element: pos u32, ksize u32, pgid u64                       (16 bytes)
//   leaf element:   flags u32 (0x01 = nested bucket), pos u32, ksize u32, vsize u32 (16 bytes)
//   `pos` is relative to the element's own address.
//   bucket value: root pgid u64, sequence u64; root == 0: an inline bucket whose
//   page image follows in the value.
//
// Corrupt input: every offset is bounds-checked, every page of one bucket is
// visited at most once (a page loop ends as an error), branch depth is bounded,
// and page ids are checked against the meta's high-water mark.

public enum BoltDB {
    static let magic: UInt32 = 0xED0C_DAED
    static let flagBranch: UInt16 = 0x01
    static let flagLeaf: UInt16 = 0x02
    static let flagMeta: UInt16 = 0x04
    static let bucketLeafFlag: UInt32 = 0x01
    static let maxBranchDepth = 64
    static let maxFileSize = 4 << 30

    /// Opens and validates a bbolt file: picks the meta page with a valid
    /// checksum and the higher txid, and reads the root bucket.
    public static func open(path: String) throws(ImageSourceError) -> BoltDB.File {
        let bytes = try JSONFile.readFile(path, limit: maxFileSize)
        return try File(bytes: bytes, name: path)
    }

    /// Same from bytes already in memory (tests, or a copy taken elsewhere).
    public static func open(bytes: [UInt8], name: String = "bbolt data") throws(ImageSourceError) -> BoltDB.File {
        try File(bytes: bytes, name: name)
    }

    /// Go `encoding/binary` Varint (zig-zag), as containerd stores sizes. nil when malformed.
    public static func varint(_ bytes: [UInt8]) -> Int64? {
        var x: UInt64 = 0
        var shift: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i == 10 { return nil }
            if b < 0x80 {
                if i == 9 && b > 1 { return nil }
                x |= UInt64(b) << shift
                let v = Int64(bitPattern: x >> 1)
                return (x & 1) != 0 ? ~v : v
            }
            x |= UInt64(b & 0x7F) << shift
            shift += 7
        }
        return nil
    }

    static func fnv1a64<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    // MARK: - File

    /// An opened bbolt file (immutable snapshot of its bytes).
    public final class File: Sendable {
        public let name: String
        public let pageSize: Int
        public let txid: UInt64
        /// The meta's high-water mark: pages >= this id are not in use.
        public let pageCount: UInt64
        let bytes: [UInt8]
        private let rootPgid: UInt64

        init(bytes: [UInt8], name: String) throws(ImageSourceError) {
            self.bytes = bytes
            self.name = name
            guard bytes.count >= 16 + 64 else {
                throw ImageSourceError("\(name): not a bbolt file (only \(bytes.count) bytes)")
            }
            struct Meta { var pageSize: Int; var root: UInt64; var pgid: UInt64; var txid: UInt64 }
            func meta(at off: Int) -> Meta? {
                guard off >= 0, off + 16 + 64 <= bytes.count else { return nil }
                guard BoltDB.u16(bytes, off + 8) & BoltDB.flagMeta != 0 else { return nil }
                let m = off + 16
                guard BoltDB.u32(bytes, m) == BoltDB.magic, BoltDB.u32(bytes, m + 4) == 2 else { return nil }
                guard BoltDB.fnv1a64(bytes[m..<(m + 56)]) == BoltDB.u64(bytes, m + 56) else { return nil }
                let ps = Int(BoltDB.u32(bytes, m + 8))
                guard ps >= 512, ps <= 1 << 20, ps & (ps - 1) == 0 else { return nil }
                return Meta(pageSize: ps, root: BoltDB.u64(bytes, m + 16), pgid: BoltDB.u64(bytes, m + 40),
                            txid: BoltDB.u64(bytes, m + 48))
            }
            let magicSeen = BoltDB.u32(bytes, 16) == BoltDB.magic
            let meta0 = meta(at: 0)
            // Meta page 1 sits one page in; if meta 0 is damaged, try the usual page sizes.
            var sizes = [4096, 8192, 16384, 65536, 32768, 2048, 1024, 512]
            if let ps = meta0?.pageSize { sizes.insert(ps, at: 0) }
            var meta1: Meta?
            for ps in sizes {
                if let m = meta(at: ps), m.pageSize == ps { meta1 = m; break }
            }
            let candidates = [meta0, meta1].compactMap { $0 }.filter { m in
                m.root >= 2 && m.root < m.pgid && m.pgid <= UInt64(Int.max / m.pageSize)
            }
            guard let best = candidates.max(by: { $0.txid < $1.txid }) else {
                if magicSeen || BoltDB.u32(bytes, 4096 + 16) == BoltDB.magic {
                    throw ImageSourceError("\(name): corrupt bbolt file: no meta page has a valid checksum")
                }
                throw ImageSourceError("\(name): not a bbolt file (no bbolt magic in the meta pages)")
            }
            pageSize = best.pageSize
            txid = best.txid
            pageCount = best.pgid
            rootPgid = best.root
            // The file may be shorter than the high-water mark only if the tail is unused;
            // reading the root bucket below catches truncation where it matters.
            _ = try root
        }

        /// The top-level bucket (its sub-buckets are the file's buckets).
        public var root: Bucket {
            get throws(ImageSourceError) { try Bucket(file: self, rootPage: rootPgid, path: []) }
        }

        /// The bucket at `path` (`["v1", "default", "images"]`); nil when a
        /// component is missing or is a plain key. Throws when the file is corrupt.
        public func bucket(_ path: [String]) throws(ImageSourceError) -> Bucket? {
            var b = try root
            for name in path {
                guard let next = try b.bucket(for: name) else { return nil }
                b = next
            }
            return b
        }

        func corrupt(_ what: String) -> ImageSourceError {
            ImageSourceError("\(name): corrupt bbolt file: \(what)")
        }
    }

    // MARK: - Bucket

    /// One bucket's entries, read eagerly (all pages of this bucket, not of its sub-buckets).
    public struct Bucket: Sendable {
        public struct Entry: Sendable {
            public let key: [UInt8]
            /// The value; for a nested bucket the raw bucket header (+ inline page).
            public let value: [UInt8]
            public let isBucket: Bool
            public var keyString: String { String(decoding: key, as: UTF8.self) }
        }

        /// Entries in key order, as stored.
        public let entries: [Entry]
        /// Bucket names from the root, for messages.
        public let path: [String]
        let file: File
        private let index: [[UInt8]: Int]

        /// All keys (plain values and sub-buckets), decoded as UTF-8.
        public var keys: [String] { entries.map(\.keyString) }
        /// Keys that hold plain values.
        public var valueKeys: [String] { entries.filter { !$0.isBucket }.map(\.keyString) }
        /// Keys that are nested buckets.
        public var bucketKeys: [String] { entries.filter(\.isBucket).map(\.keyString) }

        public func entry(for key: String) -> Entry? { entry(for: Array(key.utf8)) }
        public func entry(for key: [UInt8]) -> Entry? { index[key].map { entries[$0] } }

        /// The value stored under `key`; nil when absent or when `key` is a bucket.
        public func value(for key: String) -> [UInt8]? {
            guard let e = entry(for: key), !e.isBucket else { return nil }
            return e.value
        }

        /// The value as UTF-8 text.
        public func string(for key: String) -> String? { value(for: key).map { String(decoding: $0, as: UTF8.self) } }

        /// The nested bucket under `key`; nil when absent or a plain value; throws when corrupt.
        public func bucket(for key: String) throws(ImageSourceError) -> Bucket? {
            guard let e = entry(for: key) else { return nil }
            return try bucket(at: e)
        }

        /// The nested bucket an entry of `entries` holds (nil for a plain value); for walking a tree.
        public func bucket(at e: Entry) throws(ImageSourceError) -> Bucket? {
            guard e.isBucket else { return nil }
            return try Bucket(file: file, bucketValue: e.value, path: path + [e.keyString])
        }

        private init(file: File, entries: [Entry], path: [String]) {
            self.file = file
            self.path = path
            self.entries = entries
            var d: [[UInt8]: Int] = [:]
            for (i, e) in entries.enumerated() where d[e.key] == nil { d[e.key] = i }
            index = d
        }

        init(file: File, rootPage: UInt64, path: [String]) throws(ImageSourceError) {
            var out: [Entry] = []
            var visited = Set<UInt64>()
            try Self.collect(file: file, pgid: rootPage, depth: 0, visited: &visited, into: &out, path: path)
            self.init(file: file, entries: out, path: path)
        }

        init(file: File, bucketValue v: [UInt8], path: [String]) throws(ImageSourceError) {
            guard v.count >= 16 else { throw file.corrupt("bucket \(path.joined(separator: "/")): header is \(v.count) bytes") }
            let root = BoltDB.u64(v, 0)
            if root != 0 {
                try self.init(file: file, rootPage: root, path: path)
                return
            }
            // Inline bucket: a leaf page image starting right after the header.
            var out: [Entry] = []
            try Self.readLeaf(buffer: v, pageStart: 16, pageEnd: v.count, file: file, into: &out, path: path)
            self.init(file: file, entries: out, path: path)
        }

        private static func collect(file: File, pgid: UInt64, depth: Int, visited: inout Set<UInt64>,
                                    into out: inout [Entry], path: [String]) throws(ImageSourceError) {
            let where_ = path.isEmpty ? "root bucket" : "bucket " + path.joined(separator: "/")
            guard depth <= BoltDB.maxBranchDepth else { throw file.corrupt("\(where_): tree deeper than \(BoltDB.maxBranchDepth) levels") }
            guard pgid >= 2, pgid < file.pageCount else {
                throw file.corrupt("\(where_): page id \(pgid) outside 2..<\(file.pageCount)")
            }
            guard visited.insert(pgid).inserted else { throw file.corrupt("\(where_): page \(pgid) is reached twice (page loop)") }
            let bytes = file.bytes
            let ps = file.pageSize
            let (start, startOverflow) = Int(pgid).multipliedReportingOverflow(by: ps)
            guard !startOverflow, start + 16 <= bytes.count else {
                throw file.corrupt("\(where_): page \(pgid) lies beyond the end of the file (\(bytes.count) bytes; truncated?)")
            }
            guard BoltDB.u64(bytes, start) == pgid else {
                throw file.corrupt("\(where_): page \(pgid) has id \(BoltDB.u64(bytes, start)) in its header")
            }
            let flags = BoltDB.u16(bytes, start + 8)
            let count = Int(BoltDB.u16(bytes, start + 10))
            let overflow = Int(BoltDB.u32(bytes, start + 12))
            guard UInt64(overflow) < file.pageCount else { throw file.corrupt("\(where_): page \(pgid) overflow \(overflow) too large") }
            let end = start + (overflow + 1) * ps
            guard end <= bytes.count else {
                throw file.corrupt("\(where_): page \(pgid) (+\(overflow) overflow) extends beyond the end of the file (truncated?)")
            }
            if flags & BoltDB.flagLeaf != 0 {
                try readLeaf(buffer: bytes, pageStart: start, pageEnd: end, file: file, into: &out, path: path)
            } else if flags & BoltDB.flagBranch != 0 {
                guard 16 + count * 16 <= end - start else { throw file.corrupt("\(where_): branch page \(pgid) has \(count) elements, too many for its size") }
                for i in 0..<count {
                    let child = BoltDB.u64(bytes, start + 16 + i * 16 + 8)
                    try collect(file: file, pgid: child, depth: depth + 1, visited: &visited, into: &out, path: path)
                }
            } else {
                throw file.corrupt("\(where_): page \(pgid) has flags 0x\(String(flags, radix: 16)), expected a branch or leaf page")
            }
        }

        private static func readLeaf(buffer b: [UInt8], pageStart: Int, pageEnd: Int, file: File,
                                     into out: inout [Entry], path: [String]) throws(ImageSourceError) {
            let where_ = path.isEmpty ? "root bucket" : "bucket " + path.joined(separator: "/")
            guard pageStart + 16 <= pageEnd else { throw file.corrupt("\(where_): inline page shorter than its header") }
            let flags = BoltDB.u16(b, pageStart + 8)
            guard flags & BoltDB.flagLeaf != 0 else {
                throw file.corrupt("\(where_): inline page has flags 0x\(String(flags, radix: 16)), expected a leaf")
            }
            let count = Int(BoltDB.u16(b, pageStart + 10))
            guard 16 + count * 16 <= pageEnd - pageStart else {
                throw file.corrupt("\(where_): leaf page has \(count) elements, too many for its size")
            }
            out.reserveCapacity(out.count + count)
            for i in 0..<count {
                let e = pageStart + 16 + i * 16
                let eflags = BoltDB.u32(b, e)
                let pos = Int(BoltDB.u32(b, e + 4))
                let ksize = Int(BoltDB.u32(b, e + 8))
                let vsize = Int(BoltDB.u32(b, e + 12))
                let k = e + pos
                let v = k + ksize
                guard v + vsize <= pageEnd else {
                    throw file.corrupt("\(where_): element \(i) (key \(ksize) bytes, value \(vsize) bytes) extends past its page")
                }
                out.append(Entry(key: Array(b[k..<v]), value: Array(b[v..<(v + vsize)]),
                                 isBucket: eflags & BoltDB.bucketLeafFlag != 0))
            }
        }
    }

    // MARK: - Little-endian loads (callers check bounds)

    static func u16(_ b: [UInt8], _ o: Int) -> UInt16 {
        guard o >= 0, o + 2 <= b.count else { return 0 }
        return UInt16(b[o]) | UInt16(b[o + 1]) << 8
    }

    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        guard o >= 0, o + 4 <= b.count else { return 0 }
        var x: UInt32 = 0
        for i in 0..<4 { x |= UInt32(b[o + i]) << (8 * UInt32(i)) }
        return x
    }

    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 {
        guard o >= 0, o + 8 <= b.count else { return 0 }
        var x: UInt64 = 0
        for i in 0..<8 { x |= UInt64(b[o + i]) << (8 * UInt64(i)) }
        return x
    }
}
