// Rules over what an image's layers hold (image mode with layers read):
// setuid programs, secret files (present or "deleted" in a later layer),
// tools an image should not ship, loose permissions, owners with no user,
// and layers the scanner could not read. They read `settings.layers` and
// point at the instruction that wrote the layer (`settings.layerAnchors`).
// A Dockerfile example cannot carry a layer view, so these rules have no
// `triggering` examples: they are tested with synthetic views instead and
// live outside `Catalogue.rules`, in `Catalogue.layerRules`.
import DockerfileSyntax
import LayerModel

enum LayerRules {
    // MARK: helpers

    /// Where a finding about `layer` points: the instruction that wrote it.
    static func anchor(_ ctx: LintContext, _ layer: Int) -> Span {
        ctx.settings.layerAnchors[layer] ?? Span(0, 0)
    }

    /// `layer 2 (sha256:0123456789ab)`: the 0-based index in the view, and the digest when known.
    static func layerName(_ view: FileSystemView, _ layer: Int) -> String {
        guard layer >= 0, layer < view.layers.count else { return "layer \(layer)" }
        let d = view.layers[layer].digest
        guard !d.isEmpty else { return "layer \(layer)" }
        let short: String
        if let colon = d.firstIndex(of: ":") {
            short = String(d[..<colon]) + ":" + String(d[d.index(after: colon)...].prefix(12))
        } else {
            short = String(d.prefix(19))
        }
        return "layer \(layer) (\(short))"
    }

    /// Permission bits in octal, four digits: `4755`.
    static func octal(_ mode: UInt32) -> String {
        let s = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "/" }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }

    /// `target` of a link at `path`, made absolute and normalised (`.`, `..`, `//`).
    static func resolve(_ target: String, from path: String) -> String {
        let joined = target.hasPrefix("/") ? target : dirname(path) + "/" + target
        var parts: [Substring] = []
        for p in joined.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Where a chain of symlinks starting at `path` ends (at most 16 hops).
    static func finalTarget(_ path: String, in view: FileSystemView) -> String {
        var cur = path
        for _ in 0..<16 {
            guard let r = view.files[cur], r.kind == .symlink, let t = r.linkTarget else { return cur }
            cur = resolve(t, from: cur)
        }
        return cur
    }

    /// Lists at most `limit` items, then "and N more".
    static func list(_ items: [String], limit: Int = 3) -> String {
        if items.count <= limit { return items.joined(separator: ", ") }
        return items.prefix(limit).joined(separator: ", ") + " and \(items.count - limit) more"
    }

    static func isAllowed(_ path: String, _ allow: [String]) -> Bool {
        allow.contains { $0 == path || ($0.contains("*") && Glob.match($0, path)) }
    }

    // MARK: 4.8 setuid / setgid

    static func setuidFiles(_ view: FileSystemView) -> [FileRecord] {
        view.files.values.filter { ($0.kind == .file || $0.kind == .hardlink) && ($0.isSetuid || $0.isSetgid) }
            .sorted { $0.path < $1.path }
    }

    static func setuidDescription(_ r: FileRecord) -> String {
        let bits = r.isSetuid && r.isSetgid ? "setuid and setgid" : r.isSetuid ? "setuid" : "setgid"
        let who = r.isSetuid && r.isSetgid ? "its owner and group" : r.isSetuid ? "its owner" : "its group"
        // Without an execute bit nobody can run it, yet: the bit grants nothing until a chmod +x.
        if r.mode & 0o111 == 0 {
            return "\(r.path) is \(bits) (owner \(r.uid):\(r.gid), mode \(octal(r.mode))): not executable, so the bit grants nothing yet, but it would run with the privileges of \(who) once made executable"
        }
        return "\(r.path) is \(bits) (owner \(r.uid):\(r.gid), mode \(octal(r.mode))): it runs with the privileges of \(who)"
    }

    static let setuidFile = Rule(RuleDescriptor(
        id: "DF501", name: "setuid-file", title: "The image holds a setuid or setgid program", cis: "4.8", scored: false,
        defaultSeverity: .warning,
        rationale: "A setuid (or setgid) executable runs with its owner's (or group's) privileges whoever starts it, so a bug in any of them is a privilege escalation inside the container. CIS 4.8 asks that images keep only the ones they need. This rule reads the merged file system of the image's layers and reports every setuid/setgid regular file that is not on the `setuid-allow` list (the usual passwd/su/mount family, reported by DF502 instead).",
        fix: "Remove the bits in the last layer: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`, or add the path to `setuid-allow` when the program is needed."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        return setuidFiles(view).filter { !isAllowed($0.path, ctx.settings.setuidAllow) }.map {
            Hit(anchor(ctx, $0.layer), setuidDescription($0) + "; written by \(layerName(view, $0.layer))", redact: nil)
        }
    }

    static let setuidAllowed = Rule(RuleDescriptor(
        id: "DF502", name: "setuid-allowed", title: "The image holds an allow-listed setuid or setgid program", cis: "4.8",
        scored: false, defaultSeverity: .info,
        rationale: "Programs such as passwd, su, mount or ping are setuid by design and are on the `setuid-allow` list, so they are listed for review (CIS 4.8 is a manual check) rather than flagged. Images that never change users or mount file systems need none of them.",
        fix: "Remove the bits when the container does not need the program (`chmod a-s`), or keep it and accept the finding."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        return setuidFiles(view).filter { isAllowed($0.path, ctx.settings.setuidAllow) }.map {
            Hit(anchor(ctx, $0.layer), setuidDescription($0) + "; it is on the setuid allow-list; written by \(layerName(view, $0.layer))",
                redact: nil)
        }
    }

    // MARK: 4.10 secret files

    static let secretFile = Rule(RuleDescriptor(
        id: "DF503", name: "secret-file-in-image", title: "The image contains a file holding credentials", cis: "4.10",
        scored: false, defaultSeverity: .error,
        rationale: "Anyone who can pull the image can read every file in it. SSH and TLS private keys, cloud credentials, registry auth in `.docker/config.json`, package-registry tokens in `.npmrc`/`.pypirc`/`.netrc`, `.git-credentials`, kube configs and `.env` files with secrets are found by reading their content (a key header, a credential key with a value), not only their names, so a certificate named `server.pem` or an `.npmrc` that reads `${NPM_TOKEN}` is not reported. Values are masked in messages.",
        fix: "Do not copy credentials into the image: use `RUN --mount=type=secret` (or `type=ssh`) for build-time secrets and inject runtime secrets when the container starts."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        var hits: [Hit] = []
        for path in view.captured.keys.sorted() {
            let c = view.captured[path]!
            guard SecretFiles.isCandidate(path) else { continue }
            let ev = SecretFiles.inspect(path: path, bytes: c.bytes)
            guard !ev.isEmpty else { continue }
            hits.append(Hit(anchor(ctx, c.layer),
                            "secret file \(path) is in the image (\(SecretFiles.describe(path))): \(SecretFiles.summary(ev)); written by \(layerName(view, c.layer))",
                            redact: nil))
        }
        return hits
    }

    static let secretFileRemoved = Rule(RuleDescriptor(
        id: "DF504", name: "secret-file-removed", title: "A credentials file was deleted in a later layer but is still in the image",
        cis: "4.10", scored: false, defaultSeverity: .error,
        rationale: "Layers are stacked, not rewritten: a file deleted (or whited out) by a later instruction is still inside the earlier layer's tar, and `docker save` or any registry client extracts it. A secret added and then removed is as exposed as one that was never removed.",
        fix: "Never write the secret into a layer: use `RUN --mount=type=secret`, or copy it in a build stage that is not exported; rotate the exposed credential."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        var hits: [Hit] = []
        let removed = view.removed.sorted { ($0.record.path, $0.record.layer, $0.removedIn) < ($1.record.path, $1.record.layer, $1.removedIn) }
        for r in removed {
            guard r.record.kind == .file, SecretFiles.isCandidate(r.record.path), let c = r.content else { continue }
            let ev = SecretFiles.inspect(path: r.record.path, bytes: c.bytes)
            guard !ev.isEmpty else { continue }
            var msg = "secret file \(r.record.path) (\(SecretFiles.describe(r.record.path))) is still recoverable from layer \(r.record.layer) (removed in layer \(r.removedIn)): \(SecretFiles.summary(ev))"
            let from = layerName(view, r.record.layer)
            if from != "layer \(r.record.layer)" { msg += "; the secret is in the tar of \(from)" }
            hits.append(Hit(anchor(ctx, r.record.layer), msg, redact: nil))
        }
        return hits
    }

    // MARK: 4.3 unnecessary tools

    static let tools: [String: String] = [
        "sshd": "an SSH server", "dropbear": "an SSH server",
        "telnetd": "a telnet server", "in.telnetd": "a telnet server", "utelnetd": "a telnet server", "telnet": "a telnet client",
        "nc": "netcat", "netcat": "netcat", "nc.openbsd": "netcat", "nc.traditional": "netcat", "ncat": "netcat (ncat)",
        "sudo": "sudo, a privilege-escalation tool",
    ]
    static let binDirs: Set<String> = ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"]

    /// Whether a link is a busybox applet (`/usr/bin/nc -> /bin/busybox`, or a hard link to busybox).
    static func isBusyboxApplet(_ r: FileRecord, in view: FileSystemView) -> Bool {
        guard let t = r.linkTarget else { return false }
        switch r.kind {
        case .symlink:
            let end = finalTarget(r.path, in: view)
            return basename(end) == "busybox" || basename(t) == "busybox"
        case .hardlink:
            // The busybox image hard-links every applet to one binary (`bin/[` or `bin/busybox`).
            let b = basename(t)
            return b == "busybox" || b == "[" || b == "[["
        default:
            return false
        }
    }

    static let unnecessaryTool = Rule(RuleDescriptor(
        id: "DF505", name: "unnecessary-tool-in-image", title: "The image ships an SSH server, telnet, netcat or sudo",
        cis: "4.3", scored: false, defaultSeverity: .info,
        rationale: "CIS 4.3 asks that images hold only what the application needs. An SSH or telnet daemon is a way in, netcat a ready-made reverse shell, sudo a privilege-escalation path; none belongs in an application container. The rule looks in the bin directories of the merged file system. Busybox applet links (`/usr/bin/nc -> /bin/busybox`, present in every Alpine image) are skipped: the applet is part of the busybox binary, and deleting the link would not remove it. Tools from busybox-extras are reported, since that package is optional.",
        fix: "Remove the package that installs the tool (openssh-server, telnetd, netcat-*, ncat, sudo) from the final image."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        var hits: [Hit] = []
        // Filter before sorting: a view can hold hundreds of thousands of paths.
        let candidates = view.files.values.filter { tools[basename($0.path)] != nil }.sorted { $0.path < $1.path }
        for r in candidates {
            guard r.kind == .file || r.kind == .hardlink || r.kind == .symlink, binDirs.contains(dirname(r.path)),
                  let what = tools[basename(r.path)] else { continue }
            if isBusyboxApplet(r, in: view) { continue }
            var msg = "\(r.path) is \(what)"
            if r.kind == .symlink, let t = r.linkTarget { msg += " (-> \(t))" }
            msg += "; written by \(layerName(view, r.layer))"
            hits.append(Hit(anchor(ctx, r.layer), msg, redact: nil))
        }
        return hits
    }

    // MARK: permissions and owners

    static let scratchDirs = ["/tmp", "/var/tmp", "/dev/shm"]
    /// At most this many world-writable paths are reported one by one; the rest are summed up.
    static let worldWritableLimit = 50

    static let worldWritable = Rule(RuleDescriptor(
        id: "DF506", name: "world-writable", title: "World-writable files or directories outside the temporary directories",
        defaultSeverity: .info,
        rationale: "A world-writable file or directory lets any user in the container (or any process that gets a foothold as an unprivileged user) change programs, configuration or data that other users trust. Sticky directories (mode 1777, like /tmp) only let owners delete their files and are fine; /tmp, /var/tmp and /dev/shm are expected to be writable. Symbolic links always have mode 0777 and are not reported.",
        fix: "Tighten the mode in the layer that creates the path (`chmod o-w`), or make shared directories sticky (`chmod 1777`)."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        let found = view.files.values.filter { r in
            guard r.kind == .file || r.kind == .directory || r.kind == .hardlink, r.isWorldWritable else { return false }
            if r.kind == .directory && r.mode & 0o1000 != 0 { return false }
            return !scratchDirs.contains { r.path == $0 || r.path.hasPrefix($0 + "/") }
        }.sorted { $0.path < $1.path }
        var hits: [Hit] = []
        for r in found.prefix(worldWritableLimit) {
            let what = r.kind == .directory ? "directory" : "file"
            hits.append(Hit(anchor(ctx, r.layer),
                            "\(r.path) is a world-writable \(what) (mode \(octal(r.mode)), owner \(r.uid):\(r.gid)); written by \(layerName(view, r.layer))",
                            redact: nil))
        }
        if found.count > worldWritableLimit {
            let rest = Array(found.dropFirst(worldWritableLimit))
            hits.append(Hit(anchor(ctx, rest[0].layer),
                            "\(rest.count) more world-writable paths not listed one by one: \(list(rest.map(\.path)))", redact: nil))
        }
        return hits
    }

    /// uids with an entry in a passwd file.
    static func passwdUIDs(_ bytes: [UInt8]) -> Set<Int> {
        var out = Set<Int>()
        for line in bytes.split(separator: 0x0A) {
            let fields = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard fields.count >= 3, let uid = Int(String(decoding: fields[2], as: UTF8.self)) else { continue }
            out.insert(uid)
        }
        return out
    }

    static let unknownOwner = Rule(RuleDescriptor(
        id: "DF507", name: "unknown-owner", title: "Files owned by a uid that has no user in /etc/passwd",
        defaultSeverity: .info,
        rationale: "Files owned by a uid that no user in the image's /etc/passwd has usually come from a build host's account (an archive extracted with its owners, `COPY` without `--chown` from a tool that keeps them). Whoever later gets that uid, in the container or through a shared volume, owns the files. Reported once per uid; skipped when the image has no /etc/passwd, or when only part of it was read.",
        fix: "Set the owner when the files are added (`COPY --chown=app:app`, `tar --no-same-owner`) or create the user the files belong to."
    )) { ctx in
        guard let view = ctx.settings.layers, let passwd = view.captured["/etc/passwd"], !passwd.truncated else { return [] }
        let known = passwdUIDs(passwd.bytes)
        var byUID: [Int: [FileRecord]] = [:]
        for r in view.files.values where !known.contains(r.uid) { byUID[r.uid, default: []].append(r) }
        return byUID.keys.sorted().map { uid in
            let files = byUID[uid]!.sorted { $0.path < $1.path }
            let layers = Set(files.map(\.layer)).sorted().map { layerName(view, $0) }
            let noun = files.count == 1 ? "path is" : "paths are"
            return Hit(anchor(ctx, files[0].layer),
                       "\(files.count) \(noun) owned by uid \(uid), which has no entry in /etc/passwd: \(list(files.map(\.path))); written by \(layers.joined(separator: ", "))",
                       redact: nil)
        }
    }

    // MARK: what could not be checked

    static let layerSkipped = Rule(RuleDescriptor(
        id: "DF508", name: "layer-skipped", title: "A layer could not be read, so its files were not checked",
        defaultSeverity: .warning,
        rationale: "Layer rules (setuid files, secret files, removed secrets, tools, permissions, the package inventory) only see the layers that were read. A layer that was skipped (a compression dflint does not read, such as xz or bzip2) or stopped part-way (a decompression bomb, a truncated blob) may hold exactly what they look for, so a clean report would be misleading.",
        fix: "Re-export the image with gzip or uncompressed layers (`docker save`, `skopeo copy --dest-compress-format gzip`), or inspect the layer by other means."
    )) { ctx in
        guard let view = ctx.settings.layers else { return [] }
        let unchecked = "setuid bits, secret files, removed secrets, tools, permissions and installed packages"
        var hits: [Hit] = []
        for (i, l) in view.layers.enumerated() {
            guard let why = l.skipped else { continue }
            hits.append(Hit(anchor(ctx, i), "\(layerName(view, i)) was not read (\(why)): its \(unchecked) were not checked", redact: nil))
        }
        for p in view.problems {
            // A problem that names a layer's digest points at that layer's instruction.
            let layer = view.layers.indices.first { i in
                let d = view.layers[i].digest
                let hex = d.split(separator: ":").last.map(String.init) ?? d
                return !hex.isEmpty && (p.contains(d) || (hex.count >= 12 && p.contains(hex.prefix(12))))
            }
            let where_ = layer.map { " in \(layerName(view, $0))" } ?? ""
            hits.append(Hit(layer.map { anchor(ctx, $0) } ?? Span(0, 0),
                            "reading the layers stopped or was incomplete\(where_): \(p); the \(unchecked) in what was not read were not checked",
                            redact: nil))
        }
        return hits
    }

    static let all: [Rule] = [setuidFile, setuidAllowed, secretFile, secretFileRemoved, unnecessaryTool, worldWritable,
                              unknownOwner, layerSkipped]
}

// MARK: - secret file contents

/// One sign that a file holds a credential; `detail` is already masked.
struct SecretEvidence: Sendable, Hashable {
    var kind: String
    var detail: String
}

/// Reads the content of files that may hold credentials and says what is in them.
enum SecretFiles {
    static func isCandidate(_ path: String) -> Bool {
        CapturePolicy.isSecretCandidate(path) || Secrets.secretFileReason(path) != nil || isKubeConfig(path)
    }

    static func isKubeConfig(_ path: String) -> Bool {
        let b = LayerRules.basename(path).lowercased()
        return (path.contains("/.kube/") && b == "config") || b == "kubeconfig" || b.hasSuffix(".kubeconfig")
    }

    static func isDockerConfig(_ path: String) -> Bool {
        path.hasSuffix("/.docker/config.json") || LayerRules.basename(path).lowercased() == ".dockercfg"
    }

    /// What the file is, for messages.
    static func describe(_ path: String) -> String {
        if isKubeConfig(path) { return "a kube config" }
        if isDockerConfig(path) { return "a Docker registry config" }
        if path.contains("/.aws/") { return "AWS credentials" }
        return Secrets.secretFileReason(path) ?? "credentials"
    }

    /// Masked evidence, in order, at most a few shown.
    static func summary(_ ev: [SecretEvidence]) -> String {
        LayerRules.list(ev.map { "\($0.kind) \($0.detail)" }, limit: 3)
    }

    /// Evidence that `bytes` (the content of `path`) holds credentials; empty when it does not.
    static func inspect(path: String, bytes: [UInt8]) -> [SecretEvidence] {
        let base = LayerRules.basename(path).lowercased()
        var out: [SecretEvidence] = []
        func add(_ e: SecretEvidence) { if !out.contains(e) { out.append(e) } }

        // Binary key stores: judged by their magic numbers.
        if base.hasSuffix(".p12") || base.hasSuffix(".pfx") {
            if bytes.count > 16, bytes[0] == 0x30 { add(SecretEvidence(kind: "PKCS#12 key store", detail: "(\(bytes.count) bytes)")) }
            return out
        }
        if base.hasSuffix(".jks") || base.hasSuffix(".keystore") {
            let magic = Array(bytes.prefix(4))
            if magic == [0xFE, 0xED, 0xFE, 0xED] || magic == [0xCE, 0xCE, 0xCE, 0xCE] {
                add(SecretEvidence(kind: "Java key store", detail: "(\(bytes.count) bytes)"))
            } else if bytes.count > 16, bytes[0] == 0x30 {
                add(SecretEvidence(kind: "PKCS#12 key store", detail: "(\(bytes.count) bytes)"))
            }
            return out
        }

        // Credential formats anywhere in the text: key headers and known token shapes.
        let isSSH = base.hasPrefix("id_") && !base.hasSuffix(".pub")
        for m in Secrets.scan(bytes) {
            let value = String(decoding: bytes[m.range], as: UTF8.self)
            if m.kind == "private key" {
                // The header names the key type and is not itself secret.
                let header = value.trimmingDashes()
                let encrypted = header.contains("ENCRYPTED") || containsBytes(bytes, "Proc-Type: 4,ENCRYPTED")
                add(SecretEvidence(kind: isSSH ? "SSH private key" : "private key",
                                   detail: "(\(header)\(encrypted ? ", passphrase-protected" : ""))"))
            } else if m.kind == "password in URL" {
                add(SecretEvidence(kind: "password in URL", detail: mask(value)))
            } else {
                add(SecretEvidence(kind: m.kind, detail: mask(value)))
            }
        }
        // A certificate or public key file has nothing more to say.
        if base.hasSuffix(".pem") || base.hasSuffix(".key") || base.hasSuffix(".crt") || isSSH { return out }

        if isDockerConfig(path) {
            let pairs = jsonPairs(bytes)
            let hasAuths = pairs.contains { $0.key == "auths" } || containsBytes(bytes, "\"auths\"") || base == ".dockercfg"
            if hasAuths {
                for p in pairs where ["auth", "identitytoken", "registrytoken", "password"].contains(p.key.lowercased()) {
                    add(SecretEvidence(kind: "registry \(p.key)", detail: mask(p.value)))
                }
            }
            return out
        }
        if base == ".git-credentials" {
            for line in lines(bytes) {
                guard let start = afterScheme(line), let at = line.lastIndex(of: "@"), at > start else { continue }
                let userinfo = line[start..<at]
                let secret = userinfo.split(separator: ":", maxSplits: 1).dropFirst().first ?? userinfo
                guard !secret.isEmpty, !isPlaceholder(String(secret)) else { continue }
                add(SecretEvidence(kind: "git credential", detail: "for \(line[line.index(after: at)...]) \(mask(String(secret)))"))
            }
            return out
        }
        if base == ".netrc" || base == "_netrc" {
            let words = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            var machine = "default"
            for (i, w) in words.enumerated() where i + 1 < words.count {
                if w == "machine" { machine = String(words[i + 1]) }
                if w == "password" || w == "account", !isPlaceholder(String(words[i + 1])) {
                    add(SecretEvidence(kind: "netrc \(w)", detail: "for \(machine) \(mask(String(words[i + 1])))"))
                }
            }
            return out
        }
        if base == ".htpasswd" {
            let users = lines(bytes).compactMap { l -> String? in
                let f = l.split(separator: ":", maxSplits: 1)
                return f.count == 2 && !f[1].isEmpty ? String(f[0]) : nil
            }
            if !users.isEmpty { add(SecretEvidence(kind: "password hashes", detail: "for \(LayerRules.list(users))")) }
            return out
        }
        if base.hasSuffix(".json") {
            for p in jsonPairs(bytes) where Secrets.isSecretName(p.key) && !isPlaceholder(p.value) && !p.value.hasPrefix("-----BEGIN") {
                add(SecretEvidence(kind: "credential", detail: "\"\(p.key)\": \(mask(p.value))"))
            }
            return out
        }
        // INI, dotenv, npmrc and YAML (kube config) assignments with secret-looking names.
        for (key, value) in assignments(bytes) where Secrets.isSecretName(key) && !isPlaceholder(value) {
            add(SecretEvidence(kind: "credential", detail: "\(key)=\(mask(value))"))
        }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: [" ", "\t", "\r"]) }.filter { !$0.isEmpty }
    }

    /// Index just after `scheme://` in a URL, or nil.
    static func afterScheme(_ s: String) -> String.Index? {
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == ":", s[i...].hasPrefix("://") { return s.index(i, offsetBy: 3) }
            i = s.index(after: i)
        }
        return nil
    }

    static func containsBytes(_ bytes: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard !n.isEmpty, bytes.count >= n.count else { return false }
        for i in 0...(bytes.count - n.count) where bytes[i] == n[0] && bytes[i..<i + n.count].elementsEqual(n) { return true }
        return false
    }

    /// Values that stand for a secret rather than being one: `${NPM_TOKEN}`, `<password>`, `****`, `changeme`.
    static func isPlaceholder(_ v: String) -> Bool {
        if v.isEmpty || v.hasPrefix("$") || v.hasPrefix("<") || v.hasPrefix("%(") || v.hasPrefix("{{") { return true }
        if let f = v.first, v.allSatisfy({ $0 == f }) { return true }
        return ["changeme", "change-me", "none", "null", "nil", "true", "false", "example", "redacted", "xxx", "todo"]
            .contains(v.lowercased())
    }

    /// `key = value`, `key: value`, `export KEY="value"`, `//registry/:_authToken=value` (the key is the
    /// last `/`- or `:`-separated part), one per line; comments and section headers skipped.
    static func assignments(_ bytes: [UInt8]) -> [(String, String)] {
        var out: [(String, String)] = []
        for raw in lines(bytes) {
            var line = Substring(raw)
            if line.hasPrefix("#") || line.hasPrefix(";") || line.hasPrefix("[") { continue }
            if line.hasPrefix("- ") { line = line.dropFirst(2) }
            if line.hasPrefix("export ") { line = line.dropFirst(7) }
            var key: Substring
            var value: Substring
            // YAML's `key: value` (colon then a blank) unless an `=` comes first; `=` otherwise, so
            // base64 padding in a YAML value and npmrc's `//host/:_authToken=` both read right.
            let eqAt = line.firstIndex(of: "=")
            let yamlColon = line.indices.first { i in
                line[i] == ":" && (line.index(after: i) == line.endIndex || line[line.index(after: i)] == " ")
            }
            if let eq = eqAt, yamlColon.map({ eq < $0 }) ?? true {
                key = line[..<eq]
                value = line[line.index(after: eq)...]
            } else if let colon = yamlColon ?? line.firstIndex(of: ":") {
                key = line[..<colon]
                value = line[line.index(after: colon)...]
            } else {
                continue
            }
            key = key.trimmingSpaces()
            if let sep = key.lastIndex(where: { $0 == "/" || $0 == ":" }) { key = key[key.index(after: sep)...] }
            var v = String(value.trimmingSpaces())
            if v.count >= 2, let f = v.first, f == "\"" || f == "'", v.last == f { v = String(v.dropFirst().dropLast()) }
            if key.isEmpty || key.contains(" ") { continue }
            out.append((String(key), v))
        }
        return out
    }

    /// String-valued members of a JSON text (`"key": "value"`) at any depth, read leniently so a
    /// truncated capture still yields the pairs before the cut.
    static func jsonPairs(_ bytes: [UInt8]) -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        var i = 0
        let n = bytes.count
        func readString() -> String? {
            // bytes[i] is the opening quote.
            var j = i + 1
            var s: [UInt8] = []
            while j < n, bytes[j] != 0x22 {
                if bytes[j] == 0x5C, j + 1 < n { j += 1 }
                s.append(bytes[j])
                j += 1
            }
            guard j < n else { return nil }
            i = j + 1
            return String(decoding: s, as: UTF8.self)
        }
        func skipSpace() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
        while i < n {
            guard bytes[i] == 0x22 else { i += 1; continue }
            guard let key = readString() else { break }
            skipSpace()
            guard i < n, bytes[i] == 0x3A else { continue }
            i += 1
            skipSpace()
            if i < n, bytes[i] == 0x22 {
                guard let value = readString() else { break }
                out.append((key, value))
            } else {
                out.append((key, ""))
            }
        }
        return out
    }
}

extension StringProtocol {
    func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }

    func trimmingDashes() -> String {
        var s = Substring(self)
        while s.first == "-" { s = s.dropFirst() }
        while s.last == "-" { s = s.dropLast() }
        return String(s)
    }
}
