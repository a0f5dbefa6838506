/// A source's accepted config, as the desired state holds it and the runtime runs it: the config,
/// its canonical hash (the status topic's `config_hash`), its compact form (the config without its
/// defaults, committed with every cursor so a manager that restarts can run it again), where it
/// came from (`config_version`) and the notes it was accepted with. The hash and compact form are
/// computed once, when the config is accepted: computing them again (a Unicode normalisation of the
/// whole config) costs more than starting the stream.
public struct DesiredSource: Sendable, Equatable {
    public var sourceID: String
    public var config: SourceConfig
    public var configHash: String
    /// The config without its defaults (`compactJSON`): the stream commits it with its cursor.
    public var compactJSON: String
    /// `kafka:<partition>:<offset>`, `file:<sha256>` or `configmap:<resourceVersion>`; nil for a
    /// source started through the library API, which has no such origin.
    public var configVersion: String?
    /// Unknown keys accepted for forward compatibility, and similar notes.
    public var warnings: [String]

    public init(sourceID: String, config: SourceConfig, configVersion: String?, warnings: [String] = []) {
        self.init(sourceID: sourceID, config: config, configHash: nil, compactJSON: nil, configVersion: configVersion,
                  warnings: warnings)
    }

    /// `configHash` and `compactJSON`, when the caller has them already, are taken as they are.
    public init(sourceID: String, config: SourceConfig, configHash: String?, compactJSON: String?,
                configVersion: String?, warnings: [String] = []) {
        self.sourceID = sourceID
        self.config = config
        self.configHash = configHash ?? config.configHash
        self.compactJSON = compactJSON ?? config.compactJSON
        self.configVersion = configVersion
        self.warnings = warnings
    }
}
