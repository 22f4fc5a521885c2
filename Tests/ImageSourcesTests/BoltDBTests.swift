import Foundation
import Testing
@testable import ImageSources

@Suite struct BoltDBTests {
    // Formatting of keys/values as _dumps/bolt_dump.py prints them.
    static func printable(_ b: [UInt8]) -> String? {
        guard let s = String(validating: b, as: UTF8.self) else { return nil }
        let ok = s.unicodeScalars.allSatisfy { u in
            u == "\n" || u == "\t" || (u.value >= 0x20 && u.value != 0x7F && !(0x80...0x9F).contains(u.value))
        }
        return ok ? s : nil
    }
    static func hex(_ b: [UInt8]) -> String { "0x" + b.map { String(format: "%02x", $0) }.joined() }
    static func fmtKey(_ b: [UInt8]) -> String { printable(b) ?? hex(b) }
    static func fmtValue(_ b: [UInt8]) -> String {
        if b.isEmpty { return "" }
        if let s = printable(b) { return s }
        return hex(b)
    }

    /// The whole tree below `bucket` as nested dictionaries (bounded depth).
    static func tree(_ bucket: BoltDB.Bucket, depth: Int = 0) throws -> [String: Any] {
        guard depth < 32 else { throw ImageSourceError("too deep") }
        var out: [String: Any] = [:]
        for e in bucket.entries {
            if e.isBucket {
                out[fmtKey(e.key)] = try tree(try #require(try bucket.bucket(at: e)), depth: depth + 1)
            } else {
                out[fmtKey(e.key)] = fmtValue(e.value)
            }
        }
        return out
    }

    /// Compares our tree with the Python dump; returns the differences.
    static func diff(_ ours: [String: Any], _ dump: [String: Any], path: String = "") -> [String] {
        var out: [String] = []
        for k in Set(ours.keys).union(dump.keys).sorted() {
            let p = path + "/" + k
            switch (ours[k], dump[k]) {
            case (let a as [String: Any], let b as [String: Any]): out += diff(a, b, path: p)
            case (let a as String, let b as String):
                // The dump annotates binary values: "0x0102  (varint=...)".
                let plain = b.hasPrefix("0x") ? String(b.prefix { $0 != " " }) : b
                if a != plain && a != b { out.append("\(p): \(a) != \(b)") }
            case (nil, _): out.append("\(p): missing in ours")
            case (_, nil): out.append("\(p): missing in dump")
            default: out.append("\(p): bucket/value kind differs")
            }
        }
        return out
    }

    @Test func fixtureMatchesPythonDump() throws {
        let db = try BoltDB.open(path: ImgStoreFixtures.metaDB)
        #expect(db.pageSize == 4096)
        #expect(db.txid == 347)
        let dump = try #require(ImgStoreFixtures.json(ImgStoreFixtures.containerdRoot + "/_dumps/meta.db.json") as? [String: Any])
        let ours = try Self.tree(try db.root)
        let differences = Self.diff(ours, dump)
        #expect(differences.isEmpty, "\(differences.prefix(20))")
        // Spot checks through the public API.
        let target = try #require(try db.bucket(["v1", "k8s.io", "images", "localhost/dflint/shellform:docker", "target"]))
        #expect(target.string(for: "digest") == "sha256:f08a007e086c7f59692d4197e3ab73db15d6748474de94e279e0f012b3ec5db9")
        #expect(target.value(for: "size").flatMap(BoltDB.varint) == 891)
        #expect(target.keys == ["digest", "mediatype", "size"])
        #expect(try db.bucket(["v1", "default", "images", "nope"]) == nil)
        #expect(try db.bucket(["v1", "version"]) == nil)   // a plain value, not a bucket
        #expect(try db.bucket(["v1"])?.value(for: "version") == [0x06])
        #expect(try db.bucket(["v1"])?.bucketKeys == ["default", "k8s.io"])
    }

    @Test func snapshotterDatabaseOpens() throws {
        let db = try BoltDB.open(path: ImgStoreFixtures.containerdRoot + "/io.containerd.snapshotter.v1.overlayfs/metadata.db")
        let t = try Self.tree(try db.root)
        #expect(!t.isEmpty)
    }

    @Test func varints() {
        #expect(BoltDB.varint([0x00]) == 0)
        #expect(BoltDB.varint([0x01]) == -1)
        #expect(BoltDB.varint([0x02]) == 1)
        #expect(BoltDB.varint([0xfa, 0x1e]) == 1981)
        #expect(BoltDB.varint([]) == nil)
        #expect(BoltDB.varint([0x80]) == nil)
        #expect(BoltDB.varint([UInt8](repeating: 0xff, count: 11)) == nil)
    }

    // MARK: - synthetic files: inline buckets, branch pages, overflow pages

    @Test func syntheticLayouts() throws {
        let big = [UInt8]((0..<9000).map { UInt8($0 % 251) })
        var leaves: [(String, BoltBuilder.Node)] = []
        for i in 0..<50 { leaves.append((String(format: "key%03d", i), .value(Array("v\(i)".utf8)))) }
        let tree: [(String, BoltBuilder.Node)] = [
            ("small", .bucket([("a", .value([1])), ("b", .value([]))])),
            ("many", .bucket(leaves)),
            ("big", .bucket([("blob", .value(big)), ("nested", .bucket([("deep", .bucket([("x", .value(Array("y".utf8)))]))]))])),
            ("plain", .value(Array("text".utf8))),
        ]
        for inline in [false, true] {
            var b = BoltBuilder(perLeaf: 7, inlineSmallBuckets: inline)
            let file = b.build(tree)
            let db = try BoltDB.open(bytes: file, name: "synthetic")
            #expect(try db.root.keys == ["big", "many", "plain", "small"])
            #expect(try db.root.value(for: "plain") == Array("text".utf8))
            let small = try #require(try db.bucket(["small"]))
            #expect(small.value(for: "a") == [1])
            #expect(small.value(for: "b") == [])
            let many = try #require(try db.bucket(["many"]))
            #expect(many.keys.count == 50)
            #expect(many.string(for: "key049") == "v49")
            #expect(many.keys == many.keys.sorted())
            #expect(try db.bucket(["big"])?.value(for: "blob") == big)
            #expect(try db.bucket(["big", "nested", "deep"])?.string(for: "x") == "y")
            let entry = try #require(try db.bucket(["big"])?.entry(for: "nested"))
            #expect(entry.isBucket)
        }
    }

    @Test func higherValidTxidWins() throws {
        var b1 = BoltBuilder()
        let old = b1.build([("k", .value(Array("old".utf8)))], txid: 3)
        var b2 = BoltBuilder()
        let new = b2.build([("k", .value(Array("new".utf8)))], txid: 9)
        // Meta 0 from the new file, meta 1 (txid 2) from the old: the new root wins.
        var mixed = new
        mixed.replaceSubrange(4096..<8192, with: old[4096..<8192])
        #expect(try BoltDB.open(bytes: mixed).root.string(for: "k") == "new")
        // Now break meta 0's checksum: meta 1 (txid 2) is used even though it is older.
        var broken = new
        broken[16 + 50] ^= 0xFF   // inside txid/pgid fields of meta 0
        let db = try BoltDB.open(bytes: broken)
        #expect(db.txid == 8)
    }

    // MARK: - corrupt input: clear errors, no crash, no hang

    func expectError(_ bytes: [UInt8], contains text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let db = try BoltDB.open(bytes: bytes, name: "test.db")
            _ = try Self.tree(try db.root)
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let e as ImageSourceError {
            #expect(e.message.contains("test.db"), sourceLocation: sourceLocation)
            if let text { #expect(e.message.contains(text), "\(e.message)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedFiles() throws {
        let full = ImgStoreFixtures.bytes(ImgStoreFixtures.metaDB)
        #expect(full.count > 8192)
        expectError([], contains: "not a bbolt file")
        expectError(Array(full.prefix(40)), contains: "not a bbolt file")
        expectError(Array(full.prefix(100)), contains: "truncated")
        expectError(Array(full.prefix(8192)), contains: "truncated")
        // Every page-aligned truncation: open may fail or walking may fail, never crash.
        var failures = 0
        for pages in stride(from: 2, to: full.count / 4096, by: 1) {
            do {
                let db = try BoltDB.open(bytes: Array(full.prefix(pages * 4096)), name: "test.db")
                _ = try Self.tree(try db.root)
            } catch {
                failures += 1
            }
        }
        #expect(failures > 0)
        #expect(throws: ImageSourceError.self) { try BoltDB.open(path: "/nonexistent/meta.db") }
    }

    @Test func badChecksums() throws {
        var bytes = ImgStoreFixtures.bytes(ImgStoreFixtures.metaDB)
        bytes[16 + 56] ^= 0x01           // meta 0 checksum
        bytes[4096 + 16 + 56] ^= 0x01    // meta 1 checksum
        expectError(bytes, contains: "no meta page has a valid checksum")
        var notBolt = [UInt8](repeating: 0x41, count: 20000)
        notBolt[0] = 0
        expectError(notBolt, contains: "not a bbolt file")
    }

    @Test func pageLoops() throws {
        var b = BoltBuilder()
        var file = b.build([("a", .bucket([("x", .value([1]))])), ("z", .value([2]))])
        // Page 3 is bucket a's leaf, page 4 the root leaf. Turn page 3 into a branch pointing at itself.
        func branchTo(_ target: UInt64, at pgid: Int) {
            let off = pgid * 4096
            let img = BoltBuilder.le(UInt64(pgid)) + BoltBuilder.le(UInt16(0x01)) + BoltBuilder.le(UInt16(1)) + BoltBuilder.le(UInt32(0))
                + BoltBuilder.le(UInt32(16)) + BoltBuilder.le(UInt32(1)) + BoltBuilder.le(target) + [UInt8(ascii: "x")]
            file.replaceSubrange(off..<(off + img.count), with: img)
        }
        let pristine = file
        branchTo(3, at: 3)
        expectError(file, contains: "page loop")
        file = pristine
        branchTo(99, at: 3)
        expectError(file, contains: "outside")
        file = pristine
        branchTo(1, at: 3)   // a meta page
        expectError(file, contains: "outside")
        // A sub-bucket whose root is the root page: each level is a fresh bucket, so a
        // walker that follows it forever is the caller's loop; ours stops at depth 32.
        file = pristine
        let rootOff = 4 * 4096
        // The root leaf's first element is "a" (bucket); its value starts after key "a".
        let pos = Int(BoltDB.u32(file, rootOff + 16 + 4))
        let valueAt = rootOff + 16 + pos + 1
        file.replaceSubrange(valueAt..<(valueAt + 8), with: BoltBuilder.le(UInt64(4)))
        let db = try BoltDB.open(bytes: file, name: "test.db")
        #expect(throws: (any Error).self) { try Self.tree(try db.root) }
    }

    @Test func randomCorruptionNeverCrashes() throws {
        let full = ImgStoreFixtures.bytes(ImgStoreFixtures.metaDB)
        var rng = BoltSplitMix(seed: 0xD0C)
        var opened = 0
        for round in 0..<300 {
            var bytes = full
            // Keep meta pages intact half of the time so the damage reaches the tree.
            let low = round % 2 == 0 ? 8192 : 0
            for _ in 0..<(1 + Int(rng.next() % 16)) {
                let at = low + Int(rng.next() % UInt64(bytes.count - low))
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            if let db = try? BoltDB.open(bytes: bytes, name: "test.db") {
                opened += 1
                _ = try? Self.tree(try db.root)
            }
        }
        #expect(opened > 0)
    }
}

struct BoltSplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
