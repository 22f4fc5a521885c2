// CIS Docker Benchmark 4.3 / 4.4 packages: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
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
                hits.append(Hit(c.span(ofWord: i), "\(p) is installed without a version", alias: pinAlias(a.family, c.name)))
            }
        }
        return hits
    }

    /// hadolint's pinning rule for each package manager (one rule per manager there).
    static func pinAlias(_ family: PackageFamily, _ command: String) -> String {
        switch family {
        case .apt: return "DL3008"
        case .pip: return "DL3013"
        case .npm: return "DL3016"
        case .apk: return "DL3018"
        case .gem: return "DL3028"
        case .zypper: return "DL3037"
        case .rpm: return command == "yum" ? "DL3033" : "DL3041"
        }
    }
}
