import StreamConfig

/// A source as the desired state holds it: its last good config, where that came from
/// (`config_version`), and what was refused since, if anything.
public struct DesiredSource: Sendable, Equatable {
    public var sourceID: String
    public var config: SourceConfig
    public var configHash: String
    /// The config without its defaults (`compactJSON`): the stream commits it with its cursor.
    public var compactJSON: String
    /// `kafka:<partition>:<offset>`, `file:<sha256>` or `configmap:<resourceVersion>`.
    public var configVersion: String
    /// Unknown keys accepted for forward compatibility, and similar notes.
    public var warnings: [String]

    public init(sourceID: String, config: SourceConfig, configVersion: String, warnings: [String] = []) {
        self.sourceID = sourceID
        self.config = config
        configHash = config.configHash
        compactJSON = config.compactJSON
        self.configVersion = configVersion
        self.warnings = warnings
    }
}

/// A config that was refused (the status topic's `rejected` field). `configHash` is nil when the
/// whole document failed to parse.
public struct Rejection: Sendable, Equatable {
    public var configHash: String?
    public var configVersion: String
    /// The validation error with its line and column.
    public var error: String

    public init(configHash: String?, configVersion: String, error: String) {
        self.configHash = configHash
        self.configVersion = configVersion
        self.error = error
    }
}

/// Everything the reconciler should make true: the good configs, plus the refusals to report.
/// A source can have both: a running config and a newer one that was refused.
public struct DesiredState: Sendable, Equatable {
    public var sources: [String: DesiredSource]
    public var rejections: [String: Rejection]

    public init(sources: [String: DesiredSource] = [:], rejections: [String: Rejection] = [:]) {
        self.sources = sources
        self.rejections = rejections
    }
}
