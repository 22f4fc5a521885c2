// `json:PATH` (or a plain .json path): a JSON document someone saved — an image
// config, `docker inspect` output, Engine API replies, `docker history
// --format '{{json .}}'` lines, `buildah inspect`. The bytes are handed on
// unchanged; ImageModel decides what shape they are. This file also holds the
// small read-only file and JSON helpers the store readers share.

import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Checksums

public enum JSONFile {
    /// Reads `path` (`-` = standard input) and checks that it is JSON: one
    /// document, or one JSON value per line (JSON Lines).
    public static func resolve(path: String) throws(ImageSourceError) -> ResolvedImage {
        let bytes: [UInt8]
        if path == "-" {
            bytes = try readAll(fd: 0, what: "standard input", limit: maxJSONSize)
        } else {
            bytes = try readFile(path, limit: maxJSONSize)
        }
        try checkJSON(bytes, what: path == "-" ? "standard input" : path)
        return ResolvedImage(configBytes: bytes, source: "json:\(path)")
    }

    static let maxJSONSize = 256 << 20

    /// Throws a clear error for input that is not JSON (or JSON Lines).
    static func checkJSON(_ bytes: [UInt8], what: String) throws(ImageSourceError) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let first = body.first(where: { !isJSONSpace($0) }) else {
            throw ImageSourceError("\(what): empty file, expected JSON")
        }
        if let kind = binaryKind(bytes) {
            throw ImageSourceError("\(what): this is \(kind), not JSON (use docker-archive:, oci-archive: or oci: for image archives)")
        }
        guard first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else {
            let preview = String(decoding: body.prefix(40), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw ImageSourceError("\(what): not JSON (starts with \"\(preview)\"); expected an image config, inspect output or history lines")
        }
        if parse(Array(body)) != nil { return }
        // JSON Lines: every non-blank line must be a JSON value.
        var lineNumber = 0
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { !isJSONSpace($0) }) else { continue }
            if parse(Array(line)) == nil {
                throw ImageSourceError("\(what): invalid JSON (line \(lineNumber) of JSON Lines input does not parse)")
            }
        }
    }

    static func isJSONSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    static func binaryKind(_ b: [UInt8]) -> String? {
        if b.starts(with: [0x1F, 0x8B]) { return "a gzip file" }
        if b.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "a zstd file" }
        if b.count >= 262, Array(b[257..<262]) == Array("ustar".utf8) { return "a tar archive" }
        return nil
    }

    // MARK: - Shared helpers (internal)

    /// Parses JSON (objects, arrays, and fragments) with Foundation; nil when invalid.
    static func parse(_ bytes: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    static func object(_ bytes: [UInt8]) -> [String: Any]? { parse(bytes) as? [String: Any] }

    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Reads a whole regular file with open/read (a clear message for ENOENT, EACCES...),
    /// refusing files above `limit` bytes.
    static func readFile(_ path: String, limit: Int) throws(ImageSourceError) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            switch e {
            case ENOENT: throw ImageSourceError("\(path): no such file")
            case EACCES, EPERM: throw ImageSourceError("\(path): permission denied (image stores are usually readable by root only)")
            default: throw ImageSourceError("\(path): cannot open: \(errnoText(e))")
            }
        }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw ImageSourceError("\(path): is a directory, expected a file")
        }
        return try readAll(fd: fd, what: path, limit: limit)
    }

    static func readAll(fd: Int32, what: String, limit: Int) throws(ImageSourceError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageSourceError("\(what): read error: \(errnoText(errno))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw ImageSourceError("\(what): larger than \(limit >> 20) MiB, refusing to read it") }
        }
        return out
    }

    static func fileExists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Directory entries (no `.`/`..`), sorted; nil when it cannot be listed.
    static func listDirectory(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: ent.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func isSHA256Hex(_ s: Substring) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func sha256Digest(_ bytes: [UInt8]) -> String { "sha256:" + SHA256.hex(bytes) }
}
