// A small OCI distribution client: GET only, over libcurl (CurlHTTP.swift), one
// request at a time with deadlines. It pings `/v2/`, answers 401 challenges
// (Bearer: fetch a token from the realm, with Basic credentials if there are
// any; Basic: send the credentials), follows redirects itself so credentials
// never leave the registry's origin, retries 429/503 a little, and streams blobs.
// Tokens and passwords never reach a message.

import Foundation

/// What `--verbose` shows: each request, and per registry the requests, bytes and time.
public final class TransferLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var order: [String] = []
    private var totals: [String: (requests: Int, bytes: Int, seconds: Double)] = [:]

    public init() {}

    /// The request lines logged since the last call (`GET URL -> STATUS (B bytes, T ms)`).
    public func takeLines() -> [String] {
        lock.lock(); defer { lock.unlock() }
        defer { lines = [] }
        return lines
    }

    func record(host: String, url: String, status: Int, bytes: Int, seconds: Double) {
        lock.lock()
        if totals[host] == nil { order.append(host); totals[host] = (0, 0, 0) }
        totals[host]!.requests += 1
        totals[host]!.bytes += bytes
        totals[host]!.seconds += seconds
        // Query strings may carry a token service's parameters: shown, but never credentials (those go in headers).
        lines.append("GET \(url) -> \(status) (\(bytes) bytes, \(Int((seconds * 1000).rounded())) ms)")
        lock.unlock()
    }

    /// `registry HOST: R requests, B bytes received in T ms`, one per registry, in first-use order.
    public func summary() -> [String] {
        lock.lock(); defer { lock.unlock() }
        return order.map { h in
            let t = totals[h]!
            return "registry \(h): \(t.requests) requests, \(t.bytes) bytes received in \(Int((t.seconds * 1000).rounded())) ms"
        }
    }

    /// Bytes received from `host` so far.
    public func bytes(host: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        return totals[host]?.bytes ?? 0
    }
}

/// Talks to one registry for one repository: finds the scheme, answers
/// challenges (Bearer tokens, Basic), follows redirects (credentials stay with
/// the registry), retries rate-limited requests a little, and streams blobs.
/// Used from one thread at a time (resolve, then the layer scan); the lock
/// guards the authorization that a later token refresh replaces.
final class RegistryClient: @unchecked Sendable {
    let ref: RegistryReference
    let settings: RegistrySettings
    let credentials: RegistryCredentials?
    /// Why credentials could not be found (helpers), told only when access is refused.
    let credentialNotes: [String]
    let trust: TLSTrust
    /// libcurl handles for requests and blob streams, reused one after another.
    private let handles: CurlPool
    private let lock = NSLock()
    private(set) var base = ""
    /// The current `Authorization` value (a Bearer token or Basic credentials).
    private var authorization: String?
    private var triedBearer = false
    /// Seconds slept for `Retry-After` in total, bounded so a busy registry cannot stall a run.
    private var slept = 0.0

    static let maxBody = 64 << 20
    static let maxRedirects = 10
    static let maxRetries = 3

    init(ref: RegistryReference, settings: RegistrySettings, environment: [String: String]) throws(ImageSourceError) {
        self.ref = ref
        self.settings = settings
        var notes: [String] = []
        credentials = settings.credentials
            ?? RegistryAuthFiles.lookup(host: ref.host, repository: ref.repository, environment: environment, notes: &notes)
        credentialNotes = notes
        trust = try RegistryTrust.trust(host: ref.host, settings: settings, environment: environment)
        handles = CurlPool(trust: trust, timeout: settings.timeout)
    }

    var label: String { "registry \(ref.host)" }

    static func origin(_ url: String) -> String {
        guard let c = URLComponents(string: url) else { return url }
        let port = c.port ?? (c.scheme == "https" ? 443 : 80)
        return "\(c.scheme ?? "")://\(c.host ?? ""):\(port)"
    }

    /// Where a redirect goes, resolved against the URL that sent it.
    static func resolve(_ location: String, against url: String) -> String? {
        guard let base = URL(string: url), let next = URL(string: location, relativeTo: base) else { return nil }
        return next.absoluteURL.absoluteString
    }

    /// Says why a TLS or connection failure happened, and what to do about it.
    func transportError(_ message: String, url: String) -> ImageSourceError {
        let c = URLComponents(string: url)
        let at = "\(c?.scheme ?? "")://\(c?.host ?? "")\(c?.port.map { ":\($0)" } ?? "")"
        let lower = message.lowercased()
        if lower.contains("certificate") || lower.contains("ssl peer") || lower.contains("self-signed") || lower.contains("self signed") {
            let dir = c?.port.map { "\(c?.host ?? ""):\($0)" } ?? (c?.host ?? "")
            let trusted = trust.caFiles.isEmpty ? "" : " (also trusted: \(trust.caFiles.joined(separator: ", ")))"
            return ImageSourceError("\(label): \(at): TLS certificate not trusted: \(message)\(trusted); "
                                    + "put its CA in --cert-dir DIR or /etc/docker/certs.d/\(dir)/ca.crt, or use --tls-verify=false")
        }
        return ImageSourceError("\(label): \(at): \(message)")
    }

    /// One GET with redirects followed: `Authorization` goes only to the registry's own origin,
    /// and a redirect from https to http is refused unless plain HTTP is allowed. Returns the
    /// final reply, not yet read, and when its request started; redirect replies are logged.
    func open(_ url: String, headers: [String: String], wholeReply: Bool) throws(ImageSourceError) -> (HTTPBodyStream, Date) {
        var current = url
        var hs = headers
        let home = Self.origin(url)
        for _ in 0...Self.maxRedirects {
            let started = Date()
            let stream: HTTPBodyStream
            do { stream = try HTTPBodyStream(pool: handles, url: current, headers: hs, wholeReply: wholeReply) } catch {
                throw transportError(error.message, url: current)
            }
            guard [301, 302, 303, 307, 308].contains(stream.status), let location = stream.header("Location") else {
                return (stream, started)
            }
            _ = drain(stream, started: started)
            guard let next = Self.resolve(location, against: current) else {
                throw ImageSourceError("\(label): bad redirect to \(location)")
            }
            try checkRedirect(from: current, to: next)
            if Self.origin(next) != home { hs["Authorization"] = nil }
            current = next
        }
        throw ImageSourceError("\(label): more than \(Self.maxRedirects) redirects from \(url)")
    }

    /// One whole reply (a token), redirects followed.
    func fetch(_ url: String, headers: [String: String] = [:]) throws(ImageSourceError) -> HTTPReply {
        let (stream, started) = try open(url, headers: headers, wholeReply: true)
        return try readWhole(stream, started: started)
    }

    /// Reads a reply that is not the one asked for (a redirect, an error) for its
    /// headers and message, and logs it: at most 64 KiB of body, never an error.
    @discardableResult
    func drain(_ stream: HTTPBodyStream, started: Date) -> HTTPReply {
        let body = (try? stream.readAll(limit: 64 << 10, truncate: true)) ?? []
        return logged(stream, body: body, started: started)
    }

    /// Reads a reply whole (at most `maxBody` bytes, else an error) and logs it.
    func readWhole(_ stream: HTTPBodyStream, started: Date) throws(ImageSourceError) -> HTTPReply {
        let body: [UInt8]
        do { body = try stream.readAll(limit: Self.maxBody) } catch { throw transportError(error.message, url: stream.url) }
        return logged(stream, body: body, started: started)
    }

    private func logged(_ stream: HTTPBodyStream, body: [UInt8], started: Date) -> HTTPReply {
        let r = HTTPReply(status: stream.status, fields: stream.fields, body: body, url: stream.url, received: stream.received)
        settings.log?.record(host: ref.host, url: r.url, status: r.status, bytes: r.received, seconds: Date().timeIntervalSince(started))
        return r
    }

    func checkRedirect(from: String, to next: String) throws(ImageSourceError) {
        if from.hasPrefix("https:") && next.hasPrefix("http:") && settings.tlsVerify && !ref.isLoopback {
            throw ImageSourceError("\(label): refusing a redirect from https to plain http (\(Self.origin(next))); use --tls-verify=false")
        }
    }

    /// Schemes to try: TLS first always (as Docker does); plain HTTP after it only for
    /// loopback registries or with `--tls-verify=false`.
    var schemes: [String] {
        ref.isLoopback || !settings.tlsVerify ? ["https", "http"] : ["https"]
    }

    /// The first request: tries the schemes in turn and keeps the first that answers.
    /// There is no separate `GET /v2/` ping (containerd does without one too): the
    /// manifest request itself finds the scheme and meets the first challenge,
    /// which saves a round trip on every lint.
    func discover(_ path: String, headers: [String: String], wholeReply: Bool) throws(ImageSourceError) -> (HTTPBodyStream, Date) {
        var failures: [String] = []
        for scheme in schemes {
            let b = "\(scheme)://\(ref.host)"
            do throws(ImageSourceError) {
                let (stream, started) = try open(b + path, headers: headers, wholeReply: wholeReply)
                // Plain HTTP to a TLS port (Go's server answers 400): the https failure says why.
                if scheme == "http" && stream.status == 400 && !failures.isEmpty {
                    drain(stream, started: started)
                    break
                }
                base = b
                return (stream, started)
            } catch {
                failures.append(error.message)
            }
        }
        throw ImageSourceError(failures.isEmpty ? "\(label): no scheme to try" : failures.joined(separator: "; "))
    }

    /// The `Authorization` to send now, if any.
    var currentAuthorization: String? {
        lock.lock(); defer { lock.unlock() }
        return authorization
    }

    private func setAuthorization(_ value: String) {
        lock.lock(); authorization = value; lock.unlock()
    }

    /// How long to wait before retrying a 429/503 reply, or nil to give up: `Retry-After`
    /// seconds (else 0.5, 1, 2 s), at most `maxRetries` times and `retryBudget` seconds in all.
    func retryDelay(_ r: HTTPReply, attempt: Int) -> Double? {
        guard r.status == 429 || r.status == 503, attempt < Self.maxRetries else { return nil }
        let wait = r.header("Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } ?? 0.5 * Double(1 << attempt)
        guard wait >= 0, slept + wait <= settings.retryBudget else { return nil }
        slept += wait
        return wait
    }

    /// What `send` ends with: a 200 reply still to be read, or any other reply, read.
    enum Outcome {
        case ok(HTTPBodyStream, started: Date)
        case other(HTTPReply)
    }

    /// A registry path with the current authorization: answers a late challenge (a new
    /// or expired token) once and retries rate-limited replies a little.
    func send(_ path: String, accept: [String] = [], wholeReply: Bool) throws(ImageSourceError) -> Outcome {
        var attempt = 0
        var answered = false
        while true {
            var headers: [String: String] = [:]
            if !accept.isEmpty { headers["Accept"] = accept.joined(separator: ", ") }
            let before = currentAuthorization
            if let before { headers["Authorization"] = before }
            let (stream, started) = base.isEmpty ? try discover(path, headers: headers, wholeReply: wholeReply)
                : try open(base + path, headers: headers, wholeReply: wholeReply)
            if stream.status == 200 { return .ok(stream, started: started) }
            let r = drain(stream, started: started)
            if r.status == 401 && !answered {
                answered = true
                try answer(challenge: r)
                if currentAuthorization != nil && currentAuthorization != before { continue }
            }
            if let wait = retryDelay(r, attempt: attempt) {
                attempt += 1
                Thread.sleep(forTimeInterval: wait)
                continue
            }
            return .other(r)
        }
    }

    /// A registry path read whole (manifests, config), whatever its status.
    func get(_ path: String, accept: [String] = []) throws(ImageSourceError) -> HTTPReply {
        switch try send(path, accept: accept, wholeReply: true) {
        case .ok(let stream, let started): return try readWhole(stream, started: started)
        case .other(let r): return r
        }
    }

    /// Opens a blob as a stream (a layer): its body is read as it arrives.
    func openBlob(_ digest: String) throws(ImageSourceError) -> HTTPBodyStream {
        switch try send("/v2/\(ref.repository)/blobs/\(digest)", wholeReply: false) {
        case .ok(let stream, _): return stream
        case .other(let r): throw failure(r, what: "layer blob \(digest)")
        }
    }

    /// `Bearer realm="...",service="...",scope="..."` -> (scheme, parameters).
    static func parseChallenge(_ header: String) -> (scheme: String, params: [String: String]) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        let sp = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let scheme = trimmed[..<sp].lowercased()
        var params: [String: String] = [:]
        var s = trimmed[sp...].drop { $0 == " " }
        while !s.isEmpty {
            guard let eq = s.firstIndex(of: "=") else { break }
            let key = s[..<eq].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            s = s[s.index(after: eq)...]
            var value = ""
            if s.first == "\"" {
                s = s.dropFirst()
                while let c = s.first {
                    s = s.dropFirst()
                    if c == "\\", let n = s.first { value.append(n); s = s.dropFirst(); continue }
                    if c == "\"" { break }
                    value.append(c)
                }
            } else {
                let end = s.firstIndex(of: ",") ?? s.endIndex
                value = s[..<end].trimmingCharacters(in: .whitespaces)
                s = s[end...]
            }
            s = s.drop { $0 == "," || $0 == " " }
            params[key] = value
        }
        return (scheme, params)
    }

    /// Sets `authorization` from a 401 reply, or throws when nothing can be done.
    func answer(challenge r: HTTPReply) throws(ImageSourceError) {
        guard let header = r.header("WWW-Authenticate") else { throw failure(r, what: ref.repository) }
        let (scheme, params) = Self.parseChallenge(header)
        switch scheme {
        case "bearer":
            guard !triedBearer || currentAuthorization?.hasPrefix("Bearer ") == true else { throw failure(r, what: ref.repository) }
            guard let realm = params["realm"], var comps = URLComponents(string: realm),
                  comps.scheme == "https" || comps.scheme == "http" else {
                throw ImageSourceError("\(label): Bearer challenge without a usable realm")
            }
            if comps.scheme == "http" && !ref.isLoopback && settings.tlsVerify && comps.host != "127.0.0.1" && comps.host != "localhost" {
                throw ImageSourceError("\(label): refusing a token realm over plain HTTP (\(comps.host ?? "")); use --tls-verify=false")
            }
            var items = comps.queryItems ?? []
            if let service = params["service"] { items.append(URLQueryItem(name: "service", value: service)) }
            let scope = params["scope"] ?? "repository:\(ref.repository):pull"
            items.append(URLQueryItem(name: "scope", value: scope))
            if let c = credentials { items.append(URLQueryItem(name: "account", value: c.username)) }
            comps.queryItems = items
            guard let url = comps.url?.absoluteString else { throw ImageSourceError("\(label): bad token realm") }
            var headers: [String: String] = [:]
            if let c = credentials { headers["Authorization"] = c.basic }
            let t = try fetch(url, headers: headers)
            triedBearer = true
            guard t.status == 200 else {
                throw ImageSourceError("\(label): token service \(comps.host ?? realm)\(comps.port.map { ":\($0)" } ?? "") refused \(scope) (HTTP \(t.status))"
                                       + (credentials == nil ? " anonymously" : " for user \(credentials!.username)") + notesSuffix)
            }
            guard let o = try? JSONSerialization.jsonObject(with: Data(t.body)) as? [String: Any],
                  let token = (o["token"] as? String) ?? (o["access_token"] as? String), !token.isEmpty else {
                throw ImageSourceError("\(label): token service \(comps.host ?? realm)\(comps.port.map { ":\($0)" } ?? "") sent no token")
            }
            if currentAuthorization == "Bearer " + token { throw failure(r, what: ref.repository) }
            setAuthorization("Bearer " + token)
        case "basic":
            guard let c = credentials else {
                throw ImageSourceError("\(label): authentication required for \(ref.repository) (HTTP 401); "
                                       + "give --username and --password-stdin or log in" + notesSuffix)
            }
            if currentAuthorization == c.basic { throw failure(r, what: ref.repository) }
            setAuthorization(c.basic)
        default:
            throw ImageSourceError("\(label): unsupported authentication scheme \(scheme)")
        }
    }

    var notesSuffix: String { credentialNotes.isEmpty ? "" : " (" + credentialNotes.joined(separator: "; ") + ")" }

    /// A clear error for a failed reply, naming registry and repository.
    func failure(_ r: HTTPReply, what: String) -> ImageSourceError {
        var detail = ""
        if let o = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
           let errors = o["errors"] as? [[String: Any]], let first = errors.first {
            let code = first["code"] as? String ?? ""
            let message = first["message"] as? String ?? ""
            detail = ": " + [code, message].filter { !$0.isEmpty }.joined(separator: " ")
        }
        let where_ = "\(ref.host)/\(ref.repository)"
        switch r.status {
        case 401:
            return ImageSourceError("\(label): not authorised to pull \(where_) (HTTP 401\(detail))"
                                    + (credentials == nil ? "; no credentials found" : "; credentials for \(credentials!.username) refused") + notesSuffix)
        case 403:
            return ImageSourceError("\(label): access to \(where_) denied (HTTP 403\(detail))" + notesSuffix)
        case 404:
            return ImageSourceError("\(label): \(what) not found in \(where_) (HTTP 404\(detail))")
        case 429:
            let retry = r.header("Retry-After").map { "; retry after \($0) s" } ?? ""
            return ImageSourceError("\(label): rate limited while reading \(where_) (HTTP 429\(detail))\(retry)")
        case 500...599:
            return ImageSourceError("\(label): server error reading \(what) of \(where_) (HTTP \(r.status)\(detail))")
        default:
            return ImageSourceError("\(label): unexpected HTTP \(r.status) reading \(what) of \(where_)\(detail)")
        }
    }
}
