import CRdKafka

/// The outcome of one produced record, from librdkafka's delivery-report callback.
public struct DeliveryReport: Sendable, Equatable {
    /// The id `KafkaProducer.send` returned for the record.
    public let messageID: UInt64
    public let topic: String
    public let partition: Int32
    /// The record's offset when delivered, -1 otherwise.
    public let offset: Int64
    /// nil when delivered; otherwise why it never will be (retries are exhausted by then).
    public let error: KafkaError?
    /// For a record that was not delivered: the record as librdkafka held it (key, value,
    /// headers, timestamp), so a sender can retry or dead-letter it without keeping its own
    /// copy of every record in flight. nil when delivered.
    public var undelivered: ProducerRecord? { failed?.record }
    // Boxed: a report stays a few words wide on the hot (delivered) path.
    private let failed: UndeliveredRecord?

    public init(messageID: UInt64, topic: String, partition: Int32, offset: Int64, error: KafkaError?,
                undelivered: ProducerRecord? = nil) {
        self.messageID = messageID
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
        self.failed = undelivered.map(UndeliveredRecord.init)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.messageID == b.messageID && a.topic == b.topic && a.partition == b.partition && a.offset == b.offset
            && a.error == b.error && a.undelivered == b.undelivered
    }

    public var isDelivered: Bool { error == nil }
}

final class UndeliveredRecord: Sendable {
    let record: ProducerRecord
    init(_ record: ProducerRecord) { self.record = record }
}

/// Collects delivery reports inside `rd_kafka_poll`. Touched only by the thread holding
/// `ReportServing`'s busy flag, hence `@unchecked Sendable` without a lock.
final class DeliveryCollector: @unchecked Sendable {
    private var pending: [DeliveryReport] = []
    private var topicNames: [OpaquePointer: String] = [:]
    private var lastTopic: (OpaquePointer, String)?

    init() { pending.reserveCapacity(1024) }

    func collect(_ message: UnsafePointer<rd_kafka_message_t>) {
        let m = message.pointee
        let topic: String
        if let rkt = m.rkt {
            if let last = lastTopic, last.0 == rkt {
                topic = last.1
            } else if let cached = topicNames[rkt] {
                topic = cached
            } else {
                topic = String(cString: rd_kafka_topic_name(rkt))
                topicNames[rkt] = topic
            }
            lastTopic = (rkt, topic)
        } else {
            topic = ""
        }
        let id = UInt64(UInt(bitPattern: m._private))
        let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err)
        var undelivered: ProducerRecord?
        if error != nil {
            // Failures are rare: copying them here spares senders a copy of every record.
            let copy = RDKafkaMessage.record(message) { _ in topic }
            undelivered = ProducerRecord(topic: topic, key: copy.key, value: copy.value, headers: copy.headers,
                                         timestampMilliseconds: copy.timestampMilliseconds)
        }
        pending.append(DeliveryReport(messageID: id, topic: topic, partition: m.partition,
                                      offset: error == nil ? m.offset : -1, error: error, undelivered: undelivered))
    }

    /// Trades the collected reports for an empty buffer. Trading buffers (rather than copying)
    /// lets both sides keep their capacity: no allocation, no page faults, per drain.
    func swapPending(with buffer: inout [DeliveryReport]) {
        swap(&pending, &buffer)
    }
}
