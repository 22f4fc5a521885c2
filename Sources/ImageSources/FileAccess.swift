// Read-only file access for the image sources: a file opened O_RDONLY that can
// skip with lseek (so a tar's layer bodies cost nothing), counts what it reads,
// and small helpers for reading whole metadata files with a size cap. Nothing
// here ever writes, creates or follows anything but the path it is given.

#if canImport(Glibc)
import Checksums
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private func sysRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buf, count)
}

/// Anything bytes can be pulled from: a file, a decompressor, a byte array.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A source whose end must be reached to be trusted (a streamed blob checked against
/// its digest): the scanner calls `finish()` once it has what it needs.
public protocol FinishableSource: ByteSource {
    func finish() throws
}

extension ByteSource {
    /// Reads everything that is left (use only on data known to be small, or behind a cap).
    public func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }
}

/// What a reader cost: the tests use it to prove that layers are skipped, not read.
public final class ReadStats {
    /// Bytes returned by read(2) from the underlying file.
    public internal(set) var bytesRead: Int64 = 0
    /// Number of read(2) calls.
    public internal(set) var readCalls: Int = 0
    /// Bytes passed over with lseek instead of being read.
    public internal(set) var bytesSkipped: Int64 = 0
    public init() {}
}

/// The largest metadata blob (manifest, index, config, manifest.json) we agree to read.
public let maxMetadataBlobSize: Int64 = 64 << 20

/// A regular file (or pipe) opened read-only.
public final class FileInput: ByteSource {
    public let path: String
    let fd: Int32
    /// True for regular files: skip() and seek() use lseek.
    public let isSeekable: Bool
    /// Size of a regular file, nil for pipes and devices.
    public let fileSize: Int64?
    public private(set) var position: Int64 = 0
    public let stats: ReadStats

    public init(path: String, stats: ReadStats? = nil) throws(ImageSourceError) {
        self.path = path
        self.stats = stats ?? ReadStats()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ImageSourceError("cannot open \(path): \(FileInput.errnoText())") }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let text = FileInput.errnoText()
            close(fd)
            throw ImageSourceError("cannot stat \(path): \(text)")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ImageSourceError("\(path) is a directory, not a file")
        }
        self.fd = fd
        let regular = (st.st_mode & S_IFMT) == S_IFREG
        self.isSeekable = regular && lseek(fd, 0, SEEK_CUR) >= 0
        self.fileSize = regular ? Int64(st.st_size) : nil
    }

    deinit { close(fd) }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = sysRead(fd, base, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageSourceError("cannot read \(path): \(FileInput.errnoText())")
            }
            stats.bytesRead += Int64(n)
            stats.readCalls += 1
            position += Int64(n)
            return n
        }
    }

    /// Moves to an absolute offset (regular files only).
    public func seek(to offset: Int64) throws(ImageSourceError) {
        guard isSeekable else { throw ImageSourceError("\(path) is not seekable") }
        if lseek(fd, off_t(offset), SEEK_SET) < 0 {
            throw ImageSourceError("cannot seek in \(path): \(FileInput.errnoText())")
        }
        position = offset
    }

    /// Skips `count` bytes: lseek on regular files, read-and-discard on pipes.
    public func skip(_ count: Int64) throws {
        if count <= 0 { return }
        if isSeekable {
            try seek(to: position + count)
            stats.bytesSkipped += count
            return
        }
        var left = count
        var scratch = [UInt8](repeating: 0, count: 64 << 10)
        while left > 0 {
            let want = Int(min(left, Int64(scratch.count)))
            let n = try scratch.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if n == 0 { throw ImageSourceError("\(path): unexpected end of file") }
            left -= Int64(n)
        }
    }

    /// Reads exactly `count` bytes or fails.
    public func readExactly(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = try out.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
            if n == 0 { throw ImageSourceError("\(path): unexpected end of file") }
            got += n
        }
        return out
    }

    /// Reads up to `count` bytes (fewer only at end of file).
    public func readUpTo(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = try out.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
            if n == 0 { break }
            got += n
        }
        out.removeSubrange(got...)
        return out
    }
}

/// A ByteSource over bytes already in memory (tests, small blobs).
public final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n <= 0 { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

enum FileAccess {
    /// Reads a whole regular file, refusing anything larger than `limit`.
    static func readFile(_ path: String, limit: Int64 = maxMetadataBlobSize, stats: ReadStats? = nil) throws(ImageSourceError) -> [UInt8] {
        let input = try FileInput(path: path, stats: stats)
        if let size = input.fileSize, size > limit {
            throw ImageSourceError("\(path) is \(size) bytes; metadata larger than \(limit) bytes is refused")
        }
        do {
            let bytes = try input.readUpTo(Int(min(limit, input.fileSize ?? limit)) + 1)
            if Int64(bytes.count) > limit {
                throw ImageSourceError("\(path) is larger than \(limit) bytes; refused")
            }
            return bytes
        } catch let e as ImageSourceError {
            throw e
        } catch {
            throw ImageSourceError("cannot read \(path): \(error)")
        }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    /// Names in a directory (no "." or ".."), sorted; nil when it cannot be listed.
    static func listDirectory(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Joins a relative path to a root after checking that it cannot climb out of it.
    static func join(_ root: String, _ relative: String) throws(ImageSourceError) -> String {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        if relative.hasPrefix("/") || parts.contains("..") {
            throw ImageSourceError("refusing path \(relative): it leaves \(root)")
        }
        return (root.hasSuffix("/") ? root : root + "/") + parts.joined(separator: "/")
    }
}

/// Digest helpers shared by the sources.
enum Digest {
    /// `sha256:<64 lowercase hex>` → the hex, else nil (so it can never name a path outside blobs/).
    static func sha256Hex(_ digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        let hex = digest.dropFirst(7)
        guard hex.count == 64, hex.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else { return nil }
        return String(hex)
    }

    static func isHex64(_ s: Substring) -> Bool {
        s.count == 64 && s.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    static func of(_ bytes: [UInt8]) -> String { "sha256:" + sha256Hex(bytes) }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var h = SHA256Stream()
        h.update(bytes)
        return h.finalizeHex()
    }
}
