// `dflint packages` on images whose rpm database is SQLite, Berkeley DB or
// ndb must list what `rpm -qa --dbpath` lists for the same database
// (name-version-release.arch sets). The images are docker-archive tars made
// here with tar(1): a base layer with /etc/os-release and the database, a
// second layer with one package's files (so the layer of each package is
// checked too), optionally zstd-compressed. Skipped with a reason where
// rpm, tar or zstd is absent; ndb (which Debian's rpm cannot open) is checked
// against the same headers' rpm -qa (our ndb copy of rpmdb.sqlite) and
// against the shared fixture's expected list.

import Foundation
import Testing
@testable import dflint

enum RpmImages {
    static let local = CLITests.repo.appendingPathComponent("Tests/Fixtures/rpmdb").path
    static let shared = ImageModeTests.fixtures + "/rpmdb"
    static func has(_ tool: String) -> Bool { FileManager.default.isExecutableFile(atPath: tool) }
    static let toolsReason: Comment = "needs Debian's rpm (/usr/bin/rpm), tar and zstd (the references and the image builder)"
    static let toolsPresent = has("/usr/bin/rpm") && has("/usr/bin/tar") && has("/usr/bin/zstd")

    @discardableResult
    static func sh(_ argv: [String], in dir: String? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        if let dir { p.currentDirectoryURL = URL(fileURLWithPath: dir) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CLIError("\(argv) exited \(p.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }

    struct CLIError: Error { let m: String; init(_ m: String) { self.m = m } }

    /// A docker-archive with the database at `dbPath` in layer 1 and dflint-test-pkg3's files in layer 2.
    static func image(database: String, at dbPath: String, zstd: Bool) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-rpmimg-\(UUID().uuidString)").path
        let fm = FileManager.default
        let base = dir + "/base", extra = dir + "/extra", out = dir + "/archive"
        try fm.createDirectory(atPath: base + "/etc", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: base + (dbPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: extra + "/usr/share/dflint-test/pkg3", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        try "NAME=Fedora Linux\nID=fedora\nVERSION_ID=39\n".write(toFile: base + "/etc/os-release", atomically: true, encoding: .utf8)
        try fm.copyItem(atPath: database, toPath: base + dbPath)
        for k in 1...9 { try "file \(k) of 3\n".write(toFile: extra + "/usr/share/dflint-test/pkg3/file-\(k).txt", atomically: true, encoding: .utf8) }
        var diffIDs: [String] = [], layers: [String] = []
        for (i, root) in [base, extra].enumerated() {
            let tar = out + "/layer\(i).tar"
            try sh(["tar", "--numeric-owner", "-C", root, "-cf", tar, "."])
            diffIDs.append("sha256:" + (try sh(["sha256sum", tar]).split(separator: " ")[0]))
            if zstd {
                try sh(["zstd", "-q", "-3", "--rm", tar, "-o", tar + ".zst"])
                layers.append("layer\(i).tar.zst")
            } else {
                layers.append("layer\(i).tar")
            }
        }
        let config = """
        {"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":["\(diffIDs[0])","\(diffIDs[1])"]},\
        "history":[{"created_by":"COPY rootfs / # buildkit"},{"created_by":"RUN rpm -i dflint-test-pkg3.rpm # buildkit"}]}
        """
        try config.write(toFile: out + "/config.json", atomically: true, encoding: .utf8)
        let manifest = """
        [{"Config":"config.json","RepoTags":["localhost/dflint/rpm:test"],"Layers":["\(layers[0])","\(layers[1])"]}]
        """
        try manifest.write(toFile: out + "/manifest.json", atomically: true, encoding: .utf8)
        try sh(["tar", "-C", out, "-cf", dir + "/image.tar", "manifest.json", "config.json"] + layers)
        return dir + "/image.tar"
    }

    /// `rpm -qa` name-version-release.arch of a database file opened with `backend` as `name`.
    static func rpmQA(_ file: String, as name: String, backend: String) throws -> Set<String> {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-rpmqa-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: d) }
        try FileManager.default.copyItem(atPath: file, toPath: d + "/" + name)
        let out = try sh(["rpm", "-qa", "--dbpath", d, "--define", "_db_backend \(backend)", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n"])
        return Set(out.split(separator: "\n").map(String.init))
    }

    /// `dflint packages --format json` of an image: the rpm packages as NVRA, and the JSON records by name.
    static func packages(_ image: String) throws -> (nvra: Set<String>, byName: [String: [String: Any]], notes: [String]) {
        let (s, out, err) = CLITests.run(["packages", "docker-archive:" + image, "--format", "json"])
        guard s == 0 else { throw CLIError("exit \(s): \(err)") }
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let pkgs = (json?["packages"] as? [[String: Any]]) ?? []
        var nvra = Set<String>(), byName: [String: [String: Any]] = [:]
        for p in pkgs where p["type"] as? String == "rpm" {
            let name = p["name"] as! String, arch = p["architecture"] as! String
            var version = p["version"] as! String
            if let colon = version.firstIndex(of: ":") { version = String(version[version.index(after: colon)...]) }
            nvra.insert("\(name)-\(version).\(arch.isEmpty ? "(none)" : arch)")
            byName[name] = p
        }
        return (nvra, byName, (json?["notes"] as? [String]) ?? [])
    }
}

@Suite(.enabled(if: RpmImages.toolsPresent, RpmImages.toolsReason)) struct RpmInventoryTests {
    /// (database file, where the image keeps it, backend rpm opens it with, file name rpm wants, reference database)
    static let kinds: [(String, String, String, String, String)] = [
        ("rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite", "sqlite", "rpmdb.sqlite", "rpmdb.sqlite"),
        ("Packages-1k", "/var/lib/rpm/Packages", "bdb_ro", "Packages", "Packages-1k"),
        ("Packages-16k", "/var/lib/rpm/Packages", "bdb_ro", "Packages", "Packages-16k"),
        // ndb: Debian's rpm has no ndb backend; the same headers' rpm -qa (from the SQLite twin) is the reference.
        ("Packages.db", "/usr/lib/sysimage/rpm/Packages.db", "sqlite", "rpmdb.sqlite", "rpmdb.sqlite"),
    ]

    @Test(arguments: [false, true])
    func packagesEqualsRpmQAForEveryBackend(zstd: Bool) throws {
        for (file, dbPath, backend, rpmName, reference) in Self.kinds {
            let image = try RpmImages.image(database: RpmImages.local + "/" + file, at: dbPath, zstd: zstd)
            defer { try? FileManager.default.removeItem(atPath: (image as NSString).deletingLastPathComponent) }
            let theirs = try RpmImages.rpmQA(RpmImages.local + "/" + reference, as: rpmName, backend: backend)
            #expect(theirs.count == 12, "\(file)")
            let (ours, byName, notes) = try RpmImages.packages(image)
            #expect(ours == theirs, "\(file) zstd=\(zstd): only ours \(ours.subtracting(theirs)), only rpm's \(theirs.subtracting(ours))")
            #expect(!notes.contains { $0.contains("not read") || $0.contains("problems") }, "\(file): \(notes)")
            // The purl carries the distribution and its release; epoch 2 shows in the version.
            #expect(byName["dflint-test-pkg5"]?["purl"] as? String == "pkg:rpm/fedora/dflint-test-pkg5@2:1.5-5.fc39?arch=noarch&distro=fedora-39")
            #expect(byName["dflint-test-pkg5"]?["license"] as? String == "MIT and GPL-2.0-or-later")
            #expect(byName["dflint-test-pkg5"]?["source"] as? String == "dflint-test-pkg5-1.5-5.fc39.src.rpm")
            // pkg3's files came in layer 1 (0-based): that is where it was installed; the rest with the database.
            #expect(byName["dflint-test-pkg3"]?["layer"] as? Int == 1, "\(file)")
            #expect(byName["dflint-test-pkg4"]?["layer"] as? Int == 0, "\(file)")
        }
    }

    @Test(arguments: [("sqlite-cbl-mariner-2.0/rpmdb.sqlite", "/var/lib/rpm/rpmdb.sqlite", "sqlite"),
                      ("bdb-libuuid-el8/Packages", "/var/lib/rpm/Packages", "bdb_ro")])
    func sharedRealDatabasesEqualRpmQA(_ rel: String, _ dbPath: String, _ backend: String) throws {
        let image = try RpmImages.image(database: RpmImages.shared + "/" + rel, at: dbPath, zstd: false)
        defer { try? FileManager.default.removeItem(atPath: (image as NSString).deletingLastPathComponent) }
        let name = String(rel.split(separator: "/").last!)
        let theirs = try RpmImages.rpmQA(RpmImages.shared + "/" + rel, as: name, backend: backend)
        #expect(!theirs.isEmpty)
        #expect(try RpmImages.packages(image).nvra == theirs)
    }

    @Test func sharedNdbDatabaseEqualsItsExpectedList() throws {
        let image = try RpmImages.image(database: RpmImages.shared + "/ndb-sle15-bci/Packages.db", at: "/usr/lib/sysimage/rpm/Packages.db",
                                        zstd: true)
        defer { try? FileManager.default.removeItem(atPath: (image as NSString).deletingLastPathComponent) }
        let tsv = try String(contentsOfFile: RpmImages.shared + "/ndb-sle15-bci/expected.tsv", encoding: .utf8)
        let expected = Set(tsv.split(separator: "\n").dropFirst().map { line -> String in
            let f = line.split(separator: "\t").map(String.init)
            return "\(f[0])-\(f[2])-\(f[3]).\(f[4])"
        })
        #expect(expected.count == 35)
        #expect(try RpmImages.packages(image).nvra == expected)
    }
}
