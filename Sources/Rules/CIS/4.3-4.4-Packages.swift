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
        rationale: "Every package is attack surface and scanner noise. SSH and telnet servers, netcat, sudo, editors and debuggers help an attacker more than the application; compilers belong in a build stage, not in the image you ship (a stage the final stage is built on ships too).",
        fix: "Drop the package, or install it in a build stage and copy only the result into the final stage.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends ↓openssh-server curl ↓vim\n",
                     "FROM alpine:3.19\nRUN apk add --no-cache ↓build-base\n",
                     "FROM alpine:3.19 AS base\nRUN apk add --no-cache ↓gcc\nFROM base\nCMD [\"sh\"]\n",
                     "FROM fedora:40\nRUN sudo dnf install -y ↓nmap && dnf clean all\n"],
        nonTriggering: ["FROM alpine:3.19 AS build\nRUN apk add --no-cache build-base\nFROM alpine:3.19\nCOPY --from=build /out /out\n",
                        "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates\n",
                        "FROM debian:12\nRUN echo apt-get install -y vim\n"],
        aliases: []
    )) { ctx in
        var hits: [Hit] = []
        let shipped = Set(ctx.finalImageInstructions)
        // Packages the same RUN removes again after an install (`apt-get purge $buildDeps`,
        // `apk del .build-deps`) do not ship. One backward walk per RUN gathers, for each install,
        // what later commands of its family remove (linear in the RUN's commands).
        var removedAfter: [Int: Set<String>] = [:]
        for (_, indices) in ctx.commandsByInstruction {
            var removedLater: [PackageFamily: Set<String>] = [:]
            for k in indices.sorted(by: >) {
                guard let r = ctx.action(of: k) else { continue }
                if r.kind == .install { removedAfter[k] = removedLater[r.family] ?? [] }
                guard r.kind == .remove else { continue }
                for (p, _) in r.packages {
                    let e = ctx.shellExpand(p, for: ctx.commands[k], unknownAsEmpty: true) ?? p
                    removedLater[r.family, default: []].formUnion(e.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
                }
            }
        }
        for c in ctx.commands {
            guard let a = ctx.action(of: c.index), a.kind == .install, [.apt, .apk, .rpm, .zypper].contains(a.family) else { continue }
            let final = shipped.contains(c.instruction)
            let removed = removedAfter[c.index] ?? []
            if let virtual = a.option("--virtual", "-t")?.value, a.family == .apk, removed.contains(virtual) { continue }
            var pkgs: [(String, Int)] = []
            for (p, i) in a.packages {
                if p.contains("$"), let e = ctx.shellExpand(p, for: c, unknownAsEmpty: true) {
                    pkgs += e.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { (String($0), i) }
                } else {
                    pkgs.append((p, i))
                }
            }
            for (p, i) in pkgs {
                let name = String(p.split(separator: "=").first ?? Substring(p))
                if removed.contains(p) || removed.contains(name) { continue }
                if let what = runtimeTools[name] {
                    hits.append(Hit(c.span(ofWord: i), "installs \(name) (\(what)), which a runtime image rarely needs"))
                } else if final, let what = buildTools[name] {
                    hits.append(Hit(c.span(ofWord: i), "installs \(name) (\(what)) in the final image; build in a separate stage"))
                }
            }
        }
        return hits
    }

    static let noInstallRecommends = Rule(RuleDescriptor(
        id: "DF121", name: "apt-install-recommends", title: "apt installs recommended packages", cis: "4.3", scored: false,
        defaultSeverity: .info,
        rationale: "By default apt also installs every *recommended* package, often dozens of libraries and tools the application never uses, each one more thing to patch; installing a local .deb or `apt-get -f install` resolves dependencies the same way. An apt configuration written earlier in the stage (or in a stage it is built on) that sets `APT::Install-Recommends \"0\"` counts.",
        fix: "Add `--no-install-recommends` to `apt-get install`.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get ↓install -y curl && rm -rf /var/lib/apt/lists/*\n",
                     "FROM ubuntu:24.04\nRUN apt-get -y ↓install python3\n",
                     "FROM debian:12\nRUN dpkg -i /tmp/tool.deb || apt-get -fy ↓install\n",
                     "FROM debian:12\nRUN apt-get update && apt-get ↓install -y /tmp/tool.deb\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
                        "FROM debian:12\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n",
                        "FROM debian:12 AS base\nRUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norecommends\nFROM base\nRUN apt-get install -y curl\n",
                        "FROM debian:12\nRUN apt-get install -y --no-install-recommends ./local.deb\n"],
        aliases: ["DL3015", "DS-0029"]
    )) { ctx in
        ctx.commands.compactMap { c in
            // `apt-get -f install` with no package installs missing dependencies, recommends included.
            guard let a = ctx.action(of: c.index), a.family == .apt, a.kind == .install, a.subcommand == "install",
                  !a.packages.isEmpty || a.has("-f", "--fix-broken") else { return nil }
            if a.has("--no-install-recommends", "--without-recommends") || (a.tool == "aptitude" && a.has("-R")) { return nil }
            if a.options.contains(where: { ($0.value ?? "").lowercased().contains("install-recommends=false")
                || ($0.value ?? "").lowercased().contains("install-recommends=0") }) { return nil }
            if ctx.state(before: c.instruction).aptNoRecommends != nil { return nil }
            return Hit(c.span(ofWord: a.subcommandIndex), "`\(a.tool) install` without --no-install-recommends also installs recommended packages")
        }
    }

    static let packageCache = Rule(RuleDescriptor(
        id: "DF122", name: "package-cache", title: "Package manager cache left in the image", cis: "4.4", scored: false,
        defaultSeverity: .info,
        rationale: "Package indexes and downloaded archives left in a layer make the image bigger and carry stale metadata; removing them in a later RUN does not help, because the earlier layer keeps them, and a clean before the install cleans nothing. A stage the final stage is built on ships its layers too, so its caches are reported where it leaves them. Cache and tmpfs mounts (`RUN --mount=type=cache`) keep the cache out of the image. ONBUILD RUN triggers are checked too: images built from this one get their layers.",
        fix: "Clean up in the same RUN, after the install (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `zypper clean --all`, `pip install --no-cache-dir`, `yarn cache clean`, `npm cache clean --force`) or use a cache mount.",
        triggering: ["FROM debian:12\nRUN apt-get ↓update && apt-get install -y --no-install-recommends curl\n",
                     "FROM alpine:3.19\nRUN apk ↓add curl\n",
                     "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask==3.0.0 && pip ↓install gunicorn==22.0.0\n",
                     "FROM centos:7\nRUN yum clean all && yum ↓install -y httpd\n",
                     "FROM fedora:40\nRUN dnf ↓install -y git\n",
                     "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf ↓install -y tar\n",
                     "FROM opensuse/leap:15.6\nRUN zypper ↓install -y curl\n",
                     "FROM node:20\nRUN yarn ↓install --frozen-lockfile\n",
                     "FROM node:20\nRUN npm ↓ci --omit=dev\n",
                     "FROM debian:12 AS base\nRUN apt-get ↓update && apt-get install -y --no-install-recommends curl\nFROM base\nRUN rm -rf /var/lib/apt/lists/*\n",
                     "FROM alpine:3.19\nONBUILD RUN apk ↓add git\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
                        "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n",
                        "FROM alpine:3.19\nRUN apk add --no-cache curl\n",
                        "FROM alpine:3.19\nRUN --mount=type=tmpfs,target=/var/cache/apk apk add curl\n",
                        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.0\n",
                        "FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=off pip install flask==3.0.0\n",
                        "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.0\n",
                        "FROM fedora:40\nRUN dnf install -y git && dnf clean all\n",
                        "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean --all\n",
                        "FROM node:20\nRUN yarn install --frozen-lockfile && yarn cache clean\n",
                        "FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci --omit=dev\n",
                        "FROM alpine:3.19 AS build\nRUN apk add curl\nFROM alpine:3.19\n",
                        "FROM debian:12\nRUN echo apt-get update\n"],
        aliases: ["DL3009", "DL3019", "DS-0025", "DL3032", "DS-0015", "DL3040", "DS-0019", "DS-0027", "DL3036", "DS-0020",
                  "DL3042", "DL3060"]
    )) { ctx in
        var hits: [Hit] = []
        for i in ctx.finalImageInstructions {
            guard case .run = ctx.instructions[i].value else { continue }
            for c in PackageCaches.left(inRun: i, ctx) { hits.append(Hit(c.span, c.message, aliases: c.aliases)) }
        }
        for t in ctx.triggers {
            guard case .run = t.value else { continue }
            for c in PackageCaches.left(inRun: t.index, ctx) {
                hits.append(Hit(c.span, "ONBUILD trigger: " + c.message + " (in every image built from this one)", aliases: c.aliases))
            }
        }
        return hits
    }

    static let unpinnedPackage = Rule(RuleDescriptor(
        id: "DF123", name: "unpinned-package", title: "Package installed without a version", cis: "4.4", scored: false,
        defaultSeverity: .style,
        rationale: "Unpinned packages make builds unreproducible and let a rebuild silently pick up a different (or compromised) version. Pinning is hygiene, not a vulnerability, so this is a style finding. Each manager's own version syntax counts; files, URLs, directories, variables and `@latest`-style tags are not versions.",
        fix: "Pin versions: `pkg=1.2.3` (apt, apk), `pkg-1.2.3` (yum, dnf, zypper), `pkg==1.2.3` (pip), `pkg@1.2.3` (npm, yarn, go), `gem install pkg -v 1.2.3`.",
        triggering: ["FROM debian:12\nRUN apt-get install -y --no-install-recommends ↓curl ca-certificates=20230311\n",
                     "FROM python:3.12\nRUN pip install --no-cache-dir ↓requests flask==3.0.0\n",
                     "FROM node:20\nRUN npm install -g ↓typescript ↓@angular/cli pnpm@9.1.0\n",
                     "FROM node:20\nRUN npm install --loglevel verbose ↓eslint\n",
                     "FROM alpine:3.19\nRUN apk add --no-cache -U ↓git\n",
                     "FROM centos:7\nRUN yum install -y ↓python3-pip && yum clean all\n",
                     "FROM fedora:40\nRUN dnf in -y ↓git && dnf clean all\n",
                     "FROM opensuse/leap:15.6\nRUN zypper -n in ↓curl && zypper clean\n",
                     "FROM ruby:3.3\nRUN gem i ↓rails\n",
                     "FROM golang:1.22\nRUN go install ↓golang.org/x/tools/gopls@latest\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get install -y ./local.deb \"$PKG\"\n",
                        "FROM python:3.12\nRUN pip install -r requirements.txt\n",
                        "FROM python:3.12\nRUN pip install --root-user-action ignore flask==3.0.0\n",
                        "FROM ruby:3.3\nRUN gem install bundler -v 2.5.6\n",
                        "FROM ruby:3.3\nRUN gem install nokogiri:1.16.0 -- --use-system-libraries\n",
                        "FROM node:20\nRUN npm install && npm install -g pnpm@9.1.0 @org/tool@1.2.3\n",
                        "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.15.3 && go install ./cmd/...\n",
                        "FROM fedora:40\nRUN dnf install -y git-2.44.0 && dnf clean all\n"],
        aliases: ["DL3008", "DL3013", "DL3016", "DL3018", "DL3028", "DL3033", "DL3037", "DL3041", "DL3062"]
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands {
            guard let a = ctx.action(of: c.index) else { continue }
            for (p, i) in PackageManagers.unpinned(a, expand: { ctx.shellExpand($0, for: c, unknownAsEmpty: true) }, quoted: { $0 < c.quoted.count && c.quoted[$0] }) {
                let word = c.argv[i]
                let from = word == p ? "" : " (from \(word))"
                hits.append(Hit(c.span(ofWord: i), "\(p)\(from) is installed without a version", aliases: pinAlias(a)))
            }
        }
        return hits
    }

    /// hadolint's pinning rule for each package manager (one rule per manager there).
    static func pinAlias(_ a: PackageAction) -> [String] {
        switch a.family {
        case .apt: return ["DL3008"]
        case .pip: return a.tool == "pip" ? ["DL3013"] : []
        case .npm: return ["DL3016"]
        case .apk: return ["DL3018"]
        case .gem: return ["DL3028"]
        case .zypper: return ["DL3037"]
        case .rpm: return a.tool == "yum" ? ["DL3033"] : a.tool == "tdnf" ? [] : ["DL3041"]
        case .go: return ["DL3062"]
        default: return []
        }
    }
}
