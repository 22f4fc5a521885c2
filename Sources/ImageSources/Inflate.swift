// DEFLATE (RFC 1951) and gzip (RFC 1952) decoding, streaming and pull-based:
// compressed bytes are pulled from a ByteSource as needed and the decoded bytes
// are handed out through read(into:), so neither the input nor the output is
// ever held whole. Memory is fixed: a 64 KiB input buffer, a 256 KiB window
// (32 KiB of history + room to decode ahead) and the Huffman tables.
//
// Stored, fixed and dynamic blocks; multi-member gzip with CRC-32 and ISIZE
// checks; zero padding after the last member is ignored (as gzip and Python
// do). A cap on the total output stops decompression bombs with an error.
// Written for layer scanning too, so it knows nothing about tar or images.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum InflateError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The input is not a valid stream (bad block type, bad code, distance too far...).
    case corrupt(String)
    /// The input ended in the middle of a stream.
    case truncated
    /// A gzip member's CRC-32 or length does not match its contents.
    case checksumMismatch(String)
    /// The decoded output would exceed the cap given to the reader.
    case outputLimitExceeded(limit: Int64)
    /// The input does not start with the gzip magic bytes.
    case notGzip

    public var description: String {
        switch self {
        case .corrupt(let why): return "corrupt deflate data: \(why)"
        case .truncated: return "compressed data is truncated"
        case .checksumMismatch(let why): return "gzip checksum mismatch: \(why)"
        case .outputLimitExceeded(let limit): return "decompressed size exceeds the limit of \(limit) bytes (decompression bomb?)"
        case .notGzip: return "not gzip data (no 1f 8b magic)"
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected, as in gzip and zip), slicing-by-8.
public struct CRC32: Sendable {
    nonisolated(unsafe) static let tables: UnsafeMutablePointer<UInt32> = {
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for i in 0..<256 {
            var c = t[i]
            for k in 1..<8 {
                c = t[Int(c & 0xff)] ^ (c >> 8)
                t[k * 256 + i] = c
            }
        }
        return t
    }()

    public private(set) var value: UInt32 = 0
    public init() {}

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        update(base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    }

    mutating func update(_ p: UnsafePointer<UInt8>, count: Int) {
        let t = CRC32.tables
        var c = ~value
        var i = 0
        while count - i >= 8 {
            let lo = c ^ (UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24)
            let hi = UInt32(p[i + 4]) | UInt32(p[i + 5]) << 8 | UInt32(p[i + 6]) << 16 | UInt32(p[i + 7]) << 24
            c = t[7 * 256 + Int(lo & 0xff)] ^ t[6 * 256 + Int((lo >> 8) & 0xff)]
                ^ t[5 * 256 + Int((lo >> 16) & 0xff)] ^ t[4 * 256 + Int(lo >> 24)]
                ^ t[3 * 256 + Int(hi & 0xff)] ^ t[2 * 256 + Int((hi >> 8) & 0xff)]
                ^ t[1 * 256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
            i += 8
        }
        while i < count {
            c = t[Int((c ^ UInt32(p[i])) & 0xff)] ^ (c >> 8)
            i += 1
        }
        value = ~c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}

/// A canonical Huffman code: a 10-bit direct lookup table for short codes and
/// the canonical (count, sorted symbols) form for the rare longer ones.
final class HuffmanTable {
    static let fastBits = 10
    /// Entry = symbol << 4 | code length; 0 = longer than fastBits (or unused).
    let fast: UnsafeMutablePointer<UInt16>
    /// Number of codes of each length 0...15.
    let counts: UnsafeMutablePointer<Int32>
    /// Symbols ordered by (length, symbol).
    let symbols: UnsafeMutablePointer<UInt16>

    init() {
        fast = .allocate(capacity: 1 << HuffmanTable.fastBits)
        counts = .allocate(capacity: 16)
        symbols = .allocate(capacity: 320)
    }

    deinit {
        fast.deallocate()
        counts.deallocate()
        symbols.deallocate()
    }

    /// Builds the code from code lengths; throws when the lengths over-subscribe the code space.
    func build(_ lengths: UnsafePointer<UInt8>, count n: Int) throws(InflateError) {
        for i in 0..<16 { counts[i] = 0 }
        for i in 0..<n { counts[Int(lengths[i])] += 1 }
        counts[0] = 0
        var left: Int32 = 1
        for len in 1...15 {
            left <<= 1
            left -= counts[len]
            if left < 0 { throw .corrupt("over-subscribed Huffman code") }
        }
        // Offsets of each length in the sorted symbol list.
        var offs = [Int32](repeating: 0, count: 16)
        for len in 1..<15 { offs[len + 1] = offs[len] + counts[len] }
        for sym in 0..<n where lengths[sym] != 0 {
            let len = Int(lengths[sym])
            symbols[Int(offs[len])] = UInt16(sym)
            offs[len] += 1
        }
        // Fast table: canonical codes, bit-reversed because deflate sends them MSB first.
        fast.initialize(repeating: 0, count: 1 << HuffmanTable.fastBits)
        var code: UInt32 = 0
        var index = 0
        for len in 1...15 {
            let c = Int(counts[len])
            if len <= HuffmanTable.fastBits {
                for k in 0..<c {
                    let sym = symbols[index + k]
                    let codeValue = code + UInt32(k)
                    var rev: UInt32 = 0
                    for b in 0..<len where codeValue & (1 << UInt32(len - 1 - b)) != 0 { rev |= 1 << UInt32(b) }
                    let entry = UInt16(sym) << 4 | UInt16(len)
                    var fill = Int(rev)
                    while fill < (1 << HuffmanTable.fastBits) {
                        fast[fill] = entry
                        fill += 1 << len
                    }
                }
            }
            index += c
            code = (code + UInt32(c)) << 1
        }
    }
}

/// Decodes a raw DEFLATE stream, or a (multi-member) gzip stream, pulled from a ByteSource.
public final class Inflater: ByteSource {
    public enum Format: Sendable { case raw, gzip }

    private static let inCapacity = 64 << 10
    private static let windowCapacity = 256 << 10
    private static let history = 32 << 10
    private static let outLimit = windowCapacity - 258

    private let source: ByteSource
    private let format: Format
    private let maxOutput: Int64?

    private let inBuf: UnsafeMutablePointer<UInt8>
    private var inPos = 0
    private var inEnd = 0
    private var inEOF = false

    private var bitBuf: UInt64 = 0
    private var bitCount = 0

    private let window: UnsafeMutablePointer<UInt8>
    private var outPos = 0      // next byte to decode into
    private var readPos = 0     // next byte to hand out
    private var crcPos = 0      // first byte not yet in the member CRC

    private enum State { case memberHeader, blockHeader, stored(Int), huffman, memberTrailer, done }
    private var state: State
    private var lastBlock = false

    private let lit = HuffmanTable()
    private let dist = HuffmanTable()
    private let lengthsScratch: UnsafeMutablePointer<UInt8>

    private var crc = CRC32()
    private var memberSize: UInt32 = 0

    /// Total decoded bytes so far.
    public private(set) var totalOut: Int64 = 0
    /// Compressed bytes pulled from the source so far.
    public private(set) var totalIn: Int64 = 0
    /// gzip members fully decoded.
    public private(set) var members = 0

    public init(source: ByteSource, format: Format = .raw, maxOutput: Int64? = nil) {
        self.source = source
        self.format = format
        self.maxOutput = maxOutput
        inBuf = .allocate(capacity: Inflater.inCapacity)
        window = .allocate(capacity: Inflater.windowCapacity)
        lengthsScratch = .allocate(capacity: 320)
        state = format == .gzip ? .memberHeader : .blockHeader
    }

    deinit {
        inBuf.deallocate()
        window.deallocate()
        lengthsScratch.deallocate()
    }

    /// Inflates a whole raw DEFLATE buffer.
    public static func inflate(_ data: [UInt8], maxOutput: Int64? = nil) throws -> [UInt8] {
        try Inflater(source: MemorySource(data), format: .raw, maxOutput: maxOutput).readAll()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let dst = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while readPos == outPos {
            if case .done = state { return 0 }
            try produce()
        }
        let n = min(buffer.count, outPos - readPos)
        dst.copyMemory(from: window + readPos, byteCount: n)
        readPos += n
        return n
    }

    // MARK: input

    /// Refills the input buffer; false at the end of the source.
    private func fillInput() throws -> Bool {
        if inEOF { return false }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: inBuf, count: Inflater.inCapacity))
        if n == 0 { inEOF = true; return false }
        inPos = 0
        inEnd = n
        totalIn += Int64(n)
        return true
    }

    /// Tops the bit buffer up to at least 56 bits, or as many as the input has left.
    @inline(__always)
    private func refill() throws {
        bitBuf &= bitCount == 0 ? 0 : (UInt64.max >> UInt64(64 - bitCount))
        if inEnd - inPos >= 8 {
            let word = UnsafeRawPointer(inBuf + inPos).loadUnaligned(as: UInt64.self).littleEndian
            bitBuf |= word << UInt64(bitCount)
            let bytes = (63 - bitCount) >> 3
            inPos += bytes
            bitCount += bytes << 3
            bitBuf &= UInt64.max >> UInt64(64 - bitCount)
            return
        }
        while bitCount <= 56 {
            if inPos == inEnd, try !fillInput() { return }
            bitBuf |= UInt64(inBuf[inPos]) << UInt64(bitCount)
            inPos += 1
            bitCount += 8
        }
    }

    @inline(__always)
    private func bits(_ n: Int) throws -> UInt32 {
        if bitCount < n {
            try refill()
            if bitCount < n { throw InflateError.truncated }
        }
        let v = UInt32(truncatingIfNeeded: bitBuf & ((1 << UInt64(n)) - 1))
        bitBuf >>= UInt64(n)
        bitCount -= n
        return v
    }

    private func byte() throws -> UInt8 { UInt8(try bits(8)) }

    private func alignToByte() {
        let drop = bitCount & 7
        bitBuf >>= UInt64(drop)
        bitCount -= drop
    }

    /// True when no input is left (only meaningful on a byte boundary).
    private func atEndOfInput() throws -> Bool {
        if bitCount >= 8 { return false }
        if inPos < inEnd { return false }
        return try !fillInput()
    }

    // MARK: output

    private func produce() throws {
        // Make room: keep 32 KiB of history once the consumer has taken everything.
        if outPos >= Inflater.outLimit {
            updateCRC()
            let keep = Inflater.history
            (window).update(from: window + (outPos - keep), count: keep)
            outPos = keep
            readPos = keep
            crcPos = keep
        }
        let before = outPos
        try decode()
        totalOut += Int64(outPos - before)
        if let maxOutput, totalOut > maxOutput { throw InflateError.outputLimitExceeded(limit: maxOutput) }
    }

    private func updateCRC() {
        guard format == .gzip, outPos > crcPos else { return }
        crc.update(window + crcPos, count: outPos - crcPos)
        memberSize &+= UInt32(truncatingIfNeeded: outPos - crcPos)
        crcPos = outPos
    }

    /// Runs the state machine until the window is full, a member or the stream ends.
    private func decode() throws {
        while outPos < Inflater.outLimit {
            switch state {
            case .done:
                return
            case .memberHeader:
                try readGzipHeader()
                crc = CRC32()
                memberSize = 0
                crcPos = outPos
                state = .blockHeader
            case .memberTrailer:
                updateCRC()
                alignToByte()
                var stored: UInt32 = 0
                for i in 0..<4 { stored |= UInt32(try byte()) << UInt32(8 * i) }
                var size: UInt32 = 0
                for i in 0..<4 { size |= UInt32(try byte()) << UInt32(8 * i) }
                if stored != crc.value {
                    throw InflateError.checksumMismatch(String(format8(stored)) + " stored, " + format8(crc.value) + " computed")
                }
                if size != memberSize { throw InflateError.checksumMismatch("ISIZE \(size) stored, \(memberSize) decoded") }
                members += 1
                state = try nextMemberFollows() ? .memberHeader : .done
                if case .done = state { return }
            case .blockHeader:
                if lastBlock {
                    lastBlock = false
                    if format == .gzip { state = .memberTrailer; continue }
                    state = .done
                    return
                }
                lastBlock = try bits(1) == 1
                switch try bits(2) {
                case 0:
                    alignToByte()
                    let len = try bits(16)
                    let nlen = try bits(16)
                    if len != ~nlen & 0xffff { throw InflateError.corrupt("stored block length check failed") }
                    state = .stored(Int(len))
                case 1:
                    try buildFixed()
                    state = .huffman
                case 2:
                    try buildDynamic()
                    state = .huffman
                default:
                    throw InflateError.corrupt("invalid block type 3")
                }
            case .stored(var left):
                while left > 0 && outPos < Inflater.outLimit {
                    if bitCount >= 8 {
                        window[outPos] = try byte()
                        outPos += 1
                        left -= 1
                        continue
                    }
                    if inPos == inEnd, try !fillInput() { throw InflateError.truncated }
                    let n = min(left, Inflater.outLimit - outPos, inEnd - inPos)
                    (window + outPos).update(from: inBuf + inPos, count: n)
                    inPos += n
                    outPos += n
                    left -= n
                }
                state = left == 0 ? .blockHeader : .stored(left)
            case .huffman:
                if try decodeHuffman() { state = .blockHeader }
            }
        }
    }

    private func format8(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    private func readGzipHeader() throws {
        alignToByte()
        let id1 = try byte(), id2 = try byte()
        if id1 != 0x1f || id2 != 0x8b { throw InflateError.notGzip }
        if try byte() != 8 { throw InflateError.corrupt("gzip compression method is not deflate") }
        let flags = try byte()
        if flags & 0xe0 != 0 { throw InflateError.corrupt("reserved gzip header flags set") }
        for _ in 0..<6 { _ = try byte() }              // MTIME, XFL, OS
        if flags & 0x04 != 0 {                          // FEXTRA
            let xlen = Int(try byte()) | Int(try byte()) << 8
            for _ in 0..<xlen { _ = try byte() }
        }
        if flags & 0x08 != 0 { while try byte() != 0 {} }   // FNAME
        if flags & 0x10 != 0 { while try byte() != 0 {} }   // FCOMMENT
        if flags & 0x02 != 0 { _ = try byte(); _ = try byte() }  // FHCRC
    }

    /// After a member: another member, or zero padding, or the end.
    private func nextMemberFollows() throws -> Bool {
        while true {
            if try atEndOfInput() { return false }
            // Peek one byte without consuming it unless it is padding.
            if bitCount < 8 { try refill() }
            let b = UInt8(truncatingIfNeeded: bitBuf & 0xff)
            if b == 0 { _ = try byte(); continue }
            if b == 0x1f { return true }
            throw InflateError.corrupt("trailing garbage after gzip member")
        }
    }

    // MARK: Huffman blocks

    private static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                               35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                               3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distBase: [UInt32] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                             257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                             8193, 12289, 16385, 24577]
    private static let distExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                             7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private func buildFixed() throws {
        let l = lengthsScratch
        for i in 0..<144 { l[i] = 8 }
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        for i in 280..<288 { l[i] = 8 }
        try lit.build(l, count: 288)
        for i in 0..<30 { l[i] = 5 }
        try dist.build(l, count: 30)
    }

    private static let clOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private func buildDynamic() throws {
        let hlit = Int(try bits(5)) + 257
        let hdist = Int(try bits(5)) + 1
        let hclen = Int(try bits(4)) + 4
        if hlit > 286 || hdist > 30 { throw InflateError.corrupt("too many length or distance codes") }
        let l = lengthsScratch
        for i in 0..<19 { l[i] = 0 }
        for i in 0..<hclen { l[Inflater.clOrder[i]] = UInt8(try bits(3)) }
        try lit.build(l, count: 19)   // code-length code, borrowed table
        var i = 0
        let total = hlit + hdist
        var codeLengths = [UInt8](repeating: 0, count: total)
        while i < total {
            let sym = try decodeSymbol(lit)
            if sym < 16 {
                codeLengths[i] = UInt8(sym)
                i += 1
                continue
            }
            var repeatValue: UInt8 = 0
            var times: Int
            switch sym {
            case 16:
                if i == 0 { throw InflateError.corrupt("repeat with no previous length") }
                repeatValue = codeLengths[i - 1]
                times = 3 + Int(try bits(2))
            case 17: times = 3 + Int(try bits(3))
            default: times = 11 + Int(try bits(7))
            }
            if i + times > total { throw InflateError.corrupt("code lengths overflow") }
            for _ in 0..<times { codeLengths[i] = repeatValue; i += 1 }
        }
        if codeLengths[256] == 0 { throw InflateError.corrupt("no end-of-block code") }
        try codeLengths.withUnsafeBufferPointer { p throws(InflateError) in
            try lit.build(p.baseAddress!, count: hlit)
            try dist.build(p.baseAddress! + hlit, count: hdist)
        }
    }

    /// Decodes one symbol; assumes nothing about available bits.
    @inline(__always)
    private func decodeSymbol(_ t: HuffmanTable) throws -> Int {
        if bitCount < 15 { try refill() }
        let e = t.fast[Int(bitBuf & UInt64((1 << HuffmanTable.fastBits) - 1))]
        if e != 0 {
            let n = Int(e & 15)
            if n > bitCount { throw InflateError.truncated }
            bitBuf >>= UInt64(n)
            bitCount -= n
            return Int(e >> 4)
        }
        return try decodeSlow(t)
    }

    /// Canonical decoding bit by bit (codes longer than the fast table).
    private func decodeSlow(_ t: HuffmanTable) throws -> Int {
        var code: Int32 = 0, first: Int32 = 0, index: Int32 = 0
        for len in 1...15 {
            if len > bitCount { throw InflateError.truncated }
            code |= Int32((bitBuf >> UInt64(len - 1)) & 1)
            let count = t.counts[len]
            if code - first < count {
                bitBuf >>= UInt64(len)
                bitCount -= len
                return Int(t.symbols[Int(index + code - first)])
            }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw InflateError.corrupt("invalid Huffman code")
    }

    /// Decodes symbols until the block ends (true) or the window is full (false).
    private func decodeHuffman() throws -> Bool {
        let win = window
        while outPos < Inflater.outLimit {
            if bitCount < 48 { try refill() }
            let sym = try decodeSymbol(lit)
            if sym < 256 {
                win[outPos] = UInt8(truncatingIfNeeded: sym)
                outPos += 1
                continue
            }
            if sym == 256 { return true }
            let li = sym - 257
            if li >= 29 { throw InflateError.corrupt("invalid length symbol \(sym)") }
            var length = Int(Inflater.lengthBase[li])
            let le = Int(Inflater.lengthExtra[li])
            if le > 0 { length += Int(try bits(le)) }
            let ds = try decodeSymbol(dist)
            if ds >= 30 { throw InflateError.corrupt("invalid distance symbol \(ds)") }
            var distance = Int(Inflater.distBase[ds])
            let de = Int(Inflater.distExtra[ds])
            if de > 0 { distance += Int(try bits(de)) }
            if distance > outPos {
                throw InflateError.corrupt("distance \(distance) reaches before the start of the output")
            }
            var from = outPos - distance
            if distance >= length {
                (win + outPos).update(from: win + from, count: length)
                outPos += length
            } else {
                for _ in 0..<length {
                    win[outPos] = win[from]
                    outPos += 1
                    from += 1
                }
            }
        }
        return false
    }
}

/// A gzip (RFC 1952) stream reader: multi-member, CRC-checked, with an optional output cap.
public final class GzipReader: ByteSource {
    private let inflater: Inflater

    /// - Parameters:
    ///   - source: the compressed bytes.
    ///   - maxOutput: stop with `InflateError.outputLimitExceeded` past this many decoded bytes.
    public init(source: ByteSource, maxOutput: Int64? = nil) {
        inflater = Inflater(source: source, format: .gzip, maxOutput: maxOutput)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try inflater.read(into: buffer)
    }

    public var totalOut: Int64 { inflater.totalOut }
    public var totalIn: Int64 { inflater.totalIn }
    public var members: Int { inflater.members }

    /// Decompresses a whole gzip buffer.
    public static func decompress(_ data: [UInt8], maxOutput: Int64? = nil) throws -> [UInt8] {
        try Inflater(source: MemorySource(data), format: .gzip, maxOutput: maxOutput).readAll()
    }

    /// True when the bytes start with the gzip magic (1f 8b).
    public static func hasMagic(_ prefix: some Collection<UInt8>) -> Bool {
        var it = prefix.makeIterator()
        return it.next() == 0x1f && it.next() == 0x8b
    }
}
