// CIS Docker Benchmark 4.2 trusted base images: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
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
                hits.append(Hit(w.span, "base image \(r.raw) has no tag, so it is whatever :latest is at build time", alias: "DL3006"))
            } else if r.tag == "latest" {
                hits.append(Hit(w.span, "base image \(r.raw) uses the moving :latest tag", alias: "DL3007"))
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
}
