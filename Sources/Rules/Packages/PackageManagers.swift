// What package-manager commands do, read from their command lines: which
// manager, which subcommand (aliases included: `dnf in`, `gem i`, `npm i`),
// which options (with their arity, so `npm --loglevel verbose` does not make
// `verbose` a package) and which package operands. One table per manager;
// shared by every package rule (CIS 4.3, 4.4, 4.7, 4.11 and the rest).

public enum PackageFamily: String, Sendable, Hashable, CaseIterable {
    case apt, apk, rpm, zypper, pip, npm, yarn, pnpm, gem, bundler, go, cargo, composer
}

public struct PackageOption: Sendable, Hashable {
    /// As written, with its dashes: `--no-cache`, `-y` (one entry per letter of a cluster).
    public var name: String
    public var value: String?
    /// argv index of the word holding the option.
    public var index: Int
}

public struct PackageAction: Sendable {
    public enum Kind: Sendable, Hashable {
        /// Downloads the package index (`apt-get update`, `apk update`, `dnf makecache`).
        case update
        case install
        case upgrade
        /// `dist-upgrade`, `full-upgrade`, `zypper dup`, `dnf distro-sync`.
        case distUpgrade
        case clean
        case remove
        case other
    }

    public var family: PackageFamily
    /// The manager as run: `apt-get`, `apt`, `dnf`, `yum`, `microdnf`, `pip`, `pipx`, `uv`, `npm`...
    public var tool: String
    public var kind: Kind
    /// The subcommand's canonical name (`install` for `dnf in`), with the word after it for
    /// two-word subcommands (`cache clean`, `global add`, `group install`).
    public var subcommand: String
    /// argv index of the subcommand word (of the manager's name when there is none).
    public var subcommandIndex: Int
    /// (operand, argv index): packages for installs, further operands otherwise.
    public var packages: [(String, Int)]
    public var options: [PackageOption]
    /// Words after a `--` that ends the package list (gem's build options).
    public var passthrough: [(String, Int)] = []

    /// Whether any option named (`--yes`, `-y`) is present.
    public func has(_ names: String...) -> Bool { options.contains { names.contains($0.name) } }

    public func option(_ names: String...) -> PackageOption? { options.last { names.contains($0.name) } }
}

/// How one manager's command line reads.
struct ManagerSpec: Sendable {
    var family: PackageFamily
    /// Options that take the next word (or the rest of a short cluster) as their value.
    var valueOptions: Set<String>
    /// Subcommand (and aliases) -> (canonical name, kind).
    var subcommands: [String: (String, PackageAction.Kind)]
    /// Subcommands that take a second word (`cache clean`, `global add`).
    var twoWord: [String: [String: (String, PackageAction.Kind)]] = [:]
    /// `-name` is one option (go), not a cluster of letters.
    var singleDashLong = false
    /// `--` ends the package list: what follows goes to the package's build (gem).
    var dashDashEndsPackages = false
    /// The command with no subcommand does this (yarn: `yarn` alone installs).
    var bare: (String, PackageAction.Kind)?
}

public enum PackageManagers {
    /// Subcommand table from (aliases, canonical name, kind) rows.
    static func table(_ rows: [([String], String, PackageAction.Kind)]) -> [String: (String, PackageAction.Kind)] {
        var t: [String: (String, PackageAction.Kind)] = [:]
        for (names, canonical, kind) in rows { for n in names { t[n] = (canonical, kind) } }
        return t
    }

    static let apt = ManagerSpec(
        family: .apt,
        valueOptions: ["-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release", "-a",
                       "--host-architecture", "-P", "--build-profiles"],
        subcommands: ["update": ("update", .update), "install": ("install", .install), "reinstall": ("install", .install),
                      "upgrade": ("upgrade", .upgrade), "dist-upgrade": ("dist-upgrade", .distUpgrade),
                      "full-upgrade": ("full-upgrade", .distUpgrade), "clean": ("clean", .clean), "autoclean": ("autoclean", .clean),
                      "distclean": ("distclean", .clean), "dist-clean": ("distclean", .clean),
                      "remove": ("remove", .remove), "purge": ("purge", .remove), "autoremove": ("autoremove", .remove),
                      "autopurge": ("autopurge", .remove), "build-dep": ("build-dep", .install), "satisfy": ("satisfy", .install)])

    static let apk = ManagerSpec(
        family: .apk,
        valueOptions: ["-X", "--repository", "-p", "--root", "--arch", "-t", "--virtual", "--keys-dir", "--repositories-file",
                       "--cache-dir", "--cache-max-age", "--timeout", "--progress-fd", "-o", "--output"],
        subcommands: ["update": ("update", .update), "add": ("add", .install), "upgrade": ("upgrade", .upgrade),
                      "del": ("del", .remove), "fix": ("fix", .other), "cache": ("cache", .other)],
        twoWord: ["cache": ["clean": ("cache clean", .clean), "purge": ("cache purge", .clean),
                            "sync": ("cache sync", .clean), "download": ("cache download", .other)]])

    static let rpmValueOptions: Set<String> = ["-c", "--config", "--installroot", "--releasever", "--setopt", "--enablerepo",
                                               "--disablerepo", "--repo", "--repoid", "--exclude", "-x", "--excludepkgs",
                                               "--repofrompath", "--forcearch", "--downloaddir", "--destdir", "-d",
                                               "--debuglevel", "-e", "--errorlevel", "--rpmverbosity", "--comment",
                                               "--advisory", "--advisories", "--bz", "--cve", "--sec-severity", "--secseverity",
                                               "--color", "--disableplugin", "--enableplugin", "--noplugins-except", "--use-host-config"]
    static let rpmSubcommands: [String: (String, PackageAction.Kind)] = [
        "install": ("install", .install), "in": ("install", .install), "localinstall": ("install", .install),
        "reinstall": ("reinstall", .install), "rei": ("reinstall", .install), "groupinstall": ("groupinstall", .install),
        "update": ("upgrade", .upgrade), "upgrade": ("upgrade", .upgrade), "up": ("upgrade", .upgrade),
        "update-minimal": ("upgrade", .upgrade), "upgrade-minimal": ("upgrade", .upgrade), "up-min": ("upgrade", .upgrade),
        "distro-sync": ("distro-sync", .distUpgrade), "dsync": ("distro-sync", .distUpgrade), "distrosync": ("distro-sync", .distUpgrade),
        "remove": ("remove", .remove), "rm": ("remove", .remove), "erase": ("remove", .remove), "autoremove": ("autoremove", .remove),
        "makecache": ("makecache", .update), "mc": ("makecache", .update), "check-update": ("check-update", .update),
        "check-upgrade": ("check-update", .update), "clean": ("clean", .clean), "downgrade": ("downgrade", .install),
        "dg": ("downgrade", .install), "swap": ("swap", .install), "builddep": ("builddep", .install),
    ]
    static let rpm = ManagerSpec(family: .rpm, valueOptions: rpmValueOptions, subcommands: rpmSubcommands,
                                 twoWord: ["group": ["install": ("group install", .install), "add": ("group install", .install)],
                                           "module": ["install": ("module install", .install)]])

    static let zypper = ManagerSpec(
        family: .zypper,
        valueOptions: ["--root", "-R", "--repo", "-r", "--from", "-t", "--type", "-D", "--reposd-dir", "-C", "--cache-dir",
                       "--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "-c", "--config", "--userdata",
                       "--installroot", "-p", "--plus-repo"],
        subcommands: ["install": ("install", .install), "in": ("install", .install), "source-install": ("install", .install),
                      "si": ("install", .install), "remove": ("remove", .remove), "rm": ("remove", .remove),
                      "update": ("update", .upgrade), "up": ("update", .upgrade), "patch": ("patch", .upgrade),
                      "dist-upgrade": ("dist-upgrade", .distUpgrade), "dup": ("dist-upgrade", .distUpgrade),
                      "refresh": ("refresh", .update), "ref": ("refresh", .update), "clean": ("clean", .clean),
                      "cc": ("clean", .clean)])

    static let pip = ManagerSpec(
        family: .pip,
        valueOptions: ["-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f",
                       "--find-links", "--trusted-host", "-t", "--target", "--prefix", "--root", "--platform",
                       "--python-version", "--implementation", "--abi", "-e", "--editable", "--src", "--upgrade-strategy",
                       "--cache-dir", "--progress-bar", "--log", "--log-file", "--proxy", "--retries", "--timeout",
                       "--exists-action", "--cert", "--client-cert", "--only-binary", "--no-binary", "--config-settings",
                       "-C", "--global-option", "--install-option", "--root-user-action", "--python", "--report",
                       "--keyring-provider", "--use-feature", "--use-deprecated", "--hash", "-d", "--dest", "--group",
                       "-w", "--wheel-dir", "--build", "-b", "--resume-retries"],
        subcommands: ["install": ("install", .install), "uninstall": ("uninstall", .remove), "download": ("download", .other),
                      "wheel": ("wheel", .other), "cache": ("cache", .other)],
        twoWord: ["cache": ["purge": ("cache purge", .clean), "remove": ("cache purge", .clean)]])

    static let pipx = ManagerSpec(
        family: .pip, valueOptions: ["--pip-args", "--python", "--suffix", "--index-url", "-i", "--spec", "--preinstall"],
        subcommands: ["install": ("install", .install), "inject": ("install", .install), "upgrade": ("upgrade", .upgrade),
                      "uninstall": ("uninstall", .remove)])

    static let poetry = ManagerSpec(
        family: .pip, valueOptions: ["-G", "--group", "-E", "--extras", "--source", "-C", "--directory", "-P", "--project",
                                     "--only", "--with", "--without"],
        subcommands: ["add": ("add", .install), "install": ("install", .other), "update": ("update", .upgrade),
                      "remove": ("remove", .remove)])

    static let npmValueOptions: Set<String> = ["--loglevel", "--prefix", "--registry", "--cache", "-w", "--workspace", "--omit",
                                               "--include", "--tag", "--userconfig", "--globalconfig", "--location",
                                               "--install-strategy", "--before", "--python", "--save-prefix", "--only",
                                               "--also", "--scope", "--fetch-retries", "--fetch-timeout", "--maxsockets",
                                               "--network-concurrency", "--cache-folder", "--modules-folder",
                                               "--network-timeout", "--mutex", "--global-folder", "--dir", "-C",
                                               "--filter", "-F", "--store-dir", "--reporter", "--workspace-root"]
    static let npm = ManagerSpec(
        family: .npm, valueOptions: npmValueOptions,
        subcommands: table([
            (["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"], "install", .install),
            (["ci", "clean-install", "ic", "install-clean", "isntall-clean"], "ci", .install),
            (["update", "up", "upgrade"], "update", .upgrade),
            (["uninstall", "remove", "rm", "r", "un"], "uninstall", .remove),
            (["cache"], "cache", .other), (["config", "c"], "config", .other),
        ]),
        twoWord: ["cache": ["clean": ("cache clean", .clean), "rm": ("cache clean", .clean), "clear": ("cache clean", .clean)]])

    static let yarn = ManagerSpec(
        family: .yarn, valueOptions: npmValueOptions,
        subcommands: ["add": ("add", .install), "install": ("install", .install), "upgrade": ("upgrade", .upgrade),
                      "up": ("upgrade", .upgrade), "remove": ("remove", .remove), "global": ("global", .other),
                      "cache": ("cache", .other), "config": ("config", .other)],
        twoWord: ["cache": ["clean": ("cache clean", .clean), "purge": ("cache clean", .clean)],
                  "global": ["add": ("global add", .install), "remove": ("global remove", .remove),
                             "upgrade": ("global upgrade", .upgrade)]],
        bare: ("install", .install))

    static let pnpm = ManagerSpec(
        family: .pnpm, valueOptions: npmValueOptions,
        subcommands: ["add": ("add", .install), "install": ("install", .install), "i": ("install", .install),
                      "update": ("update", .upgrade), "up": ("update", .upgrade), "upgrade": ("update", .upgrade),
                      "remove": ("remove", .remove), "rm": ("remove", .remove), "store": ("store", .other),
                      "config": ("config", .other)],
        twoWord: ["store": ["prune": ("store prune", .clean)]])

    static let gem = ManagerSpec(
        family: .gem, valueOptions: ["-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-P",
                                     "--trust-policy", "--platform", "-g", "--file", "--build-root", "--config-file",
                                     "--target-rbconfig"],
        subcommands: ["install": ("install", .install), "i": ("install", .install), "update": ("update", .upgrade),
                      "uninstall": ("uninstall", .remove), "cleanup": ("cleanup", .clean), "sources": ("sources", .other)],
        dashDashEndsPackages: true)

    static let bundler = ManagerSpec(
        family: .bundler, valueOptions: ["--path", "--jobs", "-j", "--retry", "--gemfile", "--without", "--with", "--binstubs",
                                         "--standalone", "--trust-policy", "--version", "--group", "--source"],
        subcommands: ["install": ("install", .other), "update": ("update", .upgrade), "add": ("add", .install),
                      "clean": ("clean", .clean), "cache": ("cache", .other), "package": ("cache", .other)])

    static let go = ManagerSpec(
        family: .go, valueOptions: ["-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-modfile", "-p", "-C",
                                    "-buildmode", "-compiler", "-gccgoflags", "-installsuffix", "-overlay", "-pkgdir",
                                    "-toolexec", "-pgo", "-exec", "-covermode", "-coverpkg", "-modcacherw"],
        subcommands: ["install": ("install", .install), "get": ("get", .install), "run": ("run", .install),
                      "build": ("build", .other), "clean": ("clean", .other), "mod": ("mod", .other)],
        twoWord: ["mod": ["download": ("mod download", .other)]],
        singleDashLong: true)

    static let cargo = ManagerSpec(
        family: .cargo, valueOptions: ["--version", "--vers", "--git", "--branch", "--tag", "--rev", "--path", "--root",
                                       "--index", "--registry", "-j", "--jobs", "--target", "--target-dir", "--features",
                                       "-F", "--profile", "--bin", "--example", "--config", "-Z", "--color", "--manifest-path",
                                       "-p", "--package"],
        subcommands: ["install": ("install", .install), "build": ("build", .other), "fetch": ("fetch", .other),
                      "clean": ("clean", .other)])

    static let composer = ManagerSpec(
        family: .composer, valueOptions: ["-d", "--working-dir", "--prefer-install"],
        subcommands: ["require": ("require", .install), "install": ("install", .other), "update": ("update", .upgrade),
                      "global": ("global", .other), "create-project": ("create-project", .install),
                      "clear-cache": ("clear-cache", .clean), "clearcache": ("clear-cache", .clean), "cc": ("clear-cache", .clean)],
        twoWord: ["global": ["require": ("global require", .install)]])

    /// The manager a command name is, with the argv index its own arguments start after.
    static func spec(_ c: Command) -> (ManagerSpec, tool: String, start: Int)? {
        let n = c.name
        switch n {
        case "apt-get", "apt", "aptitude": return (apt, n, 0)
        case "apk": return (apk, n, 0)
        case "yum", "dnf", "dnf5", "dnf-3", "microdnf", "tdnf": return (rpm, n, 0)
        case "zypper": return (zypper, n, 0)
        case "pipx": return (pipx, n, 0)
        case "poetry": return (poetry, n, 0)
        case "npm": return (npm, n, 0)
        case "yarn": return (yarn, n, 0)
        case "pnpm": return (pnpm, n, 0)
        case "gem": return (gem, n, 0)
        case "bundle", "bundler": return (bundler, "bundle", 0)
        case "go": return (go, n, 0)
        case "cargo": return (cargo, n, 0)
        case "composer", "composer.phar": return (composer, "composer", 0)
        case "uv":
            // `uv pip install ...` reads as pip; `uv tool install`, `uv add`.
            if c.argv.count > 1, c.argv[1] == "pip" { return (pip, "uv", 1) }
            if c.argv.count > 1, c.argv[1] == "tool" { return (pipx, "uv", 1) }
            return (poetry, "uv", 0)
        default:
            if isPip(n) { return (pip, "pip", 0) }
            if n.hasPrefix("python") || n == "py", let m = c.argv.firstIndex(of: "-m"), m + 1 < c.argv.count {
                let mod = c.argv[m + 1]
                if isPip(mod) { return (pip, "pip", m + 1) }
                if mod == "pipx" { return (pipx, "pipx", m + 1) }
            }
            return nil
        }
    }

    /// `pip`, `pip3`, `pip3.12`.
    static func isPip(_ n: String) -> Bool {
        guard n.hasPrefix("pip") else { return false }
        return n.dropFirst(3).allSatisfy { $0.isNumber || $0 == "." }
    }

    /// Classifies a command as a package-manager action, or nil.
    public static func action(_ c: Command) -> PackageAction? {
        guard let (spec, tool, start) = spec(c) else { return nil }
        return parse(c.argv, from: start, spec: spec, tool: tool)
    }

    static func parse(_ argv: [String], from start: Int, spec: ManagerSpec, tool: String) -> PackageAction? {
        var options: [PackageOption] = []
        var operands: [(String, Int)] = []
        var passthrough: [(String, Int)] = []
        var endOfOptions = false
        var i = start + 1
        while i < argv.count {
            let a = argv[i]
            if !endOfOptions, a == "--" {
                if spec.dashDashEndsPackages {
                    passthrough = Array(argv.enumerated().dropFirst(i + 1).map { ($0.element, $0.offset) })
                    break
                }
                endOfOptions = true
                i += 1
                continue
            }
            if !endOfOptions, a.hasPrefix("-"), a.count > 1 {
                if a.hasPrefix("--") || spec.singleDashLong {
                    if let eq = a.firstIndex(of: "=") {
                        options.append(PackageOption(name: String(a[..<eq]), value: String(a[a.index(after: eq)...]), index: i))
                    } else if spec.valueOptions.contains(a) {
                        options.append(PackageOption(name: a, value: i + 1 < argv.count ? argv[i + 1] : nil, index: i))
                        i += 2
                        continue
                    } else {
                        options.append(PackageOption(name: a, value: nil, index: i))
                    }
                    i += 1
                    continue
                }
                // A cluster of short options; one that takes a value ends it.
                let letters = Array(a.dropFirst())
                var consumedNext = false
                for (k, ch) in letters.enumerated() {
                    guard ch.isLetter || ch.isNumber else { break }
                    let o = "-" + String(ch)
                    if spec.valueOptions.contains(o) {
                        let rest = String(letters[(k + 1)...])
                        if !rest.isEmpty {
                            options.append(PackageOption(name: o, value: rest.hasPrefix("=") ? String(rest.dropFirst()) : rest, index: i))
                        } else {
                            options.append(PackageOption(name: o, value: i + 1 < argv.count ? argv[i + 1] : nil, index: i))
                            consumedNext = true
                        }
                        break
                    }
                    options.append(PackageOption(name: o, value: nil, index: i))
                }
                i += consumedNext ? 2 : 1
                continue
            }
            operands.append((a, i))
            i += 1
        }
        guard let (first, fi) = operands.first else {
            if let bare = spec.bare, !options.contains(where: { ["--version", "-v", "-V", "--help", "-h"].contains($0.name) }) {
                return PackageAction(family: spec.family, tool: tool, kind: bare.1, subcommand: bare.0,
                                     subcommandIndex: start, packages: [], options: options)
            }
            return nil
        }
        var rest = Array(operands.dropFirst())
        var sub = spec.subcommands[first] ?? ("", .other)
        if sub.0.isEmpty {
            sub = (first, .other)
            if spec.family == .yarn {
                // `yarn build` runs a script.
                return PackageAction(family: spec.family, tool: tool, kind: .other, subcommand: first, subcommandIndex: fi,
                                     packages: rest, options: options)
            }
        }
        var subIndex = fi
        if let second = spec.twoWord[first], let (w, wi) = rest.first, let t = second[w] {
            sub = t
            subIndex = wi
            rest.removeFirst()
        }
        // `go run PKG args...`: only the first operand is a package.
        if spec.family == .go, sub.0 == "run", rest.count > 1 { rest = [rest[0]] }
        return PackageAction(family: spec.family, tool: tool, kind: sub.1, subcommand: sub.0, subcommandIndex: subIndex,
                             packages: rest, options: options, passthrough: passthrough)
    }

    // MARK: package operands

    /// A package operand that names a file, URL, directory or variable rather than a registry package.
    static func isLocalOrDynamic(_ p: String, family: PackageFamily) -> Bool {
        if p.contains("$") || p.contains("*") || p.contains("://") || p.hasPrefix("/") || p.hasPrefix("./")
            || p.hasPrefix("../") || p.hasPrefix("~/") || p == "." || p == ".." || p.hasPrefix("`") {
            return true
        }
        switch family {
        case .apt: return p.hasSuffix(".deb")
        case .apk: return p.hasSuffix(".apk")
        case .rpm, .zypper: return p.hasSuffix(".rpm") || p.hasPrefix("@")  // @group
        case .pip:
            return p.hasSuffix(".whl") || p.hasSuffix(".tar.gz") || p.hasSuffix(".zip") || p.hasSuffix(".tgz")
                || p.hasPrefix("git+") || p.hasPrefix("file:") || p.hasPrefix("-")
        case .npm, .yarn, .pnpm:
            if p.hasPrefix("git+") || p.hasPrefix("git:") || p.hasPrefix("github:") || p.hasPrefix("gitlab:")
                || p.hasPrefix("bitbucket:") || p.hasPrefix("file:") || p.hasPrefix("link:") || p.hasPrefix("workspace:")
                || p.hasSuffix(".tgz") || p.hasSuffix(".tar.gz") || p.hasSuffix(".tar") {
                return true
            }
            // `user/repo` is a GitHub shorthand; `@scope/name` is a registry package.
            return !p.hasPrefix("@") && p.contains("/")
        case .gem: return p.hasSuffix(".gem")
        case .go:
            // A module path has a dot in its first element; other paths are packages of the current module.
            let first = p.split(separator: "/", maxSplits: 1).first.map(String.init) ?? p
            let name = first.split(separator: "@", maxSplits: 1).first.map(String.init) ?? first
            return !name.contains(".") || ["all", "std", "cmd"].contains(name)
        case .cargo, .bundler: return false
        case .composer: return !p.contains("/")  // `composer require php:^8` names a platform package
        }
    }

    /// Whether an install operand names a version, in the manager's own syntax.
    static func isPinned(_ p: String, family: PackageFamily, tool: String = "") -> Bool {
        switch family {
        case .apt: return p.contains("=")
        case .apk: return p.contains("=") || p.contains("~") || p.contains(">") || p.contains("<")
        case .rpm, .zypper:
            // name-version[-release][.arch]: a dash followed by a digit, or an explicit comparison.
            if p.contains("=") || p.contains(">") || p.contains("<") { return true }
            var prev: Character = " "
            for ch in p {
                if prev == "-", ch.isNumber { return true }
                prev = ch
            }
            return false
        case .pip:
            if ["==", ">=", "<=", ">", "<", "~=", "==="].contains(where: p.contains) { return true }
            if tool == "poetry" || tool == "uv" { return p.dropFirst().contains("@") }
            return p.contains("@") && p.contains("://")
        case .npm, .yarn, .pnpm:
            let body = p.hasPrefix("@") ? String(p.drop { $0 != "/" }) : p
            guard let at = body.lastIndex(of: "@") else { return false }
            let version = body[body.index(after: at)...]
            return !version.isEmpty && !["latest", "next", "*", "x"].contains(String(version))
        case .gem: return p.contains(":")
        case .go:
            guard let at = p.lastIndex(of: "@") else { return false }
            let v = p[p.index(after: at)...]
            return !v.isEmpty && !["latest", "upgrade", "patch", "master", "main", "HEAD"].contains(String(v))
        case .cargo: return p.contains("@")
        case .composer: return p.contains(":") || p.contains("=")
        case .bundler: return true
        }
    }

    /// Package operands of an install that name a registry package without a version; an option
    /// giving the version for every operand (`gem -v`, `cargo --version`) pins them all.
    static func unpinned(_ a: PackageAction, expand: (String) -> String? = { _ in nil },
                         quoted: (Int) -> Bool = { _ in false }) -> [(String, Int)] {
        guard a.kind == .install else { return [] }
        switch a.family {
        case .gem where a.option("-v", "--version") != nil: return []
        case .cargo where a.option("--version", "--vers") != nil || a.option("--git", "--path") != nil: return []
        case .bundler: return []
        case .npm where a.subcommand == "ci": return []
        case .pip where a.tool == "poetry" && a.subcommand != "add": return []
        case .rpm where a.subcommand.hasPrefix("group") || a.subcommand.hasPrefix("module") || a.subcommand == "builddep": return []
        case .apt where a.subcommand == "build-dep" || a.subcommand == "satisfy": return []
        default: break
        }
        var out: [(String, Int)] = []
        var k = 0
        let pkgs = a.packages
        while k < pkgs.count {
            let (p, i) = pkgs[k]
            k += 1
            // `$buildDeps` set earlier in the RUN: the packages it holds.
            if p.contains("$"), let e = expand(p) {
                let pieces = quoted(i) ? [e] : e.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
                for piece in pieces
                where !piece.isEmpty && !piece.contains(LintContext.unknown) && !isLocalOrDynamic(piece, family: a.family) && !isPinned(piece, family: a.family, tool: a.tool) && !piece.hasPrefix("-") {
                    out.append((piece, i))
                }
                continue
            }
            if p.isEmpty || isLocalOrDynamic(p, family: a.family) || isPinned(p, family: a.family, tool: a.tool) { continue }
            // `composer require vendor/pkg ^1.0`: the version is the next operand.
            if a.family == .composer, k < pkgs.count, let f = pkgs[k].0.first, "0123456789^~*<>=v".contains(f) || pkgs[k].0.hasPrefix("dev-") {
                k += 1
                continue
            }
            out.append((p, i))
        }
        return out
    }
}
