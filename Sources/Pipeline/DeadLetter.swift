import Kafka

/// Where a record goes when it cannot be delivered, and the headers that say why
/// (DESIGN.md: `dlq.error`, `dlq.source_id`, `dlq.stage`, `dlq.attempts`, `dlq.original_topic`).
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
    static let ownHeaders: Set<String> = [errorHeader, sourceHeader, stageHeader, attemptsHeader, originalTopicHeader]

    public static func defaultTopic(for topic: String) -> String { "\(topic).dlq" }

    /// The DLQ copy of a record: same key and value, the original headers, plus the dlq.* ones.
    /// `error` must already be redacted by whoever produced it.
    public static func record(for record: PipelineRecord, dlqTopic: String, error: String, stage: Stage,
                              attempts: Int) -> ProducerRecord {
        var headers = record.headers.filter { !ownHeaders.contains($0.key) }
        headers.append(KafkaHeader(key: errorHeader, string: error))
        headers.append(KafkaHeader(key: sourceHeader, string: record.sourceID))
        headers.append(KafkaHeader(key: stageHeader, string: stage.rawValue))
        headers.append(KafkaHeader(key: attemptsHeader, string: String(attempts)))
        headers.append(KafkaHeader(key: originalTopicHeader, string: record.topic))
        return ProducerRecord(topic: dlqTopic, key: record.key, value: record.value, headers: headers)
    }
}
