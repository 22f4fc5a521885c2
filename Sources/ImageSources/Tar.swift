// A streaming, read-only tar reader for image archives (docker save, podman
// save, skopeo, ctr export): ustar and old-GNU headers, GNU long names and
// long links (`././@LongLink`, types L/K), PAX extended headers (x/g: path,
// linkpath, size), base-256 sizes. It reads headers and skips bodies (lseek on
// a regular file, so a 5 GB layer costs a 512-byte header), and reads only the
// small metadata entries asked for. Links are resolved inside the archive
// only: a symlink or hard link that climbs out of it, or a loop, is an error.
// Nothing is ever extracted or written.

/// One member of a tar archive.
public struct TarEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, directory, symlink, hardlink, other }
    /// The path as normalised inside the archive (no leading `./` or `/`, no `.`/`..`),
    /// or nil when the stored name climbs out of the archive (`../x`).
    public var path: String?
    /// The name exactly as stored (after long-name / PAX processing).
    public var rawName: String
    public var kind: Kind
    public var size: Int64
    public var linkTarget: String
    /// Offset of the body in the (decompressed) tar stream.
    public var dataOffset: Int64
    /// Permission bits with setuid/setgid/sticky (PAX `mode` is not a thing; the header's is used).
    public var mode: UInt32 = 0
    public var uid: Int = 0
    public var gid: Int = 0
    /// The raw type flag ('0', '5', 'S', ...).
    public var typeFlag: UInt8 = 0
    /// Device numbers of character/block devices (overlay whiteouts are char 0:0).
    public var devMajor: Int = 0
    public var devMinor: Int = 0
    /// GNU sparse member (old 'S' type or PAX GNU.sparse.*): the body is a sparse map plus data, not the file.
    public var isSparse = false
    /// The file's logical size when it differs from the stored body (sparse members).
    public var logicalSize: Int64? = nil
}

/// Sequential input for the tar scanner.
protocol TarInput: AnyObject {
    var position: Int64 { get }
    func readUpTo(_ count: Int) throws -> [UInt8]
    func skip(_ count: Int64) throws
}

extension FileInput: TarInput {}

/// Buffers a non-seekable ByteSource (a gzip stream) for the scanner.
final class BufferedInput: TarInput {
    let source: ByteSource
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)
    private var start = 0
    private var end = 0
    private(set) var position: Int64 = 0

    init(_ source: ByteSource) { self.source = source }

    private func fill() throws -> Bool {
        start = 0
        end = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        return end > 0
    }

    func readUpTo(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if start == end, try !fill() { break }
            let n = min(count - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + n)])
            start += n
            position += Int64(n)
        }
        return out
    }

    func skip(_ count: Int64) throws {
        var left = count
        while left > 0 {
            if start == end, try !fill() { throw TarError("unexpected end of archive data") }
            let n = Int(min(left, Int64(end - start)))
            start += n
            left -= Int64(n)
            position += Int64(n)
        }
    }
}

struct TarError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Walks the headers of a tar stream.
final class TarScanner {
    static let maxHeaderBody: Int64 = 1 << 20   // long names and PAX records
    /// Sizes above this are treated as corrupt (no image archive member is 16 TiB).
    static let maxEntrySize: Int64 = 1 << 44

    let input: TarInput
    /// Size of the whole input when known (regular uncompressed file): bodies must fit in it.
    let totalSize: Int64?
    private var bodyLeft: Int64 = 0
    private var padding: Int64 = 0
    private var globalPAX: [String: String] = [:]
    private(set) var finished = false

    init(input: TarInput, totalSize: Int64?) {
        self.input = input
        self.totalSize = totalSize
    }

    /// The next member, or nil at the end of the archive.
    func next() throws -> TarEntry? {
        if finished { return nil }
        try skipBody()
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        while true {
            let header = try input.readUpTo(512)
            if header.isEmpty { finished = true; return nil }   // no end blocks: accepted, like GNU tar
            if header.count < 512 { throw TarError("truncated tar header at offset \(input.position - Int64(header.count))") }
            if header.allSatisfy({ $0 == 0 }) { finished = true; return nil }
            let headerOffset = input.position - 512
            try verifyChecksum(header, at: headerOffset)
            let type = header[156]
            var size = try parseNumber(header[124..<136], field: "size", at: headerOffset)
            if size < 0 || size > TarScanner.maxEntrySize { throw TarError("absurd entry size \(size) at offset \(headerOffset)") }
            if let v = pax["size"] ?? globalPAX["size"] {
                guard let s = Int64(v), s >= 0, s <= TarScanner.maxEntrySize else { throw TarError("bad PAX size \(v)") }
                size = s
            }
            var realSize: Int64?
            if type == UInt8(ascii: "S") {
                // Old GNU sparse: realsize at 483, and extension blocks follow while isextended is set.
                realSize = try? parseNumber(header[483..<495], field: "realsize", at: headerOffset)
                var extended = header[482] != 0
                var blocks = 0
                while extended {
                    let ext = try input.readUpTo(512)
                    if ext.count < 512 { throw TarError("truncated GNU sparse extension header at offset \(headerOffset)") }
                    blocks += 1
                    if blocks > 4096 { throw TarError("too many GNU sparse extension headers at offset \(headerOffset)") }
                    extended = ext[504] != 0
                }
            }
            let dataOffset = input.position
            if let total = totalSize, dataOffset + size > total {
                throw TarError("truncated archive: entry at offset \(headerOffset) needs \(size) bytes, only \(total - dataOffset) left")
            }
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                let body = try readMetaBody(size)
                let text = String(decoding: body.prefix(while: { $0 != 0 }), as: UTF8.self)
                if type == UInt8(ascii: "L") { longName = text } else { longLink = text }
                continue
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let records = try parsePAX(try readMetaBody(size), at: headerOffset)
                if type == UInt8(ascii: "x") {
                    pax.merge(records) { _, new in new }
                } else {
                    globalPAX.merge(records) { _, new in new }
                }
                continue
            default:
                break
            }
            let magic = Array(header[257..<263])
            var name = cString(header[0..<100])
            if magic == Array("ustar\0".utf8) {
                let prefix = cString(header[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            if let l = longName { name = l }
            if let p = pax["path"] { name = p }
            // PAX GNU sparse 0.x/1.0: the real name and size are in these records.
            let paxSparse = pax["GNU.sparse.major"] != nil || pax["GNU.sparse.name"] != nil || pax["GNU.sparse.realsize"] != nil
                || pax["GNU.sparse.size"] != nil
            if let n = pax["GNU.sparse.name"] { name = n }
            if paxSparse, let r = pax["GNU.sparse.realsize"] ?? pax["GNU.sparse.size"], let v = Int64(r), v >= 0 { realSize = v }
            var link = cString(header[157..<257])
            if let l = longLink { link = l }
            if let l = pax["linkpath"] { link = l }
            let kind: TarEntry.Kind
            switch type {
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = name.hasSuffix("/") ? .directory : .file
            case UInt8(ascii: "1"): kind = .hardlink
            case UInt8(ascii: "2"): kind = .symlink
            case UInt8(ascii: "5"): kind = .directory
            default: kind = .other
            }
            // Only regular members (and hard links that carry data) have bodies in the stream.
            let bodySize: Int64 = (kind == .file || kind == .hardlink || kind == .other) && type != UInt8(ascii: "3")
                && type != UInt8(ascii: "4") && type != UInt8(ascii: "6") ? size : 0
            bodyLeft = bodySize
            padding = (512 - bodySize % 512) % 512
            var entry = TarEntry(path: TarScanner.normalize(name), rawName: name, kind: kind, size: bodySize,
                                 linkTarget: link, dataOffset: dataOffset)
            entry.mode = UInt32(truncatingIfNeeded: (try? parseNumber(header[100..<108], field: "mode", at: headerOffset)) ?? 0) & 0o7777
            entry.uid = Int((pax["uid"] ?? globalPAX["uid"]).flatMap { Int64($0) }
                ?? (try? parseNumber(header[108..<116], field: "uid", at: headerOffset)) ?? 0)
            entry.gid = Int((pax["gid"] ?? globalPAX["gid"]).flatMap { Int64($0) }
                ?? (try? parseNumber(header[116..<124], field: "gid", at: headerOffset)) ?? 0)
            entry.typeFlag = type
            if type == UInt8(ascii: "3") || type == UInt8(ascii: "4") {
                entry.devMajor = Int((try? parseNumber(header[329..<337], field: "devmajor", at: headerOffset)) ?? 0)
                entry.devMinor = Int((try? parseNumber(header[337..<345], field: "devminor", at: headerOffset)) ?? 0)
            }
            if type == UInt8(ascii: "S") || paxSparse {
                entry.isSparse = true
                entry.logicalSize = realSize
            }
            return entry
        }
    }

    /// Reads the current member's body (which must be at most `limit` bytes).
    func readBody(limit: Int64) throws -> [UInt8] {
        if bodyLeft > limit { throw TarError("member is \(bodyLeft) bytes, more than the \(limit) allowed for metadata") }
        let body = try input.readUpTo(Int(bodyLeft))
        if Int64(body.count) < bodyLeft { throw TarError("truncated archive: member body ends early") }
        bodyLeft = 0
        return body
    }

    /// Reads the first bytes of the body (for sniffing); the rest can then be read or skipped.
    func readBodyPrefix(_ count: Int) throws -> [UInt8] {
        let n = Int(min(Int64(count), bodyLeft))
        let b = try input.readUpTo(n)
        if b.count < n { throw TarError("truncated archive: member body ends early") }
        bodyLeft -= Int64(n)
        return b
    }

    func skipBody() throws {
        let n = bodyLeft + padding
        bodyLeft = 0
        padding = 0
        if n > 0 {
            do { try input.skip(n) } catch let e as InflateError { throw e } catch let e as ZstdError { throw e } catch {
                throw TarError("truncated archive: \(error)")
            }
        }
    }

    private func readMetaBody(_ size: Int64) throws -> [UInt8] {
        if size > TarScanner.maxHeaderBody { throw TarError("extended header of \(size) bytes is too large") }
        let body = try input.readUpTo(Int(size))
        if Int64(body.count) < size { throw TarError("truncated archive in an extended header") }
        try input.skip((512 - size % 512) % 512)
        return body
    }

    private func verifyChecksum(_ h: [UInt8], at offset: Int64) throws {
        let stored = try parseNumber(h[148..<156], field: "checksum", at: offset)
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for i in 0..<512 {
            let b = (148..<156).contains(i) ? UInt8(ascii: " ") : h[i]
            unsigned += Int64(b)
            signed += Int64(Int8(bitPattern: b))
        }
        if stored != unsigned && stored != signed {
            throw TarError("bad tar header checksum at offset \(offset) (not a tar archive, or corrupt)")
        }
    }

    /// Octal (space/NUL terminated) or GNU base-256.
    private func parseNumber(_ field: ArraySlice<UInt8>, field name: String, at offset: Int64) throws -> Int64 {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            if first == 0xff { throw TarError("negative \(name) at offset \(offset)") }
            var v = Int64(first & 0x7f)
            for b in field.dropFirst() {
                if v > (Int64.max >> 8) { throw TarError("\(name) overflows at offset \(offset)") }
                v = v << 8 | Int64(b)
            }
            return v
        }
        var v: Int64 = 0
        var seenDigit = false
        var ended = false
        for b in field {
            if b == 0 || b == UInt8(ascii: " ") {
                if seenDigit { ended = true }
                continue
            }
            guard !ended, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7") else {
                throw TarError("bad \(name) field at offset \(offset) (not a tar archive, or corrupt)")
            }
            if v > (Int64.max >> 3) { throw TarError("\(name) overflows at offset \(offset)") }
            v = v << 3 | Int64(b - UInt8(ascii: "0"))
            seenDigit = true
        }
        return v
    }

    private func parsePAX(_ body: [UInt8], at offset: Int64) throws -> [String: String] {
        var out: [String: String] = [:]
        var i = 0
        while i < body.count {
            if body[i] == 0 { break }
            var len = 0
            var j = i
            while j < body.count, body[j] >= UInt8(ascii: "0"), body[j] <= UInt8(ascii: "9") {
                len = len * 10 + Int(body[j] - UInt8(ascii: "0"))
                if len > body.count { throw TarError("bad PAX record length at offset \(offset)") }
                j += 1
            }
            guard j < body.count, body[j] == UInt8(ascii: " "), len > j - i + 1, i + len <= body.count,
                  body[i + len - 1] == UInt8(ascii: "\n") else {
                throw TarError("bad PAX record at offset \(offset)")
            }
            let record = body[(j + 1)..<(i + len - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else { throw TarError("bad PAX record at offset \(offset)") }
            out[String(decoding: record[record.startIndex..<eq], as: UTF8.self)] =
                String(decoding: record[(eq + 1)...], as: UTF8.self)
            i += len
        }
        return out
    }

    private func cString(_ s: ArraySlice<UInt8>) -> String {
        String(decoding: s.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// `./a//b/../c/` → `a/c`; nil when it climbs above the root.
    static func normalize(_ name: String) -> String? {
        var parts: [Substring] = []
        for p in name.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == ".." {
                if parts.isEmpty { return nil }
                parts.removeLast()
                continue
            }
            parts.append(p)
        }
        return parts.joined(separator: "/")
    }
}

/// Read access to a directory-like image layout (an OCI layout dir, or an archive's members).
protocol LayoutStore: AnyObject {
    /// `docker-archive:/x.tar`, `oci:/dir` ...: used in messages.
    var label: String { get }
    /// Reads a metadata file (capped at maxMetadataBlobSize).
    func readMetadata(_ path: String) throws(ImageSourceError) -> [UInt8]
    func exists(_ path: String) -> Bool
    /// Size of a regular file after following links, when it exists.
    func size(_ path: String) -> Int64?
    /// Where a member's bytes can be streamed from (links followed inside the store).
    func location(_ path: String) -> LayerLocation
}

/// A tar archive's index: every member's header, and for compressed (unseekable) input
/// the bodies of the small JSON members kept while streaming past them.
final class TarArchive: LayoutStore {
    let path: String
    let label: String
    private(set) var entries: [String: TarEntry] = [:]
    /// Members whose names climb out of the archive: never reachable.
    private(set) var escaping: [String] = []
    private var kept: [String: [UInt8]] = [:]
    private let file: FileInput?
    let compressed: Bool
    let stats: ReadStats

    /// Total bytes of metadata kept in memory while streaming a compressed archive.
    static let maxKeptBytes: Int64 = 512 << 20
    /// Default cap on the decompressed size of a gzip'd archive.
    static let defaultMaxDecompressed: Int64 = 1 << 40

    init(path: String, label: String, stats: ReadStats? = nil, maxDecompressed: Int64 = TarArchive.defaultMaxDecompressed) throws(ImageSourceError) {
        self.path = path
        self.label = label
        let stats = stats ?? ReadStats()
        self.stats = stats
        let input = try FileInput(path: path, stats: stats)
        guard input.isSeekable else { throw ImageSourceError("\(path) is not a regular file; archives must be files") }
        do {
            let magic = try input.readUpTo(6)
            if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
                throw ImageSourceError("\(path) is zstd-compressed; decompress it first (zstd -d)")
            }
            if magic.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) || magic.starts(with: Array("BZh".utf8)) {
                throw ImageSourceError("\(path) is xz/bzip2-compressed; only plain and gzip tarballs are read")
            }
            if GzipReader.hasMagic(magic) {
                compressed = true
                file = nil
                // The scanner sees the decompressed stream; reopen so the gzip reader starts at byte 0.
                let raw = try FileInput(path: path, stats: stats)
                let gz = GzipReader(source: raw, maxOutput: maxDecompressed)
                try scan(TarScanner(input: BufferedInput(gz), totalSize: nil), keepSmallJSON: true)
            } else {
                compressed = false
                try input.seek(to: 0)
                file = input
                try scan(TarScanner(input: input, totalSize: input.fileSize), keepSmallJSON: false)
            }
        } catch let e as ImageSourceError {
            throw e
        } catch {
            throw ImageSourceError("\(path): \(error)")
        }
        if entries.isEmpty { throw ImageSourceError("\(path): empty archive (or not a tar archive)") }
    }

    private func scan(_ scanner: TarScanner, keepSmallJSON: Bool) throws {
        var keptBytes: Int64 = 0
        while let e = try scanner.next() {
            guard let p = e.path else { escaping.append(e.rawName); continue }
            if p.isEmpty { continue }
            entries[p] = e
            guard keepSmallJSON, e.kind == .file, e.size <= maxMetadataBlobSize, e.size > 0 else { continue }
            let head = try scanner.readBodyPrefix(min(Int(e.size), 512))
            let firstText = head.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
            let named = ["manifest.json", "index.json", "repositories", "oci-layout"].contains(p)
            guard named || firstText == UInt8(ascii: "{") || firstText == UInt8(ascii: "[") else { continue }
            keptBytes += e.size
            if keptBytes > TarArchive.maxKeptBytes {
                throw ImageSourceError("\(path): more than \(TarArchive.maxKeptBytes) bytes of JSON members; refusing")
            }
            kept[p] = head + (try scanner.readBody(limit: maxMetadataBlobSize))
        }
    }

    /// Follows symlinks and hard links (inside the archive only) to a regular member.
    func resolve(_ name: String) throws(ImageSourceError) -> TarEntry {
        guard let start = TarScanner.normalize(name) else {
            throw ImageSourceError("\(label): \(name) points outside the archive")
        }
        var pending = start.split(separator: "/").map(String.init)
        var done: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let comp = pending.removeFirst()
            let candidate = (done + [comp]).joined(separator: "/")
            guard let e = entries[candidate] else {
                // Writers often omit directory members: a missing parent is an implicit directory.
                if !pending.isEmpty { done.append(comp); continue }
                throw ImageSourceError("\(label): no member \(name)" + (candidate == start ? "" : " (missing \(candidate))"))
            }
            switch e.kind {
            case .symlink, .hardlink:
                hops += 1
                if hops > 40 { throw ImageSourceError("\(label): too many levels of links resolving \(name) (a link loop?)") }
                if e.linkTarget.hasPrefix("/") {
                    throw ImageSourceError("\(label): \(candidate) links to the absolute path \(e.linkTarget), outside the archive")
                }
                // Symlinks are relative to their directory; hard links name a member from the root.
                let base = e.kind == .symlink ? done : []
                var parts = base
                for p in e.linkTarget.split(separator: "/", omittingEmptySubsequences: true) {
                    if p == "." { continue }
                    if p == ".." {
                        if parts.isEmpty {
                            throw ImageSourceError("\(label): \(candidate) links to \(e.linkTarget), outside the archive")
                        }
                        parts.removeLast()
                        continue
                    }
                    parts.append(String(p))
                }
                if parts.isEmpty { throw ImageSourceError("\(label): \(candidate) links to the archive root") }
                pending = parts + pending
                done = []
            case .directory:
                done.append(comp)
            case .file, .other:
                if !pending.isEmpty { throw ImageSourceError("\(label): \(candidate) is not a directory") }
                return e
            }
        }
        throw ImageSourceError("\(label): \(name) is a directory")
    }

    func exists(_ path: String) -> Bool { (try? resolve(path)) != nil }

    func location(_ name: String) -> LayerLocation {
        let e: TarEntry
        do { e = try resolve(name) } catch { return .unavailable(reason: error.message) }
        guard let p = e.path, e.kind == .file else { return .unavailable(reason: "\(label): \(name) is not a regular member") }
        return compressed ? .archiveMember(archive: path, member: p) : .archiveEntry(archive: path, offset: e.dataOffset, size: e.size)
    }

    func size(_ path: String) -> Int64? { (try? resolve(path))?.size }

    func readMetadata(_ name: String) throws(ImageSourceError) -> [UInt8] {
        let e = try resolve(name)
        guard e.kind == .file, let p = e.path else { throw ImageSourceError("\(label): \(name) is not a regular file") }
        if e.size > maxMetadataBlobSize {
            throw ImageSourceError("\(label): \(name) is \(e.size) bytes; metadata larger than \(maxMetadataBlobSize) bytes is refused")
        }
        if let k = kept[p] { return k }
        if e.size == 0 { return [] }
        guard let file else {
            throw ImageSourceError("\(label): \(name) was not kept while streaming the compressed archive (not JSON)")
        }
        do {
            try file.seek(to: e.dataOffset)
            let bytes = try file.readUpTo(Int(e.size))
            if Int64(bytes.count) != e.size { throw ImageSourceError("\(label): \(name) is truncated") }
            return bytes
        } catch let err as ImageSourceError {
            throw err
        } catch {
            throw ImageSourceError("\(label): cannot read \(name): \(error)")
        }
    }
}

/// An image layout in a directory (an OCI layout).
final class DirectoryStore: LayoutStore {
    let root: String
    let label: String
    init(root: String, label: String) {
        self.root = root
        self.label = label
    }

    func readMetadata(_ path: String) throws(ImageSourceError) -> [UInt8] {
        try FileAccess.readFile(try FileAccess.join(root, path))
    }

    func exists(_ path: String) -> Bool {
        guard let full = try? FileAccess.join(root, path) else { return false }
        return FileAccess.exists(full)
    }

    func size(_ path: String) -> Int64? {
        guard let full = try? FileAccess.join(root, path) else { return nil }
        return FileAccess.fileSize(full)
    }

    func location(_ path: String) -> LayerLocation {
        guard let full = try? FileAccess.join(root, path) else { return .unavailable(reason: "\(label): bad blob path \(path)") }
        guard FileAccess.fileSize(full) != nil else { return .unavailable(reason: "\(label): blob \(path) is missing") }
        return .file(path: full)
    }
}
