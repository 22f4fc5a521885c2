import Testing
@testable import ShellSyntax

/// A script and, for every command in order, its argv and `script[range]`.
struct SplitCase: Sendable, CustomTestStringConvertible {
    let script: String
    let argv: [[String]]
    let texts: [String]
    var testDescription: String { script.debugDescription }
    init(_ script: String, _ argv: [[String]], _ texts: [String]) {
        self.script = script
        self.argv = argv
        self.texts = texts
    }
}

@Suite struct CommandSplittingTests {
    static let basics: [SplitCase] = [
        SplitCase("echo hello world", [["echo", "hello", "world"]], ["echo hello world"]),
        SplitCase("  ls   -la  ", [["ls", "-la"]], ["ls   -la"]),
        SplitCase("", [], []),
        SplitCase("   \n\n ; ", [], []),
        SplitCase("a && b || c; d & e\nf", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]], ["a", "b", "c", "d", "e", "f"]),
        SplitCase("a|b |& c", [["a"], ["b"], ["c"]], ["a", "b", "c"]),
        SplitCase(
            "set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates curl; rm -rf /var/lib/apt/lists/*",
            [["set", "-eux"], ["apt-get", "update"],
             ["apt-get", "install", "-y", "--no-install-recommends", "ca-certificates", "curl"],
             ["rm", "-rf", "/var/lib/apt/lists/*"]],
            ["set -eux", "apt-get update", "apt-get install -y --no-install-recommends ca-certificates curl",
             "rm -rf /var/lib/apt/lists/*"]),
        SplitCase("set -euxo pipefail; make", [["set", "-euxo", "pipefail"], ["make"]], ["set -euxo pipefail", "make"]),
        SplitCase("apt-get update \\\n    && apt-get install -y \\\n        curl \\\n    && rm -rf /x",
                  [["apt-get", "update"], ["apt-get", "install", "-y", "curl"], ["rm", "-rf", "/x"]],
                  ["apt-get update", "apt-get install -y \\\n        curl", "rm -rf /x"]),
        SplitCase("echo 'a b' \"c $HOME\" d\\ e", [["echo", "a b", "c $HOME", "d e"]], ["echo 'a b' \"c $HOME\" d\\ e"]),
        SplitCase("echo a;echo b", [["echo", "a"], ["echo", "b"]], ["echo a", "echo b"]),
        SplitCase("echo 'a;b' \"c&&d\" e\\|f", [["echo", "a;b", "c&&d", "e|f"]], ["echo 'a;b' \"c&&d\" e\\|f"]),
        SplitCase("echo 'unterminated; rm -rf /", [["echo", "unterminated; rm -rf /"]], ["echo 'unterminated; rm -rf /"]),
        SplitCase("echo \"unterminated; x", [["echo", "unterminated; x"]], ["echo \"unterminated; x"]),
        SplitCase("echo trailing\\", [["echo", "trailing\\"]], ["echo trailing\\"]),
        SplitCase("ec\\\nho hi", [["echo", "hi"]], ["ec\\\nho hi"]),
        SplitCase("cmd1\r\ncmd2 arg\r\n", [["cmd1"], ["cmd2", "arg"]], ["cmd1", "cmd2 arg"]),
        SplitCase("a &\nb", [["a"], ["b"]], ["a", "b"]),
        SplitCase("a &&\n\n b", [["a"], ["b"]], ["a", "b"]),
        SplitCase("! grep -q x f && echo missing", [["grep", "-q", "x", "f"], ["echo", "missing"]],
                  ["grep -q x f", "echo missing"]),
    ]

    static let comments: [SplitCase] = [
        SplitCase("echo a # comment && rm -rf /\necho b", [["echo", "a"], ["echo", "b"]], ["echo a", "echo b"]),
        SplitCase("# only a comment", [], []),
        SplitCase("echo a#b c", [["echo", "a#b", "c"]], ["echo a#b c"]),
        SplitCase("echo a;# c\nls", [["echo", "a"], ["ls"]], ["echo a", "ls"]),
        SplitCase("echo '#x' \"#y\" \\#z $#", [["echo", "#x", "#y", "#z", "$#"]], ["echo '#x' \"#y\" \\#z $#"]),
        SplitCase("apt-get install \\\n  # comment \\\n  curl", [["apt-get", "install"], ["curl"]], ["apt-get install", "curl"]),
    ]

    static let control: [SplitCase] = [
        SplitCase("if [ \"$x\" = y ]; then echo yes; elif true; then :; else echo no; fi",
                  [["[", "$x", "=", "y", "]"], ["echo", "yes"], ["true"], [":"], ["echo", "no"]],
                  ["[ \"$x\" = y ]", "echo yes", "true", ":", "echo no"]),
        SplitCase("if ! command -v curl >/dev/null; then\n  apt-get install -y curl\nfi && curl -V",
                  [["command", "-v", "curl"], ["apt-get", "install", "-y", "curl"], ["curl", "-V"]],
                  ["command -v curl >/dev/null", "apt-get install -y curl", "curl -V"]),
        SplitCase("while read -r line; do echo \"$line\"; done < file",
                  [["read", "-r", "line"], ["echo", "$line"]], ["read -r line", "echo \"$line\""]),
        SplitCase("until false; do sleep 1; done", [["false"], ["sleep", "1"]], ["false", "sleep 1"]),
        SplitCase("for i in a b c; do echo $i; done", [["echo", "$i"]], ["echo $i"]),
        SplitCase("for f in *.tar.gz\ndo\n  tar xzf \"$f\"\ndone", [["tar", "xzf", "$f"]], ["tar xzf \"$f\""]),
        SplitCase("for x; do echo $x; done", [["echo", "$x"]], ["echo $x"]),
        SplitCase("for ((i=0; i<3; i++)); do echo $i; done", [["echo", "$i"]], ["echo $i"]),
        SplitCase("select x in a b; do break; done", [["break"]], ["break"]),
        SplitCase("case \"$(uname -m)\" in x86_64|amd64) arch=amd64;; aarch64) arch=arm64 ;; *) echo bad; exit 1;; esac",
                  [["uname", "-m"], [], [], ["echo", "bad"], ["exit", "1"]],
                  ["uname -m", "arch=amd64", "arch=arm64", "echo bad", "exit 1"]),
        SplitCase("case $a in\n  (x) echo x ;;\n  y)\n    echo y\n    ;;\nesac; ls",
                  [["echo", "x"], ["echo", "y"], ["ls"]], ["echo x", "echo y", "ls"]),
        SplitCase("case $a in x) echo x;& y) echo y;;& esac", [["echo", "x"], ["echo", "y"]], ["echo x", "echo y"]),
        SplitCase("(cd /tmp && make) | tee log", [["cd", "/tmp"], ["make"], ["tee", "log"]], ["cd /tmp", "make", "tee log"]),
        SplitCase("{ echo a; echo b; } > out", [["echo", "a"], ["echo", "b"]], ["echo a", "echo b"]),
        SplitCase("{ echo a; echo }; }", [["echo", "a"], ["echo", "}"]], ["echo a", "echo }"]),
        SplitCase("f() { echo in f; }; f", [["echo", "in", "f"], ["f"]], ["echo in f", "f"]),
        SplitCase("f ()\n{\n  ls\n}", [["ls"]], ["ls"]),
        SplitCase("function g { echo g; }; function h() { echo h; }", [["echo", "g"], ["echo", "h"]], ["echo g", "echo h"]),
        SplitCase("((i++)) && echo $i", [["echo", "$i"]], ["echo $i"]),
        SplitCase("[[ -f a && -n \"$b\" || ( x < y ) ]] && echo y",
                  [["[[", "-f", "a", "&&", "-n", "$b", "||", "(", "x", "<", "y", ")", "]]"], ["echo", "y"]],
                  ["[[ -f a && -n \"$b\" || ( x < y ) ]]", "echo y"]),
        SplitCase("[[ $a =~ ^(x|y)$ ]]; ls", [["[[", "$a", "=~", "^(x|y)$", "]]"], ["ls"]], ["[[ $a =~ ^(x|y)$ ]]", "ls"]),
        SplitCase("echo if then fi; then=1 if_x", [["echo", "if", "then", "fi"], ["if_x"]], ["echo if then fi", "then=1 if_x"]),
        SplitCase("if true; then if false; then a; fi; b; fi", [["true"], ["false"], ["a"], ["b"]], ["true", "false", "a", "b"]),
        SplitCase("time make -j4", [["time", "make", "-j4"]], ["time make -j4"]),
    ]

    static let assignments: [SplitCase] = [
        SplitCase("A=1 B=\"x y\" cmd arg", [["cmd", "arg"]], ["A=1 B=\"x y\" cmd arg"]),
        SplitCase("A=1", [[]], ["A=1"]),
        SplitCase("export A=1 B", [["export", "A=1", "B"]], ["export A=1 B"]),
        SplitCase("X+=1 arr[2]=3 env", [["env"]], ["X+=1 arr[2]=3 env"]),
        SplitCase("\"A\"=1 1A=2 =3", [["A=1", "1A=2", "=3"]], ["\"A\"=1 1A=2 =3"]),
        SplitCase("PATH=$PATH:/x; cmd", [[], ["cmd"]], ["PATH=$PATH:/x", "cmd"]),
    ]

    static let heredocs: [SplitCase] = [
        SplitCase("cat <<EOF > /etc/x\nrm -rf /\n$(reboot)\nEOF\necho done",
                  [["cat"], ["echo", "done"]], ["cat <<EOF > /etc/x", "echo done"]),
        SplitCase("cat <<-'EOF'\n\trm x\n\tEOF\necho after", [["cat"], ["echo", "after"]], ["cat <<-'EOF'", "echo after"]),
        SplitCase("cat <<\"END\" | grep x && echo ok\nbody; ls\nEND\nls",
                  [["cat"], ["grep", "x"], ["echo", "ok"], ["ls"]], ["cat <<\"END\"", "grep x", "echo ok", "ls"]),
        SplitCase("cat <<A <<B\nx\nA\ny\nB\nls", [["cat"], ["ls"]], ["cat <<A <<B", "ls"]),
        SplitCase("cat <<EOF\nnever ends", [["cat"]], ["cat <<EOF"]),
        SplitCase("cat<<EOF\nEOFX\nEOF\r\nls", [["cat"], ["ls"]], ["cat<<EOF", "ls"]),
        SplitCase("x=$(cat <<EOF\nbody)\nEOF\n); echo $x", [[], ["cat"], ["echo", "$x"]],
                  ["x=$(cat <<EOF\nbody)\nEOF\n)", "cat <<EOF", "echo $x"]),
        SplitCase("cat <<< \"here string\"; ls", [["cat"], ["ls"]], ["cat <<< \"here string\"", "ls"]),
        SplitCase("while read l; do echo $l; done <<EOF\na\nb\nEOF\nls", [["read", "l"], ["echo", "$l"], ["ls"]],
                  ["read l", "echo $l", "ls"]),
    ]

    func check(_ c: SplitCase) {
        let p = Parsed(c.script)
        #expect(p.argvs == c.argv)
        #expect(p.texts == c.texts)
        #expect(invariantViolation(p.bytes, p.script) == nil)
    }

    @Test(arguments: basics) func basic(_ c: SplitCase) { check(c) }
    @Test(arguments: comments) func comment(_ c: SplitCase) { check(c) }
    @Test(arguments: control) func controlStructure(_ c: SplitCase) { check(c) }
    @Test(arguments: assignments) func assignment(_ c: SplitCase) { check(c) }
    @Test(arguments: heredocs) func heredoc(_ c: SplitCase) { check(c) }

    @Test func assignmentWords() {
        let p = Parsed("A=1 B=\"x y\" cmd A=2")
        let c = p.commands[0]
        #expect(c.assignments.map(\.value) == ["A=1", "B=x y"])
        #expect(c.assignments.map { p.text($0.range) } == ["A=1", "B=\"x y\""])
        #expect(c.argv == ["cmd", "A=2"])
        let bare = Parsed("A=1").commands[0]
        #expect(bare.words.isEmpty && bare.name == nil && bare.assignments.map(\.value) == ["A=1"])
    }

    @Test func connectors() {
        let p = Parsed("a && b || c; d & e\nf;\n\ng &\nh")
        #expect(p.commands.map(\.connectorBefore) == [nil, .and, .or, .semicolon, .background, .newline, .semicolon, .background])
        let nested = Parsed("x; (a && b; c) || { d; }")
        #expect(nested.argvs == [["x"], ["a"], ["b"], ["c"], ["d"]])
        #expect(nested.commands.map(\.connectorBefore) == [nil, nil, .and, .semicolon, nil])
        let inIf = Parsed("if a; then b && c; fi; d")
        #expect(inIf.commands.map(\.connectorBefore) == [nil, nil, .and, .semicolon])
    }

    @Test func heredocRedirection() {
        let p = Parsed("cat <<-'EOF' >/x\n\tbody\n\tEOF")
        let c = p.commands[0]
        #expect(c.redirections.map(\.op) == ["<<-", ">"])
        #expect(c.redirections[0].isHeredoc && !c.redirections[1].isHeredoc)
        #expect(c.redirections[0].target?.value == "EOF")
        #expect(c.redirections[0].target?.quoted == true)
        #expect(p.text(c.redirections[0].range) == "<<-'EOF'")
    }

    @Test func negationAndPipelineFlags() {
        let p = Parsed("! a | b; c")
        #expect(p.script.pipelines.map(\.negated) == [true, false])
        #expect(p.text(p.script.pipelines[0].range) == "! a | b")
    }

    @Test func commandOrderIsSourceOrder() {
        let p = Parsed("echo $(a) `b` $(c $(d)); e")
        #expect(p.argvs.map { $0.first ?? "" } == ["echo", "a", "b", "c", "d", "e"])
        #expect(p.commands.map(\.depth) == [0, 1, 1, 1, 2, 0])
        #expect(p.commands.map(\.range.lowerBound) == p.commands.map(\.range.lowerBound).sorted())
    }
}
