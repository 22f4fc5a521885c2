// Image metadata decoded from the JSON shapes images come in: a raw OCI/Docker
// config, `docker|podman image inspect`, Engine API replies, `docker history`
// JSON Lines, podman history, `buildah inspect`, `skopeo inspect`, `umoci stat`.
// Every shape becomes one `ImageMetadata`; history is always oldest first.

/// One `history[]` entry, oldest first.
public struct HistoryEntry: Sendable, Hashable {
    public var created: String?
    public var createdBy: String?
    public var author: String?
    public var comment: String?
    /// True when the entry has no layer in `rootfs.diff_ids`. For shapes that do not
    /// carry the field (Engine API, podman and `docker history` replies) it is inferred
    /// the way trivy does: size 0 and a metadata-only instruction.
    public var emptyLayer: Bool
    /// Layer size in bytes when the shape reports one (history replies only).
    public var size: Int64?
    /// Image ID of the entry when the daemon knows it (`<missing>` becomes nil).
    public var id: String?

    public init(created: String? = nil, createdBy: String? = nil, author: String? = nil, comment: String? = nil,
                emptyLayer: Bool = false, size: Int64? = nil, id: String? = nil) {
        self.created = created
        self.createdBy = createdBy
        self.author = author
        self.comment = comment
        self.emptyLayer = emptyLayer
        self.size = size
        self.id = id
    }
}

/// `Config.Healthcheck`; durations in nanoseconds as in the config JSON.
public struct HealthConfig: Sendable, Hashable {
    public var test: [String]
    public var interval: Int64?
    public var timeout: Int64?
    public var startPeriod: Int64?
    public var startInterval: Int64?
    public var retries: Int?

    public init(test: [String] = [], interval: Int64? = nil, timeout: Int64? = nil, startPeriod: Int64? = nil,
                startInterval: Int64? = nil, retries: Int? = nil) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
    }

    /// Same check, treating zero durations/retries as unset (Docker stores both).
    public func isEquivalent(to o: HealthConfig) -> Bool {
        func z(_ v: Int64?) -> Int64 { v ?? 0 }
        return test == o.test && z(interval) == z(o.interval) && z(timeout) == z(o.timeout)
            && z(startPeriod) == z(o.startPeriod) && z(startInterval) == z(o.startInterval)
            && (retries ?? 0) == (o.retries ?? 0)
    }
}

/// The runtime part of an image config (`config` / `Config`).
public struct ContainerConfig: Sendable, Hashable {
    public var user: String?
    public var env: [String]
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var workingDir: String?
    /// Sorted, e.g. `80/tcp`.
    public var exposedPorts: [String]
    /// Sorted.
    public var volumes: [String]
    public var labels: [String: String]
    public var stopSignal: String?
    public var shell: [String]?
    public var healthcheck: HealthConfig?
    public var onBuild: [String]
    public var argsEscaped: Bool

    public init(user: String? = nil, env: [String] = [], entrypoint: [String]? = nil, cmd: [String]? = nil,
                workingDir: String? = nil, exposedPorts: [String] = [], volumes: [String] = [],
                labels: [String: String] = [:], stopSignal: String? = nil, shell: [String]? = nil,
                healthcheck: HealthConfig? = nil, onBuild: [String] = [], argsEscaped: Bool = false) {
        self.user = user
        self.env = env
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.workingDir = workingDir
        self.exposedPorts = exposedPorts
        self.volumes = volumes
        self.labels = labels
        self.stopSignal = stopSignal
        self.shell = shell
        self.healthcheck = healthcheck
        self.onBuild = onBuild
        self.argsEscaped = argsEscaped
    }

    /// `Env` as an ordered list of (name, value).
    public var environment: [(name: String, value: String)] {
        env.map { e in
            if let eq = e.firstIndex(of: "=") { return (String(e[..<eq]), String(e[e.index(after: eq)...])) }
            return (e, "")
        }
    }
}

public struct ImageMetadata: Sendable {
    /// Which JSON shape the value was decoded from; tells what it can lack.
    public enum Shape: String, Sendable, CaseIterable {
        /// A raw OCI or Docker image config (config.json, a config blob).
        case config
        /// `docker image inspect` / `podman image inspect` output (a JSON array).
        case inspect
        /// An Engine API `GET /images/{id}/json` reply (one object, no history).
        case engineInspect
        /// An Engine API or podman-compat `GET /images/{id}/history` reply (newest first, unix seconds).
        case engineHistory
        /// `podman history --format json` (newest first, RFC 3339 `created`).
        case podmanHistory
        /// `docker history --format '{{json .}}'` JSON Lines (newest first, human sizes).
        case dockerHistoryLines
        /// `buildah inspect --type image` (OCIv1 and Docker configs, History).
        case buildahInspect
        /// `skopeo inspect` (labels, env, layers; no history, no full config).
        case skopeoInspect
        /// `umoci stat --json` (history only, with diff IDs).
        case umociStat
        /// An image manifest (layers and annotations only).
        case manifest
    }

    public var id: String?
    public var repoTags: [String]
    public var repoDigests: [String]
    public var created: String?
    public var author: String?
    public var os: String?
    public var architecture: String?
    public var variant: String?
    public var config: ContainerConfig
    public var history: [HistoryEntry]
    /// False when the shape carries no history at all (inspect, manifest) or the image
    /// config says `"history": null` / has none (buildah --omit-history).
    public var hasHistory: Bool
    public var diffIDs: [String]
    /// Layer digests as a manifest lists them (compressed), when the shape has them.
    public var layerDigests: [String]
    public var annotations: [String: String]
    public var shape: Shape

    public init(shape: Shape, id: String? = nil, repoTags: [String] = [], repoDigests: [String] = [],
                created: String? = nil, author: String? = nil, os: String? = nil, architecture: String? = nil,
                variant: String? = nil, config: ContainerConfig = ContainerConfig(), history: [HistoryEntry] = [],
                hasHistory: Bool = true, diffIDs: [String] = [], layerDigests: [String] = [],
                annotations: [String: String] = [:]) {
        self.shape = shape
        self.id = id
        self.repoTags = repoTags
        self.repoDigests = repoDigests
        self.created = created
        self.author = author
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.config = config
        self.history = history
        self.hasHistory = hasHistory
        self.diffIDs = diffIDs
        self.layerDigests = layerDigests
        self.annotations = annotations
    }
}

public struct ImageDecodeError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
