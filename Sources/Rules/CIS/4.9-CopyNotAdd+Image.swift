// CIS 4.9 in image mode: an ADD rebuilt from history names its source by content hash
// (`file:<sha>`, `dir:<sha>`), so whether it unpacked an archive (the one thing ADD does
// that COPY does not, for local sources) is decided from what is known: a directory is never
// unpacked; a file is judged by the layer it wrote (one file at its destination: a plain
// copy; anything else: an unpacked archive, a base image's rootfs among them). Without layer
// contents nothing is known, so nothing is reported.
import DockerfileSyntax

extension CISRules {
    /// The finding for one content-hash ADD source in image mode, if COPY really does the same.
    static func imageModeAdd(_ ctx: LintContext, _ ins: Instruction, _ c: CopyInstruction, _ s: Word) -> Hit? {
        let t = s.text
        let short = String(t.prefix(17)) + "…"
        if t.hasPrefix("dir:") {
            return Hit(s.span, "ADD of a build-context directory (\(short)): COPY does the same (ADD unpacks no archive inside a directory)")
        }
        guard t.hasPrefix("file:"), c.sources.count == 1, let dest = c.destination?.text else { return nil }
        guard let k = ctx.layerIndex(of: ins), let view = ctx.settings.layers, k < view.layers.count,
              view.layers[k].skipped == nil else {
            // No layer to go by: only a destination that names a file of a known kind tells. An archive
            // unpacks into a directory, and nobody names one `credentials.json` or `app.conf`.
            guard namesAFile(dest) else { return nil }
            return Hit(s.span, "ADD of one build-context file (\(short)) to \(dest), a file name (its layer was not read), so no archive was unpacked: COPY does the same")
        }
        let layer = view.layers[k]
        guard layer.skipped == nil, layer.fileCount == 1, let written = layer.firstFiles.first else { return nil }
        let d = dest.count > 1 && dest.hasSuffix("/") ? String(dest.dropLast()) : dest
        // A plain file lands at the destination, or directly inside it when it names a directory.
        let parent = written.lastIndex(of: "/").map { written[..<$0].isEmpty ? "/" : String(written[..<$0]) } ?? "/"
        guard written == d || parent == d else { return nil }
        return Hit(s.span, "ADD of one build-context file (\(short)), written as \(written) by its layer: it was no archive, so COPY does the same")
    }

    /// Extensions of files that are not tar archives (ADD unpacks only tar, compressed or not).
    static let fileExtensions: Set<String> = [
        "json", "txt", "conf", "cfg", "cnf", "ini", "yaml", "yml", "toml", "xml", "properties", "env", "sh", "bash", "py",
        "js", "rb", "pl", "php", "go", "c", "h", "java", "jar", "war", "ear", "class", "html", "htm", "css", "md", "sql",
        "csv", "pem", "crt", "cer", "key", "pub", "so", "bin", "exe", "dll", "ps1", "bat", "cmd", "service", "repo", "list",
        "lock", "png", "jpg", "jpeg", "gif", "svg", "ico", "log", "cron", "rules", "zip",
    ]

    /// Whether an ADD destination names a file (`/app/credentials.json`) rather than a directory.
    static func namesAFile(_ dest: String) -> Bool {
        guard !dest.hasSuffix("/"), let name = dest.split(separator: "/").last, let dot = name.lastIndex(of: ".") else { return false }
        return fileExtensions.contains(name[name.index(after: dot)...].lowercased())
    }
}
