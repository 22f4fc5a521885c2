// What an image's layers leave behind, as plain values: the final file view
// after whiteouts, files added in one layer and removed in a later one, and
// the contents of the few files rules need to read. Layer readers fill it;
// rules read it. No I/O here.

/// One file system entry of a layer.
public struct FileRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case file, directory, symlink, hardlink, other }
    /// Absolute path inside the image, normalised: "/etc/passwd" (no "./", no trailing "/").
    public var path: String
    public var kind: Kind
    /// Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000).
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    public var size: Int64
    public var linkTarget: String?
    /// Index (0-based, in `FileSystemView.layers`) of the layer that wrote this entry.
    public var layer: Int

    public init(path: String, kind: Kind, mode: UInt32, uid: Int, gid: Int, size: Int64, linkTarget: String? = nil, layer: Int) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.linkTarget = linkTarget
        self.layer = layer
    }

    public var isSetuid: Bool { mode & 0o4000 != 0 }
    public var isSetgid: Bool { mode & 0o2000 != 0 }
    public var isWorldWritable: Bool { mode & 0o002 != 0 }
}

/// The first bytes of a file a rule needs to read (see `CapturePolicy`).
public struct CapturedFile: Sendable, Hashable {
    public var path: String
    public var layer: Int
    public var bytes: [UInt8]
    /// True when the file was longer than the capture limit.
    public var truncated: Bool
    public init(path: String, layer: Int, bytes: [UInt8], truncated: Bool) {
        self.path = path
        self.layer = layer
        self.bytes = bytes
        self.truncated = truncated
    }
}

/// A file some layer added and a later layer deleted or whited out: still
/// recoverable from the earlier layer.
public struct RemovedFile: Sendable, Hashable {
    public var record: FileRecord
    /// The layer whose whiteout (or overwrite by deletion) removed it.
    public var removedIn: Int
    /// Its captured content, when the capture policy wanted it.
    public var content: CapturedFile?
    public init(record: FileRecord, removedIn: Int, content: CapturedFile?) {
        self.record = record
        self.removedIn = removedIn
        self.content = content
    }
}

/// One layer as it was read.
public struct LayerSummary: Sendable, Hashable {
    public var digest: String
    public var mediaType: String?
    /// Entries read from it (whiteouts included).
    public var entries: Int
    /// Uncompressed bytes of the layer tar (or of the unpacked directory's files).
    public var bytes: Int64
    /// Why it was not read (e.g. "zstd layers are not supported"), nil when it was.
    public var skipped: String?
    /// Regular files (and hard links) the layer writes: how many, and the first few paths in
    /// layer order. What an ADD did shows here: one file at its destination (a plain copy) or
    /// the many files of an unpacked archive.
    public var fileCount: Int
    public var firstFiles: [String]
    /// How many of `firstFiles` are kept.
    public static let firstFilesKept = 4

    public init(digest: String, mediaType: String? = nil, entries: Int = 0, bytes: Int64 = 0, skipped: String? = nil,
                fileCount: Int = 0, firstFiles: [String] = []) {
        self.digest = digest
        self.mediaType = mediaType
        self.entries = entries
        self.bytes = bytes
        self.skipped = skipped
        self.fileCount = fileCount
        self.firstFiles = firstFiles
    }

    /// Counts one regular file the layer writes.
    public mutating func noteFile(_ path: String) {
        fileCount += 1
        if firstFiles.count < LayerSummary.firstFilesKept { firstFiles.append(path) }
    }
}

public struct FileSystemView: Sendable {
    /// The merged view after applying every layer's whiteouts, keyed by path.
    public var files: [String: FileRecord]
    /// Files added and later removed (secrets "deleted" in a later layer live here).
    public var removed: [RemovedFile]
    /// Captured contents of files present in the final view, keyed by path.
    public var captured: [String: CapturedFile]
    public var layers: [LayerSummary]
    /// Problems met while reading (decompression bomb stopped, truncated layer, ...).
    public var problems: [String]
    /// rpm databases present in the final view, read whole and decoded, keyed by path.
    public var rpmDatabases: [String: RpmDatabaseRead]

    public init(files: [String: FileRecord] = [:], removed: [RemovedFile] = [], captured: [String: CapturedFile] = [:],
                layers: [LayerSummary] = [], problems: [String] = [], rpmDatabases: [String: RpmDatabaseRead] = [:]) {
        self.files = files
        self.removed = removed
        self.captured = captured
        self.layers = layers
        self.problems = problems
        self.rpmDatabases = rpmDatabases
    }
}

/// Which files' contents the scanner keeps (everything else is skipped unread).
public enum CapturePolicy {
    /// Largest content kept per file.
    public static let maxBytes = 64 * 1024

    public static let exactPaths: Set<String> = [
        "/etc/passwd", "/etc/group", "/etc/shadow", "/var/lib/dpkg/status", "/lib/apk/db/installed",
        "/etc/os-release", "/usr/lib/os-release",
    ]

    static let secretNames: Set<String> = [
        "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".env", ".npmrc", ".pypirc", ".netrc", ".git-credentials",
        "credentials", "credentials.json", ".dockercfg", "config.json", "kubeconfig", ".htpasswd",
    ]
    static let secretSuffixes = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"]

    /// Whether a file at `path` may hold a secret worth reading (name-based; the rule checks the content).
    public static func isSecretCandidate(_ path: String) -> Bool {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let lower = base.lowercased()
        if lower == "config.json" { return path.hasSuffix("/.docker/config.json") }
        if lower == "credentials" { return path.contains("/.aws/") || path.hasSuffix("/credentials") }
        if secretNames.contains(lower) { return true }
        if lower.hasPrefix(".env.") { return true }
        if path.contains("/.kube/") && lower == "config" { return true }
        return secretSuffixes.contains { lower.hasSuffix($0) }
    }

    /// Whether the scanner should keep the first `maxBytes` of this file.
    public static func shouldCapture(_ path: String, kind: FileRecord.Kind) -> Bool {
        guard kind == .file else { return false }
        return exactPaths.contains(path) || isSecretCandidate(path)
    }
}
