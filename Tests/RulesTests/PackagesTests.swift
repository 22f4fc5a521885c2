import Foundation
import Testing
import LayerModel
@testable import Rules

/// Package inventory from captured dpkg/apk databases, and its text, JSON and CycloneDX output.
@Suite struct PackagesTests {
    // Trimmed from a debian:12 image's /var/lib/dpkg/status (descriptions shortened).
    static let dpkgStatus = """
    Package: base-files
    Essential: yes
    Status: install ok installed
    Priority: required
    Section: admin
    Installed-Size: 340
    Maintainer: Santiago Vila <sanvila@debian.org>
    Architecture: amd64
    Multi-Arch: foreign
    Version: 12.4+deb12u5
    Replaces: base, dpkg (<= 1.15.0), miscutils
    Provides: base
    Conffiles:
     /etc/debian_version 56ee9ae1f7b5cb2e1bd7e2d2e7f1a4c1
     /etc/host.conf 4eb63731c9f5e30903ac4fc07a7fe3d6
    Description: Debian base system miscellaneous files
     This package contains the basic filesystem hierarchy of a Debian system.

    Package: bsdutils
    Essential: yes
    Status: install ok installed
    Priority: required
    Section: utils
    Installed-Size: 332
    Maintainer: util-linux packagers <util-linux@packages.debian.org>
    Architecture: amd64
    Multi-Arch: foreign
    Source: util-linux (2.38.1-5)
    Version: 1:2.38.1-5+deb12u1
    Depends: libc6 (>= 2.34), libsystemd0
    Description: basic utilities from 4.4BSD-Lite

    Package: libc6
    Status: install ok installed
    Priority: optional
    Section: libs
    Installed-Size: 12986
    Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
    Architecture: amd64
    Multi-Arch: same
    Source: glibc
    Version: 2.36-9+deb12u7
    Depends: libgcc-s1
    Description: GNU C Library: Shared libraries

    Package: libstdc++6
    Status: install ok installed
    Priority: optional
    Section: libs
    Architecture: amd64
    Multi-Arch: same
    Source: gcc-12 (12.2.0-14)
    Version: 12.2.0-14
    Description: GNU Standard C++ Library v3

    Package: curl
    Status: install ok installed
    Priority: optional
    Section: web
    Architecture: amd64
    Version: 7.88.1-10+deb12u5
    Description: command line tool for transferring data with URL syntax

    Package: tzdata
    Status: install ok installed
    Priority: required
    Section: localization
    Architecture: all
    Version: 2024a-0+deb12u1
    Description: time zone and daylight-saving time data

    Package: nano
    Status: deinstall ok config-files
    Priority: important
    Section: editors
    Architecture: amd64
    Version: 7.2-1
    Description: small, friendly text editor inspired by Pico

    Package: ca-certificates
    Status: install ok half-configured
    Priority: optional
    Section: misc
    Architecture: all
    Version: 20230311
    Description: Common CA certificates

    """

    // Trimmed from an alpine:3.19 image's /lib/apk/db/installed.
    static let apkInstalled = """
    C:Q1Ih0VmHcYUHFLx8zxTbFu63ajtHY=
    P:musl
    V:1.2.4_git20230717-r4
    A:x86_64
    S:407278
    I:663552
    T:the musl c library (libc) implementation
    U:https://musl.libc.org/
    L:MIT
    o:musl
    m:Timo Teräs <timo.teras@iki.fi>
    t:1705321924
    c:ca7f2ab5e88794e4e654b40776f8a92256f50639
    p:so:libc.musl-x86_64.so.1=1
    F:lib
    R:ld-musl-x86_64.so.1
    a:0:0:755
    Z:Q1dSJcZR8v2jpPgmkf3ROaIoVWMKs=
    R:libc.musl-x86_64.so.1

    C:Q1+x86cFfwXW3xMZ4Pp3Ge6kMHfsg=
    P:busybox
    V:1.36.1-r15
    A:x86_64
    S:507831
    T:Size optimized toolbox of many common UNIX utilities
    L:GPL-2.0-only
    o:busybox
    F:bin
    R:busybox
    a:0:0:755

    C:Q1lBgvlqmx9ND0T7+6OJ3Ycb5xVtQ=
    P:libcrypto3
    V:3.1.4-r5
    A:x86_64
    o:openssl
    F:usr/lib
    R:libcrypto.so.3

    C:Q1Ya0ZJQuZT1e2cJ0XU8j3iW5N4Eg=
    P:ca-certificates-bundle
    V:20230506-r0
    A:x86_64
    o:ca-certificates

    """

    static func captured(_ path: String, _ text: String, layer: Int, truncated: Bool = false) -> CapturedFile {
        CapturedFile(path: path, layer: layer, bytes: Array(text.utf8), truncated: truncated)
    }

    static var debianView: FileSystemView {
        var v = FileSystemView(layers: V.layers(3))
        v.captured["/var/lib/dpkg/status"] = captured("/var/lib/dpkg/status", dpkgStatus, layer: 2)
        v.files["/var/lib/dpkg/status"] = V.file("/var/lib/dpkg/status", layer: 2)
        // dpkg writes info/<pkg>[:arch].list when it installs: base packages in layer 0, curl in layer 2.
        for name in ["base-files", "bsdutils", "libc6:amd64", "libstdc++6:amd64", "tzdata"] {
            v.files["/var/lib/dpkg/info/\(name).list"] = V.file("/var/lib/dpkg/info/\(name).list", layer: 0)
        }
        v.files["/var/lib/dpkg/info/curl.list"] = V.file("/var/lib/dpkg/info/curl.list", layer: 2)
        return v
    }

    static var alpineView: FileSystemView {
        var v = FileSystemView(layers: V.layers(2))
        v.captured["/lib/apk/db/installed"] = captured("/lib/apk/db/installed", apkInstalled, layer: 1)
        v.captured["/etc/os-release"] = captured("/etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n", layer: 0)
        v.files["/lib/ld-musl-x86_64.so.1"] = V.file("/lib/ld-musl-x86_64.so.1", layer: 0)
        v.files["/lib/libc.musl-x86_64.so.1"] = V.file("/lib/libc.musl-x86_64.so.1", 0o777, layer: 0, kind: .symlink, target: "ld-musl-x86_64.so.1")
        v.files["/bin/busybox"] = V.file("/bin/busybox", 0o755, layer: 0)
        v.files["/usr/lib/libcrypto.so.3"] = V.file("/usr/lib/libcrypto.so.3", layer: 1)
        return v
    }

    // MARK: parsing

    @Test func dpkgStatus() {
        let (pkgs, notes) = Inventory.packages(in: Self.debianView)
        #expect(pkgs.map(\.name) == ["base-files", "bsdutils", "curl", "libc6", "libstdc++6", "tzdata"])
        let byName = Dictionary(uniqueKeysWithValues: pkgs.map { ($0.name, $0) })
        #expect(byName["bsdutils"]?.version == "1:2.38.1-5+deb12u1")
        #expect(byName["bsdutils"]?.source == "util-linux")
        #expect(byName["libc6"]?.source == "glibc")
        #expect(byName["curl"]?.source == nil)
        #expect(byName["tzdata"]?.architecture == "all")
        #expect(pkgs.allSatisfy { $0.kind == .deb && $0.distribution == "debian" })
        #expect(byName["libc6"]?.layer == 0 && byName["curl"]?.layer == 2)
        #expect(byName["libc6"]?.purl == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64")
        #expect(byName["libstdc++6"]?.purl == "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64")
        #expect(byName["bsdutils"]?.purl == "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u1?arch=amd64")
        // Removed-with-config packages are gone; half-configured ones are named in a note.
        #expect(byName["nano"] == nil && byName["ca-certificates"] == nil)
        #expect(notes == ["1 package is recorded in /var/lib/dpkg/status but not fully installed, so not listed: ca-certificates (half-configured)"])
    }

    @Test func withoutAListFileThePackageBelongsToTheDatabaseLayer() {
        var v = Self.debianView
        v.files = v.files.filter { !$0.key.hasPrefix("/var/lib/dpkg/info/") }
        #expect(Inventory.packages(in: v).packages.allSatisfy { $0.layer == 2 })
    }

    @Test func apkInstalled() {
        let (pkgs, notes) = Inventory.packages(in: Self.alpineView)
        #expect(notes.isEmpty, "\(notes)")
        #expect(pkgs.map(\.name) == ["busybox", "ca-certificates-bundle", "libcrypto3", "musl"])
        let byName = Dictionary(uniqueKeysWithValues: pkgs.map { ($0.name, $0) })
        #expect(byName["musl"]?.version == "1.2.4_git20230717-r4")
        #expect(byName["libcrypto3"]?.source == "openssl")
        #expect(byName["musl"]?.architecture == "x86_64")
        // Layers from the package's files; the database's layer when none is in the view.
        #expect(byName["musl"]?.layer == 0 && byName["busybox"]?.layer == 0)
        #expect(byName["libcrypto3"]?.layer == 1 && byName["ca-certificates-bundle"]?.layer == 1)
        #expect(byName["busybox"]?.purl == "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64")
    }

    @Test func distributionFromOSRelease() {
        var v = Self.debianView
        v.captured["/etc/os-release"] = Self.captured("/etc/os-release", "PRETTY_NAME=\"Ubuntu 24.04 LTS\"\nID=ubuntu\nID_LIKE=debian\n", layer: 0)
        #expect(Inventory.packages(in: v).packages.first?.purl.hasPrefix("pkg:deb/ubuntu/") == true)
        v.captured["/etc/os-release"] = Self.captured("/etc/os-release", "ID=fedora\n", layer: 0)
        #expect(Inventory.packages(in: v).packages.first?.purl.hasPrefix("pkg:deb/debian/") == true)
        var w = Self.alpineView
        w.captured["/etc/os-release"] = Self.captured("/etc/os-release", "ID=wolfi\n", layer: 0)
        #expect(Inventory.packages(in: w).packages.first?.purl.hasPrefix("pkg:apk/wolfi/") == true)
    }

    @Test func truncatedCapturesSayWhatIsMissing() {
        var v = Self.debianView
        // Cut in the middle of the tzdata paragraph.
        let cut = Self.dpkgStatus.range(of: "Package: tzdata")!.upperBound
        v.captured["/var/lib/dpkg/status"] = Self.captured("/var/lib/dpkg/status", String(Self.dpkgStatus[..<cut]), layer: 2, truncated: true)
        let (pkgs, notes) = Inventory.packages(in: v)
        #expect(pkgs.map(\.name) == ["base-files", "bsdutils", "curl", "libc6", "libstdc++6"])
        #expect(notes.count == 1)
        #expect(notes.first?.contains("only the first") == true)
        #expect(notes.first?.contains("1 more are installed according to /var/lib/dpkg/info/: tzdata") == true, "\(notes)")

        var a = Self.alpineView
        let acut = Self.apkInstalled.range(of: "P:libcrypto3")!.upperBound
        a.captured["/lib/apk/db/installed"] = Self.captured("/lib/apk/db/installed", String(Self.apkInstalled[..<acut]), layer: 1, truncated: true)
        let (apks, anotes) = Inventory.packages(in: a)
        #expect(apks.map(\.name) == ["busybox", "musl"])
        #expect(anotes.contains { $0.contains("/lib/apk/db/installed") && $0.contains("missing") })
    }

    @Test func distrolessStatusD() {
        var v = FileSystemView(layers: V.layers(2))
        let record = "Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n"
        v.captured["/var/lib/dpkg/status.d/libssl3"] = Self.captured("/var/lib/dpkg/status.d/libssl3", record, layer: 1)
        v.files["/var/lib/dpkg/status.d/libssl3"] = V.file("/var/lib/dpkg/status.d/libssl3", layer: 1)
        v.files["/var/lib/dpkg/status.d/libc6"] = V.file("/var/lib/dpkg/status.d/libc6", layer: 0)
        let (pkgs, notes) = Inventory.packages(in: v)
        #expect(pkgs.map(\.purl) == ["pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64"])
        #expect(pkgs.first?.layer == 1)
        #expect(notes == ["1 distroless package record was in /var/lib/dpkg/status.d/ but not captured, so those packages are not listed"])
    }

    @Test(arguments: [
        (["/var/lib/rpm/rpmdb.sqlite"], "rpm database /var/lib/rpm/rpmdb.sqlite (layer 0) is in the image but was not read"),
        (["/usr/lib/sysimage/rpm/Packages.db"], "/usr/lib/sysimage/rpm/Packages.db (layer 0) is in the image but was not read"),
        (["/var/lib/dpkg/status"], "/var/lib/dpkg/status is in the image but its content was not captured"),
        (["/etc/hostname"], "no package database found"),
    ])
    func notesWhenNothingCanBeListed(_ paths: [String], _ note: String) {
        var v = FileSystemView(layers: V.layers(1))
        for p in paths { v.files[p] = V.file(p) }
        let (pkgs, notes) = Inventory.packages(in: v)
        #expect(pkgs.isEmpty)
        #expect(notes.contains { $0.contains(note) }, "\(notes)")
    }

    @Test func skippedLayersAndProblemsAreNoted() {
        var v = Self.alpineView
        v.layers[1].skipped = "zstd layers are not supported"
        v.problems = ["layer truncated"]
        let notes = Inventory.packages(in: v).notes
        #expect(notes.contains("layer 1 was not read (zstd layers are not supported): packages it installed or removed are not reflected"))
        #expect(notes.contains { $0.contains("layer truncated") })
    }

    // MARK: rpm

    static func rpmView(osRelease: String? = "ID=\"rhel\"\nVERSION_ID=\"9.3\"\n") -> FileSystemView {
        var v = FileSystemView(layers: V.layers(3))
        if let osRelease { v.captured["/etc/os-release"] = Self.captured("/etc/os-release", osRelease, layer: 0) }
        let db = "/var/lib/rpm/rpmdb.sqlite"
        v.files[db] = V.file(db, layer: 2)
        v.files["/usr/bin/bash"] = V.file("/usr/bin/bash", layer: 0)
        v.files["/usr/bin/curl"] = V.file("/usr/bin/curl", layer: 2)
        v.files["/usr/lib64/libcurl.so.4"] = V.file("/usr/lib64/libcurl.so.4", layer: 2)
        v.rpmDatabases[db] = RpmDatabaseRead(path: db, backend: .sqlite, layer: 2, packages: [
            RpmPackage(name: "bash", epoch: nil, version: "5.1.8", release: "6.el9", arch: "x86_64", sourceRPM: "bash-5.1.8-6.el9.src.rpm",
                       license: "GPLv3+", sampleFiles: ["/usr/bin/bash", "/usr/share/doc/bash"]),
            RpmPackage(name: "curl", epoch: 0, version: "7.76.1", release: "26.el9", arch: "x86_64", license: "MIT",
                       sampleFiles: ["/usr/bin/curl", "/usr/lib64/libcurl.so.4"]),
            RpmPackage(name: "openssl-libs", epoch: 1, version: "3.0.7", release: "24.el9", arch: "x86_64"),
            RpmPackage(name: "gpg-pubkey", version: "fd431d51", release: "4ae0493b", arch: ""),
        ], problems: [])
        return v
    }

    @Test func rpmPackagesWithDistroQualifiedPurls() {
        let (pkgs, notes) = Inventory.packages(in: Self.rpmView())
        #expect(notes.isEmpty, "\(notes)")
        #expect(pkgs.map(\.purl) == [
            "pkg:rpm/rhel/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3",
            "pkg:rpm/rhel/curl@7.76.1-26.el9?arch=x86_64&distro=rhel-9.3",
            "pkg:rpm/rhel/gpg-pubkey@fd431d51-4ae0493b?distro=rhel-9.3",
            "pkg:rpm/rhel/openssl-libs@1:3.0.7-24.el9?arch=x86_64&distro=rhel-9.3",
        ])
        // Layers: by the files each package installed, else the database's.
        #expect(pkgs.map(\.layer) == [0, 2, 2, 2])
        #expect(pkgs.first?.source == "bash-5.1.8-6.el9.src.rpm" && pkgs.first?.license == "GPLv3+")
        #expect(pkgs.allSatisfy { $0.kind == .rpm })
        // Without os-release: no namespace, no distro.
        let bare = Inventory.packages(in: Self.rpmView(osRelease: nil)).packages
        #expect(bare.first?.purl == "pkg:rpm/bash@5.1.8-6.el9?arch=x86_64")
    }

    @Test func rpmDatabaseChoiceProblemsAndWAL() {
        var v = Self.rpmView()
        // A stale Berkeley DB next to the SQLite one, older: not listed, but said.
        v.files["/var/lib/rpm/Packages"] = V.file("/var/lib/rpm/Packages", layer: 0)
        v.rpmDatabases["/var/lib/rpm/Packages"] = RpmDatabaseRead(path: "/var/lib/rpm/Packages", backend: .bdb, layer: 0,
                                                                   packages: [RpmPackage(name: "stale", version: "1", release: "1", arch: "noarch")],
                                                                   problems: [])
        v.rpmDatabases["/var/lib/rpm/rpmdb.sqlite"]?.problems = ["SQLite page 7 is reached twice (a cycle in the b-tree)"]
        v.files["/var/lib/rpm/rpmdb.sqlite-wal"] = FileRecord(path: "/var/lib/rpm/rpmdb.sqlite-wal", kind: .file, mode: 0o644, uid: 0, gid: 0,
                                                               size: 4120, layer: 2)
        let (pkgs, notes) = Inventory.packages(in: v)
        #expect(!pkgs.contains { $0.name == "stale" } && pkgs.count == 4)
        #expect(notes.contains("rpm database /var/lib/rpm/Packages (layer 0) is older than /var/lib/rpm/rpmdb.sqlite (layer 2) and was not listed"))
        #expect(notes.contains("rpm database /var/lib/rpm/rpmdb.sqlite (sqlite): SQLite page 7 is reached twice (a cycle in the b-tree): rpm packages may be missing"))
        #expect(notes.contains { $0.hasPrefix("/var/lib/rpm/rpmdb.sqlite-wal holds 4120 bytes") })
    }

    @Test func rpmLicencesInCycloneDXAndJSON() throws {
        let (pkgs, notes) = Inventory.packages(in: Self.rpmView())
        let bom = Inventory.render(pkgs, notes: notes, format: .cyclonedx, imageName: "ubi9")
        let json = try JSONSerialization.jsonObject(with: Data(bom.utf8)) as? [String: Any]
        let comps = json?["components"] as? [[String: Any]] ?? []
        let bash = comps.first { $0["name"] as? String == "bash" }
        let lic = (bash?["licenses"] as? [[String: Any]])?.first?["license"] as? [String: Any]
        #expect(lic?["name"] as? String == "GPLv3+")
        #expect(bash?["purl"] as? String == "pkg:rpm/rhel/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3")
        let plain = Inventory.render(pkgs, notes: notes, format: .json, imageName: "ubi9")
        #expect(plain.contains("\"license\": \"MIT\"") && plain.contains("\"type\": \"rpm\""))
    }

    @Test func purlEncoding() {
        #expect(PURL.encode("a+b c/d") == "a%2Bb%20c%2Fd")
        #expect(PURL.encode("1:2.0~rc1", keeping: ":") == "1:2.0~rc1")
        let p = InstalledPackage(kind: .apk, name: "x", version: "", architecture: "", distribution: "alpine", layer: 0)
        #expect(p.purl == "pkg:apk/alpine/x")
    }

    // MARK: output

    static var allPackages: ([InstalledPackage], [String]) {
        let d = Inventory.packages(in: debianView)
        let a = Inventory.packages(in: alpineView)
        return (d.packages + a.packages, d.notes + a.notes)
    }

    @Test func textTableIsAligned() {
        let (pkgs, notes) = Self.allPackages
        let out = Inventory.render(pkgs, notes: notes, format: .text, imageName: "example:1")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first == "example:1: 10 packages")
        #expect(lines[1].hasPrefix("NAME "))
        let table = lines[1...10]
        for column in ["VERSION", "ARCH", "LAYER"] {
            let at = lines[1].range(of: column)!.lowerBound.utf16Offset(in: lines[1])
            for row in table {
                let i = row.index(row.startIndex, offsetBy: at)
                #expect(row[row.index(before: i)] == " " && row[i] != " ", "\(column) misaligned in \(row)")
            }
        }
        #expect(lines.contains { $0.hasPrefix("libstdc++6") && $0.contains("12.2.0-14") && $0.hasSuffix("0") })
        #expect(lines.last?.hasPrefix("note: ") == true)
        #expect(Inventory.render([], format: .text, imageName: "scratch") == "scratch: 0 packages\n")
    }

    static func parse(_ s: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    @Test func json() throws {
        let (pkgs, notes) = Self.allPackages
        let doc = try Self.parse(Inventory.render(pkgs, notes: notes, format: .json, imageName: "reg.example.com/app:\"1\"\n"))
        #expect(doc["image"] as? String == "reg.example.com/app:\"1\"\n")
        let list = try #require(doc["packages"] as? [[String: Any]])
        #expect(list.count == pkgs.count)
        let libc = try #require(list.first { $0["name"] as? String == "libc6" })
        #expect(libc["version"] as? String == "2.36-9+deb12u7")
        #expect(libc["architecture"] as? String == "amd64")
        #expect(libc["type"] as? String == "deb")
        #expect(libc["source"] as? String == "glibc")
        #expect(libc["layer"] as? Int == 0)
        #expect(libc["purl"] as? String == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64")
        #expect((doc["notes"] as? [String]) == notes)
        // Empty lists are still valid JSON.
        let empty = try Self.parse(Inventory.render([], format: .json, imageName: "x"))
        #expect((empty["packages"] as? [Any])?.isEmpty == true)
    }

    static func matches(_ pattern: String, _ s: String) -> Bool {
        s.range(of: pattern, options: .regularExpression) != nil
    }

    @Test func cycloneDX() throws {
        let (pkgs, notes) = Self.allPackages
        let out = Inventory.render(pkgs, notes: notes, format: .cyclonedx, imageName: "example:1")
        let bom = try Self.parse(out)
        // Required top-level members of a CycloneDX 1.5 BOM.
        #expect(bom["bomFormat"] as? String == "CycloneDX")
        #expect(bom["specVersion"] as? String == "1.5")
        #expect(bom["version"] as? Int == 1)
        let serial = try #require(bom["serialNumber"] as? String)
        // The schema's serialNumber pattern (RFC 4122 UUID, versions 1-5).
        #expect(Self.matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", serial), "\(serial)")
        let metadata = try #require(bom["metadata"] as? [String: Any])
        let image = try #require(metadata["component"] as? [String: Any])
        #expect(image["type"] as? String == "container")
        #expect(image["name"] as? String == "example:1")
        let tools = try #require((metadata["tools"] as? [String: Any])?["components"] as? [[String: Any]])
        #expect(tools.first?["name"] as? String == "dflint")
        #expect((metadata["properties"] as? [[String: String]])?.map { $0["value"] ?? "" } == notes)

        let components = try #require(bom["components"] as? [[String: Any]])
        #expect(components.count == pkgs.count)
        var refs = Set<String>()
        for c in components {
            #expect(c["type"] as? String == "library")
            let name = try #require(c["name"] as? String)
            #expect(c["version"] is String)
            let purl = try #require(c["purl"] as? String)
            #expect(Self.matches(#"^pkg:(deb/(debian|ubuntu)|apk/alpine)/[A-Za-z0-9.%_~-]+@[A-Za-z0-9.%_~:-]+\?arch=[A-Za-z0-9_.-]+$"#, purl), "\(purl)")
            #expect(purl.contains("/" + PURL.encode(name) + "@"))
            #expect(refs.insert(try #require(c["bom-ref"] as? String)).inserted, "bom-refs are unique")
            let props = try #require(c["properties"] as? [[String: String]])
            #expect(props.contains { $0["name"] == "dflint:layer" && Int($0["value"] ?? "") != nil })
        }
        let deps = try #require(bom["dependencies"] as? [[String: Any]])
        #expect(deps.first?["ref"] as? String == "image")
        #expect(Set(deps.first?["dependsOn"] as? [String] ?? []) == refs)

        // Deterministic: same input, same bytes; different input, different serial.
        #expect(Inventory.render(pkgs, notes: notes, format: .cyclonedx, imageName: "example:1") == out)
        let other = try Self.parse(Inventory.render(Array(pkgs.dropLast()), format: .cyclonedx, imageName: "example:1"))
        #expect(other["serialNumber"] as? String != serial)
        let renamed = try Self.parse(Inventory.render(pkgs, format: .cyclonedx, imageName: "example:2"))
        #expect(renamed["serialNumber"] as? String != serial)
    }

    @Test func cycloneDXKeepsDuplicatePurlsApart() throws {
        let p = InstalledPackage(kind: .deb, name: "a", version: "1", architecture: "amd64", distribution: "debian", layer: 0)
        var q = p
        q.layer = 1
        let bom = try Self.parse(Inventory.render([p, q], format: .cyclonedx, imageName: "x"))
        let refs = (bom["components"] as? [[String: Any]])?.compactMap { $0["bom-ref"] as? String }
        #expect(refs == ["pkg:deb/debian/a@1?arch=amd64", "pkg:deb/debian/a@1?arch=amd64#2"])
    }

    @Test func sha1AndUUID5() {
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA1.digest(long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.digest([UInt8](repeating: 0x61, count: 1_000))) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "http://python.org")
        #expect(UUID5.make(name: "http://python.org") == "50960143-e2b7-5b7a-9ca7-05375f51d5c1")
    }
}
