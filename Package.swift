// swift-tools-version:6.0
import PackageDescription

// Module arrows: DockerfileSyntax and ShellSyntax import nothing of ours;
// Rules imports both (pure: AST in, findings out); Reporting imports Rules;
// Configuration is the config-file edge; dflint wires them together.
let package = Package(
    name: "dflint",
    targets: [
        // Lexer, parser, AST, source ranges, word expansion.
        .target(name: "DockerfileSyntax"),
        // RUN text -> simple commands with argv and byte ranges.
        .target(name: "ShellSyntax"),
        // What layers leave behind, as plain values (filled by readers, read by rules).
        .target(name: "LayerModel"),
        // Rule catalogue and rules.
        .target(name: "Rules", dependencies: ["DockerfileSyntax", "ShellSyntax", "LayerModel"]),
        // SHA-256 for fingerprints and content-addressed digests.
        .target(name: "Checksums"),
        // Findings -> tty, gnu, json, sarif, checkstyle, github, gitlab.
        .target(name: "Reporting", dependencies: ["Rules", "DockerfileSyntax", "Checksums"]),
        // Image readers: archives, layouts, stores, the Engine API; they produce plain bytes.
        .target(name: "ImageSources", dependencies: ["Checksums", "LayerModel"]),
        // Image metadata decoded from every JSON shape (config, inspect, history replies).
        .target(name: "ImageModel"),
        // created_by + config -> a pseudo-Dockerfile and the same typed tree as the parser's.
        .target(name: "History", dependencies: ["ImageModel", "DockerfileSyntax"]),
        // .dflint.yaml: a YAML subset parsed by hand, and the lint settings it holds.
        .target(name: "Configuration", dependencies: ["DockerfileSyntax"]),
        // The command-line tool: arguments, discovery, wiring.
        .executableTarget(name: "dflint", dependencies: ["DockerfileSyntax", "Rules", "Reporting", "Configuration",
                                                         "ImageSources", "ImageModel", "History", "LayerModel"]),
        // Parses a corpus in one process and reports MB/s and files/s (run by .ci/bench).
        .executableTarget(name: "dflint-bench", dependencies: ["DockerfileSyntax", "Rules", "ImageSources"]),
        .testTarget(name: "DockerfileSyntaxTests", dependencies: ["DockerfileSyntax"]),
        .testTarget(name: "ShellSyntaxTests", dependencies: ["ShellSyntax"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "DockerfileSyntax", "ShellSyntax", "LayerModel"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Rules", "DockerfileSyntax", "Checksums"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration"]),
        .testTarget(name: "ImageSourcesTests", dependencies: ["ImageSources", "Checksums"]),
        .testTarget(name: "HistoryTests", dependencies: ["History", "ImageModel", "DockerfileSyntax"]),
        .testTarget(name: "LayersTests", dependencies: ["ImageSources", "LayerModel", "Checksums"]),
        .testTarget(name: "dflintTests", dependencies: ["dflint", "Rules", "Reporting", "Configuration", "DockerfileSyntax",
                                                     "ImageSources", "ImageModel", "History"]),
    ],
    swiftLanguageModes: [.v6]
)
