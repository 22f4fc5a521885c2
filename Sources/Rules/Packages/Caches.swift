// Which package-manager caches a RUN leaves in its layer: indexes, downloaded
// archives and download caches that the same RUN neither removes (a clean or
// rm after the command, not before it) nor keeps out of the layer with a
// `--mount=type=cache` or `type=tmpfs` on the directory, nor avoids with the
// manager's own switch or environment (`apk --no-cache`, `PIP_NO_CACHE_DIR`).
import DockerfileSyntax

/// A cache one command leaves in its RUN's layer.
public struct CacheLeft: Sendable {
    public var family: PackageFamily
    /// The manager, as run (`yum`, `dnf`, `pip`...).
    public var tool: String
    /// Index of the command in `LintContext.commands`.
    public var command: Int
    /// The subcommand word (`update`, `install`).
    public var span: Span
    /// The directory it fills.
    public var directory: String
    public var message: String
    /// The peer rules this sub-case is (`DL3009` for apt lists, `DL3032`/`DS-0015` for yum...).
    public var aliases: [String]
}

enum PackageCaches {
    /// Whether a RUN-environment value is one pip reads as a boolean: pip disables its cache for
    /// any of them, `false` included (pip's `_handle_no_cache_dir`).
    static func isPipBool(_ v: String) -> Bool {
        ["1", "0", "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f"].contains(v.lowercased())
    }

    static func aliases(_ tool: String, _ family: PackageFamily) -> [String] {
        switch family {
        case .apt: return ["DL3009"]
        case .apk: return ["DL3019", "DS-0025"]
        case .rpm:
            switch tool {
            case "yum": return ["DL3032", "DS-0015"]
            case "microdnf": return ["DL3040", "DS-0027"]
            case "tdnf": return []
            default: return ["DL3040", "DS-0019"]
            }
        case .zypper: return ["DL3036", "DS-0020"]
        case .pip: return tool == "pip" ? ["DL3042"] : []
        case .yarn: return ["DL3060"]
        default: return []
        }
    }

    /// `~/x`, `$HOME/x`, `${HOME}/x` as root's; trailing `/`, `/*`, `/.` removed.
    static func normalize(_ p: String, home: String) -> String {
        var s = p
        for prefix in ["~/", "$HOME/", "${HOME}/"] where s.hasPrefix(prefix) { s = home + "/" + s.dropFirst(prefix.count) }
        if s == "~" || s == "$HOME" || s == "${HOME}" { s = home }
        while s.hasSuffix("/*") || s.hasSuffix("/.") { s.removeLast(2) }
        while s.count > 1, s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// An rm operand with the RUN's variables substituted: fully when they are known, else the
    /// leading `$NAME` by its value as assigned (`rm -rf "$COMPOSER_HOME"` after
    /// `export COMPOSER_HOME="$(mktemp -d)"`).
    static func resolve(_ p: String, _ c: Command, _ ctx: LintContext) -> String {
        if let e = ctx.shellExpand(p, for: c) { return e }
        guard p.hasPrefix("$") else { return p }
        var name = p.dropFirst()
        var rest: Substring = ""
        if name.hasPrefix("{"), let close = name.firstIndex(of: "}") {
            rest = name[name.index(after: close)...]
            name = name[name.index(after: name.startIndex)..<close]
        } else {
            let end = name.firstIndex { !($0 == "_" || $0.isLetter || $0.isNumber) } ?? name.endIndex
            rest = name[end...]
            name = name[..<end]
        }
        guard let v = ctx.shellValue(String(name), for: c) else { return p }
        return v + rest
    }

    /// Whether removing (or mounting) `target` takes `dir` out of the layer: `target` is `dir` or
    /// one of its parents.
    static func covers(_ target: String, _ dir: String) -> Bool {
        target == dir || dir.hasPrefix(target == "/" ? "/" : target + "/")
    }

    /// The caches the commands of one RUN (or ONBUILD RUN) leave.
    static func left(inRun instruction: Int, _ ctx: LintContext) -> [CacheLeft] {
        let cmdIdx = ctx.commandsByInstruction[instruction] ?? []
        guard !cmdIdx.isEmpty else { return [] }
        var run: RunInstruction?
        switch ctx.instructions[instruction].value {
        case .run(let r): run = r
        case .onbuild(let inner?): if case .run(let r) = inner.value { run = r }
        default: break
        }
        let home = ctx.home(at: instruction)
        let mounts = (run?.mounts ?? []).filter { $0.type == "cache" || $0.type == "tmpfs" }
            .compactMap { $0.value("target") ?? $0.value("dst") ?? $0.value("destination") }
            .map { normalize($0, home: home) }
        func mounted(_ dir: String) -> Bool { mounts.contains { covers($0, dir) } }
        // rm commands, with the paths they remove.
        let removals: [(Int, [String])] = cmdIdx.compactMap { k in
            let c = ctx.commands[k]
            guard c.name == "rm" else { return nil }
            return (k, c.operands(after: 0).map { normalize(resolve($0.0, c, ctx), home: home) })
        }
        func removed(_ dir: String, after k: Int) -> Bool {
            removals.contains { $0.0 > k && $0.1.contains { covers($0, dir) || ($0.hasPrefix(dir + "/") && $0.hasSuffix("*")) } }
        }
        func gone(_ dirs: [String], after k: Int) -> Bool { dirs.contains { mounted($0) || removed($0, after: k) } }
        let actions: [(Int, PackageAction)] = cmdIdx.compactMap { k in ctx.action(of: k).map { (k, $0) } }
        func cleaned(after k: Int, _ test: (PackageAction) -> Bool) -> Bool {
            actions.contains { $0.0 > k && test($0.1) }
        }

        var out: [CacheLeft] = []
        for (k, a) in actions {
            let c = ctx.commands[k]
            let span = c.span(ofWord: a.subcommandIndex)
            func add(_ dir: String, _ msg: String) {
                // A cache somewhere only the running shell knows (`$(mktemp -d)`, `$PWD/...`): it
                // cannot be told apart from what the RUN removes, so it is not reported.
                if dir.contains("$") { return }
                out.append(CacheLeft(family: a.family, tool: a.tool, command: k, span: span, directory: dir, message: msg,
                                     aliases: aliases(a.tool, a.family)))
            }
            switch a.family {
            case .apt:
                guard a.kind == .update else { continue }
                let dir = "/var/lib/apt/lists"
                let distclean = cleaned(after: k) { $0.family == .apt && $0.subcommand == "distclean" }
                if !distclean && !gone([dir], after: k) {
                    add(dir, "`\(a.tool) update` leaves the package lists in this layer: remove /var/lib/apt/lists/* later in the same RUN")
                }
            case .apk:
                // `--no-network` reads only what is already there: nothing is downloaded.
                guard a.kind == .install || a.kind == .update || a.kind == .upgrade, !a.has("--no-cache", "--no-network") else { continue }
                if !gone(["/var/cache/apk", "/etc/apk/cache"], after: k) {
                    add("/var/cache/apk", "`apk \(a.subcommand)` without --no-cache leaves the package index in /var/cache/apk")
                }
            case .rpm:
                guard a.kind == .install || a.kind == .upgrade || a.kind == .distUpgrade else { continue }
                let dirs = ["/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"]
                let clean = cleaned(after: k) { $0.family == .rpm && $0.kind == .clean && $0.packages.contains { $0.0 == "all" } }
                if !clean && !gone(dirs, after: k) {
                    add(a.tool == "yum" ? "/var/cache/yum" : "/var/cache/dnf",
                        "`\(a.tool) \(a.subcommand)` leaves its metadata and package cache in this layer: run `\(a.tool) clean all` after it in the same RUN")
                }
            case .zypper:
                guard a.kind == .install || a.kind == .upgrade || a.kind == .distUpgrade else { continue }
                let clean = cleaned(after: k) { $0.family == .zypper && $0.kind == .clean }
                if !clean && !gone(["/var/cache/zypp"], after: k) {
                    add("/var/cache/zypp", "`zypper \(a.subcommand)` leaves its cache in this layer: run `zypper clean --all` after it in the same RUN")
                }
            case .pip:
                guard a.kind == .install, a.tool == "pip" else { continue }
                if a.has("--no-cache-dir") { continue }
                let env = ctx.environment(for: c)
                if let v = env["PIP_NO_CACHE_DIR"], isPipBool(v) { continue }
                var dirs = [home + "/.cache/pip"]
                if let d = a.option("--cache-dir")?.value ?? env["PIP_CACHE_DIR"] { dirs = [normalize(d, home: home)] }
                let purge = cleaned(after: k) { $0.family == .pip && $0.kind == .clean }
                if !purge && !gone(dirs, after: k) {
                    add(dirs[0], "pip keeps its download cache (\(dirs[0])) in this layer: use `pip install --no-cache-dir`")
                }
            case .npm:
                guard a.kind == .install else { continue }
                let env = ctx.environment(for: c)
                let dir = normalize(a.option("--cache")?.value ?? env["npm_config_cache"] ?? env["NPM_CONFIG_CACHE"] ?? (home + "/.npm"), home: home)
                let clean = cleaned(after: k) { $0.family == .npm && $0.kind == .clean }
                if !clean && !gone([dir], after: k) {
                    add(dir, "`npm \(a.subcommand)` leaves its cache (\(dir)) in this layer: run `npm cache clean --force` after it")
                }
            case .yarn:
                guard a.kind == .install else { continue }
                let env = ctx.environment(for: c)
                var dirs = ["/usr/local/share/.cache/yarn", home + "/.cache/yarn", home + "/.yarn/berry/cache"]
                if let d = a.option("--cache-folder")?.value ?? env["YARN_CACHE_FOLDER"] { dirs = [normalize(d, home: home)] }
                let clean = cleaned(after: k) { $0.family == .yarn && $0.kind == .clean }
                if !clean && !gone(dirs, after: k) {
                    add(dirs[0], "`yarn \(a.subcommand)` leaves the yarn cache in this layer: run `yarn cache clean` after it")
                }
            case .go:
                guard a.kind == .install || a.subcommand == "build" || a.subcommand == "mod download" else { continue }
                let env = ctx.environment(for: c)
                let gopath = normalize(env["GOPATH"] ?? (home + "/go"), home: home)
                let mod = normalize(env["GOMODCACHE"] ?? (gopath + "/pkg/mod"), home: home)
                let build = normalize(env["GOCACHE"] ?? (home + "/.cache/go-build"), home: home)
                let cleanedGo = actions.contains { $0.0 > k && $0.1.family == .go && $0.1.subcommand == "clean"
                    && ($0.1.has("-modcache") || $0.1.has("-cache")) }
                if !cleanedGo && !gone([mod], after: k) && !gone([build], after: k) {
                    add(mod, "`go \(a.subcommand)` leaves the module and build caches (\(mod), \(build)) in this layer: build in a separate stage, or use cache mounts")
                }
            case .cargo:
                guard a.kind == .install || a.subcommand == "build" || a.subcommand == "fetch" else { continue }
                let env = ctx.environment(for: c)
                let cargoHome = normalize(env["CARGO_HOME"] ?? (home + "/.cargo"), home: home)
                let dir = cargoHome + "/registry"
                if !gone([dir], after: k) {
                    add(dir, "`cargo \(a.subcommand)` leaves the crate registry cache (\(dir)) in this layer: remove it in the same RUN, or use a cache mount")
                }
            case .composer:
                guard a.kind == .install || a.kind == .upgrade || a.subcommand == "install", !a.has("--no-cache") else { continue }
                let env = ctx.environment(for: c)
                let dir = normalize(env["COMPOSER_CACHE_DIR"] ?? ((env["COMPOSER_HOME"] ?? (home + "/.composer")) + "/cache"), home: home)
                if dir == "/dev/null" { continue }
                let clean = cleaned(after: k) { $0.family == .composer && $0.kind == .clean }
                if !clean && !gone([dir, home + "/.cache/composer"], after: k) {
                    add(dir, "`composer \(a.subcommand)` leaves its cache (\(dir)) in this layer: run `composer clear-cache` after it")
                }
            default:
                continue
            }
        }
        return out
    }
}
