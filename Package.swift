// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dflint",
    targets: [
        // Lexer, parser, AST, source ranges, word expansion. Imports nothing of ours.
        .target(name: "DockerfileSyntax"),
        // The command-line tool: arguments and wiring only.
        .executableTarget(name: "dflint", dependencies: ["DockerfileSyntax"]),
        // Parses a corpus in one process and reports MB/s and files/s (run by .ci/bench).
        .executableTarget(name: "dflint-bench", dependencies: ["DockerfileSyntax"]),
        .testTarget(name: "DockerfileSyntaxTests", dependencies: ["DockerfileSyntax"]),
    ],
    swiftLanguageModes: [.v6]
)
