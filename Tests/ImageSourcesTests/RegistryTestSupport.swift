// A fake registry for the docker:// tests: a tiny HTTP/1.1 server on
// 127.0.0.1 (Glibc sockets, one thread, one request per connection) that
// answers from a routing closure and records what it was asked.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct FakeRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]   // lower-cased names
}

struct FakeResponse: Sendable {
    var status: Int
    var headers: [String: String] = [:]
    var body: [UInt8] = []

    static func json(_ body: [UInt8], type: String = "application/json", digest: String? = nil) -> FakeResponse {
        var h = ["Content-Type": type]
        if let digest { h["Docker-Content-Digest"] = digest }
        return FakeResponse(status: 200, headers: h, body: body)
    }

    static let notFound = FakeResponse(status: 404, headers: ["Content-Type": "application/json"],
                                       body: Array(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8))
}

final class FakeRegistry: @unchecked Sendable {
    let listener: Int32
    let port: Int
    private let lock = NSLock()
    private var log: [FakeRequest] = []
    private var handler: @Sendable (FakeRequest) -> FakeResponse = { _ in .notFound }
    private var stopped = false

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 }
        }
        guard ok else { close(fd); throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var host: String { "127.0.0.1:\(port)" }

    func route(_ h: @escaping @Sendable (FakeRequest) -> FakeResponse) {
        lock.lock(); handler = h; lock.unlock()
    }

    var requests: [FakeRequest] { lock.lock(); defer { lock.unlock() }; return log }

    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        if already { return }
        // Only wake the accept loop here; the serving thread closes the descriptor when it leaves.
        // Closing it from this thread would let the number be reused by another test's socket
        // while `accept` still waits on it, and this fake would then answer that test's requests.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    private func serve() {
        defer { close(listener) }
        while true {
            let c = accept(listener, nil, nil)
            if c < 0 {
                lock.lock(); let s = stopped; lock.unlock()
                if s || errno != EINTR { return }
                continue
            }
            lock.lock(); let s = stopped; lock.unlock()
            if s { close(c); return }
            handle(c)
            close(c)
        }
    }

    private func handle(_ c: Int32) {
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buf.containsHeaderEnd {
            let n = recv(c, &chunk, chunk.count, 0)
            if n <= 0 { return }
            buf += chunk[0..<n]
            // A TLS ClientHello (clients try https first): hang up at once, as a plain-HTTP server's error would.
            if buf.first == 0x16 { return }
            if buf.count > 1 << 16 { return }
        }
        let text = String(decoding: buf, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let first = lines[0].split(separator: " ")
        guard first.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = FakeRequest(method: String(first[0]), path: String(first[1]), headers: headers)
        lock.lock()
        log.append(request)
        let h = handler
        lock.unlock()
        let r = h(request)
        var head = "HTTP/1.1 \(r.status) X\r\nContent-Length: \(r.body.count)\r\nConnection: close\r\n"
        for (k, v) in r.headers { head += "\(k): \(v)\r\n" }
        head += "\r\n"
        let out = Array(head.utf8) + (request.method == "HEAD" ? [] : r.body)
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return true }
        return false
    }
}
