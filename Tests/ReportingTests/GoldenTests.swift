// Every format rendered from the fixture, compared byte for byte with the
// files in Golden/.
import Foundation
import Testing
@testable import Reporting

@Suite struct GoldenTests {
    @Test(arguments: OutputFormat.allCases)
    func format(_ format: OutputFormat) {
        let name: String
        switch format {
        case .tty, .gnu, .github: name = "\(format.rawValue).txt"
        case .json, .sarif, .gitlab: name = "\(format.rawValue).json"
        case .checkstyle: name = "checkstyle.xml"
        }
        Golden.check(name, Reporter.render(format, Fixture.input()))
    }

    @Test func ttyWithColour() {
        Golden.check("tty-color.txt", Reporter.render(.tty, Fixture.input(color: true)))
    }

    @Test func summary() {
        let lines = [
            Reporter.summary(Fixture.input(), fileCount: Fixture.fileCount),
            Reporter.summary(Fixture.input(), fileCount: 3),
            Reporter.summary(Fixture.input(color: true), fileCount: Fixture.fileCount),
        ]
        Golden.check("summary.txt", lines.joined(separator: "\n") + "\n")
    }

    /// The order of the findings given does not matter.
    @Test(arguments: OutputFormat.allCases)
    func inputOrderIsIrrelevant(_ format: OutputFormat) {
        var input = Fixture.input()
        let expected = Reporter.render(format, input)
        input.findings.sort { ($0.message, $0.range.start.line) > ($1.message, $1.range.start.line) }
        #expect(Reporter.render(format, input) == expected)
        input.findings.shuffle()
        #expect(Reporter.render(format, input) == expected)
    }
}
