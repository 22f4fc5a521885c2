// The dflint command line: argument parsing (by hand), file discovery,
// configuration, linting and output. Everything that touches the world is
// here or in FileIO; the libraries it calls are pure.
import Configuration
import DockerfileSyntax
import ImageSources
import Reporting
import Rules
#if canImport(Glibc)
import Glibc
#endif

let dflintVersion = "0.1.0"

struct UsageError: Error {
    var message: String
}

/// Where the CLI writes and what it knows about its surroundings; `main`
/// fills it from the process, tests fill it by hand.
struct Console {
    var out = ""
    var err = ""
    var stdoutIsTerminal = false
    var environment: [String: String] = [:]
    /// Directory config discovery starts from for standard input.
    var workingDirectory = "."
    /// Standard input, when a test supplies it (otherwise it is read from fd 0).
    var stdin: [UInt8]?

    mutating func write(_ s: String) { out += s }
    mutating func writeErr(_ s: String) { err += s }
    func env(_ k: String) -> String? { environment[k] }
}

struct LintJob: Sendable {
    var path: String
    var bytes: [UInt8]
    var options: LintOptions
}

enum CLI {
    static let usage = """
    usage: dflint [OPTIONS] PATH...      lint Dockerfiles (files, directories, or - for stdin)
           dflint rules [--format text|json]
           dflint explain RULE            RULE is an id (DF101), a name (missing-user) or a hadolint id
           dflint --from-image REF [OPTIONS]   lint an image (no daemon needed)
           dflint reconstruct REF         print the Dockerfile rebuilt from an image's history and config
           dflint packages REF [--format text|json|cyclonedx]   the packages an image's layers install
           dflint config --print [PATH]   the effective configuration for PATH (default: .)
           dflint parse FILE...           BuildKit's parse of each file, as JSON lines
           dflint ast FILE...             the typed syntax tree with line:column ranges

    options:
      -f, --format FORMAT          tty, gnu, json, sarif, checkstyle, github, gitlab
                                   (default: tty on a terminal, gnu otherwise)
      -c, --config FILE            use FILE instead of the nearest .dflint.yaml
          --ignore RULE[,RULE]     do not report these rules (repeatable)
          --severity RULE=LEVEL    change a rule's severity: error, warning, info, style, off
          --trusted-registry REG   allow base images only from REG (repeatable; enables DF110)
          --failure-threshold T    exit 1 for findings at or above T: error, warning (default), info, style, none
          --cis                    only findings of CIS Docker Benchmark section 4 items
          --scored-only            only findings of Scored CIS items (4.1, 4.5, 4.6)
          --build-arg NAME=VALUE   value of a build argument (as docker build --build-arg)
          --stdin-filename NAME    name to report for - (standard input)
          --no-pragmas             ignore inline suppression comments
          --no-color               no ANSI colours (also when NO_COLOR is set)

    image options (REF is TRANSPORT:WHERE, a JSON file, or a bare name):
          --from-image REF         docker-archive:PATH[:NAME], oci:DIR[:REF], oci-archive:PATH[:REF],
                                   docker-root:NAME, containers-storage:NAME, containerd:NAME,
                                   docker-daemon:NAME, docker://NAME, a JSON file (config, inspect, history), or NAME
          --root DIR               data root of a store transport
          --namespace NS           containerd namespace (default: default; k8s.io for CRI)
          --platform OS/ARCH[/V]   platform to pick from a multi-platform index (default linux/amd64)
          --host unix:///PATH      Engine API socket (default: DOCKER_HOST, then /var/run/docker.sock)
          --username USER          docker://REGISTRY/REPO[:TAG|@DIGEST]: user for the registry
          --password-stdin         read that user's password from standard input
          --tls-verify=false       docker://: allow plain HTTP and skip certificate checks (loopback may always use HTTP)
          --cert-dir DIR           docker://: trust the CAs in DIR/*.crt too (also read: /etc/docker/certs.d/HOST:PORT,
                                   /etc/containers/certs.d/HOST:PORT, ~/.config/containers/certs.d/HOST:PORT)
          --verbose                docker://: tell each request, and bytes and time per registry, on standard error
          --skip-base              do not report findings in the base image's instructions
          --no-layers              do not read layer contents (read by default from every source that has them,
                                   docker:// included); the output says the layer rules did not run (DF401)
          --fail-on-host-findings  let host-level findings (DF131, the linting host's DOCKER_CONTENT_TRUST) decide
                                   the exit status too; by default only findings about the image do
          --color                  colours even when not on a terminal
      -h, --help, --version

    exit status: 0 no finding at or above the threshold, 1 findings at or above it, 2 usage, config or I/O error
                 (images: host-level findings and DF401 do not count, unless --fail-on-host-findings for the former)
    """

    static func run(_ args: [String], _ console: inout Console) -> Int32 {
        guard let first = args.first else {
            console.writeErr(usage + "\n")
            return 2
        }
        do {
            switch first {
            case "-h", "--help", "help":
                console.write(usage + "\n")
                return 0
            case "--version", "-V":
                console.write("dflint \(dflintVersion)\n")
                return 0
            case "parse": return parseCommand(Array(args.dropFirst()), &console)
            case "ast": return astCommand(Array(args.dropFirst()), &console)
            case "rules": return try rulesCommand(Array(args.dropFirst()), &console)
            case "explain": return try explainCommand(Array(args.dropFirst()), &console)
            case "config": return try configCommand(Array(args.dropFirst()), &console)
            case "reconstruct": return try ImageCommands.reconstructCommand(Array(args.dropFirst()), &console)
            case "packages": return try LayerCommands.packagesCommand(Array(args.dropFirst()), &console)
            default: return try lintCommand(args, &console)
            }
        } catch let e as UsageError {
            console.writeErr("dflint: \(e.message)\n")
            return 2
        } catch let e as ImageSourceError {
            console.writeErr("dflint: \(e.description)\n")
            return 2
        } catch let e as ConfigError {
            console.writeErr("dflint: \(e.description)\n")
            return 2
        } catch {
            console.writeErr("dflint: \(error)\n")
            return 2
        }
    }

    // MARK: options

    struct Options {
        var format: OutputFormat?
        var configPath: String?
        var cli = LintConfig()
        var buildArgs: [String: String] = [:]
        var stdinFilename = "-"
        var pragmas = true
        var color: Bool?
        var paths: [String] = []
        var imageRefs: [String] = []
        var root: String?
        var namespace: String?
        var platform: String?
        var host: String?
        var skipBase = false
        /// Read layer contents (every source that has them, docker:// included); `--no-layers` turns it off.
        var layers = true
        /// `--fail-on-host-findings`: host-level image findings (DF131) decide the exit status too.
        var failOnHostFindings = false
        var certDir: String?
        var verbose = false
        /// docker:// settings (credentials, TLS, log), made from the options above.
        var registry = RegistrySettings()
        var username: String?
        var passwordStdin = false
        var tlsVerify = true
    }

    static func parseOptions(_ args: [String], _ console: Console) throws -> Options {
        var o = Options()
        var i = 0
        func value(_ name: String) throws -> String {
            // `--opt=value` or `--opt value`.
            if let eq = args[i].firstIndex(of: "="), args[i].hasPrefix("--") {
                return String(args[i][args[i].index(after: eq)...])
            }
            i += 1
            guard i < args.count else { throw UsageError(message: "\(name) needs a value") }
            return args[i]
        }
        var endOfOptions = false
        while i < args.count {
            let a = args[i]
            let name = a.hasPrefix("--") ? String(a.split(separator: "=", maxSplits: 1)[0]) : a
            if endOfOptions || !a.hasPrefix("-") || a == "-" {
                o.paths.append(a)
                i += 1
                continue
            }
            switch name {
            case "--": endOfOptions = true
            case "-f", "--format":
                let v = try value(name)
                guard let f = OutputFormat(rawValue: v) else {
                    throw UsageError(message: "unknown format \(v) (use \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                o.format = f
            case "-c", "--config": o.configPath = try value(name)
            case "--ignore":
                for r in try value(name).split(separator: ",") { o.cli.ignore.append(try knownRule(String(r))) }
            case "--severity":
                let v = try value(name)
                guard let eq = v.firstIndex(of: "=") else { throw UsageError(message: "--severity wants RULE=LEVEL, got \(v)") }
                let rule = try knownRule(String(v[..<eq]))
                let level = String(v[v.index(after: eq)...])
                if level == "off" {
                    o.cli.severity[rule] = .off
                } else if let s = Severity(rawValue: level) {
                    o.cli.severity[rule] = .level(s)
                } else {
                    throw UsageError(message: "unknown severity \(level) (use error, warning, info, style or off)")
                }
            case "--trusted-registry": o.cli.trustedRegistries.append(try value(name))
            case "--failure-threshold", "-t":
                let v = try value(name)
                if v == "none" { o.cli.failureThreshold = FailureThreshold.none }
                else if let s = Severity(rawValue: v) { o.cli.failureThreshold = .level(s) }
                else { throw UsageError(message: "unknown failure threshold \(v) (use error, warning, info, style or none)") }
            case "--cis": o.cli.cisOnly = true
            case "--scored-only": o.cli.scoredOnly = true
            case "--build-arg":
                let v = try value(name)
                let parts = v.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                o.buildArgs[String(parts[0])] = parts.count > 1 ? String(parts[1]) : (console.env(String(parts[0])) ?? "")
            case "--stdin-filename": o.stdinFilename = try value(name)
            case "--no-pragmas": o.pragmas = false
            case "--from-image": o.imageRefs.append(try value(name))
            case "--root": o.root = try value(name)
            case "--namespace": o.namespace = try value(name)
            case "--platform": o.platform = try value(name)
            case "--host", "-H": o.host = try value(name)
            case "--username": o.username = try value(name)
            case "--password-stdin": o.passwordStdin = true
            case "--tls-verify":
                let v = a.contains("=") ? try value(name) : "true"
                guard v == "true" || v == "false" else { throw UsageError(message: "--tls-verify takes true or false") }
                o.tlsVerify = v == "true"
            case "--skip-base": o.skipBase = true
            case "--layers": o.layers = true
            case "--no-layers": o.layers = false
            case "--fail-on-host-findings": o.failOnHostFindings = true
            case "--cert-dir": o.certDir = try value(name)
            case "--verbose", "-v": o.verbose = true
            case "--no-color": o.color = false
            case "--color": o.color = true
            default:
                throw UsageError(message: "unknown option \(a) (see dflint --help)")
            }
            i += 1
        }
        try applyRegistryOptions(&o, console)
        return o
    }

    /// docker:// settings from the options; the password never leaves memory.
    static func applyRegistryOptions(_ o: inout Options, _ console: Console) throws {
        var settings = RegistrySettings(tlsVerify: o.tlsVerify, certDirectory: o.certDir, log: o.verbose ? TransferLog() : nil)
        if o.passwordStdin {
            guard let user = o.username else { throw UsageError(message: "--password-stdin needs --username") }
            guard !o.paths.contains("-") else { throw UsageError(message: "--password-stdin and - (a Dockerfile on stdin) exclude each other") }
            var bytes = console.stdin ?? readStandardInput()
            while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
            settings.credentials = RegistryCredentials(username: user, password: String(decoding: bytes, as: UTF8.self))
        } else if o.username != nil {
            throw UsageError(message: "--username needs --password-stdin")
        }
        o.registry = settings
    }

    static func readStandardInput() -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(0, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    static var knownRuleKeys: Set<String> {
        var s = Set<String>()
        for d in Catalogue.descriptors {
            s.insert(d.id)
            s.insert(d.name)
            for a in d.aliases { s.insert(a) }
        }
        return s
    }

    /// A rule reference from the command line: id, name or alias, resolved to the id.
    static func knownRule(_ r: String) throws -> String {
        guard let d = Catalogue.lookup(r) else {
            let names = Catalogue.descriptors.flatMap { [$0.id, $0.name] }
            let near = names.min { distance($0, r) < distance($1, r) }
            throw UsageError(message: "unknown rule \(r)" + (near.map { distance($0, r) <= 3 ? " (did you mean \($0)?)" : "" } ?? ""))
        }
        return Catalogue.settingKey(r) ?? d.id
    }

    static func distance(_ a: String, _ b: String) -> Int { EditDistance.levenshtein(a.lowercased(), b.lowercased()) }

    // MARK: lint

    static func lintCommand(_ args: [String], _ console: inout Console) throws -> Int32 {
        let o = try parseOptions(args, console)
        defer { ImageCommands.reportTransfers(o, &console) }
        guard !o.paths.isEmpty || !o.imageRefs.isEmpty else { throw UsageError(message: "no Dockerfile given (see dflint --help)") }
        var files: [String] = []
        var status: Int32 = 0
        for p in o.paths {
            if p == "-" { files.append(p); continue }
            switch FileIO.kind(p) {
            case .directory:
                let found = FileIO.discoverDockerfiles(in: p)
                if found.isEmpty { console.writeErr("dflint: \(p): no Dockerfile found\n") }
                files += found
            case .file: files.append(p)
            case .missing:
                console.writeErr("dflint: \(p): no such file or directory\n")
                status = 2
            }
        }
        let known = knownRuleKeys
        var configCache: [String: LintConfig] = [:]
        func config(for file: String) throws -> LintConfig {
            var base = LintConfig()
            if let explicit = o.configPath {
                if let c = configCache[explicit] { base = c } else {
                    base = try ConfigLoader.load(path: explicit, knownRules: known)
                    configCache[explicit] = base
                }
            } else {
                let dir = file == "-" ? console.workingDirectory : FileIO.directory(of: file)
                if let found = ConfigLoader.find(from: dir) {
                    if let c = configCache[found] { base = c } else {
                        base = try ConfigLoader.load(path: found, knownRules: known)
                        configCache[found] = base
                    }
                }
            }
            return base.merged(with: o.cli)
        }

        var findings: [Finding] = []
        var sources: [String: [UInt8]] = [:]
        var threshold: FailureThreshold = .level(.warning)
        var formatName: String?
        // Read files and settle their configuration in order, then lint them in parallel
        // (each file is independent; the linter is pure), then collect in order.
        var jobs: [LintJob] = []
        for f in files {
            let shown = f == "-" ? o.stdinFilename : f
            let bytes: [UInt8]
            switch f == "-" && console.stdin != nil ? .success(console.stdin!) : FileIO.read(f) {
            case .success(let b): bytes = b
            case .failure(let e):
                console.writeErr("dflint: \(f): \(e.message)\n")
                status = 2
                continue
            }
            let cfg = try config(for: f)
            if let t = cfg.failureThreshold { threshold = t }
            if let fmt = cfg.format { formatName = fmt }
            jobs.append(LintJob(path: shown, bytes: bytes, options: lintOptions(cfg, pragmas: o.pragmas)))
        }
        let results = Parallel.map(jobs) { job in
            let df = Dockerfile.parse(SourceFile(path: job.path, bytes: job.bytes), buildArgs: o.buildArgs)
            return Linter(options: job.options).lint(df, path: job.path)
        }
        for (job, found) in zip(jobs, results) {
            findings += found
            // Secrets never reach an output, not even inside a source excerpt.
            sources[job.path] = Finding.redacting(job.bytes, found.compactMap(\.redact))
        }
        for ref in o.imageRefs {
            let cfg = try config(for: console.workingDirectory + "/.")
            if let t = cfg.failureThreshold { threshold = t }
            if let fmt = cfg.format { formatName = fmt }
            let result = try ImageCommands.lint(ref, o, console, options: lintOptions(cfg, pragmas: o.pragmas))
            findings += result.findings
            sources[ref] = Finding.redacting(result.text, result.findings.compactMap(\.redact))
            files.append(ref)
        }
        let isTTY = console.stdoutIsTerminal
        var format = o.format ?? formatName.flatMap(OutputFormat.init(rawValue:)) ?? (isTTY ? .tty : .gnu)
        if o.format == nil, formatName == nil, !isTTY { format = .gnu }
        let color = o.color ?? (isTTY && console.env("NO_COLOR") == nil && format == .tty)
        let input = ReportInput(findings: findings, rules: Catalogue.descriptors, sources: sources,
                                toolVersion: dflintVersion, color: color)
        console.write(Reporter.render(format, input))
        if format == .tty && isTTY {
            console.write(Reporter.summary(input, fileCount: files.count) + "\n")
        }
        if status != 0 { return status }
        switch threshold {
        case .none: return 0
        case .level(let t): return findings.contains { $0.severity >= t && ImageCommands.counts($0, o) } ? 1 : 0
        }
    }

    static func lintOptions(_ cfg: LintConfig, pragmas: Bool) -> LintOptions {
        var opts = LintOptions()
        opts.ignore = Set(cfg.ignore.compactMap { Catalogue.settingKey($0) })
        for (k, v) in cfg.severity {
            guard let id = Catalogue.settingKey(k) else { continue }
            switch v {
            case .off: opts.severity[id] = .some(nil)
            case .level(let s): opts.severity[id] = s
            }
        }
        opts.cisOnly = cfg.cisOnly ?? false
        opts.scoredOnly = cfg.scoredOnly ?? false
        opts.pragmas = pragmas
        opts.rules.trustedRegistries = cfg.trustedRegistries
        opts.rules.secretAllow = cfg.secretAllow
        opts.rules.setuidAllow += cfg.setuidAllow
        return opts
    }

    // MARK: rules / explain / config

    static func rulesCommand(_ args: [String], _ console: inout Console) throws -> Int32 {
        var format = "text"
        var i = 0
        while i < args.count {
            if args[i] == "--format" || args[i] == "-f", i + 1 < args.count { format = args[i + 1]; i += 2; continue }
            if args[i].hasPrefix("--format=") { format = String(args[i].dropFirst(9)); i += 1; continue }
            throw UsageError(message: "rules: unknown argument \(args[i])")
        }
        let all = Catalogue.descriptors
        switch format {
        case "text":
            var out = ""
            for d in all {
                let cis = d.cis.map { "CIS \($0)\(d.scored ? " Scored" : "")" } ?? ""
                out += pad(d.id, 7) + pad(d.name, 28) + pad(d.defaultSeverity.rawValue, 9) + pad(cis, 16) + d.title + "\n"
            }
            console.write(out)
        case "json":
            console.write("[" + all.map(ruleJSON).joined(separator: ",\n ") + "]\n")
        default:
            throw UsageError(message: "rules: unknown format \(format) (use text or json)")
        }
        return 0
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    static func js(_ s: String) -> String { OracleJSON.string(Array(s.utf8)) }

    static func ruleJSON(_ d: RuleDescriptor) -> String {
        "{\"id\": \(js(d.id)), \"name\": \(js(d.name)), \"title\": \(js(d.title)), \"cis\": \(d.cis.map(js) ?? "null"), "
            + "\"scored\": \(d.scored), \"severity\": \(js(d.defaultSeverity.rawValue)), \"rationale\": \(js(d.rationale)), "
            + "\"fix\": \(js(d.fix)), \"aliases\": [\(d.aliases.map(js).joined(separator: ", "))], "
            + "\"triggering\": [\(d.triggering.map(js).joined(separator: ", "))], "
            + "\"non_triggering\": [\(d.nonTriggering.map(js).joined(separator: ", "))]}"
    }

    static func explainCommand(_ args: [String], _ console: inout Console) throws -> Int32 {
        guard args.count == 1 else { throw UsageError(message: "explain wants one rule id or name") }
        let key = try knownRule(args[0])
        guard let d = Catalogue.lookup(key) else { return 2 }
        var out = "\(d.id) \(d.name): \(d.title)\n"
        out += "severity: \(d.defaultSeverity.rawValue)"
        if let cis = d.cis { out += "    CIS Docker Benchmark \(cis) (\(d.scored ? "Scored" : "Not Scored"))" }
        out += "\n"
        if !d.aliases.isEmpty { out += "covers: \(d.aliases.joined(separator: ", "))\n" }
        out += "\n\(d.rationale)\n\nfix: \(d.fix)\n"
        func show(_ title: String, _ examples: [String]) {
            guard !examples.isEmpty else { return }
            out += "\n\(title):\n"
            for e in examples {
                for line in e.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { out += "    \(line)\n" }
                out += "\n"
            }
        }
        show("reported (↓ marks where)", d.triggering)
        show("not reported", d.nonTriggering)
        console.write(out)
        return 0
    }

    static func configCommand(_ args: [String], _ console: inout Console) throws -> Int32 {
        guard args.first == "--print" else { throw UsageError(message: "config: use dflint config --print [PATH]") }
        let o = try parseOptions(Array(args.dropFirst()), console)
        let target = o.paths.first ?? "."
        let dir = FileIO.kind(target) == .directory ? target : FileIO.directory(of: target)
        var base = LintConfig()
        var source = "defaults"
        if let p = o.configPath ?? ConfigLoader.find(from: dir) {
            base = try ConfigLoader.load(path: p, knownRules: knownRuleKeys)
            source = p
        }
        let merged = base.merged(with: o.cli)
        console.write("# effective configuration (from \(source) and the command line)\n" + merged.yaml())
        return 0
    }

    // MARK: parse / ast

    /// `dflint parse`: the conformance contract with BuildKit's parser.
    static func parseCommand(_ paths: [String], _ console: inout Console) -> Int32 {
        if paths.isEmpty {
            console.writeErr("dflint parse: no files\n")
            return 2
        }
        var out = ""
        for path in paths {
            switch FileIO.read(path) {
            case .success(let bytes):
                let result = RawParser.parse(SourceFile(path: path, bytes: bytes))
                out += OracleJSON.line(path: path, result: result) + "\n"
            case .failure(let err):
                out += "{\"file\": \(OracleJSON.string(Array(path.utf8))), \"ok\": false, \"error\": \(OracleJSON.string(Array(err.message.utf8)))}\n"
            }
        }
        console.write(out)
        return 0
    }

    static func astCommand(_ paths: [String], _ console: inout Console) -> Int32 {
        var status: Int32 = 0
        for path in paths {
            switch FileIO.read(path) {
            case .success(let bytes):
                console.write(ASTPrinter.print(Dockerfile.parse(SourceFile(path: path, bytes: bytes))) + "\n")
            case .failure(let err):
                console.writeErr("dflint: \(path): \(err.message)\n")
                status = 2
            }
        }
        return status
    }
}
