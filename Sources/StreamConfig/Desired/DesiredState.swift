/// A config that was refused (the status topic's `rejected` field). `configHash` is nil when the
/// whole document failed to parse.
public struct Rejection: Sendable, Equatable, Codable {
    public var configHash: String?
    public var configVersion: String
    /// The validation error with its line and column.
    public var error: String

    public init(configHash: String?, configVersion: String, error: String) {
        self.configHash = configHash
        self.configVersion = configVersion
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case configHash = "config_hash"
        case configVersion = "config_version"
        case error
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
