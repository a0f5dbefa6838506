import Foundation

/// The status topic folded by key: what `status` shows and `apply --wait` watches. Keeps each
/// record's JSON as written (for `-o json`) beside the decoded fields the table needs.
public struct StatusBoard: Sendable {
    /// A heartbeat read leniently (records of older managers lack fields): what the `status` table
    /// and the dashboard show; the metrics tree is left in `raw`.
    public struct Manager: Sendable, Equatable, Decodable {
        public var instanceID: String
        public var version: String?
        public var startedAt: String?
        public var updatedAt: String?
        public var configSource: String?
        public var deliveryMode: String?
        public var statusIntervalSeconds: Double?
        public var sources: [String]?
        public var activeStreams: Int?
        public var assignedPartitions: [Int]?
        public var configError: ManagerHeartbeat.ConfigError?
        public var warnings: [String]?

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id"
            case version
            case startedAt = "started_at"
            case updatedAt = "updated_at"
            case configSource = "config_source"
            case deliveryMode = "delivery_mode"
            case statusIntervalSeconds = "status_interval_seconds"
            case sources
            case activeStreams = "active_streams"
            case assignedPartitions = "assigned_partitions"
            case configError = "config_error"
            case warnings
        }
    }

    public private(set) var sources: [String: SourceStatus] = [:]
    public private(set) var managers: [String: Manager] = [:]
    /// Key → the record's JSON object (sources and managers).
    public private(set) var raw: [String: String] = [:]

    public init() {}

    /// Folds one record; a tombstone removes the key. Unreadable records are skipped.
    public mutating func apply(key: String, value: [UInt8]?) {
        guard let value else {
            raw[key] = nil
            if key.hasPrefix("source:") { sources[String(key.dropFirst(7))] = nil }
            if key.hasPrefix("manager:") { managers[String(key.dropFirst(8))] = nil }
            return
        }
        let decoder = JSONDecoder()
        if key.hasPrefix("source:"), let status = try? decoder.decode(SourceStatus.self, from: Data(value)) {
            sources[String(key.dropFirst(7))] = status
            raw[key] = String(decoding: value, as: UTF8.self)
        } else if key.hasPrefix("manager:"), let manager = try? decoder.decode(Manager.self, from: Data(value)) {
            managers[String(key.dropFirst(8))] = manager
            raw[key] = String(decoding: value, as: UTF8.self)
        } else if key.hasPrefix(BudgetPauseRecord.keyPrefix), (try? decoder.decode(BudgetPauseRecord.self, from: Data(value))) != nil {
            raw[key] = String(decoding: value, as: UTF8.self)
        }
    }

    /// `{"sources": [...], "managers": [...], "budgets": [...]}`, each list sorted by key, records
    /// as written (`budgets`: the last pause of each budget, `BudgetPauseRecord`).
    public func json() -> String {
        func list(_ prefix: String) -> String {
            "[" + raw.keys.filter { $0.hasPrefix(prefix) }.sorted().map { raw[$0]! }.joined(separator: ",") + "]"
        }
        return "{\"sources\":\(list("source:")),\"managers\":\(list("manager:")),\"budgets\":\(list(BudgetPauseRecord.keyPrefix))}"
    }
}
