// `docker://NAME`: an image read straight from a registry (OCI distribution
// API). Manifest (index or list → the platform's manifest) and config blob are
// fetched and checked: the `Docker-Content-Digest` header, the sha256 of the
// bytes and the descriptors' digests and sizes; a mismatch becomes a problem.
// With `remoteLayers` (the default; off with `--no-layers`), each layer blob is streamed when the scanner
// reaches it, one at a time, never written to disk, and checked against its
// digest and size as it goes by.

import Foundation
import Checksums

public enum Registry {
    static let manifestTypes = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        // Last: only registries that hold nothing newer answer with these.
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "application/vnd.docker.distribution.manifest.v1+json",
    ]
    static let indexTypes: Set<String> = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]

    /// Reads `docker:REST` (REST = `//NAME`).
    public static func resolve(_ rest: String, options: SourceOptions) throws(ImageSourceError) -> ResolvedImage {
        let ref = try RegistryReference.parse(rest)
        let platform = try OCILayout.platform(options.platform)
        let client = try RegistryClient(ref: ref, settings: options.registry, environment: options.environment)
        var problems: [String] = []

        // The manifest the reference names (perhaps an index).
        let (topBytes, topDigest, topType) = try manifest(client, reference: ref.reference, expected: ref.digest,
                                                          expectedSize: nil, problems: &problems)
        var manifestBytes = topBytes
        var manifestDigest = topDigest
        var json = try JSON.object(topBytes, what: "\(client.label) manifest \(ref.repository):\(ref.reference)")
        var source = "docker://\(ref.host)/\(ref.repository)" + (ref.tag.map { ":" + $0 } ?? "") + (ref.digest.map { "@" + $0 } ?? "")
        var depth = 0
        var mediaType = topType
        while isIndex(json, mediaType: mediaType) {
            depth += 1
            if depth > OCIReader.maxIndexDepth { throw ImageSourceError("\(client.label): indexes nested too deeply") }
            let children = ((json["manifests"] as? [Any]) ?? []).compactMap(Descriptor.init)
            let chosen = try choose(children, platform: platform, in: manifestDigest, label: "\(client.label) \(ref.repository)")
            let (b, d, t) = try manifest(client, reference: chosen.digest, expected: chosen.digest,
                                         expectedSize: chosen.size, problems: &problems)
            manifestBytes = b
            manifestDigest = d
            mediaType = t ?? chosen.mediaType
            json = try JSON.object(b, what: "\(client.label) manifest \(chosen.digest)")
            source += " (\(chosen.platform?.description ?? "only manifest") of index \(String(topDigest.dropFirst(7).prefix(12))))"
        }
        if JSON.int64(json["schemaVersion"]) == 1 {
            // No config blob: the config and history come from the manifest itself.
            let (configBytes, blobs) = try Schema1.image(json, what: "\(client.label) \(ref.repository):\(ref.reference)")
            var image = ResolvedImage(configBytes: configBytes, manifestBytes: manifestBytes, manifestDigest: manifestDigest,
                                      names: [ref.name],
                                      layers: blobs.map { LayerDescriptor(digest: $0, size: nil, mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip") },
                                      source: source + " (schema 1 manifest: config and history from v1Compatibility)", problems: problems)
            image.layerLocations = locations(blobs.map { ($0, nil, nil) }, client: client, options: options)
            return image
        }
        guard let config = Descriptor(json["config"]) else {
            throw ImageSourceError("\(client.label): manifest \(manifestDigest) has no config descriptor")
        }
        let configBytes = try blob(client, config, what: "config", problems: &problems)
        let descriptors = ((json["layers"] as? [Any]) ?? []).compactMap(Descriptor.init)
        var image = ResolvedImage(configBytes: configBytes, configDigest: Digest.of(configBytes), manifestBytes: manifestBytes,
                                  manifestDigest: manifestDigest, names: [ref.name],
                                  layers: descriptors.map { LayerDescriptor(digest: $0.digest, size: $0.size, mediaType: $0.mediaType) },
                                  source: source, problems: problems)
        image.layerLocations = locations(descriptors.map { ($0.digest, $0.size, $0.urls) }, client: client, options: options)
        return image
    }

    /// Where each layer blob is: streamed from the registry unless `--no-layers`.
    static func locations(_ layers: [(digest: String, size: Int64?, urls: [String]?)], client: RegistryClient,
                          options: SourceOptions) -> [LayerLocation] {
        let ref = client.ref
        return layers.map { d in
            guard options.remoteLayers else { return .unavailable(reason: "registry layers are not read with --no-layers") }
            guard Digest.sha256Hex(d.digest) != nil else {
                return .unavailable(reason: "layer digest \(d.digest) is not a sha256 digest")
            }
            if let urls = d.urls, !urls.isEmpty {
                // Foreign layers (Windows base layers) live elsewhere and are not distributable.
                return .unavailable(reason: "foreign layer at \(urls[0]) is not fetched")
            }
            let (digest, size, log) = (d.digest, d.size, options.registry.log)
            return .remote(RemoteLayer(id: "docker://\(ref.host)/\(ref.repository)@\(digest)") { () throws(ImageSourceError) -> ByteSource in
                BlobVerifier(try client.openBlob(digest), digest: digest, size: size, log: log, host: ref.host)
            })
        }
    }

    static func isIndex(_ json: [String: Any], mediaType: String?) -> Bool {
        if let t = mediaType.map(baseType), indexTypes.contains(t) { return true }
        if let t = json["mediaType"] as? String, indexTypes.contains(t) { return true }
        return json["manifests"] != nil && json["config"] == nil
    }

    static func baseType(_ contentType: String) -> String {
        String(contentType.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// GET a manifest; checks header digest, content digest and the expected digest/size.
    static func manifest(_ client: RegistryClient, reference: String, expected: String?, expectedSize: Int64?,
                         problems: inout [String]) throws(ImageSourceError) -> ([UInt8], String, String?) {
        let path = "/v2/\(client.ref.repository)/manifests/\(reference)"
        let r = try client.get(path, accept: manifestTypes)
        guard r.status == 200 else { throw client.failure(r, what: "manifest \(reference)") }
        // A signed schema 1 manifest is named by the digest of its JWS payload, not of the bytes sent.
        let actual = Digest.of(Schema1.signedPayload(r.body) ?? r.body)
        let what = "manifest \(client.ref.repository)@\(reference)"
        if let header = r.header("Docker-Content-Digest"), header.hasPrefix("sha256:"), header != actual {
            problems.append("\(what): Docker-Content-Digest says \(header), content is \(actual)")
        }
        if let expected, expected != actual {
            problems.append("\(what) digest mismatch: \(expected) expected, content is \(actual)")
        }
        if let expectedSize, expectedSize != Int64(r.body.count) {
            problems.append("\(what): descriptor says \(expectedSize) bytes, registry sent \(r.body.count)")
        }
        // The digest that names this manifest: the requested one when given, else the content's.
        return (r.body, expected ?? actual, r.header("Content-Type"))
    }

    /// GET a blob by digest (redirects followed) and check it against its descriptor.
    static func blob(_ client: RegistryClient, _ d: Descriptor, what: String,
                     problems: inout [String]) throws(ImageSourceError) -> [UInt8] {
        let parts = d.digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[1].allSatisfy(\.isHexDigit), parts[0].allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw ImageSourceError("\(client.label): malformed \(what) digest \(d.digest)")
        }
        let r = try client.get("/v2/\(client.ref.repository)/blobs/\(d.digest)")
        guard r.status == 200 else { throw client.failure(r, what: "\(what) blob \(d.digest)") }
        if d.digest.hasPrefix("sha256:") {
            let actual = Digest.of(r.body)
            if actual != d.digest { problems.append("\(what) digest mismatch: \(d.digest) expected, content is \(actual)") }
        }
        if let s = d.size, s != Int64(r.body.count) {
            problems.append("\(what) \(d.digest): descriptor says \(s) bytes, registry sent \(r.body.count)")
        }
        return r.body
    }

    /// The index entry for `platform` (same rule as local layouts: an exact variant-less match first).
    static func choose(_ children: [Descriptor], platform: Platform, in digest: String,
                       label: String) throws(ImageSourceError) -> Descriptor {
        let matching = children.filter { c in c.platform.map { platform.accepts($0) } ?? false }
        if let exact = matching.first(where: { $0.platform?.variant == nil }) ?? matching.first { return exact }
        if children.count == 1 && children[0].platform == nil { return children[0] }
        let available = children.compactMap { $0.platform?.description }
        throw ImageSourceError("\(label): index \(digest) has no manifest for \(platform)",
                               candidates: available.isEmpty ? children.map(\.digest) : available)
    }
}

/// A streamed blob checked as it is read: at its end the sha256 and length must
/// match the descriptor, else reading fails (the layer is then reported, not used
/// silently). `finish()` reads what the tar reader left (padding) to get there.
final class BlobVerifier: ByteSource, FinishableSource {
    let stream: HTTPBodyStream
    let digest: String
    let size: Int64?
    let log: TransferLog?
    let host: String
    let started = Date()
    private var hash = SHA256Stream()
    private var count: Int64 = 0
    private var ended = false

    init(_ stream: HTTPBodyStream, digest: String, size: Int64?, log: TransferLog?, host: String) {
        self.stream = stream
        self.digest = digest
        self.size = size
        self.log = log
        self.host = host
    }

    deinit {
        stream.close()
        if !ended { record() }
    }

    private func record() {
        log?.record(host: host, url: stream.url, status: stream.status, bytes: stream.received,
                    seconds: Date().timeIntervalSince(started))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if ended { return 0 }
        let n = try stream.read(into: buffer)
        if n > 0 {
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            count += Int64(n)
            if let size, count > size {
                ended = true
                record()
                stream.close()
                throw ImageSourceError("blob \(digest): registry sent more than the \(size) bytes its descriptor says")
            }
            return n
        }
        ended = true
        record()
        if let size, size != count {
            throw ImageSourceError("blob \(digest): descriptor says \(size) bytes, registry sent \(count)")
        }
        let actual = "sha256:" + hash.finalizeHex()
        if actual != digest { throw ImageSourceError("blob \(digest) digest mismatch: content is \(actual)") }
        return 0
    }

    func finish() throws {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while try chunk.withUnsafeMutableBytes({ try read(into: $0) }) > 0 {}
    }
}
