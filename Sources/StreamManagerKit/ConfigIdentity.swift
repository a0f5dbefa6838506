import StreamConfig

/// What identifies the config a stream runs: the SHA-256 of its canonical form (the status
/// topic's `config_hash`), the config without its defaults (what goes with every committed cursor,
/// so a manager that restarts can run it again) and where it came from (`config_version`). Callers
/// that parsed the config have the first two already; computing them again (a Unicode
/// normalisation of the whole config) cost more than starting the stream.
struct ConfigIdentity: Sendable, Equatable {
    var compactJSON: String
    var hash: String
    var version: String?

    init(_ source: SourceConfig, hash: String? = nil, compactJSON: String? = nil, version: String? = nil) {
        self.compactJSON = compactJSON ?? source.compactJSON
        self.hash = hash ?? source.configHash
        self.version = version
    }
}
