// A minimal HTTP/1.1 client over a Unix-domain stream socket, for the Docker and
// Podman Engine APIs: one request per connection (`Connection: close`), a
// deadline enforced with poll(2), Content-Length / chunked / read-to-EOF bodies.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum UnixHTTP {
    struct Response: Sendable {
        var status: Int
        var reason: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        /// First header with this name (case-insensitive).
        func header(_ name: String) -> String? {
            let n = name.lowercased()
            return headers.first { $0.name.lowercased() == n }?.value
        }
    }

    static let maxHeaderBytes = 1 << 20
    static let defaultMaxBody = 256 << 20

    /// Sends `method target` to the socket at `path` and reads the whole reply within `timeout` seconds.
    static func request(socket path: String, method: String = "GET", target: String, timeout: Double,
                        maxBody: Int = defaultMaxBody) throws(ImageSourceError) -> Response {
        let deadline = now() + max(timeout, 0.001)
        let fd = try connect(path, deadline: deadline)
        defer { _ = Glibc.close(fd) }
        let request = "\(method) \(target) HTTP/1.1\r\nHost: docker\r\nUser-Agent: dflint\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        try sendAll(fd, Array(request.utf8), path: path, deadline: deadline)

        var buf: [UInt8] = []
        var head: (status: Int, reason: String, headers: [(name: String, value: String)], bodyStart: Int)?
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if let h = head {
                let body = buf[h.bodyStart...]
                if let done = try complete(body: body, head: h, method: method) {
                    return Response(status: h.status, reason: h.reason, headers: h.headers, body: done)
                }
                if body.count > maxBody + 1 << 16 { throw ImageSourceError("\(path): reply larger than \(maxBody >> 20) MiB") }
            } else if buf.count > maxHeaderBytes {
                throw ImageSourceError("\(path): reply headers larger than 1 MiB, not an HTTP server?")
            }
            try wait(fd, events: Int16(POLLIN), path: path, deadline: deadline, doing: "waiting for the reply")
            let n = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                throw ImageSourceError("\(path): read error: \(JSONFile.errnoText(errno))")
            }
            if n == 0 {
                // EOF: the reply ends here.
                guard let h = head else {
                    if buf.isEmpty { throw ImageSourceError("\(path): the server closed the connection without replying") }
                    throw ImageSourceError("\(path): incomplete HTTP reply headers")
                }
                let body = buf[h.bodyStart...]
                if let done = try complete(body: body, head: h, method: method, eof: true) {
                    return Response(status: h.status, reason: h.reason, headers: h.headers, body: done)
                }
                throw ImageSourceError("\(path): the reply was cut short (connection closed mid-body)")
            }
            buf.append(contentsOf: chunk[0..<n])
            if head == nil, let end = headerEnd(buf) {
                var h = try parseHead(Array(buf[0..<end]), path: path)
                h.bodyStart = end + 4
                if (100..<200).contains(h.status) {   // 100 Continue and friends: skip, read the real head
                    buf.removeFirst(end + 4)
                } else {
                    head = h
                }
            }
        }
    }

    // MARK: - framing

    static func headerEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    static func parseHead(_ b: [UInt8], path: String) throws(ImageSourceError) -> (status: Int, reason: String, headers: [(name: String, value: String)], bodyStart: Int) {
        let text = String(decoding: b, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
            throw ImageSourceError("\(path): not an HTTP reply (status line \"\(statusLine.prefix(60))\")")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]).trimmingSpaces, String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        return (status, parts.count > 2 ? String(parts[2]) : "", headers, 0)
    }

    /// The full body when it is complete, nil when more bytes are needed.
    static func complete(body: ArraySlice<UInt8>, head h: (status: Int, reason: String, headers: [(name: String, value: String)], bodyStart: Int),
                         method: String, eof: Bool = false) throws(ImageSourceError) -> [UInt8]? {
        func header(_ n: String) -> String? { h.headers.first { $0.name.lowercased() == n }?.value }
        if method == "HEAD" || h.status == 204 || h.status == 304 { return [] }
        if let te = header("transfer-encoding"), te.lowercased().contains("chunked") {
            switch dechunk(body) {
            case .complete(let b): return b
            case .invalid(let why): throw ImageSourceError("malformed chunked reply: \(why)")
            case .incomplete: return nil
            }
        }
        if let cl = header("content-length") {
            guard let n = Int(cl), n >= 0 else { throw ImageSourceError("malformed Content-Length \"\(cl)\"") }
            if body.count >= n { return Array(body.prefix(n)) }
            return nil
        }
        return eof ? Array(body) : nil
    }

    enum Dechunked: Equatable { case complete([UInt8]), incomplete, invalid(String) }

    /// Decodes a `Transfer-Encoding: chunked` body (extensions and trailers ignored).
    static func dechunk(_ b: ArraySlice<UInt8>) -> Dechunked {
        var out: [UInt8] = []
        var i = b.startIndex
        func line(from start: Int) -> (String, Int)? {
            var j = start
            while j + 1 < b.endIndex {
                if b[j] == 13 && b[j + 1] == 10 { return (String(decoding: b[start..<j], as: UTF8.self), j + 2) }
                j += 1
            }
            return nil
        }
        while true {
            guard let (sizeLine, next) = line(from: i) else {
                return b.endIndex - i > 1024 ? .invalid("chunk size line too long") : .incomplete
            }
            let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces } ?? ""
            guard !hex.isEmpty, hex.count <= 15, hex.allSatisfy(\.isHexDigit), let size = Int(hex, radix: 16), size >= 0 else { return .invalid("bad chunk size \"\(sizeLine.prefix(20))\"") }
            if size == 0 {
                // Trailers until an empty line.
                var t = next
                while true {
                    guard let (trailer, after) = line(from: t) else { return .incomplete }
                    if trailer.isEmpty { return .complete(out) }
                    t = after
                }
            }
            guard next + size + 2 <= b.endIndex else { return .incomplete }
            out.append(contentsOf: b[next..<(next + size)])
            guard b[next + size] == 13, b[next + size + 1] == 10 else { return .invalid("chunk not followed by CRLF") }
            i = next + size + 2
        }
    }

    // MARK: - socket plumbing

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func connect(_ path: String, deadline: Double) throws(ImageSourceError) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw ImageSourceError("socket path \(path) is too long for a Unix socket (\(capacity - 1) bytes at most)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ImageSourceError("cannot create a Unix socket: \(JSONFile.errnoText(errno))") }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) }
        }
        if rc != 0 {
            let e = errno
            if e == EINPROGRESS || e == EAGAIN {
                do {
                    try wait(fd, events: Int16(POLLOUT), path: path, deadline: deadline, doing: "connecting")
                } catch {
                    _ = Glibc.close(fd)
                    throw error
                }
                var soErr: Int32 = 0
                var sl = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &sl)
                if soErr == 0 { return fd }
                _ = Glibc.close(fd)
                throw connectError(path, soErr)
            }
            _ = Glibc.close(fd)
            throw connectError(path, e)
        }
        return fd
    }

    static func connectError(_ path: String, _ e: Int32) -> ImageSourceError {
        switch e {
        case ENOENT: return ImageSourceError("no daemon socket at \(path) (is the daemon running? use --host unix:///path or DOCKER_HOST)")
        case ECONNREFUSED: return ImageSourceError("\(path): connection refused (stale socket: the daemon is not running)")
        case EACCES, EPERM: return ImageSourceError("\(path): permission denied (join the docker group or run as root)")
        case ENOTSOCK: return ImageSourceError("\(path) is not a socket")
        case EAGAIN: return ImageSourceError("\(path): the daemon is not accepting connections (backlog full)")
        default: return ImageSourceError("\(path): cannot connect: \(JSONFile.errnoText(e))")
        }
    }

    static func wait(_ fd: Int32, events: Int16, path: String, deadline: Double, doing: String) throws(ImageSourceError) {
        while true {
            let left = deadline - now()
            if left <= 0 { throw ImageSourceError("\(path): timed out \(doing)") }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&p, 1, Int32(min(left * 1000, 3_600_000).rounded(.up)))
            if rc < 0 {
                if errno == EINTR { continue }
                throw ImageSourceError("\(path): poll failed: \(JSONFile.errnoText(errno))")
            }
            if rc == 0 { continue }
            return   // readable, writable, hung up or error: the next call reports which
        }
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8], path: String, deadline: Double) throws(ImageSourceError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    try wait(fd, events: Int16(POLLOUT), path: path, deadline: deadline, doing: "sending the request")
                    continue
                }
                throw ImageSourceError("\(path): write error: \(JSONFile.errnoText(errno))")
            }
            sent += n
        }
    }
}

fileprivate extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
