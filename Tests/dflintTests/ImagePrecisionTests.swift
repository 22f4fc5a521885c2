import Foundation
import Testing
import Checksums
@testable import dflint

/// Image mode says only what is true of the image: positions are places in `reconstruct`'s
/// output, the exit status is decided by findings about the image, and rules judge an image
/// as an image (builds, layers, OS).
enum ImageRun {
    static let f = ImageModeTests.fixtures

    /// `--from-image` as JSON, with an empty environment unless given.
    static func findings(_ args: [String], env: [String: String] = [:]) -> (Int32, [[String: Any]], String) {
        let (s, out, err) = CLITests.run(["--from-image"] + args + ["-f", "json"], env: env)
        return (s, (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [[String: Any]] ?? [], err)
    }

    static func reconstruct(_ args: [String]) -> [String] {
        CLITests.run(["reconstruct"] + args).1.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// A JSON file in a scratch directory.
    static func file(_ name: String, _ text: String) throws -> String {
        try CLITests.tree([name: text]) + "/" + name
    }
}

@Suite struct ImagePositionTests {
    static let f = ImageRun.f

    /// The kitchensink read from each kind of source: an archive, a layout, two stores, a JSON config.
    static let sources: [(String, [String])] = [
        ("docker-archive", ["docker-archive:\(f)/docker-archive/kitchensink_docker.tar"]),
        ("OCI layout", ["oci:\(f)/oci-layout/all:kitchensink_docker"]),
        ("containers-storage", ["containers-storage:localhost/dflint/kitchensink:docker", "--root", "\(f)/containers-storage/overlay-graphroot"]),
        ("docker-root", ["docker-root:localhost/dflint/docker-legacy:kitchensink", "--root", "\(f)/docker-root"]),
        ("JSON config", ["\(f)/history/buildah-podman/kitchensink_docker/config.json"]),
    ]

    /// Every finding's line:column is the place, in `reconstruct`'s output, of what it is about.
    @Test(arguments: sources.indices)
    func findingsPointIntoReconstructOutput(_ i: Int) throws {
        let (label, args) = Self.sources[i]
        let (_, list, err) = ImageRun.findings(args)
        let lines = ImageRun.reconstruct(args)
        #expect(list.count > 5, "\(label): \(err)")
        var checked: Set<String> = []
        for f in list {
            let rule = f["rule"] as? String ?? "", msg = f["message"] as? String ?? ""
            let line = f["line"] as? Int ?? 0, col = f["column"] as? Int ?? 0
            try #require(line >= 1 && line <= lines.count, "\(label): \(rule) at \(line)")
            let text = lines[line - 1]
            let at = String(decoding: Array(text.utf8).dropFirst(col - 1), as: UTF8.self)
            // History findings: the nearest entry comment above the line is that entry's.
            if msg.hasPrefix("history entry "), let n = Int(msg.dropFirst(14).prefix { $0.isNumber }) {
                #expect(!text.hasPrefix("#"), "\(label): \(rule) on comment line \(line): \(text)")
                let above = lines[..<(line - 1)].last { $0.hasPrefix("# [") }
                #expect(above?.hasPrefix("# [\(n)] ") == true, "\(label): \(rule) line \(line) under \(above ?? "-")")
            }
            switch rule {
            case "DF180":   // `ENV NAME stores a secret`: the column is NAME's.
                let name = msg.components(separatedBy: " stores a secret").first?.split(separator: " ").last.map(String.init) ?? "?"
                #expect(at.hasPrefix(name), "\(label): DF180 at \(line):\(col) is \(at.prefix(20)), not \(name)")
            case "DF160":   // `chmod u+s sets ...`: the column is the mode's.
                let mode = msg.components(separatedBy: "chmod ").last?.split(separator: " ").first.map(String.init) ?? "?"
                #expect(at.hasPrefix(mode + " ") && text.contains("chmod " + mode), "\(label): DF160 at \(at.prefix(20))")
            case "DF501", "DF506": #expect(col == 1 && text.hasPrefix("RUN "), "\(label): \(rule) on \(text.prefix(30))")
            case "DF170": #expect(at.hasPrefix("file:") || at.hasPrefix("app.conf"), "\(label): DF170 at \(at.prefix(20))")
            case "DF130": #expect(text.hasPrefix("FROM ") && at.hasPrefix("localhost/busybase:1"))
            case "DF131", "DF401": #expect(line == 1 && col == 1 && text.hasPrefix("# dflint reconstruct "))
            default: continue
            }
            checked.insert(rule)
        }
        #expect(checked.isSuperset(of: ["DF180", "DF160", "DF131"]), "\(label): \(checked)")
    }

    /// Golden: the DB_PASSWORD finding of the tarball read, at the line and column `reconstruct` shows it.
    @Test func dbPasswordGolden() throws {
        let args = ["docker-archive:\(Self.f)/docker-archive/kitchensink_docker.tar"]
        let lines = ImageRun.reconstruct(args)
        let n = try #require(lines.firstIndex { $0.hasPrefix("ENV DB_PASSWORD=hunter2") })
        let (_, list, _) = ImageRun.findings(args)
        let f = try #require(list.first { ($0["message"] as? String)?.contains("ENV DB_PASSWORD stores") == true })
        #expect(f["line"] as? Int == n + 1 && f["column"] as? Int == 5)
    }
}

@Suite struct ImageExitStatusTests {
    static let f = ImageRun.f
    /// jib's test config: user, healthcheck, exec-form entrypoint: nothing to say about the image.
    static let clean = CLITests.repo.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/image-configs/GoogleContainerTools__jib__jib-core__src__test__resources__core__json__containerconfig.json").path

    @Test func hostLevelFindingDoesNotDecideTheExitStatus() {
        let (s, list, err) = ImageRun.findings([Self.clean])
        #expect(s == 0, "\(err)")
        #expect(list.contains { $0["rule"] as? String == "DF131" })   // still reported
        #expect(ImageRun.findings([Self.clean, "--fail-on-host-findings"]).0 == 1)
        #expect(ImageRun.findings([Self.clean, "--fail-on-host-findings"], env: ["DOCKER_CONTENT_TRUST": "1"]).0 == 0)
        // The run note (DF401, info) never counts either.
        let (s2, l2, _) = ImageRun.findings([Self.clean, "--failure-threshold", "info"])
        #expect(s2 == 0 && l2.contains { $0["rule"] as? String == "DF401" })
    }

    @Test func imageFindingsStillFail() {
        #expect(ImageRun.findings(["docker-archive:\(Self.f)/docker-archive/kitchensink_docker.tar"]).0 == 1)
    }

    /// A Dockerfile's findings count as before (DF131 is image-mode only).
    @Test func dockerfileExitStatusUnchanged() throws {
        let d = try CLITests.tree(["Dockerfile": "FROM alpine:3.19\nUSER root\n"])
        #expect(CLITests.run([d + "/Dockerfile"]).0 == 1)
    }

    /// busybase's real layer with a config that runs as `app` and has a health check: a clean image
    /// read with its layers (an OCI layout written here from the fixture's blobs) exits 0.
    @Test func cleanImageWithLayersExitsZero() throws {
        let dir = try CleanImage.write()
        let (s, list, err) = ImageRun.findings(["oci:\(dir):clean"])
        #expect(s == 0, "\(list) \(err)")
        #expect(list.allSatisfy { ["DF131"].contains($0["rule"] as? String ?? "") }, "\(list)")
        #expect(!list.contains { $0["rule"] as? String == "DF401" })   // the layers were read
    }

    @Test func dockerRegistryReadsLayersByDefault() throws {
        #expect(ImageCommands.sourceOptions(try CLI.parseOptions(["--from-image", "docker://x/y"], Console()), Console()).remoteLayers)
        #expect(!ImageCommands.sourceOptions(try CLI.parseOptions(["--from-image", "docker://x/y", "--no-layers"], Console()), Console()).remoteLayers)
    }

    @Test func layerRulesNotRunIsSaid() {
        let tar = "docker-archive:\(Self.f)/docker-archive/kitchensink_docker.tar"
        let note = { (l: [[String: Any]]) in l.first { $0["rule"] as? String == "DF401" }?["message"] as? String }
        #expect(note(ImageRun.findings([tar]).1) == nil)
        #expect(note(ImageRun.findings([tar, "--no-layers"]).1) == "layer contents were not read (--no-layers): the layer rules (DF5xx) did not run")
        #expect(note(ImageRun.findings(["\(Self.f)/history/buildah-podman/kitchensink_docker/config.json"]).1)?
            .contains("this source holds no layer contents") == true)
    }
}

/// An OCI layout of busybase's layer with a clean config (user, health check), built the way a
/// registry test would push it.
enum CleanImage {
    static func write() throws -> String {
        let all = "\(ImageRun.f)/oci-layout/all"
        func json(_ path: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        }
        let index = try json("\(all)/index.json")
        let entry = (index["manifests"] as! [[String: Any]]).first { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == "busybase_1" }!
        let manifest = try json("\(all)/blobs/sha256/\((entry["digest"] as! String).dropFirst(7))")
        let layer = (manifest["layers"] as! [[String: Any]])[0]
        let base = try json("\(all)/blobs/sha256/\(((manifest["config"] as! [String: Any])["digest"] as! String).dropFirst(7))")
        let diffIDs = (base["rootfs"] as! [String: Any])["diff_ids"] as! [String]
        let config = """
        {"architecture":"amd64","os":"linux","created":"2026-11-23T08:00:00Z",
         "config":{"User":"app","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],
                   "Healthcheck":{"Test":["CMD","/bin/true"],"Interval":30000000000}},
         "rootfs":{"type":"layers","diff_ids":["\(diffIDs[0])"]},
         "history":[{"created":"2026-11-23T07:43:36Z","created_by":"busybase: buildah from scratch + /bin/busybox (busybox-static 1:1.35.0-4+deb12u1) + --install -s"},
                    {"created":"2026-11-23T08:00:00Z","created_by":"/bin/sh -c #(nop)  USER app","empty_layer":true},
                    {"created":"2026-11-23T08:00:00Z","created_by":"/bin/sh -c #(nop)  HEALTHCHECK &{[\\"CMD\\" \\"/bin/true\\"] \\"30s\\" \\"0s\\" \\"0s\\" '\\\\x00'}","empty_layer":true},
                    {"created":"2026-11-23T08:00:00Z","created_by":"/bin/sh -c #(nop)  CMD [\\"/bin/sh\\"]","empty_layer":true}]}
        """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dflint-clean-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(dir)/blobs/sha256", withIntermediateDirectories: true)
        func put(_ bytes: [UInt8]) throws -> String {
            let hex = SHA256.hex(bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/blobs/sha256/\(hex)"))
            return "sha256:" + hex
        }
        let layerHex = String((layer["digest"] as! String).dropFirst(7))
        try FileManager.default.copyItem(atPath: "\(all)/blobs/sha256/\(layerHex)", toPath: "\(dir)/blobs/sha256/\(layerHex)")
        let c = Array(config.utf8)
        let configDigest = try put(c)
        let m = Array("""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(c.count)},
         "layers":[{"mediaType":"\(layer["mediaType"] as! String)","digest":"\(layer["digest"] as! String)","size":\(layer["size"] as! Int)}]}
        """.utf8)
        let manifestDigest = try put(m)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: "\(dir)/oci-layout", atomically: true, encoding: .utf8)
        try """
        {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\(manifestDigest)",
         "size":\(m.count),"annotations":{"org.opencontainers.image.ref.name":"clean"}}]}
        """.write(toFile: "\(dir)/index.json", atomically: true, encoding: .utf8)
        return dir
    }
}

@Suite struct ImageRuleTests {
    static let f = ImageRun.f

    /// DF170: the kitchensink's `ADD app.conf` wrote one file where it said (COPY does the same);
    /// its `ADD payload.tar /opt/` and `ADD payload.tar.gz /opt/gz/` unpacked archives (they did not).
    @Test func addJudgedByItsLayer() {
        let (_, list, _) = ImageRun.findings(["docker-archive:\(Self.f)/docker-archive/kitchensink_docker.tar"])
        let adds = list.filter { $0["rule"] as? String == "DF170" }.compactMap { $0["message"] as? String }
        #expect(adds == ["history entry 7: ADD of one build-context file (file:534cda34e868…), written as /app/app.conf by its layer: it was no archive, so COPY does the same"])
        // The config alone cannot tell a file from an archive: only a destination that names a file does.
        let (_, json, _) = ImageRun.findings(["\(Self.f)/history/buildah-podman/kitchensink_docker/config.json"])
        #expect(json.filter { $0["rule"] as? String == "DF170" }.compactMap { $0["message"] as? String }
                == ["history entry 7: ADD of one build-context file (file:534cda34e868…) to /app/app.conf, a file name (its layer was not read), so no archive was unpacked: COPY does the same"])
    }

    /// The base image's rootfs `ADD file:… in /` is no finding, with layers or without.
    @Test func rootfsAddIsNoFinding() throws {
        let corpus = CLITests.repo.deletingLastPathComponent().appendingPathComponent("shared/corpus/image-configs").path
        let configs = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".json") }
        var rootfs = 0
        for c in configs {
            let lines = ImageRun.reconstruct(["\(corpus)/\(c)"])
            guard lines.contains(where: { $0.hasPrefix("ADD file:") && $0.hasSuffix(" /") }) else { continue }
            rootfs += 1
            let (_, list, _) = ImageRun.findings(["\(corpus)/\(c)"])
            #expect(!list.contains { $0["rule"] as? String == "DF170" && lines[($0["line"] as! Int) - 1].hasSuffix(" /") }, "\(c)")
        }
        #expect(rootfs > 20)
        let (_, busybase, _) = ImageRun.findings(["docker-archive:\(Self.f)/docker-archive/docker-save_docker-legacy_kitchensink.tar"])
        #expect(!busybase.contains { ($0["message"] as? String)?.contains("history entry 0") == true && $0["rule"] as? String == "DF170" })
    }

    /// DF202 never across builds: httpd's CMD replaces debian's; the Entrypoint:[] case has one CMD.
    @Test func repeatedInstructionOnlyWithinABuild() throws {
        let corpus = CLITests.repo.deletingLastPathComponent().appendingPathComponent("shared/corpus/image-configs").path
        for c in ["containers__image__internal__image__fixtures__oci1-config.json",
                  "goodwithtech__dockle__pkg__assessor__manifest__testdata__nginx.json"] {
            let (_, list, _) = ImageRun.findings(["\(corpus)/\(c)"])
            #expect(!list.contains { $0["rule"] as? String == "DF202" }, "\(c)")
        }
        let (_, ms, _) = ImageRun.findings(["docker-archive:\(Self.f)/docker-archive/podman-save-multi-all.tar:localhost/dflint/multistage:docker"])
        #expect(!ms.contains { $0["rule"] as? String == "DF202" })
        // Two CMDs with nothing between them are one build's: still reported.
        let twice = try ImageRun.file("twice.json", """
        {"architecture":"amd64","os":"linux","config":{"Cmd":["b"],"User":"1000"},
         "rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
         "history":[{"created_by":"/bin/sh -c make install"},
                    {"created_by":"/bin/sh -c #(nop)  CMD [\\"a\\"]","empty_layer":true},
                    {"created_by":"/bin/sh -c #(nop)  CMD [\\"b\\"]","empty_layer":true}]}
        """)
        let (_, t, _) = ImageRun.findings([twice])
        let hits = t.filter { $0["rule"] as? String == "DF202" }
        #expect(hits.count == 1 && (hits.first?["message"] as? String)?.hasPrefix("history entry 1: this CMD is overridden") == true, "\(t)")
    }

    /// DF101 says what holds for the image: no "scratch has no users" for a full rootfs, and
    /// ContainerAdministrator for a Windows image.
    @Test func missingUserMessages() throws {
        let (_, bb, _) = ImageRun.findings(["docker-archive:\(Self.f)/docker-archive/podman-save-multi-all.tar:localhost/busybase:1"])
        let msg = bb.first { $0["rule"] as? String == "DF101" }?["message"] as? String
        #expect(msg == "the image config sets no User, so the container runs as root (uid 0)")
        // mongo:windowsservercore-ltsc2022 as docker-library/repo-info lists it (history and Cmd; no User):
        // a servercore base runs as ContainerAdministrator.
        let win = try ImageRun.file("windows.json", """
        {"architecture":"amd64","os":"windows","os.version":"10.0.20348.1487",
         "config":{"Cmd":["mongod","--bind_ip_all"],"Shell":["powershell","-Command","$ErrorActionPreference = 'Stop';"]},
         "rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111",
                   "sha256:2222222222222222222222222222222222222222222222222222222222222222"]},
         "history":[{"created":"2023-01-06T23:47:40Z","created_by":"Apply image 10.0.20348.1487"},
                    {"created":"2023-01-12T01:40:34Z","created_by":"powershell -Command $ErrorActionPreference = 'Stop'; #(nop)  SHELL [powershell -Command $ErrorActionPreference = 'Stop';]","empty_layer":true},
                    {"created":"2023-01-12T02:01:43Z","created_by":"powershell -Command $ErrorActionPreference = 'Stop'; #(nop)  ENV MONGO_VERSION=6.0.3","empty_layer":true},
                    {"created":"2023-01-12T02:07:27Z","created_by":"powershell -Command $ErrorActionPreference = 'Stop'; Write-Host 'Installing ...'"},
                    {"created":"2023-01-12T02:07:28Z","created_by":"powershell -Command $ErrorActionPreference = 'Stop'; #(nop)  CMD [\\"mongod\\" \\"--bind_ip_all\\"]","empty_layer":true}]}
        """)
        let (_, w, _) = ImageRun.findings([win])
        let wm = w.first { $0["rule"] as? String == "DF101" }?["message"] as? String ?? ""
        #expect(wm.contains("ContainerAdministrator") && !wm.contains("root") && !wm.contains("uid"), "\(wm)")
        // With User ContainerUser (as nanoserver bases set it) there is nothing to say.
        let user = try ImageRun.file("windows-user.json", """
        {"architecture":"amd64","os":"windows","config":{"Entrypoint":["dotnet.exe"],"User":"ContainerUser"},
         "rootfs":{"type":"layers","diff_ids":["sha256:a855a0b30834b3ba20b3c87350b4ab2b2750ed99aa7da0e14599aeb7f29557e5",
                   "sha256:3bdd68d60465b15b99355269fef14df94ef0229c57668a5e66361b0d48d41815"]},
         "history":[{"created":"2021-05-04T21:22:59.0761106Z","created_by":"Apply image 1909-amd64"},{"created":"0001-01-01T00:00:00Z"}]}
        """)
        #expect(!ImageRun.findings([user]).1.contains { ["DF101", "DF102"].contains($0["rule"] as? String ?? "") })
    }

    /// Config `OnBuild` triggers and `#(nop) ONBUILD` entries are ONBUILD instructions of the reconstruction.
    @Test func onbuildTriggersAreInstructions() throws {
        let legacy = ImageRun.reconstruct(["docker-archive:\(Self.f)/docker-archive/docker-save_docker-legacy_kitchensink.tar"])
        #expect(legacy.contains("ONBUILD RUN echo \"onbuild trigger\""))   // from `#(nop)  ONBUILD` in the history
        let bk = ImageRun.reconstruct(["docker-archive:\(Self.f)/docker-archive/docker-save_multi.tar:localhost/dflint/docker-buildkit:kitchensink"])
        #expect(bk.contains("ONBUILD RUN echo \"onbuild trigger\""))       // BuildKit: config.OnBuild only
        #expect(bk.filter { $0.hasPrefix("ONBUILD") }.count == 1)
    }

    /// `ONBUILD ADD . /src` in a config is CIS 4.9 for the images built from it.
    @Test func onbuildAddIsCIS49() throws {
        let cfg = try ImageRun.file("onbuild.json", """
        {"architecture":"amd64","os":"linux","config":{"User":"1000","OnBuild":["ADD . /src"]},
         "rootfs":{"type":"layers","diff_ids":[]},"history":[]}
        """)
        let lines = ImageRun.reconstruct([cfg])
        let n = try #require(lines.firstIndex(of: "ONBUILD ADD . /src"))
        let (_, list, _) = ImageRun.findings([cfg])
        #expect(list.contains { $0["rule"] as? String == "DF170" && $0["line"] as? Int == n + 1 }, "\(list)")
    }
}
