#if canImport(Glibc)
import Glibc
#endif

struct IOFailure: Error {
    var message: String
}

enum FileIO {
    /// Reads a whole file (or standard input for "-") as bytes.
    static func read(_ path: String) -> Result<[UInt8], IOFailure> {
        let fd = path == "-" ? 0 : open(path, O_RDONLY)
        if fd < 0 { return .failure(IOFailure(message: String(cString: strerror(errno)))) }
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            return .failure(IOFailure(message: "is a directory"))
        }
        var out: [UInt8] = []
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

    static func writeErr(_ s: String) {
        var s = s
        s.withUTF8 { buf in _ = write(2, buf.baseAddress, buf.count) }
    }
}
