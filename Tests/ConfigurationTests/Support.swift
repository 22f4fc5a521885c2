import Testing
@testable import Configuration

// Builders for expected YAML trees: positions are (line, column), 1-based.

func sc(_ value: String, _ line: Int, _ column: Int, quoted: Bool = false) -> YAMLNode {
    .scalar(value, quoted: quoted, Mark(line: line, column: column))
}

func seq(_ line: Int, _ column: Int, _ items: YAMLNode...) -> YAMLNode {
    .sequence(items, Mark(line: line, column: column))
}

func map(_ line: Int, _ column: Int, _ entries: (String, Int, Int, YAMLNode)...) -> YAMLNode {
    .mapping(entries.map { (key: $0.0, keyMark: Mark(line: $0.1, column: $0.2), value: $0.3) }, Mark(line: line, column: column))
}

/// The error YAML.parse throws, or nil.
func yamlError(_ text: String) -> ConfigError? {
    do {
        _ = try YAML.parse(text)
        return nil
    } catch {
        return error
    }
}

/// The rule ids and names the schema tests pass as `knownRules`.
let testRules: Set<String> = ["DF101", "DF102", "DF120", "root-user", "latest-tag"]

/// The error ConfigLoader.parse throws, or nil.
func configError(_ text: String, knownRules: Set<String>? = testRules) -> ConfigError? {
    do {
        _ = try ConfigLoader.parse(text, path: "c.yaml", knownRules: knownRules)
        return nil
    } catch {
        return error
    }
}
