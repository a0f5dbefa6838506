import Foundation
import StreamConfig
import StreamManagerKit

/// The `manager:<instance_id>` record of the status topic.
public struct ManagerHeartbeat: Sendable, Equatable, Codable {
    public struct ConfigError: Sendable, Equatable, Codable {
        public var configVersion: String
        public var error: String

        enum CodingKeys: String, CodingKey {
            case configVersion = "config_version"
            case error
        }
    }

    public var instanceID: String
    public var version: String
    public var startedAt: String
    public var updatedAt: String
    /// `kafka`, `file` or `configmap`.
    public var configSource: String
    /// `shared` (the replicas split the sources through their consumer group) or `all` (this
    /// manager runs every source). Nil in records written before the field existed.
    public var deliveryMode: String?
    /// How often this manager writes its records: a dashboard calls a heartbeat stale after a few
    /// intervals without one. Nil in records written before the field existed.
    public var statusIntervalSeconds: Double?
    /// Config-topic partitions this instance owns (empty when the fleet is not sharded).
    public var assignedPartitions: [Int]
    /// Ids of the sources it runs.
    public var sources: [String]
    public var activeStreams: Int
    public var configError: ConfigError?
    public var warnings: [String]
    public var metrics: ManagerMetrics

    public static func key(_ instanceID: String) -> String { "manager:\(instanceID)" }

    /// Every field written, `config_error` as null when there is none; keys sorted.
    public func json() -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: SortedJSON.encode(self))) as? [String: Any] else { return [] }
        if object["config_error"] == nil { object["config_error"] = NSNull() }
        let data = try? SortedJSON.data(object)
        return Array(data ?? Data())
    }

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case version
        case startedAt = "started_at"
        case updatedAt = "updated_at"
        case configSource = "config_source"
        case deliveryMode = "delivery_mode"
        case statusIntervalSeconds = "status_interval_seconds"
        case assignedPartitions = "assigned_partitions"
        case sources
        case activeStreams = "active_streams"
        case configError = "config_error"
        case warnings
        case metrics
    }
}

/// The operator's version, as heartbeats and `--version` report it.
public enum StreamManagerVersion {
    public static let current = "0.6.0"
}
