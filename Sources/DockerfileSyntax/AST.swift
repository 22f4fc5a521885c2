// Layer 2: the typed syntax tree. One value per instruction, stages with
// their base images, and exact spans on every word, flag and heredoc.

/// A word of the source as written (quotes and escapes kept) and where it is.
public struct Word: Sendable, Hashable, CustomStringConvertible {
    public var raw: [UInt8]
    public var span: Span
    /// Present when the word was joined across line continuations.
    public var offsets: OffsetMap?
    public init(raw: [UInt8], span: Span, offsets: OffsetMap? = nil) {
        self.raw = raw
        self.span = span
        self.offsets = offsets
    }
    public init(_ v: RawValue) { self.init(raw: v.bytes, span: v.span, offsets: v.offsets) }
    public var text: String { raw.utf8String }
    public var description: String { text }

    /// File offset of byte `k` of `raw` (exact for words that are slices of
    /// the source, which all shell-form commands are; clamped otherwise).
    public func sourceOffset(_ k: Int) -> Int {
        if let offsets { return offsets.sourceOffset(k) }
        return min(span.start + k, span.end)
    }

    /// The file span of `raw[r]`.
    public func sourceSpan(_ r: Range<Int>) -> Span {
        if r.isEmpty { let s = sourceOffset(r.lowerBound); return Span(s, s) }
        return Span(sourceOffset(r.lowerBound), sourceOffset(r.upperBound - 1) + 1)
    }
}

/// `--name=value` (or a bare `--name`).
public struct Flag: Sendable, Hashable {
    public var name: String
    public var value: String?
    public var span: Span
    /// Span of the value part (after `=`), the flag's own span when it has none.
    public var valueSpan: Span
}

/// Shell form (one string run by the shell) or exec form (JSON array).
public enum CommandForm: Sendable, Hashable {
    case shell(Word)
    case exec([Word])

    public var isExec: Bool { if case .exec = self { return true } else { return false } }
    public var words: [Word] {
        switch self {
        case .shell(let w): return [w]
        case .exec(let ws): return ws
        }
    }
    public var span: Span? {
        let ws = words
        guard let f = ws.first, let l = ws.last else { return nil }
        return f.span.union(l.span)
    }
}

public struct Heredoc: Sendable, Hashable {
    public var name: String
    public var fileDescriptor: UInt64
    public var chomp: Bool
    public var expand: Bool
    /// Body as written (with `<<-`, tabs still present; see `effectiveContent`).
    public var content: [UInt8]
    public var markerSpan: Span
    public var bodySpan: Span
    public var terminatorSpan: Span?
    public var bodyStartLine: Int

    init(_ h: RawHeredoc) {
        name = h.name.utf8String
        fileDescriptor = h.fileDescriptor
        chomp = h.chomp
        expand = h.expand
        content = h.content
        markerSpan = h.markerSpan
        bodySpan = h.bodySpan
        terminatorSpan = h.terminatorSpan
        bodyStartLine = h.bodyStartLine
    }

    /// The body as BuildKit uses it: leading tabs removed from every line for `<<-`.
    public var effectiveContent: [UInt8] {
        guard chomp else { return content }
        var out: [UInt8] = []
        var atLineStart = true
        for b in content {
            if atLineStart && b == 0x09 { continue }
            atLineStart = b == 0x0A
            out.append(b)
        }
        return out
    }
}

/// An image reference as written in FROM, split as Docker's reference grammar does.
public struct ImageReference: Sendable, Hashable {
    public var raw: String
    /// Registry host (`ghcr.io`, `localhost:5000`); nil means Docker Hub.
    public var registry: String?
    /// Path inside the registry (`library/alpine` is written `alpine`).
    public var repository: String
    public var tag: String?
    public var digest: String?

    public var isScratch: Bool { registry == nil && repository == "scratch" && tag == nil && digest == nil }
    /// Whether the reference still holds `$VAR` text (unexpanded).
    public var hasVariables: Bool { raw.contains("$") }

    /// Docker's normalised name: `docker.io/library/alpine`.
    public var normalizedName: String {
        let reg = registry ?? "docker.io"
        var repo = repository
        if registry == nil, !repo.contains("/") { repo = "library/" + repo }
        return reg + "/" + repo
    }

    /// `docker.io/library/alpine:latest`, digest kept when present.
    public var normalized: String {
        var s = normalizedName
        if let tag { s += ":" + tag } else if digest == nil { s += ":latest" }
        if let digest { s += "@" + digest }
        return s
    }

    public init(parsing raw: String) {
        self.raw = raw
        var rest = Substring(raw)
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        // A tag is a `:` after the last `/`.
        let lastSlash = rest.lastIndex(of: "/")
        let tail = lastSlash.map { rest[rest.index(after: $0)...] } ?? rest
        if let colon = tail.lastIndex(of: ":") {
            tag = String(tail[tail.index(after: colon)...])
            rest = rest[..<colon]
        }
        // The first component is a registry when it has `.` or `:`, is
        // `localhost`, or has upper-case letters (distribution/reference).
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" || first.lowercased() != first {
                registry = String(first)
                rest = rest[rest.index(after: slash)...]
            }
        }
        repository = String(rest)
    }
}

public struct Mount: Sendable, Hashable {
    public var type: String
    public var options: [(key: String, value: String?)]
    public var span: Span

    public func value(_ key: String) -> String? {
        options.first { $0.key == key }?.value ?? nil
    }
    public func has(_ key: String) -> Bool { options.contains { $0.key == key } }

    public static func == (a: Mount, b: Mount) -> Bool {
        a.type == b.type && a.span == b.span && a.options.map(\.key) == b.options.map(\.key)
            && a.options.map(\.value) == b.options.map(\.value)
    }
    public func hash(into h: inout Hasher) {
        h.combine(type)
        h.combine(span)
    }

    /// Parses a `--mount` value (`type=cache,target=/root/.cache,ro`).
    public init(parsing value: String, span: Span) {
        self.span = span
        var opts: [(key: String, value: String?)] = []
        for field in Mount.splitCSV(value) where !field.isEmpty {
            if let eq = field.firstIndex(of: "=") {
                opts.append((String(field[..<eq]).lowercased(), String(field[field.index(after: eq)...])))
            } else {
                opts.append((field.lowercased(), nil))
            }
        }
        options = opts
        type = opts.first { $0.key == "type" }?.value ?? "bind"
    }

    /// Comma-separated fields; double-quoted fields may hold commas (encoding/csv).
    static func splitCSV(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var inQuotes = false
        var it = Array(s)
        var i = 0
        while i < it.count {
            let c = it[i]
            if c == "\"" {
                if inQuotes, i + 1 < it.count, it[i + 1] == "\"" { cur.append("\""); i += 2; continue }
                inQuotes.toggle()
            } else if c == ",", !inQuotes {
                out.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
            i += 1
        }
        out.append(cur)
        it.removeAll()
        return out
    }
}

public struct KeyValue: Sendable, Hashable {
    public var key: Word
    /// The value as written (quotes kept); `ENV K V` gives the rest of the line.
    public var value: Word
}

public struct ArgDeclaration: Sendable, Hashable {
    public var name: Word
    public var defaultValue: Word?
    public var span: Span
}

public struct PortSpec: Sendable, Hashable {
    public var word: Word
    /// `80`, `8000-8100`; nil bounds when the text is not numeric (e.g. `$PORT`).
    public var lower: Int?
    public var upper: Int?
    public var proto: String
}

public struct FromInstruction: Sendable, Hashable {
    public var image: Word?
    public var stageName: Word?
    public var platform: Flag?
}

public struct RunInstruction: Sendable, Hashable {
    public var command: CommandForm?
    public var mounts: [Mount]
    public var network: String?
    public var security: String?
    public var heredocs: [Heredoc]
}

public struct CopyInstruction: Sendable, Hashable {
    public var isAdd: Bool
    public var sources: [Word]
    public var destination: Word?
    public var heredocs: [Heredoc]
    public var from: Flag?
    public var chown: Flag?
    public var chmod: Flag?
    public var link: Bool
    public var json: Bool
}

public struct UserInstruction: Sendable, Hashable {
    public var word: Word
    public var user: String
    public var group: String?
}

public enum HealthcheckInstruction: Sendable, Hashable {
    case none(Word)
    case cmd(CommandForm?, options: [Flag])
    case other(Word)
    case empty
}

public indirect enum InstructionValue: Sendable, Hashable {
    case from(FromInstruction)
    case run(RunInstruction)
    case copy(CopyInstruction)
    case user(UserInstruction?)
    case healthcheck(HealthcheckInstruction)
    case expose([PortSpec])
    case env([KeyValue])
    case label([KeyValue])
    case arg([ArgDeclaration])
    case shell([Word], json: Bool)
    case workdir(Word?)
    case volume([Word])
    case stopSignal(Word?)
    case cmd(CommandForm?)
    case entrypoint(CommandForm?)
    case maintainer(Word?)
    case onbuild(Instruction?)
    case unknown
}

/// One instruction: its raw node, typed value, flags and where it is.
public struct Instruction: Sendable, Hashable {
    public var raw: RawNode
    /// Upper-case keyword (`RUN`), whatever its spelling in the source.
    public var keyword: String
    public var value: InstructionValue
    public var flags: [Flag]
    public var heredocs: [Heredoc]
    /// Index of the stage holding it; nil before the first FROM.
    public var stageIndex: Int?
    /// Index in `Dockerfile.instructions`.
    public var index: Int

    public var span: Span { raw.span }
    public var keywordSpan: Span { raw.keywordSpan }
    public var startLine: Int { raw.startLine }
    public var endLine: Int { raw.endLine }

    public func flag(_ name: String) -> Flag? { flags.last { $0.name == name } }
}

public enum StageBase: Sendable, Hashable {
    case image(ImageReference)
    case stage(Int)
    case scratch
    case missing
}

public struct Stage: Sendable, Hashable {
    public var index: Int
    /// Lower-cased `AS` name.
    public var name: String?
    public var from: Instruction
    public var base: StageBase
    /// Indices into `Dockerfile.instructions` of the stage's instructions (FROM first).
    public var instructionIndices: [Int]
}
