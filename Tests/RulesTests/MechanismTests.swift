import Testing
@testable import DockerfileSyntax
@testable import Rules

/// The shared foundations rules stand on, each tested as a mechanism with the rules that use it:
/// stage inheritance, RUN's environment, wrappers, data words, ADD/ONBUILD classification and
/// BuildKit's variable semantics.
@Suite struct MechanismTests {
    static func lint(_ text: String, _ rules: [String]) -> [String] {
        Linter().lint(Dockerfile.parse(text), path: "Dockerfile").filter { rules.contains($0.ruleID) }
            .map { "\($0.range.start.line):\($0.range.start.column) \($0.ruleID)" }
    }

    /// `FROM base AS foo` ... `FROM foo`: ENV, ARG values, SHELL, USER, WORKDIR and what the
    /// layers left (indexes, caches, config) carry over; caches are reported where the final image
    /// gets them.
    static let stageInheritanceCases: [(String, [String], [String])] = [
        // ENV and ARG values of the base stage are defined in the child.
        ("FROM alpine:3.19 AS base\nARG V=1\nENV D=/srv\nFROM base\nCOPY app-$V $D/\n", ["DF206"], [String]()),
        // ... but not in an unrelated stage.
        ("FROM alpine:3.19 AS base\nARG V=1\nFROM alpine:3.19\nCOPY app-$V /srv/\n", ["DF206"], ["4:10 DF206"]),
        // SHELL with pipefail, set in the base stage.
        ("FROM debian:12 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN curl -fsSL x | tar x\n", ["DF217"], []),
        // The index update of the base stage is stale in the child.
        ("FROM debian:12 AS base\nRUN apt-get update\nFROM base\nRUN apt-get install -y --no-install-recommends curl\n",
         ["DF151"], ["4:13 DF151"]),
        // The base stage's lists ship with the final image: reported at the base's RUN...
        ("FROM debian:12 AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nFROM base\nRUN echo\n",
         ["DF122"], ["2:13 DF122"]),
        // ... but not when the final image does not build on it.
        ("FROM debian:12 AS base\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nFROM debian:12\nRUN echo\n",
         ["DF122"], []),
        // An apt configuration written in the base stage.
        ("FROM debian:12 AS base\nRUN echo 'APT::Install-Recommends \"false\";' | tee /etc/apt/apt.conf.d/99norec\nFROM base\nRUN apt-get install -y curl\n",
         ["DF121"], []),
        // USER of the base stage decides the home directory (pip's cache under it).
        ("FROM python:3.12 AS base\nUSER app\nFROM base\nRUN --mount=type=cache,target=/home/app/.cache/pip pip install flask==3.0.0\n",
         ["DF122"], []),
        // wget in the base stage, curl in the child: both tools are in the image.
        ("FROM debian:12 AS base\nRUN wget -q https://e.x/a\nFROM base\nRUN curl -fsSLO https://e.x/b\n", ["DF215"], ["4:5 DF215"]),
    ]

    @Test(arguments: stageInheritanceCases)
    func stageInheritance(_ text: String, _ rules: [String], _ expected: [String]) {
        #expect(Self.lint(text, rules) == expected)
    }

    /// `VAR=value cmd`, `export VAR=value`, `env VAR=value cmd` set the environment of what follows;
    /// words of echo/printf are data.
    static let runEnvironmentCases: [(String, [String], [String])] = [
        ("FROM node:20\nRUN NODE_TLS_REJECT_UNAUTHORIZED=0 node install.js\n", ["DF191"], ["2:5 DF191"]),
        ("FROM node:20\nRUN export NPM_CONFIG_STRICT_SSL=false; npm ci\n", ["DF191"], ["2:12 DF191"]),
        ("FROM alpine:3.19\nRUN env GIT_SSL_NO_VERIFY= git clone https://e.x/r.git\n", ["DF191"], ["2:9 DF191"]),
        ("FROM python:3.12\nRUN PYTHONHTTPSVERIFY=0 python fetch.py && PIP_TRUSTED_HOST=e.x pip install --no-cache-dir a==1\n",
         ["DF191"], ["2:5 DF191", "2:44 DF191"]),
        ("FROM python:3.12\nRUN NODE_TLS_REJECT_UNAUTHORIZED=1 node x.js && PYTHONHTTPSVERIFY=1 python y.py\n", ["DF191"], []),
        // pip reads any boolean in PIP_NO_CACHE_DIR as "no cache", `0` included.
        ("FROM python:3.12\nRUN PIP_NO_CACHE_DIR=0 pip install flask==3.0.0\n", ["DF122"], []),
        ("FROM python:3.12\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask==3.0.0\n", ["DF122"], []),
        ("FROM python:3.12\nRUN pip install flask==3.0.0 && export PIP_NO_CACHE_DIR=1\n", ["DF122"], ["2:9 DF122"]),
        ("FROM python:3.12\nARG PIP_NO_CACHE_DIR=yes\nRUN pip install flask==3.0.0\n", ["DF122"], []),
        // Data, not commands or options.
        ("FROM debian:12\nRUN echo \"apt-get install curl\" && printf '%s' '--no-install-recommends'\n", ["DF121", "DF123", "DF210"], []),
        ("FROM debian:12\nRUN echo 'rm -rf /var/lib/apt/lists/*' && apt-get update && apt-get install -y --no-install-recommends curl=1\n",
         ["DF122"], ["2:51 DF122"]),
        // Wrappers: the command they run is what counts.
        ("FROM debian:12\nRUN sudo -E apt-get install curl\n", ["DF103", "DF121", "DF123", "DF210"],
         ["2:5 DF103", "2:21 DF121", "2:21 DF210", "2:29 DF123"]),
        ("FROM debian:12\nRUN xargs -r apt-get install -y --no-install-recommends < /pkgs.txt\n", ["DF123"], []),
        // Variables set earlier in the RUN name the packages.
        ("FROM debian:12\nRUN deps='gcc make' && apt-get install -y --no-install-recommends $deps && apt-get purge -y $deps\n",
         ["DF120", "DF123"], ["2:67 DF123", "2:67 DF123"]),
        ("FROM debian:12\nRUN deps=\"gcc jdk-${V%%.*} $(cat /extra)\" && apt-get install -y --no-install-recommends $deps\n",
         ["DF123"], ["2:89 DF123"]),
        ("FROM node:20\nARG V=v1.2\nRUN npm install -g doctoc@${V#v} $EXTRA\n", ["DF123"], []),
        ("FROM debian:12\nRUN deps='curl'; deps=\"$deps git=1:2.39\"; apt-get install -y --no-install-recommends $deps\n",
         ["DF123"], ["2:86 DF123"]),
    ]

    @Test(arguments: runEnvironmentCases)
    func runEnvironment(_ text: String, _ rules: [String], _ expected: [String]) {
        #expect(Self.lint(text, rules) == expected)
    }

    /// ADD sources are classified once quotes and JSON are removed; `ADD <<EOF` is a COPY; ONBUILD
    /// triggers are linted as the instructions they become, with the finding on the trigger.
    static let addAndOnbuildCases: [(String, [String], [String])] = [
        ("FROM alpine:3.19\nADD \"file.tgz\" /x/\nADD [\"a.tar.gz\", \"/x/\"]\nADD 'https://e.x/t.tgz' /y/\n", ["DF170"], [String]()),
        ("FROM alpine:3.19\nADD \"file.txt\" /x/\n", ["DF170"], ["2:5 DF170"]),
        ("FROM alpine:3.19\nADD <<EOF /etc/motd\nhi\nEOF\n", ["DF170"], ["2:1 DF170"]),
        ("FROM alpine:3.19\nONBUILD ADD . /src\nONBUILD ADD http://e.x/a.tgz /a/\n", ["DF170", "DF192", "DF193"],
         ["2:13 DF170", "3:13 DF192", "3:13 DF193"]),
        ("FROM alpine:3.19\nONBUILD RUN apk add curl\n", ["DF122", "DF123"], ["2:17 DF122", "2:21 DF123"]),
        ("FROM alpine:3.19\nONBUILD RUN --mount=type=cache,target=/var/cache/apk apk add curl=8.5.0-r0\n", ["DF122", "DF123"], []),
    ]

    @Test(arguments: addAndOnbuildCases)
    func addAndOnbuild(_ text: String, _ rules: [String], _ expected: [String]) {
        #expect(Self.lint(text, rules) == expected)
    }

    /// BuildKit's UndefinedArgInFrom and UndefinedVar: an ARG declares a variable with or without
    /// a value; a global ARG must be declared again in the stage.
    static let variablesCases: [(String, [String])] = [
        ("ARG DEBUG\nFROM scratch${DEBUG}\n", [String]()),
        ("FROM alpine:3.19\nCOPY $foo .\n", ["2:6 DF206"]),
        ("FROM alpine:3.19\nARG foo\nCOPY $foo .\n", []),
        ("ARG V=1\nFROM alpine:3.19\nCOPY app-$V /\n", ["3:10 DF206"]),
        ("ARG V=1\nFROM alpine:3.19\nARG V\nCOPY app-$V /\n", []),
        ("FROM alpine:3.19\nCOPY $TARGETARCH/app /\n", ["2:6 DF206"]),
        ("FROM scratch\nCOPY $JAVA_HOME/x /\n", ["2:6 DF206"]),
        ("FROM eclipse-temurin:21\nCOPY x $JAVA_HOME/\n", []),
    ]

    @Test(arguments: variablesCases)
    func variables(_ text: String, _ expected: [String]) {
        #expect(Self.lint(text, ["DF206"]) == expected)
    }

    /// The RUN environment is exposed for other rules (the secret rules read it).
    @Test func runAssignmentsAreExposed() {
        let ctx = LintContext(Dockerfile.parse("FROM a:1\nRUN A=1 cmd && export B=\"two words\" && C=3; env D=4 run\n"))
        let got = ctx.runAssignments.map { "\($0.name)=\($0.value) \($0.kind)" }
        #expect(got == ["A=1 prefix", "B=two words export", "C=3 bare", "D=4 envCommand"])
        let run = ctx.commands.first { $0.name == "run" }!
        #expect(ctx.environment(for: run)["B"] == "two words")
        #expect(ctx.environment(for: run)["D"] == "4")
        #expect(ctx.environment(for: run)["A"] == nil)
        #expect(run.wrappers.map(\.name) == ["env"])
    }
}
