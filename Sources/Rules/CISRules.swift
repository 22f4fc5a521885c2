// Rules for the CIS Docker Benchmark, section 4 (Container Images and Build
// File). Each rule is one value: its documentation (with examples that the
// generic test runs, `↓` marking where each finding must start) and a pure
// check over the LintContext.
import DockerfileSyntax

enum CISRules {
    // MARK: 4.1 user

    static let missingUser = Rule(RuleDescriptor(
        id: "DF101", name: "missing-user", title: "The final stage sets no USER", cis: "4.1", scored: true,
        defaultSeverity: .warning,
        rationale: "Without a USER instruction the container's processes run as root (uid 0), so a compromise of the application is a compromise of root inside the container, one step from the host. CIS 4.1 asks for a dedicated user. A base image may set a non-root user itself, but that is invisible in the Dockerfile and can change when the base is updated.",
        fix: "Create an unprivileged user and add `USER <name or uid>` to the final stage.",
        triggering: ["↓FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates\nCMD [\"app\"]\n",
                     "FROM golang:1.22 AS build\nUSER builder\n↓FROM alpine:3.19\nCOPY --from=build /out/app /app\n"],
        nonTriggering: ["FROM debian:12-slim\nRUN useradd -r app\nUSER app\nCMD [\"app\"]\n",
                        "FROM alpine:3.19 AS base\nUSER 1000\nFROM base\nCMD [\"app\"]\n"],
        aliases: []
    )) { ctx in
        guard let final = ctx.finalStage else { return [] }
        let facts = ctx.facts(ofStage: final.index)
        guard facts.lastUser == nil else { return [] }
        var msg = ctx.settings.imageMode
            ? "the image config sets no User, so the container runs as root"
            : "the final stage sets no USER, so the container runs as root"
        if let img = facts.rootImage, knownNonRoot(img) {
            msg += "; base image \(img.raw) is expected to run as a non-root user, but a Dockerfile cannot show it: declare USER explicitly"
        } else if facts.rootIsScratch {
            msg += " (uid 0: scratch has no users)"
        }
        return [Hit(final.from.keywordSpan, msg)]
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
        triggering: ["FROM ubuntu:24.04\nUSER app\nRUN ↓sudo apt-get update && ↓sudo apt-get install -y curl\n"],
        nonTriggering: ["FROM ubuntu:24.04\nRUN echo sudo is not used here\n"],
        aliases: ["DL3004"]
    )) { ctx in
        ctx.commands.filter { $0.name == "sudo" }.map { Hit($0.span(ofWord: 0), "`sudo` in RUN: switch USER instead of escalating inside the build") }
    }

    // MARK: 4.2 trusted base images

    static let untrustedBase = Rule(RuleDescriptor(
        id: "DF110", name: "untrusted-base-image", title: "Base image from a registry that is not trusted", cis: "4.2",
        scored: false, defaultSeverity: .error,
        rationale: "CIS 4.2 asks that images be built only from trusted bases. With `trusted-registries` configured, every FROM, `COPY --from=<image>` and `RUN --mount=from=<image>` must name an image from one of them (Docker Hub images count as `docker.io`). The rule is silent until a list is configured.",
        fix: "Use a base image from a trusted registry, or add the registry to `trusted-registries`.",
        triggering: ["# settings: trusted-registries=registry.example.com\nFROM ↓debian:12\n",
                     "# settings: trusted-registries=ghcr.io/acme\nFROM ghcr.io/acme/base:1 AS build\nFROM ↓ghcr.io/other/base:1\nCOPY --from=↓quay.io/x/tools:2 /bin/t /bin/t\n"],
        nonTriggering: ["FROM debian:12\n",
                        "# settings: trusted-registries=docker.io,*.example.com\nFROM debian:12 AS a\nFROM registry.example.com/app:1\nCOPY --from=a /x /x\n"],
        aliases: ["DL3026"]
    )) { ctx in
        let trusted = ctx.settings.trustedRegistries
        guard !trusted.isEmpty else { return [] }
        var hits: [Hit] = []
        func check(_ ref: ImageReference, _ span: Span) {
            if ref.isScratch || ref.hasVariables { return }
            if !isTrusted(ref, trusted) {
                hits.append(Hit(span, "image \(ref.raw) (\(ref.normalizedName)) is not from a trusted registry (\(trusted.joined(separator: ", ")))"))
            }
        }
        let names = Set(ctx.dockerfile.stages.compactMap(\.name))
        for st in ctx.dockerfile.stages {
            if case .image(let r) = st.base, case .from(let f) = st.from.value, let w = f.image { check(r, w.span) }
        }
        for ins in ctx.instructions {
            if case .copy(let c) = ins.value, let from = c.from, let v = from.value, !names.contains(v.lowercased()), Int(v) == nil,
               v.contains("/") || v.contains(":") || v.contains(".") {
                check(ImageReference(parsing: v), from.valueSpan)
            }
            if case .run(let r) = ins.value {
                for m in r.mounts {
                    if let v = m.value("from"), !names.contains(v.lowercased()), Int(v) == nil, v.contains("/") || v.contains(":") {
                        check(ImageReference(parsing: v), m.span)
                    }
                }
            }
        }
        return hits
    }

    static func isTrusted(_ ref: ImageReference, _ trusted: [String]) -> Bool {
        let reg = ref.registry ?? "docker.io"
        let full = reg + "/" + (ref.registry == nil && !ref.repository.contains("/") ? "library/" + ref.repository : ref.repository)
        for t in trusted {
            let t = t.hasSuffix("/") ? String(t.dropLast()) : t
            let hubAliases = ["docker.io", "index.docker.io", "registry-1.docker.io"]
            if t.contains("/") {
                if full == t || full.hasPrefix(t + "/") || Glob.match(t, full) || Glob.match(t + "/*", full) { return true }
            } else if reg == t || Glob.match(t, reg) || (hubAliases.contains(t) && ref.registry == nil) {
                return true
            }
        }
        return false
    }

    static let unpinnedTag = Rule(RuleDescriptor(
        id: "DF111", name: "unpinned-base-tag", title: "Base image without a tag, or :latest", cis: "4.2", scored: false,
        defaultSeverity: .warning,
        rationale: "An untagged base resolves to `:latest`, which moves: the same Dockerfile builds a different image tomorrow, and a trusted base can be replaced without any change to review. ARG defaults are resolved first, so `FROM ${BASE}` is checked against what it builds.",
        fix: "Name a version tag (and ideally a digest): `FROM debian:12.5-slim@sha256:...`.",
        triggering: ["FROM ↓ubuntu\n", "FROM ↓node:latest AS build\n", "ARG BASE=python\nFROM ↓${BASE}\n"],
        nonTriggering: ["FROM ubuntu:24.04\n", "FROM ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
                        "FROM scratch\n", "FROM alpine:3.19 AS base\nFROM base\n"],
        aliases: ["DL3006", "DL3007"]
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            guard case .image(let r) = st.base, case .from(let f) = st.from.value, let w = f.image else { continue }
            if r.repository.isEmpty || r.hasVariables || r.digest != nil { continue }
            if r.tag == nil {
                hits.append(Hit(w.span, "base image \(r.raw) has no tag, so it is whatever :latest is at build time"))
            } else if r.tag == "latest" {
                hits.append(Hit(w.span, "base image \(r.raw) uses the moving :latest tag"))
            }
        }
        return hits
    }

    static let insecureRegistry = Rule(RuleDescriptor(
        id: "DF112", name: "insecure-base-registry", title: "Base image from an IP-address or plain-HTTP registry",
        cis: "4.2", scored: false, defaultSeverity: .warning,
        rationale: "A registry named by IP address cannot present a certificate for a name, so it is usually run without TLS or with verification off (`insecure-registries`); port 80 means plain HTTP. Anyone on the path can then swap the base image.",
        fix: "Pull base images from a registry with a DNS name and a valid TLS certificate.",
        triggering: ["FROM ↓10.0.0.5:5000/team/base:1.0\n", "FROM ↓registry.example.com:80/base:1\n"],
        nonTriggering: ["FROM registry.example.com:5000/team/base:1.0\n", "FROM localhost:5000/dev:1\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            guard case .image(let r) = st.base, let reg = r.registry, case .from(let f) = st.from.value, let w = f.image else { continue }
            var host = reg
            var port = ""
            if host.hasPrefix("[") {
                if let close = host.firstIndex(of: "]") {
                    port = String(host[host.index(after: close)...]).trimmingCharacters(in: [":"])
                    host = String(host[host.index(after: host.startIndex)..<close])
                }
                hits.append(Hit(w.span, "base image is pulled from IP address [\(host)], which cannot be verified by TLS name"))
                continue
            }
            if let c = host.lastIndex(of: ":") {
                port = String(host[host.index(after: c)...])
                host = String(host[..<c])
            }
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            let isIPv4 = parts.count == 4 && parts.allSatisfy { p in !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isNumber) }
            if isIPv4, host != "127.0.0.1" {
                hits.append(Hit(w.span, "base image is pulled from IP address \(host), which cannot be verified by TLS name"))
            } else if port == "80" {
                hits.append(Hit(w.span, "base image is pulled from \(reg): port 80 is plain HTTP"))
            }
        }
        return hits
    }

    // MARK: 4.3 / 4.4 packages

    static let runtimeTools: [String: String] = [
        "openssh-server": "an SSH server", "openssh": "an SSH server", "dropbear": "an SSH server", "ssh": "SSH",
        "telnet": "telnet", "telnetd": "a telnet server", "inetutils-telnet": "telnet", "busybox-extras": "telnet and other network daemons",
        "netcat": "netcat", "netcat-openbsd": "netcat", "netcat-traditional": "netcat", "nc": "netcat", "ncat": "ncat", "nmap": "nmap",
        "socat": "socat", "sudo": "sudo", "vim": "an editor", "vim-tiny": "an editor", "nano": "an editor", "emacs": "an editor",
        "emacs-nox": "an editor", "tcpdump": "a packet sniffer", "gdb": "a debugger", "strace": "a tracer",
    ]
    static let buildTools: [String: String] = [
        "gcc": "a compiler", "g++": "a compiler", "gcc-c++": "a compiler", "clang": "a compiler", "build-essential": "compilers",
        "build-base": "compilers", "make": "a build tool", "cmake": "a build tool", "autoconf": "a build tool", "automake": "a build tool",
    ]

    static let unnecessaryPackages = Rule(RuleDescriptor(
        id: "DF120", name: "unnecessary-package", title: "A tool a runtime image rarely needs is installed", cis: "4.3",
        scored: false, defaultSeverity: .info,
        rationale: "Every package is attack surface and scanner noise. SSH and telnet servers, netcat, sudo, editors and debuggers help an attacker more than the application; compilers belong in a build stage, not in the image you ship.",
        fix: "Drop the package, or install it in a build stage and copy only the result into the final stage.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends ↓openssh-server curl ↓vim\n",
                     "FROM alpine:3.19\nRUN apk add --no-cache ↓build-base\n"],
        nonTriggering: ["FROM alpine:3.19 AS build\nRUN apk add --no-cache build-base\nFROM alpine:3.19\nCOPY --from=build /out /out\n",
                        "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates\n"],
        aliases: ["DL3001"]
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands {
            guard let a = PackageManagers.action(c), a.kind == .install, [.apt, .apk, .rpm, .zypper].contains(a.family) else { continue }
            let final = ctx.isInFinalStage(c.instruction)
            for (p, i) in a.packages {
                let name = String(p.split(separator: "=").first ?? Substring(p))
                if let what = runtimeTools[name] {
                    hits.append(Hit(c.span(ofWord: i), "installs \(name) (\(what)), which a runtime image rarely needs"))
                } else if final, let what = buildTools[name] {
                    hits.append(Hit(c.span(ofWord: i), "installs \(name) (\(what)) in the final stage; build in a separate stage"))
                }
            }
        }
        return hits
    }

    static let noInstallRecommends = Rule(RuleDescriptor(
        id: "DF121", name: "apt-install-recommends", title: "apt installs recommended packages", cis: "4.3", scored: false,
        defaultSeverity: .info,
        rationale: "By default apt also installs every *recommended* package, often dozens of libraries and tools the application never uses, each one more thing to patch.",
        fix: "Add `--no-install-recommends` to `apt-get install`.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get ↓install -y curl && rm -rf /var/lib/apt/lists/*\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
                        "FROM debian:12\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n"],
        aliases: ["DL3015"]
    )) { ctx in
        ctx.commands.compactMap { c in
            guard let a = PackageManagers.action(c), a.family == .apt, a.kind == .install, !a.packages.isEmpty else { return nil }
            if c.has("--no-install-recommends") || c.argv.contains(where: { $0.contains("Install-Recommends=false") || $0.contains("Install-Recommends=0") }) {
                return nil
            }
            return Hit(c.span(ofWord: a.subcommandIndex), "`\(c.name) install` without --no-install-recommends also installs recommended packages")
        }
    }

    static let packageCache = Rule(RuleDescriptor(
        id: "DF122", name: "package-cache", title: "Package manager cache left in the image", cis: "4.4", scored: false,
        defaultSeverity: .info,
        rationale: "Package indexes and downloaded archives left in a layer make the image bigger and carry stale metadata; removing them in a later RUN does not help, because the earlier layer keeps them. Cache mounts (`RUN --mount=type=cache`) keep the cache out of the image.",
        fix: "Clean up in the same RUN (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `pip install --no-cache-dir`) or use a cache mount.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get ↓install -y --no-install-recommends curl\n",
                     "FROM alpine:3.19\nRUN apk ↓add curl\n",
                     "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.0 && pip ↓install gunicorn==22.0.0\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
                        "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n",
                        "FROM alpine:3.19\nRUN apk add --no-cache curl\n",
                        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.0\n",
                        "FROM fedora:40\nRUN dnf install -y git && dnf clean all\n",
                        "FROM alpine:3.19 AS build\nRUN apk add curl\nFROM alpine:3.19\n"],
        aliases: ["DL3009", "DL3019", "DL3042", "DL3032", "DL3040", "DL3036"]
    )) { ctx in
        var hits: [Hit] = []
        guard let final = ctx.finalStage else { return [] }
        let noPipCache = ctx.instructions.contains { ins in
            if case .env(let kv) = ins.value { return kv.contains { $0.key.text == "PIP_NO_CACHE_DIR" } }
            return false
        }
        for i in final.instructionIndices {
            let cmds = ctx.commands(of: i)
            if cmds.isEmpty { continue }
            var mounts: [String] = []
            if case .run(let r) = ctx.instructions[i].value { mounts = r.mounts.filter { $0.type == "cache" }.compactMap { $0.value("target") ?? $0.value("dst") ?? $0.value("destination") } }
            let allArgs = cmds.flatMap(\.argv)
            func removes(_ path: String) -> Bool { allArgs.contains { $0.hasPrefix(path) } && cmds.contains { $0.name == "rm" } }
            func mounted(_ path: String) -> Bool { mounts.contains { path.hasPrefix($0) || $0.hasPrefix(path) } }
            for c in cmds {
                guard let a = PackageManagers.action(c), a.kind == .install else { continue }
                let span = c.span(ofWord: a.subcommandIndex)
                switch a.family {
                case .apt:
                    if !removes("/var/lib/apt/lists") && !mounted("/var/lib/apt") {
                        hits.append(Hit(span, "apt package lists stay in the layer: remove /var/lib/apt/lists/* in the same RUN"))
                    }
                case .apk:
                    if !c.has("--no-cache") && !removes("/var/cache/apk") && !mounted("/var/cache/apk") && !mounted("/etc/apk/cache") {
                        hits.append(Hit(span, "apk cache stays in the layer: use `apk add --no-cache`"))
                    }
                case .rpm:
                    let cleaned = cmds.contains { PackageManagers.action($0).map { $0.family == .rpm && $0.kind == .clean } ?? false }
                    if !cleaned && !removes("/var/cache/yum") && !removes("/var/cache/dnf") && !mounted("/var/cache/dnf") && !mounted("/var/cache/yum") {
                        hits.append(Hit(span, "\(c.name) cache stays in the layer: run `\(c.name) clean all` in the same RUN"))
                    }
                case .zypper:
                    let cleaned = cmds.contains { PackageManagers.action($0).map { $0.family == .zypper && $0.kind == .clean } ?? false }
                    if !cleaned { hits.append(Hit(span, "zypper cache stays in the layer: run `zypper clean` in the same RUN")) }
                case .pip:
                    if !c.has("--no-cache-dir") && !noPipCache && !mounted("/root/.cache") && !a.packages.isEmpty {
                        hits.append(Hit(span, "pip keeps its download cache in the layer: use `pip install --no-cache-dir`"))
                    }
                default:
                    break
                }
            }
        }
        return hits
    }

    static let unpinnedPackage = Rule(RuleDescriptor(
        id: "DF123", name: "unpinned-package", title: "Package installed without a version", cis: "4.4", scored: false,
        defaultSeverity: .style,
        rationale: "Unpinned packages make builds unreproducible and let a rebuild silently pick up a different (or compromised) version. Pinning is hygiene, not a vulnerability, so this is a style finding.",
        fix: "Pin versions: `pkg=1.2.3` (apt, apk), `pkg==1.2.3` (pip), `pkg@1.2.3` (npm), `gem install pkg -v 1.2.3`.",
        triggering: ["FROM debian:12\nRUN apt-get install -y --no-install-recommends ↓curl ca-certificates=20230311\n",
                     "FROM python:3.12\nRUN pip install --no-cache-dir ↓requests flask==3.0.0\n",
                     "FROM node:20\nRUN npm install -g ↓typescript\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get install -y ./local.deb \"$PKG\"\n",
                        "FROM python:3.12\nRUN pip install -r requirements.txt\n",
                        "FROM ruby:3.3\nRUN gem install bundler -v 2.5.6\n",
                        "FROM node:20\nRUN npm install && npm install -g pnpm@9.1.0\n"],
        aliases: ["DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041"]
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands {
            guard let a = PackageManagers.action(c), a.kind == .install else { continue }
            if a.family == .gem && c.has("-v", "--version") { continue }
            for (p, i) in a.packages where !PackageManagers.isLocalOrDynamic(p) && !PackageManagers.isPinned(p, family: a.family) {
                hits.append(Hit(c.span(ofWord: i), "\(p) is installed without a version"))
            }
        }
        return hits
    }

    // MARK: 4.5 content trust / provenance

    static let digestPin = Rule(RuleDescriptor(
        id: "DF130", name: "base-not-digest-pinned", title: "Base image not pinned by digest", cis: "4.5", scored: true,
        defaultSeverity: .info,
        rationale: "Docker has retired Docker Content Trust; what a Dockerfile can show about provenance is whether the base is pinned to an exact content digest. A tag can be re-pointed by whoever controls the repository; a digest cannot.",
        fix: "Pin the base: `FROM debian:12-slim@sha256:<digest>` (keep the tag for readers; the digest wins).",
        triggering: ["FROM ↓debian:12-slim\n"],
        nonTriggering: ["FROM debian:12-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", "FROM scratch\n"],
        aliases: []
    )) { ctx in
        ctx.dockerfile.stages.compactMap { st in
            guard case .image(let r) = st.base, r.digest == nil, !r.hasVariables, !r.repository.isEmpty,
                  case .from(let f) = st.from.value, let w = f.image else { return nil }
            return Hit(w.span, "base image \(r.raw) is not pinned by digest")
        }
    }

    static let contentTrust = Rule(RuleDescriptor(
        id: "DF131", name: "content-trust-disabled", title: "DOCKER_CONTENT_TRUST is not enabled on this host", cis: "4.5",
        scored: true, defaultSeverity: .warning,
        rationale: "CIS 4.5 is a property of the host that pulls images, not of an image: docker-bench passes it only when DOCKER_CONTENT_TRUST=1 in the environment. In image mode dflint reports the linting host's setting the same way, as a host-level finding. (Docker has since retired Content Trust; digest pinning is the remaining control.)",
        fix: "Export DOCKER_CONTENT_TRUST=1 on hosts that pull images, or accept the finding where Content Trust is retired.",
        triggering: ["↓# settings: image-mode\nFROM debian:12\n"],
        nonTriggering: ["FROM debian:12\n", "# settings: image-mode, env=DOCKER_CONTENT_TRUST=1\nFROM debian:12\n"],
        aliases: []
    )) { ctx in
        guard ctx.settings.imageMode, ctx.settings.hostEnvironment["DOCKER_CONTENT_TRUST"] != "1" else { return [] }
        return [Hit(Span(0, 0), "host-level: DOCKER_CONTENT_TRUST is not set to 1 in the linting host's environment")]
    }

    // MARK: 4.6 healthcheck

    static let missingHealthcheck = Rule(RuleDescriptor(
        id: "DF140", name: "missing-healthcheck", title: "The final stage has no HEALTHCHECK", cis: "4.6", scored: true,
        defaultSeverity: .warning,
        rationale: "Without a HEALTHCHECK the engine only knows whether the main process is alive, not whether it serves; CIS 4.6 asks for one in every image. A HEALTHCHECK inherited from a base stage counts.",
        fix: "Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>` to the final stage.",
        triggering: ["↓FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"],
        nonTriggering: ["FROM nginx:1.27\nHEALTHCHECK --interval=30s CMD curl -fsS http://localhost/ || exit 1\n",
                        "FROM nginx:1.27 AS base\nHEALTHCHECK CMD curl -f http://localhost/\nFROM base\n"],
        aliases: ["DL3057"]
    )) { ctx in
        guard let final = ctx.finalStage, ctx.facts(ofStage: final.index).lastHealthcheck == nil else { return [] }
        return [Hit(final.from.keywordSpan, "the final stage has no HEALTHCHECK")]
    }

    static let healthcheckNone = Rule(RuleDescriptor(
        id: "DF141", name: "healthcheck-none", title: "HEALTHCHECK NONE disables the health check", cis: "4.6", scored: true,
        defaultSeverity: .warning,
        rationale: "`HEALTHCHECK NONE` switches off any health check the base image defined. dockle and docker-bench count it as a HEALTHCHECK and pass it; it is the opposite of what CIS 4.6 asks.",
        fix: "Replace `HEALTHCHECK NONE` with a real check.",
        triggering: ["FROM nginx:1.27\nHEALTHCHECK ↓NONE\n"],
        nonTriggering: ["FROM nginx:1.27\nHEALTHCHECK NONE\nHEALTHCHECK CMD curl -f http://localhost/\n"],
        aliases: []
    )) { ctx in
        guard let final = ctx.finalStage, let hc = ctx.facts(ofStage: final.index).lastHealthcheck,
              case .healthcheck(.none(let w)) = hc.value else { return [] }
        return [Hit(w.span, "HEALTHCHECK NONE disables health checking for the image")]
    }

    // MARK: 4.7 update alone

    static func actions(_ cmds: [Command]) -> [(Command, PackageAction)] {
        cmds.compactMap { c in PackageManagers.action(c).map { (c, $0) } }
    }

    static let updateAlone = Rule(RuleDescriptor(
        id: "DF150", name: "update-alone", title: "Package index updated without installing in the same RUN", cis: "4.7",
        scored: false, defaultSeverity: .warning,
        rationale: "A RUN that only updates the package index is cached as a layer; later installs reuse that old index from the cache and install outdated packages, or fail when the mirror has moved on. Update and install belong in one RUN.",
        fix: "Join them: `RUN apt-get update && apt-get install -y ...`.",
        triggering: ["FROM debian:12\nRUN ↓apt-get update\nRUN apt-get install -y --no-install-recommends curl\n",
                     "FROM alpine:3.19\nRUN ↓apk update\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
                        "FROM fedora:40\nRUN dnf makecache && dnf install -y git\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for (i, _) in ctx.commandsByInstruction.sorted(by: { $0.key < $1.key }) {
            let acts = actions(ctx.commands(of: i))
            for (c, a) in acts where a.kind == .update {
                let installs = acts.contains { $0.1.family == a.family && ($0.1.kind == .install || $0.1.kind == .upgrade) }
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
        rationale: "When the index update sits in an earlier RUN, the build cache can replay that layer while this RUN installs: the install then uses whatever index the cache holds.",
        fix: "Update the index in the same RUN as the install.",
        triggering: ["FROM debian:12\nRUN apt-get update\nRUN apt-get ↓install -y --no-install-recommends curl\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN apt-get update && apt-get install -y git\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for st in ctx.dockerfile.stages {
            var updated: [PackageFamily: Int] = [:]
            // Earlier stages this one builds on count too.
            for c in ctx.stageChain(st.index).dropFirst().reversed() {
                for i in ctx.dockerfile.stages[c].instructionIndices {
                    for (_, a) in actions(ctx.commands(of: i)) where a.kind == .update { updated[a.family] = i }
                }
            }
            for i in st.instructionIndices {
                let acts = actions(ctx.commands(of: i))
                for (c, a) in acts where a.kind == .install && [.apt, .apk, .rpm, .zypper].contains(a.family) {
                    let sameRun = acts.contains { $0.1.family == a.family && $0.1.kind == .update }
                    if !sameRun, let earlier = updated[a.family] {
                        let line = ctx.instructions[earlier].startLine
                        hits.append(Hit(c.span(ofWord: a.subcommandIndex), "installs with the package index updated on line \(line), in an earlier RUN that the build cache can replay"))
                    }
                }
                for (_, a) in acts where a.kind == .update { updated[a.family] = i }
            }
        }
        return hits
    }

    // MARK: 4.8 setuid / setgid

    /// Whether a chmod mode (symbolic or octal) adds setuid or setgid.
    static func addsSetID(_ mode: String) -> Bool {
        if !mode.isEmpty, mode.allSatisfy({ $0 >= "0" && $0 <= "7" }) {
            guard mode.count >= 4 else { return false }
            let special = mode[mode.index(mode.endIndex, offsetBy: -4)]
            return special == "2" || special == "3" || special == "4" || special == "5" || special == "6" || special == "7"
        }
        // Symbolic: clauses separated by commas; `+s` or `=...s` adds.
        for clause in mode.split(separator: ",") {
            var op: Character?
            for ch in clause {
                if ch == "+" || ch == "=" || ch == "-" { op = ch; continue }
                if ch == "s", op == "+" || op == "=" { return true }
            }
        }
        return false
    }

    static let setuid = Rule(RuleDescriptor(
        id: "DF160", name: "setuid-setgid", title: "chmod sets setuid or setgid", cis: "4.8", scored: false,
        defaultSeverity: .warning,
        rationale: "A setuid or setgid binary runs with its owner's or group's privileges whoever starts it: a classic privilege-escalation path, and CIS 4.8 asks that images carry none that are not needed.",
        fix: "Do not set the setuid/setgid bits; give the program the capability it needs or run it as the right user.",
        triggering: ["FROM debian:12\nRUN chmod ↓u+s /usr/local/bin/helper && chmod ↓4755 /usr/local/bin/other\n",
                     "FROM debian:12\nCOPY --chmod=↓2755 tool /usr/local/bin/tool\n"],
        nonTriggering: ["FROM debian:12\nRUN chmod 0755 /usr/local/bin/helper && chmod u-s /usr/bin/passwd && chmod -R g+w /srv\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where c.name == "chmod" || c.name == "install" {
            if c.name == "chmod" {
                for (i, a) in c.argv.enumerated().dropFirst() where !a.hasPrefix("--") && !(a.hasPrefix("-") && !a.contains("s")) {
                    if addsSetID(a) { hits.append(Hit(c.span(ofWord: i), "chmod \(a) sets the setuid/setgid bit")); break }
                    if !a.hasPrefix("-") { break }
                }
            } else if let (m, i) = c.value(of: "-m", "--mode"), addsSetID(m) {
                hits.append(Hit(c.span(ofWord: i), "install -m \(m) sets the setuid/setgid bit"))
            }
        }
        for ins in ctx.instructions {
            if case .copy = ins.value, let f = ins.flag("chmod"), let v = f.value, addsSetID(v) {
                hits.append(Hit(f.valueSpan, "--chmod=\(v) sets the setuid/setgid bit"))
            }
        }
        return hits
    }

    // MARK: 4.9 COPY instead of ADD

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
        rationale: "ADD also fetches URLs and unpacks local archives, so a reader (and a reviewer) cannot tell what it does without knowing the file. For plain files and directories COPY is explicit. ADD of a local archive (which it unpacks) and of a URL (see add-url-without-checksum) are different cases and not reported here.",
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
                if t.hasPrefix("file:") || t.hasPrefix("dir:") {
                    // Rebuilt from image history: the source name is gone, only its content hash is left.
                    hits.append(Hit(s.span, "ADD of build-context content (\(t.prefix(17))…): COPY does the same, unless it was a local archive meant to be unpacked (the history does not say)"))
                    continue
                }
                hits.append(Hit(s.span, "ADD of local \(t.hasSuffix("/") ? "directory" : "file") \(t): COPY does the same without ADD's archive unpacking and URL fetching"))
            }
        }
        return hits
    }

    // MARK: 4.10 secrets

    static func allowed(_ ctx: LintContext, _ s: String) -> Bool {
        ctx.settings.secretAllow.contains { Glob.match($0, s) }
    }

    static let secretNames = Rule(RuleDescriptor(
        id: "DF180", name: "secret-in-env-or-arg", title: "ENV or ARG looks like it holds a secret", cis: "4.10",
        scored: false, defaultSeverity: .error,
        rationale: "ENV values are stored in the image config and visible to anyone who can pull it (`docker inspect`); ARG values are recorded in the image history. Neither is a place for passwords, tokens or keys. Names that only refer to a secret (`*_FILE`, `*_PATH`, `*_URL`), settings (`PASSWORD_MIN_LENGTH`), public keys (`GPG_KEY`) and empty defaults are not reported.",
        fix: "Pass secrets at build time with `RUN --mount=type=secret,id=...` and at run time through the orchestrator's secrets.",
        triggering: ["FROM alpine:3.19\nENV ↓DB_PASSWORD=hunter2 APP_ENV=prod\n", "FROM alpine:3.19\nARG ↓GITHUB_TOKEN=placeholder\n",
                     "FROM alpine:3.19\nENV ↓apiKey abc\n", "FROM alpine:3.19\nENV ↓mysecret notasecret\n"],
        nonTriggering: ["FROM alpine:3.19\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db PASSWORD_MIN_LENGTH=12 GPG_KEY=ABCDEF0123456789\n",
                        "FROM gcr.io/kaniko-project/executor:v1\nENV DOCKER_CREDENTIAL_GCR_CONFIG /kaniko/.config/gcloud/config.json\nENV COMPASS_MODE=on\n",
                        "FROM alpine:3.19\nARG NPM_TOKEN\nARG API_KEY=\n",
                        "# settings: secret-allow=DEMO_*\nFROM alpine:3.19\nENV DEMO_PASSWORD=demo\n"],
        aliases: ["DL3064", "SecretsUsedInArgOrEnv"]
    )) { ctx in
        var hits: [Hit] = []
        func check(_ kind: String, _ name: Word, _ value: Word?) {
            guard let value, !value.raw.isEmpty, value.text != "\"\"", value.text != "''" else { return }
            // An absolute path names where a secret lives, not the secret.
            if value.text.hasPrefix("/"), !value.text.contains(" ") { return }
            let n = name.text
            guard Secrets.isSecretName(n), !allowed(ctx, n), !allowed(ctx, value.text) else { return }
            hits.append(Hit(name.span, "\(kind) \(n) stores a secret in the image (value \(mask(value.text)))", redact: value.span))
        }
        for ins in ctx.instructions {
            switch ins.value {
            case .env(let kv): for p in kv { check("ENV", p.key, p.value) }
            case .arg(let ds): for d in ds { check("ARG", d.name, d.defaultValue) }
            default: break
            }
        }
        return hits
    }

    static let secretValues = Rule(RuleDescriptor(
        id: "DF181", name: "secret-value", title: "A credential is written in the Dockerfile", cis: "4.10", scored: false,
        defaultSeverity: .error,
        rationale: "Credentials in known formats (AWS keys, GitHub, GitLab, Slack, npm, PyPI and Stripe tokens, private keys, JSON Web Tokens, passwords in URLs, `curl -u user:password`) anywhere in a Dockerfile end up in the image or its history and in every clone of the repository.",
        fix: "Remove the credential, rotate it, and pass it with `RUN --mount=type=secret`.",
        triggering: ["FROM alpine:3.19\nENV AWS_ACCESS_KEY_ID=↓AKIAIOSFODNN7EXAMPLE\n",
                     "FROM alpine:3.19\nRUN git clone https://deploy:↓s3cr3tpass@git.example.com/app.git\n",
                     "FROM alpine:3.19\nRUN curl -u admin:↓hunter2 https://example.com/file -o /f\n",
                     "FROM alpine:3.19\nLABEL token=↓ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"],
        nonTriggering: ["FROM alpine:3.19\nRUN git clone https://${GIT_USER}:${GIT_TOKEN}@git.example.com/app.git\n",
                        "FROM alpine:3.19\nRUN curl -u \"$USER:$PASS\" https://example.com/f -o /f\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        func scan(_ bytes: [UInt8], _ map: (Int) -> Int) {
            for m in Secrets.scan(bytes) {
                let text = String(decoding: bytes[m.range], as: UTF8.self)
                if allowed(ctx, text) { continue }
                let span = Span(map(m.range.lowerBound), map(m.range.upperBound - 1) + 1)
                hits.append(Hit(span, "\(m.kind) in the Dockerfile: \(mask(text))", redact: span))
            }
        }
        func scan(_ w: Word) { scan(w.raw) { w.sourceOffset($0) } }
        for ins in ctx.instructions {
            var run: RunInstruction?
            switch ins.value {
            case .env(let kv), .label(let kv): kv.forEach { scan($0.value) }
            case .arg(let ds): ds.compactMap(\.defaultValue).forEach(scan)
            case .run(let r): run = r
            case .onbuild(let inner?): if case .run(let r) = inner.value { run = r }
            case .cmd(let f?), .entrypoint(let f?): f.words.forEach(scan)
            case .healthcheck(.cmd(let f?, _)): f.words.forEach(scan)
            default: break
            }
            if let run {
                run.command?.words.forEach(scan)
                for h in run.heredocs { scan(h.content) { h.bodySpan.start + $0 } }
            }
        }
        for c in ctx.commands where c.name == "curl" || c.name == "wget" {
            for opt in c.name == "curl" ? ["-u", "--user", "--proxy-user", "-U"] : ["--password", "--http-password", "--ftp-password"] {
                guard let (v, i) = c.value(of: opt) else { continue }
                let pass = c.name == "curl" ? v.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) : v
                guard let pass, !pass.isEmpty, !pass.hasPrefix("$"), !allowed(ctx, pass) else { continue }
                let w = c.span(ofWord: i)
                let offset = c.name == "curl" ? (v.firstIndex(of: ":").map { v.utf8.distance(from: v.utf8.startIndex, to: $0.samePosition(in: v.utf8)!) + 1 } ?? 0) : 0
                let start = min(w.start + offset, w.end)
                hits.append(Hit(Span(start, w.end), "password on the \(c.name) command line: \(mask(pass))", redact: Span(start, w.end)))
            }
        }
        return hits
    }

    static let secretFiles = Rule(RuleDescriptor(
        id: "DF182", name: "secret-file-copied", title: "A file that usually holds credentials is copied into the image",
        cis: "4.10", scored: false, defaultSeverity: .warning,
        rationale: "SSH keys, `.env` files, `.npmrc`/`.pypirc`/`.netrc`, credential files and private keys copied into a layer stay in the image even if a later step deletes them.",
        fix: "Do not copy the file; mount it for the one step that needs it with `RUN --mount=type=secret` or `--mount=type=ssh`.",
        triggering: ["FROM node:20\nCOPY ↓.npmrc package.json /app/\nCOPY ↓id_rsa /root/.ssh/id_rsa\n",
                     "FROM alpine:3.19\nADD ↓certs/server.key /etc/ssl/private/\n"],
        nonTriggering: ["FROM node:20\nCOPY package.json .env.example /app/\nCOPY id_rsa.pub /root/.ssh/authorized_keys\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, c.from == nil else { continue }
            for s in c.sources where !isURL(s.text) && !s.text.hasPrefix("<<") {
                if let why = Secrets.secretFileReason(s.text), !allowed(ctx, s.text) {
                    hits.append(Hit(s.span, "\(s.text) usually holds \(why) and stays in the image layer"))
                }
            }
        }
        return hits
    }

    // MARK: 4.11 verified packages

    static let downloaders: Set<String> = ["curl", "wget", "fetch", "aria2c"]
    static let interpreters: Set<String> = ["sh", "bash", "dash", "ash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node", "php"]

    static let pipeToShell = Rule(RuleDescriptor(
        id: "DF190", name: "pipe-to-shell", title: "Downloaded script piped into a shell", cis: "4.11", scored: false,
        defaultSeverity: .error,
        rationale: "`curl ... | sh` runs whatever the server (or anyone on the path) sends at that moment, with no checksum or signature check, and leaves nothing to audit. CIS 4.11 asks that only verified packages be installed.",
        fix: "Download to a file, verify its checksum or signature, then run it; or install from a signed package repository.",
        triggering: ["FROM debian:12\nRUN ↓curl -fsSL https://get.example.com/install.sh | sh\n",
                     "FROM debian:12\nRUN ↓wget -qO- https://example.com/setup | bash -s -- --yes\n",
                     "FROM debian:12\nRUN ↓sh -c \"$(curl -fsSL https://example.com/i.sh)\"\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://example.com/i.sh && echo \"abc  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where interpreters.contains(c.name) {
            if let feeder = c.pipedFrom.map({ ctx.commands[$0] }).first(where: { downloaders.contains($0.name) }) {
                hits.append(Hit(feeder.span, "\(feeder.name) output is piped into \(c.name): the script runs unverified"))
                continue
            }
            if let (script, _) = c.value(of: "-c"), script.contains("$(curl") || script.contains("$(wget") || script.contains("`curl") || script.contains("`wget") {
                hits.append(Hit(c.span, "\(c.name) -c runs a downloaded script unverified"))
            }
        }
        return hits
    }

    /// (command names, options or argument fragments, what it disables)
    static let weakenings: [(Set<String>, [String], String)] = [
        (["curl"], ["-k", "--insecure"], "TLS certificate verification"),
        (["wget"], ["--no-check-certificate"], "TLS certificate verification"),
        (["apt-get", "apt", "aptitude"], ["--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories", "--allow-downgrades"], "package signature checks"),
        (["apk"], ["--allow-untrusted"], "package signature checks"),
        (["rpm"], ["--nosignature", "--nodigest", "--noverify", "--nofiledigest"], "package signature checks"),
        (["yum", "dnf", "microdnf", "tdnf", "zypper"], ["--nogpgcheck", "--no-gpg-checks"], "package signature checks"),
        (["pip", "pip3", "pip2", "python", "python3"], ["--trusted-host"], "TLS verification for a package index"),
        (["gem"], ["-P", "--trust-policy"], "gem signature policy"),
    ]

    static let verificationDisabled = Rule(RuleDescriptor(
        id: "DF191", name: "verification-disabled", title: "TLS or signature verification turned off", cis: "4.11",
        scored: false, defaultSeverity: .error,
        rationale: "Turning off certificate or signature checks (`curl -k`, `wget --no-check-certificate`, `apt-get --allow-unauthenticated`, `apk --allow-untrusted`, `rpm --nosignature`, `dnf --nogpgcheck`, `gpgcheck=0`, `pip --trusted-host`, `strict-ssl false`, `http.sslVerify=false`, `NODE_TLS_REJECT_UNAUTHORIZED=0`...) lets anyone on the network path substitute what gets installed.",
        fix: "Fix the trust store (install ca-certificates, import the repository key) instead of disabling verification.",
        triggering: ["FROM debian:12\nRUN curl ↓-k https://example.com/tool -o /usr/local/bin/tool\n",
                     "FROM debian:12\nRUN apt-get install -y ↓--allow-unauthenticated foo\n",
                     "FROM fedora:40\nRUN echo ↓'gpgcheck=0' >> /etc/yum.repos.d/x.repo\n",
                     "FROM node:20\nENV ↓NODE_TLS_REJECT_UNAUTHORIZED=0\nRUN npm config set ↓strict-ssl false\n",
                     "FROM alpine:3.19\nRUN git -c ↓http.sslVerify=false clone https://example.com/r.git\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSL https://example.com/tool -o /usr/local/bin/tool\n",
                        "FROM fedora:40\nRUN dnf install -y --setopt=gpgcheck=1 git\n",
                        "FROM alpine:3.19\nRUN apk index --allow-untrusted -o /repo/APKINDEX.tar.gz /repo/*.apk && abuild-sign /repo/APKINDEX.tar.gz\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands {
            var found = false
            for (names, opts, what) in weakenings where names.contains(c.name) {
                if c.name == "gem", let (v, i) = c.value(of: "-P", "--trust-policy") {
                    if v.lowercased().hasPrefix("no") { hits.append(Hit(c.span(ofWord: i), "gem trust policy \(v) disables \(what)")); found = true }
                    continue
                }
                // `apk index --allow-untrusted` builds an index of local packages (signed next);
                // only installing without signatures is the risk.
                if c.name == "apk", let a = PackageManagers.action(c), a.kind != .install, a.kind != .upgrade { continue }
                if let i = c.firstIndex(of: opts) {
                    hits.append(Hit(c.span(ofWord: i), "\(c.argv[i]) disables \(what)"))
                    found = true
                }
            }
            if found { continue }
            for (i, a) in c.argv.enumerated() {
                if (c.name == "npm" || c.name == "yarn" || c.name == "pnpm"), a == "strict-ssl", i + 1 < c.argv.count, c.argv[i + 1] == "false" {
                    hits.append(Hit(c.span(ofWord: i), "\(c.name) strict-ssl false disables TLS verification"))
                    break
                }
                if disablesVerification(a) {
                    hits.append(Hit(c.span(ofWord: i), "`\(a)` disables package or TLS verification"))
                    break
                }
            }
        }
        let envFlags: [String: (String) -> Bool] = [
            "NODE_TLS_REJECT_UNAUTHORIZED": { $0 == "0" }, "PYTHONHTTPSVERIFY": { $0 == "0" },
            "GIT_SSL_NO_VERIFY": { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" },
            "PIP_TRUSTED_HOST": { !$0.isEmpty }, "NPM_CONFIG_STRICT_SSL": { $0.lowercased() == "false" },
            "CURL_INSECURE": { !$0.isEmpty && $0 != "0" }, "GOINSECURE": { !$0.isEmpty }, "GONOSUMCHECK": { !$0.isEmpty },
            "GOFLAGS": { $0.contains("-insecure") },
        ]
        for ins in ctx.instructions {
            guard case .env(let kv) = ins.value else { continue }
            for p in kv {
                let v = ctx.expanded(p.value, at: ins.index)
                if let bad = envFlags[p.key.text], bad(v) {
                    hits.append(Hit(p.key.span.union(p.value.span), "ENV \(p.key.text)=\(v) disables TLS or checksum verification"))
                }
            }
        }
        return hits
    }

    static let disablingSettings: [[UInt8]] = ["gpgcheck=0", "gpgcheck=false", "gpgcheck=no", "sslverify=false", "sslverify=0",
                                               "sslverify=no", "allowunauthenticated=true", "allowinsecurerepositories=true"].map { Array($0.utf8) }

    /// Whether an argument sets a verification switch off (`gpgcheck=0`, `http.sslVerify=false`,
    /// `-o APT::Get::AllowUnauthenticated=true`), ignoring case and spaces. Byte scan: this runs on every word.
    static func disablesVerification(_ a: String) -> Bool {
        guard a.utf8.contains(0x3D) else { return false }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(a.utf8.count)
        for b in a.utf8 where b != 0x20 { bytes.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
        for needle in disablingSettings where bytes.count >= needle.count {
            var i = 0
            while i + needle.count <= bytes.count {
                if bytes[i] == needle[0], bytes[i..<i + needle.count].elementsEqual(needle) {
                    // `gpgcheck=0` must not be `gpgcheck=01`; `repo_gpgcheck=0` counts too.
                    let end = i + needle.count
                    if end == bytes.count || !(bytes[end] >= 0x30 && bytes[end] <= 0x39) && !(bytes[end] >= 0x61 && bytes[end] <= 0x7A) { return true }
                }
                i += 1
            }
        }
        return false
    }

    static func isPlainHTTP(_ s: String) -> Bool {
        let l = s.lowercased()
        guard l.hasPrefix("http://") else { return false }
        let host = l.dropFirst(7).prefix { $0 != "/" && $0 != ":" }
        return !(host == "localhost" || host == "127.0.0.1" || host.hasSuffix(".localhost"))
    }

    static let plainHTTP = Rule(RuleDescriptor(
        id: "DF192", name: "plain-http-download", title: "Download over plain HTTP", cis: "4.11", scored: false,
        defaultSeverity: .warning,
        rationale: "Anything fetched over `http://` can be replaced in transit; unless it is verified afterwards by checksum or signature, the image installs whatever arrived.",
        fix: "Use https://, and verify the download's checksum.",
        triggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz ↓http://example.com/t.tgz\n", "FROM debian:12\nADD ↓http://example.com/t.tgz /tmp/\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz && wget http://localhost:8080/health\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands where downloaders.contains(c.name) || c.name == "git" {
            for (i, a) in c.argv.enumerated().dropFirst() where isPlainHTTP(a) {
                hits.append(Hit(c.span(ofWord: i), "\(c.name) downloads \(a) over plain HTTP"))
            }
        }
        for ins in ctx.instructions {
            if case .copy(let c) = ins.value, c.isAdd {
                for s in c.sources where isPlainHTTP(s.text) { hits.append(Hit(s.span, "ADD downloads \(s.text) over plain HTTP")) }
            }
        }
        return hits
    }

    static let addURLChecksum = Rule(RuleDescriptor(
        id: "DF193", name: "add-url-without-checksum", title: "ADD of a URL without --checksum", cis: "4.11", scored: false,
        defaultSeverity: .warning,
        rationale: "`ADD <url>` downloads at build time with no verification unless `--checksum=sha256:...` (Dockerfile syntax 1.6+) pins the expected content.",
        fix: "Add `--checksum=sha256:<digest>` to the ADD.",
        triggering: ["FROM debian:12\nADD ↓https://example.com/tool-1.2.tgz /tmp/\n"],
        nonTriggering: ["FROM debian:12\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool-1.2.tgz /tmp/\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .copy(let c) = ins.value, c.isAdd, ins.flag("checksum") == nil else { continue }
            for s in c.sources where s.text.lowercased().hasPrefix("https://") || s.text.lowercased().hasPrefix("http://") {
                hits.append(Hit(s.span, "ADD downloads \(s.text) without --checksum: the content is not verified"))
            }
        }
        return hits
    }

    static let all: [Rule] = [
        missingUser, rootUser, sudo,
        untrustedBase, unpinnedTag, insecureRegistry,
        unnecessaryPackages, noInstallRecommends, packageCache, unpinnedPackage,
        digestPin, contentTrust,
        missingHealthcheck, healthcheckNone,
        updateAlone, staleIndex,
        setuid,
        addInsteadOfCopy,
        secretNames, secretValues, secretFiles,
        pipeToShell, verificationDisabled, plainHTTP, addURLChecksum,
    ]
}
