/// `generator`: synthetic records for demos, benchmarks and tests.
public struct GeneratorSourceType: SourceTypeSpec {
    public let name = "generator"
    /// Every fetch makes new records.
    public let fetchesMayBeCached = false

    public let schema = ConnectorSchema(
        summary: "synthetic records for demos, benchmarks and tests",
        settings: [
            "rate_per_second": SettingSpec(.number, "records per second; 0 = as fast as possible",
                                           bound: SettingBounds.Generator.ratePerSecond),
            "total_records": SettingSpec(.integer, "stop after this many; 0 = endless", bound: SettingBounds.Generator.totalRecords),
            "payload_bytes": SettingSpec(.integer, "size of each value in bytes", bound: SettingBounds.Generator.payloadBytes),
            "key_cardinality": SettingSpec(.integer, "number of distinct keys", bound: SettingBounds.Generator.keyCardinality),
        ])

    public init() {}

    public func settings(from s: ConfigObject) -> GeneratorSettings {
        let d = GeneratorSettings.Defaults.self
        return GeneratorSettings(ratePerSecond: s["rate_per_second"]?.doubleValue ?? d.ratePerSecond,
                                 totalRecords: s["total_records"]?.intValue ?? d.totalRecords,
                                 payloadBytes: s["payload_bytes"]?.intValue ?? d.payloadBytes,
                                 keyCardinality: s["key_cardinality"]?.intValue ?? d.keyCardinality)
    }
}

/// The generator's settings. Each value is a JSON object `{"seq":N,"source_id":"…","payload":"…"}`
/// padded to `payloadBytes`.
///
/// Every setting is clamped into its `SettingBounds.Generator` range (NaN rate: the default),
/// so settings built in code cannot make the connector trap or allocate without limit.
public struct GeneratorSettings: Sendable, Equatable {
    /// Records per second; 0 = as fast as the pipeline takes them. Fractions allowed.
    public var ratePerSecond: Double
    /// Stop after this many records in total (0 = endless).
    public var totalRecords: Int
    /// Target size of each JSON value in bytes (never smaller than the fields it must hold).
    public var payloadBytes: Int
    /// Keys cycle through `<source_id>-0 … <source_id>-(n-1)`.
    public var keyCardinality: Int

    /// The value of each setting left out.
    public enum Defaults {
        public static let ratePerSecond: Double = 1
        public static let totalRecords = 0
        public static let payloadBytes = 200
        public static let keyCardinality = 16
    }

    public init(ratePerSecond: Double = Defaults.ratePerSecond, totalRecords: Int = Defaults.totalRecords,
                payloadBytes: Int = Defaults.payloadBytes, keyCardinality: Int = Defaults.keyCardinality) {
        let bounds = SettingBounds.Generator.self
        self.ratePerSecond = bounds.ratePerSecond.clamp(ratePerSecond, nanAs: Defaults.ratePerSecond)
        self.totalRecords = bounds.totalRecords.clamp(totalRecords)
        self.payloadBytes = bounds.payloadBytes.clamp(payloadBytes)
        self.keyCardinality = bounds.keyCardinality.clamp(keyCardinality)
    }

    /// The settings clamped again: the properties are `var`s, so a value may have been
    /// changed after `init`.
    public var clamped: GeneratorSettings {
        GeneratorSettings(ratePerSecond: ratePerSecond, totalRecords: totalRecords, payloadBytes: payloadBytes,
                          keyCardinality: keyCardinality)
    }
}
