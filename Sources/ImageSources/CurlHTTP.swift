// HTTP(S) for docker://, through libcurl loaded at run time.
//
// Why not URLSession: on Linux, FoundationNetworking *is* libcurl, but its
// wrapper offers no way to trust an extra CA (a registry with a self-signed or
// private certificate), to skip verification when asked (`--tls-verify=false`),
// or to stream a body with back-pressure (a 1 GB layer blob must not pile up in
// memory while the scanner is busy); and it hangs on a `Basic` challenge. So
// we call the same library Foundation uses, directly: `dlopen` of the
// libcurl the Swift runtime already depends on, no headers and no package.
// Only the easy interface is used, one handle per transfer thread.
//
// Variadic `curl_easy_setopt`/`curl_easy_getinfo` are called through fixed
// prototypes with one pointer-sized argument: integers are passed as `long`
// (pointer-sized on LP64), which is how every platform ABI we run on passes
// the first variadic integer/pointer argument.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The libcurl entry points we use.
struct CurlLibrary: @unchecked Sendable {
    typealias EasyInit = @convention(c) () -> OpaquePointer?
    typealias SetLong = @convention(c) (OpaquePointer?, Int32, Int) -> Int32
    typealias SetPointer = @convention(c) (OpaquePointer?, Int32, UnsafeRawPointer?) -> Int32
    typealias GetInfo = @convention(c) (OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias Perform = @convention(c) (OpaquePointer?) -> Int32
    typealias Cleanup = @convention(c) (OpaquePointer?) -> Void
    typealias StrError = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias SlistAppend = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    typealias SlistFree = @convention(c) (OpaquePointer?) -> Void
    typealias GlobalInit = @convention(c) (Int) -> Int32
    typealias Callback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

    let easyInit: EasyInit
    let setLong: SetLong
    let setPointer: SetPointer
    let getInfo: GetInfo
    let perform: Perform
    let cleanup: Cleanup
    let strerror: StrError
    let slistAppend: SlistAppend
    let slistFree: SlistFree
    let version: String

    // Option and info numbers from curl.h (stable ABI since 7.x).
    static let optWriteData: Int32 = 10001, optURL: Int32 = 10002, optErrorBuffer: Int32 = 10010
    static let optWriteFunction: Int32 = 20011, optTimeout: Int32 = 13
    static let optLowSpeedLimit: Int32 = 19, optLowSpeedTime: Int32 = 20, optUserAgent: Int32 = 10018
    static let optHTTPHeader: Int32 = 10023, optHeaderData: Int32 = 10029, optFollowLocation: Int32 = 52
    static let optVerifyPeer: Int32 = 64, optConnectTimeout: Int32 = 78, optHeaderFunction: Int32 = 20079
    static let optVerifyHost: Int32 = 81, optNoSignal: Int32 = 99, optProtocols: Int32 = 181
    static let optCAInfoBlob: Int32 = 40309
    static let infoResponseCode: Int32 = 0x200002, infoHeaderSize: Int32 = 0x20000B
    static let protocolsHTTP = 1 | 2
    static let errorBufferSize = 256

    /// Loaded once; nil (with the reason) where no libcurl can be found.
    static let shared: Result<CurlLibrary, ImageSourceError> = load()

    private static func load() -> Result<CurlLibrary, ImageSourceError> {
        #if canImport(Darwin)
        let names = ["/usr/lib/libcurl.4.dylib", "libcurl.4.dylib", "libcurl.dylib"]
        #else
        // The OpenSSL build first: it is the one that takes an in-memory CA bundle.
        let names = ["libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4"]
        #endif
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first else {
            return .failure(ImageSourceError("docker:// needs libcurl (libcurl.so.4), which could not be loaded"))
        }
        func symbol<T>(_ name: String, _: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: T.self)
        }
        guard let easyInit = symbol("curl_easy_init", EasyInit.self),
              let setLong = symbol("curl_easy_setopt", SetLong.self),
              let setPointer = symbol("curl_easy_setopt", SetPointer.self),
              let getInfo = symbol("curl_easy_getinfo", GetInfo.self),
              let perform = symbol("curl_easy_perform", Perform.self),
              let cleanup = symbol("curl_easy_cleanup", Cleanup.self),
              let strerror = symbol("curl_easy_strerror", StrError.self),
              let slistAppend = symbol("curl_slist_append", SlistAppend.self),
              let slistFree = symbol("curl_slist_free_all", SlistFree.self),
              let globalInit = symbol("curl_global_init", GlobalInit.self) else {
            return .failure(ImageSourceError("the libcurl found lacks the easy interface"))
        }
        _ = globalInit(3)   // CURL_GLOBAL_ALL, before any thread uses it
        var version = "libcurl"
        if let v = symbol("curl_version", (@convention(c) () -> UnsafePointer<CChar>?).self), let s = v() {
            version = String(cString: s)
        }
        return .success(CurlLibrary(easyInit: easyInit, setLong: setLong, setPointer: setPointer, getInfo: getInfo,
                                    perform: perform, cleanup: cleanup, strerror: strerror, slistAppend: slistAppend,
                                    slistFree: slistFree, version: version))
    }
}

/// How TLS is checked.
public struct TLSTrust: Sendable, Equatable {
    /// false: certificates and host names are not checked (`--tls-verify=false`).
    public var verify: Bool
    /// Extra CAs (PEM) trusted besides the system's; empty: the system's only.
    public var extraCAs: [UInt8]
    /// Where `extraCAs` came from, for messages.
    public var caFiles: [String]
    public init(verify: Bool = true, extraCAs: [UInt8] = [], caFiles: [String] = []) {
        self.verify = verify
        self.extraCAs = extraCAs
        self.caFiles = caFiles
    }
}

/// One HTTP reply with its whole body.
struct HTTPReply: Sendable {
    var status: Int
    /// Header fields in order, names lower-cased.
    var fields: [(name: String, value: String)]
    var body: [UInt8]
    var url: String
    /// Bytes received: status line, headers and body.
    var received: Int

    func header(_ name: String) -> String? {
        let n = name.lowercased()
        return fields.first { $0.name == n }?.value
    }
}

/// What a transfer's callbacks fill in (shared with C through an unmanaged pointer).
final class CurlTransfer: @unchecked Sendable {
    let condition = NSCondition()
    var status = 0
    var fields: [(name: String, value: String)] = []
    var headerBytes = 0
    var headersDone = false
    /// A whole reply (manifest, config, token) has an overall deadline; a blob does not.
    let wholeReply: Bool
    /// Chunks waiting for the reader, at most `highWater` bytes.
    var chunks: [[UInt8]] = []
    var chunkHead = 0
    var buffered = 0
    var highWater = 8 << 20
    var finished = false
    var cancelled = false
    var failure: String?
    var bodyBytes = 0

    init(wholeReply: Bool) {
        self.wholeReply = wholeReply
    }

    /// A header line from libcurl: a status line starts a new reply (1xx, proxies).
    func header(_ line: [UInt8]) {
        condition.lock(); defer { condition.unlock() }
        headerBytes += line.count
        var end = line.count
        while end > 0 && (line[end - 1] == 10 || line[end - 1] == 13) { end -= 1 }   // bytes: "\r\n" is one Character
        let text = String(decoding: line[..<end], as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            fields = []
            return
        }
        if text.isEmpty {
            // End of a header block; 1xx replies are followed by the real one.
            if status >= 200 { headersDone = true; condition.broadcast() }
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        fields.append((name, value))
    }

    /// Body bytes from libcurl; returns false to abort the transfer.
    func data(_ p: UnsafeRawBufferPointer) -> Bool {
        condition.lock(); defer { condition.unlock() }
        bodyBytes += p.count
        // Back-pressure: wait while the reader has enough to chew on.
        while buffered >= highWater && !cancelled { condition.wait() }
        if cancelled { return false }
        chunks.append(Array(p))
        buffered += p.count
        condition.broadcast()
        return true
    }
}

/// A libcurl easy handle configured for one registry: TLS trust, timeouts, no
/// automatic redirects (the caller decides what a redirect may carry).
/// Sendable only to be handed to a stream's transfer thread, which is then its sole user.
final class CurlHandle: @unchecked Sendable {
    let curl: CurlLibrary
    let handle: OpaquePointer
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: CurlLibrary.errorBufferSize)
    let caBlob: UnsafeMutableRawBufferPointer?

    struct Blob { var data: UnsafeMutableRawPointer?; var length: Int; var flags: UInt32 }

    let seconds: Int

    init(trust: TLSTrust, timeout: Double) throws(ImageSourceError) {
        let curl = try CurlLibrary.shared.get()
        guard let h = curl.easyInit() else { throw ImageSourceError("libcurl could not make a handle") }
        self.curl = curl
        handle = h
        seconds = max(1, Int(timeout.rounded(.up)))
        _ = curl.setLong(h, CurlLibrary.optNoSignal, 1)
        _ = curl.setLong(h, CurlLibrary.optProtocols, CurlLibrary.protocolsHTTP)
        _ = curl.setLong(h, CurlLibrary.optFollowLocation, 0)
        _ = curl.setLong(h, CurlLibrary.optConnectTimeout, seconds)
        _ = curl.setLong(h, CurlLibrary.optLowSpeedLimit, 1)
        _ = "dflint".withCString { curl.setPointer(h, CurlLibrary.optUserAgent, $0) }   // copied by libcurl
        if !trust.verify {
            _ = curl.setLong(h, CurlLibrary.optVerifyPeer, 0)
            _ = curl.setLong(h, CurlLibrary.optVerifyHost, 0)
        }
        if trust.verify && !trust.extraCAs.isEmpty {
            // System bundle + extra CAs as one in-memory PEM (CAINFO_BLOB replaces CAINFO).
            var pem = Self.systemBundle()
            if !pem.isEmpty && pem.last != 10 { pem.append(10) }
            pem += trust.extraCAs
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pem.count, alignment: 1)
            pem.withUnsafeBytes { buffer.copyMemory(from: $0) }
            caBlob = buffer
            var blob = Blob(data: buffer.baseAddress, length: buffer.count, flags: 0)   // CURL_BLOB_NOCOPY
            let rc = withUnsafePointer(to: &blob) { curl.setPointer(h, CurlLibrary.optCAInfoBlob, UnsafeRawPointer($0)) }
            if rc != 0 {
                throw ImageSourceError("this libcurl (\(curl.version)) cannot take extra CAs: \(String(cString: curl.strerror(rc)!))")
            }
        } else {
            caBlob = nil
        }
        errorBuffer.initialize(repeating: 0, count: CurlLibrary.errorBufferSize)
        _ = curl.setPointer(h, CurlLibrary.optErrorBuffer, errorBuffer)
    }

    deinit {
        curl.cleanup(handle)
        caBlob?.deallocate()
        errorBuffer.deallocate()
    }

    /// The system CA bundle (as Go finds it), so extra CAs add to it.
    static func systemBundle() -> [UInt8] {
        var files: [String] = []
        if let f = ProcessInfo.processInfo.environment["SSL_CERT_FILE"], !f.isEmpty { files.append(f) }
        files += ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
                  "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"]
        for f in files {
            if let d = FileManager.default.contents(atPath: f), !d.isEmpty { return [UInt8](d) }
        }
        return []
    }

    /// Runs one transfer on this thread, filling `transfer`; returns libcurl's error text, or nil.
    func perform(url: String, headers: [String: String], transfer: CurlTransfer) -> String? {
        let h = handle
        // A stalled transfer (under 1 byte/s for `timeout`) is given up; whole replies also
        // have an overall limit, streamed blobs do not (a big layer is slow, not stuck).
        _ = curl.setLong(h, CurlLibrary.optLowSpeedTime, transfer.wholeReply ? seconds : max(seconds, 60))
        _ = curl.setLong(h, CurlLibrary.optTimeout, transfer.wholeReply ? seconds * 4 : 0)
        var list: OpaquePointer? = nil
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) {
            list = "\(k): \(v)".withCString { curl.slistAppend(list, $0) }
        }
        // libcurl adds `Accept: */*` unless told otherwise; an empty `Expect:` keeps it simple.
        list = "Expect:".withCString { curl.slistAppend(list, $0) }
        defer { curl.slistFree(list) }
        _ = url.withCString { curl.setPointer(h, CurlLibrary.optURL, $0) }
        _ = curl.setPointer(h, CurlLibrary.optHTTPHeader, UnsafeRawPointer(list))
        let context = Unmanaged.passRetained(transfer)
        defer { context.release() }
        let write: CurlLibrary.Callback = { p, size, count, user in
            guard let user else { return 0 }
            let t = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            let n = size * count
            return t.data(UnsafeRawBufferPointer(start: p, count: n)) ? n : 0
        }
        let header: CurlLibrary.Callback = { p, size, count, user in
            guard let user else { return 0 }
            let t = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
            let n = size * count
            t.header(p.map { Array(UnsafeRawBufferPointer(start: $0, count: n)) } ?? [])
            return n
        }
        _ = curl.setPointer(h, CurlLibrary.optWriteFunction, unsafeBitCast(write, to: UnsafeRawPointer.self))
        _ = curl.setPointer(h, CurlLibrary.optWriteData, context.toOpaque())
        _ = curl.setPointer(h, CurlLibrary.optHeaderFunction, unsafeBitCast(header, to: UnsafeRawPointer.self))
        _ = curl.setPointer(h, CurlLibrary.optHeaderData, context.toOpaque())
        errorBuffer[0] = 0
        let rc = curl.perform(h)
        guard rc != 0 else { return nil }
        let detail = String(cString: errorBuffer)
        let text = curl.strerror(rc).map { String(cString: $0) } ?? "libcurl error \(rc)"
        return detail.isEmpty ? text : detail
    }
}

/// A reply read as it arrives: libcurl runs on a thread of its own and hands bytes
/// over through a bounded buffer; reading waits for them. Every request goes this
/// way: a layer blob is read piece by piece, a manifest with `readAll(limit:)`.
/// Dropping the stream (or `close()`) stops the transfer.
final class HTTPBodyStream: ByteSource {
    let transfer: CurlTransfer
    let status: Int
    let fields: [(name: String, value: String)]
    let url: String
    private var current: [UInt8] = []
    private var offset = 0

    /// Starts the GET on a handle of its own and waits for the reply's header (or the transfer's end).
    convenience init(trust: TLSTrust, timeout: Double, url: String, headers: [String: String],
                     wholeReply: Bool = false) throws(ImageSourceError) {
        try self.init(pool: CurlPool(trust: trust, timeout: timeout), url: url, headers: headers, wholeReply: wholeReply)
    }

    /// Starts the GET on a handle from `pool` (given back when the transfer ends, so the
    /// next blob reuses its connection and TLS session) and waits for the reply's header.
    init(pool: CurlPool, url: String, headers: [String: String], wholeReply: Bool = false) throws(ImageSourceError) {
        let handle = try pool.take()
        let transfer = CurlTransfer(wholeReply: wholeReply)
        self.transfer = transfer
        self.url = url
        let thread = Thread {
            let error = handle.perform(url: url, headers: headers, transfer: transfer)
            pool.give(handle)   // before the reader hears of the end, so the next blob finds it idle
            transfer.condition.lock()
            if let error, !transfer.cancelled { transfer.failure = error }
            transfer.finished = true
            transfer.condition.broadcast()
            transfer.condition.unlock()
        }
        thread.stackSize = 1 << 20
        thread.start()
        transfer.condition.lock()
        while !transfer.headersDone && !transfer.finished { transfer.condition.wait() }
        status = transfer.status
        fields = transfer.fields
        let failure = transfer.headersDone ? nil : transfer.failure
        transfer.condition.unlock()
        if let failure { throw ImageSourceError(failure) }
    }

    deinit { close() }

    func header(_ name: String) -> String? {
        let n = name.lowercased()
        return fields.first { $0.name == n }?.value
    }

    /// Bytes received so far (headers and body).
    var received: Int {
        transfer.condition.lock(); defer { transfer.condition.unlock() }
        return transfer.headerBytes + transfer.bodyBytes
    }

    /// The rest of the body, at most `limit` bytes: throws when there is more
    /// (unless `truncate`, which keeps the first `limit`) or the transfer fails.
    func readAll(limit: Int, truncate: Bool = false) throws(ImageSourceError) -> [UInt8] {
        var body: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n: Int
            do { n = try chunk.withUnsafeMutableBytes { try read(into: $0) } } catch {
                throw (error as? ImageSourceError) ?? ImageSourceError("\(url): \(error)")
            }
            if n == 0 { return body }
            if body.count + n > limit {
                close()
                if truncate { return body + chunk[0..<(limit - body.count)] }
                throw ImageSourceError("reply larger than \(limit) bytes from \(url)")
            }
            body += chunk[0..<n]
        }
    }

    func close() {
        transfer.condition.lock()
        if !transfer.finished { transfer.cancelled = true }
        transfer.condition.broadcast()
        transfer.condition.unlock()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if buffer.count == 0 { return 0 }
        if offset == current.count {
            let t = transfer
            t.condition.lock()
            while t.chunkHead == t.chunks.count && !t.finished { t.condition.wait() }
            if t.chunkHead < t.chunks.count {
                current = t.chunks[t.chunkHead]
                t.chunks[t.chunkHead] = []
                t.chunkHead += 1
                if t.chunkHead > 64 { t.chunks.removeFirst(t.chunkHead); t.chunkHead = 0 }
                t.buffered -= current.count
                offset = 0
                t.condition.broadcast()
                t.condition.unlock()
            } else {
                let failure = t.failure
                t.condition.unlock()
                if let failure { throw ImageSourceError("\(url): transfer failed: \(failure)") }
                return 0
            }
        }
        let n = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}

/// Idle handles for one registry: a request or blob stream takes one and gives it
/// back when its transfer ends, so what follows reuses the connection (and the
/// parsed CA store) instead of a new TLS handshake each time.
final class CurlPool: @unchecked Sendable {
    let trust: TLSTrust
    let timeout: Double
    private let lock = NSLock()
    private var idle: [CurlHandle] = []
    static let maxIdle = 4

    init(trust: TLSTrust, timeout: Double) {
        self.trust = trust
        self.timeout = timeout
    }

    func take() throws(ImageSourceError) -> CurlHandle {
        lock.lock()
        let h = idle.popLast()
        lock.unlock()
        if let h { return h }
        return try CurlHandle(trust: trust, timeout: timeout)
    }

    func give(_ h: CurlHandle) {
        lock.lock(); defer { lock.unlock() }
        if idle.count < Self.maxIdle { idle.append(h) }
    }
}
