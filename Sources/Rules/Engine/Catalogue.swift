// The one list every tool reads: `dflint rules`, `dflint explain`, SARIF
// rule metadata, the generic example test and the linter itself.
import DockerfileSyntax

public enum Catalogue {
    /// Every lint rule, CIS items first (Scored ones first within CIS).
    public static let rules: [Rule] = CISRules.all + CorrectnessRules.all + PackageRules.all + RunRules.all

    /// Rules over an image's layers (`RuleSettings.layers`): silent without a layer view, and
    /// kept out of `rules` because a Dockerfile example cannot carry one (they are tested with
    /// synthetic views). Image linting runs `Linter(catalogue: Catalogue.rules + Catalogue.layerRules)`.
    public static let layerRules: [Rule] = LayerRules.all

    public static let unusedSuppression = RuleDescriptor(
        id: "DF300", name: "unused-suppression", title: "A suppression comment matches no finding",
        defaultSeverity: .style,
        rationale: "An ignore comment that suppresses nothing hides nothing today but will silently hide a real finding later, and misleads readers about what the file does.",
        fix: "Delete the suppression comment (or fix the rule name in it).",
        triggering: ["FROM alpine:3.19\nUSER app\n↓# dflint ignore=root-user\nRUN true\n"],
        nonTriggering: ["FROM alpine:3.19\n# dflint ignore=root-user\nUSER root\n"])

    public static let digestMismatch = RuleDescriptor(
        id: "DF400", name: "image-digest-mismatch", title: "An image blob does not match its digest",
        defaultSeverity: .error,
        rationale: "Content-addressed blobs (configs, manifests, layers) are named by the sha256 of their bytes. A mismatch means the store or archive was altered or corrupted after the image was built, so what is being linted is not what the name promises.",
        fix: "Pull or save the image again from a trusted source and compare digests.")

    /// Descriptors of the syntax diagnostics (DF0xx), so findings of every kind are documented.
    public static let syntaxDescriptors: [RuleDescriptor] = DiagnosticKind.allCases.map(descriptor(for:))

    public static func descriptor(for k: DiagnosticKind) -> RuleDescriptor {
        let title: String
        let fix: String
        var aliases: [String] = []
        switch k {
        case .noInstructions: title = "The file has no instructions"; fix = "Add a FROM instruction."
        case .lineTooLong: title = "A line is longer than BuildKit accepts (65535 bytes)"; fix = "Split the line with continuations."
        case .duplicateDirective: title = "A parser directive is repeated"; fix = "Keep one directive of each kind at the top."
        case .invalidEscapeToken: title = "The escape directive names something other than \\ or `"; fix = "Use `# escape=\\` or `# escape=``."
        case .unterminatedHeredoc: title = "A heredoc is never terminated"; fix = "End the heredoc with its delimiter alone on a line."
        case .heredocLexError: title = "A heredoc delimiter cannot be read"; fix = "Quote the delimiter word consistently."
        case .jsonNotStrings: title = "A JSON array holds something other than strings"; fix = "Quote every element: [\"a\", \"1\"]."
        case .envMissingValue: title = "ENV or LABEL has a name but no value"; fix = "Write `ENV NAME=value`."
        case .nameValueMissingEquals: title = "ENV or LABEL mixes name=value and bare words"; fix = "Write every pair as name=value."
        case .emptyInstruction: title = "A continuation line with no instruction"; fix = "Remove the stray line continuation."
        case .unknownInstruction: title = "Unknown instruction"; fix = "Fix the instruction name."
        case .unknownFlag: title = "Unknown flag for this instruction"; fix = "Remove or fix the flag (flag names are case-sensitive)."
        case .duplicateFlag: title = "A flag is given twice"; fix = "Give the flag once."
        case .flagMissingValue: title = "A flag needs a value"; fix = "Write --flag=value."
        case .invalidFlagValue: title = "A flag has an invalid value"; fix = "Use one of the documented values."
        case .missingArguments: title = "An instruction is missing arguments"; fix = "Add the missing arguments."
        case .tooManyArguments: title = "An instruction has too many arguments"; fix = "Remove the extra arguments."
        case .fromArity: title = "FROM needs an image and optionally AS name"; fix = "Write `FROM image [AS name]`."
        case .invalidStageName: title = "Invalid stage name"; fix = "Stage names start with a letter and contain letters, digits, -, _ and ."
        case .duplicateStageName: title = "Two stages have the same name"; fix = "Give each stage a unique name."; aliases = ["DL3024", "DuplicateStageName"]
        case .shellNotJSON: title = "SHELL is not in JSON form"; fix = "Write SHELL [\"/bin/bash\", \"-c\"]."
        case .onbuildChained: title = "ONBUILD ONBUILD is not allowed"; fix = "Remove the nested ONBUILD."; aliases = ["DL3043"]
        case .onbuildForbidden: title = "FROM or MAINTAINER as an ONBUILD trigger"; fix = "Remove the trigger."; aliases = ["DL3043"]
        case .healthcheckType: title = "HEALTHCHECK type is not CMD or NONE"; fix = "Write HEALTHCHECK CMD ... or HEALTHCHECK NONE."
        case .heredocDestination: title = "A heredoc used as COPY/ADD destination"; fix = "Put the destination path last."
        case .copyFromExpansion: title = "Variables in COPY --from"; fix = "Define a stage with FROM ${VAR} and copy from it."
        case .expansionError: title = "A variable substitution cannot be expanded"; fix = "Fix the ${...} syntax."
        case .circularStageDependency: title = "Stages depend on each other in a cycle"; fix = "Break the cycle of --from references."
        case .undefinedStage: title = "Reference to an undefined stage"; fix = "Name an existing stage."
        case .noFromFirst: title = "Instruction before the first FROM"; fix = "Only ARG may come before FROM."; aliases = ["DL3061"]
        case .emptyContinuationLine: title = "Empty line inside a continued instruction"; fix = "Remove the empty line or end the instruction before it."; aliases = ["NoEmptyContinuation"]
        case .instructionCasing: title = "Instruction casing is inconsistent"; fix = "Write instructions in one case."; aliases = ["ConsistentInstructionCasing"]
        }
        return RuleDescriptor(id: k.id, name: k.name, title: title, cis: nil, scored: false, defaultSeverity: k.severity,
                              rationale: k.fatalInBuildKit
                                ? "BuildKit's parser rejects the whole file for this; dflint reports it and goes on linting the rest."
                                : "BuildKit rejects or warns about this when it builds; dflint reports it without a build.",
                              fix: fix, aliases: aliases)
    }

    static func descriptor(forDiagnostic d: Diagnostic) -> RuleDescriptor {
        let k = DiagnosticKind.allCases.first { $0.id == d.id }
        return k.map(descriptor(for:)) ?? RuleDescriptor(id: d.id, name: d.name, title: d.name, defaultSeverity: d.severity,
                                                          rationale: "", fix: "")
    }

    /// Every descriptor: rules, the unused-suppression check and the syntax diagnostics.
    public static var descriptors: [RuleDescriptor] {
        rules.map(\.descriptor) + layerRules.map(\.descriptor) + [unusedSuppression, digestMismatch] + ImageNotes.descriptors + syntaxDescriptors
    }

    /// Looks a rule up by id (`DF101`), name (`missing-user`) or alias (`DL3002`).
    public static func lookup(_ key: String) -> RuleDescriptor? {
        let k = key.uppercased() == key ? key : key.lowercased()
        return descriptors.first { $0.id == k || $0.id == key.uppercased() || $0.name == k }
            ?? descriptors.first { $0.aliases.contains { $0.lowercased() == key.lowercased() } }
    }

    /// The key a setting (`--ignore`, `--severity`, `ignore:` in the config) stores for what the
    /// user wrote: the rule id for an id or name, the canonical spelling of a peer alias for an
    /// alias (which selects only that sub-case, see `Hit.alias`); nil when nothing matches.
    public static func settingKey(_ key: String) -> String? {
        guard let d = lookup(key) else { return nil }
        if d.id == key.uppercased() || d.name == key.lowercased() { return d.id }
        return d.aliases.first { $0.lowercased() == key.lowercased() } ?? d.id
    }
}
