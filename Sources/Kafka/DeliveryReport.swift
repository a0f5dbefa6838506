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

    public var isDelivered: Bool { error == nil }
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
        pending.append(DeliveryReport(messageID: id, topic: topic, partition: m.partition,
                                      offset: error == nil ? m.offset : -1, error: error))
    }

    /// Trades the collected reports for an empty buffer. Trading buffers (rather than copying)
    /// lets both sides keep their capacity: no allocation, no page faults, per drain.
    func swapPending(with buffer: inout [DeliveryReport]) {
        swap(&pending, &buffer)
    }
}
