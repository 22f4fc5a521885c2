import DockerfileSyntax
#if canImport(Glibc)
import Glibc
#endif

enum CLI {
    static let usage = """
    usage: dflint [options] FILE...        check Dockerfiles (syntax diagnostics)
           dflint parse FILE...            print BuildKit's parse of each file as JSON lines
           dflint ast FILE...              print the typed syntax tree with source ranges
           dflint --version | --help
    """

    static func run(_ args: [String]) -> Int32 {
        guard let first = args.first else {
            FileIO.writeErr(usage + "\n")
            return 2
        }
        switch first {
        case "-h", "--help", "help":
            print(usage)
            return 0
        case "--version":
            print("dflint 0.1.0")
            return 0
        case "parse":
            return parseCommand(Array(args.dropFirst()))
        case "ast":
            return astCommand(Array(args.dropFirst()))
        default:
            return checkCommand(args)
        }
    }

    /// `dflint parse`: the conformance contract with BuildKit's parser.
    static func parseCommand(_ paths: [String]) -> Int32 {
        if paths.isEmpty {
            FileIO.writeErr("dflint parse: no files\n")
            return 2
        }
        for path in paths {
            switch FileIO.read(path) {
            case .success(let bytes):
                let result = RawParser.parse(SourceFile(path: path, bytes: bytes))
                print(OracleJSON.line(path: path, result: result))
            case .failure(let err):
                print("{\"file\": \(OracleJSON.string(Array(path.utf8))), \"ok\": false, \"error\": \(OracleJSON.string(Array(err.message.utf8)))}")
            }
        }
        return 0
    }

    static func astCommand(_ paths: [String]) -> Int32 {
        var status: Int32 = 0
        for path in paths {
            switch FileIO.read(path) {
            case .success(let bytes):
                let file = SourceFile(path: path, bytes: bytes)
                let df = Dockerfile.parse(file)
                print(ASTPrinter.print(df))
            case .failure(let err):
                FileIO.writeErr("dflint: \(path): \(err.message)\n")
                status = 2
            }
        }
        return status
    }

    /// Default command: report syntax diagnostics, gcc style.
    static func checkCommand(_ paths: [String]) -> Int32 {
        var worst: Int32 = 0
        for path in paths {
            switch FileIO.read(path) {
            case .success(let bytes):
                let file = SourceFile(path: path, bytes: bytes)
                let df = Dockerfile.parse(file)
                for d in df.diagnostics {
                    let r = file.range(d.span)
                    print("\(path):\(r.start.line):\(r.start.column): \(d.severity.rawValue): \(d.message) [\(d.id) \(d.name)]")
                    if d.severity == .error { worst = max(worst, 1) }
                }
            case .failure(let err):
                FileIO.writeErr("dflint: \(path): \(err.message)\n")
                worst = 2
            }
        }
        return worst
    }
}
