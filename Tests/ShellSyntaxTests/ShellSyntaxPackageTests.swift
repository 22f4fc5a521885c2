import Testing
@testable import ShellSyntax
