import DockerfileSyntax
// The package inventory as output: an aligned text table, plain JSON, and
// a CycloneDX 1.5 JSON bill of materials. JSON is written by hand so keys
// come out in a fixed order and the same input gives the same bytes (the
// BOM's serial number is a name-based UUID of its content, not a random one).

extension Inventory {
    /// The inventory in `format`; `notes` (from `packages(in:)`) say what could not be listed.
    public static func render(_ packages: [InstalledPackage], notes: [String] = [], format: InventoryFormat,
                              imageName: String) -> String {
        switch format {
        case .text: return text(packages, notes: notes, imageName: imageName)
        case .json: return json(packages, notes: notes, imageName: imageName)
        case .cyclonedx: return cycloneDX(packages, notes: notes, imageName: imageName)
        }
    }

    // MARK: text

    static func text(_ packages: [InstalledPackage], notes: [String], imageName: String) -> String {
        let header = ["NAME", "VERSION", "ARCH", "LAYER"]
        let rows = packages.map { [$0.name, $0.version, $0.architecture.isEmpty ? "-" : $0.architecture, String($0.layer)] }
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var s = ""
            for (i, c) in cells.enumerated() {
                s += c
                if i < cells.count - 1 { s += String(repeating: " ", count: widths[i] - c.count + 2) }
            }
            return s
        }
        var out = "\(imageName): \(packages.count) package\(packages.count == 1 ? "" : "s")\n"
        if !rows.isEmpty {
            out += line(header) + "\n"
            for r in rows { out += line(r) + "\n" }
        }
        for n in notes { out += "note: \(n)\n" }
        return out
    }

    // MARK: JSON

    static func json(_ packages: [InstalledPackage], notes: [String], imageName: String) -> String {
        let w = JSONWriter()
        w.object {
            w.member("image", imageName)
            w.arrayMember("packages") {
                for p in packages {
                    w.object {
                        w.member("name", p.name)
                        w.member("version", p.version)
                        w.member("architecture", p.architecture)
                        w.member("type", p.kind.rawValue)
                        if let s = p.source { w.member("source", s) }
                        if let l = p.license { w.member("license", l) }
                        w.member("layer", p.layer)
                        w.member("purl", p.purl)
                    }
                }
            }
            w.arrayMember("notes") { for n in notes { w.value(n) } }
        }
        return w.output + "\n"
    }

    // MARK: CycloneDX 1.5

    static func cycloneDX(_ packages: [InstalledPackage], notes: [String], imageName: String) -> String {
        // bom-refs must be unique within the BOM.
        var refs: [String] = []
        var used = Set<String>()
        for p in packages {
            var r = p.purl
            var n = 2
            while !used.insert(r).inserted { r = p.purl + "#\(n)"; n += 1 }
            refs.append(r)
        }
        let serial = "urn:uuid:" + UUID5.make(name: "dflint-inventory\n\(imageName)\n" + refs.joined(separator: "\n")
                                                    + "\n" + packages.map { String($0.layer) }.joined(separator: ","))
        let w = JSONWriter()
        w.object {
            w.member("bomFormat", "CycloneDX")
            w.member("specVersion", "1.5")
            w.member("serialNumber", serial)
            w.member("version", 1)
            w.objectMember("metadata") {
                w.objectMember("tools") {
                    w.arrayMember("components") {
                        w.object {
                            w.member("type", "application")
                            w.member("name", "dflint")
                        }
                    }
                }
                w.objectMember("component") {
                    w.member("type", "container")
                    w.member("bom-ref", "image")
                    w.member("name", imageName)
                }
                if !notes.isEmpty {
                    w.arrayMember("properties") {
                        for n in notes {
                            w.object {
                                w.member("name", "dflint:note")
                                w.member("value", n)
                            }
                        }
                    }
                }
            }
            w.arrayMember("components") {
                for (p, ref) in zip(packages, refs) {
                    w.object {
                        w.member("type", "library")
                        w.member("bom-ref", ref)
                        w.member("name", p.name)
                        if !p.version.isEmpty { w.member("version", p.version) }
                        if let l = p.license, !l.isEmpty {
                            w.arrayMember("licenses") {
                                w.object { w.objectMember("license") { w.member("name", l) } }
                            }
                        }
                        w.member("purl", p.purl)
                        w.arrayMember("properties") {
                            w.object {
                                w.member("name", "dflint:layer")
                                w.member("value", String(p.layer))
                            }
                            if let s = p.source {
                                w.object {
                                    w.member("name", "dflint:source-package")
                                    w.member("value", s)
                                }
                            }
                        }
                    }
                }
            }
            w.arrayMember("dependencies") {
                w.object {
                    w.member("ref", "image")
                    w.arrayMember("dependsOn") { for r in refs { w.value(r) } }
                }
            }
        }
        return w.output + "\n"
    }
}

/// A small pretty-printing JSON writer (a class so nested closures can write to it) with keys in the order they are written.
final class JSONWriter {
    var output = ""
    private var depth = 0
    private var needsComma = false

    static func quote(_ s: String) -> String { JSONText.quote(s) }

    private func newline() {
        if needsComma { output += "," }
        if depth > 0 { output += "\n" + String(repeating: "  ", count: depth) }
    }

    private func open(_ bracket: String, close: String, key: String?, _ body: () -> Void) {
        newline()
        if let key { output += JSONWriter.quote(key) + ": " }
        output += bracket
        depth += 1
        needsComma = false
        let before = output.count
        body()
        depth -= 1
        if output.count != before { output += "\n" + String(repeating: "  ", count: depth) }
        output += close
        needsComma = true
    }

    func object(_ body: () -> Void) { open("{", close: "}", key: nil, body) }
    func objectMember(_ key: String, _ body: () -> Void) { open("{", close: "}", key: key, body) }
    func arrayMember(_ key: String, _ body: () -> Void) { open("[", close: "]", key: key, body) }

    func member(_ key: String, _ value: String) {
        newline()
        output += JSONWriter.quote(key) + ": " + JSONWriter.quote(value)
        needsComma = true
    }

    func member(_ key: String, _ value: Int) {
        newline()
        output += JSONWriter.quote(key) + ": " + String(value)
        needsComma = true
    }

    func value(_ v: String) {
        newline()
        output += JSONWriter.quote(v)
        needsComma = true
    }
}

/// Name-based (version 5, SHA-1) UUIDs, RFC 9562 section 5.5.
enum UUID5 {
    /// The URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
    static let urlNamespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]

    static func make(namespace: [UInt8] = urlNamespace, name: String) -> String {
        var h = Array(SHA1.digest(namespace + Array(name.utf8)).prefix(16))
        h[6] = (h[6] & 0x0F) | 0x50
        h[8] = (h[8] & 0x3F) | 0x80
        let hex = h.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-" + hex[8..<10].joined()
            + "-" + hex[10..<16].joined()
    }
}

/// SHA-1 (FIPS 180-4), only for name-based UUIDs, which RFC 9562 defines with it.
enum SHA1 {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var m = message
        let bitLength = UInt64(message.count) &* 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(i) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for t in 0..<16 {
                let j = chunk + t * 4
                w[t] = UInt32(m[j]) << 24 | UInt32(m[j + 1]) << 16 | UInt32(m[j + 2]) << 8 | UInt32(m[j + 3])
            }
            for t in 16..<80 {
                let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
                w[t] = x << 1 | x >> 31
            }
            var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4]
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[t]
                e = d
                d = c
                c = b << 30 | b >> 2
                b = a
                a = temp
            }
            h[0] = h[0] &+ a
            h[1] = h[1] &+ b
            h[2] = h[2] &+ c
            h[3] = h[3] &+ d
            h[4] = h[4] &+ e
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - UInt32($0) * 8)) } }
    }
}
