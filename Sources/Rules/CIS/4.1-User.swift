// CIS Docker Benchmark 4.1 user: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
    static let missingUser = Rule(RuleDescriptor(
        id: "DF101", name: "missing-user", title: "The final stage sets no USER", cis: "4.1", scored: true,
        defaultSeverity: .warning,
        rationale: "Without a USER instruction the container's processes run as root (uid 0), so a compromise of the application is a compromise of root inside the container, one step from the host. CIS 4.1 asks for a dedicated user. A base image may set a non-root user itself, but that is invisible in the Dockerfile and can change when the base is updated. In image mode the config's User is final; a Windows image without one runs as ContainerAdministrator, the container's administrator account.",
        fix: "Create an unprivileged user and add `USER <name or uid>` to the final stage.",
        triggering: ["↓FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates\nCMD [\"app\"]\n",
                     "FROM golang:1.22 AS build\nUSER builder\n↓FROM alpine:3.19\nCOPY --from=build /out/app /app\n",
                     "# settings: image-mode, os=windows\n↓FROM scratch\nCMD [\"mongod\"]\n"],
        nonTriggering: ["FROM debian:12-slim\nRUN useradd -r app\nUSER app\nCMD [\"app\"]\n",
                        "FROM alpine:3.19 AS base\nUSER 1000\nFROM base\nCMD [\"app\"]\n"],
        aliases: []
    )) { ctx in
        guard let final = ctx.finalStage else { return [] }
        let facts = ctx.facts(ofStage: final.index)
        guard facts.lastUser == nil else { return [] }
        if ctx.settings.imageMode { return [Hit(final.from.keywordSpan, imageMissingUserMessage(ctx))] }
        var msg = "the final stage sets no USER, so the container runs as root"
        if let img = facts.rootImage, knownNonRoot(img) {
            msg += "; base image \(img.raw) is expected to run as a non-root user, but a Dockerfile cannot show it: declare USER explicitly"
        } else if facts.rootIsScratch {
            msg += " (uid 0: scratch has no users)"
        }
        return [Hit(final.from.keywordSpan, msg)]
    }

    /// Image mode: the config is final, so what the base is "expected" to do no longer matters, and the
    /// reconstruction's `FROM scratch` only stands for an unknown base. Say what holds for this image.
    static func imageMissingUserMessage(_ ctx: LintContext) -> String {
        if ctx.settings.image?.isWindows == true {
            return "the image config sets no User, so the Windows container runs as ContainerAdministrator, the container's administrator account (set USER ContainerUser or another non-administrator account)"
        }
        var msg = "the image config sets no User, so the container runs as root (uid 0)"
        if let view = ctx.settings.layers, view.files["/etc/passwd"] == nil, view.layers.contains(where: { $0.skipped == nil }) {
            msg += "; the image has no /etc/passwd, so a USER must be a numeric uid"
        }
        return msg
    }

    /// Base images that are published to run as a non-root user.
    static func knownNonRoot(_ r: ImageReference) -> Bool {
        let tag = r.tag ?? ""
        return tag.contains("nonroot") || tag.contains("rootless") || r.repository.contains("nonroot")
            || r.repository.contains("unprivileged") || r.registry == "cgr.dev" || r.repository.hasPrefix("bitnami/")
            || r.repository.hasPrefix("chainguard/")
    }

    static let rootUser = Rule(RuleDescriptor(
        id: "DF102", name: "root-user", title: "The last USER is root", cis: "4.1", scored: true,
        defaultSeverity: .error,
        rationale: "A final `USER root` (or `0`, `root:root`, `0:0`, or a variable that resolves to one of them) makes the container run as root even though the Dockerfile looks like it thought about users. dockle and checkov only recognise the literal `root`.",
        fix: "End the final stage with `USER <non-root user>`; switch to root only for the RUN steps that need it.",
        triggering: ["FROM alpine:3.19\nRUN adduser -D app\nUSER ↓root\n",
                     "FROM alpine:3.19\nUSER ↓0:0\n",
                     "FROM alpine:3.19\nARG RUN_AS=root\nUSER ↓${RUN_AS}\n",
                     "FROM alpine:3.19 AS base\nUSER ↓root\nFROM base\nCMD [\"sh\"]\n"],
        nonTriggering: ["FROM alpine:3.19\nUSER root\nRUN apk add --no-cache curl\nUSER app\n",
                        "FROM alpine:3.19\nUSER 1000:0\n",
                        "FROM alpine:3.19 AS build\nUSER root\nFROM alpine:3.19\nUSER nobody\n"],
        aliases: ["DL3002"]
    )) { ctx in
        guard let final = ctx.finalStage, let ins = ctx.facts(ofStage: final.index).lastUser,
              case .user(let u?) = ins.value else { return [] }
        let value = ctx.expanded(u.word, at: ins.index)
        let user = value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? value
        let isRoot = user == "root" || (!user.isEmpty && user.allSatisfy { $0 == "0" })
        guard isRoot else { return [] }
        let how = value == u.word.text ? "`USER \(u.word.text)`" : "`USER \(u.word.text)` resolves to `\(value)`"
        return [Hit(u.word.span, "the container runs as root: the last USER of the final stage is root (\(how))")]
    }

    static let sudo = Rule(RuleDescriptor(
        id: "DF103", name: "sudo", title: "sudo in RUN", cis: "4.1", scored: false,
        defaultSeverity: .warning,
        rationale: "Build steps already run as the current USER; `sudo` means the image carries a privilege-escalation tool and its configuration, and its TTY and environment handling make builds unpredictable.",
        fix: "Switch with `USER root` for the steps that need it, then back; remove sudo from the image.",
        triggering: ["FROM ubuntu:24.04\nUSER app\nRUN ↓sudo apt-get update && ↓sudo apt-get install -y curl\n",
                     "FROM ubuntu:24.04\nRUN env DEBIAN_FRONTEND=noninteractive ↓sudo -E apt-get install -y curl\n"],
        nonTriggering: ["FROM ubuntu:24.04\nRUN echo sudo is not used here\n",
                        "FROM ubuntu:24.04\nRUN apt-get install -y --no-install-recommends sudo=1.9.15p5-3ubuntu5\n"],
        aliases: ["DL3004", "DS-0010", "CKV2_DOCKER_1"]
    )) { ctx in
        ctx.commands.flatMap { c in
            c.wrappers.filter { $0.name == "sudo" }.map { Hit($0.span, "`sudo` in RUN: switch USER instead of escalating inside the build") }
                + (c.name == "sudo" ? [Hit(c.span(ofWord: 0), "`sudo` in RUN: switch USER instead of escalating inside the build")] : [])
        }
    }
}
