// InstallWithoutYes: package managers that ask for confirmation, run without it.
import DockerfileSyntax

extension PackageRules {
    static let installWithoutYes = Rule(RuleDescriptor(
        id: "DF210", name: "install-without-yes", title: "Package manager may stop to ask for confirmation",
        defaultSeverity: .warning,
        rationale: "apt-get, apt, yum, dnf, tdnf and zypper ask \"Do you want to continue?\" before installing, upgrading or removing. A build has no terminal to answer: the question reads end-of-file and the step fails, or worse, waits. `-y` (`--yes`, `--assumeyes`; zypper `-n`/`--non-interactive` or `install -y`; apt-get `-qq`, which implies `-y`) answers it. DEBIAN_FRONTEND=noninteractive does not: it silences debconf questions, not apt's own. An apt or dnf configuration written earlier in the stage that assumes yes counts.",
        fix: "Add `-y` to the command: `apt-get install -y ...`, `dnf install -y ...`, `zypper --non-interactive install ...`.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get ↓install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
                     "FROM centos:7\nRUN yum ↓install httpd-2.4.6 && yum clean all\n",
                     "FROM fedora:40\nRUN dnf ↓upgrade && dnf clean all\n",
                     "FROM opensuse/leap:15.6\nRUN zypper ↓install curl-8.0 && zypper clean\n",
                     "FROM debian:12\nRUN apt-get -q ↓remove curl\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n",
                        "FROM debian:12\nRUN apt-get -qq install --no-install-recommends curl=7.88.1-10\n",
                        "FROM debian:12\nRUN apt-get install --assume-yes curl=7.88.1-10 && apt-get -o APT::Get::Assume-Yes=true purge vim\n",
                        "FROM centos:7\nRUN yum -y install httpd-2.4.6 && yum clean all\n",
                        "FROM opensuse/leap:15.6\nRUN zypper -n install curl-8.0 && zypper --non-interactive clean && zypper in -y vim\n",
                        "FROM debian:12 AS base\nRUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/90yes\nFROM base\nRUN apt-get install curl=7.88.1-10\n",
                        "FROM registry.access.redhat.com/ubi9/ubi-minimal\nRUN microdnf install tar && microdnf clean all\n",
                        "FROM debian:12\nRUN yes | apt-get install curl=7.88.1-10\n"],
        aliases: ["DL3014", "DS-0021", "DL3030", "DL3038", "DL3034"]
    )) { ctx in
        var hits: [Hit] = []
        for c in ctx.commands {
            guard let a = ctx.action(of: c.index), [.install, .upgrade, .distUpgrade, .remove].contains(a.kind) else { continue }
            if c.pipedFrom.contains(where: { ctx.commands[$0].name == "yes" }) { continue }
            let state = ctx.state(before: c.instruction)
            var peers: [String] = []
            switch a.family {
            case .apt:
                if a.has("-y", "--yes", "--assume-yes") || a.options.filter({ $0.name == "-q" }).count >= 2 { continue }
                if c.argv.contains(where: { $0 == "-q=2" || $0 == "--quiet=2" }) { continue }
                if a.options.contains(where: { String(($0.value ?? "").lowercased().filter { $0 != " " }).contains("assume-yes=true") }) { continue }
                if state.aptAssumeYes != nil || a.tool == "aptitude" && a.has("-y") { continue }
                if a.kind == .install { peers = a.tool == "apt-get" ? ["DL3014", "DS-0021"] : ["DL3014"] }
            case .rpm:
                if a.tool == "microdnf" || a.has("-y", "--assumeyes") || state.rpmAssumeYes != nil { continue }
                if a.options.contains(where: { ($0.value ?? "").lowercased() == "assumeyes=1" || ($0.value ?? "").lowercased() == "assumeyes=true" }) { continue }
                if a.kind == .install { peers = a.tool == "yum" ? ["DL3030"] : a.tool == "tdnf" ? [] : ["DL3038"] }
            case .zypper:
                if a.has("-n", "--non-interactive", "-y", "--no-confirm") { continue }
                if a.kind == .install { peers = ["DL3034"] }
            default:
                continue
            }
            hits.append(Hit(c.span(ofWord: a.subcommandIndex),
                            "`\(a.tool) \(a.subcommand)` without -y stops to ask for confirmation, which a build cannot give",
                            aliases: peers))
        }
        return hits
    }
}
