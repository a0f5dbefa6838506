import Foundation
import Kafka
import Logging
import Pipeline
import StreamConfig

/// One version of a source in the config topic: a record of its key that compaction has not
/// removed yet, with the headers `apply` writes.
public struct ConfigVersion: Sendable, Equatable {
    public var sourceID: String
    /// `kafka:<partition>:<offset>`, the `config_version` the status record names.
    public var configVersion: String
    public var offset: Int64
    /// RFC 3339, from the record's timestamp (nil when the broker gave none).
    public var timestamp: String?
    public var appliedBy: String?
    public var gitCommit: String?
    /// The record's value; nil for a tombstone (the source was removed).
    public var value: [UInt8]?
    /// The value parsed leniently; nil for a tombstone or a value that does not parse.
    public var config: SourceConfig?
    /// Why the value does not parse (what the operator reported when it refused it).
    public var error: String?

    /// The canonical hash of a readable version, else the SHA-256 of its bytes (as a refusal
    /// reports it); nil for a tombstone.
    public var configHash: String? {
        if let config { return config.configHash }
        return value.map(ConfigHash.sha256Hex)
    }

    init(record: ConsumerRecord, sourceID: String) {
        self.sourceID = sourceID
        configVersion = ConfigTopicSource.version(record)
        offset = record.offset
        timestamp = record.timestampMilliseconds.map { RFC3339.string(Date(timeIntervalSince1970: Double($0) / 1000)) }
        appliedBy = record.header("applied-by")?.stringValue
        gitCommit = record.header("git-commit")?.stringValue
        value = record.value
        if let value = record.value {
            let parsed = ConfigLoader.parseSourceDocument(data: Data(value), sourceID: sourceID, options: .lenient)
            config = parsed.value
            if parsed.value == nil {
                error = parsed.diagnostics.filter { $0.severity == .error }.map(ConfigRecord.describe).joined(separator: "; ")
            }
        }
    }

    /// What changed from `previous` in `diff`'s line format: `+ id` for the first version (or the
    /// first after a removal), `- id` for a removal, `~ id (path: old → new, …)` for an edit,
    /// `= id (same config)` for a re-publish of the same config, `! id (refused: …)` for a value
    /// the operator refuses.
    public func change(from previous: ConfigVersion?) -> String {
        guard value != nil else { return "- \(sourceID)" }
        guard let config else { return "! \(sourceID) (refused: \(error ?? "unreadable"))" }
        guard let old = previous?.config else { return "+ \(sourceID)" }
        let fields = config.changes(from: old)
        if fields.isEmpty { return "= \(sourceID) (same config)" }
        return ConfigChange(sourceID: sourceID, kind: .change(fields), config: config).line
    }
}

/// The versions of a source the config topic still holds (see README, "history"): compaction
/// keeps at least the newest one and removes older ones once their segment is cleaned.
public enum ConfigHistory {
    public static func read(sourceID: String, topic: String, configuration: KafkaConsumerConfiguration,
                            logger: Logger) async throws -> [ConfigVersion] {
        let reader = CompactedTopicReader(topic: topic, configuration: configuration, logger: logger)
        let records = try await reader.records { $0 == sourceID }
        return records.map { ConfigVersion(record: $0, sourceID: sourceID) }
    }

    /// The version at `offset`: `12` or `kafka:0:12` (a source's records share one partition).
    public static func find(_ offset: String, in versions: [ConfigVersion]) -> ConfigVersion? {
        if let number = Int64(offset) { return versions.first { $0.offset == number } }
        return versions.first { $0.configVersion == offset }
    }
}
