import Testing
@testable import Configuration

@Suite struct YAMLParserTests {
    /// Every construct of the subset, with the tree (and positions) it must produce.
    static let accepted: [(String, YAMLNode?)] = [
        // Empty documents.
        ("", nil),
        ("\n\n   \n", nil),
        ("# only a comment\n\n  # indented comment\n", nil),
        ("---\n", nil),
        ("--- # start\n...\n", nil),
        ("\u{FEFF}", nil),
        // Block mappings.
        ("a: b", map(1, 1, ("a", 1, 1, sc("b", 1, 4)))),
        ("a: b\nc: d\n", map(1, 1, ("a", 1, 1, sc("b", 1, 4)), ("c", 2, 1, sc("d", 2, 4)))),
        ("a:\n  b: c\n  d: e\nf: g",
         map(1, 1, ("a", 1, 1, map(2, 3, ("b", 2, 3, sc("c", 2, 6)), ("d", 3, 3, sc("e", 3, 6)))), ("f", 4, 1, sc("g", 4, 4)))),
        ("a:\n    deep:\n        deeper: x\nb: y",
         map(1, 1, ("a", 1, 1, map(2, 5, ("deep", 2, 5, map(3, 9, ("deeper", 3, 9, sc("x", 3, 17)))))), ("b", 4, 1, sc("y", 4, 4)))),
        ("a : b", map(1, 1, ("a", 1, 1, sc("b", 1, 5)))),
        ("a:\tb", map(1, 1, ("a", 1, 1, sc("b", 1, 4)))),
        ("\"a b\": c\n'd''e': f", map(1, 1, ("a b", 1, 1, sc("c", 1, 8)), ("d'e", 2, 1, sc("f", 2, 9)))),
        ("url: http://x:80/y", map(1, 1, ("url", 1, 1, sc("http://x:80/y", 1, 6)))),
        ("a: b c  d  ", map(1, 1, ("a", 1, 1, sc("b c  d", 1, 4)))),
        ("a:\n  b\n", map(1, 1, ("a", 1, 1, sc("b", 2, 3)))),
        ("  a: 1\n  b: 2", map(1, 3, ("a", 1, 3, sc("1", 1, 6)), ("b", 2, 3, sc("2", 2, 6)))),
        // Absent values are empty plain scalars just after the colon.
        ("a:\nb: ~\nc:   # note\n", map(1, 1, ("a", 1, 1, sc("", 1, 3)), ("b", 2, 1, sc("~", 2, 4)), ("c", 3, 1, sc("", 3, 3)))),
        // Block sequences.
        ("- x\n- y", seq(1, 1, sc("x", 1, 3), sc("y", 2, 3))),
        ("k:\n  - x\n  - y", map(1, 1, ("k", 1, 1, seq(2, 3, sc("x", 2, 5), sc("y", 3, 5))))),
        ("k:\n- x\n- y\nz: 1", map(1, 1, ("k", 1, 1, seq(2, 1, sc("x", 2, 3), sc("y", 3, 3))), ("z", 4, 1, sc("1", 4, 4)))),
        ("-\n- x\n-", seq(1, 1, sc("", 1, 2), sc("x", 2, 3), sc("", 3, 2))),
        ("-\n  x", seq(1, 1, sc("x", 2, 3))),
        ("- a: 1\n  b: 2\n- - x\n  - y\n",
         seq(1, 1, map(1, 3, ("a", 1, 3, sc("1", 1, 6)), ("b", 2, 3, sc("2", 2, 6))), seq(3, 3, sc("x", 3, 5), sc("y", 4, 5)))),
        ("- k:\n  - x\n  j: 1", seq(1, 1, map(1, 3, ("k", 1, 3, seq(2, 3, sc("x", 2, 5))), ("j", 3, 3, sc("1", 3, 6))))),
        ("- -1\n- -x", seq(1, 1, sc("-1", 1, 3), sc("-x", 2, 3))),
        // Flow collections.
        ("k: [a, \"b\", 'c']", map(1, 1, ("k", 1, 1, seq(1, 4, sc("a", 1, 5), sc("b", 1, 8, quoted: true), sc("c", 1, 13, quoted: true))))),
        ("k: []", map(1, 1, ("k", 1, 1, seq(1, 4)))),
        ("k: [ ]", map(1, 1, ("k", 1, 1, seq(1, 4)))),
        ("[a, b,]", seq(1, 1, sc("a", 1, 2), sc("b", 1, 5))),
        ("[a b, c:d, -e]", seq(1, 1, sc("a b", 1, 2), sc("c:d", 1, 7), sc("-e", 1, 12))),
        ("[[a], {b: c}, []]", seq(1, 1, seq(1, 2, sc("a", 1, 3)), map(1, 7, ("b", 1, 8, sc("c", 1, 11))), seq(1, 15))),
        ("k: {a: 1, \"b\": two}", map(1, 1, ("k", 1, 1, map(1, 4, ("a", 1, 5, sc("1", 1, 8)), ("b", 1, 11, sc("two", 1, 16)))))),
        ("k: {}", map(1, 1, ("k", 1, 1, map(1, 4)))),
        ("{\"a\":1}", map(1, 1, ("a", 1, 2, sc("1", 1, 6)))),
        ("{a: , b: 1}", map(1, 1, ("a", 1, 2, sc("", 1, 5)), ("b", 1, 7, sc("1", 1, 10)))),
        ("k: [\n  a,   # first\n  b,\n]\n", map(1, 1, ("k", 1, 1, seq(1, 4, sc("a", 2, 3), sc("b", 3, 3))))),
        ("k:\n  [a,\n   b]\nz: 1", map(1, 1, ("k", 1, 1, seq(2, 3, sc("a", 2, 4), sc("b", 3, 4))), ("z", 4, 1, sc("1", 4, 4)))),
        ("- [a,\n   b]", seq(1, 1, seq(1, 3, sc("a", 1, 4), sc("b", 2, 4)))),
        // Quoted scalars.
        ("k: 'it''s # not a comment'", map(1, 1, ("k", 1, 1, sc("it's # not a comment", 1, 4, quoted: true)))),
        ("k: ''", map(1, 1, ("k", 1, 1, sc("", 1, 4, quoted: true)))),
        ("k: \"q\\\" b\\\\ n\\n t\\t s\\/\"", map(1, 1, ("k", 1, 1, sc("q\" b\\ n\n t\t s/", 1, 4, quoted: true)))),
        ("k: \"\\u00e9\\x41\\U0001F600\\ud83d\\ude00\"", map(1, 1, ("k", 1, 1, sc("éA😀😀", 1, 4, quoted: true)))),
        ("k: \"a: b, [c] # d\"", map(1, 1, ("k", 1, 1, sc("a: b, [c] # d", 1, 4, quoted: true)))),
        // Comments.
        ("a: b # c\n# full line\nd: 'e' # f\n", map(1, 1, ("a", 1, 1, sc("b", 1, 4)), ("d", 3, 1, sc("e", 3, 4, quoted: true)))),
        ("a: b#c", map(1, 1, ("a", 1, 1, sc("b#c", 1, 4)))),
        ("a: 1\n\t# tab-indented comment\nb: 2", map(1, 1, ("a", 1, 1, sc("1", 1, 4)), ("b", 3, 1, sc("2", 3, 4)))),
        ("a: 1\n  \t\nb: 2", map(1, 1, ("a", 1, 1, sc("1", 1, 4)), ("b", 3, 1, sc("2", 3, 4)))),
        // Document markers.
        ("--- # start\na: 1\n... # end\n# trailing\n", map(2, 1, ("a", 2, 1, sc("1", 2, 4)))),
        ("---\n- x\n...", seq(2, 1, sc("x", 2, 3))),
        ("a: ---x", map(1, 1, ("a", 1, 1, sc("---x", 1, 4)))),
        // Line endings, byte order mark, non-ASCII columns.
        ("a: 1\r\nb:\r\n  - x\r\n", map(1, 1, ("a", 1, 1, sc("1", 1, 4)), ("b", 2, 1, seq(3, 3, sc("x", 3, 5))))),
        ("a: 1\rb: 2", map(1, 1, ("a", 1, 1, sc("1", 1, 4)), ("b", 2, 1, sc("2", 2, 4)))),
        ("\u{FEFF}a: 1", map(1, 1, ("a", 1, 1, sc("1", 1, 4)))),
        ("é: ü\nx: [ä, b]", map(1, 1, ("é", 1, 1, sc("ü", 1, 4)), ("x", 2, 1, seq(2, 4, sc("ä", 2, 5), sc("b", 2, 8))))),
        // Plain scalars that look like other types stay strings.
        ("a: true\nb: 12\nc: null", map(1, 1, ("a", 1, 1, sc("true", 1, 4)), ("b", 2, 1, sc("12", 2, 4)), ("c", 3, 1, sc("null", 3, 4)))),
    ]

    @Test(arguments: accepted)
    func parsesSupportedConstruct(_ text: String, _ expected: YAMLNode?) throws {
        let node = try YAML.parse(text)
        #expect(node == expected, "\(String(reflecting: node))")
    }

    /// Everything outside the subset, with the position and message of the error.
    static let rejected: [(String, Int, Int, String)] = [
        ("&a x", 1, 1, "anchors ('&') are not supported"),
        ("a: &x b", 1, 4, "anchors ('&') are not supported"),
        ("a: *x", 1, 4, "aliases ('*') are not supported; quote values that start with '*', e.g. \"*.example.com\""),
        ("a: [*.gcr.io]", 1, 5, "aliases ('*') are not supported; quote values that start with '*', e.g. \"*.example.com\""),
        ("a: !tag b", 1, 4, "tags ('!') are not supported; quote values that start with '!'"),
        ("a: |\n  text", 1, 4, "block scalars ('|' and '>') are not supported; use a quoted string on one line"),
        ("a: >-\n  text", 1, 4, "block scalars ('|' and '>') are not supported; use a quoted string on one line"),
        ("? a\n: b", 1, 1, "complex mapping keys ('?') are not supported"),
        ("a: 1\n? b", 2, 1, "complex mapping keys ('?') are not supported"),
        ("[a]: b", 1, 1, "flow collections cannot be mapping keys"),
        ("a: 1\n[b]: c", 2, 1, "expected a mapping key, found a flow collection"),
        ("{[a]: b}", 1, 2, "flow collections cannot be mapping keys"),
        ("%YAML 1.2\n---\na: 1", 1, 1, "directives ('%') are not supported"),
        ("a: 1\n---\nb: 2", 2, 1, "multiple documents are not supported"),
        ("---\n---\n", 2, 1, "multiple documents are not supported"),
        ("a: 1\n...\nb: 2", 3, 1, "content after the document end marker '...' is not supported (multiple documents)"),
        ("a: 1\n...\n---\n", 3, 1, "content after the document end marker '...' is not supported (multiple documents)"),
        ("--- a: 1", 1, 5, "content on the '---' line is not supported; start the document on the next line"),
        ("a: 1\na: 2", 2, 1, "duplicate key 'a' (first defined at line 1)"),
        ("a: 1\n'a': 2", 2, 1, "duplicate key 'a' (first defined at line 1)"),
        ("{a: 1, a: 2}", 1, 8, "duplicate key 'a' (first defined at line 1)"),
        ("a:\n\tb: 1", 2, 1, "tab characters are not allowed for indentation; use spaces"),
        ("a:\n  \tb: 1", 2, 3, "tab characters are not allowed for indentation; use spaces"),
        ("\t- x", 1, 1, "tab characters are not allowed for indentation; use spaces"),
        ("a: 'x", 1, 4, "unterminated single-quoted string (strings cannot span lines)"),
        ("a: 'x\n  y'", 1, 4, "unterminated single-quoted string (strings cannot span lines)"),
        ("a: \"x", 1, 4, "unterminated double-quoted string (strings cannot span lines)"),
        ("a: \"x\\\n  y\"", 1, 4, "unterminated double-quoted string (strings cannot span lines)"),
        ("a: \"\\q\"", 1, 5, "invalid escape sequence '\\q'"),
        ("a: \"\\u12\"", 1, 5, "invalid escape: '\\u' needs 4 hexadecimal digits"),
        ("a: \"\\xZZ\"", 1, 5, "invalid escape: '\\x' needs 2 hexadecimal digits"),
        ("a: \"\\ud800\"", 1, 5, "invalid escape: U+D800 is not a Unicode scalar value"),
        ("a: \"\\ud800\\u0041\"", 1, 5, "invalid escape: \\uD800 is not followed by a low surrogate"),
        ("a: \"\\U00110000\"", 1, 5, "invalid escape: U+110000 is not a Unicode scalar value"),
        ("a: [x, y", 1, 4, "'[' is not closed; expected ']'"),
        ("a: [x,\nb: 1", 1, 4, "'[' is not closed; expected ']'"),
        ("a: [x,\n---\n", 1, 4, "'[' is not closed; expected ']'"),
        ("a: {x: 1", 1, 4, "'{' is not closed; expected '}'"),
        ("a: {x: [1, 2}", 1, 13, "expected ',' or ']' in the list opened at line 1, column 8"),
        ("a: {x: 1 y: 2}", 1, 11, "expected ',' or '}' in the mapping opened at line 1, column 4"),
        ("a: {x}", 1, 6, "expected ':' after the key 'x'"),
        ("a: [x,,y]", 1, 7, "unexpected ','; empty entries are not allowed"),
        ("a: [,]", 1, 5, "unexpected ','; empty entries are not allowed"),
        ("a: {,}", 1, 5, "unexpected ','; empty entries are not allowed"),
        ("a: [x: 1]", 1, 6, "mappings inside flow sequences ([a: b]) are not supported"),
        ("a: [- x]", 1, 5, "block sequence items ('- ') are not allowed inside flow collections"),
        ("a: [#x]", 1, 5, "unexpected '#'; a comment needs whitespace before it"),
        ("a: [x] y", 1, 8, "unexpected 'y' after the value"),
        ("a: \"x\" y", 1, 8, "unexpected 'y' after the value"),
        ("a: \"x\"#c", 1, 7, "a comment needs whitespace before '#'"),
        ("\"a\":b", 1, 4, "unexpected ':' after the value; quote the value if it contains ': '"),
        ("a: b: c", 1, 5, "a mapping cannot start on the same line as its key; quote the value if it contains ': '"),
        ("a: [b]: c", 1, 7, "unexpected ':' after the value"),
        ("a: - b", 1, 4, "a block sequence cannot start on the same line as its key; put each '- item' on its own line, or use [a, b]"),
        ("a: 1\n  b: 2", 2, 3, "unexpected indentation"),
        ("a: b\n  c", 2, 3, "unexpected indentation"),
        ("a:\n    b: 1\n  c: 2", 3, 3, "unexpected indentation"),
        ("- a\n  b", 2, 3, "unexpected indentation"),
        ("- a\nb: 1", 2, 1, "expected a sequence item ('- ') at this indentation"),
        ("a:\n  - x\n  y", 3, 3, "expected a sequence item ('- ') at this indentation"),
        ("a: 1\n- b", 2, 1, "expected a mapping key, found a sequence item ('- ')"),
        ("a: 1\nb", 2, 1, "expected 'key: value' (no ':' after 'b')"),
        ("  a: 1\nb: 2", 2, 1, "unexpected content; check the indentation"),
        ("x\ny", 2, 1, "unexpected content; check the indentation"),
        ("{a: 1}\n- x", 2, 1, "unexpected content; check the indentation"),
        (": b", 1, 1, "unexpected ':' (missing key?)"),
        ("a: @x", 1, 4, "a plain value cannot start with '@' (reserved); quote it"),
        ("a: `x", 1, 4, "a plain value cannot start with '`' (reserved); quote it"),
        ("a: %x", 1, 4, "a plain value cannot start with '%'; quote it"),
        ("a: ]", 1, 4, "unexpected ']'"),
        ("a: \u{7}", 1, 4, "control character U+0007 is not allowed"),
        ("a: 1\n\u{0}", 2, 1, "control character U+0000 is not allowed"),
        ("a: b\u{85}c\u{9F}", 1, 7, "control character U+009F is not allowed"),
        (String(repeating: "[", count: 100), 1, 65, "nesting is too deep (more than 64 levels)"),
        (String(repeating: "- ", count: 100), 1, 129, "nesting is too deep (more than 64 levels)"),
    ]

    @Test(arguments: rejected)
    func rejectsUnsupportedConstruct(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let error = yamlError(text)
        #expect(error == ConfigError(path: "", line: line, column: column, message: message))
    }

    @Test func deepBlockNestingIsAnErrorNotACrash() {
        var text = ""
        for depth in 0..<200 {
            text += String(repeating: " ", count: depth) + "k\(depth):\n"
        }
        #expect(yamlError(text)?.message == "nesting is too deep (more than 64 levels)")
        #expect(yamlError(String(repeating: "{a: ", count: 10_000))?.message == "nesting is too deep (more than 64 levels)")
    }

    @Test func nodeHelpers() throws {
        let node = try #require(try YAML.parse("a: ~\nb: 'null'\nc: NULL\nd:"))
        guard case .mapping(let entries, let mark) = node else {
            Issue.record("expected a mapping")
            return
        }
        #expect(mark == Mark(line: 1, column: 1))
        #expect(entries.map(\.value.isNull) == [true, false, true, true])
        #expect(entries[1].value.mark.description == "2:4")
        #expect(node != map(1, 1))
        #expect(sc("a", 1, 1) != sc("a", 1, 1, quoted: true))
        #expect(seq(1, 1, sc("a", 1, 2)) != seq(1, 1, sc("a", 1, 3)))
    }
}
