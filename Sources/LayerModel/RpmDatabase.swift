// What the layer scanner read from an rpm package database (rpmdb.sqlite,
// Berkeley DB `Packages`, ndb `Packages.db`): the packages its header blobs
// describe and what could not be read. Filled by the readers in ImageSources,
// read by the package inventory. No I/O here.

/// One package an rpm database records as installed (decoded from its header blob).
public struct RpmPackage: Sendable, Hashable {
    public var name: String
    /// The EPOCH tag, nil when the header has none.
    public var epoch: Int?
    public var version: String
    public var release: String
    /// `x86_64`, `noarch`...; empty when the header has none (gpg-pubkey entries).
    public var arch: String
    /// The SOURCERPM tag (`bash-5.1.8-1.src.rpm`).
    public var sourceRPM: String?
    public var license: String?
    public var vendor: String?
    /// Up to `RpmPackage.sampleLimit` of the files it installed (absolute paths), to tell which layer installed it.
    public var sampleFiles: [String]

    public static let sampleLimit = 16

    public init(name: String, epoch: Int? = nil, version: String, release: String, arch: String, sourceRPM: String? = nil,
                license: String? = nil, vendor: String? = nil, sampleFiles: [String] = []) {
        self.name = name
        self.epoch = epoch
        self.version = version
        self.release = release
        self.arch = arch
        self.sourceRPM = sourceRPM
        self.license = license
        self.vendor = vendor
        self.sampleFiles = sampleFiles
    }

    /// `name-version-release.arch`, as `rpm -qa` prints it (`(none)` for a missing arch).
    public var nvra: String { "\(name)-\(version)-\(release).\(arch.isEmpty ? "(none)" : arch)" }
}

/// One rpm database as the scanner read it.
public struct RpmDatabaseRead: Sendable, Hashable {
    public enum Backend: String, Sendable, Hashable { case sqlite, bdb, ndb }
    /// Path inside the image (`/var/lib/rpm/rpmdb.sqlite`...).
    public var path: String
    public var backend: Backend
    /// Index of the layer that wrote the database file last.
    public var layer: Int
    public var packages: [RpmPackage]
    /// Why the database, or some of its records, could not be read (empty when all was read).
    public var problems: [String]

    public init(path: String, backend: Backend, layer: Int, packages: [RpmPackage], problems: [String]) {
        self.path = path
        self.backend = backend
        self.layer = layer
        self.packages = packages
        self.problems = problems
    }

    /// The rpm database files the scanner reads whole, and the backend each path holds.
    public static let paths: [String: Backend] = [
        "/var/lib/rpm/rpmdb.sqlite": .sqlite, "/var/lib/rpm/Packages": .bdb, "/var/lib/rpm/Packages.db": .ndb,
        "/usr/lib/sysimage/rpm/rpmdb.sqlite": .sqlite, "/usr/lib/sysimage/rpm/Packages": .bdb,
        "/usr/lib/sysimage/rpm/Packages.db": .ndb,
    ]

    /// Largest database file read (larger ones are reported, not read).
    public static let maxBytes = 512 << 20
}
