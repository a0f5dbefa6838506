import Foundation
import Kafka
import Pipeline
import StreamConfig

/// The `budget:<name>` record of the status topic: the latest fleet-wide pause of a budget, written
/// by the replica whose request was answered 429 or 503. Every replica follows the status topic and
/// holds its requests in that budget until `paused_until`; the record stays (compacted) once the
/// time has passed, and means nothing then.
public struct BudgetPauseRecord: Sendable, Equatable, Codable {
    public var budget: String
    /// RFC 3339.
    public var pausedUntil: String
    public var reason: String
    public var instanceID: String
    public var updatedAt: String

    public static let keyPrefix = "budget:"
    public static func key(_ budget: String) -> String { keyPrefix + budget }

    public init(_ pause: BudgetPause, instanceID: String, at date: Date = Date()) {
        budget = pause.budget
        pausedUntil = RFC3339.string(pause.until)
        reason = pause.reason
        self.instanceID = instanceID
        updatedAt = RFC3339.string(date)
    }

    /// The record value, keys sorted.
    public func json() -> [UInt8] {
        func string(_ s: String) -> String { CanonicalJSON.quoted(s) }
        let out = "{\"budget\":\(string(budget)),\"instance_id\":\(string(instanceID)),\"paused_until\":\(string(pausedUntil))"
            + ",\"reason\":\(string(reason)),\"updated_at\":\(string(updatedAt))}"
        return Array(out.utf8)
    }

    /// The pause a status-topic record announces; nil for any other record.
    public static func pause(from record: ConsumerRecord) -> BudgetPause? {
        guard let key = record.keyString, key.hasPrefix(keyPrefix), let value = record.value,
              let r = try? JSONDecoder().decode(BudgetPauseRecord.self, from: Data(value)),
              let until = RFC3339.date(r.pausedUntil) else { return nil }
        return BudgetPause(budget: r.budget, until: until, reason: r.reason)
    }

    enum CodingKeys: String, CodingKey {
        case budget
        case pausedUntil = "paused_until"
        case reason
        case instanceID = "instance_id"
        case updatedAt = "updated_at"
    }
}
