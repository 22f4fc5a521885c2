// CIS Docker Benchmark 4.9 COPY instead of ADD: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    static let archiveSuffixes = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
                                  ".tar.lz", ".tar.lzma", ".tlz", ".tar.Z", ".taz", ".gz", ".bz2", ".xz"]

    static func isURL(_ s: String) -> Bool {
        let l = s.lowercased()
        return l.hasPrefix("http://") || l.hasPrefix("https://") || l.hasPrefix("ftp://") || l.hasPrefix("git@") || l.hasPrefix("git://")
            || l.hasPrefix("ssh://")
    }

    static let addInsteadOfCopy = Rule(RuleDescriptor(
        id: "DF170", name: "add-instead-of-copy", title: "ADD used where COPY does the same", cis: "4.9", scored: false,
        defaultSeverity: .warning,
        rationale: "ADD also fetches URLs and unpacks local archives, so a reader (and a reviewer) cannot tell what it does without knowing the file. For plain files and directories COPY is explicit. ADD of a local archive (which it unpacks) and of a URL (see add-url-without-checksum) are different cases and not reported here. In image mode the history names sources by content hash only: an ADD of a directory is reported, an ADD of a file only when its layer shows a plain copy (one file written at the destination); an unpacked archive, such as a base image's rootfs, or an ADD whose layer was not read, is not.",
        fix: "Use COPY for local files and directories.",
        triggering: ["FROM alpine:3.19\nADD ↓app.py ↓config/ /srv/\n"],
        nonTriggering: ["FROM alpine:3.19\nADD rootfs.tar.gz /\nADD https://example.com/tool.tar.gz /tmp/\nCOPY app.py /srv/\n",
                        "FROM alpine:3.19\nADD <<EOF /etc/motd\nhello\nEOF\n"],
        aliases: ["DL3020"]
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, c.isAdd else { continue }
            let heredocNames = Set(c.heredocs.map { "<<" + $0.name })
            for s in c.sources {
                let t = s.text
                if isURL(t) || t.hasPrefix("<<") || heredocNames.contains(t) { continue }
                if archiveSuffixes.contains(where: { t.hasSuffix($0) }) { continue }
                if t.hasPrefix("file:") || t.hasPrefix("dir:") || t.hasPrefix("multi:") {
                    // Rebuilt from image history: the source name is gone, only its content hash is left.
                    if ctx.settings.imageMode {
                        if let h = imageModeAdd(ctx, ins, c, s) { hits.append(h) }
                    } else {
                        hits.append(Hit(s.span, "ADD of build-context content (\(t.prefix(17))…): COPY does the same, unless it was a local archive meant to be unpacked (the history does not say)"))
                    }
                    continue
                }
                hits.append(Hit(s.span, "ADD of local \(t.hasSuffix("/") ? "directory" : "file") \(t): COPY does the same without ADD's archive unpacking and URL fetching"))
            }
        }
        return hits
    }
}
