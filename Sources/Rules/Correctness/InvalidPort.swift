// InvalidPort: a Dockerfile correctness check (documentation, examples and check together).
import DockerfileSyntax

extension CorrectnessRules {
    static let invalidPort = Rule(RuleDescriptor(
        id: "DF207", name: "invalid-port", title: "EXPOSE with an invalid port or protocol",
        defaultSeverity: .error,
        rationale: "Ports range from 0 to 65535 and protocols are tcp, udp or sctp; BuildKit rejects anything else when it builds the image config.",
        fix: "Use a port between 0 and 65535, optionally with /tcp, /udp or /sctp.",
        triggering: ["FROM alpine:3.19\nEXPOSE 8080 ↓80000 ↓53/dns\n"],
        nonTriggering: ["FROM alpine:3.19\nARG PORT=8080\nEXPOSE 80 443/tcp 53/udp 8000-8010 $PORT\n"],
        aliases: ["DL3011"]
    )) { ctx in
        var hits: [Hit] = []
        for ins in ctx.instructions {
            guard case .expose(let ports) = ins.value else { continue }
            for p in ports where !p.word.text.contains("$") {
                if !["tcp", "udp", "sctp"].contains(p.proto) {
                    hits.append(Hit(p.word.span, "EXPOSE \(p.word.text): unknown protocol \(p.proto) (use tcp, udp or sctp)"))
                } else if p.lower == nil || p.upper == nil || p.lower! > 65535 || p.upper! > 65535 || p.lower! > p.upper! {
                    hits.append(Hit(p.word.span, "EXPOSE \(p.word.text): ports range from 0 to 65535"))
                }
            }
        }
        return hits
    }
}
