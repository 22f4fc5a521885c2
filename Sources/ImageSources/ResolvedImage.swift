// What every image source produces: the raw bytes of the image's metadata,
// read without executing or writing anything. Decoding the JSON and
// rebuilding a Dockerfile from it happen elsewhere (ImageModel, History).

/// A layer as the manifest (or store) describes it.
public struct LayerDescriptor: Sendable, Hashable {
    public var digest: String          // "sha256:..."
    public var size: Int64?
    public var mediaType: String?
    public init(digest: String, size: Int64? = nil, mediaType: String? = nil) {
        self.digest = digest
        self.size = size
        self.mediaType = mediaType
    }
}

/// Where a layer's bytes are, so a scanner can stream them (never written anywhere).
public enum LayerLocation: Sendable, Hashable {
    /// A member stored uncompressed at `offset` (of `size` bytes) inside a tar file.
    case archiveEntry(archive: String, offset: Int64, size: Int64)
    /// A member of a compressed archive: reachable only by streaming the archive again.
    case archiveMember(archive: String, member: String)
    /// A blob file of its own (OCI layout, containerd content store).
    case file(path: String)
    /// An unpacked layer directory (overlay2 `diff`, vfs directory).
    case directory(path: String)
    /// A blob read over the network as it arrives (a registry's layer), opened when scanned.
    case remote(RemoteLayer)
    /// Not readable from this source, and why (Engine API replies carry no layers).
    case unavailable(reason: String)
}

/// A layer fetched when the scanner gets to it: `open` starts the transfer and returns
/// its body, checked against the digest and size as it is read (see `BlobVerifier`).
public struct RemoteLayer: Sendable, Hashable {
    /// `docker://HOST/REPO@DIGEST`: identifies the layer (equality and messages).
    public let id: String
    let open: @Sendable () throws(ImageSourceError) -> ByteSource
    public init(id: String, open: @escaping @Sendable () throws(ImageSourceError) -> ByteSource) {
        self.id = id
        self.open = open
    }
    public static func == (a: RemoteLayer, b: RemoteLayer) -> Bool { a.id == b.id }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// One image found in a source.
public struct ResolvedImage: Sendable {
    /// The metadata JSON as the source holds it: an image config blob, or (for
    /// the Engine API and plain JSON files) an inspect reply.
    public var configBytes: [UInt8]
    /// Engine API `/history` reply (or podman's), when the source has one.
    public var historyBytes: [UInt8]?
    /// `sha256:...` of the config (the image id), when known.
    public var configDigest: String?
    public var manifestBytes: [UInt8]?
    public var manifestDigest: String?
    /// Normalised names (`docker.io/library/nginx:latest`) the source gives the image.
    public var names: [String]
    public var layers: [LayerDescriptor]
    /// Where each layer's bytes are (parallel to `layers`; empty when unknown).
    public var layerLocations: [LayerLocation] = []
    /// How to say where it came from: `docker-archive:/tmp/x.tar (image 2 of 3)`.
    public var source: String
    /// Problems found while reading that do not stop linting (a digest mismatch):
    /// they become findings.
    public var problems: [String]

    public init(configBytes: [UInt8], historyBytes: [UInt8]? = nil, configDigest: String? = nil,
                manifestBytes: [UInt8]? = nil, manifestDigest: String? = nil, names: [String] = [],
                layers: [LayerDescriptor] = [], source: String, problems: [String] = []) {
        self.configBytes = configBytes
        self.historyBytes = historyBytes
        self.configDigest = configDigest
        self.manifestBytes = manifestBytes
        self.manifestDigest = manifestDigest
        self.names = names
        self.layers = layers
        self.source = source
        self.problems = problems
    }
}

/// Why an image could not be read: usage or input error (the CLI exits 2).
public struct ImageSourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// For "not found" / "ambiguous": the images the reference could have meant.
    public var candidates: [String]
    public init(_ message: String, candidates: [String] = []) {
        self.message = message
        self.candidates = candidates
    }
    public var description: String {
        candidates.isEmpty ? message : message + "\n  candidates:\n" + candidates.map { "    " + $0 }.joined(separator: "\n")
    }
}

/// Options shared by the sources.
public struct SourceOptions: Sendable {
    /// `--root DIR` for store transports (nil: the transport's default).
    public var root: String?
    /// containerd namespace (`--namespace`, default "default").
    public var namespace: String?
    /// `--platform os/arch[/variant]` (nil: the host's, linux/amd64 here).
    public var platform: String?
    /// `--host unix:///path` for the Engine API.
    public var host: String?
    /// The process environment (DOCKER_HOST, HOME, XDG_RUNTIME_DIR...).
    public var environment: [String: String]
    /// docker://: credentials, TLS, timeouts, `--verbose` log.
    public var registry: RegistrySettings
    /// docker://: say where layer blobs are, so the layer rules read them as from any other
    /// source (the CLI's default; `--no-layers` is the fast path: manifest and config only).
    public var remoteLayers: Bool
    public init(root: String? = nil, namespace: String? = nil, platform: String? = nil, host: String? = nil,
                environment: [String: String] = [:], registry: RegistrySettings = RegistrySettings(), remoteLayers: Bool = false) {
        self.registry = registry
        self.remoteLayers = remoteLayers
        self.root = root
        self.namespace = namespace
        self.platform = platform
        self.host = host
        self.environment = environment
    }
}
