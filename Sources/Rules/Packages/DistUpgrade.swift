// DistUpgrade: upgrading the distribution inside an image build.
import DockerfileSyntax

extension PackageRules {
    static let distUpgrade = Rule(RuleDescriptor(
        id: "DF212", name: "dist-upgrade", title: "Distribution upgrade in a build",
        defaultSeverity: .warning,
        rationale: "`apt-get dist-upgrade`, `zypper dist-upgrade` and `dnf distro-sync` may install, remove and replace packages to move to whatever the mirrors hold today, so the same Dockerfile builds a different system from one day to the next, and essential packages can change under the application. Security updates come from a newer base image (or `apt-get upgrade`).",
        fix: "Rebuild on a newer base image; if packages must be updated in place, use `apt-get upgrade` / `zypper update`.",
        triggering: ["FROM debian:12\nRUN apt-get update && apt-get ↓dist-upgrade -y && rm -rf /var/lib/apt/lists/*\n",
                     "FROM opensuse/leap:15.6\nRUN zypper -n ↓dup && zypper clean\n",
                     "FROM fedora:40\nRUN dnf -y ↓distro-sync && dnf clean all\n"],
        nonTriggering: ["FROM debian:12\nRUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n",
                        "FROM opensuse/leap:15.6\nRUN zypper -n update && zypper clean\n"],
        aliases: ["DL3005", "DS-0024", "DL3035"]
    )) { ctx in
        ctx.commands.compactMap { c in
            guard let a = ctx.action(of: c.index), a.kind == .distUpgrade else { return nil }
            let peers: [String] = a.family == .apt ? (a.tool == "apt-get" ? ["DL3005", "DS-0024"] : ["DL3005"])
                : a.family == .zypper ? ["DL3035"] : []
            return Hit(c.span(ofWord: a.subcommandIndex),
                       "`\(a.tool) \(c.argv[a.subcommandIndex])` upgrades the distribution to whatever the mirrors hold at build time",
                       aliases: peers)
        }
    }
}
