import Kafka
import Logging

/// Where status records go. Writes never block: the status topic is best effort between the
/// periodic refreshes, which repair anything a failed write lost.
public protocol StatusWriter: Sendable {
    /// `value` nil writes a tombstone.
    func write(key: String, value: [UInt8]?)
    /// Waits until what was written is delivered (or the timeout passes).
    func flush(timeout: Duration) async
}

/// The status topic through a Kafka producer (murmur2_random, like every producer of ours).
public struct KafkaStatusWriter: StatusWriter {
    public let topic: String
    private let producer: KafkaProducer
    private let logger: Logger

    public init(topic: String, producer: KafkaProducer, logger: Logger) {
        self.topic = topic
        self.producer = producer
        self.logger = logger
    }

    public func write(key: String, value: [UInt8]?) {
        do {
            try producer.send(ProducerRecord(topic: topic, key: Array(key.utf8), value: value))
        } catch {
            logger.warning("status write for \(key) failed: \(error)")
        }
    }

    public func flush(timeout: Duration) async {
        do { try await producer.flush(timeout: timeout) } catch { logger.warning("status flush: \(error)") }
    }
}
