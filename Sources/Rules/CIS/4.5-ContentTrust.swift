// CIS Docker Benchmark 4.5 content trust / provenance: the rules of this item, each with its documentation,
// examples (`↓` marks where a finding starts) and check.
import DockerfileSyntax

extension CISRules {
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
        rationale: "CIS 4.5 is a property of the host that pulls images, not of an image: docker-bench passes it only when DOCKER_CONTENT_TRUST=1 in the environment. In image mode dflint reports the linting host's setting the same way, as a host-level finding: it is shown, but since it is not a property of the image it does not decide the exit status unless `--fail-on-host-findings` is given. (Docker has since retired Content Trust; digest pinning is the remaining control.)",
        fix: "Export DOCKER_CONTENT_TRUST=1 on hosts that pull images, or accept the finding where Content Trust is retired.",
        triggering: ["↓# settings: image-mode\nFROM debian:12\n"],
        nonTriggering: ["FROM debian:12\n", "# settings: image-mode, env=DOCKER_CONTENT_TRUST=1\nFROM debian:12\n"],
        aliases: []
    )) { ctx in
        guard ctx.settings.imageMode, ctx.settings.hostEnvironment["DOCKER_CONTENT_TRUST"] != "1" else { return [] }
        return [Hit(Span(0, 0), "host-level: DOCKER_CONTENT_TRUST is not set to 1 in the linting host's environment")]
    }
}
