import Foundation
import Pipeline

/// A source's state in the status topic (DESIGN.md).
public enum SourceState: String, Sendable, Codable, CaseIterable {
    case pending = "PENDING", starting = "STARTING", running = "RUNNING", reconfiguring = "RECONFIGURING"
    case degraded = "DEGRADED", failed = "FAILED", stopped = "STOPPED", rejected = "REJECTED"
}

/// The `source:<id>` record of the status topic, with exactly DESIGN.md's fields (a contract:
/// dashboards read it). Encoded with every field present, nulls included.
public struct SourceStatus: Sendable, Equatable, Codable {
    public struct Refusal: Sendable, Equatable, Codable {
        public var config_hash: String?
        public var config_version: String
        public var error: String

        public init(config_hash: String?, config_version: String, error: String) {
            self.config_hash = config_hash
            self.config_version = config_version
            self.error = error
        }
    }

    public var source_id: String
    public var stream_id: String?
    public var state: SourceState
    public var config_hash: String?
    public var config_version: String?
    public var rejected: Refusal?
    public var warnings: [String]
    public var instance_id: String
    public var generation: Int
    public var mode: String?
    public var topic: String?
    public var records_processed: Int
    public var records_failed: Int
    public var last_error: String?
    public var updated_at: String

    public init(sourceID: String, state: SourceState, instanceID: String, generation: Int = 0, at date: Date = Date()) {
        source_id = sourceID
        self.state = state
        warnings = []
        instance_id = instanceID
        self.generation = generation
        records_processed = 0
        records_failed = 0
        updated_at = RFC3339.string(date)
    }

    /// Fills in what the desired config says (hash, version, mode, topic, warnings).
    public mutating func describe(_ source: DesiredSource) {
        config_hash = source.configHash
        config_version = source.configVersion
        mode = source.config.ingestion.mode.rawValue
        topic = source.config.topic
        warnings = source.warnings
    }

    public mutating func refuse(_ r: Rejection) {
        rejected = Refusal(config_hash: r.configHash, config_version: r.configVersion, error: r.error)
    }

    /// Equal but for the counts and the time: no new record is needed.
    public func reportsSame(as other: SourceStatus) -> Bool {
        var a = self, b = other
        (a.records_processed, a.records_failed, a.updated_at) = (0, 0, "")
        (b.records_processed, b.records_failed, b.updated_at) = (0, 0, "")
        return a == b
    }

    /// The record value: every field, nulls written out, keys sorted (stable for compaction diffs).
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var object = (try? JSONSerialization.jsonObject(with: encoder.encode(self))) as? [String: Any] ?? [:]
        for key in Self.fields where object[key] == nil { object[key] = NSNull() }
        if var refusal = object["rejected"] as? [String: Any], refusal["config_hash"] == nil {
            refusal["config_hash"] = NSNull()
            object["rejected"] = refusal
        }
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data ?? Data())
    }

    /// DESIGN.md's field list, in its order.
    public static let fields = ["source_id", "stream_id", "state", "config_hash", "config_version", "rejected", "warnings",
                                "instance_id", "generation", "mode", "topic", "records_processed", "records_failed",
                                "last_error", "updated_at"]

    public static func key(_ sourceID: String) -> String { "source:\(sourceID)" }
}
