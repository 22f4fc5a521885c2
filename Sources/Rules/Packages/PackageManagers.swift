// What package-manager commands do: update the index, install packages,
// clean caches. Shared by the CIS 4.3, 4.4 and 4.7 rules.

enum PackageFamily: String { case apt, apk, rpm, zypper, pip, npm, gem }

struct PackageAction {
    enum Kind { case update, install, upgrade, clean, remove, other }
    var family: PackageFamily
    var kind: Kind
    /// argv index of the subcommand word (`install` in `apt-get install`).
    var subcommandIndex: Int
    /// (package, argv index) for install actions.
    var packages: [(String, Int)]
}

enum PackageManagers {
    static let aptValueOptions: Set<String> = ["-o", "-c", "-t", "--target-release", "--option", "--config-file"]
    static let apkValueOptions: Set<String> = ["-X", "--repository", "-p", "--root", "--arch", "-t", "--virtual", "--keys-dir", "--repositories-file", "--cache-dir"]
    static let rpmValueOptions: Set<String> = ["-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo", "--disablerepo", "--repo", "--exclude", "-x", "--repofrompath", "--best", "--nobest"]
    static let pipValueOptions: Set<String> = ["-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
                                               "-f", "--find-links", "--trusted-host", "-t", "--target", "--prefix", "--root",
                                               "--platform", "--python-version", "--implementation", "--abi", "-e", "--editable",
                                               "--src", "--upgrade-strategy", "--cache-dir", "--progress-bar", "--log", "--proxy",
                                               "--retries", "--timeout", "--exists-action", "--cert", "--client-cert", "--only-binary",
                                               "--no-binary", "--config-settings", "-C", "--global-option", "--install-option"]

    /// Classifies a command as a package-manager action, or nil.
    static func action(_ c: Command) -> PackageAction? {
        let name = c.name
        switch name {
        case "apt-get", "apt", "aptitude":
            let ops = c.operands(after: 0, optionsWithValue: aptValueOptions)
            guard let (sub, si) = ops.first else { return nil }
            let kind: PackageAction.Kind
            switch sub {
            case "update": kind = .update
            case "install": kind = .install
            case "upgrade", "dist-upgrade", "full-upgrade": kind = .upgrade
            case "clean", "autoclean", "distclean", "dist-clean": kind = .clean
            case "remove", "purge", "autoremove": kind = .remove
            default: kind = .other
            }
            return PackageAction(family: .apt, kind: kind, subcommandIndex: si,
                                 packages: kind == .install ? Array(ops.dropFirst()) : [])
        case "apk":
            let ops = c.operands(after: 0, optionsWithValue: apkValueOptions)
            guard let (sub, si) = ops.first else { return nil }
            let kind: PackageAction.Kind
            switch sub {
            case "update": kind = .update
            case "add": kind = .install
            case "upgrade": kind = .upgrade
            case "cache": kind = ops.dropFirst().first?.0 == "clean" ? .clean : .other
            case "del": kind = .remove
            default: kind = .other
            }
            return PackageAction(family: .apk, kind: kind, subcommandIndex: si,
                                 packages: kind == .install ? Array(ops.dropFirst()) : [])
        case "yum", "dnf", "microdnf", "tdnf":
            let ops = c.operands(after: 0, optionsWithValue: rpmValueOptions)
            guard let (sub, si) = ops.first else { return nil }
            let kind: PackageAction.Kind
            switch sub {
            case "makecache": kind = .update
            case "install", "groupinstall", "localinstall", "reinstall": kind = .install
            case "update", "upgrade", "distro-sync": kind = .upgrade
            case "clean": kind = .clean
            case "remove", "erase": kind = .remove
            default: kind = .other
            }
            return PackageAction(family: .rpm, kind: kind, subcommandIndex: si,
                                 packages: kind == .install ? Array(ops.dropFirst()) : [])
        case "zypper":
            let ops = c.operands(after: 0, optionsWithValue: ["--root", "-R", "--repo", "-r", "--from"])
            guard let (sub, si) = ops.first else { return nil }
            let kind: PackageAction.Kind
            switch sub {
            case "refresh", "ref": kind = .update
            case "install", "in": kind = .install
            case "update", "up", "dist-upgrade", "dup", "patch": kind = .upgrade
            case "clean", "cc": kind = .clean
            case "remove", "rm": kind = .remove
            default: kind = .other
            }
            return PackageAction(family: .zypper, kind: kind, subcommandIndex: si,
                                 packages: kind == .install ? Array(ops.dropFirst()) : [])
        case "pip", "pip3", "pip2":
            return pipAction(c, after: 0)
        case "python", "python3", "python2":
            // python -m pip install ...
            if let m = c.argv.firstIndex(of: "-m"), m + 1 < c.argv.count, c.argv[m + 1].hasPrefix("pip") {
                return pipAction(c, after: m + 1)
            }
            return nil
        case "npm":
            let ops = c.operands(after: 0, optionsWithValue: ["--prefix", "--registry", "--cache", "-w", "--workspace"])
            guard let (sub, si) = ops.first else { return nil }
            let kind: PackageAction.Kind = ["install", "i", "add"].contains(sub) ? .install : .other
            return PackageAction(family: .npm, kind: kind, subcommandIndex: si,
                                 packages: kind == .install ? Array(ops.dropFirst()) : [])
        case "gem":
            let ops = c.operands(after: 0, optionsWithValue: ["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "-P", "--trust-policy"])
            guard let (sub, si) = ops.first else { return nil }
            let kind: PackageAction.Kind = sub == "install" ? .install : .other
            return PackageAction(family: .gem, kind: kind, subcommandIndex: si,
                                 packages: kind == .install ? Array(ops.dropFirst()) : [])
        default:
            return nil
        }
    }

    static func pipAction(_ c: Command, after: Int) -> PackageAction? {
        let ops = c.operands(after: after, optionsWithValue: pipValueOptions)
        guard let (sub, si) = ops.first else { return nil }
        let kind: PackageAction.Kind = sub == "install" ? .install : (sub == "cache" ? .clean : .other)
        return PackageAction(family: .pip, kind: kind, subcommandIndex: si,
                             packages: kind == .install ? Array(ops.dropFirst()) : [])
    }

    /// A package argument that is a file, URL or variable rather than a name.
    static func isLocalOrDynamic(_ p: String) -> Bool {
        p.contains("$") || p.contains("/") || p.hasPrefix(".") || p.hasSuffix(".deb") || p.hasSuffix(".rpm")
            || p.hasSuffix(".apk") || p.hasSuffix(".whl") || p.hasSuffix(".tar.gz") || p.hasSuffix(".zip")
            || p.contains("*") || p.hasPrefix("git+") || p.contains("://")
    }

    /// Whether an install argument names a version.
    static func isPinned(_ p: String, family: PackageFamily) -> Bool {
        switch family {
        case .apt: return p.contains("=")
        case .apk: return p.contains("=") || p.contains("~") || p.contains(">") || p.contains("<")
        case .rpm, .zypper:
            // name-version: a dash followed by a digit, or an explicit comparison.
            if p.contains("=") || p.contains(">") || p.contains("<") { return true }
            var prev: Character = " "
            for ch in p {
                if prev == "-", ch.isNumber { return true }
                prev = ch
            }
            return false
        case .pip: return p.contains("==") || p.contains(">=") || p.contains("~=") || p.contains("<=") || p.contains("@") || p.contains("!=") || p.contains("<") || p.contains(">")
        case .npm:
            let body = p.hasPrefix("@") ? String(p.dropFirst()) : p
            return body.contains("@")
        case .gem: return p.contains(":")
        }
    }
}
