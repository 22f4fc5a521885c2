import Testing
@testable import ShellSyntax

/// One word (the first argument of `echo`): value, quoted, hasExpansion.
struct WordCase: Sendable, CustomTestStringConvertible {
    let raw: String
    let value: String
    let quoted: Bool
    let expansion: Bool
    var testDescription: String { raw.debugDescription }
    init(_ raw: String, _ value: String, quoted: Bool, expansion: Bool) {
        self.raw = raw
        self.value = value
        self.quoted = quoted
        self.expansion = expansion
    }
}

struct RedirectionCase: Sendable, CustomTestStringConvertible {
    let script: String
    let argv: [String]
    /// op, target value, `script[range]`
    let redirections: [[String?]]
    var testDescription: String { script.debugDescription }
}

@Suite struct WordTests {
    static let words: [WordCase] = [
        WordCase("plain", "plain", quoted: false, expansion: false),
        WordCase("'a b'", "a b", quoted: true, expansion: false),
        WordCase("\"$HOME/x\"", "$HOME/x", quoted: true, expansion: true),
        WordCase("$HOME/x", "$HOME/x", quoted: false, expansion: true),
        WordCase("'$HOME'", "$HOME", quoted: true, expansion: false),
        WordCase("\\$x", "$x", quoted: true, expansion: false),
        WordCase("a\"b\"'c'\\d", "abcd", quoted: true, expansion: false),
        WordCase("\"a\\\"b\\\\c\\d\\$e\"", "a\"b\\c\\d$e", quoted: true, expansion: false),
        WordCase("\"it's\"", "it's", quoted: true, expansion: false),
        WordCase("'say \"hi\"'", "say \"hi\"", quoted: true, expansion: false),
        WordCase("$'a\\nb\\'c'", "a\nb'c", quoted: true, expansion: false),
        WordCase("$\"msg\"", "msg", quoted: true, expansion: false),
        WordCase("${x:-\"}\"}", "${x:-\"}\"}", quoted: false, expansion: true),
        WordCase("${#arr[@]}", "${#arr[@]}", quoted: false, expansion: true),
        WordCase("$((1+(2*3)))", "$((1+(2*3)))", quoted: false, expansion: true),
        WordCase("$(echo \"a b\")", "$(echo \"a b\")", quoted: false, expansion: true),
        WordCase("\"$(echo \"a b\")\"", "$(echo \"a b\")", quoted: true, expansion: true),
        WordCase("`id`", "`id`", quoted: false, expansion: true),
        WordCase("$", "$", quoted: false, expansion: false),
        WordCase("a$", "a$", quoted: false, expansion: false),
        WordCase("$1$@$?", "$1$@$?", quoted: false, expansion: true),
        WordCase("a\\\nb", "ab", quoted: false, expansion: false),
        WordCase("\"a\\\nb\"", "ab", quoted: true, expansion: false),
        WordCase("~/.bashrc", "~/.bashrc", quoted: false, expansion: false),
        WordCase("*.@(tar|gz)", "*.@(tar|gz)", quoted: false, expansion: false),
        WordCase("{a,b}", "{a,b}", quoted: false, expansion: false),
        WordCase("caf\u{e9}", "caf\u{e9}", quoted: false, expansion: false),
    ]

    @Test(arguments: words) func word(_ c: WordCase) {
        let p = Parsed("echo " + c.raw + " next")
        #expect(p.commands.count >= 1)
        let w = p.commands[0].words
        #expect(w.count == 3)
        guard w.count == 3 else { return }
        #expect(w[1].value == c.value)
        #expect(w[1].raw == c.raw)
        #expect(p.text(w[1].range) == c.raw)
        #expect(w[1].quoted == c.quoted)
        #expect(w[1].hasExpansion == c.expansion)
        #expect(w[2].value == "next")
    }

    static let redirections: [RedirectionCase] = [
        RedirectionCase(script: "cmd >out 2>&1 <in >>log", argv: ["cmd"], redirections: [
            [">", "out", ">out"], ["2>&", "1", "2>&1"], ["<", "in", "<in"], [">>", "log", ">>log"],
        ]),
        RedirectionCase(script: "cmd &>/dev/null 3<>f >| x 2> \"e f\" arg", argv: ["cmd", "arg"], redirections: [
            ["&>", "/dev/null", "&>/dev/null"], ["3<>", "f", "3<>f"], [">|", "x", ">| x"], ["2>", "e f", "2> \"e f\""],
        ]),
        RedirectionCase(script: ">file", argv: [], redirections: [[">", "file", ">file"]]),
        RedirectionCase(script: "cmd 2>&- &>>all <&3 12>x", argv: ["cmd"], redirections: [
            ["2>&", "-", "2>&-"], ["&>>", "all", "&>>all"], ["<&", "3", "<&3"], ["12>", "x", "12>x"],
        ]),
        RedirectionCase(script: "echo a2>x 2 >y", argv: ["echo", "a2", "2"], redirections: [
            [">", "x", ">x"], [">", "y", ">y"],
        ]),
        RedirectionCase(script: "cat <<<$var >", argv: ["cat"], redirections: [["<<<", "$var", "<<<$var"], [">", nil, ">"]]),
    ]

    @Test(arguments: redirections) func redirection(_ c: RedirectionCase) {
        let p = Parsed(c.script)
        #expect(p.commands.count == 1)
        guard let cmd = p.commands.first else { return }
        #expect(cmd.argv == c.argv)
        let got: [[String?]] = cmd.redirections.map { [$0.op, $0.target?.value, p.text($0.range)] }
        #expect(got == c.redirections)
        #expect(p.text(cmd.range) == c.script)
    }

    @Test func invalidUTF8IsKeptInRanges() {
        let bytes: [UInt8] = Array("echo ".utf8) + [0xFF, 0xFE, 0x41] + Array(" ok".utf8)
        let p = Parsed(bytes: bytes)
        #expect(p.commands.count == 1)
        #expect(p.commands[0].words[1].range == 5..<8)
        #expect(p.commands[0].words[1].value == "\u{FFFD}\u{FFFD}A")
        #expect(p.commands[0].words[2].value == "ok")
    }

    @Test func stringAndBytesAgree() {
        let s = "naïve && echo \"é\" | wc -c"
        let a = ShellParser.parse(s)
        let b = ShellParser.parse(Array(s.utf8))
        #expect(a == b)
        #expect(a.commands.map(\.argv) == [["naïve"], ["echo", "é"], ["wc", "-c"]])
        #expect(a.commands[1].range == 10..<19)
    }
}
