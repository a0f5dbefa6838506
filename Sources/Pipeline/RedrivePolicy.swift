import Foundation
import Kafka
import StreamConfig

/// When and whether a dead-lettered record is sent back to its topic (the DLQ re-driver).
public struct RedriveSettings: Sendable, Equatable {
    /// Time between a record's failure and its re-drive (`dlq_redrive.delay_seconds`).
    public var delay: Duration
    /// Re-drives per record before it stays in the DLQ for good (`dlq_redrive.max_redrives`).
    public var maxRedrives: Int
    /// The consumer group that shares the DLQ partitions between replicas.
    public var groupID: String

    public init(delay: Duration = .seconds(300), maxRedrives: Int = 3, groupID: String = "stream-manager.dlq-redrive") {
        self.delay = delay
        self.maxRedrives = maxRedrives
        self.groupID = groupID
    }

    /// The settings of the `dlq_redrive:` section; its delay is clamped into `SettingBounds`
    /// first (a config built in code may not have been validated). `max_redrives` is taken as
    /// written: a count, it cannot trap.
    public init(_ config: DLQRedriveConfig, groupID: String = "stream-manager.dlq-redrive") {
        self.init(delay: Saturating.wholeMilliseconds(seconds: config.clampedToBounds().delaySeconds),
                  maxRedrives: config.maxRedrives, groupID: groupID)
    }
}

public enum RedriveDecision: Sendable, Equatable {
    /// Not due yet: leave it (and everything after it in its partition) until then.
    case wait(until: Date)
    /// Send it back: to `topic`, with its own headers; `redrives` counts this one.
    case redrive(topic: String, headers: [KafkaHeader], redrives: Int)
    /// Leave it in the DLQ for good (an operator's job now).
    case park(reason: String)
}

public enum RedrivePolicy {
    public static func decide(_ record: ConsumerRecord, now: Date, settings: RedriveSettings) -> RedriveDecision {
        guard let topic = record.header(DeadLetter.originalTopicHeader)?.stringValue, !topic.isEmpty else {
            return .park(reason: "no \(DeadLetter.originalTopicHeader) header: not written by StreamManager")
        }
        if record.header(DeadLetter.stageHeader)?.stringValue == DeadLetter.Stage.transform.rawValue {
            return .park(reason: "refused as malformed; sending it again cannot help")
        }
        let done = record.header(DeadLetter.redrivesHeader)?.stringValue.flatMap { Int($0) } ?? 0
        if done >= settings.maxRedrives {
            return .park(reason: "re-driven \(done) time(s), the limit")
        }
        // The copy keeps the record's event time, so the failure time comes from the header.
        let failedAt = record.header(DeadLetter.failedAtHeader)?.stringValue.flatMap(RFC3339.date)
            ?? record.timestampMilliseconds.map { Date(timeIntervalSince1970: Double($0) / 1000) }
            ?? now
        let due = failedAt.addingTimeInterval(settings.delay.inSeconds)
        if now < due { return .wait(until: due) }
        return .redrive(topic: topic, headers: DeadLetter.originalHeaders(record.headers), redrives: done + 1)
    }
}
