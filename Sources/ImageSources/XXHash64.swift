// XXH64 (the hash zstd frames use for their content checksum: the low 32 bits,
// seed 0), streaming. Written from the xxHash specification.

public struct XXHash64: Sendable {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private let seed: UInt64
    private var total: UInt64 = 0
    /// Up to 31 bytes not yet folded into the four lanes.
    private var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var pendingCount = 0

    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXHash64.p1 &+ XXHash64.p2
        v2 = seed &+ XXHash64.p2
        v3 = seed
        v4 = seed &- XXHash64.p1
    }

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x &<< r) | (x &>> (64 - r)) }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { update(base, count: b.count) }
        }
    }

    public mutating func update(_ p: UnsafePointer<UInt8>, count: Int) {
        total &+= UInt64(count)
        var i = 0
        // Top up the pending stripe first.
        if pendingCount > 0 {
            withUnsafeMutableBytes(of: &pending) { buf in
                while pendingCount < 32 && i < count {
                    buf[pendingCount] = p[i]
                    pendingCount += 1
                    i += 1
                }
            }
            if pendingCount < 32 { return }
            let (a, b, c, d) = pending
            v1 = XXHash64.round(v1, a.littleEndian)
            v2 = XXHash64.round(v2, b.littleEndian)
            v3 = XXHash64.round(v3, c.littleEndian)
            v4 = XXHash64.round(v4, d.littleEndian)
            pendingCount = 0
        }
        let raw = UnsafeRawPointer(p)
        var a = v1, b = v2, c = v3, d = v4
        while count - i >= 32 {
            a = XXHash64.round(a, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
            b = XXHash64.round(b, raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self).littleEndian)
            c = XXHash64.round(c, raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self).littleEndian)
            d = XXHash64.round(d, raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self).littleEndian)
            i += 32
        }
        v1 = a; v2 = b; v3 = c; v4 = d
        if i < count {
            withUnsafeMutableBytes(of: &pending) { buf in
                while i < count {
                    buf[pendingCount] = p[i]
                    pendingCount += 1
                    i += 1
                }
            }
        }
    }

    public var digest: UInt64 {
        var h: UInt64
        if total >= 32 {
            h = XXHash64.rotl(v1, 1) &+ XXHash64.rotl(v2, 7) &+ XXHash64.rotl(v3, 12) &+ XXHash64.rotl(v4, 18)
            h = XXHash64.merge(h, v1)
            h = XXHash64.merge(h, v2)
            h = XXHash64.merge(h, v3)
            h = XXHash64.merge(h, v4)
        } else {
            h = seed &+ XXHash64.p5
        }
        h &+= total
        var rest = pending
        let n = pendingCount
        withUnsafeBytes(of: &rest) { buf in
            var i = 0
            while n - i >= 8 {
                h ^= XXHash64.round(0, buf.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
                h = XXHash64.rotl(h, 27) &* XXHash64.p1 &+ XXHash64.p4
                i += 8
            }
            if n - i >= 4 {
                h ^= UInt64(buf.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian) &* XXHash64.p1
                h = XXHash64.rotl(h, 23) &* XXHash64.p2 &+ XXHash64.p3
                i += 4
            }
            while i < n {
                h ^= UInt64(buf[i]) &* XXHash64.p5
                h = XXHash64.rotl(h, 11) &* XXHash64.p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= XXHash64.p2
        h ^= h >> 29
        h &*= XXHash64.p3
        h ^= h >> 32
        return h
    }

    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        var x = XXHash64(seed: seed)
        x.update(bytes)
        return x.digest
    }
}
