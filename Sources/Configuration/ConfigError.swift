// Every problem with a configuration file, from I/O to YAML syntax to the schema,
// is reported as one ConfigError pointing at the offending text.

/// An error in a configuration file. `line` and `column` are 1-based; both are 0 when the
/// problem concerns the file as a whole (it cannot be read, for instance).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(path: String, line: Int, column: Int, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    init(path: String, at mark: Mark, _ message: String) {
        self.init(path: path, line: mark.line, column: mark.column, message: message)
    }

    /// `path:line:col: message`; `path: message` when there is no position, and
    /// `line:col: message` when there is no path (YAML.parse on its own).
    public var description: String {
        var location = path
        if line > 0 { location += (path.isEmpty ? "" : ":") + "\(line):\(column)" }
        return location.isEmpty ? message : location + ": " + message
    }
}
