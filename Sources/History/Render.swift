import DockerfileSyntax
import Foundation
import ImageModel

/// Turns history text pieces into valid Dockerfile syntax.
enum Render {
    static func oneLine(_ s: String) -> String {
        s.contains("\n") ? s.split(whereSeparator: \.isNewline).joined(separator: " ") : s
    }

    static func jsonString(_ s: String) -> String { JSONText.quote(s) }

    static func json(_ words: [String]) -> String { "[" + words.map(jsonString).joined(separator: ", ") + "]" }

    static func parseJSONArray(_ s: String) -> [String]? {
        let t = s.trimmingSpaces
        guard t.hasPrefix("["), t.hasSuffix("]"),
              let a = try? JSONSerialization.jsonObject(with: Data(t.utf8)) as? [Any] else { return nil }
        let strs = a.compactMap { $0 as? String }
        return strs.count == a.count ? strs : nil
    }

    /// `["a" "b"]` (Go `%q` of a []string) → ["a", "b"].
    static func goQuotedList(_ inner: Substring) -> [String]? {
        var out: [String] = []
        var i = inner.startIndex
        while i < inner.endIndex {
            while i < inner.endIndex, inner[i] == " " { i = inner.index(after: i) }
            if i == inner.endIndex { break }
            guard let (s, next) = goString(inner, from: i) else { return nil }
            out.append(s)
            i = next
        }
        return out
    }

    /// One Go interpreted string literal starting at `i` (a `"`).
    static func goString(_ s: Substring, from start: Substring.Index) -> (String, Substring.Index)? {
        guard start < s.endIndex, s[start] == "\"" else { return nil }
        var out = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        func flush() { if !bytes.isEmpty { out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars); bytes = [] } }
        var i = s.index(after: start)
        while i < s.endIndex {
            let c = s[i]
            if c == "\"" { flush(); return (String(out), s.index(after: i)) }
            if c == "\\" {
                i = s.index(after: i)
                guard i < s.endIndex else { return nil }
                let e = s[i]
                func hex(_ n: Int) -> UInt32? {
                    var v: UInt32 = 0
                    var j = s.index(after: i)
                    for _ in 0..<n {
                        guard j < s.endIndex, let d = s[j].hexDigitValue else { return nil }
                        v = v * 16 + UInt32(d)
                        j = s.index(after: j)
                    }
                    i = s.index(i, offsetBy: n)
                    return v
                }
                switch e {
                case "n": flush(); out.append("\n")
                case "t": flush(); out.append("\t")
                case "r": flush(); out.append("\r")
                case "a": flush(); out.append("\u{07}")
                case "b": flush(); out.append("\u{08}")
                case "f": flush(); out.append("\u{0C}")
                case "v": flush(); out.append("\u{0B}")
                case "x": guard let v = hex(2) else { return nil }; bytes.append(UInt8(v))
                case "u": guard let v = hex(4), let u = Unicode.Scalar(v) else { return nil }; flush(); out.append(u)
                case "U": guard let v = hex(8), let u = Unicode.Scalar(v) else { return nil }; flush(); out.append(u)
                default:
                    if let d = e.wholeNumberValue, d < 8 {
                        var v = UInt32(d)
                        for _ in 0..<2 {
                            let j = s.index(after: i)
                            guard j < s.endIndex, let dd = s[j].wholeNumberValue, dd < 8 else { return nil }
                            v = v * 8 + UInt32(dd); i = j
                        }
                        bytes.append(UInt8(truncatingIfNeeded: v))
                    } else { flush(); out.append(contentsOf: String(e).unicodeScalars) }
                }
                i = s.index(after: i)
                continue
            }
            flush()
            out.append(contentsOf: String(c).unicodeScalars)
            i = s.index(after: i)
        }
        return nil
    }

    /// `CMD`/`ENTRYPOINT` body: Go `%q` list, JSON, or `%v` words → JSON; shell form kept.
    static func execForm(_ body: String) -> String {
        let t = body.trimmingSpaces
        guard t.hasPrefix("["), t.hasSuffix("]") else { return oneLine(t) }
        if let j = parseJSONArray(t) { return json(j) }
        if let g = goQuotedList(t.dropFirst().dropLast()) { return json(g) }
        return json(t.dropFirst().dropLast().split(separator: " ").map(String.init))
    }

    static let safeValue: Set<Character> = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:,@%+-=")

    /// A value for `K=V`: bare when safe, else double-quoted with `\`, `"`, `$` escaped.
    static func value(_ v: String) -> String {
        if !v.isEmpty, v.allSatisfy({ safeValue.contains($0) }) { return v }
        var out = "\""
        for c in v {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "$": out += "\\$"
            case "\n", "\r": out += " "
            default: out.append(c)
            }
        }
        return out + "\""
    }

    static func isKey(_ s: Substring, env: Bool) -> Bool {
        guard let f = s.first, !s.isEmpty else { return false }
        if env { return (f.isLetter || f == "_") && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }
        return s.allSatisfy { $0.isLetter || $0.isNumber || "_.-/".contains($0) }
    }

    /// Unquoted `k=v k2=v with spaces` (legacy/BuildKit ENV and LABEL) → (key, value) pairs.
    static func splitPairs(_ body: String, env: Bool) -> [(String, String?)] {
        let toks = oneLine(body).split(separator: " ", omittingEmptySubsequences: false)
        var out: [(String, String?)] = []
        if let f = toks.first, !f.contains("=") {
            // legacy `ENV key value...`
            return [(String(f), toks.dropFirst().joined(separator: " "))]
        }
        for t in toks {
            if let eq = t.firstIndex(of: "="), isKey(t[..<eq], env: env) {
                out.append((String(t[..<eq]), String(t[t.index(after: eq)...])))
            } else if !out.isEmpty {
                out[out.count - 1].1 = (out[out.count - 1].1 ?? "") + " " + t
            } else if !t.isEmpty {
                out.append((String(t), nil))
            }
        }
        return out
    }

    static func pairs(_ body: String, env: Bool) -> String {
        splitPairs(body, env: env).map { k, v in
            (k.allSatisfy { safeValue.contains($0) } ? k : value(k)) + "=" + value(v ?? "")
        }.joined(separator: " ")
    }

    static func args(_ body: String) -> String {
        var out: [String] = []
        var pendingValue: String?
        var pendingName: String?
        func flush() {
            guard let n = pendingName else { return }
            out.append(pendingValue.map { n + "=" + value($0) } ?? n)
            pendingName = nil; pendingValue = nil
        }
        for t in oneLine(body).split(separator: " ") {
            if let eq = t.firstIndex(of: "="), isKey(t[..<eq], env: true) {
                flush(); pendingName = String(t[..<eq]); pendingValue = String(t[t.index(after: eq)...])
            } else if isKey(t, env: true) {
                // `ARG a=1 b`: a bare name is another ARG (BuildKit joins declarations with spaces).
                flush(); pendingName = String(t)
            } else if pendingValue != nil {
                pendingValue! += " " + t
            } else {
                flush(); pendingName = String(t)
            }
        }
        flush()
        return out.joined(separator: " ")
    }

    /// Every `80`, `80/tcp`, `8000-8100/udp` in `map[80/tcp:{}]`, `[80/tcp]`, `80 53/udp` or a struct dump.
    static func ports(_ body: String) -> [String] {
        var out: [String] = []
        var cur = ""
        func push() {
            if let f = cur.first, f.isNumber {
                let parts = cur.split(separator: "/", maxSplits: 1)
                let num = parts[0]
                if num.allSatisfy({ $0.isNumber || $0 == "-" }) {
                    if parts.count == 2, ["tcp", "udp", "sctp"].contains(parts[1].lowercased()) {
                        out.append(cur)
                    } else if parts.count == 1 { out.append(cur) }
                }
            }
            cur = ""
        }
        for c in body {
            if c.isNumber || c.isLetter || c == "/" || c == "-" { cur.append(c) } else { push() }
        }
        push()
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// `#(nop) COPY [--chown=u:g]file:<hex> in <dest> ` → `COPY --chown=u:g file:<hex> <dest>`.
    static func copyBody(_ body: String) -> String {
        var b = oneLine(body).trimmingSpaces
        if b.hasSuffix("\",") { b = String(b.dropLast(2)).trimmingSpaces } // buildah's `in /",` typo
        guard let inR = b.range(of: " in ", options: .backwards) else { return heredocSources(b) }
        let src = b[..<inR.lowerBound]
        let dest = b[inR.upperBound...].trimmingSpaces
        var flags: [String] = []
        var sources = String(src)
        for kind in ["file:", "dir:", "multi:"] {
            if let r = src.range(of: kind), src[r.upperBound...].first?.isHexDigit == true {
                flags = src[..<r.lowerBound].split(separator: " ").map(String.init)
                sources = String(src[r.lowerBound...])
                break
            }
        }
        let srcs = sources.split(separator: " ").map(String.init)
        if dest.contains(" ") || srcs.contains(where: { $0.contains(" ") }) {
            return (flags + [json(srcs + [dest])]).joined(separator: " ")
        }
        return (flags + srcs + [dest]).joined(separator: " ")
    }

    /// BuildKit writes heredoc sources as `<<NAME` without bodies: give them empty ones.
    static func heredocSources(_ b: String) -> String {
        var names: [String] = []
        for t in b.split(separator: " ") where t.hasPrefix("<<") {
            var n = t.dropFirst(2)
            if n.hasPrefix("-") { n = n.dropFirst() }
            n = Substring(n.filter { $0 != "\"" && $0 != "'" })
            if !n.isEmpty { names.append(String(n)) }
        }
        return names.isEmpty ? b : b + names.map { "\n" + $0 }.joined()
    }
}

/// HEALTHCHECK history forms → `HealthConfig` → Dockerfile text.
enum Health {
    static func parse(_ body: String) -> HealthConfig? {
        let t = body.trimmingSpaces
        if t.uppercased() == "NONE" { return HealthConfig(test: ["NONE"]) }
        if t.hasPrefix("&{[") { return parseOld(t.dropFirst(2).dropLast(t.hasSuffix("}") ? 1 : 0)) }
        if t.hasPrefix("&{Test:") || t.hasPrefix("{Test:") { return parseNew(t) }
        return parseDockerfile(t)
    }

    /// `&{["CMD-SHELL" "cmd"] "30s" "3s" "0s" '\x03'}` (2 to 4 durations).
    static func parseOld(_ s: Substring) -> HealthConfig? {
        guard let close = s.range(of: "] ") ?? s.range(of: "]", options: .backwards),
              let test = Render.goQuotedList(s[s.index(after: s.startIndex)..<close.lowerBound]) else { return nil }
        var h = HealthConfig(test: test)
        var rest = s[close.upperBound...]
        var durations: [Int64] = []
        while true {
            rest = rest.drop { $0 == " " }
            guard rest.first == "\"", let (d, next) = Render.goString(rest, from: rest.startIndex) else { break }
            durations.append(goDuration(d) ?? 0)
            rest = rest[next...]
        }
        rest = rest.drop { $0 == " " }
        if rest.first == "'", let end = rest.dropFirst().lastIndex(of: "'") {
            let lit = rest[rest.index(after: rest.startIndex)..<end]
            if let (str, _) = Render.goString(Substring("\"" + lit + "\""), from: Substring("\"" + lit + "\"").startIndex),
               let u = str.unicodeScalars.first {
                h.retries = Int(u.value)
            } else if lit.hasPrefix("\\x"), let v = Int(lit.dropFirst(2), radix: 16) {
                h.retries = v
            }
        }
        let keys: [WritableKeyPath<HealthConfig, Int64?>] = [\.interval, \.timeout, \.startPeriod, \.startInterval]
        for (k, d) in zip(keys, durations) { h[keyPath: k] = d }
        return h
    }

    /// `{Test:[CMD-SHELL curl …] Interval:30s Timeout:3s StartPeriod:0s StartInterval:0s Retries:3}`.
    static func parseNew(_ s: String) -> HealthConfig? {
        guard let open = s.range(of: "Test:[") else { return nil }
        let after = s[open.upperBound...]
        let end = after.range(of: "] Interval:")?.lowerBound ?? after.range(of: "]", options: .backwards)?.lowerBound
        guard let end else { return nil }
        let words = after[..<end].split(separator: " ").map(String.init)
        var h = HealthConfig()
        if let f = words.first {
            h.test = f == "CMD-SHELL" ? [f, words.dropFirst().joined(separator: " ")] : words
        }
        let tail = after[end...]
        func field(_ name: String) -> String? {
            guard let r = tail.range(of: " " + name + ":") else { return nil }
            return String(tail[r.upperBound...].prefix { $0 != " " && $0 != "}" })
        }
        h.interval = field("Interval").flatMap(goDuration)
        h.timeout = field("Timeout").flatMap(goDuration)
        h.startPeriod = field("StartPeriod").flatMap(goDuration)
        h.startInterval = field("StartInterval").flatMap(goDuration)
        h.retries = field("Retries").flatMap { Int($0) }
        return h
    }

    /// Dockerfile syntax (buildah writes the line as written): `--interval=30s ... CMD wget ...`.
    static func parseDockerfile(_ s: String) -> HealthConfig? {
        var h = HealthConfig()
        var rest = Substring(s)
        while rest.hasPrefix("--") {
            let tok = rest.prefix { $0 != " " }
            rest = rest.dropFirst(tok.count).drop { $0 == " " }
            let parts = tok.dropFirst(2).split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let v = String(parts[1])
            switch parts[0] {
            case "interval": h.interval = goDuration(v)
            case "timeout": h.timeout = goDuration(v)
            case "start-period": h.startPeriod = goDuration(v)
            case "start-interval": h.startInterval = goDuration(v)
            case "retries": h.retries = Int(v)
            default: break
            }
        }
        guard rest.uppercased().hasPrefix("CMD") else { return nil }
        let cmd = rest.dropFirst(3).trimmingSpaces
        if let j = Render.parseJSONArray(cmd) { h.test = ["CMD"] + j } else { h.test = ["CMD-SHELL", cmd] }
        return h
    }

    static func render(_ h: HealthConfig) -> String {
        guard let kind = h.test.first, kind != "NONE" else { return "NONE" }
        var parts: [String] = []
        if let v = h.interval, v > 0 { parts.append("--interval=" + formatDuration(v)) }
        if let v = h.timeout, v > 0 { parts.append("--timeout=" + formatDuration(v)) }
        if let v = h.startPeriod, v > 0 { parts.append("--start-period=" + formatDuration(v)) }
        if let v = h.startInterval, v > 0 { parts.append("--start-interval=" + formatDuration(v)) }
        if let r = h.retries, r > 0 { parts.append("--retries=\(r)") }
        if kind == "CMD-SHELL" {
            parts.append("CMD " + Render.oneLine(h.test.dropFirst().joined(separator: " ")))
        } else {
            parts.append("CMD " + Render.json(Array(h.test.dropFirst())))
        }
        return parts.joined(separator: " ")
    }

    static func formatDuration(_ ns: Int64) -> String {
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000)s" }
        if ns % 1_000_000 == 0 { return "\(ns / 1_000_000)ms" }
        if ns % 1_000 == 0 { return "\(ns / 1_000)us" }
        return "\(ns)ns"
    }

    /// Go `time.ParseDuration`: `1m0s`, `30s`, `100ms`, `1.5h`.
    static func goDuration(_ s: String) -> Int64? {
        if s == "0" { return 0 }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var total: Double = 0
        var rest = Substring(s)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let num = rest.prefix { $0.isNumber || $0 == "." }
            guard !num.isEmpty, let v = Double(num) else { return nil }
            rest = rest.dropFirst(num.count)
            let unit = rest.prefix { !$0.isNumber && $0 != "." }
            guard let f = units.first(where: { $0.0 == unit })?.1 else { return nil }
            total += v * f
            rest = rest.dropFirst(unit.count)
        }
        return Int64(total.rounded())
    }
}
