// Diagnostics produced while reading a Dockerfile. Each has a stable id so
// that tools and ignore pragmas can name it, a severity and an exact span.

public enum Severity: String, Sendable, Comparable, CaseIterable, Codable {
    case error, warning, info, style

    var rank: Int {
        switch self {
        case .error: return 3
        case .warning: return 2
        case .info: return 1
        case .style: return 0
        }
    }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

public struct Diagnostic: Sendable, Hashable {
    /// Stable id such as `DF001`.
    public var id: String
    /// Kebab-case name such as `unterminated-heredoc`.
    public var name: String
    public var severity: Severity
    public var message: String
    public var span: Span
    /// True when BuildKit's parser rejects the whole file for this problem
    /// (`dflint parse` then reports `ok: false` with `buildKitMessage`).
    public var fatalInBuildKit: Bool
    /// BuildKit's exact error text, when it has one.
    public var buildKitMessage: String?

    public init(_ kind: DiagnosticKind, _ message: String, span: Span, buildKitMessage: String? = nil) {
        self.id = kind.id
        self.name = kind.name
        self.severity = kind.severity
        self.message = message
        self.span = span
        self.fatalInBuildKit = kind.fatalInBuildKit
        self.buildKitMessage = buildKitMessage ?? (kind.fatalInBuildKit ? message : nil)
    }
}

/// The catalogue of syntax diagnostics. Ids are stable: never renumber.
public enum DiagnosticKind: String, CaseIterable, Sendable {
    // Parser level: BuildKit's parser refuses the file.
    case noInstructions
    case lineTooLong
    case duplicateDirective
    case invalidEscapeToken
    case unterminatedHeredoc
    case heredocLexError
    case jsonNotStrings
    case envMissingValue
    case nameValueMissingEquals
    case emptyInstruction
    // Instruction level: BuildKit's instruction parser or build refuses it.
    case unknownInstruction
    case unknownFlag
    case duplicateFlag
    case flagMissingValue
    case invalidFlagValue
    case missingArguments
    case tooManyArguments
    case fromArity
    case invalidStageName
    case duplicateStageName
    case shellNotJSON
    case onbuildChained
    case onbuildForbidden
    case healthcheckType
    case heredocDestination
    case copyFromExpansion
    case expansionError
    case circularStageDependency
    case undefinedStage
    case noFromFirst
    // Warnings BuildKit prints but accepts.
    case emptyContinuationLine
    case instructionCasing

    public var id: String {
        switch self {
        case .noInstructions: return "DF001"
        case .lineTooLong: return "DF002"
        case .duplicateDirective: return "DF003"
        case .invalidEscapeToken: return "DF004"
        case .unterminatedHeredoc: return "DF005"
        case .heredocLexError: return "DF006"
        case .jsonNotStrings: return "DF007"
        case .envMissingValue: return "DF008"
        case .nameValueMissingEquals: return "DF009"
        case .emptyInstruction: return "DF010"
        case .unknownInstruction: return "DF020"
        case .unknownFlag: return "DF021"
        case .duplicateFlag: return "DF022"
        case .flagMissingValue: return "DF023"
        case .invalidFlagValue: return "DF024"
        case .missingArguments: return "DF025"
        case .tooManyArguments: return "DF026"
        case .fromArity: return "DF027"
        case .invalidStageName: return "DF028"
        case .duplicateStageName: return "DF029"
        case .shellNotJSON: return "DF030"
        case .onbuildChained: return "DF031"
        case .onbuildForbidden: return "DF032"
        case .healthcheckType: return "DF033"
        case .heredocDestination: return "DF034"
        case .copyFromExpansion: return "DF035"
        case .expansionError: return "DF036"
        case .circularStageDependency: return "DF037"
        case .undefinedStage: return "DF038"
        case .noFromFirst: return "DF039"
        case .emptyContinuationLine: return "DF050"
        case .instructionCasing: return "DF051"
        }
    }

    /// Kebab-case form of the case name.
    public var name: String {
        var out = ""
        for c in rawValue {
            if c.isUppercase {
                out += "-" + c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    public var severity: Severity {
        switch self {
        case .emptyContinuationLine: return .warning
        case .instructionCasing: return .style
        default: return .error
        }
    }

    public var fatalInBuildKit: Bool {
        switch self {
        case .noInstructions, .lineTooLong, .duplicateDirective, .invalidEscapeToken, .unterminatedHeredoc,
             .heredocLexError, .jsonNotStrings, .envMissingValue, .nameValueMissingEquals:
            return true
        default:
            return false
        }
    }
}
