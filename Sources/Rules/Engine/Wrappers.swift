// Commands that run another command: `sudo apt-get install`, `env A=1 pip
// install`, `nice -n 5 make`, `xargs rm`. Rules see the command they run, with
// the wrappers kept aside (DF103 reports sudo from them).

enum Wrappers {
    /// name -> (options that take a value, positional words before the command).
    static let table: [String: (Set<String>, Int)] = [
        "sudo": (["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user", "--group", "--close-from", "--chdir",
                  "--host", "--prompt", "--role", "--type", "--command-timeout", "--other-user"], 0),
        "doas": (["-u", "-C"], 0),
        "env": (["-u", "--unset", "-C", "--chdir", "-S", "--split-string"], 0),
        "nice": (["-n", "--adjustment"], 0),
        "nohup": ([], 0),
        "time": (["-f", "--format", "-o", "--output"], 0),
        "command": ([], 0),
        "exec": (["-a"], 0),
        "ionice": (["-c", "--class", "-n", "--classdata", "-p", "--pid"], 0),
        "stdbuf": (["-i", "-o", "-e", "--input", "--output", "--error"], 0),
        "timeout": (["-s", "--signal", "-k", "--kill-after"], 1),
        "chroot": (["--userspec", "--groups"], 1),
        "xargs": (["-a", "-d", "-E", "-e", "-I", "-L", "-l", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args",
                   "--max-procs", "--max-chars", "--replace", "--max-lines", "--eof"], 0),
        "eatmydata": ([], 0),
        "fakeroot": ([], 0),
        "busybox": ([], 0),
        "gosu": ([], 1),
        "su-exec": ([], 1),
        "setuidgid": ([], 1),
        "runuser": (["-u", "-g", "-G", "--user", "--group", "--supp-group"], 0),
    ]

    struct Stripped {
        /// argv index of the command that runs.
        var start = 0
        /// (wrapper name, argv index of its word).
        var wrappers: [(String, Int)] = []
        /// `env NAME=value` words: (name, value, argv index).
        var assignments: [(String, String, Int)] = []
    }

    static func strip(_ argv: [String]) -> Stripped {
        var out = Stripped()
        var i = 0
        while i < argv.count {
            let name = Command.basename(argv[i])
            guard let (valueOptions, positional) = table[name] else { break }
            var j = i + 1
            var envs: [(String, String, Int)] = []
            var lookupOnly = false
            while j < argv.count {
                let a = argv[j]
                if a == "--" { j += 1; break }
                if a.hasPrefix("-"), a.count > 1 {
                    if name == "command", a.hasPrefix("-v") || a.hasPrefix("-V") { lookupOnly = true }
                    if valueOptions.contains(a) { j += 2 } else { j += 1 }
                    continue
                }
                if name == "env", let eq = a.firstIndex(of: "="), eq != a.startIndex {
                    envs.append((String(a[..<eq]), String(a[a.index(after: eq)...]), j))
                    j += 1
                    continue
                }
                break
            }
            j += positional
            guard !lookupOnly, j < argv.count else { break }
            out.wrappers.append((name, i))
            out.assignments += envs
            i = j
        }
        out.start = i < argv.count ? i : 0
        if out.start == 0 { out.wrappers = []; out.assignments = [] }
        return out
    }
}
