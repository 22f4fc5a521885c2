// WgetAndCurl: two download tools where one does.
import DockerfileSyntax

extension RunRules {
    static let wgetAndCurl = Rule(RuleDescriptor(
        id: "DF215", name: "wget-and-curl", title: "Both wget and curl are used",
        defaultSeverity: .info,
        rationale: "wget and curl do the same job; needing both means both are installed, two tools to patch and two sets of options to review. A stage built on another one counts the tools its base stage used.",
        fix: "Pick one of them for every download of the stage.",
        triggering: ["FROM debian:12\nRUN curl -fsSLo /a https://example.com/a\nRUN ↓wget -q https://example.com/b\n",
                     "FROM debian:12 AS base\nRUN wget -q https://example.com/a\nFROM base\nRUN ↓curl -fsSLO https://example.com/b\n"],
        nonTriggering: ["FROM debian:12\nRUN curl -fsSLo /a https://example.com/a\nFROM debian:12\nRUN wget -q https://example.com/b\n",
                        "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl wget\n"],
        aliases: ["DL4001", "DS-0014"]
    )) { ctx in
        var hits: [Hit] = []
        var seenAtEnd: [Set<String>] = []
        for st in ctx.dockerfile.stages {
            var seen: Set<String> = []
            if case .stage(let b) = st.base, b < seenAtEnd.count { seen = seenAtEnd[b] }
            for i in st.instructionIndices {
                let uses = ctx.commands(of: i).filter { ($0.name == "curl" || $0.name == "wget") && !$0.isTrigger }
                seen.formUnion(uses.map(\.name))
                if seen.count == 2, let first = uses.first {
                    hits.append(Hit(first.span(ofWord: 0), "\(first.name) is used where \(first.name == "curl" ? "wget" : "curl") is used too: pick one"))
                }
            }
            seenAtEnd.append(seen)
        }
        return hits
    }
}
