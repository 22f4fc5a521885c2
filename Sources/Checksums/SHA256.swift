// SHA-256 (FIPS 180-4) for fingerprints and content digests: the one-shot
// form of SHA256Stream (same code), checked against the standard vectors.

public enum SHA256 {
    /// The 32-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var h = SHA256Stream()
        h.update(message)
        return h.finalize()
    }

    /// Lowercase hex of the digest (64 characters).
    public static func hex(_ message: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(64)
        for b in digest(message) {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return s
    }

}
