// ShellSyntax: splits POSIX shell text (the body of a Dockerfile `RUN`) into
// simple commands with argv and exact byte ranges.
//
// This is not a shell. It is a word/command splitter that knows enough of the
// POSIX grammar (plus the common bash extensions) to say which commands run,
// with which words, and where each word is in the input. It never fails: any
// byte sequence parses to *some* list of commands, in time roughly linear in
// the input, with recursion bounded by `ShellParser.maxNesting` levels and
// `ShellParser.stackBudget` bytes of stack.
//
// Positions: every `range` is a half-open range of byte offsets into the
// script handed to `ShellParser.parse` (the outermost one, also for commands
// found inside `$(...)`, backquotes or `sh -c '...'`). For a Dockerfile RUN in
// shell form, parse `Word.raw` and map ranges with `Word.sourceSpan(_:)`. The
// bodies of RUN here-documents are not in that text (BuildKit keeps them
// apart): parse `Heredoc.content` separately when the heredoc is the script.
//
// Understood:
// - words: '...', "...", $'...', $"...", backslash escapes, line
//   continuations (also `\` CR LF), `$x`, `${...}` (nested quotes and braces),
//   `$(...)`, backquotes, `$((...))`, `<(...)`/`>(...)`, extglob `@(...)`;
//   `#` comments at the start of a word;
// - lists `&&` `||` `;` `&` newline, pipelines `|` `|&`, `!`;
// - `( )`, `{ }`, if/elif/else, while/until, for (also `for ((...))`),
//   select, case (patterns are not commands), `(( ))`, `[[ ]]` (its operands,
//   `&&` `<` `(` included, are words of the `[[` command), functions
//   (`name() body`, `function name body`; the body's commands are reported);
// - redirections with fd prefixes; here-documents (`<<`, `<<-`, quoted
//   delimiters, several per line, inside `$(...)`): bodies are skipped;
// - leading assignments (`A=1 B+=2 c[0]=3 cmd`, and bare ones);
// - commands inside `$(...)`, backquotes (with their escapes), `<(...)`,
//   `${x:-$(...)}` and `$(( $(...) ))`: origin `.commandSubstitution`;
// - one level of `sh -c SCRIPT` (sh, bash, dash, ash, zsh, ksh, mksh, yash,
//   by name or path; `-c` alone or in a cluster such as `-ec`, `-xc`, `-lc`,
//   after other options like `-o pipefail`), also through `env`, `sudo`,
//   `doas`, `exec`, `nohup`, `time`, `command`, `nice`, `chroot`, `busybox`,
//   and `su`/`runuser ... -c CMD`: origin `.shellDashC`, ranges mapped back to
//   the exact bytes of the outer word (through its quotes and escapes).
//   Command substitutions of a double-quoted script run in the outer shell
//   and are reported once, as `.commandSubstitution` of the outer script.
//
// Not understood (read as ordinary words or skipped): aliases, `eval`,
// `find -exec sh -c`, `xargs sh -c`, `{fd}>` redirections, an operator split
// by a line continuation (`&\<newline>&`), `$((` opening a subshell inside
// `$(` (`$((a); b)` is read as arithmetic), and zsh/ksh-only syntax.
// A lone CR is a blank (so CR LF line ends are harmless). An unterminated
// quote or substitution runs to the end of the input.

/// One shell word.
public struct ShellWord: Sendable, Hashable {
    /// The word after quote removal and backslash-escape processing.
    /// Expansions (`$x`, `${x}`, `$(...)`, `` `...` ``, `$((...))`) are kept as
    /// their literal text: `"$HOME/x"` has value `$HOME/x`.
    public var value: String
    /// The word exactly as written in the script it was parsed from. For words
    /// of an `sh -c` script this is the text of the inner script (after the
    /// outer quote removal), which can differ from `script[range]` when the
    /// outer word used backslash escapes.
    public var raw: String
    /// Byte offsets in the parsed script.
    public var range: Range<Int>
    /// Some part was quoted: `'...'`, `"..."`, `$'...'` or a backslash escape.
    public var quoted: Bool
    /// Contains an unquoted or double-quoted `$` or backquote expansion.
    public var hasExpansion: Bool

    public init(value: String, raw: String, range: Range<Int>, quoted: Bool, hasExpansion: Bool) {
        self.value = value
        self.raw = raw
        self.range = range
        self.quoted = quoted
        self.hasExpansion = hasExpansion
    }
}

/// A redirection: `>file`, `2>&1`, `<<EOF`, `&>/dev/null`...
public struct Redirection: Sendable, Hashable {
    /// The operator with its file-descriptor prefix, as written: `>`, `>>`,
    /// `<`, `2>`, `2>&`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<>`.
    public var op: String
    /// The word after the operator (`1` in `2>&1`, the delimiter of a
    /// here-document), nil when the operator is not followed by a word.
    public var target: ShellWord?
    /// From the operator (with its fd prefix) to the end of the target.
    public var range: Range<Int>

    /// `<<` or `<<-`: the body lines that follow are not shell code.
    public var isHeredoc: Bool { op.hasSuffix("<<") || op.hasSuffix("<<-") }

    public init(op: String, target: ShellWord?, range: Range<Int>) {
        self.op = op
        self.target = target
        self.range = range
    }
}

/// How a pipeline is joined to the previous pipeline of the same list.
public enum Connector: String, Sendable {
    case and = "&&", or = "||", semicolon = ";", background = "&", newline = "\n"
}

/// Where a command was found.
public enum CommandOrigin: Sendable, Hashable {
    /// In the script itself (including subshells, groups, control structures
    /// and function bodies).
    case script
    /// Inside `$(...)`, `` `...` `` or a process substitution `<(...)`/`>(...)`.
    case commandSubstitution
    /// Inside the script argument of `sh -c`, `bash -c`... (one level only).
    case shellDashC
}

/// A simple command: assignments, words and redirections.
public struct SimpleCommand: Sendable, Hashable {
    /// Leading `NAME=value` words (also `NAME+=value`, `NAME[i]=value`).
    public var assignments: [ShellWord]
    /// argv; `words[0]` is the command name. Wrappers (`sudo`, `env`...) are
    /// not stripped. Empty for a bare assignment (`A=1`) or a lone redirection.
    public var words: [ShellWord]
    public var redirections: [Redirection]
    /// From the first to the last token of the command (here-document bodies
    /// are not included).
    public var range: Range<Int>
    /// Index into `ShellScript.pipelines` of the innermost pipeline this
    /// command is a stage of.
    public var pipeline: Int
    /// 0 for the first stage of the pipeline.
    public var positionInPipeline: Int
    /// Number of stages of the pipeline (1 when there is no `|`).
    public var pipelineLength: Int
    /// How this command's pipeline was joined to the previous pipeline of the
    /// same list; nil for the first pipeline of a list (also the first one in
    /// a `{ }`, `( )`, `then`, `do`, `$(...)`... body).
    public var connectorBefore: Connector?
    /// 0 at top level; +1 inside each `$(...)`, `` `...` ``, `<(...)` and the
    /// script of `sh -c`.
    public var depth: Int
    public var origin: CommandOrigin

    public init(assignments: [ShellWord], words: [ShellWord], redirections: [Redirection], range: Range<Int>,
                pipeline: Int, positionInPipeline: Int, pipelineLength: Int, connectorBefore: Connector?,
                depth: Int, origin: CommandOrigin) {
        self.assignments = assignments
        self.words = words
        self.redirections = redirections
        self.range = range
        self.pipeline = pipeline
        self.positionInPipeline = positionInPipeline
        self.pipelineLength = pipelineLength
        self.connectorBefore = connectorBefore
        self.depth = depth
        self.origin = origin
    }

    /// `words.first?.value`.
    public var name: String? { words.first?.value }
    /// `words.map(\.value)`.
    public var argv: [String] { words.map(\.value) }
}

/// One stage of a pipeline: a simple command or a compound command
/// (`( )`, `{ }`, `if`, `while`, ...).
public struct PipelineStage: Sendable, Hashable {
    public var range: Range<Int>
    /// Index into `ShellScript.commands` when the stage is a simple command.
    public var command: Int?
    /// Indices into `ShellScript.commands` of every command inside the stage,
    /// nested ones included (compound bodies, substitutions), in script order.
    public var commands: [Int]

    public init(range: Range<Int>, command: Int?, commands: [Int]) {
        self.range = range
        self.command = command
        self.commands = commands
    }
}

/// A pipeline: stages joined by `|` or `|&` (a single stage when there is none).
public struct Pipeline: Sendable, Hashable {
    /// Position in `ShellScript.pipelines`; equals `SimpleCommand.pipeline`.
    public var index: Int
    public var stages: [PipelineStage]
    /// `|` or `|&` between consecutive stages (`stages.count - 1` entries).
    public var operators: [String]
    /// Preceded by `!`.
    public var negated: Bool
    /// From `!` or the first stage to the end of the last stage.
    public var range: Range<Int>
    public var connectorBefore: Connector?
    public var depth: Int
    public var origin: CommandOrigin

    public init(index: Int, stages: [PipelineStage], operators: [String], negated: Bool, range: Range<Int>,
                connectorBefore: Connector?, depth: Int, origin: CommandOrigin) {
        self.index = index
        self.stages = stages
        self.operators = operators
        self.negated = negated
        self.range = range
        self.connectorBefore = connectorBefore
        self.depth = depth
        self.origin = origin
    }
}

/// The result of parsing one script.
///
/// Order: `commands` are sorted by the start offset of their range; at equal
/// starts the shallower one comes first, then the one found first. A command
/// therefore precedes the commands of its own `$(...)` arguments and of its
/// `sh -c` script. `pipelines` are ordered the same way.
public struct ShellScript: Sendable, Hashable {
    public var commands: [SimpleCommand]
    public var pipelines: [Pipeline]

    public init(commands: [SimpleCommand], pipelines: [Pipeline]) {
        self.commands = commands
        self.pipelines = pipelines
    }
}

/// Entry points.
public enum ShellParser {
    /// Nesting bound: subshells, groups, control structures, substitutions,
    /// `${...}` and `sh -c` together. Deeper constructs are skipped (their
    /// extent is still found, without recursion) or flattened, never rejected.
    public static let maxNesting = 64

    /// Stack bound, in bytes used by one parse: recursion also stops here,
    /// whatever the level. Release builds reach `maxNesting` well within it
    /// (about 4 KiB per level); debug and sanitizer builds, with much larger
    /// frames, stop earlier on absurdly nested input. A parse therefore needs
    /// about this much free stack on top of its caller's: any thread with a
    /// 512 KiB stack or more will do.
    public static let stackBudget = 256 * 1024

    /// Parses script bytes (any bytes: invalid UTF-8 is kept in ranges and
    /// decoded with replacement characters in `value`/`raw`).
    public static func parse(_ script: [UInt8]) -> ShellScript {
        let out = Collector()
        var parser = Parser(buf: script, map: ByteMap(), depth: 0, origin: .script, inDashC: false, nest: 0, out: out,
                            stackBase: stackAddress())
        parser.parseProgram()
        return out.finish()
    }

    /// Parses the UTF-8 bytes of `script`; ranges are UTF-8 byte offsets.
    public static func parse(_ script: String) -> ShellScript {
        parse(Array(script.utf8))
    }
}
