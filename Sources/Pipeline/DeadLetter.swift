import Foundation
import Kafka

/// Where a record goes when it cannot be delivered, and the headers that say why
/// (the README's DLQ headers: `dlq.error`, `dlq.source_id`, `dlq.stage`, `dlq.attempts`, `dlq.original_topic`;
/// plus `dlq.failed_at` and `dlq.redrives`, which the re-driver needs: the copy keeps the
/// record's own event timestamp, so the time of failure travels in a header).
public enum DeadLetter {
    public enum Stage: String, Sendable {
        /// The producer gave up (retries exhausted, message too large, ...).
        case produce
        /// A pipeline stage refused the record as malformed.
        case transform
        /// A re-drive from the DLQ failed again.
        case redrive
    }

    public static let errorHeader = "dlq.error"
    public static let sourceHeader = "dlq.source_id"
    public static let stageHeader = "dlq.stage"
    public static let attemptsHeader = "dlq.attempts"
    public static let originalTopicHeader = "dlq.original_topic"
    /// When the record was dead-lettered, RFC 3339 UTC with milliseconds.
    public static let failedAtHeader = "dlq.failed_at"
    /// How many times the re-driver has sent it back already (absent: never).
    public static let redrivesHeader = "dlq.redrives"
    static let ownHeaders: Set<String> = [errorHeader, sourceHeader, stageHeader, attemptsHeader, originalTopicHeader,
                                          failedAtHeader, redrivesHeader]

    /// The record's own headers, without the dlq.* ones (what a re-drive sends).
    public static func originalHeaders(_ headers: [KafkaHeader]) -> [KafkaHeader] {
        headers.filter { !ownHeaders.contains($0.key) }
    }

    public static func defaultTopic(for topic: String) -> String { "\(topic).dlq" }

    /// The DLQ copy of a record: same key and value, the original headers, plus the dlq.* ones.
    /// `error` must already be redacted by whoever produced it.
    public static func record(for record: PipelineRecord, dlqTopic: String, error: String, stage: Stage,
                              attempts: Int, redrives: Int = 0, failedAt: Date = Date()) -> ProducerRecord {
        let headers = self.headers(record.headers, error: error, sourceID: record.sourceID, stage: stage, attempts: attempts,
                                   originalTopic: record.topic, redrives: redrives, failedAt: failedAt)
        return ProducerRecord(topic: dlqTopic, key: record.key, value: record.value, headers: headers,
                              timestampMilliseconds: record.eventTimeMilliseconds)
    }

    /// A record's own headers followed by the dlq.* ones (replacing any it already had).
    public static func headers(_ own: [KafkaHeader], error: String, sourceID: String, stage: Stage, attempts: Int,
                               originalTopic: String, redrives: Int, failedAt: Date) -> [KafkaHeader] {
        var headers = originalHeaders(own)
        headers.append(KafkaHeader(key: errorHeader, string: error))
        headers.append(KafkaHeader(key: sourceHeader, string: sourceID))
        headers.append(KafkaHeader(key: stageHeader, string: stage.rawValue))
        headers.append(KafkaHeader(key: attemptsHeader, string: String(attempts)))
        headers.append(KafkaHeader(key: originalTopicHeader, string: originalTopic))
        headers.append(KafkaHeader(key: failedAtHeader, string: RFC3339.string(failedAt)))
        if redrives > 0 { headers.append(KafkaHeader(key: redrivesHeader, string: String(redrives))) }
        return headers
    }
}
