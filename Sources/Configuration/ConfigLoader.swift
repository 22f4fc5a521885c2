// Finding, reading and checking .dflint.yaml: the YAML tree is interpreted
// against a strict schema so that typos and wrong types are reported, never
// silently ignored.

import DockerfileSyntax
import Foundation

public enum ConfigLoader {
    public static let fileNames = [".dflint.yaml", ".dflint.yml"]

    /// The top-level keys, in the order they are documented and rendered.
    public static let keys = ["ignore", "severity", "trusted-registries", "failure-threshold", "secrets", "format", "cis-only", "scored-only",
                              "setuid-allow"]

    /// The output format names `format:` accepts.
    public static let formats = ["tty", "gnu", "json", "sarif", "checkstyle", "github", "gitlab"]

    /// Parses config text. `knownRules` (ids and names) lets it reject unknown rule references; pass nil to skip that check.
    public static func parse(_ text: String, path: String, knownRules: Set<String>?) throws(ConfigError) -> LintConfig {
        let root: YAMLNode?
        do throws(ConfigError) {
            root = try YAML.parse(text)
        } catch {
            var located = error
            located.path = path
            throw located
        }
        return try Schema(path: path, knownRules: knownRules).read(root)
    }

    /// Walks up from `directory` (inclusive) to "/" and returns the first config file path, or nil.
    /// A relative `directory` is resolved against the current directory, and the path returned is
    /// absolute. In one folder `.dflint.yaml` wins over `.dflint.yml`; folders named like a config
    /// file are skipped.
    public static func find(from directory: String) -> String? {
        let fm = FileManager.default
        let absolute = directory.hasPrefix("/") ? directory : fm.currentDirectoryPath + "/" + directory
        var components: [Substring] = []
        for part in absolute.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = components.popLast()
            } else {
                components.append(part)
            }
        }
        while true {
            let folder = "/" + components.joined(separator: "/")
            for name in fileNames {
                let candidate = folder == "/" ? "/" + name : folder + "/" + name
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                    return candidate
                }
            }
            if components.isEmpty { return nil }
            components.removeLast()
        }
    }

    /// Reads and parses a file (I/O errors become ConfigError with line 0).
    public static func load(path: String, knownRules: Set<String>?) throws(ConfigError) -> LintConfig {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(path: path, line: 0, column: 0, message: "cannot read the configuration: no such file")
        }
        guard !isDirectory.boolValue else {
            throw ConfigError(path: path, line: 0, column: 0, message: "cannot read the configuration: it is a directory")
        }
        guard let data = fm.contents(atPath: path) else {
            throw ConfigError(path: path, line: 0, column: 0, message: "cannot read the configuration: permission denied or I/O error")
        }
        let text = try decodeUTF8(Array(data), path: path)
        return try parse(text, path: path, knownRules: knownRules)
    }

    /// Strict UTF-8 decoding, reporting where the first invalid byte sequence is.
    static func decodeUTF8(_ bytes: [UInt8], path: String) throws(ConfigError) -> String {
        if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            throw ConfigError(path: path, line: 1, column: 1, message: "the file is UTF-16; save it as UTF-8")
        }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var line = 1, column = 1
        var text = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let c):
                text.append(c)
                if c == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                break loop
            case .error:
                throw ConfigError(path: path, line: line, column: column, message: "invalid UTF-8")
            }
        }
        return String(text)
    }
}

/// Interprets the YAML tree; every error points at the offending key or value.
private struct Schema {
    let path: String
    let knownRules: Set<String>?

    func error(_ mark: Mark, _ message: String) -> ConfigError {
        ConfigError(path: path, at: mark, message)
    }

    func read(_ root: YAMLNode?) throws(ConfigError) -> LintConfig {
        var config = LintConfig()
        guard let root, !root.isNull else { return config }
        guard case .mapping(let entries, _) = root else {
            throw error(root.mark, "the configuration must be a mapping of settings (key: value), found \(describe(root))")
        }
        for entry in entries {
            let (key, value) = (entry.key, entry.value)
            guard ConfigLoader.keys.contains(key) else {
                let hint = Suggestions.closest(to: key, in: ConfigLoader.keys)
                    .map { " (did you mean '\($0)'?)" }
                    ?? "; valid keys are \(ConfigLoader.keys.joined(separator: ", "))"
                throw error(entry.keyMark, "unknown key '\(YAMLDisplay.clip(key))'\(hint)")
            }
            if value.isNull { continue }
            switch key {
            case "ignore":
                config.ignore = try ruleList(value, key: key)
            case "severity":
                config.severity = try severities(value)
            case "trusted-registries":
                config.trustedRegistries = try registries(value)
            case "failure-threshold":
                let (name, mark) = try scalar(value, key: key)
                if name == "none" {
                    config.failureThreshold = FailureThreshold.none
                } else if let s = Severity(rawValue: name) {
                    config.failureThreshold = .level(s)
                } else {
                    throw invalidChoice(name, mark, what: "failure-threshold", choices: ["error", "warning", "info", "style", "none"])
                }
            case "secrets":
                config.secretAllow = try secrets(value)
            case "format":
                let (name, mark) = try scalar(value, key: key)
                guard ConfigLoader.formats.contains(name) else {
                    throw invalidChoice(name, mark, what: "format", choices: ConfigLoader.formats)
                }
                config.format = name
            case "cis-only":
                config.cisOnly = try bool(value, key: key)
            case "setuid-allow":
                var paths: [String] = []
                for (path, mark) in try list(value, key: key, example: "setuid-allow: [/usr/bin/newuidmap]") {
                    guard path.hasPrefix("/") else { throw error(mark, "'setuid-allow' takes absolute paths, found '\(YAMLDisplay.clip(path))'") }
                    paths.append(path)
                }
                config.setuidAllow = paths
            default: // "scored-only"
                config.scoredOnly = try bool(value, key: key)
            }
        }
        return config
    }

    // MARK: Types

    func describe(_ node: YAMLNode) -> String {
        switch node {
        case .scalar(let v, let quoted, _):
            if node.isNull { return "an empty value" }
            let shown = YAMLDisplay.clip(v)
            return quoted ? "the string \"\(shown)\"" : "'\(shown)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    func scalar(_ node: YAMLNode, key: String) throws(ConfigError) -> (String, Mark) {
        guard case .scalar(let v, _, let mark) = node else {
            throw error(node.mark, "'\(key)' must be a single value, found \(describe(node))")
        }
        return (v, mark)
    }

    /// A list of non-empty strings. `key` names it in messages, `example` shows a correct one.
    func list(_ node: YAMLNode, key: String, example: String) throws(ConfigError) -> [(String, Mark)] {
        guard case .sequence(let items, _) = node else {
            throw error(node.mark, "'\(key)' must be a list, e.g. \(example); found \(describe(node))")
        }
        var out: [(String, Mark)] = []
        for item in items {
            guard case .scalar(let v, _, let mark) = item else {
                throw error(item.mark, "items of '\(key)' must be single values, found \(describe(item))")
            }
            if item.isNull || v.allSatisfy(\.isWhitespace) {
                throw error(mark, "empty item in '\(key)'")
            }
            out.append((v, mark))
        }
        return out
    }

    func bool(_ node: YAMLNode, key: String) throws(ConfigError) -> Bool {
        let (v, mark) = try scalar(node, key: key)
        if case .scalar(_, true, _) = node {
            throw error(mark, "'\(key)' must be a boolean (true or false), found the string \"\(YAMLDisplay.clip(v))\"; remove the quotes")
        }
        switch v.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            throw error(mark, "'\(key)' must be a boolean (true or false), found '\(YAMLDisplay.clip(v))'")
        }
    }

    func invalidChoice(_ value: String, _ mark: Mark, what: String, choices: [String]) -> ConfigError {
        error(mark, "invalid \(what) '\(YAMLDisplay.clip(value))'; expected one of \(choices.joined(separator: ", "))"
            + Suggestions.hint(for: value, in: choices))
    }

    // MARK: Keys

    func checkRule(_ rule: String, _ mark: Mark, in key: String) throws(ConfigError) {
        guard let knownRules, !knownRules.contains(rule) else { return }
        throw error(mark, "unknown rule '\(YAMLDisplay.clip(rule))' in '\(key)'" + Suggestions.hint(for: rule, in: knownRules.sorted()))
    }

    func ruleList(_ node: YAMLNode, key: String) throws(ConfigError) -> [String] {
        var out: [String] = []
        for (rule, mark) in try list(node, key: key, example: "ignore: [DF101, root-user]") {
            try checkRule(rule, mark, in: key)
            out.append(rule)
        }
        return out
    }

    func severities(_ node: YAMLNode) throws(ConfigError) -> [String: SeverityOverride] {
        guard case .mapping(let entries, _) = node else {
            throw error(node.mark, "'severity' must be a mapping of rule to level, e.g. severity: {DF101: warning}; found \(describe(node))")
        }
        let choices = ["error", "warning", "info", "style", "off"]
        var out: [String: SeverityOverride] = [:]
        for entry in entries {
            try checkRule(entry.key, entry.keyMark, in: "severity")
            guard case .scalar(let v, _, let mark) = entry.value, !entry.value.isNull else {
                throw error(entry.value.mark, "the severity of '\(YAMLDisplay.clip(entry.key))' must be one of \(choices.joined(separator: ", ")), found \(describe(entry.value))")
            }
            if v == "off" {
                out[entry.key] = .off
            } else if let s = Severity(rawValue: v) {
                out[entry.key] = .level(s)
            } else {
                throw invalidChoice(v, mark, what: "severity", choices: choices)
            }
        }
        return out
    }

    func registries(_ node: YAMLNode) throws(ConfigError) -> [String] {
        var out: [String] = []
        for (registry, mark) in try list(node, key: "trusted-registries", example: "trusted-registries: [ghcr.io, \"*.gcr.io\"]") {
            if let scheme = registry.range(of: "://") {
                let bare = registry[scheme.upperBound...]
                throw error(mark, "write the registry without a scheme: '\(YAMLDisplay.clip(String(bare)))'")
            }
            if registry.contains(where: \.isWhitespace) {
                throw error(mark, "a registry cannot contain whitespace: '\(YAMLDisplay.clip(registry))'")
            }
            if registry.hasSuffix("/") {
                throw error(mark, "remove the trailing '/' from '\(YAMLDisplay.clip(registry))'")
            }
            out.append(registry)
        }
        return out
    }

    func secrets(_ node: YAMLNode) throws(ConfigError) -> [String] {
        guard case .mapping(let entries, _) = node else {
            throw error(node.mark, "'secrets' must be a mapping, e.g. secrets: {allow: [\"TEST_*\"]}; found \(describe(node))")
        }
        var allow: [String] = []
        for entry in entries {
            guard entry.key == "allow" else {
                let hint = Suggestions.closest(to: entry.key, in: ["allow"]).map { " (did you mean '\($0)'?)" } ?? "; the only key is allow"
                throw error(entry.keyMark, "unknown key '\(YAMLDisplay.clip(entry.key))' in 'secrets'\(hint)")
            }
            if entry.value.isNull { continue }
            allow = try list(entry.value, key: "secrets.allow", example: "allow: [\"TEST_*\"]").map(\.0)
        }
        return allow
    }
}

enum YAMLDisplay {
    /// Shortens user text quoted in messages.
    static func clip(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(37)) + "..."
    }
}
