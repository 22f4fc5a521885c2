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

    /// An ADD/COPY source as BuildKit reads it: quotes removed (shell form), the JSON string (exec form).
    static func sourceText(_ w: Word, _ c: CopyInstruction, _ ctx: LintContext, _ ins: Instruction) -> String {
        c.json ? w.text : ctx.expanded(w, at: ins.index)
    }

    static let addInsteadOfCopy = Rule(RuleDescriptor(
        id: "DF170", name: "add-instead-of-copy", title: "ADD used where COPY does the same", cis: "4.9", scored: false,
        defaultSeverity: .warning,
        rationale: "ADD also fetches URLs and unpacks local archives, so a reader (and a reviewer) cannot tell what it does without knowing the file. For plain files, directories and heredocs COPY is explicit. ADD of a local archive (which it unpacks) and of a URL (see add-url-without-checksum) are different cases and not reported here; quoted and JSON-form sources are read like bare ones. An `ONBUILD ADD` is reported on the trigger: it runs in every image built from this one. In image mode the history names sources by content hash only: an ADD of a directory is reported, an ADD of a file only when its layer shows a plain copy (one file written at the destination); an unpacked archive, such as a base image's rootfs, or an ADD whose layer was not read, is not.",
        fix: "Use COPY for local files, directories and heredocs.",
        triggering: ["FROM alpine:3.19\nADD ↓app.py ↓config/ /srv/\n",
                     "FROM alpine:3.19\nADD [↓\"app.py\", \"/srv/\"]\nADD ↓\"run.sh\" /usr/local/bin/\n",
                     "FROM alpine:3.19\n↓ADD <<EOF /etc/motd\nhello\nEOF\n",
                     "FROM alpine:3.19\nONBUILD ADD ↓. /src\n"],
        nonTriggering: ["FROM alpine:3.19\nADD rootfs.tar.gz /\nADD https://example.com/tool.tar.gz /tmp/\nCOPY app.py /srv/\n",
                        "FROM alpine:3.19\nADD \"rootfs.tar.xz\" /\nADD [\"https://example.com/tool\", \"/usr/local/bin/tool\"]\n",
                        "FROM alpine:3.19\nADD git@github.com:moby/buildkit.git /src\n"],
        aliases: ["DL3020", "DS-0005", "CKV_DOCKER_4"]
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructionsAndTriggers {
            guard case .copy(let c) = ins.value, c.isAdd else { continue }
            let trigger = ins.keyword != "ONBUILD" && ctx.instructions[ins.index].keyword == "ONBUILD"
            let prefix = trigger ? "ONBUILD trigger: " : ""
            let heredocNames = Set(c.heredocs.map { "<<" + $0.name })
            if !c.heredocs.isEmpty, c.sources.contains(where: { $0.text.hasPrefix("<<") }) {
                hits.append(Hit(trigger ? ins.keywordSpan : ctx.instructions[ins.index].keywordSpan,
                                prefix + "ADD of a heredoc: COPY <<\(c.heredocs[0].name) does the same"))
            }
            for s in c.sources {
                let t = sourceText(s, c, ctx, ins)
                if isURL(t) || t.hasPrefix("<<") || heredocNames.contains(s.text) { continue }
                if archiveSuffixes.contains(where: { t.hasSuffix($0) }) { continue }
                if t.hasPrefix("file:") || t.hasPrefix("dir:") || t.hasPrefix("multi:") {
                    // Rebuilt from image history: the source name is gone, only its content hash is left.
                    if ctx.settings.imageMode {
                        if let h = imageModeAdd(ctx, ins, c, s) { hits.append(h) }
                    } else {
                        hits.append(Hit(s.span, prefix + "ADD of build-context content (\(t.prefix(17))…): COPY does the same, unless it was a local archive meant to be unpacked (the history does not say)"))
                    }
                    continue
                }
                hits.append(Hit(s.span, prefix + "ADD of local \(t.hasSuffix("/") || t == "." ? "directory" : "file") \(t): COPY does the same without ADD's archive unpacking and URL fetching"))
            }
        }
        return hits
    }
}
