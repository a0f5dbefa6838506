import Foundation
import StreamConfig
import StreamManagerKit

/// The `manager:<instance_id>` record of the status topic.
public struct ManagerHeartbeat: Sendable, Equatable, Codable {
    public struct ConfigError: Sendable, Equatable, Codable {
        public var config_version: String
        public var error: String
    }

    public var instance_id: String
    public var version: String
    public var started_at: String
    public var updated_at: String
    /// `kafka`, `file` or `configmap`.
    public var config_source: String
    /// Config-topic partitions this instance owns (empty when the fleet is not sharded).
    public var assigned_partitions: [Int]
    /// Ids of the sources it runs.
    public var sources: [String]
    public var active_streams: Int
    public var config_error: ConfigError?
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
}

/// The operator's version, as heartbeats and `--version` report it.
public enum StreamManagerVersion {
    public static let current = "0.6.0"
}
