// rpm package databases read by hand, read-only, from the bytes of the file:
// - rpmdb.sqlite (rpm >= 4.16): the `Packages` table of a SQLite file, found
//   through sqlite_schema and walked as a table b-tree (overflow chains too);
// - Packages (Berkeley DB hash, rpm < 4.16): every hash page's key/data
//   pairs, values on overflow pages followed page by page;
// - Packages.db (ndb, SUSE): the slot pages and the blobs they point at.
// Each record is an rpm header blob, decoded for name, epoch, version,
// release, arch, source rpm, licence, vendor and a few file names.
//
// Every page number, length and offset is checked against the file; a page
// met twice (a cycle) or a chain longer than the file ends with an error, so
// a hostile database gives a clear message, never a hang or a trap.

import LayerModel

public struct RpmDBError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum RpmDB {
    /// Reads a database file's bytes: the packages and, when some could not be read, why.
    public static func read(_ bytes: [UInt8], path: String, layer: Int) -> RpmDatabaseRead {
        let backend = sniff(bytes) ?? RpmDatabaseRead.paths[path] ?? .sqlite
        var problems: [String] = []
        var packages: [RpmPackage] = []
        do {
            let blobs: [[UInt8]]
            switch backend {
            case .sqlite: blobs = try SQLiteReader(bytes).blobs(table: "Packages", column: 1)
            case .bdb: blobs = try BerkeleyHash(bytes).values()
            case .ndb: blobs = try NDB(bytes).blobs()
            }
            var bad = 0
            var firstBad = ""
            for b in blobs {
                do { packages.append(try header(b)) } catch {
                    if bad == 0 { firstBad = "\(error)" }
                    bad += 1
                }
            }
            if bad > 0 { problems.append("\(bad) package header\(bad == 1 ? "" : "s") could not be decoded (\(firstBad))") }
        } catch {
            problems.append("\(error)")
        }
        return RpmDatabaseRead(path: path, backend: backend, layer: layer, packages: packages, problems: problems)
    }

    /// The backend by the file's magic bytes, nil when none matches.
    public static func sniff(_ b: [UInt8]) -> RpmDatabaseRead.Backend? {
        if b.starts(with: Array("SQLite format 3".utf8) + [0]) { return .sqlite }
        if b.starts(with: Array("RpmP".utf8)) { return .ndb }
        if b.count >= 16 {
            let le = UInt32(b[12]) | UInt32(b[13]) << 8 | UInt32(b[14]) << 16 | UInt32(b[15]) << 24
            if le == BerkeleyHash.magic || le.byteSwapped == BerkeleyHash.magic { return .bdb }
        }
        return nil
    }

    // MARK: header blobs

    enum Tag {
        static let name: UInt32 = 1000, version: UInt32 = 1001, release: UInt32 = 1002, epoch: UInt32 = 1003
        static let vendor: UInt32 = 1011, license: UInt32 = 1014, arch: UInt32 = 1022, oldFilenames: UInt32 = 1027
        static let sourceRPM: UInt32 = 1044, dirIndexes: UInt32 = 1116, baseNames: UInt32 = 1117, dirNames: UInt32 = 1118
    }

    /// Decodes an rpm header as the database stores it: index count, data length, index entries, data.
    public static func header(_ blob: [UInt8]) throws(RpmDBError) -> RpmPackage {
        guard blob.count >= 8 else { throw RpmDBError("header blob of \(blob.count) bytes is too short") }
        let il = Int(be32(blob, 0)), dl = Int(be32(blob, 4))
        guard il >= 1, il <= 0xFFFF else { throw RpmDBError("header claims \(il) index entries") }
        guard dl <= 256 << 20, 8 + 16 * il + dl <= blob.count else {
            throw RpmDBError("header claims \(il) entries and \(dl) data bytes, more than its \(blob.count)-byte blob")
        }
        let dataStart = 8 + 16 * il
        var entries: [UInt32: (type: UInt32, offset: Int, count: Int)] = [:]
        for i in 0..<il {
            let e = 8 + 16 * i
            let tag = be32(blob, e), type = be32(blob, e + 4), offset = Int(be32(blob, e + 8)), count = Int(be32(blob, e + 12))
            guard offset <= dl else { throw RpmDBError("header entry for tag \(tag) points outside the header data") }
            if entries[tag] == nil { entries[tag] = (type, offset, count) }
        }
        func strings(_ tag: UInt32) -> [String]? {
            guard let e = entries[tag], e.type == 6 || e.type == 8 || e.type == 9 else { return nil }
            let n = e.type == 6 ? 1 : min(e.count, dl)
            var out: [String] = []
            var p = dataStart + e.offset
            let end = dataStart + dl
            for _ in 0..<n {
                guard p < end, let z = blob[p..<end].firstIndex(of: 0) else { return out.isEmpty ? nil : out }
                out.append(String(decoding: blob[p..<z], as: UTF8.self))
                p = z + 1
                if e.type == 9 { break }
            }
            return out
        }
        func string(_ tag: UInt32) -> String? { strings(tag)?.first }
        func int32s(_ tag: UInt32) -> [Int]? {
            guard let e = entries[tag], e.type == 4 else { return nil }
            let p = dataStart + e.offset
            guard e.count <= dl / 4, p + 4 * e.count <= dataStart + dl else { return nil }
            return (0..<e.count).map { Int(be32(blob, p + 4 * $0)) }
        }
        guard let name = string(Tag.name), !name.isEmpty else { throw RpmDBError("header has no NAME") }
        var files: [String] = []
        if let base = strings(Tag.baseNames), let dirs = strings(Tag.dirNames), let idx = int32s(Tag.dirIndexes) {
            // Spread the sample over the list, so it is not one directory's files.
            let step = max(1, base.count / RpmPackage.sampleLimit)
            var i = 0
            while i < min(base.count, idx.count) && files.count < RpmPackage.sampleLimit {
                if idx[i] >= 0 && idx[i] < dirs.count { files.append(dirs[idx[i]] + base[i]) }
                i += step
            }
        } else if let old = strings(Tag.oldFilenames) {
            files = Array(old.prefix(RpmPackage.sampleLimit))
        }
        return RpmPackage(name: name, epoch: int32s(Tag.epoch)?.first, version: string(Tag.version) ?? "",
                          release: string(Tag.release) ?? "", arch: string(Tag.arch) ?? "", sourceRPM: string(Tag.sourceRPM),
                          license: string(Tag.license), vendor: string(Tag.vendor), sampleFiles: files)
    }

    @inline(__always) static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
    @inline(__always) static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}

// MARK: - SQLite

/// A read-only reader of SQLite 3 files (https://www.sqlite.org/fileformat.html): enough to find a
/// table in sqlite_schema and list its rows' columns.
struct SQLiteReader {
    let b: [UInt8]
    let pageSize: Int
    let usable: Int
    let pageCount: Int

    init(_ bytes: [UInt8]) throws(RpmDBError) {
        b = bytes
        guard bytes.count >= 100, bytes.starts(with: Array("SQLite format 3".utf8) + [0]) else {
            throw RpmDBError("not a SQLite database (no \"SQLite format 3\" header)")
        }
        let raw = Int(bytes[16]) << 8 | Int(bytes[17])
        pageSize = raw == 1 ? 65536 : raw
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else {
            throw RpmDBError("SQLite page size \(raw) is invalid")
        }
        usable = pageSize - Int(bytes[20])
        guard usable >= 480 else { throw RpmDBError("SQLite usable page size \(usable) is too small") }
        pageCount = bytes.count / pageSize
        guard pageCount >= 1 else { throw RpmDBError("SQLite file is shorter than one page") }
        let encoding = RpmDB.be32(bytes, 56)
        guard encoding == 0 || encoding == 1 else { throw RpmDBError("SQLite text encoding \(encoding) is not UTF-8") }
    }

    /// Values of one column of every row of `table` (blobs and texts as bytes).
    func blobs(table: String, column: Int) throws(RpmDBError) -> [[UInt8]] {
        var root: Int?
        try walk(root: 1) { (_: Int64, payload: [UInt8]) throws(RpmDBError) in
            let cols = try record(payload)
            guard cols.count >= 4, case .text(let type) = cols[0], case .text(let name) = cols[1] else { return }
            if type == "table" && name == table, case .int(let r) = cols[3] { root = Int(r) }
        }
        guard let root else { throw RpmDBError("SQLite database has no \(table) table") }
        var out: [[UInt8]] = []
        try walk(root: root) { (_: Int64, payload: [UInt8]) throws(RpmDBError) in
            let cols = try record(payload)
            guard column < cols.count else { throw RpmDBError("a \(table) row has no column \(column)") }
            switch cols[column] {
            case .blob(let v): out.append(v)
            default: throw RpmDBError("a \(table) row's column \(column) is not a blob")
            }
        }
        return out
    }

    func pageOffset(_ n: Int) throws(RpmDBError) -> Int {
        guard n >= 1, n <= pageCount else { throw RpmDBError("SQLite page \(n) is outside the file (\(pageCount) pages)") }
        return (n - 1) * pageSize
    }

    func u16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }

    func varint(_ i: inout Int, end: Int) throws(RpmDBError) -> Int64 { try SQLiteReader.varint(b, &i, end: end) }

    /// Reads a varint at `i` (at most 9 bytes, bounded by `end`).
    static func varint(_ b: [UInt8], _ i: inout Int, end: Int) throws(RpmDBError) -> Int64 {
        var v: UInt64 = 0
        for k in 0..<9 {
            guard i < end else { throw RpmDBError("SQLite varint runs past its cell") }
            let byte = b[i]
            i += 1
            if k == 8 { return Int64(bitPattern: v << 8 | UInt64(byte)) }
            v = v << 7 | UInt64(byte & 0x7f)
            if byte & 0x80 == 0 { break }
        }
        return Int64(bitPattern: v)
    }

    /// Calls `row` with every (rowid, payload) of the table b-tree at `root`, in key order.
    func walk(root: Int, _ row: (Int64, [UInt8]) throws(RpmDBError) -> Void) throws(RpmDBError) {
        var seen = Set<Int>()
        var stack: [(page: Int, depth: Int)] = [(root, 0)]
        while let (page, depth) = stack.popLast() {
            guard seen.insert(page).inserted else { throw RpmDBError("SQLite page \(page) is reached twice (a cycle in the b-tree)") }
            guard depth <= 40 else { throw RpmDBError("SQLite b-tree is deeper than 40 levels") }
            let base = try pageOffset(page)
            let h = page == 1 ? base + 100 : base
            let end = base + pageSize
            guard h + 8 <= end else { throw RpmDBError("SQLite page \(page) is too short") }
            let type = b[h]
            let cells = u16(h + 3)
            let interior = type == 5
            guard type == 5 || type == 13 else { throw RpmDBError("SQLite page \(page) is not a table b-tree page (type \(type))") }
            let ptrs = h + (interior ? 12 : 8)
            guard ptrs + 2 * cells <= end else { throw RpmDBError("SQLite page \(page) claims \(cells) cells, more than fit") }
            var children: [Int] = []
            for c in 0..<cells {
                var p = base + u16(ptrs + 2 * c)
                guard p >= ptrs + 2 * cells, p < end else { throw RpmDBError("SQLite page \(page) cell \(c) points outside the page") }
                if interior {
                    guard p + 4 <= end else { throw RpmDBError("SQLite page \(page) cell \(c) is truncated") }
                    children.append(Int(RpmDB.be32(b, p)))
                } else {
                    let size = try varint(&p, end: end)
                    let rowid = try varint(&p, end: end)
                    guard size >= 0, size <= Int64(b.count) else { throw RpmDBError("SQLite cell claims a \(size)-byte payload") }
                    try row(rowid, try payload(Int(size), at: p, pageEnd: end, seen: &seen))
                }
            }
            if interior {
                children.append(Int(RpmDB.be32(b, h + 8)))
                // Visit children left to right: push them in reverse.
                for c in children.reversed() { stack.append((c, depth + 1)) }
            }
        }
    }

    /// A cell's payload: the local part, then its overflow chain.
    func payload(_ size: Int, at p: Int, pageEnd: Int, seen: inout Set<Int>) throws(RpmDBError) -> [UInt8] {
        let x = usable - 35
        var local = size
        if size > x {
            let m = ((usable - 12) * 32 / 255) - 23
            let k = m + (size - m) % (usable - 4)
            local = k <= x ? k : m
        }
        guard p + local <= pageEnd else { throw RpmDBError("SQLite cell payload runs past its page") }
        var out = Array(b[p..<(p + local)])
        if local == size { return out }
        guard p + local + 4 <= pageEnd else { throw RpmDBError("SQLite cell overflow pointer runs past its page") }
        out.reserveCapacity(size)
        var next = Int(RpmDB.be32(b, p + local))
        while out.count < size {
            guard next != 0 else { throw RpmDBError("SQLite overflow chain ends \(size - out.count) bytes early") }
            guard seen.insert(next).inserted else { throw RpmDBError("SQLite overflow page \(next) is reached twice (a cycle)") }
            let o = try pageOffset(next)
            let n = min(usable - 4, size - out.count)
            out += b[(o + 4)..<(o + 4 + n)]
            next = Int(RpmDB.be32(b, o))
        }
        return out
    }

    enum Value { case null, int(Int64), real, text(String), blob([UInt8]) }

    /// Decodes a record: header of serial types, then the values.
    func record(_ r: [UInt8]) throws(RpmDBError) -> [Value] {
        var i = 0
        let headerSize = Int(try SQLiteReader.varint(r, &i, end: r.count))
        guard headerSize >= i, headerSize <= r.count else { throw RpmDBError("SQLite record header is longer than its record") }
        var types: [Int64] = []
        while i < headerSize { types.append(try SQLiteReader.varint(r, &i, end: headerSize)) }
        var out: [Value] = []
        var p = headerSize
        for t in types {
            func take(_ n: Int) throws(RpmDBError) -> ArraySlice<UInt8> {
                guard n >= 0, p + n <= r.count else { throw RpmDBError("SQLite record value runs past its record") }
                defer { p += n }
                return r[p..<(p + n)]
            }
            switch t {
            case 0: out.append(.null)
            case 1, 2, 3, 4, 5, 6:
                let n = [0, 1, 2, 3, 4, 6, 8][Int(t)]
                let bytes = try take(n)
                var v: Int64 = bytes.first.map { $0 & 0x80 != 0 ? -1 : 0 } ?? 0
                for byte in bytes { v = v << 8 | Int64(byte) }
                out.append(.int(v))
            case 7: _ = try take(8); out.append(.real)
            case 8: out.append(.int(0))
            case 9: out.append(.int(1))
            case 10, 11: throw RpmDBError("SQLite record uses reserved serial type \(t)")
            default:
                if t & 1 == 0 {
                    out.append(.blob(Array(try take(Int((t - 12) / 2)))))
                } else {
                    out.append(.text(String(decoding: try take(Int((t - 13) / 2)), as: UTF8.self)))
                }
            }
        }
        return out
    }

}

// MARK: - Berkeley DB hash

/// The Berkeley DB hash access method's on-disk pages (db_page.h), read-only: the values of every
/// key/data pair, inline or on overflow pages.
struct BerkeleyHash {
    static let magic: UInt32 = 0x0006_1561
    let b: [UInt8]
    let swapped: Bool
    let pageSize: Int
    let lastPage: Int

    init(_ bytes: [UInt8]) throws(RpmDBError) {
        b = bytes
        guard bytes.count >= 512 else { throw RpmDBError("Berkeley DB file is shorter than its metadata page") }
        let m = RpmDB.le32(bytes, 12)
        if m == BerkeleyHash.magic { swapped = false } else if m.byteSwapped == BerkeleyHash.magic { swapped = true } else {
            throw RpmDBError("not a Berkeley DB hash database (magic \(String(m, radix: 16)))")
        }
        guard bytes[25] == 8 else { throw RpmDBError("Berkeley DB metadata page has type \(bytes[25]), not hash metadata (8)") }
        guard bytes[24] == 0 else { throw RpmDBError("Berkeley DB database is encrypted") }
        let ps = Int(BerkeleyHash.u32(bytes, 20, swapped))
        guard ps >= 512, ps <= 65536, ps & (ps - 1) == 0 else { throw RpmDBError("Berkeley DB page size \(ps) is invalid") }
        pageSize = ps
        let last = Int(BerkeleyHash.u32(bytes, 32, swapped))
        let inFile = bytes.count / ps - 1
        guard last <= inFile else {
            throw RpmDBError("Berkeley DB says its last page is \(last), but the file holds \(inFile + 1) pages (truncated?)")
        }
        lastPage = last
    }

    static func u32(_ b: [UInt8], _ i: Int, _ swapped: Bool) -> UInt32 {
        let v = RpmDB.le32(b, i)
        return swapped ? v.byteSwapped : v
    }
    func u32(_ i: Int) -> UInt32 { BerkeleyHash.u32(b, i, swapped) }
    func u16(_ i: Int) -> Int {
        let v = UInt16(b[i]) | UInt16(b[i + 1]) << 8
        return Int(swapped ? v.byteSwapped : v)
    }

    /// The data of every key/data pair on the hash pages (rpm's record 0, the instance counter, left out).
    func values() throws(RpmDBError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var overflowSeen = Set<Int>()
        for pg in 1...max(1, lastPage) where pg <= lastPage {
            let base = pg * pageSize
            let type = b[base + 25]
            guard type == 2 || type == 13 else { continue }   // P_HASH_UNSORTED, P_HASH
            let entries = u16(base + 20)
            guard entries % 2 == 0, 26 + 2 * entries <= pageSize else {
                throw RpmDBError("Berkeley DB page \(pg) claims \(entries) entries")
            }
            var offsets: [Int] = []
            for i in 0..<entries {
                let o = u16(base + 26 + 2 * i)
                guard o >= 26 + 2 * entries, o < pageSize else { throw RpmDBError("Berkeley DB page \(pg) entry \(i) points outside the page") }
                offsets.append(o)
            }
            func item(_ i: Int) throws(RpmDBError) -> (type: UInt8, start: Int, end: Int) {
                // Items are packed from the end of the page: each ends where the previous one starts.
                let start = base + offsets[i]
                let end = base + (i == 0 ? pageSize : offsets[i - 1])
                guard end > start else { throw RpmDBError("Berkeley DB page \(pg) item \(i) has a bad length") }
                return (b[start], start, end)
            }
            for i in stride(from: 0, to: entries, by: 2) {
                let key = try item(i), data = try item(i + 1)
                if key.type == 1, key.end - key.start == 5, b[(key.start + 1)..<key.end].allSatisfy({ $0 == 0 }) { continue }
                switch data.type {
                case 1:   // H_KEYDATA
                    out.append(Array(b[(data.start + 1)..<data.end]))
                case 3:   // H_OFFPAGE
                    guard data.end - data.start >= 12 else { throw RpmDBError("Berkeley DB page \(pg) off-page item is truncated") }
                    let first = Int(u32(data.start + 4)), total = Int(u32(data.start + 8))
                    out.append(try overflow(first, total, seen: &overflowSeen))
                default:
                    throw RpmDBError("Berkeley DB page \(pg) item \(i + 1) has type \(data.type) (duplicates are not used by rpm)")
                }
            }
        }
        return out
    }

    /// Follows an overflow chain of `total` bytes from page `first`.
    func overflow(_ first: Int, _ total: Int, seen: inout Set<Int>) throws(RpmDBError) -> [UInt8] {
        guard total <= b.count else { throw RpmDBError("Berkeley DB overflow item claims \(total) bytes, more than the file") }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        var pg = first
        while out.count < total {
            guard pg != 0 else { throw RpmDBError("Berkeley DB overflow chain ends \(total - out.count) bytes early") }
            guard pg >= 1, pg <= lastPage else { throw RpmDBError("Berkeley DB overflow page \(pg) is outside the file") }
            guard seen.insert(pg).inserted else { throw RpmDBError("Berkeley DB overflow page \(pg) is reached twice (a cycle)") }
            let base = pg * pageSize
            guard b[base + 25] == 7 else { throw RpmDBError("Berkeley DB page \(pg) in an overflow chain is not an overflow page") }
            let len = u16(base + 22)
            guard len <= pageSize - 26, len <= total - out.count else { throw RpmDBError("Berkeley DB overflow page \(pg) has a bad length \(len)") }
            guard len > 0 else { throw RpmDBError("Berkeley DB overflow page \(pg) is empty") }
            out += b[(base + 26)..<(base + 26 + len)]
            pg = Int(u32(base + 16))
        }
        return out
    }
}

// MARK: - ndb

/// rpm's own "ndb" package database (lib/backend/ndb/rpmpkg.c): a 32-byte header, slot pages of
/// 16-byte slots (magic, package index, block offset, block count), blobs in 16-byte blocks with
/// a head (magic, index, timestamp, length) and a tail (Adler-32, length, magic).
struct NDB {
    static let headMagic = RpmDB.le32(Array("RpmP".utf8), 0)
    static let slotMagic = RpmDB.le32(Array("Slot".utf8), 0)
    static let blobHead = RpmDB.le32(Array("BlbS".utf8), 0)
    static let blobTail = RpmDB.le32(Array("BlbE".utf8), 0)
    let b: [UInt8]

    init(_ bytes: [UInt8]) { b = bytes }

    func blobs() throws(RpmDBError) -> [[UInt8]] {
        guard b.count >= 32, RpmDB.le32(b, 0) == NDB.headMagic else { throw RpmDBError("not an ndb package database (no RpmP header)") }
        let version = RpmDB.le32(b, 4)
        guard version == 0 else { throw RpmDBError("ndb version \(version) is not supported") }
        let slotPages = Int(RpmDB.le32(b, 12))
        guard slotPages >= 1, slotPages * 4096 <= b.count else {
            throw RpmDBError("ndb header claims \(slotPages) slot pages, more than the \(b.count)-byte file holds")
        }
        guard b.count % 16 == 0 else { throw RpmDBError("ndb file size \(b.count) is not a multiple of 16 (truncated?)") }
        let fileBlocks = b.count / 16
        let firstBlob = slotPages * 256
        var out: [[UInt8]] = []
        var used: [(Int, Int)] = []
        for slot in 2..<(slotPages * 256) {
            let o = slot * 16
            guard RpmDB.le32(b, o) == NDB.slotMagic else { throw RpmDBError("ndb slot \(slot) has a bad magic") }
            let pkg = Int(RpmDB.le32(b, o + 4)), off = Int(RpmDB.le32(b, o + 8)), count = Int(RpmDB.le32(b, o + 12))
            if off == 0 { continue }
            guard pkg != 0, count != 0, off >= firstBlob, off + count <= fileBlocks else {
                throw RpmDBError("ndb slot \(slot) points at blocks \(off)+\(count), outside the blob area")
            }
            used.append((off, count))
            out.append(try blob(pkg, off, count))
        }
        used.sort { $0.0 < $1.0 }
        for k in used.indices.dropFirst() where used[k].0 < used[k - 1].0 + used[k - 1].1 {
            throw RpmDBError("ndb blobs at blocks \(used[k - 1].0) and \(used[k].0) overlap")
        }
        return out
    }

    func blob(_ pkg: Int, _ off: Int, _ count: Int) throws(RpmDBError) -> [UInt8] {
        let start = off * 16
        guard RpmDB.le32(b, start) == NDB.blobHead, Int(RpmDB.le32(b, start + 4)) == pkg else {
            throw RpmDBError("ndb blob of package \(pkg) has a bad head")
        }
        let len = Int(RpmDB.le32(b, start + 12))
        guard count == (16 + len + 12 + 15) / 16 else { throw RpmDBError("ndb blob of package \(pkg) claims \(len) bytes in \(count) blocks") }
        let tail = start + count * 16 - 12
        guard RpmDB.le32(b, tail + 8) == NDB.blobTail, Int(RpmDB.le32(b, tail + 4)) == len else {
            throw RpmDBError("ndb blob of package \(pkg) has a bad tail")
        }
        var a = Adler32()
        a.update(b[start..<tail])
        guard a.value == RpmDB.le32(b, tail) else { throw RpmDBError("ndb blob of package \(pkg) fails its Adler-32 check") }
        return Array(b[(start + 16)..<(start + 16 + len)])
    }
}

/// Adler-32 (RFC 1950).
struct Adler32 {
    private(set) var value: UInt32 = 1
    mutating func update(_ bytes: ArraySlice<UInt8>) {
        var s1 = value & 0xffff, s2 = value >> 16
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let n = min(5552, bytes.endIndex - i)
            for k in i..<(i + n) {
                s1 += UInt32(bytes[k])
                s2 += s1
            }
            s1 %= 65521
            s2 %= 65521
            i += n
        }
        value = s2 << 16 | s1
    }
}
