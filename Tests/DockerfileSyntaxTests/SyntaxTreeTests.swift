import Foundation
import Testing
@testable import DockerfileSyntax

@Suite struct SyntaxTreeTests {
    // MARK: positions

    @Test func wordInsideContinuedRunPointsAtItsOwnLine() throws {
        let df = Dockerfile.parse("FROM alpine\nRUN apk add \\\n    curl \\\n  # comment\n    git\n")
        guard case .run(let run) = df.instructions[1].value, case .shell(let w) = run.command else {
            Issue.record("not a shell RUN"); return
        }
        #expect(w.text == "apk add     curl     git")
        let k = try #require(w.text.range(of: "git")).lowerBound.utf16Offset(in: w.text)
        let r = df.range(w.sourceSpan(k..<k + 3))
        #expect(r == SourceRange(start: Position(line: 5, column: 5), end: Position(line: 5, column: 8)))
        let c = try #require(w.text.range(of: "curl")).lowerBound.utf16Offset(in: w.text)
        #expect(df.range(w.sourceSpan(c..<c + 4)).start == Position(line: 3, column: 5))
    }

    @Test func columnsCountUnicodeScalars() {
        let df = Dockerfile.parse("FROM alpine\nLABEL café=\"x\" b=y\n")
        guard case .label(let kv) = df.instructions[1].value else { Issue.record("no label"); return }
        #expect(df.range(kv[1].key.span).start == Position(line: 2, column: 16))
        #expect(df.range(kv[0].value.span) == SourceRange(start: Position(line: 2, column: 12), end: Position(line: 2, column: 15)))
    }

    @Test func heredocSpans() throws {
        let df = Dockerfile.parse("FROM alpine\nRUN <<EOF bash\nset -e\necho hi\nEOF\nRUN true\n")
        let h = try #require(df.instructions[1].heredocs.first)
        #expect(h.name == "EOF")
        #expect(h.content == Array("set -e\necho hi\n".utf8))
        #expect(df.range(h.markerSpan) == SourceRange(start: Position(line: 2, column: 5), end: Position(line: 2, column: 10)))
        #expect(df.range(h.bodySpan).start == Position(line: 3, column: 1))
        #expect(df.range(try #require(h.terminatorSpan)).start == Position(line: 5, column: 1))
        #expect(h.bodyStartLine == 3)
        #expect(df.instructions[1].endLine == 5)
        #expect(df.instructions[2].startLine == 6)
    }

    @Test func chompedHeredocContent() throws {
        let df = Dockerfile.parse("FROM a\nRUN <<-EOT\n\techo a\n\t\techo b\n  c\n\tEOT\n")
        let h = try #require(df.instructions[1].heredocs.first)
        #expect(h.content == Array("\techo a\n\t\techo b\n  c\n".utf8))
        #expect(h.effectiveContent == Array("echo a\necho b\n  c\n".utf8))
    }

    @Test func flagSpans() throws {
        let df = Dockerfile.parse("FROM a\nCOPY --chown=1000:1000 --link src /dst\n")
        let ins = df.instructions[1]
        let chown = try #require(ins.flag("chown"))
        #expect(chown.value == "1000:1000")
        #expect(df.text(chown.span) == "--chown=1000:1000")
        #expect(df.text(chown.valueSpan) == "1000:1000")
        guard case .copy(let c) = ins.value else { Issue.record("not COPY"); return }
        #expect(c.link)
        #expect(c.sources.map(\.text) == ["src"])
        #expect(c.destination?.text == "/dst")
    }

    // MARK: typed values

    @Test(arguments: [
        ("alpine", nil, "alpine", nil, nil, "docker.io/library/alpine:latest"),
        ("alpine:3.19", nil, "alpine", "3.19", nil, "docker.io/library/alpine:3.19"),
        ("ghcr.io/org/app:1.2", "ghcr.io", "org/app", "1.2", nil, "ghcr.io/org/app:1.2"),
        ("localhost:5000/app", "localhost:5000", "app", nil, nil, "localhost:5000/app:latest"),
        ("user/app@sha256:abc", nil, "user/app", nil, "sha256:abc", "docker.io/user/app@sha256:abc"),
        ("reg.io:443/a/b:t@sha256:d", "reg.io:443", "a/b", "t", "sha256:d", "reg.io:443/a/b:t@sha256:d"),
        ("localhost/app", "localhost", "app", nil, nil, "localhost/app:latest"),
    ] as [(String, String?, String, String?, String?, String)])
    func imageReferences(_ raw: String, _ reg: String?, _ repo: String, _ tag: String?, _ digest: String?, _ norm: String) {
        let r = ImageReference(parsing: raw)
        #expect(r.registry == reg)
        #expect(r.repository == repo)
        #expect(r.tag == tag)
        #expect(r.digest == digest)
        #expect(r.normalized == norm)
    }

    @Test(arguments: [
        ("USER app", "app", nil),
        ("USER 0:0", "0", "0"),
        ("USER root:wheel", "root", "wheel"),
        ("user 1000", "1000", nil),
    ] as [(String, String, String?)])
    func users(_ line: String, _ user: String, _ group: String?) {
        let df = Dockerfile.parse("FROM a\n\(line)\n")
        guard case .user(let u?) = df.instructions[1].value else { Issue.record("no USER"); return }
        #expect(u.user == user)
        #expect(u.group == group)
    }

    @Test func healthchecks() {
        let df = Dockerfile.parse("FROM a\nHEALTHCHECK NONE\nHEALTHCHECK --retries=3 CMD curl -f http://x/\nHEALTHCHECK CMD [\"true\"]\n")
        guard case .healthcheck(.none) = df.instructions[1].value else { Issue.record("NONE"); return }
        guard case .healthcheck(.cmd(.shell(let s)?, let opts)) = df.instructions[2].value else { Issue.record("CMD shell"); return }
        #expect(s.text == "curl -f http://x/")
        #expect(opts.map(\.name) == ["retries"])
        guard case .healthcheck(.cmd(.exec(let e)?, _)) = df.instructions[3].value else { Issue.record("CMD exec"); return }
        #expect(e.map(\.text) == ["true"])
    }

    @Test func exposeAndEnvAndArg() {
        let df = Dockerfile.parse("FROM a\nEXPOSE 80 443/udp 8000-8010\nENV A=1 B=\"two words\"\nENV C legacy value\nARG X Y=2\n")
        guard case .expose(let ports) = df.instructions[1].value else { Issue.record("EXPOSE"); return }
        #expect(ports.map(\.lower) == [80, 443, 8000])
        #expect(ports.map(\.upper) == [80, 443, 8010])
        #expect(ports.map(\.proto) == ["tcp", "udp", "tcp"])
        guard case .env(let e1) = df.instructions[2].value, case .env(let e2) = df.instructions[3].value else { Issue.record("ENV"); return }
        #expect(e1.map { [$0.key.text, $0.value.text] } == [["A", "1"], ["B", "\"two words\""]])
        #expect(e2.map { [$0.key.text, $0.value.text] } == [["C", "legacy value"]])
        guard case .arg(let args) = df.instructions[4].value else { Issue.record("ARG"); return }
        #expect(args.map(\.name.text) == ["X", "Y"])
        #expect(args.map { $0.defaultValue?.text } == [nil, "2"])
    }

    @Test func mountsParse() {
        let df = Dockerfile.parse("FROM a\nRUN --mount=type=secret,id=npm,target=/root/.npmrc --mount=type=cache,target=/c,sharing=locked npm ci\n")
        guard case .run(let r) = df.instructions[1].value else { Issue.record("RUN"); return }
        #expect(r.mounts.map(\.type) == ["secret", "cache"])
        #expect(r.mounts[0].value("id") == "npm")
        #expect(r.mounts[1].value("sharing") == "locked")
    }

    @Test func onbuildWrapsTypedInstruction() {
        let df = Dockerfile.parse("FROM a\nONBUILD COPY . /app\n")
        guard case .onbuild(let inner?) = df.instructions[1].value, case .copy(let c) = inner.value else {
            Issue.record("ONBUILD COPY"); return
        }
        #expect(c.destination?.text == "/app")
    }

    // MARK: stages and variables

    @Test func stagesAndBases() {
        let df = Dockerfile.parse("""
        ARG BASE=alpine:3.19
        FROM ${BASE} AS Builder
        FROM builder AS second
        FROM scratch
        """)
        #expect(df.stages.count == 3)
        #expect(df.stages[0].name == "builder")
        #expect(df.stages[0].base == .image(ImageReference(parsing: "alpine:3.19")))
        #expect(df.stages[1].base == .stage(0))
        #expect(df.stages[2].base == .scratch)
        #expect(df.globalInstructionIndices == [0])
    }

    @Test func argAndEnvScoping() throws {
        let df = Dockerfile.parse("""
        ARG VERSION=1.0
        ARG USERNAME=root
        FROM alpine
        ARG VERSION
        ENV A=$VERSION B=$A
        ENV C=${A:-x}-${USERNAME:-none}
        USER $C
        """)
        let user = df.instructions[6]
        guard case .user(let u?) = user.value else { Issue.record("USER"); return }
        #expect(try df.expand(u.word, at: user.index).get() == "1.0-none")
        let env = df.scopes[6].env
        #expect(env["A"] == Array("1.0".utf8))
        #expect(env["B"] == [])   // B sees A from before the instruction: unset
    }

    @Test func buildArgsOverrideDefaults() throws {
        let df = Dockerfile.parse("ARG TAG=1\nFROM alpine:${TAG}\nARG TAG\nUSER u$TAG\n", buildArgs: ["TAG": "9"])
        guard case .image(let ref) = df.stages[0].base else { Issue.record("base"); return }
        #expect(ref.tag == "9")
        guard case .user(let u?) = df.instructions[3].value else { Issue.record("USER"); return }
        #expect(try df.expand(u.word, at: 3).get() == "u9")
    }

    @Test func envIsInheritedFromBaseStage() throws {
        let df = Dockerfile.parse("FROM a AS one\nENV U=nobody\nFROM one\nUSER $U\n")
        guard case .user(let u?) = df.instructions[3].value else { Issue.record("USER"); return }
        #expect(try df.expand(u.word, at: 3).get() == "nobody")
    }

    // MARK: diagnostics and recovery

    @Test(arguments: [
        ("FROM a\nFROOM b\n", ["DF020"]),
        ("FROM a\nCOPY --FROM=x a b\n", ["DF021"]),
        ("FROM a\nCOPY --chmod 755 a b\n", ["DF023"]),
        ("FROM a\nCOPY --link=maybe a b\n", ["DF024"]),
        ("FROM a\nCOPY --from=x --from=y a b\n", ["DF022"]),
        ("FROM a b\n", ["DF027"]),
        ("FROM a AS 1st\n", ["DF028"]),
        ("FROM a AS x\nFROM b AS x\n", ["DF029"]),
        ("FROM a\nSHELL /bin/bash -c\n", ["DF030"]),
        ("FROM a\nONBUILD ONBUILD RUN x\n", ["DF031"]),
        ("FROM a\nONBUILD FROM b\n", ["DF032"]),
        ("FROM a\nHEALTHCHECK CONNECT x\n", ["DF033"]),
        ("FROM a\nHEALTHCHECK CMD\n", ["DF025"]),
        ("FROM a\nCOPY a <<EOF\nx\nEOF\n", ["DF034"]),
        ("FROM a\nARG S=x\nCOPY --from=$S a b\n", ["DF035"]),
        ("FROM a AS x\nCOPY --from=x a b\n", ["DF037"]),
        ("RUN x\nFROM a\n", ["DF039"]),
        ("FROM a\nRUN a \\\n\n  b\n", ["DF050"]),
        ("FROM a\nUSER\n", ["DF025"]),
        ("FROM a\nRUN --network=bridge x\n", ["DF024"]),
        ("FROM a\nENV PATH\n", ["DF008"]),
        ("FROM a\nENV A=1 B\n", ["DF009"]),
        ("FROM a\nCMD [\"a\", 1]\n", ["DF007"]),
        ("FROM a\nRUN <<EOF\nx\n", ["DF005"]),
        ("# escape=x\nFROM a\n", ["DF004"]),
        ("# syntax=a\n# syntax=b\nFROM a\n", ["DF003"]),
        ("# just a comment\n", ["DF001"]),
        ("FROM a\nRUN true\n", []),
    ])
    func diagnostics(_ text: String, _ ids: [String]) {
        let df = Dockerfile.parse(text)
        #expect(df.diagnostics.map(\.id) == ids, "\(df.diagnostics.map(\.message))")
    }

    @Test func parsingGoesOnAfterAnError() {
        let df = Dockerfile.parse("FROM a\nCMD [\"a\", 1]\nENV PATH\nUSER app\nRUN <<EOF\nunterminated\n")
        #expect(df.instructions.map(\.keyword) == ["FROM", "CMD", "ENV", "USER", "RUN"])
        #expect(df.diagnostics.map(\.id) == ["DF007", "DF008", "DF005"])
        // BuildKit stops at the first one.
        #expect(df.raw.buildKitError?.id == "DF007")
    }

    @Test func lineTooLongIsReportedNotCrashed() {
        var bytes = Array("FROM a\nRUN ".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 70_000)
        let r = parseRaw(bytes: bytes)
        #expect(r.buildKitError?.buildKitMessage == "dockerfile line greater than max allowed size of 65535")
        #expect(r.nodes.count == 1)
    }
}
