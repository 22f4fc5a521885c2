// The package inventory of an image (CIS 4.3/4.4: know what is installed),
// read from the package databases the layer scanner captured: dpkg's
// status file (and distroless' status.d), apk's installed database, and
// rpm's database (SQLite, Berkeley DB or ndb), which the scanner reads whole
// and decodes (ImageSources/RpmDB.swift) into `FileSystemView.rpmDatabases`.
import LayerModel

/// One package a package manager recorded as installed.
public struct InstalledPackage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case deb, apk, rpm
    }

    public var kind: Kind
    public var name: String
    public var version: String
    /// `amd64`, `x86_64`, `all`, `noarch`...; empty when the database does not say.
    public var architecture: String
    /// The source package (dpkg `Source:`) or origin (apk `o:`), when recorded.
    public var source: String?
    /// The purl namespace: the distribution (`debian`, `ubuntu`, `alpine`, `wolfi`...).
    public var distribution: String
    /// Index of the layer that (last) installed it.
    public var layer: Int
    /// The licence the package declares (rpm's LICENSE tag), when recorded.
    public var license: String?
    /// The purl `distro` qualifier (`rhel-9.3`, `fedora-39`), for rpm packages.
    public var distro: String?

    public init(kind: Kind, name: String, version: String, architecture: String, source: String? = nil,
                distribution: String, layer: Int, license: String? = nil, distro: String? = nil) {
        self.kind = kind
        self.name = name
        self.version = version
        self.architecture = architecture
        self.source = source
        self.distribution = distribution
        self.layer = layer
        self.license = license
        self.distro = distro
    }

    /// Package URL: `pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64`,
    /// `pkg:rpm/rhel/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3` (name and version percent-encoded;
    /// no namespace when the distribution is unknown).
    public var purl: String {
        var s = "pkg:\(kind.rawValue)/" + (distribution.isEmpty ? "" : PURL.encode(distribution) + "/") + PURL.encode(name)
        if !version.isEmpty { s += "@" + PURL.encode(version, keeping: ":") }
        var qualifiers: [String] = []
        if !architecture.isEmpty { qualifiers.append("arch=" + PURL.encode(architecture)) }
        if let distro, !distro.isEmpty { qualifiers.append("distro=" + PURL.encode(distro)) }
        if !qualifiers.isEmpty { s += "?" + qualifiers.joined(separator: "&") }
        return s
    }
}

enum PURL {
    /// Percent-encodes everything but the unreserved characters (RFC 3986) and `keeping`.
    static func encode(_ s: String, keeping: Set<UInt8> = []) -> String {
        var out = ""
        for b in s.utf8 {
            let unreserved = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
            if unreserved || keeping.contains(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 0x0F)]], as: UTF8.self)
            }
        }
        return out
    }

    static func encode(_ s: String, keeping: String) -> String { encode(s, keeping: Set(keeping.utf8)) }
}

public enum InventoryFormat: String, Sendable, CaseIterable {
    /// An aligned table: name, version, arch, layer; notes after it.
    case text
    /// `{"image", "packages": [...], "notes": [...]}`.
    case json
    /// CycloneDX 1.5 JSON.
    case cyclonedx
}

public enum Inventory {
    static let dpkgStatus = "/var/lib/dpkg/status"
    static let dpkgStatusD = "/var/lib/dpkg/status.d/"
    static let dpkgInfo = "/var/lib/dpkg/info/"
    static let apkInstalled = ["/lib/apk/db/installed", "/usr/lib/apk/db/installed"]
    static let rpmDatabases = RpmDatabaseRead.paths.keys.sorted()
    /// dpkg `Status:` states whose files are on disk and configured.
    static let installedStates: Set<String> = ["installed", "triggers-pending", "triggers-awaited"]

    /// The packages the captured databases list, sorted by name, and notes on what could not be listed.
    public static func packages(in view: FileSystemView) -> (packages: [InstalledPackage], notes: [String]) {
        var pkgs: [InstalledPackage] = []
        var notes: [String] = []
        let os = osRelease(view)
        var foundDatabase = false

        // dpkg
        if let status = view.captured[dpkgStatus] {
            foundDatabase = true
            pkgs += dpkg(status, view: view, distribution: deb(os), notes: &notes)
        } else if view.files[dpkgStatus] != nil {
            foundDatabase = true
            notes.append("\(dpkgStatus) is in the image but its content was not captured: Debian packages are not listed")
        }
        let statusD = view.captured.keys.filter { $0.hasPrefix(dpkgStatusD) && !$0.hasSuffix(".md5sums") }.sorted()
        for path in statusD {
            foundDatabase = true
            pkgs += dpkg(view.captured[path]!, view: view, distribution: deb(os), notes: &notes)
        }
        let uncapturedStatusD = view.files.keys.filter {
            $0.hasPrefix(dpkgStatusD) && !$0.hasSuffix(".md5sums") && view.files[$0]?.kind == .file && view.captured[$0] == nil
        }
        if !uncapturedStatusD.isEmpty {
            foundDatabase = true
            notes.append("\(uncapturedStatusD.count) distroless package record\(uncapturedStatusD.count == 1 ? " was" : "s were") in \(dpkgStatusD) but not captured, so those packages are not listed")
        }

        // apk
        for path in apkInstalled {
            if let db = view.captured[path] {
                foundDatabase = true
                pkgs += apk(db, view: view, distribution: apkNamespace(os), notes: &notes)
            } else if view.files[path] != nil {
                foundDatabase = true
                notes.append("\(path) is in the image but its content was not captured: Alpine packages are not listed")
            }
        }

        // rpm
        let rpmFiles = rpmDatabases.filter { view.files[$0]?.kind == .file }
        if !rpmFiles.isEmpty {
            foundDatabase = true
            pkgs += rpm(rpmFiles, view: view, os: os, notes: &notes)
        }

        if !foundDatabase {
            notes.append("no package database found (dpkg, apk or rpm): the image is distroless or scratch-based, or its software was installed without a package manager")
        }
        for (i, l) in view.layers.enumerated() {
            if let why = l.skipped { notes.append("layer \(i) was not read (\(why)): packages it installed or removed are not reflected") }
        }
        if !view.problems.isEmpty {
            notes.append("reading the layers met problems (\(view.problems.joined(separator: "; "))): the list may be incomplete")
        }

        // One entry per package, even when two databases list it.
        var seen = Set<String>()
        pkgs = pkgs.filter { seen.insert("\($0.kind)\u{0}\($0.name)\u{0}\($0.architecture)\u{0}\($0.version)").inserted }
        pkgs.sort { ($0.name, $0.architecture, $0.version, $0.kind.rawValue) < ($1.name, $1.architecture, $1.version, $1.kind.rawValue) }
        return (pkgs, notes)
    }

    // MARK: os-release

    /// `ID` and `ID_LIKE` of the captured os-release.
    static func osRelease(_ view: FileSystemView) -> (id: String, like: [String]) {
        guard let f = view.captured["/etc/os-release"] ?? view.captured["/usr/lib/os-release"] else { return ("", []) }
        var id = "", like: [String] = []
        for line in String(decoding: f.bytes, as: UTF8.self).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            let v = kv[1].trimmingCharacters(in: ["\"", "'", " ", "\r"])
            if kv[0] == "ID" { id = v.lowercased() }
            if kv[0] == "ID_LIKE" { like = v.lowercased().split(separator: " ").map(String.init) }
        }
        return (id, like)
    }

    /// `VERSION_ID` of the captured os-release ("" when absent).
    static func osVersionID(_ view: FileSystemView) -> String {
        guard let f = view.captured["/etc/os-release"] ?? view.captured["/usr/lib/os-release"] else { return "" }
        for line in String(decoding: f.bytes, as: UTF8.self).split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2, kv[0] == "VERSION_ID" { return kv[1].trimmingCharacters(in: ["\"", "'", " ", "\r"]) }
        }
        return ""
    }

    static func deb(_ os: (id: String, like: [String])) -> String {
        if os.id == "debian" || os.id == "ubuntu" { return os.id }
        if !os.id.isEmpty, os.like.contains("debian") || os.like.contains("ubuntu") { return os.id }
        return "debian"
    }

    static func apkNamespace(_ os: (id: String, like: [String])) -> String {
        if !os.id.isEmpty, os.id == "alpine" || os.like.contains("alpine") || ["wolfi", "chainguard", "postmarketos"].contains(os.id) {
            return os.id
        }
        return "alpine"
    }

    // MARK: dpkg

    /// RFC 822-style paragraphs: field name -> value (continuation lines joined with "\n").
    static func paragraphs(_ bytes: [UInt8], dropLast: Bool) -> [[String: String]] {
        var out: [[String: String]] = []
        var cur: [String: String] = [:]
        var last: String?
        let text = String(decoding: bytes, as: UTF8.self)
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !cur.isEmpty { out.append(cur) }
                cur = [:]
                last = nil
                continue
            }
            if line.first == " " || line.first == "\t" {
                if let k = last { cur[k, default: ""] += "\n" + line.trimmingCharacters(in: [" ", "\t"]) }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            cur[key] = line[line.index(after: colon)...].trimmingCharacters(in: [" ", "\t"])
            last = key
        }
        if !cur.isEmpty { out.append(cur) }
        // A capture cut in the middle leaves its last paragraph incomplete.
        if dropLast, !out.isEmpty { out.removeLast() }
        return out
    }

    static func dpkg(_ file: CapturedFile, view: FileSystemView, distribution: String, notes: inout [String]) -> [InstalledPackage] {
        let isStatusD = file.path.hasPrefix(dpkgStatusD)
        var out: [InstalledPackage] = []
        var partial: [String] = []
        for p in paragraphs(file.bytes, dropLast: file.truncated) {
            guard let name = p["Package"], !name.isEmpty else { continue }
            if let status = p["Status"] {
                let state = status.split(separator: " ").last.map(String.init) ?? ""
                if !installedStates.contains(state) {
                    if state != "not-installed" && state != "config-files" { partial.append("\(name) (\(state))") }
                    continue
                }
            } else if !isStatusD {
                continue
            }
            let arch = p["Architecture"] ?? ""
            let source = p["Source"].flatMap { $0.split(separator: " ").first.map(String.init) }
            // dpkg rewrites info/<name>[:<arch>].list whenever it installs the package: its layer is the install's.
            let layer = isStatusD ? file.layer
                : (view.files[dpkgInfo + name + ":" + arch + ".list"] ?? view.files[dpkgInfo + name + ".list"])?.layer ?? file.layer
            out.append(InstalledPackage(kind: .deb, name: name, version: p["Version"] ?? "", architecture: arch,
                                        source: source, distribution: distribution, layer: layer))
        }
        if !partial.isEmpty {
            notes.append("\(partial.count) package\(partial.count == 1 ? " is" : "s are") recorded in \(file.path) but not fully installed, so not listed: \(partial.joined(separator: ", "))")
        }
        if file.truncated {
            var note = "only the first \(file.bytes.count) bytes of \(file.path) were captured, so packages after the cut are missing"
            let listed = Set(out.map(\.name))
            let more = Set(view.files.keys.compactMap { path -> String? in
                guard path.hasPrefix(dpkgInfo), path.hasSuffix(".list") else { return nil }
                let base = path.dropFirst(dpkgInfo.count).dropLast(5)
                return String(base.split(separator: ":").first ?? base)
            }).subtracting(listed).sorted()
            if !more.isEmpty {
                note += "; \(more.count) more are installed according to \(dpkgInfo): \(more.joined(separator: ", "))"
            }
            notes.append(note)
        }
        return out
    }

    // MARK: apk

    static func apk(_ file: CapturedFile, view: FileSystemView, distribution: String, notes: inout [String]) -> [InstalledPackage] {
        var out: [InstalledPackage] = []
        var fields: [Character: String] = [:]
        var layerVotes: [Int: Int] = [:]
        var dir = ""
        func flush() {
            defer { fields = [:]; layerVotes = [:]; dir = "" }
            guard let name = fields["P"], !name.isEmpty else { return }
            // The layer that wrote most of its files is the one that (last) installed it.
            let layer = layerVotes.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? file.layer
            out.append(InstalledPackage(kind: .apk, name: name, version: fields["V"] ?? "", architecture: fields["A"] ?? "",
                                        source: fields["o"], distribution: distribution, layer: layer))
        }
        let text = String(decoding: file.bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A capture cut in the middle: drop the incomplete last record.
        if file.truncated, let lastBlank = lines.lastIndex(where: { $0.isEmpty }) { lines = Array(lines[..<lastBlank]) }
        else if file.truncated { lines = [] }
        for line in lines {
            if line.isEmpty { flush(); continue }
            guard line.count >= 2, line.dropFirst().first == ":", let key = line.first else { continue }
            let value = String(line.dropFirst(2))
            switch key {
            case "F": dir = value
            case "R":
                if let r = view.files["/" + (dir.isEmpty ? "" : dir + "/") + value] { layerVotes[r.layer, default: 0] += 1 }
            default:
                if fields[key] == nil { fields[key] = value }
            }
        }
        flush()
        if file.truncated {
            notes.append("only the first \(file.bytes.count) bytes of \(file.path) were captured, so packages after the cut are missing")
        }
        return out
    }

    // MARK: rpm

    /// Packages of the rpm database the image uses: when several are present (a stale `Packages` next to
    /// `rpmdb.sqlite`), the one written last (tie: SQLite, then ndb, then Berkeley DB).
    static func rpm(_ paths: [String], view: FileSystemView, os: (id: String, like: [String]), notes: inout [String]) -> [InstalledPackage] {
        let rank: [RpmDatabaseRead.Backend: Int] = [.sqlite: 2, .ndb: 1, .bdb: 0]
        let read = paths.compactMap { view.rpmDatabases[$0] }
        for path in paths where view.rpmDatabases[path] == nil {
            notes.append("rpm database \(path) (layer \(view.files[path]!.layer)) is in the image but was not read: rpm packages may be missing")
        }
        guard let db = read.max(by: { ($0.layer, rank[$0.backend]!, $1.path) < ($1.layer, rank[$1.backend]!, $0.path) }) else { return [] }
        for other in read where other.path != db.path {
            notes.append("rpm database \(other.path) (layer \(other.layer)) is older than \(db.path) (layer \(db.layer)) and was not listed")
        }
        for p in db.problems {
            notes.append("rpm database \(db.path) (\(db.backend.rawValue)): \(p): rpm packages may be missing")
        }
        if let wal = view.files[db.path + "-wal"], wal.size > 0 {
            notes.append("\(db.path)-wal holds \(wal.size) bytes of changes not yet written to the database; they were not read, so the list may be out of date")
        }
        let distro = osVersionID(view)
        let qualifier = os.id.isEmpty ? nil : (distro.isEmpty ? os.id : os.id + "-" + distro)
        return db.packages.map { p in
            // The layer that wrote most of its files is the one that (last) installed it.
            var votes: [Int: Int] = [:]
            for f in p.sampleFiles { if let r = view.files[f], r.kind != .directory { votes[r.layer, default: 0] += 1 } }
            let layer = votes.max { ($0.value, $0.key) < ($1.value, $1.key) }?.key ?? db.layer
            let evr = (p.epoch.map { $0 > 0 ? "\($0):" : "" } ?? "") + p.version + (p.release.isEmpty ? "" : "-" + p.release)
            return InstalledPackage(kind: .rpm, name: p.name, version: evr, architecture: p.arch, source: p.sourceRPM,
                                    distribution: os.id, layer: layer, license: p.license, distro: qualifier)
        }
    }
}
