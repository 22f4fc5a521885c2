// UndefinedVariable: a Dockerfile correctness check (documentation, examples and check together).
// BuildKit's UndefinedArgInFrom and UndefinedVar semantics: a variable is defined when an ENV
// or an ARG (with or without a value) declares it in scope, the stage's ancestors' included.
import DockerfileSyntax

extension CorrectnessRules {
    static let predefinedArgs: Set<String> = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
                                              "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "BUILDKIT_SYNTAX",
                                              "BUILDKIT_CONTEXT_KEEP_GIT_DIR", "BUILDKIT_INLINE_CACHE", "BUILDKIT_MULTI_PLATFORM",
                                              "SOURCE_DATE_EPOCH", "BUILDKIT_SANDBOX_HOSTNAME", "BUILDKIT_DOCKERFILE_CHECK",
                                              "BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"]

    /// Variables a base image commonly sets (BuildKit knows them from the image config; a
    /// Dockerfile alone does not): `PATH` always, the rest from official images' ENV.
    static let commonImageEnv: Set<String> = [
        "PATH", "HOME", "HOSTNAME", "LANG", "LC_ALL", "LANGUAGE", "TZ", "TERM", "USER", "SHELL", "PWD", "container",
        "JAVA_HOME", "JAVA_VERSION", "JDK_VERSION", "JRE_HOME", "MAVEN_HOME", "MAVEN_CONFIG", "GRADLE_HOME", "GRADLE_VERSION",
        "GOPATH", "GOROOT", "GOLANG_VERSION", "GOTOOLCHAIN", "GOOS", "GOARCH", "CGO_ENABLED", "GOBIN", "GOCACHE", "GOMODCACHE",
        "NODE_VERSION", "YARN_VERSION", "NODE_ENV", "NPM_CONFIG_LOGLEVEL", "NODE_PATH",
        "PYTHON_VERSION", "PYTHON_PIP_VERSION", "PYTHON_SETUPTOOLS_VERSION", "PYTHON_SHA256", "PYTHON_GET_PIP_URL", "GPG_KEY",
        "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV", "CONDA_DIR", "CONDA_PREFIX",
        "RUBY_VERSION", "RUBY_MAJOR", "RUBY_DOWNLOAD_SHA256", "GEM_HOME", "BUNDLE_PATH", "BUNDLE_SILENCE_ROOT_WARNING",
        "BUNDLE_APP_CONFIG", "BUNDLE_BIN",
        "PHP_VERSION", "PHP_INI_DIR", "PHP_CFLAGS", "PHP_CPPFLAGS", "PHP_LDFLAGS", "PHPIZE_DEPS", "PHP_URL", "PHP_ASC_URL",
        "PHP_SHA256", "GPG_KEYS", "APACHE_CONFDIR", "APACHE_ENVVARS", "COMPOSER_HOME", "COMPOSER_ALLOW_SUPERUSER",
        "RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION", "DOTNET_VERSION", "ASPNET_VERSION", "DOTNET_ROOT",
        "DOTNET_RUNNING_IN_CONTAINER", "NUGET_XMLDOC_MODE", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
        "NGINX_VERSION", "NJS_VERSION", "NJS_RELEASE", "PKG_RELEASE", "HTTPD_PREFIX", "HTTPD_VERSION",
        "CATALINA_HOME", "TOMCAT_VERSION", "TOMCAT_MAJOR", "PGDATA", "PG_MAJOR", "PG_VERSION", "MYSQL_MAJOR", "MYSQL_VERSION",
        "MARIADB_VERSION", "MONGO_VERSION", "REDIS_VERSION", "ERLANG_VERSION", "ELIXIR_VERSION", "SWIFT_VERSION",
        "NB_USER", "NB_UID", "NB_GID", "DEBIAN_FRONTEND", "APP_HOME", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "CUDA_VERSION", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
    ]

    static let undefinedVariable = Rule(RuleDescriptor(
        id: "DF206", name: "undefined-variable", title: "Variable used before it is defined",
        defaultSeverity: .warning,
        rationale: "An undefined variable expands to nothing: `FROM ${BASE}` with no global `ARG BASE` builds from an empty name, `COPY $SRC .` copies the whole context, and a global ARG is not visible in a stage until the stage declares it again (`ARG NAME`). As BuildKit's UndefinedArgInFrom and UndefinedVar checks, an ENV or an ARG declares a variable with or without a value, in the stage or a stage it is built on. BuildKit also knows the base image's ENV, which a Dockerfile alone does not: names that base images commonly set are not reported for stages built on an image.",
        fix: "Declare the ARG (before FROM for FROM lines, again inside the stage for other instructions), or fix the name.",
        triggering: ["FROM alpine:↓${VERSION}\nARG VERSION=3.19\n",
                     "FROM alpine:3.19\nARG APP_HOME=/srv/app\nWORKDIR ↓$APP_HOEM\n",
                     "FROM alpine:3.19\nCOPY ↓$foo .\n",
                     "ARG VERSION=1.2\nFROM alpine:3.19\nADD https://example.com/tool-↓${VERSION}.tgz /tmp/\n",
                     "FROM scratch\nWORKDIR ↓$HOME/app\n"],
        nonTriggering: ["ARG VERSION=3.19\nFROM alpine:${VERSION}\nARG VERSION\nENV PATH=/opt/bin:$PATH\nWORKDIR ${HOME}/x\n",
                        "FROM --platform=$BUILDPLATFORM alpine:3.19\nARG TARGETARCH\nRUN echo $TARGETARCH\n",
                        "ARG DEBUG\nFROM scratch${DEBUG}\n",
                        "FROM alpine:3.19 AS base\nARG DIR=/srv\nENV APP=app\nFROM base\nCOPY $APP $DIR/\n",
                        "FROM alpine:3.19\nARG SRC\nCOPY $SRC /dst/\n",
                        "FROM eclipse-temurin:21\nCOPY app.jar $JAVA_HOME/lib/\n"],
        aliases: ["UndefinedVar", "UndefinedArgInFrom"]
    )) { ctx in
        var hits: [Hit] = []
        let df = ctx.dockerfile
        // All names ever defined (ARG or ENV), with the instruction where they are first defined.
        var definedAt: [String: Int] = [:]
        for ins in df.instructions {
            switch ins.value {
            case .arg(let ds): for d in ds where definedAt[d.name.text] == nil { definedAt[d.name.text] = ins.index }
            case .env(let kv): for p in kv where definedAt[p.key.text] == nil { definedAt[p.key.text] = ins.index }
            default: break
            }
        }
        // Stages whose whole environment is in the file (built on scratch through their ancestors).
        var scratchRooted = Set<Int>()
        for st in df.stages where ctx.facts(ofStage: st.index).rootIsScratch { scratchRooted.insert(st.index) }

        func unmatched(_ w: Word, _ i: Int) -> Set<String> {
            let scope = i < df.scopes.count ? df.scopes[i] : VariableScope()
            let lx = WordLexer(escapeToken: df.escapeToken)
            guard let names = try? lx.process(w.raw, lookup: { scope.lookup($0) }).unmatched else { return [] }
            // Declared without a value is declared (BuildKit removes every declared ARG).
            return names.filter { scope.args[$0] == nil && scope.env[$0] == nil }
        }
        func report(_ name: String, _ w: Word, _ ins: Instruction, from: Bool) {
            let i = ins.index
            if predefinedArgs.contains(name) || (from && automaticArgs.contains(name)) { return }
            if name.first.map({ $0.isNumber }) == true || name.count == 1 && "@*#?-$!0".contains(name) { return }
            let span = varSpan(name, in: w)
            if from {
                var msg = "FROM uses \(name), which is not a global ARG (declare ARG \(name) before the first FROM)"
                if let d = definedAt[name], d > i { msg = "FROM uses \(name) before ARG \(name) on line \(df.instructions[d].startLine) declares it" }
                hits.append(Hit(span, msg, alias: "UndefinedArgInFrom"))
                return
            }
            let near = definedAt.keys.filter { levenshtein($0, name) <= 2 && $0 != name }.sorted().first
            let suggestion = name.count > 3 ? near.map { " (did you mean \($0)?)" } ?? "" : ""
            if name == "PATH" { return }
            if let d = definedAt[name], d != i {
                let line = df.instructions[d].startLine
                if d > i {
                    hits.append(Hit(span, "\(name) is used before it is defined on line \(line)", alias: "UndefinedVar"))
                } else if df.instructions[d].stageIndex == nil {
                    hits.append(Hit(span, "\(name) is a global ARG (line \(line)), not visible in this stage until it declares `ARG \(name)`",
                                    alias: "UndefinedVar"))
                } else {
                    hits.append(Hit(span, "\(name) is defined on line \(line), in a stage this one is not built on", alias: "UndefinedVar"))
                }
                return
            }
            guard let s = ins.stageIndex else { return }
            // A stage built on an image may get the name from the image's ENV.
            let known = scratchRooted.contains(s) || ctx.settings.imageMode
            if known || !suggestion.isEmpty || !(commonImageEnv.contains(name) || looksLikeImageEnv(name)) {
                hits.append(Hit(span, "usage of undefined variable $\(name)\(suggestion)", alias: "UndefinedVar"))
            }
        }
        for ins in df.instructions {
            var words: [Word] = []
            var isFrom = false
            switch ins.value {
            case .from(let f):
                isFrom = true
                if let w = f.image { words.append(w) }
                if let p = f.platform { words.append(Word(raw: Array((p.value ?? "").utf8), span: p.valueSpan)) }
            case .env(let kv), .label(let kv): words = kv.map(\.value)
            case .arg(let ds): words = ds.compactMap(\.defaultValue)
            case .workdir(let w?), .stopSignal(let w?): words = [w]
            case .user(let u?): words = [u.word]
            case .volume(let ws): words = ws
            case .expose(let ps): words = ps.map(\.word)
            case .copy(let c): words = c.sources + (c.destination.map { [$0] } ?? [])
            default: break
            }
            for w in words where w.raw.contains(UInt8(ascii: "$")) {
                for name in unmatched(w, ins.index).sorted() { report(name, w, ins, from: isFrom) }
            }
        }
        return hits
    }

    /// Names shaped like the ENV of a base image (`FOO_VERSION`, `FOO_HOME`, `FOO_SHA256`):
    /// BuildKit would find them in the image config.
    static func looksLikeImageEnv(_ name: String) -> Bool {
        ["_VERSION", "_HOME", "_SHA256", "_SHA512", "_DIR", "_ROOT", "_PATH", "_URL", "_MAJOR", "_PREFIX"].contains { name.hasSuffix($0) }
    }

    static let automaticArgs: Set<String> = ["BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM",
                                             "TARGETOS", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE"]

    /// The span of `$name` / `${name...}` inside a word (the word's span when not found).
    static func varSpan(_ name: String, in w: Word) -> Span {
        let raw = w.raw
        let n = Array(name.utf8)
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "$") {
                var j = i + 1
                if j < raw.count, raw[j] == UInt8(ascii: "{") { j += 1 }
                if j + n.count <= raw.count, raw[j..<j + n.count].elementsEqual(n) {
                    var end = j + n.count
                    if raw[i + 1] == UInt8(ascii: "{") {
                        var depth = 1
                        while end < raw.count, depth > 0 {
                            if raw[end] == UInt8(ascii: "{") { depth += 1 }
                            if raw[end] == UInt8(ascii: "}") { depth -= 1 }
                            end += 1
                        }
                    }
                    return w.sourceSpan(i..<end)
                }
            }
            i += 1
        }
        return w.span
    }
}
