// What image mode knows about the image beyond its reconstructed Dockerfile:
// its OS and the builds its history is made of. The CLI fills it from the
// image config and the reconstruction; rules that judge an image differently
// from a Dockerfile read it (repeated-instruction, missing-user, add-instead-of-copy).
import DockerfileSyntax

public struct ImageFacts: Sendable {
    /// The config's `os` (`linux`, `windows`), nil when the shape does not say.
    public var os: String?
    /// Line ranges of the reconstruction, one per build the history is made of (the base
    /// image's builds first, then this image's own), and one more for the facts the config
    /// adds. Instructions of different ranges were written by different builds: one does not
    /// repeat or override another's in the sense a Dockerfile's do.
    public var builds: [ClosedRange<Int>]

    public init(os: String? = nil, builds: [ClosedRange<Int>] = []) {
        self.os = os
        self.builds = builds
    }

    public var isWindows: Bool { os?.lowercased() == "windows" }

    /// Index of the build holding `line`, nil when none does (the FROM line).
    public func build(ofLine line: Int) -> Int? {
        builds.firstIndex { $0.contains(line) }
    }
}

extension LintContext {
    /// Image mode: the index of the layer `instruction` wrote, from the layer anchors.
    func layerIndex(of instruction: Instruction) -> Int? {
        settings.layerAnchors.first { $0.value == instruction.span }?.key
    }
}

/// Findings about an image-mode run rather than the image (they never decide the exit status).
public enum ImageNotes {
    public static let layersNotRead = RuleDescriptor(
        id: "DF401", name: "layer-rules-not-run", title: "The image's layers were not read: the layer rules did not run",
        defaultSeverity: .info,
        rationale: "The layer rules (setuid programs, secret files present or deleted, world-writable paths, owners without a passwd entry) read the files the layers hold. When the source has no layer bytes (a JSON config, a store without its layer directories) or `--no-layers` is given, they cannot run, and an image without layer findings is then not shown to be free of them.",
        fix: "Lint a source that holds the layers (docker-archive, OCI layout, containerd, docker://) without --no-layers.")

    public static let descriptors = [layersNotRead]
}
