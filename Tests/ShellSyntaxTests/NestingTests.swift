import Testing
@testable import ShellSyntax

/// A script and, for every command in order: argv, `script[range]`, depth and origin.
struct NestCase: Sendable, CustomTestStringConvertible {
    let script: String
    let expected: [Expected]
    var testDescription: String { script.debugDescription }

    struct Expected: Sendable, Equatable, CustomStringConvertible {
        let argv: [String]
        let text: String
        let depth: Int
        let origin: CommandOrigin
        var description: String { "\(argv) \(text.debugDescription) d\(depth) \(origin)" }
    }

    init(_ script: String, _ expected: [([String], String, Int, CommandOrigin)]) {
        self.script = script
        self.expected = expected.map { Expected(argv: $0.0, text: $0.1, depth: $0.2, origin: $0.3) }
    }
}

@Suite struct NestingTests {
    static let substitutions: [NestCase] = [
        NestCase("echo $(date +%s)", [
            (["echo", "$(date +%s)"], "echo $(date +%s)", 0, .script),
            (["date", "+%s"], "date +%s", 1, .commandSubstitution),
        ]),
        NestCase("v=\"$(cat /x | tr -d ' ')\"", [
            ([], "v=\"$(cat /x | tr -d ' ')\"", 0, .script),
            (["cat", "/x"], "cat /x", 1, .commandSubstitution),
            (["tr", "-d", " "], "tr -d ' '", 1, .commandSubstitution),
        ]),
        NestCase("echo $(a $(b \"c)\" ) d) e", [
            (["echo", "$(a $(b \"c)\" ) d)", "e"], "echo $(a $(b \"c)\" ) d) e", 0, .script),
            (["a", "$(b \"c)\" )", "d"], "a $(b \"c)\" ) d", 1, .commandSubstitution),
            (["b", "c)"], "b \"c)\"", 2, .commandSubstitution),
        ]),
        NestCase("echo $((1 + (2 * 3))) $(( $(nproc) + 1 ))", [
            (["echo", "$((1 + (2 * 3)))", "$(( $(nproc) + 1 ))"], "echo $((1 + (2 * 3))) $(( $(nproc) + 1 ))", 0, .script),
            (["nproc"], "nproc", 1, .commandSubstitution),
        ]),
        NestCase("for ((i=$(id -u); i<3; i++)); do :; done; (( x = `date +%s` ))", [
            (["id", "-u"], "id -u", 1, .commandSubstitution),
            ([":"], ":", 0, .script),
            (["date", "+%s"], "date +%s", 1, .commandSubstitution),
        ]),
        NestCase("x=$(case $y in a) echo 1;; esac); ls", [
            ([], "x=$(case $y in a) echo 1;; esac)", 0, .script),
            (["echo", "1"], "echo 1", 1, .commandSubstitution),
            (["ls"], "ls", 0, .script),
        ]),
        NestCase("echo \"${VAR:-$(whoami)}\" ${X:-'}'} ${Y#\"}\"}", [
            (["echo", "${VAR:-$(whoami)}", "${X:-'}'}", "${Y#\"}\"}"], "echo \"${VAR:-$(whoami)}\" ${X:-'}'} ${Y#\"}\"}", 0, .script),
            (["whoami"], "whoami", 1, .commandSubstitution),
        ]),
        NestCase("echo `uname -m` \"`id -u`\"", [
            (["echo", "`uname -m`", "`id -u`"], "echo `uname -m` \"`id -u`\"", 0, .script),
            (["uname", "-m"], "uname -m", 1, .commandSubstitution),
            (["id", "-u"], "id -u", 1, .commandSubstitution),
        ]),
        NestCase("echo `echo \\`date\\` \\$HOME`", [
            (["echo", "`echo \\`date\\` \\$HOME`"], "echo `echo \\`date\\` \\$HOME`", 0, .script),
            (["echo", "`date`", "$HOME"], "echo \\`date\\` \\$HOME", 1, .commandSubstitution),
            (["date"], "date", 2, .commandSubstitution),
        ]),
        NestCase("diff <(sort a) >(tee b)", [
            (["diff", "<(sort a)", ">(tee b)"], "diff <(sort a) >(tee b)", 0, .script),
            (["sort", "a"], "sort a", 1, .commandSubstitution),
            (["tee", "b"], "tee b", 1, .commandSubstitution),
        ]),
        NestCase("echo $(echo ')' \\) # )\n)", [
            (["echo", "$(echo ')' \\) # )\n)"], "echo $(echo ')' \\) # )\n)", 0, .script),
            (["echo", ")", ")"], "echo ')' \\)", 1, .commandSubstitution),
        ]),
        NestCase("echo $(unterminated; ls", [
            (["echo", "$(unterminated; ls"], "echo $(unterminated; ls", 0, .script),
            (["unterminated"], "unterminated", 1, .commandSubstitution),
            (["ls"], "ls", 1, .commandSubstitution),
        ]),
        NestCase("echo ) fi } ; ls", [
            (["echo"], "echo", 0, .script),
            (["ls"], "ls", 0, .script),
        ]),
    ]

    static let shellDashC: [NestCase] = [
        NestCase("sh -c 'cd /tmp && make install'", [
            (["sh", "-c", "cd /tmp && make install"], "sh -c 'cd /tmp && make install'", 0, .script),
            (["cd", "/tmp"], "cd /tmp", 1, .shellDashC),
            (["make", "install"], "make install", 1, .shellDashC),
        ]),
        NestCase("/bin/bash -ec \"apt-get update && apt-get install -y \\\"curl\\\"\"", [
            (["/bin/bash", "-ec", "apt-get update && apt-get install -y \"curl\""],
             "/bin/bash -ec \"apt-get update && apt-get install -y \\\"curl\\\"\"", 0, .script),
            (["apt-get", "update"], "apt-get update", 1, .shellDashC),
            (["apt-get", "install", "-y", "curl"], "apt-get install -y \\\"curl\\\"", 1, .shellDashC),
        ]),
        NestCase("bash -o pipefail -xc 'curl -s x | tar xz' arg0", [
            (["bash", "-o", "pipefail", "-xc", "curl -s x | tar xz", "arg0"],
             "bash -o pipefail -xc 'curl -s x | tar xz' arg0", 0, .script),
            (["curl", "-s", "x"], "curl -s x", 1, .shellDashC),
            (["tar", "xz"], "tar xz", 1, .shellDashC),
        ]),
        NestCase("/usr/bin/env bash -lc 'nvm install'", [
            (["/usr/bin/env", "bash", "-lc", "nvm install"], "/usr/bin/env bash -lc 'nvm install'", 0, .script),
            (["nvm", "install"], "nvm install", 1, .shellDashC),
        ]),
        NestCase("sudo -u app sh -c \"id; $(whoami)\"", [
            (["sudo", "-u", "app", "sh", "-c", "id; $(whoami)"], "sudo -u app sh -c \"id; $(whoami)\"", 0, .script),
            (["id"], "id", 1, .shellDashC),
            (["$(whoami)"], "$(whoami)", 1, .shellDashC),
            (["whoami"], "whoami", 1, .commandSubstitution),  // run by the outer shell: reported once
        ]),
        NestCase("sh -c 'echo $(date)'", [
            (["sh", "-c", "echo $(date)"], "sh -c 'echo $(date)'", 0, .script),
            (["echo", "$(date)"], "echo $(date)", 1, .shellDashC),
            (["date"], "date", 2, .commandSubstitution),
        ]),
        NestCase("sh -c 'sh -c \"rm -rf /\"'", [
            (["sh", "-c", "sh -c \"rm -rf /\""], "sh -c 'sh -c \"rm -rf /\"'", 0, .script),
            (["sh", "-c", "rm -rf /"], "sh -c \"rm -rf /\"", 1, .shellDashC),
        ]),
        NestCase("sh -c ls", [
            (["sh", "-c", "ls"], "sh -c ls", 0, .script),
            (["ls"], "ls", 1, .shellDashC),
        ]),
        NestCase("x=$(sh -c 'uname -r')", [
            ([], "x=$(sh -c 'uname -r')", 0, .script),
            (["sh", "-c", "uname -r"], "sh -c 'uname -r'", 1, .commandSubstitution),
            (["uname", "-r"], "uname -r", 2, .shellDashC),
        ]),
        NestCase("sh script.sh -c 'not a script'; sh -c; bash -c -- 'ls'", [
            (["sh", "script.sh", "-c", "not a script"], "sh script.sh -c 'not a script'", 0, .script),
            (["sh", "-c"], "sh -c", 0, .script),
            (["bash", "-c", "--", "ls"], "bash -c -- 'ls'", 0, .script),
            (["ls"], "ls", 1, .shellDashC),
        ]),
        NestCase("sh -c 'cat <<EOF\nrm -rf /\nEOF\necho ok'", [
            (["sh", "-c", "cat <<EOF\nrm -rf /\nEOF\necho ok"], "sh -c 'cat <<EOF\nrm -rf /\nEOF\necho ok'", 0, .script),
            (["cat"], "cat <<EOF", 1, .shellDashC),
            (["echo", "ok"], "echo ok", 1, .shellDashC),
        ]),
        NestCase("su -c 'x'; python -c 'print(1)'; find . -exec sh -c 'y' \\;", [
            (["su", "-c", "x"], "su -c 'x'", 0, .script),
            (["x"], "x", 1, .shellDashC),
            (["python", "-c", "print(1)"], "python -c 'print(1)'", 0, .script),
            (["find", ".", "-exec", "sh", "-c", "y", ";"], "find . -exec sh -c 'y' \\;", 0, .script),
        ]),
        NestCase("su postgres -c \"psql -c \\\"CREATE USER x\\\"\"", [
            (["su", "postgres", "-c", "psql -c \"CREATE USER x\""], "su postgres -c \"psql -c \\\"CREATE USER x\\\"\"", 0, .script),
            (["psql", "-c", "CREATE USER x"], "psql -c \\\"CREATE USER x\\\"", 1, .shellDashC),
        ]),
        NestCase("nohup sh -c \"sleep 1\" & sudo -E bash -c 'apt-get update'; env -i PATH=/bin sh -c id", [
            (["nohup", "sh", "-c", "sleep 1"], "nohup sh -c \"sleep 1\"", 0, .script),
            (["sleep", "1"], "sleep 1", 1, .shellDashC),
            (["sudo", "-E", "bash", "-c", "apt-get update"], "sudo -E bash -c 'apt-get update'", 0, .script),
            (["apt-get", "update"], "apt-get update", 1, .shellDashC),
            (["env", "-i", "PATH=/bin", "sh", "-c", "id"], "env -i PATH=/bin sh -c id", 0, .script),
            (["id"], "id", 1, .shellDashC),
        ]),
    ]

    func check(_ c: NestCase) {
        let p = Parsed(c.script)
        let got = p.commands.map { NestCase.Expected(argv: $0.argv, text: p.text($0.range), depth: $0.depth, origin: $0.origin) }
        #expect(got == c.expected)
        #expect(invariantViolation(p.bytes, p.script) == nil)
    }

    @Test(arguments: substitutions) func substitution(_ c: NestCase) { check(c) }
    @Test(arguments: shellDashC) func dashC(_ c: NestCase) { check(c) }

    @Test func dashCWordRangesAreExact() {
        let p = Parsed("RUN_X=1 bash -c 'apt-get install -y curl && rm -rf /var/lib/apt/lists/*'")
        let inner = p.commands.filter { $0.origin == .shellDashC }
        #expect(inner.count == 2)
        for c in inner {
            for w in c.words { #expect(p.text(w.range) == w.raw) }
        }
        #expect(inner[1].words.map(\.value) == ["rm", "-rf", "/var/lib/apt/lists/*"])
    }

    @Test func backquoteEscapesMapBack() {
        let p = Parsed("a=`echo \\`b\\``")
        let b = p.command("b")
        #expect(b.map { p.text($0.range) } == "b")
        #expect(b?.depth == 2)
    }
}
