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
    public var sourceID: String
    public var streamID: String?
    public var state: SourceState
    public var configHash: String?
    public var configVersion: String?
    public var rejected: Rejection?
    public var warnings: [String]
    public var instanceID: String
    public var generation: Int
    public var mode: String?
    public var topic: String?
    public var recordsProcessed: Int
    public var recordsFailed: Int
    /// Records the queue's overflow strategy dropped (null until the stream reports).
    public var recordsDropped: Int?
    public var lastError: String?
    /// One `StatusReason` word for why the state is what it is; null for RUNNING, STARTING,
    /// RECONFIGURING and PENDING. A string, so a reader older than a new word still reads the record.
    public var reason: String?
    /// RFC 3339: the last delivered record or completed empty fetch (null before any).
    public var lastProgressAt: String?
    /// Fetches that failed in a row; 0 after one succeeds.
    public var consecutiveFailures: Int
    /// Automatic restarts of this source by this manager.
    public var restarts: Int
    /// The fleet-wide budget its fetches wait on; null when it is in none.
    public var budget: SourceBudgetStatus?
    public var updatedAt: String

    public init(sourceID: String, state: SourceState, instanceID: String, generation: Int = 0, at date: Date = Date()) {
        self.sourceID = sourceID
        self.state = state
        warnings = []
        self.instanceID = instanceID
        self.generation = generation
        recordsProcessed = 0
        recordsFailed = 0
        consecutiveFailures = 0
        restarts = 0
        updatedAt = RFC3339.string(date)
    }

    /// Fills in what the desired config says (hash, version, mode, topic, warnings).
    public mutating func describe(_ source: DesiredSource) {
        configHash = source.configHash
        configVersion = source.configVersion
        mode = source.config.ingestion.mode.rawValue
        topic = source.config.topic
        warnings = source.warnings
    }

    public mutating func refuse(_ r: Rejection) {
        rejected = r
    }

    /// Equal but for the counts, the progress time and the time: no new record is needed.
    public func reportsSame(as other: SourceStatus) -> Bool {
        var a = self, b = other
        (a.recordsProcessed, a.recordsFailed, a.recordsDropped, a.updatedAt) = (0, 0, nil, "")
        (b.recordsProcessed, b.recordsFailed, b.recordsDropped, b.updatedAt) = (0, 0, nil, "")
        (a.lastProgressAt, a.consecutiveFailures) = (nil, 0)
        (b.lastProgressAt, b.consecutiveFailures) = (nil, 0)
        a.budget?.nextFetchAt = nil
        b.budget?.nextFetchAt = nil
        return a == b
    }

    /// The record value: every field, nulls written out, keys sorted (stable for compaction diffs).
    /// Written by hand: the status topic gets a record per state change of every source, and
    /// Foundation's sorted-keys serialisation (locale-aware key comparison) cost more than
    /// starting the stream itself (bench/RESULTS.md).
    public func json() -> [UInt8] {
        func string(_ s: String?) -> String { s.map(CanonicalJSON.quoted) ?? "null" }
        var out = "{\"budget\":"
        if let b = budget {
            out += "{\"interval_seconds\":\(CanonicalJSON.number(b.intervalSeconds)),\"name\":\(string(b.name))"
            out += ",\"next_fetch_at\":\(string(b.nextFetchAt)),\"pause_reason\":\(string(b.pauseReason))"
            out += ",\"paused_until\":\(string(b.pausedUntil)),\"share\":\(CanonicalJSON.number(b.share))}"
        } else {
            out += "null"
        }
        out += ",\"config_hash\":\(string(configHash)),\"config_version\":\(string(configVersion))"
        out += ",\"consecutive_failures\":\(consecutiveFailures)"
        out += ",\"generation\":\(generation),\"instance_id\":\(string(instanceID)),\"last_error\":\(string(lastError))"
        out += ",\"last_progress_at\":\(string(lastProgressAt))"
        out += ",\"mode\":\(string(mode)),\"reason\":\(string(reason))"
        out += ",\"records_dropped\":\(recordsDropped.map(String.init) ?? "null")"
        out += ",\"records_failed\":\(recordsFailed),\"records_processed\":\(recordsProcessed)"
        if let r = rejected {
            out += ",\"rejected\":{\"config_hash\":\(string(r.configHash)),\"config_version\":\(string(r.configVersion))"
            out += ",\"error\":\(string(r.error))}"
        } else {
            out += ",\"rejected\":null"
        }
        out += ",\"restarts\":\(restarts)"
        out += ",\"source_id\":\(string(sourceID)),\"state\":\(string(state.rawValue)),\"stream_id\":\(string(streamID))"
        out += ",\"topic\":\(string(topic)),\"updated_at\":\(string(updatedAt))"
        out += ",\"warnings\":[\(warnings.map(CanonicalJSON.quoted).joined(separator: ","))]}"
        return Array(out.utf8)
    }

    /// The record's field list, in its order.
    public static let fields = ["source_id", "stream_id", "state", "config_hash", "config_version", "rejected", "warnings",
                                "instance_id", "generation", "mode", "topic", "records_processed", "records_failed",
                                "records_dropped", "last_error", "reason", "last_progress_at", "consecutive_failures",
                                "restarts", "budget", "updated_at"]

    public static func key(_ sourceID: String) -> String { "source:\(sourceID)" }

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case streamID = "stream_id"
        case state
        case configHash = "config_hash"
        case configVersion = "config_version"
        case rejected
        case warnings
        case instanceID = "instance_id"
        case generation
        case mode
        case topic
        case recordsProcessed = "records_processed"
        case recordsFailed = "records_failed"
        case recordsDropped = "records_dropped"
        case lastError = "last_error"
        case reason
        case lastProgressAt = "last_progress_at"
        case consecutiveFailures = "consecutive_failures"
        case restarts
        case budget
        case updatedAt = "updated_at"
    }
}

/// The `budget` field of a source's status: which budget, its share (requests per interval), when
/// its next request may go, and a fleet-wide pause with its reason.
public struct SourceBudgetStatus: Sendable, Equatable, Codable {
    public var name: String
    public var share: Double
    public var intervalSeconds: Double
    /// RFC 3339.
    public var nextFetchAt: String?
    /// RFC 3339; null when the budget is not paused.
    public var pausedUntil: String?
    public var pauseReason: String?

    public init(_ view: BudgetView) {
        name = view.name
        share = (view.share * 1000).rounded() / 1000
        intervalSeconds = view.intervalSeconds
        nextFetchAt = view.nextFetchAt.map(RFC3339.string)
        pausedUntil = view.pausedUntil.map(RFC3339.string)
        pauseReason = view.pauseReason
    }

    enum CodingKeys: String, CodingKey {
        case name, share
        case intervalSeconds = "interval_seconds"
        case nextFetchAt = "next_fetch_at"
        case pausedUntil = "paused_until"
        case pauseReason = "pause_reason"
    }
}

extension SourceStatus {
    /// Records written before a field existed lack it: they still decode (dashboards and
    /// `status` read old records), the missing counts as 0 and the rest as null.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sourceID = try c.decode(String.self, forKey: .sourceID)
        streamID = try c.decodeIfPresent(String.self, forKey: .streamID)
        state = try c.decode(SourceState.self, forKey: .state)
        configHash = try c.decodeIfPresent(String.self, forKey: .configHash)
        configVersion = try c.decodeIfPresent(String.self, forKey: .configVersion)
        rejected = try c.decodeIfPresent(Rejection.self, forKey: .rejected)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
        instanceID = try c.decode(String.self, forKey: .instanceID)
        generation = try c.decodeIfPresent(Int.self, forKey: .generation) ?? 0
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        topic = try c.decodeIfPresent(String.self, forKey: .topic)
        recordsProcessed = try c.decodeIfPresent(Int.self, forKey: .recordsProcessed) ?? 0
        recordsFailed = try c.decodeIfPresent(Int.self, forKey: .recordsFailed) ?? 0
        recordsDropped = try c.decodeIfPresent(Int.self, forKey: .recordsDropped)
        lastError = try c.decodeIfPresent(String.self, forKey: .lastError)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        lastProgressAt = try c.decodeIfPresent(String.self, forKey: .lastProgressAt)
        consecutiveFailures = try c.decodeIfPresent(Int.self, forKey: .consecutiveFailures) ?? 0
        restarts = try c.decodeIfPresent(Int.self, forKey: .restarts) ?? 0
        budget = try c.decodeIfPresent(SourceBudgetStatus.self, forKey: .budget)
        updatedAt = try c.decode(String.self, forKey: .updatedAt)
    }
}
