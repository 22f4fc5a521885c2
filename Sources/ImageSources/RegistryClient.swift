// A small OCI distribution client: GET only, through URLSession, one request at a
// time with a deadline. It pings `/v2/`, answers 401 challenges (Bearer: fetch a
// token from the realm, with Basic credentials if there are any; Basic: send the
// credentials) and retries once. Tokens and passwords never reach a message.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct RegistryResponse: Sendable {
    var status: Int
    var headers: [String: String]   // lower-cased names
    var body: [UInt8]
    var url: String
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The URLSession delegate: skips certificate checks when asked to (Darwin only),
/// drops `Authorization` when a redirect leaves the registry (blob storage would
/// refuse it), and turns down URLSession's own handling of 401 challenges: on
/// Linux it hangs on `WWW-Authenticate: Basic`. The refused challenge's reply is
/// kept so the client can answer it itself.
final class RegistrySessionDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let insecure: Bool
    private let lock = NSLock()
    private var challenged: [Int: HTTPURLResponse] = [:]
    init(insecure: Bool) { self.insecure = insecure }

    /// The 401 reply URLSession wanted to handle for this task, if any (taken once).
    func takeChallenge(_ task: URLSessionTask) -> HTTPURLResponse? {
        lock.lock(); defer { lock.unlock() }
        return challenged.removeValue(forKey: task.taskIdentifier)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        #if canImport(Darwin)
        if challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust {
            if insecure, let trust = challenge.protectionSpace.serverTrust {
                completionHandler(.useCredential, URLCredential(trust: trust))
            } else {
                completionHandler(.performDefaultHandling, nil)
            }
            return
        }
        #endif
        if let r = challenge.failureResponse as? HTTPURLResponse {
            lock.lock(); challenged[task.taskIdentifier] = r; lock.unlock()
        }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
    // swift-corelibs-foundation (Linux) offers no server-trust challenge: there
    // `--tls-verify=false` allows plain HTTP but certificates are still checked.

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        var next = request
        func origin(_ u: URL?) -> String { "\(u?.scheme ?? "")://\(u?.host ?? ""):\(u?.port ?? -1)" }
        if origin(next.url) != origin(task.originalRequest?.url) {
            next.setValue(nil, forHTTPHeaderField: "Authorization")
        }
        completionHandler(next)
    }
}

final class RegistryClient {
    let ref: RegistryReference
    let settings: RegistrySettings
    let credentials: RegistryCredentials?
    /// Why credentials could not be found (helpers), told only when access is refused.
    let credentialNotes: [String]
    let session: URLSession
    let delegate: RegistrySessionDelegate
    var base = ""
    /// The current `Authorization` value (a Bearer token or Basic credentials).
    private var authorization: String?
    private var triedBearer = false

    static let maxBody = 64 << 20

    init(ref: RegistryReference, settings: RegistrySettings, environment: [String: String]) {
        self.ref = ref
        self.settings = settings
        var notes: [String] = []
        credentials = settings.credentials
            ?? RegistryAuthFiles.lookup(host: ref.host, repository: ref.repository, environment: environment, notes: &notes)
        credentialNotes = notes
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = settings.timeout
        config.timeoutIntervalForResource = settings.timeout * 4
        config.httpAdditionalHeaders = ["User-Agent": "dflint"]
        config.urlCache = nil
        config.httpCookieStorage = nil
        delegate = RegistrySessionDelegate(insecure: !settings.tlsVerify)
        session = URLSession(configuration: config, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    var label: String { "registry \(ref.host)" }

    /// One GET, waited for. Transport failures throw; any HTTP status is returned.
    func fetch(_ url: String, headers: [String: String] = [:]) throws(ImageSourceError) -> RegistryResponse {
        guard let u = URL(string: url) else { throw ImageSourceError("\(label): bad URL \(url)") }
        var request = URLRequest(url: u, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: settings.timeout)
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        final class Result: @unchecked Sendable {
            var data: Data?
            var response: URLResponse?
            var error: Error?
        }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            result.data = data
            result.response = response
            result.error = error
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + settings.timeout * 4 + 1) == .timedOut {
            task.cancel()
            throw ImageSourceError("\(label): no answer from \(u.host ?? url) within \(Int(settings.timeout * 4)) s")
        }
        if let challenged = delegate.takeChallenge(task) {
            var hs: [String: String] = [:]
            for (k, v) in challenged.allHeaderFields {
                if let k = k as? String, let v = v as? String { hs[k.lowercased()] = v }
            }
            return RegistryResponse(status: challenged.statusCode, headers: hs, body: [], url: url)
        }
        if let error = result.error {
            throw ImageSourceError("\(label): \(u.scheme ?? "")://\(u.host ?? "")\(u.port.map { ":\($0)" } ?? ""): \(error.localizedDescription)")
        }
        guard let http = result.response as? HTTPURLResponse else { throw ImageSourceError("\(label): no HTTP response") }
        let body = [UInt8](result.data ?? Data())
        if body.count > Self.maxBody { throw ImageSourceError("\(label): reply larger than \(Self.maxBody) bytes") }
        var hs: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { hs[k.lowercased()] = v }
        }
        return RegistryResponse(status: http.statusCode, headers: hs, body: body, url: http.url?.absoluteString ?? url)
    }

    /// Schemes to try: TLS only, unless the registry is local or `--tls-verify=false`.
    var schemes: [String] {
        if ref.isLoopback { return ["http", "https"] }
        return settings.tlsVerify ? ["https"] : ["https", "http"]
    }

    /// `GET /v2/`: finds a scheme that answers and handles the first challenge.
    func ping() throws(ImageSourceError) {
        var failures: [String] = []
        for scheme in schemes {
            let b = "\(scheme)://\(ref.host)"
            do throws(ImageSourceError) {
                let r = try fetch(b + "/v2/")
                // Plain HTTP to a TLS port: Go's server answers 400; try the next scheme.
                if scheme == "http" && r.status == 400 && schemes.last != scheme { continue }
                base = b
                if r.status == 401 { try answer(challenge: r) }
                else if r.status >= 400 && r.status != 404 { throw failure(r, what: "/v2/") }
                return
            } catch {
                if !base.isEmpty { throw error }
                failures.append(error.message)
            }
        }
        throw ImageSourceError(failures.isEmpty ? "\(label): no scheme to try" : failures.joined(separator: "; "))
    }

    /// Authenticated GET of a registry path, answering one late challenge.
    func get(_ path: String, accept: [String] = []) throws(ImageSourceError) -> RegistryResponse {
        var headers: [String: String] = [:]
        if !accept.isEmpty { headers["Accept"] = accept.joined(separator: ", ") }
        if let authorization { headers["Authorization"] = authorization }
        var r = try fetch(base + path, headers: headers)
        if r.status == 401 {
            let before = authorization
            try answer(challenge: r)
            if authorization != nil && authorization != before {
                headers["Authorization"] = authorization
                r = try fetch(base + path, headers: headers)
            }
        }
        return r
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
    func answer(challenge r: RegistryResponse) throws(ImageSourceError) {
        guard let header = r.header("WWW-Authenticate") else { throw failure(r, what: "/v2/") }
        let (scheme, params) = Self.parseChallenge(header)
        switch scheme {
        case "bearer":
            guard !triedBearer || authorization?.hasPrefix("Bearer ") == true else { throw failure(r, what: ref.repository) }
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
                throw ImageSourceError("\(label): token service \(comps.host ?? realm) refused \(scope) (HTTP \(t.status))"
                                       + (credentials == nil ? " anonymously" : " for user \(credentials!.username)") + notesSuffix)
            }
            guard let o = try? JSONSerialization.jsonObject(with: Data(t.body)) as? [String: Any],
                  let token = (o["token"] as? String) ?? (o["access_token"] as? String), !token.isEmpty else {
                throw ImageSourceError("\(label): token service \(comps.host ?? realm) sent no token")
            }
            if authorization == "Bearer " + token { throw failure(r, what: ref.repository) }
            authorization = "Bearer " + token
        case "basic":
            guard let c = credentials else {
                throw ImageSourceError("\(label): authentication required for \(ref.repository) (HTTP 401); "
                                       + "give --username and --password-stdin or log in" + notesSuffix)
            }
            if authorization == c.basic { throw failure(r, what: ref.repository) }
            authorization = c.basic
        default:
            throw ImageSourceError("\(label): unsupported authentication scheme \(scheme)")
        }
    }

    var notesSuffix: String { credentialNotes.isEmpty ? "" : " (" + credentialNotes.joined(separator: "; ") + ")" }

    /// A clear error for a failed reply, naming registry and repository.
    func failure(_ r: RegistryResponse, what: String) -> ImageSourceError {
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
