import Foundation
import StreamConfig
import Pipeline

/// A source's state in the status topic.
public enum SourceState: String, Sendable, Codable, CaseIterable {
    case pending = "PENDING", starting = "STARTING", running = "RUNNING", reconfiguring = "RECONFIGURING"
    case degraded = "DEGRADED", failed = "FAILED", stopped = "STOPPED", rejected = "REJECTED"
}

/// The `source:<id>` record of the status topic, with exactly these fields (a contract:
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
    /// Records the queue's overflow strategy dropped (null until the stream reports).
    public var records_dropped: Int?
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
        (a.records_processed, a.records_failed, a.records_dropped, a.updated_at) = (0, 0, nil, "")
        (b.records_processed, b.records_failed, b.records_dropped, b.updated_at) = (0, 0, nil, "")
        return a == b
    }

    /// The record value: every field, nulls written out, keys sorted (stable for compaction diffs).
    /// Written by hand: the status topic gets a record per state change of every source, and
    /// Foundation's sorted-keys serialisation (locale-aware key comparison) cost more than
    /// starting the stream itself (bench/RESULTS.md).
    public func json() -> [UInt8] {
        func string(_ s: String?) -> String { s.map(CanonicalJSON.quoted) ?? "null" }
        var out = "{\"config_hash\":\(string(config_hash)),\"config_version\":\(string(config_version))"
        out += ",\"generation\":\(generation),\"instance_id\":\(string(instance_id)),\"last_error\":\(string(last_error))"
        out += ",\"mode\":\(string(mode)),\"records_dropped\":\(records_dropped.map(String.init) ?? "null")"
        out += ",\"records_failed\":\(records_failed),\"records_processed\":\(records_processed)"
        if let r = rejected {
            out += ",\"rejected\":{\"config_hash\":\(string(r.config_hash)),\"config_version\":\(string(r.config_version))"
            out += ",\"error\":\(string(r.error))}"
        } else {
            out += ",\"rejected\":null"
        }
        out += ",\"source_id\":\(string(source_id)),\"state\":\(string(state.rawValue)),\"stream_id\":\(string(stream_id))"
        out += ",\"topic\":\(string(topic)),\"updated_at\":\(string(updated_at))"
        out += ",\"warnings\":[\(warnings.map(CanonicalJSON.quoted).joined(separator: ","))]}"
        return Array(out.utf8)
    }

    /// The record's field list, in its order.
    public static let fields = ["source_id", "stream_id", "state", "config_hash", "config_version", "rejected", "warnings",
                                "instance_id", "generation", "mode", "topic", "records_processed", "records_failed",
                                "records_dropped", "last_error", "updated_at"]

    public static func key(_ sourceID: String) -> String { "source:\(sourceID)" }
}
