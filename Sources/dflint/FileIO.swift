// File system, environment and terminal access for the CLI (the only I/O).
#if canImport(Glibc)
import Glibc
#endif

struct IOFailure: Error {
    var message: String
}

enum FileIO {
    enum Kind { case file, directory, missing }

    /// Reads a whole file (or standard input for "-") as bytes.
    static func read(_ path: String) -> Result<[UInt8], IOFailure> {
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        if fd < 0 { return .failure(IOFailure(message: String(cString: strerror(errno)))) }
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            return .failure(IOFailure(message: "is a directory"))
        }
        // Regular files: one buffer of the stat size (+1 to see EOF), filled in place.
        // Pipes, or files that grew: chunks appended.
        var out: [UInt8] = []
        if (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 {
            let size = Int(st.st_size) + 1
            var failed = false
            out = [UInt8](unsafeUninitializedCapacity: size) { buf, n in
                n = 0
                while n < size {
                    let got = Glibc.read(fd, buf.baseAddress! + n, size - n)
                    if got < 0 { if errno == EINTR { continue }; failed = true; return }
                    if got == 0 { return }
                    n += got
                }
            }
            if failed { return .failure(IOFailure(message: String(cString: strerror(errno)))) }
            if out.count < size { return .success(out) }
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(IOFailure(message: String(cString: strerror(errno))))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return .success(out)
    }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func isDockerfileName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "dockerfile" || lower.hasPrefix("dockerfile.") || lower.hasPrefix("dockerfile-")
            || lower == "containerfile" || lower.hasPrefix("containerfile.") || lower.hasSuffix(".dockerfile")
            || lower.hasSuffix(".containerfile")
    }

    static let skippedDirectories: Set<String> = [".git", ".hg", ".svn", "node_modules", ".build", ".venv", "venv", "__pycache__"]

    /// Dockerfiles under `dir` (recursive, sorted, hidden VCS and dependency folders skipped).
    static func discoverDockerfiles(in dir: String) -> [String] {
        var out: [String] = []
        var stack = [dir]
        var visited = 0
        while let d = stack.popLast(), visited < 100_000 {
            visited += 1
            guard let h = opendir(d) else { continue }
            defer { closedir(h) }
            while let e = readdir(h) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                let path = d.hasSuffix("/") ? d + name : d + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR {
                    if !skippedDirectories.contains(name) && !name.hasPrefix(".venv") { stack.append(path) }
                } else if type == S_IFREG, isDockerfileName(name) {
                    out.append(path)
                }
            }
        }
        return out.sorted()
    }

    static func env(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        return String(cString: v)
    }

    static func environment() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    static func write(_ s: String) { writeAll(1, s) }
    static func writeErr(_ s: String) { writeAll(2, s) }

    static func writeAll(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                off += n
            }
        }
    }
}
