// AptNotAptGet: `apt` is the interactive front end; scripts use apt-get and apt-cache.
import DockerfileSyntax

extension PackageRules {
    static let aptNotAptGet = Rule(RuleDescriptor(
        id: "DF211", name: "apt-instead-of-apt-get", title: "apt used in a build instead of apt-get",
        defaultSeverity: .warning,
        rationale: "`apt` is meant for people at a terminal: its output and behaviour may change between releases and it warns that it \"does not have a stable CLI interface\". apt-get and apt-cache are the stable interfaces for scripts.",
        fix: "Use `apt-get` (install, update, remove) or `apt-cache` (search, show).",
        triggering: ["FROM ubuntu:24.04\nRUN ↓apt update && ↓apt install -y --no-install-recommends curl\n"],
        nonTriggering: ["FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends curl && apt-cache policy curl\n",
                        "FROM ubuntu:24.04\nRUN echo apt is for people\n"],
        aliases: ["DL3027", "CKV_DOCKER_9"]
    )) { ctx in
        ctx.commands.filter { $0.name == "apt" }.map {
            Hit($0.span(ofWord: 0), "`apt` is the interactive front end with no stable command-line interface: use apt-get or apt-cache")
        }
    }
}
