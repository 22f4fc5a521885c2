// Source text, byte spans and line/column positions.
//
// Internally every node carries a `Span`: a half-open range of byte offsets
// into the file. `SourceFile.range(_:)` turns it into 1-based line/column
// positions. Columns count Unicode scalars (a tab is one column, so is `é`),
// and the end position is exclusive: it names the column just after the last
// character, as SARIF's `endColumn` and LSP ranges do.

/// A half-open range of byte offsets into a `SourceFile`.
public struct Span: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }
    public var isEmpty: Bool { start == end }
    public var count: Int { end - start }
    public func union(_ other: Span) -> Span { Span(min(start, other.start), max(end, other.end)) }
    public static func < (a: Span, b: Span) -> Bool { (a.start, a.end) < (b.start, b.end) }
    public var description: String { "\(start)..<\(end)" }
}

/// A 1-based line and column (columns count Unicode scalars).
public struct Position: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public static func < (a: Position, b: Position) -> Bool { (a.line, a.column) < (b.line, b.column) }
    public var description: String { "\(line):\(column)" }
}

/// Start (inclusive) and end (exclusive) positions.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Position
    public var end: Position
    public init(start: Position, end: Position) {
        self.start = start
        self.end = end
    }
    public var description: String { "\(start)-\(end)" }
}

/// The bytes of one Dockerfile and the table of where its physical lines start.
public struct SourceFile: Sendable {
    public let path: String
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each physical line (lines end at `\n`).
    public let lineStarts: [Int]

    public init(path: String = "<input>", bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 32 + 1)
        bytes.withUnsafeBufferPointer { buf in
            for i in 0..<buf.count where buf[i] == 0x0A {
                starts.append(i + 1)
            }
        }
        // A trailing newline does not open another line.
        if starts.count > 1, starts.last == bytes.count { starts.removeLast() }
        self.lineStarts = starts
    }

    public init(path: String = "<input>", text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    public var lineCount: Int { bytes.isEmpty ? 0 : lineStarts.count }

    /// 0-based index of the line holding byte `offset`.
    public func lineIndex(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The 1-based position of byte `offset`.
    public func position(of offset: Int) -> Position {
        let offset = min(max(0, offset), bytes.count)
        let li = lineIndex(of: offset)
        var col = 1
        var i = lineStarts[li]
        while i < offset {
            let b = bytes[i]
            // Count scalar starts: every byte that is not a continuation byte.
            if b & 0xC0 != 0x80 { col += 1 }
            i += 1
        }
        return Position(line: li + 1, column: col)
    }

    public func range(_ span: Span) -> SourceRange {
        SourceRange(start: position(of: span.start), end: position(of: span.end))
    }

    /// The bytes of 1-based line `n`, without its line terminator.
    public func lineBytes(_ n: Int) -> ArraySlice<UInt8> {
        guard n >= 1, n <= lineStarts.count else { return [] }
        let s = lineStarts[n - 1]
        var e = n < lineStarts.count ? lineStarts[n] : bytes.count
        if e > s, bytes[e - 1] == 0x0A { e -= 1 }
        if e > s, bytes[e - 1] == 0x0D { e -= 1 }
        return bytes[s..<e]
    }

    public func text(_ span: Span) -> String {
        bytes[max(0, span.start)..<min(bytes.count, span.end)].utf8String
    }
}
