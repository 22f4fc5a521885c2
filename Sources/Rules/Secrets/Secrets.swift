// Secret detection for CIS 4.10: names that look like secrets, values in
// known credential formats, and files that usually hold credentials.
// Matchers are hand-written scanners (prefix + character class + length),
// so they are linear and need no regular-expression engine.

enum Secrets {
    // MARK: names

    /// Words that make a variable name secret-looking.
    static let secretTokens: Set<String> = ["PASSWORD", "PASSWD", "PASSPHRASE", "PASS", "PWD_HASH", "SECRET", "SECRETS",
                                            "TOKEN", "TOKENS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH",
                                            "PRIVATEKEY", "SECRETKEY", "ACCESSKEY", "CLIENTSECRET"]
    /// `KEY` counts only next to one of these (`API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`...).
    static let keyQualifiers: Set<String> = ["API", "ACCESS", "PRIVATE", "SECRET", "ENCRYPTION", "SIGNING", "MASTER",
                                             "LICENSE", "SESSION", "CLIENT", "APP", "ACCOUNT", "SERVICE"]
    /// Words that turn a secret-looking name into a reference or a setting.
    static let harmlessTokens: Set<String> = ["FILE", "FILES", "PATH", "DIR", "URL", "URI", "HOST", "PORT", "NAME", "ID",
                                              "LENGTH", "LEN", "MIN", "MAX", "SIZE", "TTL", "TIMEOUT", "EXPIRY", "EXPIRES",
                                              "ENABLED", "REQUIRED", "MODE", "TYPE", "VERSION", "POLICY", "HEADER", "FIELD",
                                              "PARAM", "METHOD", "PUBLIC", "PUB", "FINGERPRINT", "COUNT", "PREFIX", "SUFFIX",
                                              "FORMAT", "ALGORITHM", "ALGO", "REGEX", "PATTERN", "ENDPOINT", "SERVER",
                                              "PROVIDER", "STRATEGY", "LOCATION", "KEYRING", "KEYSERVER", "USER", "USERNAME",
                                              "REALM", "SCOPE", "ISSUER", "AUDIENCE", "LIFETIME", "ROTATION", "HASH", "ROUNDS",
                                              "COST", "RESET", "CHANGE", "PROMPT", "STDIN", "COMMAND", "CMD", "HELPER",
                                              "STORE", "MANAGER", "BACKEND", "PLUGIN", "OPTS", "OPTIONS", "CONFIG", "CONF", "CFG",
                                              "HOME", "LOCK", "SALT_ROUNDS"]
    /// Well-known public names that contain secret words.
    static let knownPublic: Set<String> = ["GPG_KEY", "GPG_KEYS", "GPG_KEY_ID", "PGP_KEY", "PGP_KEYS", "PWD", "OLDPWD",
                                           "PYTHON_GPG_KEY", "NGINX_GPG_KEY", "NGINX_GPGKEY", "NGINX_GPGKEYS",
                                           "NODE_KEYS", "KEYS", "PUB_KEY", "RUBY_DOWNLOAD_SHA256"]

    /// Splits `DB_PASSWORD`, `dbPassword`, `db-password` into upper-case words.
    static func tokens(_ name: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var prevLower = false
        for ch in name {
            if ch == "_" || ch == "-" || ch == "." {
                if !cur.isEmpty { out.append(cur) }
                cur = ""
                prevLower = false
                continue
            }
            if ch.isUppercase && prevLower {
                out.append(cur)
                cur = ""
            }
            cur.append(ch)
            prevLower = ch.isLowercase || ch.isNumber
        }
        if !cur.isEmpty { out.append(cur) }
        return out.map { $0.uppercased() }
    }

    /// Whether a variable name looks like it holds a secret.
    static func isSecretName(_ name: String) -> Bool {
        if knownPublic.contains(name.uppercased()) { return false }
        let t = tokens(name)
        var secretAt: Int?
        for (i, w) in t.enumerated() {
            if secretTokens.contains(w) { secretAt = i }
            if w == "KEY" {
                if i > 0, keyQualifiers.contains(t[i - 1]) { secretAt = i }
            }
        }
        // `mysecret`, `dbPassword`-less spellings: a word that ends in a secret word.
        if secretAt == nil {
            for (i, w) in t.enumerated() where w.count > 6 {
                if ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIALS"].contains(where: { w.hasSuffix($0) && w.count > $0.count }) {
                    secretAt = i
                }
            }
        }
        guard let at = secretAt else { return false }
        // `PASSWORD_FILE`, `TOKEN_URL`, `PASSWORD_MIN_LENGTH`: a reference or a setting.
        if t[(at + 1)...].contains(where: harmlessTokens.contains) { return false }
        if t.last.map(harmlessTokens.contains) == true { return false }
        return true
    }

    // MARK: values

    struct Match {
        var range: Range<Int>   // byte offsets in the scanned text
        var kind: String
    }

    @inline(__always) static func isUpperAlnum(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
    }
    @inline(__always) static func isB64URL(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F || b == 0x2D }

    /// (prefix, allowed-body-char, min body length, max body length or 0, kind)
    static let tokenFormats: [(String, @Sendable (UInt8) -> Bool, Int, Int, String)] = [
        ("AKIA", isUpperAlnum, 16, 16, "AWS access key id"),
        ("ASIA", isUpperAlnum, 16, 16, "AWS temporary access key id"),
        ("ghp_", isAlnum, 36, 36, "GitHub personal access token"),
        ("gho_", isAlnum, 36, 36, "GitHub OAuth token"),
        ("ghu_", isAlnum, 36, 36, "GitHub user-to-server token"),
        ("ghs_", isAlnum, 36, 36, "GitHub server-to-server token"),
        ("ghr_", isAlnum, 36, 36, "GitHub refresh token"),
        ("github_pat_", { isAlnum($0) || $0 == 0x5F }, 60, 0, "GitHub fine-grained token"),
        ("glpat-", isB64URL, 20, 0, "GitLab personal access token"),
        ("xoxb-", { isAlnum($0) || $0 == 0x2D }, 10, 0, "Slack bot token"),
        ("xoxp-", { isAlnum($0) || $0 == 0x2D }, 10, 0, "Slack user token"),
        ("xoxa-", { isAlnum($0) || $0 == 0x2D }, 10, 0, "Slack app token"),
        ("xoxs-", { isAlnum($0) || $0 == 0x2D }, 10, 0, "Slack session token"),
        ("xoxr-", { isAlnum($0) || $0 == 0x2D }, 10, 0, "Slack refresh token"),
        ("npm_", isAlnum, 36, 36, "npm access token"),
        ("pypi-AgEIcHlwaS5vcmc", isB64URL, 40, 0, "PyPI API token"),
        ("sk_live_", isAlnum, 24, 0, "Stripe secret key"),
        ("AIza", isB64URL, 35, 35, "Google API key"),
    ]

    /// Token formats as byte arrays, and which bytes can start one.
    static let compiledFormats: [([UInt8], @Sendable (UInt8) -> Bool, Int, Int, String)] = tokenFormats.map { (Array($0.0.utf8), $0.1, $0.2, $0.3, $0.4) }
    static let startsFormat: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for f in tokenFormats { t[Int(f.0.utf8.first!)] = true }
        t[0x2D] = true // -----BEGIN
        t[0x65] = true // eyJ
        t[0x3A] = true // ://
        return t
    }()

    /// Finds credential-format values in `s`.
    static func scan(_ s: [UInt8]) -> [Match] {
        var out: [Match] = []
        let n = s.count
        var i = 0
        while i < n {
            let b = s[i]
            if !startsFormat[Int(b)] { i += 1; continue }
            // Token formats: must not be glued to a preceding identifier character.
            if i == 0 || !isAlnum(s[i - 1]) {
                for (p, cls, minLen, maxLen, kind) in compiledFormats where b == p[0] {
                    guard i + p.count <= n, s[i..<i + p.count].elementsEqual(p) else { continue }
                    var j = i + p.count
                    while j < n, cls(s[j]) { j += 1 }
                    let len = j - i - p.count
                    let endsCleanly = j == n || !isAlnum(s[j])
                    if len >= minLen, maxLen == 0 || len == maxLen, endsCleanly {
                        out.append(Match(range: i..<j, kind: kind))
                        i = j - 1
                        break
                    }
                }
            }
            // -----BEGIN ... PRIVATE KEY-----
            if b == 0x2D, i + 11 <= n, s[i..<i + 11].elementsEqual(Array("-----BEGIN ".utf8)) {
                var j = i + 11
                while j < n, j - i < 80, s[j] != 0x0A, s[j] != 0x2D { j += 1 }
                let header = String(decoding: s[i..<j], as: UTF8.self)
                if header.hasSuffix("PRIVATE KEY") || header.hasSuffix("PRIVATE KEY BLOCK") {
                    var k = j
                    while k < n, s[k] == 0x2D { k += 1 }
                    out.append(Match(range: i..<k, kind: "private key"))
                    i = k
                    continue
                }
            }
            // JWT: eyJ<b64>.eyJ<b64>.<b64>
            if b == 0x65, i == 0 || !isB64URL(s[i - 1]), let j = jwtEnd(s, from: i) {
                out.append(Match(range: i..<j, kind: "JSON Web Token"))
                i = j
                continue
            }
            // scheme://user:password@host
            if b == 0x3A, i + 3 <= n, s[i + 1] == 0x2F, s[i + 2] == 0x2F {
                var j = i + 3
                var colon = -1
                while j < n, !isURLEnd(s[j]) {
                    if s[j] == 0x3A, colon < 0 { colon = j }
                    if s[j] == 0x40 { break }
                    if s[j] == 0x2F { break }
                    j += 1
                }
                if j < n, s[j] == 0x40, colon > i + 3, colon + 1 < j {
                    let pass = s[(colon + 1)..<j]
                    if pass.first != 0x24 { // `$TOKEN` is a reference, not a value
                        out.append(Match(range: (colon + 1)..<j, kind: "password in URL"))
                    }
                    i = j
                }
            }
            i += 1
        }
        return out
    }

    /// End of a JWT starting at `i`, or nil.
    static func jwtEnd(_ s: [UInt8], from i: Int) -> Int? {
        let n = s.count
        func startsEyJ(_ k: Int) -> Bool { k + 3 <= n && s[k] == 0x65 && s[k + 1] == 0x79 && s[k + 2] == 0x4A }
        func run(_ k: Int) -> Int { var j = k; while j < n, isB64URL(s[j]) { j += 1 }; return j }
        guard startsEyJ(i) else { return nil }
        let e1 = run(i)
        guard e1 - i >= 10, e1 < n, s[e1] == 0x2E, startsEyJ(e1 + 1) else { return nil }
        let e2 = run(e1 + 1)
        guard e2 - e1 - 1 >= 10, e2 < n, s[e2] == 0x2E else { return nil }
        let e3 = run(e2 + 1)
        guard e3 - e2 - 1 >= 10 else { return nil }
        return e3
    }

    @inline(__always) static func isURLEnd(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x22 || b == 0x27 || b == 0x3B || b == 0x7C || b == 0x3E || b == 0x3C
    }

    // MARK: files

    /// Why a copied file name looks like it holds credentials, or nil.
    static func secretFileReason(_ path: String) -> String? {
        var base = path
        while base.hasSuffix("/") { base.removeLast() }
        if let slash = base.lastIndex(of: "/") { base = String(base[base.index(after: slash)...]) }
        let lower = base.lowercased()
        if lower.hasSuffix(".pub") { return nil }
        switch lower {
        case "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk": return "an SSH private key"
        case ".env": return "environment secrets"
        case ".npmrc": return "npm registry credentials"
        case ".pypirc": return "PyPI credentials"
        case ".netrc", "_netrc": return "machine passwords"
        case ".git-credentials": return "git credentials"
        case ".dockercfg": return "registry credentials"
        case "credentials", "credentials.json", "credential.json", "credentials.yml", "credentials.yaml", "credentials.xml":
            return "credentials"
        case ".htpasswd": return "password hashes"
        case "kubeconfig": return "cluster credentials"
        default: break
        }
        if lower.hasPrefix(".env."), !["example", "sample", "template", "dist", "defaults"].contains(where: { lower.hasSuffix("." + $0) }) {
            return "environment secrets"
        }
        for ext in [".pem": "a private key or certificate", ".key": "a private key", ".p12": "a key store", ".pfx": "a key store",
                    ".jks": "a Java key store", ".keystore": "a key store", ".ovpn": "a VPN profile with keys",
                    ".kdbx": "a password database"] where lower.hasSuffix(ext.key) {
            return ext.value
        }
        return nil
    }
}
