// Zstandard (RFC 8878) decoding, streaming and pull-based like the Inflater:
// compressed bytes are pulled from a ByteSource one block at a time and the
// decoded bytes are handed out through read(into:).
//
// Frames (several in a row, as `cat a.zst b.zst` gives), skippable frames,
// raw / RLE / compressed blocks, Huffman-coded literals (1 or 4 streams,
// tables repeated between blocks), FSE-coded sequences (predefined, RLE,
// compressed and repeated tables), repeat offsets, Frame_Content_Size and
// the XXH64 content checksum are checked. Frames that need a dictionary are
// refused with a clear error (no dictionary is ever given to a layer).
//
// Memory is bounded: the window a frame declares (refused above `maxWindow`,
// 128 MiB by default, the reference decoder's own default limit), plus two
// blocks (128 KiB each) and fixed tables. The window is a ring: a block is
// decoded contiguously, and when it would not fit before the end of the
// buffer, decoding restarts at its front while the bytes at the back stay
// readable as history.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum ZstdError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The input is not a valid zstd stream (the text says where it broke).
    case corrupt(String)
    /// The input ended in the middle of a frame.
    case truncated
    /// A frame's content checksum (XXH64, low 32 bits) does not match its contents.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The decoded output would exceed the cap given to the reader.
    case outputLimitExceeded(limit: Int64)
    /// A frame needs a larger window than the reader allows.
    case windowTooLarge(needed: UInt64, limit: Int)
    /// A frame was compressed with a dictionary (its id), which is not available.
    case dictionaryRequired(UInt32)
    /// The input does not start with a zstd frame (or skippable frame) magic number.
    case notZstd

    public var description: String {
        switch self {
        case .corrupt(let why): return "corrupt zstd data: \(why)"
        case .truncated: return "zstd data is truncated"
        case .checksumMismatch(let s, let c):
            return "zstd content checksum mismatch: \(ZstdError.hex(s)) stored, \(ZstdError.hex(c)) computed"
        case .outputLimitExceeded(let limit): return "decompressed size exceeds the limit of \(limit) bytes (decompression bomb?)"
        case .windowTooLarge(let needed, let limit):
            return "zstd frame needs a \(needed)-byte window, more than the \(limit)-byte limit (the reference decoder refuses it too without --long=31 / --memory)"
        case .dictionaryRequired(let id):
            return "zstd frame was compressed with dictionary \(id); decoding with dictionaries is not supported"
        case .notZstd: return "not zstd data (no 28 b5 2f fd magic)"
        }
    }

    /// True for the decompression-bomb cap (the scan says "stopped" rather than "corrupt").
    public var isOutputLimit: Bool {
        if case .outputLimitExceeded = self { return true }
        return false
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}

// MARK: - bit readers

/// A zstd backward bitstream: read from the end towards the start, the first
/// bit read being the one below the highest set bit of the last byte.
struct ZstdBackwardBits {
    let start: UnsafePointer<UInt8>
    /// Offset from `start` of the 8 bytes in `container`.
    var pos: Int
    var container: UInt64
    /// Bits used from the top of `container`; more than 64 means the stream was over-read.
    var consumed: Int

    init(_ start: UnsafePointer<UInt8>, count: Int) throws(ZstdError) {
        guard count > 0 else { throw .corrupt("empty bitstream") }
        let last = start[count - 1]
        guard last != 0 else { throw .corrupt("bitstream has no end mark") }
        self.start = start
        let skip = last.leadingZeroBitCount + 1
        if count >= 8 {
            pos = count - 8
            container = UnsafeRawPointer(start + pos).loadUnaligned(as: UInt64.self).littleEndian
            consumed = skip
        } else {
            pos = 0
            var c: UInt64 = 0
            for i in 0..<count { c |= UInt64(start[i]) << UInt64(8 * i) }
            container = c
            consumed = skip + (8 - count) * 8
        }
    }

    /// The next `n` bits (0...56 after a reload), most significant first.
    @inline(__always)
    mutating func read(_ n: Int) -> Int {
        let v = ((container &<< UInt64(truncatingIfNeeded: consumed)) &>> 1) &>> UInt64(truncatingIfNeeded: 63 &- n)
        consumed &+= n
        return Int(truncatingIfNeeded: v)
    }

    /// The next `n` bits (1...56) without using them.
    @inline(__always)
    func peek(_ n: Int) -> Int {
        Int(truncatingIfNeeded: (container &<< UInt64(truncatingIfNeeded: consumed)) &>> UInt64(truncatingIfNeeded: 64 &- n))
    }

    /// Refills the container so that at least 56 bits are available, unless the start is near.
    @inline(__always)
    mutating func reload() {
        if consumed > 64 { return }
        if pos >= 8 {
            pos &-= consumed &>> 3
            consumed &= 7
            container = UnsafeRawPointer(start + pos).loadUnaligned(as: UInt64.self).littleEndian
            return
        }
        if pos == 0 { return }
        let bytes = min(consumed &>> 3, pos)
        pos &-= bytes
        consumed &-= bytes &<< 3
        container = UnsafeRawPointer(start + pos).loadUnaligned(as: UInt64.self).littleEndian
    }

    /// True when fewer than 8 bytes are left before the start (reloads no longer give 56 bits).
    var nearStart: Bool { pos < 8 }
    /// True once every bit of the stream has been read, exactly.
    var finished: Bool { pos == 0 && consumed == 64 }
    /// True when more bits were read than the stream has.
    var overflowed: Bool { consumed > 64 }
}

/// A little-endian forward bit reader over a bounded buffer (FSE table headers).
struct ZstdForwardBits {
    let base: UnsafePointer<UInt8>
    let count: Int
    var bitPos = 0

    init(_ base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    /// 32 bits from the current position (bytes past the end read as zero).
    func peek32() -> UInt32 {
        let byte = bitPos >> 3
        var v: UInt64 = 0
        for k in 0..<5 where byte + k < count { v |= UInt64(base[byte + k]) << UInt64(8 * k) }
        return UInt32(truncatingIfNeeded: v >> UInt64(bitPos & 7))
    }
}

// MARK: - tables

/// One state of a sequence FSE table, with the symbol's baseline and extra bits folded in.
struct ZstdSeqEntry {
    var newStateBase: UInt16
    var nbBits: UInt8
    var nbAddBits: UInt8
    var baseValue: UInt32
}

/// FSE decode tables (RFC 8878 4.1): normalised counts -> states.
enum ZstdFSE {
    /// Reads an FSE table description; returns the normalised counts, the accuracy log and bytes used.
    static func readCounts(_ p: UnsafePointer<UInt8>, count avail: Int, maxSymbol: Int, maxLog: Int) throws(ZstdError)
        -> (counts: [Int16], log: Int, used: Int) {
        guard avail >= 1 else { throw .corrupt("FSE table description is empty") }
        var br = ZstdForwardBits(p, count: avail)
        let log = Int(p[0] & 15) + 5
        if log > maxLog { throw .corrupt("FSE accuracy log \(log) exceeds \(maxLog)") }
        br.bitPos = 4
        var remaining = (1 << log) + 1
        var threshold = 1 << log
        var nbBits = log + 1
        var symbol = 0
        var counts: [Int16] = []
        counts.reserveCapacity(maxSymbol + 1)
        var previous0 = false
        while remaining > 1 {
            if symbol > maxSymbol { throw .corrupt("FSE table describes too many symbols") }
            if previous0 {
                // Repeat flags: 2 bits each, 3 means "3 more and another flag".
                var n0 = symbol
                while true {
                    let flag = Int(br.peek32() & 3)
                    br.bitPos += 2
                    n0 += flag
                    if flag != 3 { break }
                    if n0 > maxSymbol + 1 || br.bitPos > avail * 8 { throw .corrupt("FSE zero run runs past the last symbol") }
                }
                if n0 > maxSymbol + 1 { throw .corrupt("FSE zero run runs past the last symbol") }
                while symbol < n0 { counts.append(0); symbol += 1 }
                if symbol > maxSymbol { throw .corrupt("FSE table describes too many symbols") }
            }
            let bits = Int(br.peek32())
            let maxValue = 2 * threshold - 1 - remaining
            var c: Int
            if bits & (threshold - 1) < maxValue {
                c = bits & (threshold - 1)
                br.bitPos += nbBits - 1
            } else {
                c = bits & (2 * threshold - 1)
                if c >= threshold { c -= maxValue }
                br.bitPos += nbBits
            }
            c -= 1
            remaining -= c < 0 ? -c : c
            counts.append(Int16(c))
            symbol += 1
            previous0 = c == 0
            if remaining < 1 { throw .corrupt("FSE probabilities add up to more than the table") }
            while remaining < threshold && nbBits > 1 {
                nbBits -= 1
                threshold >>= 1
            }
            if br.bitPos > avail * 8 { throw .corrupt("FSE table description is truncated") }
        }
        if remaining != 1 { throw .corrupt("FSE probabilities do not fill the table") }
        let used = (br.bitPos + 7) >> 3
        if used > avail { throw .corrupt("FSE table description is truncated") }
        return (counts, log, used)
    }

    /// Spreads the symbols over the table; returns, per state, the symbol, the bits to read and the next base.
    static func build(_ counts: [Int16], log: Int) throws(ZstdError) -> (symbol: [UInt8], nbBits: [UInt8], base: [UInt16]) {
        let size = 1 << log
        var symbol = [UInt8](repeating: 0, count: size)
        var next = [Int](repeating: 0, count: counts.count)
        var high = size - 1
        for (s, c) in counts.enumerated() where c == -1 {
            symbol[high] = UInt8(s)
            high -= 1
            next[s] = 1
        }
        let step = (size >> 1) + (size >> 3) + 3
        let mask = size - 1
        var pos = 0
        for (s, c) in counts.enumerated() where c > 0 {
            next[s] = Int(c)
            for _ in 0..<Int(c) {
                symbol[pos] = UInt8(s)
                repeat { pos = (pos + step) & mask } while pos > high
            }
        }
        if pos != 0 { throw .corrupt("FSE table does not spread evenly") }
        var nbBits = [UInt8](repeating: 0, count: size)
        var base = [UInt16](repeating: 0, count: size)
        for u in 0..<size {
            let s = Int(symbol[u])
            let n = next[s]
            next[s] += 1
            let bits = log - (Int.bitWidth - 1 - n.leadingZeroBitCount)
            nbBits[u] = UInt8(bits)
            base[u] = UInt16((n << bits) - size)
        }
        return (symbol, nbBits, base)
    }
}

/// Literals-length, match-length and offset codes: baselines and extra bits (RFC 8878 3.1.1.3.2.1).
enum ZstdCodes {
    static let llBase: [UInt32] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                   16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
                                   8192, 16384, 32768, 65536]
    static let llBits: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
                                  13, 14, 15, 16]
    static let mlBase: [UInt32] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                   19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
                                   35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
                                   4099, 8195, 16387, 32771, 65539]
    static let mlBits: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                  1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
                                  12, 13, 14, 15, 16]
    static let llDefault: [Int16] = [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
                                     2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
                                     -1, -1, -1, -1]
    static let mlDefault: [Int16] = [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
                                     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1,
                                     -1, -1, -1, -1, -1]
    static let ofDefault: [Int16] = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
                                     1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1]
}

/// A sequence table (literals lengths, match lengths or offsets) kept between blocks for "repeat" mode.
final class ZstdSeqTable {
    enum Kind { case literalLength, matchLength, offset }
    let kind: Kind
    let entries: UnsafeMutablePointer<ZstdSeqEntry>
    var log = 0
    var valid = false

    init(_ kind: Kind) {
        self.kind = kind
        entries = .allocate(capacity: 512)
        entries.initialize(repeating: ZstdSeqEntry(newStateBase: 0, nbBits: 0, nbAddBits: 0, baseValue: 0), count: 512)
    }

    deinit { entries.deallocate() }

    var maxSymbol: Int {
        switch kind {
        case .literalLength: return 35
        case .matchLength: return 52
        case .offset: return 31
        }
    }

    var maxLog: Int { kind == .offset ? 8 : 9 }

    @inline(__always) func entry(symbol s: Int) -> (base: UInt32, bits: UInt8) {
        switch kind {
        case .literalLength: return (ZstdCodes.llBase[s], ZstdCodes.llBits[s])
        case .matchLength: return (ZstdCodes.mlBase[s], ZstdCodes.mlBits[s])
        case .offset: return (UInt32(1) << UInt32(s), UInt8(s))
        }
    }

    func fill(_ counts: [Int16], log: Int) throws(ZstdError) {
        let (symbols, nbBits, bases) = try ZstdFSE.build(counts, log: log)
        for u in 0..<(1 << log) {
            let (b, add) = entry(symbol: Int(symbols[u]))
            entries[u] = ZstdSeqEntry(newStateBase: bases[u], nbBits: nbBits[u], nbAddBits: add, baseValue: b)
        }
        self.log = log
        valid = true
    }

    func predefined() throws(ZstdError) {
        switch kind {
        case .literalLength: try fill(ZstdCodes.llDefault, log: 6)
        case .matchLength: try fill(ZstdCodes.mlDefault, log: 6)
        case .offset: try fill(ZstdCodes.ofDefault, log: 5)
        }
    }

    func rle(_ symbol: Int) throws(ZstdError) {
        if symbol > maxSymbol { throw .corrupt("RLE sequence symbol \(symbol) is out of range") }
        let (b, add) = entry(symbol: symbol)
        entries[0] = ZstdSeqEntry(newStateBase: 0, nbBits: 0, nbAddBits: add, baseValue: b)
        log = 0
        valid = true
    }

    /// Sets the table from a compression mode (0 predefined, 1 RLE, 2 FSE, 3 repeat); returns bytes used.
    func setUp(mode: Int, _ p: UnsafePointer<UInt8>, count: Int) throws(ZstdError) -> Int {
        switch mode {
        case 0:
            try predefined()
            return 0
        case 1:
            guard count >= 1 else { throw .truncated }
            try rle(Int(p[0]))
            return 1
        case 2:
            let (counts, log, used) = try ZstdFSE.readCounts(p, count: count, maxSymbol: maxSymbol, maxLog: maxLog)
            try fill(counts, log: log)
            return used
        default:
            guard valid else { throw .corrupt("repeat sequence table mode with no previous table") }
            return 0
        }
    }
}

// MARK: - the reader

/// Decodes a zstd stream (one or more frames) pulled from a ByteSource.
public final class ZstdReader: ByteSource {
    /// The largest window accepted by default: 128 MiB (windowLog 27), as the reference decoder.
    public static let defaultMaxWindow = 1 << 27
    static let blockMax = 128 << 10
    static let slack = 64
    private static let inCapacity = (256 << 10) + 64

    private let source: ByteSource
    private let maxOutput: Int64?
    private let maxWindow: Int

    private let inBuf: UnsafeMutablePointer<UInt8>
    private var inPos = 0
    private var inEnd = 0
    private var inEOF = false

    private var window: UnsafeMutablePointer<UInt8>?
    private var windowCapacity = 0
    private var outPos = 0
    private var readPos = 0
    /// End of the valid bytes at the back of the ring after decoding restarted at the front (0: none).
    private var wrapEnd = 0

    private enum State { case frameStart, blockHeader, checksum, done }
    private var state = State.frameStart
    private var frames = 0

    // The current frame.
    private var windowSize = 0
    private var blockLimit = 0
    private var contentSize: UInt64?
    private var hasChecksum = false
    private var frameOut: UInt64 = 0
    private var hasher = XXHash64()

    private var rep0 = 1, rep1 = 4, rep2 = 8
    private let ll = ZstdSeqTable(.literalLength)
    private let ml = ZstdSeqTable(.matchLength)
    private let of = ZstdSeqTable(.offset)
    /// Huffman lookup: entry = symbol << 8 | code length, indexed by the next `hufBits` bits.
    private let huf: UnsafeMutablePointer<UInt16>
    private var hufBits = 0
    private var hufValid = false
    private let literals: UnsafeMutablePointer<UInt8>

    /// Total decoded bytes so far.
    public private(set) var totalOut: Int64 = 0
    /// Compressed bytes pulled from the source so far.
    public private(set) var totalIn: Int64 = 0
    /// zstd frames fully decoded (skippable frames not counted).
    public private(set) var framesDecoded = 0
    /// Skippable frames passed over.
    public private(set) var skippableFrames = 0
    /// Bytes of the ring buffer now allocated (window + two blocks + slack).
    var allocatedWindow: Int { windowCapacity }

    /// - Parameters:
    ///   - source: the compressed bytes.
    ///   - maxOutput: stop with `ZstdError.outputLimitExceeded` past this many decoded bytes.
    ///   - maxWindow: refuse frames that need a larger window (`ZstdError.windowTooLarge`).
    public init(source: ByteSource, maxOutput: Int64? = nil, maxWindow: Int = ZstdReader.defaultMaxWindow) {
        self.source = source
        self.maxOutput = maxOutput
        self.maxWindow = maxWindow
        inBuf = .allocate(capacity: ZstdReader.inCapacity)
        inBuf.initialize(repeating: 0, count: ZstdReader.inCapacity)
        huf = .allocate(capacity: 1 << 11)
        huf.initialize(repeating: 0, count: 1 << 11)
        literals = .allocate(capacity: ZstdReader.blockMax + ZstdReader.slack)
        literals.initialize(repeating: 0, count: ZstdReader.blockMax + ZstdReader.slack)
    }

    deinit {
        inBuf.deallocate()
        window?.deallocate()
        huf.deallocate()
        literals.deallocate()
    }

    /// Decompresses a whole zstd buffer.
    public static func decompress(_ data: [UInt8], maxOutput: Int64? = nil, maxWindow: Int = defaultMaxWindow) throws -> [UInt8] {
        try ZstdReader(source: MemorySource(data), maxOutput: maxOutput, maxWindow: maxWindow).readAll()
    }

    /// True when the bytes start with a zstd frame magic (28 b5 2f fd) or a skippable frame magic (5X 2a 4d 18).
    public static func hasMagic(_ prefix: some Collection<UInt8>) -> Bool {
        let b = Array(prefix.prefix(4))
        guard b.count == 4 else { return false }
        if b == [0x28, 0xb5, 0x2f, 0xfd] { return true }
        return b[0] & 0xf0 == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let dst = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while readPos == outPos {
            if case .done = state { return 0 }
            try produce()
        }
        let n = min(buffer.count, outPos - readPos)
        dst.copyMemory(from: window! + readPos, byteCount: n)
        readPos += n
        return n
    }

    // MARK: input

    /// Bytes available in the input buffer.
    private var available: Int { inEnd - inPos }

    /// Makes `n` contiguous bytes available at `inBuf + inPos`; false when the input ends first.
    private func fill(_ n: Int) throws -> Bool {
        if inEnd - inPos >= n { return true }
        if inPos > 0 {
            let keep = inEnd - inPos
            if keep > 0 { inBuf.update(from: inBuf + inPos, count: keep) }
            inPos = 0
            inEnd = keep
        }
        while inEnd < n && !inEOF {
            let got = try source.read(into: UnsafeMutableRawBufferPointer(start: inBuf + inEnd,
                                                                            count: ZstdReader.inCapacity - ZstdReader.slack - inEnd))
            if got == 0 { inEOF = true; break }
            inEnd += got
            totalIn += Int64(got)
        }
        return inEnd - inPos >= n
    }

    private func need(_ n: Int) throws {
        if try !fill(n) { throw ZstdError.truncated }
    }

    private func le(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(p[i]) << UInt64(8 * i) }
        return v
    }

    // MARK: frames

    private func produce() throws {
        while readPos == outPos {
            switch state {
            case .done:
                return
            case .frameStart:
                if try !fill(1) {
                    if frames == 0 { throw ZstdError.truncated }
                    state = .done
                    return
                }
                try startFrame()
            case .blockHeader:
                try decodeBlock()
            case .checksum:
                try need(4)
                let stored = UInt32(le(inBuf + inPos, 4))
                inPos += 4
                let computed = UInt32(truncatingIfNeeded: hasher.digest)
                if stored != computed { throw ZstdError.checksumMismatch(stored: stored, computed: computed) }
                endFrame()
            }
        }
    }

    private func startFrame() throws {
        if try !fill(4) { throw frames == 0 ? ZstdError.notZstd : ZstdError.corrupt("trailing bytes after the last frame") }
        let magic = UInt32(le(inBuf + inPos, 4))
        if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            try need(8)
            var skip = Int64(le(inBuf + inPos + 4, 4))
            inPos += 8
            while skip > 0 {
                if available == 0, try !fill(1) { throw ZstdError.truncated }
                let n = Int(min(Int64(available), skip))
                inPos += n
                skip -= Int64(n)
            }
            frames += 1
            skippableFrames += 1
            return
        }
        if magic != 0xFD2F_B528 {
            throw frames == 0 ? ZstdError.notZstd : ZstdError.corrupt("unknown frame magic \(ZstdError.hex(magic)) after frame \(frames)")
        }
        try need(5)
        let fhd = inBuf[inPos + 4]
        let fcsFlag = Int(fhd >> 6)
        let single = fhd & 0x20 != 0
        if fhd & 0x08 != 0 { throw ZstdError.corrupt("reserved bit set in the frame header") }
        hasChecksum = fhd & 0x04 != 0
        let didSize = [0, 1, 2, 4][Int(fhd & 3)]
        let fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag]
        let headerSize = 5 + (single ? 0 : 1) + didSize + fcsSize
        try need(headerSize)
        var p = inBuf + inPos + 5
        var window: UInt64 = 0
        if !single {
            let wd = p[0]
            let log = 10 + Int(wd >> 3)
            let base: UInt64 = 1 << UInt64(log)
            window = base + (base / 8) * UInt64(wd & 7)
            p += 1
        }
        if didSize > 0 {
            let id = UInt32(le(p, didSize))
            if id != 0 { throw ZstdError.dictionaryRequired(id) }
            p += didSize
        }
        if fcsSize > 0 {
            var fcs = le(p, fcsSize)
            if fcsSize == 2 { fcs += 256 }
            contentSize = fcs
        } else {
            contentSize = nil
        }
        if single { window = contentSize ?? 0 }
        inPos += headerSize
        if window > UInt64(maxWindow) { throw ZstdError.windowTooLarge(needed: window, limit: maxWindow) }
        windowSize = Int(window)
        blockLimit = min(windowSize, ZstdReader.blockMax)
        try allocateWindow()
        frameOut = 0
        hasher = XXHash64()
        rep0 = 1; rep1 = 4; rep2 = 8
        ll.valid = false; ml.valid = false; of.valid = false
        hufValid = false
        state = .blockHeader
    }

    private func allocateWindow() throws {
        let needed = windowSize + 2 * ZstdReader.blockMax + 2 * ZstdReader.slack
        if windowCapacity >= needed, window != nil { return }
        window?.deallocate()
        let w = UnsafeMutablePointer<UInt8>.allocate(capacity: needed)
        w.initialize(repeating: 0, count: min(needed, 4 << 20))
        window = w
        windowCapacity = needed
        outPos = 0
        readPos = 0
        wrapEnd = 0
    }

    private func endFrame() {
        frames += 1
        framesDecoded += 1
        state = .frameStart
    }

    private func decodeBlock() throws {
        try need(3)
        let h = Int(le(inBuf + inPos, 3))
        inPos += 3
        let last = h & 1 != 0
        let type = (h >> 1) & 3
        let size = h >> 3
        // Room for a whole block: restart at the front of the ring when the back is short.
        if outPos + ZstdReader.blockMax + ZstdReader.slack > windowCapacity {
            wrapEnd = outPos
            outPos = 0
            readPos = 0
        }
        let win = window!
        let start = outPos
        switch type {
        case 0:
            if size > blockLimit { throw ZstdError.corrupt("raw block of \(size) bytes exceeds the block size limit \(blockLimit)") }
            try need(size)
            (win + outPos).update(from: inBuf + inPos, count: size)
            inPos += size
            outPos += size
        case 1:
            if size > blockLimit { throw ZstdError.corrupt("RLE block of \(size) bytes exceeds the block size limit \(blockLimit)") }
            try need(1)
            (win + outPos).update(repeating: inBuf[inPos], count: size)
            inPos += 1
            outPos += size
        case 2:
            if size > blockLimit { throw ZstdError.corrupt("compressed block of \(size) bytes exceeds the block size limit \(blockLimit)") }
            try need(size)
            let p = UnsafePointer(inBuf + inPos)
            inPos += size
            try decodeCompressed(p, size)
        default:
            throw ZstdError.corrupt("reserved block type 3")
        }
        let produced = outPos - start
        frameOut += UInt64(produced)
        totalOut += Int64(produced)
        if hasChecksum && produced > 0 { hasher.update(win + start, count: produced) }
        if let maxOutput, totalOut > maxOutput { throw ZstdError.outputLimitExceeded(limit: maxOutput) }
        if let c = contentSize, frameOut > c { throw ZstdError.corrupt("frame holds more than its declared \(c) bytes") }
        if last {
            if let c = contentSize, frameOut != c { throw ZstdError.corrupt("frame holds \(frameOut) bytes, its header says \(c)") }
            if hasChecksum { state = .checksum } else { endFrame() }
        }
    }

    // MARK: compressed blocks

    private func decodeCompressed(_ p: UnsafePointer<UInt8>, _ size: Int) throws {
        let (lit, litCount, used) = try decodeLiterals(p, size)
        try decodeSequences(p + used, size - used, literals: lit, count: litCount)
    }

    /// The literals section: returns where the literals are, how many, and the section's size.
    private func decodeLiterals(_ p: UnsafePointer<UInt8>, _ size: Int) throws -> (UnsafePointer<UInt8>, Int, Int) {
        guard size >= 1 else { throw ZstdError.corrupt("empty compressed block") }
        let b0 = Int(p[0])
        let type = b0 & 3
        let sizeFormat = (b0 >> 2) & 3
        if type == 0 || type == 1 {
            var hdr = 1, regen = b0 >> 3
            if sizeFormat == 1 {
                guard size >= 2 else { throw ZstdError.corrupt("literals header is truncated") }
                hdr = 2; regen = (b0 >> 4) + (Int(p[1]) << 4)
            } else if sizeFormat == 3 {
                guard size >= 3 else { throw ZstdError.corrupt("literals header is truncated") }
                hdr = 3; regen = (b0 >> 4) + (Int(p[1]) << 4) + (Int(p[2]) << 12)
            }
            if regen > blockLimit { throw ZstdError.corrupt("\(regen) literals exceed the block size limit") }
            if type == 0 {
                guard hdr + regen <= size else { throw ZstdError.corrupt("raw literals run past the block") }
                return (p + hdr, regen, hdr + regen)
            }
            guard hdr + 1 <= size else { throw ZstdError.corrupt("RLE literals run past the block") }
            literals.update(repeating: p[hdr], count: regen)
            return (UnsafePointer(literals), regen, hdr + 1)
        }
        // Huffman-coded literals.
        let hdr = [3, 3, 4, 5][sizeFormat]
        guard size >= hdr else { throw ZstdError.corrupt("literals header is truncated") }
        let v = Int(le(p, hdr)) >> 4
        let fieldBits = [10, 10, 14, 18][sizeFormat]
        let regen = v & ((1 << fieldBits) - 1)
        let comp = v >> fieldBits
        let streams = sizeFormat == 0 ? 1 : 4
        if regen > blockLimit { throw ZstdError.corrupt("\(regen) literals exceed the block size limit") }
        guard hdr + comp <= size else { throw ZstdError.corrupt("compressed literals run past the block") }
        var q = p + hdr
        var left = comp
        if type == 2 {
            let t = try readHuffmanTable(q, left)
            q += t
            left -= t
        } else if !hufValid {
            throw ZstdError.corrupt("treeless literals with no previous Huffman table")
        }
        if streams == 1 {
            try decodeHuffmanStream(q, left, into: literals, count: regen)
        } else {
            guard left >= 10 else { throw ZstdError.corrupt("four-stream literals are too short") }
            let s1 = Int(q[0]) | Int(q[1]) << 8
            let s2 = Int(q[2]) | Int(q[3]) << 8
            let s3 = Int(q[4]) | Int(q[5]) << 8
            let s4 = left - 6 - s1 - s2 - s3
            guard s4 >= 1 else { throw ZstdError.corrupt("literal stream sizes exceed the literals section") }
            let seg = (regen + 3) / 4
            let last = regen - 3 * seg
            guard last >= 0 else { throw ZstdError.corrupt("too few literals for four streams") }
            try decodeHuffmanStreams(q + 6, s1, s2, s3, s4, into: literals, segment: seg, last: last)
        }
        return (UnsafePointer(literals), regen, hdr + comp)
    }

    /// Reads a Huffman tree description into `huf`; returns its size in bytes.
    private func readHuffmanTable(_ p: UnsafePointer<UInt8>, _ avail: Int) throws -> Int {
        guard avail >= 1 else { throw ZstdError.corrupt("Huffman tree description is missing") }
        let h = Int(p[0])
        var weights = [UInt8]()
        weights.reserveCapacity(256)
        var used: Int
        if h >= 128 {
            let n = h - 127
            let bytes = (n + 1) / 2
            guard 1 + bytes <= avail else { throw ZstdError.corrupt("Huffman weights run past the literals") }
            for i in 0..<n {
                let b = p[1 + i / 2]
                weights.append(i & 1 == 0 ? b >> 4 : b & 15)
            }
            used = 1 + bytes
        } else {
            guard h >= 1, 1 + h <= avail else { throw ZstdError.corrupt("Huffman weights run past the literals") }
            let (counts, log, hdrUsed) = try ZstdFSE.readCounts(p + 1, count: h, maxSymbol: 255, maxLog: 6)
            let (sym, nb, base) = try ZstdFSE.build(counts, log: log)
            guard hdrUsed < h else { throw ZstdError.corrupt("Huffman weights have no bitstream") }
            var br = try ZstdBackwardBits(p + 1 + hdrUsed, count: h - hdrUsed)
            var s1 = br.read(log)
            var s2 = br.read(log)
            br.reload()
            if br.overflowed { throw ZstdError.corrupt("Huffman weights bitstream is too short") }
            while true {
                if weights.count >= 255 { throw ZstdError.corrupt("more than 255 Huffman weights") }
                weights.append(sym[s1])
                s1 = Int(base[s1]) + br.read(Int(nb[s1]))
                br.reload()
                if br.overflowed { weights.append(sym[s2]); break }
                if weights.count >= 255 { throw ZstdError.corrupt("more than 255 Huffman weights") }
                weights.append(sym[s2])
                s2 = Int(base[s2]) + br.read(Int(nb[s2]))
                br.reload()
                if br.overflowed { weights.append(sym[s1]); break }
            }
            used = 1 + h
        }
        if weights.count > 255 { throw ZstdError.corrupt("more than 255 Huffman weights") }
        var total = 0
        for w in weights {
            if w > 11 { throw ZstdError.corrupt("Huffman weight \(w) is out of range") }
            if w > 0 { total += 1 << (Int(w) - 1) }
        }
        guard total > 0 else { throw ZstdError.corrupt("Huffman weights are all zero") }
        let maxBits = (Int.bitWidth - total.leadingZeroBitCount - 1) + 1
        if maxBits > 11 { throw ZstdError.corrupt("Huffman codes longer than 11 bits") }
        let rest = (1 << maxBits) - total
        guard rest > 0, rest & (rest - 1) == 0 else { throw ZstdError.corrupt("Huffman weights do not complete a prefix code") }
        weights.append(UInt8(Int.bitWidth - rest.leadingZeroBitCount))
        // Lowest weights (longest codes) take the lowest table slots, symbols in order within a weight.
        var pos = 0
        for w in 1...maxBits {
            let span = 1 << (w - 1)
            let entry = UInt16(maxBits + 1 - w)
            for (s, sw) in weights.enumerated() where Int(sw) == w {
                let e = UInt16(s) << 8 | entry
                for k in 0..<span { huf[pos + k] = e }
                pos += span
            }
        }
        if pos != 1 << maxBits { throw ZstdError.corrupt("Huffman table does not fill its code space") }
        hufBits = maxBits
        hufValid = true
        return used
    }

    /// Decodes the four Huffman-coded literal streams, interleaved (four independent bit readers
    /// keep the processor busy), then finishes each one alone near its start.
    private func decodeHuffmanStreams(_ src: UnsafePointer<UInt8>, _ s1: Int, _ s2: Int, _ s3: Int, _ s4: Int,
                                      into dst: UnsafeMutablePointer<UInt8>, segment seg: Int, last: Int) throws {
        if seg == 0 {
            // No literals at all: every stream must still be a valid empty one.
            for (p, n) in [(src, s1), (src + s1, s2), (src + s1 + s2, s3), (src + s1 + s2 + s3, s4)] {
                var br = try ZstdBackwardBits(p, count: n)
                try finishHuffmanStream(&br, into: dst, count: 0)
            }
            return
        }
        var b0 = try ZstdBackwardBits(src, count: s1)
        var b1 = try ZstdBackwardBits(src + s1, count: s2)
        var b2 = try ZstdBackwardBits(src + s1 + s2, count: s3)
        var b3 = try ZstdBackwardBits(src + s1 + s2 + s3, count: s4)
        let table = huf
        let shift = UInt64(64 - hufBits)
        let d0 = dst, d1 = dst + seg, d2 = dst + 2 * seg, d3 = dst + 3 * seg
        var i = 0
        let fastEnd = min(seg, last) - 3
        while i < fastEnd {
            b0.reload(); b1.reload(); b2.reload(); b3.reload()
            if b0.nearStart || b1.nearStart || b2.nearStart || b3.nearStart { break }
            var k = i
            let kEnd = i &+ 4
            while k < kEnd {
                let e0 = table[Int(truncatingIfNeeded: (b0.container &<< UInt64(truncatingIfNeeded: b0.consumed)) &>> shift)]
                let e1 = table[Int(truncatingIfNeeded: (b1.container &<< UInt64(truncatingIfNeeded: b1.consumed)) &>> shift)]
                let e2 = table[Int(truncatingIfNeeded: (b2.container &<< UInt64(truncatingIfNeeded: b2.consumed)) &>> shift)]
                let e3 = table[Int(truncatingIfNeeded: (b3.container &<< UInt64(truncatingIfNeeded: b3.consumed)) &>> shift)]
                d0[k] = UInt8(truncatingIfNeeded: e0 &>> 8); b0.consumed &+= Int(e0 & 0xff)
                d1[k] = UInt8(truncatingIfNeeded: e1 &>> 8); b1.consumed &+= Int(e1 & 0xff)
                d2[k] = UInt8(truncatingIfNeeded: e2 &>> 8); b2.consumed &+= Int(e2 & 0xff)
                d3[k] = UInt8(truncatingIfNeeded: e3 &>> 8); b3.consumed &+= Int(e3 & 0xff)
                k &+= 1
            }
            i &+= 4
        }
        try finishHuffmanStream(&b0, into: d0 + i, count: seg - i)
        try finishHuffmanStream(&b1, into: d1 + i, count: seg - i)
        try finishHuffmanStream(&b2, into: d2 + i, count: seg - i)
        try finishHuffmanStream(&b3, into: d3 + i, count: last - i)
    }

    /// Decodes one Huffman-coded literal stream of exactly `count` symbols.
    private func decodeHuffmanStream(_ src: UnsafePointer<UInt8>, _ size: Int, into dst: UnsafeMutablePointer<UInt8>, count: Int) throws {
        if count == 0 && size == 0 { return }
        var br = try ZstdBackwardBits(src, count: size)
        try finishHuffmanStream(&br, into: dst, count: count)
    }

    /// Decodes the next `count` symbols of a stream; its last bit must be the last symbol's.
    private func finishHuffmanStream(_ br: inout ZstdBackwardBits, into dst: UnsafeMutablePointer<UInt8>, count: Int) throws {
        if count < 0 { throw ZstdError.corrupt("too few literals for four streams") }
        let table = huf
        let bits = hufBits
        var i = 0
        // Four symbols per refill while the stream has at least 8 bytes left (4 x 11 bits <= 56).
        while count - i >= 4 {
            br.reload()
            if br.nearStart { break }
            var e = table[br.peek(bits)]
            dst[i] = UInt8(truncatingIfNeeded: e >> 8); br.consumed += Int(e & 0xff)
            e = table[br.peek(bits)]
            dst[i + 1] = UInt8(truncatingIfNeeded: e >> 8); br.consumed += Int(e & 0xff)
            e = table[br.peek(bits)]
            dst[i + 2] = UInt8(truncatingIfNeeded: e >> 8); br.consumed += Int(e & 0xff)
            e = table[br.peek(bits)]
            dst[i + 3] = UInt8(truncatingIfNeeded: e >> 8); br.consumed += Int(e & 0xff)
            i += 4
        }
        while i < count {
            br.reload()
            if br.consumed > 64 { throw ZstdError.corrupt("Huffman literal stream is too short") }
            let e = table[br.peek(bits)]
            dst[i] = UInt8(truncatingIfNeeded: e >> 8)
            br.consumed += Int(e & 0xff)
            i += 1
        }
        br.reload()
        if !br.finished { throw ZstdError.corrupt("Huffman literal stream does not end where its literals do") }
    }

    /// The sequences section: decodes and executes every sequence, then the last literals.
    private func decodeSequences(_ p: UnsafePointer<UInt8>, _ size: Int, literals lit: UnsafePointer<UInt8>, count litCount: Int) throws {
        let win = window!
        var op = outPos
        let blockEnd = outPos + blockLimit
        guard size >= 1 else { throw ZstdError.corrupt("sequences section is missing") }
        var nbSeq = Int(p[0])
        var q = 1
        if nbSeq >= 128 {
            if nbSeq == 255 {
                guard size >= 3 else { throw ZstdError.corrupt("sequences header is truncated") }
                nbSeq = Int(p[1]) + (Int(p[2]) << 8) + 0x7F00
                q = 3
            } else {
                guard size >= 2 else { throw ZstdError.corrupt("sequences header is truncated") }
                nbSeq = ((nbSeq - 128) << 8) + Int(p[1])
                q = 2
            }
        }
        var litPos = 0
        if nbSeq > 0 {
            guard q < size else { throw ZstdError.corrupt("sequences header is truncated") }
            let modes = Int(p[q])
            q += 1
            if modes & 3 != 0 { throw ZstdError.corrupt("reserved bits set in the sequence compression modes") }
            q += try ll.setUp(mode: modes >> 6, p + q, count: size - q)
            q += try of.setUp(mode: (modes >> 4) & 3, p + q, count: size - q)
            q += try ml.setUp(mode: (modes >> 2) & 3, p + q, count: size - q)
            var br = try ZstdBackwardBits(p + q, count: size - q)
            let llT = ll.entries, ofT = of.entries, mlT = ml.entries
            var llState = br.read(ll.log)
            var ofState = br.read(of.log)
            var mlState = br.read(ml.log)
            br.reload()
            var r0 = rep0, r1 = rep1, r2 = rep2
            let history = windowSize
            let produced = Int(truncatingIfNeeded: frameOut)
            for n in 0..<nbSeq {
                let lE = llT[llState], mE = mlT[mlState], oE = ofT[ofState]
                // Offset, then match length, then literals length (RFC 8878 3.1.1.3.2.1.3).
                let ofCode = Int(oE.nbAddBits), mlBits = Int(mE.nbAddBits), llBits = Int(lE.nbAddBits)
                // One refill per sequence gives 56 bits: enough unless the extra bits are long (then refill between).
                let long = ofCode &+ mlBits &+ llBits > 30
                let ofValue = Int(oE.baseValue) &+ br.read(ofCode)
                if long { br.reload() }
                let mlen = Int(mE.baseValue) &+ br.read(mlBits)
                let llen = Int(lE.baseValue) &+ br.read(llBits)
                if long { br.reload() }
                var offset: Int
                if ofValue > 3 {
                    offset = ofValue - 3
                    r2 = r1; r1 = r0; r0 = offset
                } else {
                    let index = ofValue - 1 + (llen == 0 ? 1 : 0)
                    switch index {
                    case 0:
                        offset = r0
                    case 1:
                        offset = r1
                        r1 = r0; r0 = offset
                    case 2:
                        offset = r2
                        r2 = r1; r1 = r0; r0 = offset
                    default:
                        offset = r0 - 1
                        r2 = r1; r1 = r0; r0 = offset
                    }
                    if offset == 0 { throw ZstdError.corrupt("repeat offset 0") }
                }
                if n &+ 1 < nbSeq {
                    llState = Int(lE.newStateBase) &+ br.read(Int(lE.nbBits))
                    mlState = Int(mE.newStateBase) &+ br.read(Int(mE.nbBits))
                    ofState = Int(oE.newStateBase) &+ br.read(Int(oE.nbBits))
                }
                br.reload()
                // Execute: literals, then the match.
                if llen > litCount &- litPos { throw ZstdError.corrupt("sequence uses more literals than the block has") }
                if llen &+ mlen > blockEnd &- op { throw ZstdError.corrupt("sequences produce more than the block size limit") }
                if llen > 0 {
                    ZstdReader.copy(win + op, lit + litPos, llen)
                    op &+= llen
                    litPos &+= llen
                }
                let reach = produced &+ (op &- outPos)
                if offset > reach || offset > history {
                    throw ZstdError.corrupt("offset \(offset) reaches before the start of the frame or window")
                }
                if mlen > 0 {
                    if offset <= op {
                        let src = win + (op - offset)
                        if offset >= 16 {
                            ZstdReader.copy(win + op, UnsafePointer(src), mlen)
                        } else if mlen <= 32 {
                            for k in 0..<mlen { win[op + k] = src[k] }
                        } else {
                            // A short period repeated: copy whole periods, doubling the distance each time.
                            let dst = win + op
                            var k = 0, d = offset
                            while k < mlen {
                                let n = min(d, mlen - k)
                                (dst + k).update(from: dst + k - d, count: n)
                                k += n
                                d += n
                            }
                        }
                    } else {
                        // The match starts in the back of the ring.
                        var from = wrapEnd - (offset - op)
                        if from < 0 { throw ZstdError.corrupt("offset \(offset) reaches outside the window") }
                        var k = 0
                        while k < mlen && from < wrapEnd { win[op + k] = win[from]; k += 1; from += 1 }
                        var f2 = 0
                        while k < mlen { win[op + k] = win[f2]; k += 1; f2 += 1 }
                    }
                    op &+= mlen
                }
            }
            if !br.finished { throw ZstdError.corrupt("sequence bitstream does not end with its last sequence") }
            rep0 = r0; rep1 = r1; rep2 = r2
        } else if q != size {
            throw ZstdError.corrupt("bytes after an empty sequences section")
        }
        let rest = litCount - litPos
        if rest > blockEnd - op { throw ZstdError.corrupt("block exceeds the block size limit") }
        if rest > 0 {
            (win + op).update(from: lit + litPos, count: rest)
            op += rest
        }
        outPos = op
    }

    /// Forward copy in 16-byte chunks (source at least 16 bytes before the destination, or apart);
    /// may write up to 15 bytes past `count` (the ring and literal buffers have slack for it).
    @inline(__always)
    static func copy(_ dst: UnsafeMutablePointer<UInt8>, _ src: UnsafePointer<UInt8>, _ count: Int) {
        if count <= 16 {
            let a = UnsafeRawPointer(src).loadUnaligned(as: (UInt64, UInt64).self)
            UnsafeMutableRawPointer(dst).storeBytes(of: a, as: (UInt64, UInt64).self)
            return
        }
        var i = 0
        while i < count {
            let a = UnsafeRawPointer(src + i).loadUnaligned(as: (UInt64, UInt64).self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: a, as: (UInt64, UInt64).self)
            i += 16
        }
    }
}
