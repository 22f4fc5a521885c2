// CIS Docker Benchmark 4.7 update alone: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    static func actions(_ ctx: LintContext, _ instruction: Int) -> [(Command, PackageAction)] {
        (ctx.commandsByInstruction[instruction] ?? []).compactMap { k in ctx.action(of: k).map { (ctx.commands[k], $0) } }
    }

    static let updateAlone = Rule(RuleDescriptor(
        id: "DF150", name: "update-alone", title: "Package index updated without installing in the same RUN", cis: "4.7",
        scored: false, defaultSeverity: .warning,
        rationale: "A RUN that only updates the package index is cached as a layer; later installs reuse that old index from the cache and install outdated packages, or fail when the mirror has moved on. Update and install belong in one RUN.",
        fix: "Join them: `RUN apt-get update && apt-get install -y ...`.",
        triggering: ["FROM debian:12\nRUN ↓apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
                     "FROM alpine:3.19\nRUN ↓apk update\n",
                     "FROM opensuse/leap:15.6\nRUN ↓zypper --non-interactive ref\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
                        "FROM fedora:40\nRUN dnf makecache && dnf install -y git\n",
                        "FROM debian:12\nRUN apt-get update && apt-get dist-upgrade -y\n"],
        aliases: ["DS-0017", "CKV_DOCKER_5"]
    )) { ctx in
        var hits: [Hit] = []
        for (i, _) in ctx.commandsByInstruction.sorted(by: { $0.key < $1.key }) {
            let acts = actions(ctx, i)
            for (c, a) in acts where a.kind == .update {
                let installs = acts.contains { $0.1.family == a.family && [.install, .upgrade, .distUpgrade].contains($0.1.kind) }
                if !installs {
                    hits.append(Hit(c.span, "`\(c.argv.prefix(a.subcommandIndex + 1).joined(separator: " "))` with no install in the same RUN: a cached layer will keep a stale index"))
                }
            }
        }
        return hits
    }

    static let staleIndex = Rule(RuleDescriptor(
        id: "DF151", name: "stale-package-index", title: "Install relies on an index updated in an earlier RUN", cis: "4.7",
        scored: false, defaultSeverity: .warning,
        rationale: "When the index update sits in an earlier RUN (of this stage or of a stage it is built on), the build cache can replay that layer while this RUN installs: the install then uses whatever index the cache holds.",
        fix: "Update the index in the same RUN as the install.",
        triggering: ["FROM debian:12\nRUN apt-get update\nRUN apt-get ↓install -y --no-install-recommends curl\n",
                     "FROM debian:12 AS base\nRUN apt-get update\nFROM base\nRUN apt-get ↓install -y --no-install-recommends curl\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN apt-get update && apt-get install -y git\n",
                        "FROM debian:12\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\nFROM debian:12\nRUN apt-get install -y ./local.deb\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for (i, _) in ctx.commandsByInstruction.sorted(by: { $0.key < $1.key }) {
            guard case .run = ctx.instructions[i].value else { continue }
            let acts = actions(ctx, i)
            let updated = ctx.state(before: i).indexUpdated
            // Families this RUN updates itself, computed once: a RUN with thousands of commands
            // must not rescan them for every install.
            let updatedHere = Set(acts.lazy.filter { $0.1.kind == .update }.map { $0.1.family })
            for (c, a) in acts where a.kind == .install && [.apt, .apk, .rpm, .zypper].contains(a.family) {
                if !updatedHere.contains(a.family), let earlier = updated[a.family] {
                    let line = ctx.instructions[earlier].startLine
                    hits.append(Hit(c.span(ofWord: a.subcommandIndex), "installs with the package index updated on line \(line), in an earlier RUN that the build cache can replay"))
                }
            }
        }
        return hits
    }
}
