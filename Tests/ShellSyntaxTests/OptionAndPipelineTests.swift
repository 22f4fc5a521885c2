import Testing
@testable import ShellSyntax

struct HasOptionCase: Sendable, CustomTestStringConvertible {
    let command: String
    let names: [String]
    let expected: Bool
    var testDescription: String { "\(command) has \(names): \(expected)" }
    init(_ command: String, _ names: [String], _ expected: Bool) {
        self.command = command
        self.names = names
        self.expected = expected
    }
}

struct OptionValueCase: Sendable, CustomTestStringConvertible {
    let command: String
    let name: String
    /// value and `script[range]` of the option value, nil when absent.
    let value: String?
    let text: String?
    var testDescription: String { "\(command) \(name)" }
    init(_ command: String, _ name: String, _ value: String?, _ text: String?) {
        self.command = command
        self.name = name
        self.value = value
        self.text = text
    }
}

@Suite struct OptionTests {
    static let hasOption: [HasOptionCase] = [
        HasOptionCase("curl -fsSL https://x", ["-s"], true),
        HasOptionCase("curl -fsSL https://x", ["L"], true),
        HasOptionCase("curl -fsSL https://x", ["-o", "--output"], false),
        HasOptionCase("curl --silent --show-error https://x", ["-s", "--silent"], true),
        HasOptionCase("curl --silent https://x", ["silent"], true),
        HasOptionCase("curl --silent-x https://x", ["--silent"], false),
        HasOptionCase("apt-get install -y curl", ["-y", "--yes", "--assume-yes"], true),
        HasOptionCase("apt-get install curl --yes", ["-y", "--yes"], true),
        HasOptionCase("apt-get -qq install curl", ["-q"], true),
        HasOptionCase("apt-get install curl", ["-y"], false),
        HasOptionCase("apt-get install --no-install-recommends=true x", ["--no-install-recommends"], true),
        HasOptionCase("pip install --no-cache-dir x", ["--no-cache-dir"], true),
        HasOptionCase("apk add --no-cache x", ["--no-cache"], true),
        HasOptionCase("wget -qO- https://x", ["-O"], true),
        HasOptionCase("wget -qO- https://x", ["-q"], true),
        HasOptionCase("curl -o/tmp/x https://x", ["-t"], false),
        HasOptionCase("bash -s -- --yes", ["-s"], true),
        HasOptionCase("bash -s -- --yes", ["--yes"], false),
        HasOptionCase("find . -name x -delete", ["-delete"], true),
        HasOptionCase("find . -name x", ["-delete"], false),
        HasOptionCase("useradd -l -m app", ["-l", "--no-log-init"], true),
        HasOptionCase("rm file-s", ["-s"], false),
        HasOptionCase("echo -", ["-"], false),
        HasOptionCase("ls -1", ["-1"], true),
    ]

    @Test(arguments: hasOption) func has(_ c: HasOptionCase) {
        let p = Parsed(c.command)
        #expect(p.commands[0].hasOption(c.names) == c.expected)
    }

    @Test func variadicForm() {
        let c = Parsed("curl -fsSL x").commands[0]
        #expect(c.hasOption("-s", "--silent"))
        #expect(!c.hasOption("-k", "--insecure"))
        #expect(c.basename == "curl")
        #expect(Parsed("/usr/local/bin/pip3 install x").commands[0].basename == "pip3")
        #expect(Parsed("A=1").commands[0].basename == nil)
        #expect(c.arguments.map(\.value) == ["-fsSL", "x"])
    }

    static let values: [OptionValueCase] = [
        OptionValueCase("curl -o /tmp/x https://y", "-o", "/tmp/x", "/tmp/x"),
        OptionValueCase("curl -fsSLo /tmp/x https://y", "o", "/tmp/x", "/tmp/x"),
        OptionValueCase("curl -o/tmp/x https://y", "-o", "/tmp/x", "/tmp/x"),
        OptionValueCase("wget -qO- https://x", "-O", "-", "-"),
        OptionValueCase("wget -O - https://x", "O", "-", "-"),
        OptionValueCase("curl --output /tmp/x y", "--output", "/tmp/x", "/tmp/x"),
        OptionValueCase("curl --output=/tmp/x y", "--output", "/tmp/x", "/tmp/x"),
        OptionValueCase("curl --output='/tmp/a b' y", "output", "/tmp/a b", "'/tmp/a b'"),
        OptionValueCase("curl '--output=/tmp/x' y", "--output", "/tmp/x", "'--output=/tmp/x'"),
        OptionValueCase("useradd -u 1000 -g 1000 app", "-g", "1000", "1000"),
        OptionValueCase("useradd -u 1 -u 2 app", "-u", "2", "2"),
        OptionValueCase("find . -name '*.pyc' -delete", "-name", "*.pyc", "'*.pyc'"),
        OptionValueCase("java -jar=app.jar", "-jar", "app.jar", "app.jar"),
        OptionValueCase("curl -o", "-o", nil, nil),
        OptionValueCase("curl https://x", "-o", nil, nil),
        OptionValueCase("tar -- -o x", "-o", nil, nil),
    ]

    @Test(arguments: values) func value(_ c: OptionValueCase) {
        let p = Parsed(c.command)
        let w = p.commands[0].option(c.name)
        #expect(w?.value == c.value)
        #expect(w.map { p.text($0.range) } == c.text)
    }

    @Test func allValues() {
        let c = Parsed("docker run -e A=1 --env B=2 -e C=3 img").commands[0]
        #expect(c.optionValues("-e").map(\.value) == ["A=1", "C=3"])
        #expect(c.optionValues("--env").map(\.value) == ["B=2"])
    }
}

@Suite struct PipelineTests {
    @Test func curlPipeToShell() {
        let p = Parsed("curl -fsSL https://x/install.sh | bash -s -- --yes")
        #expect(p.argvs == [["curl", "-fsSL", "https://x/install.sh"], ["bash", "-s", "--", "--yes"]])
        #expect(p.commands.map(\.positionInPipeline) == [0, 1])
        #expect(p.commands.map(\.pipelineLength) == [2, 2])
        #expect(p.commands.map(\.pipeline) == [0, 0])
        let bash = p.commands[1]
        #expect(p.script.upstream(of: bash).map(\.name) == ["curl"])
        #expect(p.script.feeder(of: bash).map(\.name) == ["curl"])
        #expect(p.script.upstream(of: p.commands[0]).isEmpty)
        #expect(p.script.pipelines.count == 1)
        #expect(p.script.pipelines[0].operators == ["|"])
        #expect(p.text(p.script.pipelines[0].range) == p.text(0..<p.bytes.count))
        #expect(p.script.pipelines[0].stages.map { $0.command } == [0, 1])
    }

    @Test func wgetPipeToSh() {
        let p = Parsed("wget -qO- https://x | sh")
        let sh = p.command("sh")!
        #expect(sh.positionInPipeline == 1)
        #expect(p.script.upstream(of: sh).first?.option("-O")?.value == "-")
    }

    @Test func longPipelines() {
        let p = Parsed("set -o pipefail; curl -s x | tee f |& gunzip | sh && echo ok")
        #expect(p.commands.map(\.pipeline) == [0, 1, 1, 1, 1, 2])
        #expect(p.commands.map(\.positionInPipeline) == [0, 0, 1, 2, 3, 0])
        #expect(p.commands.map(\.pipelineLength) == [1, 4, 4, 4, 4, 1])
        let sh = p.command("sh")!
        #expect(p.script.upstream(of: sh).map(\.name) == ["curl", "tee", "gunzip"])
        #expect(p.script.feeder(of: sh).map(\.name) == ["gunzip"])
        #expect(p.script.pipelines[1].operators == ["|", "|&", "|"])
        #expect(p.commands[5].connectorBefore == .and)
    }

    @Test func compoundStages() {
        let p = Parsed("curl -s x | (cd /tmp && sh) | { read a; echo $a; }")
        let sh = p.command("sh")!
        #expect(sh.positionInPipeline == 0 && sh.pipelineLength == 1)
        #expect(p.script.upstream(of: sh).map(\.name) == ["curl"])
        #expect(p.script.feeder(of: p.command("cd")!).map(\.name) == ["curl"])
        #expect(p.script.feeder(of: p.command("read")!).map(\.name) == ["cd", "sh"])
        let outer = p.script.pipelines[0]
        #expect(outer.stages.count == 3)
        #expect(outer.stages.map { $0.command != nil } == [true, false, false])
        #expect(outer.stages[1].commands.map { p.commands[$0].name } == ["cd", "sh"])
        #expect(p.text(outer.stages[1].range) == "(cd /tmp && sh)")
        #expect(invariantViolation(p.bytes, p.script) == nil)
    }

    @Test func substitutionIsNotFedByThePipe() {
        let p = Parsed("echo x | grep $(cat f)")
        #expect(p.script.upstream(of: p.command("cat")!).isEmpty)
        #expect(p.script.upstream(of: p.command("grep")!).map(\.name) == ["echo"])
        // Stage commands include the substitution's commands.
        #expect(p.script.pipelines[0].stages[1].commands.map { p.commands[$0].name } == ["grep", "cat"])
    }

    @Test func nestedPipelineIndices() {
        let p = Parsed("echo $(a | b) | c; d")
        #expect(p.argvs == [["echo", "$(a | b)"], ["a"], ["b"], ["c"], ["d"]])
        #expect(p.commands.map(\.pipeline) == [0, 1, 1, 0, 2])
        #expect(p.commands.map(\.positionInPipeline) == [0, 0, 1, 1, 0])
        #expect(p.commands.map(\.pipelineLength) == [2, 2, 2, 2, 1])
        #expect(p.script.pipelines.map(\.depth) == [0, 1, 0])
        #expect(p.script.pipelines.map { p.text($0.range) } == ["echo $(a | b) | c", "a | b", "d"])
        #expect(p.script.pipeline(of: p.commands[2])?.index == 1)
        // What feeds `c` includes what runs inside the first stage: `echo $(curl x) | sh`.
        #expect(p.script.upstream(of: p.commands[3]).map(\.name) == ["echo", "a", "b"])
        #expect(p.script.upstream(of: p.commands[2]).map(\.name) == ["a"])
    }

    @Test func whileReadLoop() {
        let p = Parsed("find . -name x | while read f; do rm \"$f\"; done")
        #expect(p.script.upstream(of: p.command("read")!).map(\.name) == ["find"])
        #expect(p.script.upstream(of: p.command("rm")!).map(\.name) == ["find"])
    }
}
