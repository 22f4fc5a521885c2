// Option helpers for rules: `hasOption`, `option`, `basename`.
//
// Without each tool's option table these are heuristics, documented here:
// - Every word after the command name is looked at (GNU tools accept options
//   after operands) up to a `--` word.
// - `--name` and `--name=value` are long options.
// - `-abc` is a cluster of short options: its leading run of ASCII letters are
//   flags (`-fsSL` has f, s, S and L; `-qO-` has q and O; `-o/tmp/x` has only
//   o). A cluster starting with a non-letter (`-1`) has just that character.
// - A name given with one dash and several letters (`-name`, `-quiet`) is a
//   single-dash long option, matched as a whole word (or `-name=value`).
// Names may be passed with or without dashes: `"-s"` and `"s"` are the short
// option s; `"--silent"` and `"silent"` the long option.

enum OptionName: Equatable {
    case short(UInt8)
    case long([UInt8])  // with its dashes

    init(_ name: String) {
        let u = Array(name.utf8)
        if u.count >= 2 && u[0] == Ch.dash && u[1] == Ch.dash {
            self = .long(u)
        } else if u.first == Ch.dash {
            self = u.count == 2 ? .short(u[1]) : .long(u)
        } else if u.count == 1 {
            self = .short(u[0])
        } else {
            self = .long([Ch.dash, Ch.dash] + u)
        }
    }
}

/// How one argument word reads as an option.
enum OptionWord {
    case none
    case endOfOptions
    /// `--name` or `--name=value` (`eq` is the index of `=` in the value bytes).
    case long(name: ArraySlice<UInt8>, eq: Int?)
    /// `-abc`: the flag letters are bytes `1..<flagsEnd`.
    case cluster(flagsEnd: Int)

    init(_ v: [UInt8]) {
        if v.count == 2 && v[0] == Ch.dash && v[1] == Ch.dash {
            self = .endOfOptions
        } else if v.count > 2 && v[0] == Ch.dash && v[1] == Ch.dash {
            let eq = v.firstIndex(of: Ch.eq)
            self = .long(name: v[..<(eq ?? v.count)], eq: eq)
        } else if v.count > 1 && v[0] == Ch.dash {
            var i = 1
            while i < v.count && Ch.isAlpha(v[i]) { i += 1 }
            self = .cluster(flagsEnd: max(i, 2))
        } else {
            self = .none
        }
    }
}

extension SimpleCommand {
    /// The last path component of the command name: `apt-get` for
    /// `/usr/bin/apt-get`. nil when there is no command word.
    public var basename: String? { name.map(DashC.basename) }

    /// The words after the command name.
    public var arguments: [ShellWord] { Array(words.dropFirst()) }

    /// Whether any of `names` is given (see the rules at the top of Options.swift):
    /// `hasOption("-s", "--silent")` is true for `curl -fsSL`.
    public func hasOption(_ names: String...) -> Bool { hasOption(names) }

    /// Array form of `hasOption(_:)`.
    public func hasOption(_ names: [String]) -> Bool {
        let wanted = names.map(OptionName.init)
        return !optionOccurrences(wanted).isEmpty
    }

    /// The value of the last occurrence of option `name`: `--opt=value`,
    /// `--opt value`, `-o value`, `-ovalue`, `-abco value` (the option ends
    /// its cluster), `-name value` / `-name=value`. An attached value is a
    /// sub-word with its own range when the option part was written unquoted.
    /// nil when the option is absent or is last with no value word after it.
    public func option(_ name: String) -> ShellWord? {
        optionValues(name).last
    }

    /// The values of every occurrence of option `name` (see `option(_:)`).
    public func optionValues(_ name: String) -> [ShellWord] {
        optionOccurrences([OptionName(name)]).compactMap { occ in
            if let p = occ.attachedAt { return words[occ.word].dropping(prefixBytes: p) }
            return occ.word + 1 < words.count ? words[occ.word + 1] : nil
        }
    }

    /// Occurrences: word index and, for an attached value, where it starts.
    func optionOccurrences(_ wanted: [OptionName]) -> [(word: Int, attachedAt: Int?)] {
        var found: [(word: Int, attachedAt: Int?)] = []
        var i = 1
        while i < words.count {
            let v = Array(words[i].value.utf8)
            switch OptionWord(v) {
            case .endOfOptions:
                return found
            case .none:
                break
            case let .long(name, eq):
                if wanted.contains(.long(Array(name))) { found.append((i, eq.map { $0 + 1 })) }
            case let .cluster(flagsEnd):
                for w in wanted {
                    switch w {
                    case let .short(c):
                        if let k = v[1..<flagsEnd].firstIndex(of: c) {
                            found.append((i, k + 1 < v.count ? k + 1 : nil))
                        }
                    case let .long(l) where l.count > 2 && l[1] != Ch.dash:
                        if v == l {
                            found.append((i, nil))
                        } else if v.count > l.count && v[l.count] == Ch.eq && v.starts(with: l) {
                            found.append((i, l.count + 1))
                        }
                    default:
                        break
                    }
                }
            }
            i += 1
        }
        return found
    }
}

extension ShellWord {
    /// The part of the word after the first `p` bytes of its value.
    func dropping(prefixBytes p: Int) -> ShellWord {
        let v = Array(value.utf8)
        let r = Array(raw.utf8)
        let suffix = String(decoding: v[min(p, v.count)...], as: UTF8.self)
        if r.count >= p && r[..<p].elementsEqual(v[..<min(p, v.count)]) && range.count == r.count {
            return ShellWord(value: suffix, raw: String(decoding: r[p...], as: UTF8.self),
                             range: (range.lowerBound + p)..<range.upperBound, quoted: quoted, hasExpansion: hasExpansion)
        }
        return ShellWord(value: suffix, raw: raw, range: range, quoted: quoted, hasExpansion: hasExpansion)
    }
}
