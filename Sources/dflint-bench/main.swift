// Parses every file given (or every file in the directories given) in one
// process, several rounds, and prints throughput as one JSON line.
// Usage: dflint-bench [--rounds N] [--typed | --lint] PATH...
import DockerfileSyntax
import Rules
import ImageSources
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func readFile(_ path: String) -> [UInt8]? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
    }
    return out
}

func listDir(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [path] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name == "." || name == ".." { continue }
        names.append(path + "/" + name)
    }
    return names.sorted()
}

var args = Array(CommandLine.arguments.dropFirst())

// `--inflate FILE [ROUNDS]`: our gzip decoder's throughput on FILE (MB of output per second).
if args.first == "--inflate", args.count >= 2, let data = readFile(args[1]) {
    let rounds = args.count > 2 ? Int(args[2]) ?? 20 : 20
    var out = 0
    var dt = Double.infinity
    for _ in 0..<rounds {
        let t0 = now()
        out = ((try? GzipReader.decompress(data)) ?? []).count
        dt = min(dt, now() - t0)
    }
    print("{\"tool\": \"dflint inflate\", \"bytes_out\": \(out), \"seconds\": \(dt), \"mb_per_s\": \(Double(out) / dt / 1e6)}")
    exit(0)
}
// `--zstd FILE [ROUNDS]`: our zstd decoder's throughput on FILE, streamed (MB of output per second).
if args.first == "--zstd", args.count >= 2 {
    let rounds = args.count > 2 ? Int(args[2]) ?? 5 : 5
    var out: Int64 = 0
    var dt = Double.infinity
    var buf = [UInt8](repeating: 0, count: 256 << 10)
    for _ in 0..<rounds {
        let t0 = now()
        do {
            let r = ZstdReader(source: try FileInput(path: args[1]))
            out = 0
            while true {
                let n = try buf.withUnsafeMutableBytes { try r.read(into: $0) }
                if n == 0 { break }
                out += Int64(n)
            }
        } catch {
            print("{\"error\": \"\(error)\"}")
            exit(1)
        }
        dt = min(dt, now() - t0)
    }
    print("{\"tool\": \"dflint zstd\", \"bytes_out\": \(out), \"seconds\": \(dt), \"mb_per_s\": \(Double(out) / dt / 1e6)}")
    exit(0)
}

// `--unzstd FILE [MAX_OUTPUT]`: decodes FILE to stdout (the fuzz sweep's decoder); exit 1 with the error on stderr.
if args.first == "--unzstd", args.count >= 2 {
    let cap = args.count > 2 ? Int64(args[2]) : nil
    var buf = [UInt8](repeating: 0, count: 256 << 10)
    do {
        let r = ZstdReader(source: try FileInput(path: args[1]), maxOutput: cap)
        while true {
            let n = try buf.withUnsafeMutableBytes { try r.read(into: $0) }
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { write(1, $0.baseAddress! + off, n - off) }
                if w <= 0 { exit(3) }
                off += w
            }
        }
    } catch {
        let msg = Array("\(error)\n".utf8)
        _ = msg.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
        exit(1)
    }
    exit(0)
}

var rounds = 5
var typed = false
var lint = false
var paths: [String] = []
while !args.isEmpty {
    let a = args.removeFirst()
    if a == "--rounds", let n = args.first.flatMap({ Int($0) }) { rounds = n; args.removeFirst() }
    else if a == "--typed" { typed = true }
    else if a == "--lint" { lint = true }
    else { paths.append(contentsOf: listDir(a)) }
}
let files = paths.compactMap { p in readFile(p).map { SourceFile(path: p, bytes: $0) } }
let bytes = files.reduce(0) { $0 + $1.bytes.count }
var best = Double.infinity
var sink = 0
for _ in 0..<max(1, rounds) {
    let t0 = now()
    for f in files {
        if lint {
            sink &+= Linter().lint(Dockerfile.parse(f), path: f.path).count
        } else if typed {
            sink &+= Dockerfile.parse(f).instructions.count
        } else {
            sink &+= RawParser.parse(f).nodes.count
        }
    }
    best = min(best, now() - t0)
}
print("{\"tool\": \"dflint\", \"files\": \(files.count), \"bytes\": \(bytes), \"seconds\": \(best), \"files_per_s\": \(Double(files.count) / best), \"mb_per_s\": \(Double(bytes) / best / 1e6), \"nodes\": \(sink / max(1, rounds))}")
