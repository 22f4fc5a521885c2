// The lint settings a .dflint.yaml holds, how two of them combine, and how
// they are written back out.

import DockerfileSyntax

/// The settings read from `.dflint.yaml` (or `.dflint.yml`, or the file given with `--config`).
///
/// The file is a YAML mapping with these keys; every key is optional, and an empty value
/// (`key:` alone, `~` or `null`) leaves the setting at its default. Any other key, a value of
/// the wrong type or an unknown name is an error reported as `path:line:col: message`.
///
/// | Key                  | Type                                   | Field               |
/// |----------------------|----------------------------------------|---------------------|
/// | `ignore`             | list of rule ids or names              | `ignore`            |
/// | `severity`           | mapping: rule id or name -> `error`, `warning`, `info`, `style` or `off` | `severity` |
/// | `trusted-registries` | list of registry hosts/prefixes, globs with `*` and `?` allowed | `trustedRegistries` |
/// | `failure-threshold`  | `error`, `warning`, `info`, `style` or `none` | `failureThreshold` |
/// | `setuid-allow`       | list of absolute paths of setuid/setgid programs reported as info (added to the built-in allow-list: su, passwd, mount, ...) | `setuidAllow` |
/// | `secrets`            | mapping with one key, `allow`: list of glob patterns (`*`, `?`) of ENV/ARG names or values never reported as secrets | `secretAllow` |
/// | `format`             | `tty`, `gnu`, `json`, `sarif`, `checkstyle`, `github` or `gitlab` | `format` |
/// | `cis-only`           | boolean                                | `cisOnly`           |
/// | `scored-only`        | boolean                                | `scoredOnly`        |
///
/// Lists are block sequences or flow sequences (`[a, b]`); a single value where a list is
/// expected is an error. Booleans are `true`/`false`/`yes`/`no`/`on`/`off` in any case, unquoted.
/// Enumerated values (severities, formats) are lower-case.
///
/// Example:
///
/// ```yaml
/// # .dflint.yaml
/// ignore: [DF101, root-user]
/// severity:
///   DF120: warning
///   latest-tag: off
/// trusted-registries:
///   - ghcr.io
///   - registry.example.com/team
///   - "*.gcr.io"          # quoted: a plain value cannot start with '*'
/// failure-threshold: warning
/// secrets:
///   allow: ["TEST_*", "*_FILE"]
/// format: tty
/// cis-only: false
/// scored-only: no
/// ```
public struct LintConfig: Sendable, Equatable {
    /// `ignore`: rule ids (`DF101`) or names (`root-user`) that are not run.
    public var ignore: [String] = []
    /// `severity`: rule id or name -> the level to report it at, or `off`.
    public var severity: [String: SeverityOverride] = [:]
    /// `trusted-registries`: `ghcr.io`, `registry.example.com/team`, globs like `*.gcr.io`.
    public var trustedRegistries: [String] = []
    /// `failure-threshold`: the lowest severity that makes dflint exit non-zero, or `none`.
    public var failureThreshold: FailureThreshold? = nil
    /// `secrets.allow`: glob patterns (`*`, `?`) of ENV/ARG names or values never reported as secrets.
    public var secretAllow: [String] = []
    /// Setuid/setgid programs reported as info rather than warning (in addition to the built-in list).
    public var setuidAllow: [String] = []
    /// `format`: the default output format name.
    public var format: String? = nil
    /// `cis-only`: run only the rules mapped to CIS Docker Benchmark controls.
    public var cisOnly: Bool? = nil
    /// `scored-only`: run only the rules mapped to scored CIS controls.
    public var scoredOnly: Bool? = nil

    public init() {}
}

/// A `severity:` entry: report the rule at this level, or not at all.
public enum SeverityOverride: Sendable, Equatable {
    case level(Severity)
    case off
}

/// `failure-threshold:` the lowest severity that fails the run, or `none` (never fail).
public enum FailureThreshold: Sendable, Equatable {
    case level(Severity)
    case none
}

extension SeverityOverride {
    /// The YAML spelling: `error`, `warning`, `info`, `style` or `off`.
    public var name: String {
        switch self {
        case .level(let s): return s.rawValue
        case .off: return "off"
        }
    }
}

extension FailureThreshold {
    /// The YAML spelling: `error`, `warning`, `info`, `style` or `none`.
    public var name: String {
        switch self {
        case .level(let s): return s.rawValue
        case .none: return "none"
        }
    }
}

extension LintConfig {
    /// Merges: `other`'s lists are appended (deduplicated, order kept), its scalars win when set.
    /// `severity` entries of `other` replace those of `self` for the same rule.
    public func merged(with other: LintConfig) -> LintConfig {
        var out = self
        out.ignore = Self.union(ignore, other.ignore)
        out.severity.merge(other.severity) { _, new in new }
        out.trustedRegistries = Self.union(trustedRegistries, other.trustedRegistries)
        out.failureThreshold = other.failureThreshold ?? failureThreshold
        out.secretAllow = Self.union(secretAllow, other.secretAllow)
        out.setuidAllow = Self.union(setuidAllow, other.setuidAllow)
        out.format = other.format ?? format
        out.cisOnly = other.cisOnly ?? cisOnly
        out.scoredOnly = other.scoredOnly ?? scoredOnly
        return out
    }

    private static func union(_ a: [String], _ b: [String]) -> [String] {
        var seen = Set<String>()
        return (a + b).filter { seen.insert($0).inserted }
    }

    /// Renders the effective config back as YAML in the same subset (for `dflint config --print`):
    /// every list and mapping key is written (empty ones as `[]`/`{}`), scalars only when set.
    /// For any config `ConfigLoader.parse` accepts, parsing the result gives the config back.
    public func yaml() -> String {
        var out = ""
        func list(_ key: String, _ items: [String], indent: String = "") {
            if items.isEmpty {
                out += "\(indent)\(key): []\n"
                return
            }
            out += "\(indent)\(key):\n"
            for item in items {
                out += "\(indent)  - \(Self.quoted(item))\n"
            }
        }
        list("ignore", ignore)
        if severity.isEmpty {
            out += "severity: {}\n"
        } else {
            out += "severity:\n"
            for rule in severity.keys.sorted() {
                out += "  \(Self.quoted(rule)): \(severity[rule]!.name)\n"
            }
        }
        list("trusted-registries", trustedRegistries)
        if let failureThreshold {
            out += "failure-threshold: \(failureThreshold.name)\n"
        }
        out += "secrets:\n"
        list("allow", secretAllow, indent: "  ")
        list("setuid-allow", setuidAllow)
        if let format {
            out += "format: \(Self.quoted(format))\n"
        }
        if let cisOnly {
            out += "cis-only: \(cisOnly)\n"
        }
        if let scoredOnly {
            out += "scored-only: \(scoredOnly)\n"
        }
        return out
    }

    /// `text` as a plain scalar when that reads back unchanged and unambiguously, else double-quoted.
    static func quoted(_ text: String) -> String {
        let plainSafe = !text.isEmpty && text != "null" && text != "Null" && text != "NULL"
            && text.unicodeScalars.allSatisfy { c in
                (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "." || c == "/" || c == "-"
            }
            && text.unicodeScalars.first != "-"
        if plainSafe { return text }
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let v = c.value
                if v < 0x20 || v == 0x7F || (v >= 0x80 && v <= 0x9F) || v == 0xFEFF || v == 0xFFFE || v == 0xFFFF {
                    out += "\\u" + hex(v, 4)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
