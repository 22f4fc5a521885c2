// Turns findings into the output formats terminals, editors and CI read.
//
// Every format renders the findings in one order (`Finding.ordered`, then the
// remaining fields as tie-breakers), so the output is a pure function of the
// input: byte-identical across runs, platforms and input order.
import Rules
import DockerfileSyntax

/// The output formats of `dflint --format`.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// For humans: gcc-style header, the source line and a caret line (rustc/swiftc style).
    case tty
    /// `FILE:LINE:COL: SEVERITY: MESSAGE [RULE-ID]`, one line per finding: the problem-matcher format.
    case gnu
    /// A JSON array of findings.
    case json
    /// SARIF 2.1.0 (GitHub code scanning, VS Code SARIF viewer).
    case sarif
    /// Checkstyle XML (Jenkins warnings-ng, reviewdog).
    case checkstyle
    /// GitHub Actions workflow commands (`::error file=…::message`).
    case github
    /// GitLab Code Quality report (a Code Climate JSON array).
    case gitlab
}

/// Everything a report needs.
public struct ReportInput: Sendable {
    /// Any order: every format sorts them.
    public var findings: [Finding]
    /// The whole rule catalogue (SARIF `tool.driver.rules` lists every one).
    public var rules: [RuleDescriptor]
    /// File path (as in `Finding.file`) -> file bytes, for source excerpts and
    /// line-based fingerprints. A file may be missing.
    public var sources: [String: [UInt8]]
    /// e.g. `0.1.0`.
    public var toolVersion: String
    /// ANSI colours in `tty` output and in the summary.
    public var color: Bool

    public init(findings: [Finding], rules: [RuleDescriptor] = [], sources: [String: [UInt8]] = [:],
                toolVersion: String, color: Bool = false) {
        self.findings = findings
        self.rules = rules
        self.sources = sources
        self.toolVersion = toolVersion
        self.color = color
    }
}

public enum Reporter {
    /// The project page written into SARIF `tool.driver.informationUri`; rule
    /// `helpUri`s point into its README.
    public static let informationURI = "https://github.com/dflint/dflint"

    /// The whole report in `format`. `gnu`, `tty` and `github` print nothing
    /// when there are no findings; the other formats always produce a complete
    /// document. Every non-empty output ends with a newline.
    public static func render(_ format: OutputFormat, _ input: ReportInput) -> String {
        let findings = sortedFindings(input.findings)
        switch format {
        case .tty: return TTYFormat.render(findings, input)
        case .gnu: return LineFormats.gnu(findings)
        case .json: return JSONFormats.json(findings)
        case .sarif: return SARIFFormat.render(findings, input)
        case .checkstyle: return CheckstyleFormat.render(findings, input)
        case .github: return LineFormats.github(findings)
        case .gitlab: return JSONFormats.gitlab(findings)
        }
    }

    /// One line for a terminal, without a trailing newline:
    /// `6 findings (3 errors, 1 warning, 2 info) in 2 of 5 files; CIS Scored items failed: 4.1, 4.6`,
    /// or `no findings in 5 files` when clean. `fileCount` is the number of files checked.
    public static func summary(_ input: ReportInput, fileCount: Int) -> String {
        Summary.render(input, fileCount: fileCount)
    }
}
