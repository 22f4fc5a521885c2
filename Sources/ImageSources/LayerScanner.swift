// Reads an image's layers into a FileSystemView: the merged file tree after
// OCI/overlay whiteouts, files a layer added and a later one removed, and the
// first bytes of the few files rules read (CapturePolicy). Layers are streamed
// (gzip through our Inflater and zstd through our ZstdReader, each with an
// output cap, plain tar with lseek over bodies) in constant memory: nothing
// is extracted, written, or executed.
// Unpacked store layers (overlay2 / containers-storage `diff` dirs, vfs
// snapshots) are walked with lstat, never following links.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LayerModel

/// Bounds on what one scan may cost.
public struct ScanLimits: Sendable {
    /// Uncompressed bytes read from one layer before it is stopped (a decompression bomb guard).
    public var maxUncompressedBytesPerLayer: Int64
    /// Tar entries (or directory entries) read from one layer before it is stopped.
    public var maxEntriesPerLayer: Int
    /// Path components an entry may have; deeper entries are left out (and reported).
    public var maxPathDepth: Int

    public init(maxUncompressedBytesPerLayer: Int64 = 16 << 30, maxEntriesPerLayer: Int = 4_000_000, maxPathDepth: Int = 1024) {
        self.maxUncompressedBytesPerLayer = maxUncompressedBytesPerLayer
        self.maxEntriesPerLayer = maxEntriesPerLayer
        self.maxPathDepth = maxPathDepth
    }
}

/// One layer handed to the scanner directly: a stream (gzip, zstd or plain tar, told apart by magic).
public struct LayerStream {
    public var digest: String
    public var mediaType: String?
    public var source: ByteSource
    public init(digest: String, mediaType: String? = nil, source: ByteSource) {
        self.digest = digest
        self.mediaType = mediaType
        self.source = source
    }
}

public enum LayerScanner {
    /// Scans every layer of `image` in order (`image.layerLocations`, parallel to `image.layers`).
    /// Never throws: unreadable layers are `skipped`, broken ones add to `problems`.
    public static func scan(_ image: ResolvedImage, limits: ScanLimits = .init()) -> FileSystemView {
        let builder = ViewBuilder(limits: limits)
        for (i, layer) in image.layers.enumerated() {
            var summary = LayerSummary(digest: layer.digest, mediaType: layer.mediaType)
            let location = i < image.layerLocations.count ? image.layerLocations[i]
                : .unavailable(reason: "the source does not say where this layer's bytes are")
            builder.scanLocation(location, index: i, summary: &summary)
            builder.layers.append(summary)
        }
        return builder.view()
    }

    /// Scans layers given as streams (tests, callers with their own transport).
    public static func scan(streams: [LayerStream], limits: ScanLimits = .init()) -> FileSystemView {
        let builder = ViewBuilder(limits: limits)
        for (i, layer) in streams.enumerated() {
            var summary = LayerSummary(digest: layer.digest, mediaType: layer.mediaType)
            builder.scanSource(layer.source, index: i, summary: &summary)
            builder.layers.append(summary)
        }
        return builder.view()
    }

    /// Scans unpacked layer directories, base first (`snapshots`: each is the whole tree, as vfs stores them).
    public static func scan(directories: [String], snapshots: Bool = false, limits: ScanLimits = .init()) -> FileSystemView {
        let builder = ViewBuilder(limits: limits)
        for (i, dir) in directories.enumerated() {
            var summary = LayerSummary(digest: dir)
            builder.scanDirectory(dir, index: i, snapshot: snapshots, summary: &summary)
            builder.layers.append(summary)
        }
        return builder.view()
    }

    /// `/a/./b/../c` → `/a/c`; `..` above the root stays at the root (`escaped` says it tried).
    static func normalize(_ raw: String) -> (path: String, escaped: Bool, depth: Int) {
        var parts: [Substring] = []
        var escaped = false
        for p in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == ".." {
                if parts.isEmpty { escaped = true } else { parts.removeLast() }
                continue
            }
            parts.append(p)
        }
        return ("/" + parts.joined(separator: "/"), escaped, parts.count)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

// MARK: - inputs

/// A window of a regular file (a member stored uncompressed in a tar), skipped with lseek.
final class FileWindow: ByteSource, TarInput {
    let file: FileInput
    let start: Int64
    let size: Int64
    private(set) var position: Int64 = 0

    init(file: FileInput, offset: Int64, size: Int64) throws(ImageSourceError) {
        guard let total = file.fileSize, offset >= 0, size >= 0, offset + size <= total else {
            throw ImageSourceError("\(file.path): member at \(offset) (\(size) bytes) lies outside the archive")
        }
        self.file = file
        start = offset
        self.size = size
        try file.seek(to: offset)
    }

    func rewind() throws(ImageSourceError) {
        try file.seek(to: start)
        position = 0
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let want = Int(min(Int64(buffer.count), size - position))
        if want <= 0 { return 0 }
        let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        position += Int64(n)
        return n
    }

    func readUpTo(_ count: Int) throws -> [UInt8] {
        let want = Int(min(Int64(count), size - position))
        if want <= 0 { return [] }
        let b = try file.readUpTo(want)
        position += Int64(b.count)
        return b
    }

    func skip(_ count: Int64) throws {
        if count > size - position { throw TarError("unexpected end of the layer member") }
        try file.skip(count)
        position += count
    }
}

/// Some bytes already read (for sniffing), then the rest of a source.
final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var used = 0
    let rest: ByteSource
    init(_ prefix: [UInt8], _ rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if used < prefix.count {
            let n = min(buffer.count, prefix.count - used)
            for k in 0..<n { buffer[k] = prefix[used + k] }
            used += n
            return n
        }
        return try rest.read(into: buffer)
    }
}

/// The body of the current member of an outer tar scan, as a stream.
final class MemberBody: ByteSource {
    let scanner: TarScanner
    init(_ scanner: TarScanner) { self.scanner = scanner }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let chunk = try scanner.readBodyPrefix(min(buffer.count, 64 << 10))
        for (k, b) in chunk.enumerated() { buffer[k] = b }
        return chunk.count
    }
}

private func readHead(_ source: ByteSource, _ count: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var got = 0
    while got < count {
        let n = try out.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
        if n == 0 { break }
        got += n
    }
    out.removeSubrange(got...)
    return out
}

// MARK: - the view being built

/// `lgetxattr(2)`: Glibc's Swift module does not import <sys/xattr.h>, so it is looked up at run time.
private typealias LGetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
private let lgetxattrFunction: LGetXattr? = {
    guard let sym = dlsym(nil, "lgetxattr") else { return nil }
    return unsafeBitCast(sym, to: LGetXattr.self)
}()

final class ViewBuilder {
    let limits: ScanLimits
    var files: [String: FileRecord] = [:]
    /// Directory path → child paths present in `files` (or with descendants there).
    var children: [String: Set<String>] = [:]
    var captured: [String: CapturedFile] = [:]
    var rpmDatabases: [String: RpmDatabaseRead] = [:]
    var removed: [RemovedFile] = []
    var layers: [LayerSummary] = []
    var problems: [String] = []
    private var xattrProblemNoted = false

    init(limits: ScanLimits) { self.limits = limits }

    func view() -> FileSystemView {
        FileSystemView(files: files, removed: removed, captured: captured, layers: layers, problems: problems,
                       rpmDatabases: rpmDatabases)
    }

    private func label(_ index: Int, _ summary: LayerSummary) -> String {
        "layer \(index + 1) (\(summary.digest.isEmpty ? "no digest" : String(summary.digest.prefix(19))))"
    }

    // MARK: locations

    func scanLocation(_ location: LayerLocation, index: Int, summary: inout LayerSummary) {
        do {
            switch location {
            case .unavailable(let reason):
                summary.skipped = reason
            case .directory(let path):
                scanDirectory(path, index: index, snapshot: path.contains("/vfs/dir/"), summary: &summary)
            case .file(let path):
                let f = try FileInput(path: path)
                let head = try f.readUpTo(6)
                try scanBytes(head: head, index: index, summary: &summary,
                              compressed: { () throws -> ByteSource in try f.seek(to: 0); return f },
                              plain: { () throws -> (TarInput, Int64?) in try f.seek(to: 0); return (f, f.fileSize) })
            case .archiveEntry(let archive, let offset, let size):
                let f = try FileInput(path: archive)
                let w = try FileWindow(file: f, offset: offset, size: size)
                let head = try w.readUpTo(6)
                try scanBytes(head: head, index: index, summary: &summary,
                              compressed: { () throws -> ByteSource in try w.rewind(); return w },
                              plain: { () throws -> (TarInput, Int64?) in try w.rewind(); return (w, size) })
            case .remote(let layer):
                let source = try layer.open()
                try scanSource(source, index: index, summary: &summary, rethrow: true)
                try (source as? FinishableSource)?.finish()
            case .archiveMember(let archive, let member):
                // A compressed archive: stream it again up to the member.
                let gz = GzipReader(source: try FileInput(path: archive), maxOutput: TarArchive.defaultMaxDecompressed)
                let outer = TarScanner(input: BufferedInput(gz), totalSize: nil)
                var found = false
                while let e = try outer.next() {
                    guard e.path == member, e.kind == .file else { continue }
                    found = true
                    let body = MemberBody(outer)
                    try scanSource(body, index: index, summary: &summary, rethrow: true)
                    break
                }
                if !found { summary.skipped = "member \(member) was not found streaming \(archive) again" }
            }
        } catch {
            problems.append("\(label(index, summary)): \(error)")
        }
    }

    func scanSource(_ source: ByteSource, index: Int, summary: inout LayerSummary) {
        do { try scanSource(source, index: index, summary: &summary, rethrow: true) } catch {
            problems.append("\(label(index, summary)): \(error)")
        }
    }

    private func scanSource(_ source: ByteSource, index: Int, summary: inout LayerSummary, rethrow: Bool) throws {
        let head = try readHead(source, 6)
        let joined = PrefixedSource(head, source)
        try scanBytes(head: head, index: index, summary: &summary,
                      compressed: { () throws -> ByteSource in joined },
                      plain: { () throws -> (TarInput, Int64?) in (BufferedInput(joined), nil) })
    }

    /// Tells gzip / zstd / xz / plain tar apart by magic (and media type), then walks the tar.
    private func scanBytes(head: [UInt8], index: Int, summary: inout LayerSummary,
                           compressed: () throws -> ByteSource, plain: () throws -> (TarInput, Int64?)) throws {
        let type = summary.mediaType ?? ""
        if head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) || head.starts(with: Array("BZh".utf8)) {
            summary.skipped = "xz/bzip2 layers are not supported"
            return
        }
        if head.isEmpty {
            summary.skipped = "the layer is empty (0 bytes)"
            return
        }
        let input: TarInput
        let total: Int64?
        if GzipReader.hasMagic(head) {
            input = BufferedInput(GzipReader(source: try compressed(), maxOutput: limits.maxUncompressedBytesPerLayer))
            total = nil
        } else if ZstdReader.hasMagic(head) || type.contains("zstd") {
            // zstd by magic (a skippable frame may come first), or by media type (`tar+zstd`, docker's `tar.zstd`).
            input = BufferedInput(ZstdReader(source: try compressed(), maxOutput: limits.maxUncompressedBytesPerLayer))
            total = nil
        } else {
            (input, total) = try plain()
        }
        walkTar(TarScanner(input: input, totalSize: total), input: input, index: index, summary: &summary)
    }

    // MARK: tar layers

    func walkTar(_ scanner: TarScanner, input: TarInput, index: Int, summary: inout LayerSummary) {
        let what = label(index, summary)
        var escapedNoted = 0
        defer { summary.bytes = input.position }
        do {
            while let e = try scanner.next() {
                summary.entries += 1
                if summary.entries > limits.maxEntriesPerLayer {
                    problems.append("\(what): more than \(limits.maxEntriesPerLayer) entries; the rest of the layer was not read")
                    return
                }
                if input.position > limits.maxUncompressedBytesPerLayer {
                    problems.append("\(what): larger than \(limits.maxUncompressedBytesPerLayer) bytes uncompressed; the rest was not read")
                    return
                }
                let (path, escaped, depth) = LayerScanner.normalize(e.rawName)
                if escaped {
                    if escapedNoted < 5 { problems.append("\(what): entry \(e.rawName) climbs above the root; read as \(path)") }
                    escapedNoted += 1
                }
                if depth > limits.maxPathDepth {
                    problems.append("\(what): entry with \(depth) path components left out")
                    continue
                }
                if path == "/" { continue }
                let base = path[path.index(after: path.lastIndex(of: "/")!)...]
                let dir = LayerScanner.parent(path)
                if base.hasPrefix(".wh.") {
                    if base == ".wh..wh..opq" {
                        opaque(dir, layer: index)
                    } else if !base.hasPrefix(".wh..wh.") {
                        whiteout(dir == "/" ? "/" + base.dropFirst(4) : dir + "/" + base.dropFirst(4), layer: index)
                    }
                    continue
                }
                var kind: FileRecord.Kind
                var size = e.logicalSize ?? e.size
                var link: String?
                switch e.kind {
                case .file: kind = .file
                case .directory: kind = .directory; size = 0
                case .symlink: kind = .symlink; link = e.linkTarget; size = 0
                case .hardlink:
                    kind = .hardlink
                    let target = LayerScanner.normalize(e.linkTarget).path
                    link = target
                    size = files[target]?.size ?? 0
                case .other:
                    kind = e.typeFlag == UInt8(ascii: "S") ? .file : .other
                    if kind == .other { size = 0 }
                }
                var capture: CapturedFile?
                var rpm: RpmDatabaseRead?
                if kind == .file, !e.isSparse, RpmDatabaseRead.paths[path] != nil {
                    // rpm databases are read whole (bounded) and decoded here; only the packages are kept.
                    rpm = e.size > Int64(RpmDatabaseRead.maxBytes)
                        ? RpmDatabaseRead(path: path, backend: RpmDatabaseRead.paths[path]!, layer: index, packages: [],
                                          problems: ["the database is \(e.size) bytes, more than the \(RpmDatabaseRead.maxBytes)-byte limit; not read"])
                        : RpmDB.read(try scanner.readBodyPrefix(Int(e.size)), path: path, layer: index)
                } else if kind == .file, !e.isSparse, CapturePolicy.shouldCapture(path, kind: .file) {
                    let n = Int(min(Int64(CapturePolicy.maxBytes), e.size))
                    let bytes = try scanner.readBodyPrefix(n)
                    capture = CapturedFile(path: path, layer: index, bytes: bytes, truncated: e.size > Int64(n))
                } else if kind == .hardlink, let target = link, CapturePolicy.shouldCapture(path, kind: .file),
                          let c = captured[target] {
                    capture = CapturedFile(path: path, layer: index, bytes: c.bytes, truncated: c.truncated)
                }
                if kind == .file || kind == .hardlink { summary.noteFile(path) }
                put(FileRecord(path: path, kind: kind, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: size,
                               linkTarget: link, layer: index), capture: capture, rpm: rpm)
            }
        } catch let err as ZstdError {
            problems.append("\(what): \(err.isOutputLimit ? "stopped: " : "")\(err); entries after that point are not in the view")
        } catch let err as InflateError {
            if case .outputLimitExceeded = err {
                problems.append("\(what): stopped: \(err); entries after that point are not in the view")
            } else {
                problems.append("\(what): \(err); entries after that point are not in the view")
            }
        } catch {
            problems.append("\(what): \(error); entries after that point are not in the view")
        }
    }

    // MARK: tree edits

    func put(_ r: FileRecord, capture: CapturedFile?, rpm: RpmDatabaseRead? = nil) {
        if let old = files[r.path], old.kind == .directory, r.kind != .directory {
            // A non-directory replaces a directory: what was under it is gone.
            prune(r.path, layer: r.layer, includeSelf: false)
        }
        if let old = files[r.path], old.layer < r.layer, old.kind == .file, r.kind != .file && r.kind != .hardlink {
            drop(r.path, by: r.layer)
        }
        files[r.path] = r
        captured[r.path] = capture
        rpmDatabases[r.path] = rpm
        var p = r.path
        while p != "/" {
            let up = LayerScanner.parent(p)
            if children[up, default: []].insert(p).inserted == false { break }
            p = up
        }
    }

    /// Removes a record; a regular file goes to `removed` with what was captured of it.
    private func drop(_ path: String, by layer: Int) {
        guard let rec = files.removeValue(forKey: path) else { return }
        rpmDatabases[path] = nil
        let content = captured.removeValue(forKey: path)
        if rec.kind == .file { removed.append(RemovedFile(record: rec, removedIn: layer, content: content)) }
    }

    /// Removes lower layers' entries at/under `path`. Returns true when nothing is left there.
    @discardableResult
    private func prune(_ path: String, layer: Int, includeSelf: Bool) -> Bool {
        if let kids = children[path] {
            var left = kids
            for k in kids.sorted() where prune(k, layer: layer, includeSelf: true) { left.remove(k) }
            children[path] = left.isEmpty ? nil : left
        }
        if includeSelf, let rec = files[path], rec.layer < layer { drop(path, by: layer) }
        return includeSelf && files[path] == nil && children[path] == nil
    }

    /// `.wh.NAME`: NAME and everything under it, from lower layers, are gone.
    func whiteout(_ path: String, layer: Int) {
        if prune(path, layer: layer, includeSelf: true) {
            let up = LayerScanner.parent(path)
            children[up]?.remove(path)
            if children[up]?.isEmpty == true { children[up] = nil }
        }
    }

    /// `.wh..wh..opq` / overlay opaque xattr: lower layers' content of `dir` is hidden.
    func opaque(_ dir: String, layer: Int) {
        prune(dir, layer: layer, includeSelf: false)
    }

    // MARK: unpacked directories

    func scanDirectory(_ root: String, index: Int, snapshot: Bool, summary: inout LayerSummary) {
        let what = label(index, summary)
        var st = stat()
        guard lstat(root, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            problems.append("\(what): \(root) is not a directory")
            return
        }
        var seen = Set<String>()
        var stack: [(host: String, image: String)] = [(root, "/")]
        while let (host, image) = stack.popLast() {
            if !snapshot, isOpaque(host, what: what) { opaque(image, layer: index) }
            guard let names = FileAccess.listDirectory(host) else {
                problems.append("\(what): cannot list \(host)")
                continue
            }
            for name in names {
                summary.entries += 1
                if summary.entries > limits.maxEntriesPerLayer {
                    problems.append("\(what): more than \(limits.maxEntriesPerLayer) entries; the rest was not read")
                    return
                }
                let h = host + "/" + name
                let path = image == "/" ? "/" + name : image + "/" + name
                var s = stat()
                guard lstat(h, &s) == 0 else { problems.append("\(what): cannot lstat \(h)"); continue }
                let type = s.st_mode & S_IFMT
                if !snapshot {
                    if type == S_IFCHR && s.st_rdev == 0 { whiteout(path, layer: index); continue }
                    if name == ".wh..wh..opq" { opaque(image, layer: index); continue }
                    if name.hasPrefix(".wh..wh.") { continue }
                    if name.hasPrefix(".wh.") { whiteout(image == "/" ? "/" + name.dropFirst(4) : image + "/" + name.dropFirst(4), layer: index); continue }
                }
                if path.split(separator: "/").count > limits.maxPathDepth { continue }
                var kind: FileRecord.Kind
                var link: String?
                var size: Int64 = 0
                switch type {
                case S_IFREG: kind = .file; size = Int64(s.st_size); summary.bytes += size
                case S_IFDIR: kind = .directory; stack.append((h, path))
                case S_IFLNK: kind = .symlink; link = readLink(h)
                default: kind = .other
                }
                let record = FileRecord(path: path, kind: kind, mode: UInt32(s.st_mode) & 0o7777, uid: Int(s.st_uid),
                                        gid: Int(s.st_gid), size: size, linkTarget: link, layer: index)
                if snapshot {
                    seen.insert(path)
                    if let old = files[path], old.kind == kind, old.mode == record.mode, old.uid == record.uid,
                       old.gid == record.gid, old.size == size, old.linkTarget == link { continue }
                }
                var capture: CapturedFile?
                var rpm: RpmDatabaseRead?
                if kind == .file, RpmDatabaseRead.paths[path] != nil {
                    rpm = readRpmDatabase(h, size: size, path: path, layer: index)
                } else if kind == .file, CapturePolicy.shouldCapture(path, kind: .file) {
                    capture = readPrefix(h, size: size, path: path, layer: index)
                }
                if kind == .file { summary.noteFile(path) }
                put(record, capture: capture, rpm: rpm)
            }
        }
        if snapshot {
            // A vfs directory is the whole tree: what the previous layers had and this one lacks was deleted here.
            for path in files.keys.sorted(by: >) where !seen.contains(path) { whiteout(path, layer: index) }
        }
    }

    private func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func readPrefix(_ host: String, size: Int64, path: String, layer: Int) -> CapturedFile? {
        let fd = open(host, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: CapturePolicy.maxBytes)
        var got = 0
        while got < buf.count {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        buf.removeSubrange(got...)
        return CapturedFile(path: path, layer: layer, bytes: buf, truncated: size > Int64(got))
    }

    private func readRpmDatabase(_ host: String, size: Int64, path: String, layer: Int) -> RpmDatabaseRead {
        let backend = RpmDatabaseRead.paths[path] ?? .sqlite
        guard size <= Int64(RpmDatabaseRead.maxBytes) else {
            return RpmDatabaseRead(path: path, backend: backend, layer: layer, packages: [],
                                   problems: ["the database is \(size) bytes, more than the \(RpmDatabaseRead.maxBytes)-byte limit; not read"])
        }
        do {
            let f = try FileInput(path: host)
            return RpmDB.read(try f.readUpTo(Int(size)), path: path, layer: layer)
        } catch {
            return RpmDatabaseRead(path: path, backend: backend, layer: layer, packages: [], problems: ["cannot read \(host): \(error)"])
        }
    }

    /// overlay marks opaque directories with `trusted.overlay.opaque=y` (`user.overlay.opaque` when rootless).
    private func isOpaque(_ host: String, what: String) -> Bool {
        for name in ["trusted.overlay.opaque", "user.overlay.opaque"] {
            var value = [UInt8](repeating: 0, count: 8)
            guard let getxattr = lgetxattrFunction else {
                if !xattrProblemNoted {
                    xattrProblemNoted = true
                    problems.append("\(what): lgetxattr is not available; overlay opaque directories are not detected")
                }
                return false
            }
            let n = value.withUnsafeMutableBytes { getxattr(host, name, $0.baseAddress, $0.count) }
            if n >= 1 && value[0] == UInt8(ascii: "y") { return true }
            if n < 0 && errno != ENODATA && !xattrProblemNoted && name.hasPrefix("trusted") {
                xattrProblemNoted = true
                problems.append("\(what): cannot read overlay opaque markers (\(name): \(String(cString: strerror(errno)))); opaque directories are not detected")
            }
        }
        return false
    }
}
